import { type PeerKey, peerKeyAddress, peerKeyPort } from './peer-key.js';
import type { PeerState } from './peer-state.js';
import type { CompactPeer, PexMessage } from './types.js';

const NONE = 0;
const ADD = 1;
const DROP = 2;
type ChangeKind = typeof NONE | typeof ADD | typeof DROP;

interface NetChange {
  readonly before: PeerState;
  after: PeerState;
}

/**
 * Collects the changes of one outgoing message. A peer may be fed several times (the swarm
 * timeline replays every event since a cursor); only its net change counts, which is how a peer
 * added and dropped within one window ends up not mentioned at all (BEP 11: never add and drop the
 * same contact in one message), and how a flag change becomes one re-announce.
 * @internal
 */
export interface MessageBuilder {
  /**
   * Adds the change `before` -> `after` of peer `key` (chained after any earlier change of the same
   * peer) unless it would exceed a cap; returns false, changing nothing, in that case.
   */
  include(key: PeerKey, before: PeerState, after: PeerState): boolean;
  /** True when both caps are reached: no further change can add a peer to the message. */
  isFull(): boolean;
  /** True when the message mentions `key`: a change of it was included and did not cancel out. */
  mentions(key: PeerKey): boolean;
  /**
   * The message, or `undefined` when every change cancelled out (never an empty message). Address
   * bytes are rebuilt from the keys: every message has its own.
   */
  build(): PexMessage | undefined;
}

/** @internal */
export function createMessageBuilder(maxAdded: number, maxDropped: number): MessageBuilder {
  const changes = new Map<PeerKey, NetChange>();
  let addedCount = 0;
  let droppedCount = 0;
  return {
    include(key, before, after) {
      const known = changes.get(key);
      const first = known === undefined ? before : known.before;
      const oldKind = known === undefined ? NONE : classifyChange(known.before, known.after);
      const newKind = classifyChange(first, after);
      const added = addedCount - (oldKind === ADD ? 1 : 0) + (newKind === ADD ? 1 : 0);
      const dropped = droppedCount - (oldKind === DROP ? 1 : 0) + (newKind === DROP ? 1 : 0);
      if (added > maxAdded || dropped > maxDropped) return false;
      addedCount = added;
      droppedCount = dropped;
      if (known === undefined) changes.set(key, { before, after });
      else known.after = after;
      return true;
    },
    isFull() {
      return addedCount >= maxAdded && droppedCount >= maxDropped;
    },
    mentions(key) {
      const known = changes.get(key);
      return known !== undefined && classifyChange(known.before, known.after) !== NONE;
    },
    build() {
      if (addedCount === 0 && droppedCount === 0) return undefined;
      const added: CompactPeer[] = [];
      const added6: CompactPeer[] = [];
      const dropped: CompactPeer[] = [];
      const dropped6: CompactPeer[] = [];
      for (const [key, { before, after }] of changes) {
        const kind = classifyChange(before, after);
        if (kind === NONE) continue;
        const address = peerKeyAddress(key);
        const port = peerKeyPort(key);
        if (kind === ADD) {
          (typeof key === 'number' ? added : added6).push({ address, port, flags: after ?? 0 });
        } else {
          (typeof key === 'number' ? dropped : dropped6).push({ address, port });
        }
      }
      return { added, added6, dropped, dropped6 };
    },
  };
}

/**
 * A peer the remote holds with other flags is announced again in `added` with the new flags:
 * BEP 11 has no "changed" list, a drop + add would need two messages (a contact may not be added
 * and dropped in one), and every receiver treats an `added` entry for a known peer as an update
 * or a harmless duplicate.
 */
function classifyChange(before: PeerState, after: PeerState): ChangeKind {
  if (before === after) return NONE;
  return after === undefined ? DROP : ADD;
}
