/**
 * Every reason a payload is refused, for exhaustive tables. Stable codes: match on these, not on
 * the message text.
 */
export const PEX_DECODE_REASONS = /* @__PURE__ */ Object.freeze([
  /** The payload is longer than `maxMessageBytes`. */
  'too-large',
  /** The payload is empty or does not start with a bencode dictionary. */
  'not-a-dictionary',
  /** The bencode ends before a value, string or container is complete. */
  'truncated',
  /**
   * A byte that cannot start or continue a bencode value (bad integer, bad string length,
   * non-string dictionary key).
   */
  'invalid-bencode',
  /** Bytes follow the end of the top-level dictionary. */
  'trailing-bytes',
  /** The same key appears twice in the dictionary. */
  'duplicate-key',
  /** An unknown value nests deeper than `maxDepth`. */
  'too-deep',
  /** A PEX key holds something other than a byte string. */
  'wrong-type',
  /** A compact list whose length is not a multiple of 6 (IPv4) or 18 (IPv6). */
  'invalid-length',
  /** A list holds more than `maxPeersPerList` peers. */
  'too-many-peers',
] as const);

/**
 * Why a payload was refused: one of `PEX_DECODE_REASONS`. Stable codes: match on these, not on
 * the message text.
 * - `too-large`: the payload is longer than `maxMessageBytes`.
 * - `not-a-dictionary`: the payload is empty or does not start with a bencode dictionary.
 * - `truncated`: the bencode ends before a value, string or container is complete.
 * - `invalid-bencode`: a byte that cannot start or continue a bencode value (bad integer,
 *   bad string length, non-string dictionary key).
 * - `trailing-bytes`: bytes follow the end of the top-level dictionary.
 * - `duplicate-key`: the same key appears twice in the dictionary.
 * - `too-deep`: an unknown value nests deeper than `maxDepth`.
 * - `wrong-type`: a PEX key holds something other than a byte string.
 * - `invalid-length`: a compact list whose length is not a multiple of 6 (IPv4) or 18 (IPv6).
 * - `too-many-peers`: a list holds more than `maxPeersPerList` peers.
 */
export type PexDecodeReason = (typeof PEX_DECODE_REASONS)[number];

/**
 * The one error `decodePexMessage` and `decodeCompactPeers` throw for bad bytes.
 * Tell it apart by `name === 'PexDecodeError'` (works across package copies) and branch on `reason`.
 */
export class PexDecodeError extends Error {
  /** Always `'PexDecodeError'`: test `name`, not `instanceof`, across package copies. */
  override readonly name = 'PexDecodeError';
  /** Machine-readable cause; stable across versions. */
  declare readonly reason: PexDecodeReason;
  /** The PEX key concerned (`added`, `added6.f`, ...), where there is one. */
  declare readonly field: string | undefined;
  /** Byte offset in the payload where the problem was found. */
  declare readonly offset: number;

  /**
   * The message is built from the arguments: `truncated in "added" at offset 8`. The reason
   * codes are the documented explanation (see `PexDecodeReason`).
   */
  constructor(reason: PexDecodeReason, offset: number, field?: string) {
    super(`${reason}${field ? ` in "${field}"` : ''} at offset ${offset}`);
    this.reason = reason;
    this.field = field;
    this.offset = offset;
  }
}

/**
 * True for a `PexDecodeError`, also one from another copy of this package.
 * @throws never, whatever `error` is.
 */
export function isPexDecodeError(error: unknown): error is PexDecodeError {
  return error instanceof Error && error.name === 'PexDecodeError' && 'reason' in error;
}

/**
 * Throws the `PexDecodeError` for `reason` at byte `offset`, naming `field` where there is one.
 * A call, unlike a `throw` statement, fits in an expression: it keeps the decoder small.
 * @internal
 */
export function failDecode(reason: PexDecodeReason, offset: number, field?: string): never {
  throw new PexDecodeError(reason, offset, field);
}
