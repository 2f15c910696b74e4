import type { CompactPeer } from '@pex/core';
import fc from 'fast-check';

/** Options of the peer arbitraries. */
export interface PeerArbitraryOptions {
  /** Give each peer a flag byte (as in `added`), or none (as in `dropped`). Default true. */
  readonly withFlags?: boolean;
}

/**
 * Any BEP 11 flag byte, 0..255: the five named bits and the reserved ones, which a receiver must
 * carry through untouched. Combinations of the named bits are drawn more often.
 * Never throws.
 */
export function arbitraryPexFlags(): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 0x1f }), weight: 3 },
    { arbitrary: fc.integer({ min: 0, max: 0xff }), weight: 1 },
  );
}

/** A port a compact peer may carry: 1..65535 (port 0 is refused by the encoder). Never throws. */
export function arbitraryPort(): fc.Arbitrary<number> {
  return fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(1, 6881, 51413, 65535));
}

/**
 * An IPv4 peer: 4 address bytes, a port in 1..65535 and, unless `withFlags` is false, a flag byte.
 * Never throws.
 */
export function arbitraryIpv4Peer(options: PeerArbitraryOptions = {}): fc.Arbitrary<CompactPeer> {
  return peerOf(4, options.withFlags ?? true);
}

/**
 * An IPv6 peer: 16 address bytes, a port in 1..65535 and, unless `withFlags` is false, a flag byte.
 * Never throws.
 */
export function arbitraryIpv6Peer(options: PeerArbitraryOptions = {}): fc.Arbitrary<CompactPeer> {
  return peerOf(16, options.withFlags ?? true);
}

function peerOf(length: 4 | 16, withFlags: boolean): fc.Arbitrary<CompactPeer> {
  const address = fc.uint8Array({ minLength: length, maxLength: length });
  return withFlags
    ? fc.record({ address, port: arbitraryPort(), flags: arbitraryPexFlags() })
    : fc.record({ address, port: arbitraryPort() });
}

/** Identity of a peer (address bytes + port) as a string, for uniqueness selectors. @internal */
export function contactOf(peer: CompactPeer): string {
  return `${peer.address.join('.')}/${peer.port}`;
}
