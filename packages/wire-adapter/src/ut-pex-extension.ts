import type {
  PeerAddress,
  PeerAddressInput,
  PexCounters,
  PexPeerAddress,
  PexPrivacy,
  PexSession,
  PexSessionEvents,
  PexViolationAction,
} from '@pex/events';
import { parsePeerAddress } from '@pex/events';
import {
  createRelayedPexSession,
  type PexSessionEventName,
  readPeerAddress,
} from '@pex/events/internal';
import { EventEmitter } from 'eventemitter3';
import { PexHandshakeError } from './handshake-error.js';
import { guardExtendedHandshakes } from './handshake-guard.js';
import { LateOutbound } from './late-outbound.js';
import { fromUtPexFlags, sharedUtPexFlags, type UtPexFlagsInput } from './ut-pex-flags.js';
import { checkUtPexOptions } from './ut-pex-options.js';
import type {
  UtPexEvents,
  UtPexExtension,
  UtPexExtensionClass,
  UtPexInternals,
  UtPexOptions,
} from './ut-pex-types.js';
import { PexViolationError } from './violation-error.js';
import { isOutgoing, isWireClosed, type PexWire, readListenPort, readUtPexId } from './wire.js';

/**
 * Returns the extension class for `wire.use(...)`, a drop-in for the npm `ut_pex` 5.x:
 * `wire.use(utPex())`, then `wire.ut_pex.start()`, `addPeer(...)`, `on('peer', ...)`.
 *
 * Unlike ut_pex it never sends before the remote advertised ut_pex, never sends an empty
 * message, never throws from a timer, and stops every timer when the wire closes.
 *
 * @throws {TypeError|RangeError} at once, for any invalid option (as `createPexSession`
 *   checks them), never later inside `wire.use()`.
 *
 * @example
 * ```ts
 * import { utPex } from '@pex/wire-adapter';
 * wire.use(utPex());
 * wire.ut_pex.on('peer', (peer, flags) => swarm.connect(peer, flags));
 * wire.ut_pex.start();
 * wire.ut_pex.addPeer('198.51.100.7:6881', { isReachable: true });
 * ```
 */
export function utPex(options: UtPexOptions = {}): {
  new (wire: PexWire): UtPexExtension;
  /** bittorrent-protocol reads the extension name from the prototype before constructing it. */
  readonly prototype: {
    /** Always `'ut_pex'`. */
    readonly name: 'ut_pex';
  };
} {
  return defineUtPexExtension(options, {});
}

/** @internal */
export function defineUtPexExtension(
  options: UtPexOptions,
  internals: UtPexInternals,
): UtPexExtensionClass {
  checkUtPexOptions(options);
  const { onViolation = 'ignore', remoteAddress, ...sessionOptions } = options;
  const config: UtPexConfig = { onViolation, remoteAddress, sessionOptions, internals };
  // A class per call, as `wire.use()` expects, but only a constructor over the prototype every
  // call shares: extensions of every `utPex()` call then share their hidden classes, and an
  // extension does not keep the constructor or the options alive (a class with its own
  // prototype per call cost about 1.5 KiB per `utPex()`, so per connection).
  function UtPex(wire: PexWire): UtPexExtension {
    return new UtPexBase(wire, config);
  }
  UtPex.prototype = UtPexBase.prototype;
  return UtPex as unknown as UtPexExtensionClass;
}

/** What one `utPex()` call was given, once validated. */
interface UtPexConfig {
  readonly onViolation: PexViolationAction;
  readonly remoteAddress: PeerAddressInput | undefined;
  readonly sessionOptions: Omit<UtPexOptions, 'onViolation' | 'remoteAddress'>;
  readonly internals: UtPexInternals;
}

/** The extension's behaviour and prototype, shared by the classes every `utPex()` call returns. */
class UtPexBase extends EventEmitter<UtPexEvents> implements UtPexExtension {
  declare readonly name: 'ut_pex';
  readonly session: PexSession;
  readonly #wire: PexWire;
  #remoteIp: string | undefined;
  /**
   * The id the remote's latest extended handshake gave ut_pex, when it is one we may send under
   * (1..255); undefined while ut_pex is off for the remote (never advertised, 0, or malformed).
   */
  #remoteId: number | undefined;
  /** The last extended handshake read: bittorrent-protocol reports each one twice. */
  #lastHandshake: Record<string, unknown> | undefined;
  /** True when the wire offered no `_onExtended` to guard (warned at the first handshake). */
  #unguarded: boolean;
  /** Where a swarm binds its cursor, for an extension made to be taken over by one. */
  readonly #late: LateOutbound | undefined;

