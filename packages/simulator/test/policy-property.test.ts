import { expect, test } from '@jest/globals';
import { type SwarmSimulationOptions, simulateSwarm } from '@pex/simulator';
import fc from 'fast-check';

// How a user property-tests a PEX policy: plug it in, run a small swarm from a random seed,
// assert on the outcome. A failure prints the seed; `simulateSwarm` with it replays the run.

test('a dial policy is asked before every dial: one that declines odd peers keeps them out of every dial', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
      let allowed = 0;
      const result = simulateSwarm({
        nodes: 20,
        maxConnections: 6,
        durationMs: 5 * 60_000,
        seed,
        dialPolicy: ({ peer, node }) => {
          const ok = peer % 2 === 0 && node % 2 === 0;
          if (ok) allowed++;
          return ok;
        },
      });
      // Only even nodes dial, only even peers: every dial was one the policy allowed.
      expect(result.connections.dials).toBe(allowed);
      expect(result.settings.customDialPolicy).toBe(true);
    }),
    { numRuns: 3 },
  );
});

test('with 60 s intervals and the caps of libtorrent, half of a 30-node swarm is known by the average node within 10 minutes, on any seed', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
      const options: SwarmSimulationOptions = {
        nodes: 30,
        maxConnections: 8,
        durationMs: 10 * 60_000,
        seed,
        intervalMs: 60_000,
        caps: { firstMessageMaxAdded: 100, maxAddedPerMessage: 100, maxDroppedPerMessage: 100 },
        // The user's own inbound policy: refuse nothing but port 0.
        accept: (peer) => peer.port !== 0,
      };
      const result = simulateSwarm(options);
      const half = result.convergence.find((level) => level.percent === 50);
      expect(half?.meanAtMs).not.toBeNull();
      expect(result.sessions.violations).toBe(0);
      // Replayable: the same seed gives the same outcome.
      expect(simulateSwarm(options).messages).toEqual(result.messages);
    }),
    { numRuns: 3 },
  );
});
