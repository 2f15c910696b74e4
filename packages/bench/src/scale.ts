import { encodePexMessage, type PexMessage } from '@pex/core';
import { createPexSwarm, type PexSwarm } from '@pex/wire-adapter';
import bencode from 'bencode';
import utPexFactory from 'ut_pex';
import { ProtocolWire } from './fake-wire.js';
import { createPeers, createRandom, PEERS_PER_MESSAGE, type PeerFixture } from './fixtures.js';
import type { IncumbentExtension } from './incumbent.js';
import { getGc, readHeap } from './memory.js';
import { sink } from './task.js';
import { type RunStats, VirtualTime } from './virtual-time.js';

/** A simulated PEX minute: every remote sends one message per minute (ut_pex accepts 60 s). */
export const PEX_MINUTE_MS = 60_000;
/** Connections replaced per simulated minute, as a share of all connections. */
export const CHURN_PER_MINUTE = 0.01;
/** Peers every remote knows of (its messages slide a 50-peer window over them). */
const UNIVERSE = 1024;
/** Remotes' messages after the first: one peer added and one dropped (the window moves by one). */
const DELTA_PEERS = 1;

export interface ScaleSettings {
  readonly torrents: number;
  readonly wiresPerTorrent: number;
  /** Simulated minutes run before measuring (first messages exchanged, code warmed up). */
  readonly warmupMinutes: number;
  readonly measuredMinutes: number;
  readonly seed: number;
}

/** One side's numbers at one size. */
export interface ScaleSide {
  /** CPU time of the process (user + system) per simulated PEX minute, ns. */
  readonly cpuNsPerMinute: number;
  /** Heap plus array buffers after a full GC, bytes, less the fake wires' own. */
  readonly heapBytes: number;
  /** The longest single callback (timer, message, churn step), ns. */
  readonly longestTaskNs: number;
  /** Peer events the application saw per simulated minute (a check that the work was done). */
  readonly peerEventsPerMinute: number;
  /** Messages sent per simulated minute. */
  readonly sentPerMinute: number;
}

export interface ScalePoint {
  readonly wires: number;
  readonly torrents: number;
  readonly ours: ScaleSide;
  readonly theirs: ScaleSide;
}

/** The messages remotes send, built once and shared by both sides (bytes on the wire). */
interface RemoteMessages {
  /** `first[o]`: the 50 peers from `o` on (the remote's first message). */
  readonly first: readonly Uint8Array[];
  /** `delta[o]`: added peer `o + 50`, dropped peer `o` (the window moves by one). */
  readonly delta: readonly Uint8Array[];
  readonly handshake: Uint8Array;
}

function createRemoteMessages(seed: number): RemoteMessages {
  const universe = createPeers(4, UNIVERSE, seed);
  const at = (i: number) => (universe[i % UNIVERSE] as PeerFixture).compact;
  const first: Uint8Array[] = [];
  const delta: Uint8Array[] = [];
  for (let o = 0; o < UNIVERSE; o++) {
    const added = Array.from({ length: PEERS_PER_MESSAGE }, (_, i) => at(o + i));
    first.push(encodePexMessage({ added, added6: [], dropped: [], dropped6: [] }));
    const message: PexMessage = {
      added: Array.from({ length: DELTA_PEERS }, (_, i) => at(o + PEERS_PER_MESSAGE + i)),
      added6: [],
      dropped: Array.from({ length: DELTA_PEERS }, (_, i) => at(o + i)),
      dropped6: [],
    };
    delta.push(encodePexMessage(message));
  }
  return { first, delta, handshake: bencode.encode({ m: { ut_pex: 1 }, p: 6881, v: 'bench' }) };
}

/** What the application does with what PEX tells it: the same on both sides. */
interface App {
  peerEvents: number;
  droppedEvents: number;
  onPeer(): void;
  onDropped(): void;
}

function createApp(): App {
  const app: App = {
    peerEvents: 0,
    droppedEvents: 0,
    onPeer: () => {
      app.peerEvents++;
    },
    onDropped: () => {
      app.droppedEvents++;
    },
  };
  return app;
}

