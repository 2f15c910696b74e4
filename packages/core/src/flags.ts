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

const KNOWN_FLAG_BITS = 0x1f;

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

/**
 * Reads a flag byte into named booleans.
 * @throws {RangeError} if `byte` is not an integer in 0..255.
 */
export function decodePexFlags(byte: number): PexFlags {
  assertFlagByte(byte, 'flags');
  return {
    prefersEncryption: (byte & PEX_FLAG_PREFERS_ENCRYPTION) !== 0,
    uploadOnly: (byte & PEX_FLAG_UPLOAD_ONLY) !== 0,
    supportsUtp: (byte & PEX_FLAG_SUPPORTS_UTP) !== 0,
    supportsHolepunch: (byte & PEX_FLAG_SUPPORTS_HOLEPUNCH) !== 0,
    reachable: (byte & PEX_FLAG_REACHABLE) !== 0,
    reserved: byte & ~KNOWN_FLAG_BITS & 0xff,
  };
}

/**
 * Builds a flag byte from named booleans; missing names count as false.
 * @throws {RangeError} if `reserved` sets bits outside 0xe0 or is not an integer.
 */
export function encodePexFlags(flags: Partial<PexFlags>): number {
  const reserved = flags.reserved ?? 0;
  if (!Number.isInteger(reserved) || (reserved & ~0xe0) !== 0) {
    throw new RangeError(`"reserved" expected bits within 0xe0, got ${String(reserved)}`);
  }
  return (
    (flags.prefersEncryption === true ? PEX_FLAG_PREFERS_ENCRYPTION : 0) |
    (flags.uploadOnly === true ? PEX_FLAG_UPLOAD_ONLY : 0) |
    (flags.supportsUtp === true ? PEX_FLAG_SUPPORTS_UTP : 0) |
    (flags.supportsHolepunch === true ? PEX_FLAG_SUPPORTS_HOLEPUNCH : 0) |
    (flags.reachable === true ? PEX_FLAG_REACHABLE : 0) |
    reserved
  );
}

/** @throws {RangeError} naming `field` if `byte` is not an integer in 0..255. */
export function assertFlagByte(byte: unknown, field: string): asserts byte is number {
  if (typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 255) {
    throw new RangeError(`"${field}" expected a flag byte 0..255, got ${String(byte)}`);
  }
}
