import { describe, expect, test } from '@jest/globals';
import { decodePexMessage, isPexDecodeError, PEX_DECODE_REASONS, PexDecodeError } from '@pex/core';
import fc from 'fast-check';
import { HOSTILE_PAYLOADS } from './fixtures/hostile-payloads.js';

function decodeError(bytes: Uint8Array, limits?: object): unknown {
  try {
    decodePexMessage(bytes, limits);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('hostile payloads', () => {
  test.each(HOSTILE_PAYLOADS.map((h) => [h.name, h] as const))('%s', (_name, hostile) => {
    const error = decodeError(hostile.bytes, hostile.limits);
    expect(error).toBeInstanceOf(PexDecodeError);
    expect((error as PexDecodeError).name).toBe('PexDecodeError');
    expect((error as PexDecodeError).reason).toBe(hostile.reason);
    if (hostile.field !== undefined) expect((error as PexDecodeError).field).toBe(hostile.field);
  });

  test('the table covers every reason code', () => {
    const covered = new Set(HOSTILE_PAYLOADS.map((h) => h.reason));
    expect([...PEX_DECODE_REASONS].filter((r) => !covered.has(r))).toEqual([]);
  });

  test('deep nesting costs no stack: a million open lists is one error', () => {
    const bytes = new Uint8Array(60_000).fill(0x6c);
    bytes[0] = 0x64;
    bytes[1] = 0x31;
    bytes[2] = 0x3a;
    bytes[3] = 0x78;
    const error = decodeError(bytes, { maxDepth: 100_000 });
    expect((error as PexDecodeError).reason).toBe('truncated');
  });

  test('isPexDecodeError recognises the error by name', () => {
    const error = decodeError(new Uint8Array([0x78]));
    expect(isPexDecodeError(error)).toBe(true);
    expect(isPexDecodeError(new Error('x'))).toBe(false);
  });
});

describe('decodePexMessage on arbitrary bytes', () => {
  test('returns a message or throws PexDecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const error = decodeError(bytes);
        return error === undefined || error instanceof PexDecodeError;
      }),
      { numRuns: 2000 },
    );
  });

  test('also on near-valid bencode made of PEX keys and grammar bytes', () => {
    const token = fc.constantFrom(
      'd',
      'e',
      'l',
      'i',
      '0',
      '1',
      '6',
      '9',
      ':',
      '-',
      '5:added',
      '7:added.f',
      '6:added6',
      '8:added6.f',
      '7:dropped',
      '8:dropped6',
      '6:\u0001\u0002\u0003\u0004\u0000\u0050',
      '1:x',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
        const bytes = Uint8Array.from(tokens.join(''), (ch) => ch.charCodeAt(0));
        const error = decodeError(bytes);
        return error === undefined || error instanceof PexDecodeError;
      }),
      { numRuns: 3000 },
    );
  });
});
