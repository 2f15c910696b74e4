import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  createInboundView,
  createOutboundTracker,
  createRelayIndex,
  decodeCompactPeers,
  decodePexMessage,
  encodeCompactPeers,
  encodePexMessage,
  type PexMessage,
  peerKey,
  peerPriority,
} from '@pex/core';
import { thrownBy } from '@pex/test-support';
import fc from 'fast-check';

// Caller mistakes as the public functions report them: the class of the error and the text,
// `"<field>" expected <what>, got <value>`, where the field names the argument or the part of
// the peer at fault.

const ipv4 = (port = 6881, flags?: number): CompactPeer =>
  flags === undefined
    ? { address: Uint8Array.of(1, 2, 3, 4), port }
    : { address: Uint8Array.of(1, 2, 3, 4), port, flags };
const EMPTY: PexMessage = { added: [], added6: [], dropped: [], dropped6: [] };
const withList = (field: keyof PexMessage, peers: unknown[]): PexMessage =>
  ({ ...EMPTY, [field]: peers }) as PexMessage;

describe('peers in a message', () => {
  test.each([
    ['added', null, 'TypeError', '"added[0]" expected a peer object, got null'],
    ['added', 5, 'TypeError', '"added[0]" expected a peer object, got 5'],
    [
      'added',
      { address: [1, 2, 3, 4], port: 1 },
      'TypeError',
      '"added[0].address" expected a Uint8Array, got Array',
    ],
    [
      'added6',
      { address: new Uint8Array(4), port: 1 },
      'TypeError',
      '"added6[0].address" expected 16 bytes, got 4',
    ],
    [
      'dropped',
      { address: new Uint8Array(16), port: 1 },
      'TypeError',
      '"dropped[0].address" expected 4 bytes, got 16',
    ],
    ['dropped', ipv4(0), 'RangeError', '"dropped[0].port" expected 1..65535, got 0'],
    ['dropped', ipv4(-0), 'RangeError', '"dropped[0].port" expected 1..65535, got 0'],
    ['added', ipv4(65536), 'RangeError', '"added[0].port" expected 1..65535, got 65536'],
    ['added', ipv4(1.5), 'RangeError', '"added[0].port" expected 1..65535, got 1.5'],
    ['added', ipv4(-1), 'RangeError', '"added[0].port" expected 1..65535, got -1'],
    [
      'added',
      { address: Uint8Array.of(1, 2, 3, 4), port: '80' },
      'RangeError',
      '"added[0].port" expected 1..65535, got "80"',
    ],
    ['added', ipv4(1, 256), 'RangeError', '"added[0].flags" expected 0..255, got 256'],
    ['added', ipv4(1, -1), 'RangeError', '"added[0].flags" expected 0..255, got -1'],
    ['added', ipv4(1, 0.5), 'RangeError', '"added[0].flags" expected 0..255, got 0.5'],
  ] as const)('%s: %j', (field, peer, kind, message) => {
    expect(thrownBy(() => encodePexMessage(withList(field, [peer])))).toEqual([kind, message]);
  });

  test('ports 1 and 65535 and flags 0 and 255 are fine; the index is that of the peer', () => {
    const peers = [ipv4(1, 0), { address: Uint8Array.of(1, 2, 3, 5), port: 65535, flags: 255 }];
    expect(decodePexMessage(encodePexMessage(withList('added', peers))).added).toHaveLength(2);
    expect(thrownBy(() => encodePexMessage(withList('added', [...peers, ipv4(0)])))).toEqual([
      'RangeError',
      '"added[2].port" expected 1..65535, got 0',
    ]);
  });

  test('a list that is not an array names the list', () => {
    expect(thrownBy(() => encodePexMessage({ ...EMPTY, dropped6: 'x' } as never))).toEqual([
      'TypeError',
      '"dropped6" expected an array of peers, got "x"',
    ]);
  });

  test('a bad value is described: strings cut at 40 characters, objects by their class', () => {
    const long = 'x'.repeat(50);
    expect(thrownBy(() => decodeCompactPeers(long as never, 4))).toEqual([
      'TypeError',
      `"bytes" expected a Uint8Array, got "${'x'.repeat(40)}"`,
    ]);
    expect(thrownBy(() => decodeCompactPeers(Object.create(null), 4))).toEqual([
      'TypeError',
      '"bytes" expected a Uint8Array, got object',
    ]);
    expect(thrownBy(() => decodeCompactPeers(new Map() as never, 4))).toEqual([
      'TypeError',
      '"bytes" expected a Uint8Array, got Map',
    ]);
    expect(thrownBy(() => decodeCompactPeers(undefined as never, 4))).toEqual([
      'TypeError',
      '"bytes" expected a Uint8Array, got undefined',
    ]);
  });

  test('a family other than 4 or 6', () => {
    expect(thrownBy(() => decodeCompactPeers(new Uint8Array(0), 5 as never))).toEqual([
      'TypeError',
      '"family" expected 4 or 6, got 5',
    ]);
    expect(thrownBy(() => encodeCompactPeers([], '4' as never))).toEqual([
      'TypeError',
      '"family" expected 4 or 6, got "4"',
    ]);
  });
});

