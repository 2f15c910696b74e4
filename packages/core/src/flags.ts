import { argumentError } from './argument-error.js';

/** BEP 11 flag 0x01: the peer prefers encrypted connections. */
export const PEX_FLAG_PREFERS_ENCRYPTION = 0x01;
/** BEP 11 flag 0x02: the peer is a seed, or upload-only (BEP 21). */
export const PEX_FLAG_UPLOAD_ONLY = 0x02;
/** BEP 11 flag 0x04: the peer supports uTP (BEP 29). */
export const PEX_FLAG_SUPPORTS_UTP = 0x04;
/** BEP 11 flag 0x08: the peer supports the ut_holepunch extension (BEP 55). */
export const PEX_FLAG_SUPPORTS_HOLEPUNCH = 0x08;
/**
 * BEP 11 flag 0x10: "outgoing connection, peer is reachable". Set when *we* dialled the peer,
 * so its advertised address accepts incoming connections.
 */
export const PEX_FLAG_REACHABLE = 0x10;

/** The BEP 11 flag byte as named booleans. `reserved` keeps the bits BEP 11 does not define. */
export interface PexFlags {
  /** 0x01: the peer prefers encrypted connections (BEP 11: "prefers encryption"). */
  readonly prefersEncryption: boolean;
  /** 0x02: the peer is a seed or upload-only (BEP 11: "seed/upload_only"). */
  readonly uploadOnly: boolean;
  /** 0x04: the peer supports uTP (BEP 29). */
  readonly supportsUtp: boolean;
  /** 0x08: the peer supports the ut_holepunch extension (BEP 55). */
  readonly supportsHolepunch: boolean;
  /** 0x10: "outgoing connection, peer is reachable": the sender dialled it, so it accepts connections. */
  readonly reachable: boolean;
  /** Bits 0x20..0x80, reserved by BEP 11; kept so they survive a round trip. */
  readonly reserved: number;
}

/** The named flags, each at the bit of its index (0x01 first). */
const FLAG_NAMES = [
  'prefersEncryption',
  'uploadOnly',
  'supportsUtp',
  'supportsHolepunch',
  'reachable',
] as const;

/** The bits BEP 11 reserves. */
const RESERVED_BITS = 0xe0;

/**
 * Reads a flag byte into named booleans.
 * @throws {RangeError} if `byte` is not an integer in 0..255.
 */
export function decodePexFlags(byte: number): PexFlags {
  assertFlagByte(byte, 'flags');
  const flags: Record<string, boolean | number> = {};
  FLAG_NAMES.forEach((name, bit) => {
    flags[name] = ((byte >> bit) & 1) === 1;
  });
  flags.reserved = byte & RESERVED_BITS;
  return flags as unknown as PexFlags;
}

/**
 * Builds a flag byte from named booleans; missing names count as false.
 * @throws {RangeError} if `reserved` is not an integer whose bits are all within 0xe0.
 */
export function encodePexFlags(flags: Partial<PexFlags>): number {
  const reserved = flags.reserved ?? 0;
  // Equal to its own reserved bits exactly for integers made of those bits only.
  if (reserved !== (reserved & RESERVED_BITS)) {
    throw argumentError(RangeError, 'reserved', 'bits within 0xe0', reserved);
  }
  return FLAG_NAMES.reduce(
    (byte, name, bit) => (flags[name] === true ? byte | (1 << bit) : byte),
    reserved,
  );
}

/** @throws {RangeError} naming `field` if `byte` is not an integer in 0..255. */
function assertFlagByte(byte: unknown, field: string): asserts byte is number {
  if (byte !== ((byte as number) & 0xff)) {
    throw argumentError(RangeError, field, '0..255', byte);
  }
}
