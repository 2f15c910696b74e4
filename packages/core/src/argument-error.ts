/**
 * Builds the error for a caller mistake: `"<field>" expected <expected>, got <value>`.
 * `Kind` is TypeError for a value of the wrong kind, RangeError for one out of range.
 * One helper for every argument check keeps the messages uniform and the bundle small.
 * @internal
 */
export function argumentError(
  Kind: TypeErrorConstructor | RangeErrorConstructor,
  field: string,
  expected: string,
  value: unknown,
): Error {
  return new Kind(`"${field}" expected ${expected}, got ${describe(value)}`);
}

/**
 * Short description of a bad value for error messages: a string quoted and cut at 40
 * characters, an object by its constructor's name (`Array`, `Uint8Array`...), anything else as
 * `String` writes it.
 * @internal
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  return typeof value === 'object' && value !== null
    ? (value.constructor?.name ?? 'object')
    : String(value);
}
