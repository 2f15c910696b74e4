// One WebTorrent client of a ring, in its own process (forked by ring.mjs with an IPC channel).
// A process per client, as in the field: anything process-wide in ut_pex (a registry of wires
// by info hash) then sees one client only, never its neighbours of the ring.
//
// The client reports what it observes to the parent (process.send) and takes commands from it:
//   { cmd: 'add', torrentId, peers, delayedPeers }  add the torrent, then addPeer each address
//   { cmd: 'peers', peers }                          addPeer on the seeded torrent
//   { cmd: 'stop' }                                  report the per-wire counts, destroy, exit
// It exits on its own: once the client is destroyed it disconnects from the parent and has
// nothing left to run. If the parent goes away (disconnect) or its lifetime ends, it stops.
//
// Config (JSON in argv[2]): { index, impl: 'alias' | 'original', advertise, seed, lifetimeMs }
//   impl 'alias':    WebTorrent as shipped; its own `import utPex from 'ut_pex'` resolves to
//                    whatever the workspace aliases ut_pex to (@pex/ut_pex). No PEX code here.
//   impl 'original': `utPex: false`, and the original ut_pex 5.0.2 attached by hand in
//                    torrent.on('wire') exactly as WebTorrent 3.0.21's _onWire does.
//   advertise:       hand-written advertising on top (start() and addPeer()/dropPeer() of
//                    every other wire's remote listen address): the app code ut_pex 5.0.2 needs.
//   seed:            { bytes, private } for the client that seeds (client 0).

import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import MemoryChunkStore from 'memory-chunk-store';
import originalUtPex from 'ut_pex-original';
import WebTorrent from 'webtorrent';

const config = JSON.parse(process.argv[2] ?? '{}');
const FLOOD_WARNING = 'Peer disconnected for sending PEX messages too frequently';

const send = (message) => {
  if (process.connected) process.send({ ...message, t: Date.now() });
};

/** '127.0.0.1:6881', '[::ffff:127.0.0.1]:6881' and '::ffff:127.0.0.1:6881' all give '127.0.0.1:6881'. */
const normalize = (address) => {
  const text = String(address);
  const at = text.lastIndexOf(':');
  let host = text.slice(0, at).replace(/^\[|\]$/g, '');
  if (host.toLowerCase().startsWith('::ffff:')) host = host.slice(7);
  return `${host}:${text.slice(at + 1)}`;
};

// Where WebTorrent's own `import utPex from 'ut_pex'` lands (the alias, checked by the tests).
const webtorrentEntry = fileURLToPath(import.meta.resolve('webtorrent'));
const builtinUtPex = realpathSync(createRequire(webtorrentEntry).resolve('ut_pex'));

const client = new WebTorrent({
  tracker: false,
  dht: false,
  lsd: false,
  utp: false,
  natUpnp: false,
  natPmp: false,
  webSeeds: false,
  utPex: config.impl !== 'original',
});

let torrent = null;
let stopping = false;
let nextWireId = 0;
/** Per-wire record, sent to the parent at the end. */
const wires = [];

client.on('error', (error) => send({ type: 'error', where: 'client', message: String(error) }));

const lifetime = setTimeout(() => {
  send({ type: 'error', where: 'lifetime', message: 'client lifetime ended before stop' });
  stop();
}, config.lifetimeMs ?? 600_000);
process.on('disconnect', () => stop());
process.on('message', (message) => {
  if (message.cmd === 'add') add(message);
  else if (message.cmd === 'peers') addPeers(message.peers);
  else if (message.cmd === 'stop') stop();
});
process.on('uncaughtException', (error) => {
  send({ type: 'error', where: 'uncaught', message: String(error?.stack ?? error) });
  stop();
});

client.on('listening', () => {
  send({ type: 'listening', port: client.torrentPort, builtinUtPex });
  if (config.seed) seed();
});

function seed() {
  const data = randomBytes(config.seed.bytes);
  const options = {
    name: 'ring.bin',
    announceList: [],
    store: MemoryChunkStore,
    destroyStoreOnDestroy: true,
  };
  if (config.seed.private) options.private = true;
  torrent = client.seed(data, options, (seeded) => {
    send({
      type: 'seeded',
      infoHash: seeded.infoHash,
      magnetURI: seeded.magnetURI,
      torrentFile: Buffer.from(seeded.torrentFile).toString('base64'),
      private: seeded.private === true,
    });
  });
  watch(torrent);
}

function add({ torrentId, peers, delayedPeers }) {
  const id = torrentId.startsWith('magnet:') ? torrentId : Buffer.from(torrentId, 'base64');
  torrent = client.add(id, { store: MemoryChunkStore, destroyStoreOnDestroy: true });
  watch(torrent);
  const tellPeers = () => {
    addPeers(peers);
    for (const { address, afterMs } of delayedPeers ?? []) {
      setTimeout(() => addPeers([address]), afterMs).unref();
    }
  };
  if (torrent.infoHash) tellPeers();
  else torrent.once('infoHash', tellPeers);
}

function addPeers(peers) {
  if (!torrent || torrent.destroyed) return;
  for (const address of peers) torrent.addPeer(address);
}

function watch(t) {
  t.on('error', (error) => send({ type: 'error', where: 'torrent', message: String(error) }));
  t.on('metadata', () => send({ type: 'metadata', private: t.private === true }));
  t.on('done', () => send({ type: 'done' }));
  t.on('wire', (wire, addr) => onWire(t, wire, addr));
}

