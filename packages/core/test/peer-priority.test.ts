import { describe, expect, test } from '@jest/globals';
import { peerPriority } from '@pex/core';
import fc from 'fast-check';
import { computeCrc32c } from '../src/peer-priority.js';

const ipv4 = (text: string) => Uint8Array.from(text.split('.').map(Number));
const hex = (text: string) =>
  Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
const endpoint = (address: Uint8Array, port = 6881) => ({ address, port });

const arbitraryAddress = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }),
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
);
const arbitraryEndpoint = fc.record({
  address: arbitraryAddress,
  port: fc.integer({ min: 1, max: 65535 }),
});

describe('CRC-32C (Castagnoli)', () => {
  test.each([
    ['', 0x00000000],
    // The check value of CRC-32C (RFC 3720, appendix B.4: "123456789").
    ['313233343536373839', 0xe3069283],
    // BEP 40's examples, given as the bytes hashed.
    ['624C14007BD50000', 0xec2d7224],
    ['7BD5200A7BD520EA', 0x99568189],
  ])('crc32c(%s) = %d', (bytes, expected) => {
    expect(computeCrc32c(hex(bytes))).toBe(expected);
  });

  test('32 zero bytes and 32 0xff bytes (RFC 3720, appendix B.4)', () => {
    expect(computeCrc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(computeCrc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });
});

describe('peerPriority (BEP 40)', () => {
  test('BEP 40 example: 123.213.32.10 and 98.76.54.32 (mask FF.FF.55.55)', () => {
    const priority = peerPriority(endpoint(ipv4('123.213.32.10')), endpoint(ipv4('98.76.54.32')));
    expect(priority).toBe(0xec2d7224);
  });

  test('BEP 40 example: 123.213.32.10 and 123.213.32.234 (same /24: whole addresses)', () => {
    const priority = peerPriority(
      endpoint(ipv4('123.213.32.10')),
      endpoint(ipv4('123.213.32.234')),
    );
    expect(priority).toBe(0x99568189);
  });

  test('same /16: mask FF.FF.FF.55', () => {
    // 10.1.2.3 & FF.FF.FF.55 = 0A010201; 10.1.200.7 & FF.FF.FF.55 = 0A01C805.
    expect(peerPriority(endpoint(ipv4('10.1.2.3')), endpoint(ipv4('10.1.200.7')))).toBe(
      computeCrc32c(hex('0A0102010A01C805')),
    );
  });

  test('same IP: the ports, 16-bit big-endian, the smaller first', () => {
    const address = ipv4('230.12.123.3');
    expect(peerPriority(endpoint(address, 0x4d2), endpoint(address, 0x12c))).toBe(
      computeCrc32c(hex('012C04D2')),
    );
  });

  test('IPv6: FFFF:FFFF:FFFF:5555:..., one more whole byte per shared byte from the /48 on', () => {
    const a = hex('20010db8000100000000000000000001');
    const b = hex('20010db8000200000000000000000002');
    // Different /48: 6 whole bytes, then & 0x55 (0x01 & 0x55 = 0x01, 0x02 & 0x55 = 0x00).
    expect(peerPriority(endpoint(a), endpoint(b))).toBe(
      computeCrc32c(hex('20010db8000100000000000000000001' + '20010db8000200000000000000000000')),
    );
    // Same /48 (7 bytes whole): 2001:db8:1:ab00:: and 2001:db8:1:cd00::.
    const c = hex('20010db80001ab000000000000000000');
    const d = hex('20010db80001cd000000000000000000');
    expect(peerPriority(endpoint(c), endpoint(d))).toBe(
      computeCrc32c(hex('20010db80001ab000000000000000000' + '20010db80001cd000000000000000000')),
    );
    // Same /56: 8 bytes whole; 0xff & 0x55 = 0x55 after them.
    const e = hex('20010db80001ab10ff00000000000000');
    const f = hex('20010db80001ab20ff00000000000000');
    expect(peerPriority(endpoint(e), endpoint(f))).toBe(
      computeCrc32c(hex('20010db80001ab10550000000000000020010db80001ab205500000000000000')),
    );
  });

  test('IPv4 against IPv6: the IPv4 address in its mapped form; a mapped address is IPv4', () => {
    const mapped = hex('00000000000000000000ffff7bd5200a');
    expect(peerPriority(endpoint(mapped), endpoint(ipv4('98.76.54.32')))).toBe(0xec2d7224);
    const v6 = hex('20010db8000100000000000000000001');
    expect(peerPriority(endpoint(ipv4('123.213.32.10')), endpoint(v6))).toBe(
      peerPriority(endpoint(mapped), endpoint(v6)),
    );
  });

  test('symmetric, and an unsigned 32-bit number', () => {
    fc.assert(
      fc.property(arbitraryEndpoint, arbitraryEndpoint, (a, b) => {
        const priority = peerPriority(a, b);
        expect(priority).toBe(peerPriority(b, a));
        expect(Number.isInteger(priority) && priority >= 0 && priority <= 0xffffffff).toBe(true);
      }),
    );
  });

  test('depends only on the masked addresses (ports too, for one IP)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.integer({ min: 1, max: 65535 }),
        (a, b, portA, portB) => {
          fc.pre(a[0] !== b[0] || a[1] !== b[1]);
          // Different /16: bits outside the mask FF.FF.55.55 change nothing.
          const flip = Uint8Array.from(a, (byte, i) => (i < 2 ? byte : byte ^ 0xaa));
          expect(peerPriority({ address: flip, port: portA }, { address: b, port: portB })).toBe(
            peerPriority({ address: a, port: 1 }, { address: b, port: 2 }),
          );
        },
      ),
    );
  });

  test.each([
    [{ address: [1, 2, 3, 4], port: 1 }, TypeError],
    [{ address: new Uint8Array(5), port: 1 }, TypeError],
    [{ address: new Uint8Array(4), port: 0 }, RangeError],
    [{ address: new Uint8Array(4), port: 65536 }, RangeError],
    [null, TypeError],
  ])('refuses %p', (bad, Kind) => {
    expect(() => peerPriority(bad as never, endpoint(ipv4('1.2.3.4')))).toThrow(Kind);
    expect(() => peerPriority(endpoint(ipv4('1.2.3.4')), bad as never)).toThrow(Kind);
  });
});
