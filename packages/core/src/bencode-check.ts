import { skipValue } from './bencode-reader.js';
import { failDecode } from './errors.js';

/**
 * Checks that `bytes` holds exactly one well-formed bencode dictionary, nesting at most
 * `maxDepth` containers deep (the dictionary itself is one), and nothing after it. Iterative
 * and linear in the input: it never recurses and never loops on any input, which is what a
 * guard placed in front of a fragile bencode decoder needs (a negative string length, hostile
 * nesting, a length past the end are refused here instead of reaching it).
 *
 * Stricter than most decoders on purpose: a string length is digits only (no sign, no `+`, no
 * `.`), keys are byte strings, every container is closed.
 *
 * @throws {PexDecodeError} `not-a-dictionary`, `truncated`, `invalid-bencode`, `too-deep` or
 *   `trailing-bytes`, with the offset where the problem was found.
 */
export function checkBencodeDictionary(bytes: Uint8Array, maxDepth: number): void {
  if (bytes[0] !== 0x64 /* d */) failDecode('not-a-dictionary', 0);
  const end = skipValue(bytes, 0, 0, maxDepth);
  if (end !== bytes.length) failDecode('trailing-bytes', end);
}