/** One connection of the simulation: the wire, its remote, and where its messages stand. */
interface Connection {
  readonly wire: ProtocolWire;
  readonly torrent: number;
  readonly address: string;
  readonly port: number;
  readonly text: string;
  readonly offset: number;
  sent: number;
  closed: boolean;
}

/** How one side connects and disconnects wires: the library plus the application's code for it. */
interface SideDriver {
  open(connection: Connection): void;
  close(connection: Connection): void;
}

/** Ours: one `createPexSwarm()` per torrent; the helper advertises each remote to the others. */
function createOursDriver(torrents: number, time: VirtualTime, app: App): SideDriver {
  const swarms: PexSwarm[] = Array.from({ length: torrents }, () => {
    const swarm = createPexSwarm({ clock: time, timers: time });
    swarm.on('peer', app.onPeer);
    swarm.on('dropped', app.onDropped);
    return swarm;
  });
  return {
    open(connection) {
      (swarms[connection.torrent] as PexSwarm).addWire(connection.wire as never, {
        address: connection.address,
        port: connection.port,
        outgoing: true,
      });
    },
    close(connection) {
      connection.wire.close();
    },
  };
}

/**
 * ut_pex 5.0.2 as its README installs it (`wire.use(utPex())`, `start()`), with the code an
 * application must add for the same behaviour: tell every other wire of the torrent about a new
 * remote (`addPeer`) and the new wire about every other remote, and `dropPeer` everywhere when a
 * wire closes.
 */
function createTheirsDriver(torrents: number, app: App): SideDriver {
  const byTorrent: Set<Connection>[] = Array.from({ length: torrents }, () => new Set());
  const flags = { isReachable: true };
  const extensionOf = (connection: Connection) =>
    (connection.wire as unknown as { ut_pex: IncumbentExtension & { start(): void; stop(): void } })
      .ut_pex;
  return {
    open(connection) {
      connection.wire.use(utPexFactory() as never);
      const extension = extensionOf(connection);
      extension.on('peer', app.onPeer);
      (extension as unknown as { on(event: 'dropped', f: () => void): void }).on(
        'dropped',
        app.onDropped,
      );
      extension.start();
      const peers = byTorrent[connection.torrent] as Set<Connection>;
      for (const other of peers) {
        extensionOf(other).addPeer(connection.text, flags);
        extension.addPeer(other.text, flags);
      }
      peers.add(connection);
    },
    close(connection) {
      const extension = extensionOf(connection);
      extension.stop();
      const peers = byTorrent[connection.torrent] as Set<Connection>;
      peers.delete(connection);
      for (const other of peers) extensionOf(other).dropPeer(connection.text);
      connection.wire.close();
    },
  };
}

