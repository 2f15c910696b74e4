import {
  type CandidatePool,
  createCandidatePool,
  createSwarmTimeline,
  PEX_FLAG_REACHABLE,
  type SwarmTimeline,
  type SwarmTimelineCursor,
} from '@pex/core';
import {
  createPexSession,
  type PeerAddress,
  type PexPeerEvent,
  type PexSession,
  type PexSessionOptions,
} from '@pex/events';
import {
  addressOfNode,
  type NodeAddress,
  nodeOfAddress,
  nodeOfPeerKey,
  SIMULATED_PORT,
} from './addresses.js';
import { createSwarmKnowledge, type SwarmKnowledge } from './knowledge.js';
import type { SimulationRandom } from './random.js';
import type { VirtualScheduler } from './scheduler.js';
import type { ResolvedSimulationOptions } from './simulation-options.js';

/** Delay before a node dials again a peer that was full, ms (libtorrent's min_reconnect_time). */
const DIAL_RETRY_MS = 60_000;

/** One simulated node: a BitTorrent client in one torrent's swarm. */
export interface SimulatedNode {
  readonly id: number;
  readonly address: NodeAddress;
  /** Virtual time it joined, ms. */
  readonly joinedAt: number;
  /** One of the starting nodes (they count towards convergence from the start). */
  readonly initial: boolean;
  alive: boolean;
  /** Its connections, as the swarm helper keeps them (timeline mode only). */
  readonly timeline: SwarmTimeline | undefined;
  /** Open connections by remote node id. */
  readonly links: Map<number, LinkEnd>;
  /** Nodes it is dialling. */
  readonly dialing: Set<number>;
  /** Peers learned and not dialled yet, oldest first (bounded); without a candidate pool. */
  readonly remembered: number[];
  readonly pool: CandidatePool | undefined;
  /** Ends whose session has nothing to send: told to look again when the timeline changes. */
  readonly idle: Set<LinkEnd>;
}

/** One end of a connection: the session a node runs for it. */
export interface LinkEnd {
  readonly node: SimulatedNode;
  readonly remote: SimulatedNode;
  readonly session: PexSession;
  readonly cursor: SwarmTimelineCursor | undefined;
  /** The remote's end; both ends are made at once. */
  other: LinkEnd;
  open: boolean;
  /** Delivery time of the last message sent on it: a connection keeps its order (TCP). */
  lastDeliveryAt: number;
}

/** Counters of a run, summed over nodes or kept per node id. */
export interface SwarmCounters {
  dials: number;
  opened: number;
  failed: number;
  turnedOver: number;
  lost: number;
  left: number;
  joined: number;
  sessions: number;
  violations: number;
  invalidPayloads: number;
  refused: number;
  warnings: number;
  readonly messagesSent: number[];
  readonly bytesSent: number[];
  readonly peerEvents: number[];
  readonly duplicates: number[];
}

/**
 * The swarm: nodes, their connections over an in-memory network, and what each knows. Every
 * connection runs two real @pex/events sessions; a `send` schedules the same bytes for the other
 * side's `receive` after the network's latency. Nodes dial what PEX tells them, up to their limit.
 */
export class SwarmModel {
  readonly nodes: SimulatedNode[] = [];
  /** Ids of the live nodes, in no particular order (swap-removal), for uniform picks. */
  readonly liveIds: number[] = [];
  readonly #livePosition: number[] = [];
  readonly knowledge: SwarmKnowledge;
  readonly counters: SwarmCounters = {
    dials: 0,
    opened: 0,
    failed: 0,
    turnedOver: 0,
    lost: 0,
    left: 0,
    joined: 0,
    sessions: 0,
    violations: 0,
    invalidPayloads: 0,
    refused: 0,
    warnings: 0,
    messagesSent: [],
    bytesSent: [],
    peerEvents: [],
    duplicates: [],
  };
  readonly #options: ResolvedSimulationOptions;
  readonly #scheduler: VirtualScheduler;
  readonly #random: SimulationRandom;
  /** What every session gets besides its own `send`, remote and outbound. */
  readonly #sessionBase: Omit<PexSessionOptions, 'send'>;
  readonly #randomFloat: () => number;

