// Runs the `pex` command in process and collects what it prints.
import { expect } from '@jest/globals';
import { main } from '@pex/cli';

export interface CliRun {
  readonly code: number;
  /** Lines written to stdout, in order. */
  readonly out: string[];
  /** Lines written to stderr, in order. */
  readonly err: string[];
}

/** Runs `pex ...argv` through `main` with recording streams. */
export async function run(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

/** Runs `pex ...argv` and expects exit 2 with `pattern` and the usage text in its output. */
export async function expectUsageError(argv: string[], pattern: RegExp): Promise<void> {
  const { code, out, err } = await run(argv);
  expect(code).toBe(2);
  expect([...out, ...err].join('\n')).toMatch(pattern);
  expect([...out, ...err].join('\n')).toMatch(/usage: pex/);
}
