// Flags that stay true: the swarm helper re-announces a peer when what its
// wire tells changes its BEP 11 flags (a complete bitfield, have-all, have up to the last piece,
// upload_only in a later extended handshake, a proved listen address), in `added` of the next
// message, never as a drop, and only when the flag byte actually changes. Every remote is a real
// bittorrent-protocol 5 wire piped in process; the hub runs on an injected fake clock.
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { decodePexMessage, type PexMessage } from '@pex/core';
import { readPeerAddress, stringifyPeerAddress } from '@pex/events/internal';
import { createFakeTime, type FakeTime } from '@pex/test-support';
import {
  createPexSwarm,
  type PexSwarm,
  type PexSwarmOptions,
  type UtPexExtension,
  utPex,
} from '@pex/wire-adapter';
import type Wire from 'bittorrent-protocol';
import { flushIo, pipeWires } from './support/wires.js';

const FIRST_MESSAGE_MS = 1_500;
const INTERVAL_MS = 70_000;
const PIECES = 64;

const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await flushIo();
});

/** A message as text: `+1.2.3.4:6881/0x2` for an added peer, `-1.2.3.4:6881` for a dropped one. */
function describeMessage(message: PexMessage): string[] {
  const added = [...message.added, ...message.added6].map(
    (p) =>
      `+${stringifyPeerAddress(readPeerAddress(p.address, p.port))}/0x${(p.flags ?? 0).toString(16)}`,
  );
  const dropped = [...message.dropped, ...message.dropped6].map(
    (p) => `-${stringifyPeerAddress(readPeerAddress(p.address, p.port))}`,
  );
  return [...added, ...dropped];
}

interface Remote {
  /** Its listen address as the hub advertises it. */
  readonly listen: string;
  /** Its own end of the connection: what it sends, the hub's wire learns. */
  readonly wire: Wire;
  /** The hub's extension on its wire to this remote. */
  readonly hubPex: UtPexExtension;
  /** Every ut_pex message it received, decoded. */
  readonly messages: PexMessage[];
}

/** A hub (the swarm helper on a fake clock) and a way to connect remotes to it. */
function createHub(options: PexSwarmOptions = {}) {
  const time: FakeTime = createFakeTime();
  const swarm: PexSwarm = createPexSwarm({ clock: time.clock, timers: time.timers, ...options });
  const closers: (() => void)[] = [];
  cleanups.push(() => {
    for (const close of closers) close();
    swarm.destroy();
  });

  /** Connects `1.2.3.<host>` (incoming unless `outgoing`), listening on `6000 + host`. */
  const connect = async (
    host: number,
    spec: {
      readonly outgoing?: boolean;
      readonly pex?: boolean;
      readonly fast?: boolean;
      readonly handshake?: Record<string, unknown>;
    } = {},
  ): Promise<Remote> => {
    const address = `1.2.3.${host}`;
    const listenPort = 6000 + host;
    const outgoing = spec.outgoing ?? false;
    let hubPex: UtPexExtension | undefined;
    const pair = await pipeWires(
      (wire) => {
        hubPex = swarm.addWire(wire as never, {
          address,
          port: outgoing ? listenPort : 50_000 + host,
          outgoing,
        });
      },
      (wire) => {
        Object.assign(wire.extendedHandshake, { p: listenPort, ...spec.handshake });
        if (spec.pex === true) wire.use(utPex() as never);
      },
      { a: outgoing ? 'tcpOutgoing' : 'tcpIncoming', b: outgoing ? 'tcpIncoming' : 'tcpOutgoing' },
      { fast: spec.fast === true },
    );
    closers.push(pair.close);
    const messages: PexMessage[] = [];
    pair.b.on('extended', (ext, payload) => {
      if (ext === 'ut_pex') messages.push(decodePexMessage(payload as Uint8Array));
    });
    return {
      listen: `${address}:${listenPort}`,
      wire: pair.b,
      hubPex: hubPex as UtPexExtension,
      messages,
    };
  };

  /** Delivers what is in flight, then moves the clock (the hub's timers run on it). */
  const advance = async (ms: number) => {
    await flushIo();
    time.advance(ms);
    await flushIo();
  };

  return { swarm, connect, advance };
}

