import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  createInboundView,
  decodePexMessage,
  encodePexMessage,
  type InboundView,
  type InboundViewOptions,
  type PexMessage,
} from '@pex/core';
import {
  DEFAULT_INBOUND_BURST_MESSAGES,
  DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE,
  DEFAULT_INBOUND_REFILL_MS,
} from '@pex/core/internal';
import fc from 'fast-check';

const v4 = (n: number, port = 6881, flags?: number): CompactPeer => ({
  address: Uint8Array.from([10, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]),
  port,
  ...(flags === undefined ? {} : { flags }),
});
const v6 = (n: number, port = 6881): CompactPeer => {
  const address = new Uint8Array(16);
  address.set([0x20, 0x01, 0x0d, 0xb8]);
  address[14] = (n >> 8) & 0xff;
  address[15] = n & 0xff;
  return { address, port, flags: 0 };
};
const message = (parts: Partial<PexMessage>): PexMessage => ({
  added: [],
  added6: [],
  dropped: [],
  dropped6: [],
  ...parts,
});
const EMPTY = message({});
const peers = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => v4(from + i, 6881, 0));
const ports = (list: readonly { port: number }[]) => list.map((peer) => peer.port);

/** Feeds a sender's schedule: message i at `times[i]`; returns the results. */
function feed(view: InboundView, times: readonly number[], make: (i: number) => PexMessage) {
  return times.map((time, i) => view.receive(make(i), time));
}
function scheduleOf(first: number, gapMs: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i * gapMs);
}

describe('inbound view: the rate of compliant senders is never judged flooding', () => {
  test.each<[string, number[], (i: number) => PexMessage]>([
    // libtorrent: first message 1.4 s after the handshake (full list, up to 100), gaps of 59.5 s.
    [
      'libtorrent (1.4 s, then every 59.5 s)',
      scheduleOf(1400, 59_500, 60),
      (i) => message({ added: i === 0 ? peers(0, 100) : peers(1000 + i, 2) }),
    ],
    // Transmission: at once after the handshake, then every 90 s, `de` when nothing changed.
    [
      'Transmission (immediately, then every 90 s, with empty `de`)',
      scheduleOf(0, 90_000, 40),
      (i) => (i % 3 === 0 ? message({ added: peers(i * 10, 3) }) : EMPTY),
    ],
    // ut_pex 5.x: every 65 s from start(), an empty message on every tick.
    ['ut_pex (every 65 s, empty ticks)', scheduleOf(65_000, 65_000, 40), () => EMPTY],
    // anacrolix: the whole list at once (uncapped), then every 60 s.
    [
      'anacrolix (full list at once, uncapped, then every 60 s)',
      scheduleOf(0, 60_000, 40),
      (i) => message({ added: i === 0 ? peers(0, 400) : peers(5000 + i, 1) }),
    ],
    // aria2: empty `de` messages every 60 s.
    ['aria2 (empty `de` every 60 s)', scheduleOf(0, 60_000, 40), () => EMPTY],
  ])('%s', (_name, times, make) => {
    const view = createInboundView();
    for (const result of feed(view, times, make)) {
      expect(result.applied).toBe(true);
      expect(result.violations).toEqual([]);
    }
  });

  const JITTERED_GAPS_MS = [59_500, 5_000, 114_000];
  test('jitter: a libtorrent message delayed by a stalled connection then one on time', () => {
    const view = createInboundView();
    // Gaps: 59.5 s, then 5 s (a late one and the next arriving together), then 114 s, repeated.
    const times: number[] = [1400];
    for (let i = 0; i < 30; i++) {
      const last = times[times.length - 1] as number;
      times.push(last + (JITTERED_GAPS_MS[i % 3] as number));
    }
    for (const result of feed(view, times, () => EMPTY)) expect(result.applied).toBe(true);
  });

  test('property: any sender with gaps of at least 30 s is never refused', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: DEFAULT_INBOUND_REFILL_MS, max: 300_000 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 10_000 }),
        (gaps, start) => {
          const view = createInboundView();
          let now = start;
          expect(view.receive(EMPTY, now).applied).toBe(true);
          for (const gap of gaps) {
            now += gap;
            expect(view.receive(EMPTY, now).applied).toBe(true);
          }
        },
      ),
    );
  });
});

