import { describe, expect, test } from '@jest/globals';
import { encodePexMessage, type PexMessage, type PexOutbound } from '@pex/core';
import { DEFAULT_SEND_INTERVAL_MS } from '@pex/core/internal';
import type { PexSession, PexSessionOptions, PexWarningEvent } from '@pex/events';
import {
  createRelayedPexSession,
  FIRST_MESSAGE_DELAY_MS,
  MAX_LOCAL_ADDRESSES,
  realTimers,
} from '@pex/events/internal';
import { createFakeTime } from '@pex/test-support';
import { listOf, message } from './support/record.js';
import { ready, setUpRecordedSession as setUp } from './support/session-setup.js';

// Session behaviour found unchecked by mutation testing: calls repeated or made in an unusual
// state (start twice, the same privacy again, after destroy), privacy transitions and what they
// resend, the bound on our own addresses, the relay's view of events, and the source of each
// warning.

const INTERVAL_MS = DEFAULT_SEND_INTERVAL_MS;
const DELAY_MS = FIRST_MESSAGE_DELAY_MS;

const payload = (...added: string[]) => encodePexMessage(message({ added }));
/** 1.1.1.1:1 and 1.1.1.2:0 (a port the encoder refuses, so written by hand). */
const WITH_PORT_ZERO = Uint8Array.from([
  ...Array.from('d5:added12:', (c) => c.charCodeAt(0)),
  ...[1, 1, 1, 1, 0, 1, 1, 1, 1, 2, 0, 0],
  0x65,
]);
const sources = (warnings: readonly PexWarningEvent[]) => warnings.map((w) => w.source);

describe('repeated calls keep the first message on time', () => {
  test.each([
    ['start()', (s: PexSession) => s.start()],
    ['setRemoteSupportsPex()', (s: PexSession) => s.setRemoteSupportsPex()],
    ["setPrivacy('public')", (s: PexSession) => s.setPrivacy('public')],
  ] as const)('%s again does not push the first message back', (_name, again) => {
    const { time, outbox, session } = setUp();
    ready(session);
    session.addPeer('8.8.8.8:1');
    time.advance(DELAY_MS / 2);
    again(session);
    time.advance(DELAY_MS / 2);
    expect(outbox.messages.map((sent) => sent.at)).toEqual([1_000 + DELAY_MS]);
  });

  test('a stop and start after a full resend sends only what changed', () => {
    const { time, outbox, session } = setUp();
    ready(session);
    session.addPeer('8.8.8.8:1');
    time.advance(DELAY_MS);
    session.setRemoteSupportsPex(false);
    session.setRemoteSupportsPex(true);
    time.advance(INTERVAL_MS);
    session.stop();
    session.start();
    session.addPeer('8.8.4.4:1');
    time.advance(2 * INTERVAL_MS);
    expect(outbox.messages.map((sent) => listOf(sent.message.added))).toEqual([
      ['8.8.8.8:1'],
      ['8.8.8.8:1'],
      ['8.8.4.4:1'],
    ]);
  });

  test('a session that cannot send arms no timer', () => {
    const { time, session } = setUp();
    session.addPeer('8.8.8.8:1');
    expect(time.pending()).toBe(0);
    session.start();
    session.addPeer('8.8.4.4:1');
    expect(time.pending()).toBe(0);
  });
});

