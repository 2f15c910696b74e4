import { Bench } from 'tinybench';
import { median } from './memory.js';
import type { BenchTask } from './task.js';

export interface RunSettings {
  /** Time each task runs per round, ms (tinybench `time`). */
  readonly timeMs: number;
  /** Warm-up per task per round, ms; 0 turns warm-up off. */
  readonly warmupMs: number;
  /** Fewest calls per task per round (tinybench `iterations`). */
  readonly minIterations: number;
  /** Rounds over all tasks; each task's result is the median of its rounds. */
  readonly rounds: number;
}

/**
 * Checks that each task does the work it claims (one untimed call), then times all of them with
 * tinybench, `rounds` times, alternating the order so that a burst of load from elsewhere on the
 * machine does not always hit the same side. Returns nanoseconds per unit by task id.
 * @throws {Error} naming the task if one did not do its work, or failed.
 */
export function runTasks(tasks: readonly BenchTask[], settings: RunSettings): Map<string, number> {
  for (const task of tasks) checkWork(task);
  const samples = new Map<string, number[]>(tasks.map((task) => [task.id, []]));
  for (let round = 0; round < settings.rounds; round++) {
    const ordered = round % 2 === 0 ? tasks : [...tasks].reverse();
    for (const task of ordered) {
      // One Bench per task, so that each can have its own time budget.
      const timeMs = Math.min(settings.timeMs, task.timeMs ?? settings.timeMs);
      const bench = new Bench({
        time: timeMs,
        iterations: settings.minIterations,
        warmup: settings.warmupMs > 0,
        warmupTime: Math.min(settings.warmupMs, timeMs),
        warmupIterations: settings.warmupMs > 0 ? 2 : 0,
        throws: true,
        retainSamples: false,
      });
      bench.add(
        task.id,
        task.fn,
        task.afterEach === undefined ? {} : { afterEach: task.afterEach },
      );
      bench.runSync();
      const result = bench.getTask(task.id)?.result;
      if (result === undefined || result.state !== 'completed') {
        throw new Error(`benchmark task "${task.id}" did not complete: ${result?.state}`);
      }
      // Mean latency is in ms per call; a call does `unitsPerIteration` units.
      samples.get(task.id)?.push((result.latency.mean * 1e6) / task.unitsPerIteration);
    }
  }
  return new Map([...samples].map(([id, values]) => [id, median(values)]));
}

function checkWork(task: BenchTask): void {
  const before = task.work();
  task.fn();
  task.afterEach?.();
  const done = task.work() - before;
  if (Math.abs(done - task.unitsPerIteration) > 1e-9) {
    throw new Error(
      `benchmark task "${task.id}" did ${done} units of work in one call, expected ${task.unitsPerIteration}`,
    );
  }
}
