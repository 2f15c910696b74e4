/**
 * @packageDocumentation
 * fast-check arbitraries for Peer Exchange (BEP 11, `ut_pex`): peers, flag bytes, valid PEX
 * messages, well-formed payloads with the message they decode to, and malformed payloads with
 * the `PexDecodeReason` a decoder must give. For property tests of your own PEX code.
 *
 * @example
 * ```ts
 * import { arbitraryMalformedPexPayload, arbitraryPexMessage } from '@pex/arbitraries';
 * import { decodePexMessage, encodePexMessage, isPexDecodeError } from '@pex/core';
 * import fc from 'fast-check';
 *
 * fc.assert(fc.property(arbitraryPexMessage(), (message) => {
 *   decodePexMessage(encodePexMessage(message)); // never throws
 * }));
 * fc.assert(fc.property(arbitraryMalformedPexPayload(), ({ bytes, reason }) => {
 *   try { decodePexMessage(bytes); return false; }
 *   catch (error) { return isPexDecodeError(error) && error.reason === reason; }
 * }));
 * ```
 */

export { arbitraryPexMessage, type PexMessageArbitraryOptions } from './messages.js';
export {
  arbitraryMalformedPexPayload,
  arbitraryPexPayload,
  type MalformedPexPayload,
  type MalformedPexPayloadArbitraryOptions,
  type PexPayload,
  type PexPayloadArbitraryOptions,
} from './payloads.js';
export {
  arbitraryIpv4Peer,
  arbitraryIpv6Peer,
  arbitraryPexFlags,
  arbitraryPort,
  type PeerArbitraryOptions,
} from './peers.js';