describe('a repeated peer in a long list', () => {
  // Up to 100 peers are checked against a list, past that against a set.
  const peers = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      address: Uint8Array.of(10, 0, i >> 8, i & 0xff),
      port: 1,
    }));

  test('is found wherever it is, and distinct peers pass', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.nat(), fc.nat(), (n, a, b) => {
        const list = peers(n);
        expect(encodeCompactPeers(list, 4)).toHaveLength(6 * n);
        const first = a % n;
        const repeated = [
          ...list.slice(0, b % (n + 1)),
          list[first] as CompactPeer,
          ...list.slice(b % (n + 1)),
        ];
        const duplicateAt = Math.max(first, b % (n + 1)) + (first >= b % (n + 1) ? 1 : 0);
        expect(thrownBy(() => encodeCompactPeers(repeated, 4))[1]).toMatch(
          new RegExp(`^"peers\\[${duplicateAt}\\]" expected a peer not listed before`),
        );
      }),
      { numRuns: 200 },
    );
  });

  test('at the edges of the switch to a set', () => {
    for (const n of [99, 100, 101, 102]) {
      const list = peers(n);
      expect(encodeCompactPeers(list, 4)).toHaveLength(6 * n);
      for (const at of [0, n - 1]) {
        expect(
          thrownBy(() => encodeCompactPeers([...list, list[at] as CompactPeer], 4))[1],
        ).toMatch(new RegExp(`^"peers\\[${n}\\]"`));
      }
    }
  });
});

describe('decode limits', () => {
  test.each([
    [{ maxDepth: 0 }, '"maxDepth" expected a number of at least 1, got 0'],
    [{ maxPeersPerList: 0.5 }, '"maxPeersPerList" expected a number of at least 1, got 0.5'],
    [{ maxMessageBytes: Number.NaN }, '"maxMessageBytes" expected a number of at least 1, got NaN'],
    [{ maxMessageBytes: '9' }, '"maxMessageBytes" expected a number of at least 1, got "9"'],
  ])('%j', (limits, message) => {
    expect(
      thrownBy(() => decodePexMessage(Uint8Array.from([0x64, 0x65]), limits as never)),
    ).toEqual(['RangeError', message]);
  });

  test('1 and Infinity are limits', () => {
    const de = Uint8Array.from([0x64, 0x65]);
    expect(decodePexMessage(de, { maxDepth: 1, maxPeersPerList: 1 }).added).toEqual([]);
    expect(
      decodePexMessage(de, { maxMessageBytes: Number.POSITIVE_INFINITY, maxDepth: 1 }).added,
    ).toEqual([]);
  });
});

