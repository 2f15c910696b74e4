import utPexFactory from 'ut_pex';
import type { FakeWire } from './fake-wire.js';

/**
 * ut_pex 5.0.2's extension as the cases drive it, private members included: `_sendMessage`
 * is its send path (normally run by a 65 s `setInterval`), `_lastMessageTimestamp` its rate
 * check, `_localAddedPeers` / `_localDroppedPeers` its pending changes.
 */
export interface IncumbentExtension {
  addPeer(peer: string, flags?: Record<string, boolean>): void;
  dropPeer(peer: string): void;
  onMessage(payload: Uint8Array): void;
  reset(): void;
  on(event: 'peer', listener: (peer: string, flags: { isReachable: boolean }) => void): unknown;
  _sendMessage(): void;
  _lastMessageTimestamp: number;
  _localAddedPeers: Record<string, unknown>;
  _localDroppedPeers: Record<string, unknown>;
}

/** `wire.use(utPex())` as ut_pex's README does it: a new class per wire. */
export function createIncumbent(wire: FakeWire): IncumbentExtension {
  const Extension = utPexFactory() as unknown as new (wire: FakeWire) => IncumbentExtension;
  return new Extension(wire);
}

/**
 * ut_pex destroys the wire when two messages arrive less than 60 s apart by `Date.now()`. The
 * cases deliver many messages per millisecond, so before each one the last arrival is pushed
 * back to the epoch: the check runs and passes, as it would for a sender keeping to 60 s.
 */
export function allowNextMessage(extension: IncumbentExtension): void {
  extension._lastMessageTimestamp = 0;
}
