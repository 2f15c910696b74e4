/** Writes the ASCII text `text` at `offset`; returns the offset after it. */
export function writeAscii(out: Uint8Array, offset: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
  return offset + text.length;
}

/** Number of decimal digits of a non-negative integer. */
export function decimalDigits(value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/** Size of a bencode byte string of `length` bytes, prefix included. */
export function byteStringSize(length: number): number {
  return decimalDigits(length) + 1 + length;
}

/** Writes the `<length>:` prefix of a byte string; returns the offset of its first content byte. */
export function writeLengthPrefix(out: Uint8Array, offset: number, length: number): number {
  const end = offset + decimalDigits(length);
  let rest = length;
  for (let at = end - 1; at >= offset; at--) {
    out[at] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  out[end] = 0x3a; // ':'
  return end + 1;
}