/**
 * A hub with an observer (a ut_pex remote that receives the messages) and `subject`, whose first
 * message has gone out to the observer. `wakeUps` counts how often the hub woke the observer's
 * idle session: once per timeline event, so it shows when the hub announced something.
 */
async function observe(
  options: PexSwarmOptions,
  subjectSpec: Parameters<ReturnType<typeof createHub>['connect']>[1] = {},
) {
  const hub = createHub(options);
  const observer = await hub.connect(1, { pex: true, fast: subjectSpec.fast === true });
  const subject = await hub.connect(2, subjectSpec);
  await hub.advance(FIRST_MESSAGE_MS);
  expect(observer.messages.map(describeMessage)).toEqual([[`+${subject.listen}/0x0`]]);
  const refresh = jest.spyOn(observer.hubPex.session, 'refresh');
  /** The observer's next message, one interval on. */
  const nextMessage = async () => {
    const count = observer.messages.length;
    await hub.advance(INTERVAL_MS);
    return observer.messages.slice(count).map(describeMessage);
  };
  return { hub, observer, subject, nextMessage, wakeUps: () => refresh.mock.calls.length };
}

/** A bitfield of `PIECES` pieces with the first `count` set. */
function bitfieldOf(count: number): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(PIECES / 8));
  for (let index = 0; index < count; index++) {
    const byte = index >> 3;
    bytes[byte] = (bytes[byte] ?? 0) | (0x80 >> (index % 8));
  }
  return bytes;
}

describe('createPexSwarm: the seed flag (0x02) follows what the wire learns', () => {
  test('a complete bitfield re-announces the peer in added with 0x02, never as a drop', async () => {
    const { subject, nextMessage, wakeUps } = await observe({ pieceCount: PIECES });
    subject.wire.bitfield(bitfieldOf(PIECES - 1));
    expect(await nextMessage()).toEqual([]);
    expect(wakeUps()).toBe(0);
    subject.wire.bitfield(bitfieldOf(PIECES));
    expect(await nextMessage()).toEqual([[`+${subject.listen}/0x2`]]);
    expect(wakeUps()).toBe(1);
    // Complete stays complete: a later (shorter) bitfield changes nothing.
    subject.wire.bitfield(bitfieldOf(1));
    expect(await nextMessage()).toEqual([]);
    expect(wakeUps()).toBe(1);
  });

  test('BEP 6 have-all makes it a seed, with no piece count needed', async () => {
    const { subject, nextMessage } = await observe({}, { fast: true });
    subject.wire.haveAll();
    expect(await nextMessage()).toEqual([[`+${subject.listen}/0x2`]]);
  });

  test('have up to the last piece: one announce at completion, none for the haves before or after', async () => {
    const { subject, nextMessage, wakeUps } = await observe({ pieceCount: PIECES });
    subject.wire.bitfield(bitfieldOf(0));
    for (let index = 0; index < PIECES - 1; index++) subject.wire.have(index);
    // The same piece again, and indexes past the torrent's end, count for nothing.
    subject.wire.have(0);
    subject.wire.have(PIECES);
    subject.wire.have(PIECES + 7);
    expect(await nextMessage()).toEqual([]);
    expect(wakeUps()).toBe(0);
    subject.wire.have(PIECES - 1);
    expect(await nextMessage()).toEqual([[`+${subject.listen}/0x2`]]);
    for (let index = 0; index < PIECES; index++) subject.wire.have(index);
    expect(await nextMessage()).toEqual([]);
    expect(wakeUps()).toBe(1);
  });

  test('a have past the end of a short bitfield is not counted twice', async () => {
    // bittorrent-protocol cannot set a bit past the end of a received bitfield, so it emits
    // 'have' again for the same piece: 8 pieces known, then piece 8 three times, is not 11.
    const { subject, nextMessage } = await observe({ pieceCount: 11 });
    subject.wire.bitfield(Uint8Array.of(0xff));
    for (let i = 0; i < 3; i++) subject.wire.have(8);
    expect(await nextMessage()).toEqual([]);
  });

  test('the piece count given later (magnet link) counts what the wire already said', async () => {
    const { hub, subject, nextMessage } = await observe({});
    subject.wire.bitfield(bitfieldOf(PIECES));
    expect(await nextMessage()).toEqual([]);
    hub.swarm.setPieceCount(PIECES);
    expect(await nextMessage()).toEqual([[`+${subject.listen}/0x2`]]);
    hub.swarm.setPieceCount(PIECES);
    expect(await nextMessage()).toEqual([]);
  });

  test('upload_only in a later extended handshake turns 0x02 on and off again', async () => {
    const { subject, nextMessage, wakeUps } = await observe({});
    // bittorrent-protocol sends extended message id 0 as an extended handshake (BEP 10).
    subject.wire.extended(0, { upload_only: 1 });
    expect(await nextMessage()).toEqual([[`+${subject.listen}/0x2`]]);
    // A later handshake without upload_only leaves it as it was (BEP 10 updates are partial).
    subject.wire.extended(0, { v: 'later' });
    expect(await nextMessage()).toEqual([]);
    subject.wire.extended(0, { upload_only: 0 });
    expect(await nextMessage()).toEqual([[`+${subject.listen}/0x0`]]);
    expect(wakeUps()).toBe(2);
  });

  test('turned on and off again between two messages: nothing is sent', async () => {
    const { subject, nextMessage } = await observe({});
    subject.wire.extended(0, { upload_only: 1 });
    subject.wire.extended(0, { upload_only: 0 });
    expect(await nextMessage()).toEqual([]);
  });
});

