import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  createOutboundTracker,
  type OutboundTracker,
  type PeerKey,
  type PexMessage,
  type PexOutboundOptions,
} from '@pex/core';
import {
  DEFAULT_FIRST_MESSAGE_MAX_ADDED,
  DEFAULT_SEND_INTERVAL_MS,
  MAX_ADDED_PER_MESSAGE,
  MAX_DROPPED_PER_MESSAGE,
} from '@pex/core/internal';
import fc from 'fast-check';
import { createOutboundTrackerWithStampLimit } from '../src/outbound-tracker.js';
import {
  createPeerPool,
  expectConvergence,
  keyOf,
  RemoteModel,
  SMALL_CAPS as SMALL,
} from './support/outbound-model.js';

const POOL = createPeerPool(10, 5);

interface Model {
  readonly live: Map<PeerKey, number>;
  readonly remote: RemoteModel;
}
interface Real {
  readonly tracker: OutboundTracker;
  now: number;
}
type TrackerCommand = fc.Command<Model, Real>;

const connect = (index: number, flags: number): TrackerCommand => ({
  check: () => true,
  run(model, real) {
    const peer = POOL[index] as CompactPeer;
    real.tracker.connected({ ...peer, flags });
    model.live.set(keyOf(peer), flags);
  },
  toString: () => `connected(${index}, ${flags})`,
});

const disconnect = (index: number): TrackerCommand => ({
  check: () => true,
  run(model, real) {
    const peer = POOL[index] as CompactPeer;
    real.tracker.disconnected(peer);
    model.live.delete(keyOf(peer));
  },
  toString: () => `disconnected(${index})`,
});

const advance = (ms: number): TrackerCommand => ({
  check: () => true,
  run(_model, real) {
    real.now += ms;
  },
  toString: () => `advance(${ms})`,
});

const send = (): TrackerCommand => ({
  check: () => true,
  run(model, real) {
    model.remote.poll(real.tracker, real.now, model.live);
  },
  toString: () => 'nextMessage',
});

const reset = (): TrackerCommand => ({
  check: () => true,
  run(model, real) {
    real.tracker.reset();
    model.remote.reset();
  },
  toString: () => 'reset',
});

const setRemote = (index: number | undefined): TrackerCommand => ({
  check: () => true,
  run(model, real) {
    const key = index === undefined ? undefined : keyOf(POOL[index] as CompactPeer);
    real.tracker.setRemote(key);
    model.remote.remote = key;
  },
  toString: () => `setRemote(${index})`,
});

const peerIndex = fc.integer({ min: 0, max: POOL.length - 1 });
const flagByte = fc.constantFrom(0, 0x01, 0x10, 0x12, 0xff);

const trackerCommands = [
  fc.tuple(peerIndex, flagByte).map(([index, flags]) => connect(index, flags)),
  fc.tuple(peerIndex, flagByte).map(([index, flags]) => connect(index, flags)),
  peerIndex.map(disconnect),
  peerIndex.map(disconnect),
  fc.constantFrom(0, 1, 500, 999, 1000, 2500).map(advance),
  fc.constant(null).map(send),
  fc.constant(null).map(send),
  fc.constant(null).map(reset),
  fc.option(peerIndex, { nil: undefined }).map(setRemote),
];

