// Timing helpers for the flood-rule and cadence tests: libtorrent's inbound flood rule as a
// model (the fake clock + timers pair is createFakeTime of @pex/test-support).

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
