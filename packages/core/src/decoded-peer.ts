import { type PeerKey, peerKey, peerKeyAddress } from './peer-key.js';
import type { CompactPeer } from './types.js';

/**
 * A peer read from received bytes. It holds its identity key (which already encodes address and
 * port) plus port and flags, so decoding allocates one small object per peer, copies no bytes
 * and keeps no reference to the caller's buffer. The `address` bytes are built on first access.
 * `toJSON` writes the address as an array of numbers; `formatPeerAddress` writes it as text.
 */
export class DecodedPeer implements CompactPeer {
  /** Identity key, equal to `peerKey(address, port)`. */
  declare readonly key: PeerKey;
  declare readonly port: number;
  declare readonly flags: number | undefined;
  #address: Uint8Array | undefined;

  constructor(key: PeerKey, port: number, flags: number | undefined) {
    this.key = key;
    this.port = port;
    this.flags = flags;
  }

  get address(): Uint8Array {
    this.#address ??= peerKeyAddress(this.key);
    return this.#address;
  }

  toJSON(): { address: number[]; port: number; flags: number | undefined } {
    return { address: [...this.address], port: this.port, flags: this.flags };
  }
}

/**
 * Identity key of any compact peer (no work for a decoded one). Does not validate.
 * @throws {TypeError} only from JavaScript itself, if `peer` is not an object with an `address`.
 */
export function compactPeerKey(peer: CompactPeer): PeerKey {
  return peer instanceof DecodedPeer ? peer.key : peerKey(peer.address, peer.port);
}
