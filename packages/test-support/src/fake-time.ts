// A deterministic clock + timers pair for sessions and adapters under test. Typed by shape (a
// clock with `now`, timers with `setTimeout`/`clearTimeout`) so this package needs no library
// package: the result fits @pex/events' PexClock and PexTimers.

/** A clock: milliseconds, moved only by the test. */
export interface FakeClock {
  now(): number;
}

/** setTimeout / clearTimeout that run only when the test advances time. */
export interface FakeTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface PendingTimer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/**
 * A deterministic clock + timers pair: time moves only through `advance`, timers run in due
 * order (ties in creation order) with the clock set to their due time. Counts what a test
 * needs to check the "one timer at most" and "nothing left behind" promises.
 */
export interface FakeTime {
  readonly clock: FakeClock;
  readonly timers: FakeTimers;
  now(): number;
  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void;
  /** Timers set and not yet run or cleared. */
  pending(): number;
  /** Due time of the earliest pending timer. */
  nextAt(): number | undefined;
  /** The most timers ever pending at once. */
  readonly maxPending: () => number;
}

const MAX_TIMERS_PER_ADVANCE = 100_000;

/**
 * A clock at `start` ms and timers that run only in `advance`.
 * @throws RangeError from `setTimeout` when the delay is negative or NaN; Error from `advance`
 * when timers keep firing (a timer re-arming itself without time passing).
 */
export function createFakeTime(start = 0): FakeTime {
  let now = start;
  let nextId = 1;
  let maxPending = 0;
  const pending = new Map<number, PendingTimer>();

  const earliest = (): PendingTimer | undefined => {
    let best: PendingTimer | undefined;
    for (const timer of pending.values()) {
      if (
        best === undefined ||
        timer.at < best.at ||
        (timer.at === best.at && timer.id < best.id)
      ) {
        best = timer;
      }
    }
    return best;
  };

  const timers: FakeTimers = {
    setTimeout(callback, delayMs) {
      if (!(delayMs >= 0)) throw new RangeError(`fake setTimeout: bad delay ${delayMs}`);
      const id = nextId++;
      pending.set(id, { id, at: now + delayMs, callback });
      maxPending = Math.max(maxPending, pending.size);
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };

  return {
    clock: { now: () => now },
    timers,
    now: () => now,
    advance(ms) {
      const target = now + ms;
      for (let runs = 0; ; runs++) {
        if (runs > MAX_TIMERS_PER_ADVANCE) throw new Error('fake time: timers keep firing (spin?)');
        const timer = earliest();
        if (timer === undefined || timer.at > target) break;
        pending.delete(timer.id);
        now = Math.max(now, timer.at);
        timer.callback();
      }
      now = target;
    },
    pending: () => pending.size,
    nextAt: () => earliest()?.at,
    maxPending: () => maxPending,
  };
}