  constructor(
    options: ResolvedSimulationOptions,
    scheduler: VirtualScheduler,
    random: SimulationRandom,
    expectedNodes: number,
  ) {
    this.#options = options;
    this.#scheduler = scheduler;
    this.#random = random;
    this.#randomFloat = () => random.nextFloat();
    this.knowledge = createSwarmKnowledge(expectedNodes);
    this.#sessionBase = {
      clock: scheduler.clock,
      timers: scheduler.timers,
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      ...(options.firstMessageDelayMs === undefined
        ? {}
        : { firstMessageDelayMs: options.firstMessageDelayMs }),
      ...(options.accept === undefined ? {} : { accept: options.accept }),
      ...(options.inbound === undefined ? {} : { inbound: options.inbound }),
      ...(options.caps === undefined ? {} : { caps: options.caps }),
    };
  }

  /** Live nodes now. */
  get liveCount(): number {
    return this.liveIds.length;
  }

  /**
   * Adds a node that joins now and dials up to `bootstrapPeers` random live nodes (the tracker's
   * answer). Returns it.
   * @throws {TypeError|RangeError} from @pex/core for invalid `caps`, `relaxation` or
   *   `candidatePool` options (the first node checks them for the run).
   */
  join(initial: boolean): SimulatedNode {
    const options = this.#options;
    const id = this.nodes.length;
    const address = addressOfNode(id);
    const timeline =
      options.outbound === 'timeline'
        ? createSwarmTimeline({
            ...options.caps,
            ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
            ...(options.relaxation === undefined ? {} : { relaxation: options.relaxation }),
          })
        : undefined;
    const pool =
      options.candidatePool === undefined
        ? undefined
        : createCandidatePool({
            ...options.candidatePool,
            ownAddress: { address: address.bytes, port: SIMULATED_PORT },
          });
    const node: SimulatedNode = {
      id,
      address,
      joinedAt: this.#scheduler.now(),
      initial,
      alive: true,
      timeline,
      links: new Map(),
      dialing: new Set(),
      remembered: [],
      pool,
      idle: new Set(),
    };
    this.nodes.push(node);
    this.knowledge.addNode(id);
    const { counters } = this;
    counters.messagesSent.push(0);
    counters.bytesSent.push(0);
    counters.peerEvents.push(0);
    counters.duplicates.push(0);
    if (!initial) counters.joined++;

    // The tracker's answer comes before this node counts as live itself.
    this.announce(node);
    this.#livePosition[id] = this.liveIds.length;
    this.liveIds.push(id);
    return node;
  }

  /** `node` asks the tracker: it learns up to `bootstrapPeers` random live nodes and dials. */
  announce(node: SimulatedNode): void {
    const live = this.liveIds;
    const listed = this.#livePosition[node.id] !== undefined;
    const wanted = Math.min(this.#options.bootstrapPeers, live.length - (listed ? 1 : 0));
    const picked = new Set<number>();
    for (let tries = 0; picked.size < wanted && tries < 4 * wanted + 16; tries++) {
      const peer = live[this.#random.nextInteger(0, live.length - 1)] as number;
      if (peer !== node.id) picked.add(peer);
    }
    for (const peer of picked) this.#learn(node, peer, -1, 0);
    this.#dialSome(node);
  }

  /** `node` leaves the swarm: every connection closes, nobody counts it as live any more. */
  leave(node: SimulatedNode): void {
    if (!node.alive) return;
    node.alive = false;
    this.counters.left++;
    for (const end of [...node.links.values()]) this.#close(end, false);
    node.dialing.clear();
    node.remembered.length = 0;
    node.idle.clear();
    const position = this.#livePosition[node.id] as number;
    const last = this.liveIds.pop() as number;
    if (last !== node.id) {
      this.liveIds[position] = last;
      this.#livePosition[last] = position;
    }
    this.knowledge.removeNode(node.id, this.liveIds);
  }

  /**
   * Peer turnover (libtorrent's): at `cutoff` of `dialBelow` or more (the number of connections it
   * maintains, libtorrent's limit), `node` closes `fraction` of its connections (random ones,
   * rounded up), then dials others if it fell below `dialBelow`.
   */
  turnOver(node: SimulatedNode): void {
    const turnover = this.#options.turnover;
    if (turnover === false || !node.alive) return;
    const open = node.links.size;
    if (open === 0 || open < turnover.cutoff * this.#options.dialBelow) return;
    const count = Math.ceil(turnover.fraction * open);
    if (count === 0) return;
    const ends = [...node.links.values()];
    for (let i = 0; i < count; i++) {
      const pick = this.#random.nextInteger(i, ends.length - 1);
      const end = ends[pick] as LinkEnd;
      ends[pick] = ends[i] as LinkEnd;
      this.counters.turnedOver++;
      // BEP 11's relaxation lets a peer dropped by turnover still be advertised: it is alive.
      this.#close(end, true);
    }
    this.#dialSome(node);
  }

  /** Adds up the counters of the sessions still open (call once, at the end). */
  collectOpenSessions(): void {
    for (const node of this.nodes) {
      if (!node.alive) continue;
      for (const end of node.links.values()) this.#collect(end.session);
    }
  }

  // --- learning and dialling ---

  /** `node` learns of `peer` from `source` (-1: the tracker); remembers it to dial. */
  #learn(node: SimulatedNode, peer: number, source: number, flags: number): void {
    if (peer === node.id) return;
    const target = this.nodes[peer] as SimulatedNode;
    const fresh = this.knowledge.learn(node.id, peer, target.alive);
    if (source >= 0) {
      const { peerEvents, duplicates } = this.counters;
      peerEvents[node.id] = (peerEvents[node.id] as number) + 1;
      if (!fresh) duplicates[node.id] = (duplicates[node.id] as number) + 1;
    }
    const { pool } = node;
    if (pool !== undefined) {
      // The tracker is one more source (-1) for the pool's votes.
      const { bytes } = target.address;
      pool.reportAdded(
        source,
        { address: bytes, port: SIMULATED_PORT, flags },
        this.#scheduler.now(),
      );
      return;
    }
    if (node.links.has(peer) || node.dialing.has(peer)) return;
    this.#remember(node, peer);
  }

  /** Adds `peer` as the newest candidate of `node`, forgetting the oldest beyond the bound. */
  #remember(node: SimulatedNode, peer: number): void {
    const { remembered } = node;
    remembered.push(peer);
    if (remembered.length > this.#options.maxRememberedCandidates) remembered.shift();
  }

  /** Dials candidates while `node` has free slots: pool's best first, or the newest learned. */
  #dialSome(node: SimulatedNode): void {
    const max = this.#options.dialBelow;
    if (!node.alive) return;
    const pool = node.pool;
    if (pool !== undefined) {
      const free = max - node.links.size - node.dialing.size;
      if (free <= 0) return;
      pool.setWanted(free);
      for (const candidate of pool.take(free, this.#scheduler.now())) {
        const peer = nodeOfPeerKey(candidate.key);
        if (peer >= 0 && this.#mayDial(node, peer)) this.#dial(node, peer);
      }
      return;
    }
    const { remembered } = node;
    // Candidates the dial policy declines are kept, in their order, for the next free slot.
    const declined: number[] = [];
    while (node.links.size + node.dialing.size < max && remembered.length > 0) {
      const peer = remembered.pop() as number;
      if (node.links.has(peer) || node.dialing.has(peer)) continue;
      if (this.#mayDial(node, peer)) this.#dial(node, peer);
      else declined.push(peer);
    }
    for (let i = declined.length - 1; i >= 0; i--) remembered.push(declined[i] as number);
  }

  #mayDial(node: SimulatedNode, peer: number): boolean {
    if (peer === node.id || node.links.has(peer) || node.dialing.has(peer)) return false;
    const policy = this.#options.dialPolicy;
    if (policy === undefined) return true;
    return policy({
      node: node.id,
      peer,
      now: this.#scheduler.now(),
      connections: node.links.size + node.dialing.size,
      maxConnections: this.#options.maxConnections,
      random: this.#randomFloat,
    });
  }

  /** Starts a dial; the connection opens (or fails) one latency later. */
  #dial(node: SimulatedNode, peer: number): void {
    node.dialing.add(peer);
    this.counters.dials++;
    this.#scheduler.schedule(this.#scheduler.now() + this.#latency(), () => {
      if (!node.dialing.delete(peer)) return;
      const remote = this.nodes[peer] as SimulatedNode;
      if (!node.alive || !remote.alive || remote.links.has(node.id) || node.links.has(peer)) {
        this.counters.failed++;
        this.#dialSome(node);
        return;
      }
      if (remote.links.size + remote.dialing.size >= this.#options.maxConnections) {
        this.counters.failed++;
        this.#retryLater(node, peer);
        this.#dialSome(node);
        return;
      }
      this.#open(node, remote);
    });
  }

  /**
   * `peer` was full: `node` remembers it again after `DIAL_RETRY_MS` (libtorrent's
   * min_reconnect_time) and dials it if it still has room then. Without it, a node whose few
   * known peers were all full would stay alone until its next announce.
   */
  #retryLater(node: SimulatedNode, peer: number): void {
    this.#scheduler.schedule(this.#scheduler.now() + DIAL_RETRY_MS, () => {
      if (!node.alive || node.pool !== undefined) return;
      if (node.links.has(peer) || node.dialing.has(peer)) return;
      this.#remember(node, peer);
      this.#dialSome(node);
    });
  }

  // --- connections ---

  /** Opens a connection from `dialer` to `accepter`: a session at each end. */
  #open(dialer: SimulatedNode, accepter: SimulatedNode): void {
    this.counters.opened++;
    const outgoing = this.#makeEnd(dialer, accepter);
    const incoming = this.#makeEnd(accepter, dialer);
    outgoing.other = incoming;
    incoming.other = outgoing;
    this.knowledge.learn(dialer.id, accepter.id, true);
    this.knowledge.learn(accepter.id, dialer.id, true);
    this.#forget(dialer, accepter.id);
    this.#forget(accepter, dialer.id);
    // The dialer reached the accepter's listen port: it is reachable (BEP 11 flag 0x10).
    this.#advertise(dialer, outgoing, PEX_FLAG_REACHABLE);
    this.#advertise(accepter, incoming, 0);
    for (const end of [outgoing, incoming]) {
      end.session.start();
      end.session.setRemoteSupportsPex(true);
    }
  }

  #makeEnd(node: SimulatedNode, remote: SimulatedNode): LinkEnd {
    const cursor = node.timeline?.join({ remote: remote.address.key });
    const end = {
      node,
      remote,
      cursor,
      open: true,
      lastDeliveryAt: 0,
    } as Omit<LinkEnd, 'session' | 'other'> as LinkEnd;
    const session = createPexSession({
      ...this.#sessionBase,
      send: (bytes) => this.#send(end, bytes),
      remoteAddress: remote.address.endpoint,
      localAddresses: [node.address.endpoint],
      ...(cursor === undefined ? {} : { outbound: cursor }),
    });
    (end as { session: PexSession }).session = session;
    this.counters.sessions++;
    session.on('peer', (peer) => this.#onPeer(end, peer));
    session.on('warning', () => {
      this.counters.warnings++;
    });
    if (node.pool !== undefined) {
      const pool = node.pool;
      session.on('dropped', (peer) => this.#onDropped(pool, end, peer));
    }
    if (cursor !== undefined) {
      session.on('sent', () => {
        if (end.open) node.idle.add(end);
      });
      node.idle.add(end);
    }
    node.links.set(remote.id, end);
    return end;
  }

  /** Tells `node`'s other connections about the new one (`end`), and it about them (tracker mode). */
  #advertise(node: SimulatedNode, end: LinkEnd, flags: number): void {
    const { address } = end.remote;
    if (node.timeline !== undefined) {
      node.timeline.connected({ address: address.bytes, port: SIMULATED_PORT, flags });
      this.#wake(node);
      return;
    }
    for (const other of node.links.values()) {
      if (other === end) continue;
      other.session.addPeer(address.endpoint, flags);
      end.session.addPeer(other.remote.address.endpoint);
    }
  }

  /** Lets idle sessions look at the timeline now, as the swarm helper does on every change. */
  #wake(node: SimulatedNode): void {
    for (const end of node.idle) {
      end.session.refresh();
      if (end.cursor?.nextMessageAt() !== undefined) node.idle.delete(end);
    }
  }

  /**
   * Closes `end`'s connection: now at its node, one latency later at the remote (which may send
   * meanwhile; what it sends is lost). `qualifies`: BEP 11's relaxation may still advertise the
   * remote (it was closed by turnover, not gone).
   */
  #close(end: LinkEnd, qualifies: boolean): void {
    this.#closeEnd(end, qualifies);
    const other = end.other;
    const node = end.node;
    this.#scheduler.schedule(this.#scheduler.now() + this.#latency(), () => {
      if (!other.open) return;
      this.#closeEnd(other, qualifies && node.alive);
      this.#dialSome(other.node);
    });
  }

  #closeEnd(end: LinkEnd, qualifies: boolean): void {
    if (!end.open) return;
    end.open = false;
    const { node, remote, session } = end;
    node.links.delete(remote.id);
    node.idle.delete(end);
    this.#collect(session);
    session.destroy();
    end.cursor?.leave();
    node.pool?.removeSource(remote.id);
    const { address } = remote;
    if (node.timeline !== undefined) {
      const peer = { address: address.bytes, port: SIMULATED_PORT };
      // `qualifies` only means something with the relaxation on (the timeline checks `how`).
      if (this.#options.relaxation !== undefined && qualifies) {
        node.timeline.disconnected(peer, { qualifies: true });
      } else {
        node.timeline.disconnected(peer);
      }
      this.#wake(node);
    } else {
      for (const other of node.links.values()) other.session.dropPeer(address.endpoint);
    }
  }

  /** Adds what a closing session counted to the run's counters. */
  #collect(session: PexSession): void {
    const counts = session.getCounters();
    const { counters } = this;
    counters.violations += counts.violations;
    counters.invalidPayloads += counts.invalidPayloads;
    for (const count of Object.values(counts.refused)) counters.refused += count;
  }

  // --- the network ---

  #send(end: LinkEnd, bytes: Uint8Array): void {
    const { counters } = this;
    const id = end.node.id;
    counters.messagesSent[id] = (counters.messagesSent[id] as number) + 1;
    counters.bytesSent[id] = (counters.bytesSent[id] as number) + bytes.length;
    const at = Math.max(this.#scheduler.now() + this.#latency(), end.lastDeliveryAt);
    end.lastDeliveryAt = at;
    const other = end.other;
    this.#scheduler.schedule(at, () => {
      if (other.open) other.session.receive(bytes);
      else counters.lost++;
    });
  }

  #onPeer(end: LinkEnd, peer: PexPeerEvent): void {
    const { node } = end;
    if (!node.alive || !end.open) return;
    const id = this.#nodeOf(peer);
    if (id < 0) return;
    this.#learn(node, id, end.remote.id, peer.flags.byte);
    this.#dialSome(node);
  }

  #onDropped(pool: CandidatePool, end: LinkEnd, peer: PeerAddress): void {
    const id = this.#nodeOf(peer);
    if (id < 0) return;
    const target = this.nodes[id] as SimulatedNode;
    pool.reportDropped(end.remote.id, { address: target.address.bytes, port: peer.port });
  }

  /** The node at a reported address, or -1 for an address no node has. */
  #nodeOf(peer: PeerAddress): number {
    const id = nodeOfAddress(peer.address, peer.port);
    return id < this.nodes.length ? id : -1;
  }

  #forget(node: SimulatedNode, peer: number): void {
    const index = node.remembered.lastIndexOf(peer);
    if (index >= 0) node.remembered.splice(index, 1);
  }

  #latency(): number {
    const { min, max } = this.#options.latencyMs;
    return min + this.#random.nextFloat() * (max - min);
  }
}
