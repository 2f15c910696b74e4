import { describe, expect, test } from '@jest/globals';
import { encodePexMessage } from '@pex/core';
import { createPexSession, type PeerAddressInput, parsePeerAddress } from '@pex/events';
import { parseIpAddress, readPeerAddress } from '@pex/events/internal';
import { createFakeTime, thrownBy } from '@pex/test-support';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';

// Edges of address parsing found unchecked by mutation testing: the texts of the errors (what
// they say the input was), the highest port, letters in IPv4 text, addresses that only look
// IPv4-mapped, address bytes given as a plain array, and ports above 32767 on received peers.

describe('parsePeerAddress errors say what they got', () => {
  test.each([
    [null, '"peer" expected "ip:port" or { address, port }, got null'],
    [6881, '"peer" expected "ip:port" or { address, port }, got 6881'],
    [undefined, '"peer" expected "ip:port" or { address, port }, got undefined'],
    [{ address: 5, port: 1 }, '"peer.address" expected an IP address string, got 5'],
    [{ address: null, port: 1 }, '"peer.address" expected an IP address string, got null'],
    [{ address: {}, port: 1 }, '"peer.address" expected an IP address string, got object'],
    [
      { address: '1.2.3.4', port: [1] },
      '"peer.port" expected a number, got object (address "1.2.3.4")',
    ],
  ])('%j', (input, message) => {
    expect(thrownBy(() => parsePeerAddress(input as PeerAddressInput))).toEqual([
      'TypeError',
      message,
    ]);
  });

  test('long input is cut at 60 characters', () => {
    const sixty = 'h'.repeat(60);
    expect(thrownBy(() => parsePeerAddress(`${sixty}:1`))[1]).toBe(
      `"address" expected an IPv4 or IPv6 address (not a hostname), got ${JSON.stringify(`${sixty}…`)}`,
    );
    const short = `${'h'.repeat(57)}:1`;
    expect(short).toHaveLength(59);
    expect(thrownBy(() => parsePeerAddress(short))[1]).toBe(
      `"address" expected an IPv4 or IPv6 address (not a hostname), got ${JSON.stringify(short)}`,
    );
    const exactly = `${'h'.repeat(58)}:1`;
    expect(thrownBy(() => parsePeerAddress(exactly))[1]).toBe(
      `"address" expected an IPv4 or IPv6 address (not a hostname), got ${JSON.stringify(exactly)}`,
    );
  });

  test('port 65535 is the highest, in both forms', () => {
    expect(parsePeerAddress({ address: '1.2.3.4', port: 65535 }).port).toBe(65535);
    expect(parsePeerAddress('1.2.3.4:65535').port).toBe(65535);
  });

  test('letters are not digits in IPv4 text', () => {
    for (const text of ['1.2.3.a:80', '1.2.3.4a:80', 'a.2.3.4:80', '1.2.~.4:80']) {
      expect(thrownBy(() => parsePeerAddress(text))[0]).toBe('TypeError');
    }
  });
});

describe('parseIpAddress and readPeerAddress errors', () => {
  test('parseIpAddress of something that is not a string', () => {
    expect(thrownBy(() => parseIpAddress(5 as unknown as string))).toEqual([
      'TypeError',
      '"address" expected an IP address string, got 5',
    ]);
  });

  test('readPeerAddress of a length other than 4 or 16', () => {
    expect(thrownBy(() => readPeerAddress(new Uint8Array(5), 1))).toEqual([
      'TypeError',
      '"bytes" expected 4 or 16 bytes, got 5',
    ]);
  });

  test('readPeerAddress of a plain array checks each byte', () => {
    const ipv4 = readPeerAddress([1, 2, 3, 4] as unknown as Uint8Array, 80);
    expect({ ...ipv4, bytes: Array.from(ipv4.bytes) }).toEqual({
      address: '1.2.3.4',
      family: 4,
      port: 80,
      bytes: [1, 2, 3, 4],
    });
    expect(ipv4.bytes).toBeInstanceOf(Uint8Array);
    const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 5, 6, 7, 8];
    expect(readPeerAddress(mapped as unknown as Uint8Array, 1).address).toBe('5.6.7.8');
    expect(() => readPeerAddress([256, 0, 0, 0] as unknown as Uint8Array, 1)).toThrow();
  });
});

describe('IPv4-mapped or not', () => {
  test('property: only ::ffff:a.b.c.d is read as IPv4, as ipaddr.js reads the bytes', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(
        fc.array(group, { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffff }),
        (head, high, low) => {
          const groups = [...head, 0xffff, high, low];
          const text = groups.map((g) => g.toString(16)).join(':');
          const parsed = parsePeerAddress(`[${text}]:1`);
          const mapped = head.every((g) => g === 0);
          expect(parsed.family).toBe(mapped ? 4 : 6);
          const expected = mapped
            ? `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`
            : ipaddr.IPv6.parse(text).toString();
          expect(parsed.address).toBe(expected);
        },
      ),
    );
  });

  test.each([0, 1, 2, 3, 4])('one non-zero group at %d keeps it IPv6', (at) => {
    const groups = [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304];
    groups[at] = 1;
    const parsed = parsePeerAddress(`[${groups.map((g) => g.toString(16)).join(':')}]:1`);
    expect(parsed.family).toBe(6);
  });
});

describe('received peers with high ports', () => {
  test('the address of a peer on port 32768 or above is read right', () => {
    const time = createFakeTime(1_000);
    const session = createPexSession({ send: () => {}, clock: time.clock, timers: time.timers });
    const heard: string[] = [];
    session.on('peer', (peer) => heard.push(`${peer.address}:${peer.port}`));
    session.on('dropped', (peer) => heard.push(`-${peer.address}:${peer.port}`));
    const peers = [40_000, 65_535, 32_768].map((port) => ({
      address: Uint8Array.of(8, 8, 8, 8),
      port,
    }));
    session.receive(encodePexMessage({ added: peers, added6: [], dropped: [], dropped6: [] }));
    time.advance(120_000);
    session.receive(
      encodePexMessage({ added: [], added6: [], dropped: peers.slice(0, 1), dropped6: [] }),
    );
    expect(heard).toEqual(['8.8.8.8:40000', '8.8.8.8:65535', '8.8.8.8:32768', '-8.8.8.8:40000']);
  });
});
