// The swarm helper around a hub: every remote is a real bittorrent-protocol wire (piped in process,
// or over TCP on 127.0.0.1). The hub's sessions run on an injected fake clock; what each remote
// receives is decoded with the core, so caps and contents are checked message by message.
// npm ut_pex remotes measure the gap between messages with Date.now: jest fakes Date only (nothing
// else), and `advance` moves it along with the injected clock in 1 s steps, delivering what was
// sent after each step, so a message is seen at most 1 s after it was sent.
import { once } from 'node:events';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { decodePexMessage, type PexMessage } from '@pex/core';
import { readPeerAddress, stringifyPeerAddress } from '@pex/events/internal';
import { createFakeTime, type FakeTime } from '@pex/test-support';
import {
  createPexSwarm,
  type PexSwarm,
  type PexSwarmOptions,
  type PexSwarmPeerEvent,
  type PexSwarmWireInfo,
  type UtPexExtension,
  utPex,
} from '@pex/wire-adapter';
import Wire from 'bittorrent-protocol';
import utPexNpm, { type UtPex as NpmUtPex } from 'ut_pex';
import { extendedHandshakeOf, flushIo, INFO_HASH, pipeWires, waitForIo } from './support/wires.js';

const FIRST_MESSAGE_MS = 1_500;
const INTERVAL_MS = 70_000;

const cleanups: (() => unknown)[] = [];
beforeEach(() => {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await flushIo();
  jest.useRealTimers();
});

/** Advances the injected clock and Date.now together, in 1 s steps, delivering after each. */
async function advanceAll(time: FakeTime, ms: number): Promise<void> {
  await flushIo();
  let left = ms;
  do {
    const step = Math.min(left, 1_000);
    time.advance(step);
    jest.setSystemTime(Date.now() + step);
    await flushIo();
    left -= step;
  } while (left > 0);
}

/** A message as text: `+1.2.3.4:6881/0x10` for an added peer, `-1.2.3.4:6881` for a dropped one. */
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

type RemoteKind = 'ours' | 'npm' | 'none';

interface Remote {
  readonly kind: RemoteKind;
  /** The remote's listen address as the hub should advertise it. */
  readonly listen: string;
  /** The hub's wire to it, and its own wire. */
  readonly hubWire: Wire;
  readonly wire: Wire;
  /** The hub's extension on `hubWire`. */
  readonly hubPex: UtPexExtension;
  /** Every extended message the remote received after the handshake, decoded. */
  readonly messages: PexMessage[];
  /** Extended messages that are not ut_pex (must never happen). */
  readonly otherMessages: unknown[];
  /** Messages the hub counted as sent on this wire. */
  readonly sent: number[];
  close(): void;
}

interface RemoteSpec {
  readonly kind: RemoteKind;
  /** Host part of its address: `1.2.3.<host>`. */
  readonly host: number;
  /** Did the hub dial it? Default false. */
  readonly outgoing?: boolean;
  /** Listen port sent as `p` in its extended handshake (and dialled when outgoing). */
  readonly listenPort?: number;
  readonly hubWireType?: string;
  readonly info?: Partial<PexSwarmWireInfo>;
  /** Extra keys of its extended handshake. */
  readonly handshake?: Record<string, unknown>;
  /** Runs on its wire before the handshake (more extensions). */
  readonly setup?: (wire: Wire) => void;
  /** Time for the remote's own session, when kind is 'ours'. */
  readonly time?: FakeTime;
}

