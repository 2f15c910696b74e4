import fc from 'fast-check';

/** A piece of a payload: ASCII text or raw bytes. @internal */
export type Part = string | Uint8Array;

/** Joins ASCII text and byte arrays into one payload. @internal */
export function joinParts(parts: readonly Part[]): Uint8Array {
  const chunks = parts.map((part) =>
    typeof part === 'string' ? Uint8Array.from(part, (ch) => ch.charCodeAt(0)) : part,
  );
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** A bencode byte string, with `leadingZeros` extra zeros in its length (which decoders accept). @internal */
export function byteString(content: Part, leadingZeros = 0): Uint8Array {
  const bytes = joinParts([content]);
  return joinParts([`${'0'.repeat(leadingZeros)}${bytes.length}:`, bytes]);
}

/** The six keys of BEP 11. @internal */
export const PEX_KEYS = ['added', 'added.f', 'added6', 'added6.f', 'dropped', 'dropped6'] as const;

/** A dictionary key that is not one of the six PEX keys (`m`, `e`, `x.y`, raw bytes ...). @internal */
export function arbitraryUnknownKey(): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.constantFrom('e', 'm', 'x', 'added4', 'dropped.f', 'add', 'v', 'yourip'),
      fc.string({ unit: 'binary-ascii', maxLength: 10 }),
    )
    .filter((key) => !(PEX_KEYS as readonly string[]).includes(key));
}

/**
 * Any well-formed bencode value whose containers nest at most `maxNesting` deep (a byte string
 * or integer alone nests 0), as bytes. @internal
 */
export function arbitraryBencodeValue(maxNesting: number): fc.Arbitrary<Uint8Array> {
  const leaf = fc.oneof(
    fc.uint8Array({ maxLength: 24 }).map((bytes) => byteString(bytes)),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => joinParts([`i${n}e`])),
  );
  if (maxNesting <= 0) return leaf;
  const inner = arbitraryBencodeValue(maxNesting - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 3 },
    fc.array(inner, { maxLength: 4 }).map((items) => joinParts(['l', ...items, 'e'])),
    fc
      .uniqueArray(fc.tuple(arbitraryUnknownKey(), inner), {
        maxLength: 4,
        selector: ([key]) => key,
      })
      .map((entries) =>
        joinParts(['d', ...entries.flatMap(([key, value]) => [byteString(key), value]), 'e']),
      ),
  );
}
