import ipaddr from 'ipaddr.js';
import { findAddressRange } from './address-range.js';
import type { PexPeerEvent } from './events.js';
import type { PeerAddress } from './peer-address.js';

/** What the policy knows about the connection, besides the peer being judged. */
export interface PexPolicyContext {
  /** The remote that sent the peer, where known (its address decides the local-sender rule). */
  readonly remote: PeerAddress | undefined;
  /** Our own listen addresses: never accepted as peers. */
  readonly localAddresses: readonly PeerAddress[];
}

/**
 * Decides whether a peer reported by the remote is kept. Returning false drops it silently
 * (it is counted as ignored, never emitted). A policy that throws refuses the peer and the
 * error becomes a `warning` event.
 */
export type PexAcceptPolicy = (peer: PexPeerEvent, context: PexPolicyContext) => boolean;

/**
 * Why the default policy refuses a peer:
 * - `port-zero`: port 0 cannot be dialled;
 * - `unspecified`, `multicast`, `broadcast`, `reserved`: not a host anyone can connect to
 *   (ipaddr.js ranges; `reserved` includes the documentation ranges and 240.0.0.0/4);
 * - `local-from-remote`: a loopback, private, link-local or unique-local address from a
 *   sender that is not itself local, or whose address we do not know;
 * - `own-address`: one of our own listen addresses.
 */
export type PexRefusal =
  | 'port-zero'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'local-from-remote'
  | 'own-address';

// ipaddr.js range names (both families). `discard` (100::/64) is IPv6's black hole.
const REFUSED_RANGES: ReadonlyMap<string, PexRefusal> = new Map([
  ['unspecified', 'unspecified'],
  ['multicast', 'multicast'],
  ['broadcast', 'broadcast'],
  ['reserved', 'reserved'],
  ['discard', 'reserved'],
]);
// What libtorrent's is_local() counts as local: loopback, RFC 1918, link-local, fc00::/7.
const LOCAL_RANGES: ReadonlySet<string> = new Set([
  'loopback',
  'private',
  'linkLocal',
  'uniqueLocal',
]);

/**
 * The default policy, with the reason: `'accept'` or why the peer is refused. Rules, in order:
 * port 0; unspecified, multicast, broadcast and reserved ranges; local addresses
 * (loopback, private, link-local, unique-local) unless the remote's address is known and is
 * itself local (libtorrent's rule), and loopback only from a loopback remote (stricter than
 * libtorrent: a LAN host's 127.0.0.1 is not ours); our own listen addresses.
 * @throws {TypeError} if `peer.address` is not a canonical IP address (events always are).
 */
export function classifyPeer(peer: PexPeerEvent, context: PexPolicyContext): 'accept' | PexRefusal {
  const remoteRange = context.remote === undefined ? undefined : rangeOf(context.remote.address);
  return classifyInRanges(peer, rangeOf(peer.address), remoteRange, context);
}

/**
 * `classifyPeer` with the ranges already known: `range` of the peer's address and `remoteRange`
 * of the remote's (undefined when the remote is unknown). How the session judges received peers
 * without parsing their text again.
 * @throws never.
 * @internal
 */
export function classifyInRanges(
  peer: PexPeerEvent,
  range: string,
  remoteRange: string | undefined,
  context: PexPolicyContext,
): 'accept' | PexRefusal {
  if (peer.port === 0) return 'port-zero';
  const refusal = REFUSED_RANGES.get(range);
  if (refusal !== undefined) return refusal;
  if (LOCAL_RANGES.has(range)) {
    if (remoteRange === undefined || !LOCAL_RANGES.has(remoteRange)) return 'local-from-remote';
    if (range === 'loopback' && remoteRange !== 'loopback') return 'local-from-remote';
  }
  for (const own of context.localAddresses) {
    if (own.port === peer.port && own.address === peer.address) return 'own-address';
  }
  return 'accept';
}

/**
 * The default accept policy: `classifyPeer(peer, context) === 'accept'`. The session recognises
 * it by identity to judge received peers without parsing their text again; a custom policy
 * composes `classifyPeer` instead: `(peer, ctx) => classifyPeer(peer, ctx) === 'accept' && ...`.
 * @throws {TypeError} if `peer.address` is not a canonical IP address.
 */
export function acceptPeerByDefault(peer: PexPeerEvent, context: PexPolicyContext): boolean {
  return classifyPeer(peer, context) === 'accept';
}

/**
 * The range of canonical address text (ipaddr.js's name, from our own table).
 * @throws {TypeError} if `address` is not an IP address.
 * @internal
 */
export function rangeOf(address: string): string {
  if (typeof address !== 'string' || !ipaddr.isValid(address)) {
    throw new TypeError(`"address" expected an IP address, got ${JSON.stringify(address)}`);
  }
  return findAddressRange(ipaddr.parse(address));
}
