// Interop with the npm `ut_pex` 5.0.2 in both directions, over real bittorrent-protocol wires.
// ut_pex sends only on a 65 s setInterval and measures the rate with Date.now, and our session
// reads the global setTimeout and performance.now at call time: jest's fake timers drive both,
// so nothing really waits. I/O completes through nextTick / setImmediate / microtasks, which stay
// real.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { decodePexMessage, type PexViolation } from '@pex/core';
import type { PeerAddress, PexPeerEvent } from '@pex/events';
import { type UtPexExtension, type UtPexFlags, utPex } from '@pex/wire-adapter';
import type Wire from 'bittorrent-protocol';
import utPexNpm, { type UtPex as NpmUtPex } from 'ut_pex';
import { flushIo, pipeWires, tcpWires, waitForIo } from './support/wires.js';

const ours = (wire: Wire) => (wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
const theirs = (wire: Wire) => (wire as unknown as { ut_pex: NpmUtPex }).ut_pex;
const useOurs = (options?: Parameters<typeof utPex>[0]) => (wire: Wire) =>
  wire.use(utPex(options) as never);
const useTheirs = (wire: Wire) => wire.use(utPexNpm());

const UT_PEX_INTERVAL_MS = 65_000;
const OUR_FIRST_MESSAGE_MS = 1_500;
const NO_FLAGS: UtPexFlags = {
  prefersEncryption: false,
  isSender: false,
  supportsUtp: false,
  supportsUtHolepunch: false,
  isReachable: false,
};

const cleanups: (() => unknown)[] = [];
beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime'] });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await flushIo();
  jest.useRealTimers();
});

/** Everything our extension reports, through both APIs. */
function recordOurEvents(wire: Wire) {
  const pex = ours(wire);
  const record = {
    peers: [] as [string, UtPexFlags][],
    dropped: [] as string[],
    warnings: [] as Error[],
    typedPeers: [] as PexPeerEvent[],
    typedDropped: [] as PeerAddress[],
    invalid: [] as Error[],
    violations: [] as PexViolation[],
    sessionWarnings: [] as unknown[],
  };
  pex.on('peer', (peer, flags) => record.peers.push([peer, flags]));
  pex.on('dropped', (peer) => record.dropped.push(peer));
  pex.on('warning', (error) => record.warnings.push(error));
  pex.session.on('peer', (peer) => record.typedPeers.push(peer));
  pex.session.on('dropped', (peer) => record.typedDropped.push(peer));
  pex.session.on('invalid', (error) => record.invalid.push(error));
  pex.session.on('violation', (violation) => record.violations.push(violation));
  pex.session.on('warning', (warning) => record.sessionWarnings.push(warning));
  return record;
}

/** What npm ut_pex reports. */
function recordTheirEvents(wire: Wire) {
  const record = {
    peers: [] as [string, UtPexFlags][],
    dropped: [] as string[],
    warnings: [] as string[],
  };
  theirs(wire).on('peer', (peer, flags) => record.peers.push([peer, flags]));
  theirs(wire).on('dropped', (peer) => record.dropped.push(peer));
  theirs(wire).on('warning', (error) => record.warnings.push(error.message));
  return record;
}

/** Every ut_pex payload `receiver` gets, with the (fake) Date.now at arrival. */
function recordPayloads(receiver: Wire): { at: number; bytes: Uint8Array }[] {
  const payloads: { at: number; bytes: Uint8Array }[] = [];
  receiver.on('extended', (ext, payload) => {
    if (ext === 'ut_pex') payloads.push({ at: Date.now(), bytes: payload as Uint8Array });
  });
  return payloads;
}

async function advance(ms: number): Promise<void> {
  jest.advanceTimersByTime(ms);
  await flushIo();
}

