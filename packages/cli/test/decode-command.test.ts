import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from '@jest/globals';
import { hex } from '@pex/test-support';
import { GOLDEN_MESSAGES } from '../../core/test/fixtures/golden-messages.js';
import { HOSTILE_PAYLOADS } from '../../core/test/fixtures/hostile-payloads.js';
import { expectUsageError, run } from './support/run-cli.js';

describe('pex decode', () => {
  test.each(GOLDEN_MESSAGES.map((g) => [g.name, g] as const))(
    'golden: %s',
    async (_name, golden) => {
      const { code, out } = await run(['decode', '--json', hex(golden.bytes)]);
      expect(code).toBe(0);
      const printed = JSON.parse(out[0] as string) as {
        added: { peer: string; flags: number }[];
        dropped: string[];
      };
      expect(printed.added.map((p) => p.flags)).toEqual(
        [...golden.decoded.added, ...golden.decoded.added6].map((p) => p.flags ?? 0),
      );
      expect(printed.dropped).toHaveLength(
        golden.decoded.dropped.length + golden.decoded.dropped6.length,
      );
    },
  );

  test('human output lists peers with flag names', async () => {
    const libtorrent = GOLDEN_MESSAGES[0];
    const { code, out } = await run(['decode', hex(libtorrent?.bytes ?? new Uint8Array())]);
    expect(code).toBe(0);
    expect(out).toEqual([
      'added 2, dropped 0',
      '  + 127.0.0.2:6881  [holepunch]',
      '  + 127.0.0.3:6882  [seed, holepunch]',
    ]);
  });

  test.each(
    HOSTILE_PAYLOADS.filter((h) => h.limits === undefined && h.bytes.length < 4096).map(
      (h) => [h.name, h] as const,
    ),
  )('hostile: %s', async (_name, hostile) => {
    const { code, out } = await run(['decode', '--json', hex(hostile.bytes)]);
    expect(code).toBe(1);
    expect(JSON.parse(out[0] as string)).toMatchObject({
      error: 'PexDecodeError',
      reason: hostile.reason,
    });
  });

  test('a bad payload is one line naming the reason, the field and the offset', async () => {
    const bytes = Uint8Array.from('d5:added', (c) => c.charCodeAt(0));
    const human = await run(['decode', hex(bytes)]);
    expect(human.code).toBe(1);
    expect(human.err).toEqual(['invalid PEX payload: truncated in "added" at offset 8']);
    const json = await run(['decode', '--json', hex(bytes)]);
    expect(JSON.parse(json.out[0] as string)).toEqual({
      error: 'PexDecodeError',
      reason: 'truncated',
      field: 'added',
      offset: 8,
      message: 'truncated in "added" at offset 8',
    });
  });

  test('reads a payload from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pex-decode-'));
    const file = join(dir, 'payload.bin');
    await writeFile(file, (GOLDEN_MESSAGES[3] as { bytes: Uint8Array }).bytes);
    const { code, out } = await run(['decode', '--file', file]);
    expect(code).toBe(0);
    expect(out[0]).toBe('added 0, dropped 1');
  });

  test.each([
    [['decode'], /decode expects one hex payload/],
    [['decode', 'abc'], /expected hex digits in pairs/],
    [['decode', 'zz'], /expected hex digits in pairs/],
    [['decode', '--nope', 'de'], /Unknown option/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /usage: pex/],
  ])('argument error %p gives usage and exit 2', (argv, pattern) =>
    expectUsageError(argv, pattern),
  );
});

test.each([
  ['demo', '--help'],
  ['probe', '-h'],
  ['decode', '--help'],
])('%s %s prints usage and exits 0', async (...argv) => {
  const { code, out } = await run(argv);
  expect(code).toBe(0);
  expect(out.join('\n')).toMatch(/usage: pex/);
});

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
describe('the pex binary', () => {
  test('decodes from the command line with exit codes', async () => {
    expect(existsSync(bin)).toBe(true);
    const ok = await promisify(execFile)(process.execPath, [bin, 'decode', '6465']);
    expect(ok.stdout.trim()).toBe('added 0, dropped 0');
    const bad = await promisify(execFile)(process.execPath, [bin, 'decode', '6c65']).catch(
      (e) => e,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not-a-dictionary/);
  });
});
