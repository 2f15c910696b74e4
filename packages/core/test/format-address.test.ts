import { describe, expect, test } from '@jest/globals';
import { formatIpv4, formatIpv6 } from '@pex/core/internal';
import fc from 'fast-check';

// Address text as peers are written in events and logs. The WHATWG URL parser of Node writes
// IPv6 hosts in the RFC 5952 form too (the first longest run of two or more zero groups as
// `::`, lower-case hex without leading zeros): it is the reference here.

/** Node's text for the eight groups (hex, no compression on input). */
function reference(words: readonly number[]): string {
  const host = new URL(`http://[${words.map((w) => w.toString(16)).join(':')}]/`).hostname;
  return host.slice(1, -1);
}

describe('formatIpv6', () => {
  test.each([
    [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
    [[0x2001, 0xdb8, 0, 1, 0, 0, 0, 1], '2001:db8:0:1::1'],
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
    [[0x2001, 0, 1, 0, 1, 0, 1, 0], '2001:0:1:0:1:0:1:0'],
    [[1, 2, 3, 4, 5, 6, 7, 8], '1:2:3:4:5:6:7:8'],
    [
      [0xffff, 0xabcd, 0x0a0b, 0x00f0, 0x0f00, 0x1000, 0x100, 0x10],
      'ffff:abcd:a0b:f0:f00:1000:100:10',
    ],
    [[0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304], '::ffff:102:304'],
    [[1, 0, 0, 2, 0, 0, 0, 3], '1:0:0:2::3'],
    [[0, 0, 1, 0, 0, 0, 0, 0], '0:0:1::'],
  ] as const)('%j is %s', (words, text) => {
    expect(formatIpv6(words)).toBe(text);
    expect(reference(words)).toBe(text);
  });

  test('property: the same text as the WHATWG URL parser, zeros frequent', () => {
    const word = fc.oneof(
      { weight: 3, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 0xff }) },
      { weight: 1, arbitrary: fc.integer({ min: 0x100, max: 0xffff }) },
    );
    fc.assert(
      fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), (words) => {
        expect(formatIpv6(words)).toBe(reference(words));
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('formatIpv4', () => {
  test('dotted quad of a uint32', () => {
    expect(formatIpv4(0)).toBe('0.0.0.0');
    expect(formatIpv4(0xffffffff)).toBe('255.255.255.255');
    expect(formatIpv4(0x01020304)).toBe('1.2.3.4');
    expect(formatIpv4(0xc0a80a01)).toBe('192.168.10.1');
  });
});
