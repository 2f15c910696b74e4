import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { utPex } from '@pex/wire-adapter';
import Wire from 'bittorrent-protocol';

/** Why a probe could not start listening for PEX. */
export type ProbeFailureKind =
  /** TCP connect failed: refused, unreachable, timed out. */
  | 'connect-failed'
  /** The peer closed, answered for another torrent, or did not answer the handshake. */
  | 'handshake-rejected'
  /** The peer speaks BitTorrent but not ut_pex (no BEP 10, or no `m.ut_pex`). */
  | 'no-ut-pex';

/** A probe that failed before PEX; `kind` tells the cases apart. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  readonly kind: ProbeFailureKind;
  constructor(kind: ProbeFailureKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface ProbeConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** Hex, lower case. */
  readonly infoHash: string;
  /** Sent as `p` in our extended handshake (nothing listens there). */
  readonly listenPort: number;
  /** Bound on connect plus both handshakes. */
  readonly handshakeTimeoutMs: number;
  /** Each raw ut_pex payload, with ms since the TCP connection opened and both endpoints. */
  readonly onPex: (payload: Uint8Array, atMs: number, endpoints: ProbeEndpoints) => void;
  /** Rule violations the session noticed (e.g. messages too frequent). */
  readonly onWarning: (error: Error, atMs: number) => void;
  /** The connection closed after the handshakes. */
  readonly onClose: (atMs: number) => void;
}

/** An IP address and port. */
export interface ProbeEndpoint {
  readonly address: string;
  readonly port: number;
}

/** Both ends of a probe connection, as peers would list them. */
export interface ProbeEndpoints {
  /** The remote's IP as the socket sees it, its listen port `p` (else the port dialled). */
  readonly remote: ProbeEndpoint;
  /** Our IP on this connection and the listen port we advertised: how the remote may list us. */
  readonly local: ProbeEndpoint;
}

/** An open connection whose remote supports ut_pex. */
export interface ProbeConnection {
  readonly endpoints: ProbeEndpoints;
  readonly connectMs: number;
  /** The remote's peer id, hex. */
  readonly peerId: string;
  /** The remote's extended handshake: `v` (client), `p` (listen port), extension names. */
  readonly client: string | undefined;
  readonly remoteListenPort: number | undefined;
  readonly extensions: readonly string[];
  readonly utPexId: number;
  /** Closes the connection (`onClose` is for the remote closing it). */
  close(): void;
}

const PROBE_CLIENT = 'pex-probe 0.1.0';

/**
 * Connects to a BitTorrent peer, does the handshakes advertising ut_pex and `listenPort`, and
 * resolves once the remote's extended handshake lists ut_pex. From then on every ut_pex payload
 * goes to `onPex` as received (decoding is the caller's: it shows exactly what was sent).
 * @throws {ProbeError} `connect-failed`, `handshake-rejected` or `no-ut-pex`; the connection is
 *   closed then.
 */
