import { randomBytes } from 'node:crypto';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { type CandidatePool, formatPeerAddress } from '@pex/core';
import { createPexSwarm, type PexSwarm } from '@pex/wire-adapter';
import Wire from 'bittorrent-protocol';

/** Settings shared by every node of a demo swarm. */
export interface DemoNodeOptions {
  /** Hex info hash of the made-up torrent. */
  readonly infoHash: string;
  /** Loopback address every node listens on and dials. */
  readonly host: string;
  /** Most connections per node, incoming and outgoing (pending dials included). */
  readonly maxConnections: number;
  readonly intervalMs: number;
  readonly firstMessageDelayMs: number;
  /** Milliseconds since the demo started. */
  readonly now: () => number;
  /**
   * Shared by the nodes of one process, never sent on the wire: how many PEX hops each node
   * needed to first hear of each peer, by `"learner>peer"` (0: told at start, or the peer
   * dialled it first). Learning X from S takes one hop more than S needed for X.
   */
  readonly depths: Map<string, number>;
}

/** What one node did, for the report. */
export interface DemoNodeStats {
  messagesSent: number;
  bytesSent: number;
  largestMessageBytes: number;
  messagesReceived: number;
  bytesReceived: number;
  /** Peers this node first heard of in a PEX message. */
  learnedByPex: number;
  /** `peer` events: one per remote and peer it reported (what ut_pex hands to a dialler). */
  pexReports: number;
  /** Outgoing connections attempted. */
  dials: number;
  /** Of `dials`, those to candidates the pool handed out. */
  poolDials: number;
  /** Candidates the pool handed out that were connected already (no dial). */
  poolConnected: number;
  /** Pool dials by the number of sources the candidate had when handed out (index: sources). */
  poolDialsBySources: number[];
  /** Connections this node closed to make room for a peer it knew of but never tried. */
  rotations: number;
  /** Extension warnings (violations, undecodable payloads): none expected. */
  warnings: number;
  /** Most PEX hops this node needed to first hear of a peer (see `depths`). */
  maxDepth: number;
  /** When (ms since start) the first PEX message left this node. */
  firstSentAtMs: number | undefined;
}

/** One node of the demo: a TCP listener, its connections, and one PEX swarm helper. */
export interface DemoNode {
  /** `host:listenPort`: how the other nodes know this one. */
  readonly key: string;
  readonly port: number;
  /** Listen addresses (`host:port`) of the other nodes this one knows of. */
  readonly known: ReadonlySet<string>;
  readonly connectionCount: number;
  readonly stats: Readonly<DemoNodeStats>;
  /** The candidate pool's candidates by their number of sources, now (index: sources). */
  countCandidatesBySources(): number[];
  /** Tells the node about one peer (as a tracker would): it learns it and dials it. */
  introduce(key: string): void;
  /** Closes the listener, every connection and the swarm helper. */
  close(): Promise<void>;
}

interface Connection {
  readonly wire: Wire;
  readonly socket: Socket;
  readonly outgoing: boolean;
  /** The remote's listen address; for incoming connections known from its handshake on. */
  key: string | undefined;
  established: boolean;
  readonly openedAtMs: number;
}

// The peer id carries the listen port (`-PX0001-d` + 5 digits + 6 random characters), so that
// a node that is dialled knows who dialled it from the BitTorrent handshake on, before the
// extended handshake's `p`, and can refuse a duplicate connection before either side's PEX
// advertises it. A demo convenience: real clients learn the listen port from `p` only.
const PEER_ID_PREFIX = '-PX0001-d';

function makePeerId(port: number): Uint8Array {
  const id = `${PEER_ID_PREFIX}${String(port).padStart(5, '0')}${randomBytes(3).toString('hex')}`;
  return new TextEncoder().encode(id);
}

function listenPortOfPeerId(peerIdHex: string): number | undefined {
  const text = Buffer.from(peerIdHex, 'hex').toString('latin1');
  if (!text.startsWith(PEER_ID_PREFIX)) return undefined;
  const port = Number(text.slice(PEER_ID_PREFIX.length, PEER_ID_PREFIX.length + 5));
  return port >= 1 && port <= 65535 ? port : undefined;
}

