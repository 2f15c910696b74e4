import type { CandidatePoolOptions } from './candidate-pool-types.js';
import {
  DEFAULT_POOL_HAND_OUT_WINDOW_MS,
  DEFAULT_POOL_MAX_AGE_MS,
  DEFAULT_POOL_MAX_CANDIDATES,
  DEFAULT_POOL_MAX_CANDIDATES_PER_SUBNET,
  DEFAULT_POOL_MAX_PORTS_PER_ADDRESS,
  DEFAULT_POOL_MAX_SOURCES,
  DEFAULT_POOL_MAX_SOURCES_PER_CANDIDATE,
  DEFAULT_POOL_SOURCE_SHARE_DIVISOR,
} from './defaults.js';
import { assertInteger, givenOptions } from './option-checks.js';
import { toPeerKey } from './peer-checks.js';
import type { CompactPeer } from './types.js';

export interface ResolvedPoolOptions {
  readonly maxCandidates: number;
  readonly maxCandidatesPerSource: number;
  readonly maxSources: number;
  readonly maxSourcesPerCandidate: number;
  readonly maxCandidatesPerSubnet: number;
  readonly maxPortsPerAddress: number;
  readonly maxAgeMs: number;
  readonly handOutWindowMs: number;
}

/** Our own address as remotes see it. */
export type OwnAddress = Pick<CompactPeer, 'address' | 'port'>;

export function resolvePoolOptions(options: CandidatePoolOptions | undefined): {
  settings: ResolvedPoolOptions;
  wanted: number;
  own: OwnAddress | undefined;
} {
  const given = givenOptions(options);
  const maxCandidates = given.maxCandidates ?? DEFAULT_POOL_MAX_CANDIDATES;
  assertInteger(maxCandidates, 'maxCandidates', 1);
  const settings: ResolvedPoolOptions = {
    maxCandidates,
    maxCandidatesPerSource:
      given.maxCandidatesPerSource ?? Math.ceil(maxCandidates / DEFAULT_POOL_SOURCE_SHARE_DIVISOR),
    maxSources: given.maxSources ?? DEFAULT_POOL_MAX_SOURCES,
    maxSourcesPerCandidate: given.maxSourcesPerCandidate ?? DEFAULT_POOL_MAX_SOURCES_PER_CANDIDATE,
    maxCandidatesPerSubnet: given.maxCandidatesPerSubnet ?? DEFAULT_POOL_MAX_CANDIDATES_PER_SUBNET,
    maxPortsPerAddress: given.maxPortsPerAddress ?? DEFAULT_POOL_MAX_PORTS_PER_ADDRESS,
    maxAgeMs: given.maxAgeMs ?? DEFAULT_POOL_MAX_AGE_MS,
    handOutWindowMs: given.handOutWindowMs ?? DEFAULT_POOL_HAND_OUT_WINDOW_MS,
  };
  for (const [field, value] of Object.entries(settings)) assertInteger(value, field, 1);
  const wanted = given.wanted ?? Number.POSITIVE_INFINITY;
  if (wanted !== Number.POSITIVE_INFINITY) assertInteger(wanted, 'wanted', 0);
  return { settings, wanted, own: copyOwnAddress(given.ownAddress) };
}

/**
 * `own`, checked and copied (the caller may reuse its bytes), or undefined.
 * @throws {TypeError|RangeError} as `createCandidatePool` documents for `ownAddress`.
 */
export function copyOwnAddress(own: OwnAddress | undefined): OwnAddress | undefined {
  if (own === undefined) return undefined;
  toPeerKey(own, 'ownAddress');
  return { address: Uint8Array.from(own.address), port: own.port };
}
