import { describe, expect, test } from '@jest/globals';
import { formatPeerAddress, peerKey } from '@pex/core';
import { peerKeyAddress, peerKeyFamily, peerKeyPort } from '@pex/core/internal';
import fc from 'fast-check';

const address4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
const address6 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const port = fc.integer({ min: 0, max: 65535 });

describe('peerKey', () => {
  test('IPv4 keys are numbers and give back address and port', () => {
    fc.assert(
      fc.property(address4, port, (address, p) => {
        const key = peerKey(address, p);
        expect(typeof key).toBe('number');
        expect(peerKeyFamily(key)).toBe(4);
        expect(peerKeyPort(key)).toBe(p);
        expect(Array.from(peerKeyAddress(key))).toEqual(Array.from(address));
      }),
    );
  });

  test('IPv6 keys are strings and give back address and port', () => {
    fc.assert(
      fc.property(address6, port, (address, p) => {
        const key = peerKey(address, p);
        expect(typeof key).toBe('string');
        expect(peerKeyFamily(key)).toBe(6);
        expect(peerKeyPort(key)).toBe(p);
        expect(Array.from(peerKeyAddress(key))).toEqual(Array.from(address));
      }),
    );
  });

  test('keys are equal exactly when address and port are', () => {
    fc.assert(
      fc.property(
        fc.oneof(address4, address6),
        fc.oneof(address4, address6),
        port,
        port,
        (a, b, p, q) => {
          const same = a.length === b.length && a.every((x, i) => x === b[i]) && p === q;
          return (peerKey(a, p) === peerKey(b, q)) === same;
        },
      ),
    );
  });
});

describe('formatPeerAddress', () => {
  test.each([
    [[192, 0, 2, 1], 6881, '192.0.2.1:6881'],
    [[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 80, '[2001:db8::1]:80'],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 1, '[::]:1'],
    [[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], 2, '[2001:db8:0:1::1]:2'],
    [[0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], 3, '[2001:0:0:1::1]:3'],
  ])('%p:%p is %p', (address, p, text) => {
    expect(formatPeerAddress(Uint8Array.from(address), p)).toBe(text);
  });
});
