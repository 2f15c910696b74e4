import { argumentError } from './argument-error.js';
import { failDecode } from './errors.js';
import { assertCompactPeer, assertFamily } from './peer-checks.js';
import { formatPeerAddress, peerKeyAt } from './peer-key.js';
import { newPeerKeyCheck, type PeerKeyCheck } from './peer-key-check.js';
import type { AddedPeer, AddressFamily, CompactPeer } from './types.js';

/** Bytes of one compact IPv4 peer: 4 address bytes and a 2-byte port (BEP 11 `added`). */
export const IPV4_PEER_BYTES = 6;
/** Bytes of one compact IPv6 peer: 16 address bytes and a 2-byte port (BEP 11 `added6`). */
export const IPV6_PEER_BYTES = 18;

/**
 * Bytes per compact peer of `family`.
 * @throws never (any `family` other than 4 gives the IPv6 size).
 * @internal
 */
export function compactPeerSize(family: AddressFamily): number {
  return family === 4 ? IPV4_PEER_BYTES : IPV6_PEER_BYTES;
}

/**
 * Reads the peers of `size` bytes each (`IPV4_PEER_BYTES` or `IPV6_PEER_BYTES`) in
 * `bytes[start, end)`, already checked to be a whole number of them, as plain objects: each
 * gets a copy of its address bytes (nothing refers to the caller's buffer).
 * @internal
 */
export function readCompactPeers(
  bytes: Uint8Array,
  start: number,
  end: number,
  size: number,
): CompactPeer[] {
  const peers: CompactPeer[] = [];
  for (let at = start; at < end; at += size) {
    peers.push({ address: copyAddress(bytes, at, size - 2), port: readPort(bytes, at + size - 2) });
  }
  return peers;
}

/**
 * `readCompactPeers` with the flag byte of each peer from `bytes[flagStart, flagEnd)`, one per
 * peer; peers past `flagEnd` get 0 (BEP 11's `added.f` may be short; the peers still count).
 * @internal
 */
export function readFlaggedPeers(
  bytes: Uint8Array,
  start: number,
  end: number,
  size: number,
  flagStart: number,
  flagEnd: number,
): AddedPeer[] {
  const peers: AddedPeer[] = [];
  for (let at = start, flagAt = flagStart; at < end; at += size, flagAt++) {
    peers.push({
      address: copyAddress(bytes, at, size - 2),
      port: readPort(bytes, at + size - 2),
      flags: flagAt < flagEnd ? (bytes[flagAt] as number) : 0,
    });
  }
  return peers;
}

/** A new Uint8Array of the `length` address bytes at `bytes[at]` (a copy, even from a Buffer). */
function copyAddress(bytes: Uint8Array, at: number, length: number): Uint8Array {
  const address = new Uint8Array(length);
  for (let i = 0; i < length; i++) address[i] = bytes[at + i] as number;
  return address;
}

/** The big-endian 2-byte port at `bytes[at]`. */
function readPort(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
}

/**
 * Checks that `length` bytes hold a whole number of `size`-byte peers, at most `maxPeers`.
 * @throws {PexDecodeError} `invalid-length` or `too-many-peers`, naming `field` and `offset`.
 * @internal
 */
export function checkCompactLength(
  length: number,
  size: number,
  maxPeers: number,
  field: string,
  offset: number,
): void {
  if (length % size !== 0) failDecode('invalid-length', offset, field);
  if (length / size > maxPeers) failDecode('too-many-peers', offset, field);
}

/**
 * Decodes a compact peer list on its own (the `added`-style string of BEP 11, also used by
 * tracker responses: BEP 23 `peers`, BEP 7 `peers6`). Peers get no flags.
 * @throws {PexDecodeError} `invalid-length` if the length is not a multiple of 6 or 18;
 *   `too-many-peers` if more than `maxPeers`.
 * @throws {TypeError} if `bytes` is not a Uint8Array or `family` not 4 or 6.
 */
export function decodeCompactPeers(
  bytes: Uint8Array,
  family: AddressFamily,
  maxPeers: number = Number.POSITIVE_INFINITY,
): CompactPeer[] {
  if (!(bytes instanceof Uint8Array))
    throw argumentError(TypeError, 'bytes', 'a Uint8Array', bytes);
  const size = compactPeerSize(assertFamily(family));
  checkCompactLength(bytes.length, size, maxPeers, family === 4 ? 'peers' : 'peers6', 0);
  return readCompactPeers(bytes, 0, bytes.length, size);
}

/**
 * Encodes peers as a compact list (6 or 18 bytes each). Flags are not part of a compact list.
 * @throws {TypeError} if `peers` is not an array, `family` not 4 or 6, or an address is not a
 *   Uint8Array of 4 (IPv4) or 16 (IPv6) bytes.
 * @throws {RangeError} if a port is not an integer in 1..65535, flags not in 0..255, or the
 *   same peer is listed twice.
 */
export function encodeCompactPeers(
  peers: readonly CompactPeer[],
  family: AddressFamily,
): Uint8Array {
  const size = compactPeerSize(assertFamily(family));
  if (!Array.isArray(peers)) throw argumentError(TypeError, 'peers', 'an array', peers);
  return compactBytes(peers, size, family === 4 ? 'peers' : 'peers6', newPeerKeyCheck());
}

/**
 * Validates `peers` (named `field` in errors) and returns them as a compact list of `size`
 * bytes per peer (6 or 18). Each peer's key goes to `isNew`, which refuses one listed before,
 * in this list or another one. With `flags`, writes each peer's flag byte (0 if none) there too.
 * @throws {TypeError|RangeError} as `assertCompactPeer`, or a `RangeError` for a peer listed before.
 * @internal
 */
export function compactBytes(
  peers: readonly CompactPeer[],
  size: number,
  field: string,
  isNew: PeerKeyCheck,
  flags?: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(peers.length * size);
  for (let i = 0, at = 0; i < peers.length; i++, at += size) {
    const peer = peers[i];
    assertCompactPeer(peer, size - 2, field, i);
    if (!isNew(peerKeyAt(peer.address, 0, size === IPV4_PEER_BYTES, peer.port))) {
      throw argumentError(
        RangeError,
        `${field}[${i}]`,
        'a peer not listed before',
        formatPeerAddress(peer.address, peer.port),
      );
    }
    out.set(peer.address, at);
    out[at + size - 2] = peer.port >>> 8;
    out[at + size - 1] = peer.port;
    if (flags) flags[i] = peer.flags ?? 0;
  }
  return out;
}
