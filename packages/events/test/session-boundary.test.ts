import { describe, expect, test } from '@jest/globals';
import { encodePexMessage } from '@pex/core';
import { DEFAULT_SEND_INTERVAL_MS } from '@pex/core/internal';
import { FIRST_MESSAGE_DELAY_MS } from '@pex/events/internal';
import fc from 'fast-check';
import { listOf, message, nth, record } from './support/record.js';
import { ready, setUpSession as setUp } from './support/session-setup.js';

// What the session says about the peers it leaves out (`refused`, counters), and how it follows
// a remote that withdraws ut_pex and offers it again (BEP 10 re-handshakes).

const INTERVAL_MS = DEFAULT_SEND_INTERVAL_MS;
const DELAY_MS = FIRST_MESSAGE_DELAY_MS;

/**
 * A payload adding `peers` (`"ip:port"`) and then IPv4 hosts at port 0, written by hand: our
 * encoder, like the text parser, refuses port 0, but a remote can send it.
 */
function withPortZero(peers: readonly string[], ...zeroPorted: readonly number[][]): Uint8Array {
  const compact = [
    ...message({ added: peers }).added.map((peer) => [
      ...peer.address,
      peer.port >> 8,
      peer.port & 0xff,
    ]),
    ...zeroPorted.map((host) => [...host, 0, 0]),
  ].flat();
  const head = new TextEncoder().encode(`d5:added${compact.length}:`);
  const tail = new TextEncoder().encode('e');
  return Uint8Array.from([...head, ...compact, ...tail]);
}

describe('refused peers', () => {
  test('each refused peer becomes a refused event with the default policy reason', () => {
    const { session } = setUp({
      remoteAddress: '203.0.113.5:6881',
      localAddresses: ['8.8.4.4:6881'],
    });
    const events = record(session);
    session.receive(
      withPortZero(
        [
          '8.8.8.8:6881',
          '127.0.0.1:6881',
          '10.0.0.1:6881',
          '224.0.0.1:6881',
          '240.0.0.1:6881',
          '0.0.0.0:6881',
          '8.8.4.4:6881',
        ],
        [8, 8, 8, 9],
      ),
    );
    expect(events.peer.map((peer) => `${peer.address}:${peer.port}`)).toEqual(['8.8.8.8:6881']);
    expect(events.refused).toEqual([
      { address: '127.0.0.1', port: 6881, family: 4, reason: 'local-from-remote' },
      { address: '10.0.0.1', port: 6881, family: 4, reason: 'local-from-remote' },
      { address: '224.0.0.1', port: 6881, family: 4, reason: 'multicast' },
      { address: '240.0.0.1', port: 6881, family: 4, reason: 'reserved' },
      { address: '0.0.0.0', port: 6881, family: 4, reason: 'unspecified' },
      { address: '8.8.4.4', port: 6881, family: 4, reason: 'own-address' },
      { address: '8.8.8.9', port: 0, family: 4, reason: 'port-zero' },
    ]);
    expect(session.getCounters().refused).toMatchObject({
      'port-zero': 1,
      'local-from-remote': 2,
      multicast: 1,
      reserved: 1,
      unspecified: 1,
      'own-address': 1,
      policy: 0,
      'source-full': 0,
    });
  });

  test("a custom policy's refusal and a throwing policy are reported as 'policy'", () => {
    const { session } = setUp({
      accept: (peer) => {
        if (peer.port === 2) throw new Error('policy bug');
        return peer.port !== 1;
      },
    });
    const events = record(session);
    session.receive(encodePexMessage(message({ added: ['8.8.8.8:1', '8.8.8.8:2', '8.8.8.8:3'] })));
    expect(events.peer.map((peer) => peer.port)).toEqual([3]);
    expect(events.refused.map((peer) => [peer.port, peer.reason])).toEqual([
      [1, 'policy'],
      [2, 'policy'],
    ]);
    expect(events.warning.map((warning) => warning.source)).toEqual(['policy']);
  });

  test("peers past the remote's share of memory are refused as 'source-full'", () => {
    const { session } = setUp({ inbound: { maxPeersPerSource: 2 } });
    const events = record(session);
    session.receive(
      encodePexMessage(message({ added: ['8.8.8.1:1', '8.8.8.2:1', '8.8.8.3:1', '8.8.8.4:1'] })),
    );
    expect(events.peer.map((peer) => peer.address)).toEqual(['8.8.8.1', '8.8.8.2']);
    expect(events.refused).toEqual([
      { address: '8.8.8.3', port: 1, family: 4, reason: 'source-full' },
      { address: '8.8.8.4', port: 1, family: 4, reason: 'source-full' },
    ]);
    expect(session.getCounters().refused['source-full']).toBe(2);
  });

  test('with no refused listener, refusals are still counted', () => {
    const { session } = setUp();
    session.receive(withPortZero(['224.0.0.1:1'], [8, 8, 8, 8]));
    expect(session.getCounters().refused).toMatchObject({ 'port-zero': 1, multicast: 1 });
    expect(session.listenerCount('refused')).toBe(0);
  });

  test('a message refused whole (too frequent) changes no refusal count', () => {
    const { session } = setUp({ inbound: { burstMessages: 1 } });
    const events = record(session);
    session.receive(withPortZero([], [8, 8, 8, 8]));
    session.receive(withPortZero([], [8, 8, 8, 9]));
    expect(events.violation.map((v) => v.reason)).toEqual(['too-frequent']);
    expect(events.refused.map((peer) => peer.address)).toEqual(['8.8.8.8']);
    expect(session.getCounters()).toMatchObject({
      messagesReceived: 2,
      violations: 1,
      refused: expect.objectContaining({ 'port-zero': 1 }),
    });
  });
});

