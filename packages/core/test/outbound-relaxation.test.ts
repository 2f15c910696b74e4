// BEP 11's relaxation for underpopulated lists ("Filling underpopulated lists"), in the outbound
// tracker and the swarm timeline: model-based runs with the shared RemoteModel, which checks
// every relaxed peer (family below the threshold, a qualifying departure not yet told, among the
// newest, never while held) and that each is dropped in the very next message, plus named cases.
import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  createOutboundTracker,
  createSwarmTimeline,
  type OutboundTracker,
  type PeerKey,
  type SwarmTimeline,
  type SwarmTimelineCursor,
} from '@pex/core';
import { RELAXATION_LIVE_PEERS_BELOW, RELAXATION_MAX_DEPARTED } from '@pex/core/internal';
import fc from 'fast-check';
import {
  createPeerPool,
  DepartureModel,
  expectConvergence,
  keyOf,
  type ModelSettings,
  RemoteModel,
  SMALL_CAPS,
} from './support/outbound-model.js';

const POOL = createPeerPool(10, 5);
/** Small numbers, so that short runs cross the threshold both ways and fill the list. */
const RELAXED: ModelSettings = {
  ...SMALL_CAPS,
  relaxation: { livePeersBelow: 4, maxDeparted: 3 },
};
/** A connection of the timeline with a narrower relaxation and one peer per message. */
const NARROW: ModelSettings = {
  intervalMs: 0,
  firstMessageMaxAdded: 2,
  maxAddedPerMessage: 1,
  maxDroppedPerMessage: 1,
  relaxation: { livePeersBelow: 2, maxDeparted: 1 },
};
const CONNECTIONS = 3;
/** Enough messages for the ordinary changes and every departure to be told and dropped. */
const CONVERGENCE_MESSAGES = POOL.length * 3;

const peerAt = (index: number) => POOL[index] as CompactPeer;
const peerIndex = fc.integer({ min: 0, max: POOL.length - 1 });
const flagByte = fc.constantFrom(0, 0x02, 0x10, 0x12);
const advanceBy = fc.constantFrom(0, 1, 500, 999, 1000, 2500);

/** What both subjects share in the model: our live peers and the qualifying departures. */
interface LiveModel {
  readonly live: Map<PeerKey, number>;
  readonly departures: DepartureModel;
}

function connectInModel(model: LiveModel, index: number, flags: number): void {
  const key = keyOf(peerAt(index));
  model.live.set(key, flags);
  model.departures.connected(key);
}

function disconnectInModel(model: LiveModel, index: number, qualifies: boolean): void {
  const key = keyOf(peerAt(index));
  if (qualifies && model.live.has(key)) model.departures.departed(key);
  model.live.delete(key);
}

describe('outbound tracker with the relaxation: model-based', () => {
  interface Model extends LiveModel {
    readonly remote: RemoteModel;
  }
  interface Real {
    readonly tracker: OutboundTracker;
    now: number;
  }
  type Command = fc.Command<Model, Real>;

  const connect = (index: number, flags: number): Command => ({
    check: () => true,
    run(model, real) {
      real.tracker.connected({ ...peerAt(index), flags });
      connectInModel(model, index, flags);
    },
    toString: () => `connected(${index}, ${flags})`,
  });
  const disconnect = (index: number, qualifies: boolean): Command => ({
    check: () => true,
    run(model, real) {
      real.tracker.disconnected(peerAt(index), { qualifies });
      disconnectInModel(model, index, qualifies);
    },
    toString: () => `disconnected(${index}, { qualifies: ${qualifies} })`,
  });
  const advance = (ms: number): Command => ({
    check: () => true,
    run(_model, real) {
      real.now += ms;
    },
    toString: () => `advance(${ms})`,
  });
  const send = (): Command => ({
    check: () => true,
    run(model, real) {
      model.remote.poll(real.tracker, real.now, model.live);
    },
    toString: () => 'nextMessage',
  });
  const reset = (): Command => ({
    check: () => true,
    run(model, real) {
      real.tracker.reset();
      model.remote.reset();
    },
    toString: () => 'reset',
  });
  const setRemote = (index: number | undefined): Command => ({
    check: () => true,
    run(model, real) {
      const key = index === undefined ? undefined : keyOf(peerAt(index));
      real.tracker.setRemote(key);
      model.remote.remote = key;
    },
    toString: () => `setRemote(${index})`,
  });

  const commands = [
    fc.tuple(peerIndex, flagByte).map(([index, flags]) => connect(index, flags)),
    fc.tuple(peerIndex, flagByte).map(([index, flags]) => connect(index, flags)),
    fc.tuple(peerIndex, fc.boolean()).map(([index, qualifies]) => disconnect(index, qualifies)),
    fc.tuple(peerIndex, fc.boolean()).map(([index, qualifies]) => disconnect(index, qualifies)),
    advanceBy.map(advance),
    fc.constant(null).map(send),
    fc.constant(null).map(send),
    fc.constant(null).map(reset),
    fc.option(peerIndex, { nil: undefined, freq: 4 }).map(setRemote),
  ];

  test('relaxed peers keep BEP 11 and are dropped in the next message; the sender rules hold; the remote converges', () => {
    let relaxedSeen = 0;
    fc.assert(
      fc.property(
        fc.commands(commands, { maxCommands: 120, size: 'max' }),
        fc.option(peerIndex, { nil: undefined, freq: 3 }),
        (cmds, remoteIndex) => {
          const remote = remoteIndex === undefined ? undefined : keyOf(peerAt(remoteIndex));
          const departures = new DepartureModel();
          const model: Model = {
            live: new Map(),
            departures,
            remote: new RemoteModel(RELAXED, remote, departures),
          };
          const real: Real = {
            tracker: createOutboundTracker({
              ...RELAXED,
              ...(remote === undefined ? {} : { remote }),
            }),
            now: 0,
          };
          fc.modelRun(() => ({ model, real }), cmds);
          expectConvergence(real.tracker, model.remote, model.live, real.now, CONVERGENCE_MESSAGES);
          relaxedSeen += model.remote.relaxedCount;
        },
      ),
      { numRuns: 300 },
    );
    // The runs did exercise the relaxation.
    expect(relaxedSeen).toBeGreaterThan(100);
  });
});

