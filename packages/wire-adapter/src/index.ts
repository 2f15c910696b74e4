/**
 * @packageDocumentation
 * Peer Exchange for `bittorrent-protocol` 5.x wires: `utPex()` is a drop-in replacement for the
 * npm `ut_pex` 5.x extension (same methods and events, plus typed events through `.session`),
 * and `createPexSwarm()` advertises every connected peer to every other wire of a torrent.
 *
 * @example
 * ```ts
 * import Wire from 'bittorrent-protocol';
 * import { pexOf, utPex } from '@pex/wire-adapter';
 *
 * const wire = new Wire();
 * wire.use(utPex());
 * const pex = pexOf(wire); // wire.ut_pex, typed
 * pex.on('peer', (peer, flags) => console.log('learned', peer, flags.isReachable));
 * pex.start();
 * ```
 */

export { PexHandshakeError } from './handshake-error.js';
export { pexOf } from './pex-of.js';
export { createPexSwarm } from './swarm.js';
export type {
  PexSwarm,
  PexSwarmDroppedEvent,
  PexSwarmEvents,
  PexSwarmOptions,
  PexSwarmPeerEvent,
  PexSwarmRefusedEvent,
  PexSwarmWireInfo,
} from './swarm-types.js';
export { utPex, utPex as default } from './ut-pex-extension.js';
export type { UtPexFlags } from './ut-pex-flags.js';
export type { UtPexEvents, UtPexExtension, UtPexOptions } from './ut-pex-types.js';
export { PexViolationError } from './violation-error.js';
export type { PexWire } from './wire.js';
