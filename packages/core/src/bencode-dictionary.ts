import { readString, type StringSpan, skipValue } from './bencode-reader.js';
import { failDecode } from './errors.js';

/**
 * Where the value under `key` lies in the bencode dictionary that starts at `at`: `[start, end)`,
 * or undefined when the dictionary has no such key. Only the dictionary's own keys are looked at;
 * every value is skipped with the iterative reader (nesting up to `maxDepth`).
 * @throws {PexDecodeError} `not-a-dictionary`, `truncated`, `invalid-bencode` or `too-deep` for
 *   bytes that are not a well-formed dictionary up to the key.
 */
export function findDictionaryValue(
  bytes: Uint8Array,
  at: number,
  key: string,
  maxDepth: number,
): StringSpan | undefined {
  if (bytes[at] !== 0x64 /* d */) failDecode('not-a-dictionary', at);
  const span: StringSpan = { start: 0, end: 0 };
  let pos = at + 1;
  while (bytes[pos] !== 0x65 /* e */) {
    pos = readString(bytes, pos, span);
    const matches = isKey(bytes, span, key);
    const valueStart = pos;
    pos = skipValue(bytes, pos, 1, maxDepth);
    if (matches) return { start: valueStart, end: pos };
  }
  return undefined;
}

/**
 * The bencoded integer `bytes[span.start, span.end)` when it is one that fits a safe integer,
 * else undefined.
 */
export function readBencodeInteger(bytes: Uint8Array, span: StringSpan): number | undefined {
  if (bytes[span.start] !== 0x69 /* i */ || bytes[span.end - 1] !== 0x65 /* e */) return undefined;
  let text = '';
  for (let i = span.start + 1; i < span.end - 1; i++)
    text += String.fromCharCode(bytes[i] as number);
  const value = Number(text);
  return /^-?\d+$/.test(text) && Number.isSafeInteger(value) ? value : undefined;
}

function isKey(bytes: Uint8Array, span: StringSpan, key: string): boolean {
  if (span.end - span.start !== key.length) return false;
  for (let i = 0; i < key.length; i++) {
    if (bytes[span.start + i] !== key.charCodeAt(i)) return false;
  }
  return true;
}
