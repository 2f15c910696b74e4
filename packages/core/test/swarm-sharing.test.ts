// Cursors of a swarm timeline that stand at the same place in the log, with nothing of their own
// to tell, share one message and one encoding. Sharing must change no message: a timeline that
// shares is run side by side with one whose cursors each build their own, and every answer must
// be the same.
import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  createSwarmTimeline,
  encodePexMessage,
  type PexOutboundOptions,
  type SwarmTimeline,
  type SwarmTimelineCursor,
} from '@pex/core';
import { createUnsharedSwarmTimeline } from '@pex/core/internal';
import fc from 'fast-check';
import { createPeerPool, keyOf } from './support/outbound-model.js';

const POOL = createPeerPool(8, 4);
const CONNECTIONS = 5;

/** Two kinds of connection: same caps (so they share), and a narrow one that drifts apart. */
const JOIN_OPTIONS: readonly PexOutboundOptions[] = [
  {},
  { intervalMs: 0, firstMessageMaxAdded: 2, maxAddedPerMessage: 1, maxDroppedPerMessage: 1 },
];
const TIMELINE_OPTIONS: readonly PexOutboundOptions[] = [
  { intervalMs: 1000, firstMessageMaxAdded: 3, maxAddedPerMessage: 2, maxDroppedPerMessage: 2 },
  {
    intervalMs: 1000,
    firstMessageMaxAdded: 3,
    maxAddedPerMessage: 2,
    maxDroppedPerMessage: 2,
    relaxation: { livePeersBelow: 4, maxDeparted: 2 },
  },
];

type Command =
  | { readonly kind: 'connect'; readonly peer: number; readonly flags: number }
  | { readonly kind: 'disconnect'; readonly peer: number; readonly qualifies: boolean }
  | { readonly kind: 'advance'; readonly ms: number }
  | {
      readonly kind: 'join';
      readonly id: number;
      readonly remote: number | undefined;
      readonly options: number;
    }
  | { readonly kind: 'leave' | 'reset' | 'send'; readonly id: number }
  | { readonly kind: 'sendAll' }
  | { readonly kind: 'setRemote'; readonly id: number; readonly remote: number | undefined };

const peerIndex = fc.integer({ min: 0, max: POOL.length - 1 });
const connectionId = fc.integer({ min: 0, max: CONNECTIONS - 1 });
const maybePeer = fc.option(peerIndex, { nil: undefined, freq: 3 });
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('connect' as const),
    peer: peerIndex,
    flags: fc.constantFrom(0, 0x01, 0x10),
  }),
  fc.record({ kind: fc.constant('disconnect' as const), peer: peerIndex, qualifies: fc.boolean() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 500, 1000, 3000) }),
  fc.record({
    kind: fc.constant('join' as const),
    id: connectionId,
    remote: maybePeer,
    options: fc.integer({ min: 0, max: JOIN_OPTIONS.length - 1 }),
  }),
  fc.record({ kind: fc.constantFrom('leave' as const, 'reset' as const), id: connectionId }),
  fc.record({ kind: fc.constant('send' as const), id: connectionId }),
  fc.record({ kind: fc.constant('sendAll' as const) }),
  fc.record({ kind: fc.constant('setRemote' as const), id: connectionId, remote: maybePeer }),
);

/** One timeline and its cursors by connection id. */
class Subject {
  readonly cursors = new Map<number, SwarmTimelineCursor>();
  constructor(readonly timeline: SwarmTimeline) {}
}

const keyAt = (index: number) => keyOf(POOL[index] as CompactPeer);

/** Runs `step` on both subjects and expects the same answer (messages, bytes, due times). */
function runBoth(shared: Subject, own: Subject, step: Command, now: number): void {
  for (const subject of [shared, own]) {
    const { timeline, cursors } = subject;
    if (step.kind === 'connect')
      timeline.connected({ ...(POOL[step.peer] as CompactPeer), flags: step.flags });
    if (step.kind === 'disconnect') {
      timeline.disconnected(POOL[step.peer] as CompactPeer, { qualifies: step.qualifies });
    }
    if (step.kind === 'join' && !cursors.has(step.id)) {
      const options = JOIN_OPTIONS[step.options] as PexOutboundOptions;
      const remote = step.remote === undefined ? undefined : keyAt(step.remote);
      cursors.set(step.id, timeline.join(remote === undefined ? options : { ...options, remote }));
    }
    if (step.kind === 'leave') {
      cursors.get(step.id)?.leave();
      cursors.delete(step.id);
    }
    if (step.kind === 'reset') cursors.get(step.id)?.reset();
    if (step.kind === 'setRemote') {
      cursors.get(step.id)?.setRemote(step.remote === undefined ? undefined : keyAt(step.remote));
    }
  }
  const ids =
    step.kind === 'send' ? [step.id] : step.kind === 'sendAll' ? [...shared.cursors.keys()] : [];
  for (const id of ids) {
    const ours = shared.cursors.get(id);
    const theirs = own.cursors.get(id);
    const message = ours?.nextMessage(now);
    const expected = theirs?.nextMessage(now);
    expect(message).toEqual(expected);
    if (message !== undefined && ours !== undefined) {
      expect(ours.encode(message)).toEqual(encodePexMessage(message));
    }
  }
  for (const [id, cursor] of shared.cursors) {
    expect(cursor.nextMessageAt()).toBe(own.cursors.get(id)?.nextMessageAt());
  }
  expect(shared.timeline.retainedEventCount).toBe(own.timeline.retainedEventCount);
}

