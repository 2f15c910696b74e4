/**
 * @packageDocumentation
 * A transport-agnostic Peer Exchange (BEP 11, `ut_pex`) session with typed events: give it a
 * `send(bytes)` function, feed it what the remote sends, tell it which peers you are connected
 * to, and listen for the peers the remote reports. Timers and clock are injectable; no `node:`
 * imports, so it runs in browsers too.
 *
 * @example
 * ```ts
 * import { createPexSession } from '@pex/events';
 *
 * const session = createPexSession({
 *   send: (bytes) => wire.extended('ut_pex', bytes),
 *   remoteAddress: `${wire.remoteAddress}:${wire.remotePort}`,
 * });
 * session.on('peer', ({ address, port, flags }) => swarm.connect(address, port, flags));
 * session.on('dropped', ({ address, port }) => swarm.forget(address, port));
 * session.on('warning', ({ source, error }) => log.warn(`pex ${source}`, error));
 * session.start();
 * // when the remote's extended handshake lists ut_pex:
 * session.setRemoteSupportsPex();
 * // for every ut_pex payload: session.receive(payload)
 * session.addPeer('198.51.100.7:6881', { reachable: true });
 * session.addPeer('[2606:4700::1111]:51413');
 * // when the connection closes:
 * session.destroy();
 * ```
 */

export type {
  PexPeerEvent,
  PexRefusalReason,
  PexRefusedEvent,
  PexSentEvent,
  PexSessionEvents,
  PexWarningEvent,
} from './events.js';
export type { PexFlagsInput, PexPeerFlags } from './flags.js';
export {
  type PeerAddress,
  type PeerAddressInput,
  type PexPeerAddress,
  parsePeerAddress,
} from './peer-address.js';
export {
  classifyPeer,
  type PexAcceptPolicy,
  type PexPolicyContext,
  type PexRefusal,
} from './peer-policy.js';
export { createPexSession } from './session.js';
export type {
  PexPrivacy,
  PexSessionOptions,
  PexViolationAction,
} from './session-options.js';
export type { PexCounters, PexSession } from './session-types.js';
export type { PexClock, PexTimers } from './timers.js';
