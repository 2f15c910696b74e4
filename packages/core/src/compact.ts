import { argumentError } from './argument-error.js';
import { DecodedPeer } from './decoded-peer.js';
import { failDecode } from './errors.js';
import { formatPeerAddress, type PeerKey, peerKeyAt } from './peer-key.js';
import type { AddressFamily, CompactPeer } from './types.js';

/**
 * Bytes per compact peer: 4 + 2 for IPv4, 16 + 2 for IPv6.
 * @throws never (any `family` other than 4 gives 18).
 */
export function compactPeerSize(family: AddressFamily): 6 | 18 {
  return family === 4 ? 6 : 18;
}

/**
 * Reads the peers of `size` bytes each (6 or 18) in `bytes[start, end)`, already checked to be a
 * whole number of them. With `withFlags`, `bytes[flagStart, flagEnd)` holds one flag byte per
 * peer and peers past `flagEnd` get 0; without, peers have no flags.
 * @internal
 */
export function readCompactPeers(
  bytes: Uint8Array,
  start: number,
  end: number,
  size: number,
  withFlags: boolean,
  flagStart: number,
  flagEnd: number,
): CompactPeer[] {
  const peers: CompactPeer[] = [];
  for (let at = start, flagAt = flagStart; at < end; at += size, flagAt++) {
    const port = ((bytes[at + size - 2] as number) << 8) | (bytes[at + size - 1] as number);
    const flags = withFlags ? (flagAt < flagEnd ? (bytes[flagAt] as number) : 0) : undefined;
    peers.push(new DecodedPeer(peerKeyAt(bytes, at, size === 6, port), port, flags));
  }
  return peers;
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
  return readCompactPeers(bytes, 0, bytes.length, size, false, 0, 0);
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
    if (!isNew(peerKeyAt(peer.address, 0, size === 6, peer.port))) {
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

/**
 * @throws {TypeError} if `peer` is not an object with a Uint8Array `address` of `addressLength` bytes.
 * @throws {RangeError} if its port is not an integer in 1..65535 or its flags not in 0..255.
 * @internal
 */
export function assertCompactPeer(
  peer: unknown,
  addressLength: number,
  field: string,
  index?: number,
): asserts peer is CompactPeer {
  // The error for `part` of the peer (`.port`...), named `field[index]` if in a list.
  const fail = (
    Kind: TypeErrorConstructor | RangeErrorConstructor,
    part: string,
    expected: string,
    value: unknown,
  ) =>
    argumentError(
      Kind,
      `${field}${index === undefined ? '' : `[${index}]`}${part}`,
      expected,
      value,
    );
  if (typeof peer !== 'object' || peer === null) throw fail(TypeError, '', 'a peer object', peer);
  const { address, port, flags } = peer as Partial<CompactPeer>;
  if (!(address instanceof Uint8Array)) throw fail(TypeError, '.address', 'a Uint8Array', address);
  if (address.length !== addressLength) {
    throw fail(TypeError, '.address', `${addressLength} bytes`, address.length);
  }
  // Each test is true exactly for the integers in range (not for -0, fractions, NaN or others).
  if (port !== ((port as number) & 0xffff) || port === 0)
    throw fail(RangeError, '.port', '1..65535', port);
  if (flags !== undefined && flags !== (flags & 0xff))
    throw fail(RangeError, '.flags', '0..255', flags);
}

/**
 * A check that each peer key of one message is new: true for a key not seen before. A scan of a
 * short array beats hashing for the usual message (at most 100 peers); past that a Set takes
 * over, so the check stays linear in time whatever the size.
 * @internal
 */
type PeerKeyCheck = (key: PeerKey) => boolean;

/** A new `PeerKeyCheck`, for one message. @internal */
export function newPeerKeyCheck(): PeerKeyCheck {
  const list: PeerKey[] = [];
  let set: Set<PeerKey> | undefined;
  return (key) => {
    if (set) return set.size < set.add(key).size;
    if (list.includes(key)) return false;
    if (list.push(key) > 100) set = new Set(list);
    return true;
  };
}

function assertFamily(family: unknown): AddressFamily {
  if (family !== 4 && family !== 6) throw argumentError(TypeError, 'family', '4 or 6', family);
  return family;
}