describe('inbound view: a hostile sender costs a bounded amount', () => {
  test('after the burst, messages are refused whole with a too-frequent violation', () => {
    const view = createInboundView();
    const results = feed(view, scheduleOf(0, 100, 20), (i) => message({ added: [v4(i)] }));
    const applied = results.filter((result) => result.applied);
    expect(applied).toHaveLength(DEFAULT_INBOUND_BURST_MESSAGES);
    const refused = results[DEFAULT_INBOUND_BURST_MESSAGES];
    expect(refused?.added).toEqual([]);
    expect(refused?.violations.map((violation) => violation.reason)).toEqual(['too-frequent']);
    expect(refused?.violations[0]?.amount).toBe(100);
    expect(refused?.violations[0]?.limit).toBe(DEFAULT_INBOUND_REFILL_MS);
    // The refused message changed nothing: its peer is new when it comes again, later.
    const later = view.receive(message({ added: [v4(DEFAULT_INBOUND_BURST_MESSAGES)] }), 60_000);
    expect(later.applied).toBe(true);
    expect(later.added).toHaveLength(1);
  });

  test('property: at most burst + elapsed / refill messages are applied, whatever the schedule', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40_000 }), { maxLength: 300 }), (gaps) => {
        const view = createInboundView();
        let now = 0;
        let applied = 0;
        for (const gap of gaps) {
          now += gap;
          if (view.receive(EMPTY, now).applied) applied++;
          expect(applied).toBeLessThanOrEqual(
            DEFAULT_INBOUND_BURST_MESSAGES + now / DEFAULT_INBOUND_REFILL_MS,
          );
        }
      }),
    );
  });

  test('memory stays within the per-source cap whatever the sender lists', () => {
    const view = createInboundView();
    for (let i = 0; i < 50; i++) {
      view.receive(message({ added: peers(i * 2000, 2000) }), i * 60_000);
      expect(view.knownPeerCount).toBeLessThanOrEqual(DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE);
    }
    expect(view.knownPeerCount).toBe(DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE);
  });
});

/**
 * The rate limit as a property, in sliding windows. The view is a token bucket: `burst` tokens at
 * the start, one more per `refill` ms of arrival time, never more than `burst`; a message is
 * applied when a whole token is there, and takes it.
 *
 * The bound, derived: take the applied messages a_1 <= ... <= a_m of any window [s, s + W] with
 * W = k * refill. At a_1 the bucket holds at most `burst` (the cap); from a_1 to a_m it earns at
 * most (a_m - a_1) / refill <= k, whatever arrived in between (a refused message takes nothing).
 * Each applied message takes one and the bucket never goes below 0, so m <= burst + k. No +1: the
 * window is closed at both ends and the bound still holds, and it is tight (a full burst at s,
 * then one message at each s + i * refill, gives exactly burst + k). Floating-point sums cannot
 * add a message: one more would need a whole token more than the exact sum, not a rounding.
 * The densest window of a schedule starts at an applied message, so those are the ones checked.
 *
 * Without the cap the bucket saves up idle time (ten idle minutes at one message per 30 s are 20
 * messages) and a flood after a pause is applied whole: the control below runs the same property
 * against such a bucket and expects it to fail.
 */
interface BucketSettings {
  readonly burstMessages: number;
  readonly refillMs: number;
}

/** Anything that judges arrivals: returns whether the arrival at `now` is applied. */
type RateLimiter = (now: number) => boolean;