  constructor(wire: PexWire, config: UtPexConfig) {
    super();
    const { onViolation, remoteAddress, sessionOptions, internals } = config;
    this.#wire = wire;
    this.#late = internals.outbound instanceof LateOutbound ? internals.outbound : undefined;
    const remote = resolveRemote(remoteAddress, wire);
    this.#remoteIp = remote?.address;
    this.session = createRelayedPexSession(
      {
        ...sessionOptions,
        ...(internals.outbound === undefined ? {} : { outbound: internals.outbound }),
        ...(remote === undefined
          ? {}
          : { remoteAddress: { address: remote.address, port: remote.port } }),
        send: (bytes) => this.#send(bytes),
        onViolation,
        disconnect: () => {
          wire.destroy();
        },
      },
      // The session's events, ut_pex-shaped, as listeners registered first would see them.
      (event, payload) => this.#relay(event, payload),
      (event) =>
        event === 'refused' &&
        (this.listenerCount('refused') > 0 || this.#late?.wantsRefused() === true),
    );
    this.#unguarded = !guardExtendedHandshakes(wire, (error) => this.#refuseWire(error));
    // Every extended handshake, also those after which bittorrent-protocol does not call
    // `onExtendedHandshake` (when the remote sets ut_pex to 0).
    const onExtended = (ext: string | number, payload: unknown) => {
      if (ext === 'handshake' && typeof payload === 'object' && payload !== null) {
        this.onExtendedHandshake(payload as Record<string, unknown>);
      }
    };
    wire.on?.('extended', onExtended);
    const close = () => {
      wire.removeListener?.('extended', onExtended);
      this.session.destroy();
      // A swarm that took the wire lets it go (it listens to the wire through this, not itself).
      this.#late?.closed();
    };
    wire.once('close', close);
    wire.once('finish', close);
    if (internals.autoStart === true) this.session.start();
  }

  getCounters(): PexCounters {
    return this.session.getCounters();
  }

  get privacy(): PexPrivacy {
    return this.session.privacy;
  }

  setPrivacy(privacy: PexPrivacy): void {
    this.session.setPrivacy(privacy);
  }

  /**
   * The late-bound outbound of an extension a swarm can take over, or undefined for one with its
   * own tracker (plain `utPex()`).
   * @internal
   */
  static lateOutboundOf(extension: unknown): LateOutbound | undefined {
    return extension instanceof UtPexBase ? extension.#late : undefined;
  }

  start(): void {
    this.session.start();
  }

  stop(): void {
    this.session.stop();
  }

  reset(): void {
    this.session.stop();
    this.session.reset();
  }

  addPeer(peer: string, flags?: UtPexFlagsInput): void {
    this.#guard(() => this.session.addPeer(peer, fromUtPexFlags(flags)));
  }

  addPeer6(peer: string, flags?: UtPexFlagsInput): void {
    this.addPeer(peer, flags);
  }

  dropPeer(peer: string): void {
    this.#guard(() => this.session.dropPeer(peer));
  }

  dropPeer6(peer: string): void {
    this.dropPeer(peer);
  }

  onExtendedHandshake(handshake: Record<string, unknown>): void {
    if (handshake === this.#lastHandshake) return;
    this.#lastHandshake = handshake;
    if (this.#unguarded) {
      this.#unguarded = false;
      this.emit(
        'warning',
        new PexHandshakeError(
          'unguarded-wire',
          'this wire has no _onExtended to guard (not bittorrent-protocol 5.x): malformed extended handshakes reach its decoder unchecked',
        ),
      );
    }
    this.#guard(() => {
      // The application may set `wire.remoteAddress` after `wire.use()`.
      if (this.#remoteIp === undefined) {
        const remote = resolveRemote(undefined, this.#wire);
        if (remote !== undefined) {
          this.#remoteIp = remote.address;
          this.session.setRemoteAddress({ address: remote.address, port: remote.port });
        }
      }
      // The listen port (`p`) identifies the remote among peers when it dialled us (its
      // connection port is ephemeral); when we dialled it, the port we dialled already is.
      const listenPort = readListenPort(handshake);
      if (this.#remoteIp !== undefined && listenPort !== undefined && !isOutgoing(this.#wire)) {
        this.session.setRemoteAddress({ address: this.#remoteIp, port: listenPort });
      }
    });
    // The remote says how it sees our address (BEP 10 `yourip`); with our listen port (`p` of
    // our own handshake) that is us. libtorrent lists the recipient in its PEX: without this a
    // default set-up would be told to dial itself.
    this.#guard(() => {
      const own = readOwnAddress(handshake, this.#wire);
      if (own !== undefined) this.session.addLocalAddress(own);
    });
    this.#guard(() => this.#readRemoteId(handshake));
  }

  onMessage(payload: Uint8Array): void {
    this.session.receive(payload);
  }

  /** Follows `m.ut_pex` of one extended handshake: on under a valid id, off otherwise. */
  #readRemoteId(handshake: Record<string, unknown>): void {
    const change = readUtPexId(handshake);
    if (change.kind === 'unchanged') return;
    this.#remoteId = change.kind === 'on' ? change.id : undefined;
    this.session.setRemoteSupportsPex(change.kind === 'on');
    if (change.kind === 'malformed') {
      this.emit(
        'warning',
        new PexHandshakeError(
          'invalid-extension-id',
          `ut_pex is off for this remote: ${change.detail}`,
        ),
      );
    }
  }

  /**
   * The session's `send`. Only under the id the remote's latest handshake gave and
   * bittorrent-protocol will write (so never `Unrecognized extension`, ut_pex#8); never on a
   * closed wire. The session sends only while the id is valid, so the mismatch is a bug report.
   */
  #send(bytes: Uint8Array): void {
    const wire = this.#wire;
    if (isWireClosed(wire)) return;
    const id = this.#remoteId;
    if (id === undefined || wire.peerExtendedMapping?.ut_pex !== id) {
      throw new Error(
        `not sent: the remote's ut_pex id is ${String(wire.peerExtendedMapping?.ut_pex)}, expected ${String(id)}`,
      );
    }
    wire.extended('ut_pex', bytes);
  }

