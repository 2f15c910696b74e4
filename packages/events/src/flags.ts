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

/** The event form of every flag byte, built once: events share them, so they are frozen. */
const PEER_FLAGS: readonly PexPeerFlags[] = /* @__PURE__ */ buildPeerFlags();

function buildPeerFlags(): readonly PexPeerFlags[] {
  const table: PexPeerFlags[] = [];
  for (let byte = 0; byte < 256; byte++)
    table.push(Object.freeze({ ...decodePexFlags(byte), byte }));
  return Object.freeze(table);
}

/**
 * Reads a flag byte into the event form: named booleans plus the byte. The object is frozen
 * and shared by every caller and event with the same byte (one per byte, built once): copy it
 * (`{ ...flags }`) to change it.
 * @throws {RangeError} if `byte` is not an integer in 0..255.
 */
export function readPeerFlags(byte: number): PexPeerFlags {
  // The type check first: an array also answers to `'16'`.
  const flags = typeof byte === 'number' ? PEER_FLAGS[byte] : undefined;
  if (flags === undefined) return { ...decodePexFlags(byte), byte }; // decodePexFlags throws
  return flags;
}
