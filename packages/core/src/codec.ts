/**
 * @packageDocumentation
 * The codec of `@pex/core` alone: encode and decode PEX messages, compact IPv4/IPv6 peer lists,
 * flag bytes, peer keys and the decode error, without the state machines (outbound tracker,
 * inbound view, swarm timeline). Import `@pex/core/codec` when you only read and write messages:
 * it is a smaller bundle (see the size budget in the package README). Every export here is the
 * same binding as the one of the same name in `@pex/core`.
 *
 * @example
 * ```ts
 * import { decodePexMessage, encodePexMessage, PEX_FLAG_REACHABLE } from '@pex/core/codec';
 * const bytes = encodePexMessage({
 *   added: [{ address: new Uint8Array([192, 0, 2, 7]), port: 6881, flags: PEX_FLAG_REACHABLE }],
 *   added6: [], dropped: [], dropped6: [],
 * });
 * const message = decodePexMessage(bytes); // message.added[0].port === 6881
 * ```
 */

// Every codec export of index.ts by name, in the same order: compact, errors, flags, limits,
// message, peer-key, types. No state machine module is imported from here.
export {
  compactPeerKey,
  compactPeerSize,
  decodeCompactPeers,
  encodeCompactPeers,
} from './compact.js';
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
export { DEFAULT_PEX_LIMITS, resolvePexLimits } from './limits.js';
export { decodePexMessage, encodePexMessage } from './message.js';
export {
  formatPeerAddress,
  type PeerKey,
  peerKey,
  peerKeyAddress,
  peerKeyFamily,
  peerKeyPort,
} from './peer-key.js';
export type { AddressFamily, CompactPeer, PexLimits, PexListName, PexMessage } from './types.js';
