import {
  createInboundView,
  createOutboundTracker,
  DEFAULT_SEND_INTERVAL_MS,
  decodePexMessage,
  encodePexMessage,
  type InboundPeer,
  type InboundResult,
  type InboundView,
  type InboundViewOptions,
  isPexDecodeError,
  type OutboundTracker,
  type PexLimits,
  type PexMessage,
  type PexOutbound,
  type PexOutboundOptions,
  peerKey,
  resolvePexLimits,
} from '@pex/core';
import { EventEmitter } from 'eventemitter3';
import { describePeerKey, type PeerAddressInput, parsePeerAddress } from './address.js';
import type {
  PexPeerEvent,
  PexSessionEventName,
  PexSessionEvents,
  PexWarningSource,
} from './events.js';
import { type PexFlagsInput, readPeerFlags, resolveFlagByte } from './flags.js';
import {
  acceptPeerByDefault,
  type PexAcceptPolicy,
  type PexEndpoint,
  type PexPolicyContext,
  rememberRange,
} from './peer-policy.js';
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

/** What the session does when the remote breaks a rule or sends bytes that do not decode. */
export type PexViolationAction = 'ignore' | 'disconnect';

/** Options of `createPexSession`. Only `send` is required. */
export interface PexSessionOptions {
  /** Sends one ut_pex payload to the remote. May throw: that becomes a `warning` event. */
  readonly send: (bytes: Uint8Array) => void;
  /**
   * Minimum gap between two messages, ms. Default `DEFAULT_SEND_INTERVAL_MS` from @pex/core
   * (70 s: a strict receiver refuses two messages within 60 s, the 10 s cover jitter).
   */
  readonly intervalMs?: number;
  /** Delay before the first message once sending is possible, ms. Default `FIRST_MESSAGE_DELAY_MS`. */
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
  /** Replaces the default policy (`acceptPeerByDefault`) for peers the remote reports. */
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
   * Caps of the per-connection tracker (`firstMessageMaxAdded`, `maxAddedPerMessage`,
   * `maxDroppedPerMessage`); the defaults are @pex/core's. Ignored with `outbound`.
   */
  readonly tracker?: Omit<PexOutboundOptions, 'intervalMs' | 'remote'>;
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

/**
 * The event-listening half of a session: eventemitter3's methods, typed by `PexSessionEvents`
 * (a wrong event name or payload type does not compile), returning the session for chaining.
 * `emit` is not part of it: only the session emits.
 */
export interface PexSessionEmitter {
  /** Adds `listener` for `event`. A listener that throws becomes a `warning` event; it never reaches the caller of `receive` or a timer. */
  on<K extends PexSessionEventName>(event: K, listener: PexSessionEvents[K]): this;
  /** Same as `on`. */
  addListener<K extends PexSessionEventName>(event: K, listener: PexSessionEvents[K]): this;
  /** Adds `listener` for the next `event` only. */
  once<K extends PexSessionEventName>(event: K, listener: PexSessionEvents[K]): this;
  /** Removes `listener`, or every listener of `event` when omitted. */
  off<K extends PexSessionEventName>(event: K, listener?: PexSessionEvents[K]): this;
  /** Same as `off`. */
  removeListener<K extends PexSessionEventName>(event: K, listener?: PexSessionEvents[K]): this;
  /** Removes every listener of `event`, or of every event when omitted. */
  removeAllListeners(event?: PexSessionEventName): this;
  /** The listeners of `event`, in the order they run. */
  listeners<K extends PexSessionEventName>(event: K): PexSessionEvents[K][];
  /** How many listeners `event` has. */
  listenerCount(event: PexSessionEventName): number;
  /** The events that have at least one listener. */
  eventNames(): PexSessionEventName[];
}

/**
 * One connection's PEX. Nothing is sent before both `start()` and `setRemoteSupportsPex()`;
 * then the first message goes out `firstMessageDelayMs` later (or as soon as there is
 * something to say), and later ones at most once per `intervalMs`, only when something changed.
 * Received payloads are processed whether or not the session is started.
 * After `destroy()` every method is a no-op.
 */
export interface PexSession extends PexSessionEmitter {
  /** Allows sending (the remote must also support ut_pex). Idempotent. */
  start(): void;
  /** Stops sending and clears the timer; `start()` resumes. Receiving goes on. */
  stop(): void;
  /**
   * Forgets what was sent (the next message is a full first message again, still no sooner
   * than `intervalMs` after the previous one) and what the remote reported (no `dropped`
   * events for it). Keeps our peers, the started state and the remote's ut_pex support.
   */
  reset(): void;
  /** Stops everything for good: clears the timer and removes every listener. */
  destroy(): void;
  /**
   * Records whether the remote advertised ut_pex in its extended handshake (BEP 10); call it
   * again with `false` if a later handshake withdraws it. Nothing is ever sent before `true`.
   */
  setRemoteSupportsPex(supported?: boolean): void;
  /**
   * Changes the remote's address (e.g. once its listen port is known from the handshake `p`).
   * @throws {TypeError} naming the input if it is not a valid peer address.
   */
  setRemoteAddress(address: PeerAddressInput | undefined): void;
  /**
   * Adds one of our own listen addresses learned after creation (e.g. from the remote's `yourip`
   * and our listen port): peers at it are refused, so we are never told to dial ourselves.
   * Duplicates are ignored; at most `MAX_LOCAL_ADDRESSES` are kept (later ones are ignored).
   * @throws {TypeError} naming the input if it is not a valid peer address.
   */
  addLocalAddress(address: PeerAddressInput): void;
  /**
   * We are connected to `peer`: advertise it (with `flags`, default none).
   * @throws {TypeError} naming the input for a malformed address (see `parsePeerAddress`),
   *   or when the session was created with an `outbound`.
   * @throws {RangeError} for flags outside 0..255.
   */
  addPeer(peer: PeerAddressInput, flags?: PexFlagsInput): void;
  /**
   * We are no longer connected to `peer`: drop it if it was advertised. Unknown peers are ignored.
   * @throws {TypeError} as `addPeer`.
   */
  dropPeer(peer: PeerAddressInput): void;
  /**
   * Processes one ut_pex payload from the remote. Never throws: problems become `invalid`,
   * `violation` or `warning` events.
   */
  receive(bytes: Uint8Array): void;
  /** Looks at the outbound again now (after changing an injected `outbound`). */
  refresh(): void;
}

interface Options {
  readonly send: (bytes: Uint8Array) => void;
  readonly intervalMs: number;
  readonly firstMessageDelayMs: number;
  readonly clock: PexClock;
  readonly timers: PexTimers;
  readonly accept: PexAcceptPolicy;
  readonly limits: PexLimits;
  readonly onViolation: PexViolationAction;
  readonly disconnect: (() => void) | undefined;
  readonly localAddresses: readonly PexEndpoint[];
  readonly inbound: Omit<InboundViewOptions, 'accept'>;
  readonly tracker: Omit<PexOutboundOptions, 'intervalMs' | 'remote'>;
}

/**
 * Creates a session for one connection. Creating it starts nothing and sends nothing.
 * @throws {TypeError} if `send` (or `disconnect` with `onViolation: 'disconnect'`) is not a
 *   function, `onViolation` is unknown, or an address is malformed.
 * @throws {RangeError} if `intervalMs` or `firstMessageDelayMs` is not a finite number >= 0,
 *   or a limit, `inbound` or `tracker` number is not a positive integer (as @pex/core checks them).
 *
 * @example
 * ```ts
 * const session = createPexSession({ send: (bytes) => wire.extended('ut_pex', bytes) });
 * session.on('peer', ({ address, port, flags }) => connect(address, port, flags.supportsUtp));
 * session.start();
 * // once the remote's extended handshake lists ut_pex:
 * session.setRemoteSupportsPex();
 * session.addPeer('203.0.113.7:6881', { reachable: true });
 * ```
 */
export function createPexSession(options: PexSessionOptions): PexSession {
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
  const resolved: Options = {
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
    localAddresses: (options.localAddresses ?? []).map(toEndpoint),
    inbound: options.inbound ?? {},
    tracker: options.tracker ?? {},
  };
  return new Session(resolved, options.outbound, options.remoteAddress);
}

class Session implements PexSession {
  // Held, not inherited: the session's surface is PexSessionEmitter, without `emit`.
  readonly #emitter = new EventEmitter<PexSessionEvents>();
  readonly #options: Options;
  /** Our own addresses: the option's, plus those added later (bounded). */
  readonly #localAddresses: PexEndpoint[];
  readonly #outbound: PexOutbound;
  /** Set when we own the outbound (no `outbound` option): addPeer/dropPeer feed it. */
  readonly #tracker: OutboundTracker | undefined;
  #inbound: InboundView;
  /** The peers the policy accepted during the current `receive`, in order, and their events. */
  #accepted: { readonly peers: InboundPeer[]; readonly events: PexPeerEvent[] } | undefined;
  #remote: PexEndpoint | undefined;
  /** What the policy is told besides the peer; rebuilt when the remote changes. */
  #context: PexPolicyContext;
  #started = false;
  #remoteSupportsPex = false;
  #destroyed = false;
  #disconnectRequested = false;
  /** Earliest first send: when sending became possible + firstMessageDelayMs. */
  #firstAllowedAt = 0;
  #lastSentAt: number | undefined;
  #timer: unknown;
  #timerAt: number | undefined;

