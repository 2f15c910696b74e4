/**
 * @packageDocumentation
 * Helpers the sibling packages of `@pex/core` (`@pex/events`, `@pex/wire-adapter`) share, and
 * the default numbers and accessors their tests, benchmarks and the CLI read.
 * UNSTABLE: not part of the public API, and any release may change or remove them. Import
 * `@pex/core` instead.
 */

export { checkBencodeDictionary } from './bencode-check.js';
export { findDictionaryValue, readBencodeInteger } from './bencode-dictionary.js';
export {
  DEFAULT_FIRST_MESSAGE_MAX_ADDED,
  DEFAULT_INBOUND_BURST_MESSAGES,
  DEFAULT_INBOUND_MAX_ADDED_PER_MESSAGE,
  DEFAULT_INBOUND_MAX_DROPPED_PER_MESSAGE,
  DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE,
  DEFAULT_INBOUND_REFILL_MS,
  DEFAULT_RELAY_MAX_AGE_MS,
  DEFAULT_RELAY_MAX_INTRODUCERS_PER_PEER,
  DEFAULT_RELAY_MAX_PEERS,
  DEFAULT_SEND_INTERVAL_MS,
  MAX_ADDED_PER_MESSAGE,
  MAX_DROPPED_PER_MESSAGE,
  RELAXATION_LIVE_PEERS_BELOW,
  RELAXATION_MAX_DEPARTED,
} from './defaults.js';
export { formatIpv4, formatIpv6 } from './format-address.js';
export { resolvePexLimits } from './limits.js';
export { peerKeyAddress, peerKeyFamily, peerKeyPort } from './peer-key.js';
export { createUnsharedSwarmTimeline } from './swarm-timeline.js';
export type { PexListName } from './types.js';