function portOfKey(key: string): number {
  return Number(key.slice(key.lastIndexOf(':') + 1));
}

/**
 * Starts one node listening on `options.host` (port chosen by the system).
 * It dials every peer it learns of (by introduction or PEX) while it has fewer than
 * `maxConnections` connections, and once per interval, when full and still knowing peers it
 * never tried, closes its oldest connection to make room for one of them.
 * @throws Error when the listener cannot be bound.
 */
export async function startDemoNode(options: DemoNodeOptions): Promise<DemoNode> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  return new Node(server, port, options);
}

class Node implements DemoNode {
  readonly key: string;
  readonly port: number;
  readonly known = new Set<string>();
  readonly stats: DemoNodeStats = {
    messagesSent: 0,
    bytesSent: 0,
    largestMessageBytes: 0,
    messagesReceived: 0,
    bytesReceived: 0,
    learnedByPex: 0,
    pexReports: 0,
    dials: 0,
    poolDials: 0,
    poolConnected: 0,
    poolDialsBySources: [],
    rotations: 0,
    warnings: 0,
    maxDepth: 0,
    firstSentAtMs: undefined,
  };
  readonly #server: ReturnType<typeof createServer>;
  readonly #options: DemoNodeOptions;
  readonly #swarm: PexSwarm;
  readonly #peerId: Uint8Array;
  readonly #connections = new Set<Connection>();
  readonly #byKey = new Map<string, Connection>();
  /** Known peers never dialled yet. */
  readonly #untried = new Set<string>();
  readonly #rotationTimer: NodeJS.Timeout;
  readonly #byWire = new WeakMap<object, Connection>();
  #closed = false;

