import {
  type CandidatePool,
  type CandidatePoolOptions,
  createCandidatePool,
  createRelayIndex,
  createSwarmTimeline,
  PEX_FLAG_REACHABLE,
  PEX_FLAG_SUPPORTS_HOLEPUNCH,
  type PeerKey,
  type PexOutboundOptions,
  peerKey,
  type RelayIndex,
} from '@pex/core';
import {
  type PeerAddress,
  type PexPeerAddress,
  type PexPeerEvent,
  type PexRefusedEvent,
  type PexSessionEvents,
  parsePeerAddress,
} from '@pex/events';
import { realClock } from '@pex/events/internal';
import { EventEmitter } from 'eventemitter3';
import { LateOutbound } from './late-outbound.js';
import { type PeerFlagsWatch, watchPeerFlags } from './live-flags.js';
import {
  checkUtPexOptions,
  defineUtPexExtension,
  lateOutboundOf,
  type UtPexExtension,
  type UtPexOptions,
} from './ut-pex-extension.js';
import { type PexWire, readListenPort } from './wire.js';

/** How a wire was made, as the application knows it when the connection opens. */
export interface PexSwarmWireInfo {
  /** The remote's IP address (from the socket). */
  readonly address: string;
  /** The remote's port: its listen port for outgoing connections, the socket's port otherwise. */
  readonly port: number;
  /**
   * True if we dialled it: its `address:port` is then its listen address, and it is reachable
   * (flag 0x10). An incoming peer is advertised reachable once it proves so (`markReachable`).
   */
  readonly outgoing: boolean;
  /** The connection runs over uTP (flag 0x04). Default: from WebTorrent's `wire.type`. */
  readonly utp?: boolean;
  /** The connection is encrypted (flag 0x01). Default: from the remote's handshake `e`. */
  readonly encrypted?: boolean;
}

/** Options of `createPexSwarm`: those of `utPex()` for every wire, plus the caps of the timeline. */
export interface PexSwarmOptions extends UtPexOptions {
  /** Caps of every wire's messages (first message, added and dropped per message). */
  readonly caps?: Omit<PexOutboundOptions, 'intervalMs' | 'remote' | 'relaxation'>;
  /** Our listen port, written as `p` into each wire's extended handshake so peers can list us. */
  readonly listenPort?: number;
  /**
   * Keep a candidate pool (`swarm.candidates`) fed by every wire: its remote's `peer` and
   * `dropped` events vote (the source is the wire), and a wire that closes takes its votes with
   * it. Times are the sessions' `clock` (default `performance.now()`): give `take` the same.
   */
  readonly candidates?: CandidatePoolOptions;
  /**
   * The torrent's number of pieces (from its info dictionary), if known when the helper is made:
   * a remote whose pieces are all set (bitfield, or `have` up to the last one) is then advertised
   * as a seed (0x02). Unknown until the metadata arrives (a magnet link): call `setPieceCount`
   * then. Without it, only BEP 6 `have-all` and `upload_only` mark a seed.
   */
  readonly pieceCount?: number;
  /**
   * Keep the swarm's BEP 55 relay index, for `introducersOf`: which wires advertise which peer
   * with the holepunch flag (0x08). Default false: it costs about 10 bytes per such peer and
   * wire in the heap (over a kilobyte per connection when half of 200 reported peers carry the
   * flag). One index serves every wire: the sessions keep none (the session option of the same
   * name is not passed on).
   */
  readonly relays?: boolean;
}

/** A peer some wire's remote reported, with the wire it came from. */
export interface PexSwarmPeerEvent extends PexPeerEvent {
  /** The wire whose remote reported the peer. */
  readonly wire: PexWire;
}

/** A peer some wire's remote dropped, with the wire. */
export interface PexSwarmDroppedEvent extends PeerAddress {
  /** The wire whose remote dropped the peer. */
  readonly wire: PexWire;
}

