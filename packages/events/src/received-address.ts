import type { AddressFamily, PeerKey } from '@pex/core';
import { formatIpv4, formatIpv6 } from '@pex/core/internal';
import { ipv4RangeOf, ipv6RangeOf } from './address-range.js';

// Addresses as they arrive from the network (peer keys and address bytes), read into what the
// session and the policy need, without parsing text.

/**
 * What the session needs of a received address: canonical text, family and range name (as
 * ipaddr.js's `range()` names it). A new object per call.
 * @internal
 */
export interface AddressFacts {
  readonly address: string;
  readonly family: AddressFamily;
  /** The special-purpose range of the address (`unicast` if none), from our own table. */
  readonly range: string;
}

/**
 * Reads the address of a peer key (`peerKey` of @pex/core: address * 65536 + port for IPv4,
 * eight 16-bit groups and the port as a 9-character string for IPv6) with the same result as
 * `readPeerAddress` on its bytes, plus its range.
 * @throws never for a key made by `peerKey`.
 * @internal
 */
export function describePeerKey(key: PeerKey, port: number): AddressFacts {
  if (typeof key === 'number') return describeIpv4((key - port) / 0x10000);
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(key.charCodeAt(i));
  return describeIpv6(groups);
}

/**
 * As `describePeerKey`, from 4 or 16 address bytes.
 * @throws never for 4 or 16 bytes.
 * @internal
 */
export function describeAddress(bytes: Uint8Array): AddressFacts {
  if (bytes.length === 4) {
    return describeIpv4(
      (bytes[0] as number) * 0x1000000 +
        (((bytes[1] as number) << 16) | ((bytes[2] as number) << 8) | (bytes[3] as number)),
    );
  }
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) {
    groups.push(((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number));
  }
  return describeIpv6(groups);
}

function describeIpv4(address: number): AddressFacts {
  return { address: formatIpv4(address), family: 4, range: ipv4RangeOf(address) };
}

/** IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes IPv4, as `parsePeerAddress` does. */
function describeIpv6(groups: readonly number[]): AddressFacts {
  const range = ipv6RangeOf(groups);
  if (range === 'ipv4Mapped') {
    return describeIpv4((groups[6] as number) * 0x10000 + (groups[7] as number));
  }
  return { address: formatIpv6(groups), family: 6, range };
}
