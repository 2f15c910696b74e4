import type { Departure } from './departed-list.js';
import { createMessageBuilder, type MessageBuilder } from './message-builder.js';
import { assertTime } from './option-checks.js';
import type { ResolvedOutboundOptions } from './outbound-options.js';
import { assertOptionalPeerKey } from './peer-checks.js';
import type { PeerKey } from './peer-key.js';
import type { PeerState } from './peer-state.js';
import type { Departed, SharedMessage, SwarmLog } from './swarm-log.js';
import type { SwarmTimelineCursor } from './swarm-timeline.js';
import type { PexMessage } from './types.js';

/**
 * The remote's view of one peer where it differs, or may differ, from the log state at its cursor.
 * `untilSeq` finite: the view is the log state at `untilSeq` (the remote is ahead of the cursor for
 * this peer; events before it are skipped, and once the cursor reaches it the entry is redundant).
 * `untilSeq` infinite: the view is unrelated to the log (a peer held back from a first message, the
 * remote itself): the next event of the peer, or the next message, brings it up to date.
 */
interface ViewOverride {
  view: PeerState;
  untilSeq: number;
}

/** A sequence number no cursor reaches. */
const NEVER = Number.POSITIVE_INFINITY;

/**
 * One connection's place in a `SwarmLog`, with what its remote holds where that differs from the
 * log. A cursor with nothing of its own to tell takes the message built once for every cursor at
 * its position (`SwarmLog.sharedMessage`); the others build their own.
 * @internal
 */
export class SwarmCursor implements SwarmTimelineCursor {
  readonly #log: SwarmLog;
  readonly #settings: ResolvedOutboundOptions;
  /** Sequence number of the next event to read; `NEVER` while a first message is due. */
  #seq = NEVER;
  #remote: PeerKey | undefined;
  /**
   * True when the remote's view of itself is held apart from the log (after a first message, or
   * once its own event was read): `#remoteView` is then what it holds, almost always undefined
   * (it is never told of itself). Kept in two fields, not in `#overrides`, so that a cursor whose
   * only override is its remote's needs no `Map`.
   */
  #remoteHeld = false;
  #remoteView: PeerState;
  /** The other peers' overrides, made when first needed. */
  #overrides: Map<PeerKey, ViewOverride> | undefined;
  #overridesPending = false;
  /** Once the cursor reaches this, settled overrides can be pruned. */
  #settleSeq = NEVER;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #sentSinceReset = false;
  #left = false;
  /** Peers the remote holds only because the relaxation added them: dropped in the next message. */
  #relaxedHeld: Set<PeerKey> | undefined;
  /** The departure (serial) of each peer this remote was told of: it is not added again for it. */
  #told: Map<PeerKey, number> | undefined;

  /** `settings` may be shared with other cursors: its `remote` is not read, `remote` is. */
  constructor(log: SwarmLog, settings: ResolvedOutboundOptions, remote: PeerKey | undefined) {
    this.#log = log;
    this.#settings = settings;
    this.#remote = remote;
    log.cursorCount++;
  }

