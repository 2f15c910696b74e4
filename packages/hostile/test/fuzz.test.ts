import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';

// The bounded fuzz run of CI: each target for 25 s from the kept corpus, in a child process
// running the built packages (scripts/bootstrap.sh builds them). `pnpm fuzz` runs for longer.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runner = join(root, 'fuzz', 'run.mjs');
const artifacts = mkdtempSync(join(tmpdir(), 'pex-fuzz-'));
const FUZZ_SECONDS = 25;

interface FuzzResult {
  readonly target: string;
  readonly finding: string | null;
  readonly execs: number;
  readonly features: number;
  readonly seedFeatures: number;
  readonly seedInputs: number;
  readonly error?: string;
  readonly input?: string;
  readonly file?: string;
}

function fuzz(target: string, corpus: string, seconds: number) {
  const found = mkdtempSync(join(artifacts, `${corpus}-`));
  const run = spawnSync(
    process.execPath,
    [
      runner,
      `--target=${target}`,
      `--corpus=${join(root, 'corpus', corpus)}`,
      `-max_total_time=${seconds}`,
      `--artifacts=${found}`,
    ],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: (seconds + 30) * 1000 },
  );
  const lines = run.stdout.trim().split('\n');
  const result = JSON.parse(lines[lines.length - 1] ?? 'null') as FuzzResult | null;
  return { status: run.status, result, stderr: run.stderr, found };
}

afterAll(() => rmSync(artifacts, { recursive: true, force: true }));

describe('coverage-guided fuzzing (bounded run)', () => {
  test('the packages are built (the runner fuzzes their dist)', () => {
    for (const pkg of ['core', 'events']) {
      expect(existsSync(join(root, '..', pkg, 'dist', 'index.js'))).toBe(true);
    }
  });

  test('the runner reports a throwing input as a finding and saves it', () => {
    const planted = join(root, 'test', 'fixtures', 'planted-target.mjs');
    const { status, result } = fuzz(planted, 'decode', 5);
    expect(status).toBe(1);
    expect(result?.finding).toBe('crash');
    expect(result?.error).toContain('planted: an added6 peer');
    expect(readFileSync(result?.file as string).length).toBeGreaterThan(0);
  }, 40_000);

  test.each([
    ['decode', 'decodePexMessage'],
    ['session', 'session.receive'],
  ])(
    `%s target (%s): ${FUZZ_SECONDS} s without a finding`,
    (target) => {
      const { status, result, stderr, found } = fuzz(target, target, FUZZ_SECONDS);
      // On a finding, this shows the input, the error and where the input was saved.
      expect({ status, finding: result === null ? stderr : result.finding }).toEqual({
        status: 0,
        finding: null,
      });
      expect(result?.seedInputs).toBeGreaterThan(0);
      expect(result?.execs).toBeGreaterThan(result?.seedInputs ?? 0);
      // Coverage guidance works: mutation reached blocks or hit counts the seeds did not.
      expect(result?.features).toBeGreaterThan(result?.seedFeatures ?? 0);
      expect(readdirSync(found)).toEqual([]);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    },
    (FUZZ_SECONDS + 40) * 1000,
  );
});
