// The outbound tracker at its edges: the order of pending changes after one cancels out, the
// first message's cap after a reset, what the relaxation offers after a reset or while ordinary
// changes wait, peers added by the relaxation that connect and leave again, and the texts of
// caller mistakes.
import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  createOutboundTracker,
  type OutboundTracker,
  type PexMessage,
} from '@pex/core';

const peer = (last: number, flags = 0): CompactPeer => ({
  address: Uint8Array.of(192, 0, 2, last),
  port: 6881,
  flags,
});
/** The last address byte of each peer of a list, in order. */
const lastBytes = (peers: readonly CompactPeer[] | undefined): number[] =>
  (peers ?? []).map((p) => p.address[3] as number);
const added = (message: PexMessage | undefined) => lastBytes(message?.added);
const dropped = (message: PexMessage | undefined) => lastBytes(message?.dropped);

/** Sends messages until none is left; returns them. */
function drain(tracker: OutboundTracker): PexMessage[] {
  const messages: PexMessage[] = [];
  for (let message = tracker.nextMessage(0); message !== undefined; ) {
    messages.push(message);
    message = tracker.nextMessage(0);
  }
  return messages;
}

/** Connects the peers `lasts` and sends the message that adds them. */
function connectAndTell(tracker: OutboundTracker, lasts: readonly number[]): void {
  for (const last of lasts) tracker.connected(peer(last));
  expect(added(tracker.nextMessage(0))).toEqual(lasts);
}

/** A peer we connect to and lose before any message tells of it. */
function comeAndGo(
  tracker: OutboundTracker,
  last: number,
  how?: { readonly qualifies?: boolean },
): void {
  tracker.connected(peer(last));
  tracker.disconnected(peer(last), how);
}

describe('outbound tracker: order and caps', () => {
  test('a change that cancels out leaves the order of the others as it was', () => {
    const tracker = createOutboundTracker({
      intervalMs: 0,
      firstMessageMaxAdded: 1,
      maxAddedPerMessage: 1,
    });
    for (const last of [1, 2, 3]) tracker.connected(peer(last));
    // Connected and gone before any message: nothing is pending for it any more.
    tracker.connected(peer(4));
    tracker.disconnected(peer(4));
    tracker.connected(peer(5));
    expect(drain(tracker).map(added)).toEqual([[1], [2], [3], [5]]);
  });

  test('a full added list does not hold back a drop that fits', () => {
    const tracker = createOutboundTracker({ intervalMs: 0, maxAddedPerMessage: 1 });
    tracker.connected(peer(3));
    expect(added(tracker.nextMessage(0))).toEqual([3]);
    tracker.connected(peer(1));
    tracker.connected(peer(2));
    tracker.disconnected(peer(3));
    const next = tracker.nextMessage(0);
    expect([added(next), dropped(next)]).toEqual([[1], [3]]);
    expect(added(tracker.nextMessage(0))).toEqual([2]);
  });

  test('after a reset the first message has the first-message cap again', () => {
    const tracker = createOutboundTracker({
      intervalMs: 0,
      firstMessageMaxAdded: 2,
      maxAddedPerMessage: 1,
    });
    for (const last of [1, 2, 3]) tracker.connected(peer(last));
    expect(drain(tracker).map(added)).toEqual([[1, 2], [3]]);
    tracker.reset();
    expect(drain(tracker).map(added)).toEqual([[1, 2], [3]]);
  });
});

