import { describe, expect, test } from '@jest/globals';
import { formatPeerAddress } from '@pex/core';
import { type PeerAddressInput, parsePeerAddress } from '@pex/events';
import { parseIpAddress, readPeerAddress, stringifyPeerAddress } from '@pex/events/internal';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';

interface ValidCase {
  readonly input: PeerAddressInput;
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly bytes: number[];
}

const V6_DB8_1 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

const VALID: readonly (readonly [string, ValidCase])[] = [
  [
    'IPv4 string',
    { input: '1.2.3.4:6881', address: '1.2.3.4', port: 6881, family: 4, bytes: [1, 2, 3, 4] },
  ],
  [
    'IPv4 edges',
    {
      input: '255.255.255.255:65535',
      address: '255.255.255.255',
      port: 65535,
      family: 4,
      bytes: [255, 255, 255, 255],
    },
  ],
  [
    'IPv4 port 1',
    { input: '0.0.0.0:1', address: '0.0.0.0', port: 1, family: 4, bytes: [0, 0, 0, 0] },
  ],
  [
    'IPv6 string',
    { input: '[2001:db8::1]:6881', address: '2001:db8::1', port: 6881, family: 6, bytes: V6_DB8_1 },
  ],
  [
    'IPv6 written in full, upper case',
    {
      input: '[2001:DB8:0:0:0:0:0:1]:6881',
      address: '2001:db8::1',
      port: 6881,
      family: 6,
      bytes: V6_DB8_1,
    },
  ],
  [
    'IPv6 loopback',
    {
      input: '[::1]:80',
      address: '::1',
      port: 80,
      family: 6,
      bytes: [...new Array(15).fill(0), 1],
    },
  ],
  [
    'IPv4-mapped IPv6 becomes IPv4',
    {
      input: '[::ffff:1.2.3.4]:6881',
      address: '1.2.3.4',
      port: 6881,
      family: 4,
      bytes: [1, 2, 3, 4],
    },
  ],
  [
    'IPv4-mapped IPv6 in hex becomes IPv4',
    {
      input: '[::ffff:102:304]:6881',
      address: '1.2.3.4',
      port: 6881,
      family: 4,
      bytes: [1, 2, 3, 4],
    },
  ],
  [
    'object IPv4',
    {
      input: { address: '10.0.0.1', port: 51413 },
      address: '10.0.0.1',
      port: 51413,
      family: 4,
      bytes: [10, 0, 0, 1],
    },
  ],
  [
    'object IPv6',
    {
      input: { address: '2001:db8::1', port: 1 },
      address: '2001:db8::1',
      port: 1,
      family: 6,
      bytes: V6_DB8_1,
    },
  ],
  [
    'object IPv4-mapped',
    {
      input: { address: '::ffff:10.0.0.1', port: 2 },
      address: '10.0.0.1',
      port: 2,
      family: 4,
      bytes: [10, 0, 0, 1],
    },
  ],
];

const REFUSED: readonly (readonly [string, unknown])[] = [
  ['hostname', 'example.com:6881'],
  ['localhost', 'localhost:6881'],
  ['hostname object', { address: 'example.com', port: 6881 }],
  ['zone id', '[fe80::1%eth0]:6881'],
  ['numeric zone id', '[fe80::1%1]:6881'],
  ['zone id object', { address: 'fe80::1%eth0', port: 6881 }],
  ['negative port', '1.2.3.4:-1'],
  ['port with leading zero', '1.2.3.4:06881'],
  ['port with sign', '1.2.3.4:+6881'],
  ['port with space', '1.2.3.4: 6881'],
  ['missing port', '1.2.3.4'],
  ['empty port', '1.2.3.4:'],
  ['bracketed IPv4', '[1.2.3.4]:6881'],
  ['IPv6 without brackets', '2001:db8::1:6881'],
  ['IPv6 missing closing bracket', '[2001:db8::1:6881'],
  ['short IPv4', '127.1:6881'],
  ['hex IPv4', '0x7f.0.0.1:6881'],
  ['octal-looking IPv4', '010.0.0.1:6881'],
  ['IPv4 octet > 255', '1.2.3.256:6881'],
  ['five-part IPv4', '1.2.3.4.5:6881'],
  ['empty string', ''],
  ['whitespace', ' 1.2.3.4:6881'],
  ['trailing garbage', '1.2.3.4:6881x'],
  ['bad IPv6', '[2001:db8:::1]:6881'],
  ['object port as string', { address: '1.2.3.4', port: '6881' }],
  ['object bracketed IPv6', { address: '[2001:db8::1]', port: 1 }],
  ['object address with port', { address: '1.2.3.4:80', port: 1 }],
  ['object without address', { port: 1 }],
  ['null', null],
  ['number', 16909060],
];

