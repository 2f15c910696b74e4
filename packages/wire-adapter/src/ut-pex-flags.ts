import {
  encodePexFlags,
  PEX_FLAG_PREFERS_ENCRYPTION,
  PEX_FLAG_REACHABLE,
  PEX_FLAG_SUPPORTS_HOLEPUNCH,
  PEX_FLAG_SUPPORTS_UTP,
  PEX_FLAG_UPLOAD_ONLY,
  type PexFlags,
} from '@pex/core';

/**
 * Flags as the npm `ut_pex` 5.x names them (kept for drop-in compatibility; `isSender` is
 * BEP 11's seed / upload-only bit, `isReachable` its outgoing-connection bit).
 */
export interface UtPexFlags {
  /** BEP 11 0x01: prefers encryption. */
  prefersEncryption: boolean;
  /** BEP 11 0x02: seed / upload-only (ut_pex's name for it). */
  isSender: boolean;
  /** BEP 11 0x04: supports uTP. */
  supportsUtp: boolean;
  /** BEP 11 0x08: supports ut_holepunch. */
  supportsUtHolepunch: boolean;
  /** BEP 11 0x10: reachable (the sender dialled it). */
  isReachable: boolean;
}

/**
 * Reads a flag byte into ut_pex's names (bits above 0x10 are ignored).
 * @throws never.
 */
export function toUtPexFlags(byte: number): UtPexFlags {
  return {
    prefersEncryption: (byte & PEX_FLAG_PREFERS_ENCRYPTION) !== 0,
    isSender: (byte & PEX_FLAG_UPLOAD_ONLY) !== 0,
    supportsUtp: (byte & PEX_FLAG_SUPPORTS_UTP) !== 0,
    supportsUtHolepunch: (byte & PEX_FLAG_SUPPORTS_HOLEPUNCH) !== 0,
    isReachable: (byte & PEX_FLAG_REACHABLE) !== 0,
  };
}

/** ut_pex's flag objects for every byte, built once and frozen: `peer` events share them. */
const UT_PEX_FLAGS: readonly Readonly<UtPexFlags>[] = /* @__PURE__ */ buildUtPexFlags();

function buildUtPexFlags(): readonly Readonly<UtPexFlags>[] {
  const table: Readonly<UtPexFlags>[] = [];
  for (let byte = 0; byte < 256; byte++) table.push(Object.freeze(toUtPexFlags(byte)));
  return Object.freeze(table);
}

/**
 * As `toUtPexFlags`, for a flag byte from an event (an integer in 0..255), but the shared,
 * frozen object for that byte instead of a new one.
 * @throws never (anything but a byte gives the flags of `byte & 0xff`).
 * @internal
 */
export function sharedUtPexFlags(byte: number): Readonly<UtPexFlags> {
  return UT_PEX_FLAGS[byte & 0xff] as Readonly<UtPexFlags>;
}

/** Flags as `addPeer` takes them: ut_pex's names, BEP 11's names (`PexFlags`), or a byte. */
export type UtPexFlagsInput = Partial<UtPexFlags> | Partial<PexFlags> | number;

/**
 * Turns ut_pex-named flags (or a byte, or BEP-named booleans) into a flag byte.
 * @throws {RangeError} for a byte outside 0..255.
 */
export function fromUtPexFlags(flags: UtPexFlagsInput | undefined): number {
  if (flags === undefined) return 0;
  if (typeof flags === 'number') return encodeByte(flags);
  const named = flags as Partial<UtPexFlags> & Record<string, unknown>;
  return encodePexFlags({
    prefersEncryption: named.prefersEncryption === true,
    uploadOnly: named.isSender === true || named.uploadOnly === true,
    supportsUtp: named.supportsUtp === true,
    supportsHolepunch: named.supportsUtHolepunch === true || named.supportsHolepunch === true,
    reachable: named.isReachable === true || named.reachable === true,
  });
}

function encodeByte(byte: number): number {
  if (!Number.isInteger(byte) || byte < 0 || byte > 255) {
    throw new RangeError(`"flags" expected a flag byte 0..255, got ${byte}`);
  }
  return byte;
}