describe('peers we advertise reach npm ut_pex', () => {
  test('as ut_pex peer events with the flags under ut_pex names (piped wires)', async () => {
    const pair = await pipeWires(useOurs(), useTheirs);
    cleanups.push(pair.close);
    const seen = recordTheirEvents(pair.b);

    ours(pair.a).addPeer('1.2.3.4:6881', { isReachable: true, isSender: true });
    ours(pair.a).addPeer('5.6.7.8:51413');
    ours(pair.a).addPeer6('[2606:4700::1111]:6881', { supportsUtp: true, prefersEncryption: true });
    ours(pair.a).addPeer6('[2a00:1450:4001::5]:443', { supportsUtHolepunch: true });
    ours(pair.a).start();
    await advance(OUR_FIRST_MESSAGE_MS - 1);
    expect(seen.peers).toEqual([]);
    await advance(1);

    expect(seen.peers).toEqual([
      ['1.2.3.4:6881', { ...NO_FLAGS, isReachable: true, isSender: true }],
      ['5.6.7.8:51413', NO_FLAGS],
      ['[2606:4700::1111]:6881', { ...NO_FLAGS, supportsUtp: true, prefersEncryption: true }],
      ['[2a00:1450:4001::5]:443', { ...NO_FLAGS, supportsUtHolepunch: true }],
    ]);
    expect(seen.warnings).toEqual([]);
    expect(pair.b.destroyed).toBe(false);

    // Drops follow, no sooner than our interval, as ut_pex 'dropped' events.
    ours(pair.a).dropPeer('5.6.7.8:51413');
    ours(pair.a).dropPeer6('[2606:4700::1111]:6881');
    await advance(69_999);
    expect(seen.dropped).toEqual([]);
    await advance(1);
    expect(seen.dropped).toEqual(['5.6.7.8:51413', '[2606:4700::1111]:6881']);
    expect(seen.warnings).toEqual([]);
  });

  test('BEP 11 flag names are accepted as aliases of the ut_pex ones', async () => {
    const pair = await pipeWires(useOurs(), useTheirs);
    cleanups.push(pair.close);
    const seen = recordTheirEvents(pair.b);
    const aliases = { reachable: true, uploadOnly: true, supportsHolepunch: true };
    ours(pair.a).addPeer('1.2.3.4:6881', aliases as Partial<UtPexFlags>);
    ours(pair.a).addPeer('1.2.3.5:6881', 0x10 | 0x04);
    ours(pair.a).start();
    await advance(OUR_FIRST_MESSAGE_MS);
    expect(seen.peers).toEqual([
      [
        '1.2.3.4:6881',
        { ...NO_FLAGS, isReachable: true, isSender: true, supportsUtHolepunch: true },
      ],
      ['1.2.3.5:6881', { ...NO_FLAGS, isReachable: true, supportsUtp: true }],
    ]);
  });
});

