import { describe, expect, test } from '@jest/globals';
import type { PexOutbound } from '@pex/core';
import { DEFAULT_SEND_INTERVAL_MS } from '@pex/core/internal';
import { createPexSession, type PexSession, type PexTimers } from '@pex/events';
import { FIRST_MESSAGE_DELAY_MS } from '@pex/events/internal';
import { createFakeTime, type FakeTime } from '@pex/test-support';
import fc from 'fast-check';
import { createOutbox, message, record } from './support/record.js';

// An injected outbound is the caller's code: the session must not trust it to keep the
// interval. These outbounds have a message every time they are asked, and say they are due
// now, long ago or never (then the session polls them): the session alone keeps the gap.

/** What the greedy outbound says when asked when it is next due. */
type Due = 'now' | 'past' | 'never';
const DUES: readonly Due[] = ['now', 'past', 'never'];

function createGreedyOutbound(time: FakeTime, due: Due) {
  /** Times at which `nextMessage` was asked (and, as every time, gave a message). */
  const asked: number[] = [];
  let resets = 0;
  const outbound: PexOutbound = {
    nextMessageAt: () => (due === 'now' ? time.now() : due === 'past' ? 0 : undefined),
    nextMessage: (now) => {
      asked.push(now);
      const n = asked.length;
      return message({ added: [`1.2.${(n >> 8) & 0xff}.${n & 0xff}:6881`] });
    },
    reset: () => {
      resets++;
    },
  };
  return { outbound, asked, resets: () => resets };
}

/**
 * Timers that fire half a millisecond before the clock says they are due (never sooner than
 * 0.5 ms after they were set): a clock and timers that disagree by a fraction of a millisecond,
 * as `performance.now()` and Node's millisecond timers can. A timer is no proof that the
 * interval has passed.
 */
function earlyTimers(time: FakeTime): PexTimers {
  return {
    setTimeout: (callback, delayMs) =>
      time.timers.setTimeout(callback, Math.max(1, delayMs) - EARLY_MS),
    clearTimeout: (handle) => time.timers.clearTimeout(handle),
  };
}
const EARLY_MS = 0.5;

function setUp(due: Due, intervalMs: number, firstMessageDelayMs: number, early = false) {
  const time = createFakeTime(1_000);
  const greedy = createGreedyOutbound(time, due);
  const outbox = createOutbox(time.clock);
  const session = createPexSession({
    send: outbox.send,
    clock: time.clock,
    timers: early ? earlyTimers(time) : time.timers,
    outbound: greedy.outbound,
    intervalMs,
    firstMessageDelayMs,
  });
  return { time, greedy, outbox, session, events: record(session) };
}

function ready(session: PexSession): void {
  session.start();
  session.setRemoteSupportsPex();
}

/** Gaps between consecutive sends, ms. */
const gapsOf = (times: readonly number[]) =>
  times.slice(1).map((at, i) => at - (times[i] as number));

type Action =
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'refresh' | 'reset' | 'restart' | 'withdraw-and-return' };

const actionArbitrary = (intervalMs: number): fc.Arbitrary<Action> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('advance' as const),
        ms: fc.oneof(fc.integer({ min: 0, max: 3 * intervalMs }), fc.constant(intervalMs - 1)),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constantFrom(
          'refresh' as const,
          'reset' as const,
          'restart' as const,
          'withdraw-and-return' as const,
        ),
      }),
    },
  );

function perform(session: PexSession, time: FakeTime, action: Action): void {
  switch (action.kind) {
    case 'advance':
      time.advance(action.ms);
      break;
    case 'refresh':
      session.refresh();
      break;
    case 'reset':
      session.reset();
      break;
    case 'restart':
      session.stop();
      session.start();
      break;
    case 'withdraw-and-return':
      session.setRemoteSupportsPex(false);
      session.setRemoteSupportsPex(true);
      break;
  }
}