/** A peer some wire's remote reported that was left out, with the wire and the reason. */
export interface PexSwarmRefusedEvent extends PexRefusedEvent {
  /** The wire whose remote reported the peer. */
  readonly wire: PexWire;
}

/** Events of the swarm helper. */
export interface PexSwarmEvents {
  /**
   * A peer learned through PEX. The helper never dials it: that is the application's call.
   * Fired once per wire that reports the peer (each event names its wire): two remotes that
   * both report a peer give two events, which is what a candidate pool counts as corroboration.
   * Deduplicate on `address`/`port` if one event per peer is wanted.
   */
  peer: (event: PexSwarmPeerEvent) => void;
  /** A peer some wire's remote reported before and now drops. */
  dropped: (event: PexSwarmDroppedEvent) => void;
  /**
   * A peer some wire's remote reported that was left out, and why (see `PexRefusalReason`).
   * While the helper has no `refused` listener, the wires' sessions still build these events
   * (one small object per refused peer) and the helper drops them.
   */
  refused: (event: PexSwarmRefusedEvent) => void;
  /** A `warning` of one wire's extension (violations, undecodable payloads, caught errors). */
  warning: (event: { readonly wire: PexWire; readonly error: Error }) => void;
}

/** The swarm helper: advertises every connected peer to every other wire. */
export interface PexSwarm extends EventEmitter<PexSwarmEvents> {
  /**
   * Takes a new wire (call it right after creating the wire, before its handshake): installs
   * the ut_pex extension, starts it, and advertises the remote to every other wire once its
   * listen address is known (at once for outgoing connections, from the `p` of its extended
   * handshake for incoming ones). When the wire closes, the peer is dropped everywhere.
   * @throws {TypeError} naming the input if `info.address` / `info.port` is not a valid peer.
   * @throws {Error} if the helper was destroyed.
   */
  addWire(wire: PexWire, info: PexSwarmWireInfo): UtPexExtension;
  /**
   * Sets the torrent's number of pieces (once the metadata is known): every wire's remote is
   * counted again, and one whose pieces are all set is advertised as a seed (0x02) from the next
   * message on. O(pieces) per wire, once.
   * @throws {RangeError} if `pieceCount` is not an integer 1..2^32.
   */
  setPieceCount(pieceCount: number): void;
  /**
   * The peer whose listen address is `address:port` proved reachable (for example, we dialled
   * it successfully, or a connection we opened to it for another reason was accepted): it is
   * advertised with flag 0x10 from the next message on, for as long as we stay connected to it.
   * Returns false, remembering nothing, when no connected peer listens there (not connected,
   * or its listen port is not known yet).
   * @throws {TypeError} if `address` is not an IP address.
   * @throws {RangeError} if `port` is not an integer 1..65535.
   */
  markReachable(address: string, port: number): boolean;
  /**
   * The wires whose remote currently advertises the peer at `address:port` with the holepunch
   * flag (0x08), newest advertisement first: each is connected to that peer and can relay a BEP
   * 55 rendezvous to it. Fed by every wire's `peer` and `dropped` events and forgotten when a
   * wire closes; at most 4 wires per peer, 3000 peers, and advertisements younger than 30 min
   * (the defaults of `createRelayIndex`; times are the sessions' `clock`). Only the index: the
   * `ut_holepunch` extension itself is the application's.
   * @throws {Error} if the swarm was not created with `relays: true`.
   * @throws {TypeError} if `address` is not an IP address.
   * @throws {RangeError} if `port` is not an integer 1..65535.
   */
  introducersOf(address: string, port: number): PexWire[];
  /** Wires currently held. */
  readonly wireCount: number;
  /** Peers currently advertised to the swarm. */
  readonly advertisedCount: number;
  /**
   * The candidate pool of the `candidates` option (whom to dial next, and when to stop asking:
   * `take(n, now)`, `saturated`, ...), or undefined without it.
   */
  readonly candidates: CandidatePool | undefined;
  /** Destroys every wire's PEX session (not the wires) and forgets them. */
  destroy(): void;
}

