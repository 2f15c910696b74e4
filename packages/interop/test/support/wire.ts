// Real bittorrent-protocol 5 wires over TCP for interop tests, and a listener that records
// incoming BitTorrent handshakes (to see a client dial a peer we advertised by PEX).
import { randomBytes } from 'node:crypto';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import Wire, { type ExtensionConstructor } from 'bittorrent-protocol';

const DEFAULT_TIMEOUT_MS = 10_000;
const HANDSHAKE_BYTES = 68; // 1 + 19 ("BitTorrent protocol") + 8 reserved + 20 info hash + 20 peer id
const PROTOCOL_NAME = 'BitTorrent protocol';

export interface OpenWireOptions {
  /** Remote address, e.g. "127.0.0.2" or "::1". */
  host: string;
  port: number;
  /** Hex info hash (40 characters). */
  infoHash: string;
  /** Source address to bind, e.g. "127.0.0.1" (default: the OS picks). */
  localAddress?: string;
  /** 20-byte peer id as hex; random "-PX0001-..." by default. */
  peerId?: string;
  /**
   * Extensions to `wire.use()` before the handshake, e.g. `[utPex()]`. Each one's
   * `prototype.name` goes into `m` of our extended handshake.
   */
  extensions?: ExtensionConstructor[];
  /**
   * Our listen port, sent as `p` in the extended handshake. libtorrent lists an incoming
   * peer in its PEX only when the peer sent `p`.
   */
  listenPort?: number;
  /** Extra keys for our extended handshake (`m` is always filled from `extensions`). */
  extendedHandshake?: Record<string, unknown>;
  /** Runs on the new wire before the handshake, after `extensions` (e.g. `swarm.addWire`). */
  setup?: (wire: Wire) => void;
  /** Bound on connect + both handshakes (default 10 s). */
  timeoutMs?: number;
}

export interface OpenedWire {
  wire: Wire;
  socket: Socket;
  /** The remote extended handshake (bencoded values as Uint8Array). */
  peerExtendedHandshake: Record<string, unknown>;
  /** The remote peer id, hex. */
  peerId: string;
  /** `performance.now()` when the remote extended handshake arrived. */
  extendedHandshakeAtMs: number;
  /** Destroys wire and socket; safe to call twice. */
  close(): void;
}

/** A random 20-byte peer id in Azureus style ("-PX0001-" + 12 random bytes), hex. */
export function randomPeerId(): string {
  return Buffer.concat([Buffer.from('-PX0001-', 'latin1'), randomBytes(12)]).toString('hex');
}

/**
 * Dials `host:port`, sends the BitTorrent handshake with `infoHash`, and resolves once the
 * remote handshake and extended handshake (BEP 10) have both arrived.
 * @throws Error on connect failure, a different info hash, a closed connection, a peer
 *   without the extension protocol, or after `timeoutMs`.
 */
