import { DepartedList } from './departed-list.js';
import { encodePexMessage } from './encode-message.js';
import { createMessageBuilder } from './message-builder.js';
import { type ResolvedOutboundOptions, resolveOutboundOptions } from './outbound-options.js';
import { type PeerKey, peerKey, peerKeyFamily } from './peer-key.js';
import type { PeerState } from './peer-state.js';
import type { PexOutboundOptions } from './pex-outbound.js';
import type { PexMessage } from './types.js';

/**
 * One change of one peer, from state `prev` (the state after it is the next event's `prev`, or the
 * live state).
 * @internal
 */
export interface LogEvent {
  readonly key: PeerKey;
  readonly prev: PeerState;
  readonly seq: number;
  /** Reading cursors whose next event to read is this one. */
  readers: number;
}

/**
 * The next message of every cursor that stands at `fromSeq` with nothing of its own to tell (see
 * `SwarmCursor`), under the caps `maxAdded` / `maxDropped`: built once, handed to each of them.
 * Valid until the live list or the log changes.
 * @internal
 */
export interface SharedMessage {
  readonly fromSeq: number;
  readonly maxAdded: number;
  readonly maxDropped: number;
  /**
   * False when the events from `fromSeq` include a peer with a later event too: a cursor reading
   * them keeps a view of its own for that peer, so each builds its message itself.
   */
  readonly shareable: boolean;
  /** Where each cursor stands once it has taken the message. */
  readonly toSeq: number;
  readonly message: PexMessage | undefined;
  /** The dropped peers that are recent departures, with their serials: told to each taker. */
  readonly toldDepartures: readonly Departed[];
  /** The message's bytes, encoded by the first cursor that asks. */
  payload: Uint8Array | undefined;
}

/** A departure told by a drop: its key and serial. @internal */
export interface Departed {
  readonly key: PeerKey;
  readonly serial: number;
}

/**
 * The state one swarm shares among its cursors: the live peers, BEP 11's recent departures, the
 * append-only log of changes with how many cursors read at each position, and the messages built
 * for cursors that stand at the same place. Compacted as the slowest cursor advances; an event no
 * cursor has read yet is updated in place rather than followed by another, so memory stays bounded
 * by live peers plus pending events, whatever the churn.
 * @internal
 */
export class SwarmLog {
  readonly defaults: ResolvedOutboundOptions;
  /** Our connections with their flag bytes, oldest first. */
  readonly live = new Map<PeerKey, number>();
  /** Live peers per family, for the relaxation's threshold. */
  readonly liveCount = { 4: 0, 6: 0 };
  /** BEP 11's recently disconnected contacts, shared by every cursor (with `relaxation` only). */
  readonly departed: DepartedList | undefined;
  /** The newest retained event of each peer, to update it in place while no cursor has read it. */
  readonly lastEvent = new Map<PeerKey, LogEvent>();
  /** Joined cursors that have not left (each is counted where it reads, not kept here). */
  cursorCount = 0;
  /** Work done to release events no cursor needs any more: one step per log position looked at. */
  compactionSteps = 0;
  /** Messages built from the log for cursors at a log position, shared or not. */
  messagesBuilt = 0;
  /** Retained events: `#events[#head + i]` has sequence number `#baseSeq + i`. */
  #events: (LogEvent | undefined)[] = [];
  #head = 0;
  #baseSeq = 0;
  #endSeq = 0;
  /** Cursors that read the log (not waiting for a first message). */
  #readers = 0;
  /** Reading cursors at `#endSeq` (those behind it are counted in `LogEvent.readers`). */
  #readersAtEnd = 0;
  /** No cursor has ever read at or past this sequence number. */
  #readHighWater = 0;
  /**
   * Messages built for the current log and live list: one per position and caps where cursors
   * asked since the last change (usually one; scanned in order).
   */
  #shared: SharedMessage[] = [];
  readonly #share: boolean;
  /** What a join starts from: the timeline's options, without its `remote`. */
  readonly #joinBase: ResolvedOutboundOptions;
  /** The settings of the last join, handed to later joins with the same numbers. */
  #lastSettings: ResolvedOutboundOptions;

  constructor(defaults: ResolvedOutboundOptions, share: boolean) {
    this.defaults = defaults;
    this.#share = share;
    this.#joinBase = { ...defaults, remote: undefined };
    this.#lastSettings = this.#joinBase;
    this.departed =
      defaults.relaxation === undefined
        ? undefined
        : new DepartedList(defaults.relaxation.maxDeparted);
  }

