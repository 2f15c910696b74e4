import { toPeerKey } from './peer-checks.js';
import type { CompactPeer } from './types.js';

/**
 * The Castagnoli polynomial 0x1EDC6F41, bit-reversed for the least-significant-bit-first CRC
 * that BEP 40 (via RFC 3720's CRC32-C) uses.
 */
const CRC32C_POLYNOMIAL_REVERSED = 0x82f63b78;

/**
 * CRC-32C (Castagnoli) of `bytes`, as an unsigned 32-bit number. Bit by bit rather than with a
 * 256-entry table: BEP 40 hashes at most 32 bytes, and a table would be module-level state
 * built at import.
 * @throws never (for a Uint8Array).
 * @internal
 */
export function computeCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) {
      crc = (crc >>> 1) ^ (CRC32C_POLYNOMIAL_REVERSED & -(crc & 1));
    }
  }
  return ~crc >>> 0;
}

/**
 * BEP 40's canonical peer priority of a connection between `a` and `b` (our own address and a
 * peer's, in either order: the result is symmetric), an unsigned 32-bit number; higher is
 * preferred. BEP 40: "priority = crc32-c(sort(masked_client_ip, masked_peer_ip))", and "if the
 * IP addresses are the same, the port numbers (16-bit integers) should be used instead". The mask
 * keeps the first two bytes of an IPv4 address and 0x55 of the others, one more byte whole for
 * each byte both addresses share ("FF.FF.FF.55" in the same /16, the whole address in the same
 * /24); for IPv6 it starts from "FFFF:FFFF:FFFF:5555:5555:5555:5555:5555" and grows the same way.
 * Ports are written big-endian, the smaller first. BEP 40 does not say how to compare an IPv4
 * address with an IPv6 one: the IPv4 address is then taken in its IPv4-mapped form
 * (`::ffff:a.b.c.d`), as RFC 4291 writes it, and an IPv4-mapped IPv6 address is always IPv4.
 *
 * @example
 * ```ts
 * const own = { address: new Uint8Array([123, 213, 32, 10]), port: 6881 };
 * const peer = { address: new Uint8Array([98, 76, 54, 32]), port: 51413 };
 * peerPriority(own, peer) === 0xec2d7224; // BEP 40's first example
 * ```
 * @throws {TypeError} if `a` or `b` is not an object with a 4- or 16-byte Uint8Array `address`.
 * @throws {RangeError} if its port is not an integer in 1..65535.
 */
export function peerPriority(
  a: Pick<CompactPeer, 'address' | 'port'>,
  b: Pick<CompactPeer, 'address' | 'port'>,
): number {
  toPeerKey(a, 'a');
  toPeerKey(b, 'b');
  const mixed = isIpv4(a.address) !== isIpv4(b.address);
  const left = mixed ? toIpv6(a.address) : unmap(a.address);
  const right = mixed ? toIpv6(b.address) : unmap(b.address);
  const shared = countSharedBytes(left, right);
  if (shared === left.length) return hashPorts(a.port, b.port);
  const wholeBytes = Math.max(left.length === 4 ? 2 : 6, shared + 1);
  const maskedLeft = maskAddress(left, wholeBytes);
  const maskedRight = maskAddress(right, wholeBytes);
  const bytes = new Uint8Array(maskedLeft.length * 2);
  const leftFirst = compareBytes(maskedLeft, maskedRight) < 0;
  bytes.set(leftFirst ? maskedLeft : maskedRight, 0);
  bytes.set(leftFirst ? maskedRight : maskedLeft, maskedLeft.length);
  return computeCrc32c(bytes);
}

/** BEP 40 for one IP address: crc32-c of the two ports, 16-bit big-endian, the smaller first. */
function hashPorts(a: number, b: number): number {
  const low = Math.min(a, b);
  const high = Math.max(a, b);
  return computeCrc32c(Uint8Array.of(low >>> 8, low & 0xff, high >>> 8, high & 0xff));
}

/** A copy of `address` keeping its first `wholeBytes` bytes and `& 0x55` of the rest. */
function maskAddress(address: Uint8Array, wholeBytes: number): Uint8Array {
  const masked = Uint8Array.from(address);
  for (let i = wholeBytes; i < masked.length; i++) masked[i] = (masked[i] as number) & 0x55;
  return masked;
}

function countSharedBytes(a: Uint8Array, b: Uint8Array): number {
  let shared = 0;
  while (shared < a.length && a[shared] === b[shared]) shared++;
  return shared;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] as number) - (b[i] as number);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** True for 4 bytes, or 16 bytes of an IPv4-mapped address (`::ffff:a.b.c.d`). */
function isIpv4(address: Uint8Array): boolean {
  return address.length === 4 || isIpv4Mapped(address);
}

function isIpv4Mapped(address: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (address[i] !== 0) return false;
  return address[10] === 0xff && address[11] === 0xff;
}

/** An IPv4-mapped IPv6 address as its 4 IPv4 bytes; any other address as it is. */
function unmap(address: Uint8Array): Uint8Array {
  return address.length === 16 && isIpv4Mapped(address) ? address.subarray(12) : address;
}

/** 16 bytes: an IPv4 address as `::ffff:a.b.c.d`, an IPv6 address as it is. */
function toIpv6(address: Uint8Array): Uint8Array {
  if (address.length === 16) return address;
  const mapped = new Uint8Array(16);
  mapped[10] = 0xff;
  mapped[11] = 0xff;
  mapped.set(address, 12);
  return mapped;
}
