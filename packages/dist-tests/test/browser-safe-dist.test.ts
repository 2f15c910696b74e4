import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { transformSync } from 'esbuild';

// The packages meant for browsers, as published: no `node:` import, no Buffer, no process in
// their JavaScript or their declarations. Comments may mention them, so comments are stripped
// first (esbuild drops them); any other use, even `typeof process`, counts.

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BROWSER_PACKAGES = ['core', 'arbitraries', 'events'] as const;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * Code without comments. JavaScript goes through esbuild, which keeps only legal comments (none
 * of ours are); declarations (which esbuild would erase) lose their comments by a simple regex.
 */
function withoutComments(file: string): string {
  const text = readFileSync(file, 'utf8');
  return file.endsWith('.d.ts')
    ? text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
    : transformSync(text, { loader: 'js' }).code;
}

const FORBIDDEN: readonly { name: string; pattern: RegExp }[] = [
  { name: 'node: import', pattern: /(?:from\s*|import\s*\(\s*|require\s*\(\s*)['"]node:/ },
  {
    name: 'Node built-in import',
    pattern:
      /(?:from\s*|import\s*\(\s*)['"](?:fs|path|net|os|crypto|events|buffer|stream|util)['"]/,
  },
  { name: 'Buffer', pattern: /(?<![.#\w$])Buffer\b/ },
  { name: 'process', pattern: /(?<![.#\w$])process\b/ },
];

describe.each(BROWSER_PACKAGES)('@pex/%s dist is browser-safe', (name) => {
  const dist = join(packagesDir, name, 'dist');

  test('dist exists (the build ran)', () => {
    expect(existsSync(dist)).toBe(true);
  });

  test('no node: import, no Buffer, no process', () => {
    const files = listFiles(dist).filter((file) => /\.(?:js|d\.ts)$/.test(file));
    expect(files.length).toBeGreaterThan(0);
    const found: string[] = [];
    for (const file of files) {
      const code = withoutComments(file);
      for (const { name: what, pattern } of FORBIDDEN) {
        if (pattern.test(code)) found.push(`${file.slice(packagesDir.length + 1)}: ${what}`);
      }
    }
    expect(found).toEqual([]);
  });
});
