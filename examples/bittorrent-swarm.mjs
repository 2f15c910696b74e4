// @ts-check
// Peer Exchange between bittorrent-protocol wires over TCP on 127.0.0.1: a hub accepts three
// clients, and its PEX swarm helper tells each client about the other two at their listen
// ports. The clients use the ut_pex drop-in, `wire.use(utPex())`. Exits by itself in about 2 s
// (PEX sends its first message 1.5 s after the extended handshake). Run:
//   node examples/bittorrent-swarm.mjs
import { connect, createServer } from 'node:net';
import { createPexSwarm, utPex } from '@pex/wire-adapter';
import Wire from 'bittorrent-protocol';

const INFO_HASH = 'd2474e86c95b19b8bcfdb92bc12c9d44667cfa36';
const CLIENTS = 3;
const TIMEOUT_MS = 10_000;

/** @param {import('node:net').Socket} socket @param {Wire} wire */
function attach(socket, wire) {
  socket.pipe(/** @type {any} */ (wire)).pipe(socket);
  socket.on('error', () => wire.destroy());
  socket.on('close', () => wire.destroy());
  wire.on('close', () => socket.destroy());
}

// The hub: one swarm helper for the torrent; every accepted connection's wire joins it.
const hubSwarm = createPexSwarm({ listenPort: 6881 });
const hub = createServer((socket) => {
  const wire = new Wire('tcpIncoming');
  // Incoming: the socket's port is not the remote's listen port; the swarm reads that from the
  // `p` of the remote's extended handshake before it advertises the remote to the others.
  hubSwarm.addWire(/** @type {any} */ (wire), {
    address: /** @type {string} */ (socket.remoteAddress),
    port: /** @type {number} */ (socket.remotePort),
    outgoing: false,
  });
  attach(socket, wire);
  wire.on('handshake', () => wire.handshake(INFO_HASH, `2d50583030312d${'a'.repeat(26)}`));
});
await new Promise((resolve) => hub.listen(0, '127.0.0.1', () => resolve(undefined)));
const hubPort = /** @type {import('node:net').AddressInfo} */ (hub.address()).port;
console.log(`hub listening on 127.0.0.1:${hubPort}`);

/** @type {{ listenPort: number, wire: Wire, learned: Set<string> }[]} */
const clients = [];
for (let i = 0; i < CLIENTS; i++) {
  const listenPort = 7001 + i; // what each client would listen on; sent as `p`
  const socket = connect({ host: '127.0.0.1', port: hubPort });
  const wire = new Wire('tcpOutgoing');
  wire.extendedHandshake.p = listenPort;
  // The hub is on loopback, so the loopback peers it reports are accepted (a public remote's
  // local addresses would be refused by the default peer policy).
  wire.use(/** @type {any} */ (utPex({ remoteAddress: `127.0.0.1:${hubPort}` })));
  const client = { listenPort, wire, learned: new Set() };
  const pex = /** @type {import('@pex/wire-adapter').UtPexExtension} */ (
    /** @type {any} */ (wire).ut_pex
  );
  pex.on('peer', (peer, flags) => {
    client.learned.add(peer);
    console.log(`client :${listenPort} learned ${peer} (reachable: ${flags.isReachable})`);
    if (clients.every((c) => c.learned.size === CLIENTS - 1)) finish(0);
  });
  pex.on('warning', (error) => console.error(`client :${listenPort} warning: ${error.message}`));
  pex.start();
  attach(socket, wire);
  wire.handshake(INFO_HASH, `2d50583030312d${String(i).repeat(26)}`);
  clients.push(client);
}

const timeout = setTimeout(() => finish(1), TIMEOUT_MS);
let finished = false;

/** @param {number} code */
function finish(code) {
  if (finished) return;
  finished = true;
  clearTimeout(timeout);
  if (code === 0) console.log(`ok: each of ${CLIENTS} clients learned the other ${CLIENTS - 1}`);
  else console.error('timed out before every client learned every other client');
  for (const { wire } of clients) wire.destroy();
  hubSwarm.destroy();
  hub.close();
  process.exitCode = code;
}
