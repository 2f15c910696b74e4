import {
  createInboundView,
  createOutboundTracker,
  createRelayIndex,
  DEFAULT_PEX_LIMITS,
  decodePexMessage,
  encodePexMessage,
  type InboundPeer,
  type InboundResult,
  type InboundView,
  isPexDecodeError,
  type OutboundTracker,
  PEX_FLAG_SUPPORTS_HOLEPUNCH,
  type PexMessage,
  type PexOutbound,
  peerKey,
  type RelayIndex,
} from '@pex/core';
import { EventEmitter } from 'eventemitter3';
import type {
  PexPeerEvent,
  PexRefusalReason,
  PexRefusedEvent,
  PexSessionEventName,
  PexSessionEvents,
  PexWarningSource,
} from './events.js';
import { type PexFlagsInput, readPeerFlags, resolveFlagByte } from './flags.js';
import { type PeerAddress, type PeerAddressInput, parsePeerAddress } from './peer-address.js';
import {
  acceptPeerByDefault,
  classifyInRanges,
  type PexPolicyContext,
  rangeOf,
} from './peer-policy.js';
import { describeAddress as describeAddressOf, describePeerKey } from './received-address.js';
import { createCounters, type SessionCounters } from './session-counters.js';
import {
  checkPrivacy,
  MAX_HELD_PAYLOADS,
  MAX_LOCAL_ADDRESSES,
  type PexPrivacy,
  type PexSessionOptions,
  type ResolvedSessionOptions,
  resolveSessionOptions,
  toEndpoint,
} from './session-options.js';
import type { PexCounters, PexSession } from './session-types.js';

/**
 * Creates a session for one connection. Creating it starts nothing and sends nothing.
 * @throws {TypeError} if `send` (or `disconnect` with `onViolation: 'disconnect'`) is not a
 *   function, `onViolation` is unknown, or an address is malformed.
 * @throws {RangeError} if `intervalMs` or `firstMessageDelayMs` is not a finite number >= 0,
 *   or a limit, `inbound` or `caps` number is not a positive integer (as @pex/core checks them).
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
  return new Session(resolved, options.outbound, options.remoteAddress, undefined, undefined);
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
 * listener (and an emitter) per event and connection. `relayListens(event)` says whether the
 * relay wants events that cost something to build when no one listens (`refused`).
 * @internal
 */
export function createRelayedPexSession(
  options: PexSessionOptions,
  relay: PexSessionRelay,
  relayListens: (event: PexSessionEventName) => boolean,
): PexSession {
  const resolved = resolveSessionOptions(options);
  return new Session(resolved, options.outbound, options.remoteAddress, relay, relayListens);
}

