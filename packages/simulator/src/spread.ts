import type { SimulationSpread } from './simulation-result.js';

/**
 * Mean and largest of `values` (0 and 0 for none); the mean with two decimals.
 * @throws never.
 */
export function spreadOf(values: Iterable<number>): SimulationSpread {
  let count = 0;
  let sum = 0;
  let max = 0;
  for (const value of values) {
    count++;
    sum += value;
    if (value > max) max = value;
  }
  return { mean: count === 0 ? 0 : Math.round((sum / count) * 100) / 100, max };
}