  constructor(server: ReturnType<typeof createServer>, port: number, options: DemoNodeOptions) {
    this.#server = server;
    this.#options = options;
    this.port = port;
    this.key = `${options.host}:${port}`;
    this.#peerId = makePeerId(port);
    this.#swarm = createPexSwarm({
      listenPort: port,
      intervalMs: options.intervalMs,
      firstMessageDelayMs: options.firstMessageDelayMs,
      localAddresses: [this.key],
      // The receiving side's rate policy expects BEP 11's one message a minute; scale it to
      // the accelerated interval (twice the send rate, as the defaults are).
      inbound: { refillMs: Math.max(1, Math.floor(options.intervalMs / 2)) },
      // PEX peers are dialled through the candidate pool. Every node listens on 127.0.0.1, so
      // the limits per IP address and per /24 (one port, four candidates) are lifted here: on
      // loopback they would keep one candidate in all. A handed-out peer may come back after
      // ten (accelerated) intervals, as after ten minutes on the public network.
      candidates: {
        maxPortsPerAddress: LOOPBACK_POOL_LIMIT,
        maxCandidatesPerSubnet: LOOPBACK_POOL_LIMIT,
        handOutWindowMs: 10 * options.intervalMs,
      },
    });
    this.#swarm.on('peer', ({ address, port: peerPort, wire }) => {
      const key = `${address}:${peerPort}`;
      this.stats.pexReports++;
      if (key === this.key || this.known.has(key)) return;
      const from = this.#byWire.get(wire)?.key;
      const depths = this.#options.depths;
      this.#setDepth(key, (from === undefined ? 0 : (depths.get(`${from}>${key}`) ?? 0)) + 1);
      this.stats.learnedByPex++;
      // Not put among the untried peers: the pool has it, and hands it out when it is the best.
      this.known.add(key);
      this.#dialWhileRoom();
    });
    this.#swarm.on('warning', () => {
      this.stats.warnings++;
    });
    server.on('connection', (socket) => this.#accept(socket));
    this.#rotationTimer = setInterval(() => this.#rotate(), options.intervalMs);
    this.#rotationTimer.unref();
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  introduce(key: string): void {
    if (key === this.key || this.known.has(key)) return;
    this.#setDepth(key, 0);
    this.#learn(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#rotationTimer);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of [...this.#connections]) this.#drop(connection);
    this.#swarm.destroy();
    await closed;
  }

  #learn(key: string): void {
    this.known.add(key);
    if (!this.#byKey.has(key)) this.#untried.add(key);
    this.#dialWhileRoom();
  }

  #dialWhileRoom(): void {
    this.#dialFromPool();
    while (!this.#closed && this.#connections.size < this.#options.maxConnections) {
      const key = pickRandom(this.#untried);
      if (key === undefined) return;
      this.#untried.delete(key);
      if (!this.#byKey.has(key)) this.#dial(key);
    }
  }

  /**
   * Asks the pool for as many candidates as there is room for (demand: `setWanted`), best first,
   * and dials those not connected already.
   */
  #dialFromPool(): void {
    const pool = this.#swarm.candidates as CandidatePool;
    let room = this.#options.maxConnections - this.#connections.size;
    while (!this.#closed && room > 0) {
      pool.setWanted(room);
      const taken = pool.take(room, this.#options.now());
      if (taken.length === 0) return;
      for (const candidate of taken) {
        const key = formatPeerAddress(candidate.address, candidate.port);
        this.#untried.delete(key);
        if (key === this.key || this.#byKey.has(key)) {
          this.stats.poolConnected++;
          continue;
        }
        this.stats.poolDials++;
        const bySources = this.stats.poolDialsBySources;
        bySources[candidate.sources] = (bySources[candidate.sources] ?? 0) + 1;
        this.#dial(key);
        room--;
      }
    }
  }

  /** The pool's candidates by their number of sources, now. */
  countCandidatesBySources(): number[] {
    const counts: number[] = [];
    for (const { sources } of this.#swarm.candidates?.listCandidates() ?? []) {
      counts[sources] = (counts[sources] ?? 0) + 1;
    }
    return counts;
  }

  #dial(key: string): void {
    this.stats.dials++;
    const socket = netConnect({ host: this.#options.host, port: portOfKey(key) });
    const connection = this.#attach(socket, true, key);
    this.#byKey.set(key, connection);
    socket.once('connect', () => {
      if (!connection.wire.destroyed)
        connection.wire.handshake(this.#options.infoHash, this.#peerId);
    });
  }

  #accept(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    const connection = this.#attach(socket, false, undefined);
    connection.wire.once('handshake', (...args: unknown[]) => {
      const [infoHash, peerIdHex] = args as [string, string];
      const remotePort = listenPortOfPeerId(peerIdHex);
      if (infoHash !== this.#options.infoHash || remotePort === undefined) {
        this.#drop(connection);
        return;
      }
      const key = `${socket.remoteAddress}:${remotePort}`;
      if (!this.#admit(key)) {
        this.#drop(connection);
        return;
      }
      connection.key = key;
      this.#byKey.set(key, connection);
      this.#untried.delete(key);
      if (!this.known.has(key)) {
        this.known.add(key);
        this.#setDepth(key, this.#options.depths.get(`${key}>${this.key}`) ?? 0);
      }
      connection.wire.handshake(this.#options.infoHash, this.#peerId);
    });
  }

  #setDepth(key: string, depth: number): void {
    this.#options.depths.set(`${this.key}>${key}`, depth);
    this.stats.maxDepth = Math.max(this.stats.maxDepth, depth);
  }

  /**
   * Whether an incoming connection from `key` is kept. A full node makes room by closing its
   * oldest settled connection (one that has had time to exchange PEX), so that the newcomer
   * gets at least one PEX message; it refuses only when every connection is still young.
   */
  #admit(key: string): boolean {
    if (key === this.key) return false;
    const existing = this.#byKey.get(key);
    if (existing !== undefined) {
      // Both nodes dialled each other at once. Both keep the connection dialled by the node
      // with the lower listen port, so exactly one survives; ours is refused on the other side.
      return existing.outgoing && !existing.established && portOfKey(key) < this.port;
    }
    // This connection is already in the set.
    if (this.#connections.size - 1 < this.#options.maxConnections) return true;
    const oldest = this.#oldestSettled();
    if (oldest === undefined) return false;
    this.stats.rotations++;
    this.#drop(oldest, false);
    return true;
  }

  #attach(socket: Socket, outgoing: boolean, key: string | undefined): Connection {
    const wire = new Wire(outgoing ? 'tcpOutgoing' : 'tcpIncoming');
    const connection: Connection = {
      wire,
      socket,
      outgoing,
      key,
      established: false,
      openedAtMs: this.#options.now(),
    };
    this.#connections.add(connection);
    this.#byWire.set(wire, connection);
    socket.setNoDelay(true);
    const extension = this.#swarm.addWire(wire, {
      address: outgoing ? this.#options.host : (socket.remoteAddress ?? this.#options.host),
      port: outgoing ? portOfKey(key as string) : (socket.remotePort ?? 0),
      outgoing,
    });
    extension.session.on('sent', ({ bytes }) => {
      this.stats.messagesSent++;
      this.stats.bytesSent += bytes;
      this.stats.largestMessageBytes = Math.max(this.stats.largestMessageBytes, bytes);
      this.stats.firstSentAtMs ??= this.#options.now();
    });
    wire.on('extended', (name: unknown, payload: unknown) => {
      if (name === 'handshake') connection.established = true;
      else if (name === 'ut_pex' && payload instanceof Uint8Array) {
        this.stats.messagesReceived++;
        this.stats.bytesReceived += payload.length;
      }
    });
    wire.on('handshake', (...args: unknown[]) => {
      if (args[0] !== this.#options.infoHash) this.#drop(connection);
    });
    (socket as NodeJS.ReadWriteStream).pipe(wire as unknown as NodeJS.WritableStream);
    (wire as unknown as NodeJS.ReadableStream).pipe(socket);
    socket.on('error', () => this.#drop(connection));
    socket.on('close', () => this.#drop(connection));
    wire.on('error', () => this.#drop(connection));
    wire.on('close', () => this.#drop(connection));
    return connection;
  }

  #drop(connection: Connection, refill = true): void {
    if (!this.#connections.delete(connection)) return;
    if (connection.key !== undefined && this.#byKey.get(connection.key) === connection) {
      this.#byKey.delete(connection.key);
    }
    connection.wire.destroy();
    connection.socket.destroy();
    if (refill) this.#dialWhileRoom();
  }

  /**
   * Once per interval a full node closes its oldest settled connection and dials a peer it
   * knows but is not connected to: one it never tried first, else (as clients retry peers) any.
   * Without it a ring of full nodes would only learn their neighbours' neighbours.
   */
  #rotate(): void {
    if (this.#closed) return;
    if (this.#untried.size === 0) {
      for (const key of this.known) if (!this.#byKey.has(key)) this.#untried.add(key);
      if (this.#untried.size === 0) return;
    }
    if (this.#connections.size >= this.#options.maxConnections) {
      const oldest = this.#oldestSettled();
      if (oldest === undefined) return;
      this.stats.rotations++;
      this.#drop(oldest, false);
    }
    this.#dialWhileRoom();
  }

  /** The oldest connection open long enough to have sent and received its first PEX message. */
  #oldestSettled(): Connection | undefined {
    const settledBefore =
      this.#options.now() - this.#options.firstMessageDelayMs - this.#options.intervalMs;
    let oldest: Connection | undefined;
    for (const connection of this.#connections) {
      if (!connection.established || connection.openedAtMs > settledBefore) continue;
      if (oldest === undefined || connection.openedAtMs < oldest.openedAtMs) oldest = connection;
    }
    return oldest;
  }
}

/** Above any number of demo nodes (200): no limit per address or subnet on loopback. */
const LOOPBACK_POOL_LIMIT = 1_000;

function pickRandom<T>(set: ReadonlySet<T>): T | undefined {
  if (set.size === 0) return undefined;
  let skip = Math.floor(Math.random() * set.size);
  for (const item of set) if (skip-- === 0) return item;
  return undefined;
}
