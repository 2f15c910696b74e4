import {
  DEFAULT_FIRST_MESSAGE_MAX_ADDED,
  DEFAULT_SEND_INTERVAL_MS,
  MAX_ADDED_PER_MESSAGE,
  MAX_DROPPED_PER_MESSAGE,
} from './defaults.js';
import { assertInteger, givenOptions } from './option-checks.js';
import { assertOptionalPeerKey } from './peer-checks.js';
import type { PeerKey } from './peer-key.js';
import type { PexOutboundOptions } from './pex-outbound.js';

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