describe('outbound tracker: the relaxation at its edges', () => {
  const relaxed = (maxDroppedPerMessage = 50) =>
    createOutboundTracker({ intervalMs: 0, maxDroppedPerMessage, relaxation: {} });

  test('after a reset, a departure the remote held before is offered again', () => {
    const tracker = relaxed();
    connectAndTell(tracker, [1]);
    tracker.disconnected(peer(1), { qualifies: true });
    // The remote is new: it holds nothing, and the departure is recent.
    tracker.reset();
    expect(added(tracker.nextMessage(0))).toEqual([1]);
    expect(dropped(tracker.nextMessage(0))).toEqual([1]);
  });

  test('no departure is offered while ordinary changes still wait for room', () => {
    const tracker = relaxed(1);
    connectAndTell(tracker, [1, 2]);
    // Never told: only the relaxation could offer it.
    comeAndGo(tracker, 3, { qualifies: true });
    tracker.disconnected(peer(1), { qualifies: true });
    tracker.disconnected(peer(2), { qualifies: true });
    // One drop per message: the second drop waits, and so does every departure.
    const first = tracker.nextMessage(0);
    expect([dropped(first), added(first)]).toEqual([[1], []]);
    const second = tracker.nextMessage(0);
    expect(dropped(second)).toEqual([2]);
  });

  test('a peer the relaxation added, then connected and gone again, is dropped first', () => {
    const tracker = relaxed(1);
    connectAndTell(tracker, [1, 2]);
    comeAndGo(tracker, 3, { qualifies: true });
    expect(added(tracker.nextMessage(0))).toEqual([3]);
    // An older change (peer 2 leaves), then peer 3 comes and goes again.
    tracker.disconnected(peer(2));
    tracker.connected(peer(3));
    tracker.disconnected(peer(3));
    expect(dropped(tracker.nextMessage(0))).toEqual([3]);
    expect(dropped(tracker.nextMessage(0))).toEqual([2]);
  });

  test('a peer the relaxation added and we connected to again is not dropped', () => {
    const tracker = relaxed();
    connectAndTell(tracker, [1]);
    comeAndGo(tracker, 3, { qualifies: true });
    expect(added(tracker.nextMessage(0))).toEqual([3]);
    tracker.connected(peer(3, 0x10));
    // Held by the remote with other flags: announced again, never dropped.
    const next = tracker.nextMessage(0);
    expect([added(next), dropped(next)]).toEqual([[3], []]);
    expect(next?.added[0]?.flags).toBe(0x10);
    expect(tracker.nextMessage(0)).toBeUndefined();
  });
});

describe('outbound tracker: what qualifies a departure', () => {
  test.each<{ readonly name: string; readonly how: { readonly qualifies?: boolean } | undefined }>([
    { name: 'no how', how: undefined },
    { name: 'an empty how', how: {} },
    // From JavaScript, or a caller without exactOptionalPropertyTypes.
    { name: 'qualifies undefined', how: { qualifies: undefined } as never },
    { name: 'qualifies false', how: { qualifies: false } },
  ])('$name: not offered by the relaxation', ({ how }) => {
    const tracker = createOutboundTracker({ intervalMs: 0, relaxation: {} });
    connectAndTell(tracker, [1, 2]);
    comeAndGo(tracker, 3, how);
    expect(tracker.nextMessage(0)).toBeUndefined();
    expect(tracker.nextMessageAt()).toBeUndefined();
  });

  test('relaxation given as undefined is off', () => {
    const tracker = createOutboundTracker({ intervalMs: 0, relaxation: undefined as never });
    comeAndGo(tracker, 3, { qualifies: true });
    expect(tracker.nextMessage(0)).toBeUndefined();
  });
});

describe('outbound tracker: caller mistakes name the argument', () => {
  test.each<[string, (tracker: OutboundTracker) => void, Error]>([
    [
      'connected with port 0',
      (tracker) => tracker.connected({ ...peer(1), port: 0 }),
      new RangeError('"peer.port" expected 1..65535, got 0'),
    ],
    [
      'disconnected with a 3-byte address',
      (tracker) => tracker.disconnected({ address: new Uint8Array(3), port: 1 }),
      new TypeError('"peer.address" expected 4 bytes, got 3'),
    ],
    [
      'disconnected how null',
      (tracker) => tracker.disconnected(peer(9), null as never),
      new TypeError('"how" expected an object, got null'),
    ],
    [
      'disconnected how.qualifies not a boolean',
      (tracker) => tracker.disconnected(peer(9), { qualifies: 1 as never }),
      new TypeError('"how.qualifies" expected a boolean, got 1'),
    ],
    [
      'setRemote with no key',
      (tracker) => tracker.setRemote('x' as never),
      new TypeError('"remote" expected a peer key from peerKey(), got "x"'),
    ],
  ])('%s', (_name, call, error) => {
    const tracker = createOutboundTracker({ intervalMs: 0 });
    tracker.connected(peer(9));
    expect(() => call(tracker)).toThrow(error);
    // Nothing changed: the one peer is still what the first message adds.
    expect(added(tracker.nextMessage(0))).toEqual([9]);
  });
});
