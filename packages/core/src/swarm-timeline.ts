import { DepartedList, type Departure } from './departed-list.js';
import { createMessageBuilder, type MessageBuilder } from './message-builder.js';
import { assertTime } from './option-checks.js';
import { type ResolvedOutboundOptions, resolveOutboundOptions } from './outbound-options.js';
import {
  assertDeparture,
  assertOptionalPeerKey,
  toConnectedPeerKey,
  toPeerKey,
} from './peer-checks.js';
import { type PeerKey, peerKey, peerKeyFamily } from './peer-key.js';
import type { PeerState } from './peer-state.js';
import type { PexOutbound, PexOutboundOptions } from './pex-outbound.js';
import type { CompactPeer, PexMessage } from './types.js';

/** One connection's cursor into a `SwarmTimeline`: a `PexOutbound` for that connection. */
export interface SwarmTimelineCursor extends PexOutbound {
  /**
   * The connection is gone: releases the cursor, so the log no longer keeps events for it.
   * Afterwards `nextMessage` and `nextMessageAt` return `undefined`. Calling it twice is harmless.
   */
  leave(): void;
  /**
   * Changes which peer is the remote itself (e.g. once its listen port is known). If the new
   * remote was advertised to it, the next message drops it; the old one becomes an ordinary peer.
   * @throws {TypeError} if `remote` is neither undefined nor a key made by `peerKey`.
   */
  setRemote(remote: PeerKey | undefined): void;
}

/**
 * The PEX state of one swarm (torrent): our live connections as one append-only log of add/drop
 * events shared by every connection, with a cursor per connection.
 */
export interface SwarmTimeline {
  /**
   * We are connected to `peer` (flags default to 0); again with other flags updates them.
   * O(1) whatever the number of connections.
   * @throws {TypeError|RangeError} for a malformed peer, as `encodePexMessage` would.
   */
  connected(peer: CompactPeer): void;
  /**
   * We are no longer connected to the peer at `address` / `port`; unknown peers are ignored.
   * O(1) whatever the number of connections. With `relaxation` on (in the timeline's options),
   * `{ qualifies: true }` says it left for a reason BEP 11 lets us still advertise it for (see
   * `PexOutboundOptions.relaxation`).
   * @throws {TypeError|RangeError} for a malformed address or port, or a `how` that is not an
   *   object with an optional boolean `qualifies`.
   */
  disconnected(
    peer: Pick<CompactPeer, 'address' | 'port'>,
    how?: { readonly qualifies?: boolean },
  ): void;
  /**
   * Adds a connection; its first message is the live list (at most `firstMessageMaxAdded`, the
   * rest follows in later messages). `options` override the timeline's; departures are kept
   * only when the timeline's own options have `relaxation`, which a join may then turn off
   * (`relaxation: undefined`) or narrow for its connection.
   * @throws {TypeError|RangeError} for invalid options, as `createOutboundTracker`.
   */
  join(options?: PexOutboundOptions): SwarmTimelineCursor;
  /** Number of live peers (our connections). */
  readonly livePeerCount: number;
  /** Number of events kept in the log: those some cursor has not passed yet. */
  readonly retainedEventCount: number;
  /** Number of joined cursors that have not left. */
  readonly cursorCount: number;
  /**
   * Work done so far to release events no cursor needs any more, in steps: one per log position
   * looked at. It grows with the number of events, never with cursors times messages (a cursor
   * moving on costs O(1) whatever the number of cursors). For tests and diagnostics: the cost of
   * compaction, checked without a clock.
   */
  readonly compactionSteps: number;
}

/**
 * One change of one peer, from state `prev` (the state after it is the next event's `prev`, or the
 * live state).
 */
interface LogEvent {
  readonly key: PeerKey;
  readonly prev: PeerState;
  readonly seq: number;
  /** Reading cursors whose next event to read is this one. */
  readers: number;
}

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

interface CursorState {
  /** Sequence number of the next event to read; `Infinity` while a first message is due. */
  seq: number;
  remote: PeerKey | undefined;
  readonly overrides: Map<PeerKey, ViewOverride>;
  overridesPending: boolean;
  /** Once the cursor reaches this, settled overrides can be pruned. */
  settleSeq: number;
  lastSentAt: number;
  sentSinceReset: boolean;
  left: boolean;
  /** Peers the remote holds only because the relaxation added them: dropped in the next message. */
  readonly relaxedHeld: Set<PeerKey>;
  /** The departure (serial) of each peer this remote was told of: it is not added again for it. */
  readonly told: Map<PeerKey, number>;
}