export function openWire(options: OpenWireOptions): Promise<OpenedWire> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const infoHash = options.infoHash.toLowerCase();
  const wire = new Wire('tcpOutgoing');
  for (const ext of options.extensions ?? []) wire.use(ext);
  options.setup?.(wire);
  Object.assign(wire.extendedHandshake, options.extendedHandshake ?? {});
  if (options.listenPort !== undefined) wire.extendedHandshake.p = options.listenPort;

  const socket = netConnect({
    host: options.host,
    port: options.port,
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  });
  socket.setNoDelay(true);

  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    wire.destroy();
    socket.destroy();
  };
  // Plain event plumbing instead of pipe(): the wire is a streamx Duplex, the socket a Node
  // stream; test traffic is tiny, so no back-pressure handling is needed.
  socket.on('data', (chunk: Buffer) => {
    if (!closed) wire.write(chunk);
  });
  wire.on('data', (chunk: Uint8Array) => {
    if (!closed && !socket.destroyed) socket.write(chunk);
  });
  socket.on('close', close);
  wire.on('close', close);
  wire.on('end', close);
  wire.on('error', close);

  return new Promise<OpenedWire>((resolve, reject) => {
    let remoteHandshakeSeen = false;
    const fail = (err: Error): void => {
      clearTimeout(timer);
      close();
      reject(err);
    };
    const timer = setTimeout(
      () =>
        fail(
          new Error(
            `openWire ${options.host}:${options.port}: no handshake within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    socket.once('error', (err) =>
      fail(new Error(`openWire ${options.host}:${options.port}: ${err.message}`)),
    );
    socket.once('close', () =>
      fail(new Error(`openWire ${options.host}:${options.port}: connection closed`)),
    );
    socket.once('connect', () => {
      wire.handshake(infoHash, options.peerId ?? randomPeerId(), { dht: false, fast: false });
    });
    wire.on('handshake', (remoteInfoHash, _peerId, extensions) => {
      remoteHandshakeSeen = true;
      if (remoteInfoHash !== infoHash) {
        fail(new Error(`openWire: remote info hash ${remoteInfoHash}, expected ${infoHash}`));
      } else if (!extensions.extended) {
        fail(new Error('openWire: remote peer does not support the extension protocol (BEP 10)'));
      }
    });
    wire.on('extended', (ext) => {
      if (ext !== 'handshake' || !remoteHandshakeSeen) return;
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', close);
      socket.removeAllListeners('close');
      socket.on('close', close);
      resolve({
        wire,
        socket,
        peerExtendedHandshake: wire.peerExtendedHandshake,
        peerId: wire.peerId ?? '',
        extendedHandshakeAtMs: performance.now(),
        close,
      });
    });
  });
}

/** One BitTorrent handshake received by a {@link HandshakeListener}. */
export interface RecordedHandshake {
  /** Hex info hash, or null when the first bytes were not a plaintext handshake. */
  infoHash: string | null;
  /** Hex peer id, or null as above. */
  peerId: string | null;
  remoteAddress: string;
  remotePort: number;
  /** `performance.now()` when the handshake was complete. */
  atMs: number;
}

export interface HandshakeListener {
  readonly address: string;
  readonly port: number;
  /** All handshakes so far, oldest first. */
  readonly handshakes: readonly RecordedHandshake[];
  /**
   * Resolves with the first recorded handshake (past ones included) matching `predicate`.
   * @throws Error after `timeoutMs`.
   */
  waitForHandshake(
    predicate: (h: RecordedHandshake) => boolean,
    timeoutMs: number,
  ): Promise<RecordedHandshake>;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (default 127.0.0.1, a free port) and records the plaintext BitTorrent
 * handshake of each incoming connection, then closes it without answering.
 * @throws Error when the address cannot be bound.
 */
export async function listenForHandshakes(
  options: { host?: string; port?: number } = {},
): Promise<HandshakeListener> {
  const host = options.host ?? '127.0.0.1';
  const handshakes: RecordedHandshake[] = [];
  const waiters = new Set<{
    predicate: (h: RecordedHandshake) => boolean;
    resolve: (h: RecordedHandshake) => void;
  }>();
  const sockets = new Set<Socket>();

  const record = (h: RecordedHandshake): void => {
    handshakes.push(h);
    for (const w of waiters) {
      if (w.predicate(h)) {
        waiters.delete(w);
        w.resolve(h);
      }
    }
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    const remoteAddress = socket.remoteAddress ?? '';
    const remotePort = socket.remotePort ?? 0;
    let buffered = Buffer.alloc(0);
    let done = false;
    socket.setTimeout(DEFAULT_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      buffered = Buffer.concat([buffered, chunk]);
      const plaintext =
        buffered[0] === PROTOCOL_NAME.length &&
        buffered
          .subarray(1, 1 + Math.min(PROTOCOL_NAME.length, buffered.length - 1))
          .toString('latin1') ===
          PROTOCOL_NAME.slice(0, Math.min(PROTOCOL_NAME.length, buffered.length - 1));
      if (!plaintext) {
        // Most likely an encrypted (MSE) dial: record the contact, not the torrent.
        done = true;
        record({
          infoHash: null,
          peerId: null,
          remoteAddress,
          remotePort,
          atMs: performance.now(),
        });
        socket.destroy();
        return;
      }
      if (buffered.length < HANDSHAKE_BYTES) return;
      done = true;
      record({
        infoHash: buffered.subarray(28, 48).toString('hex'),
        peerId: buffered.subarray(48, 68).toString('hex'),
        remoteAddress,
        remotePort,
        atMs: performance.now(),
      });
      socket.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  if (bound === null || typeof bound === 'string')
    throw new Error('listenForHandshakes: no TCP address');

  return {
    address: bound.address,
    port: bound.port,
    handshakes,
    waitForHandshake(predicate, timeoutMs) {
      const seen = handshakes.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (h: RecordedHandshake) => {
            clearTimeout(timer);
            resolve(h);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `listenForHandshakes ${host}:${bound.port}: no matching handshake within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
