import type { PeerKey } from './peer-key.js';

/**
 * A check that each peer key of one message is new: true for a key not seen before. A scan of a
 * short array beats hashing for the usual message (at most 100 peers); past that a Set takes
 * over, so the check stays linear in time whatever the size.
 * @internal
 */
export type PeerKeyCheck = (key: PeerKey) => boolean;

/** A new `PeerKeyCheck`, for one message. @internal */
export function newPeerKeyCheck(): PeerKeyCheck {
  const list: PeerKey[] = [];
  let set: Set<PeerKey> | undefined;
  return (key) => {
    if (set) return set.size < set.add(key).size;
    if (list.includes(key)) return false;
    if (list.push(key) > 100) set = new Set(list);
    return true;
  };
}
