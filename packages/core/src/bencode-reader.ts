import { failDecode } from './errors.js';

/**
 * The little bencode reading the PEX decoder needs: byte strings, and skipping a value of any
 * type under an unknown key. Offsets past the end read as `undefined`, which no check accepts,
 * so every bounds check is also the grammar check.
 */

/** Where the content of a byte string lies in the input: `[start, end)`. */
export interface StringSpan {
  start: number;
  end: number;
}

/** True if `c` is an ASCII digit: a byte string's length, or an integer. */
export function isDigit(c: number | undefined): boolean {
  return (c as number) >= 0x30 && (c as number) <= 0x39;
}

/**
 * Reads the byte string whose length prefix starts at `at`, writes where its content lies into
 * `span`, and returns the offset after it (`span.end`). At most 9 length digits (far above any
 * message limit); leading zeros are accepted, as the `bencode` package does. The span is the
 * caller's, one per decode: nothing is kept between calls.
 * @throws {PexDecodeError} `truncated` if the prefix or content runs past the end;
 *   `invalid-bencode` for a byte that is not a length digit.
 */
export function readString(bytes: Uint8Array, at: number, span: StringSpan): number {
  let pos = at;
  let length = 0;
  do {
    const c = bytes[pos];
    if (c === undefined) failDecode('truncated', at);
    if (!isDigit(c) || pos - at > 8) failDecode('invalid-bencode', pos);
    length = length * 10 + c - 0x30;
  } while (bytes[++pos] !== 0x3a /* : */);
  const end = pos + 1 + length;
  if (end > bytes.length) failDecode('truncated', at);
  span.start = pos + 1;
  span.end = end;
  return end;
}

/** Skips the integer at `at` (an `i`): an optional `-`, at least one digit, then `e`. */
function skipInteger(bytes: Uint8Array, at: number): number {
  let pos = at + 1;
  if (bytes[pos] === 0x2d /* - */) pos++;
  const firstDigit = pos;
  while (isDigit(bytes[pos])) pos++;
  if (bytes[pos] !== 0x65 /* e */ || pos === firstDigit) {
    failDecode(pos < bytes.length ? 'invalid-bencode' : 'truncated', at);
  }
  return pos + 1;
}

/** What an open container expects next (`skipValue`). */
const EXPECTS_LIST_ITEM = 2; // a list: a value, or the end
const EXPECTS_DICTIONARY_KEY = 3; // a dictionary: a key, or the end
const EXPECTS_DICTIONARY_VALUE = 1; // a dictionary that has just read a key

/**
 * Skips one bencode value of any type at `at`, inside containers `depth` deep (the PEX
 * dictionary itself is depth 1), and returns the offset after it. Iterative: hostile nesting
 * costs one array slot per level, never a stack frame.
 * @throws {PexDecodeError} `truncated`, `invalid-bencode` or `too-deep` (past `maxDepth`).
 */
export function skipValue(bytes: Uint8Array, at: number, depth: number, maxDepth: number): number {
  const open: number[] = [];
  const span: StringSpan = { start: 0, end: 0 };
  let pos = at;
  do {
    const c = bytes[pos];
    const last = open.length - 1;
    const expects = open[last];
    if (c === 0x65 /* e */ && expects !== undefined && expects !== EXPECTS_DICTIONARY_VALUE) {
      open.pop();
      pos++;
    } else if (expects === EXPECTS_DICTIONARY_KEY) {
      pos = readString(bytes, pos, span);
      open[last] = EXPECTS_DICTIONARY_VALUE;
    } else {
      if (expects === EXPECTS_DICTIONARY_VALUE) open[last] = EXPECTS_DICTIONARY_KEY;
      if (c === 0x6c /* l */ || c === 0x64 /* d */) {
        if (depth + open.length >= maxDepth) failDecode('too-deep', pos);
        open.push(c === 0x6c ? EXPECTS_LIST_ITEM : EXPECTS_DICTIONARY_KEY);
        pos++;
      } else {
        pos = c === 0x69 /* i */ ? skipInteger(bytes, pos) : readString(bytes, pos, span);
      }
    }
  } while (open.length > 0);
  return pos;
}
