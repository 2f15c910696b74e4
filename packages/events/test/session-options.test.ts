import { describe, expect, test } from '@jest/globals';
import { DEFAULT_PEX_LIMITS } from '@pex/core';
import { DEFAULT_SEND_INTERVAL_MS } from '@pex/core/internal';
import type { PexSessionOptions } from '@pex/events';
import {
  acceptPeerByDefault,
  FIRST_MESSAGE_DELAY_MS,
  realClock,
  realTimers,
  resolveSessionOptions,
} from '@pex/events/internal';

// The options of createPexSession as resolveSessionOptions checks and completes them: each
// mistake with the message that names it, and every default.

const send = () => {};

/** The error `resolveSessionOptions(options)` throws (fails if it throws nothing). */
function errorOf(options: unknown): Error {
  try {
    resolveSessionOptions(options as PexSessionOptions);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected resolveSessionOptions to throw');
}

describe('resolveSessionOptions', () => {
  test('fills in every default', () => {
    const resolved = resolveSessionOptions({ send });
    expect(resolved).toEqual({
      send,
      intervalMs: DEFAULT_SEND_INTERVAL_MS,
      firstMessageDelayMs: FIRST_MESSAGE_DELAY_MS,
      clock: realClock,
      timers: realTimers,
      accept: acceptPeerByDefault,
      limits: DEFAULT_PEX_LIMITS,
      onViolation: 'ignore',
      disconnect: undefined,
      localAddresses: [],
      inbound: {},
      privacy: 'public',
      sendWhilePrivacyUnknown: false,
      relays: false,
      caps: {},
    });
    expect(resolved.clock).toBe(realClock);
    expect(resolved.timers).toBe(realTimers);
    expect(resolved.accept).toBe(acceptPeerByDefault);
  });

  test('keeps what is given', () => {
    const clock = { now: () => 5 };
    const timers = { setTimeout: () => 1, clearTimeout: () => {} };
    const accept = () => true;
    const disconnect = () => {};
    const inbound = { maxPeersPerSource: 10 };
    const caps = { maxAddedPerMessage: 3 };
    const resolved = resolveSessionOptions({
      send,
      intervalMs: 0,
      firstMessageDelayMs: 0,
      clock,
      timers,
      accept,
      limits: { maxDepth: 3 },
      onViolation: 'disconnect',
      disconnect,
      localAddresses: ['1.2.3.4:6881', { address: '2001:db8::1', port: 80 }],
      inbound,
      privacy: 'unknown',
      sendWhilePrivacyUnknown: true,
      relays: true,
      caps,
    });
    expect(resolved).toEqual({
      send,
      intervalMs: 0,
      firstMessageDelayMs: 0,
      clock,
      timers,
      accept,
      limits: { ...DEFAULT_PEX_LIMITS, maxDepth: 3 },
      onViolation: 'disconnect',
      disconnect,
      localAddresses: [
        { address: '1.2.3.4', port: 6881, family: 4 },
        { address: '2001:db8::1', port: 80, family: 6 },
      ],
      inbound,
      privacy: 'unknown',
      sendWhilePrivacyUnknown: true,
      relays: true,
      caps,
    });
    // Endpoints only: the parsed bytes are not kept.
    expect(Object.keys(resolved.localAddresses[0] as object).sort()).toEqual([
      'address',
      'family',
      'port',
    ]);
  });

  test.each([
    ['no options', undefined, TypeError, '"options" expected an object, got undefined'],
    ['null options', null, TypeError, '"options" expected an object, got null'],
    ['no send', {}, TypeError, '"send" expected a function, got undefined'],
    [
      'an unknown onViolation',
      { send, onViolation: 'close' },
      TypeError,
      `"onViolation" expected 'ignore' or 'disconnect', got close`,
    ],
    [
      'disconnect missing',
      { send, onViolation: 'disconnect' },
      TypeError,
      `"disconnect" expected a function with onViolation 'disconnect', got undefined`,
    ],
    [
      'an accept that is not a function',
      { send, accept: true },
      TypeError,
      '"accept" expected a function, got boolean',
    ],
    [
      'a null clock',
      { send, clock: null },
      TypeError,
      '"clock.now" expected a function, got undefined',
    ],
    [
      'a clock without now',
      { send, clock: {} },
      TypeError,
      '"clock.now" expected a function, got undefined',
    ],
    [
      'a clock whose now is a number',
      { send, clock: { now: 5 } },
      TypeError,
      '"clock.now" expected a function, got number',
    ],
    [
      'null timers',
      { send, timers: null },
      TypeError,
      '"timers" expected { setTimeout, clearTimeout } functions',
    ],
    [
      'timers without clearTimeout',
      { send, timers: { setTimeout: () => 1 } },
      TypeError,
      '"timers" expected { setTimeout, clearTimeout } functions',
    ],
    [
      'timers without setTimeout',
      { send, timers: { clearTimeout: () => {} } },
      TypeError,
      '"timers" expected { setTimeout, clearTimeout } functions',
    ],
    [
      'a negative interval',
      { send, intervalMs: -1 },
      RangeError,
      '"intervalMs" expected a finite number of ms >= 0, got -1',
    ],
    [
      'an endless interval',
      { send, intervalMs: Number.POSITIVE_INFINITY },
      RangeError,
      '"intervalMs" expected a finite number of ms >= 0, got Infinity',
    ],
    [
      'an interval as text',
      { send, intervalMs: '10' },
      RangeError,
      '"intervalMs" expected a finite number of ms >= 0, got 10',
    ],
    [
      'a NaN first delay',
      { send, firstMessageDelayMs: Number.NaN },
      RangeError,
      '"firstMessageDelayMs" expected a finite number of ms >= 0, got NaN',
    ],
    [
      'an unknown privacy',
      { send, privacy: 'secret' },
      TypeError,
      `"privacy" expected 'public', 'private' or 'unknown', got secret`,
    ],
    [
      'sendWhilePrivacyUnknown not a boolean',
      { send, sendWhilePrivacyUnknown: 1 },
      TypeError,
      '"sendWhilePrivacyUnknown" expected a boolean, got number',
    ],
    [
      'relays not a boolean',
      { send, relays: 'yes' },
      TypeError,
      '"relays" expected a boolean, got string',
    ],
  ] as const)('refuses %s', (_name, options, type, message) => {
    const error = errorOf(options);
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
  });

  test('ignore and disconnect are the two violation actions', () => {
    expect(resolveSessionOptions({ send, onViolation: 'ignore' }).onViolation).toBe('ignore');
    expect(resolveSessionOptions({ send, onViolation: 'ignore' }).disconnect).toBeUndefined();
  });
});

describe('realClock and realTimers', () => {
  test('the clock is performance.now()', () => {
    const before = performance.now();
    const now = realClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(performance.now());
  });

  test('the clock falls back to Date.now() without performance', () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'performance');
    Object.defineProperty(globalThis, 'performance', { value: undefined, configurable: true });
    try {
      const before = Date.now();
      const now = realClock.now();
      expect(now).toBeGreaterThanOrEqual(before);
      expect(now).toBeLessThanOrEqual(Date.now());
    } finally {
      Object.defineProperty(globalThis, 'performance', saved as PropertyDescriptor);
    }
  });

  test('a timer fires once after its delay, is unref()ed, and can be cleared', async () => {
    const fired: number[] = [];
    const start = Date.now();
    const handle = realTimers.setTimeout(() => fired.push(Date.now() - start), 20);
    expect((handle as { hasRef(): boolean }).hasRef()).toBe(false);
    const cleared = realTimers.setTimeout(() => fired.push(-1), 5);
    realTimers.clearTimeout(cleared);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeGreaterThanOrEqual(15);
  });
});