const viewLimiter = (settings: BucketSettings): RateLimiter => {
  const view = createInboundView(settings);
  return (now) => view.receive(EMPTY, now).applied;
};

/**
 * The view's bucket written out with one change: no cap on the tokens. Not a copy of the view's
 * code to keep in step with it, only what the property must be able to tell apart.
 */
const uncappedLimiter = ({ burstMessages, refillMs }: BucketSettings): RateLimiter => {
  let tokens = burstMessages;
  let lastAt: number | undefined;
  return (now) => {
    tokens += lastAt === undefined ? 0 : Math.max(0, now - lastAt) / refillMs;
    lastAt = Math.max(lastAt ?? now, now);
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
};

/** Segments of a sender's schedule: an idle gap, then `count` messages `spacingMs` apart. */
const segmentArbitrary = (refillMs: number) =>
  fc.record({
    idleMs: fc.oneof(
      fc.integer({ min: 0, max: 2 * refillMs }),
      fc.integer({ min: 0, max: 600_000 }),
    ),
    count: fc.integer({ min: 1, max: 40 }),
    // Quarter milliseconds: clocks such as performance.now() are not whole.
    spacingMs: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 4 * refillMs }).map((q) => q / 4),
    ),
  });

const scheduleArbitrary = fc
  .record({
    burstMessages: fc.integer({ min: 1, max: 8 }),
    refillMs: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(DEFAULT_INBOUND_REFILL_MS)),
  })
  .chain((settings) =>
    fc.record({
      settings: fc.constant(settings),
      segments: fc.array(segmentArbitrary(settings.refillMs), { minLength: 1, maxLength: 12 }),
      windows: fc.integer({ min: 0, max: 6 }),
    }),
  );

function arrivalTimes(segments: readonly { idleMs: number; count: number; spacingMs: number }[]) {
  const times: number[] = [];
  let now = 0;
  for (const { idleMs, count, spacingMs } of segments) {
    now += idleMs;
    for (let i = 0; i < count; i++) {
      if (i > 0) now += spacingMs;
      times.push(now);
    }
  }
  return times;
}

/** The most applied messages in any closed window [a, a + widthMs] (`applied` sorted). */
function densestWindow(applied: readonly number[], widthMs: number): number {
  let most = 0;
  let end = 0;
  for (let start = 0; start < applied.length; start++) {
    while (
      end < applied.length &&
      (applied[end] as number) <= (applied[start] as number) + widthMs
    ) {
      end++;
    }
    most = Math.max(most, end - start);
  }
  return most;
}

/** The sliding-window property, for any limiter: at most burst + k applied in k refills. */
const slidingWindowProperty = (limiterFor: (settings: BucketSettings) => RateLimiter) =>
  fc.property(scheduleArbitrary, ({ settings, segments, windows }) => {
    const limiter = limiterFor(settings);
    const applied = arrivalTimes(segments).filter((now) => limiter(now));
    const widthMs = windows * settings.refillMs;
    expect(densestWindow(applied, widthMs)).toBeLessThanOrEqual(settings.burstMessages + windows);
  });

/** Ten idle minutes, then `flood` messages at one instant: how many are applied. */
function idleThenFlood(limiter: RateLimiter, flood: number): number {
  limiter(0);
  let applied = 0;
  for (let i = 0; i < flood; i++) if (limiter(10 * 60_000)) applied++;
  return applied;
}

const FLOOD_SETTINGS: readonly BucketSettings[] = [
  { burstMessages: DEFAULT_INBOUND_BURST_MESSAGES, refillMs: DEFAULT_INBOUND_REFILL_MS },
  { burstMessages: 1, refillMs: 1_000 },
  { burstMessages: 8, refillMs: 5 },
];

