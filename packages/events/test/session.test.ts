import { describe, expect, test } from '@jest/globals';
import {
  createSwarmTimeline,
  encodePexMessage,
  isPexDecodeError,
  type PexMessage,
  type PexOutbound,
  peerKey,
} from '@pex/core';
import { DEFAULT_SEND_INTERVAL_MS } from '@pex/core/internal';
import {
  createPexSession,
  type PexSession,
  type PexSessionOptions,
  parsePeerAddress,
} from '@pex/events';
import { FIRST_MESSAGE_DELAY_MS, MAX_LOCAL_ADDRESSES } from '@pex/events/internal';
import { createFakeTime, type FakeTime } from '@pex/test-support';
import { listOf, message, nth, record } from './support/record.js';
import { ready, setUpRecordedSession as setUp } from './support/session-setup.js';

const INTERVAL_MS = DEFAULT_SEND_INTERVAL_MS;
const DELAY_MS = FIRST_MESSAGE_DELAY_MS;

describe('creating a session', () => {
  test('sets no timer and sends nothing, even with peers added', () => {
    const { time, outbox, session } = setUp();
    session.addPeer('1.2.3.4:6881');
    time.advance(10 * INTERVAL_MS);
    expect(time.pending()).toBe(0);
    expect(outbox.messages).toEqual([]);
  });

  test('checks its options', () => {
    const send = () => {};
    expect(() => createPexSession({} as PexSessionOptions)).toThrow(TypeError);
    expect(() => createPexSession({ send, intervalMs: -1 })).toThrow(RangeError);
    expect(() => createPexSession({ send, firstMessageDelayMs: Number.NaN })).toThrow(RangeError);
    expect(() => createPexSession({ send, onViolation: 'disconnect' })).toThrow(TypeError);
    expect(() => createPexSession({ send, remoteAddress: 'example.com:1' })).toThrow(TypeError);
    expect(() => createPexSession({ send, localAddresses: ['1.2.3.4'] })).toThrow(TypeError);
    expect(() => createPexSession({ send, limits: { maxDepth: 0 } })).toThrow(RangeError);
  });
});