describe('outbound tracker: model-based', () => {
  test('every message keeps the sender rules and the remote converges to the live set', () => {
    fc.assert(
      fc.property(
        fc.commands(trackerCommands, { maxCommands: 100, size: 'max' }),
        fc.option(peerIndex, { nil: undefined }),
        (commands, remoteIndex) => {
          const remote =
            remoteIndex === undefined ? undefined : keyOf(POOL[remoteIndex] as CompactPeer);
          const model: Model = { live: new Map(), remote: new RemoteModel(SMALL, remote) };
          const real: Real = {
            tracker: createOutboundTracker({
              ...SMALL,
              ...(remote === undefined ? {} : { remote }),
            }),
            now: 0,
          };
          fc.modelRun(() => ({ model, real }), commands);
          expectConvergence(real.tracker, model.remote, model.live, real.now, POOL.length + 2);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('outbound tracker: renumbering pending changes', () => {
  // Pending changes are ordered by a stamp; after MAX_STAMP (2^35) changes without a pause they
  // are renumbered 1, 2, ... in order. With a limit of 2 or 3 that happens all the time: the
  // messages must be the very ones of a tracker that never renumbers.
  const op = fc.oneof(
    fc.tuple(fc.constant('connect' as const), peerIndex, flagByte),
    fc.tuple(fc.constant('disconnect' as const), peerIndex, fc.constant(0)),
    fc.tuple(fc.constant('send' as const), fc.constant(0), fc.constant(0)),
    fc.tuple(fc.constant('reset' as const), fc.constant(0), fc.constant(0)),
  );

  test.each([2, 3])(
    'with a stamp limit of %i, every message is the same as without one',
    (limit) => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
          const plain = createOutboundTracker({ ...SMALL, intervalMs: 0 });
          const renumbering = createOutboundTrackerWithStampLimit(
            { ...SMALL, intervalMs: 0 },
            limit,
          );
          let now = 0;
          for (const [kind, index, flags] of ops) {
            const peer = POOL[index] as CompactPeer;
            if (kind === 'connect') {
              plain.connected({ ...peer, flags });
              renumbering.connected({ ...peer, flags });
            } else if (kind === 'disconnect') {
              plain.disconnected(peer);
              renumbering.disconnected(peer);
            } else if (kind === 'reset') {
              plain.reset();
              renumbering.reset();
            } else {
              now++;
              expect(renumbering.nextMessageAt()).toBe(plain.nextMessageAt());
              expect(renumbering.nextMessage(now)).toEqual(plain.nextMessage(now));
            }
          }
        }),
        { numRuns: 300 },
      );
    },
  );

  test('the limit is reached: a renumbering tracker orders a long run of changes as they came', () => {
    const tracker = createOutboundTrackerWithStampLimit(
      { maxAddedPerMessage: 3, intervalMs: 0 },
      2,
    );
    const peers = createPeerPool(8, 0);
    tracker.nextMessage(0); // nothing yet; the next message is the first
    for (const peer of peers) tracker.connected(peer);
    const first = tracker.nextMessage(1);
    // First message: up to the first-message cap, oldest connection first.
    expect(first?.added.map((peer) => peer.port)).toEqual(peers.map((peer) => peer.port));
    for (const peer of peers.slice(0, 5)) tracker.disconnected(peer);
    const drops = tracker.nextMessage(2);
    expect(drops?.dropped.map((peer) => Array.from(peer.address))).toEqual(
      peers.slice(0, 5).map((peer) => Array.from(peer.address)),
    );
  });
});

// --- named table cases -------------------------------------------------------------------------

const v4 = (last: number, port = 6881, flags?: number): CompactPeer => ({
  address: Uint8Array.from([192, 0, 2, last]),
  port,
  ...(flags === undefined ? {} : { flags }),
});
const v6 = (last: number, port = 6881): CompactPeer => {
  const address = new Uint8Array(16);
  address.set([0x20, 0x01, 0x0d, 0xb8]);
  address[15] = last;
  return { address, port };
};
const ports = (peers: readonly CompactPeer[]) => peers.map((peer) => peer.port);
const countOf = (message: PexMessage | undefined) => ({
  added: (message?.added.length ?? 0) + (message?.added6.length ?? 0),
  dropped: (message?.dropped.length ?? 0) + (message?.dropped6.length ?? 0),
});
const INTERVAL = DEFAULT_SEND_INTERVAL_MS;

describe('outbound tracker: named cases', () => {
  test('nothing to say: no message, nothing pending', () => {
    const tracker = createOutboundTracker();
    expect(tracker.nextMessageAt()).toBeUndefined();
    expect(tracker.nextMessage(0)).toBeUndefined();
  });

  test('the first message goes at once with the live list and flags', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(1, 6881, 0x10));
    tracker.connected(v6(1, 51413));
    expect(tracker.nextMessageAt()).toBe(Number.NEGATIVE_INFINITY);
    const message = tracker.nextMessage(5);
    expect(message?.added).toEqual([{ address: v4(1).address, port: 6881, flags: 0x10 }]);
    expect(message?.added6).toEqual([{ address: v6(1).address, port: 51413, flags: 0 }]);
    expect(message?.dropped).toEqual([]);
    expect(message?.dropped6).toEqual([]);
  });

  test('at most one message per interval; the next is due exactly one interval later', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(1));
    expect(tracker.nextMessage(1000)).toBeDefined();
    tracker.connected(v4(2));
    expect(tracker.nextMessageAt()).toBe(1000 + INTERVAL);
    expect(tracker.nextMessage(1000 + INTERVAL - 1)).toBeUndefined();
    expect(ports(tracker.nextMessage(1000 + INTERVAL)?.added ?? [])).toEqual([6881]);
  });

  test('the default interval keeps two messages at least 60 s apart with 10 s to spare', () => {
    expect(DEFAULT_SEND_INTERVAL_MS).toBeGreaterThanOrEqual(70_000);
  });

  test('add + drop in one window: not mentioned at all', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(1));
    tracker.nextMessage(0);
    tracker.connected(v4(2));
    tracker.disconnected(v4(2));
    expect(tracker.nextMessageAt()).toBeUndefined();
    expect(tracker.nextMessage(INTERVAL)).toBeUndefined();
  });

  test('drop then re-add of an advertised peer in one window: not mentioned', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(1));
    tracker.nextMessage(0);
    tracker.disconnected(v4(1));
    tracker.connected(v4(1));
    expect(tracker.nextMessage(INTERVAL)).toBeUndefined();
  });

  test('drop in one window, re-add in the next: dropped, then added again', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(1));
    tracker.nextMessage(0);
    tracker.disconnected(v4(1));
    expect(ports(tracker.nextMessage(INTERVAL)?.dropped ?? [])).toEqual([6881]);
    tracker.connected(v4(1));
    const message = tracker.nextMessage(2 * INTERVAL);
    expect(ports(message?.added ?? [])).toEqual([6881]);
    expect(message?.dropped).toEqual([]);
  });

  test('a drop of a peer never advertised is not sent', () => {
    const tracker = createOutboundTracker();
    tracker.disconnected(v4(9));
    expect(tracker.nextMessage(0)).toBeUndefined();
  });

  test('more than 50 changes: 50 added and 50 dropped per message, oldest first', () => {
    const tracker = createOutboundTracker({ firstMessageMaxAdded: 200 });
    for (let i = 0; i < 120; i++) tracker.connected(v4(1, 1000 + i));
    expect(countOf(tracker.nextMessage(0))).toEqual({ added: 120, dropped: 0 });
    for (let i = 0; i < 70; i++) tracker.disconnected(v4(1, 1000 + i));
    for (let i = 0; i < 60; i++) tracker.connected(v6(1, 2000 + i));
    const second = tracker.nextMessage(INTERVAL);
    expect(countOf(second)).toEqual({
      added: MAX_ADDED_PER_MESSAGE,
      dropped: MAX_DROPPED_PER_MESSAGE,
    });
    expect(ports(second?.dropped ?? [])).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
    expect(ports(second?.added6 ?? [])).toEqual(Array.from({ length: 50 }, (_, i) => 2000 + i));
    const third = tracker.nextMessage(2 * INTERVAL);
    expect(ports(third?.dropped ?? [])).toEqual(Array.from({ length: 20 }, (_, i) => 1050 + i));
    expect(ports(third?.added6 ?? [])).toEqual(Array.from({ length: 10 }, (_, i) => 2050 + i));
    expect(tracker.nextMessageAt()).toBeUndefined();
  });

  test('IPv4 and IPv6 share the 50-peer cap', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(200));
    tracker.nextMessage(0);
    for (let i = 0; i < 30; i++) tracker.connected(v4(1, 1000 + i));
    for (let i = 0; i < 30; i++) tracker.connected(v6(1, 1000 + i));
    const message = tracker.nextMessage(INTERVAL);
    expect(message?.added.length).toBe(30);
    expect(message?.added6.length).toBe(20);
  });

  test(`the first message carries at most ${DEFAULT_FIRST_MESSAGE_MAX_ADDED} peers; the rest follows`, () => {
    const tracker = createOutboundTracker();
    for (let i = 0; i < 180; i++) tracker.connected(v4(1, 1000 + i));
    expect(countOf(tracker.nextMessage(0)).added).toBe(DEFAULT_FIRST_MESSAGE_MAX_ADDED);
    expect(ports(tracker.nextMessage(INTERVAL)?.added ?? [])).toEqual(
      Array.from({ length: 50 }, (_, i) => 1100 + i),
    );
    expect(countOf(tracker.nextMessage(2 * INTERVAL)).added).toBe(30);
    expect(tracker.nextMessage(3 * INTERVAL)).toBeUndefined();
  });

  test('flag change of an advertised peer: re-announced in added with the new flags, never dropped', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(1, 6881, 0x00));
    tracker.nextMessage(0);
    tracker.connected(v4(1, 6881, 0x02));
    const message = tracker.nextMessage(INTERVAL);
    expect(message?.added).toEqual([{ address: v4(1).address, port: 6881, flags: 0x02 }]);
    expect(message?.dropped).toEqual([]);
  });

  test('changes go out oldest change first, whatever the order of connection', () => {
    const tracker = createOutboundTracker({ maxAddedPerMessage: 1 });
    for (let i = 0; i < 3; i++) tracker.connected(v4(1, 1000 + i));
    tracker.nextMessage(0);
    tracker.connected(v4(1, 1002, 0x01));
    tracker.connected(v4(1, 1000, 0x02));
    tracker.connected(v4(1, 1002, 0x04)); // still pending: keeps its place
    expect(ports(tracker.nextMessage(INTERVAL)?.added ?? [])).toEqual([1002]);
    expect(ports(tracker.nextMessage(2 * INTERVAL)?.added ?? [])).toEqual([1000]);
    expect(tracker.nextMessage(3 * INTERVAL)).toBeUndefined();
  });

  test('flag change and back within one window: not mentioned', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(1, 6881, 0x01));
    tracker.nextMessage(0);
    tracker.connected(v4(1, 6881, 0x03));
    tracker.connected(v4(1, 6881, 0x01));
    expect(tracker.nextMessage(INTERVAL)).toBeUndefined();
  });

  test('the remote is never advertised to itself, and dropped once it is known to be the remote', () => {
    const remote = v4(7, 7000);
    const tracker = createOutboundTracker({ remote: keyOf(remote) });
    tracker.connected(remote);
    tracker.connected(v4(1));
    expect(ports(tracker.nextMessage(0)?.added ?? [])).toEqual([6881]);

    const late = createOutboundTracker();
    late.connected(remote);
    expect(ports(late.nextMessage(0)?.added ?? [])).toEqual([7000]);
    late.setRemote(keyOf(remote));
    expect(ports(late.nextMessage(INTERVAL)?.dropped ?? [])).toEqual([7000]);
  });

  test('ports tell peers apart: same address, two ports, two peers', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(1, 6881));
    tracker.connected(v4(1, 6882));
    expect(ports(tracker.nextMessage(0)?.added ?? [])).toEqual([6881, 6882]);
  });

  test('reset: the next message is a first message with the whole live list again', () => {
    const tracker = createOutboundTracker({ intervalMs: 10 });
    for (let i = 0; i < 3; i++) tracker.connected(v4(1, 1000 + i));
    tracker.nextMessage(0);
    tracker.disconnected(v4(1, 1000));
    tracker.reset();
    const message = tracker.nextMessage(10);
    expect(ports(message?.added ?? [])).toEqual([1001, 1002]);
    expect(message?.dropped).toEqual([]);
  });

  test('reset: the live list is in connection order, a peer connected again counting as new', () => {
    const tracker = createOutboundTracker({ intervalMs: 10 });
    for (let i = 0; i < 3; i++) tracker.connected(v4(1, 1000 + i));
    tracker.nextMessage(0);
    // Dropped and connected again before the next message: never mentioned, but now the newest.
    tracker.disconnected(v4(1, 1000));
    tracker.connected(v4(1, 1000, 0x01));
    tracker.connected(v4(1, 1001, 0x02));
    tracker.reset();
    const message = tracker.nextMessage(10);
    expect(ports(message?.added ?? [])).toEqual([1001, 1002, 1000]);
    expect(message?.added.map((peer) => peer.flags)).toEqual([0x02, 0, 0x01]);
  });

  test('IPv6 peers keep address, port and flags through the tracker, and are dropped by them', () => {
    const tracker = createOutboundTracker();
    const peer = { ...v6(0xfe, 65535), flags: 0xff };
    peer.address[4] = 0xab;
    tracker.connected(peer);
    expect(tracker.nextMessage(0)?.added6).toEqual([
      { address: Uint8Array.from(peer.address), port: 65535, flags: 0xff },
    ]);
    tracker.disconnected(peer);
    expect(tracker.nextMessage(INTERVAL)?.dropped6).toEqual([
      { address: Uint8Array.from(peer.address), port: 65535 },
    ]);
    expect(tracker.nextMessageAt()).toBeUndefined();
  });

  test('messages own their address bytes: changing one changes no later message', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(1));
    const sent = tracker.nextMessage(0)?.added[0];
    if (sent !== undefined) sent.address[3] = 99;
    expect(sent?.address[3]).toBe(99);
    tracker.disconnected(v4(1));
    expect(tracker.nextMessage(INTERVAL)?.dropped).toEqual([
      { address: Uint8Array.from([192, 0, 2, 1]), port: 6881 },
    ]);
  });

  test('reset keeps the time of the last message: no second message within the interval', () => {
    const tracker = createOutboundTracker();
    tracker.connected(v4(1));
    tracker.nextMessage(0);
    tracker.reset();
    expect(tracker.nextMessage(1)).toBeUndefined();
    expect(tracker.nextMessageAt()).toBe(INTERVAL);
  });

  test('the address is copied: changing the caller bytes later changes nothing', () => {
    const tracker = createOutboundTracker();
    const peer = v4(1);
    tracker.connected(peer);
    peer.address[3] = 99;
    expect(Array.from(tracker.nextMessage(0)?.added[0]?.address ?? [])).toEqual([192, 0, 2, 1]);
  });
});