/**
 * Creates the swarm helper for one torrent. Joining or leaving costs O(1) whatever the number of
 * wires: every wire reads the same swarm timeline (@pex/core) through its own cursor.
 *
 * @example
 * ```ts
 * const swarm = createPexSwarm({ listenPort: 6881 });
 * swarm.on('peer', ({ address, port, flags }) => maybeDial(address, port, flags));
 * // for every new connection, before the handshake:
 * swarm.addWire(wire, { address: socket.remoteAddress, port: socket.remotePort, outgoing: true });
 * ```
 * @throws {TypeError|RangeError} at once for any invalid option: `caps` as `createSwarmTimeline`
 *   checks them, `listenPort` (an integer 1..65535), and the rest as `utPex()` checks them.
 */
export function createPexSwarm(options: PexSwarmOptions = {}): PexSwarm {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`"options" expected an object, got ${String(options)}`);
  }
  const { caps, listenPort, pieceCount, candidates, relays, ...extensionOptions } = options;
  if (listenPort !== undefined && !isPort(listenPort)) {
    throw new RangeError(
      `"listenPort" expected an integer 1..65535, got ${typeof listenPort === 'string' ? JSON.stringify(listenPort) : String(listenPort)}`,
    );
  }
  if (pieceCount !== undefined) checkPieceCount(pieceCount);
  if (relays !== undefined && typeof relays !== 'boolean') {
    throw new TypeError(`"relays" expected a boolean, got ${typeof relays}`);
  }
  checkUtPexOptions(extensionOptions);
  const timeline = createSwarmTimeline(caps);
  const pool = candidates === undefined ? undefined : createCandidatePool(candidates);
  const relayIndex = relays === true ? createRelayIndex<PexWire>() : undefined;
  return new Swarm(timeline, extensionOptions, listenPort, pieceCount, pool, relayIndex);
}

type Timeline = ReturnType<typeof createSwarmTimeline>;
type Cursor = ReturnType<Timeline['join']>;

/** What the helper keeps per wire. */
interface WireEntry {
  readonly extension: UtPexExtension;
  readonly cursor: Cursor;
  readonly flags: PeerFlagsWatch;
  close(): void;
}

/** One peer advertised to the swarm, with what its connections tell of its flags. */
interface AdvertisedPeer {
  readonly peer: PexPeerAddress;
  /** The flags of each connection to it (both directions may be open at once). */
  readonly connections: Set<PeerFlagsWatch>;
  /** We dialled it, or the application said it proved reachable: true while it stays advertised. */
  reachable: boolean;
  /** The flag byte last given to the timeline. */
  flags: number;
}

class Swarm extends EventEmitter<PexSwarmEvents> implements PexSwarm {
  readonly candidates: CandidatePool | undefined;
  readonly #timeline: Timeline;
  readonly #options: UtPexOptions;
  readonly #listenPort: number | undefined;
  readonly #wires = new Map<PexWire, WireEntry>();
  /**
   * Wires whose session may be waiting longer than it has to: those with nothing to say after
   * their last message (or before their first). A session polls an injected outbound once per
   * interval; without a wake-up, a peer joining just after such a poll would wait a whole
   * interval more, and a wire that joined an empty swarm would send its first message only
   * after an interval. Woken on every join or leave; a wire re-enters the set when it sends, so
   * the wake-ups are paid for by messages, and a join or leave stays O(1) amortised.
   */
  readonly #idle = new Set<WireEntry>();
  /** Advertised peers: two connections to one peer (both directions) advertise it once. */
  readonly #advertised = new Map<PeerKey, AdvertisedPeer>();
  /** Which wires advertise which peer with the holepunch flag (BEP 55 relays), if kept. */
  readonly #relays: RelayIndex<PexWire> | undefined;
  #pieceCount: number | undefined;
  #destroyed = false;