/** A hub (the swarm helper) and a way to connect remotes to it. */
function createHub(options: PexSwarmOptions & { time: FakeTime }) {
  const { time, ...swarmOptions } = options;
  const swarm = createPexSwarm({ clock: time.clock, timers: time.timers, ...swarmOptions });
  const remotes: Remote[] = [];
  cleanups.push(() => {
    for (const remote of remotes) remote.close();
    swarm.destroy();
  });

  const connect = async (spec: RemoteSpec): Promise<Remote> => {
    const address = `1.2.3.${spec.host}`;
    const listenPort = spec.listenPort ?? 6000 + spec.host;
    const outgoing = spec.outgoing ?? false;
    const info: PexSwarmWireInfo = {
      address,
      // An incoming connection comes from an ephemeral port, not the listen port.
      port: outgoing ? listenPort : 50_000 + spec.host,
      outgoing,
      ...spec.info,
    };
    let hubPex: UtPexExtension | undefined;
    const setupHub = (wire: Wire) => {
      hubPex = swarm.addWire(wire as never, info);
    };
    const setupRemote = (wire: Wire) => {
      Object.assign(wire.extendedHandshake, { p: listenPort, ...spec.handshake });
      spec.setup?.(wire);
      if (spec.kind === 'ours') {
        wire.use(
          utPex(spec.time ? { clock: spec.time.clock, timers: spec.time.timers } : {}) as never,
        );
      }
      if (spec.kind === 'npm') wire.use(utPexNpm());
    };
    const hubType = spec.hubWireType ?? (outgoing ? 'tcpOutgoing' : 'tcpIncoming');
    const remoteType = outgoing ? 'tcpIncoming' : 'tcpOutgoing';
    const pair = await pipeWires(setupHub, setupRemote, { a: hubType, b: remoteType });
    const messages: PexMessage[] = [];
    const otherMessages: unknown[] = [];
    pair.b.on('extended', (ext, payload) => {
      if (ext === 'handshake') return;
      if (ext === 'ut_pex') messages.push(decodePexMessage(payload as Uint8Array));
      else otherMessages.push([ext, payload]);
    });
    const sent: number[] = [];
    const pex = hubPex as UtPexExtension;
    pex.session.on('sent', (event) => sent.push(event.at));
    const remote: Remote = {
      kind: spec.kind,
      listen: `${address}:${listenPort}`,
      hubWire: pair.a,
      wire: pair.b,
      hubPex: pex,
      messages,
      otherMessages,
      sent,
      close: pair.close,
    };
    remotes.push(remote);
    return remote;
  };

  const advance = (ms: number) => advanceAll(time, ms);

  return { swarm, connect, advance, remotes };
}

/** Everything `remote` was told, as the set of peers it should now hold. */
function heldBy(remote: Remote): string[] {
  const held = new Set<string>();
  for (const message of remote.messages) {
    for (const p of [...message.dropped, ...message.dropped6]) {
      held.delete(stringifyPeerAddress(readPeerAddress(p.address, p.port)));
    }
    for (const p of [...message.added, ...message.added6]) {
      held.add(stringifyPeerAddress(readPeerAddress(p.address, p.port)));
    }
  }
  return [...held].sort();
}

const listensOf = (remotes: readonly Remote[]) => remotes.map((r) => r.listen).sort();

