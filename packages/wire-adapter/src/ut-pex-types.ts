import type { PexFlags, PexOutbound } from '@pex/core';
import type {
  PeerAddressInput,
  PexCounters,
  PexPrivacy,
  PexRefusedEvent,
  PexSession,
  PexSessionOptions,
  PexViolationAction,
} from '@pex/events';
import type { EventEmitter } from 'eventemitter3';
import type { UtPexFlags } from './ut-pex-flags.js';
import type { PexWire } from './wire.js';

/**
 * Options of `utPex()`: the session's options (see @pex/events `PexSessionOptions`) minus
 * what the wire provides, plus the wire-level ones below.
 */
export interface UtPexOptions
  extends Omit<
    PexSessionOptions,
    'send' | 'disconnect' | 'onViolation' | 'outbound' | 'remoteAddress'
  > {
  /**
   * `'ignore'` (default): a violation or undecodable payload only becomes a `warning` event.
   * `'disconnect'`: also destroy the wire (BEP 11 allows disconnecting egregious violators);
   * nothing more from it is decoded or emitted.
   */
  readonly onViolation?: PexViolationAction;
  /**
   * The remote's IP (and port), e.g. from the socket: `"203.0.113.5:51413"`. Default: the
   * wire's `remoteAddress` / `remotePort` properties where the application set them. Used
   * never to advertise the remote to itself and for the local-sender rule of the peer policy.
   * Unless the wire is known to be outgoing (`wire.type` ending in `Outgoing`), the port is
   * replaced by the listen port from the remote's extended handshake (`p`).
   */
  readonly remoteAddress?: PeerAddressInput;
}

/** The ut_pex 5.x events, with its argument shapes. */
export interface UtPexEvents {
  /**
   * A new peer from the remote: `"1.2.3.4:6881"` or `"[2001:db8::1]:6881"`, and its flags. The
   * flags object is frozen and shared by every event with the same flag byte: copy it
   * (`{ ...flags }`) to change it.
   */
  peer: (peer: string, flags: Readonly<UtPexFlags>) => void;
  /** A peer the remote reported before and now drops. */
  dropped: (peer: string) => void;
  /**
   * A violation (`PexViolationError`), an undecodable payload (`PexDecodeError`), a hostile
   * extended handshake (`PexHandshakeError`), or an error caught where nothing may throw.
   */
  warning: (error: Error) => void;
  /**
   * A peer the remote reported that was left out, and why (the session's `refused` payload:
   * `{ address, port, family, reason }`). Not part of ut_pex 5.x. Built only while someone
   * listens.
   */
  refused: (peer: PexRefusedEvent) => void;
}

/**
 * `wire.ut_pex`: the surface of the npm `ut_pex` 5.x, plus `session`, the @pex/events session
 * behind it (typed events with one payload object each: `peer`, `dropped`, `invalid`,
 * `violation`, `sent`, `warning`).
 */
export interface UtPexExtension extends EventEmitter<UtPexEvents> {
  /** The extension name bittorrent-protocol registers it under (BEP 10 `m` key). */
  readonly name: 'ut_pex';
  /** The typed session: listen here for @pex/events payload objects. */
  readonly session: PexSession;
  /** Starts sending PEX messages (once the remote advertised ut_pex). */
  start(): void;
  /** Stops sending; receiving goes on. */
  stop(): void;
  /** Stops sending and forgets what was sent and received. */
  reset(): void;
  /** Advertise `peer` (`"ip:port"`); invalid input becomes a `warning` (ut_pex ignores it). */
  addPeer(peer: string, flags?: Partial<UtPexFlags> | Partial<PexFlags> | number): void;
  /** Advertise an IPv6 `peer` (`"[ip]:port"`). */
  addPeer6(peer: string, flags?: Partial<UtPexFlags> | Partial<PexFlags> | number): void;
  /** Drop `peer` if it was advertised. */
  dropPeer(peer: string): void;
  /** Drop an IPv6 `peer` if it was advertised. */
  dropPeer6(peer: string): void;
  /** Called by bittorrent-protocol with the remote's extended handshake (BEP 10). */
  onExtendedHandshake(handshake: Record<string, unknown>): void;
  /** Called by bittorrent-protocol with each ut_pex payload (a Uint8Array view). */
  onMessage(payload: Uint8Array): void;
  /** What this connection's PEX has sent, received and refused so far (a fresh snapshot). */
  getCounters(): PexCounters;
  /**
   * The torrent's privacy (BEP 27), as the session's `setPrivacy`: `'private'` never sends
   * and refuses every reported peer; `'unknown'` holds both until it is known. Not in ut_pex 5.x.
   * @throws {TypeError} for another value.
   */
  setPrivacy(privacy: PexPrivacy): void;
  /** The torrent's privacy as last set (`'public'` unless an option or `setPrivacy` said else). */
  readonly privacy: PexPrivacy;
}

/** The class `wire.use()` takes; `prototype.name === 'ut_pex'`. @internal */
export interface UtPexExtensionClass {
  new (wire: PexWire): UtPexExtension;
  /** bittorrent-protocol reads the extension name from the prototype before constructing it. */
  readonly prototype: {
    /** Always `'ut_pex'`. */
    readonly name: 'ut_pex';
  };
}

/** Internal hooks for the swarm helper. @internal */
export interface UtPexInternals {
  readonly outbound?: PexOutbound;
  readonly autoStart?: boolean;
}