describe('sending schedule', () => {
  test('nothing is sent before the remote supports ut_pex', () => {
    const { time, outbox, session } = setUp();
    session.start();
    session.addPeer('1.2.3.4:6881');
    time.advance(10 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
    expect(time.pending()).toBe(0);
  });

  test('nothing is sent before start()', () => {
    const { time, outbox, session } = setUp();
    session.setRemoteSupportsPex();
    session.addPeer('1.2.3.4:6881');
    time.advance(10 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
  });

  test('first message firstMessageDelayMs after support, then one per interval, only on change', () => {
    const { time, outbox, session, events } = setUp();
    const t0 = time.now();
    session.addPeer('1.2.3.4:6881', { reachable: true });
    session.addPeer('[2606:4700::1111]:51413', 0x05);
    ready(session);
    time.advance(DELAY_MS - 1);
    expect(outbox.messages).toHaveLength(0);
    time.advance(1);
    expect(outbox.messages).toHaveLength(1);
    const first = nth(outbox.messages, 0);
    expect(first.at).toBe(t0 + DELAY_MS);
    expect(listOf(first.message.added)).toEqual(['1.2.3.4:6881']);
    expect(first.message.added[0]?.flags).toBe(0x10);
    expect(listOf(first.message.added6)).toEqual(['[2606:4700::1111]:51413']);
    expect(first.message.added6[0]?.flags).toBe(0x05);
    expect(events.sent).toEqual([
      {
        added: 1,
        added6: 1,
        dropped: 0,
        dropped6: 0,
        bytes: first.bytes.length,
        at: t0 + DELAY_MS,
      },
    ]);

    // Nothing changed: no message and no timer, however long we wait.
    time.advance(5 * INTERVAL_MS);
    expect(outbox.messages).toHaveLength(1);
    expect(time.pending()).toBe(0);

    // A change goes out at once when the interval has long passed...
    const changedAt = time.now();
    session.dropPeer('1.2.3.4:6881');
    session.addPeer('5.6.7.8:1');
    time.advance(0);
    expect(outbox.messages).toHaveLength(2);
    expect(nth(outbox.messages, 1).at).toBe(changedAt);
    expect(listOf(nth(outbox.messages, 1).message.dropped)).toEqual(['1.2.3.4:6881']);
    expect(listOf(nth(outbox.messages, 1).message.added)).toEqual(['5.6.7.8:1']);

    // ...and no sooner than one interval after the previous message otherwise.
    time.advance(1_000);
    session.addPeer('9.9.9.9:9');
    time.advance(INTERVAL_MS - 1_001);
    expect(outbox.messages).toHaveLength(2);
    time.advance(1);
    expect(outbox.messages).toHaveLength(3);
    expect(nth(outbox.messages, 2).at - nth(outbox.messages, 1).at).toBe(INTERVAL_MS);
    expect(time.maxPending()).toBe(1);
  });

  test('with nothing to say at first, the first message goes out when there is', () => {
    const { time, outbox, session } = setUp();
    ready(session);
    time.advance(3 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
    expect(time.pending()).toBe(0);
    const at = time.now();
    session.addPeer('1.2.3.4:6881');
    time.advance(0);
    expect(outbox.messages.map((m) => m.at)).toEqual([at]);
  });

  test('a peer added and dropped before the first message is never mentioned', () => {
    const { time, outbox, session } = setUp();
    ready(session);
    session.addPeer('1.2.3.4:6881');
    session.addPeer('5.6.7.8:6881');
    session.dropPeer('1.2.3.4:6881');
    time.advance(DELAY_MS);
    expect(outbox.messages).toHaveLength(1);
    expect(listOf(nth(outbox.messages, 0).message.added)).toEqual(['5.6.7.8:6881']);
    expect(nth(outbox.messages, 0).message.dropped).toEqual([]);
  });

  test('options intervalMs and firstMessageDelayMs are honoured', () => {
    const { time, outbox, session } = setUp({ intervalMs: 60_000, firstMessageDelayMs: 0 });
    const t0 = time.now();
    session.addPeer('1.2.3.4:6881');
    ready(session);
    time.advance(0);
    session.addPeer('5.6.7.8:6881');
    time.advance(60_000);
    expect(outbox.messages.map((m) => m.at - t0)).toEqual([0, 60_000]);
  });

  test('tracker caps apply: a first message over firstMessageMaxAdded continues an interval later', () => {
    const { time, outbox, session } = setUp({ caps: { firstMessageMaxAdded: 2 } });
    for (const text of ['1.2.3.4:1', '1.2.3.5:1', '1.2.3.6:1']) session.addPeer(text);
    ready(session);
    time.advance(DELAY_MS + INTERVAL_MS);
    expect(outbox.messages.map((m) => m.message.added.length)).toEqual([2, 1]);
    expect(outbox.messages.flatMap((m) => listOf(m.message.added)).sort()).toEqual([
      '1.2.3.4:1',
      '1.2.3.5:1',
      '1.2.3.6:1',
    ]);
  });

  test('the remote itself is never advertised to it', () => {
    const { time, outbox, session } = setUp({ remoteAddress: '1.2.3.4:6881' });
    ready(session);
    session.addPeer('1.2.3.4:6881');
    time.advance(2 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
    session.addPeer('5.6.7.8:6881');
    time.advance(INTERVAL_MS);
    expect(listOf(nth(outbox.messages, 0).message.added)).toEqual(['5.6.7.8:6881']);
  });

  test('stop() clears the timer, start() resumes', () => {
    const { time, outbox, session } = setUp();
    session.addPeer('1.2.3.4:6881');
    ready(session);
    session.stop();
    expect(time.pending()).toBe(0);
    time.advance(2 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
    session.start();
    time.advance(DELAY_MS);
    expect(outbox.messages).toHaveLength(1);
  });

  test('a withdrawn ut_pex stops sending', () => {
    const { time, outbox, session } = setUp();
    session.addPeer('1.2.3.4:6881');
    ready(session);
    session.setRemoteSupportsPex(false);
    expect(time.pending()).toBe(0);
    time.advance(2 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
  });

  test('reset() resends the full list, no sooner than an interval after the last message', () => {
    const { time, outbox, session } = setUp();
    session.addPeer('1.2.3.4:6881');
    session.addPeer('5.6.7.8:6881');
    ready(session);
    time.advance(DELAY_MS);
    expect(outbox.messages).toHaveLength(1);
    time.advance(1_000);
    session.reset();
    time.advance(INTERVAL_MS - 1_001);
    expect(outbox.messages).toHaveLength(1);
    time.advance(1);
    expect(outbox.messages).toHaveLength(2);
    expect(listOf(nth(outbox.messages, 1).message.added)).toEqual(['1.2.3.4:6881', '5.6.7.8:6881']);
  });
});

describe('destroy()', () => {
  test.each([
    ['created', (_s: PexSession) => {}],
    ['started', (s: PexSession) => s.start()],
    [
      'waiting for the first message',
      (s: PexSession) => {
        ready(s);
        s.addPeer('1.2.3.4:1');
      },
    ],
    [
      'waiting for the interval',
      (s: PexSession) => {
        ready(s);
        s.addPeer('1.2.3.4:1');
      },
    ],
  ] as const)('leaves no timer behind when %s', (name, prepare) => {
    const { time, outbox, session } = setUp();
    prepare(session);
    if (name === 'waiting for the interval') {
      time.advance(DELAY_MS);
      session.addPeer('5.6.7.8:1');
    }
    const sentBefore = outbox.messages.length;
    session.destroy();
    expect(time.pending()).toBe(0);
    session.addPeer('9.9.9.9:9');
    session.start();
    session.setRemoteSupportsPex();
    session.receive(encodePexMessage(message({ added: ['8.8.8.8:1'] })));
    time.advance(10 * INTERVAL_MS);
    expect(time.pending()).toBe(0);
    expect(outbox.messages).toHaveLength(sentBefore);
    expect(session.listenerCount('peer')).toBe(0);
  });
});

describe('errors never escape timers or receive()', () => {
  test('a send that throws becomes a warning and sending goes on', () => {
    const time = createFakeTime();
    let calls = 0;
    const session = createPexSession({
      send: () => {
        calls++;
        throw new Error('socket closed');
      },
      clock: time.clock,
      timers: time.timers,
    });
    const events = record(session);
    session.addPeer('1.2.3.4:6881');
    ready(session);
    expect(() => time.advance(DELAY_MS)).not.toThrow();
    expect(calls).toBe(1);
    expect(events.warning).toHaveLength(1);
    expect(nth(events.warning, 0).source).toBe('send');
    expect((nth(events.warning, 0).error as Error).message).toBe('socket closed');
    expect(events.sent).toHaveLength(1);
    session.addPeer('5.6.7.8:6881');
    expect(() => time.advance(INTERVAL_MS)).not.toThrow();
    expect(calls).toBe(2);
  });

  test('a throwing listener becomes a warning, in a timer and in receive()', () => {
    const { time, session, events } = setUp({ remoteAddress: '9.9.9.9:1' });
    session.on('sent', () => {
      throw new Error('bad sent listener');
    });
    session.on('peer', () => {
      throw new Error('bad peer listener');
    });
    session.addPeer('1.2.3.4:6881');
    ready(session);
    expect(() => time.advance(DELAY_MS)).not.toThrow();
    expect(() =>
      session.receive(encodePexMessage(message({ added: ['5.6.7.8:1', '5.6.7.9:1'] }))),
    ).not.toThrow();
    expect(events.warning.map((w) => [w.source, (w.error as Error).message])).toEqual([
      ['listener', 'bad sent listener'],
      ['listener', 'bad peer listener'],
      ['listener', 'bad peer listener'],
    ]);
  });

  test('a throwing warning listener is contained too', () => {
    const { time, session } = setUp({
      send: () => {
        throw new Error('x');
      },
    });
    session.on('warning', () => {
      throw new Error('bad warning listener');
    });
    session.addPeer('1.2.3.4:6881');
    ready(session);
    expect(() => time.advance(DELAY_MS)).not.toThrow();
  });

  test('an injected outbound that throws becomes a core warning, and the timer does not spin', () => {
    const time = createFakeTime();
    const outbound: PexOutbound = {
      nextMessage: () => {
        throw new Error('broken outbound');
      },
      nextMessageAt: () => 0,
      reset: () => {},
    };
    const { session, events } = setUp({ outbound }, time);
    ready(session);
    expect(() => time.advance(3 * INTERVAL_MS)).not.toThrow();
    expect(events.warning.length).toBeGreaterThan(0);
    expect(events.warning.length).toBeLessThanOrEqual(4);
    expect(events.warning.every((w) => w.source === 'core')).toBe(true);
  });

  test('receive() of something that is not bytes is a warning', () => {
    const { session, events } = setUp();
    expect(() => session.receive('d5:addede' as unknown as Uint8Array)).not.toThrow();
    expect(events.warning.map((w) => w.source)).toEqual(['receive']);
  });

  test('a throwing policy refuses the peer and warns', () => {
    const { session, events } = setUp({
      accept: (peer) => {
        if (peer.port === 2) throw new Error('bad policy');
        return true;
      },
    });
    session.receive(encodePexMessage(message({ added: ['1.2.3.4:1', '1.2.3.4:2'] })));
    expect(events.peer.map((p) => p.port)).toEqual([1]);
    expect(events.warning.map((w) => w.source)).toEqual(['policy']);
  });
});

describe('receiving', () => {
  test('emits peer events with named flags and the byte, then dropped events', () => {
    const { session, events } = setUp();
    session.receive(
      encodePexMessage(
        message({
          added: [
            ['1.2.3.4:6881', 0x12],
            ['[2606:4700::1111]:51413', 0xe1],
          ],
        }),
      ),
    );
    expect(events.peer).toEqual([
      {
        address: '1.2.3.4',
        port: 6881,
        family: 4,
        flags: {
          prefersEncryption: false,
          uploadOnly: true,
          supportsUtp: false,
          supportsHolepunch: false,
          reachable: true,
          reserved: 0,
          byte: 0x12,
        },
      },
      {
        address: '2606:4700::1111',
        port: 51413,
        family: 6,
        flags: {
          prefersEncryption: true,
          uploadOnly: false,
          supportsUtp: false,
          supportsHolepunch: false,
          reachable: false,
          reserved: 0xe0,
          byte: 0xe1,
        },
      },
    ]);
    session.receive(
      encodePexMessage(message({ dropped: ['[2606:4700::1111]:51413', '7.7.7.7:7'] })),
    );
    // 7.7.7.7 was never reported: no event for it.
    expect(events.dropped).toEqual([{ address: '2606:4700::1111', port: 51413, family: 6 }]);
    expect(events.invalid).toEqual([]);
  });

  test('a payload that does not decode is an invalid event and nothing of it is applied', () => {
    const { session, events } = setUp();
    const good = encodePexMessage(message({ added: ['1.2.3.4:6881'] }));
    session.receive(good.subarray(0, good.length - 1));
    expect(events.invalid).toHaveLength(1);
    expect(isPexDecodeError(events.invalid[0])).toBe(true);
    expect((events.invalid[0] as { reason?: string }).reason).toBe('truncated');
    expect(events.peer).toEqual([]);
    session.receive(good);
    expect(events.peer.map((p) => p.address)).toEqual(['1.2.3.4']);
  });

  test('the decode limits option applies', () => {
    const { session, events } = setUp({ limits: { maxPeersPerList: 1 } });
    session.receive(encodePexMessage(message({ added: ['1.2.3.4:1', '1.2.3.5:1'] })));
    expect((events.invalid[0] as { reason?: string }).reason).toBe('too-many-peers');
    expect(events.peer).toEqual([]);
  });

  test('the default policy filters peers, using the remote address', () => {
    const { session, events } = setUp({
      remoteAddress: '93.184.216.34:6881',
      localAddresses: ['5.5.5.5:6881'],
    });
    session.receive(
      encodePexMessage(
        message({
          added: [
            '192.168.1.2:6881',
            '127.0.0.1:6881',
            '5.5.5.5:6881',
            '224.0.0.1:1',
            '8.8.8.8:53',
          ],
        }),
      ),
    );
    expect(events.peer.map((p) => p.address)).toEqual(['8.8.8.8']);
  });

  test('addLocalAddress: our own address learned later is refused too', () => {
    const { session, events } = setUp();
    session.addLocalAddress('9.9.9.9:6881');
    session.addLocalAddress({ address: '9.9.9.9', port: 6881 }); // duplicate: ignored
    session.receive(encodePexMessage(message({ added: ['9.9.9.9:6881', '9.9.9.9:6882'] })));
    expect(events.peer.map((p) => `${p.address}:${p.port}`)).toEqual(['9.9.9.9:6882']);
    expect(() => session.addLocalAddress('not an address')).toThrow(TypeError);
  });

  test('addLocalAddress keeps at most MAX_LOCAL_ADDRESSES', () => {
    const { session, events } = setUp();
    for (let i = 0; i <= MAX_LOCAL_ADDRESSES; i++) session.addLocalAddress(`9.9.9.9:${i + 1}`);
    const beyond = MAX_LOCAL_ADDRESSES + 1;
    session.receive(
      encodePexMessage(message({ added: [`9.9.9.9:${MAX_LOCAL_ADDRESSES}`, `9.9.9.9:${beyond}`] })),
    );
    expect(events.peer.map((p) => p.port)).toEqual([beyond]);
  });

  test('port 0 from the wire is refused by default', () => {
    const { session, events } = setUp();
    const zero: PexMessage = {
      added: [{ address: new Uint8Array([8, 8, 8, 8]), port: 0, flags: 0 }],
      added6: [],
      dropped: [],
      dropped6: [],
    };
    let bytes: Uint8Array;
    try {
      bytes = encodePexMessage(zero);
    } catch {
      // The encoder refuses port 0; build the payload by hand.
      bytes = new TextEncoder().encode(
        'd5:added6:\u0008\u0008\u0008\u0008\u0000\u00007:added.f1:\u0000e',
      );
    }
    session.receive(bytes);
    expect(events.invalid).toEqual([]);
    expect(events.peer).toEqual([]);
  });

  test('private peers are accepted from a private remote', () => {
    const { session, events } = setUp({ remoteAddress: '192.168.1.1:6881' });
    session.receive(encodePexMessage(message({ added: ['192.168.1.2:6881'] })));
    expect(events.peer.map((p) => p.address)).toEqual(['192.168.1.2']);
  });

  test('setRemoteAddress() changes the policy context', () => {
    const { session, events } = setUp();
    session.receive(encodePexMessage(message({ added: ['10.0.0.2:1'] })));
    session.setRemoteAddress('10.0.0.1:2');
    session.receive(encodePexMessage(message({ added: ['10.0.0.3:1'] })));
    expect(events.peer.map((p) => p.address)).toEqual(['10.0.0.3']);
  });

  test('a replaced policy decides alone', () => {
    const { session, events } = setUp({ accept: (peer) => peer.flags.reachable });
    session.receive(
      encodePexMessage(
        message({
          added: [
            ['127.0.0.1:1', 0x10],
            ['8.8.8.8:1', 0],
          ],
        }),
      ),
    );
    expect(events.peer.map((p) => p.address)).toEqual(['127.0.0.1']);
  });

  test("onViolation 'ignore' only reports; 'disconnect' calls disconnect once", () => {
    const flood = (session: PexSession) => {
      for (let i = 0; i < 10; i++) {
        session.receive(encodePexMessage(message({ added: [`1.2.3.${i + 1}:1`] })));
      }
    };
    const ignoring = setUp();
    flood(ignoring.session);
    expect(ignoring.events.violation.length).toBeGreaterThan(0);

    let disconnects = 0;
    const strict = setUp({ onViolation: 'disconnect', disconnect: () => disconnects++ });
    flood(strict.session);
    // The first violation asks for the disconnect; the rest of the flood is not even decoded.
    expect(strict.events.violation).toHaveLength(1);
    expect(disconnects).toBe(1);

    let invalidDisconnects = 0;
    const strictInvalid = setUp({
      onViolation: 'disconnect',
      disconnect: () => invalidDisconnects++,
    });
    strictInvalid.session.receive(new Uint8Array([0x64])); // "d": truncated
    expect(strictInvalid.events.invalid).toHaveLength(1);
    expect(invalidDisconnects).toBe(1);
  });

  test('after a violation asks for a disconnect, a valid payload behind it is neither decoded nor emitted', () => {
    let disconnects = 0;
    const { session, events } = setUp({
      onViolation: 'disconnect',
      disconnect: () => disconnects++,
    });
    session.receive(new Uint8Array([0x64])); // "d": truncated
    session.receive(encodePexMessage(message({ added: ['8.8.8.8:6881'] })));
    expect(disconnects).toBe(1);
    expect(events.invalid).toHaveLength(1);
    expect(events.peer).toEqual([]);
    expect(session.getCounters()).toMatchObject({ messagesReceived: 1, invalidPayloads: 1 });

    // Without the disconnect decision the same valid payload is delivered.
    const lenient = setUp();
    lenient.session.receive(new Uint8Array([0x64]));
    lenient.session.receive(encodePexMessage(message({ added: ['8.8.8.8:6881'] })));
    expect(lenient.events.peer.map((peer) => peer.address)).toEqual(['8.8.8.8']);
  });

  test('a throwing disconnect callback becomes a warning', () => {
    const { session, events } = setUp({
      onViolation: 'disconnect',
      disconnect: () => {
        throw new Error('already closed');
      },
    });
    expect(() => session.receive(new Uint8Array([0x78]))).not.toThrow();
    expect(events.warning.map((w) => w.source)).toEqual(['disconnect']);
  });

  test('a message far too soon is a violation with how much', () => {
    const { session, events, time } = setUp();
    for (let i = 0; i < 20; i++) {
      session.receive(encodePexMessage(message({ added: [`1.2.3.${i + 1}:1`] })));
      time.advance(10);
    }
    expect(events.violation.length).toBeGreaterThan(0);
    const violation = nth(events.violation, 0);
    expect(violation.reason).toBe('too-frequent');
    expect(typeof violation.amount).toBe('number');
    expect(typeof violation.limit).toBe('number');
    expect(events.peer.length).toBeLessThan(20);
  });

  test('inbound options apply: with a burst of 1, a second message at once is too frequent', () => {
    const strict = setUp({ inbound: { burstMessages: 1 } });
    const lenient = setUp();
    for (const { session } of [strict, lenient]) {
      session.receive(encodePexMessage(message({ added: ['1.2.3.4:1'] })));
      session.receive(encodePexMessage(message({ added: ['1.2.3.5:1'] })));
    }
    expect(strict.events.violation.map((v) => v.reason)).toEqual(['too-frequent']);
    expect(strict.events.peer).toHaveLength(1);
    expect(lenient.events.violation).toEqual([]);
    expect(lenient.events.peer).toHaveLength(2);
    expect(() => setUp({ inbound: { burstMessages: 0 } })).toThrow(RangeError);
  });

  test('receiving works before start() and does not start sending', () => {
    const { session, events, time, outbox } = setUp();
    session.receive(encodePexMessage(message({ added: ['1.2.3.4:1'] })));
    expect(events.peer).toHaveLength(1);
    time.advance(INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
  });
});

describe('injected outbound', () => {
  function createScriptedOutbound(time: FakeTime) {
    const queue: PexMessage[] = [];
    let lastSentAt: number | undefined;
    const outbound: PexOutbound = {
      nextMessageAt: () =>
        queue.length === 0
          ? undefined
          : Math.max(time.now(), (lastSentAt ?? -Infinity) + INTERVAL_MS),
      nextMessage: (now) => {
        if (queue.length === 0) return undefined;
        if (lastSentAt !== undefined && now < lastSentAt + INTERVAL_MS) return undefined;
        lastSentAt = now;
        return queue.shift();
      },
      reset: () => {
        lastSentAt = undefined;
      },
    };
    return { outbound, queue };
  }

  test('addPeer and dropPeer throw a TypeError', () => {
    const time = createFakeTime();
    const { session } = setUp({ outbound: createScriptedOutbound(time).outbound }, time);
    expect(() => session.addPeer('1.2.3.4:1')).toThrow(TypeError);
    expect(() => session.dropPeer('1.2.3.4:1')).toThrow(TypeError);
  });

  test('sends what it yields; refresh() looks at once, otherwise it is polled every interval', () => {
    const time = createFakeTime();
    const { outbound, queue } = createScriptedOutbound(time);
    const { session, outbox } = setUp({ outbound }, time);
    ready(session);
    time.advance(DELAY_MS);
    expect(outbox.messages).toEqual([]);
    expect(time.pending()).toBe(1); // the poll

    queue.push(message({ added: ['1.2.3.4:1'] }));
    session.refresh();
    time.advance(0);
    expect(outbox.messages).toHaveLength(1);

    // Changed behind the session's back, no refresh(): picked up within two intervals.
    queue.push(message({ added: ['5.6.7.8:1'] }));
    time.advance(2 * INTERVAL_MS);
    expect(outbox.messages).toHaveLength(2);
    expect(time.maxPending()).toBe(1);
    session.destroy();
    expect(time.pending()).toBe(0);
  });

  test('a swarm-timeline cursor drives several sessions; the remote itself is left out', () => {
    const time = createFakeTime();
    const swarm = createSwarmTimeline();
    const remotes = ['93.184.216.34:6881', '93.184.216.35:6881'];
    const setups = remotes.map((remote) => {
      const { bytes, port } = parsePeerAddress(remote);
      return setUp({ outbound: swarm.join({ remote: peerKey(bytes, port) }) }, time);
    });
    for (const { session } of setups) ready(session);
    for (const text of [...remotes, '1.2.3.4:6881']) {
      const { bytes, port } = parsePeerAddress(text);
      swarm.connected({ address: bytes, port, flags: 0x10 });
    }
    for (const { session } of setups) session.refresh();
    time.advance(DELAY_MS);
    expect(setups.map(({ outbox }) => outbox.messages.map((m) => listOf(m.message.added)))).toEqual(
      [[['1.2.3.4:6881', '93.184.216.35:6881']], [['1.2.3.4:6881', '93.184.216.34:6881']]],
    );
    // A drop with no refresh() is picked up by the poll.
    const { bytes, port } = parsePeerAddress('1.2.3.4:6881');
    swarm.disconnected({ address: bytes, port });
    time.advance(2 * INTERVAL_MS);
    for (const { outbox } of setups) {
      expect(outbox.messages.map((m) => listOf(m.message.dropped))).toEqual([[], ['1.2.3.4:6881']]);
    }
  });
});
