import { createMessageBuilder } from './message-builder.js';
import { assertTime } from './option-checks.js';
import { type ResolvedOutboundOptions, resolveOutboundOptions } from './outbound-options.js';
import { assertOptionalPeerKey, toConnectedPeerKey, toPeerKey } from './peer-checks.js';
import type { PeerKey } from './peer-key.js';
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
  /** We are no longer connected to the peer at `address` / `port`. Unknown peers are ignored. */
  disconnected(peer: Pick<CompactPeer, 'address' | 'port'>): void;
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
 * - a flag change of an advertised peer re-announces it in `added` with the new flags.
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
 * @throws {RangeError} if `intervalMs` is not a non-negative integer or a cap is not a positive integer.
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

  constructor(settings: ResolvedOutboundOptions, maxStamp: number) {
    this.#settings = settings;
    this.#remote = settings.remote;
    this.#maxStamp = maxStamp;
  }

  connected(peer: CompactPeer): void {
    const key = toConnectedPeerKey(peer, 'peer');
    const state = connectedState(peer.flags ?? 0);
    const peers = this.#peers;
    const at = peers.find(key);
    if (at === -1) {
      peers.set(key, packStates(state, 0));
    } else {
      const value = peers.valueAt(at);
      const live = liveOf(value);
      if (live === state) return;
      // A peer we connect to again is our newest connection: it moves to the end (stamp kept).
      if (live === 0) peers.delete(key);
      peers.set(key, withLive(value, state));
    }
    this.#refresh(key);
  }

  disconnected(peer: Pick<CompactPeer, 'address' | 'port'>): void {
    const key = toPeerKey(peer, 'peer');
    const peers = this.#peers;
    const at = peers.find(key);
    if (at === -1) return;
    const value = peers.valueAt(at);
    if (liveOf(value) === 0) return;
    peers.setValueAt(at, withLive(value, 0));
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
    if (this.#pendingCount === 0 || now < this.#lastSentAt + settings.intervalMs) return undefined;
    const peers = this.#peers;
    const remote = this.#remote;
    const builder = createMessageBuilder(
      this.#sentSinceReset ? settings.maxAddedPerMessage : settings.firstMessageMaxAdded,
      settings.maxDroppedPerMessage,
    );
    const sent: PeerKey[] = [];
    for (const at of pendingEntries(peers)) {
      const key = peers.keyAt(at);
      const value = peers.valueAt(at);
      const before = toPeerState(viewOf(value));
      // A change that does not fit waits; later ones of the other kind may still fit.
      if (builder.include(key, before, toPeerState(wanted(key, value, remote)))) sent.push(key);
      if (builder.isFull()) break;
    }
    const message = builder.build();
    if (message === undefined) return undefined;
    for (const key of sent) {
      const at = peers.find(key);
      const value = peers.valueAt(at);
      // The view becomes the wanted state (stamp kept): `#refresh` then unstamps it, and forgets
      // it if nothing is left.
      peers.setValueAt(at, withView(value, wanted(key, value, remote)));
      this.#refresh(key, at);
    }
    this.#lastSentAt = now;
    this.#sentSinceReset = true;
    return message;
  }

  nextMessageAt(): number | undefined {
    return this.#pendingCount === 0 ? undefined : this.#lastSentAt + this.#settings.intervalMs;
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
