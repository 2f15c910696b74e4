// Timing helpers for the flood-rule and cadence tests: a deterministic clock + timers pair for
// @pex/events sessions, and libtorrent's inbound flood rule as a model.
import type { PexClock, PexTimers } from '@pex/events';

/**
 * libtorrent 2.0 (src/ut_pex.cpp, `on_extended`) remembers when the last 6 PEX messages
 * arrived (`m_last_pex`, max_pex_messages) and disconnects with `too_frequent_pex` ("pex
 * messages sent too frequent") when a message arrives less than 60 s after the oldest of
 * them: the 7th message within 60 s.
 */
export const LIBTORRENT_PEX_HISTORY = 6;
export const LIBTORRENT_PEX_WINDOW_MS = 60_000;

/**
 * Runs libtorrent's flood rule over arrival times (ms, ascending) and returns the index of
 * the message that makes it disconnect, or undefined when it never does.
 */
export function findLibtorrentFloodTrip(arrivalsMs: readonly number[]): number | undefined {
  const last: number[] = [];
  for (let i = 0; i < arrivalsMs.length; i++) {
    const now = arrivalsMs[i] as number;
    if (
      last.length === LIBTORRENT_PEX_HISTORY &&
      now - LIBTORRENT_PEX_WINDOW_MS < (last[0] as number)
    ) {
      return i;
    }
    last.push(now);
    if (last.length > LIBTORRENT_PEX_HISTORY) last.shift();
  }
  return undefined;
}

/** The most arrivals in any window of `windowMs` (a half-open window starting at an arrival). */
export function maxInWindow(arrivalsMs: readonly number[], windowMs: number): number {
  let best = 0;
  let from = 0;
  for (let to = 0; to < arrivalsMs.length; to++) {
    while ((arrivalsMs[to] as number) - (arrivalsMs[from] as number) >= windowMs) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

/** Gaps between consecutive times. */
export function gapsOf(timesMs: readonly number[]): number[] {
  return timesMs.slice(1).map((t, i) => t - (timesMs[i] as number));
}

export interface FakeTime {
  readonly clock: PexClock;
  readonly timers: PexTimers;
  now(): number;
  /** Moves time forward by `ms`, running due timers in order with the clock at their due time. */
  advance(ms: number): void;
  /** Timers set and not yet run or cleared. */
  pending(): number;
}

/** A clock that moves only through `advance`, and timers that run only then. */
export function createFakeTime(start = 0): FakeTime {
  let now = start;
  let nextId = 1;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const earliest = () => {
    let best: [number, { at: number; callback: () => void }] | undefined;
    for (const entry of pending) {
      if (best === undefined || entry[1].at < best[1].at) best = entry;
    }
    return best;
  };
  return {
    clock: { now: () => now },
    timers: {
      setTimeout(callback, delayMs) {
        const id = nextId++;
        pending.set(id, { at: now + delayMs, callback });
        return id;
      },
      clearTimeout(handle) {
        pending.delete(handle as number);
      },
    },
    now: () => now,
    advance(ms) {
      const until = now + ms;
      for (let guard = 0; guard < 100_000; guard++) {
        const next = earliest();
        if (next === undefined || next[1].at > until) break;
        pending.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].callback();
      }
      now = until;
    },
    pending: () => pending.size,
  };
}