describe('inbound view: the rate limit holds in every sliding window', () => {
  test('property: in any window of k refills, at most burst + k messages are applied', () => {
    fc.assert(slidingWindowProperty(viewLimiter), { numRuns: 300 });
  });

  test.each<[number, number, BucketSettings]>(
    FLOOD_SETTINGS.map((settings) => [settings.burstMessages, settings.refillMs, settings]),
  )(
    'idle ten minutes then 100 messages at one instant: burst (%i) applied, refill %i ms',
    (_burst, _refill, settings) => {
      expect(idleThenFlood(viewLimiter(settings), 100)).toBe(settings.burstMessages);
    },
  );

  test('the bound is reached: a full burst, then one message per refill', () => {
    const settings = { burstMessages: 4, refillMs: 1_000 };
    const limiter = viewLimiter(settings);
    const times = [...Array(10).fill(5_000), ...scheduleOf(6_000, 1_000, 3)];
    const applied = times.filter((now) => limiter(now));
    expect(densestWindow(applied, 3 * settings.refillMs)).toBe(settings.burstMessages + 3);
  });

  test('control: the same property and flood catch a bucket with no cap', () => {
    const result = fc.check(slidingWindowProperty(uncappedLimiter), { numRuns: 300 });
    expect(result.failed).toBe(true);
    for (const settings of FLOOD_SETTINGS) {
      expect(idleThenFlood(uncappedLimiter(settings), 100)).toBeGreaterThan(settings.burstMessages);
    }
  });
});

describe('inbound view: only what is new', () => {
  test('a peer known from this source is not reported again', () => {
    const view = createInboundView();
    expect(ports(view.receive(message({ added: [v4(1), v4(2)] }), 0).added)).toEqual([6881, 6881]);
    const second = view.receive(message({ added: [v4(2), v4(3)] }), 60_000);
    expect(second.added.map((peer) => peer.address[3])).toEqual([3]);
  });

  test('a duplicate within one message is reported once', () => {
    const view = createInboundView();
    expect(view.receive(message({ added: [v4(1), v4(1)] }), 0).added).toHaveLength(1);
  });

  test('ports tell peers apart', () => {
    const view = createInboundView();
    expect(view.receive(message({ added: [v4(1, 1), v4(1, 2)] }), 0).added).toHaveLength(2);
  });

  test('a drop of an unknown peer is not reported; a drop of a known one is, once', () => {
    const view = createInboundView();
    view.receive(message({ added: [v4(1)], added6: [v6(1)] }), 0);
    const result = view.receive(message({ dropped: [v4(1), v4(9)], dropped6: [v6(1)] }), 60_000);
    expect(result.dropped.map((drop) => drop.family)).toEqual([4, 6]);
    expect(Array.from(result.dropped[0]?.address ?? [])).toEqual([10, 0, 0, 1]);
    expect(view.receive(message({ dropped: [v4(1)] }), 120_000).dropped).toEqual([]);
    // Dropped, then added again: new again.
    expect(view.receive(message({ added: [v4(1)] }), 180_000).added).toHaveLength(1);
  });

  test('flags are reported; a list without flags reports 0', () => {
    const view = createInboundView();
    const result = view.receive(
      message({ added: [v4(1, 6881, 0x12), { ...v4(2), flags: undefined }] }),
      0,
    );
    expect(result.added.map((peer) => peer.flags)).toEqual([0x12, 0]);
    expect(result.added[0]?.family).toBe(4);
  });

  test('decoded messages: identity from the received bytes, address on demand', () => {
    const view = createInboundView();
    const bytes = encodePexMessage(message({ added: [v4(7, 6881, 0x10)], added6: [v6(7)] }));
    const result = view.receive(decodePexMessage(bytes), 0);
    expect(result.added.map((peer) => [peer.family, peer.port, peer.flags])).toEqual([
      [4, 6881, 0x10],
      [6, 6881, 0],
    ]);
    expect(Array.from(result.added[0]?.address ?? [])).toEqual([10, 0, 0, 7]);
    expect(view.receive(decodePexMessage(bytes), 60_000).added).toEqual([]);
  });
});

