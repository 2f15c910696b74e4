import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodePexMessage, PEX_FLAG_SUPPORTS_HOLEPUNCH } from '@pex/core';
import { createPexSwarm, utPex } from '@pex/wire-adapter';
import bencode from 'bencode';
import { createManualClock, createManualTimers, FakeWire, ProtocolWire } from './fake-wire.js';
import { createMessagePool, createPeers, PEERS_PER_MESSAGE, SEND_FLAGS } from './fixtures.js';
import { allowNextMessage, createIncumbent } from './incumbent.js';
import { sink } from './task.js';
import { MESSAGES_PER_SOURCE } from './wire-cases.js';

/** Heap bytes per connection on each side (median over rounds). */
export interface MemoryResult {
  /** Standalone `utPex()` per wire. */
  readonly oursBytes: number;
  /** `createPexSwarm()`: one swarm helper for all the connections, shared per torrent. */
  readonly swarmBytes: number;
  /** The same two with no received peer flagged 0x08 (no relay index entries). */
  readonly oursPlainBytes: number;
  readonly swarmPlainBytes: number;
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
 * The sides measured: `…-plain` are ours again with every peer's 0x08 (holepunch) flag cleared
 * in the received messages, which shows what the BEP 55 relay index holds.
 */
type Side = 'ours' | 'oursPlain' | 'swarm' | 'swarmPlain' | 'theirs';

/**
 * `gc()` from `--expose-gc`, or, where the flag was not given (e.g. under jest), the same
 * function obtained by setting the flag at run time.
 */
export function getGc(): () => void {
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
/*
 * With the swarm helper (`createPexSwarm()`, one per torrent), each connection is a
 * `ProtocolWire` given to `swarm.addWire` as outgoing, so its remote is advertised to the
 * others: the peers to advertise are the 200 remotes, held once in the swarm timeline; each
 * connection holds its session, inbound view (the same 200 learned peers) and timeline cursor.
 * The helper's share (timeline, maps of wires and advertised peers) is divided among the
 * connections like the rest.
 */
export function measureMemory(options: MemoryOptions): MemoryResult {
  const { connections, rounds, seed } = options;
  const gc = getGc();
  const perConnection = MESSAGES_PER_SOURCE;
  const messages = createMessagePool(4, connections * perConnection, seed);
  const plainMessages = messages.map((fixture) => ({
    bytes: encodePexMessage({
      ...fixture.message,
      added: fixture.message.added.map((peer) => ({
        ...peer,
        flags: (peer.flags ?? 0) & ~PEX_FLAG_SUPPORTS_HOLEPUNCH,
      })),
    }),
  }));
  const toAdvertise = createPeers(4, 200, seed + 7).map((peer) => peer.text);
  const clock = createManualClock();
  let peerEvents = 0;
  const onPeer = () => {
    peerEvents++;
  };

  const remotes = createPeers(4, connections, seed + 9);
  const handshake = bencode.encode({ m: { ut_pex: 1 }, p: 6881 });

  /**
   * What the last build made, kept alive until its heap reading and released at the start of the
   * next build (not returned: a value the caller received can stay reachable from a dead
   * interpreter register and be counted in the next reading).
   */
  let kept: unknown;
  const build = (side: Side): number => {
    kept = undefined;
    const plain = side === 'oursPlain' || side === 'swarmPlain';
    const received = plain ? plainMessages : messages;
    const swarmSide = side === 'swarm' || side === 'swarmPlain';
    // Timers of their own per build: manual timers hold their last callback, which would keep
    // the previous build's sessions (and through them its whole swarm) alive.
    const timers = createManualTimers();
    const wires = Array.from({ length: connections }, () =>
      swarmSide ? new ProtocolWire() : new FakeWire(),
    );
    const held: unknown[] = [];
    peerEvents = 0;
    const heapBefore = readHeap(gc);
    if (swarmSide) {
      // One torrent: every connection's remote is advertised to the others by the helper.
      const swarm = createPexSwarm({ clock, timers });
      swarm.on('peer', onPeer);
      for (let c = 0; c < connections; c++) {
        const wire = wires[c] as ProtocolWire;
        const remote = remotes[c]?.compact as { address: Uint8Array; port: number };
        swarm.addWire(wire as never, {
          address: remote.address.join('.'),
          port: remote.port,
          outgoing: true,
        });
        wire._onExtended(0, handshake);
        for (let m = 0; m < perConnection; m++) {
          clock.advance(70_000);
          wire._onExtended(1, received[c * perConnection + m]?.bytes as Uint8Array);
        }
      }
      if (swarm.advertisedCount !== connections) {
        throw new Error(
          `memory case (swarm): ${swarm.advertisedCount} peers advertised, expected ${connections}`,
        );
      }
      held.push(swarm);
    }
    for (let c = 0; c < connections && !swarmSide; c++) {
      const wire = wires[c] as FakeWire;
      if (side === 'ours' || side === 'oursPlain') {
        const Extension = utPex({ clock, timers });
        const extension = new Extension(wire);
        extension.on('peer', onPeer);
        for (let m = 0; m < perConnection; m++) {
          clock.advance(70_000);
          extension.onMessage(received[c * perConnection + m]?.bytes as Uint8Array);
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
    kept = held;
    return (heapAfter - heapBefore) / connections;
  };

  // One discarded build per side first: the first one in a process also compiles code and can
  // let go of garbage left by earlier cases, which made small measurements negative (also in
  // the one-round smoke run, where a negative reading failed the test).
  const sides: Side[] = ['ours', 'swarm', 'theirs', 'oursPlain', 'swarmPlain'];
  for (const side of sides) build(side);
  const samples: Record<Side, number[]> = {
    ours: [],
    oursPlain: [],
    swarm: [],
    swarmPlain: [],
    theirs: [],
  };
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so that heap growth from one side does not always precede the other.
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      // A build holds what it made, so a reading at or below zero only comes from unrelated
      // memory let go during it (code flushed, garbage of earlier cases): taken again.
      let bytes = build(side);
      for (let retry = 0; bytes <= 0 && retry < MAX_RETRIES; retry++) bytes = build(side);
      samples[side].push(bytes);
    }
  }
  sink.value += kept === undefined ? 0 : 1;
  kept = undefined;
  return {
    oursBytes: median(samples.ours),
    swarmBytes: median(samples.swarm),
    oursPlainBytes: median(samples.oursPlain),
    swarmPlainBytes: median(samples.swarmPlain),
    theirsBytes: median(samples.theirs),
    connections,
    learned: perConnection * PEERS_PER_MESSAGE,
    toAdvertise: toAdvertise.length,
  };
}

/**
 * Heap in use plus the bytes of live `ArrayBuffer`s: a typed array above 64 bytes keeps its
 * elements outside the V8 heap, where `heapUsed` alone would not see them.
 */
/** Readings of one build taken again at most this many times when one is not positive. */
const MAX_RETRIES = 3;

export function readHeap(gc: () => void): number {
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
