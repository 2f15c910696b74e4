// Real timers that count what is still pending: a session's PexTimers for soak and attack runs,
// which end by checking that no timer was left behind. Imported built (dist) by the .mjs scripts.

/** Real setTimeout / clearTimeout (unref'd) and the set of handles not yet run or cleared. */
export interface CountingTimers {
  readonly pending: Set<ReturnType<typeof setTimeout>>;
  readonly timers: {
    setTimeout(callback: () => void, delayMs: number): ReturnType<typeof setTimeout>;
    clearTimeout(handle: unknown): void;
  };
}

export function createCountingTimers(): CountingTimers {
  const pending = new Set<ReturnType<typeof setTimeout>>();
  return {
    pending,
    timers: {
      setTimeout(callback, delayMs) {
        const handle = setTimeout(() => {
          pending.delete(handle);
          callback();
        }, delayMs);
        handle.unref();
        pending.add(handle);
        return handle;
      },
      clearTimeout(handle) {
        const timer = handle as ReturnType<typeof setTimeout>;
        pending.delete(timer);
        clearTimeout(timer);
      },
    },
  };
}