  /**
   * A join's settings, checked, and its remote apart: cursors with the same numbers share one
   * settings object (they usually all have the timeline's), so a cursor costs no copy of them.
   * @throws {TypeError|RangeError} as `resolveOutboundOptions`.
   */
  resolveJoin(options: PexOutboundOptions | undefined): {
    readonly settings: ResolvedOutboundOptions;
    readonly remote: PeerKey | undefined;
  } {
    const resolved = resolveOutboundOptions(options, this.#joinBase);
    const last = this.#lastSettings;
    if (!sameSettings(resolved, last)) this.#lastSettings = { ...resolved, remote: undefined };
    return { settings: this.#lastSettings, remote: resolved.remote };
  }

  /** Sequence number the next event will get: a cursor here has read everything. */
  get endSeq(): number {
    return this.#endSeq;
  }

  /** Number of events kept. */
  get retainedEventCount(): number {
    return this.#endSeq - this.#baseSeq;
  }

  /** The retained event at `seq`, which must be in `[baseSeq, endSeq)`. */
  eventAt(seq: number): LogEvent {
    return this.#events[this.#head + seq - this.#baseSeq] as LogEvent;
  }

  /** We are connected to `key` with `flags` (the key is checked by the caller). */
  connect(key: PeerKey, flags: number): void {
    this.#shared.length = 0;
    const prev = this.live.get(key);
    // Connected again: no longer a recently disconnected contact.
    this.departed?.remove(key);
    if (prev === flags) return;
    if (prev === undefined) this.liveCount[peerKeyFamily(key)]++;
    this.live.set(key, flags);
    this.#append(key, prev);
  }

  /** We are no longer connected to `key`; `qualifies` puts it in the departures. */
  disconnect(key: PeerKey, qualifies: boolean): void {
    const prev = this.live.get(key);
    if (prev === undefined) return;
    this.#shared.length = 0;
    this.live.delete(key);
    this.liveCount[peerKeyFamily(key)]--;
    if (qualifies) this.departed?.add(key, prev);
    this.#append(key, prev);
  }

  /** A cursor starts reading at the end of the log; returns its position. */
  startReading(): number {
    this.#readers++;
    this.#readersAtEnd++;
    this.markRead(this.#endSeq);
    return this.#endSeq;
  }

  /** The cursor at `seq` stops reading: its events are released once no other cursor needs them. */
  stopReading(seq: number): void {
    this.#countReader(seq, -1);
    this.#readers--;
    if (this.#readers === 0) {
      this.#events = [];
      this.#head = 0;
      this.#baseSeq = this.#endSeq;
      this.#readersAtEnd = 0;
      this.lastEvent.clear();
      this.#shared.length = 0;
    } else {
      this.#compactAfterLeaving(seq);
    }
  }

  /** A cursor moved from `from` to `to` (later). */
  moveReader(from: number, to: number): void {
    if (to === from) return;
    this.#countReader(from, -1);
    this.#countReader(to, 1);
    this.markRead(to);
    this.#compactAfterLeaving(from);
  }

  /**
   * Some cursor has read, or holds a view of, everything before `seq`: an event before it may no
   * longer change in place, or that cursor would miss the change.
   */
  markRead(seq: number): void {
    if (seq > this.#readHighWater) this.#readHighWater = seq;
  }

  /** The log state of `key` at `seq`: the `prev` of its first event from `seq`, else live. */
  stateAt(key: PeerKey, seq: number): PeerState {
    const last = this.lastEvent.get(key);
    if (last === undefined || last.seq < seq) return this.live.get(key);
    for (let at = seq; at <= last.seq; at++) {
      const event = this.eventAt(at);
      if (event.key === key) return event.prev;
    }
    return this.live.get(key);
  }

  /** True if `key` has an event at `seq` or later. */
  changedSince(key: PeerKey, seq: number): boolean {
    const last = this.lastEvent.get(key);
    return last !== undefined && last.seq >= seq;
  }

  /**
   * The message for cursors at `fromSeq` with nothing of their own to tell, under the given caps:
   * the one already built for them, or a new one. Undefined when sharing is off.
   */
  sharedMessage(fromSeq: number, maxAdded: number, maxDropped: number): SharedMessage | undefined {
    if (!this.#share) return undefined;
    for (const built of this.#shared) {
      if (
        built.fromSeq === fromSeq &&
        built.maxAdded === maxAdded &&
        built.maxDropped === maxDropped
      ) {
        return built;
      }
    }
    const built = this.#buildShared(fromSeq, maxAdded, maxDropped);
    this.#shared.push(built);
    return built;
  }

  /** The bytes of `message`: encoded once for all its takers when it is a shared one. */
  encode(message: PexMessage): Uint8Array {
    for (const built of this.#shared) {
      if (built.message === message) {
        built.payload ??= encodePexMessage(message);
        return built.payload;
      }
    }
    return encodePexMessage(message);
  }

  /**
   * The events from `fromSeq` in order, each peer from its `prev` to its live state, as far as the
   * caps allow (the same walk as a cursor's own, for a cursor with no view of its own).
   */
  #buildShared(fromSeq: number, maxAdded: number, maxDropped: number): SharedMessage {
    const builder = createMessageBuilder(maxAdded, maxDropped);
    let seq = fromSeq;
    let shareable = true;
    while (seq < this.#endSeq && !builder.isFull()) {
      const event = this.eventAt(seq);
      if (this.lastEvent.get(event.key) !== event) {
        shareable = false;
        break;
      }
      if (!builder.include(event.key, event.prev, this.live.get(event.key))) break;
      seq++;
    }
    // A window that cannot be shared builds no message here: each cursor builds its own.
    if (shareable) this.messagesBuilt++;
    const message = shareable ? builder.build() : undefined;
    return {
      fromSeq,
      maxAdded,
      maxDropped,
      shareable,
      toSeq: seq,
      message,
      toldDepartures: message === undefined ? [] : this.departuresDropped(message),
      payload: undefined,
    };
  }

  /** The peers `message` drops that are recent departures: the remote is told of them. */
  departuresDropped(message: PexMessage): Departed[] {
    const { departed } = this;
    if (departed === undefined || departed.isEmpty()) return [];
    const told: Departed[] = [];
    for (const peer of [...message.dropped, ...message.dropped6]) {
      const key = peerKey(peer.address, peer.port);
      const departure = departed.get(key);
      if (departure !== undefined) told.push({ key, serial: departure.serial });
    }
    return told;
  }

  #append(key: PeerKey, prev: PeerState): void {
    // With no reader, nobody needs history: a first message reads the live list.
    if (this.#readers === 0) return;
    // An event no cursor has read yet already says "this peer changed": it stays the only one.
    const last = this.lastEvent.get(key);
    if (last !== undefined && last.seq >= this.#readHighWater) return;
    const event: LogEvent = { key, prev, seq: this.#endSeq, readers: this.#readersAtEnd };
    this.#readersAtEnd = 0;
    this.#events.push(event);
    this.#endSeq++;
    this.lastEvent.set(key, event);
  }

  /** Moves one reading cursor's position in the counts. */
  #countReader(seq: number, delta: 1 | -1): void {
    if (seq === this.#endSeq) this.#readersAtEnd += delta;
    else this.eventAt(seq).readers += delta;
  }

  /**
   * Releases the events before the oldest cursor position. Every cursor position is counted on
   * its event, so the oldest one is found by walking from the base over events nobody reads:
   * O(1) per released event, whatever the number of cursors (a scan of the cursors each time the
   * oldest moves would make a round of W cursors O(W^2)).
   */
  #compact(): void {
    while (this.#baseSeq < this.#endSeq) {
      this.compactionSteps++;
      const event = this.#events[this.#head] as LogEvent;
      if (event.readers > 0) break;
      if (this.lastEvent.get(event.key) === event) this.lastEvent.delete(event.key);
      this.#events[this.#head] = undefined;
      this.#head++;
      this.#baseSeq++;
    }
    // Copy the retained tail once the dead prefix outweighs it: amortised O(1) per event.
    if (this.#head > 64 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
  }

  /** After the cursor at `seq` moved on or stopped reading: compacts if it was the last at the base. */
  #compactAfterLeaving(seq: number): void {
    if (seq === this.#baseSeq && seq < this.#endSeq && this.eventAt(seq).readers === 0) {
      this.#compact();
    }
  }
}

/** True when `a` and `b` have the same numbers (their `remote` aside). */
function sameSettings(a: ResolvedOutboundOptions, b: ResolvedOutboundOptions): boolean {
  return (
    a.intervalMs === b.intervalMs &&
    a.firstMessageMaxAdded === b.firstMessageMaxAdded &&
    a.maxAddedPerMessage === b.maxAddedPerMessage &&
    a.maxDroppedPerMessage === b.maxDroppedPerMessage &&
    a.relaxation?.livePeersBelow === b.relaxation?.livePeersBelow &&
    a.relaxation?.maxDeparted === b.relaxation?.maxDeparted
  );
}
