import { failDecode } from './errors.js';
import { assertFlagByte } from './flags.js';
import { formatPeerAddress, type PeerKey, peerKey } from './peer-key.js';
import type { AddressFamily, CompactPeer } from './types.js';

/**
 * Bytes per compact peer: 4 + 2 for IPv4, 16 + 2 for IPv6.
 * @throws never (any `family` other than 4 gives 18).
 */
export function compactPeerSize(family: AddressFamily): 6 | 18 {
  return family === 4 ? 6 : 18;
}

/**
 * A peer read from received bytes. Port, flags and address are read at once into numbers (an
 * IPv4 address as one uint32, an IPv6 address as four), so decoding allocates one small object
 * per peer, copies nothing, and keeps no reference to the caller's buffer. The `address` bytes
 * are built on first access.
 */
class DecodedPeer implements CompactPeer {
  readonly port: number;
  readonly flags: number | undefined;
  /** The address: one uint32 (IPv4) or four (IPv6). */
  readonly #words: number | readonly number[];
  #address: Uint8Array | undefined;

  constructor(words: number | readonly number[], port: number, flags: number | undefined) {
    this.#words = words;
    this.port = port;
    this.flags = flags;
    this.#address = undefined;
  }

  get address(): Uint8Array {
    if (this.#address === undefined) {
      const words = typeof this.#words === 'number' ? [this.#words] : this.#words;
      const address = new Uint8Array(words.length * 4);
      words.forEach((word, i) => {
        address[4 * i] = word >>> 24;
        address[4 * i + 1] = (word >>> 16) & 0xff;
        address[4 * i + 2] = (word >>> 8) & 0xff;
        address[4 * i + 3] = word & 0xff;
      });
      this.#address = address;
    }
    return this.#address;
  }

  /** Identity key, equal to `peerKey(address, port)`. */
  key(): PeerKey {
    const words = this.#words;
    if (typeof words === 'number') return words * 0x10000 + this.port;
    let key = '';
    for (const word of words) key += String.fromCharCode(word >>> 16, word & 0xffff);
    return key + String.fromCharCode(this.port);
  }

  toJSON(): { address: number[]; port: number; flags?: number } {
    const json = { address: Array.from(this.address), port: this.port };
    return this.flags === undefined ? json : { ...json, flags: this.flags };
  }

  toString(): string {
    return formatPeerAddress(this.address, this.port);
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x1000000 +
    (((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number))
  );
}

/**
 * Identity key of any compact peer (fast for decoded peers). Does not validate.
 * @throws {TypeError} only from JavaScript itself, if `peer` is not an object with an `address`.
 */
export function compactPeerKey(peer: CompactPeer): PeerKey {
  return peer instanceof DecodedPeer ? peer.key() : peerKey(peer.address, peer.port);
}

/**
 * Reads peers from `bytes[start, end)`, already checked to be a whole number of entries.
 * With `withFlags`, `bytes[flagStart, flagEnd)` gives one flag byte per peer; peers past
 * `flagEnd` get 0.
 * @internal
 */
export function readCompactPeers(
  bytes: Uint8Array,
  start: number,
  end: number,
  family: AddressFamily,
  flagStart: number,
  flagEnd: number,
  withFlags: boolean,
): CompactPeer[] {
  const size = family === 4 ? 6 : 18;
  const count = (end - start) / size;
  const peers: CompactPeer[] = new Array(count);
  let flagAt = flagStart;
  for (let index = 0, at = start; index < count; index++, at += size) {
    const portAt = at + size - 2;
    const port = ((bytes[portAt] as number) << 8) | (bytes[portAt + 1] as number);
    let flags: number | undefined;
    if (withFlags) {
      flags = flagAt < flagEnd ? (bytes[flagAt] as number) : 0;
      flagAt++;
    }
    peers[index] = new DecodedPeer(
      family === 4
        ? readUint32(bytes, at)
        : [
            readUint32(bytes, at),
            readUint32(bytes, at + 4),
            readUint32(bytes, at + 8),
            readUint32(bytes, at + 12),
          ],
      port,
      flags,
    );
  }
  return peers;
}

/**
 * Checks that `length` bytes hold a whole number of `size`-byte entries, at most `maxPeers`.
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
  if (length % size !== 0) {
    failDecode(
      'invalid-length',
      `"${field}" length ${length} not a multiple of ${size}`,
      offset,
      field,
    );
  }
  if (length / size > maxPeers) {
    failDecode(
      'too-many-peers',
      `"${field}" holds ${length / size} peers, limit ${maxPeers}`,
      offset,
      field,
    );
  }
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
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`"bytes" expected a Uint8Array, got ${describe(bytes)}`);
  }
  assertFamily(family);
  checkCompactLength(
    bytes.length,
    compactPeerSize(family),
    maxPeers,
    family === 4 ? 'peers' : 'peers6',
    0,
  );
  return readCompactPeers(bytes, 0, bytes.length, family, 0, 0, false);
}

/**
 * Encodes peers as a compact list (6 or 18 bytes each). Flags are not part of a compact list.
 * @throws {TypeError} if an address is not a Uint8Array of 4 (IPv4) or 16 (IPv6) bytes.
 * @throws {RangeError} if a port is not an integer in 1..65535.
 */
export function encodeCompactPeers(
  peers: readonly CompactPeer[],
  family: AddressFamily,
): Uint8Array {
  assertFamily(family);
  if (!Array.isArray(peers))
    throw new TypeError(`"peers" expected an array, got ${describe(peers)}`);
  const field = family === 4 ? 'peers' : 'peers6';
  const out = new Uint8Array(peers.length * compactPeerSize(family));
  writeCompactPeers(out, 0, peers, family, field);
  return out;
}

/**
 * Validates and writes `peers` at `offset`; returns the offset after the last byte.
 * @internal
 */
export function writeCompactPeers(
  out: Uint8Array,
  offset: number,
  peers: readonly CompactPeer[],
  family: AddressFamily,
  field: string,
): number {
  const addressLength = family === 4 ? 4 : 16;
  let at = offset;
  for (let i = 0; i < peers.length; i++) {
    const peer = peers[i];
    assertCompactPeer(peer, addressLength, `${field}[${i}]`);
    const address = peer.address;
    for (let k = 0; k < addressLength; k++) out[at + k] = address[k] as number;
    out[at + addressLength] = peer.port >>> 8;
    out[at + addressLength + 1] = peer.port & 0xff;
    at += addressLength + 2;
  }
  return at;
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
): asserts peer is CompactPeer {
  if (typeof peer !== 'object' || peer === null) {
    throw new TypeError(`"${field}" expected a peer object, got ${describe(peer)}`);
  }
  const { address, port, flags } = peer as Partial<CompactPeer>;
  if (!(address instanceof Uint8Array)) {
    throw new TypeError(`"${field}.address" expected a Uint8Array, got ${describe(address)}`);
  }
  if (address.length !== addressLength) {
    throw new TypeError(
      `"${field}.address" expected ${addressLength} bytes (IPv${addressLength === 4 ? 4 : 6}), got ${address.length}`,
    );
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`"${field}.port" expected 1..65535, got ${describe(port)}`);
  }
  if (flags !== undefined) assertFlagByte(flags, `${field}.flags`);
}

function assertFamily(family: unknown): asserts family is AddressFamily {
  if (family !== 4 && family !== 6) {
    throw new TypeError(`"family" expected 4 or 6, got ${describe(family)}`);
  }
}

/** Short description of a bad value for error messages. @internal */
export function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object' && value !== null) return 'object';
  return String(value);
}
