// Messages as plain data (addresses as number arrays), for the round-trip tests to compare
// with `toEqual`.
import type { CompactPeer, PexMessage } from '@pex/core';

/** A peer as plain data; `flags` only where the peer has a flag byte. */
export const plain = (peer: CompactPeer) =>
  peer.flags === undefined
    ? { address: Array.from(peer.address), port: peer.port }
    : { address: Array.from(peer.address), port: peer.port, flags: peer.flags };

/** Every list of `message` as plain data. */
export const plainMessage = (message: PexMessage) => ({
  added: message.added.map(plain),
  added6: message.added6.map(plain),
  dropped: message.dropped.map(plain),
  dropped6: message.dropped6.map(plain),
});
