import { createSwarmTimeline, type SwarmTimelineCursor } from '@pex/core';
import { FakeWire } from './fake-wire.js';
import { createPeers, type PeerFixture, SEND_FLAGS } from './fixtures.js';
import { createIncumbent, type IncumbentExtension } from './incumbent.js';
import { type BenchTask, sink } from './task.js';

/** Peers every wire already knows and has been told about before the measured events. */
const BASE_PEERS = 50;
const INTERVAL_MS = 70_000;
/**
 * Measured time per round of the event-only tasks: their untimed catch-up after each call costs
 * 100 times the timed part at W=1000, so a longer budget would make the run last minutes.
 */
const EVENT_TIME_MS = 10;
/**
 * Our side does this many times more join/leave events per call than ut_pex's: its timed part is
 * so cheap that the untimed catch-up (which, at W=1000, costs about 100 times the events it
 * follows; see docs/benchmarks.md) would otherwise dominate the run. Times are per event either way.
 */
const OURS_BATCH_FACTOR = 16;

interface Swarms {
  readonly cursors: SwarmTimelineCursor[];
  readonly timeline: ReturnType<typeof createSwarmTimeline>;
  readonly extensions: IncumbentExtension[];
  readonly wires: FakeWire[];
  readonly joiners: readonly PeerFixture[];
  now: number;
}

/**
 * W connections of one torrent on each side, each having received its first message (the 50
 * base peers), so what follows is incremental. Ours: one swarm timeline, one cursor per wire.
 * ut_pex: one extension per wire (fake wires that keep the message object; bencoding is left
 * out on both sides here).
 */
function createSwarms(wireCount: number, joinerCount: number, seed: number): Swarms {
  const base = createPeers(4, BASE_PEERS, seed);
  const joiners = createPeers(4, joinerCount, seed + 1).filter(
    (peer) => !base.some((known) => known.text === peer.text),
  );
  const timeline = createSwarmTimeline();
  for (const peer of base) timeline.connected(peer.compact);
  const cursors = Array.from({ length: wireCount }, () => timeline.join());
  for (const cursor of cursors) cursor.nextMessage(0);
  const wires = Array.from({ length: wireCount }, () => new FakeWire(false));
  const extensions = wires.map((wire) => {
    const extension = createIncumbent(wire);
    for (const peer of base) extension.addPeer(peer.text, SEND_FLAGS);
    extension._sendMessage();
    return extension;
  });
  return { cursors, timeline, extensions, wires, joiners, now: 0 };
}

/**
 * One peer joins and then leaves, and every wire is told each time: the literal reading of
 * "cost to advertise it to all". Ours: `timeline.connected`, then each cursor's `nextMessage`
 * 70 s later (a 1-peer `added` message) and its bytes (`encode`, as the session sends them),
 * then `timeline.disconnected` and the same again (1-peer `dropped`). ut_pex: `addPeer` on every
 * wire, `_sendMessage` on every wire, `dropPeer` on every wire, `_sendMessage` on every wire (its
 * fake wire keeps the message object: no bencoding on its side). A unit is one wire's message:
 * 2W per call. Our cursors stand at the same place, so they share one message and its bytes.
 */
