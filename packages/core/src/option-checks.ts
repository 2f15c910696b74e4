import { argumentError } from './argument-error.js';

// Checks of option values shared by the state machines' factories.

/**
 * `options`, or `{}` when undefined.
 * @throws {TypeError} if `options` is neither undefined nor an object.
 * @internal
 */
export function givenOptions<T extends object>(options: T | undefined): Partial<T> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw argumentError(TypeError, 'options', 'an object', options);
  }
  return options ?? {};
}

/**
 * @throws {RangeError} if `value` is not a safe integer of at least `min` (0 or 1).
 * @internal
 */
export function assertInteger(value: unknown, field: string, min: 0 | 1): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const expected = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw argumentError(RangeError, field, expected, value);
  }
}

/**
 * @throws {RangeError} if `now` is not a finite number.
 * @internal
 */
export function assertTime(now: unknown): asserts now is number {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw argumentError(RangeError, 'now', 'a finite number of ms', now);
  }
}
