import {
  createSwarmTimeline,
  PEX_FLAG_PREFERS_ENCRYPTION,
  PEX_FLAG_REACHABLE,
  PEX_FLAG_SUPPORTS_HOLEPUNCH,
  PEX_FLAG_SUPPORTS_UTP,
  PEX_FLAG_UPLOAD_ONLY,
  type PeerKey,
  type PexOutboundOptions,
  peerKey,
} from '@pex/core';
import {
  type PeerAddress,
  type PexPeerAddress,
  type PexPeerEvent,
  type PexRefusedEvent,
  parsePeerAddress,
} from '@pex/events';
import { EventEmitter } from 'eventemitter3';
import { LateOutbound } from './late-outbound.js';
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
  /** True if we dialled it: its `address:port` is then its listen address, and it is reachable. */
  readonly outgoing: boolean;
  /** The connection runs over uTP (flag 0x04). Default: from WebTorrent's `wire.type`. */
  readonly utp?: boolean;
  /** The connection is encrypted (flag 0x01). Default: from the remote's handshake `e`. */
  readonly encrypted?: boolean;
}

/** Options of `createPexSwarm`: those of `utPex()` for every wire, plus the caps of the timeline. */
export interface PexSwarmOptions extends UtPexOptions {
  /** Caps of every wire's messages (first message, added and dropped per message). */
  readonly caps?: Omit<PexOutboundOptions, 'intervalMs' | 'remote'>;
  /** Our listen port, written as `p` into each wire's extended handshake so peers can list us. */
  readonly listenPort?: number;
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
  /** Wires currently held. */
  readonly wireCount: number;
  /** Peers currently advertised to the swarm. */
  readonly advertisedCount: number;
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
  const { caps, listenPort, ...extensionOptions } = options;
  if (listenPort !== undefined && !isPort(listenPort)) {
    throw new RangeError(
      `"listenPort" expected an integer 1..65535, got ${typeof listenPort === 'string' ? JSON.stringify(listenPort) : String(listenPort)}`,
    );
  }
  checkUtPexOptions(extensionOptions);
  const timeline = createSwarmTimeline(caps);
  return new Swarm(timeline, extensionOptions, listenPort);
}

type Timeline = ReturnType<typeof createSwarmTimeline>;
type Cursor = ReturnType<Timeline['join']>;

/** What the helper keeps per wire. */
interface WireEntry {
  readonly extension: UtPexExtension;
  readonly cursor: Cursor;
  close(): void;
}

class Swarm extends EventEmitter<PexSwarmEvents> implements PexSwarm {
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
  /** Wires per advertised peer: two connections to one peer (both directions) advertise it once. */
  readonly #advertised = new Map<PeerKey, number>();
  #destroyed = false;

  constructor(timeline: Timeline, options: UtPexOptions, listenPort: number | undefined) {
    super();
    this.#timeline = timeline;
    this.#options = options;
    this.#listenPort = listenPort;
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
    outbound.bind(cursor);
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
    const advertise = (port: number, handshake: Record<string, unknown> | undefined) => {
      if (advertised !== undefined || this.#destroyed || !this.#wires.has(wire)) return;
      advertised = { ...remote, port };
      const key = keyOf(advertised);
      cursor.setRemote(key);
      const count = this.#advertised.get(key) ?? 0;
      this.#advertised.set(key, count + 1);
      if (count === 0) {
        this.#timeline.connected({
          address: advertised.bytes,
          port,
          flags: flagsOf(wire, info, handshake),
        });
        this.#wake();
      }
    };
    const onHandshake = (
      _infoHash: unknown,
      _peerId: unknown,
      extensions?: { extended?: boolean },
    ) => {
      // Without BEP 10 there is no extended handshake to wait for.
      if (info.outgoing && extensions?.extended !== true) advertise(info.port, undefined);
    };
    const onExtended = (name: unknown, handshake: unknown) => {
      if (name !== 'handshake') return;
      const dict = (handshake ?? {}) as Record<string, unknown>;
      const port = info.outgoing ? info.port : readListenPort(dict);
      if (port !== undefined) advertise(port, dict);
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
      close: () => {
        if (this.#wires.get(wire) !== entry) return;
        this.#wires.delete(wire);
        this.#idle.delete(entry);
        events.removeListener('handshake', onHandshake);
        events.removeListener('extended', onExtended);
        // The session first: nothing may be sent on this wire any more.
        extension.session.destroy();
        outbound.bind(undefined);
        cursor.leave();
        if (advertised !== undefined) this.#unadvertise(advertised);
      },
    };
    extension.session.on('peer', (peer) => this.#emitSafely('peer', { ...peer, wire }));
    extension.session.on('dropped', (peer) => this.#emitSafely('dropped', { ...peer, wire }));
    extension.session.on('refused', (peer) => {
      if (this.listenerCount('refused') > 0) this.#emitSafely('refused', { ...peer, wire });
    });
    extension.session.on('sent', () => {
      if (this.#wires.get(wire) === entry) this.#idle.add(entry);
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

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const entry of [...this.#wires.values()]) entry.close();
    this.removeAllListeners();
  }

  #unadvertise(peer: PexPeerAddress): void {
    const key = keyOf(peer);
    const count = this.#advertised.get(key) ?? 0;
    if (count > 1) {
      this.#advertised.set(key, count - 1);
      return;
    }
    this.#advertised.delete(key);
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

/** The BEP 11 flags we know of a connected peer. */
function flagsOf(
  wire: PexWire,
  info: PexSwarmWireInfo,
  handshake: Record<string, unknown> | undefined,
): number {
  const m = handshake?.m as Record<string, unknown> | undefined;
  const utp = info.utp ?? (typeof wire.type === 'string' && wire.type.startsWith('utp'));
  const encrypted = info.encrypted ?? handshake?.e === 1;
  return (
    (encrypted ? PEX_FLAG_PREFERS_ENCRYPTION : 0) |
    (handshake?.upload_only === 1 ? PEX_FLAG_UPLOAD_ONLY : 0) |
    (utp ? PEX_FLAG_SUPPORTS_UTP : 0) |
    (typeof m?.ut_holepunch === 'number' && m.ut_holepunch > 0 ? PEX_FLAG_SUPPORTS_HOLEPUNCH : 0) |
    (info.outgoing ? PEX_FLAG_REACHABLE : 0)
  );
}
