import type { PexClock, PexTimers } from '@pex/events';

/** One scheduled callback; `callback` is cleared when the timer is cancelled. */
interface ScheduledTimer {
  readonly at: number;
  /** Creation order: timers due at the same time run in the order they were set. */
  readonly seq: number;
  callback: (() => void) | undefined;
}

/**
 * Virtual time: a clock that moves only from one due timer to the next, and the timers. Every
 * session of a simulation gets `clock` and `timers`; the network and the churn schedule their
 * own callbacks with `schedule`. Nothing waits: a simulated hour costs only the callbacks run.
 */
export interface VirtualScheduler {
  /** The clock handed to sessions: the due time of the callback running now. */
  readonly clock: PexClock;
  /** `setTimeout` / `clearTimeout` handed to sessions, on virtual time. */
  readonly timers: PexTimers;
  /** The current virtual time, ms. */
  now(): number;
  /** Runs `callback` at virtual time `at` (not before now). */
  schedule(at: number, callback: () => void): void;
  /**
   * Runs every callback due at or before `end`, in due order (ties in the order they were set),
   * then sets the clock to `end`. Returns how many callbacks ran.
   */
  runUntil(end: number): number;
  /** Timers set and neither run nor cancelled, plus cancelled ones not yet discarded. */
  readonly queued: number;
}

/**
 * Creates a discrete-event scheduler on a binary min-heap of timers keyed by (due time, creation
 * order): O(log n) to set or run a timer. A cancelled timer stays in the heap until its due time
 * (lazy deletion): a session cancels at most one timer per re-arm, so the heap stays within a
 * small factor of the live timers.
 * @throws never.
 */
export function createVirtualScheduler(): VirtualScheduler {
  const heap: ScheduledTimer[] = [];
  let now = 0;
  let nextSeq = 0;

  const before = (a: ScheduledTimer, b: ScheduledTimer): boolean =>
    a.at < b.at || (a.at === b.at && a.seq < b.seq);

  const push = (timer: ScheduledTimer): void => {
    let index = heap.length;
    heap.push(timer);
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex] as ScheduledTimer;
      if (!before(timer, parent)) break;
      heap[index] = parent;
      index = parentIndex;
    }
    heap[index] = timer;
  };

  const pop = (): ScheduledTimer => {
    const top = heap[0] as ScheduledTimer;
    const last = heap.pop() as ScheduledTimer;
    const size = heap.length;
    if (size === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && before(heap[right] as ScheduledTimer, heap[left] as ScheduledTimer)) {
        child = right;
      }
      const smallest = heap[child] as ScheduledTimer;
      if (!before(smallest, last)) break;
      heap[index] = smallest;
      index = child;
    }
    heap[index] = last;
    return top;
  };

  const schedule = (at: number, callback: () => void): ScheduledTimer => {
    const timer: ScheduledTimer = { at: Math.max(at, now), seq: nextSeq++, callback };
    push(timer);
    return timer;
  };

  return {
    clock: { now: () => now },
    timers: {
      setTimeout: (callback, delayMs) => schedule(now + delayMs, callback),
      clearTimeout: (handle) => {
        (handle as ScheduledTimer).callback = undefined;
      },
    },
    now: () => now,
    schedule: (at, callback) => {
      schedule(at, callback);
    },
    runUntil(end) {
      let ran = 0;
      while (heap.length > 0 && (heap[0] as ScheduledTimer).at <= end) {
        const timer = pop();
        const { callback } = timer;
        if (callback === undefined) continue;
        timer.callback = undefined;
        now = timer.at;
        callback();
        ran++;
      }
      now = Math.max(now, end);
      return ran;
    },
    get queued() {
      return heap.length;
    },
  };
}
