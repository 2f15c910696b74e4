import { describe, expect, test } from '@jest/globals';
import { classifyPeer } from '@pex/events';
import { type SwarmSimulationOptions, simulateSwarm } from '@pex/simulator';

// Small swarms: each run takes well under a second. The 10,000-node figures are in
// docs/simulation.md, measured with `pex simulate`, not here.
const SMALL: SwarmSimulationOptions = { nodes: 30, maxConnections: 8, durationMs: 20 * 60_000 };

describe('simulateSwarm', () => {
  test('the same seed and options give a deeply equal result; another seed another one', () => {
    const first = simulateSwarm({ ...SMALL, seed: 11, churnPerMinute: 1 });
    const again = simulateSwarm({ ...SMALL, seed: 11, churnPerMinute: 1 });
    const other = simulateSwarm({ ...SMALL, seed: 12, churnPerMinute: 1 });
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  test('PEX spreads the swarm: the average node knows most of it, at a cost it reports', () => {
    const result = simulateSwarm({ ...SMALL, seed: 3 });
    const last = result.coverage.at(-1);
    expect(last?.liveNodes).toBe(30);
    expect(last?.meanPercent).toBeGreaterThan(80);
    expect(result.convergence.map((level) => level.percent)).toEqual([50, 90, 99, 100]);
    expect(result.convergence[0]?.atMs).not.toBeNull();
    // Every message was a real session's: counted, sized, decoded without complaint.
    expect(result.messages.total).toBeGreaterThan(0);
    expect(result.messages.bytes).toBeGreaterThan(result.messages.total);
    expect(result.messages.perNode.max).toBeGreaterThanOrEqual(result.messages.perNode.mean);
    expect(result.sessions).toMatchObject({ violations: 0, invalidPayloads: 0, warnings: 0 });
    expect(result.sessions.created).toBe(2 * result.connections.opened);
    expect(result.deliveries.duplicates).toBeLessThanOrEqual(result.deliveries.total);
    expect(result.connections.openPerNode.max).toBeLessThanOrEqual(8);
  });

  test('the settings are reported with the defaults filled in', () => {
    const { settings } = simulateSwarm({ nodes: 4, durationMs: 60_000 });
    expect(settings).toMatchObject({
      nodes: 4,
      seed: 1,
      maxConnections: 50,
      dialBelow: 40,
      outbound: 'timeline',
      intervalMs: 70_000,
      firstMessageDelayMs: 1_500,
      caps: { firstMessageMaxAdded: 100, maxAddedPerMessage: 50, maxDroppedPerMessage: 50 },
      relaxation: false,
      candidatePool: false,
    });
  });

  test('churn: nodes leave and as many join (Poisson), and the swarm keeps working', () => {
    const result = simulateSwarm({ ...SMALL, seed: 5, churnPerMinute: 3 });
    expect(result.churn.left).toBeGreaterThan(20);
    expect(result.churn.joined).toBeGreaterThan(20);
    expect(result.coverage.at(-1)?.meanPercent).toBeGreaterThan(50);
  });

  test.each([
    ['a per-connection tracker', { outbound: 'tracker' }],
    ['BEP 11 relaxation', { relaxation: {} }],
    ['a candidate pool', { candidatePool: { maxCandidates: 50 } }],
    ['libtorrent-like caps', { intervalMs: 60_000, caps: { maxAddedPerMessage: 100 } }],
  ] as const)('runs with %s', (_name, extra) => {
    const result = simulateSwarm({ ...SMALL, seed: 9, ...extra });
    expect(result.connections.opened).toBeGreaterThan(0);
    expect(result.coverage.at(-1)?.meanPercent).toBeGreaterThan(50);
    expect(result.sessions.warnings).toBe(0);
  });

  test('a custom accept policy runs in every session', () => {
    // Refuse every reported peer: nodes know only the tracker's answers and their connections.
    const result = simulateSwarm({ ...SMALL, seed: 2, accept: () => false });
    expect(result.deliveries.total).toBe(0);
    expect(result.sessions.refused).toBeGreaterThan(0);
    expect(result.settings.customAccept).toBe(true);
  });

  test('the default policy composes (classifyPeer) and a dial policy decides each dial', () => {
    const asked: number[] = [];
    const result = simulateSwarm({
      ...SMALL,
      seed: 4,
      accept: (peer, context) => classifyPeer(peer, context) === 'accept',
      dialPolicy: ({ peer, connections, maxConnections }) => {
        asked.push(peer);
        return connections < maxConnections / 2;
      },
    });
    expect(asked.length).toBeGreaterThan(0);
    expect(result.connections.dials).toBeGreaterThan(0);
  });

  test.each([
    [{ nodes: 1 }, RangeError, /"nodes" expected an integer 2\.\.1000000, got 1/],
    [{ nodes: '10' }, TypeError, /"nodes" expected an integer, got string/],
    [{ latencyMs: { min: 50, max: 10 } }, RangeError, /"latencyMs\.max"/],
    [{ outbound: 'wire' }, TypeError, /"outbound"/],
    [
      { outbound: 'tracker', relaxation: {} },
      TypeError,
      /"relaxation" expected outbound 'timeline'/,
    ],
    [{ dialPolicy: 1 }, TypeError, /"dialPolicy" expected a function, got number/],
    [{ turnover: { fraction: 2, intervalMs: 1, cutoff: 0 } }, RangeError, /"turnover\.fraction"/],
    [{ caps: { maxAddedPerMessage: 0 } }, RangeError, /maxAddedPerMessage/],
    [{ intervalMs: -1 }, RangeError, /"intervalMs"/],
  ])('refuses %j', (options, kind, message) => {
    const run = () => simulateSwarm(options as SwarmSimulationOptions);
    expect(run).toThrow(kind);
    expect(run).toThrow(message);
  });
});
