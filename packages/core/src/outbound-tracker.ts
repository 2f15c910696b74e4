import { createMessageBuilder } from './message-builder.js';
import { assertTime, resolveOutboundOptions } from './outbound-options.js';
import type { PeerKey } from './peer-key.js';
import { PeerKeyTable } from './peer-key-table.js';
import {
  assertOptionalPeerKey,
  type PeerState,
  toConnectedPeerKey,
  toPeerKey,
} from './peer-record.js';
import type { OutboundTracker, PexOutboundOptions } from './state-types.js';
import type { PexMessage } from './types.js';

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
  const settings = resolveOutboundOptions(options);
  let remote = settings.remote;
  /**
   * Every peer we are connected to or the remote holds, packed into one small integer: bits 0-8
   * our state (`LIVE` field), bits 9-17 the state this remote was told (its view). Live peers keep
   * the order in which we connected to them (oldest first), which a first message follows.
   */
  const peers = new PeerKeyTable();
  /** Peers whose wanted state differs from the view, oldest change first (a set: no values). */
  const pending = new PeerKeyTable();
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let sentSinceReset = false;

  /** The field we want the remote to hold: our state, except for the remote itself. */
  const wantedField = (key: PeerKey, entry: number): number =>
    key === remote ? 0 : entry & FIELD_MASK;

  const refresh = (key: PeerKey): void => {
    const entry = peers.get(key) ?? 0;
    if (wantedField(key, entry) === entry >>> VIEW_SHIFT) pending.delete(key);
    else pending.set(key);
  };

  return {
    connected(peer) {
      const key = toConnectedPeerKey(peer, 'peer');
      const field = packState(peer.flags ?? 0);
      const entry = peers.get(key);
      if (entry === undefined) {
        peers.set(key, field);
      } else {
        const live = entry & FIELD_MASK;
        if (live === field) return;
        // A peer we connect to again is our newest connection: it moves to the end.
        if (live === 0) peers.delete(key);
        peers.set(key, entry - live + field);
      }
      refresh(key);
    },
    disconnected(peer) {
      const key = toPeerKey(peer, 'peer');
      const entry = peers.get(key);
      if (entry === undefined || (entry & FIELD_MASK) === 0) return;
      const view = entry - (entry & FIELD_MASK);
      if (view === 0) peers.delete(key);
      else peers.set(key, view);
      refresh(key);
    },
    setRemote(key) {
      assertOptionalPeerKey(key, 'remote');
      const previous = remote;
      remote = key;
      if (previous !== undefined) refresh(previous);
      if (key !== undefined) refresh(key);
    },
    nextMessage(now: number): PexMessage | undefined {
      assertTime(now);
      if (pending.size === 0 || now < lastSentAt + settings.intervalMs) return undefined;
      const builder = createMessageBuilder(
        sentSinceReset ? settings.maxAddedPerMessage : settings.firstMessageMaxAdded,
        settings.maxDroppedPerMessage,
      );
      const sent: PeerKey[] = [];
      for (let at = pending.firstEntry(); at !== -1; at = pending.nextEntry(at)) {
        const key = pending.keyAt(at);
        const entry = peers.get(key) ?? 0;
        const before = unpackState(entry >>> VIEW_SHIFT);
        // A change that does not fit waits; later ones of the other kind may still fit.
        if (builder.include(key, before, unpackState(wantedField(key, entry)))) sent.push(key);
        if (builder.isFull()) break;
      }
      const message = builder.build();
      if (message === undefined) return undefined;
      for (const key of sent) {
        const entry = peers.get(key) ?? 0;
        const next = (entry & FIELD_MASK) | (wantedField(key, entry) << VIEW_SHIFT);
        if (next === 0) peers.delete(key);
        else peers.set(key, next);
        pending.delete(key);
      }
      lastSentAt = now;
      sentSinceReset = true;
      return message;
    },
    nextMessageAt() {
      return pending.size === 0 ? undefined : lastSentAt + settings.intervalMs;
    },
    reset() {
      // The time of the last message is kept: a strict receiver still counts it.
      const gone: PeerKey[] = [];
      for (let at = peers.firstEntry(); at !== -1; at = peers.nextEntry(at)) {
        const live = peers.valueAt(at) & FIELD_MASK;
        if (live === 0) gone.push(peers.keyAt(at));
        else peers.setValueAt(at, live);
      }
      for (const key of gone) peers.delete(key);
      pending.clear();
      sentSinceReset = false;
      for (let at = peers.firstEntry(); at !== -1; at = peers.nextEntry(at)) {
        refresh(peers.keyAt(at));
      }
    },
  };
}

/** One state in 9 bits: 0 when not connected, `PRESENT | flags` when connected. */
const PRESENT = 0x100;
const FIELD_MASK = 0x1ff;
const VIEW_SHIFT = 9;

function packState(flags: number): number {
  return PRESENT | flags;
}

function unpackState(field: number): PeerState {
  return field === 0 ? undefined : field & 0xff;
}
