// Type-level tests, checked by `tsc -p tsconfig.json --noEmit` (jest does not run this file:
// its transform does not type-check). Every `@ts-expect-error` line must be an error, or tsc
// fails with "Unused '@ts-expect-error' directive".
import type { PexDecodeReason } from '@pex/core';
import {
  createPexSession,
  type PexCounters,
  type PexPeerEvent,
  type PexRefusalReason,
  type PexSession,
  type PexSessionEvents,
} from '@pex/events';
import type { PexWarningSource } from '@pex/events/internal';

declare const session: PexSession;

// Right names and payloads compile, and `on` chains to the session.
session
  .on('peer', (peer) => {
    const address: string = peer.address;
    const port: number = peer.port;
    const family: 4 | 6 = peer.family;
    const reachable: boolean = peer.flags.reachable;
    const byte: number = peer.flags.byte;
    void [address, port, family, reachable, byte];
  })
  .on('dropped', ({ address, port, family }) => void [address, port, family])
  .on('invalid', (error) => {
    const reason: PexDecodeReason = error.reason;
    void reason;
  })
  .on('violation', ({ reason, amount, limit }) => void [reason, amount, limit])
  .on(
    'sent',
    ({ added, added6, dropped, dropped6, bytes }) => void [added, added6, dropped, dropped6, bytes],
  )
  .on('warning', ({ source, error }) => {
    const where: PexWarningSource = source;
    void [where, error];
  })
  .on('refused', ({ address, port, family, reason }) => {
    const why: PexRefusalReason = reason;
    void [address, port, family, why];
  })
  .start();

// Counters are plain numbers, one per refusal reason.
const counters: PexCounters = session.getCounters();
const sourceFull: number = counters.refused['source-full'];
void sourceFull;
// @ts-expect-error an unknown refusal reason is not a key
void counters.refused.blocked;
session.once('peer', (peer: PexPeerEvent) => void peer);
session.off('peer');

// @ts-expect-error unknown event name
session.on('peers', () => {});
// @ts-expect-error unknown event name
session.once('error', () => {});
// @ts-expect-error the listener's payload type is wrong
session.on('peer', (peer: string) => void peer);
// @ts-expect-error dropped peers carry no flags
session.on('dropped', (peer) => void peer.flags);
// @ts-expect-error sent carries counts, not peers
session.on('sent', (sent) => void sent.peers);
// @ts-expect-error invalid carries a PexDecodeError, whose reason is a known code
session.on('invalid', (error) => void (error.reason === 'bad-reason'));
// @ts-expect-error a flag that BEP 11 does not name
session.on('peer', (peer) => void peer.flags.isSeed);
// @ts-expect-error family is 4 | 6
session.on('dropped', (peer) => void (peer.family === 5));
// @ts-expect-error emit is not part of the public surface
session.emit('peer', {} as PexPeerEvent);

// The event map itself: listeners take one payload object.
type PeerListener = PexSessionEvents['peer'];
const listener: PeerListener = (peer) => void peer.address;
// @ts-expect-error two arguments, as ut_pex 5.x had, is not the typed shape
const legacy: PeerListener = (peer: string, flags: number) => void [peer, flags];
void [listener, legacy];

// Options.
createPexSession({
  send: (bytes: Uint8Array) => void bytes,
  onViolation: 'disconnect',
  disconnect: () => {},
});
// @ts-expect-error send is required
createPexSession({});
// @ts-expect-error unknown onViolation action
createPexSession({ send: () => {}, onViolation: 'close' });
// @ts-expect-error send takes bytes, not a string
createPexSession({ send: (text: string) => void text });
// @ts-expect-error flags by name must be booleans
session.addPeer('1.2.3.4:6881', { reachable: 'yes' });
// @ts-expect-error an address needs a port
session.addPeer({ address: '1.2.3.4' });