describe('counters', () => {
  test('count what went out and what came in, as the events report it', () => {
    const { time, outbox, session } = setUp();
    const events = record(session);
    ready(session);
    session.addPeer('8.8.8.8:6881');
    session.addPeer('[2001:4860::8888]:6881');
    time.advance(DELAY_MS);
    session.dropPeer('8.8.8.8:6881');
    time.advance(INTERVAL_MS);
    const first = encodePexMessage(message({ added: ['1.1.1.1:1', '1.1.1.2:1'] }));
    const second = encodePexMessage(message({ dropped: ['1.1.1.1:1'] }));
    const broken = new Uint8Array([0x64]);
    session.receive(first);
    time.advance(INTERVAL_MS);
    session.receive(second);
    session.receive(broken);
    expect(outbox.messages).toHaveLength(2);
    expect(session.getCounters()).toEqual({
      messagesSent: 2,
      bytesSent: outbox.messages.reduce((sum, sent) => sum + sent.bytes.length, 0),
      addedSent: 2,
      droppedSent: 1,
      messagesReceived: 3,
      bytesReceived: first.length + second.length + broken.length,
      addedReceived: events.peer.length,
      droppedReceived: events.dropped.length,
      invalidPayloads: 1,
      violations: 0,
      refused: expect.objectContaining({ policy: 0, 'source-full': 0 }),
    });
    expect([events.peer.length, events.dropped.length]).toEqual([2, 1]);
  });

  test('getCounters returns plain data: a snapshot that later traffic does not change', () => {
    const { session } = setUp();
    const before = session.getCounters();
    session.receive(encodePexMessage(message({ added: ['1.1.1.1:1'] })));
    expect(before.messagesReceived).toBe(0);
    expect(structuredClone(session.getCounters())).toEqual(session.getCounters());
  });
});

describe('the remote withdraws ut_pex and offers it again', () => {
  test('nothing goes out while withdrawn, nothing is recorded as told, and the return sends a full list', () => {
    const { time, outbox, session } = setUp();
    ready(session);
    session.addPeer('8.8.8.1:1');
    time.advance(DELAY_MS);
    expect(outbox.messages).toHaveLength(1);

    session.setRemoteSupportsPex(false);
    session.addPeer('8.8.8.2:1');
    session.dropPeer('8.8.8.1:1');
    session.addPeer('8.8.8.3:1');
    time.advance(5 * INTERVAL_MS);
    expect(outbox.messages).toHaveLength(1);
    expect(time.pending()).toBe(0);

    session.setRemoteSupportsPex(true);
    time.advance(DELAY_MS);
    expect(outbox.messages).toHaveLength(2);
    const back = nth(outbox.messages, 1).message;
    // A full list of what is live now; no drop of 8.8.8.1, which this new start never heard of.
    expect(listOf(back.added)).toEqual(['8.8.8.2:1', '8.8.8.3:1']);
    expect(back.dropped).toEqual([]);
  });

  test('property: whatever the on/off schedule, every message sent after the last return reflects the live set', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), host: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant('drop' as const), host: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant('off' as const) }),
      fc.record({ kind: fc.constant('on' as const) }),
      fc.record({
        kind: fc.constant('wait' as const),
        ms: fc.integer({ min: 0, max: 2 * INTERVAL_MS }),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const { time, outbox, session } = setUp();
        ready(session);
        let supported = true;
        const live = new Set<string>();
        // What the remote knows, rebuilt from what it received since it last (re)enabled ut_pex.
        let known = new Set<string>();
        let sentBefore = 0;
        const absorb = () => {
          for (const sent of outbox.messages.slice(sentBefore)) {
            expect(supported).toBe(true);
            for (const peer of listOf(sent.message.dropped)) {
              expect(known.has(peer)).toBe(true);
              known.delete(peer);
            }
            for (const peer of listOf(sent.message.added)) known.add(peer);
          }
          sentBefore = outbox.messages.length;
        };
        for (const s of steps) {
          if (s.kind === 'add') {
            live.add(`8.8.8.${s.host}:1`);
            session.addPeer(`8.8.8.${s.host}:1`);
          } else if (s.kind === 'drop') {
            live.delete(`8.8.8.${s.host}:1`);
            session.dropPeer(`8.8.8.${s.host}:1`);
          } else if (s.kind === 'off') {
            supported = false;
            session.setRemoteSupportsPex(false);
          } else if (s.kind === 'on') {
            if (!supported) known = new Set();
            supported = true;
            session.setRemoteSupportsPex(true);
          } else {
            time.advance(s.ms);
          }
          absorb();
        }
        if (supported) {
          time.advance(DELAY_MS + 2 * INTERVAL_MS);
          absorb();
          expect([...known].sort()).toEqual([...live].sort());
        }
      }),
    );
  });
});