describe('inbound view: caps and the caller predicate', () => {
  test('at most maxPeersPerSource are kept; drops make room, applied before adds', () => {
    const view = createInboundView({ maxPeersPerSource: 10 });
    const first = view.receive(message({ added: peers(0, 15) }), 0);
    expect(first.added).toHaveLength(10);
    expect(first.ignored).toBe(5);
    expect(view.knownPeerCount).toBe(10);
    const second = view.receive(message({ dropped: peers(0, 3), added: peers(100, 5) }), 60_000);
    expect(second.dropped).toHaveLength(3);
    expect(second.added).toHaveLength(3);
    expect(second.ignored).toBe(2);
    expect(view.knownPeerCount).toBe(10);
  });

  test('overflowed lists exactly the new peers past the cap, unjudged; none when within it', () => {
    const byPort = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => v4(1, 7000 + from + i, 0));
    const judged: number[] = [];
    const view = createInboundView({
      maxPeersPerSource: 4,
      accept: (peer) => {
        judged.push(peer.port);
        return peer.port !== 7001;
      },
    });
    const first = view.receive(message({ added: byPort(0, 3) }), 0);
    expect(first.overflowed).toEqual([]);
    judged.length = 0;
    const second = view.receive(message({ added: byPort(0, 8) }), 60_000);
    // 7000 and 7002 known; 7001 refused again; room for 2 more (7003, 7004); 7005..7007 overflow.
    expect(ports(second.added)).toEqual([7003, 7004]);
    expect(ports(second.overflowed)).toEqual([7005, 7006, 7007]);
    expect(second.ignored).toBe(1 + 3);
    expect(judged).toEqual([7001, 7003, 7004]);
  });

  test('accept refuses peers: counted as ignored, not remembered', () => {
    const seen: number[] = [];
    const view = createInboundView({
      accept: (peer) => {
        seen.push(peer.port);
        return peer.port !== 1;
      },
    });
    const result = view.receive(message({ added: [v4(1, 1), v4(2, 2)] }), 0);
    expect(ports(result.added)).toEqual([2]);
    expect(result.ignored).toBe(1);
    expect(view.knownPeerCount).toBe(1);
    // The refused peer is asked about again, the accepted one is known.
    view.receive(message({ added: [v4(1, 1), v4(2, 2)] }), 60_000);
    expect(seen).toEqual([1, 2, 1]);
  });

  test('a throwing predicate leaves the state unchanged', () => {
    let fail = true;
    const view = createInboundView({
      accept: (peer) => {
        if (fail && peer.port === 2) throw new Error('boom');
        return true;
      },
    });
    view.receive(message({ added: [v4(9)] }), 0);
    expect(() =>
      view.receive(message({ added: [v4(1, 1), v4(2, 2)], dropped: [v4(9)] }), 1),
    ).toThrow('boom');
    expect(view.knownPeerCount).toBe(1);
    fail = false;
    const result = view.receive(message({ added: [v4(1, 1), v4(2, 2)], dropped: [v4(9)] }), 2);
    expect(result.added).toHaveLength(2);
    expect(result.dropped).toHaveLength(1);
  });
});

