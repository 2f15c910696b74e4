import { describe, expect, test } from '@jest/globals';
import { expectUsageError, run } from './support/run-cli.js';

interface SimulateJson {
  preset: string;
  wallMs: number;
  settings: { nodes: number; seed: number; intervalMs: number; maxConnections: number };
  convergence: { percent: number; atMs: number | null; meanAtMs: number | null }[];
  coverage: { atMs: number; meanPercent: number }[];
  messages: { total: number; perNode: { mean: number; max: number } };
  deliveries: { total: number; duplicates: number };
  churn: { left: number; joined: number };
}

// A small swarm for a few virtual minutes: well under a second of work.
const SMALL = ['--nodes', '25', '--hours', '0.1', '--max-connections', '6'];

describe('pex simulate', () => {
  test('--json prints the simulator result with the settings given', async () => {
    const { code, out } = await run([
      'simulate',
      ...SMALL,
      '--seed',
      '7',
      '--interval',
      '60000',
      '--latency',
      '10-50',
      '--churn',
      '1',
      '--json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(out.join('\n')) as SimulateJson;
    expect(report.preset).toBe('default');
    expect(report.settings).toMatchObject({
      nodes: 25,
      seed: 7,
      intervalMs: 60_000,
      maxConnections: 6,
    });
    expect(report.convergence.map((level) => level.percent)).toEqual([50, 90, 99, 100]);
    expect(report.coverage.length).toBeGreaterThan(0);
    expect(report.messages.total).toBeGreaterThan(0);
    expect(report.churn.left).toBeGreaterThanOrEqual(0);
  });

  test('the same seed prints the same numbers', async () => {
    const strip = (lines: string[]) => {
      const { wallMs: _wallMs, ...rest } = JSON.parse(lines.join('\n')) as SimulateJson;
      return rest;
    };
    const first = await run(['simulate', ...SMALL, '--seed', '3', '--json']);
    const again = await run(['simulate', ...SMALL, '--seed', '3', '--json']);
    expect(strip(again.out)).toEqual(strip(first.out));
  });

  test('the text summary names convergence, cost and duplicates', async () => {
    const { code, out } = await run(['simulate', ...SMALL, '--preset', 'libtorrent']);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/interval 60 s, first message after 0 s, caps 100\/100\/unlimited/);
    expect(text).toMatch(/^ +50 % /m);
    expect(text).toMatch(/messages per node: mean /);
    expect(text).toMatch(/duplicates/);
    expect(text).toMatch(/wall time: /);
  });

  test.each([
    [['--nodes', '1'], /"--nodes" expected an integer in 2\.\.1000000, got "1"/],
    [['--hours', 'x'], /"--hours" expected hours/],
    [['--latency', '50-10'], /"--latency" expected MIN-MAX/],
    [['--churn', '-1'], /"--churn"|ERR_PARSE_ARGS|argument/],
    [['--preset', 'utorrent'], /"--preset" expected default, libtorrent or transmission/],
    [['extra'], /simulate takes no arguments/],
  ])('%p is a usage error', async (args, pattern) => {
    await expectUsageError(['simulate', ...args], pattern);
  });
});
