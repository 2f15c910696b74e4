/**
 * A clock and timers on virtual time, for the seedbox case: a simulated PEX minute passes as fast
 * as the work in it runs. Our sessions take `clock` and `timers` as options; ut_pex 5.0.2 calls
 * the global `setInterval` and `Date.now()`, so `withGlobals` puts this clock's versions in place
 * of those while it runs and restores them after (the run is synchronous: nothing else sees them).
 */
export interface VirtualTimer {
  at: number;
  readonly seq: number;
  readonly callback: () => void;
  /** Repeat period, ms, for `setInterval`; 0 for a one-shot timer. */
  readonly everyMs: number;
  cancelled: boolean;
  /** `setInterval` handles in Node have it; ut_pex calls it. */
  unref(): VirtualTimer;
}

/** What running a span of virtual time measured. */
export interface RunStats {
  /** Callbacks run. */
  tasks: number;
  /** The longest callback, ns of wall time: how long it would have held the event loop. */
  longestTaskNs: number;
}

export class VirtualTime {
  #now = 0;
  #seq = 0;
  /** Binary min-heap on (at, seq): pending timers; cancelled ones are skipped when they come up. */
  readonly #heap: VirtualTimer[] = [];

  now(): number {
    return this.#now;
  }

  /** Pending timers (cancelled ones included until they come up). */
  get pending(): number {
    return this.#heap.length;
  }

  readonly setTimeout = (callback: () => void, delayMs: number): VirtualTimer =>
    this.#schedule(callback, delayMs, 0);

  readonly clearTimeout = (handle: unknown): void => {
    if (handle !== null && typeof handle === 'object') (handle as VirtualTimer).cancelled = true;
  };

  readonly setInterval = (callback: () => void, everyMs: number): VirtualTimer =>
    this.#schedule(callback, everyMs, Math.max(1, everyMs));

  readonly clearInterval = this.clearTimeout;

  /**
   * Runs every timer due up to `until` (inclusive), in time order, moving the clock to each one's
   * time; then sets the clock to `until`. Each callback is timed with `performance.now()`.
   */
  runUntil(until: number, stats: RunStats): void {
    const heap = this.#heap;
    while (heap.length > 0 && (heap[0] as VirtualTimer).at <= until) {
      const timer = this.#pop();
      if (timer.cancelled) continue;
      this.#now = timer.at;
      if (timer.everyMs > 0) {
        timer.at += timer.everyMs;
        this.#push(timer);
      }
      const started = performance.now();
      timer.callback();
      const tookNs = (performance.now() - started) * 1e6;
      stats.tasks++;
      if (tookNs > stats.longestTaskNs) stats.longestTaskNs = tookNs;
    }
    this.#now = until;
  }

  /**
   * Runs `fn` with the global `setInterval`, `clearInterval`, `setTimeout`, `clearTimeout` and
   * `Date.now` on this virtual time (ut_pex reads them at call time); restores them afterwards.
   */
  withGlobals<T>(fn: () => T): T {
    const g = globalThis as unknown as Record<string, unknown>;
    const names = ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;
    const saved = names.map((name) => g[name]);
    const savedNow = Date.now;
    for (const name of names) g[name] = this[name];
    // An epoch far from 0: ut_pex's first rate check compares with a last arrival of 0.
    Date.now = () => 1_700_000_000_000 + this.#now;
    try {
      return fn();
    } finally {
      names.forEach((name, i) => {
        g[name] = saved[i];
      });
      Date.now = savedNow;
    }
  }

  #schedule(callback: () => void, delayMs: number, everyMs: number): VirtualTimer {
    const timer: VirtualTimer = {
      at: this.#now + Math.max(0, delayMs),
      seq: this.#seq++,
      callback,
      everyMs,
      cancelled: false,
      unref() {
        return this;
      },
    };
    this.#push(timer);
    return timer;
  }

  #push(timer: VirtualTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(timer, heap[parent] as VirtualTimer)) break;
      heap[i] = heap[parent] as VirtualTimer;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): VirtualTimer {
    const heap = this.#heap;
    const top = heap[0] as VirtualTimer;
    const last = heap.pop() as VirtualTimer;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child =
          right < heap.length && earlier(heap[right] as VirtualTimer, heap[left] as VirtualTimer)
            ? right
            : left;
        if (!earlier(heap[child] as VirtualTimer, last)) break;
        heap[i] = heap[child] as VirtualTimer;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function earlier(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