function onWire(t, wire, addr) {
  const record = {
    id: nextWireId++,
    type: wire.type,
    remote: addr ?? `${wire.remoteAddress}:${wire.remotePort}`,
    // An outgoing wire's remote is a listen address; an incoming one shows an ephemeral port.
    remoteListen: wire.type === 'tcpOutgoing' ? normalize(addr) : null,
    openedAt: Date.now(),
    closedAt: null,
    closedWhileRunning: false,
    extension: null,
    pexSent: 0,
    pexReceived: 0,
    pexReceivedAt: [],
    otherExtendedReceived: 0,
    peerEvents: 0,
    droppedEvents: 0,
    warnings: [],
    floodKilled: false,
    localUtPex: false,
    remoteUtPex: false,
  };
  wires.push(record);

  if (config.impl === 'original' && !t.private) attachOriginal(t, wire);
  record.extension = wire.ut_pex ? config.impl : 'none';
  record.localUtPex = Boolean(wire.ut_pex);

  // PEX messages out: every extended message (id 20) under the remote's ut_pex id, however the
  // extension sends it (wire.extended() and everything else end in wire._message()).
  const message = wire._message;
  wire._message = function (id, numbers, data) {
    const remoteId = wire.peerExtendedMapping?.ut_pex;
    if (id === 20 && data && data.length > 0 && remoteId && data[0] === remoteId) {
      record.pexSent++;
      send({ type: 'pex-sent', wire: record.id });
    }
    return message.call(this, id, numbers, data);
  };
  // PEX messages in: bittorrent-protocol names a message by our own extended mapping.
  wire.on('extended', (ext) => {
    if (ext === 'handshake') {
      record.remoteUtPex = Boolean(wire.peerExtendedMapping?.ut_pex);
      return;
    }
    if (ext === 'ut_pex') {
      record.pexReceived++;
      record.pexReceivedAt.push(Date.now());
      send({ type: 'pex-received', wire: record.id });
    } else if (typeof ext === 'number') {
      // A message under an id we never gave out (e.g. ut_pex on a wire where we have none).
      record.otherExtendedReceived++;
    }
  });

  if (wire.ut_pex) {
    wire.ut_pex.on('peer', (peer) => {
      record.peerEvents++;
      send({ type: 'peer', wire: record.id, address: normalize(peer), raw: String(peer) });
    });
    wire.ut_pex.on('dropped', (peer) => {
      record.droppedEvents++;
      send({ type: 'dropped', wire: record.id, address: normalize(peer), raw: String(peer) });
    });
    wire.ut_pex.on('warning', (error) => {
      const text = String(error?.message ?? error);
      record.warnings.push(text);
      if (config.impl === 'original' && text === FLOOD_WARNING) record.floodKilled = true;
      send({ type: 'warning', wire: record.id, extension: record.extension, message: text });
    });
    if (config.advertise) advertise(t, wire, record);
  }

  wire.once('close', () => {
    record.closedAt = Date.now();
    record.closedWhileRunning = !stopping;
    send({
      type: 'close',
      wire: record.id,
      remote: record.remote,
      wireType: record.type,
      whileRunning: record.closedWhileRunning,
      floodKilled: record.floodKilled,
    });
  });
  send({ type: 'wire', wire: record.id, wireType: record.type, remote: record.remote });
}

/** WebTorrent 3.0.21's own attachment (lib/torrent.js _onWire), with the original ut_pex 5.0.2. */
function attachOriginal(t, wire) {
  wire.use(originalUtPex());
  wire.ut_pex.on('peer', (peer) => {
    if (!client.seedOutgoingConnections && t.done) return;
    t.addPeer(peer, 'ut_pex');
  });
  wire.ut_pex.on('dropped', (peer) => {
    const known = t._peers.get(peer);
    if (known && !known.connected) t.removePeer(peer);
  });
  wire.once('close', () => wire.ut_pex.reset());
}

/** The app code ut_pex 5.0.2 needs: start every wire and tell it every other wire's listen address. */
const advertised = new Map();
function advertise(t, wire, record) {
  if (!advertised.has(t)) advertised.set(t, new Set());
  const live = advertised.get(t);
  const entry = { wire, listen: record.remoteListen };
  wire.ut_pex.start();
  for (const other of live) {
    if (other.listen) wire.ut_pex.addPeer(other.listen);
    if (entry.listen) other.wire.ut_pex.addPeer(entry.listen);
  }
  live.add(entry);
  wire.once('close', () => {
    live.delete(entry);
    if (!entry.listen) return;
    for (const other of live) other.wire.ut_pex.dropPeer(entry.listen);
  });
}

function stop() {
  if (stopping) return;
  stopping = true;
  clearTimeout(lifetime);
  const now = Date.now();
  send({
    type: 'final',
    done: torrent?.done === true,
    private: torrent?.private === true,
    wires: wires.map((w) => ({
      ...w,
      openAtStop: w.closedAt === null,
      ageAtStop: now - w.openedAt,
    })),
  });
  client.destroy((error) => {
    if (error) send({ type: 'error', where: 'destroy', message: String(error) });
    send({ type: 'destroyed' });
    if (process.connected) process.disconnect();
  });
}
