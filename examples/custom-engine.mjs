// @ts-check
// @pex/core from an engine that is not bittorrent-protocol: it owns its sockets and its clock,
// and uses core only to decide what to send and to turn messages into bytes and back.
// Time is a parameter (core never reads a clock), so a fake clock drives it here: the whole
// 3-minute story below runs in a few milliseconds. Run: node examples/custom-engine.mjs
import {
  createOutboundTracker,
  decodePexFlags,
  decodePexMessage,
  encodePexMessage,
  formatPeerAddress,
  isPexDecodeError,
  PEX_FLAG_REACHABLE,
  PEX_FLAG_SUPPORTS_UTP,
  peerKey,
} from '@pex/core';
import { DEFAULT_SEND_INTERVAL_MS } from '@pex/core/internal';

/** The engine's clock, in ms. A real engine passes its monotonic time instead. */
let now = 0;

/** What this engine would write on the wire: here, the payloads are kept to show them. */
/** @type {{ at: number, bytes: Uint8Array }[]} */
const sent = [];

// One tracker per connection. The remote itself (its listen address) is never advertised to it.
const remote = { address: new Uint8Array([203, 0, 113, 5]), port: 51413 };
const tracker = createOutboundTracker({ remote: peerKey(remote.address, remote.port) });

/** The engine's send loop for this connection: ask the tracker, encode, write. */
function pump() {
  const message = tracker.nextMessage(now);
  if (message === undefined) return;
  const bytes = encodePexMessage(message); // canonical bencode, ready for the ut_pex extension id
  sent.push({ at: now, bytes });
  console.log(
    `t=${now / 1000}s sent ${bytes.length} bytes: added ${message.added.length + message.added6.length}, dropped ${message.dropped.length + message.dropped6.length}`,
  );
}

const peerA = { address: new Uint8Array([198, 51, 100, 7]), port: 6881 };
const peerB = { address: new Uint8Array([198, 51, 100, 8]), port: 6882 };
// 2001:db8::9, an IPv6 peer
const peerC = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09);

tracker.connected({ ...peerA, flags: PEX_FLAG_REACHABLE | PEX_FLAG_SUPPORTS_UTP });
tracker.connected({ ...peerB, flags: 0 });
tracker.connected(remote); // ignored for this remote: never advertised to itself
pump(); // first message: the live list

now += 10_000;
tracker.connected({ address: peerC, port: 6883, flags: PEX_FLAG_REACHABLE });
tracker.disconnected(peerB);
pump(); // nothing: at most one message per interval (BEP 11)
console.log(`next message due at t=${(tracker.nextMessageAt() ?? 0) / 1000}s`);

now = tracker.nextMessageAt() ?? now + DEFAULT_SEND_INTERVAL_MS;
pump(); // peerC added, peerB dropped

now += 3 * DEFAULT_SEND_INTERVAL_MS;
pump(); // nothing changed: no empty message

// The receiving side of another engine: bytes in, a checked message out.
for (const { at, bytes } of sent) {
  const message = decodePexMessage(bytes);
  for (const peer of [...message.added, ...message.added6]) {
    const flags = decodePexFlags(peer.flags ?? 0);
    console.log(
      `t=${at / 1000}s remote learns ${formatPeerAddress(peer.address, peer.port)} reachable=${flags.reachable} utp=${flags.supportsUtp}`,
    );
  }
  for (const peer of [...message.dropped, ...message.dropped6]) {
    console.log(`t=${at / 1000}s remote forgets ${formatPeerAddress(peer.address, peer.port)}`);
  }
}

// Bad bytes from the network are one typed error with a stable reason, never a crash.
try {
  decodePexMessage(new TextEncoder().encode('d5:added5:12345e'));
} catch (error) {
  if (!isPexDecodeError(error)) throw error;
  console.log(`rejected a bad payload: ${error.reason}`);
}

if (sent.length !== 2) throw new Error(`expected 2 messages, sent ${sent.length}`);
console.log('ok: 2 messages in 3 minutes of engine time');
