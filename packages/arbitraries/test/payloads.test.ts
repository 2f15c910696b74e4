import { describe, expect, test } from '@jest/globals';
import { arbitraryMalformedPexPayload, arbitraryPexPayload } from '@pex/arbitraries';
import {
  decodePexMessage,
  isPexDecodeError,
  PEX_DECODE_REASONS,
  type PexDecodeReason,
} from '@pex/core';
import fc from 'fast-check';
import { plainMessage } from './support/plain-message.js';

type Limits = NonNullable<Parameters<typeof decodePexMessage>[1]>;

const LIMIT_REASONS: readonly PexDecodeReason[] = ['too-large', 'too-deep', 'too-many-peers'];

/** The reasons `arbitraryMalformedPexPayload` gives in `runs` samples (fixed seed). */
const reasonsSeen = (options: Parameters<typeof arbitraryMalformedPexPayload>[0], runs = 1000) =>
  [
    ...new Set(
      fc
        .sample(arbitraryMalformedPexPayload(options), { numRuns: runs, seed: 11 })
        .map(({ reason }) => reason),
    ),
  ].sort();

/** Every reason but `left`, sorted. */
const allBut = (...left: PexDecodeReason[]) =>
  PEX_DECODE_REASONS.filter((reason) => !left.includes(reason)).sort();

function reasonOf(
  bytes: Uint8Array,
  limits?: Parameters<typeof decodePexMessage>[1],
): PexDecodeReason | 'accepted' {
  try {
    decodePexMessage(bytes, limits);
    return 'accepted';
  } catch (error) {
    if (isPexDecodeError(error)) return error.reason;
    throw error;
  }
}

describe('arbitraryPexPayload', () => {
  test('decodes to the message it is paired with', () => {
    fc.assert(
      fc.property(arbitraryPexPayload(), ({ bytes, message }) => {
        expect(plainMessage(decodePexMessage(bytes))).toEqual(plainMessage(message));
      }),
      { numRuns: 300 },
    );
  });
});

