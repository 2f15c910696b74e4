// A tiny raw BitTorrent peer for hostile tests: it writes the bytes an attacker chooses on a
// plain net.Socket (no bittorrent-protocol Wire on this side, so malformed bencode, bad ids and
// torn frames go out exactly as written) and parses what the victim sends back, recording every
// extended message (BEP 10) as { extId, payload }.
//
// Wire format (BEP 3 / BEP 10):
//   handshake: <19><"BitTorrent protocol"><8 reserved bytes><20-byte info hash><20-byte peer id>
//              (reserved byte 5, bit 0x10: the extension protocol of BEP 10)
//   message:   <4-byte big-endian length><1-byte id><payload>
//   extended:  message id 20, then <1-byte extended id><payload>; extended id 0 is the
//              extended handshake (a bencoded dictionary whose `m` maps names to ids).
import { connect as netConnect } from 'node:net';
import bencode from 'bencode';

export const PSTR = 'BitTorrent protocol';
export const HANDSHAKE_LENGTH = 1 + PSTR.length + 8 + 20 + 20; // 68
export const MESSAGE_EXTENDED = 20;
export const INFO_HASH = '0123456789abcdef0123456789abcdef01234567';
/** Frames longer than this from the victim are treated as a protocol error (no legit one is). */
const MAX_FRAME = 4 * 1024 * 1024;

/** Bytes of a latin1 string (one byte per character, so bencode text can be written as is). */
export function ascii(text) {
  return Buffer.from(text, 'latin1');
}

/** A 20-byte peer id as hex, unique per `n`. */
export function peerIdHex(n) {
  return Buffer.from(`-PXATK1-${String(n).padStart(12, '0')}`, 'latin1').toString('hex');
}

/** The 68-byte handshake; `extended` sets reserved byte 5 bit 0x10 (BEP 10). */
export function handshakeBytes(infoHashHex, peerIdHexString, { extended = true } = {}) {
  const bytes = Buffer.alloc(HANDSHAKE_LENGTH);
  bytes[0] = PSTR.length;
  bytes.write(PSTR, 1, 'latin1');
  if (extended) bytes[1 + PSTR.length + 5] = 0x10;
  Buffer.from(infoHashHex, 'hex').copy(bytes, 1 + PSTR.length + 8);
  Buffer.from(peerIdHexString, 'hex').copy(bytes, 1 + PSTR.length + 28);
  return bytes;
}

/** One length-prefixed message: <length><id><payload>. */
export function messageBytes(id, payload = Buffer.alloc(0)) {
  const bytes = Buffer.alloc(5 + payload.length);
  bytes.writeUInt32BE(1 + payload.length, 0);
  bytes[4] = id;
  Buffer.from(payload.buffer, payload.byteOffset, payload.length).copy(bytes, 5);
  return bytes;
}

/** One extended message: message id 20, the extended id byte, then `payload` as raw bytes. */
export function extendedBytes(extId, payload) {
  const body = Buffer.alloc(1 + payload.length);
  body[0] = extId;
  Buffer.from(payload.buffer, payload.byteOffset, payload.length).copy(body, 1);
  return messageBytes(MESSAGE_EXTENDED, body);
}

/**
 * A hand-written extended handshake: `utPexValue` is the raw bencode of `m.ut_pex` (e.g.
 * `'i3e'`, `'i256e'`, `'1:1'`, `'li5ee'`) or undefined for an `m` without ut_pex; `p` the
 * listen port (omitted when undefined). Keys in sorted order, as bencode wants.
 */
export function extendedHandshakePayload({ utPexValue, p } = {}) {
  const m = utPexValue === undefined ? 'de' : `d6:ut_pex${utPexValue}e`;
  const port = p === undefined ? '' : `1:pi${p}e`;
  return ascii(`d1:m${m}${port}e`);
}

/** Compact IPv4 peers: 4 address bytes then 2 port bytes big-endian, per peer. */
export function compactPeers(peers) {
  const bytes = Buffer.alloc(6 * peers.length);
  peers.forEach((peer, i) => {
    const [address, port] = peer.split(':');
    address.split('.').forEach((octet, j) => {
      bytes[6 * i + j] = Number(octet);
    });
    bytes.writeUInt16BE(Number(port), 6 * i + 4);
  });
  return bytes;
}

/** The `"a.b.c.d:port"` strings of a compact IPv4 list (a trailing partial entry is ignored). */
export function parseCompactPeers(bytes) {
  const peers = [];
  if (!(bytes instanceof Uint8Array)) return peers;
  for (let at = 0; at + 6 <= bytes.length; at += 6) {
    const port = (bytes[at + 4] << 8) | bytes[at + 5];
    peers.push(`${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}:${port}`);
  }
  return peers;
}

/** A valid ut_pex payload adding `peers` (IPv4 "a.b.c.d:port"), hand-encoded. */
export function pexPayload(peers, flags = 0) {
  const added = compactPeers(peers);
  const addedF = Buffer.alloc(peers.length, flags);
  return Buffer.concat([
    ascii(`d5:added${added.length}:`),
    added,
    ascii(`7:added.f${addedF.length}:`),
    addedF,
    ascii('e'),
  ]);
}