describe('swarm timeline with the relaxation: model-based, several connections', () => {
  interface Model extends LiveModel {
    readonly remotes: Map<number, RemoteModel>;
  }
  interface Real {
    readonly timeline: SwarmTimeline;
    readonly cursors: Map<number, SwarmTimelineCursor>;
    now: number;
  }
  type Command = fc.Command<Model, Real>;

  const connect = (index: number, flags: number): Command => ({
    check: () => true,
    run(model, real) {
      real.timeline.connected({ ...peerAt(index), flags });
      connectInModel(model, index, flags);
    },
    toString: () => `connected(${index}, ${flags})`,
  });
  const disconnect = (index: number, qualifies: boolean): Command => ({
    check: () => true,
    run(model, real) {
      real.timeline.disconnected(peerAt(index), { qualifies });
      disconnectInModel(model, index, qualifies);
    },
    toString: () => `disconnected(${index}, { qualifies: ${qualifies} })`,
  });
  const advance = (ms: number): Command => ({
    check: () => true,
    run(_model, real) {
      real.now += ms;
    },
    toString: () => `advance(${ms})`,
  });
  const join = (id: number, remoteIndex: number | undefined, settings: ModelSettings): Command => ({
    check: (model) => !model.remotes.has(id),
    run(model, real) {
      const remote = remoteIndex === undefined ? undefined : keyOf(peerAt(remoteIndex));
      // RELAXED is the timeline's own setting; NARROW overrides it for its connection.
      const options = settings === RELAXED ? {} : { ...settings };
      real.cursors.set(
        id,
        real.timeline.join(remote === undefined ? options : { ...options, remote }),
      );
      model.remotes.set(id, new RemoteModel(settings, remote, model.departures));
    },
    toString: () =>
      `join(${id}, remote ${remoteIndex}, ${settings === RELAXED ? 'relaxed' : 'narrow'})`,
  });
  const leave = (id: number): Command => ({
    check: (model) => model.remotes.has(id),
    run(model, real) {
      (real.cursors.get(id) as SwarmTimelineCursor).leave();
      real.cursors.delete(id);
      model.remotes.delete(id);
    },
    toString: () => `leave(${id})`,
  });
  const send = (id: number): Command => ({
    check: (model) => model.remotes.has(id),
    run(model, real) {
      const remote = model.remotes.get(id) as RemoteModel;
      remote.poll(real.cursors.get(id) as SwarmTimelineCursor, real.now, model.live);
    },
    toString: () => `nextMessage(${id})`,
  });
  const reset = (id: number): Command => ({
    check: (model) => model.remotes.has(id),
    run(model, real) {
      (real.cursors.get(id) as SwarmTimelineCursor).reset();
      (model.remotes.get(id) as RemoteModel).reset();
    },
    toString: () => `reset(${id})`,
  });
  const setRemote = (id: number, index: number | undefined): Command => ({
    check: (model) => model.remotes.has(id),
    run(model, real) {
      const key = index === undefined ? undefined : keyOf(peerAt(index));
      (real.cursors.get(id) as SwarmTimelineCursor).setRemote(key);
      (model.remotes.get(id) as RemoteModel).remote = key;
    },
    toString: () => `setRemote(${id}, ${index})`,
  });

  const connectionId = fc.integer({ min: 0, max: CONNECTIONS - 1 });
  const maybePeer = fc.option(peerIndex, { nil: undefined, freq: 3 });
  const commands = [
    fc.tuple(peerIndex, flagByte).map(([index, flags]) => connect(index, flags)),
    fc.tuple(peerIndex, flagByte).map(([index, flags]) => connect(index, flags)),
    fc.tuple(peerIndex, fc.boolean()).map(([index, qualifies]) => disconnect(index, qualifies)),
    fc.tuple(peerIndex, fc.boolean()).map(([index, qualifies]) => disconnect(index, qualifies)),
    advanceBy.map(advance),
    fc
      .tuple(connectionId, maybePeer, fc.constantFrom(RELAXED, NARROW))
      .map(([id, remote, settings]) => join(id, remote, settings)),
    connectionId.map(leave),
    connectionId.map(send),
    connectionId.map(send),
    connectionId.map(send),
    connectionId.map(reset),
    fc.tuple(connectionId, maybePeer).map(([id, remote]) => setRemote(id, remote)),
  ];

  test('every connection keeps BEP 11 for relaxed peers and the sender rules; every remote converges; the log empties', () => {
    let relaxedSeen = 0;
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 150, size: 'max' }), (cmds) => {
        const model: Model = {
          live: new Map(),
          departures: new DepartureModel(),
          remotes: new Map(),
        };
        const real: Real = { timeline: createSwarmTimeline(RELAXED), cursors: new Map(), now: 0 };
        fc.modelRun(() => ({ model, real }), cmds);
        for (const [id, remote] of model.remotes) {
          const cursor = real.cursors.get(id) as SwarmTimelineCursor;
          expectConvergence(cursor, remote, model.live, real.now, CONVERGENCE_MESSAGES);
          relaxedSeen += remote.relaxedCount;
        }
        expect(real.timeline.retainedEventCount).toBe(0);
      }),
      { numRuns: 300 },
    );
    expect(relaxedSeen).toBeGreaterThan(100);
  });
});

