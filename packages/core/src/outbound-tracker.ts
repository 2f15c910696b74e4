import type { Departure } from './departed-list.js';
import { DepartedList } from './departed-list.js';
import { createMessageBuilder } from './message-builder.js';
import { assertTime } from './option-checks.js';
import { type ResolvedOutboundOptions, resolveOutboundOptions } from './outbound-options.js';
import {
  assertDeparture,
  assertOptionalPeerKey,
  toConnectedPeerKey,
  toPeerKey,
} from './peer-checks.js';
import { type PeerKey, peerKeyFamily } from './peer-key.js';
import { PeerKeyTable } from './peer-key-table.js';
import type { PexOutbound, PexOutboundOptions } from './pex-outbound.js';
import {
  connectedState,
  isStamped,
  liveOf,
  MAX_STAMP,
  packStates,
  statesOf,
  toPeerState,
  viewOf,
  withLive,
  withStamp,
  withView,
} from './tracker-entry.js';
import type { CompactPeer, PexMessage } from './types.js';

/** A per-connection outbound tracker: the caller reports our connections as they change. */
export interface OutboundTracker extends PexOutbound {
  /**
   * We are connected to `peer` (with its BEP 11 flag byte, default 0). Calling again with other
   * flags updates them.
   * @throws {TypeError|RangeError} for a malformed peer, as `encodePexMessage` would.
   */
  connected(peer: CompactPeer): void;
  /**
   * We are no longer connected to the peer at `address` / `port`. Unknown peers are ignored.
   * With `relaxation` on, `{ qualifies: true }` says it left for a reason BEP 11 lets us still
   * advertise it for (see `PexOutboundOptions.relaxation`).
   * @throws {TypeError|RangeError} for a malformed address or port, or a `how` that is not an
   *   object with an optional boolean `qualifies`.
   */
  disconnected(
    peer: Pick<CompactPeer, 'address' | 'port'>,
    how?: { readonly qualifies?: boolean },
  ): void;
  /** Changes which peer is the remote itself (e.g. once its listen port is known). */
  setRemote(remote: PeerKey | undefined): void;
}

/**
 * Creates the outbound tracker of one connection: what we tell one remote peer.
 *
 * It keeps our live connections, what this remote was told (its view), and an ordered set of
 * peers whose live state differs from that view. A message is the oldest differences first,
 * within the caps, so:
 * - a peer added and dropped before the next message never differed from the view: not mentioned;
 * - only peers in the view can be dropped; nothing is said twice;
 * - the remote (`remote` option / `setRemote`) is never advertised to itself;
 * - only peers reported through `connected` are advertised: peers the remote told us about are
 *   never echoed unless we connect to them ourselves;
 * - a flag change of an advertised peer re-announces it in `added` with the new flags;
 * - with `relaxation` (BEP 11, off by default), a family with few live peers also gets peers that
 *   recently left for a qualifying reason, each dropped again in the very next message.
 *
 * Memory is bounded by live peers plus pending drops, whatever the churn: one table entry per peer
 * (its key and one small integer holding both states) and one entry per pending change, in
 * typed-array tables (`PeerKeyTable`): about 30 bytes per peer rather than the 80 of a `Map` and a
 * `Set` whose IPv4 keys are heap numbers.
 *
 * @example
 * ```ts
 * const tracker = createOutboundTracker({ remote: peerKey(remoteAddress, remotePort) });
 * tracker.connected({ address: new Uint8Array([192, 0, 2, 7]), port: 6881, flags: PEX_FLAG_REACHABLE });
 * const message = tracker.nextMessage(Date.now()); // first message: the live list
 * ```
 * @throws {TypeError} if `options` is not an object or `remote` is not a peer key.
 * @throws {RangeError} if `intervalMs` is not a non-negative integer, a cap is not a positive
 *   integer, or a relaxation number is not an integer 1..25.
 */
export function createOutboundTracker(options?: PexOutboundOptions): OutboundTracker {
  return new Tracker(resolveOutboundOptions(options), MAX_STAMP);
}

