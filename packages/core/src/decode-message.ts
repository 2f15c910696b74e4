import { argumentError } from './argument-error.js';
import { isDigit, readString, type StringSpan, skipValue } from './bencode-reader.js';
import {
  checkCompactLength,
  IPV4_PEER_BYTES,
  IPV6_PEER_BYTES,
  readCompactPeers,
  readFlaggedPeers,
} from './compact-peers.js';
import { failDecode } from './errors.js';
import { resolvePexLimits } from './limits.js';
import type { AddedPeer, CompactPeer, DecodedPexMessage, PexLimits } from './types.js';

/** The six keys of BEP 11, in bencode's sorted order: each added list's flags follow the list. */
const PEX_KEYS: readonly string[] = [
  'added',
  'added.f',
  'added6',
  'added6.f',
  'dropped',
  'dropped6',
];

/** Index in PEX_KEYS of each key. The flags of an added list are at its index + 1. */
const ADDED = 0;
const ADDED6 = 2;
const DROPPED = 4;
const DROPPED6 = 5;

/**
 * Where each key's value lies in the payload: the value of PEX_KEYS[k] is
 * `bytes[found[2k], found[2k + 1])`, -1 until the key is seen. One per decode.
 */
type FoundValues = Int32Array;

/**
 * Decodes a PEX payload (the bencoded dictionary after the extended-message id).
 *
 * Validates the whole payload before returning: either a complete message or an error,
 * never part of one. Lenient where real clients need it: any subset of the keys (also the
 * empty dictionary `de`), unknown keys of any type (skipped, depth-limited), keys out of
 * order, `added` without `added.f` (flags 0), `added.f` shorter or longer than `added`
 * (missing bytes read as 0, extra bytes ignored), duplicate peers (left to the inbound view).
 *
 * The message is plain data: every peer is an object with its own copy of its address bytes
 * (nothing refers to `bytes`), and peers of `added`/`added6` always have `flags`.
 *
 * @throws {PexDecodeError} for any malformed or over-limit payload; see `PexDecodeReason`.
 * @throws {TypeError} if `bytes` is not a Uint8Array (a caller mistake, not bad input).
 * @throws {RangeError} if `limits` holds a value that is not a number of at least 1 (`Infinity`
 *   lifts a limit).
 */
export function decodePexMessage(
  bytes: Uint8Array,
  limits?: Partial<PexLimits>,
): DecodedPexMessage {
  if (!(bytes instanceof Uint8Array))
    throw argumentError(TypeError, 'bytes', 'a Uint8Array', bytes);
  const { maxMessageBytes, maxPeersPerList, maxDepth } = resolvePexLimits(limits);
  const length = bytes.length;
  if (length > maxMessageBytes) failDecode('too-large', 0);
  if (bytes[0] !== 0x64 /* d */) failDecode('not-a-dictionary', 0);
  const found: FoundValues = new Int32Array(2 * PEX_KEYS.length).fill(-1);
  const span: StringSpan = { start: 0, end: 0 };
  let pos = 1;
  while (bytes[pos] !== 0x65 /* e */) {
    pos = readString(bytes, pos, span);
    const key = keyIndex(bytes, span.start, span.end);
    const field = PEX_KEYS[key];
    if (field === undefined) {
      pos = skipValue(bytes, pos, 1, maxDepth);
      continue;
    }
    if (pos >= length) failDecode('truncated', pos, field);
    if ((found[2 * key] as number) >= 0) failDecode('duplicate-key', pos, field);
    if (!isDigit(bytes[pos])) failDecode('wrong-type', pos, field);
    pos = readString(bytes, pos, span);
    found[2 * key] = span.start;
    found[2 * key + 1] = span.end;
  }
  if (++pos !== length) failDecode('trailing-bytes', pos);
  return {
    added: readAddedList(bytes, found, ADDED, IPV4_PEER_BYTES, maxPeersPerList),
    added6: readAddedList(bytes, found, ADDED6, IPV6_PEER_BYTES, maxPeersPerList),
    dropped: readDroppedList(bytes, found, DROPPED, IPV4_PEER_BYTES, maxPeersPerList),
    dropped6: readDroppedList(bytes, found, DROPPED6, IPV6_PEER_BYTES, maxPeersPerList),
  };
}

/**
 * Checks and reads the added list at PEX_KEYS[key], of `size`-byte peers, with the flags of
 * the key after it. An absent list is empty.
 */
function readAddedList(
  bytes: Uint8Array,
  found: FoundValues,
  key: typeof ADDED | typeof ADDED6,
  size: number,
  maxPeers: number,
): AddedPeer[] {
  const start = checkList(found, key, size, maxPeers);
  const end = found[2 * key + 1] as number;
  const flagsKey = key + 1;
  return readFlaggedPeers(
    bytes,
    start,
    end,
    size,
    found[2 * flagsKey] as number,
    found[2 * flagsKey + 1] as number,
  );
}

/** Checks and reads the dropped list at PEX_KEYS[key], of `size`-byte peers. */
function readDroppedList(
  bytes: Uint8Array,
  found: FoundValues,
  key: typeof DROPPED | typeof DROPPED6,
  size: number,
  maxPeers: number,
): CompactPeer[] {
  const start = checkList(found, key, size, maxPeers);
  return readCompactPeers(bytes, start, found[2 * key + 1] as number, size);
}

/**
 * Checks that the list at PEX_KEYS[key] holds whole peers, at most `maxPeers`; returns where
 * it starts.
 */
function checkList(found: FoundValues, key: number, size: number, maxPeers: number): number {
  const start = found[2 * key] as number;
  const end = found[2 * key + 1] as number;
  checkCompactLength(end - start, size, maxPeers, PEX_KEYS[key] as string, start);
  return start;
}

/** Index in PEX_KEYS of the key `bytes[start, end)`, or -1 for any other key. */
function keyIndex(bytes: Uint8Array, start: number, end: number): number {
  next: for (let k = 0; k < PEX_KEYS.length; k++) {
    const key = PEX_KEYS[k] as string;
    if (key.length !== end - start) continue;
    for (let i = 0; i < key.length; i++) {
      if (bytes[start + i] !== key.charCodeAt(i)) continue next;
    }
    return k;
  }
  return -1;
}