class Session implements PexSession {
  // Held, not inherited: the session's surface is PexSessionEmitter, without `emit`. Created by
  // the first listener: a session whose events only go to its relay never has one.
  #emitter: EventEmitter<PexSessionEvents> | undefined;
  readonly #relay: PexSessionRelay | undefined;
  readonly #relayListens: ((event: PexSessionEventName) => boolean) | undefined;
  readonly #counters: SessionCounters = createCounters();
  readonly #options: ResolvedSessionOptions;
  /** Our own addresses: the option's, plus those added later (bounded). */
  readonly #localAddresses: PeerAddress[];
  readonly #outbound: PexOutbound;
  /** Set when we own the outbound (no `outbound` option): addPeer/dropPeer feed it. */
  readonly #tracker: OutboundTracker | undefined;
  #inbound: InboundView;
  /**
   * The peers the remote advertises with the holepunch flag, for `introducersOf`: made at the
   * first such peer, forgotten with the inbound view (its only source is this session).
   */
  #relays: RelayIndex<PexSession> | undefined;
  /**
   * During a `receive`: the peers the policy accepted, in order, with their events, and the
   * refusals to report once the message is applied (only while someone listens).
   */
  #judged: JudgedPeers | undefined;
  #remote: PeerAddress | undefined;
  /** The range of the remote's address, found once when the remote is set (for the policy). */
  #remoteRange: string | undefined;
  /** What the policy is told besides the peer; rebuilt when the remote changes. */
  #context: PexPolicyContext;
  #started = false;
  #remoteSupportsPex = false;
  /**
   * Set when sending was blocked after it may have started (the remote withdrew ut_pex, or the
   * torrent's privacy stopped it): when sending resumes, the remote gets a full first message.
   */
  #resendAll = false;
  #privacy: PexPrivacy;
  /** Payloads received while the privacy is unknown, applied once it is public (bounded). */
  #held: Uint8Array[] | undefined;
  #destroyed = false;
  /** Set once a violation asked for a disconnect: nothing more from the remote is processed. */
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
    relayListens: ((event: PexSessionEventName) => boolean) | undefined,
  ) {
    this.#options = options;
    this.#relay = relay;
    this.#relayListens = relayListens;
    this.#privacy = options.privacy;
    this.#localAddresses = [...options.localAddresses];
    this.#remote = remote === undefined ? undefined : toEndpoint(remote);
    this.#remoteRange = this.#remote === undefined ? undefined : rangeOf(this.#remote.address);
    this.#context = { remote: this.#remote, localAddresses: this.#localAddresses };
    if (outbound === undefined) {
      const remoteKey = this.#remoteKey();
      this.#tracker = createOutboundTracker({
        ...options.caps,
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
    this.#relays = undefined;
    this.#held = undefined;
    this.#schedule();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#started = false;
    this.#relays = undefined;
    this.#clearTimer();
    this.removeAllListeners();
  }

  setRemoteSupportsPex(supported = true): void {
    if (this.#destroyed) return;
    if (supported === this.#remoteSupportsPex) return;
    this.#remoteSupportsPex = supported;
    if (!supported) {
      this.#resendAll = true;
      this.#clearTimer();
      return;
    }
    this.#onSendingMaybeEnabled();
  }

  get privacy(): PexPrivacy {
    return this.#privacy;
  }

  setPrivacy(privacy: PexPrivacy): void {
    checkPrivacy(privacy);
    if (this.#destroyed || privacy === this.#privacy) return;
    this.#privacy = privacy;
    if (privacy !== 'public') {
      this.#resendAll = true;
      if (!this.#canSend()) this.#clearTimer();
    }
    if (privacy === 'private') {
      // BEP 27: nothing learned through PEX is kept for a private torrent.
      this.#held = undefined;
      this.#inbound = this.#createInbound();
      this.#relays = undefined;
      return;
    }
    if (privacy === 'public') {
      const held = this.#held;
      this.#held = undefined;
      for (const bytes of held ?? []) {
        if (this.#destroyed || this.#disconnectRequested) break;
        this.#guard('core', () => this.#process(bytes));
      }
    }
    this.#onSendingMaybeEnabled();
  }

  setRemoteAddress(address: PeerAddressInput | undefined): void {
    const remote = address === undefined ? undefined : toEndpoint(address);
    if (this.#destroyed) return;
    this.#remote = remote;
    this.#remoteRange = remote === undefined ? undefined : rangeOf(remote.address);
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
    // After a violation decided to disconnect, later payloads (already buffered, or arriving
    // before the transport closes) are not decoded: nothing more from this remote counts.
    if (this.#destroyed || this.#disconnectRequested) return;
    if (!(bytes instanceof Uint8Array)) {
      this.#warn('receive', new TypeError(`"bytes" expected a Uint8Array, got ${typeof bytes}`));
      return;
    }
    this.#counters.messagesReceived++;
    this.#counters.bytesReceived += bytes.length;
    this.#guard('core', () => this.#process(bytes));
  }

  /**
   * Payloads of a torrent whose privacy is not public: held while unknown (a copy, at most
   * `MAX_HELD_PAYLOADS`, the newest kept), refused peer by peer while private. True when
   * `message` was dealt with that way.
   */
  #withholdFromPrivacy(bytes: Uint8Array, message: PexMessage): boolean {
    if (this.#privacy === 'public') return false;
    if (this.#privacy === 'unknown') {
      this.#held ??= [];
      if (this.#held.length === MAX_HELD_PAYLOADS) this.#held.shift();
      this.#held.push(bytes.slice());
      return true;
    }
    const listens = this.#listens('refused');
    for (const list of [message.added, message.added6]) {
      for (const peer of list) {
        this.#counters.countRefused('private');
        if (!listens || this.#destroyed) continue;
        const facts = describeAddressOf(peer.address);
        this.#emitSafely('refused', {
          address: facts.address,
          port: peer.port,
          family: facts.family,
          reason: 'private',
        });
      }
    }
    return true;
  }

  refresh(): void {
    if (this.#destroyed) return;
    this.#schedule();
  }

  introducersOf(address: string, port: number): PexSession[] {
    const peer = parsePeerAddress({ address, port });
    if (!this.#options.relays) {
      throw new Error('"introducersOf" needs a session created with relays: true');
    }
    const relays = this.#relays;
    if (relays === undefined || this.#destroyed) return [];
    return relays.introducersOf(peer.bytes, peer.port, this.#options.clock.now());
  }

  getCounters(): PexCounters {
    return this.#counters.snapshot();
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
      this.#counters.invalidPayloads++;
      this.#emitSafely('invalid', error);
      this.#onViolation();
      return;
    }
    if (this.#withholdFromPrivacy(bytes, message)) return;
    // The policy runs inside the view, so refused peers never take room in its per-source memory.
    // The view reports exactly the peers the policy accepted, in the order it accepted them
    // (@pex/core documents it), so the events built while judging are the events to emit.
    const judged: JudgedPeers = {
      events: [],
      refused: this.#listens('refused') ? [] : undefined,
      refusals: [],
    };
    // Saved and restored: a policy may call `receive` again (another remote's payload).
    const outer = this.#judged;
    this.#judged = judged;
    let result: InboundResult;
    try {
      result = this.#inbound.receive(message, now);
    } finally {
      this.#judged = outer;
    }
    // Counted once the message is applied: a message refused whole (or a throwing view) leaves
    // the counters as they were.
    const counters = this.#counters;
    for (const reason of judged.refusals) counters.countRefused(reason);
    for (let i = 0; i < result.overflowed.length; i++) counters.countRefused('source-full');
    counters.addedReceived += result.added.length;
    counters.droppedReceived += result.dropped.length;
    counters.violations += result.violations.length;
    this.#indexRelays(result, now);
    for (const event of judged.events) {
      if (this.#destroyed) return;
      this.#emitSafely('peer', event);
    }
    for (const peer of result.dropped) {
      if (this.#destroyed) return;
      const { address, family } = describePeerKey(peer.key, peer.port);
      this.#emitSafely('dropped', { address, port: peer.port, family });
    }
    if (judged.refused !== undefined) {
      for (const refused of judged.refused) {
        if (this.#destroyed) return;
        this.#emitSafely('refused', refused);
      }
      for (const peer of result.overflowed) {
        if (this.#destroyed) return;
        const { address, family } = describePeerKey(peer.key, peer.port);
        this.#emitSafely('refused', { address, port: peer.port, family, reason: 'source-full' });
      }
    }
    for (const violation of result.violations) {
      if (this.#destroyed) return;
      this.#emitSafely('violation', violation);
    }
    if (result.violations.length > 0) this.#onViolation();
  }

  /**
   * Keeps the relay index exact before any listener runs: the peers the remote now advertises
   * with the holepunch flag, minus those it dropped. The view reports a peer once, so a flag
   * change of a known peer is not seen (it stays as first reported).
   */
  #indexRelays(result: InboundResult, now: number): void {
    // Off unless asked for: it costs a few hundred bytes per learned peer with the flag.
    if (!this.#options.relays) return;
    for (const peer of result.added) {
      if ((peer.flags & PEX_FLAG_SUPPORTS_HOLEPUNCH) === 0) continue;
      this.#relays ??= createRelayIndex<PexSession>();
      this.#relays.reported(this, peer, peer.flags, now);
    }
    const relays = this.#relays;
    if (relays === undefined) return;
    for (const peer of result.dropped) relays.dropped(this, peer);
  }

  /** True if someone listens to `event`: the session's own listeners or the relay. */
  #listens(event: PexSessionEventName): boolean {
    return (
      (this.#emitter !== undefined && this.#emitter.listenerCount(event) > 0) ||
      this.#relayListens?.(event) === true
    );
  }

  /** The view's `accept`: never throws (the view would refuse the whole message). */
  readonly #acceptInbound = (peer: InboundPeer): boolean => {
    const judged = this.#judged;
    if (judged === undefined) return false;
    let event: PexPeerEvent | undefined;
    let verdict: 'accept' | PexRefusalReason = 'policy';
    try {
      const facts = describePeerKey(peer.key, peer.port);
      event = {
        address: facts.address,
        port: peer.port,
        family: facts.family,
        flags: readPeerFlags(peer.flags),
      };
      verdict = this.#judge(event, facts.range);
    } catch (error) {
      // Only reachable if the core hands over a malformed peer.
      this.#warn('core', error);
    }
    if (event === undefined) return false;
    if (verdict === 'accept') {
      judged.events.push(event);
      return true;
    }
    judged.refusals.push(verdict);
    const { address, port, family } = event;
    judged.refused?.push({ address, port, family, reason: verdict });
    return false;
  };

  /**
   * The policy's verdict on `event` (whose address is in `range`): the default policy's reason,
   * or `policy` for a custom policy that refuses or throws (and warns).
   */
  #judge(event: PexPeerEvent, range: string): 'accept' | PexRefusalReason {
    const { accept } = this.#options;
    try {
      if (accept === acceptPeerByDefault) {
        return classifyInRanges(event, range, this.#remoteRange, this.#context);
      }
      return accept(event, this.#context) === true ? 'accept' : 'policy';
    } catch (error) {
      this.#warn('policy', error);
      return 'policy';
    }
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
    if (this.#resendAll) {
      // BEP 10 lets a remote switch an extension off (id 0) and on again, and a torrent's
      // privacy may hold sending back: what the remote was told may be gone, and what changed
      // meanwhile was never sent. Start again from a full list.
      this.#resendAll = false;
      this.#guard('core', () => this.#outbound.reset());
    }
    this.#guard('core', () => {
      this.#firstAllowedAt = this.#options.clock.now() + this.#options.firstMessageDelayMs;
    });
    this.#schedule();
  }

  #canSend(): boolean {
    return (
      this.#started &&
      this.#remoteSupportsPex &&
      !this.#destroyed &&
      (this.#privacy === 'public' ||
        (this.#privacy === 'unknown' && this.#options.sendWhilePrivacyUnknown))
    );
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
    const outbound = this.#outbound;
    const bytes =
      outbound.encode === undefined ? encodePexMessage(message) : outbound.encode(message);
    this.#lastSentAt = now;
    this.#counters.countSent(message, bytes.length);
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

/** What the policy decided during one `receive`, reported once the view applied the message. */
interface JudgedPeers {
  /** The `peer` events of the accepted peers, in the order the policy accepted them. */
  readonly events: PexPeerEvent[];
  /** The `refused` events to emit, or undefined when no one listens. */
  readonly refused: PexRefusedEvent[] | undefined;
  /** Every refusal's reason, for the counters. */
  readonly refusals: PexRefusalReason[];
}
