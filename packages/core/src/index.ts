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
// flags, peer-key. State: inbound-view, outbound-tracker, pex-outbound, relay-index,
// swarm-timeline. The default numbers, peer-key accessors and limit resolution that only sibling
// packages need are in internal.ts.
export { compareCandidates, createCandidatePool } from './candidate-pool.js';
export type {
  CandidatePool,
  CandidatePoolOptions,
  CandidateReportResult,
  PoolCandidate,
} from './candidate-pool-types.js';
export { decodeCompactPeers, encodeCompactPeers } from './compact-peers.js';
export { decodePexMessage } from './decode-message.js';
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
  type InboundPeer,
  type InboundResult,
  type InboundView,
  type InboundViewOptions,
  type PexViolation,
} from './inbound-view.js';
export { DEFAULT_PEX_LIMITS } from './limits.js';
export { createOutboundTracker, type OutboundTracker } from './outbound-tracker.js';
export { formatPeerAddress, type PeerKey, peerKey } from './peer-key.js';
export { peerPriority } from './peer-priority.js';
export type { PexOutbound, PexOutboundOptions } from './pex-outbound.js';
export { createRelayIndex, type RelayIndex, type RelayIndexOptions } from './relay-index.js';
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
  PexMessage,
} from './types.js';