/** A sequence number no cursor reaches (one name, so it costs a few bytes in the bundle). */
const NEVER = Number.POSITIVE_INFINITY;

/**
 * Creates the PEX state of one swarm: advertising one peer to W connections costs one log event,
 * not W updates. Each connection joins with a cursor; its next message is built from the events
 * since its cursor with the rules of `createOutboundTracker` (net change per peer, so a peer added
 * and dropped in one window is not mentioned; caps, oldest first; never the remote itself). The log
 * is compacted as the slowest cursor advances, and an event no cursor has read yet is updated in
 * place rather than followed by another, so memory stays bounded by live peers plus pending events,
 * whatever the churn. Design after anacrolix/torrent's pexState.
 *
 * @example
 * ```ts
 * const swarm = createSwarmTimeline();
 * const cursor = swarm.join({ remote: peerKey(wireAddress, wirePort) });
 * swarm.connected({ address: new Uint8Array([192, 0, 2, 7]), port: 6881 });
 * const message = cursor.nextMessage(now); // first message: the live list
 * ```
 * @throws {TypeError} if `options` is not an object or `remote` is not a peer key.
 * @throws {RangeError} if `intervalMs` is not a non-negative integer, a cap is not a positive
 *   integer, or a relaxation number is not an integer 1..25.
 */