describe('an injected outbound that ignores its interval', () => {
  test.each(DUES)(
    'due %s, time alone: one message per interval, the first after the delay',
    (due) => {
      const { time, greedy, outbox, session } = setUp(
        due,
        DEFAULT_SEND_INTERVAL_MS,
        FIRST_MESSAGE_DELAY_MS,
      );
      const start = time.now();
      ready(session);
      time.advance(10 * DEFAULT_SEND_INTERVAL_MS);
      const sentAt = outbox.messages.map((sent) => sent.at);
      // An outbound due at once goes after the first-message delay; one that never says when is
      // polled an interval later.
      const first = start + (due === 'never' ? DEFAULT_SEND_INTERVAL_MS : FIRST_MESSAGE_DELAY_MS);
      expect(sentAt[0]).toBe(first);
      expect(gapsOf(sentAt)).toEqual(
        Array.from({ length: sentAt.length - 1 }, () => DEFAULT_SEND_INTERVAL_MS),
      );
      expect(sentAt.at(-1)).toBeGreaterThan(time.now() - DEFAULT_SEND_INTERVAL_MS);
      // Asked only when it could send: every message it gave (and recorded as sent) went out.
      expect(greedy.asked).toEqual(sentAt);
      expect(time.maxPending()).toBe(1);
    },
  );

  /** Starts the session and runs time to its first message; returns when that went out. */
  function firstSend(session: PexSession, time: FakeTime): number {
    ready(session);
    time.advance((time.nextAt() as number) - time.now());
    return time.now();
  }

  /**
   * When the next message goes: an interval after the last one, or, for an outbound that never
   * says it is due, an interval after the session last looked at it (each call looks again).
   */
  const nextSendAt = (due: Due, sentAt: number, lastCallAt: number) =>
    due === 'never' ? lastCallAt + DEFAULT_SEND_INTERVAL_MS : sentAt + DEFAULT_SEND_INTERVAL_MS;

  test.each(DUES)('due %s: refresh() every second within an interval sends nothing more', (due) => {
    const { time, greedy, outbox, session } = setUp(
      due,
      DEFAULT_SEND_INTERVAL_MS,
      FIRST_MESSAGE_DELAY_MS,
    );
    const sentAt = firstSend(session, time);
    expect(outbox.messages.map((sent) => sent.at)).toEqual([sentAt]);
    let lastCallAt = sentAt;
    while (time.now() + 1_000 < sentAt + DEFAULT_SEND_INTERVAL_MS) {
      time.advance(1_000);
      session.refresh();
      lastCallAt = time.now();
    }
    const next = nextSendAt(due, sentAt, lastCallAt);
    time.advance(next - 1 - time.now());
    expect(outbox.messages).toHaveLength(1);
    expect(greedy.asked).toHaveLength(1);
    time.advance(1);
    expect(outbox.messages.map((sent) => sent.at)).toEqual([sentAt, next]);
  });

  test.each(DUES)(
    'due %s: reset(), a restart or a withdrawn ut_pex do not shorten the gap',
    (due) => {
      const { time, greedy, outbox, session } = setUp(
        due,
        DEFAULT_SEND_INTERVAL_MS,
        FIRST_MESSAGE_DELAY_MS,
      );
      const sentAt = firstSend(session, time);
      time.advance(10_000);
      session.reset();
      time.advance(10_000);
      session.stop();
      session.start();
      time.advance(10_000);
      session.setRemoteSupportsPex(false);
      session.setRemoteSupportsPex(true);
      const next = nextSendAt(due, sentAt, time.now());
      time.advance(next - 1 - time.now());
      expect(outbox.messages).toHaveLength(1);
      // Both the reset and the returning ut_pex reset the outbound (a full list is due).
      expect(greedy.resets()).toBe(2);
      time.advance(1);
      expect(outbox.messages.map((sent) => sent.at)).toEqual([sentAt, next]);
    },
  );

  // An outbound that never says when is only polled, and an early poll finds the interval not
  // yet over: it goes out at the next poll. The property below covers it with early timers too.
  test.each<Due>(['now', 'past'])(
    'due %s, timers that fire early: the clock decides, one message per interval all the same',
    (due) => {
      const { time, greedy, outbox, session } = setUp(
        due,
        DEFAULT_SEND_INTERVAL_MS,
        FIRST_MESSAGE_DELAY_MS,
        true,
      );
      ready(session);
      time.advance(10 * DEFAULT_SEND_INTERVAL_MS);
      const sentAt = outbox.messages.map((sent) => sent.at);
      expect(sentAt.length).toBeGreaterThanOrEqual(9);
      for (const gap of gapsOf(sentAt)) {
        expect(gap).toBeGreaterThanOrEqual(DEFAULT_SEND_INTERVAL_MS);
        // Late by at most the early timer's own correction.
        expect(gap).toBeLessThanOrEqual(DEFAULT_SEND_INTERVAL_MS + EARLY_MS);
      }
      expect(greedy.asked).toEqual(sentAt);
      expect(time.maxPending()).toBe(1);
    },
  );

  test('property: whatever the calls and the time, never two messages within intervalMs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DUES),
        fc.boolean(),
        fc.integer({ min: 0, max: 2_000 }),
        fc
          .integer({ min: 1, max: 5_000 })
          .chain((intervalMs) =>
            fc.tuple(
              fc.constant(intervalMs),
              fc.array(actionArbitrary(intervalMs), { maxLength: 60 }),
            ),
          ),
        (due, early, firstMessageDelayMs, [intervalMs, actions]) => {
          const { time, greedy, outbox, session, events } = setUp(
            due,
            intervalMs,
            firstMessageDelayMs,
            early,
          );
          ready(session);
          for (const action of actions) perform(session, time, action);
          // Left alone, it sends again within the delay and an interval (plus a poll).
          const quietFrom = time.now();
          time.advance(firstMessageDelayMs + 2 * intervalMs);
          const sentAt = outbox.messages.map((sent) => sent.at);
          for (const gap of gapsOf(sentAt)) expect(gap).toBeGreaterThanOrEqual(intervalMs);
          expect(sentAt.at(-1)).toBeGreaterThan(quietFrom);
          expect(greedy.asked).toEqual(sentAt);
          expect(events.sent.map((sent) => sent.at)).toEqual(sentAt);
          expect(events.warning).toEqual([]);
          expect(time.maxPending()).toBe(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});
