import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  createSwarmTimeline,
  type PeerKey,
  type SwarmTimeline,
  type SwarmTimelineCursor,
} from '@pex/core';
import { DEFAULT_SEND_INTERVAL_MS } from '@pex/core/internal';
import fc from 'fast-check';
import {
  createPeerPool,
  expectConvergence,
  keyOf,
  type ModelSettings,
  RemoteModel,
  SMALL_CAPS as SMALL,
} from './support/outbound-model.js';

/** A second kind of connection: no interval, one peer per message, so cursors drift apart. */
const TINY: ModelSettings = {
  intervalMs: 0,
  firstMessageMaxAdded: 2,
  maxAddedPerMessage: 1,
  maxDroppedPerMessage: 1,
};
const POOL = createPeerPool(10, 5);
const CONNECTIONS = 4;

interface Model {
  readonly live: Map<PeerKey, number>;
  readonly remotes: Map<number, RemoteModel>;
}
interface Real {
  readonly timeline: SwarmTimeline;
  readonly cursors: Map<number, SwarmTimelineCursor>;
  now: number;
}
type TimelineCommand = fc.Command<Model, Real>;

const keyAt = (index: number) => keyOf(POOL[index] as CompactPeer);

const connect = (index: number, flags: number): TimelineCommand => ({
  check: () => true,
  run(model, real) {
    real.timeline.connected({ ...(POOL[index] as CompactPeer), flags });
    model.live.set(keyAt(index), flags);
    expect(real.timeline.livePeerCount).toBe(model.live.size);
  },
  toString: () => `connected(${index}, ${flags})`,
});

const disconnect = (index: number): TimelineCommand => ({
  check: () => true,
  run(model, real) {
    real.timeline.disconnected(POOL[index] as CompactPeer);
    model.live.delete(keyAt(index));
    expect(real.timeline.livePeerCount).toBe(model.live.size);
  },
  toString: () => `disconnected(${index})`,
});

const advance = (ms: number): TimelineCommand => ({
  check: () => true,
  run(_model, real) {
    real.now += ms;
  },
  toString: () => `advance(${ms})`,
});

const join = (
  id: number,
  remoteIndex: number | undefined,
  settings: ModelSettings,
): TimelineCommand => ({
  check: (model) => !model.remotes.has(id),
  run(model, real) {
    const remote = remoteIndex === undefined ? undefined : keyAt(remoteIndex);
    const options = settings === SMALL ? {} : { ...settings };
    real.cursors.set(
      id,
      real.timeline.join(remote === undefined ? options : { ...options, remote }),
    );
    model.remotes.set(id, new RemoteModel(settings, remote));
    expect(real.timeline.cursorCount).toBe(model.remotes.size);
  },
  toString: () => `join(${id}, remote ${remoteIndex}, interval ${settings.intervalMs})`,
});

const leave = (id: number): TimelineCommand => ({
  check: (model) => model.remotes.has(id),
  run(model, real) {
    const cursor = real.cursors.get(id) as SwarmTimelineCursor;
    cursor.leave();
    expect(cursor.nextMessageAt()).toBeUndefined();
    real.cursors.delete(id);
    model.remotes.delete(id);
    expect(real.timeline.cursorCount).toBe(model.remotes.size);
    if (model.remotes.size === 0) expect(real.timeline.retainedEventCount).toBe(0);
  },
  toString: () => `leave(${id})`,
});

const send = (id: number): TimelineCommand => ({
  check: (model) => model.remotes.has(id),
  run(model, real) {
    const remote = model.remotes.get(id) as RemoteModel;
    remote.poll(real.cursors.get(id) as SwarmTimelineCursor, real.now, model.live);
  },
  toString: () => `nextMessage(${id})`,
});

const reset = (id: number): TimelineCommand => ({
  check: (model) => model.remotes.has(id),
  run(model, real) {
    (real.cursors.get(id) as SwarmTimelineCursor).reset();
    (model.remotes.get(id) as RemoteModel).reset();
  },
  toString: () => `reset(${id})`,
});

