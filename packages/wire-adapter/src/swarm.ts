import {
  type CandidatePool,
  createCandidatePool,
  createRelayIndex,
  createSwarmTimeline,
  PEX_FLAG_REACHABLE,
  PEX_FLAG_SUPPORTS_HOLEPUNCH,
  type PeerKey,
  peerKey,
  type RelayIndex,
} from '@pex/core';
import {
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
import type { PexSwarm, PexSwarmEvents, PexSwarmOptions, PexSwarmWireInfo } from './swarm-types.js';
import { defineUtPexExtension, lateOutboundOf } from './ut-pex-extension.js';
import { checkUtPexOptions } from './ut-pex-options.js';
import type { UtPexExtension, UtPexOptions } from './ut-pex-types.js';
import { type PexWire, readListenPort } from './wire.js';

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
      // The extension's own close and finish listeners call this: none of the swarm's per wire.
      closed: entry.close,
    });
    extension.on('warning', (error) => this.#emitSafely('warning', { wire, error }));

    this.#wires.set(wire, entry);
    this.#idle.add(entry);
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
   * listeners, so that a `peer` listener calling `take` or `introducersOf` finds it there.
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