describe('createPexSwarm: reachable (0x10)', () => {
  test('markReachable: an incoming peer is advertised reachable from the next message on', async () => {
    const { hub, subject, nextMessage, wakeUps } = await observe({});
    const [address, port] = subject.listen.split(':') as [string, string];
    expect(hub.swarm.markReachable(address, Number(port))).toBe(true);
    expect(await nextMessage()).toEqual([[`+${subject.listen}/0x10`]]);
    // Again: nothing changes, nothing is announced.
    expect(hub.swarm.markReachable(address, Number(port))).toBe(true);
    expect(await nextMessage()).toEqual([]);
    expect(wakeUps()).toBe(1);
    // Its socket's ephemeral port is not its listen address, and unknown peers are not kept.
    expect(hub.swarm.markReachable(address, 50_002)).toBe(false);
    expect(hub.swarm.markReachable('1.2.3.99', 6099)).toBe(false);
    expect(() => hub.swarm.markReachable('not an address', 6881)).toThrow(TypeError);
    expect(() => hub.swarm.markReachable(address, 0)).toThrow(RangeError);
  });

  test('a peer we dialled stays reachable when a second connection to it closes or opens', async () => {
    const { hub, subject, nextMessage } = await observe({ pieceCount: PIECES });
    const dialled = await hub.connect(2, { outgoing: true });
    expect(dialled.listen).toBe(subject.listen);
    expect(await nextMessage()).toEqual([[`+${subject.listen}/0x10`]]);
    // The seed flag learned on one connection holds for the peer.
    dialled.wire.bitfield(bitfieldOf(PIECES));
    expect(await nextMessage()).toEqual([[`+${subject.listen}/0x12`]]);
    dialled.wire.destroy();
    // The incoming connection remains: reachable was proved, the seed flag was its own only.
    expect(await nextMessage()).toEqual([[`+${subject.listen}/0x10`]]);
  });
});

describe('createPexSwarm: pieceCount and setPieceCount check their input', () => {
  test.each([0, -1, 1.5, 2 ** 32 + 1, Number.NaN, '64'])('%p is a RangeError', (bad) => {
    expect(() => createPexSwarm({ pieceCount: bad as number })).toThrow(RangeError);
    const swarm = createPexSwarm();
    expect(() => swarm.setPieceCount(bad as number)).toThrow(RangeError);
    swarm.destroy();
  });
});
