import {
  createInboundView,
  createOutboundTracker,
  DEFAULT_PEX_LIMITS,
  decodePexMessage,
  encodePexMessage,
  type InboundPeer,
  type InboundResult,
  type InboundView,
  isPexDecodeError,
  type OutboundTracker,
  type PexMessage,
  type PexOutbound,
  peerKey,
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
import { type PexEndpoint, type PexPolicyContext, rememberRange } from './peer-policy.js';
import {
  MAX_LOCAL_ADDRESSES,
  type PexSessionOptions,
  type ResolvedSessionOptions,
  resolveSessionOptions,
  toEndpoint,
} from './session-options.js';
import type { PexSession } from './session-types.js';

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
  const resolved = resolveSessionOptions(options);
  return new Session(resolved, options.outbound, options.remoteAddress, undefined);
}

/**
 * Receives every event of a session before its listeners do, as a first listener of every
 * event would; what it throws stops that emission and becomes a `warning` (source `listener`).
 * @internal
 */
export type PexSessionRelay = <K extends PexSessionEventName>(
  event: K,
  payload: Parameters<PexSessionEvents[K]>[0],
) => void;

/**
 * `createPexSession` with a relay: how the wire adapter hears the session's events without a
 * listener (and an emitter) per event and connection.
 * @internal
 */
export function createRelayedPexSession(
  options: PexSessionOptions,
  relay: PexSessionRelay,
): PexSession {
  const resolved = resolveSessionOptions(options);
  return new Session(resolved, options.outbound, options.remoteAddress, relay);
}

class Session implements PexSession {
  // Held, not inherited: the session's surface is PexSessionEmitter, without `emit`. Created by
  // the first listener: a session whose events only go to its relay never has one.
  #emitter: EventEmitter<PexSessionEvents> | undefined;
  readonly #relay: PexSessionRelay | undefined;
  readonly #options: ResolvedSessionOptions;
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
  #timerCallback: (() => void) | undefined;
  #timerAt: number | undefined;

  constructor(
    options: ResolvedSessionOptions,
    outbound: PexOutbound | undefined,
    remote: PeerAddressInput | undefined,
    relay: PexSessionRelay | undefined,
  ) {
    this.#options = options;
    this.#relay = relay;
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
    this.#emitter ??= new EventEmitter<PexSessionEvents>();
    this.#emitter.on(event, listener as never);
    return this;
  }

  addListener<K extends PexSessionEventName>(event: K, listener: PexSessionEvents[K]): this {
    return this.on(event, listener);
  }

  once<K extends PexSessionEventName>(event: K, listener: PexSessionEvents[K]): this {
    this.#emitter ??= new EventEmitter<PexSessionEvents>();
    this.#emitter.once(event, listener as never);
    return this;
  }

  off<K extends PexSessionEventName>(event: K, listener?: PexSessionEvents[K]): this {
    this.#emitter?.off(event, listener as never);
    return this;
  }

  removeListener<K extends PexSessionEventName>(event: K, listener?: PexSessionEvents[K]): this {
    return this.off(event, listener);
  }

  removeAllListeners(event?: PexSessionEventName): this {
    this.#emitter?.removeAllListeners(event);
    return this;
  }

  listeners<K extends PexSessionEventName>(event: K): PexSessionEvents[K][] {
    return (this.#emitter?.listeners(event) ?? []) as PexSessionEvents[K][];
  }

  listenerCount(event: PexSessionEventName): number {
    return this.#emitter?.listenerCount(event) ?? 0;
  }

  eventNames(): PexSessionEventName[] {
    return this.#emitter?.eventNames() ?? [];
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
      // The default limits as `undefined`: the decoder then need not check and copy them again.
      const { limits } = this.#options;
      message = decodePexMessage(bytes, limits === DEFAULT_PEX_LIMITS ? undefined : limits);
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
    // The callback is made the first time a timer is armed: a session never started has none.
    this.#timerCallback ??= () => this.#onTimer();
    this.#timer = this.#options.timers.setTimeout(this.#timerCallback, Math.max(0, due - now));
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    const timer = this.#timer;
    this.#timer = undefined;
    this.#timerAt = undefined;
    this.#guard('core', () => this.#options.timers.clearTimeout(timer));
  }

  /** The timer callback: never throws. */
  #onTimer(): void {
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
  }

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
      // Listeners are removed on destroy; so is the relay.
      if (!this.#destroyed) this.#relay?.(event, payload);
      this.#emitter?.emit(event, payload as never);
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
