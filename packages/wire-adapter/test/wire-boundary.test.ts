// Where BEP 10 meets BEP 11: hand-made extended handshakes and payloads, fed as raw frames into
// real bittorrent-protocol 5 wires running our extension (the same bytes a socket would carry;
// packages/hostile runs the same attacks over loopback TCP against child processes). What the
// wire sends back is parsed frame by frame, so a PEX message under any id is seen.
import { afterEach, describe, expect, test } from '@jest/globals';
import { decodePexMessage, encodePexMessage, type PexMessage } from '@pex/core';
import { bytesOf, createFakeTime, type FakeTime } from '@pex/test-support';
import {
  createPexSwarm,
  type PexSwarmRefusedEvent,
  type UtPexExtension,
  type UtPexOptions,
  utPex,
} from '@pex/wire-adapter';
import type Wire from 'bittorrent-protocol';
import { listOf, message } from '../../events/test/support/record.js';
import { createRawRemote, extendedFrame } from './support/raw-remote.js';
import { flushIo } from './support/wires.js';

const INTERVAL_MS = 1_000;
const pex = (wire: Wire) => (wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A raw remote talking to `utPex(options)` on a fake clock, its warnings recorded. */
function openVictim(time: FakeTime, options: UtPexOptions = {}) {
  const remote = createRawRemote((wire) =>
    wire.use(
      utPex({
        intervalMs: INTERVAL_MS,
        firstMessageDelayMs: 0,
        clock: time.clock,
        timers: time.timers,
        ...options,
      }) as never,
    ),
  );
  cleanups.push(() => remote.wire.destroy());
  const extension = pex(remote.wire);
  const warnings: Error[] = [];
  const peers: string[] = [];
  extension.on('warning', (error) => warnings.push(error));
  extension.on('peer', (peer) => peers.push(peer));
  extension.start();
  return { ...remote, extension, warnings, peers };
}

/** The id our wire gave ut_pex in its own extended handshake (to send PEX to it). */
function localPexId(sent: readonly { extId: number; payload: Uint8Array }[]): number {
  const own = sent.find((message) => message.extId === 0);
  const text = new TextDecoder('latin1').decode(own?.payload);
  const match = /6:ut_pexi(\d+)e/.exec(text);
  if (match === null) throw new Error(`no ut_pex in our handshake: ${text}`);
  return Number(match[1]);
}

const handshakeWithId = (value: string) => `d1:md6:ut_pex${value}ee`;

/** Lets `ms` of fake time pass, then the wires deliver what that made them write. */
async function pass(time: FakeTime, ms: number): Promise<void> {
  time.advance(ms);
  await flushIo();
}

/** A victim greeted with `handshake`, asked to advertise one peer, and given `ms` to send it. */
async function victimAfter(handshake: string, ms = 10 * INTERVAL_MS) {
  const time = createFakeTime();
  const victim = openVictim(time);
  victim.greet(handshake);
  await flushIo();
  victim.extension.addPeer('198.51.100.7:6881');
  await pass(time, ms);
  return victim;
}
const reasonsOf = (warnings: readonly Error[]) =>
  warnings.map((warning) => `${warning.name}:${(warning as { reason?: string }).reason}`);

describe('the remote ut_pex id (BEP 10 m.ut_pex)', () => {
  const INVALID: readonly (readonly [string, string])[] = [
    ['256', 'i256e'],
    ['2^40', 'i1099511627776e'],
    ['2^64', 'i18446744073709551616e'],
    ['a 30-digit integer', 'i123456789012345678901234567890e'],
    ['300', 'i300e'],
    ['-1', 'i-1e'],
    ['the byte string "1"', '1:1'],
    ['the list [5]', 'li5ee'],
    ['a dictionary', 'd1:ai1ee'],
  ];

  test.each(INVALID)('%s: nothing is ever sent, and a warning says why', async (_label, value) => {
    const victim = await victimAfter(handshakeWithId(value));
    expect(victim.pexSent()).toEqual([]);
    expect(reasonsOf(victim.warnings)).toEqual(['PexHandshakeError:invalid-extension-id']);
  });

  test.each([
    ['`m` an integer', 'd1:mi5ee'],
    ['`m` a list', 'd1:mli3eee'],
  ])('%s: nothing is sent, and a warning says why', async (_label, handshake) => {
    const victim = await victimAfter(handshake);
    expect(victim.pexSent()).toEqual([]);
    expect(reasonsOf(victim.warnings)).toEqual(['PexHandshakeError:invalid-extension-id']);
  });

  test.each([
    ['0 (off)', handshakeWithId('i0e')],
    ['absent', 'd1:md11:ut_metadatai2eee'],
    ['no m at all', 'd1:pi6881ee'],
  ])('%s: nothing is sent, and no warning', async (_label, handshake) => {
    const victim = await victimAfter(handshake);
    expect(victim.pexSent()).toEqual([]);
    expect(victim.warnings).toEqual([]);
  });

  test.each([1, 3, 255])('%i: PEX goes out under exactly that id', async (id) => {
    const victim = await victimAfter(handshakeWithId(`i${id}e`), INTERVAL_MS);
    expect(victim.pexSent().map((sent) => sent.extId)).toEqual([id]);
    expect(victim.warnings).toEqual([]);
  });

  test('3, then 256: the first PEX under 3, none after, and a warning', async () => {
    const time = createFakeTime();
    const victim = openVictim(time);
    victim.greet(handshakeWithId('i3e'));
    await flushIo();
    victim.extension.addPeer('198.51.100.7:6881');
    await pass(time, INTERVAL_MS);
    victim.rehandshake(handshakeWithId('i256e'));
    await flushIo();
    victim.extension.addPeer('198.51.100.8:6881');
    await pass(time, 10 * INTERVAL_MS);
    expect(victim.pexSent().map((sent) => sent.extId)).toEqual([3]);
    expect(reasonsOf(victim.warnings)).toEqual(['PexHandshakeError:invalid-extension-id']);
  });
});

describe('re-handshakes', () => {
  test('3, then 0, then 9: nothing while off, then the full live set under 9', async () => {
    const time = createFakeTime();
    const victim = openVictim(time);
    victim.greet(handshakeWithId('i3e'));
    await flushIo();
    victim.extension.addPeer('198.51.100.1:6881');
    await pass(time, INTERVAL_MS);
    victim.rehandshake(handshakeWithId('i0e'));
    await flushIo();
    victim.extension.addPeer('198.51.100.2:6881');
    victim.extension.dropPeer('198.51.100.1:6881');
    victim.extension.addPeer('198.51.100.3:6881');
    await pass(time, 10 * INTERVAL_MS);
    expect(victim.pexSent().map((sent) => sent.extId)).toEqual([3]);

    victim.rehandshake(handshakeWithId('i9e'));
    await flushIo();
    await pass(time, INTERVAL_MS);
    const sent = victim.pexSent();
    expect(sent.map((message) => message.extId)).toEqual([3, 9]);
    const back = decodePexMessage((sent[1] as { payload: Uint8Array }).payload);
    expect(listOf(back.added)).toEqual(['198.51.100.2:6881', '198.51.100.3:6881']);
    expect(back.dropped).toEqual([]);
    expect(victim.warnings).toEqual([]);
  });

  test('a handshake that does not mention ut_pex changes nothing (BEP 10: m is additive)', async () => {
    const time = createFakeTime();
    const victim = openVictim(time);
    victim.greet(handshakeWithId('i3e'));
    await flushIo();
    victim.rehandshake('d1:md11:ut_metadatai2eee');
    await flushIo();
    victim.extension.addPeer('198.51.100.1:6881');
    await pass(time, INTERVAL_MS);
    expect(victim.pexSent().map((sent) => sent.extId)).toEqual([3]);
  });

  test('swarm helper: a cursor whose remote went 3 -> 0 -> 9 gets the full live set under 9', async () => {
    const time = createFakeTime();
    const swarm = createPexSwarm({
      intervalMs: INTERVAL_MS,
      firstMessageDelayMs: 0,
      clock: time.clock,
      timers: time.timers,
    });
    cleanups.push(() => swarm.destroy());
    const join = (port: number, handshake: string) => {
      const remote = createRawRemote((wire) => {
        swarm.addWire(wire as never, { address: '127.0.0.1', port, outgoing: false });
      });
      cleanups.push(() => remote.wire.destroy());
      remote.greet(handshake);
      return remote;
    };
    const watcher = join(40001, 'd1:md6:ut_pexi3ee1:pi6001ee');
    join(40002, 'd1:md6:ut_pexi3ee1:pi6002ee');
    await flushIo();
    await pass(time, INTERVAL_MS);
    expect(watcher.pexSent().map((sent) => sent.extId)).toEqual([3]);

    watcher.rehandshake(handshakeWithId('i0e'));
    await flushIo();
    join(40003, 'd1:md6:ut_pexi3ee1:pi6003ee');
    await flushIo();
    await pass(time, 10 * INTERVAL_MS);
    expect(watcher.pexSent().map((sent) => sent.extId)).toEqual([3]);

    watcher.rehandshake(handshakeWithId('i9e'));
    await flushIo();
    await pass(time, INTERVAL_MS);
    const sent = watcher.pexSent();
    expect(sent.map((message) => message.extId)).toEqual([3, 9]);
    const back = decodePexMessage((sent[1] as { payload: Uint8Array }).payload);
    expect(listOf(back.added)).toEqual(['127.0.0.1:6002', '127.0.0.1:6003']);
  });
});

describe('a malformed extended handshake never reaches the decoder', () => {
  // Inputs bencode 4 survives (the ones that hang it run in child processes, packages/hostile):
  // here they show the guard refuses what is not one well-formed dictionary.
  const MALFORMED: readonly (readonly [string, Uint8Array | string])[] = [
    ['bytes after the dictionary', 'd1:md6:ut_pexi3eeex'],
    ['a "+" in a string length', 'd1:x+3:abce'],
    ['a "." in a string length', 'd1:x3.:abce'],
    ['nesting 40 deep', `d1:x${'l'.repeat(39)}${'e'.repeat(39)}e`],
    ['a list, not a dictionary', 'li1ee'],
    ['an integer key', 'di1ei2ee'],
    ['a string past the end', 'd1:x99999999999:ae'],
    ['an unterminated dictionary', 'd1:md6:ut_pexi3e'],
  ];

  test.each(MALFORMED)(
    '%s: the wire is destroyed with a warning, nothing after it is read',
    async (_label, handshake) => {
      const time = createFakeTime();
      const victim = openVictim(time);
      victim.greet(handshake);
      // In the same write: a valid handshake and a valid PEX message after the bad one.
      victim.send(
        bytesOf(
          extendedFrame(0, bytesOf(handshakeWithId('i3e'))),
          extendedFrame(1, encodePexMessage(message({ added: ['8.8.8.8:6881'] }))),
        ),
      );
      await flushIo();
      victim.extension.addPeer('198.51.100.7:6881');
      time.advance(10 * INTERVAL_MS);
      await flushIo();
      expect(victim.wire.destroyed).toBe(true);
      expect(reasonsOf(victim.warnings)).toEqual(['PexHandshakeError:malformed-handshake']);
      expect(victim.peers).toEqual([]);
      expect(victim.pexSent()).toEqual([]);
    },
  );

  test('the guard sits in front of the wire: a well-formed handshake still reaches it', async () => {
    const time = createFakeTime();
    const victim = openVictim(time);
    victim.greet('d1:md6:ut_pexi3ee7:unknownd1:ali1ei2eee1:pi6881ee');
    await flushIo();
    expect(victim.wire.destroyed).toBe(false);
    expect(victim.wire.peerExtendedHandshake).toMatchObject({ p: 6881 });
    expect(victim.warnings).toEqual([]);
  });
});

describe("onViolation: 'disconnect'", () => {
  test('an invalid payload and a valid one in one write: the valid one is never emitted', async () => {
    const time = createFakeTime();
    const victim = openVictim(time, { onViolation: 'disconnect' });
    victim.greet(handshakeWithId('i3e'));
    await flushIo();
    const id = localPexId(victim.sent);
    victim.send(
      bytesOf(
        extendedFrame(id, bytesOf('d5:added5:abcdee')),
        extendedFrame(id, encodePexMessage(message({ added: ['8.8.8.8:6881'] }))),
      ),
    );
    await flushIo();
    expect(victim.peers).toEqual([]);
    expect(victim.wire.destroyed).toBe(true);
    expect(victim.extension.getCounters()).toMatchObject({
      messagesReceived: 1,
      invalidPayloads: 1,
      addedReceived: 0,
    });
  });

  test("with 'ignore' the same valid payload is delivered", async () => {
    const time = createFakeTime();
    const victim = openVictim(time);
    victim.greet(handshakeWithId('i3e'));
    await flushIo();
    const id = localPexId(victim.sent);
    victim.send(
      bytesOf(
        extendedFrame(id, bytesOf('d5:added5:abcdee')),
        extendedFrame(id, encodePexMessage(message({ added: ['8.8.8.8:6881'] }))),
      ),
    );
    await flushIo();
    expect(victim.peers).toEqual(['8.8.8.8:6881']);
    expect(victim.wire.destroyed).toBe(false);
  });
});

describe('refused peers and counters at the wire', () => {
  const mixed: PexMessage = message({ added: ['8.8.8.8:6881', '224.0.0.1:6881', '10.0.0.1:6881'] });

  test('utPex(): refused events with reasons, and counters', async () => {
    const time = createFakeTime();
    const victim = openVictim(time, { remoteAddress: '203.0.113.5:6881' });
    const refused: string[] = [];
    victim.extension.on('refused', ({ address, reason }) => refused.push(`${address} ${reason}`));
    victim.greet(handshakeWithId('i3e'));
    await flushIo();
    const payload = encodePexMessage(mixed);
    victim.send(extendedFrame(localPexId(victim.sent), payload));
    await flushIo();
    expect(victim.peers).toEqual(['8.8.8.8:6881']);
    expect(refused).toEqual(['224.0.0.1 multicast', '10.0.0.1 local-from-remote']);
    expect(victim.extension.getCounters()).toMatchObject({
      messagesReceived: 1,
      bytesReceived: payload.length,
      addedReceived: 1,
      refused: expect.objectContaining({ multicast: 1, 'local-from-remote': 1 }),
    });
  });

  test('the swarm helper: refused events name the wire', async () => {
    const time = createFakeTime();
    const swarm = createPexSwarm({ clock: time.clock, timers: time.timers });
    cleanups.push(() => swarm.destroy());
    const refused: PexSwarmRefusedEvent[] = [];
    swarm.on('refused', (event) => refused.push(event));
    const remote = createRawRemote((wire) => {
      swarm.addWire(wire as never, { address: '203.0.113.5', port: 6881, outgoing: true });
    }, 'tcpOutgoing');
    cleanups.push(() => remote.wire.destroy());
    remote.greet(handshakeWithId('i3e'));
    await flushIo();
    remote.send(extendedFrame(localPexId(remote.sent), encodePexMessage(mixed)));
    await flushIo();
    expect(refused.map(({ address, reason }) => `${address} ${reason}`)).toEqual([
      '224.0.0.1 multicast',
      '10.0.0.1 local-from-remote',
    ]);
    expect(refused.every((event) => event.wire === (remote.wire as unknown))).toBe(true);
  });
});

describe('options are checked when the factory is called', () => {
  test.each([
    ['intervalMs -5', { intervalMs: -5 }, RangeError],
    ['firstMessageDelayMs NaN', { firstMessageDelayMs: Number.NaN }, RangeError],
    ['a limit of 0', { limits: { maxMessageBytes: 0 } }, RangeError],
    ['inbound burst 0', { inbound: { burstMessages: 0 } }, RangeError],
    ['remoteAddress not an address', { remoteAddress: 'nowhere' }, TypeError],
    ['accept not a function', { accept: 5 }, TypeError],
  ] as const)('utPex(%s) throws at once', (_label, options, kind) => {
    expect(() => utPex(options as never)).toThrow(kind);
    expect(() => createPexSwarm(options as never)).toThrow(kind);
  });

  test.each([0, -1, 70000, '6881', 1.5, Number.NaN, null])(
    'createPexSwarm({ listenPort: %p }) throws a RangeError naming it',
    (listenPort) => {
      expect(() => createPexSwarm({ listenPort: listenPort as never })).toThrow(
        new RangeError(
          `"listenPort" expected an integer 1..65535, got ${typeof listenPort === 'string' ? JSON.stringify(listenPort) : String(listenPort)}`,
        ),
      );
    },
  );

  test('createPexSwarm({ listenPort: 6881 }) writes p into each wire it takes', () => {
    const swarm = createPexSwarm({ listenPort: 6881 });
    cleanups.push(() => swarm.destroy());
    const remote = createRawRemote((wire) => {
      swarm.addWire(wire as never, { address: '203.0.113.5', port: 6881, outgoing: true });
    });
    cleanups.push(() => remote.wire.destroy());
    expect(remote.wire.extendedHandshake).toMatchObject({ p: 6881 });
  });
});
