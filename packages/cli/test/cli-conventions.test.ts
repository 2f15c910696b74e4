// `pex --version`, `pex decode --file -`, one-line usage errors and the extended-id hint.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import { main } from '@pex/cli';
import { bytesOf, hex } from '@pex/test-support';
import { run } from './support/run-cli.js';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
const bin = new URL('../dist/bin.js', import.meta.url).pathname;

/** Runs the built binary with `input` on its stdin; never rejects. */
function runBin(
  argv: string[],
  input = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...argv], (error, stdout, stderr) => {
      const code = error === null ? 0 : Number((error as { code?: number }).code ?? 1);
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(input, 'latin1');
  });
}

describe('pex --version', () => {
  test.each([['--version'], ['-V']])('%s prints the version of @pex/cli, exit 0', async (flag) => {
    const { code, out, err } = await run([flag]);
    expect(code).toBe(0);
    expect(out).toEqual([packageVersion]);
    expect(err).toEqual([]);
  });

  test('from the built binary (package.json read relative to dist/)', async () => {
    const { code, stdout } = await promisify(execFile)(process.execPath, [bin, '--version']).then(
      (r) => ({ code: 0, ...r }),
    );
    expect(code).toBe(0);
    expect(stdout).toBe(`${packageVersion}\n`);
  });

  test('the help text lists it', async () => {
    const { out } = await run(['--help']);
    expect(out.join('\n')).toMatch(/-V, --version/);
  });
});

describe('pex decode --file -', () => {
  test('reads the payload from stdin (injected)', async () => {
    const out: string[] = [];
    const code = await main(['decode', '--file', '-'], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      readStdin: async () => bytesOf('d7:dropped6:\x7f\x00\x00\x01\x1a\xe1e'),
    });
    expect(code).toBe(0);
    expect(out).toEqual(['added 0, dropped 1', '  - 127.0.0.1:6881']);
  });

  test('reads the payload from the process stdin (binary)', async () => {
    const ok = await runBin(['decode', '--file', '-', '--json'], 'de');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ added: [], dropped: [] });
    const bad = await runBin(['decode', '--file', '-'], 'le');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not-a-dictionary/);
  });

  test('stdin and a hex payload together is a usage error', async () => {
    const { code, err } = await run(['decode', '--file', '-', '6465']);
    expect(code).toBe(2);
    expect(err[0]).toMatch(/either a hex payload or --file/);
  });
});

describe('usage errors print the usage line of their command only', () => {
  test.each([
    [['decode'], 'usage: pex decode <hex> | --file PATH|- [--json]'],
    [['decode', 'zz'], 'usage: pex decode <hex> | --file PATH|- [--json]'],
    [['decode', '--nope', 'de'], 'usage: pex decode <hex> | --file PATH|- [--json]'],
    [['demo', '--nodes', 'x'], expect.stringMatching(/^usage: pex demo \[--nodes N\]/)],
    [['demo', 'extra'], expect.stringMatching(/^usage: pex demo /)],
    [['probe'], expect.stringMatching(/^usage: pex probe HOST:PORT --info-hash HEX/)],
    [['probe', '127.0.0.1:1'], expect.stringMatching(/^usage: pex probe /)],
    [['simulate', '--nodes', 'x'], expect.stringMatching(/^usage: pex simulate \[--nodes N\]/)],
    [['frobnicate'], 'usage: pex demo|probe|decode|simulate [options]'],
  ])('%p', async (argv, usageLine) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(3);
    expect(err[0]).toMatch(/^pex: /);
    expect(err[1]).toEqual(usageLine);
    expect(err[2]).toBe("run 'pex --help' for every command and option");
  });

  test('each usage line names the options the full help text documents', async () => {
    const help = (await run(['--help'])).out.join('\n');
    for (const command of ['demo', 'probe', 'decode', 'simulate']) {
      const line = (await run([command, '--no-such-option'])).err[1] as string;
      for (const option of line.match(/--[a-z-]+/g) ?? []) expect(help).toContain(option);
    }
  });

  test('no command at all still prints the whole text, exit 2', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(2);
    expect(out.join('\n')).toMatch(/commands:/);
  });
});

describe('a payload with the extended-message id byte in front', () => {
  const payload = bytesOf('d5:added6:\x7f\x00\x00\x01\x1a\xe1e');

  test.each([
    [0x01, '0x01'],
    [0x00, '0x00'],
    [0x14, '0x14'],
  ])('id %d: the error says so, exit 1', async (id, shown) => {
    const withId = hex(Uint8Array.from([id, ...payload]));
    const human = await run(['decode', withId]);
    expect(human.code).toBe(1);
    expect(human.err[0]).toMatch(/^invalid PEX payload: /);
    expect(human.err[1]).toBe(
      `hint: looks like it starts with an extended-message id byte (${shown}); pass the bencoded dictionary only, from the "d" at offset 1`,
    );
    const json = await run(['decode', '--json', withId]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out[0] as string)).toMatchObject({
      error: 'PexDecodeError',
      hint: expect.stringContaining(`extended-message id byte (${shown})`),
    });
  });

  test('a truncated one too (01 d5:added)', async () => {
    const { code, err } = await run(['decode', hex(bytesOf('\x01d5:added'))]);
    expect(code).toBe(1);
    expect(err[1]).toMatch(/extended-message id byte \(0x01\)/);
  });

  test('the payload itself decodes, and other invalid payloads get no hint', async () => {
    expect((await run(['decode', hex(payload)])).code).toBe(0);
    const other = await run(['decode', '--json', '6c65']);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.out[0] as string)).not.toHaveProperty('hint');
    expect((await run(['decode', '6c65'])).err).toHaveLength(1);
  });
});
