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
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`"options" expected an object, got ${String(options)}`);
  }
  const given = options ?? {};
  const resolved: ResolvedOutboundOptions = {
    intervalMs: given.intervalMs ?? base?.intervalMs ?? DEFAULT_SEND_INTERVAL_MS,
    firstMessageMaxAdded:
      given.firstMessageMaxAdded ?? base?.firstMessageMaxAdded ?? DEFAULT_FIRST_MESSAGE_MAX_ADDED,
    maxAddedPerMessage:
      given.maxAddedPerMessage ?? base?.maxAddedPerMessage ?? MAX_ADDED_PER_MESSAGE,
    maxDroppedPerMessage:
      given.maxDroppedPerMessage ?? base?.maxDroppedPerMessage ?? MAX_DROPPED_PER_MESSAGE,
    remote: 'remote' in given ? given.remote : base?.remote,
  };
  assertInteger(resolved.intervalMs, 'intervalMs', 0);
  assertInteger(resolved.firstMessageMaxAdded, 'firstMessageMaxAdded', 1);
  assertInteger(resolved.maxAddedPerMessage, 'maxAddedPerMessage', 1);
  assertInteger(resolved.maxDroppedPerMessage, 'maxDroppedPerMessage', 1);
  assertOptionalPeerKey(resolved.remote, 'remote');
  return resolved;
}

/**
 * @throws {RangeError} if `value` is not a safe integer of at least `min` (0 or 1).
 * @internal
 */
export function assertInteger(value: unknown, field: string, min: 0 | 1): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    const expected = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new RangeError(`"${field}" expected ${expected}, got ${String(value)}`);
  }
}

/**
 * @throws {RangeError} if `now` is not a finite number.
 * @internal
 */
export function assertTime(now: unknown): asserts now is number {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new RangeError(`"now" expected a finite number of ms, got ${String(now)}`);
  }
}
