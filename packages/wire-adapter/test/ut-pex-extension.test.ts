import { afterEach, describe, expect, test } from '@jest/globals';
import {
  decodePexMessage,
  encodePexMessage,
  PEX_FLAG_REACHABLE,
  PEX_FLAG_UPLOAD_ONLY,
} from '@pex/core';
import { createFakeTime } from '@pex/test-support';
import { type UtPexExtension, type UtPexFlags, utPex } from '@pex/wire-adapter';
import { toUtPexFlags } from '@pex/wire-adapter/internal';
import type Wire from 'bittorrent-protocol';
import { pipeWires, tcpWires, waitUntil } from './support/wires.js';

const pex = (wire: Wire) => (wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Records every ut_pex payload a wire sends, by watching the remote side's extended events. */
function recordPexPayloads(receiver: Wire): Uint8Array[] {
  const payloads: Uint8Array[] = [];
  receiver.on('extended', (ext, payload) => {
    if (ext === 'ut_pex') payloads.push(new Uint8Array(payload as Uint8Array));
  });
  return payloads;
}

/** Two adapters piped back to back: `a` runs on a fake clock, `b`'s received payloads are kept. */
async function openTimedPair() {
  const time = createFakeTime();
  const { a, b, close } = await pipeWires(
    (w) => w.use(utPex({ clock: time.clock, timers: time.timers }) as never),
    (w) => w.use(utPex() as never),
  );
  cleanups.push(close);
  return { a, b, time, payloads: recordPexPayloads(b) };
}

/** Starts `a` and waits until `b` holds its first message. */
async function sendFirstMessage(
  pair: Awaited<ReturnType<typeof openTimedPair>>,
): Promise<Uint8Array> {
  pex(pair.a).start();
  pair.time.advance(1_500);
  await waitUntil(() => pair.payloads.length === 1);
  return pair.payloads[0] as Uint8Array;
}

describe('utPex()', () => {
  test('is an extension class named ut_pex', () => {
    const Extension = utPex();
    expect(Extension.prototype.name).toBe('ut_pex');
    expect(typeof Extension).toBe('function');
  });

  test('refuses an unknown onViolation value', () => {
    expect(() => utPex({ onViolation: 'explode' as never })).toThrow(TypeError);
  });

  test("takes the session's onViolation words, and only those", () => {
    expect(() => utPex({ onViolation: 'ignore' })).not.toThrow();
    expect(() => utPex({ onViolation: 'disconnect' })).not.toThrow();
    expect(() => utPex({ onViolation: 'destroy' as never })).toThrow(
      new TypeError(`"onViolation" expected 'ignore' or 'disconnect', got destroy`),
    );
  });
});

describe('two adapters on in-process wires', () => {
  test('peers added on one side arrive as ut_pex-style and typed events on the other', async () => {
    const time = createFakeTime();
    const { a, b, close } = await pipeWires(
      (w) => w.use(utPex({ clock: time.clock, timers: time.timers }) as never),
      (w) => w.use(utPex({ remoteAddress: '127.0.0.1:6881' }) as never),
    );
    cleanups.push(close);
    const seen: [string, UtPexFlags][] = [];
    const typed: { address: string; port: number; family: number; byte: number }[] = [];
    pex(b).on('peer', (peer, flags) => seen.push([peer, flags]));
    pex(b).session.on('peer', (p) =>
      typed.push({ address: p.address, port: p.port, family: p.family, byte: p.flags.byte }),
    );

    pex(a).addPeer('1.2.3.4:6881', { isReachable: true, isSender: true });
    pex(a).addPeer6('[2606:4700::1111]:51413', { supportsUtp: true });
    pex(a).start();
    time.advance(1_500);
    await waitUntil(() => seen.length === 2);

    expect(seen).toEqual([
      [
        '1.2.3.4:6881',
        {
          prefersEncryption: false,
          isSender: true,
          supportsUtp: false,
          supportsUtHolepunch: false,
          isReachable: true,
        },
      ],
      [
        '[2606:4700::1111]:51413',
        {
          prefersEncryption: false,
          isSender: false,
          supportsUtp: true,
          supportsUtHolepunch: false,
          isReachable: false,
        },
      ],
    ]);
    // Shared per flag byte, hence frozen; equal to what toUtPexFlags builds.
    for (const [, flags] of seen) expect(Object.isFrozen(flags)).toBe(true);
    expect(seen[0]?.[1]).toEqual(toUtPexFlags(PEX_FLAG_REACHABLE | PEX_FLAG_UPLOAD_ONLY));
    expect(typed).toEqual([
      {
        address: '1.2.3.4',
        port: 6881,
        family: 4,
        byte: PEX_FLAG_REACHABLE | PEX_FLAG_UPLOAD_ONLY,
      },
      { address: '2606:4700::1111', port: 51413, family: 6, byte: 0x04 },
    ]);
  });

  test('drops reach the other side as dropped events', async () => {
    const time = createFakeTime();
    const { a, b, close } = await pipeWires(
      (w) => w.use(utPex({ clock: time.clock, timers: time.timers }) as never),
      (w) => w.use(utPex() as never),
    );
    cleanups.push(close);
    const dropped: string[] = [];
    pex(b).on('dropped', (peer) => dropped.push(peer));
    const learned: string[] = [];
    pex(b).on('peer', (peer) => learned.push(peer));
    pex(a).addPeer('5.6.7.8:1000');
    pex(a).start();
    time.advance(1_500);
    await waitUntil(() => learned.length === 1);
    pex(a).dropPeer('5.6.7.8:1000');
    time.advance(70_000);
    await waitUntil(() => dropped.length === 1);
    expect(dropped).toEqual(['5.6.7.8:1000']);
  });

  test('nothing is sent to a remote that did not advertise ut_pex, and nothing throws', async () => {
    const time = createFakeTime();
    const { a, b, close } = await pipeWires(
      (w) => w.use(utPex({ clock: time.clock, timers: time.timers }) as never),
      () => {},
    );
    cleanups.push(close);
    const received: unknown[] = [];
    b.on('extended', (ext, payload) => {
      if (ext !== 'handshake') received.push(payload);
    });
    pex(a).addPeer('1.2.3.4:6881');
    pex(a).start();
    time.advance(200_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual([]);
    expect(time.pending()).toBeLessThanOrEqual(1);
  });

  test('invalid input to addPeer becomes a warning, like ut_pex ignoring it, never a throw', async () => {
    const { a, close } = await pipeWires(
      (w) => w.use(utPex() as never),
      (w) => w.use(utPex() as never),
    );
    cleanups.push(close);
    const warnings: Error[] = [];
    pex(a).on('warning', (error) => warnings.push(error));
    expect(() => pex(a).addPeer('not a peer')).not.toThrow();
    expect(() => pex(a).addPeer('1.2.3.4:0')).not.toThrow();
    // A malformed address is a TypeError, a port out of range a RangeError (as everywhere).
    expect(warnings.map((w) => w.name)).toEqual(['TypeError', 'RangeError']);
  });

  test('undecodable payloads and rule breaks become warnings; destroy is opt-in', async () => {
    const { a, b, close } = await pipeWires(
      (w) => w.use(utPex() as never),
      (w) => w.use(utPex({ onViolation: 'disconnect' }) as never),
    );
    cleanups.push(close);
    const warningsA: string[] = [];
    pex(a).on('warning', (error) => warningsA.push(error.name));
    // A remote that sends garbage to a default (warn) adapter: warned, wire kept.
    b.extended('ut_pex', new TextEncoder().encode('not bencode'));
    await waitUntil(() => warningsA.length === 1);
    expect(warningsA).toEqual(['PexDecodeError']);
    expect(a.destroyed).toBe(false);
    // The same to an adapter with onViolation 'disconnect': the wire is destroyed.
    a.extended('ut_pex', new TextEncoder().encode('le'));
    await waitUntil(() => b.destroyed);
    expect(b.destroyed).toBe(true);
  });

  test('closing a wire mid-interval leaves no timer and sends nothing more', async () => {
    const pair = await openTimedPair();
    pex(pair.a).addPeer('1.2.3.4:6881');
    await sendFirstMessage(pair);
    pex(pair.a).addPeer('1.2.3.5:6881');
    pair.time.advance(30_000);
    pair.a.destroy();
    await waitUntil(() => pair.time.pending() === 0);
    pair.time.advance(200_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pair.time.pending()).toBe(0);
    expect(pair.payloads).toHaveLength(1);
  });

  test('payloads arrive as Uint8Array views and decode with the core', async () => {
    const pair = await openTimedPair();
    pex(pair.a).addPeer('9.9.9.9:9999', 0x10);
    const message = decodePexMessage(await sendFirstMessage(pair));
    expect(message.added.map((p) => [Array.from(p.address), p.port, p.flags])).toEqual([
      [[9, 9, 9, 9], 9999, 0x10],
    ]);
  });
});

describe('over TCP on 127.0.0.1', () => {
  test('a peer crosses, and the remote is never advertised to itself', async () => {
    const time = createFakeTime();
    const pair = await tcpWires(
      (w, socket) =>
        w.use(
          utPex({
            clock: time.clock,
            timers: time.timers,
            remoteAddress: `127.0.0.1:${socket.remotePort}`,
          }) as never,
        ),
      (w, socket) => w.use(utPex({ remoteAddress: `127.0.0.1:${socket.remotePort}` }) as never),
    );
    cleanups.push(pair.close);
    const client = pair.client.wire;
    const server = pair.server.wire;
    const learned: string[] = [];
    pex(server).on('peer', (peer) => learned.push(peer));
    const serverPort = pair.client.socket.remotePort as number;
    pex(client).addPeer(`127.0.0.1:${serverPort}`); // the remote itself: never sent to it
    pex(client).addPeer('127.0.0.9:7000');
    pex(client).start();
    time.advance(1_500);
    await waitUntil(() => learned.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(learned).toEqual(['127.0.0.9:7000']);
  });
});

describe('encoding compatibility', () => {
  test('what the adapter sends is canonical core encoding', async () => {
    const pair = await openTimedPair();
    pex(pair.a).addPeer('8.8.4.4:53', 0);
    const sent = await sendFirstMessage(pair);
    const expected = encodePexMessage({
      added: [{ address: new Uint8Array([8, 8, 4, 4]), port: 53, flags: 0 }],
      added6: [],
      dropped: [],
      dropped6: [],
    });
    expect(Array.from(sent)).toEqual(Array.from(expected));
  });
});

describe("the remote's own address", () => {
  const listenHandshake = (port: number) => (w: Wire) => {
    w.extendedHandshake.p = port;
    w.use(utPex() as never);
  };
  const addressed = (payload: Uint8Array) =>
    decodePexMessage(payload).added.map((p) => `${Array.from(p.address).join('.')}:${p.port}`);

  test('set on the wire after use(), with the listen port from p when it dialled us', async () => {
    const time = createFakeTime();
    const { a, b, close } = await pipeWires(
      (w) => {
        w.use(utPex({ clock: time.clock, timers: time.timers }) as never);
        // WebTorrent-style properties, set once the socket is known: an ephemeral port.
        Object.assign(w, { remoteAddress: '1.2.3.4', remotePort: 51_000 });
      },
      listenHandshake(6881),
      { a: 'tcpIncoming', b: 'tcpOutgoing' },
    );
    cleanups.push(close);
    const payloads = recordPexPayloads(b);
    pex(a).addPeer('1.2.3.4:6881'); // the remote itself, at its listen port
    pex(a).addPeer('1.2.3.4:51000'); // its connection port is not a listen address: advertised
    pex(a).addPeer('5.6.7.8:6881');
    pex(a).start();
    time.advance(1_500);
    await waitUntil(() => payloads.length === 1);
    expect(payloads.map(addressed)).toEqual([['1.2.3.4:51000', '5.6.7.8:6881']]);
  });

  test('when we dialled it, the dialled port stays its address whatever p says', async () => {
    const time = createFakeTime();
    const { a, b, close } = await pipeWires(
      (w) =>
        w.use(
          utPex({ clock: time.clock, timers: time.timers, remoteAddress: '1.2.3.4:6881' }) as never,
        ),
      listenHandshake(7000),
      { a: 'tcpOutgoing', b: 'tcpIncoming' },
    );
    cleanups.push(close);
    const payloads = recordPexPayloads(b);
    pex(a).addPeer('1.2.3.4:6881'); // the address we dialled: the remote itself
    pex(a).addPeer('5.6.7.8:6881');
    pex(a).start();
    time.advance(1_500);
    await waitUntil(() => payloads.length === 1);
    expect(payloads.map(addressed)).toEqual([['5.6.7.8:6881']]);
  });
});

describe('our own address', () => {
  test("the remote's yourip with our listen port is never reported as a peer (libtorrent lists it)", async () => {
    const time = createFakeTime();
    const { a, b, close } = await pipeWires(
      (w) => {
        w.use(utPex() as never);
        w.extendedHandshake.p = 6881; // our listen port
      },
      (w) => {
        w.use(utPex({ clock: time.clock, timers: time.timers }) as never);
        w.extendedHandshake.yourip = new Uint8Array([8, 8, 8, 8]); // how b sees a
      },
    );
    cleanups.push(close);
    const learned: string[] = [];
    pex(a).on('peer', (peer) => learned.push(peer));
    pex(b).addPeer('8.8.8.8:6881'); // a itself, as b sees it
    pex(b).addPeer('8.8.4.4:6881');
    pex(b).start();
    time.advance(1_500);
    await waitUntil(() => learned.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(learned).toEqual(['8.8.4.4:6881']);
  });
});