describe('createPexSwarm: joins and leaves', () => {
  test('every peer reaches every other ut_pex wire; nothing ever goes to a wire without ut_pex', async () => {
    const time = createFakeTime();
    const hub = createHub({ time, listenPort: 6881 });
    const specs: RemoteSpec[] = [
      { kind: 'ours', host: 1 },
      { kind: 'npm', host: 2 },
      { kind: 'ours', host: 3, outgoing: true },
      { kind: 'npm', host: 4, outgoing: true },
      { kind: 'ours', host: 5 },
      { kind: 'none', host: 6 },
    ];
    const remotes: Remote[] = [];
    for (const spec of specs) remotes.push(await hub.connect(spec));
    const pexRemotes = remotes.filter((r) => r.kind !== 'none');
    const noPex = remotes[5] as Remote;
    expect(hub.swarm.wireCount).toBe(6);
    expect(hub.swarm.advertisedCount).toBe(6);
    // Our listen port went out in every extended handshake.
    for (const r of remotes) expect(r.wire.peerExtendedHandshake.p).toBe(6881);

    await hub.advance(FIRST_MESSAGE_MS - 1);
    for (const r of remotes) expect(r.messages).toEqual([]);
    await hub.advance(1);
    for (const r of pexRemotes) {
      expect(r.messages).toHaveLength(1);
      expect(heldBy(r)).toEqual(listensOf(remotes.filter((o) => o !== r)));
    }

    // A seventh peer joins: every other ut_pex wire learns it in its next message, one interval
    // after its first; the newcomer gets the whole list in its own first message.
    await hub.advance(8_500);
    const late = await hub.connect({ kind: 'ours', host: 7 });
    await hub.advance(FIRST_MESSAGE_MS);
    expect(heldBy(late)).toEqual(listensOf(remotes));
    await hub.advance(INTERVAL_MS - 10_000 - 1);
    for (const r of pexRemotes) expect(r.messages).toHaveLength(1);
    await hub.advance(1);
    for (const r of pexRemotes) {
      expect(r.messages.map(describeMessage)[1]).toEqual([`+${late.listen}/0x0`]);
    }

    // One leaves (the connection closes): dropped everywhere in the next message.
    const leaving = remotes[1] as Remote;
    leaving.close();
    await flushIo();
    expect(hub.swarm.wireCount).toBe(6);
    expect(hub.swarm.advertisedCount).toBe(6);
    await hub.advance(INTERVAL_MS);
    const stayed = [...pexRemotes.filter((r) => r !== leaving), late];
    for (const r of stayed) {
      expect(r.messages.at(-1) && describeMessage(r.messages.at(-1) as PexMessage)).toEqual([
        `-${leaving.listen}`,
      ]);
      expect(heldBy(r)).toEqual(
        listensOf([...remotes, late].filter((o) => o !== r && o !== leaving)),
      );
    }

    // Several more intervals with nothing new: no message at all (no empty messages).
    const counts = stayed.map((r) => r.messages.length);
    await hub.advance(INTERVAL_MS * 3);
    expect(stayed.map((r) => r.messages.length)).toEqual(counts);

    // The wire without ut_pex was advertised to all, and was never sent a thing.
    expect(noPex.messages).toEqual([]);
    expect(noPex.otherMessages).toEqual([]);
    expect(noPex.sent).toEqual([]);
    for (const r of remotes) expect(r.otherMessages).toEqual([]);
    // npm ut_pex on the receiving end kept every wire (its rate check never fired).
    for (const r of remotes.filter((o) => o.kind === 'npm' && o !== leaving)) {
      expect(r.wire.destroyed).toBe(false);
    }
  });

  test('npm ut_pex remotes get them as ut_pex peer and dropped events', async () => {
    const time = createFakeTime();
    const hub = createHub({ time });
    const a = await hub.connect({ kind: 'npm', host: 1 });
    const events: string[] = [];
    const npm = (a.wire as unknown as { ut_pex: NpmUtPex }).ut_pex;
    npm.on('peer', (peer, flags) => events.push(`peer ${peer} reachable=${flags.isReachable}`));
    npm.on('dropped', (peer) => events.push(`dropped ${peer}`));
    npm.on('warning', (error) => events.push(`warning ${error.message}`));
    const b = await hub.connect({ kind: 'ours', host: 2, outgoing: true });
    await hub.advance(FIRST_MESSAGE_MS);
    b.close();
    await hub.advance(INTERVAL_MS);
    expect(events).toEqual([`peer ${b.listen} reachable=true`, `dropped ${b.listen}`]);
    expect(a.wire.destroyed).toBe(false);
  });

  test('joins and leaves beyond the caps: first message up to 100, then 50 added / 50 dropped', async () => {
    const time = createFakeTime();
    const hub = createHub({ time });
    const observers = [
      await hub.connect({ kind: 'ours', host: 1 }),
      await hub.connect({ kind: 'npm', host: 2 }),
    ];
    await hub.advance(FIRST_MESSAGE_MS);
    for (const o of observers) expect(o.messages.map(describeMessage)).toHaveLength(1);

    const crowd: Remote[] = [];
    for (let i = 0; i < 60; i++) crowd.push(await hub.connect({ kind: 'none', host: 100 + i }));
    expect(hub.swarm.advertisedCount).toBe(62);
    const newcomer = await hub.connect({ kind: 'ours', host: 3 });
    await hub.advance(FIRST_MESSAGE_MS);
    // The newcomer's first message holds all 62 (first-message cap 100).
    expect(newcomer.messages).toHaveLength(1);
    expect(heldBy(newcomer)).toEqual(listensOf([...observers, ...crowd]));

    await hub.advance(INTERVAL_MS - FIRST_MESSAGE_MS);
    await hub.advance(INTERVAL_MS);
    for (const o of observers) {
      const sizes = o.messages.slice(1).map((m) => [m.added.length, m.dropped.length]);
      // 61 new peers (60 + the newcomer): 50, then 11.
      expect(sizes).toEqual([
        [50, 0],
        [11, 0],
      ]);
      expect(heldBy(o)).toEqual(listensOf(hub.remotes.filter((r) => r !== o)));
    }

    for (const r of crowd) r.close();
    await flushIo();
    expect(hub.swarm.advertisedCount).toBe(3);
    await hub.advance(INTERVAL_MS);
    await hub.advance(INTERVAL_MS);
    for (const o of [...observers, newcomer]) {
      const drops = o.messages.slice(-2).map((m) => [m.added.length, m.dropped.length]);
      expect(drops).toEqual([
        [0, 50],
        [0, 10],
      ]);
      expect(heldBy(o)).toEqual(listensOf([...observers, newcomer].filter((r) => r !== o)));
    }
    for (const r of crowd) expect(r.messages).toEqual([]);
    expect((observers[1] as Remote).wire.destroyed).toBe(false);
  });
});

