import { argumentError } from './argument-error.js';
import { assertCompactPeer } from './compact.js';
import { type PeerKey, peerKey } from './peer-key.js';
import type { CompactPeer } from './types.js';

/**
 * One peer's state as a remote sees it: its flag byte while we are connected to it, `undefined`
 * while we are not. The state machines keep a peer as its key plus this state and nothing else:
 * the key already holds the address and port (`peerKeyAddress`, `peerKeyPort`), so the bytes are
 * rebuilt only when a message is built, and no later change to the caller's bytes can alter what
 * we advertise. Two states look the same to a remote exactly when they are `===`.
 * @internal
 */
export type PeerState = number | undefined;

/**
 * Validates `peer` (address, port and flags) and returns its key; its state is `peer.flags ?? 0`.
 * @throws {TypeError} if `peer` is not an object with a 4- or 16-byte Uint8Array `address`.
 * @throws {RangeError} if its port is not in 1..65535 or its flags not in 0..255.
 * @internal
 */
export function toConnectedPeerKey(peer: unknown, field: string): PeerKey {
  assertCompactPeer(peer, addressLengthOf(peer), field);
  return peerKey(peer.address, peer.port);
}

/**
 * Validates the address and port of `peer` (flags are not looked at) and returns its key.
 * @throws {TypeError|RangeError} as `toConnectedPeerKey`.
 * @internal
 */
export function toPeerKey(peer: unknown, field: string): PeerKey {
  if (typeof peer !== 'object' || peer === null) {
    throw argumentError(TypeError, field, 'a peer object', peer);
  }
  const { address, port } = peer as Partial<CompactPeer>;
  return toConnectedPeerKey({ address, port }, field);
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
  throw argumentError(TypeError, field, 'a peer key from peerKey()', remote);
}

function addressLengthOf(peer: unknown): number {
  const address = (peer as { address?: unknown } | null)?.address;
  return address instanceof Uint8Array && address.length === 16 ? 16 : 4;
}