/** Runs the seedbox workload on one side and measures it. */
function runSide(
  side: 'ours' | 'theirs',
  settings: ScaleSettings,
  messages: RemoteMessages,
  wireBaseline: number,
  gc: () => void,
): ScaleSide {
  const { torrents, wiresPerTorrent, warmupMinutes, measuredMinutes } = settings;
  const wires = torrents * wiresPerTorrent;
  const random = createRandom(settings.seed);
  const time = new VirtualTime();
  const app = createApp();
  const stats: RunStats = { tasks: 0, longestTaskNs: 0 };
  const heapBefore = readHeap(gc);
  const run = <T>(fn: () => T): T => (side === 'theirs' ? time.withGlobals(fn) : fn());
  const driver =
    side === 'ours' ? createOursDriver(torrents, time, app) : createTheirsDriver(torrents, app);
  const live: Connection[] = [];
  let serial = 0;

  const deliver = (connection: Connection) => {
    if (connection.closed) return;
    const bytes =
      connection.sent === 0
        ? (messages.first[connection.offset] as Uint8Array)
        : (messages.delta[(connection.offset + connection.sent - 1) % UNIVERSE] as Uint8Array);
    connection.sent++;
    connection.wire._onExtended(1, bytes);
  };
  const open = () => {
    const n = serial++;
    // Remotes are public and distinct, in 1.0.0.0/8 (the peers they report are in 11..99.x.x.x).
    const address = `1.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
    const port = 10_000 + (n % 50_000);
    const connection: Connection = {
      wire: new ProtocolWire(),
      torrent: n % torrents,
      address,
      port,
      text: `${address}:${port}`,
      offset: random() % UNIVERSE,
      sent: 0,
      closed: false,
    };
    driver.open(connection);
    connection.wire._onExtended(0, messages.handshake);
    // The remote's first message a few seconds after the handshake, then one a minute.
    const timer = time.setInterval(() => deliver(connection), PEX_MINUTE_MS);
    timer.at = time.now() + 1000 + (random() % 5000);
    (connection as { timer?: unknown }).timer = timer;
    live.push(connection);
  };
  const replaceOne = () => {
    const index = random() % live.length;
    const connection = live[index] as Connection;
    live[index] = live[live.length - 1] as Connection;
    live.pop();
    connection.closed = true;
    time.clearInterval((connection as { timer?: unknown }).timer);
    driver.close(connection);
    open();
  };

  const result = run(() => {
    // Connections open over the first simulated minute.
    const openGapMs = PEX_MINUTE_MS / wires;
    let openAt = 0;
    for (let i = 0; i < wires; i++) {
      time.setTimeout(open, Math.floor(openAt));
      openAt += openGapMs;
    }
    // Churn: CHURN_PER_MINUTE of the connections replaced per minute, evenly spread.
    const churnGapMs = PEX_MINUTE_MS / Math.max(1, Math.round(wires * CHURN_PER_MINUTE));
    time.setTimeout(() => time.setInterval(replaceOne, churnGapMs), PEX_MINUTE_MS);
    time.runUntil(warmupMinutes * PEX_MINUTE_MS, { tasks: 0, longestTaskNs: 0 });
    const eventsBefore = app.peerEvents;
    const sentBefore = live.reduce((sum, c) => sum + c.wire.sentMessages, 0);
    gc();
    const cpuBefore = process.cpuUsage();
    time.runUntil((warmupMinutes + measuredMinutes) * PEX_MINUTE_MS, stats);
    const cpu = process.cpuUsage(cpuBefore);
    const sent = live.reduce((sum, c) => sum + c.wire.sentMessages, 0) - sentBefore;
    return {
      cpuNsPerMinute: ((cpu.user + cpu.system) * 1000) / measuredMinutes,
      peerEventsPerMinute: (app.peerEvents - eventsBefore) / measuredMinutes,
      sentPerMinute: sent / measuredMinutes,
    };
  });
  const heapAfter = readHeap(gc);
  if (live.length !== wires) throw new Error(`seedbox case (${side}): ${live.length} wires`);
  if (result.peerEventsPerMinute <= 0 || result.sentPerMinute <= 0) {
    throw new Error(`seedbox case (${side}): no work done (${JSON.stringify(result)})`);
  }
  // Used after the reading, so that nothing the side holds could be collected before it.
  sink.value += time.pending + (driver === undefined ? 0 : 1);
  return {
    ...result,
    heapBytes: heapAfter - heapBefore - wireBaseline,
    longestTaskNs: stats.longestTaskNs,
  };
}

/** Heap of `count` bare fake wires (what both sides hold besides PEX), bytes. */
function measureWires(count: number, gc: () => void): number {
  const before = readHeap(gc);
  const wires = Array.from({ length: count }, () => new ProtocolWire());
  const after = readHeap(gc);
  return wires.length === count ? after - before : 0;
}

/**
 * The seedbox case at one size: `torrents` x `wiresPerTorrent` connections in this process, on
 * virtual time, ours and ut_pex's one after the other (ours first at even sizes).
 */
export function measureScale(settings: ScaleSettings, oursFirst = true): ScalePoint {
  const gc = getGc();
  const messages = createRemoteMessages(settings.seed);
  const wires = settings.torrents * settings.wiresPerTorrent;
  const baseline = measureWires(wires, gc);
  const order: ('ours' | 'theirs')[] = oursFirst ? ['ours', 'theirs'] : ['theirs', 'ours'];
  const sides: Partial<Record<'ours' | 'theirs', ScaleSide>> = {};
  for (const side of order) sides[side] = runSide(side, settings, messages, baseline, gc);
  return {
    wires,
    torrents: settings.torrents,
    ours: sides.ours as ScaleSide,
    theirs: sides.theirs as ScaleSide,
  };
}
