/**
 * @packageDocumentation
 * A deterministic virtual-time swarm simulator for Peer Exchange (BEP 11, `ut_pex`): thousands
 * of nodes, each running the real @pex/events sessions (one per connection) over @pex/core's
 * swarm timeline, on an in-memory network with latency, connection limits, peer turnover and
 * churn. A discrete-event scheduler moves a virtual clock from one timer to the next, so a
 * simulated hour takes seconds. Same seed and options, same result: a failing property replays.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { simulateSwarm } from '@pex/simulator';
 *
 * fc.assert(
 *   fc.property(fc.integer({ min: 1, max: 1_000 }), (seed) => {
 *     const result = simulateSwarm({ nodes: 60, durationMs: 10 * 60_000, seed, maxConnections: 8 });
 *     return result.convergence[0]?.atMs !== null; // every node knew half the swarm
 *   }),
 *   { numRuns: 5 },
 * );
 * ```
 */

export { simulateSwarm } from './simulate-swarm.js';
export type {
  SimulationCaps,
  SimulationDialContext,
  SimulationDialPolicy,
  SimulationTurnover,
  SwarmSimulationOptions,
} from './simulation-options.js';
export type {
  SimulationConvergence,
  SimulationCoverageSample,
  SimulationSettings,
  SimulationSpread,
  SwarmSimulationResult,
} from './simulation-result.js';