/**
 * `createOutboundTracker` with a lower stamp limit, so that a test reaches the renumbering of
 * pending changes without 2^35 of them.
 * @internal
 */
export function createOutboundTrackerWithStampLimit(
  options: PexOutboundOptions | undefined,
  maxStamp: number,
): OutboundTracker {
  return new Tracker(resolveOutboundOptions(options), maxStamp);
}

/**
 * The tracker as a class: its methods are shared by every connection's tracker, where a factory
 * made a closure per method per connection.
 */
class Tracker implements OutboundTracker {
  readonly #settings: ResolvedOutboundOptions;
  #remote: PeerKey | undefined;
  /**
   * Every peer we are connected to or the remote holds, with one integer: our state, the state
   * this remote was told (its view), and a stamp while the two should differ (tracker-entry.ts).
   * The pending changes are the stamped entries, oldest stamp first: one table rather than a
   * second one keyed by the same peers. Live peers keep the order in which we connected to them
   * (oldest first), which a first message follows.
   */
  readonly #peers = new PeerKeyTable();
  /** Stamped entries of `#peers`. */
  #pendingCount = 0;
  #nextStamp = 1;
  /** The largest stamp before pending changes are renumbered from 1. */
  readonly #maxStamp: number;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #sentSinceReset = false;
  /** Live peers per family, for the relaxation's threshold. */
  readonly #liveCount = { 4: 0, 6: 0 };
  /** BEP 11's recently disconnected contacts (with `relaxation` only). */
  readonly #departed: DepartedList | undefined;
  /** The departure (serial) of each peer the remote was told of: it is not added again for it. */
  readonly #told = new Map<PeerKey, number>();
  /** Peers the remote holds only because the relaxation added them: dropped in the next message. */
  readonly #relaxedHeld = new Set<PeerKey>();

  constructor(settings: ResolvedOutboundOptions, maxStamp: number) {
    this.#settings = settings;
    this.#remote = settings.remote;
    this.#maxStamp = maxStamp;
    const { relaxation } = settings;
    this.#departed =
      relaxation === undefined ? undefined : new DepartedList(relaxation.maxDeparted);
  }

  connected(peer: CompactPeer): void {
    const key = toConnectedPeerKey(peer, 'peer');
    const state = connectedState(peer.flags ?? 0);
    const peers = this.#peers;
    const at = peers.find(key);
    if (at === -1) {
      peers.set(key, packStates(state, 0));
      this.#liveCount[peerKeyFamily(key)]++;
    } else {
      const value = peers.valueAt(at);
      const live = liveOf(value);
      if (live === state) return;
      // A peer we connect to again is our newest connection: it moves to the end (stamp kept).
      if (live === 0) {
        peers.delete(key);
        this.#liveCount[peerKeyFamily(key)]++;
      }
      peers.set(key, withLive(value, state));
    }
    // Connected again: no longer a recently disconnected contact.
    this.#departed?.remove(key);
    this.#refresh(key);
  }

  disconnected(
    peer: Pick<CompactPeer, 'address' | 'port'>,
    how?: { readonly qualifies?: boolean },
  ): void {
    const key = toPeerKey(peer, 'peer');
    const qualifies = assertDeparture(how);
    const peers = this.#peers;
    const at = peers.find(key);
    if (at === -1) return;
    const value = peers.valueAt(at);
    const live = liveOf(value);
    if (live === 0) return;
    peers.setValueAt(at, withLive(value, 0));
    this.#liveCount[peerKeyFamily(key)]--;
    if (qualifies) this.#departed?.add(key, toPeerState(live) as number);
    this.#refresh(key, at);
  }

  setRemote(key: PeerKey | undefined): void {
    assertOptionalPeerKey(key, 'remote');
    const previous = this.#remote;
    this.#remote = key;
    if (previous !== undefined) this.#refresh(previous);
    if (key !== undefined) this.#refresh(key);
  }

