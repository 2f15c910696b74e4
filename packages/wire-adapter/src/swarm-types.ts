import type { CandidatePool, CandidatePoolOptions, PexOutboundOptions } from '@pex/core';
import type { PeerAddress, PexPeerEvent, PexRefusedEvent } from '@pex/events';
import type { EventEmitter } from 'eventemitter3';
import type { UtPexExtension, UtPexOptions } from './ut-pex-types.js';
import type { PexWire } from './wire.js';

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
   * Built only while the helper, or a wire's extension, has a `refused` listener.
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