describe('outbound tracker: caller mistakes', () => {
  test.each<[PexOutboundOptions, string]>([
    [{ intervalMs: -1 }, '"intervalMs" expected a non-negative integer, got -1'],
    [{ intervalMs: 1.5 }, '"intervalMs" expected a non-negative integer, got 1.5'],
    [{ firstMessageMaxAdded: 0 }, '"firstMessageMaxAdded" expected a positive integer, got 0'],
    [
      { maxAddedPerMessage: Number.NaN },
      '"maxAddedPerMessage" expected a positive integer, got NaN',
    ],
    [{ maxDroppedPerMessage: -5 }, '"maxDroppedPerMessage" expected a positive integer, got -5'],
  ])('options %j throw a RangeError', (options, text) => {
    expect(() => createOutboundTracker(options)).toThrow(RangeError);
    expect(() => createOutboundTracker(options)).toThrow(text);
  });

  test('a remote that is not a peer key throws a TypeError', () => {
    expect(() => createOutboundTracker({ remote: {} as unknown as PeerKey })).toThrow(TypeError);
    expect(() => createOutboundTracker().setRemote(-1)).toThrow(TypeError);
  });

  test('malformed peers throw; nothing is recorded', () => {
    const tracker = createOutboundTracker();
    expect(() => tracker.connected({ address: new Uint8Array(5), port: 1 })).toThrow(TypeError);
    expect(() => tracker.connected({ address: new Uint8Array(4), port: 0 })).toThrow(RangeError);
    expect(() => tracker.connected({ address: new Uint8Array(4), port: 1, flags: 256 })).toThrow(
      RangeError,
    );
    expect(() => tracker.disconnected(null as unknown as CompactPeer)).toThrow(TypeError);
    expect(tracker.nextMessageAt()).toBeUndefined();
  });

  test('a time that is not a finite number throws a RangeError', () => {
    expect(() => createOutboundTracker().nextMessage(Number.NaN)).toThrow(RangeError);
  });
});