export function createAdvertiseTasks(wireCount: number, seed: number): BenchTask[] {
  const s = createSwarms(wireCount, 256, seed);
  let oursMessages = 0;
  let k = 0;
  let j = 0;
  const wiresMessages = () => s.wires.reduce((sum, wire) => sum + wire.sentMessages, 0);
  const baseline = wiresMessages();
  return [
    {
      id: `timeline-advertise-${wireCount}`,
      label: '@pex/core swarm timeline + every cursor, with bytes',
      unitsPerIteration: 2 * wireCount,
      work: () => oursMessages,
      fn: () => {
        const peer = s.joiners[k++ % s.joiners.length] as PeerFixture;
        s.now += INTERVAL_MS;
        s.timeline.connected(peer.compact);
        oursMessages += tellEveryCursor(s.cursors, s.now);
        s.now += INTERVAL_MS;
        s.timeline.disconnected(peer.compact);
        oursMessages += tellEveryCursor(s.cursors, s.now);
      },
    },
    {
      id: `utpex-advertise-${wireCount}`,
      label: 'ut_pex on every wire + _sendMessage',
      unitsPerIteration: 2 * wireCount,
      work: () => wiresMessages() - baseline,
      fn: () => {
        const peer = s.joiners[j++ % s.joiners.length] as PeerFixture;
        const { extensions } = s;
        for (let i = 0; i < extensions.length; i++) {
          (extensions[i] as IncumbentExtension).addPeer(peer.text, SEND_FLAGS);
        }
        for (let i = 0; i < extensions.length; i++) {
          (extensions[i] as IncumbentExtension)._sendMessage();
        }
        for (let i = 0; i < extensions.length; i++) {
          (extensions[i] as IncumbentExtension).dropPeer(peer.text);
        }
        for (let i = 0; i < extensions.length; i++) {
          (extensions[i] as IncumbentExtension)._sendMessage();
        }
      },
    },
  ];
}

/** Each cursor's next message and its bytes; returns how many messages there were. */
function tellEveryCursor(cursors: readonly SwarmTimelineCursor[], now: number): number {
  let messages = 0;
  for (let i = 0; i < cursors.length; i++) {
    const cursor = cursors[i] as SwarmTimelineCursor;
    const message = cursor.nextMessage(now);
    if (message === undefined) continue;
    sink.value += cursor.encode(message).length;
    messages++;
  }
  return messages;
}

/**
 * What a join and a leave cost when they happen, the messages being built later, when each
 * wire's interval comes round (as both libraries do: ut_pex every 65 s, our sessions every 70 s).
 * A unit is one peer joining and leaving; one call does `batch` distinct ones (ours 16 times more). Ours:
 * `timeline.connected` + `timeline.disconnected`. ut_pex: `addPeer` + `dropPeer` on every wire.
 * Untimed after each call: ours, every cursor catches up (`nextMessage`, which finds the peers
 * came and went); ut_pex, the pending maps are emptied (its `_sendMessage` would send 50 of the
 * dropped peers per tick and keep the rest).
 */
export function createEventTasks(wireCount: number, batch: number, seed: number): BenchTask[] {
  const s = createSwarms(wireCount, batch * OURS_BATCH_FACTOR, seed);
  const theirsJoiners = s.joiners.slice(0, batch);
  let oursEvents = 0;
  let theirsEvents = 0;
  return [
    {
      id: `timeline-event-${wireCount}`,
      label: '@pex/core swarm timeline',
      unitsPerIteration: s.joiners.length,
      work: () => oursEvents,
      timeMs: EVENT_TIME_MS,
      fn: () => {
        const { joiners, timeline } = s;
        for (let i = 0; i < joiners.length; i++) {
          const peer = (joiners[i] as PeerFixture).compact;
          timeline.connected(peer);
          timeline.disconnected(peer);
        }
        oursEvents += joiners.length;
        sink.value += timeline.retainedEventCount;
      },
      afterEach: () => {
        s.now += INTERVAL_MS;
        for (const cursor of s.cursors) cursor.nextMessage(s.now);
      },
    },
    {
      id: `utpex-event-${wireCount}`,
      label: 'ut_pex addPeer/dropPeer on every wire',
      unitsPerIteration: theirsJoiners.length,
      work: () => theirsEvents,
      timeMs: EVENT_TIME_MS,
      fn: () => {
        const joiners = theirsJoiners;
        const { extensions } = s;
        for (let p = 0; p < joiners.length; p++) {
          const text = (joiners[p] as PeerFixture).text;
          for (let i = 0; i < extensions.length; i++) {
            (extensions[i] as IncumbentExtension).addPeer(text, SEND_FLAGS);
          }
          for (let i = 0; i < extensions.length; i++) {
            (extensions[i] as IncumbentExtension).dropPeer(text);
          }
        }
        theirsEvents += joiners.length;
      },
      afterEach: () => {
        for (const extension of s.extensions) {
          extension._localAddedPeers = {};
          extension._localDroppedPeers = {};
        }
      },
    },
  ];
}