export function openProbeConnection(options: ProbeConnectionOptions): Promise<ProbeConnection> {
  const startedAt = performance.now();
  let connectedAt: number | undefined;
  const sinceConnect = () => performance.now() - (connectedAt ?? startedAt);
  const wire = new Wire('tcpOutgoing');
  // Accept everything: the probe shows what the remote sent; the command marks what the
  // default policy would refuse. We advertise no peer, so the session never sends.
  wire.use(utPex({ accept: () => true }) as never);
  wire.extendedHandshake.p = options.listenPort;
  wire.extendedHandshake.v = PROBE_CLIENT;
  const socket = netConnect({ host: options.host, port: options.port });
  socket.setNoDelay(true);
  (socket as NodeJS.ReadWriteStream).pipe(wire as unknown as NodeJS.WritableStream);
  (wire as unknown as NodeJS.ReadableStream).pipe(socket);

  let closed = false;
  let ready = false;
  let settled = false;
  let endpoints: ProbeEndpoints | undefined;
  const close = (byRemote: boolean) => {
    if (closed) return;
    closed = true;
    wire.destroy();
    socket.destroy();
    if (ready && byRemote) options.onClose(sinceConnect());
  };

  return new Promise<ProbeConnection>((resolve, reject) => {
    let handshakeSeen = false;
    const fail = (kind: ProbeFailureKind, message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close(false);
      reject(new ProbeError(kind, message));
    };
    const timer = setTimeout(() => {
      if (connectedAt === undefined) {
        fail('connect-failed', `no TCP connection within ${options.handshakeTimeoutMs} ms`);
      } else {
        fail(
          'handshake-rejected',
          `no ${handshakeSeen ? 'extended handshake (BEP 10)' : 'handshake'} within ${options.handshakeTimeoutMs} ms`,
        );
      }
    }, options.handshakeTimeoutMs);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (connectedAt === undefined) {
        fail(
          'connect-failed',
          error.code === 'ECONNREFUSED' ? 'connection refused' : `cannot connect: ${error.message}`,
        );
      } else {
        fail('handshake-rejected', `connection error during the handshake: ${error.message}`);
      }
    });
    socket.on('close', () => {
      close(true);
      fail(
        'handshake-rejected',
        handshakeSeen
          ? 'the peer closed the connection after its handshake, before its extended handshake'
          : 'the peer closed the connection without answering the handshake ' +
              '(wrong info hash: it does not have this torrent, or it refused us)',
      );
    });
    wire.on('close', () => close(true));
    wire.on('error', () => close(true));
    socket.once('connect', () => {
      connectedAt = performance.now();
      wire.handshake(options.infoHash, randomBytes(20), { dht: false, fast: false });
    });
    wire.on('handshake', (...args: unknown[]) => {
      const [infoHash, , extensions] = args as [string, string, { extended?: boolean }];
      handshakeSeen = true;
      if (infoHash !== options.infoHash) {
        fail('handshake-rejected', `the peer answered for another torrent: info hash ${infoHash}`);
      } else if (extensions.extended !== true) {
        fail(
          'no-ut-pex',
          'the peer does not support the extension protocol (BEP 10), so no ut_pex',
        );
      }
    });
    wire.on('extended', (name: unknown, payload: unknown) => {
      if (
        name === 'ut_pex' &&
        payload instanceof Uint8Array &&
        endpoints !== undefined &&
        !closed
      ) {
        options.onPex(payload, sinceConnect(), endpoints);
        return;
      }
      if (name !== 'handshake' || settled) return;
      const handshake = (payload ?? {}) as Record<string, unknown>;
      const extensions = Object.keys(
        typeof handshake.m === 'object' && handshake.m !== null ? handshake.m : {},
      );
      const utPexId = wire.peerExtendedMapping.ut_pex;
      if (typeof utPexId !== 'number' || !(utPexId > 0)) {
        fail(
          'no-ut-pex',
          `the peer does not support ut_pex (its extensions: ${extensions.join(', ') || 'none'})`,
        );
        return;
      }
      ready = true;
      settled = true;
      clearTimeout(timer);
      const listenPort = handshake.p;
      endpoints = {
        remote: {
          address: socket.remoteAddress ?? options.host,
          port:
            typeof listenPort === 'number' && listenPort >= 1 && listenPort <= 65535
              ? listenPort
              : options.port,
        },
        local: { address: socket.localAddress ?? '', port: options.listenPort },
      };
      const extension = (
        wire as unknown as { ut_pex: { on(e: 'warning', l: (e: Error) => void): void } }
      ).ut_pex;
      extension.on('warning', (error) => options.onWarning(error, sinceConnect()));
      resolve({
        endpoints,
        connectMs: (connectedAt ?? startedAt) - startedAt,
        peerId: wire.peerId ?? '',
        client: readText(handshake.v),
        remoteListenPort: typeof handshake.p === 'number' ? handshake.p : undefined,
        extensions,
        utPexId,
        close: () => close(false),
      });
    });
  });
}

function readText(value: unknown): string | undefined {
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return typeof value === 'string' ? value : undefined;
}