  nextMessage(now: number): PexMessage | undefined {
    assertTime(now);
    const settings = this.#settings;
    if (now < this.#lastSentAt + settings.intervalMs) return undefined;
    if (this.#pendingCount === 0 && !this.#hasRelaxedCandidate()) return undefined;
    const peers = this.#peers;
    const remote = this.#remote;
    const builder = createMessageBuilder(
      this.#sentSinceReset ? settings.maxAddedPerMessage : settings.firstMessageMaxAdded,
      settings.maxDroppedPerMessage,
    );
    const sent: PeerKey[] = [];
    // BEP 11: relaxed peers "must be dropped with the next PEX message", so they go first. They
    // always fit: a message adds at most `maxDroppedPerMessage` of them.
    const dropsFirst = this.#relaxedHeld.size === 0 ? undefined : new Set<PeerKey>();
    for (const key of this.#relaxedHeld) {
      const at = peers.find(key);
      const value = peers.valueAt(at);
      // Connected again: an ordinary advertised peer now.
      if (wanted(key, value, remote) !== 0) continue;
      if (builder.include(key, toPeerState(viewOf(value)), undefined)) {
        sent.push(key);
        dropsFirst?.add(key);
      }
    }
    this.#relaxedHeld.clear();
    let everyChangeFits = true;
    for (const at of pendingEntries(peers)) {
      const key = peers.keyAt(at);
      if (dropsFirst?.has(key) === true) continue;
      if (builder.isFull()) {
        everyChangeFits = false;
        break;
      }
      const value = peers.valueAt(at);
      const before = toPeerState(viewOf(value));
      // A change that does not fit waits; later ones of the other kind may still fit.
      if (builder.include(key, before, toPeerState(wanted(key, value, remote)))) sent.push(key);
      else everyChangeFits = false;
    }
    // Relaxed peers only once every ordinary change fits: they never delay one.
    const relaxed = everyChangeFits ? this.#addRelaxed(builder) : [];
    const message = builder.build();
    if (message === undefined) return undefined;
    const departed = this.#departed;
    for (const key of sent) {
      const at = peers.find(key);
      const value = peers.valueAt(at);
      const after = wanted(key, value, remote);
      // A drop tells the remote of the departure: it is not added again for it.
      const departure = after === 0 ? departed?.get(key) : undefined;
      if (departure !== undefined) this.#told.set(key, departure.serial);
      // The view becomes the wanted state (stamp kept): `#refresh` then unstamps it, and forgets
      // it if nothing is left.
      peers.setValueAt(at, withView(value, after));
      this.#refresh(key, at);
    }
    for (const { key, flags, serial } of relaxed) {
      this.#told.set(key, serial);
      this.#relaxedHeld.add(key);
      // Held by the remote, not live: pending as a drop for the next message.
      peers.set(key, packStates(0, connectedState(flags)));
      this.#refresh(key);
    }
    this.#lastSentAt = now;
    this.#sentSinceReset = true;
    return message;
  }

  nextMessageAt(): number | undefined {
    return this.#pendingCount === 0 && !this.#hasRelaxedCandidate()
      ? undefined
      : this.#lastSentAt + this.#settings.intervalMs;
  }

  /**
   * Adds to `builder` the departures BEP 11's relaxation may add now, newest first, and returns
   * them: of a family with fewer live peers than `livePeersBelow`, unknown to the remote, at most
   * `maxDroppedPerMessage` in all (the next message drops them all) and as many as the caps allow.
   */
  #addRelaxed(builder: ReturnType<typeof createMessageBuilder>): Departure[] {
    const added: Departure[] = [];
    let budget = this.#settings.maxDroppedPerMessage;
    for (const departure of this.#relaxedCandidates()) {
      if (budget === 0) break;
      if (!builder.include(departure.key, undefined, departure.flags)) break;
      added.push(departure);
      budget--;
    }
    return added;
  }

  #hasRelaxedCandidate(): boolean {
    return this.#relaxedCandidates().length > 0;
  }

