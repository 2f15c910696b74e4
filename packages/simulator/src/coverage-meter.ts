import type { SimulationConvergence, SimulationCoverageSample } from './simulation-result.js';
import type { SwarmModel } from './swarm-model.js';

/** The knowledge levels whose first time is reported, %. */
export const CONVERGENCE_PERCENTS = [50, 90, 99, 100] as const;

/** Measures what the live nodes know, now and then, and when each level was first reached. */
export interface CoverageMeter {
  /** Takes one measurement at `now`; levels are checked only once `now >= measureFrom`. */
  sample(now: number): void;
  /** Every measurement so far. */
  readonly samples: readonly SimulationCoverageSample[];
  /** The first time of each level (null while not reached). */
  convergence(): SimulationConvergence[];
}

/**
 * Creates the meter of `model`. A node counts once it has been live `graceMs` (the starting
 * nodes count from the start); levels are checked from `measureFrom` on (the end of the ramp, when
 * every starting node is in: before, a handful of early nodes that know each other would pass).
 * @throws never.
 */
export function createCoverageMeter(
  model: SwarmModel,
  graceMs: number,
  measureFrom: number,
): CoverageMeter {
  const samples: SimulationCoverageSample[] = [];
  const reachedAt: (number | null)[] = CONVERGENCE_PERCENTS.map(() => null);
  const meanReachedAt: (number | null)[] = CONVERGENCE_PERCENTS.map(() => null);
  return {
    samples,
    sample(now) {
      const others = model.liveCount - 1;
      let counted = 0;
      let min = 1;
      let sum = 0;
      for (const id of model.liveIds) {
        const node = model.nodes[id];
        if (node === undefined || (!node.initial && now - node.joinedAt < graceMs)) continue;
        const share = others <= 0 ? 1 : model.knowledge.liveKnownBy(id) / others;
        counted++;
        sum += share;
        if (share < min) min = share;
      }
      if (counted === 0) return;
      samples.push({
        atMs: now,
        liveNodes: model.liveCount,
        minPercent: roundPercent(min),
        meanPercent: roundPercent(sum / counted),
      });
      if (now < measureFrom) return;
      const mean = sum / counted;
      CONVERGENCE_PERCENTS.forEach((percent, i) => {
        // The tolerance only absorbs rounding: 100 % is every other live node.
        const level = percent / 100 - 1e-12;
        if (reachedAt[i] === null && min >= level) reachedAt[i] = now;
        if (meanReachedAt[i] === null && mean >= level) meanReachedAt[i] = now;
      });
    },
    convergence: () =>
      CONVERGENCE_PERCENTS.map((percent, i) => ({
        percent,
        atMs: reachedAt[i] ?? null,
        meanAtMs: meanReachedAt[i] ?? null,
      })),
  };
}

/** A share (0..1) as a percentage with two decimals. */
function roundPercent(share: number): number {
  return Math.round(share * 10_000) / 100;
}