describe('the relaxation: named cases', () => {
  const v4 = (host: number, port = 6881): CompactPeer => ({
    address: Uint8Array.of(198, 51, 100, host),
    port,
  });
  const ports = (peers: readonly CompactPeer[]) => peers.map((p) => p.port).sort((a, b) => a - b);
  const INTERVAL = 60_000;

  test("BEP 11's numbers are the defaults: fewer than 25 live peers, 25 departures", () => {
    expect(RELAXATION_LIVE_PEERS_BELOW).toBe(25);
    expect(RELAXATION_MAX_DEPARTED).toBe(25);
  });

  test('a seed with no live peer left tells a new remote of the peers that left, then drops them', () => {
    // Two downloaders finished and we (a seed) disconnected them: no mutual interest.
    for (const subject of [
      createOutboundTracker({ intervalMs: INTERVAL, relaxation: {} }),
      createSwarmTimeline({ intervalMs: INTERVAL, relaxation: {} }),
    ]) {
      const outbound = 'join' in subject ? subject.join() : subject;
      subject.connected({ ...v4(1, 6001), flags: 0x02 });
      subject.connected({ ...v4(2, 6002), flags: 0x10 });
      subject.disconnected(v4(1, 6001), { qualifies: true });
      subject.disconnected(v4(2, 6002), { qualifies: true });
      const first = outbound.nextMessage(0);
      expect(ports(first?.added ?? [])).toEqual([6001, 6002]);
      expect(first?.added.find((p) => p.port === 6001)?.flags).toBe(0x02);
      expect(outbound.nextMessageAt()).toBe(INTERVAL);
      const second = outbound.nextMessage(INTERVAL);
      expect(second?.added).toEqual([]);
      expect(ports(second?.dropped ?? [])).toEqual([6001, 6002]);
      // Told once: nothing more to say.
      expect(outbound.nextMessageAt()).toBeUndefined();
    }
  });

  test('off by default: a qualifying departure is an ordinary one', () => {
    const tracker = createOutboundTracker({ intervalMs: INTERVAL });
    tracker.connected(v4(1));
    tracker.disconnected(v4(1), { qualifies: true });
    expect(tracker.nextMessageAt()).toBeUndefined();
    expect(tracker.nextMessage(0)).toBeUndefined();
  });

  test('only a qualifying departure, only below the threshold, and only of that family', () => {
    const tracker = createOutboundTracker({
      intervalMs: 0,
      relaxation: { livePeersBelow: 2 },
    });
    tracker.connected(v4(1, 6001));
    tracker.connected(v4(2, 6002));
    tracker.connected(v4(3, 6003));
    expect(ports(tracker.nextMessage(0)?.added ?? [])).toEqual([6001, 6002, 6003]);
    // 6001 leaves without a qualifying reason; 6002 qualifies, but 2 peers are still live.
    tracker.disconnected(v4(1, 6001));
    tracker.disconnected(v4(2, 6002), { qualifies: true });
    expect(ports(tracker.nextMessage(1)?.dropped ?? [])).toEqual([6001, 6002]);
    expect(tracker.nextMessage(2)).toBeUndefined();
    // 1 live peer now, but 6002 was dropped to this remote after it left: not added again.
    tracker.disconnected(v4(3, 6003), { qualifies: true });
    const message = tracker.nextMessage(3);
    expect(ports(message?.dropped ?? [])).toEqual([6003]);
    expect(message?.added).toEqual([]);
    expect(tracker.nextMessage(4)).toBeUndefined();
    // A peer that connects and leaves between two messages (elided otherwise) is added once.
    tracker.connected(v4(4, 6004));
    tracker.disconnected(v4(4, 6004), { qualifies: true });
    expect(ports(tracker.nextMessage(5)?.added ?? [])).toEqual([6004]);
    expect(ports(tracker.nextMessage(6)?.dropped ?? [])).toEqual([6004]);
    expect(tracker.nextMessage(7)).toBeUndefined();
  });

  test('at most 25 per family, the newest, and never more than the next message can drop', () => {
    const tracker = createOutboundTracker({ intervalMs: 0, relaxation: {} });
    for (let host = 1; host <= 40; host++) tracker.connected(v4(host));
    tracker.nextMessage(0);
    for (let host = 1; host <= 40; host++) tracker.disconnected(v4(host), { qualifies: true });
    // The 40 drops go first (they are ordinary changes); then nothing is left to relax: every
    // departure was told by its drop.
    let now = 1;
    let message = tracker.nextMessage(now++);
    expect(message?.dropped).toHaveLength(40);
    expect(tracker.nextMessage(now++)).toBeUndefined();
    // 30 peers that came and went unseen: the newest 25 are added, then dropped.
    for (let host = 101; host <= 130; host++) {
      tracker.connected(v4(host));
      tracker.disconnected(v4(host), { qualifies: true });
    }
    message = tracker.nextMessage(now++);
    expect(message?.added.map((p) => p.address[3])).toEqual(
      Array.from({ length: 25 }, (_, i) => 130 - i),
    );
    message = tracker.nextMessage(now++);
    expect(message?.dropped).toHaveLength(25);
    expect(message?.added).toEqual([]);
    expect(tracker.nextMessage(now++)).toBeUndefined();

    const small = createOutboundTracker({
      intervalMs: 0,
      maxDroppedPerMessage: 2,
      relaxation: {},
    });
    for (let host = 1; host <= 5; host++) {
      small.connected(v4(host));
      small.disconnected(v4(host), { qualifies: true });
    }
    // Two per message (the next one must drop them), newest first.
    expect(small.nextMessage(0)?.added.map((p) => p.address[3])).toEqual([5, 4]);
    const next = small.nextMessage(1);
    expect(next?.dropped.map((p) => p.address[3]).sort()).toEqual([4, 5]);
    expect(next?.added.map((p) => p.address[3])).toEqual([3, 2]);
  });

  test('a relaxed peer we connect to again before the next message is not dropped', () => {
    const timeline = createSwarmTimeline({ intervalMs: 0, relaxation: {} });
    const cursor = timeline.join();
    timeline.connected({ ...v4(1), flags: 0x10 });
    timeline.disconnected(v4(1), { qualifies: true });
    expect(cursor.nextMessage(0)?.added).toHaveLength(1);
    timeline.connected({ ...v4(1), flags: 0x10 });
    expect(cursor.nextMessage(1)).toBeUndefined();
    timeline.disconnected(v4(1));
    expect(cursor.nextMessage(2)?.dropped).toHaveLength(1);
  });

  test('options and arguments are checked', () => {
    expect(() => createOutboundTracker({ relaxation: { livePeersBelow: 26 } })).toThrow(
      new RangeError('"relaxation.livePeersBelow" expected an integer 1..25, got 26'),
    );
    expect(() => createSwarmTimeline({ relaxation: { maxDeparted: 0 } })).toThrow(RangeError);
    for (const [given, shown] of [
      [1, '1'],
      [null, 'null'],
      ['on', '"on"'],
      [true, 'true'],
    ] as const) {
      const expected = new TypeError(`"relaxation" expected an object, got ${shown}`);
      expect(() => createOutboundTracker({ relaxation: given as never })).toThrow(expected);
      expect(() => createSwarmTimeline({ relaxation: given as never })).toThrow(expected);
    }
    const tracker = createOutboundTracker({ relaxation: {} });
    expect(() => tracker.disconnected(v4(1), 'yes' as never)).toThrow(
      new TypeError('"how" expected an object, got "yes"'),
    );
    expect(() => tracker.disconnected(v4(1), { qualifies: 1 as never })).toThrow(TypeError);
  });
});
