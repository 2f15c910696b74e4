/** A monotonic clock in milliseconds. Injected so tests never sleep. */
export interface PexClock {
  /** Milliseconds on any monotonic scale; only differences are used. Must not throw. */
  now(): number;
}

/** The two timer functions a session uses; at most one timer is pending at a time. */
export interface PexTimers {
  /** Calls `callback` once after `delayMs` ms; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  /** Cancels the timer of `handle`; a handle that already fired is ignored. */
  clearTimeout(handle: unknown): void;
}

// The build has no DOM or Node types (it must run in both), so the globals are described here.
interface TimerGlobals {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
  performance?: { now(): number };
}

const globals = globalThis as unknown as TimerGlobals;

/**
 * `performance.now()` where it exists (browsers, Node, Deno, Bun): monotonic, so a wall-clock
 * change cannot make a message go out early. `Date.now()` otherwise.
 */
export const realClock: PexClock = {
  now: () => (globals.performance === undefined ? Date.now() : globals.performance.now()),
};

/**
 * The global `setTimeout` / `clearTimeout`, called unbound (browsers throw "Illegal invocation"
 * otherwise). In Node the handle is `unref()`ed, as ut_pex does: a PEX timer alone should not
 * keep a process alive.
 */
export const realTimers: PexTimers = {
  setTimeout: (callback, delayMs) => {
    const handle = globals.setTimeout(callback, delayMs);
    (handle as { unref?: () => void } | null)?.unref?.();
    return handle;
  },
  clearTimeout: (handle) => globals.clearTimeout(handle),
};
