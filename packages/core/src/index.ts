/**
 * @packageDocumentation
 * Peer Exchange (BEP 11, `ut_pex`) for any BitTorrent engine: encode and decode PEX messages,
 * compact IPv4/IPv6 peer lists and flag bytes, and track what to tell each connection.
 * Zero dependencies, no I/O, no clock: bytes and numbers in, bytes and numbers out.
 *
 * @example
 * ```ts
 * import { decodePexMessage, encodePexMessage, PEX_FLAG_REACHABLE } from '@pex/core';
 * const bytes = encodePexMessage({
 *   added: [{ address: new Uint8Array([192, 0, 2, 7]), port: 6881, flags: PEX_FLAG_REACHABLE }],
 *   added6: [], dropped: [], dropped6: [],
 * });
 * const message = decodePexMessage(bytes); // message.added[0].port === 6881
 * ```
 */

// Every export by name, in module order (Biome sorts them). Message codec (also in codec.ts):
// decode-message, encode-message, errors, the flag bits, limits, types. Helpers: compact,
// decoded-peer, flags, peer-key. State: defaults, inbound-view, outbound-tracker, state-types,
// swarm-timeline.
export { decodeCompactPeers, encodeCompactPeers } from './compact-peers.js';
export { decodePexMessage } from './decode-message.js';
export {
  DEFAULT_FIRST_MESSAGE_MAX_ADDED,
  DEFAULT_INBOUND_BURST_MESSAGES,
  DEFAULT_INBOUND_MAX_ADDED_PER_MESSAGE,
  DEFAULT_INBOUND_MAX_DROPPED_PER_MESSAGE,
  DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE,
  DEFAULT_INBOUND_REFILL_MS,
  DEFAULT_SEND_INTERVAL_MS,
  MAX_ADDED_PER_MESSAGE,
  MAX_DROPPED_PER_MESSAGE,
} from './defaults.js';
export { encodePexMessage } from './encode-message.js';
export {
  isPexDecodeError,
  PEX_DECODE_REASONS,
  PexDecodeError,
  type PexDecodeReason,
} from './errors.js';
export {
  decodePexFlags,
  encodePexFlags,
  PEX_FLAG_PREFERS_ENCRYPTION,
  PEX_FLAG_REACHABLE,
  PEX_FLAG_SUPPORTS_HOLEPUNCH,
  PEX_FLAG_SUPPORTS_UTP,
  PEX_FLAG_UPLOAD_ONLY,
  type PexFlags,
} from './flags.js';
export {
  createInboundView,
  type InboundDrop,
  type InboundPeer,
  type InboundResult,
  type InboundView,
  type InboundViewOptions,
  type PexViolation,
} from './inbound-view.js';
export { DEFAULT_PEX_LIMITS, resolvePexLimits } from './limits.js';
export { createOutboundTracker, type OutboundTracker } from './outbound-tracker.js';
export {
  formatPeerAddress,
  type PeerKey,
  peerKey,
  peerKeyAddress,
  peerKeyFamily,
  peerKeyPort,
} from './peer-key.js';
export type { PexOutbound, PexOutboundOptions } from './pex-outbound.js';
export {
  createSwarmTimeline,
  type SwarmTimeline,
  type SwarmTimelineCursor,
} from './swarm-timeline.js';
export type {
  AddedPeer,
  AddressFamily,
  CompactPeer,
  DecodedPexMessage,
  PexLimits,
  PexListName,
  PexMessage,
} from './types.js';
