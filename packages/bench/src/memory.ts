import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { utPex } from '@pex/wire-adapter';
import { createManualClock, createManualTimers, FakeWire } from './fake-wire.js';
import { createMessagePool, createPeers, PEERS_PER_MESSAGE, SEND_FLAGS } from './fixtures.js';
import { allowNextMessage, createIncumbent } from './incumbent.js';
import { MESSAGES_PER_SOURCE } from './wire-cases.js';

/** Heap bytes per connection on each side (median over rounds). */
export interface MemoryResult {
  readonly oursBytes: number;
  readonly theirsBytes: number;
  readonly connections: number;
  /** Peers each connection learned from its remote and holds to advertise. */
  readonly learned: number;
  readonly toAdvertise: number;
}

export interface MemoryOptions {
  readonly connections: number;
  readonly rounds: number;
  readonly seed: number;
}

/**
 * `gc()` from `--expose-gc`, or, where the flag was not given (e.g. under jest), the same
 * function obtained by setting the flag at run time.
 */
function getGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Heap held per connection with 200 peers learned (4 distinct 50-peer messages from its remote)
 * and 200 peers to advertise (`addPeer`, not yet sent), ours (`utPex()` adapter: session,
 * tracker, inbound view) against ut_pex. Both are installed the way their READMEs show,
 * `wire.use(utPex())`: a new extension class per wire. Wires, received bytes and the 200
 * peer strings (shared by all connections, as an application's peer list would be) exist before
 * the first heap reading; the delta after a full GC (heap and array buffers), divided by the
 * connection count, is what the extensions hold.
 */
export function measureMemory(options: MemoryOptions): MemoryResult {
  const { connections, rounds, seed } = options;
  const gc = getGc();
  const perConnection = MESSAGES_PER_SOURCE;
  const messages = createMessagePool(4, connections * perConnection, seed);
  const toAdvertise = createPeers(4, 200, seed + 7).map((peer) => peer.text);
  const clock = createManualClock();
  const timers = createManualTimers();
  let peerEvents = 0;
  const onPeer = () => {
    peerEvents++;
  };

  const build = (side: 'ours' | 'theirs'): unknown[] => {
    const wires = Array.from({ length: connections }, () => new FakeWire());
    const held: unknown[] = [];
    peerEvents = 0;
    const heapBefore = readHeap(gc);
    for (let c = 0; c < connections; c++) {
      const wire = wires[c] as FakeWire;
      if (side === 'ours') {
        const Extension = utPex({ clock, timers });
        const extension = new Extension(wire);
        extension.on('peer', onPeer);
        for (let m = 0; m < perConnection; m++) {
          clock.advance(70_000);
          extension.onMessage(messages[c * perConnection + m]?.bytes as Uint8Array);
        }
        for (const text of toAdvertise) extension.addPeer(text, SEND_FLAGS);
        held.push(extension);
      } else {
        const extension = createIncumbent(wire);
        extension.on('peer', onPeer);
        for (let m = 0; m < perConnection; m++) {
          allowNextMessage(extension);
          extension.onMessage(messages[c * perConnection + m]?.bytes as Uint8Array);
        }
        for (const text of toAdvertise) extension.addPeer(text, SEND_FLAGS);
        held.push(extension);
      }
    }
    const heapAfter = readHeap(gc);
    held.push(wires);
    const expected = connections * perConnection * PEERS_PER_MESSAGE;
    if (peerEvents !== expected) {
      throw new Error(`memory case (${side}): ${peerEvents} peer events, expected ${expected}`);
    }
    return [(heapAfter - heapBefore) / connections, held];
  };

  // One discarded build per side first: the first one in a process also compiles code and can
  // let go of garbage left by earlier cases, which made small measurements negative.
  build('ours');
  build('theirs');
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so that heap growth from one side does not always precede the other.
    const order: ('ours' | 'theirs')[] = round % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'];
    for (const side of order) {
      const [bytes] = build(side) as [number, unknown];
      (side === 'ours' ? ours : theirs).push(bytes);
    }
  }
  return {
    oursBytes: median(ours),
    theirsBytes: median(theirs),
    connections,
    learned: perConnection * PEERS_PER_MESSAGE,
    toAdvertise: toAdvertise.length,
  };
}

/**
 * Heap in use plus the bytes of live `ArrayBuffer`s: a typed array above 64 bytes keeps its
 * elements outside the V8 heap, where `heapUsed` alone would not see them.
 */
function readHeap(gc: () => void): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
