import { describe, expect, test } from '@jest/globals';
import { type CompactPeer, decodePexMessage, encodePexMessage, type PexMessage } from '@pex/core';
import { hex } from '@pex/test-support';
import bencode from 'bencode';
import { GOLDEN_MESSAGES } from './fixtures/golden-messages.js';
import { plainMessage } from './support/bytes.js';

const v4 = (
  a: number,
  b: number,
  c: number,
  d: number,
  port: number,
  flags?: number,
): CompactPeer =>
  flags === undefined
    ? { address: new Uint8Array([a, b, c, d]), port }
    : { address: new Uint8Array([a, b, c, d]), port, flags };
const v6 = (last: number, port: number): CompactPeer => {
  const address = new Uint8Array(16);
  address[0] = 0x20;
  address[1] = 0x01;
  address[15] = last;
  return { address, port };
};
const message = (parts: Partial<PexMessage>): PexMessage => ({
  added: [],
  added6: [],
  dropped: [],
  dropped6: [],
  ...parts,
});

describe('decodePexMessage on golden payloads', () => {
  test.each(GOLDEN_MESSAGES.map((g) => [g.name, g] as const))('%s', (_name, golden) => {
    expect(plainMessage(decodePexMessage(golden.bytes))).toEqual(golden.decoded);
  });

  test.each(GOLDEN_MESSAGES.filter((g) => g.canonical).map((g) => [g.name, g] as const))(
    'encodePexMessage writes exactly: %s',
    (_name, golden) => {
      const toPeers = (list: { address: number[]; port: number; flags?: number }[]) =>
        list.map((p) => ({ ...p, address: Uint8Array.from(p.address) }));
      const encoded = encodePexMessage({
        added: toPeers(golden.decoded.added),
        added6: toPeers(golden.decoded.added6),
        dropped: toPeers(golden.decoded.dropped),
        dropped6: toPeers(golden.decoded.dropped6),
      });
      expect(hex(encoded)).toBe(hex(golden.bytes));
    },
  );

  test('every golden payload is also valid bencode for the bencode package', () => {
    for (const golden of GOLDEN_MESSAGES) {
      expect(() => bencode.decode(golden.bytes)).not.toThrow();
    }
  });
});