  /** A malformed extended handshake: nothing more from this wire is read, and it is closed. */
  #refuseWire(error: PexHandshakeError): void {
    this.session.destroy();
    this.emit('warning', error);
    try {
      this.#wire.destroy();
    } catch (destroyError) {
      this.emit('warning', toError(destroyError));
    }
  }

  #relay<K extends PexSessionEventName>(
    event: K,
    payload: Parameters<PexSessionEvents[K]>[0],
  ): void {
    switch (event) {
      case 'peer': {
        const peer = payload as Parameters<PexSessionEvents['peer']>[0];
        this.emit('peer', formatUtPexPeer(peer), sharedUtPexFlags(peer.flags.byte));
        break;
      }
      case 'dropped':
        this.emit(
          'dropped',
          formatUtPexPeer(payload as Parameters<PexSessionEvents['dropped']>[0]),
        );
        break;
      case 'violation':
        this.emit(
          'warning',
          new PexViolationError(payload as Parameters<PexSessionEvents['violation']>[0]),
        );
        break;
      case 'invalid':
        this.emit('warning', payload as Parameters<PexSessionEvents['invalid']>[0]);
        break;
      case 'warning': {
        const { error } = payload as Parameters<PexSessionEvents['warning']>[0];
        this.emit('warning', toError(error));
        break;
      }
      case 'refused':
        this.emit('refused', payload as Parameters<PexSessionEvents['refused']>[0]);
        break;
    }
    // A swarm that took the wire hears every event after the extension's own listeners.
    this.#late?.observe(event, payload);
  }

  /** ut_pex ignores bad input silently; we report it as a `warning` and never throw. */
  #guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.emit('warning', toError(error));
    }
  }
}

/** What was thrown, as an Error for ut_pex's `warning` event. */
function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

Object.defineProperty(UtPexBase.prototype, 'name', { value: 'ut_pex', enumerable: true });

/**
 * `stringifyPeerAddress` for the session's events, whose `family` says whether the text needs
 * brackets (no scan of the text for a ':').
 */
function formatUtPexPeer(peer: PeerAddress): string {
  return peer.family === 6 ? `[${peer.address}]:${peer.port}` : `${peer.address}:${peer.port}`;
}

/** Our address as the remote sees it (`yourip`) with our advertised listen port, if both are known. */
function readOwnAddress(
  handshake: Record<string, unknown>,
  wire: PexWire,
): { address: string; port: number } | undefined {
  const yourip = handshake.yourip;
  const port = readListenPort(wire.extendedHandshake);
  if (!(yourip instanceof Uint8Array) || port === undefined) return undefined;
  if (yourip.length !== 4 && yourip.length !== 16) return undefined;
  return { address: readPeerAddress(yourip, port).address, port };
}

/**
 * The remote's address: the option (a caller mistake throws), else the wire's `remoteAddress`
 * / `remotePort` properties where the application set them (ignored when unusable).
 */
function resolveRemote(
  option: PeerAddressInput | undefined,
  wire: PexWire,
): PexPeerAddress | undefined {
  if (option !== undefined) return parsePeerAddress(option);
  const { remoteAddress, remotePort } = wire;
  if (typeof remoteAddress !== 'string' || typeof remotePort !== 'number') return undefined;
  try {
    return parsePeerAddress({ address: remoteAddress, port: remotePort });
  } catch {
    return undefined; // e.g. a port 0 from a socket that is not connected yet
  }
}

/**
 * The late-bound outbound of `extension` when it is this package's and a swarm may take it
 * over; undefined otherwise (another ut_pex, or a plain `utPex()` with its own tracker).
 * @internal
 */
export function lateOutboundOf(extension: unknown): LateOutbound | undefined {
  return UtPexBase.lateOutboundOf(extension);
}
