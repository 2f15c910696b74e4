/**
 * @packageDocumentation
 * The message codec of `@pex/core` alone: `decodePexMessage` and `encodePexMessage`, their
 * error, limits, flag bits and types. Import `@pex/core/codec` when you only read and write PEX
 * messages: the whole entry is under 3 kB minified and gzipped, even for a bundler that cannot
 * drop unused exports (see the size budget in the package README).
 *
 * The helpers around the codec (compact lists on their own, flag bytes as booleans, peer keys)
 * and the state machines are exported by `@pex/core`. Every export here is the same binding as
 * the one of the same name in `@pex/core`.
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

// Named re-exports of index.ts, in the same order. No state machine module and none of the
// helpers is imported from here: each would add to every bundle of this entry.
export { decodePexMessage } from './decode-message.js';
export { encodePexMessage } from './encode-message.js';
export {
  isPexDecodeError,
  PexDecodeError,
  type PexDecodeReason,
} from './errors.js';
export {
  PEX_FLAG_PREFERS_ENCRYPTION,
  PEX_FLAG_REACHABLE,
  PEX_FLAG_SUPPORTS_HOLEPUNCH,
  PEX_FLAG_SUPPORTS_UTP,
  PEX_FLAG_UPLOAD_ONLY,
} from './flags.js';
export { DEFAULT_PEX_LIMITS } from './limits.js';
export type {
  AddedPeer,
  AddressFamily,
  CompactPeer,
  DecodedPexMessage,
  PexLimits,
  PexListName,
  PexMessage,
} from './types.js';
