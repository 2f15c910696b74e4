import type { InboundViewOptions, PexLimits, PexOutbound, PexOutboundOptions } from '@pex/core';
import { DEFAULT_SEND_INTERVAL_MS, resolvePexLimits } from '@pex/core/internal';
import { type PeerAddress, type PeerAddressInput, parsePeerAddress } from './peer-address.js';
import { acceptPeerByDefault, type PexAcceptPolicy } from './peer-policy.js';
import { type PexClock, type PexTimers, realClock, realTimers } from './timers.js';

/**
 * Delay between the moment sending becomes possible (`start()` and
 * `setRemoteSupportsPex()` both done) and the first message, ms. libtorrent's first tick
 * comes about 1.4 s after the handshake; waiting lets the connections made around the same
 * time go into one first message instead of a first message and a follow-up 70 s later.
 */
export const FIRST_MESSAGE_DELAY_MS = 1_500;

/**
 * Most own addresses a session keeps (`localAddresses` plus `addLocalAddress`): a host has a
 * handful; the bound keeps a remote that keeps changing its `yourip` from growing the list.
 */
export const MAX_LOCAL_ADDRESSES = 16;

/**
 * Most payloads a session holds while the torrent's privacy is unknown (the newest are kept):
 * enough for a first message and a few later ones from one remote, with each payload bounded by
 * the decode limits, so a remote cannot make it hold more than 4 x `maxMessageBytes`.
 */
export const MAX_HELD_PAYLOADS = 4;

// Defaults shared by every session rather than empty copies per session.
const NO_ADDRESSES: readonly PeerAddress[] = /* @__PURE__ */ Object.freeze([]);
const NO_OPTIONS: Readonly<Record<string, never>> = /* @__PURE__ */ Object.freeze({});

/**
 * Whether the torrent is private (BEP 27): `public` (PEX allowed), `private` (never PEX), or
 * `unknown` (a magnet link before its metadata arrived).
 */
export type PexPrivacy = 'public' | 'private' | 'unknown';

/** What the session does when the remote breaks a rule or sends bytes that do not decode. */
export type PexViolationAction = 'ignore' | 'disconnect';

/** Options of `createPexSession`. Only `send` is required. */
export interface PexSessionOptions {
  /**
   * Sends one ut_pex payload to the remote. May throw: that becomes a `warning` event. The bytes
   * may be shared with other sessions (a swarm timeline encodes a message once for every
   * connection it goes to): read or copy them, never change or transfer them.
   */
  readonly send: (bytes: Uint8Array) => void;
  /**
   * Minimum gap between two messages, ms. Default 70 000 (70 s: a strict receiver refuses two
   * messages within 60 s, the 10 s cover jitter).
   */
  readonly intervalMs?: number;
  /** Delay before the first message once sending is possible, ms. Default 1 500. */
  readonly firstMessageDelayMs?: number;
  /** Default: `performance.now()` (or `Date.now()`). */
  readonly clock?: PexClock;
  /** Default: the global `setTimeout` / `clearTimeout` (unref'ed in Node). */
  readonly timers?: PexTimers;
  /**
   * The remote's address, `"ip:port"` or `{ address, port }` (its listen port where known,
   * otherwise the connection's port). Its IP decides the local-sender rule of the default
   * policy; the address + port is never advertised to the remote itself. Default: unknown.
   */
  readonly remoteAddress?: PeerAddressInput;
  /** Our own listen addresses: refused when a remote reports them. Default: none. */
  readonly localAddresses?: readonly PeerAddressInput[];
  /**
   * Replaces the default policy (`classifyPeer(peer, context) === 'accept'`) for peers the
   * remote reports.
   */
  readonly accept?: PexAcceptPolicy;
  /** Decoding limits for received payloads. Default `DEFAULT_PEX_LIMITS` from @pex/core. */
  readonly limits?: Partial<PexLimits>;
  /**
   * `'ignore'` (default): report violations and undecodable payloads as events only.
   * `'disconnect'`: also call `disconnect` (once per session), as BEP 11 allows for
   * "peers that egregiously violate these constraints".
   */
  readonly onViolation?: PexViolationAction;
  /** Closes the connection; required with `onViolation: 'disconnect'`. May throw (→ `warning`). */
  readonly disconnect?: () => void;
  /**
   * Options of the inbound view (rate allowance, per-source memory, per-message caps); the
   * defaults are @pex/core's (`createInboundView`). `accept` is the session's own `accept`.
   */
  readonly inbound?: Omit<InboundViewOptions, 'accept'>;
  /**
   * Caps of our messages to this remote (`firstMessageMaxAdded`, `maxAddedPerMessage`,
   * `maxDroppedPerMessage`); the defaults are @pex/core's. Ignored with `outbound`. BEP 11's
   * relaxation is not offered here: the session is not told why a connection ended.
   */
  readonly caps?: Omit<PexOutboundOptions, 'intervalMs' | 'remote' | 'relaxation'>;
  /**
   * The torrent's privacy (BEP 27: "peers MUST NOT exchange peers" on a private torrent).
   * Default `'public'`. Change it at any time with `setPrivacy`. `'private'` sends nothing,
   * refuses every reported peer (`refused` events, reason `private`) and forgets what the
   * remote reported. `'unknown'` sends nothing unless `sendWhilePrivacyUnknown`, and holds what
   * arrives (the last `MAX_HELD_PAYLOADS` payloads) until the privacy is known: applied when it
   * becomes public, dropped when private.
   */
  readonly privacy?: PexPrivacy;
  /** Send while the privacy is `'unknown'` (a magnet before its metadata). Default false. */
  readonly sendWhilePrivacyUnknown?: boolean;
  /**
   * Index the peers the remote advertises with the holepunch flag (0x08), for `introducersOf`
   * (BEP 55 relays). Default false: the index costs a few hundred bytes per such peer, and the
   * swarm helper keeps one index for all its wires instead.
   */
  readonly relays?: boolean;
  /**
   * Where outgoing peers come from, e.g. a swarm-timeline cursor (`timeline.join()`). When
   * given, the session only schedules and sends what it yields: `addPeer` / `dropPeer` throw,
   * `remoteAddress` is not passed to it (give `remote` to `join()`), and, since the outbound
   * can change without the session knowing, the session looks again at least every
   * `intervalMs` while it has nothing pending (call `refresh()` to look at once).
   * Default: a per-connection tracker fed by `addPeer` / `dropPeer`.
   */
  readonly outbound?: PexOutbound;
}