  constructor(
    options: Options,
    outbound: PexOutbound | undefined,
    remote: PeerAddressInput | undefined,
  ) {
    this.#options = options;
    this.#localAddresses = [...options.localAddresses];
    this.#remote = remote === undefined ? undefined : toEndpoint(remote);
    this.#context = { remote: this.#remote, localAddresses: this.#localAddresses };
    if (outbound === undefined) {
      const remoteKey = this.#remoteKey();
      this.#tracker = createOutboundTracker({
        ...options.tracker,
        intervalMs: options.intervalMs,
        ...(remoteKey === undefined ? {} : { remote: remoteKey }),
      });
      this.#outbound = this.#tracker;
    } else {
      this.#tracker = undefined;
      this.#outbound = outbound;
    }
    this.#inbound = this.#createInbound();
  }

  // --- listening (eventemitter3 underneath; the casts only bridge its generic signatures) ---

  on<K extends PexSessionEventName>(event: K, listener: PexSessionEvents[K]): this {
    this.#emitter.on(event, listener as never);
    return this;
  }

  addListener<K extends PexSessionEventName>(event: K, listener: PexSessionEvents[K]): this {
    return this.on(event, listener);
  }

  once<K extends PexSessionEventName>(event: K, listener: PexSessionEvents[K]): this {
    this.#emitter.once(event, listener as never);
    return this;
  }

  off<K extends PexSessionEventName>(event: K, listener?: PexSessionEvents[K]): this {
    this.#emitter.off(event, listener as never);
    return this;
  }

  removeListener<K extends PexSessionEventName>(event: K, listener?: PexSessionEvents[K]): this {
    return this.off(event, listener);
  }

  removeAllListeners(event?: PexSessionEventName): this {
    this.#emitter.removeAllListeners(event);
    return this;
  }

  listeners<K extends PexSessionEventName>(event: K): PexSessionEvents[K][] {
    return this.#emitter.listeners(event) as PexSessionEvents[K][];
  }

  listenerCount(event: PexSessionEventName): number {
    return this.#emitter.listenerCount(event);
  }

  eventNames(): PexSessionEventName[] {
    return this.#emitter.eventNames();
  }

  // --- lifecycle ---

  start(): void {
    if (this.#destroyed || this.#started) return;
    this.#started = true;
    this.#onSendingMaybeEnabled();
  }

  stop(): void {
    if (this.#destroyed) return;
    this.#started = false;
    this.#clearTimer();
  }

  reset(): void {
    if (this.#destroyed) return;
    this.#guard('core', () => this.#outbound.reset());
    this.#inbound = this.#createInbound();
    this.#schedule();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#started = false;
    this.#clearTimer();
    this.removeAllListeners();
  }

  setRemoteSupportsPex(supported = true): void {
    if (this.#destroyed) return;
    if (supported === this.#remoteSupportsPex) return;
    this.#remoteSupportsPex = supported;
    if (supported) this.#onSendingMaybeEnabled();
    else this.#clearTimer();
  }

  setRemoteAddress(address: PeerAddressInput | undefined): void {
    const remote = address === undefined ? undefined : toEndpoint(address);
    if (this.#destroyed) return;
    this.#remote = remote;
    this.#context = { remote, localAddresses: this.#localAddresses };
    this.#tracker?.setRemote(this.#remoteKey());
  }

  addLocalAddress(address: PeerAddressInput): void {
    const own = toEndpoint(address);
    if (this.#destroyed || this.#localAddresses.length >= MAX_LOCAL_ADDRESSES) return;
    if (
      this.#localAddresses.some((known) => known.address === own.address && known.port === own.port)
    ) {
      return;
    }
    this.#localAddresses.push(own);
  }

  addPeer(peer: PeerAddressInput, flags?: PexFlagsInput): void {
    const tracker = this.#requireTracker('addPeer');
    const parsed = parsePeerAddress(peer);
    const byte = resolveFlagByte(flags);
    if (this.#destroyed) return;
    tracker.connected({ address: parsed.bytes, port: parsed.port, flags: byte });
    this.#schedule();
  }

  dropPeer(peer: PeerAddressInput): void {
    const tracker = this.#requireTracker('dropPeer');
    const parsed = parsePeerAddress(peer);
    if (this.#destroyed) return;
    tracker.disconnected({ address: parsed.bytes, port: parsed.port });
    this.#schedule();
  }

  receive(bytes: Uint8Array): void {
    if (this.#destroyed) return;
    if (!(bytes instanceof Uint8Array)) {
      this.#warn('receive', new TypeError(`"bytes" expected a Uint8Array, got ${typeof bytes}`));
      return;
    }
    this.#guard('core', () => this.#process(bytes));
  }

  refresh(): void {
    if (this.#destroyed) return;
    this.#schedule();
  }

  // --- receiving ---

  #process(bytes: Uint8Array): void {
    const now = this.#options.clock.now();
    let message: PexMessage;
    try {
      message = decodePexMessage(bytes, this.#options.limits);
    } catch (error) {
      if (!isPexDecodeError(error)) throw error;
      this.#emitSafely('invalid', error);
      this.#onViolation();
      return;
    }
    // The policy runs inside the view, so refused peers never take room in its per-source memory;
    // the events it builds are kept for the peers the view then reports (the accepted ones, in
    // the order the policy saw them; looked up by identity, rebuilt if the view reports another).
    const accepted = { peers: [] as InboundPeer[], events: [] as PexPeerEvent[] };
    this.#accepted = accepted;
    let result: InboundResult;
    try {
      result = this.#inbound.receive(message, now);
    } finally {
      this.#accepted = undefined;
    }
    let next = 0;
    for (const peer of result.added) {
      if (this.#destroyed) return;
      let at = next;
      while (at < accepted.peers.length && accepted.peers[at] !== peer) at++;
      let event: PexPeerEvent;
      if (at < accepted.peers.length) {
        event = accepted.events[at] as PexPeerEvent;
        next = at + 1;
      } else {
        event = this.#toPeerEvent(peer);
      }
      this.#emitSafely('peer', event);
    }
    for (const peer of result.dropped) {
      if (this.#destroyed) return;
      const { address, family } = describePeerKey(peer.key, peer.port);
      this.#emitSafely('dropped', { address, port: peer.port, family });
    }
    for (const violation of result.violations) {
      if (this.#destroyed) return;
      this.#emitSafely('violation', violation);
    }
    if (result.violations.length > 0) this.#onViolation();
  }

  /** The view's `accept`: never throws (the view would refuse the whole message). */
  readonly #acceptInbound = (peer: InboundPeer): boolean => {
    let event: PexPeerEvent | undefined;
    try {
      event = this.#judge(peer);
    } catch (error) {
      // Only reachable if the core hands over a malformed peer.
      this.#warn('core', error);
    }
    if (event !== undefined && this.#accepted !== undefined) {
      this.#accepted.peers.push(peer);
      this.#accepted.events.push(event);
    }
    return event !== undefined;
  };

  /** The peer as an event if the policy accepts it; a throwing policy refuses (and warns). */
  #judge(peer: InboundPeer): PexPeerEvent | undefined {
    const facts = describePeerKey(peer.key, peer.port);
    const event: PexPeerEvent = {
      address: facts.address,
      port: peer.port,
      family: facts.family,
      flags: readPeerFlags(peer.flags),
    };
    // The default policy then finds the range without parsing the text again.
    rememberRange(facts.address, facts.range);
    try {
      return this.#options.accept(event, this.#context) === true ? event : undefined;
    } catch (error) {
      this.#warn('policy', error);
      return undefined;
    }
  }

  #toPeerEvent(peer: InboundPeer): PexPeerEvent {
    const { address, family } = describePeerKey(peer.key, peer.port);
    return { address, port: peer.port, family, flags: readPeerFlags(peer.flags) };
  }

  #onViolation(): void {
    if (
      this.#options.onViolation !== 'disconnect' ||
      this.#disconnectRequested ||
      this.#destroyed
    ) {
      return;
    }
    this.#disconnectRequested = true;
    const disconnect = this.#options.disconnect as () => void;
    this.#guard('disconnect', disconnect);
  }

  // --- sending ---

  #onSendingMaybeEnabled(): void {
    if (!this.#canSend()) return;
    this.#guard('core', () => {
      this.#firstAllowedAt = this.#options.clock.now() + this.#options.firstMessageDelayMs;
    });
    this.#schedule();
  }

  #canSend(): boolean {
    return this.#started && this.#remoteSupportsPex && !this.#destroyed;
  }

  /**
   * Arms the one timer for the earliest moment a message may go out, or clears it when there
   * is nothing to send. `idleAt` is set after a wake-up that found nothing to send, so that an
   * outbound claiming to be due while yielding nothing cannot make the timer spin.
   */
  #schedule(idleAt?: number): void {
    if (!this.#canSend()) {
      this.#clearTimer();
      return;
    }
    this.#guard('core', () => {
      const now = this.#options.clock.now();
      const { intervalMs } = this.#options;
      let due = this.#outbound.nextMessageAt();
      if (due === undefined) {
        // Our own tracker only changes through addPeer/dropPeer, which reschedule. An injected
        // outbound changes behind our back: look again after an interval.
        if (this.#tracker !== undefined) {
          this.#clearTimer();
          return;
        }
        due = now + intervalMs;
      } else {
        due = Math.max(due, this.#firstAllowedAt);
        // Also enforced here because reset() may make the outbound forget when it last sent.
        if (this.#lastSentAt !== undefined) due = Math.max(due, this.#lastSentAt + intervalMs);
        if (idleAt !== undefined && due <= idleAt) due = idleAt + intervalMs;
      }
      this.#armTimer(due, now);
    });
  }

  #armTimer(due: number, now: number): void {
    if (this.#timer !== undefined && this.#timerAt === due) return;
    this.#clearTimer();
    this.#timerAt = due;
    this.#timer = this.#options.timers.setTimeout(this.#onTimer, Math.max(0, due - now));
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    const timer = this.#timer;
    this.#timer = undefined;
    this.#timerAt = undefined;
    this.#guard('core', () => this.#options.timers.clearTimeout(timer));
  }

  /** The timer callback: never throws. */
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = undefined;
    if (!this.#canSend()) return;
    let sent = false;
    let now: number | undefined;
    this.#guard('core', () => {
      now = this.#options.clock.now();
      sent = this.#sendDue(now);
    });
    this.#schedule(sent ? undefined : now);
  };

  #sendDue(now: number): boolean {
    if (now < this.#firstAllowedAt) return false;
    if (this.#lastSentAt !== undefined && now < this.#lastSentAt + this.#options.intervalMs) {
      return false;
    }
    const message = this.#outbound.nextMessage(now);
    if (message === undefined) return false;
    const bytes = encodePexMessage(message);
    this.#lastSentAt = now;
    try {
      this.#options.send(bytes);
    } catch (error) {
      // The transport may have written part of it; the outbound has recorded it as sent, so
      // the next message carries only later changes. Say so rather than guess.
      this.#warn('send', error);
    }
    this.#emitSafely('sent', {
      added: message.added.length,
      added6: message.added6.length,
      dropped: message.dropped.length,
      dropped6: message.dropped6.length,
      bytes: bytes.length,
      at: now,
    });
    return true;
  }

  // --- plumbing ---

  #createInbound(): InboundView {
    return createInboundView({ ...this.#options.inbound, accept: this.#acceptInbound });
  }

  #remoteKey() {
    const remote = this.#remote;
    if (remote === undefined) return undefined;
    return peerKey(parsePeerAddress(remote).bytes, remote.port);
  }

  #requireTracker(method: string): OutboundTracker {
    if (this.#tracker === undefined) {
      throw new TypeError(
        `"${method}" is not available on a session created with "outbound": change the outbound (e.g. the swarm timeline) instead`,
      );
    }
    return this.#tracker;
  }

  /** Runs `action`; anything it throws becomes a `warning` from `source`. */
  #guard(source: PexWarningSource, action: () => void): void {
    try {
      action();
    } catch (error) {
      this.#warn(source, error);
    }
  }

  #warn(source: PexWarningSource, error: unknown): void {
    this.#emitSafely('warning', { source, error });
  }

  /**
   * Emits, catching what a listener throws (which stops that one emission, as with any
   * EventEmitter) and reporting it as a `warning` with source `listener`.
   */
  #emitSafely<K extends keyof PexSessionEvents>(
    event: K,
    payload: Parameters<PexSessionEvents[K]>[0],
  ): void {
    try {
      this.#emitter.emit(event, payload as never);
    } catch (error) {
      if (event === 'warning') {
        // A throwing `warning` listener has nowhere left to report to; rethrowing would break
        // the promise that nothing escapes a timer or `receive`, so it ends here.
        return;
      }
      this.#warn('listener', error);
    }
  }
}

function toEndpoint(input: PeerAddressInput): PexEndpoint {
  const { address, port, family } = parsePeerAddress(input);
  return { address, port, family };
}

function checkDuration(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`"${name}" expected a finite number of ms >= 0, got ${String(value)}`);
  }
  return value;
}
