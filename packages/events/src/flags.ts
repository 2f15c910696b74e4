import { decodePexFlags, encodePexFlags, type PexFlags } from '@pex/core';

/**
 * The BEP 11 flags of a peer as events carry them: the named booleans of `PexFlags`
 * (`prefersEncryption`, `uploadOnly`, `supportsUtp`, `supportsHolepunch`, `reachable`,
 * `reserved`) plus the raw `byte`, so reserved bits are never lost.
 */
export interface PexPeerFlags extends PexFlags {
  /** The flag byte as received (0..255). */
  readonly byte: number;
}

/** Flags as callers give them to `addPeer`: a byte, or named booleans (missing ones false). */
export type PexFlagsInput = number | Partial<PexFlags>;

/**
 * Turns a caller's flags into a byte; `undefined` is 0 (no flag set).
 * @throws {RangeError} if a byte is not an integer in 0..255, or `reserved` sets bits
 *   outside 0xe0.
 * @throws {TypeError} if `flags` is neither a number nor an object.
 */
export function resolveFlagByte(flags?: PexFlagsInput): number {
  if (flags === undefined) return 0;
  if (typeof flags === 'number') return readPeerFlags(flags).byte;
  if (typeof flags !== 'object' || flags === null) {
    throw new TypeError(`"flags" expected a byte or named booleans, got ${String(flags)}`);
  }
  return encodePexFlags(flags);
}

/**
 * Reads a flag byte into the event form: named booleans plus the byte.
 * @throws {RangeError} if `byte` is not an integer in 0..255.
 */
export function readPeerFlags(byte: number): PexPeerFlags {
  return { ...decodePexFlags(byte), byte };
}