describe('decodePexMessage leniency', () => {
  test('keys out of order are accepted', () => {
    const bytes = new TextEncoder().encode('d7:dropped0:5:added6:\x01\x02\x03\x04\x00\x50e');
    const decoded = decodePexMessage(bytes);
    expect(decoded.added.map((p) => p.port)).toEqual([80]);
  });

  test('added.f longer than added: extra bytes ignored', () => {
    const bytes = Uint8Array.from([
      ...new TextEncoder().encode('d5:added6:'),
      9,
      9,
      9,
      9,
      0,
      1,
      ...new TextEncoder().encode('7:added.f3:'),
      0x10,
      0x02,
      0x04,
      0x65,
    ]);
    const decoded = decodePexMessage(bytes);
    expect(decoded.added.map((p) => p.flags)).toEqual([0x10]);
  });

  test('unknown keys of every bencode type are skipped', () => {
    const bytes = new TextEncoder().encode(
      'd1:ai-12e1:bli1e2:xyd1:kleee1:c0:5:added0:1:zd1:ad1:bleeee',
    );
    expect(plainMessage(decodePexMessage(bytes))).toEqual({
      added: [],
      added6: [],
      dropped: [],
      dropped6: [],
    });
  });

  test('decoded peers own their bytes: reusing the receive buffer does not change them', () => {
    const bytes = encodePexMessage(
      message({ added: [v4(1, 2, 3, 4, 80, 1)], dropped6: [v6(9, 9)] }),
    );
    const decoded = decodePexMessage(bytes);
    bytes.fill(0);
    expect(Array.from(decoded.added[0]?.address ?? [])).toEqual([1, 2, 3, 4]);
    expect(decoded.dropped6[0]?.address[15]).toBe(9);
  });

  test('duplicate peers in one list are passed through for the inbound view to judge', () => {
    const bytes = new TextEncoder().encode(
      'd7:dropped12:\x01\x02\x03\x04\x00\x50\x01\x02\x03\x04\x00\x50e',
    );
    expect(decodePexMessage(bytes).dropped).toHaveLength(2);
  });

  test('a non-Uint8Array argument is a caller mistake (TypeError)', () => {
    expect(() => decodePexMessage('de' as unknown as Uint8Array)).toThrow(TypeError);
  });

  test.each([
    [{ maxDepth: 0 }],
    [{ maxPeersPerList: Number.NaN }],
    [{ maxMessageBytes: -5 }],
    [{ maxMessageBytes: '100' as unknown as number }],
  ])('limits %o are a RangeError naming the limit', (limits) => {
    const name = Object.keys(limits)[0] as string;
    expect(() => decodePexMessage(new Uint8Array([0x64, 0x65]), limits)).toThrow(
      new RegExp(`"${name}" expected a number of at least 1`),
    );
  });

  test('Infinity lifts a limit', () => {
    const deep = Uint8Array.from(`d1:x${'l'.repeat(40)}${'e'.repeat(40)}e`, (c) => c.charCodeAt(0));
    expect(() => decodePexMessage(deep)).toThrow(expect.objectContaining({ reason: 'too-deep' }));
    expect(decodePexMessage(deep, { maxDepth: Number.POSITIVE_INFINITY }).added).toEqual([]);
  });

  test('invalid limits are a RangeError', () => {
    expect(() => decodePexMessage(new Uint8Array([0x64, 0x65]), { maxDepth: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('encodePexMessage', () => {
  test('writes added.f with one byte per peer, 0 where flags are missing', () => {
    const bytes = encodePexMessage(
      message({ added: [v4(1, 1, 1, 1, 1, 0x12), v4(2, 2, 2, 2, 2)] }),
    );
    const dict = bencode.decode(bytes) as Record<string, Uint8Array>;
    expect(Array.from(dict['added.f'] ?? [])).toEqual([0x12, 0]);
  });

  test('omits empty lists and flags of empty lists', () => {
    const bytes = encodePexMessage(message({ dropped6: [v6(1, 6881)] }));
    expect(Object.keys(bencode.decode(bytes) as object)).toEqual(['dropped6']);
  });

  test('accepts missing lists as empty (JavaScript callers)', () => {
    const bytes = encodePexMessage({ dropped: [v4(1, 2, 3, 4, 5)] } as unknown as PexMessage);
    expect(decodePexMessage(bytes).dropped).toHaveLength(1);
  });

  const refusals: [string, unknown, ErrorConstructor, RegExp][] = [
    ['empty message', message({}), RangeError, /"message" expected at least one peer/],
    ['not an object', null, TypeError, /"message" expected/],
    ['list not an array', { added: 'x' }, TypeError, /"added" expected an array/],
    [
      'peer not an object',
      message({ added: [42 as unknown as CompactPeer] }),
      TypeError,
      /"added\[0\]" expected a peer object, got 42/,
    ],
    [
      'address not bytes',
      message({ added: [{ address: [1, 2, 3, 4] as unknown as Uint8Array, port: 1 }] }),
      TypeError,
      /"added\[0\].address" expected a Uint8Array/,
    ],
    [
      'IPv6 address in added',
      message({ added: [v6(1, 80)] }),
      TypeError,
      /"added\[0\].address" expected 4 bytes, got 16/,
    ],
    [
      'IPv4 address in dropped6',
      message({ dropped6: [v4(1, 2, 3, 4, 80)] }),
      TypeError,
      /"dropped6\[0\].address" expected 16 bytes, got 4/,
    ],
    [
      'port 0',
      message({ added: [v4(1, 2, 3, 4, 0)] }),
      RangeError,
      /"added\[0\].port" expected 1..65535, got 0/,
    ],
    [
      'port 65536',
      message({ dropped: [v4(1, 2, 3, 4, 65536)] }),
      RangeError,
      /"dropped\[0\].port" expected 1..65535, got 65536/,
    ],
    [
      'fractional port',
      message({ added6: [{ ...v6(1, 1), port: 1.5 }] }),
      RangeError,
      /"added6\[0\].port" expected 1..65535, got 1.5/,
    ],
    [
      'flags 256',
      message({ added: [v4(1, 2, 3, 4, 80, 256)] }),
      RangeError,
      /"added\[0\].flags" expected 0..255, got 256/,
    ],
    [
      'negative flags',
      message({ added: [v4(1, 2, 3, 4, 80, -1)] }),
      RangeError,
      /"added\[0\].flags" expected 0..255, got -1/,
    ],
    [
      'same peer twice in added',
      message({ added: [v4(1, 2, 3, 4, 80), v4(5, 5, 5, 5, 1), v4(1, 2, 3, 4, 80, 2)] }),
      RangeError,
      /"added\[2\]" expected a peer not listed before, got "1.2.3.4:80"/,
    ],
    [
      'same peer twice in dropped6',
      message({ dropped6: [v6(7, 80), v6(7, 80)] }),
      RangeError,
      /"dropped6\[1\]" expected a peer not listed before/,
    ],
    [
      'same peer added and dropped',
      message({ added: [v4(9, 9, 9, 9, 9)], dropped: [v4(9, 9, 9, 9, 9)] }),
      RangeError,
      /"dropped\[0\]" expected a peer not listed before, got "9.9.9.9:9"/,
    ],
    [
      'same IPv6 peer added and dropped',
      message({ added6: [v6(3, 3)], dropped6: [v6(3, 3)] }),
      RangeError,
      /"dropped6\[0\]" expected a peer not listed before, got "\[2001:/,
    ],
  ];
  test.each(refusals)('refuses %s', (_name, input, type, pattern) => {
    let thrown: unknown;
    try {
      encodePexMessage(input as PexMessage);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(type);
    expect((thrown as Error).message).toMatch(pattern);
  });

  test('the same address on two ports is two peers', () => {
    const bytes = encodePexMessage(message({ added: [v4(1, 2, 3, 4, 80), v4(1, 2, 3, 4, 81)] }));
    expect(decodePexMessage(bytes).added.map((p) => p.port)).toEqual([80, 81]);
  });
});
