import { assertCompactPeer, describe } from './compact.js';
import { type PeerKey, peerKey } from './peer-key.js';
import type { CompactPeer } from './types.js';

/**
 * A peer as the state machines keep it: a private copy of the address (so later changes to the
 * caller's bytes cannot alter what we advertise), the port, the flag byte and the identity key.
 * @internal
 */
export interface PeerRecord {
  readonly key: PeerKey;
  readonly address: Uint8Array;
  readonly port: number;
  readonly flags: number;
}

/**
 * Validates `peer` and copies it into a record (flags default to 0).
 * @throws {TypeError} if `peer` is not an object with a 4- or 16-byte Uint8Array `address`.
 * @throws {RangeError} if its port is not in 1..65535 or its flags not in 0..255.
 * @internal
 */
export function toPeerRecord(peer: unknown, field: string): PeerRecord {
  assertCompactPeer(peer, addressLengthOf(peer), field);
  const address = peer.address.slice();
  return { key: peerKey(address, peer.port), address, port: peer.port, flags: peer.flags ?? 0 };
}

/**
 * Validates the address and port of `peer` (flags are not looked at) and returns its key.
 * @throws {TypeError|RangeError} as `toPeerRecord`.
 * @internal
 */
export function toPeerKey(peer: unknown, field: string): PeerKey {
  if (typeof peer !== 'object' || peer === null) {
    throw new TypeError(`"${field}" expected a peer object, got ${describe(peer)}`);
  }
  const { address, port } = peer as Partial<CompactPeer>;
  const contact = { address, port };
  assertCompactPeer(contact, addressLengthOf(contact), field);
  return peerKey(contact.address, contact.port);
}

/**
 * @throws {TypeError} if `remote` is neither undefined nor a key made by `peerKey`.
 * @internal
 */
export function assertOptionalPeerKey(
  remote: unknown,
  field: string,
): asserts remote is PeerKey | undefined {
  if (remote === undefined) return;
  if (typeof remote === 'number' && Number.isSafeInteger(remote) && remote >= 0) return;
  if (typeof remote === 'string' && remote.length === 9) return;
  throw new TypeError(`"${field}" expected a peer key from peerKey(), got ${describe(remote)}`);
}

/** True when two states of one peer (absent or present with flags) look the same to a remote. */
export function isSamePeerState(a: PeerRecord | undefined, b: PeerRecord | undefined): boolean {
  return a === undefined ? b === undefined : b !== undefined && a.flags === b.flags;
}

function addressLengthOf(peer: unknown): number {
  const address = (peer as { address?: unknown } | null)?.address;
  return address instanceof Uint8Array && address.length === 16 ? 16 : 4;
}