describe('createPexSwarm: timing and duplicates', () => {
  test('a join after an idle poll goes out at once, not one more interval later', async () => {
    const time = createFakeTime();
    const hub = createHub({ time });
    const a = await hub.connect({ kind: 'ours', host: 1 });
    await hub.connect({ kind: 'ours', host: 2 });
    await hub.advance(FIRST_MESSAGE_MS);
    expect(a.sent).toEqual([FIRST_MESSAGE_MS]);
    // At 71.5 s the session looks and finds nothing; a peer joins at 80 s.
    await hub.advance(78_500);
    const c = await hub.connect({ kind: 'ours', host: 3 });
    await hub.advance(0);
    expect(a.sent).toEqual([FIRST_MESSAGE_MS, 80_000]);
    expect(describeMessage(a.messages[1] as PexMessage)).toEqual([`+${c.listen}/0x0`]);
  });

  test('two connections to one peer advertise it once and drop it when the last closes', async () => {
    const time = createFakeTime();
    const hub = createHub({ time });
    const observer = await hub.connect({ kind: 'ours', host: 1 });
    const dialled = await hub.connect({ kind: 'none', host: 2, outgoing: true, listenPort: 6002 });
    const dialledUs = await hub.connect({ kind: 'none', host: 2, listenPort: 6002 });
    expect(hub.swarm.wireCount).toBe(3);
    expect(hub.swarm.advertisedCount).toBe(2);
    await hub.advance(FIRST_MESSAGE_MS);
    expect(observer.messages.map(describeMessage)).toEqual([[`+${dialled.listen}/0x10`]]);
    dialled.close();
    await hub.advance(INTERVAL_MS);
    expect(observer.messages).toHaveLength(1);
    expect(hub.swarm.advertisedCount).toBe(2);
    dialledUs.close();
    await hub.advance(INTERVAL_MS);
    expect(observer.messages.map(describeMessage)[1]).toEqual([`-${dialled.listen}`]);
  });
});