describe('options and arguments of the state machines', () => {
  test('options that are not an object', () => {
    expect(thrownBy(() => createInboundView('fast' as never))).toEqual([
      'TypeError',
      '"options" expected an object, got "fast"',
    ]);
    expect(thrownBy(() => createOutboundTracker(null as never))).toEqual([
      'TypeError',
      '"options" expected an object, got null',
    ]);
    expect(thrownBy(() => createRelayIndex(3 as never))).toEqual([
      'TypeError',
      '"options" expected an object, got 3',
    ]);
  });

  test('integers: positive for caps and sizes, non-negative for an interval', () => {
    expect(thrownBy(() => createRelayIndex({ maxPeers: 0 }))).toEqual([
      'RangeError',
      '"maxPeers" expected a positive integer, got 0',
    ]);
    expect(thrownBy(() => createOutboundTracker({ intervalMs: -1 }))).toEqual([
      'RangeError',
      '"intervalMs" expected a non-negative integer, got -1',
    ]);
    expect(thrownBy(() => createOutboundTracker({ intervalMs: 2 ** 53 }))).toEqual([
      'RangeError',
      `"intervalMs" expected a non-negative integer, got ${2 ** 53}`,
    ]);
    expect(thrownBy(() => createOutboundTracker({ intervalMs: '5' as never }))).toEqual([
      'RangeError',
      '"intervalMs" expected a non-negative integer, got "5"',
    ]);
    expect(createOutboundTracker({ intervalMs: 0 }).nextMessageAt()).toBeUndefined();
    expect(
      createRelayIndex({ maxPeers: 1 }).introducersOf(Uint8Array.of(1, 2, 3, 4), 1, 0),
    ).toEqual([]);
  });

  test('the time', () => {
    const tracker = createOutboundTracker();
    expect(thrownBy(() => tracker.nextMessage(Number.NaN))).toEqual([
      'RangeError',
      '"now" expected a finite number of ms, got NaN',
    ]);
    expect(thrownBy(() => tracker.nextMessage('1' as never))).toEqual([
      'RangeError',
      '"now" expected a finite number of ms, got "1"',
    ]);
    expect(thrownBy(() => tracker.nextMessage(Number.POSITIVE_INFINITY))).toEqual([
      'RangeError',
      '"now" expected a finite number of ms, got Infinity',
    ]);
  });

  test('peers handed to the outbound tracker', () => {
    const tracker = createOutboundTracker();
    expect(thrownBy(() => tracker.connected(null as never))).toEqual([
      'TypeError',
      '"peer" expected a peer object, got null',
    ]);
    expect(thrownBy(() => tracker.connected({ address: new Uint8Array(5), port: 1 }))).toEqual([
      'TypeError',
      '"peer.address" expected 4 bytes, got 5',
    ]);
    expect(thrownBy(() => tracker.disconnected('1.2.3.4' as never))).toEqual([
      'TypeError',
      '"peer" expected a peer object, got "1.2.3.4"',
    ]);
    // disconnected looks at the address and port only.
    tracker.connected(ipv4(1, 3));
    expect(() => tracker.disconnected({ ...ipv4(1), flags: 999 } as CompactPeer)).not.toThrow();
    expect(thrownBy(() => tracker.disconnected(ipv4(1), 1 as never))).toEqual([
      'TypeError',
      '"how" expected an object, got 1',
    ]);
    expect(thrownBy(() => tracker.disconnected(ipv4(1), null as never))).toEqual([
      'TypeError',
      '"how" expected an object, got null',
    ]);
    expect(thrownBy(() => tracker.disconnected(ipv4(1), { qualifies: 1 } as never))).toEqual([
      'TypeError',
      '"how.qualifies" expected a boolean, got 1',
    ]);
    expect(() => tracker.disconnected(ipv4(1), {})).not.toThrow();
  });

  test('the remote is a peer key or undefined', () => {
    const tracker = createOutboundTracker();
    for (const bad of [-1, 1.5, 2 ** 53, '12345678', '1234567890', null]) {
      expect(thrownBy(() => tracker.setRemote(bad as never))[1]).toMatch(
        /^"remote" expected a peer key from peerKey\(\), got /,
      );
    }
    for (const good of [
      undefined,
      0,
      peerKey(Uint8Array.of(1, 2, 3, 4), 1),
      peerKey(new Uint8Array(16), 1),
    ]) {
      expect(() => tracker.setRemote(good)).not.toThrow();
    }
    expect(thrownBy(() => createOutboundTracker({ remote: 'x' as never }))).toEqual([
      'TypeError',
      '"remote" expected a peer key from peerKey(), got "x"',
    ]);
  });

  test('peerPriority names the side at fault', () => {
    expect(thrownBy(() => peerPriority(null as never, ipv4()))).toEqual([
      'TypeError',
      '"a" expected a peer object, got null',
    ]);
    expect(thrownBy(() => peerPriority(ipv4(), { address: Uint8Array.of(1), port: 1 }))).toEqual([
      'TypeError',
      '"b.address" expected 4 bytes, got 1',
    ]);
    expect(thrownBy(() => peerPriority(ipv4(), { address: new Uint8Array(16), port: 0 }))).toEqual([
      'RangeError',
      '"b.port" expected 1..65535, got 0',
    ]);
  });
});
