// Views of core's values for equality checks (bytesOf and hex are in @pex/test-support).

/** Repeats `unit` `times` times. */
export function repeat(unit: readonly number[], times: number): number[] {
  return Array.from({ length: times }, () => unit).flat();
}

/** A plain view of a decoded peer for equality checks (decoded peers read their address lazily). */
export function plainPeer(peer: { address: Uint8Array; port: number; flags?: number | undefined }) {
  return peer.flags === undefined
    ? { address: Array.from(peer.address), port: peer.port }
    : { address: Array.from(peer.address), port: peer.port, flags: peer.flags };
}

/** Plain view of a whole message. */
export function plainMessage(message: {
  added: readonly { address: Uint8Array; port: number; flags?: number | undefined }[];
  added6: readonly { address: Uint8Array; port: number; flags?: number | undefined }[];
  dropped: readonly { address: Uint8Array; port: number; flags?: number | undefined }[];
  dropped6: readonly { address: Uint8Array; port: number; flags?: number | undefined }[];
}) {
  return {
    added: message.added.map(plainPeer),
    added6: message.added6.map(plainPeer),
    dropped: message.dropped.map(plainPeer),
    dropped6: message.dropped6.map(plainPeer),
  };
}
