import { describe, expect, test } from '@jest/globals';
import { isPexDecodeError, type PexDecodeError } from '@pex/core';
import {
  checkBencodeDictionary,
  findDictionaryValue,
  readBencodeInteger,
} from '@pex/core/internal';
import bencode from 'bencode';
import fc from 'fast-check';

// The bencode helpers that guard other decoders (the wire adapter's handshake, the torrent
// privacy reader): a whole-dictionary check, a key lookup and an integer reader.

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The PexDecodeError `action` throws, as reason and offset. */
function failure(action: () => unknown): { reason: string; offset: number } {
  try {
    action();
  } catch (error) {
    if (!isPexDecodeError(error)) throw error;
    const { reason, offset } = error as PexDecodeError;
    return { reason, offset };
  }
  throw new Error('expected a PexDecodeError');
}

describe('checkBencodeDictionary', () => {
  test.each(['de', 'd1:ai1ee', 'd1:ali1e1:xe1:b0:e', 'd1:ad1:bd1:ci-1eeee'])('accepts %s', (s) => {
    expect(checkBencodeDictionary(text(s), 4)).toBeUndefined();
  });

  test.each([
    ['', 'not-a-dictionary', 0],
    ['le', 'not-a-dictionary', 0],
    ['i1e', 'not-a-dictionary', 0],
    ['dee', 'trailing-bytes', 2],
    ['d1:ai1ee1:x', 'trailing-bytes', 8],
    ['d1:a', 'truncated', 4],
    ['d1:ai1', 'truncated', 4],
    ['d1:aie', 'invalid-bencode', 4],
  ] as const)('refuses %j: %s at %d', (s, reason, offset) => {
    expect(failure(() => checkBencodeDictionary(text(s), 4))).toEqual({ reason, offset });
  });

  test('nesting counts the dictionary itself', () => {
    const nested = text('d1:ad1:bleee');
    expect(checkBencodeDictionary(nested, 3)).toBeUndefined();
    expect(failure(() => checkBencodeDictionary(nested, 2))).toEqual({
      reason: 'too-deep',
      offset: 8,
    });
  });

  test('property: accepts what the bencode package writes for a dictionary', () => {
    const value = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.uint8Array({ maxLength: 8 }),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: 4 }), (dict) => {
        const bytes = bencode.encode(dict);
        expect(checkBencodeDictionary(bytes, 64)).toBeUndefined();
        // One byte more is always refused, one byte fewer always too.
        expect(failure(() => checkBencodeDictionary(Uint8Array.of(...bytes, 0x65), 64))).toEqual({
          reason: 'trailing-bytes',
          offset: bytes.length,
        });
        expect(
          isPexDecodeError(catchError(() => checkBencodeDictionary(bytes.slice(0, -1), 64))),
        ).toBe(true);
      }),
    );
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('findDictionaryValue', () => {
  const dict = 'd1:ai1e2:bbli2ee2:bcd1:ci3eee';
  const at = (s: string) => dict.indexOf(s);

  test('finds the span of each own key', () => {
    const bytes = text(dict);
    expect(findDictionaryValue(bytes, 0, 'a', 4)).toEqual({ start: at('i1e'), end: at('i1e') + 3 });
    expect(findDictionaryValue(bytes, 0, 'bb', 4)).toEqual({
      start: at('li2ee'),
      end: at('li2ee') + 5,
    });
    expect(findDictionaryValue(bytes, 0, 'bc', 4)).toEqual({
      start: at('d1:ci3ee'),
      end: at('d1:ci3ee') + 8,
    });
  });

  test('undefined for a missing key, a prefix or a longer key, and keys of inner dictionaries', () => {
    const bytes = text(dict);
    for (const key of ['', 'b', 'bd', 'ab', 'bbb', 'c']) {
      expect(findDictionaryValue(bytes, 0, key, 4)).toBeUndefined();
    }
    expect(findDictionaryValue(text('de'), 0, 'a', 4)).toBeUndefined();
  });

  test('reads a dictionary that starts inside the bytes', () => {
    const bytes = text(`xyz${dict}tail`);
    expect(findDictionaryValue(bytes, 3, 'bb', 4)).toEqual({
      start: at('li2ee') + 3,
      end: at('li2ee') + 8,
    });
    expect(failure(() => findDictionaryValue(bytes, 2, 'a', 4))).toEqual({
      reason: 'not-a-dictionary',
      offset: 2,
    });
  });

  test('refuses malformed bytes up to the key and values nested too deep', () => {
    expect(failure(() => findDictionaryValue(text('d1:a'), 0, 'b', 4))).toEqual({
      reason: 'truncated',
      offset: 4,
    });
    expect(failure(() => findDictionaryValue(text('d1:ade1:bi1ee'), 0, 'b', 1))).toEqual({
      reason: 'too-deep',
      offset: 4,
    });
    expect(findDictionaryValue(text('d1:ade1:bi1ee'), 0, 'b', 2)).toEqual({ start: 9, end: 12 });
  });
});

describe('readBencodeInteger', () => {
  const read = (s: string, from = 0, to = s.length) =>
    readBencodeInteger(text(s), { start: from, end: to });

  test.each([
    ['i42e', 42],
    ['i-7e', -7],
    ['i0e', 0],
    [`i${Number.MAX_SAFE_INTEGER}e`, Number.MAX_SAFE_INTEGER],
    [`i-${Number.MAX_SAFE_INTEGER}e`, -Number.MAX_SAFE_INTEGER],
  ] as const)('%s is %d', (s, value) => {
    expect(read(s)).toBe(value);
  });

  test.each([
    '4:abcd',
    'ie',
    'i-e',
    'i1.5e',
    'i 1e',
    'i1 e',
    'i+1e',
    'i0x1e',
    'i1e1',
    'x1e',
    `i${Number.MAX_SAFE_INTEGER + 2}e`,
    'i99999999999999999999e',
  ])('%s is not a safe integer', (s) => {
    expect(read(s)).toBeUndefined();
  });

  test('reads the span only', () => {
    expect(read('xi12ey', 1, 5)).toBe(12);
    expect(read('i12e', 0, 3)).toBeUndefined();
    const bytes = text('d1:ni1234ee');
    const span = findDictionaryValue(bytes, 0, 'n', 4);
    expect(span).toBeDefined();
    expect(readBencodeInteger(bytes, span as { start: number; end: number })).toBe(1234);
  });

  test('property: any safe integer reads back', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(read(`i${n}e`)).toBe(n);
      }),
    );
  });
});
