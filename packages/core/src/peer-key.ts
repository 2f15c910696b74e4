import { formatIpv4, formatIpv6 } from './format-address.js';
import type { AddressFamily } from './types.js';

/**
 * A peer's identity (address + port) as a cheap, comparable value: a number for IPv4
 * (address * 65536 + port, at most 2^48) and a 9-character string for IPv6. Usable as a
 * `Map`/`Set` key; IPv4 and IPv6 keys never collide because their types differ.
 */
export type PeerKey = number | string;

/**
 * Computes the identity key of the peer at `address` (4 or 16 bytes) and `port`.
 * Does not validate: callers pass checked values.
 * @throws {TypeError} only from JavaScript itself, if `address` is not array-like. Never throws
 *   for a Uint8Array of 4 or 16 bytes.
 */
export function peerKey(address: Uint8Array, port: number): PeerKey {
  return peerKeyAt(address, 0, address.length === 4, port);
}

/**
 * `peerKey` of the address at `bytes[at...]`: 4 bytes if `ipv4`, else 16. Lets the decoder key
 * a peer straight from the received bytes, without copying its address first.
 * @internal
 */
export function peerKeyAt(bytes: Uint8Array, at: number, ipv4: boolean, port: number): PeerKey {
  if (ipv4) {
    const ip =
      (bytes[at] as number) * 0x1000000 +
      (((bytes[at + 1] as number) << 16) |
        ((bytes[at + 2] as number) << 8) |
        (bytes[at + 3] as number));
    return ip * 0x10000 + port;
  }
  // One call, so the key is built flat rather than by 9 concatenations.
  const unit = (i: number) => ((bytes[at + i] as number) << 8) | (bytes[at + i + 1] as number);
  return String.fromCharCode(
    unit(0),
    unit(2),
    unit(4),
    unit(6),
    unit(8),
    unit(10),
    unit(12),
    unit(14),
    port,
  );
}

/**
 * The family of a key made by `peerKey`.
 * @throws never.
 */
export function peerKeyFamily(key: PeerKey): AddressFamily {
  return typeof key === 'number' ? 4 : 6;
}

/**
 * The port of a key made by `peerKey`.
 * @throws never (a key not made by `peerKey` gives a meaningless port).
 */
export function peerKeyPort(key: PeerKey): number {
  return typeof key === 'number' ? key % 0x10000 : key.charCodeAt(8);
}

/**
 * The address bytes (a new array) of a key made by `peerKey`.
 * @throws never (a key not made by `peerKey` gives meaningless bytes).
 */
export function peerKeyAddress(key: PeerKey): Uint8Array {
  if (typeof key === 'number') {
    const address = new Uint8Array(4);
    // Each store keeps the low 8 bits of `ip`.
    for (let i = 3, ip = Math.floor(key / 0x10000); i >= 0; i--, ip >>>= 8) address[i] = ip;
    return address;
  }
  const address = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const unit = key.charCodeAt(i);
    address[2 * i] = unit >>> 8;
    address[2 * i + 1] = unit;
  }
  return address;
}

/**
 * Formats address bytes and a port for messages and logs: `1.2.3.4:6881`, or RFC 5952 text in
 * brackets for IPv6 (`[2001:db8::1]:6881`): the text every package of this project writes.
 * Nothing is validated: 4 bytes are IPv4, any other length is read as IPv6 groups.
 * @throws {TypeError} only from JavaScript itself, if `address` is not array-like.
 */
export function formatPeerAddress(address: Uint8Array, port: number): string {
  if (address.length === 4) {
    return `${formatIpv4(
      (address[0] as number) * 0x1000000 +
        (((address[1] as number) << 16) | ((address[2] as number) << 8) | (address[3] as number)),
    )}:${port}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) {
    groups.push(((address[2 * i] ?? 0) << 8) | (address[2 * i + 1] ?? 0));
  }
  return `[${formatIpv6(groups)}]:${port}`;
}
