import { failDecode } from './errors.js';

// Byte values of the bencode grammar.
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_COLON = 0x3a;
const CHAR_MINUS = 0x2d;
const CHAR_D = 0x64;
const CHAR_E = 0x65;
const CHAR_I = 0x69;
const CHAR_L = 0x6c;

/** Longest decimal length prefix we parse: 9 digits is already far above any message limit. */
const MAX_LENGTH_DIGITS = 9;

/**
 * Reads the length prefix of a byte string starting at `at` (which must be a digit) and returns
 * the offset of the first content byte; the content ends at `contentStart + length`.
 * The result is packed as `[start, end]` in the `span` array to avoid an allocation per string.
 * Leading zeros are accepted (lenient; the `bencode` package does the same).
 * @throws {PexDecodeError} `truncated` or `invalid-bencode`.
 */
export function readStringSpan(bytes: Uint8Array, at: number, span: Int32Array): void {
  const end = bytes.length;
  let length = 0;
  let digits = 0;
  let pos = at;
  while (pos < end) {
    const c = bytes[pos] as number;
    if (c === CHAR_COLON) break;
    if (c < CHAR_0 || c > CHAR_9 || digits === MAX_LENGTH_DIGITS) {
      failDecode('invalid-bencode', 'invalid byte string length', pos);
    }
    length = length * 10 + (c - CHAR_0);
    digits++;
    pos++;
  }
  if (pos >= end) {
    failDecode('truncated', 'byte string length not terminated', at);
  }
  if (digits === 0) {
    failDecode('invalid-bencode', 'empty byte string length', at);
  }
  const start = pos + 1;
  if (start + length > end) {
    failDecode('truncated', `byte string of ${length} bytes runs past the end`, at);
  }
  span[0] = start;
  span[1] = start + length;
}

/**
 * Reads the dictionary key starting at `at` into `span` (bencode keys are byte strings).
 * @throws {PexDecodeError} `invalid-bencode` if the key is not a byte string; `truncated`.
 */
export function readDictionaryKey(bytes: Uint8Array, at: number, span: Int32Array): void {
  if (!isStringStart(bytes[at] as number)) {
    failDecode('invalid-bencode', 'dictionary key is not a byte string', at);
  }
  readStringSpan(bytes, at, span);
}

/** True if `c` can start a byte string (a length digit). */
export function isStringStart(c: number): boolean {
  return c >= CHAR_0 && c <= CHAR_9;
}

function skipInteger(bytes: Uint8Array, at: number): number {
  // at points at 'i'. Accepts an optional '-' then at least one digit, then 'e'.
  let pos = at + 1;
  const end = bytes.length;
  if (pos < end && bytes[pos] === CHAR_MINUS) pos++;
  const firstDigit = pos;
  while (pos < end) {
    const c = bytes[pos] as number;
    if (c === CHAR_E) {
      if (pos === firstDigit) {
        failDecode('invalid-bencode', 'integer without digits', at);
      }
      return pos + 1;
    }
    if (c < CHAR_0 || c > CHAR_9) {
      failDecode('invalid-bencode', 'invalid integer', at);
    }
    pos++;
  }
  failDecode('truncated', 'integer not terminated', at);
}

/**
 * Skips one bencode value of any type starting at `at`, nested in a container at depth
 * `depth` (the PEX dictionary itself is depth 1). Iterative: hostile nesting costs a counter,
 * never stack frames. Returns the offset just after the value.
 * `span` is caller-owned scratch space for string bounds.
 * @throws {PexDecodeError} `truncated`, `invalid-bencode` or `too-deep`.
 */
export function skipValue(
  bytes: Uint8Array,
  at: number,
  depth: number,
  maxDepth: number,
  span: Int32Array,
): number {
  const end = bytes.length;
  // One entry per open container: 1 = list, 2 = dict expecting a key, 3 = dict expecting a value.
  const open: number[] = [];
  let pos = at;
  for (;;) {
    if (pos >= end) {
      failDecode('truncated', 'value not complete', pos);
    }
    const c = bytes[pos] as number;
    const top = open.length === 0 ? 0 : (open[open.length - 1] as number);
    if (c === CHAR_E && top !== 0 && top !== 3) {
      open.pop();
      pos++;
    } else if (top === 2) {
      readDictionaryKey(bytes, pos, span);
      pos = span[1] as number;
      open[open.length - 1] = 3;
      continue;
    } else if (c === CHAR_L || c === CHAR_D) {
      if (depth + open.length + 1 > maxDepth) {
        failDecode('too-deep', `nesting deeper than ${maxDepth}`, pos);
      }
      if (top === 3) open[open.length - 1] = 2;
      open.push(c === CHAR_L ? 1 : 2);
      pos++;
      continue;
    } else {
      if (c === CHAR_I) pos = skipInteger(bytes, pos);
      else if (isStringStart(c)) {
        readStringSpan(bytes, pos, span);
        pos = span[1] as number;
      } else {
        failDecode('invalid-bencode', `unexpected byte 0x${c.toString(16)}`, pos);
      }
      if (top === 3) open[open.length - 1] = 2;
    }
    if (open.length === 0) return pos;
  }
}

/** Grammar bytes the message decoder needs. */
export const BENCODE_DICT_START = CHAR_D;
export const BENCODE_END = CHAR_E;