describe('createPexSwarm: flags', () => {
  test('reachable for outgoing, uTP, encryption, seed from upload_only, holepunch from m', async () => {
    const time = createFakeTime();
    const hub = createHub({ time });
    const observer = await hub.connect({ kind: 'ours', host: 1 });
    const outgoing = await hub.connect({ kind: 'ours', host: 2, outgoing: true });
    const utp = await hub.connect({ kind: 'none', host: 3, hubWireType: 'utpIncoming' });
    const utpByInfo = await hub.connect({ kind: 'none', host: 4, info: { utp: true } });
    const encrypted = await hub.connect({ kind: 'none', host: 5, info: { encrypted: true } });
    const prefersEncryption = await hub.connect({ kind: 'none', host: 6, handshake: { e: 1 } });
    const seed = await hub.connect({ kind: 'none', host: 7, handshake: { upload_only: 1 } });
    class Holepunch {
      onMessage(): void {}
    }
    Object.defineProperty(Holepunch.prototype, 'name', { value: 'ut_holepunch' });
    const holepunch = await hub.connect({
      kind: 'none',
      host: 8,
      setup: (wire) => wire.use(Holepunch as never),
    });
    const everything = await hub.connect({
      kind: 'npm',
      host: 9,
      outgoing: true,
      hubWireType: 'utpOutgoing',
      handshake: { upload_only: 1, e: 1 },
      setup: (wire) => wire.use(Holepunch as never),
    });
    await hub.advance(FIRST_MESSAGE_MS);
    expect(observer.messages.map(describeMessage)).toEqual([
      [
        `+${outgoing.listen}/0x10`,
        `+${utp.listen}/0x4`,
        `+${utpByInfo.listen}/0x4`,
        `+${encrypted.listen}/0x1`,
        `+${prefersEncryption.listen}/0x1`,
        `+${seed.listen}/0x2`,
        `+${holepunch.listen}/0x8`,
        `+${everything.listen}/0x1f`,
      ],
    ]);
    // The observer itself (incoming, nothing known) carries no flag.
    expect(describeMessage(outgoing.messages[0] as PexMessage)[0]).toBe(`+${observer.listen}/0x0`);
  });
});

