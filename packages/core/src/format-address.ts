// Address text, as BitTorrent peers are written in messages and logs: dotted-quad IPv4 and the
// RFC 5952 form of IPv6 (lower-case hex, no leading zeros, the longest run of zero groups as
// `::`), the text ipaddr.js's `toString()` writes too. Tables are built once at load and never
// written afterwards.

/**
 * `a.b.c.d` from a uint32: what ipaddr.js's `IPv4.toString()` writes.
 * @throws never.
 * @internal
 */
export function formatIpv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/** Hex digits of each byte without leading zeros, and with them (two digits). */
const HEX: readonly string[] = /* @__PURE__ */ byteTexts(false);
const HEX2: readonly string[] = /* @__PURE__ */ byteTexts(true);

function byteTexts(padded: boolean): string[] {
  const texts: string[] = [];
  for (let byte = 0; byte < 256; byte++) {
    const text = byte.toString(16);
    texts.push(padded && text.length < 2 ? `0${text}` : text);
  }
  return texts;
}

/** A 16-bit group in lower-case hex without leading zeros (RFC 5952 4.1, 4.3). */
function formatGroup(group: number): string {
  const high = group >>> 8;
  return high === 0
    ? (HEX[group] as string)
    : (HEX[high] as string) + (HEX2[group & 0xff] as string);
}

/**
 * RFC 5952 text of eight 16-bit groups, as ipaddr.js's `IPv6.toString()` writes it: the longest
 * run of two or more zero groups (the first of equal ones) becomes `::` (RFC 5952 4.2), hex in
 * lower case without leading zeros. The tests compare it with ipaddr.js.
 * @throws never.
 * @internal
 */
export function formatIpv6(words: readonly number[]): string {
  let runAt = -1;
  let bestAt = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    if (words[i] !== 0) {
      runAt = -1;
      continue;
    }
    if (runAt < 0) runAt = i;
    if (i - runAt + 1 > bestLength) {
      bestLength = i - runAt + 1;
      bestAt = runAt;
    }
  }
  let text = '';
  const end = bestAt < 0 ? 8 : bestAt;
  for (let i = 0; i < end; i++) {
    text += i === 0 ? formatGroup(words[i] as number) : `:${formatGroup(words[i] as number)}`;
  }
  if (bestAt < 0) return text;
  text += '::';
  for (let i = bestAt + bestLength; i < 8; i++) {
    text +=
      i === bestAt + bestLength
        ? formatGroup(words[i] as number)
        : `:${formatGroup(words[i] as number)}`;
  }
  return text;
}