  constructor(
    timeline: Timeline,
    options: UtPexOptions,
    listenPort: number | undefined,
    pieceCount: number | undefined,
    candidates: CandidatePool | undefined,
    relays: RelayIndex<PexWire> | undefined,
  ) {
    super();
    this.candidates = candidates;
    this.#relays = relays;
    this.#timeline = timeline;
    this.#options = options;
    this.#listenPort = listenPort;
    this.#pieceCount = pieceCount;
  }

  get wireCount(): number {
    return this.#wires.size;
  }

  get advertisedCount(): number {
    return this.#timeline.livePeerCount;
  }

  addWire(wire: PexWire, info: PexSwarmWireInfo): UtPexExtension {
    if (this.#destroyed) throw new Error('the swarm helper was destroyed');
    const known = this.#wires.get(wire);
    if (known !== undefined) return known.extension;
    const remote = parsePeerAddress({ address: info.address, port: info.port });
    // A wire whose host already installed an extension of ours made to be taken over (the
    // `@pex/ut_pex` alias): adopt it rather than install a second ut_pex.
    const installed = (wire as { ut_pex?: unknown }).ut_pex;
    const adopted = installed === undefined ? undefined : lateOutboundOf(installed);
    if (installed !== undefined && adopted === undefined) {
      throw new TypeError(
        '"wire" already has a ut_pex extension the swarm helper cannot take over (the npm ut_pex, or a plain utPex()): give the wire to addWire before wire.use()',
      );
    }
    const cursor = this.#timeline.join({
      ...(this.#options.intervalMs === undefined ? {} : { intervalMs: this.#options.intervalMs }),
      ...(info.outgoing ? { remote: keyOf(remote) } : {}),
    });
    const outbound = adopted ?? new LateOutbound();
    if (this.#listenPort !== undefined && wire.extendedHandshake !== undefined) {
      wire.extendedHandshake.p = this.#listenPort;
    }
    let extension: UtPexExtension;
    if (adopted === undefined) {
      const Extension = defineUtPexExtension(
        { ...this.#options, remoteAddress: { address: remote.address, port: remote.port } },
        { outbound, autoStart: true },
      );
      wire.use(Extension as never);
      extension = (wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
    } else {
      extension = installed as UtPexExtension;
      extension.session.setRemoteAddress({ address: remote.address, port: remote.port });
      extension.session.start();
    }

    let advertised: PexPeerAddress | undefined;
    // The flags change as the wire learns more; the peer is announced again only when they do.
    const flags = watchPeerFlags(wire, info, this.#pieceCount, () => {
      if (advertised !== undefined && this.#wires.has(wire)) this.#announce(keyOf(advertised));
    });
    const advertise = (port: number) => {
      if (advertised !== undefined || this.#destroyed || !this.#wires.has(wire)) return;
      advertised = { ...remote, port };
      const key = keyOf(advertised);
      cursor.setRemote(key);
      let peer = this.#advertised.get(key);
      if (peer === undefined) {
        peer = { peer: advertised, connections: new Set(), reachable: false, flags: -1 };
        this.#advertised.set(key, peer);
      }
      peer.connections.add(flags);
      if (info.outgoing) peer.reachable = true;
      this.#announce(key);
    };
    const onHandshake = (
      _infoHash: unknown,
      _peerId: unknown,
      extensions?: { extended?: boolean },
    ) => {
      // Without BEP 10 there is no extended handshake to wait for.
      if (info.outgoing && extensions?.extended !== true) advertise(info.port);
    };
    const onExtended = (name: unknown, handshake: unknown) => {
      if (name !== 'handshake') return;
      const dict = (handshake ?? {}) as Record<string, unknown>;
      flags.handshake(dict);
      const port = info.outgoing ? info.port : readListenPort(dict);
      if (port !== undefined) advertise(port);
    };
    const events = wire as unknown as {
      on(event: string, listener: (...args: never[]) => void): unknown;
      removeListener(event: string, listener: (...args: never[]) => void): unknown;
    };
    events.on('handshake', onHandshake);
    events.on('extended', onExtended);

    const entry: WireEntry = {
      extension,
      cursor,
      flags,
      close: () => {
        if (this.#wires.get(wire) !== entry) return;
        this.#wires.delete(wire);
        this.#idle.delete(entry);
        events.removeListener('handshake', onHandshake);
        events.removeListener('extended', onExtended);
        flags.stop();
        // The session first: nothing may be sent on this wire any more.
        extension.session.destroy();
        outbound.bind(undefined);
        cursor.leave();
        this.#relays?.removeSource(wire);
        this.candidates?.removeSource(wire);
        if (advertised !== undefined) this.#unadvertise(keyOf(advertised), flags);
      },
    };
    // One observer per wire hears its session's events (no listener per event and wire).
    outbound.bind(cursor, {
      observe: (event, payload) => this.#observe(wire, entry, event, payload),
      wantsRefused: this.#wantsRefused,
    });
    extension.on('warning', (error) => this.#emitSafely('warning', { wire, error }));

    this.#wires.set(wire, entry);
    this.#idle.add(entry);
    wire.once('close', entry.close);
    wire.once('finish', entry.close);
    // Given after the handshakes (a host that installed the extension itself): what they said
    // is on the wire already.
    if (wire.peerId !== undefined && wire.peerId !== null) {
      const { peerExtensions } = wire as { peerExtensions?: { extended?: boolean } };
      onHandshake(undefined, undefined, peerExtensions);
    }
    const received = wire.peerExtendedHandshake;
    if (received !== undefined && Object.keys(received).length > 0) {
      onExtended('handshake', received);
    }
    if (adopted !== undefined) extension.session.refresh();
    return extension;
  }

  setPieceCount(pieceCount: number): void {
    checkPieceCount(pieceCount);
    this.#pieceCount = pieceCount;
    for (const entry of this.#wires.values()) entry.flags.setPieceCount(pieceCount);
  }

  markReachable(address: string, port: number): boolean {
    const key = keyOf(parsePeerAddress({ address, port }));
    const peer = this.#advertised.get(key);
    if (peer === undefined || this.#destroyed) return false;
    peer.reachable = true;
    this.#announce(key);
    return true;
  }

  introducersOf(address: string, port: number): PexWire[] {
    const peer = parsePeerAddress({ address, port });
    const relays = this.#relays;
    if (relays === undefined) {
      throw new Error('"introducersOf" needs a swarm created with relays: true');
    }
    const now = (this.#options.clock ?? realClock).now();
    const wires = relays.introducersOf(peer.bytes, peer.port, now);
    // A wire of a private torrent exchanges no peers (BEP 27): it relays nothing we learned.
    return wires.filter((wire) => this.#wires.get(wire)?.extension.session.privacy === 'public');
  }

  /** True while someone listens to the swarm's `refused` events (shared by every wire). */
  readonly #wantsRefused = (): boolean => this.listenerCount('refused') > 0;

  /**
   * One event of `wire`'s session, after the extension's own listeners. A reported or dropped
   * peer goes to the candidate pool first, then to the relay index, then to the swarm's
   * listeners, so that a \`peer\` listener calling \`take\` or \`introducersOf\` finds it there.
   */
  #observe<K extends keyof PexSessionEvents>(
    wire: PexWire,
    entry: WireEntry,
    event: K,
    payload: Parameters<PexSessionEvents[K]>[0],
  ): void {
    switch (event) {
      case 'peer': {
        const peer = payload as PexPeerEvent;
        const { bytes } = parsePeerAddress(peer);
        const now = (this.#options.clock ?? realClock).now();
        const flags = peer.flags.byte;
        this.candidates?.reportAdded(wire, { address: bytes, port: peer.port, flags }, now);
        if ((flags & PEX_FLAG_SUPPORTS_HOLEPUNCH) !== 0) {
          this.#relays?.reported(wire, { address: bytes, port: peer.port }, flags, now);
        }
        this.#emitSafely('peer', { ...peer, wire });
        break;
      }
      case 'dropped': {
        const peer = payload as PexPeerAddress;
        const address = parsePeerAddress(peer).bytes;
        this.candidates?.reportDropped(wire, { address, port: peer.port });
        this.#relays?.dropped(wire, { address, port: peer.port });
        this.#emitSafely('dropped', { ...peer, wire });
        break;
      }
      case 'refused':
        if (this.listenerCount('refused') > 0) {
          this.#emitSafely('refused', { ...(payload as PexRefusedEvent), wire });
        }
        break;
      case 'sent':
        if (this.#wires.get(wire) === entry) this.#idle.add(entry);
        break;
    }
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const entry of [...this.#wires.values()]) entry.close();
    this.removeAllListeners();
  }

  /**
   * Gives the timeline the peer's current flags (what its connections know, ORed) if they
   * changed: the timeline re-announces it in `added` of the next message, never as a drop.
   */
  #announce(key: PeerKey): void {
    const advertised = this.#advertised.get(key);
    if (advertised === undefined) return;
    let flags = advertised.reachable ? PEX_FLAG_REACHABLE : 0;
    for (const connection of advertised.connections) flags |= connection.flags;
    if (flags === advertised.flags) return;
    advertised.flags = flags;
    const { peer } = advertised;
    this.#timeline.connected({ address: peer.bytes, port: peer.port, flags });
    if (!this.#destroyed) this.#wake();
  }

  #unadvertise(key: PeerKey, connection: PeerFlagsWatch): void {
    const advertised = this.#advertised.get(key);
    if (advertised === undefined) return;
    advertised.connections.delete(connection);
    if (advertised.connections.size > 0) {
      // What the closed connection knew alone (uTP, say) no longer holds.
      this.#announce(key);
      return;
    }
    this.#advertised.delete(key);
    const { peer } = advertised;
    this.#timeline.disconnected({ address: peer.bytes, port: peer.port });
    if (!this.#destroyed) this.#wake();
  }

  /** Lets idle sessions look at the timeline now (they arm their timer, never send at once). */
  #wake(): void {
    for (const entry of this.#idle) {
      entry.extension.session.refresh();
      // Still nothing to say (the change was its own remote): it stays idle.
      if (entry.cursor.nextMessageAt() !== undefined) this.#idle.delete(entry);
    }
  }

  #emitSafely<K extends keyof PexSwarmEvents>(
    event: K,
    ...args: Parameters<PexSwarmEvents[K]>
  ): void {
    // A throwing application listener must not reach the wire (it would crash the process).
    try {
      (this.emit as (event: K, ...args: Parameters<PexSwarmEvents[K]>) => boolean)(event, ...args);
    } catch (error) {
      if (event !== 'warning') {
        const wire = (args[0] as { wire: PexWire }).wire;
        this.#emitSafely('warning', {
          wire,
          error: error instanceof Error ? error : new Error(String(error)),
        });
      }
    }
  }
}

/** True for a TCP/UDP port we can advertise: an integer 1..65535. */
function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

function keyOf(peer: PexPeerAddress): PeerKey {
  return peerKey(peer.bytes, peer.port);
}

/** Checks a torrent's piece count: BEP 3 indexes pieces with 4-byte integers. */
function checkPieceCount(pieceCount: unknown): void {
  if (
    typeof pieceCount !== 'number' ||
    !Number.isInteger(pieceCount) ||
    pieceCount < 1 ||
    pieceCount > MAX_PIECE_COUNT
  ) {
    throw new RangeError(
      `"pieceCount" expected an integer 1..${MAX_PIECE_COUNT}, got ${typeof pieceCount === 'string' ? JSON.stringify(pieceCount) : String(pieceCount)}`,
    );
  }
}

/** The most pieces a torrent can have: `have` carries a 4-byte piece index (BEP 3). */
const MAX_PIECE_COUNT = 2 ** 32;
