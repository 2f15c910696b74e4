import { describe, expect, test } from '@jest/globals';
import type { PexOutbound } from '@pex/core';
import { createPexSession, type PexSession, type PexWarningEvent } from '@pex/events';
import { createFakeTime } from '@pex/test-support';

// The EventEmitter surface of a session (found untested by mutation testing), and what its
// methods do once it is destroyed.

const INVALID_PAYLOAD = Uint8Array.from([0x78]);

function createSession(outbound?: PexOutbound): PexSession {
  const time = createFakeTime();
  return createPexSession({
    send: () => {},
    clock: time.clock,
    timers: time.timers,
    ...(outbound === undefined ? {} : { outbound }),
  });
}

describe('session listeners', () => {
  test('before any listener: no names, no listeners, removing is harmless', () => {
    const session = createSession();
    expect(session.eventNames()).toEqual([]);
    expect(session.listeners('peer')).toEqual([]);
    expect(session.listenerCount('peer')).toBe(0);
    expect(session.off('peer')).toBe(session);
    expect(session.removeListener('peer')).toBe(session);
    expect(session.removeAllListeners()).toBe(session);
  });

  test('once hears one event; addListener is on; off and removeListener remove one listener', () => {
    const session = createSession();
    const heard: string[] = [];
    const first = () => heard.push('once');
    const second = () => heard.push('added');
    const third = () => heard.push('on');
    expect(session.once('invalid', first)).toBe(session);
    expect(session.addListener('invalid', second)).toBe(session);
    session.on('invalid', third);
    expect(session.eventNames()).toEqual(['invalid']);
    expect(session.listenerCount('invalid')).toBe(3);
    session.receive(INVALID_PAYLOAD);
    expect(heard).toEqual(['once', 'added', 'on']);
    expect(session.listeners('invalid')).toEqual([second, third]);
    session.off('invalid', second);
    session.receive(INVALID_PAYLOAD);
    expect(heard).toEqual(['once', 'added', 'on', 'on']);
    session.removeListener('invalid', third);
    expect(session.listenerCount('invalid')).toBe(0);
    // A once listener is its own first listener: the emitter is made by `once` alone too.
    const fresh = createSession();
    const warnings: PexWarningEvent[] = [];
    fresh.once('warning', (warning) => warnings.push(warning));
    fresh.receive('not bytes' as unknown as Uint8Array);
    fresh.receive('not bytes' as unknown as Uint8Array);
    expect(warnings.map((warning) => warning.source)).toEqual(['receive']);
  });

  test('after destroy(): reset() leaves the outbound alone, other calls change nothing', () => {
    let resets = 0;
    const outbound: PexOutbound = {
      nextMessage: () => undefined,
      nextMessageAt: () => undefined,
      reset: () => {
        resets++;
      },
    };
    const session = createSession(outbound);
    session.reset();
    expect(resets).toBe(1);
    session.destroy();
    session.reset();
    session.start();
    session.setRemoteSupportsPex();
    session.refresh();
    session.stop();
    expect(resets).toBe(1);
    expect(session.eventNames()).toEqual([]);
  });
});