describe('inbound view: rule breaks are reported, the caller decides', () => {
  test('a peer both added and dropped: violation, applied neither way', () => {
    const view = createInboundView();
    view.receive(message({ added: [v4(1)] }), 0);
    const result = view.receive(message({ added: [v4(1), v4(2)], dropped: [v4(1)] }), 60_000);
    expect(result.violations.map((violation) => violation.reason)).toEqual(['added-and-dropped']);
    expect(result.applied).toBe(true);
    expect(result.added.map((peer) => peer.address[3])).toEqual([2]);
    expect(result.dropped).toEqual([]);
    expect(view.knownPeerCount).toBe(2);
  });

  test('too many added: the first list is exempt, later ones are reported and still applied', () => {
    const view = createInboundView({ maxAddedPerMessage: 50 });
    expect(view.receive(EMPTY, 0).violations).toEqual([]);
    expect(view.receive(message({ added: peers(0, 80) }), 60_000).violations).toEqual([]);
    const result = view.receive(message({ added: peers(100, 51) }), 120_000);
    expect(result.violations).toMatchObject([{ reason: 'too-many-added', amount: 51, limit: 50 }]);
    expect(result.added).toHaveLength(51);
  });

  test('too many dropped: reported, still applied', () => {
    const view = createInboundView({ maxDroppedPerMessage: 2 });
    view.receive(message({ added: peers(0, 3) }), 0);
    const result = view.receive(message({ dropped: peers(0, 3) }), 60_000);
    expect(result.violations).toMatchObject([{ reason: 'too-many-dropped', amount: 3, limit: 2 }]);
    expect(result.dropped).toHaveLength(3);
  });
});

describe('inbound view: caller mistakes', () => {
  test.each<[InboundViewOptions, string]>([
    [{ maxPeersPerSource: 0 }, '"maxPeersPerSource" expected a positive integer, got 0'],
    [{ burstMessages: -1 }, '"burstMessages" expected a positive integer, got -1'],
    [{ refillMs: 0.5 }, '"refillMs" expected a positive integer, got 0.5'],
  ])('%j throws a RangeError', (options, text) => {
    expect(() => createInboundView(options)).toThrow(RangeError);
    expect(() => createInboundView(options)).toThrow(text);
  });

  test('a predicate that is not a function, a bad message or time throw', () => {
    expect(() => createInboundView({ accept: 1 as unknown as () => boolean })).toThrow(TypeError);
    const view = createInboundView();
    expect(() => view.receive(EMPTY, Number.NaN)).toThrow(RangeError);
    expect(() => view.receive({} as PexMessage, 0)).toThrow(TypeError);
    expect(() => view.receive(message({ added: [v6(1)] }), 0)).toThrow(TypeError);
  });
});

describe('IPv4-mapped IPv6 addresses', () => {
  const mapped = (a: number, b: number, c: number, d: number, port: number): CompactPeer => {
    const address = new Uint8Array(16);
    address.set([0xff, 0xff, a, b, c, d], 10);
    return { address, port, flags: 0 };
  };

  test('are the IPv4 peer: reported once, as IPv4, whichever list they come in', () => {
    const view = createInboundView();
    const first = view.receive(
      decodePexMessage(
        encodePexMessage(
          message({
            added: [{ address: Uint8Array.from([1, 2, 3, 4]), port: 80, flags: 2 }],
            added6: [mapped(1, 2, 3, 4, 80)],
          }),
        ),
      ),
      0,
    );
    expect(first.added).toHaveLength(1);
    expect(first.added[0]?.family).toBe(4);
    expect(Array.from(first.added[0]?.address ?? [])).toEqual([1, 2, 3, 4]);
    expect(view.knownPeerCount).toBe(1);

    const second = view.receive(message({ added6: [mapped(5, 6, 7, 8, 81)] }), 60_000);
    expect(second.added.map((p) => [p.family, Array.from(p.address), p.port])).toEqual([
      [4, [5, 6, 7, 8], 81],
    ]);

    const drop = view.receive(message({ dropped6: [mapped(1, 2, 3, 4, 80)] }), 120_000);
    expect(drop.dropped.map((p) => [p.family, Array.from(p.address), p.port])).toEqual([
      [4, [1, 2, 3, 4], 80],
    ]);
    expect(view.knownPeerCount).toBe(1);
  });

  test('other IPv6 addresses keep their family', () => {
    const view = createInboundView();
    const result = view.receive(message({ added6: [v6(7)] }), 0);
    expect(result.added[0]?.family).toBe(6);
    expect(result.added[0]?.address).toHaveLength(16);
  });
});
