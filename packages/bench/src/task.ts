/**
 * One measured piece of work. `fn` is what the harness times; it does `unitsPerIteration` units
 * (messages, join/leave events) per call, so that the harness's own per-call cost (two clock
 * reads) is negligible next to it. `work()` counts the units actually done (peer events
 * emitted, messages built, ...): the runner calls `fn` once before timing and refuses a task
 * that did not do `unitsPerIteration` units, so a case cannot silently measure nothing.
 */
export interface BenchTask {
  readonly id: string;
  /** Who does the work, e.g. `@pex/core decodePexMessage`. */
  readonly label: string;
  readonly unitsPerIteration: number;
  readonly fn: () => void;
  /** Untimed clean-up after each call (e.g. cursors catching up). */
  readonly afterEach?: () => void;
  readonly work: () => number;
  /**
   * Measured time per round for this task, ms, when less than the run's: for tasks whose untimed
   * `afterEach` costs far more than the timed call (the run would otherwise last minutes).
   */
  readonly timeMs?: number;
}

/** A sink that every case writes into, so no result is dead code to the optimiser. */
export const sink = { value: 0 };
