import { describe, expect, test } from '@jest/globals';
import { createRelayIndex, peerPriority } from '@pex/core';
import fc from 'fast-check';

// BEP 40 priorities across address forms, and the field names of the relay index's caller
// mistakes: cases found unchecked by mutation testing.

const v4 = (bytes: readonly number[], port = 6881) => ({ address: Uint8Array.from(bytes), port });
const v6 = (bytes: readonly number[], port = 6881) => {
  const address = new Uint8Array(16);
  address.set(bytes);
  return { address, port };
};
/** `::ffff:a.b.c.d` */
const mapped = (bytes: readonly number[], port = 6881) =>
  v6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...bytes], port);

describe('peerPriority across address forms', () => {
  test('property: an IPv4-mapped address has the priority of its IPv4 address', () => {
    const ipv4 = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
    const port = fc.integer({ min: 1, max: 65535 });
    fc.assert(
      fc.property(ipv4, port, ipv4, port, (a, pa, b, pb) => {
        const expected = peerPriority(v4(a, pa), v4(b, pb));
        expect(peerPriority(mapped(a, pa), v4(b, pb))).toBe(expected);
        expect(peerPriority(v4(a, pa), mapped(b, pb))).toBe(expected);
        expect(peerPriority(mapped(a, pa), mapped(b, pb))).toBe(expected);
      }),
    );
  });

  test('an IPv6 address that only ends like a mapped one is not IPv4', () => {
    const ipv4 = v4([1, 2, 3, 4], 80);
    const sameIp = peerPriority(v4([1, 2, 3, 4], 6881), ipv4);
    // Not ::ffff:1.2.3.4: a non-zero byte before the 0xffff, or 0xff00 instead of 0xffff.
    for (const other of [
      v6([0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]),
      v6([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 1, 2, 3, 4]),
      v6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 1, 2, 3, 4]),
      v6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xff, 1, 2, 3, 4]),
    ]) {
      expect(peerPriority(other, ipv4)).not.toBe(sameIp);
    }
  });

  test('two IPv6 addresses are compared whole, not by their last four bytes', () => {
    const x = v6([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9], 1);
    const y = v6([0x30, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9], 2);
    const z = v6([0x40, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9], 2);
    expect(peerPriority(x, y)).not.toBe(peerPriority(x, z));
  });

  test('IPv6 keeps its first six bytes whole', () => {
    const x = v6([0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const y = v6([0x30, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    // Bits outside 0x55 in bytes 2..5 count for IPv6 (they would not past byte 6).
    for (const at of [2, 3, 4, 5]) {
      const changed = Uint8Array.from(x.address);
      changed[at] = (changed[at] as number) ^ 0xaa;
      expect(peerPriority({ address: changed, port: x.port }, y)).not.toBe(peerPriority(x, y));
    }
  });
});

describe('relay index caller mistakes name the field', () => {
  test('options', () => {
    expect(() => createRelayIndex({ maxIntroducersPerPeer: 0 })).toThrow(
      new RangeError('"maxIntroducersPerPeer" expected a positive integer, got 0'),
    );
    expect(() => createRelayIndex({ maxAgeMs: 1.5 })).toThrow(
      new RangeError('"maxAgeMs" expected a positive integer, got 1.5'),
    );
  });

  test('peers', () => {
    const index = createRelayIndex<string>();
    expect(() => index.reported('a', null as never, 8, 0)).toThrow(
      new TypeError('"peer" expected a peer object, got null'),
    );
    expect(() => index.dropped('a', { address: new Uint8Array(3), port: 1 })).toThrow(
      new TypeError('"peer.address" expected 4 bytes, got 3'),
    );
    expect(() => index.introducersOf(new Uint8Array(4), 0, 0)).toThrow(
      new RangeError('"peer.port" expected 1..65535, got 0'),
    );
  });
});