/** Decodes a ut_pex payload the victim sent: its IPv4 `added` / `dropped`, or undefined. */
export function decodePex(payload) {
  try {
    const dict = bencode.decode(payload);
    if (dict === null || typeof dict !== 'object') return undefined;
    return { added: parseCompactPeers(dict.added), dropped: parseCompactPeers(dict.dropped) };
  } catch {
    return undefined;
  }
}

/** A raw peer on one socket: writes what it is told, records what the victim sends. */
export class RawPeer {
  /** Connects to 127.0.0.1:`port`; resolves once connected (rejects on a connect error). */
  static connect(port, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      const onError = (error) => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.removeListener('error', onError);
        resolve(new RawPeer(socket));
      });
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.localPort = socket.localPort;
    /** The victim's BitTorrent handshake: { infoHash, peerId, extended }. */
    this.remoteHandshake = undefined;
    /** The victim's extended handshake, decoded (the first extended message with id 0). */
    this.remoteExtendedHandshake = undefined;
    /** The victim's `m.ut_pex` (the id to send our PEX under), if it advertised one. */
    this.remotePexId = undefined;
    /** Every extended message from the victim, in order: { extId, payload, at, isHandshake }. */
    this.extended = [];
    /** Count of non-extended messages (and keep-alives) from the victim. */
    this.otherMessages = 0;
    this.protocolErrors = [];
    this.errors = [];
    this.closed = false;
    this.bytesReceived = 0;
    this.#chunks = [];
    this.#size = 0;
    socket.on('data', (chunk) => this.#onData(chunk));
    socket.on('error', (error) => this.errors.push(error.code ?? error.message));
    socket.on('close', () => {
      this.closed = true;
    });
  }

  #chunks;
  #size;
  #handshakeDone = false;

  /** Writes raw bytes (ignored once the socket is gone); false when it could not. */
  write(bytes) {
    if (this.socket.destroyed || !this.socket.writable) return false;
    this.socket.write(bytes);
    return true;
  }

  sendHandshake({ infoHash = INFO_HASH, peerId = peerIdHex(1), extended = true } = {}) {
    return this.write(handshakeBytes(infoHash, peerId, { extended }));
  }

  sendMessage(id, payload) {
    return this.write(messageBytes(id, payload));
  }

  sendExtended(extId, payload) {
    return this.write(extendedBytes(extId, payload));
  }

  /** Extended messages other than the victim's extended handshake. */
  get nonHandshake() {
    return this.extended.filter((message) => !message.isHandshake);
  }

  /** Resolves true once `predicate()` holds, false after `timeoutMs` (or when closed, if asked). */
  async waitFor(predicate, timeoutMs, { untilClosed = false } = {}) {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() >= deadline || (untilClosed && this.closed)) return predicate();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  }

  /** Waits for the victim's BitTorrent and extended handshakes. */
  waitForHandshakes(timeoutMs = 3_000) {
    return this.waitFor(() => this.remoteExtendedHandshake !== undefined, timeoutMs, {
      untilClosed: true,
    });
  }

  /** Destroys the socket; resolves once it closed. */
  close() {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', resolve);
      this.socket.destroy();
    });
  }

  #onData(chunk) {
    this.bytesReceived += chunk.length;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    let buffer = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks);
    let at = 0;
    for (;;) {
      if (!this.#handshakeDone) {
        if (buffer.length - at < HANDSHAKE_LENGTH) break;
        if (buffer[at] !== PSTR.length || buffer.toString('latin1', at + 1, at + 20) !== PSTR) {
          this.protocolErrors.push('bad handshake');
          this.socket.destroy();
          return;
        }
        this.remoteHandshake = {
          extended: (buffer[at + 25] & 0x10) !== 0,
          infoHash: buffer.toString('hex', at + 28, at + 48),
          peerId: buffer.toString('hex', at + 48, at + 68),
        };
        this.#handshakeDone = true;
        at += HANDSHAKE_LENGTH;
        continue;
      }
      if (buffer.length - at < 4) break;
      const length = buffer.readUInt32BE(at);
      if (length > MAX_FRAME) {
        this.protocolErrors.push(`frame of ${length} bytes`);
        this.socket.destroy();
        return;
      }
      if (buffer.length - at < 4 + length) break;
      const body = buffer.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      if (length >= 2 && body[0] === MESSAGE_EXTENDED) this.#onExtended(body[1], body.subarray(2));
      else this.otherMessages++;
    }
    buffer = buffer.subarray(at);
    this.#chunks = buffer.length === 0 ? [] : [Buffer.from(buffer)];
    this.#size = buffer.length;
  }

  #onExtended(extId, payload) {
    // bittorrent-protocol sends its extended handshake once: a later id-0 message is not one.
    const isHandshake = extId === 0 && this.remoteExtendedHandshake === undefined;
    this.extended.push({ extId, payload: Buffer.from(payload), at: Date.now(), isHandshake });
    if (!isHandshake) return;
    let dict;
    try {
      dict = bencode.decode(payload);
    } catch (error) {
      this.protocolErrors.push(`undecodable extended handshake: ${error.message}`);
      dict = {};
    }
    this.remoteExtendedHandshake = dict;
    const id = dict?.m?.ut_pex;
    if (typeof id === 'number') this.remotePexId = id;
  }
}
