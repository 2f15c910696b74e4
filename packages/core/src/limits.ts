import { argumentError } from './argument-error.js';
import type { PexLimits } from './types.js';

/**
 * Default decoding limits. Each one is explained in docs/limits.md:
 * - 64 KiB is far above any compliant message (BEP 11 caps later messages at 50 added and
 *   50 dropped peers, under 2 KiB even for IPv6) yet room for an uncapped first message of
 *   several thousand peers, which anacrolix/torrent sends.
 * - 2000 peers per list: more than any engine keeps connections, far less than 64 KiB allows.
 * - Depth 16 for unknown keys: no PEX key is nested; this only bounds what we skip.
 */
export const DEFAULT_PEX_LIMITS: Readonly<PexLimits> = /* @__PURE__ */ Object.freeze({
  maxMessageBytes: 64 * 1024,
  maxPeersPerList: 2000,
  maxDepth: 16,
});

/**
 * Merges caller limits over the defaults.
 * @throws {RangeError} if a limit is not a number of at least 1 (`Infinity` lifts the limit).
 */
export function resolvePexLimits(limits?: Partial<PexLimits>): PexLimits {
  if (limits === undefined) return DEFAULT_PEX_LIMITS;
  const resolved = { ...DEFAULT_PEX_LIMITS, ...limits };
  for (const key of Object.keys(DEFAULT_PEX_LIMITS) as (keyof PexLimits)[]) {
    const value = resolved[key];
    if (typeof value !== 'number' || !(value >= 1)) {
      throw argumentError(RangeError, key, 'a number of at least 1', value);
    }
  }
  return resolved;
}
