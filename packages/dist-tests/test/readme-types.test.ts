import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';

// The wire adapter's README example, as a user with `strict` TypeScript would paste it: it must
// compile under `node16` and `bundler` resolution against the built packages (resolved by name
// from the @pex/examples workspace package), with only the one-line declaration the README
// tells users to add for bittorrent-protocol 5, which ships no types.

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const work = mkdtempSync(join(repoRoot, 'examples', '.readme-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The fenced `ts` blocks of a README, in order. */
function codeBlocks(readme: string): string[] {
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

function compile(config: Record<string, unknown>): Promise<{ code: number; output: string }> {
  const path = join(work, `tsconfig.${String(config.moduleResolution)}.json`);
  writeFileSync(path, JSON.stringify({ compilerOptions: config, include: ['*.ts'] }));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsc, '-p', path],
      { cwd: work, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

describe('the @pex/wire-adapter README example under strict TypeScript', () => {
  const readme = readFileSync(join(repoRoot, 'packages/wire-adapter/README.md'), 'utf8');
  const [example] = codeBlocks(readme);
  writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
  // What the README's example assumes is in scope: a socket and the application's functions.
  writeFileSync(
    join(work, 'app.d.ts'),
    [
      "declare module 'bittorrent-protocol';",
      "declare const socket: import('node:net').Socket;",
      'declare function maybeConnect(peer: string, reachable?: boolean): void;',
      'declare function forget(peer: string): void;',
      'declare const log: { warn(...args: unknown[]): void; debug(...args: unknown[]): void };',
    ].join('\n'),
  );
  writeFileSync(join(work, 'example.ts'), `${example ?? ''}\nexport {};\n`);

  test('the README has the example', () => {
    expect(example).toContain("from '@pex/wire-adapter'");
    expect(example).toContain('pexOf(wire)');
  });

  test.each([
    { module: 'node16', moduleResolution: 'node16' },
    { module: 'esnext', moduleResolution: 'bundler' },
  ])(
    'compiles with module $module, moduleResolution $moduleResolution',
    async (resolution) => {
      const { code, output } = await compile({
        ...resolution,
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(repoRoot, 'node_modules/@types')],
      });
      expect(output).toBe('');
      expect(code).toBe(0);
    },
    90_000,
  );
});