describe('swarm timeline: shared messages', () => {
  test('sharing changes no message, byte, due time or retained event (differential, with and without the relaxation)', () => {
    let sharedBuilds = 0;
    let ownBuilds = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...TIMELINE_OPTIONS),
        fc.array(command, { minLength: 20, maxLength: 150, size: 'max' }),
        (options, commands) => {
          const shared = new Subject(createSwarmTimeline(options));
          const own = new Subject(createUnsharedSwarmTimeline(options));
          let now = 0;
          for (const step of commands) {
            if (step.kind === 'advance') now += step.ms;
            runBoth(shared, own, step, now);
          }
          sharedBuilds += shared.timeline.messagesBuilt;
          ownBuilds += own.timeline.messagesBuilt;
        },
      ),
      { numRuns: 500 },
    );
    // The runs did share: fewer builds than messages built one per cursor.
    expect(sharedBuilds).toBeLessThan(ownBuilds);
  });

  const v4 = (last: number, flags = 0): CompactPeer => ({
    address: Uint8Array.from([192, 0, 2, last]),
    port: 6881,
    flags,
  });

  /** W cursors that have had their first message (of `base` peers), all at the end of the log. */
  function inStep(wires: number, base: number) {
    const timeline = createSwarmTimeline({ intervalMs: 0 });
    for (let i = 1; i <= base; i++) timeline.connected(v4(i));
    const cursors = Array.from({ length: wires }, (_, i) =>
      timeline.join({
        remote: keyOf({ address: Uint8Array.from([198, 51, 100, 1]), port: 7000 + i }),
      }),
    );
    for (const cursor of cursors) cursor.nextMessage(0);
    return { timeline, cursors };
  }

  test('cursors in step: one build and one encoding per round, the same object for all', () => {
    for (const wires of [1, 10, 300]) {
      const { timeline, cursors } = inStep(wires, 5);
      const before = timeline.messagesBuilt;
      timeline.connected(v4(50));
      const messages = cursors.map((cursor) => cursor.nextMessage(1));
      expect(timeline.messagesBuilt - before).toBe(1);
      expect(new Set(messages).size).toBe(1);
      expect(messages[0]?.added.map((peer) => peer.address[3])).toEqual([50]);
      const payloads = cursors.map((cursor, i) => cursor.encode(messages[i] as never));
      expect(new Set(payloads).size).toBe(1);
      timeline.disconnected(v4(50));
      for (const cursor of cursors) expect(cursor.nextMessage(2)?.dropped).toHaveLength(1);
      expect(timeline.messagesBuilt - before).toBe(2);
      expect(timeline.retainedEventCount).toBe(0);
    }
  });

  test('control: without sharing, a round of W cursors builds W messages', () => {
    const timeline = createUnsharedSwarmTimeline({ intervalMs: 0 });
    timeline.connected(v4(1));
    const cursors = Array.from({ length: 20 }, () => timeline.join());
    for (const cursor of cursors) cursor.nextMessage(0);
    const before = timeline.messagesBuilt;
    timeline.connected(v4(2));
    for (const cursor of cursors) cursor.nextMessage(1);
    expect(timeline.messagesBuilt - before).toBe(20);
  });

  test('a remote among the changes builds its own message, without itself; the others share', () => {
    const { timeline, cursors } = inStep(4, 3);
    // The remote of cursor 0 connects to us too, and a new peer joins.
    timeline.connected({ address: Uint8Array.from([198, 51, 100, 1]), port: 7000 });
    timeline.connected(v4(60));
    const before = timeline.messagesBuilt;
    const messages = cursors.map((cursor) => cursor.nextMessage(1));
    expect(messages[0]?.added.map((peer) => peer.address[3])).toEqual([60]);
    for (const message of messages.slice(1)) {
      expect(message?.added.map((peer) => peer.port)).toEqual([7000, 6881]);
    }
    expect(messages[1]).toBe(messages[2]);
    expect(messages[0]).not.toBe(messages[1]);
    expect(timeline.messagesBuilt - before).toBe(2);
  });

  test('a cursor with peers held back from its first message builds its own until it catches up', () => {
    const timeline = createSwarmTimeline({ intervalMs: 0, firstMessageMaxAdded: 2 });
    for (let i = 1; i <= 4; i++) timeline.connected(v4(i));
    const behind = timeline.join();
    const other = timeline.join({ firstMessageMaxAdded: 10 });
    expect(behind.nextMessage(0)?.added).toHaveLength(2);
    expect(other.nextMessage(0)?.added).toHaveLength(4);
    timeline.connected(v4(9));
    const late = behind.nextMessage(1);
    const usual = other.nextMessage(1);
    expect(late).not.toBe(usual);
    expect(late?.added.map((peer) => peer.address[3])).toEqual([3, 4, 9]);
    expect(usual?.added.map((peer) => peer.address[3])).toEqual([9]);
    // Caught up: from now on both take the same message.
    timeline.disconnected(v4(1));
    expect(behind.nextMessage(2)).toBe(other.nextMessage(2));
  });

  test('a message shared by cursors is built again once the live list changes', () => {
    const { timeline, cursors } = inStep(3, 2);
    timeline.connected(v4(70));
    const first = cursors[0]?.nextMessage(1);
    // A change between two takers at the same place: the second sees it too.
    timeline.connected(v4(71, 0x10));
    const second = cursors[1]?.nextMessage(1);
    expect(first?.added.map((peer) => peer.address[3])).toEqual([70]);
    expect(second?.added.map((peer) => [peer.address[3], peer.flags])).toEqual([
      [70, 0],
      [71, 0x10],
    ]);
  });
});