describe('privacy (BEP 27)', () => {
  const payload = (...peers: string[]) => encodePexMessage(message({ added: peers }));

  test('private: nothing is sent, every reported peer is refused, and what was learned is forgotten', () => {
    const { time, outbox, session } = setUp();
    const events = record(session);
    ready(session);
    session.addPeer('8.8.8.1:1');
    session.receive(payload('1.1.1.1:1'));
    session.setPrivacy('private');
    expect(session.privacy).toBe('private');
    time.advance(10 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
    expect(time.pending()).toBe(0);
    time.advance(INTERVAL_MS);
    session.receive(payload('1.1.1.2:1', '[2606:4700::1]:2'));
    expect(events.peer.map((peer) => peer.address)).toEqual(['1.1.1.1']);
    expect(events.refused).toEqual([
      { address: '1.1.1.2', port: 1, family: 4, reason: 'private' },
      { address: '2606:4700::1', port: 2, family: 6, reason: 'private' },
    ]);
    expect(session.getCounters().refused.private).toBe(2);
    // Public again: 1.1.1.1 was forgotten, so it is new again; and we send a full list.
    session.setPrivacy('public');
    time.advance(INTERVAL_MS);
    session.receive(payload('1.1.1.1:1'));
    expect(events.peer.map((peer) => peer.address)).toEqual(['1.1.1.1', '1.1.1.1']);
    time.advance(DELAY_MS);
    expect(outbox.messages.map((sent) => listOf(sent.message.added))).toEqual([['8.8.8.1:1']]);
  });

  test('unknown: nothing is sent, payloads are held, and applied once public', () => {
    const { time, outbox, session } = setUp({ privacy: 'unknown' });
    const events = record(session);
    ready(session);
    session.addPeer('8.8.8.1:1');
    session.receive(payload('1.1.1.1:1'));
    time.advance(10 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
    expect(events.peer).toEqual([]);
    session.setPrivacy('public');
    expect(events.peer.map((peer) => peer.address)).toEqual(['1.1.1.1']);
    time.advance(DELAY_MS);
    expect(outbox.messages.map((sent) => listOf(sent.message.added))).toEqual([['8.8.8.1:1']]);
  });

  test('unknown then private: held payloads are dropped, never emitted', () => {
    const { session } = setUp({ privacy: 'unknown' });
    const events = record(session);
    session.receive(payload('1.1.1.1:1'));
    session.setPrivacy('private');
    session.setPrivacy('public');
    expect(events.peer).toEqual([]);
  });

  test(`unknown holds at most the newest ${4} payloads`, () => {
    const { session } = setUp({ privacy: 'unknown', inbound: { burstMessages: 10 } });
    const events = record(session);
    for (let i = 1; i <= 6; i++) session.receive(payload(`1.1.1.${i}:1`));
    session.setPrivacy('public');
    expect(events.peer.map((peer) => peer.address)).toEqual([
      '1.1.1.3',
      '1.1.1.4',
      '1.1.1.5',
      '1.1.1.6',
    ]);
  });

  test('sendWhilePrivacyUnknown sends as public does; an unknown privacy never drops a peer', () => {
    const { time, outbox, session } = setUp({ privacy: 'unknown', sendWhilePrivacyUnknown: true });
    ready(session);
    session.addPeer('8.8.8.1:1');
    time.advance(DELAY_MS);
    expect(outbox.messages).toHaveLength(1);
  });

  test('a bad privacy is a TypeError, when created and when set', () => {
    expect(() => setUp({ privacy: 'secret' as never })).toThrow(TypeError);
    const { session } = setUp();
    expect(() => session.setPrivacy('secret' as never)).toThrow(TypeError);
    expect(() => setUp({ sendWhilePrivacyUnknown: 'yes' as never })).toThrow(TypeError);
  });
});