const setRemote = (id: number, index: number | undefined): TimelineCommand => ({
  check: (model) => model.remotes.has(id),
  run(model, real) {
    const key = index === undefined ? undefined : keyAt(index);
    (real.cursors.get(id) as SwarmTimelineCursor).setRemote(key);
    (model.remotes.get(id) as RemoteModel).remote = key;
  },
  toString: () => `setRemote(${id}, ${index})`,
});

const peerIndex = fc.integer({ min: 0, max: POOL.length - 1 });
const connectionId = fc.integer({ min: 0, max: CONNECTIONS - 1 });
const flagByte = fc.constantFrom(0, 0x01, 0x10, 0x12, 0xff);
const maybePeer = fc.option(peerIndex, { nil: undefined, freq: 3 });

const timelineCommands = [
  fc.tuple(peerIndex, flagByte).map(([index, flags]) => connect(index, flags)),
  fc.tuple(peerIndex, flagByte).map(([index, flags]) => connect(index, flags)),
  peerIndex.map(disconnect),
  peerIndex.map(disconnect),
  fc.constantFrom(0, 1, 500, 999, 1000, 2500).map(advance),
  fc
    .tuple(connectionId, maybePeer, fc.constantFrom(SMALL, TINY))
    .map(([id, remote, settings]) => join(id, remote, settings)),
  connectionId.map(leave),
  connectionId.map(send),
  connectionId.map(send),
  connectionId.map(send),
  connectionId.map(reset),
  fc.tuple(connectionId, maybePeer).map(([id, remote]) => setRemote(id, remote)),
];

/** Polls every connection until all converge; then no event needs keeping any more. */
function expectAllConverge(model: Model, real: Real): void {
  for (const [id, remote] of model.remotes) {
    const cursor = real.cursors.get(id) as SwarmTimelineCursor;
    expectConvergence(cursor, remote, model.live, real.now, POOL.length + 2);
  }
  expect(real.timeline.retainedEventCount).toBe(0);
}

describe('swarm timeline: model-based, several connections joining and leaving', () => {
  test('every message keeps the sender rules and every remote converges to the live set', () => {
    fc.assert(
      fc.property(fc.commands(timelineCommands, { maxCommands: 150, size: 'max' }), (commands) => {
        const model: Model = { live: new Map(), remotes: new Map() };
        const real: Real = {
          timeline: createSwarmTimeline(SMALL),
          cursors: new Map(),
          now: 0,
        };
        fc.modelRun(() => ({ model, real }), commands);
        expectAllConverge(model, real);
      }),
      { numRuns: 400 },
    );
  });
});

const v4 = (last: number, port = 6881, flags?: number): CompactPeer => ({
  address: Uint8Array.from([192, 0, 2, last]),
  port,
  ...(flags === undefined ? {} : { flags }),
});
const ports = (peers: readonly CompactPeer[] | undefined) => (peers ?? []).map((peer) => peer.port);
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const INTERVAL = DEFAULT_SEND_INTERVAL_MS;

