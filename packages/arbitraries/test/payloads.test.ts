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
});
