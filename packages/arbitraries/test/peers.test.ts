import { describe, expect, test } from '@jest/globals';
import {
  arbitraryIpv4Peer,
  arbitraryIpv6Peer,
  arbitraryPexFlags,
  arbitraryPort,
} from '@pex/arbitraries';
import { decodeCompactPeers, encodeCompactPeers } from '@pex/core';
import fc from 'fast-check';

describe('peer arbitraries', () => {
  test.each([
    ['IPv4', arbitraryIpv4Peer, 4, 4],
    ['IPv6', arbitraryIpv6Peer, 6, 16],
  ] as const)(
    '%s peers are what the encoder accepts and survive a round trip',
    (_name, make, family, length) => {
      fc.assert(
        fc.property(make(), (peer) => {
          expect(peer.address).toBeInstanceOf(Uint8Array);
          expect(peer.address.length).toBe(length);
          expect(peer.port).toBeGreaterThanOrEqual(1);
          expect(peer.port).toBeLessThanOrEqual(65535);
          expect(Number.isInteger(peer.flags)).toBe(true);
          const [decoded] = decodeCompactPeers(encodeCompactPeers([peer], family), family);
          expect(Array.from(decoded?.address ?? [])).toEqual(Array.from(peer.address));
          expect(decoded?.port).toBe(peer.port);
        }),
      );
    },
  );

  test('withFlags: false gives peers without flags', () => {
    fc.assert(
      fc.property(
        arbitraryIpv4Peer({ withFlags: false }),
        arbitraryIpv6Peer({ withFlags: false }),
        (a, b) => {
          expect('flags' in a).toBe(false);
          expect('flags' in b).toBe(false);
        },
      ),
    );
  });

  test('flags are bytes and reach the reserved bits too', () => {
    const seen = new Set<number>();
    fc.assert(
      fc.property(arbitraryPexFlags(), (flags) => {
        expect(Number.isInteger(flags) && flags >= 0 && flags <= 255).toBe(true);
        seen.add(flags);
      }),
      { numRuns: 2000 },
    );
    expect([...seen].some((flags) => flags > 0x1f)).toBe(true);
    expect([...seen].some((flags) => flags <= 0x1f)).toBe(true);
  });

  test('ports are in 1..65535', () => {
    fc.assert(
      fc.property(arbitraryPort(), (port) => port >= 1 && port <= 65535 && Number.isInteger(port)),
    );
  });
});