describe('swarm timeline: named cases', () => {
  test('a connection joining after many events gets the live list only, capped, then the rest', () => {
    const swarm = createSwarmTimeline();
    const early = swarm.join();
    for (let i = 0; i < 300; i++) swarm.connected(v4(1, 1000 + i));
    for (let i = 0; i < 150; i++) swarm.disconnected(v4(1, 1000 + i));
    const late = swarm.join();
    const first = late.nextMessage(0);
    expect(ports(first?.added)).toEqual(range(1150, 100));
    expect(first?.dropped).toEqual([]);
    expect(ports(late.nextMessage(INTERVAL)?.added)).toEqual(range(1250, 50));
    expect(late.nextMessage(2 * INTERVAL)).toBeUndefined();
    // The early connection never sent anything: its first message is the live list too.
    expect(ports(early.nextMessage(0)?.added)).toEqual(range(1150, 100));
  });

  test('add + drop in one window: not mentioned; drop then re-add: not mentioned', () => {
    const swarm = createSwarmTimeline();
    const cursor = swarm.join();
    swarm.connected(v4(1));
    cursor.nextMessage(0);
    swarm.connected(v4(2));
    swarm.disconnected(v4(2));
    swarm.disconnected(v4(1));
    swarm.connected(v4(1));
    expect(cursor.nextMessage(INTERVAL)).toBeUndefined();
    expect(cursor.nextMessageAt()).toBeUndefined();
  });

  test('more than 50 changes: 50 per message, oldest first, to every connection', () => {
    const swarm = createSwarmTimeline();
    const cursors = [swarm.join(), swarm.join(), swarm.join()];
    swarm.connected(v4(200));
    for (const cursor of cursors) cursor.nextMessage(0);
    for (let i = 0; i < 120; i++) swarm.connected(v4(1, 1000 + i));
    for (const cursor of cursors) {
      expect(ports(cursor.nextMessage(INTERVAL)?.added)).toEqual(range(1000, 50));
      expect(ports(cursor.nextMessage(2 * INTERVAL)?.added)).toEqual(range(1050, 50));
      expect(ports(cursor.nextMessage(3 * INTERVAL)?.added)).toEqual(range(1100, 20));
    }
    expect(swarm.retainedEventCount).toBe(0);
  });

  test('flag change: re-announced in added with the new flags, never dropped', () => {
    const swarm = createSwarmTimeline();
    const cursor = swarm.join();
    swarm.connected(v4(1, 6881, 0x00));
    cursor.nextMessage(0);
    swarm.connected(v4(1, 6881, 0x02));
    const message = cursor.nextMessage(INTERVAL);
    expect(message?.added).toEqual([{ address: v4(1).address, port: 6881, flags: 0x02 }]);
    expect(message?.dropped).toEqual([]);
  });

  test('flag changes cost one event per change, none for the same flags, and cancel out', () => {
    const swarm = createSwarmTimeline();
    const cursor = swarm.join();
    swarm.connected(v4(1, 6881, 0x00));
    cursor.nextMessage(0);
    // The same flags again (a wire repeating what it said): no event, nothing to send.
    for (let i = 0; i < 100; i++) swarm.connected(v4(1, 6881, 0x00));
    expect(swarm.retainedEventCount).toBe(0);
    expect(cursor.nextMessageAt()).toBeUndefined();
    // Changed and changed back before the next message: one event, and nothing is mentioned.
    swarm.connected(v4(1, 6881, 0x02));
    swarm.connected(v4(1, 6881, 0x00));
    expect(swarm.retainedEventCount).toBe(1);
    expect(cursor.nextMessage(INTERVAL)).toBeUndefined();
    // Changed twice: one re-announce with the newest flags, no drop.
    swarm.connected(v4(1, 6881, 0x02));
    swarm.connected(v4(1, 6881, 0x12));
    expect(cursor.nextMessage(2 * INTERVAL)).toEqual({
      added: [{ address: v4(1).address, port: 6881, flags: 0x12 }],
      added6: [],
      dropped: [],
      dropped6: [],
    });
  });

  test('a peer added, then pushed out of a capped message and dropped, is never advertised', () => {
    const swarm = createSwarmTimeline({ maxAddedPerMessage: 2 });
    const cursor = swarm.join();
    swarm.connected(v4(200));
    cursor.nextMessage(0);
    swarm.connected(v4(1));
    swarm.connected(v4(2));
    swarm.connected(v4(3));
    swarm.disconnected(v4(3));
    expect(ports(cursor.nextMessage(INTERVAL)?.added)).toEqual([6881, 6881]);
    expect(cursor.nextMessage(2 * INTERVAL)).toBeUndefined();
  });

  test('a peer told ahead of its events, then changed again, is not left behind', () => {
    const swarm = createSwarmTimeline({ intervalMs: 0 });
    const fast = swarm.join();
    const slow = swarm.join({ maxAddedPerMessage: 1 });
    swarm.connected(v4(200));
    fast.nextMessage(0);
    slow.nextMessage(0);
    swarm.connected(v4(1, 6881, 0x00));
    swarm.connected(v4(2));
    fast.nextMessage(1);
    swarm.connected(v4(1, 6881, 0x01));
    // The slow connection is told peer 1 with its current flags at its first event; peer 2 waits.
    expect(slow.nextMessage(1)?.added).toEqual([
      { address: v4(1).address, port: 6881, flags: 0x01 },
    ]);
    swarm.connected(v4(1, 6881, 0x02));
    expect(ports(slow.nextMessage(2)?.added)).toEqual([6881]);
    expect(slow.nextMessage(3)?.added).toEqual([
      { address: v4(1).address, port: 6881, flags: 0x02 },
    ]);
    expect(slow.nextMessage(4)).toBeUndefined();
    expect(fast.nextMessage(4)?.added).toEqual([
      { address: v4(1).address, port: 6881, flags: 0x02 },
    ]);
  });

  test('a connection is never told about its own remote', () => {
    const remote = v4(7, 7000);
    const swarm = createSwarmTimeline();
    const cursor = swarm.join({ remote: keyOf(remote) });
    swarm.connected(remote);
    swarm.connected(v4(1));
    expect(ports(cursor.nextMessage(0)?.added)).toEqual([6881]);
    swarm.disconnected(remote);
    expect(cursor.nextMessage(INTERVAL)).toBeUndefined();
  });

  test('options of join override those of the timeline', () => {
    const swarm = createSwarmTimeline({ intervalMs: 5000 });
    const fast = swarm.join({ intervalMs: 10 });
    swarm.connected(v4(1));
    fast.nextMessage(0);
    swarm.connected(v4(2));
    expect(fast.nextMessageAt()).toBe(10);
  });

  test('messages own their address bytes: changing one changes no later message', () => {
    const swarm = createSwarmTimeline({ intervalMs: 0 });
    const first = swarm.join();
    const second = swarm.join();
    const peer = v4(1, 6881, 0x01);
    swarm.connected(peer);
    const sent = first.nextMessage(0)?.added[0];
    if (sent !== undefined) sent.address[3] = 99;
    expect(sent?.address[3]).toBe(99);
    peer.address[3] = 98;
    expect(second.nextMessage(0)?.added).toEqual([
      { address: Uint8Array.from([192, 0, 2, 1]), port: 6881, flags: 0x01 },
    ]);
    swarm.disconnected(v4(1));
    expect(first.nextMessage(1)?.dropped).toEqual([
      { address: Uint8Array.from([192, 0, 2, 1]), port: 6881 },
    ]);
  });

  test('leaving releases the events kept for that connection', () => {
    const swarm = createSwarmTimeline();
    const slow = swarm.join();
    const fast = swarm.join({ intervalMs: 0 });
    swarm.connected(v4(1));
    slow.nextMessage(0);
    fast.nextMessage(0);
    for (let i = 0; i < 10; i++) swarm.connected(v4(2, 1000 + i));
    fast.nextMessage(1);
    expect(swarm.retainedEventCount).toBe(10);
    slow.leave();
    expect(swarm.retainedEventCount).toBe(0);
    expect(slow.nextMessage(INTERVAL)).toBeUndefined();
  });

  test('churn of one peer while a connection waits keeps memory bounded', () => {
    const swarm = createSwarmTimeline();
    const cursor = swarm.join();
    swarm.connected(v4(200));
    cursor.nextMessage(0);
    for (let i = 0; i < 100_000; i++) {
      swarm.connected(v4(1, 1000 + (i % 10)));
      swarm.disconnected(v4(1, 1000 + (i % 10)));
    }
    expect(swarm.retainedEventCount).toBeLessThanOrEqual(10);
    expect(cursor.nextMessage(INTERVAL)).toBeUndefined();
    expect(swarm.retainedEventCount).toBe(0);
  });

  test('churn across many distinct peers is compacted as the slowest cursor advances', () => {
    const swarm = createSwarmTimeline({ intervalMs: 0, maxAddedPerMessage: 50 });
    const cursors = [swarm.join(), swarm.join()];
    swarm.connected(v4(200));
    for (const cursor of cursors) cursor.nextMessage(0);
    let now = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 40; i++) swarm.connected(v6Peer(round * 40 + i));
      for (let i = 0; i < 40; i++) swarm.disconnected(v6Peer((round - 1) * 40 + i));
      now++;
      for (const cursor of cursors) cursor.nextMessage(now);
      expect(swarm.retainedEventCount).toBeLessThanOrEqual(80);
    }
    expect(swarm.livePeerCount).toBe(41);
  });

  test('churn with 1 or 2000 waiting connections: the same retained events, compaction steps and collection operations (no per-connection work)', () => {
    // Speed is measured by the benchmark suite, not here. Work is counted instead: the calls into
    // the built-in collections (Map, Set, arrays and their iterators) and the timeline's own
    // compaction steps, during the same churn, with 1 and with 2000 connections waiting.
    const churn = (connections: number) => {
      const swarm = createSwarmTimeline();
      const cursors = Array.from({ length: connections }, () => swarm.join());
      swarm.connected(v4(200));
      for (const cursor of cursors) cursor.nextMessage(0);
      const stepsBefore = swarm.compactionSteps;
      const operations = countCollectionOperations(() => {
        for (let i = 0; i < 5_000; i++) {
          swarm.connected(v6Peer(i));
          swarm.disconnected(v6Peer(i - 1));
        }
      });
      const churnSteps = swarm.compactionSteps - stepsBefore;
      const retained = swarm.retainedEventCount;
      // One more connection comes and goes while the others wait.
      const joinAndLeave = countCollectionOperations(() => {
        const extra = swarm.join();
        extra.nextMessage(0);
        extra.leave();
      });
      for (const cursor of cursors) cursor.nextMessage(Number.MAX_SAFE_INTEGER);
      return {
        retained,
        afterPoll: swarm.retainedEventCount,
        live: swarm.livePeerCount,
        cursors: swarm.cursorCount,
        operations,
        churnSteps,
        joinAndLeave,
      };
    };
    const one = churn(1);
    const many = churn(2000);
    expect(many.cursors).toBe(2000);
    expect(many.live).toBe(one.live);
    // Events of peers that came and went wait for the slowest cursor's next message (bounded by
    // what happens within one interval), then go.
    expect(many.retained).toBe(one.retained);
    expect(many.afterPoll).toBe(one.afterPoll);
    expect(many.afterPoll).toBe(0);
    // The work of 10,000 changes and of one connection coming and going: the same, to the call.
    expect(one.operations).toBeGreaterThanOrEqual(10_000);
    expect(many.operations).toBe(one.operations);
    expect(many.churnSteps).toBe(one.churnSteps);
    expect(one.joinAndLeave).toBeGreaterThan(0);
    expect(many.joinAndLeave).toBe(one.joinAndLeave);
  });

  test('control: the operation count sees a timeline that touches every connection per change', () => {
    // Each change is queued for every connection: the work the test above must be able to see.
    const changes = 100;
    const naive = (connections: number) => {
      const queues: PeerKey[][] = Array.from({ length: connections }, () => []);
      return countCollectionOperations(() => {
        for (let i = 0; i < changes; i++) {
          const key = keyOf(v6Peer(i));
          for (const queue of queues) queue.push(key);
        }
      });
    };
    // One push per change per connection more.
    expect(naive(2000) - naive(1)).toBe(1999 * changes);
  });

  test('cursors moving in step: compaction work per round is O(1), not one pass over the cursors per cursor', () => {
    // Work is counted in steps, not timed: a clock has no place in a unit test. Before this was
    // counted, each cursor leaving the oldest position scanned every cursor: W^2 steps per round.
    const connections = 1000;
    const rounds = 20;
    const swarm = createSwarmTimeline();
    const cursors = Array.from({ length: connections }, () => swarm.join());
    swarm.connected(v4(200));
    for (const cursor of cursors) cursor.nextMessage(0);
    let now = 0;
    for (let round = 0; round < rounds; round++) {
      for (const change of ['connected', 'disconnected'] as const) {
        swarm[change](v4(1, 1000 + round));
        now += INTERVAL;
        let messages = 0;
        for (const cursor of cursors) if (cursor.nextMessage(now) !== undefined) messages++;
        expect(messages).toBe(connections);
        // Memory: once every cursor has read an event, it is gone.
        expect(swarm.retainedEventCount).toBe(0);
      }
    }
    // About one step per released event (the last cursor to move on releases it), 2 per round.
    expect(swarm.compactionSteps).toBeLessThanOrEqual(2 * 2 * rounds);
  });

  test('staggered cursors, the oldest moving each time: compaction work stays linear in the events', () => {
    // Each poll moves the oldest cursor to the end of the log, so the oldest position changes at
    // every message: finding it by scanning the cursors (or counting only those at the oldest
    // position, then scanning) would cost W steps per message.
    const connections = 300;
    const polls = 3 * connections;
    const swarm = createSwarmTimeline({ intervalMs: 0, maxAddedPerMessage: connections + 1 });
    const cursors = Array.from({ length: connections }, () => swarm.join());
    swarm.connected(v4(200));
    for (const cursor of cursors) cursor.nextMessage(0);
    for (let i = 0; i < polls; i++) {
      swarm.connected(v6Peer(i));
      expect(cursors[i % connections]?.nextMessage(i + 1)?.added6.length).toBeGreaterThan(0);
      // The log holds the events since the oldest cursor: at most one per connection.
      expect(swarm.retainedEventCount).toBeLessThanOrEqual(connections);
    }
    expect(swarm.compactionSteps).toBeLessThanOrEqual(2 * polls);
    for (const cursor of cursors) cursor.leave();
    expect(swarm.retainedEventCount).toBe(0);
  });
});