  nextMessage(now: number): PexMessage | undefined {
    assertTime(now);
    if (!this.#hasPending() || now < this.#lastSentAt + this.#settings.intervalMs) return undefined;
    const message = this.#sentSinceReset ? this.#buildNextMessage() : this.#buildFirstMessage();
    if (message === undefined) return undefined;
    this.#lastSentAt = now;
    this.#sentSinceReset = true;
    return message;
  }

  nextMessageAt(): number | undefined {
    return this.#hasPending() ? this.#lastSentAt + this.#settings.intervalMs : undefined;
  }

  encode(message: PexMessage): Uint8Array {
    return this.#log.encode(message);
  }

  reset(): void {
    if (this.#left) return;
    // The time of the last message is kept: a strict receiver still counts it.
    this.#stopReading();
    this.#forgetViews();
    this.#sentSinceReset = false;
  }

  leave(): void {
    if (this.#left) return;
    this.#left = true;
    this.#log.cursorCount--;
    this.#stopReading();
    this.#forgetViews();
  }

  setRemote(remote: PeerKey | undefined): void {
    assertOptionalPeerKey(remote, 'remote');
    if (remote === this.#remote || this.#left) return;
    const previous = this.#remote;
    this.#remote = remote;
    if (!this.#sentSinceReset) return;
    // The old remote becomes an ordinary peer whose view may lag: resolved like a held-back one.
    if (previous !== undefined && this.#remoteHeld) {
      this.#ownOverrides().set(previous, { view: this.#remoteView, untilSeq: NEVER });
    }
    this.#remoteHeld = remote !== undefined;
    this.#remoteView = undefined;
    if (remote !== undefined) {
      const override = this.#overrides?.get(remote);
      if (override === undefined) {
        this.#remoteView = this.#log.stateAt(remote, this.#seq);
      } else {
        this.#remoteView = override.view;
        this.#overrides?.delete(remote);
      }
    }
    this.#overridesPending = true;
  }

  #hasPending(): boolean {
    if (this.#left) return false;
    const log = this.#log;
    if (!this.#sentSinceReset) {
      const remoteIsLive = this.#remote !== undefined && log.live.has(this.#remote);
      if (log.live.size > (remoteIsLive ? 1 : 0)) return true;
    } else if (
      this.#seq < log.endSeq ||
      this.#overridesPending ||
      (this.#relaxedHeld !== undefined && this.#relaxedHeld.size > 0)
    ) {
      return true;
    }
    return this.#relaxedCandidates().length > 0;
  }

  #ownOverrides(): Map<PeerKey, ViewOverride> {
    this.#overrides ??= new Map();
    return this.#overrides;
  }

  #forgetViews(): void {
    this.#remoteHeld = false;
    this.#remoteView = undefined;
    this.#overrides?.clear();
    this.#overridesPending = false;
    this.#settleSeq = NEVER;
    this.#relaxedHeld?.clear();
    this.#told?.clear();
  }

  #stopReading(): void {
    if (this.#seq === NEVER) return;
    this.#log.stopReading(this.#seq);
    this.#seq = NEVER;
  }

  #wantedState(key: PeerKey): PeerState {
    return key === this.#remote ? undefined : this.#log.live.get(key);
  }

  /** First message after join or reset: the live list, capped; the rest becomes overrides. */
  #buildFirstMessage(): PexMessage | undefined {
    const { live } = this.#log;
    const settings = this.#settings;
    const builder = createMessageBuilder(
      settings.firstMessageMaxAdded,
      settings.maxDroppedPerMessage,
    );
    let allFit = true;
    for (const [key, flags] of live) {
      if (key === this.#remote) continue;
      if (!builder.include(key, undefined, flags)) {
        allFit = false;
        break;
      }
    }
    // The remote knows nothing yet: every departure not told is a candidate.
    this.#told?.clear();
    const relaxed = allFit ? this.#addRelaxed(builder) : [];
    const message = builder.build();
    if (message === undefined) return undefined;
    // The remote now holds the sent peers, which equal the log state at the end; peers left out
    // and the remote itself are held back by overrides.
    this.#overrides?.clear();
    let sent = message.added.length + message.added6.length - relaxed.length;
    for (const key of live.keys()) {
      if (key === this.#remote) continue;
      if (sent > 0) {
        sent--;
        continue;
      }
      this.#ownOverrides().set(key, { view: undefined, untilSeq: NEVER });
      this.#overridesPending = true;
    }
    this.#remoteHeld = this.#remote !== undefined;
    this.#remoteView = undefined;
    this.#seq = this.#log.startReading();
    this.#holdRelaxed(relaxed);
    return message;
  }

  /**
   * True when this cursor's next message is the one every cursor at its position gets: its
   * remote holds the log state at its position for every peer (no override but its remote's,
   * which no event from here concerns), and no relaxed peer is held.
   */
  #tellsNothingOfItsOwn(): boolean {
    if (this.#overridesPending || this.#settleSeq !== NEVER) return false;
    if (this.#relaxedHeld !== undefined && this.#relaxedHeld.size > 0) return false;
    if (this.#overrides !== undefined && this.#overrides.size > 0) return false;
    if (this.#remoteView !== undefined) return false;
    const remote = this.#remote;
    return remote === undefined || !this.#log.changedSince(remote, this.#seq);
  }

  /**
   * Takes the message built for every cursor at this position, if it applies to this one: it
   * must be shareable, and reaching the end of the log must not bring relaxed peers of its own.
   * Returns false, changing nothing, otherwise.
   */
  #takeShared(shared: SharedMessage): boolean {
    const log = this.#log;
    if (!shared.shareable) return false;
    if (shared.toSeq === log.endSeq && this.#relaxedCandidates().length > 0) return false;
    const from = this.#seq;
    this.#seq = shared.toSeq;
    log.moveReader(from, shared.toSeq);
    this.#tellDepartures(shared.toldDepartures);
    return true;
  }

  /** The remote was told of these departures (their drops went out): not added again for them. */
  #tellDepartures(departures: readonly Departed[]): void {
    if (departures.length === 0) return;
    this.#told ??= new Map();
    for (const { key, serial } of departures) this.#told.set(key, serial);
  }

  /** A later message: overrides first (they are older than any event), then events in order. */
  #buildNextMessage(): PexMessage | undefined {
    const log = this.#log;
    const settings = this.#settings;
    if (!this.#overridesPending && this.#seq >= this.#settleSeq) this.#pruneSettled();
    if (this.#tellsNothingOfItsOwn()) {
      const shared = log.sharedMessage(
        this.#seq,
        settings.maxAddedPerMessage,
        settings.maxDroppedPerMessage,
      );
      if (shared !== undefined && this.#takeShared(shared)) return shared.message;
    }
    log.messagesBuilt++;
    const builder = createMessageBuilder(
      settings.maxAddedPerMessage,
      settings.maxDroppedPerMessage,
    );
    const oldSeq = this.#seq;
    this.#dropRelaxed(builder);
    if (this.#overridesPending || this.#seq >= this.#settleSeq) this.#syncOverrides(builder);
    this.#readEvents(builder);
    log.moveReader(oldSeq, this.#seq);
    // Relaxed peers only once every ordinary change fits: they never delay one.
    const relaxed =
      this.#seq === log.endSeq && !this.#overridesPending ? this.#addRelaxed(builder) : [];
    const message = builder.build();
    if (message !== undefined && log.departed !== undefined) {
      this.#tellDepartures(log.departuresDropped(message));
      this.#holdRelaxed(relaxed);
    }
    return message;
  }

  /**
   * BEP 11: relaxed peers "must be dropped with the next PEX message", so they go first. They
   * always fit: a message adds at most `maxDroppedPerMessage` of them.
   */
  #dropRelaxed(builder: MessageBuilder): void {
    const held = this.#relaxedHeld;
    if (held === undefined || held.size === 0) return;
    const overrides = this.#ownOverrides();
    for (const key of held) {
      const target = this.#wantedState(key);
      // Connected again: an ordinary advertised peer, brought up to date with the overrides.
      if (target !== undefined) continue;
      if (key === this.#remote) {
        // Made the remote since: its view is held apart.
        if (builder.include(key, this.#remoteView, undefined)) this.#remoteView = undefined;
        continue;
      }
      const override = overrides.get(key) as ViewOverride;
      if (builder.include(key, override.view, undefined)) override.view = undefined;
    }
    held.clear();
  }

  /**
   * Drops the overrides the cursor has caught up with, as `#syncOverrides` does first, so that a
   * cursor whose views have all settled can take a shared message again.
   */
  #pruneSettled(): void {
    const log = this.#log;
    log.markRead(log.endSeq);
    let unsettled = false;
    for (const [key, override] of this.#ownOverrides()) {
      if (this.#seq >= override.untilSeq) this.#overrides?.delete(key);
      else unsettled = true;
    }
    if (!unsettled) this.#settleSeq = NEVER;
  }

  /**
   * Brings the overrides up to the live state, the log state at its end, as far as the message
   * has room; settled ones are pruned once the cursor reaches where they settled.
   */
  #syncOverrides(builder: MessageBuilder): void {
    const log = this.#log;
    // No event before the end may change in place any more, or this cursor would skip the change.
    log.markRead(log.endSeq);
    let pendingLeft = false;
    let settledLeft = false;
    // The remote first: it is told to drop itself if it was ever told of itself.
    if (this.#remoteView !== undefined) {
      if (builder.include(this.#remote as PeerKey, this.#remoteView, undefined)) {
        this.#remoteView = undefined;
      } else {
        pendingLeft = true;
      }
    }
    const overrides = this.#ownOverrides();
    for (const [key, override] of overrides) {
      if (builder.isFull()) {
        pendingLeft = true;
        break;
      }
      if (this.#seq >= override.untilSeq) {
        overrides.delete(key);
        continue;
      }
      const target = this.#wantedState(key);
      if (override.view !== target) {
        if (!builder.include(key, override.view, target)) {
          pendingLeft = true;
          continue;
        }
        override.view = target;
      }
      override.untilSeq = log.endSeq;
      settledLeft = true;
    }
    this.#overridesPending = pendingLeft;
    this.#settleSeq = settledLeft ? log.endSeq : NEVER;
  }

  /** The events from the cursor on, in order, as far as the message has room. */
  #readEvents(builder: MessageBuilder): void {
    const log = this.#log;
    while (this.#seq < log.endSeq && !builder.isFull()) {
      const event = log.eventAt(this.#seq);
      const key = event.key;
      if (key === this.#remote) {
        // Never told of itself: a drop at most, if it held itself.
        const before = this.#remoteHeld ? this.#remoteView : event.prev;
        if (!builder.include(key, before, undefined)) break;
        this.#remoteHeld = true;
        this.#remoteView = undefined;
        this.#seq++;
        continue;
      }
      const override = this.#overrides?.get(key);
      if (override !== undefined && override.untilSeq !== NEVER && event.seq < override.untilSeq) {
        // The remote already holds a later state of this peer.
        this.#seq++;
        continue;
      }
      const before = override === undefined ? event.prev : override.view;
      // Always the current state, never an intermediate one: a peer is advertised only while we
      // are connected to it, and dropped only while we are not.
      const after = this.#wantedState(key);
      // Stop at the first change that does not fit: the cursor must stay a prefix of the log.
      if (!builder.include(key, before, after)) break;
      if (log.lastEvent.get(key) !== event) {
        // Later events of this peer are already told: skip them until the end of the log.
        this.#ownOverrides().set(key, { view: after, untilSeq: log.endSeq });
        log.markRead(log.endSeq);
        if (log.endSeq < this.#settleSeq) this.#settleSeq = log.endSeq;
      } else if (override !== undefined) {
        this.#overrides?.delete(key);
      }
      this.#seq++;
    }
  }

  /** The state this cursor's remote holds for `key`. */
  #viewOf(key: PeerKey): PeerState {
    if (key === this.#remote && this.#remoteHeld) return this.#remoteView;
    const override = this.#overrides?.get(key);
    if (override !== undefined) return override.view;
    return this.#seq === NEVER ? undefined : this.#log.stateAt(key, this.#seq);
  }

  /**
   * The departures BEP 11's relaxation may add to this cursor's remote now, newest first per
   * family (IPv4 first): of a family with fewer live peers than `livePeersBelow`, the newest
   * `maxDeparted`, not told to this remote yet, not the remote itself, not held by it.
   */
  #relaxedCandidates(): Departure[] {
    const { relaxation } = this.#settings;
    const { departed, liveCount } = this.#log;
    if (departed === undefined || relaxation === undefined || departed.isEmpty()) return [];
    const told = this.#told;
    // Forget what was told of departures that are no longer in the list (or departed again).
    if (told !== undefined) {
      for (const [key, serial] of told) {
        if (departed.get(key)?.serial !== serial) told.delete(key);
      }
    }
    const candidates: Departure[] = [];
    for (const family of [4, 6] as const) {
      if (liveCount[family] >= relaxation.livePeersBelow) continue;
      const newest = departed.newestFirst(family).slice(0, relaxation.maxDeparted);
      for (const departure of newest) {
        const { key } = departure;
        if (key === this.#remote || told?.get(key) === departure.serial) continue;
        if (this.#viewOf(key) === undefined) candidates.push(departure);
      }
    }
    return candidates;
  }

  /** Adds to `builder` what the relaxation may add, at most `maxDroppedPerMessage`; returns them. */
  #addRelaxed(builder: MessageBuilder): Departure[] {
    const added: Departure[] = [];
    let budget = this.#settings.maxDroppedPerMessage;
    for (const departure of this.#relaxedCandidates()) {
      // BEP 11: "the same address must not be added and dropped within the same message".
      if (builder.mentions(departure.key)) continue;
      if (budget === 0 || !builder.include(departure.key, undefined, departure.flags)) break;
      added.push(departure);
      budget--;
    }
    return added;
  }

  /** The remote now holds `relaxed` (sent): an override each, to drop in the next message. */
  #holdRelaxed(relaxed: readonly Departure[]): void {
    if (relaxed.length === 0) return;
    const overrides = this.#ownOverrides();
    this.#relaxedHeld ??= new Set();
    this.#told ??= new Map();
    for (const { key, flags, serial } of relaxed) {
      overrides.set(key, { view: flags, untilSeq: NEVER });
      this.#relaxedHeld.add(key);
      this.#told.set(key, serial);
      this.#overridesPending = true;
    }
  }
}
