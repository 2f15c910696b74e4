import {
  BENCODE_DICT_START,
  BENCODE_END,
  isStringStart,
  readDictionaryKey,
  readStringSpan,
  skipValue,
} from './bencode-scan.js';
import { byteStringSize, decimalDigits, writeAscii, writeLengthPrefix } from './bencode-write.js';
import { checkCompactLength, describe, readCompactPeers, writeCompactPeers } from './compact.js';
import { findRepeatedEntry } from './duplicate-entries.js';
import { failDecode } from './errors.js';
import { DEFAULT_PEX_LIMITS, resolvePexLimits } from './limits.js';
import { formatPeerAddress } from './peer-key.js';
import type { CompactPeer, PexLimits, PexListName, PexMessage } from './types.js';

/**
 * The six keys of BEP 11 in bencode's sorted order (raw byte comparison), which is also
 * the order we write them in. Indices below refer to this table.
 */
const KEYS = ['added', 'added.f', 'added6', 'added6.f', 'dropped', 'dropped6'] as const;
const ADDED = 0;
const ADDED_F = 1;
const ADDED6 = 2;
const ADDED6_F = 3;
const DROPPED = 4;
const DROPPED6 = 5;
const KEY_BYTES = KEYS.map((key) => Uint8Array.from(key, (ch) => ch.charCodeAt(0)));

const EMPTY: readonly CompactPeer[] = /* @__PURE__ */ Object.freeze([]);

// Scratch space reused by every decode; decoding is synchronous and never re-entered.
const span = new Int32Array(2);
const found = new Int32Array(KEYS.length * 2);

function identifyKey(bytes: Uint8Array, start: number, length: number): number {
  if (length < 5 || length > 8) return -1;
  const first = bytes[start];
  for (let k = first === 0x61 /* a */ ? ADDED : DROPPED; k < KEYS.length; k++) {
    const key = KEY_BYTES[k] as Uint8Array;
    if (key.length !== length) continue;
    let i = 1;
    while (i < length && bytes[start + i] === key[i]) i++;
    if (i === length) return k;
  }
  return -1;
}

/**
 * Decodes a PEX payload (the bencoded dictionary after the extended-message id).
 *
 * Validates the whole payload before returning: either a complete message or an error,
 * never part of one. Lenient where real clients need it: any subset of the keys (also the
 * empty dictionary `de`), unknown keys of any type (skipped, depth-limited), keys out of
 * order, `added` without `added.f` (flags 0), `added.f` shorter or longer than `added`
 * (missing bytes read as 0, extra bytes ignored), duplicate peers (left to the inbound view).
 *
 * Peers of `added`/`added6` always have `flags`; dropped peers have none. A decoded peer reads
 * its address lazily: `peer.address` is a copy made on first access.
 *
 * @throws {PexDecodeError} for any malformed or over-limit payload; see `PexDecodeReason`.
 * @throws {TypeError} if `bytes` is not a Uint8Array (a caller mistake, not bad input).
 * @throws {RangeError} if `limits` holds a value that is not a positive integer.
 */
