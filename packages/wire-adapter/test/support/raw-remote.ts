// A remote written byte by byte: frames fed straight into a real bittorrent-protocol 5 wire (its
// writable side is what a socket pipes into), and the frames the wire sends back parsed here.
// Hand-made extended handshakes reach the wire exactly as a hostile peer's would.
import { bytesOf } from '@pex/test-support';
import Wire from 'bittorrent-protocol';
import { INFO_HASH } from './wires.js';

const encoder = new TextEncoder();

/** One length-prefixed extended message (BEP 10: message id 20, then the extension id). */
export function extendedFrame(extId: number, payload: Uint8Array): Uint8Array {
  const length = payload.length + 2;
  return bytesOf(
    [length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, 20, extId],
    payload,
  );
}

/** The 68-byte BitTorrent handshake with the BEP 10 bit set. */
function handshakeFrame(): Uint8Array {
  const reserved = [0, 0, 0, 0, 0, 0x10, 0, 0];
  const infoHash = Buffer.from(INFO_HASH, 'hex');
  const peerId = encoder.encode('-RAW001-000000000001');
  return bytesOf([19], 'BitTorrent protocol', reserved, infoHash, peerId);
}

/** An extended message the wire sent: its extension id and payload. */
export interface SentExtended {
  readonly extId: number;
  readonly payload: Uint8Array;
}

/**
 * A wire of type `type` (its extensions installed by `setup`), talking to a remote that is only
 * the bytes given to `send`. `sent` lists the extended messages the wire wrote (id 0 is its own
 * extended handshake).
 */
export function createRawRemote(setup: (wire: Wire) => void, type = 'tcpIncoming') {
  const wire = new Wire(type);
  setup(wire);
  const sent: SentExtended[] = [];
  let pending: Uint8Array = new Uint8Array(0);
  let greeted = false;
  wire.on('data', (chunk: Uint8Array) => {
    pending = bytesOf(pending, chunk);
    if (!greeted) {
      if (pending.length < 68) return;
      pending = pending.subarray(68);
      greeted = true;
    }
    while (pending.length >= 4) {
      const view = new DataView(pending.buffer, pending.byteOffset, pending.length);
      const length = view.getUint32(0);
      if (pending.length < 4 + length) return;
      const body = pending.subarray(4, 4 + length);
      if (body[0] === 20) sent.push({ extId: body[1] as number, payload: body.slice(2) });
      pending = pending.subarray(4 + length);
    }
  });
  // The wire answers our handshake with its own (as an incoming connection does).
  wire.on('handshake', () => wire.handshake(INFO_HASH, 'aa'.repeat(20)));
  return {
    wire,
    sent,
    /** Writes raw bytes into the wire, as if they came from the socket. */
    send(bytes: Uint8Array): void {
      wire.write(bytes);
    },
    /** The BitTorrent handshake, then an extended handshake with `payload` (raw bencode). */
    greet(payload: Uint8Array | string): void {
      wire.write(bytesOf(handshakeFrame(), extendedFrame(0, bytesOf(payload))));
    },
    /** A later extended handshake (BEP 10 allows several). */
    rehandshake(payload: Uint8Array | string): void {
      wire.write(extendedFrame(0, bytesOf(payload)));
    },
    /** Extended messages sent under an id other than 0 (not handshakes): PEX, here. */
    pexSent(): SentExtended[] {
      return sent.filter((message) => message.extId !== 0);
    },
  };
}