/**
 * Built-in methods whose calls `countCollectionOperations` counts: those of Map, Set and arrays,
 * and the steps of Map and Set iterators. Not the steps of an array's `for...of`: wrapping the
 * array iterator makes every later `for...of` in the process take the slow path (this file ran
 * twice as long), so a loop over an array of connections shows only through what it calls.
 */
const COUNTED_METHODS: readonly [object, readonly string[]][] = [
  [Map.prototype, ['get', 'set', 'has', 'delete', 'clear', 'forEach', 'keys', 'values', 'entries']],
  [Set.prototype, ['add', 'has', 'delete', 'clear', 'forEach', 'keys', 'values', 'entries']],
  [
    Array.prototype,
    ['push', 'pop', 'shift', 'unshift', 'splice', 'slice', 'indexOf', 'includes', 'forEach'],
  ],
  [Object.getPrototypeOf(new Map()[Symbol.iterator]()), ['next']],
  [Object.getPrototypeOf(new Set()[Symbol.iterator]()), ['next']],
];

/**
 * Runs `run` and returns how many calls it made to the methods of `COUNTED_METHODS` (a `forEach`
 * counts one per element): a count of work that needs no clock. The methods are wrapped for the
 * call only and put back after it.
 */
function countCollectionOperations(run: () => void): number {
  let count = 0;
  const restore: (() => void)[] = [];
  for (const [prototype, names] of COUNTED_METHODS) {
    for (const name of names) {
      const target = prototype as Record<string, unknown>;
      const original = target[name] as (...args: unknown[]) => unknown;
      target[name] = function (this: unknown, ...args: unknown[]) {
        // A forEach is one step per element.
        count +=
          name === 'forEach'
            ? ((this as { length?: number; size?: number }).length ??
              (this as { size?: number }).size ??
              1)
            : 1;
        return original.apply(this, args);
      };
      restore.push(() => {
        target[name] = original;
      });
    }
  }
  try {
    run();
  } finally {
    for (const undo of restore) undo();
  }
  return count;
}

function v6Peer(index: number): CompactPeer {
  const address = new Uint8Array(16);
  address.set([0x20, 0x01, 0x0d, 0xb8]);
  address[14] = (index >> 8) & 0xff;
  address[15] = index & 0xff;
  return { address, port: 1 + ((index >>> 16) & 0xfff) };
}