describe('createPexSwarm: what remotes tell the hub', () => {
  test('PEX-learned peers are emitted with their wire, never dialled nor advertised', async () => {
    const time = createFakeTime();
    const hub = createHub({ time });
    const learned: PexSwarmPeerEvent[] = [];
    hub.swarm.on('peer', (event) => learned.push(event));
    const teller = await hub.connect({ kind: 'ours', host: 1, time });
    const other = await hub.connect({ kind: 'ours', host: 2 });
    const tellerPex = (teller.wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
    tellerPex.addPeer('9.9.9.9:9999', { isReachable: true });
    tellerPex.start();
    await hub.advance(FIRST_MESSAGE_MS);
    await waitForIo(() => learned.length === 1);

    expect(learned).toHaveLength(1);
    const [event] = learned as [PexSwarmPeerEvent];
    expect([event.address, event.port, event.family, event.flags.reachable]).toEqual([
      '9.9.9.9',
      9999,
      4,
      true,
    ]);
    expect(event.wire).toBe(teller.hubWire);
    // Not dialled (no new wire), not advertised to anyone.
    expect(hub.swarm.wireCount).toBe(2);
    expect(hub.swarm.advertisedCount).toBe(2);
    await hub.advance(INTERVAL_MS * 2);
    expect(heldBy(other)).toEqual([teller.listen]);
  });
});

describe('createPexSwarm: closing', () => {
  test('closing a wire mid-interval leaves no timer for it and sends it nothing more', async () => {
    const time = createFakeTime();
    const hub = createHub({ time });
    const a = await hub.connect({ kind: 'ours', host: 1 });
    const b = await hub.connect({ kind: 'npm', host: 2 });
    await hub.advance(FIRST_MESSAGE_MS);
    expect(a.sent).toHaveLength(1);
    // Something to say to a and b at their next message (71.5 s).
    await hub.advance(10_000);
    const c = await hub.connect({ kind: 'ours', host: 3 });
    await hub.advance(20_000);
    expect(time.pending()).toBe(3);

    a.hubWire.destroy();
    await flushIo();
    expect(hub.swarm.wireCount).toBe(2);
    expect(time.pending()).toBe(2);
    await hub.advance(INTERVAL_MS * 3);
    expect(a.sent).toHaveLength(1);
    expect(a.messages).toHaveLength(1);
    // The others heard of c, and that a is gone (a was in their first message).
    expect(heldBy(b)).toEqual([c.listen]);
    expect(heldBy(c)).toEqual([b.listen]);

    b.close();
    c.close();
    await flushIo();
    expect(hub.swarm.wireCount).toBe(0);
    expect(hub.swarm.advertisedCount).toBe(0);
    expect(time.pending()).toBe(0);
  });

  test('destroy() stops every wire session and leaves no timer', async () => {
    const time = createFakeTime();
    const hub = createHub({ time });
    const a = await hub.connect({ kind: 'ours', host: 1 });
    await hub.connect({ kind: 'ours', host: 2 });
    await hub.advance(FIRST_MESSAGE_MS);
    await hub.connect({ kind: 'ours', host: 3 });
    expect(time.pending()).toBeGreaterThan(0);
    hub.swarm.destroy();
    expect(time.pending()).toBe(0);
    expect(hub.swarm.wireCount).toBe(0);
    await hub.advance(INTERVAL_MS * 2);
    expect(a.messages).toHaveLength(1);
    expect(() =>
      hub.swarm.addWire(new Wire() as never, { address: '1.2.3.4', port: 1, outgoing: true }),
    ).toThrow();
  });
});

describe('createPexSwarm over TCP on 127.0.0.1', () => {
  test('clients dialling a hub learn each other at their listen ports, and the drop', async () => {
    const time = createFakeTime();
    const swarm: PexSwarm = createPexSwarm({
      clock: time.clock,
      timers: time.timers,
      listenPort: 6881,
    });
    const listener: Server = createServer();
    const sockets: Socket[] = [];
    const wires: Wire[] = [];
    cleanups.push(async () => {
      for (const wire of wires) wire.destroy();
      for (const socket of sockets) socket.destroy();
      swarm.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    });
    const attach = (socket: Socket, wire: Wire) => {
      sockets.push(socket);
      wires.push(wire);
      socket.pipe(wire as unknown as NodeJS.WritableStream);
      (wire as unknown as NodeJS.ReadableStream).pipe(socket);
      socket.on('error', () => wire.destroy());
      socket.on('close', () => wire.destroy());
      wire.on('close', () => socket.destroy());
    };
    listener.on('connection', (socket: Socket) => {
      const wire = new Wire('tcpIncoming');
      swarm.addWire(wire as never, {
        address: socket.remoteAddress as string,
        port: socket.remotePort as number,
        outgoing: false,
      });
      attach(socket, wire);
      wire.on('handshake', () => wire.handshake(INFO_HASH, Buffer.alloc(20, 0x68).toString('hex')));
    });
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const hubPort = (listener.address() as { port: number }).port;

    const clients: { wire: Wire; peers: string[]; dropped: string[] }[] = [];
    for (let i = 0; i < 3; i++) {
      const socket = netConnect({ host: '127.0.0.1', port: hubPort });
      await once(socket, 'connect');
      const wire = new Wire('tcpOutgoing');
      wire.extendedHandshake.p = 7001 + i;
      // The hub is a local remote, so the loopback peers it reports are accepted.
      wire.use(utPex({ remoteAddress: `127.0.0.1:${hubPort}` }) as never);
      const client = { wire, peers: [] as string[], dropped: [] as string[] };
      const pex = (wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
      pex.on('peer', (peer) => client.peers.push(peer));
      pex.on('dropped', (peer) => client.dropped.push(peer));
      attach(socket, wire);
      const ready = extendedHandshakeOf(wire);
      wire.handshake(INFO_HASH, Buffer.alloc(20, 0x60 + i).toString('hex'));
      await ready;
      clients.push(client);
    }
    await waitForIo(() => swarm.advertisedCount === 3);
    expect(clients.map((c) => c.wire.peerExtendedHandshake.p)).toEqual([6881, 6881, 6881]);

    time.advance(FIRST_MESSAGE_MS);
    await waitForIo(() => clients.every((c) => c.peers.length === 2));
    expect(clients.map((c) => [...c.peers].sort())).toEqual([
      ['127.0.0.1:7002', '127.0.0.1:7003'],
      ['127.0.0.1:7001', '127.0.0.1:7003'],
      ['127.0.0.1:7001', '127.0.0.1:7002'],
    ]);

    (clients[2] as { wire: Wire }).wire.destroy();
    await waitForIo(() => swarm.wireCount === 2);
    time.advance(INTERVAL_MS);
    await waitForIo(() => clients.slice(0, 2).every((c) => c.dropped.length === 1));
    expect(clients.slice(0, 2).map((c) => c.dropped)).toEqual([
      ['127.0.0.1:7003'],
      ['127.0.0.1:7003'],
    ]);
    expect(time.pending()).toBe(2);
  });
});