export function decodePexMessage(bytes: Uint8Array, limits?: Partial<PexLimits>): PexMessage {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`"bytes" expected a Uint8Array, got ${describe(bytes)}`);
  }
  const { maxMessageBytes, maxPeersPerList, maxDepth } =
    limits === undefined ? DEFAULT_PEX_LIMITS : resolvePexLimits(limits);
  const length = bytes.length;
  if (length > maxMessageBytes) {
    failDecode('too-large', `message of ${length} bytes exceeds ${maxMessageBytes}`, 0);
  }
  if (length === 0 || bytes[0] !== BENCODE_DICT_START) {
    failDecode('not-a-dictionary', 'not a bencoded dictionary', 0);
  }
  let present = 0;
  let pos = 1;
  for (;;) {
    if (pos >= length) {
      failDecode('truncated', 'dictionary not terminated', pos);
    }
    const c = bytes[pos] as number;
    if (c === BENCODE_END) {
      pos++;
      break;
    }
    readDictionaryKey(bytes, pos, span);
    const key = identifyKey(bytes, span[0] as number, (span[1] as number) - (span[0] as number));
    pos = span[1] as number;
    if (pos >= length) {
      failDecode('truncated', 'key without a value', pos, KEYS[key]);
    }
    if (key < 0) {
      pos = skipValue(bytes, pos, 1, maxDepth, span);
      continue;
    }
    const field = KEYS[key] as string;
    if ((present & (1 << key)) !== 0) {
      failDecode('duplicate-key', `"${field}" repeated`, pos, field);
    }
    if (!isStringStart(bytes[pos] as number)) {
      failDecode('wrong-type', `"${field}" not a byte string`, pos, field);
    }
    readStringSpan(bytes, pos, span);
    found[2 * key] = span[0] as number;
    found[2 * key + 1] = span[1] as number;
    present |= 1 << key;
    pos = span[1] as number;
  }
  if (pos !== length) {
    failDecode('trailing-bytes', `${length - pos} bytes after the dictionary`, pos);
  }
  // Check every list before building any of them.
  checkList(present, ADDED, 6, maxPeersPerList);
  checkList(present, ADDED6, 18, maxPeersPerList);
  checkList(present, DROPPED, 6, maxPeersPerList);
  checkList(present, DROPPED6, 18, maxPeersPerList);
  return {
    added: buildList(bytes, present, ADDED, 4, ADDED_F),
    added6: buildList(bytes, present, ADDED6, 6, ADDED6_F),
    dropped: buildList(bytes, present, DROPPED, 4, -1),
    dropped6: buildList(bytes, present, DROPPED6, 6, -1),
  };
}

function checkList(present: number, key: number, size: number, maxPeers: number): void {
  if ((present & (1 << key)) === 0) return;
  const at = found[2 * key] as number;
  checkCompactLength((found[2 * key + 1] as number) - at, size, maxPeers, KEYS[key] as string, at);
}

function buildList(
  bytes: Uint8Array,
  present: number,
  key: number,
  family: 4 | 6,
  flagKey: number,
): readonly CompactPeer[] {
  if ((present & (1 << key)) === 0) return EMPTY;
  const start = found[2 * key] as number;
  const end = found[2 * key + 1] as number;
  if (start === end) return EMPTY;
  if (flagKey < 0) return readCompactPeers(bytes, start, end, family, 0, 0, false);
  const hasFlags = (present & (1 << flagKey)) !== 0;
  return readCompactPeers(
    bytes,
    start,
    end,
    family,
    hasFlags ? (found[2 * flagKey] as number) : 0,
    hasFlags ? (found[2 * flagKey + 1] as number) : 0,
    true,
  );
}

/**
 * Encodes a PEX message as canonical bencode: keys in sorted order, empty lists omitted,
 * `added.f` / `added6.f` written exactly when `added` / `added6` is non-empty, one flag byte
 * per peer (missing flags are 0). Byte-identical to the `bencode` package's output for the
 * same dictionary.
 *
 * @throws {TypeError} if `message` or a list is not what its type says, or an address has the
 *   wrong length for its list (4 bytes in `added`/`dropped`, 16 in `added6`/`dropped6`).
 * @throws {RangeError} for a port outside 1..65535, flags outside 0..255, the same peer twice in
 *   one list, the same peer both added and dropped, or a message with no peer at all (BEP 11:
 *   a message carries at least one of added, added6, dropped, dropped6).
 */
