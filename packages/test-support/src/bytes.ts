// Building and showing raw bytes in tests: golden payloads, hand-made frames, hostile input.

/** A piece of a payload: text (one byte per character) or raw bytes. */
export type BytePart = string | Uint8Array | readonly number[];

/**
 * Concatenates `parts` into one new array: strings one byte per character (latin1, so bencode
 * text and `\xff` escapes are written as they read), byte arrays and number lists as they are.
 * @throws RangeError for a character above U+00FF (it has no one-byte form)
 */
export function bytesOf(...parts: readonly BytePart[]): Uint8Array {
  const chunks = parts.map(chunkOf);
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function chunkOf(part: BytePart): Uint8Array | readonly number[] {
  if (typeof part !== 'string') return part;
  const chunk = new Uint8Array(part.length);
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (code > 0xff)
      throw new RangeError(`bytesOf: character U+${code.toString(16)} is not a byte`);
    chunk[i] = code;
  }
  return chunk;
}

/** Lowercase hex of a byte array, for readable failure output. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
