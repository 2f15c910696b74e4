// Real bittorrent-protocol 5 wires for the adapter's tests: piped back to back in process, or
// over TCP on 127.0.0.1.
import { once } from 'node:events';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import Wire from 'bittorrent-protocol';

export const INFO_HASH = '0123456789abcdef0123456789abcdef01234567';
let peerCounter = 0;

function nextPeerId(): string {
  peerCounter++;
  return Buffer.from(`-PX0001-${String(peerCounter).padStart(12, '0')}`, 'latin1').toString('hex');
}

/** Resolves once `wire` has the remote's extended handshake (or rejects after `timeoutMs`). */
export function extendedHandshakeOf(
  wire: Wire,
  timeoutMs = 5_000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no extended handshake')), timeoutMs);
    wire.on('extended', (ext, payload) => {
      if (ext === 'handshake') {
        clearTimeout(timer);
        resolve(payload as Record<string, unknown>);
      }
    });
  });
}

/**
 * Two wires piped back to back (`a` dials `b` unless `types` say otherwise). `setupA` / `setupB`
 * run before the handshakes (install extensions there). `extensions` go into both BitTorrent
 * handshakes (`{ fast: true }` turns on BEP 6, for `have-all`). Resolves when both extended
 * handshakes have arrived.
 */
export async function pipeWires(
  setupA: (wire: Wire) => void,
  setupB: (wire: Wire) => void,
  types: { readonly a?: string; readonly b?: string } = {},
  extensions: { readonly fast?: boolean } = {},
): Promise<{ a: Wire; b: Wire; close(): void }> {
  const a = new Wire(types.a ?? 'tcpOutgoing');
  const b = new Wire(types.b ?? 'tcpIncoming');
  setupA(a);
  setupB(b);
  const ready = Promise.all([extendedHandshakeOf(a), extendedHandshakeOf(b)]);
  (a as unknown as NodeJS.ReadWriteStream).pipe(b as unknown as NodeJS.WritableStream);
  (b as unknown as NodeJS.ReadWriteStream).pipe(a as unknown as NodeJS.WritableStream);
  a.handshake(INFO_HASH, nextPeerId(), extensions);
  b.handshake(INFO_HASH, nextPeerId(), extensions);
  await ready;
  return {
    a,
    b,
    close: () => {
      a.destroy();
      b.destroy();
    },
  };
}

/** A wire over a TCP socket. */
export interface TcpWire {
  wire: Wire;
  socket: Socket;
}

/**
 * Two wires connected over TCP on 127.0.0.1: `client` dials `server`. Resolves after both
 * extended handshakes. `close()` destroys wires, sockets and the listener.
 */
export async function tcpWires(
  setupClient: (wire: Wire, socket: Socket) => void,
  setupServer: (wire: Wire, socket: Socket) => void,
): Promise<{ client: TcpWire; server: TcpWire; listener: Server; close(): Promise<void> }> {
  const listener = createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const clientSocket = netConnect({ host: '127.0.0.1', port });
  await once(clientSocket, 'connect');
  const [serverSocket] = await accepted;

  const attach = (
    socket: Socket,
    type: string,
    setup: (wire: Wire, socket: Socket) => void,
  ): Wire => {
    const wire = new Wire(type);
    setup(wire, socket);
    (socket as NodeJS.ReadWriteStream).pipe(wire as unknown as NodeJS.WritableStream);
    (wire as unknown as NodeJS.ReadWriteStream).pipe(socket);
    socket.on('error', () => wire.destroy());
    socket.on('close', () => wire.destroy());
    wire.on('close', () => socket.destroy());
    return wire;
  };
  const clientWire = attach(clientSocket, 'tcpOutgoing', setupClient);
  const serverWire = attach(serverSocket, 'tcpIncoming', setupServer);
  const ready = Promise.all([extendedHandshakeOf(clientWire), extendedHandshakeOf(serverWire)]);
  clientWire.handshake(INFO_HASH, nextPeerId());
  serverWire.on('handshake', () => serverWire.handshake(INFO_HASH, nextPeerId()));
  await ready;
  return {
    client: { wire: clientWire, socket: clientSocket },
    server: { wire: serverWire, socket: serverSocket },
    listener,
    close: async () => {
      clientWire.destroy();
      serverWire.destroy();
      clientSocket.destroy();
      serverSocket.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

/** Waits until `predicate()` holds (polling), for at most `timeoutMs`. */
export { waitUntil } from '@pex/test-support';

/**
 * Lets pending I/O run: `rounds` turns of setImmediate (which jest's fake timers leave real), so
 * piped wires deliver what was written. Works with real and fake timers alike.
 */
export async function flushIo(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Waits until `predicate()` holds, turning setImmediate only (which jest's fake timers leave real),
 * for at most `timeoutMs` of real time read from `process.hrtime` (keep 'hrtime' out of the faked
 * APIs: Date.now and performance.now may be fake).
 */
export async function waitForIo(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = process.hrtime.bigint() + BigInt(timeoutMs) * 1_000_000n;
  while (!predicate()) {
    if (process.hrtime.bigint() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
