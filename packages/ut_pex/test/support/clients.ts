// Small BitTorrent clients on 127.0.0.1 that use ut_pex the way WebTorrent does: every wire is
// real bittorrent-protocol 5 over TCP, `remoteAddress`/`remotePort` are set, and the extension
// is installed after the BitTorrent handshake (on 'handshake'), never started or fed by the app.
import { once } from 'node:events';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import type { UtPexExtension } from '@pex/wire-adapter';
import Wire from 'bittorrent-protocol';

export const INFO_HASH = 'aa'.repeat(20);

export interface Client {
  readonly name: string;
  readonly port: number;
  readonly wires: Wire[];
  /** `"ip:port"` of every `peer` event on any wire's ut_pex, in order. */
  readonly learned: string[];
  /** `"ip:port"` of every `dropped` event. */
  readonly dropped: string[];
  readonly warnings: Error[];
  /** ut_pex payloads received on any wire. */
  readonly pexReceived: number;
  connect(port: number): Promise<Wire>;
  close(): Promise<void>;
}

type Factory = () => new (wire: Wire) => unknown;

let ids = 0;

/**
 * A client listening on 127.0.0.1; `makeFactory` gets its listen port (for a factory that is
 * told it) and returns the ut_pex factory its wires use.
 */
export async function startClient(
  name: string,
  makeFactory: (listenPort: number) => Factory,
  setup: (wire: Wire) => void = () => {},
): Promise<Client> {
  let factory: Factory = () => {
    throw new Error('not listening yet');
  };
  const peerId = Buffer.from(`-PX0001-${String(++ids).padStart(12, '0')}`).toString('hex');
  const wires: Wire[] = [];
  const sockets = new Set<Socket>();
  const client = {
    name,
    port: 0,
    wires,
    learned: [] as string[],
    dropped: [] as string[],
    warnings: [] as Error[],
    pexReceived: 0,
  };
  const attach = (socket: Socket, type: string, dialledPort?: number) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const wire = new Wire(type);
    wires.push(wire);
    (wire as unknown as { remoteAddress: string }).remoteAddress = socket.remoteAddress as string;
    (wire as unknown as { remotePort: number }).remotePort =
      dialledPort ?? (socket.remotePort as number);
    setup(wire);
    socket.pipe(wire as unknown as NodeJS.WritableStream);
    (wire as unknown as NodeJS.ReadableStream).pipe(socket);
    socket.on('error', () => wire.destroy());
    socket.on('close', () => wire.destroy());
    wire.on('close', () => socket.destroy());
    wire.on('extended', (ext) => {
      if (ext === 'ut_pex') client.pexReceived++;
    });
    wire.on('handshake', () => {
      // As WebTorrent's _onWire: the extension goes on once the remote's handshake arrived.
      wire.use(factory() as never);
      const pex = (wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
      pex.on('peer', (peer) => client.learned.push(peer));
      pex.on('dropped', (peer) => client.dropped.push(peer));
      pex.on('warning', (error) => client.warnings.push(error));
      if (type === 'tcpIncoming') wire.handshake(INFO_HASH, peerId);
    });
    return wire;
  };
  const server: Server = createServer((socket) => attach(socket, 'tcpIncoming'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  client.port = (server.address() as { port: number }).port;
  factory = makeFactory(client.port);
  return {
    ...client,
    get port() {
      return client.port;
    },
    get pexReceived() {
      return client.pexReceived;
    },
    async connect(port: number) {
      const socket = netConnect({ host: '127.0.0.1', port });
      await once(socket, 'connect');
      const wire = attach(socket, 'tcpOutgoing', port);
      wire.handshake(INFO_HASH, peerId);
      return wire;
    },
    async close() {
      for (const wire of wires) wire.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Waits until `predicate()` holds (polling), for at most `timeoutMs`. */
export { waitUntil } from '@pex/test-support';
