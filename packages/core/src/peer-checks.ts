import { argumentError } from './argument-error.js';
import { type PeerKey, peerKey } from './peer-key.js';
import type { AddressFamily, CompactPeer } from './types.js';

// Checks of the peers and keys callers hand to the codec and the state machines: each throws the
// house-style TypeError/RangeError naming the field, or returns what it checked.

/**
 * @throws {TypeError} if `peer` is not an object with a Uint8Array `address` of `addressLength` bytes.
 * @throws {RangeError} if its port is not an integer in 1..65535 or its flags not in 0..255.
 * @internal
 */
export function assertCompactPeer(
  peer: unknown,
  addressLength: number,
  field: string,
  index?: number,
): asserts peer is CompactPeer {
  // The error for `part` of the peer (`.port`...), named `field[index]` if in a list.
  const fail = (
    Kind: TypeErrorConstructor | RangeErrorConstructor,
    part: string,
    expected: string,
    value: unknown,
  ) =>
    argumentError(
      Kind,
      `${field}${index === undefined ? '' : `[${index}]`}${part}`,
      expected,
      value,
    );
  if (typeof peer !== 'object' || peer === null) throw fail(TypeError, '', 'a peer object', peer);
  const { address, port, flags } = peer as Partial<CompactPeer>;
  if (!(address instanceof Uint8Array)) throw fail(TypeError, '.address', 'a Uint8Array', address);
  if (address.length !== addressLength) {
    throw fail(TypeError, '.address', `${addressLength} bytes`, address.length);
  }
  // Each test is true exactly for the integers in range (not for -0, fractions, NaN or others).
  if (port !== ((port as number) & 0xffff) || port === 0)
    throw fail(RangeError, '.port', '1..65535', port);
  if (flags !== undefined && flags !== (flags & 0xff))
    throw fail(RangeError, '.flags', '0..255', flags);
}

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

/**
 * @throws {TypeError} if `family` is not 4 or 6.
 * @internal
 */
export function assertFamily(family: unknown): AddressFamily {
  if (family !== 4 && family !== 6) throw argumentError(TypeError, 'family', '4 or 6', family);
  return family;
}

/**
 * Reads `how`, the second argument of `disconnected`: true when the departure qualifies for BEP
 * 11's relaxation.
 * @throws {TypeError} if `how` is neither undefined nor an object whose `qualifies` is undefined
 *   or a boolean.
 * @internal
 */
export function assertDeparture(how: unknown): boolean {
  if (how === undefined) return false;
  if (typeof how !== 'object' || how === null)
    throw argumentError(TypeError, 'how', 'an object', how);
  const { qualifies } = how as { qualifies?: unknown };
  if (qualifies !== undefined && typeof qualifies !== 'boolean') {
    throw argumentError(TypeError, 'how.qualifies', 'a boolean', qualifies);
  }
  return qualifies === true;
}