describe('peers npm ut_pex advertises reach us', () => {
  test('IPv4 and IPv6, with and without flags, as ut_pex-style and typed events', async () => {
    const pair = await pipeWires(useTheirs, useOurs());
    cleanups.push(pair.close);
    const seen = recordOurEvents(pair.b);

    theirs(pair.a).addPeer('1.2.3.4:6881', { isReachable: true, supportsUtp: true });
    theirs(pair.a).addPeer('5.6.7.8:51413');
    theirs(pair.a).addPeer6('[2606:4700::1111]:6881', { isSender: true, prefersEncryption: true });
    theirs(pair.a).addPeer6('[2a00:1450:4001::5]:443');
    theirs(pair.a).start();
    await advance(UT_PEX_INTERVAL_MS - 1);
    expect(seen.peers).toEqual([]);
    await advance(1);

    expect(seen.peers).toEqual([
      ['1.2.3.4:6881', { ...NO_FLAGS, isReachable: true, supportsUtp: true }],
      ['5.6.7.8:51413', NO_FLAGS],
      ['[2606:4700::1111]:6881', { ...NO_FLAGS, isSender: true, prefersEncryption: true }],
      ['[2a00:1450:4001::5]:443', NO_FLAGS],
    ]);
    expect(
      seen.typedPeers.map(({ address, port, family, flags }) => ({
        address,
        port,
        family,
        byte: flags.byte,
        reachable: flags.reachable,
        uploadOnly: flags.uploadOnly,
      })),
    ).toEqual([
      { address: '1.2.3.4', port: 6881, family: 4, byte: 0x14, reachable: true, uploadOnly: false },
      { address: '5.6.7.8', port: 51413, family: 4, byte: 0, reachable: false, uploadOnly: false },
      {
        address: '2606:4700::1111',
        port: 6881,
        family: 6,
        byte: 0x03,
        reachable: false,
        uploadOnly: true,
      },
      {
        address: '2a00:1450:4001::5',
        port: 443,
        family: 6,
        byte: 0,
        reachable: false,
        uploadOnly: false,
      },
    ]);

    theirs(pair.a).dropPeer('5.6.7.8:51413');
    theirs(pair.a).dropPeer6('[2a00:1450:4001::5]:443');
    await advance(UT_PEX_INTERVAL_MS);
    expect(seen.dropped).toEqual(['5.6.7.8:51413', '[2a00:1450:4001::5]:443']);
    expect(seen.typedDropped).toEqual([
      { address: '5.6.7.8', port: 51413, family: 4 },
      { address: '2a00:1450:4001::5', port: 443, family: 6 },
    ]);
    expect(seen.invalid).toEqual([]);
    expect(seen.violations).toEqual([]);
    expect(seen.warnings).toEqual([]);
    expect(seen.sessionWarnings).toEqual([]);
    expect(pair.b.destroyed).toBe(false);
  });

  test('its empty six-key messages produce no event, no invalid, no violation', async () => {
    const pair = await pipeWires(useTheirs, useOurs());
    cleanups.push(pair.close);
    const seen = recordOurEvents(pair.b);
    const payloads = recordPayloads(pair.b);
    theirs(pair.a).start();
    await advance(UT_PEX_INTERVAL_MS * 4);

    // Four ticks, four empty messages, each with the six keys.
    expect(payloads).toHaveLength(4);
    for (const { bytes } of payloads) {
      const text = new TextDecoder().decode(bytes);
      expect(text).toBe('d5:added0:7:added.f0:6:added60:8:added6.f0:7:dropped0:8:dropped60:e');
      const message = decodePexMessage(bytes);
      expect(message.added.length + message.added6.length).toBe(0);
      expect(message.dropped.length + message.dropped6.length).toBe(0);
    }
    expect(seen).toEqual({
      peers: [],
      dropped: [],
      warnings: [],
      typedPeers: [],
      typedDropped: [],
      invalid: [],
      violations: [],
      sessionWarnings: [],
    });
    expect(pair.b.destroyed).toBe(false);
  });

  test('a peer after empty messages still arrives (nothing was consumed by them)', async () => {
    const pair = await pipeWires(useTheirs, useOurs());
    cleanups.push(pair.close);
    const seen = recordOurEvents(pair.b);
    theirs(pair.a).start();
    await advance(UT_PEX_INTERVAL_MS * 2);
    theirs(pair.a).addPeer('9.9.9.9:9999', { isReachable: true });
    await advance(UT_PEX_INTERVAL_MS);
    expect(seen.peers).toEqual([['9.9.9.9:9999', { ...NO_FLAGS, isReachable: true }]]);
    expect(seen.violations).toEqual([]);
  });
});

describe('what we do differently with what npm ut_pex sends', () => {
  test('IPv4-mapped IPv6 reads as IPv4; unknown drops, refused ranges and loopback from an unknown remote are not emitted', async () => {
    const pair = await pipeWires(useTheirs, useOurs());
    cleanups.push(pair.close);
    const seen = recordOurEvents(pair.b);
    theirs(pair.a).addPeer6('[::ffff:1.2.3.4]:6881', { isReachable: true });
    theirs(pair.a).addPeer('203.0.113.5:6881'); // documentation range: reserved
    theirs(pair.a).addPeer('127.0.0.1:6881'); // loopback, and we do not know the remote's address
    theirs(pair.a).addPeer('8.8.8.8:0'); // port 0
    theirs(pair.a).addPeer('8.8.4.4:53');
    theirs(pair.a).dropPeer('9.9.9.9:9999'); // never reported
    theirs(pair.a).start();
    await advance(UT_PEX_INTERVAL_MS);
    // ut_pex's added (IPv4) comes before its added6, where the mapped address travelled.
    expect(seen.peers).toEqual([
      ['8.8.4.4:53', NO_FLAGS],
      ['1.2.3.4:6881', { ...NO_FLAGS, isReachable: true }],
    ]);
    expect(seen.typedPeers.map((p) => p.family)).toEqual([4, 4]);
    expect(seen.dropped).toEqual([]);
    expect(seen.warnings).toEqual([]);
  });
});

