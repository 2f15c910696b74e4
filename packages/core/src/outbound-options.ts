import { argumentError } from './argument-error.js';
import {
  DEFAULT_FIRST_MESSAGE_MAX_ADDED,
  DEFAULT_SEND_INTERVAL_MS,
  MAX_ADDED_PER_MESSAGE,
  MAX_DROPPED_PER_MESSAGE,
} from './defaults.js';
import type { PeerKey } from './peer-key.js';
import { assertOptionalPeerKey } from './peer-record.js';
import type { PexOutboundOptions } from './state-types.js';

/** `PexOutboundOptions` with every default filled in. @internal */
export interface ResolvedOutboundOptions {
  readonly intervalMs: number;
  readonly firstMessageMaxAdded: number;
  readonly maxAddedPerMessage: number;
  readonly maxDroppedPerMessage: number;
  readonly remote: PeerKey | undefined;
}

/** The number options and their defaults, in the order they are checked. */
const OUTBOUND_DEFAULTS = {
  intervalMs: DEFAULT_SEND_INTERVAL_MS,
  firstMessageMaxAdded: DEFAULT_FIRST_MESSAGE_MAX_ADDED,
  maxAddedPerMessage: MAX_ADDED_PER_MESSAGE,
  maxDroppedPerMessage: MAX_DROPPED_PER_MESSAGE,
} as const;

/**
 * Fills in defaults (from `base`, then the library defaults) and validates.
 * @throws {TypeError} if `options` is not an object or `remote` not a peer key.
 * @throws {RangeError} if `intervalMs` is not a non-negative integer or a cap not a positive integer.
 * @internal
 */
export function resolveOutboundOptions(
  options: PexOutboundOptions | undefined,
  base?: ResolvedOutboundOptions,
): ResolvedOutboundOptions {
  const given = givenOptions(options);
  const resolved: Record<string, unknown> = {};
  for (const field of Object.keys(OUTBOUND_DEFAULTS) as (keyof typeof OUTBOUND_DEFAULTS)[]) {
    const value = given[field] ?? base?.[field] ?? OUTBOUND_DEFAULTS[field];
    assertInteger(value, field, field === 'intervalMs' ? 0 : 1);
    resolved[field] = value;
  }
  resolved.remote = 'remote' in given ? given.remote : base?.remote;
  assertOptionalPeerKey(resolved.remote, 'remote');
  return resolved as unknown as ResolvedOutboundOptions;
}

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
