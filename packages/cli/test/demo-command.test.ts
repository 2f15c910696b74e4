import { describe, expect, test } from '@jest/globals';
import { expectUsageError, run } from './support/run-cli.js';

interface DemoJson {
  converged: boolean;
  nodes: number;
  rounds: number;
  convergedAtMs: number;
  acceleratedInterval: boolean;
  messages: { total: number; mean: number; max: number };
  bytes: { total: number; mean: number; max: number };
  largestMessageBytes: number;
  warnings: number;
  pool: {
    dials: number;
    connectedAlready: number;
    learnedByPex: number;
    reports: number;
    saved: number;
    savedAgainstReports: number;
    dialsBySources: Record<string, number>;
    candidatesBySources: Record<string, number>;
  };
  timeline: { atMs: number; completeNodes: number }[];
  perNode: {
    peer: string;
    known: number;
    learnedByPex: number;
    pexReports: number;
    connections: number;
    dials: number;
    poolDials: number;
    messagesSent: number;
    bytesSent: number;
  }[];
}

describe('pex demo', () => {
  test('8 nodes started as a ring converge through PEX', async () => {
    const { code, out } = await run([
      'demo',
      '--nodes',
      '8',
      '--interval',
      '300',
      '--first-delay',
      '100',
      '--timeout',
      '15',
      '--json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(out.join('\n')) as DemoJson;
    expect(report.converged).toBe(true);
    expect(report.nodes).toBe(8);
    expect(report.acceleratedInterval).toBe(true);
    expect(report.perNode).toHaveLength(8);
    expect(new Set(report.perNode.map((n) => n.peer)).size).toBe(8);
    for (const node of report.perNode) {
      expect(node.known).toBe(7);
      // Told about one node; the others it heard of in PEX messages or when they dialled it
      // (having heard of it through PEX themselves).
      expect(node.learnedByPex).toBeGreaterThanOrEqual(1);
      expect(node.messagesSent).toBeGreaterThan(0);
      expect(node.bytesSent).toBeGreaterThan(0);
    }
    // A ring needs PEX hops in a row: neighbours of neighbours, then theirs.
    expect(report.rounds).toBeGreaterThan(1);
    // Of the 20 pairs that are not ring neighbours, at least one side heard of the other by PEX.
    expect(report.perNode.reduce((a, n) => a + n.learnedByPex, 0)).toBeGreaterThanOrEqual(20);
    expect(report.messages.total).toBe(report.perNode.reduce((a, n) => a + n.messagesSent, 0));
    expect(report.bytes.total).toBe(report.perNode.reduce((a, n) => a + n.bytesSent, 0));
    expect(report.largestMessageBytes).toBeGreaterThan(0);
    expect(report.largestMessageBytes).toBeLessThanOrEqual(report.bytes.max);
    expect(report.warnings).toBe(0);
    expect(report.timeline.at(-1)?.completeNodes).toBe(8);
    expect(report.convergedAtMs).toBeLessThan(15_000);

    // PEX peers are dialled through the candidate pool: each of its dials is one of a node's
    // dials, and what it saved is counted against dialling every peer learned through PEX.
    const { pool } = report;
    const sumOf = (counts: Record<string, number>) =>
      Object.values(counts).reduce((a, b) => a + b, 0);
    expect(pool.dials).toBeGreaterThan(0);
    expect(pool.dials).toBe(report.perNode.reduce((a, n) => a + n.poolDials, 0));
    for (const node of report.perNode) expect(node.poolDials).toBeLessThanOrEqual(node.dials);
    expect(pool.learnedByPex).toBe(report.perNode.reduce((a, n) => a + n.learnedByPex, 0));
    expect(pool.reports).toBe(report.perNode.reduce((a, n) => a + n.pexReports, 0));
    expect(pool.reports).toBeGreaterThanOrEqual(pool.learnedByPex);
    expect(pool.saved).toBe(pool.learnedByPex - pool.dials);
    expect(pool.savedAgainstReports).toBe(pool.reports - pool.dials);
    expect(sumOf(pool.dialsBySources)).toBe(pool.dials);
    for (const sources of Object.keys({ ...pool.dialsBySources, ...pool.candidatesBySources })) {
      expect(Number(sources)).toBeGreaterThanOrEqual(1);
    }
    // In a ring that converged, peers are heard of from more than one remote.
    expect(Object.keys(pool.candidatesBySources).some((sources) => Number(sources) > 1)).toBe(true);
  });

  test('human output: interval label, progress, summary and chart', async () => {
    const { code, out } = await run([
      'demo',
      '--nodes',
      '4',
      '--interval',
      '200',
      '--first-delay',
      '50',
      '--timeout',
      '10',
    ]);
    const text = out.join('\n');
    expect(code).toBe(0);
    expect(text).toMatch(/ACCELERATED.*faster than BEP 11 allows/);
    expect(text).toMatch(/converged: every node knows the other 3 after/);
    expect(text).toMatch(/messages sent per node: mean [0-9.]+, max [0-9]+/);
    expect(text).toMatch(/largest message: [1-9][0-9]* bytes/);
    expect(text).toMatch(
      /dials through the candidate pool: [0-9]+ in all .* the pool saved -?[0-9]+ dials \([0-9-]+%\)/,
    );
    expect(text).toMatch(/pool dials by number of sources: .*candidates held at the end by number/);
    expect(text).toMatch(/nodes that know every other node, by second:/);
    expect(out.at(-1)).toMatch(/\|#{40}\| 4\/4$/);
  });

  test('a swarm that cannot converge in time exits 1', async () => {
    // The first PEX message leaves 5 s after each handshake: far beyond the 1 s timeout.
    const { code, out } = await run([
      'demo',
      '--nodes',
      '6',
      '--first-delay',
      '5000',
      '--timeout',
      '1',
      '--json',
    ]);
    expect(code).toBe(1);
    const report = JSON.parse(out.join('\n')) as DemoJson;
    expect(report.converged).toBe(false);
    expect(report.rounds).toBeNull();
  });

  test.each([
    [['demo', '--nodes', '1'], /"--nodes" expected an integer in 2\.\.200, got "1"/],
    [['demo', '--nodes', 'many'], /"--nodes" expected an integer/],
    [['demo', '--interval', '1.5'], /"--interval" expected an integer/],
    [['demo', '--timeout', '0'], /"--timeout" expected seconds/],
    [['demo', 'extra'], /demo takes no arguments/],
    [['demo', '--frobnicate'], /Unknown option/],
  ])('argument error %p gives usage and exit 2', (argv, pattern) =>
    expectUsageError(argv, pattern),
  );
});