/** Options after checking, with every default filled in. @internal */
export interface ResolvedSessionOptions {
  readonly send: (bytes: Uint8Array) => void;
  readonly intervalMs: number;
  readonly firstMessageDelayMs: number;
  readonly clock: PexClock;
  readonly timers: PexTimers;
  readonly accept: PexAcceptPolicy;
  readonly limits: PexLimits;
  readonly onViolation: PexViolationAction;
  readonly disconnect: (() => void) | undefined;
  readonly localAddresses: readonly PeerAddress[];
  readonly inbound: Omit<InboundViewOptions, 'accept'>;
  readonly privacy: PexPrivacy;
  readonly sendWhilePrivacyUnknown: boolean;
  readonly relays: boolean;
  readonly caps: Omit<PexOutboundOptions, 'intervalMs' | 'remote' | 'relaxation'>;
}

/**
 * Checks `options` and fills in the defaults.
 * @throws {TypeError|RangeError} as `createPexSession` documents.
 * @internal
 */
export function resolveSessionOptions(options: PexSessionOptions): ResolvedSessionOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`"options" expected an object, got ${String(options)}`);
  }
  if (typeof options.send !== 'function') {
    throw new TypeError(`"send" expected a function, got ${typeof options.send}`);
  }
  const onViolation = options.onViolation ?? 'ignore';
  if (onViolation !== 'ignore' && onViolation !== 'disconnect') {
    throw new TypeError(
      `"onViolation" expected 'ignore' or 'disconnect', got ${String(onViolation)}`,
    );
  }
  if (onViolation === 'disconnect' && typeof options.disconnect !== 'function') {
    throw new TypeError(
      `"disconnect" expected a function with onViolation 'disconnect', got ${typeof options.disconnect}`,
    );
  }
  if (options.accept !== undefined && typeof options.accept !== 'function') {
    throw new TypeError(`"accept" expected a function, got ${typeof options.accept}`);
  }
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
    throw new TypeError(`"clock.now" expected a function, got ${typeof options.clock?.now}`);
  }
  const { timers } = options;
  if (
    timers !== undefined &&
    (typeof timers?.setTimeout !== 'function' || typeof timers.clearTimeout !== 'function')
  ) {
    throw new TypeError('"timers" expected { setTimeout, clearTimeout } functions');
  }
  return {
    send: options.send,
    intervalMs: checkDuration('intervalMs', options.intervalMs ?? DEFAULT_SEND_INTERVAL_MS),
    firstMessageDelayMs: checkDuration(
      'firstMessageDelayMs',
      options.firstMessageDelayMs ?? FIRST_MESSAGE_DELAY_MS,
    ),
    clock: options.clock ?? realClock,
    timers: options.timers ?? realTimers,
    accept: options.accept ?? acceptPeerByDefault,
    limits: resolvePexLimits(options.limits),
    onViolation,
    disconnect: options.disconnect,
    localAddresses: options.localAddresses?.map(toEndpoint) ?? NO_ADDRESSES,
    inbound: options.inbound ?? NO_OPTIONS,
    privacy: checkPrivacy(options.privacy ?? 'public'),
    sendWhilePrivacyUnknown: checkBoolean(
      'sendWhilePrivacyUnknown',
      options.sendWhilePrivacyUnknown ?? false,
    ),
    relays: checkBoolean('relays', options.relays ?? false),
    caps: options.caps ?? NO_OPTIONS,
  };
}

export function toEndpoint(input: PeerAddressInput): PeerAddress {
  const { address, port, family } = parsePeerAddress(input);
  return { address, port, family };
}

/**
 * @throws {TypeError} if `privacy` is not 'public', 'private' or 'unknown'.
 * @internal
 */
export function checkPrivacy(privacy: unknown): PexPrivacy {
  if (privacy !== 'public' && privacy !== 'private' && privacy !== 'unknown') {
    throw new TypeError(
      `"privacy" expected 'public', 'private' or 'unknown', got ${String(privacy)}`,
    );
  }
  return privacy;
}

function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`"${name}" expected a boolean, got ${typeof value}`);
  }
  return value;
}

function checkDuration(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`"${name}" expected a finite number of ms >= 0, got ${String(value)}`);
  }
  return value;
}
