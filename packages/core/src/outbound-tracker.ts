import { createMessageBuilder } from './message-builder.js';
import { assertTime, resolveOutboundOptions } from './outbound-options.js';
import type { PeerKey } from './peer-key.js';
import {
  assertOptionalPeerKey,
  isSamePeerState,
  type PeerRecord,
  toPeerKey,
  toPeerRecord,
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
 * Memory is bounded by live peers plus pending drops, whatever the churn.
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
  /** Our connections, in the order we learnt of them (oldest first). */
  const live = new Map<PeerKey, PeerRecord>();
  /** What the remote was told and not told otherwise since. */
  const view = new Map<PeerKey, PeerRecord>();
  /** Peers whose wanted state differs from the view, oldest change first. */
  const pending = new Set<PeerKey>();
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let sentSinceReset = false;

  const wantedState = (key: PeerKey): PeerRecord | undefined =>
    key === remote ? undefined : live.get(key);

  const refresh = (key: PeerKey): void => {
    if (isSamePeerState(view.get(key), wantedState(key))) pending.delete(key);
    else pending.add(key);
  };

  return {
    connected(peer) {
      const record = toPeerRecord(peer, 'peer');
      const known = live.get(record.key);
      if (known !== undefined && known.flags === record.flags) return;
      live.set(record.key, record);
      refresh(record.key);
    },
    disconnected(peer) {
      const key = toPeerKey(peer, 'peer');
      if (!live.delete(key)) return;
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
      for (const key of pending) {
        // A change that does not fit waits; later ones of the other kind may still fit.
        if (builder.include(key, view.get(key), wantedState(key))) sent.push(key);
        if (builder.isFull()) break;
      }
      const message = builder.build();
      if (message === undefined) return undefined;
      for (const key of sent) {
        const wanted = wantedState(key);
        if (wanted === undefined) view.delete(key);
        else view.set(key, wanted);
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
      view.clear();
      pending.clear();
      sentSinceReset = false;
      for (const key of live.keys()) refresh(key);
    },
  };
}