  /** The departures the relaxation may add now, newest first per family (IPv4 first). */
  #relaxedCandidates(): Departure[] {
    const departed = this.#departed;
    const relaxation = this.#settings.relaxation;
    if (departed === undefined || relaxation === undefined || departed.isEmpty()) return [];
    // Forget what was told of departures that are no longer in the list (or departed again).
    for (const [key, serial] of this.#told) {
      if (departed.get(key)?.serial !== serial) this.#told.delete(key);
    }
    const candidates: Departure[] = [];
    for (const family of [4, 6] as const) {
      if (this.#liveCount[family] >= relaxation.livePeersBelow) continue;
      for (const departure of departed.newestFirst(family)) {
        const { key } = departure;
        if (key === this.#remote || this.#told.get(key) === departure.serial) continue;
        // An entry in the table is a peer we are connected to or the remote holds.
        if (this.#peers.find(key) === -1) candidates.push(departure);
      }
    }
    return candidates;
  }

  reset(): void {
    // The time of the last message is kept: a strict receiver still counts it.
    const peers = this.#peers;
    const gone: PeerKey[] = [];
    for (let at = peers.firstEntry(); at !== -1; at = peers.nextEntry(at)) {
      const live = liveOf(peers.valueAt(at));
      if (live === 0) gone.push(peers.keyAt(at));
      else peers.setValueAt(at, packStates(live, 0));
    }
    for (const key of gone) peers.delete(key);
    this.#relaxedHeld.clear();
    this.#told.clear();
    this.#pendingCount = 0;
    this.#nextStamp = 1;
    this.#sentSinceReset = false;
    // Every live peer but the remote is pending again, in the order we connected to them.
    for (let at = peers.firstEntry(); at !== -1; at = peers.nextEntry(at)) {
      if (wanted(peers.keyAt(at), peers.valueAt(at), this.#remote) !== 0) this.#stamp(at);
    }
  }

  /** Stamps entry `at` as the newest pending change. */
  #stamp(at: number): void {
    const peers = this.#peers;
    if (this.#nextStamp > this.#maxStamp) {
      // After `maxStamp` changes without a pause (2^35 by default): the pending ones are
      // stamped 1, 2, ... in their order.
      this.#nextStamp = 1;
      for (const entry of pendingEntries(peers)) {
        peers.setValueAt(entry, withStamp(peers.valueAt(entry), this.#nextStamp++));
      }
    }
    peers.setValueAt(at, withStamp(peers.valueAt(at), this.#nextStamp++));
    this.#pendingCount++;
  }

  /**
   * Stamps `key` (at entry `at`) when its wanted state now differs from the view, unstamps it when
   * not, and forgets it when it is neither live nor held by the remote.
   */
  #refresh(key: PeerKey, at = this.#peers.find(key)): void {
    if (at === -1) return;
    const peers = this.#peers;
    const value = peers.valueAt(at);
    const differs = wanted(key, value, this.#remote) !== viewOf(value);
    if (differs !== isStamped(value)) {
      if (differs) this.#stamp(at);
      else {
        peers.setValueAt(at, withStamp(value, 0));
        // Stamps start again from 1 once nothing is pending.
        if (--this.#pendingCount === 0) this.#nextStamp = 1;
      }
    }
    if (statesOf(value) === 0) peers.delete(key);
  }
}

/** The state we want the remote to hold: ours, except for the remote itself (never told). */
function wanted(key: PeerKey, value: number, remote: PeerKey | undefined): number {
  return key === remote ? 0 : liveOf(value);
}

/** Table entries of the pending changes (stamped values), oldest change first. */
function pendingEntries(peers: PeerKeyTable): number[] {
  const entries: number[] = [];
  for (let at = peers.firstEntry(); at !== -1; at = peers.nextEntry(at)) {
    if (isStamped(peers.valueAt(at))) entries.push(at);
  }
  return entries.sort((a, b) => peers.valueAt(a) - peers.valueAt(b));
}