export function createSwarmTimeline(options?: PexOutboundOptions): SwarmTimeline {
  const defaults = resolveOutboundOptions(options);
  /** Our connections with their flag bytes, oldest first. */
  const live = new Map<PeerKey, number>();
  /** Live peers per family, for the relaxation's threshold. */
  const liveCount = { 4: 0, 6: 0 };
  /** BEP 11's recently disconnected contacts, shared by every cursor (with `relaxation` only). */
  const departed =
    defaults.relaxation === undefined
      ? undefined
      : new DepartedList(defaults.relaxation.maxDeparted);
  /** Retained events: `events[head + i]` has sequence number `baseSeq + i`. */
  let events: (LogEvent | undefined)[] = [];
  let head = 0;
  let baseSeq = 0;
  let endSeq = 0;
  /** The newest retained event of each peer, to update it in place while no cursor has read it. */
  const lastEvent = new Map<PeerKey, LogEvent>();
  /** Joined cursors that have not left (each is counted where it reads, not kept here). */
  let cursorCount = 0;
  /** Cursors that read the log (not waiting for a first message). */
  let readers = 0;
  /** Reading cursors at `endSeq` (those behind it are counted in `LogEvent.readers`). */
  let readersAtEnd = 0;
  let compactionSteps = 0;
  /** No cursor has ever read at or past this sequence number. */
  let readHighWater = 0;

  const eventAt = (seq: number): LogEvent => events[head + seq - baseSeq] as LogEvent;

  const append = (key: PeerKey, prev: PeerState) => {
    // With no reader, nobody needs history: a first message reads the live list.
    if (readers === 0) return;
    // An event no cursor has read yet already says "this peer changed": it stays the only one.
    const last = lastEvent.get(key);
    if (last !== undefined && last.seq >= readHighWater) return;
    const event: LogEvent = { key, prev, seq: endSeq, readers: readersAtEnd };
    readersAtEnd = 0;
    events.push(event);
    endSeq++;
    lastEvent.set(key, event);
  };

  /** Moves one reading cursor's position in the counts (`Infinity`: not reading). */
  const countReader = (seq: number, delta: 1 | -1): void => {
    if (seq === endSeq) readersAtEnd += delta;
    else eventAt(seq).readers += delta;
  };

  /**
   * Releases the events before the oldest cursor position. Every cursor position is counted on
   * its event, so the oldest one is found by walking from the base over events nobody reads:
   * O(1) per released event, whatever the number of cursors (a scan of the cursors each time the
   * oldest moves would make a round of W cursors O(W^2)).
   */
  const compact = (): void => {
    while (baseSeq < endSeq) {
      compactionSteps++;
      const event = events[head] as LogEvent;
      if (event.readers > 0) break;
      if (lastEvent.get(event.key) === event) lastEvent.delete(event.key);
      events[head] = undefined;
      head++;
      baseSeq++;
    }
    // Copy the retained tail once the dead prefix outweighs it: amortised O(1) per event.
    if (head > 64 && head * 2 > events.length) {
      events = events.slice(head);
      head = 0;
    }
  };

  /** After the cursor at `seq` moved on or stopped reading: compacts if it was the last at the base. */
  const compactAfterLeaving = (seq: number): void => {
    if (seq === baseSeq && seq < endSeq && eventAt(seq).readers === 0) compact();
  };

  /** The log state of `key` at `seq`: the `prev` of its first event from `seq`, else live. */
  const stateAt = (key: PeerKey, seq: number): PeerState => {
    const last = lastEvent.get(key);
    if (last === undefined || last.seq < seq) return live.get(key);
    for (let at = seq; at <= last.seq; at++) {
      const event = eventAt(at);
      if (event.key === key) return event.prev;
    }
    return live.get(key);
  };

  const startReading = (cursor: CursorState): void => {
    cursor.seq = endSeq;
    readers++;
    readersAtEnd++;
    if (endSeq > readHighWater) readHighWater = endSeq;
  };

  const stopReading = (cursor: CursorState): void => {
    const seq = cursor.seq;
    if (seq === NEVER) return;
    countReader(seq, -1);
    cursor.seq = NEVER;
    readers--;
    if (readers === 0) {
      events = [];
      head = 0;
      baseSeq = endSeq;
      readersAtEnd = 0;
      lastEvent.clear();
    } else {
      compactAfterLeaving(seq);
    }
  };

  const wantedState = (cursor: CursorState, key: PeerKey): PeerState =>
    key === cursor.remote ? undefined : live.get(key);

  /** First message after join or reset: the live list, capped; the rest becomes overrides. */
  const buildFirstMessage = (cursor: CursorState, settings: ResolvedOutboundOptions) => {
    const builder = createMessageBuilder(
      settings.firstMessageMaxAdded,
      settings.maxDroppedPerMessage,
    );
    let allFit = true;
    for (const [key, flags] of live) {
      if (key === cursor.remote) continue;
      if (!builder.include(key, undefined, flags)) {
        allFit = false;
        break;
      }
    }
    // The remote knows nothing yet: every departure not told is a candidate.
    cursor.told.clear();
    const relaxed = allFit ? addRelaxed(cursor, settings, builder) : [];
    const message = builder.build();
    if (message === undefined) return undefined;
    // The remote now holds the sent peers, which equal the log state at the end; peers left out
    // and the remote itself are held back by overrides.
    cursor.overrides.clear();
    let sent = message.added.length + message.added6.length - relaxed.length;
    for (const key of live.keys()) {
      if (key === cursor.remote) continue;
      if (sent > 0) {
        sent--;
        continue;
      }
      cursor.overrides.set(key, { view: undefined, untilSeq: NEVER });
      cursor.overridesPending = true;
    }
    if (cursor.remote !== undefined) {
      cursor.overrides.set(cursor.remote, { view: undefined, untilSeq: NEVER });
    }
    startReading(cursor);
    holdRelaxed(cursor, relaxed);
    return message;
  };

  /** A later message: overrides first (they are older than any event), then events in order. */
  const buildNextMessage = (cursor: CursorState, settings: ResolvedOutboundOptions) => {
    const builder = createMessageBuilder(
      settings.maxAddedPerMessage,
      settings.maxDroppedPerMessage,
    );
    const oldSeq = cursor.seq;
    // BEP 11: relaxed peers "must be dropped with the next PEX message", so they go first. They
    // always fit: a message adds at most `maxDroppedPerMessage` of them.
    for (const key of cursor.relaxedHeld) {
      const override = cursor.overrides.get(key) as ViewOverride;
      const target = wantedState(cursor, key);
      // Connected again: an ordinary advertised peer, brought up to date with the overrides.
      if (target !== undefined) continue;
      if (builder.include(key, override.view, undefined)) override.view = undefined;
    }
    cursor.relaxedHeld.clear();
    if (cursor.overridesPending || cursor.seq >= cursor.settleSeq) {
      // Overrides are synced to the live state, the log state at its end: no event before the end
      // may change in place any more, or this cursor would skip the change.
      if (endSeq > readHighWater) readHighWater = endSeq;
      let pendingLeft = false;
      let settledLeft = false;
      for (const [key, override] of cursor.overrides) {
        if (builder.isFull()) {
          pendingLeft = true;
          break;
        }
        if (key !== cursor.remote && cursor.seq >= override.untilSeq) {
          cursor.overrides.delete(key);
          continue;
        }
        const target = wantedState(cursor, key);
        if (override.view !== target) {
          if (!builder.include(key, override.view, target)) {
            pendingLeft = true;
            continue;
          }
          override.view = target;
        }
        if (key !== cursor.remote) {
          override.untilSeq = endSeq;
          settledLeft = true;
        }
      }
      cursor.overridesPending = pendingLeft;
      cursor.settleSeq = settledLeft ? endSeq : NEVER;
    }
    while (cursor.seq < endSeq && !builder.isFull()) {
      const event = eventAt(cursor.seq);
      const key = event.key;
      const isRemote = key === cursor.remote;
      const override = cursor.overrides.get(key);
      if (
        override !== undefined &&
        !isRemote &&
        override.untilSeq !== NEVER &&
        event.seq < override.untilSeq
      ) {
        // The remote already holds a later state of this peer.
        cursor.seq++;
        continue;
      }
      const before = override === undefined ? event.prev : override.view;
      // Always the current state, never an intermediate one: a peer is advertised only while we
      // are connected to it, and dropped only while we are not.
      const after = wantedState(cursor, key);
      // Stop at the first change that does not fit: the cursor must stay a prefix of the log.
      if (!builder.include(key, before, after)) break;
      if (isRemote) {
        cursor.overrides.set(key, { view: after, untilSeq: NEVER });
      } else if (lastEvent.get(key) !== event) {
        // Later events of this peer are already told: skip them until the end of the log.
        cursor.overrides.set(key, { view: after, untilSeq: endSeq });
        if (endSeq > readHighWater) readHighWater = endSeq;
        if (endSeq < cursor.settleSeq) cursor.settleSeq = endSeq;
      } else if (override !== undefined) {
        cursor.overrides.delete(key);
      }
      cursor.seq++;
    }
    if (cursor.seq !== oldSeq) {
      countReader(oldSeq, -1);
      countReader(cursor.seq, 1);
      if (cursor.seq > readHighWater) readHighWater = cursor.seq;
      compactAfterLeaving(oldSeq);
    }
    // Relaxed peers only once every ordinary change fits: they never delay one.
    const relaxed =
      cursor.seq === endSeq && !cursor.overridesPending
        ? addRelaxed(cursor, settings, builder)
        : [];
    const message = builder.build();
    if (message !== undefined && departed !== undefined) {
      // A drop tells the remote of the departure: it is not added again for it.
      for (const peer of [...message.dropped, ...message.dropped6]) {
        const key = peerKey(peer.address, peer.port);
        const departure = departed.get(key);
        if (departure !== undefined) cursor.told.set(key, departure.serial);
      }
      holdRelaxed(cursor, relaxed);
    }
    return message;
  };

  /** The state this cursor's remote holds for `key`. */
  const viewAt = (cursor: CursorState, key: PeerKey): PeerState => {
    const override = cursor.overrides.get(key);
    if (override !== undefined) return override.view;
    return cursor.seq === NEVER ? undefined : stateAt(key, cursor.seq);
  };

  /**
   * The departures BEP 11's relaxation may add to this cursor's remote now, newest first per
   * family (IPv4 first): of a family with fewer live peers than `livePeersBelow`, the newest
   * `maxDeparted`, not told to this remote yet, not the remote itself, not held by it.
   */
  const relaxedCandidates = (
    cursor: CursorState,
    settings: ResolvedOutboundOptions,
  ): Departure[] => {
    const { relaxation } = settings;
    if (departed === undefined || relaxation === undefined || departed.isEmpty()) return [];
    // Forget what was told of departures that are no longer in the list (or departed again).
    for (const [key, serial] of cursor.told) {
      if (departed.get(key)?.serial !== serial) cursor.told.delete(key);
    }
    const candidates: Departure[] = [];
    for (const family of [4, 6] as const) {
      if (liveCount[family] >= relaxation.livePeersBelow) continue;
      const newest = departed.newestFirst(family).slice(0, relaxation.maxDeparted);
      for (const departure of newest) {
        const { key } = departure;
        if (key === cursor.remote || cursor.told.get(key) === departure.serial) continue;
        if (viewAt(cursor, key) === undefined) candidates.push(departure);
      }
    }
    return candidates;
  };

  /** Adds to `builder` what the relaxation may add, at most `maxDroppedPerMessage`; returns them. */
  const addRelaxed = (
    cursor: CursorState,
    settings: ResolvedOutboundOptions,
    builder: MessageBuilder,
  ): Departure[] => {
    const added: Departure[] = [];
    let budget = settings.maxDroppedPerMessage;
    for (const departure of relaxedCandidates(cursor, settings)) {
      // BEP 11: "the same address must not be added and dropped within the same message".
      if (builder.mentions(departure.key)) continue;
      if (budget === 0 || !builder.include(departure.key, undefined, departure.flags)) break;
      added.push(departure);
      budget--;
    }
    return added;
  };

  /** The remote now holds `relaxed` (sent): an override each, to drop in the next message. */
  const holdRelaxed = (cursor: CursorState, relaxed: readonly Departure[]): void => {
    for (const { key, flags, serial } of relaxed) {
      cursor.overrides.set(key, { view: flags, untilSeq: NEVER });
      cursor.relaxedHeld.add(key);
      cursor.told.set(key, serial);
      cursor.overridesPending = true;
    }
  };

  const join = (joinOptions?: PexOutboundOptions): SwarmTimelineCursor => {
    const settings = resolveOutboundOptions(joinOptions, { ...defaults, remote: undefined });
    const cursor: CursorState = {
      seq: NEVER,
      remote: settings.remote,
      overrides: new Map(),
      overridesPending: false,
      settleSeq: NEVER,
      lastSentAt: Number.NEGATIVE_INFINITY,
      sentSinceReset: false,
      left: false,
      relaxedHeld: new Set(),
      told: new Map(),
    };
    cursorCount++;
    const hasPending = (): boolean => {
      if (cursor.left) return false;
      if (!cursor.sentSinceReset) {
        const remoteIsLive = cursor.remote !== undefined && live.has(cursor.remote);
        if (live.size > (remoteIsLive ? 1 : 0)) return true;
      } else if (cursor.seq < endSeq || cursor.overridesPending || cursor.relaxedHeld.size > 0) {
        return true;
      }
      return relaxedCandidates(cursor, settings).length > 0;
    };
    return {
      nextMessage(now: number): PexMessage | undefined {
        assertTime(now);
        if (!hasPending() || now < cursor.lastSentAt + settings.intervalMs) return undefined;
        const message = cursor.sentSinceReset
          ? buildNextMessage(cursor, settings)
          : buildFirstMessage(cursor, settings);
        if (message === undefined) return undefined;
        cursor.lastSentAt = now;
        cursor.sentSinceReset = true;
        return message;
      },
      nextMessageAt() {
        return hasPending() ? cursor.lastSentAt + settings.intervalMs : undefined;
      },
      reset() {
        if (cursor.left) return;
        // The time of the last message is kept: a strict receiver still counts it.
        stopReading(cursor);
        cursor.overrides.clear();
        cursor.overridesPending = false;
        cursor.settleSeq = NEVER;
        cursor.sentSinceReset = false;
        cursor.relaxedHeld.clear();
        cursor.told.clear();
      },
      leave() {
        if (cursor.left) return;
        cursor.left = true;
        cursorCount--;
        stopReading(cursor);
        cursor.overrides.clear();
        cursor.relaxedHeld.clear();
        cursor.told.clear();
      },
      setRemote(remote) {
        assertOptionalPeerKey(remote, 'remote');
        if (remote === cursor.remote || cursor.left) return;
        const previous = cursor.remote;
        cursor.remote = remote;
        if (!cursor.sentSinceReset) return;
        // The old remote becomes an ordinary peer whose view may lag: resolved like a held-back one.
        if (previous !== undefined) {
          const override = cursor.overrides.get(previous);
          if (override !== undefined) override.untilSeq = NEVER;
        }
        if (remote !== undefined) {
          const override = cursor.overrides.get(remote);
          if (override === undefined) {
            cursor.overrides.set(remote, {
              view: stateAt(remote, cursor.seq),
              untilSeq: NEVER,
            });
          } else {
            override.untilSeq = NEVER;
          }
        }
        cursor.overridesPending = true;
      },
    };
  };

  return {
    connected(peer) {
      const key = toConnectedPeerKey(peer, 'peer');
      const flags = peer.flags ?? 0;
      const prev = live.get(key);
      // Connected again: no longer a recently disconnected contact.
      departed?.remove(key);
      if (prev === flags) return;
      if (prev === undefined) liveCount[peerKeyFamily(key)]++;
      live.set(key, flags);
      append(key, prev);
    },
    disconnected(peer, how) {
      const key = toPeerKey(peer, 'peer');
      const qualifies = assertDeparture(how);
      const prev = live.get(key);
      if (prev === undefined) return;
      live.delete(key);
      liveCount[peerKeyFamily(key)]--;
      if (qualifies) departed?.add(key, prev);
      append(key, prev);
    },
    join,
    get livePeerCount() {
      return live.size;
    },
    get retainedEventCount() {
      return endSeq - baseSeq;
    },
    get cursorCount() {
      return cursorCount;
    },
    get compactionSteps() {
      return compactionSteps;
    },
  };
}