describe('privacy transitions', () => {
  test('after a pause for an unknown privacy, the remote gets the full list again', () => {
    const { time, outbox, session } = setUp();
    ready(session);
    session.addPeer('8.8.8.8:1');
    time.advance(DELAY_MS);
    session.setPrivacy('unknown');
    expect(time.pending()).toBe(0);
    session.addPeer('8.8.4.4:1');
    time.advance(INTERVAL_MS);
    session.setPrivacy('public');
    time.advance(DELAY_MS);
    expect(outbox.messages.map((sent) => listOf(sent.message.added))).toEqual([
      ['8.8.8.8:1'],
      ['8.8.4.4:1', '8.8.8.8:1'],
    ]);
  });

  test('going unknown clears a pending first message', () => {
    const { time, outbox, session } = setUp();
    ready(session);
    session.addPeer('8.8.8.8:1');
    expect(time.pending()).toBe(1);
    session.setPrivacy('unknown');
    expect(time.pending()).toBe(0);
    time.advance(10 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
  });

  test('sending on while unknown and then public resends nothing', () => {
    const { time, outbox, session } = setUp({ privacy: 'unknown', sendWhilePrivacyUnknown: true });
    ready(session);
    session.addPeer('8.8.8.8:1');
    time.advance(DELAY_MS);
    session.setPrivacy('public');
    session.addPeer('8.8.4.4:1');
    time.advance(INTERVAL_MS + DELAY_MS);
    expect(outbox.messages.map((sent) => listOf(sent.message.added))).toEqual([
      ['8.8.8.8:1'],
      ['8.8.4.4:1'],
    ]);
  });

  test('going unknown while allowed to send then keeps the timer', () => {
    const { time, outbox, session } = setUp({ sendWhilePrivacyUnknown: true });
    ready(session);
    session.addPeer('8.8.8.8:1');
    session.setPrivacy('unknown');
    time.advance(DELAY_MS);
    expect(outbox.messages).toHaveLength(1);
  });

  test('private sends nothing, whatever sendWhilePrivacyUnknown says', () => {
    const { time, outbox, session } = setUp({ privacy: 'private', sendWhilePrivacyUnknown: true });
    ready(session);
    session.addPeer('8.8.8.8:1');
    time.advance(10 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
    expect(time.pending()).toBe(0);
  });

  test('from private to public nothing held is applied, and no warning', () => {
    const { events, session } = setUp({ privacy: 'private' });
    session.setPrivacy('public');
    session.receive(payload('1.1.1.1:1'));
    expect(events.warning).toEqual([]);
    expect(events.peer.map((p) => p.address)).toEqual(['1.1.1.1']);
  });

  test('a held payload is a copy: the caller may reuse its buffer', () => {
    const { events, session } = setUp({ privacy: 'unknown' });
    const bytes = payload('1.1.1.1:1');
    session.receive(bytes);
    bytes.set(payload('2.2.2.2:1'));
    session.setPrivacy('public');
    expect(events.warning).toEqual([]);
    expect(events.peer.map((p) => p.address)).toEqual(['1.1.1.1']);
  });

  test('held payloads stop at the first that asks for a disconnect', () => {
    let disconnects = 0;
    const { events, session } = setUp({
      privacy: 'unknown',
      inbound: { burstMessages: 1 },
      onViolation: 'disconnect',
      disconnect: () => {
        disconnects++;
      },
    });
    session.receive(payload('1.1.1.1:1'));
    session.receive(payload('2.2.2.2:1'));
    session.receive(payload('3.3.3.3:1'));
    session.setPrivacy('public');
    expect(events.peer.map((p) => p.address)).toEqual(['1.1.1.1']);
    expect(events.violation).toHaveLength(1);
    expect(disconnects).toBe(1);
  });

  test('held payloads stop when a listener destroys the session', () => {
    const { session } = setUp({ privacy: 'unknown', inbound: { burstMessages: 10 } });
    session.on('peer', () => session.destroy());
    session.receive(payload('1.1.1.1:1'));
    session.receive(payload('2.2.2.2:1'));
    session.setPrivacy('public');
    expect(session.getCounters().addedReceived).toBe(1);
  });

  test('after destroy() the privacy no longer changes', () => {
    const { session } = setUp();
    session.destroy();
    session.setPrivacy('private');
    expect(session.privacy).toBe('public');
  });
});

describe('addresses', () => {
  test('our own addresses: a repeat takes no room, the same address on another port does', () => {
    const { events, session } = setUp({ inbound: { burstMessages: 10 } });
    session.addLocalAddress('9.9.9.9:1');
    session.addLocalAddress('9.9.9.9:1');
    session.addLocalAddress({ address: '9.9.9.9', port: 2 });
    for (let i = 3; i <= MAX_LOCAL_ADDRESSES; i++) session.addLocalAddress(`9.9.8.${i}:1`);
    // One more than the bound: not kept.
    session.addLocalAddress('9.9.9.99:1');
    session.receive(
      payload('9.9.9.9:1', '9.9.9.9:2', `9.9.8.${MAX_LOCAL_ADDRESSES}:1`, '9.9.9.99:1'),
    );
    expect(events.refused.map((r) => `${r.address}:${r.port} ${r.reason}`)).toEqual([
      '9.9.9.9:1 own-address',
      '9.9.9.9:2 own-address',
      `9.9.8.${MAX_LOCAL_ADDRESSES}:1 own-address`,
    ]);
    expect(events.peer.map((p) => `${p.address}:${p.port}`)).toEqual(['9.9.9.99:1']);
  });

  test('the remote address can be forgotten, also with an injected outbound', () => {
    const { events, session } = setUp({ remoteAddress: '192.168.1.2:1' });
    session.receive(payload('192.168.1.3:1'));
    session.setRemoteAddress(undefined);
    session.receive(payload('192.168.1.4:1'));
    expect(events.peer.map((p) => p.address)).toEqual(['192.168.1.3']);
    expect(events.refused.map((r) => r.reason)).toEqual(['local-from-remote']);
    const outbound: PexOutbound = {
      nextMessage: () => undefined,
      nextMessageAt: () => undefined,
      reset: () => {},
    };
    const injected = setUp({ outbound });
    expect(() => injected.session.setRemoteAddress('1.2.3.4:5')).not.toThrow();
    expect(() => injected.session.setRemoteAddress(undefined)).not.toThrow();
  });

  test('addPeer and dropPeer with an injected outbound say what to do instead', () => {
    const outbound: PexOutbound = {
      nextMessage: () => undefined,
      nextMessageAt: () => undefined,
      reset: () => {},
    };
    const { session } = setUp({ outbound });
    for (const [method, call] of [
      ['addPeer', () => session.addPeer('1.2.3.4:1')],
      ['dropPeer', () => session.dropPeer('1.2.3.4:1')],
    ] as const) {
      expect(call).toThrow(
        new TypeError(
          `"${method}" is not available on a session created with "outbound": change the outbound (e.g. the swarm timeline) instead`,
        ),
      );
    }
  });

  test('receive() of something that is not bytes says what it got', () => {
    const { events, session } = setUp();
    session.receive('de' as unknown as Uint8Array);
    expect(events.warning.map((w) => [w.source, (w.error as Error).message])).toEqual([
      ['receive', '"bytes" expected a Uint8Array, got string'],
    ]);
  });
});

describe('relays and the relay of a relayed session', () => {
  test('a drop before any holepunch peer is fine', () => {
    const { events, session } = setUp({ relays: true, inbound: { burstMessages: 10 } });
    session.receive(payload('1.1.1.1:1'));
    session.receive(encodePexMessage(message({ dropped: ['1.1.1.1:1'] })));
    expect(events.warning).toEqual([]);
    expect(events.dropped.map((p) => p.address)).toEqual(['1.1.1.1']);
  });

  function relayed(listensTo: readonly string[], options: Partial<PexSessionOptions> = {}) {
    const time = createFakeTime(1_000);
    const heard: [string, unknown][] = [];
    const session = createRelayedPexSession(
      { send: () => {}, clock: time.clock, timers: time.timers, ...options },
      (event, payload) => {
        heard.push([event, payload]);
      },
      (event) => listensTo.includes(event),
    );
    return { time, heard, session };
  }

  test('the relay hears every event without a listener, and refused ones when it asks', () => {
    const { heard, session } = relayed(['refused']);
    session.receive(WITH_PORT_ZERO);
    expect(heard.map(([event]) => event)).toEqual(['peer', 'refused']);
    expect(heard[1]?.[1]).toEqual({ address: '1.1.1.2', port: 0, family: 4, reason: 'port-zero' });
  });

  test('refused peers are not built for a relay that does not ask', () => {
    const { heard, session } = relayed([]);
    session.receive(WITH_PORT_ZERO);
    expect(heard.map(([event]) => event)).toEqual(['peer']);
    expect(session.getCounters().refused['port-zero']).toBe(1);
  });

  test('the relay hears nothing once the session is destroyed', () => {
    const time = createFakeTime(1_000);
    const { heard, session } = relayed([], {
      clock: time.clock,
      timers: {
        setTimeout: time.timers.setTimeout,
        clearTimeout: () => {
          throw new Error('clearTimeout failed');
        },
      },
    });
    ready(session);
    session.addPeer('8.8.8.8:1');
    heard.length = 0;
    session.destroy();
    expect(heard).toEqual([]);
  });
});

describe('warnings come from core for what the session calls', () => {
  test('a throwing outbound reset, nextMessageAt and clearTimeout', () => {
    let failing = false;
    const outbound: PexOutbound = {
      nextMessage: () => undefined,
      nextMessageAt: () => {
        if (failing) throw new Error('nextMessageAt failed');
        return undefined;
      },
      reset: () => {
        throw new Error('reset failed');
      },
    };
    const time = createFakeTime(1_000);
    const { events, session } = setUp(
      {
        outbound,
        timers: {
          setTimeout: time.timers.setTimeout,
          clearTimeout: (handle) => {
            time.timers.clearTimeout(handle);
            throw new Error('clearTimeout failed');
          },
        },
      },
      time,
    );
    session.reset();
    ready(session);
    failing = true;
    session.refresh();
    session.stop();
    expect(sources(events.warning)).toEqual(['core', 'core', 'core']);
    expect(events.warning.map((w) => (w.error as Error).message)).toEqual([
      'reset failed',
      'nextMessageAt failed',
      'clearTimeout failed',
    ]);
  });

  test('a clock that throws when sending becomes possible', () => {
    let failing = false;
    const time = createFakeTime(1_000);
    const { events, session } = setUp({
      clock: {
        now: () => {
          if (failing) throw new Error('clock failed');
          return time.now();
        },
      },
      timers: time.timers,
    });
    session.start();
    failing = true;
    session.setRemoteSupportsPex();
    expect(events.warning.length).toBeGreaterThan(0);
    expect(new Set(sources(events.warning))).toEqual(new Set(['core']));
  });

  test('clearTimeout only ever gets handles setTimeout returned, at most one pending', () => {
    const time = createFakeTime(1_000);
    const issued = new Set<unknown>();
    const cleared: unknown[] = [];
    const { session } = setUp(
      {
        timers: {
          setTimeout: (callback, delayMs) => {
            const handle = time.timers.setTimeout(callback, delayMs);
            issued.add(handle);
            return handle;
          },
          clearTimeout: (handle) => {
            cleared.push(handle);
            time.timers.clearTimeout(handle);
          },
        },
      },
      time,
    );
    session.stop();
    session.setPrivacy('unknown');
    session.setPrivacy('public');
    ready(session);
    session.addPeer('8.8.8.8:1');
    session.stop();
    session.stop();
    session.destroy();
    expect(cleared.length).toBeGreaterThan(0);
    expect(cleared.every((handle) => issued.has(handle))).toBe(true);
  });
});

describe('sending edges', () => {
  test('an outbound that says a message is due but yields none: no warning, no spinning', () => {
    let asked = 0;
    const outbound: PexOutbound = {
      nextMessageAt: () => 0,
      nextMessage: () => {
        asked++;
        return undefined;
      },
      reset: () => {},
    };
    const { events, outbox, session, time } = setUp({ outbound });
    ready(session);
    time.advance(10 * INTERVAL_MS);
    expect(outbox.messages).toEqual([]);
    expect(events.warning).toEqual([]);
    expect(asked).toBeLessThanOrEqual(11);
    expect(asked).toBeGreaterThan(0);
  });

  test('an outbound polled sooner than the first delay still waits for it', () => {
    const sample: PexMessage = message({ added: ['8.8.8.8:1'] });
    let given = false;
    const outbound: PexOutbound = {
      nextMessageAt: () => undefined,
      nextMessage: () => {
        if (given) return undefined;
        given = true;
        return sample;
      },
      reset: () => {},
    };
    const { outbox, session, time } = setUp({
      outbound,
      intervalMs: 100,
      firstMessageDelayMs: 1_000,
    });
    ready(session);
    time.advance(5_000);
    expect(outbox.messages.map((sent) => sent.at)).toEqual([2_000]);
  });

  test("an outbound's own encoding is what is sent", () => {
    const sample: PexMessage = message({ added: ['8.8.8.8:1'] });
    const encoded = encodePexMessage(sample);
    let given = false;
    const sent: Uint8Array[] = [];
    const outbound: PexOutbound = {
      nextMessageAt: () => (given ? undefined : 0),
      nextMessage: () => {
        if (given) return undefined;
        given = true;
        return sample;
      },
      reset: () => {},
      encode: (m) => {
        expect(m).toBe(sample);
        return encoded;
      },
    };
    const { session, time } = setUp({ outbound, send: (bytes) => sent.push(bytes) });
    ready(session);
    time.advance(DELAY_MS);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBe(encoded);
  });

  test('dropped IPv6 peers are counted as dropped', () => {
    const { time, session } = setUp();
    ready(session);
    session.addPeer('[2001:4860::1]:1');
    session.addPeer('8.8.8.8:1');
    time.advance(DELAY_MS);
    session.dropPeer('[2001:4860::1]:1');
    session.dropPeer('8.8.8.8:1');
    time.advance(INTERVAL_MS);
    expect(session.getCounters()).toMatchObject({ addedSent: 2, droppedSent: 2, messagesSent: 2 });
  });
});

describe('the real timers in other hosts', () => {
  test('a handle without unref(), or none at all, is fine', () => {
    const saved = globalThis.setTimeout;
    try {
      for (const handle of [7, null, {}]) {
        globalThis.setTimeout = (() => handle) as unknown as typeof setTimeout;
        expect(realTimers.setTimeout(() => {}, 10)).toBe(handle);
      }
    } finally {
      globalThis.setTimeout = saved;
    }
  });
});
