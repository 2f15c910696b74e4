import { argumentError } from './argument-error.js';
import {
  DEFAULT_FIRST_MESSAGE_MAX_ADDED,
  DEFAULT_SEND_INTERVAL_MS,
  MAX_ADDED_PER_MESSAGE,
  MAX_DROPPED_PER_MESSAGE,
  RELAXATION_LIVE_PEERS_BELOW,
  RELAXATION_MAX_DEPARTED,
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
  /** BEP 11's relaxation, or undefined when off. */
  readonly relaxation: ResolvedRelaxation | undefined;
}

/** The relaxation's numbers, checked. @internal */
export interface ResolvedRelaxation {
  readonly livePeersBelow: number;
  readonly maxDeparted: number;
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
 * @throws {RangeError} if `intervalMs` is not a non-negative integer, a cap not a positive
 *   integer, or a relaxation number not an integer 1..25.
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
  resolved.relaxation =
    'relaxation' in given ? resolveRelaxation(given.relaxation) : base?.relaxation;
  return resolved as unknown as ResolvedOutboundOptions;
}

/**
 * @throws {TypeError} if `relaxation` is neither undefined nor an object.
 * @throws {RangeError} if one of its numbers is not an integer 1..25 (BEP 11's numbers are the
 *   most it allows).
 */
function resolveRelaxation(
  relaxation: PexOutboundOptions['relaxation'],
): ResolvedRelaxation | undefined {
  if (relaxation === undefined) return undefined;
  if (typeof relaxation !== 'object' || relaxation === null) {
    throw argumentError(TypeError, 'relaxation', 'an object', relaxation);
  }
  const livePeersBelow = relaxation.livePeersBelow ?? RELAXATION_LIVE_PEERS_BELOW;
  const maxDeparted = relaxation.maxDeparted ?? RELAXATION_MAX_DEPARTED;
  for (const [field, value, max] of [
    ['relaxation.livePeersBelow', livePeersBelow, RELAXATION_LIVE_PEERS_BELOW],
    ['relaxation.maxDeparted', maxDeparted, RELAXATION_MAX_DEPARTED],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw argumentError(RangeError, field, `an integer 1..${max}`, value);
    }
  }
  return { livePeersBelow, maxDeparted };
}