describe("ut_pex's own rate check (< 60 s by Date.now destroys the wire)", () => {
  test('never fires against our default interval across several messages, both ways', async () => {
    const pair = await pipeWires(useOurs(), useTheirs);
    cleanups.push(pair.close);
    const seenByThem = recordTheirEvents(pair.b);
    const seenByUs = recordOurEvents(pair.a);
    const arrivals = recordPayloads(pair.b);
    ours(pair.a).start();
    theirs(pair.b).start();

    // A change every 10 s for 6 minutes: we always have something to say.
    for (let i = 1; i <= 36; i++) {
      ours(pair.a).addPeer(`1.2.3.${i}:6881`);
      if (i % 2 === 0) ours(pair.a).dropPeer(`1.2.3.${i - 1}:6881`);
      await advance(10_000);
    }

    expect(arrivals.length).toBeGreaterThanOrEqual(5);
    const gaps = arrivals.slice(1).map((p, i) => p.at - (arrivals[i] as { at: number }).at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(70_000);
    expect(seenByThem.warnings).toEqual([]);
    expect(pair.b.destroyed).toBe(false);
    expect(pair.a.destroyed).toBe(false);
    // ut_pex saw every peer we still hold at the end, once.
    const learned = new Set(seenByThem.peers.map(([peer]) => peer));
    expect(learned.size).toBe(seenByThem.peers.length);
    // Its own messages (empty, every 65 s) are within our tolerance too.
    expect(seenByUs.violations).toEqual([]);
  });

  test('control: a sender faster than 60 s does get the wire destroyed by ut_pex', async () => {
    const pair = await pipeWires(useOurs({ intervalMs: 30_000 }), useTheirs);
    cleanups.push(pair.close);
    const seenByThem = recordTheirEvents(pair.b);
    ours(pair.a).start();
    ours(pair.a).addPeer('1.2.3.4:6881');
    await advance(OUR_FIRST_MESSAGE_MS);
    ours(pair.a).addPeer('1.2.3.5:6881');
    await advance(30_000);
    await waitForIo(() => pair.b.destroyed);
    expect(seenByThem.warnings).toEqual([
      'Peer disconnected for sending PEX messages too frequently',
    ]);
  });
});

describe('npm ut_pex over TCP on 127.0.0.1', () => {
  test('peers cross both ways on one connection', async () => {
    const pair = await tcpWires(
      // Our side knows the remote is local, so loopback peers from it are accepted.
      (wire, socket) => useOurs({ remoteAddress: `127.0.0.1:${socket.remotePort}` })(wire),
      (wire) => useTheirs(wire),
    );
    cleanups.push(pair.close);
    const client = pair.client.wire;
    const server = pair.server.wire;
    const seenByUs = recordOurEvents(client);
    const seenByThem = recordTheirEvents(server);

    ours(client).addPeer('1.2.3.4:6881', { isReachable: true });
    ours(client).addPeer6('[2606:4700::1111]:51413', { supportsUtp: true });
    ours(client).start();
    theirs(server).addPeer('127.0.0.5:7000', { isSender: true });
    theirs(server).addPeer6('[2a00:1450:4001::5]:443', { isReachable: true });
    theirs(server).start();

    jest.advanceTimersByTime(OUR_FIRST_MESSAGE_MS);
    await waitForIo(() => seenByThem.peers.length === 2);
    jest.advanceTimersByTime(UT_PEX_INTERVAL_MS - OUR_FIRST_MESSAGE_MS);
    await waitForIo(() => seenByUs.peers.length === 2);

    expect(seenByThem.peers).toEqual([
      ['1.2.3.4:6881', { ...NO_FLAGS, isReachable: true }],
      ['[2606:4700::1111]:51413', { ...NO_FLAGS, supportsUtp: true }],
    ]);
    expect(seenByUs.peers).toEqual([
      ['127.0.0.5:7000', { ...NO_FLAGS, isSender: true }],
      ['[2a00:1450:4001::5]:443', { ...NO_FLAGS, isReachable: true }],
    ]);
    expect(seenByUs.typedPeers.map((p) => p.family)).toEqual([4, 6]);
    expect(seenByThem.warnings).toEqual([]);
    expect(seenByUs.warnings).toEqual([]);
  });
});
