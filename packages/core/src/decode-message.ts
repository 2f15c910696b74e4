import { argumentError } from './argument-error.js';
import { isDigit, readString, skipValue, stringStart } from './bencode-scan.js';
import { checkCompactLength, readCompactPeers } from './compact.js';
import { failDecode } from './errors.js';
import { resolvePexLimits } from './limits.js';
import type { CompactPeer, PexLimits, PexMessage } from './types.js';

/** The six keys of BEP 11, in bencode's sorted order: each list's flags follow the list. */
const PEX_KEYS: readonly string[] = [
  'added',
  'added.f',
  'added6',
  'added6.f',
  'dropped',
  'dropped6',
];

// Where the value of PEX_KEYS[k] starts and ends (found[2k], found[2k + 1]), -1 until seen.
// Reused by every decode: decoding is synchronous and never re-entered.
const found = new Int32Array(12);

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
 * its address lazily: `peer.address` is built on first access.
 *
 * @throws {PexDecodeError} for any malformed or over-limit payload; see `PexDecodeReason`.
 * @throws {TypeError} if `bytes` is not a Uint8Array (a caller mistake, not bad input).
 * @throws {RangeError} if `limits` holds a value that is not a number of at least 1 (`Infinity`
 *   lifts a limit).
 */
export function decodePexMessage(bytes: Uint8Array, limits?: Partial<PexLimits>): PexMessage {
  if (!(bytes instanceof Uint8Array))
    throw argumentError(TypeError, 'bytes', 'a Uint8Array', bytes);
  const { maxMessageBytes, maxPeersPerList, maxDepth } = resolvePexLimits(limits);
  const length = bytes.length;
  if (length > maxMessageBytes) failDecode('too-large', 0);
  if (bytes[0] !== 0x64 /* d */) failDecode('not-a-dictionary', 0);
  found.fill(-1);
  let pos = 1;
  while (bytes[pos] !== 0x65 /* e */) {
    pos = readString(bytes, pos);
    const key = keyIndex(bytes, stringStart, pos);
    const field = PEX_KEYS[key];
    if (field === undefined) {
      pos = skipValue(bytes, pos, 1, maxDepth);
      continue;
    }
    if (pos >= length) failDecode('truncated', pos, field);
    if ((found[2 * key] as number) >= 0) failDecode('duplicate-key', pos, field);
    if (!isDigit(bytes[pos])) failDecode('wrong-type', pos, field);
    pos = readString(bytes, pos);
    found[2 * key] = stringStart;
    found[2 * key + 1] = pos;
  }
  if (++pos !== length) failDecode('trailing-bytes', pos);
  return {
    added: readList(bytes, 0, 6, maxPeersPerList),
    added6: readList(bytes, 2, 18, maxPeersPerList),
    dropped: readList(bytes, 4, 6, maxPeersPerList),
    dropped6: readList(bytes, 5, 18, maxPeersPerList),
  };
}

/**
 * Checks and reads the list under PEX_KEYS[key], of `size`-byte peers, with the flags under the
 * next key for `added` and `added6`. An absent list is empty.
 */
function readList(bytes: Uint8Array, key: number, size: number, maxPeers: number): CompactPeer[] {
  const start = found[2 * key] as number;
  const end = found[2 * key + 1] as number;
  checkCompactLength(end - start, size, maxPeers, PEX_KEYS[key] as string, start);
  return readCompactPeers(
    bytes,
    start,
    end,
    size,
    key < 4,
    found[2 * key + 2] as number,
    found[2 * key + 3] as number,
  );
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