describe('arbitraryMalformedPexPayload', () => {
  test('the decoder refuses each payload with the paired reason', () => {
    fc.assert(
      fc.property(arbitraryMalformedPexPayload(), ({ bytes, reason }) => {
        expect(reasonOf(bytes)).toBe(reason);
      }),
      { numRuns: 500 },
    );
  });

  test('every reason code is produced', () => {
    const seen = new Set(
      fc.sample(arbitraryMalformedPexPayload(), 1000).map(({ reason }) => reason),
    );
    expect([...seen].sort()).toEqual([...PEX_DECODE_REASONS].sort());
  });

  test('custom limits: the payloads match a decoder configured the same way', () => {
    const limits = { maxMessageBytes: 4000, maxPeersPerList: 20, maxDepth: 4 };
    fc.assert(
      fc.property(arbitraryMalformedPexPayload({ limits }), ({ bytes, reason }) => {
        expect(reasonOf(bytes, limits)).toBe(reason);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(arbitraryPexPayload({ limits }), ({ bytes }) => {
        expect(reasonOf(bytes, limits)).toBe('accepted');
      }),
      { numRuns: 100 },
    );
  });

  test('a bad limit throws a RangeError', () => {
    expect(() => arbitraryMalformedPexPayload({ limits: { maxDepth: 0 } })).toThrow(RangeError);
  });

  // Each arbitrary is built and sampled here, synchronously: a filter that can never pass
  // would spin forever (jest cannot interrupt it), so the time is also checked for slow ones.
  test.each<Limits>([
    { maxMessageBytes: 1 },
    { maxMessageBytes: 2 },
    { maxMessageBytes: 3 },
    { maxMessageBytes: 7 },
    { maxMessageBytes: 11 },
    { maxMessageBytes: 12 },
    { maxMessageBytes: 19 },
    { maxMessageBytes: 20 },
    { maxMessageBytes: 36 },
    { maxMessageBytes: 50 },
    { maxMessageBytes: 200 },
    { maxMessageBytes: 1000 },
    { maxMessageBytes: 5000 },
    { maxMessageBytes: 12_020 },
    { maxMessageBytes: 1.5 },
    { maxMessageBytes: 2 ** 20 - 1 },
    { maxMessageBytes: 2 ** 20 },
    { maxMessageBytes: Infinity },
    { maxMessageBytes: 50, maxPeersPerList: 1, maxDepth: 1 },
    { maxMessageBytes: 50, maxPeersPerList: 5, maxDepth: 2 },
    { maxMessageBytes: 30, maxPeersPerList: 1, maxDepth: 3 },
    { maxMessageBytes: 1000, maxPeersPerList: 1.5, maxDepth: 2.5 },
    { maxPeersPerList: 1, maxDepth: 1 },
    { maxPeersPerList: 50, maxDepth: 2 },
    { maxPeersPerList: Infinity, maxDepth: Infinity },
    { maxMessageBytes: Infinity, maxPeersPerList: 3, maxDepth: 20_000 },
    { maxMessageBytes: Infinity, maxPeersPerList: Infinity, maxDepth: Infinity },
  ])('limits %p: sampled at once, each payload is refused with its reason', (limits) => {
    const started = Date.now();
    for (const limitReasons of [true, false]) {
      const payloads = fc.sample(arbitraryMalformedPexPayload({ limits, limitReasons }), {
        numRuns: 200,
        seed: 7,
      });
      for (const { bytes, reason } of payloads) {
        expect({ reason: reasonOf(bytes, limits), length: bytes.length }).toEqual({
          reason,
          length: bytes.length,
        });
        if (!limitReasons) expect(LIMIT_REASONS).not.toContain(reason);
      }
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('any limits: each payload is refused with its reason', () => {
    const limit = (small: number) =>
      fc.oneof(
        fc.integer({ min: 1, max: small }),
        fc.integer({ min: 1, max: 70_000 }),
        fc.double({ min: 1, max: 3000, noNaN: true }),
        fc.constant(Infinity),
      );
    const limits = fc.record({
      maxMessageBytes: limit(300),
      maxPeersPerList: limit(60),
      maxDepth: limit(20),
    });
    fc.assert(
      fc.property(limits, fc.boolean(), fc.integer(), (limits, limitReasons, seed) => {
        const arbitrary = arbitraryMalformedPexPayload({ limits, limitReasons });
        for (const { bytes, reason } of fc.sample(arbitrary, { numRuns: 20, seed })) {
          expect(reasonOf(bytes, limits)).toBe(reason);
        }
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  test('gives every reason a payload within the limits can show, and only those', () => {
    // `d`, the empty payload and anything over 1 byte: truncated, not a dictionary, too large.
    expect(reasonsSeen({ limits: { maxMessageBytes: 1 } })).toEqual([
      'not-a-dictionary',
      'too-large',
      'truncated',
    ]);
    expect(reasonsSeen({ limits: { maxMessageBytes: 11 } })).toEqual(
      allBut('duplicate-key', 'invalid-length', 'too-deep', 'too-many-peers', 'wrong-type'),
    );
    expect(reasonsSeen({ limits: { maxMessageBytes: 12 } })).toEqual(
      allBut('duplicate-key', 'too-deep', 'too-many-peers'),
    );
    // `duplicate-key` needs 20 bytes, `too-deep` 36 at depth 16, `too-many-peers` 12 021.
    expect(reasonsSeen({ limits: { maxMessageBytes: 19 } })).toEqual(
      allBut('duplicate-key', 'too-deep', 'too-many-peers'),
    );
    expect(reasonsSeen({ limits: { maxMessageBytes: 36 } })).toEqual(allBut('too-many-peers'));
    expect(reasonsSeen({ limits: { maxMessageBytes: 1000 } })).toEqual(allBut('too-many-peers'));
    expect(reasonsSeen({ limits: { maxMessageBytes: 1000, maxPeersPerList: 50 } })).toEqual(
      allBut(),
    );
    expect(reasonsSeen({ limits: { maxMessageBytes: 12_020 } })).toEqual(allBut('too-many-peers'));
    expect(reasonsSeen({ limits: { maxMessageBytes: 12_021 } })).toEqual(allBut());
    // No payload is over a limit lifted by `Infinity`.
    expect(reasonsSeen({ limits: { maxMessageBytes: Infinity } })).toEqual(allBut('too-large'));
    expect(
      reasonsSeen({
        limits: { maxMessageBytes: Infinity, maxPeersPerList: Infinity, maxDepth: Infinity },
      }),
    ).toEqual(allBut(...LIMIT_REASONS));
  });

  test('limitReasons: false leaves out too-large, too-deep and too-many-peers', () => {
    expect(reasonsSeen({ limitReasons: false })).toEqual(allBut(...LIMIT_REASONS));
    expect(reasonsSeen({ limitReasons: true })).toEqual(allBut());
    expect(reasonsSeen({ limitReasons: false, limits: { maxMessageBytes: 1 } })).toEqual([
      'not-a-dictionary',
      'truncated',
    ]);
    fc.assert(
      fc.property(arbitraryMalformedPexPayload({ limitReasons: false }), ({ bytes, reason }) => {
        expect(LIMIT_REASONS).not.toContain(reason);
        expect(reasonOf(bytes)).toBe(reason);
      }),
      { numRuns: 300 },
    );
    expect(() =>
      arbitraryMalformedPexPayload({ limitReasons: 'no' as unknown as boolean }),
    ).toThrow(new TypeError('"limitReasons" expected a boolean, got "no"'));
  });

  test('limits as @pex/core takes them: numbers of at least 1, Infinity lifting one', () => {
    for (const make of [arbitraryMalformedPexPayload, arbitraryPexPayload]) {
      expect(() => make({ limits: { maxMessageBytes: 0 } })).toThrow(
        new RangeError(
          `"limits.maxMessageBytes" expected a number of at least ${make === arbitraryPexPayload ? 2 : 1}, got 0`,
        ),
      );
      expect(() => make({ limits: { maxPeersPerList: Number.NaN } })).toThrow(
        new RangeError('"limits.maxPeersPerList" expected a number of at least 1, got NaN'),
      );
      expect(() => make({ limits: { maxDepth: -Infinity } })).toThrow(RangeError);
      expect(() => make({ limits: { maxDepth: '4' as unknown as number } })).toThrow(
        new TypeError('"limits.maxDepth" expected a number of at least 1, got "4"'),
      );
      const limits = { maxMessageBytes: Infinity, maxPeersPerList: Infinity, maxDepth: Infinity };
      expect(() => make({ limits })).not.toThrow();
    }
  });
});

describe('arbitraryPexPayload under limits', () => {
  test.each<Limits>([
    { maxMessageBytes: 2 },
    { maxMessageBytes: 3 },
    { maxMessageBytes: 30 },
    { maxMessageBytes: 50 },
    { maxMessageBytes: 200 },
    { maxMessageBytes: 1000 },
    { maxMessageBytes: 5000 },
    { maxMessageBytes: 60.5, maxPeersPerList: 1.5, maxDepth: 1 },
    { maxPeersPerList: 2, maxDepth: 2 },
    { maxMessageBytes: Infinity, maxPeersPerList: Infinity, maxDepth: Infinity },
  ])('limits %p: each payload is accepted and decodes to its message', (limits) => {
    const started = Date.now();
    for (const { bytes, message } of fc.sample(arbitraryPexPayload({ limits }), {
      numRuns: 200,
      seed: 5,
    })) {
      expect(plainMessage(decodePexMessage(bytes, limits))).toEqual(plainMessage(message));
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a payload too small for `de` is refused at once', () => {
    expect(() => arbitraryPexPayload({ limits: { maxMessageBytes: 1.9 } })).toThrow(
      new RangeError('"limits.maxMessageBytes" expected a number of at least 2, got 1.9'),
    );
  });

  test('still draws peers under a small maxMessageBytes', () => {
    const payloads = fc.sample(arbitraryPexPayload({ limits: { maxMessageBytes: 50 } }), {
      numRuns: 300,
      seed: 9,
    });
    expect(payloads.some(({ message }) => message.added.length > 0)).toBe(true);
    expect(payloads.some(({ message }) => message.added6.length > 0)).toBe(true);
  });
});
