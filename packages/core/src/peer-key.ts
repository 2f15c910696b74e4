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
  if (address.length === 4) {
    const ip =
      (address[0] as number) * 0x1000000 +
      (((address[1] as number) << 16) | ((address[2] as number) << 8) | (address[3] as number));
    return ip * 0x10000 + port;
  }
  let key = '';
  for (let i = 0; i < 16; i += 2) {
    key += String.fromCharCode(((address[i] as number) << 8) | (address[i + 1] as number));
  }
  return key + String.fromCharCode(port);
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
    // Filled by index: several times faster than from an array literal, and messages call this
    // once per peer (the state machines keep keys, not bytes).
    const ip = Math.floor(key / 0x10000);
    const address = new Uint8Array(4);
    address[0] = ip >>> 24;
    address[1] = (ip >>> 16) & 0xff;
    address[2] = (ip >>> 8) & 0xff;
    address[3] = ip & 0xff;
    return address;
  }
  const address = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const unit = key.charCodeAt(i);
    address[2 * i] = unit >>> 8;
    address[2 * i + 1] = unit & 0xff;
  }
  return address;
}

/**
 * Formats address bytes and a port for messages and logs: `1.2.3.4:6881` or
 * `[2001:db8:0:0:0:0:0:1]:6881` (IPv6 groups in full; @pex/events formats canonically).
 * @throws {TypeError} only from JavaScript itself, if `address` is not array-like (nothing is
 *   validated).
 */
export function formatPeerAddress(address: Uint8Array, port: number): string {
  if (address.length === 4) return `${address.join('.')}:${port}`;
  const groups: string[] = [];
  for (let i = 0; i + 1 < address.length; i += 2) {
    groups.push((((address[i] as number) << 8) | (address[i + 1] as number)).toString(16));
  }
  return `[${groups.join(':')}]:${port}`;
}