export function encodePexMessage(message: PexMessage): Uint8Array {
  if (typeof message !== 'object' || message === null) {
    throw new TypeError(`"message" expected a PEX message object, got ${describe(message)}`);
  }
  const added = listOf(message, 'added');
  const added6 = listOf(message, 'added6');
  const dropped = listOf(message, 'dropped');
  const dropped6 = listOf(message, 'dropped6');
  if (added.length + added6.length + dropped.length + dropped6.length === 0) {
    throw new RangeError(
      '"message" expected at least one peer in added, added6, dropped or dropped6, got none (BEP 11 forbids empty messages)',
    );
  }
  let size = 2;
  if (added.length > 0)
    size += 7 + byteStringSize(added.length * 6) + 9 + byteStringSize(added.length);
  if (added6.length > 0)
    size += 8 + byteStringSize(added6.length * 18) + 10 + byteStringSize(added6.length);
  if (dropped.length > 0) size += 9 + byteStringSize(dropped.length * 6);
  if (dropped6.length > 0) size += 10 + byteStringSize(dropped6.length * 18);

  const out = new Uint8Array(size);
  out[0] = BENCODE_DICT_START;
  let at = 1;
  let addedAt = 0;
  let added6At = 0;
  let droppedAt = 0;
  let dropped6At = 0;
  if (added.length > 0) {
    addedAt = at + 7 + decimalDigits(added.length * 6) + 1;
    at = writeList(out, at, '5:added', added, 4, 'added');
    at = writeFlags(out, at, '7:added.f', added);
  }
  if (added6.length > 0) {
    added6At = at + 8 + decimalDigits(added6.length * 18) + 1;
    at = writeList(out, at, '6:added6', added6, 6, 'added6');
    at = writeFlags(out, at, '8:added6.f', added6);
  }
  if (dropped.length > 0) {
    droppedAt = at + 9 + decimalDigits(dropped.length * 6) + 1;
    at = writeList(out, at, '7:dropped', dropped, 4, 'dropped');
  }
  if (dropped6.length > 0) {
    dropped6At = at + 10 + decimalDigits(dropped6.length * 18) + 1;
    at = writeList(out, at, '8:dropped6', dropped6, 6, 'dropped6');
  }
  out[at] = BENCODE_END;

  assertDistinct(out, 6, added, addedAt, dropped, droppedAt, 'added', 'dropped');
  assertDistinct(out, 18, added6, added6At, dropped6, dropped6At, 'added6', 'dropped6');
  return out;
}

function listOf(message: PexMessage, field: PexListName): readonly CompactPeer[] {
  const list = message[field] as unknown;
  if (list === undefined) return EMPTY;
  if (!Array.isArray(list)) {
    throw new TypeError(`"${field}" expected an array of peers, got ${describe(list)}`);
  }
  return list;
}

function writeList(
  out: Uint8Array,
  offset: number,
  key: string,
  peers: readonly CompactPeer[],
  family: 4 | 6,
  field: PexListName,
): number {
  const at = writeAscii(out, offset, key);
  const size = family === 4 ? 6 : 18;
  return writeCompactPeers(
    out,
    writeLengthPrefix(out, at, peers.length * size),
    peers,
    family,
    field,
  );
}

function writeFlags(
  out: Uint8Array,
  offset: number,
  key: string,
  peers: readonly CompactPeer[],
): number {
  let at = writeLengthPrefix(out, writeAscii(out, offset, key), peers.length);
  for (let i = 0; i < peers.length; i++) out[at++] = (peers[i] as CompactPeer).flags ?? 0;
  return at;
}

/**
 * Refuses a peer written twice in one list or in both lists of a family. Works on the written
 * bytes (see duplicate-entries.ts), so the common case allocates nothing.
 */
function assertDistinct(
  out: Uint8Array,
  size: number,
  added: readonly CompactPeer[],
  addedAt: number,
  dropped: readonly CompactPeer[],
  droppedAt: number,
  addedField: PexListName,
  droppedField: PexListName,
): void {
  const repeat = findRepeatedEntry(out, size, addedAt, added.length, droppedAt, dropped.length);
  if (repeat === undefined) return;
  const name = (index: number) =>
    index < added.length ? `${addedField}[${index}]` : `${droppedField}[${index - added.length}]`;
  const peer = (
    repeat.later < added.length ? added[repeat.later] : dropped[repeat.later - added.length]
  ) as CompactPeer;
  const sameList = repeat.earlier < added.length === repeat.later < added.length;
  const expected = sameList ? 'a peer not listed before' : `a peer not in "${addedField}"`;
  throw new RangeError(
    `"${name(repeat.later)}" expected ${expected}, got ${formatPeerAddress(peer.address, peer.port)} (also ${name(repeat.earlier)})`,
  );
}