/** Ports that are numbers, but outside 1..65535: a RangeError, as everywhere in this project. */
const OUT_OF_RANGE: readonly (readonly [string, unknown])[] = [
  ['port 0', '1.2.3.4:0'],
  ['port 65536', '1.2.3.4:65536'],
  ['port 99999', '[2001:db8::1]:99999'],
  ['port 999999', '1.2.3.4:999999'],
  ['object port 0', { address: '1.2.3.4', port: 0 }],
  ['object port 65536', { address: '1.2.3.4', port: 65536 }],
  ['object port fractional', { address: '1.2.3.4', port: 1.5 }],
  ['object port NaN', { address: '1.2.3.4', port: Number.NaN }],
];

describe('parsePeerAddress', () => {
  test.each(OUT_OF_RANGE)('refuses %s with a RangeError naming the port', (_name, input) => {
    let error: unknown;
    try {
      parsePeerAddress(input as PeerAddressInput);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect((error as RangeError).message).toMatch(
      /^"(peer\.)?port" expected (an integer )?1\.\.65535/,
    );
  });

  test.each(VALID)('accepts %s', (_name, c) => {
    const parsed = parsePeerAddress(c.input);
    expect(parsed.address).toBe(c.address);
    expect(parsed.port).toBe(c.port);
    expect(parsed.family).toBe(c.family);
    expect(Array.from(parsed.bytes)).toEqual(c.bytes);
  });

  test.each(REFUSED)('refuses %s with a TypeError naming the input', (_name, input) => {
    let error: unknown;
    try {
      parsePeerAddress(input as PeerAddressInput);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TypeError);
    const text = (error as TypeError).message;
    if (typeof input === 'string' && input !== '') expect(text).toContain(JSON.stringify(input));
    if (typeof input === 'object' && input !== null) {
      const { address } = input as { address?: unknown };
      // Names the bad address, or says which field is missing or wrong.
      if (typeof address === 'string') expect(text).toContain(JSON.stringify(address));
      else expect(text).toContain('"peer.address"');
    }
  });

  test('accepts exactly the IPv4 texts ipaddr.js reads as four decimal parts, with its bytes', () => {
    // Texts near the edge: digits, dots and a few other characters, parts around 255.
    const part = fc.oneof(
      fc.nat(300).map(String),
      fc.constantFrom('0', '00', '01', '007', '255', '256', '', '-1', '+1', ' 1', '0x1f', '1e2'),
    );
    const text = fc.oneof(
      fc.array(part, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
      fc.stringMatching(/^[0-9.]{0,18}$/),
    );
    fc.assert(
      fc.property(text, (host) => {
        const valid = ipaddr.IPv4.isValidFourPartDecimal(host);
        let parsed: ReturnType<typeof parsePeerAddress> | undefined;
        try {
          parsed = parsePeerAddress(`${host}:80`);
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
        }
        expect(parsed !== undefined).toBe(valid);
        if (parsed !== undefined) {
          const theirs = ipaddr.IPv4.parse(host);
          expect(parsed.address).toBe(theirs.toString());
          expect([...parsed.bytes]).toEqual(theirs.toByteArray());
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('string and object forms agree, and stringify round-trips', () => {
    const ipv4 = fc
      .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
      .map((o) => o.join('.'));
    const ipv6 = fc.ipV6();
    fc.assert(
      fc.property(fc.oneof(ipv4, ipv6), fc.integer({ min: 1, max: 65535 }), (ip, port) => {
        const text = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
        const fromString = parsePeerAddress(text);
        const fromObject = parsePeerAddress({ address: ip, port });
        expect(fromObject).toEqual(fromString);
        const again = parsePeerAddress(stringifyPeerAddress(fromString));
        expect(again).toEqual(fromString);
        expect(readPeerAddress(fromString.bytes, port)).toEqual(fromString);
      }),
    );
  });
});

describe('parseIpAddress', () => {
  test('parses bare addresses and refuses endpoints', () => {
    expect(parseIpAddress('2001:0db8::0001')).toMatchObject({ address: '2001:db8::1', family: 6 });
    expect(parseIpAddress('::ffff:127.0.0.1')).toMatchObject({ address: '127.0.0.1', family: 4 });
    expect(() => parseIpAddress('1.2.3.4:80')).toThrow(TypeError);
    expect(() => parseIpAddress('example.com')).toThrow(TypeError);
  });
});

describe('readPeerAddress', () => {
  test('formats IPv6 canonically (RFC 5952) and maps IPv4-mapped to IPv4', () => {
    expect(readPeerAddress(Uint8Array.from(V6_DB8_1), 6881)).toEqual({
      address: '2001:db8::1',
      port: 6881,
      family: 6,
      bytes: Uint8Array.from(V6_DB8_1),
    });
    const mapped = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 9, 8, 7, 6]);
    expect(readPeerAddress(mapped, 0)).toMatchObject({ address: '9.8.7.6', family: 4, port: 0 });
  });

  test('refuses lengths other than 4 and 16', () => {
    expect(() => readPeerAddress(new Uint8Array(5), 1)).toThrow(TypeError);
  });

  test('reads every address as ipaddr.js does (text, family, bytes)', () => {
    // Zero-heavy groups exercise the `::` rule (longest run, first of equal runs, never one
    // group); the fixed prefixes give IPv4-mapped addresses and their neighbours.
    const group = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.nat(0xffff));
    const prefix = fc.constantFrom(
      [] as number[],
      [0, 0, 0, 0, 0, 0xffff],
      [0, 0, 0, 0, 0xffff, 0],
      [0, 0, 0, 0, 0, 0xfffe],
      [0, 0, 0, 0, 0, 0],
    );
    const ipv6 = fc
      .tuple(prefix, fc.array(group, { minLength: 8, maxLength: 8 }))
      .map(([head, tail]) => groupsToBytes([...head, ...tail.slice(head.length)]));
    const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(fc.oneof(ipv4, ipv6), fc.nat(65535), (bytes, port) => {
        expect(readPeerAddress(bytes, port)).toEqual({ ...readWithIpaddr(bytes), port });
      }),
      { numRuns: 2000 },
    );
  });

  test('returns a new plain Uint8Array, also for a Buffer or a view', () => {
    const backing = Uint8Array.from([9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4, 9]);
    const view = backing.subarray(1, 17);
    for (const bytes of [view, Buffer.from(view), Buffer.from([1, 2, 3, 4])]) {
      const read = readPeerAddress(bytes, 1);
      expect(read.bytes.constructor).toBe(Uint8Array);
      expect(Array.from(read.bytes)).toEqual([1, 2, 3, 4]);
      read.bytes[0] = 7;
      expect(bytes[bytes.length - 4]).toBe(1);
    }
  });
});

function groupsToBytes(groups: readonly number[]): Uint8Array {
  return Uint8Array.from(groups.flatMap((g) => [g >>> 8, g & 0xff]));
}

/** What `readPeerAddress` gave when it went through ipaddr.js for every address. */
function readWithIpaddr(bytes: Uint8Array): { address: string; family: 4 | 6; bytes: Uint8Array } {
  const ip = ipaddr.fromByteArray(Array.from(bytes));
  const v4 = ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress() ? ip.toIPv4Address() : ip;
  return {
    address: v4.toString(),
    family: v4.kind() === 'ipv4' ? 4 : 6,
    bytes: Uint8Array.from(v4.toByteArray()),
  };
}

describe('stringifyPeerAddress', () => {
  test('brackets IPv6 only', () => {
    expect(stringifyPeerAddress({ address: '1.2.3.4', port: 1 })).toBe('1.2.3.4:1');
    expect(stringifyPeerAddress({ address: '::1', port: 2 })).toBe('[::1]:2');
  });
});

describe('formatPeerAddress of @pex/core', () => {
  test('IPv6 text is the RFC 5952 form ipaddr.js writes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 1, max: 65535 }),
        (address, port) => {
          const ip = ipaddr.fromByteArray([...address]) as ipaddr.IPv6;
          // ipaddr.js writes an IPv4-mapped address in dotted form; ours stays hex.
          fc.pre(!ip.toString().includes('.'));
          expect(formatPeerAddress(address, port)).toBe(`[${ip.toString()}]:${port}`);
        },
      ),
    );
  });
});
