import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  decodeCompactPeers,
  decodePexFlags,
  decodePexMessage,
  encodeCompactPeers,
  encodePexMessage,
  isPexDecodeError,
  PexDecodeError,
} from '@pex/core';
import { thrownBy } from '@pex/test-support';

// Edges of the codec: limits met exactly, the offset and reason of each refusal, the field
// names and texts of caller mistakes, and keys of the two families that share their bytes.

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The PexDecodeError `action` throws, as plain data. */
function failure(action: () => unknown): Pick<PexDecodeError, 'reason' | 'offset' | 'field'> {
  try {
    action();
  } catch (error) {
    if (!isPexDecodeError(error)) throw error;
    return { reason: error.reason, offset: error.offset, field: error.field };
  }
  throw new Error('expected a PexDecodeError');
}

const v4 = (a: number, b: number, c: number, d: number, port: number): CompactPeer => ({
  address: Uint8Array.of(a, b, c, d),
  port,
});
const v6 = (bytes: readonly number[], port: number): CompactPeer => {
  const address = new Uint8Array(16);
  address.set(bytes);
  return { address, port };
};

describe('decodePexMessage edges', () => {
  test('a payload of exactly maxMessageBytes is read, one byte more is too large', () => {
    // `d5:added0:` and an unknown key whose 83-byte string makes the payload 100 bytes long.
    const exact = text(`d5:added0:1:x83:${'p'.repeat(83)}e`);
    expect(exact.length).toBe(100);
    expect(decodePexMessage(exact, { maxMessageBytes: 100 }).added).toEqual([]);
    expect(failure(() => decodePexMessage(exact, { maxMessageBytes: 99 }))).toEqual({
      reason: 'too-large',
      offset: 0,
      field: undefined,
    });
  });

  test('a PEX key whose value is not a string is the wrong type, at the value', () => {
    expect(failure(() => decodePexMessage(text('d5:addedi5ee')))).toEqual({
      reason: 'wrong-type',
      offset: 8,
      field: 'added',
    });
    expect(failure(() => decodePexMessage(text('d8:dropped6le')))).toEqual({
      reason: 'wrong-type',
      offset: 11,
      field: 'dropped6',
    });
  });

  test('a string running past the end is truncated where its length starts', () => {
    expect(failure(() => decodePexMessage(text('d5:added12:abcdefe')))).toEqual({
      reason: 'truncated',
      offset: 8,
      field: undefined,
    });
    expect(failure(() => decodePexMessage(text('d9:addede')))).toEqual({
      reason: 'truncated',
      offset: 1,
      field: undefined,
    });
  });

  test('an unknown key with a malformed integer is refused', () => {
    expect(failure(() => decodePexMessage(text('d1:xiee')))).toEqual({
      reason: 'invalid-bencode',
      offset: 4,
      field: undefined,
    });
    expect(failure(() => decodePexMessage(text('d1:xi-ee')))).toEqual({
      reason: 'invalid-bencode',
      offset: 4,
      field: undefined,
    });
    expect(failure(() => decodePexMessage(text('d1:xi12xe')))).toEqual({
      reason: 'invalid-bencode',
      offset: 4,
      field: undefined,
    });
    expect(failure(() => decodePexMessage(text('d1:xi12')))).toEqual({
      reason: 'truncated',
      offset: 4,
      field: undefined,
    });
    expect(decodePexMessage(text('d1:xi-12ee')).added).toEqual([]);
    // A sign or a dot is not a digit, in a string's length or in an integer.
    expect(failure(() => decodePexMessage(text('d1:x-1:ae')))).toEqual({
      reason: 'invalid-bencode',
      offset: 4,
      field: undefined,
    });
    expect(failure(() => decodePexMessage(text('d1:x.1:ae')))).toEqual({
      reason: 'invalid-bencode',
      offset: 4,
      field: undefined,
    });
    expect(failure(() => decodePexMessage(text('d1:xi--1ee')))).toEqual({
      reason: 'invalid-bencode',
      offset: 4,
      field: undefined,
    });
  });

  test('bytes that are not a Uint8Array are a caller mistake', () => {
    expect(thrownBy(() => decodePexMessage('de' as unknown as Uint8Array))).toEqual([
      'TypeError',
      '"bytes" expected a Uint8Array, got "de"',
    ]);
  });
});

describe('compact lists edges', () => {
  test('exactly maxPeers peers are read, one more is too many', () => {
    const two = encodeCompactPeers([v4(1, 2, 3, 4, 1), v4(1, 2, 3, 5, 2)], 4);
    expect(decodeCompactPeers(two, 4, 2)).toHaveLength(2);
    expect(failure(() => decodeCompactPeers(two, 4, 1))).toEqual({
      reason: 'too-many-peers',
      offset: 0,
      field: 'peers',
    });
    expect(failure(() => decodeCompactPeers(new Uint8Array(17), 6))).toEqual({
      reason: 'invalid-length',
      offset: 0,
      field: 'peers6',
    });
    expect(failure(() => decodeCompactPeers(new Uint8Array(7), 4))).toEqual({
      reason: 'invalid-length',
      offset: 0,
      field: 'peers',
    });
  });

  test('caller mistakes name the argument', () => {
    expect(thrownBy(() => decodeCompactPeers([1, 2] as unknown as Uint8Array, 4))).toEqual([
      'TypeError',
      '"bytes" expected a Uint8Array, got Array',
    ]);
    expect(thrownBy(() => encodeCompactPeers('peers' as unknown as CompactPeer[], 4))).toEqual([
      'TypeError',
      '"peers" expected an array, got "peers"',
    ]);
    const peer = v4(1, 2, 3, 4, 80);
    expect(thrownBy(() => encodeCompactPeers([peer, peer], 4))).toEqual([
      'RangeError',
      '"peers[1]" expected a peer not listed before, got "1.2.3.4:80"',
    ]);
    const peer6 = v6([0x20, 0x01, 0x0d, 0xb8], 80);
    expect(thrownBy(() => encodeCompactPeers([peer6, peer6], 6))).toEqual([
      'RangeError',
      '"peers6[1]" expected a peer not listed before, got "[2001:db8::]:80"',
    ]);
  });

  test('IPv6 peers that share their first four bytes and port are different peers', () => {
    const a = v6([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 6881);
    const b = v6([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 6881);
    const bytes = encodeCompactPeers([a, b], 6);
    expect(decodeCompactPeers(bytes, 6).map((p) => Array.from(p.address))).toEqual([
      Array.from(a.address),
      Array.from(b.address),
    ]);
    expect(
      decodePexMessage(encodePexMessage({ added: [], added6: [a, b], dropped: [], dropped6: [] }))
        .added6,
    ).toHaveLength(2);
  });

  test('an IPv4 peer and an IPv6 peer with the same leading bytes may share a message', () => {
    const ipv4 = v4(1, 2, 3, 4, 80);
    const ipv6 = v6([1, 2, 3, 4], 80);
    const decoded = decodePexMessage(
      encodePexMessage({ added: [ipv4], added6: [ipv6], dropped: [], dropped6: [] }),
    );
    expect(decoded.added).toHaveLength(1);
    expect(decoded.added6).toHaveLength(1);
    const other = decodePexMessage(
      encodePexMessage({ added: [], added6: [ipv6], dropped: [ipv4], dropped6: [] }),
    );
    expect(other.dropped).toHaveLength(1);
  });
});

describe('caller mistakes of encodePexMessage and the flags', () => {
  test('a message that is not an object', () => {
    expect(thrownBy(() => encodePexMessage(null as never))).toEqual([
      'TypeError',
      '"message" expected a message object, got null',
    ]);
    expect(thrownBy(() => encodePexMessage(7 as never))).toEqual([
      'TypeError',
      '"message" expected a message object, got 7',
    ]);
  });

  test('a flag byte out of range', () => {
    expect(thrownBy(() => decodePexFlags(256))).toEqual([
      'RangeError',
      '"flags" expected 0..255, got 256',
    ]);
    expect(thrownBy(() => decodePexFlags(1.5))).toEqual([
      'RangeError',
      '"flags" expected 0..255, got 1.5',
    ]);
  });
});

describe('PexDecodeError', () => {
  test('its message names the reason, the field where there is one, and the offset', () => {
    expect(new PexDecodeError('truncated', 8, 'added').message).toBe(
      'truncated in "added" at offset 8',
    );
    expect(new PexDecodeError('trailing-bytes', 3).message).toBe('trailing-bytes at offset 3');
    expect(new PexDecodeError('too-large', 0, '').message).toBe('too-large at offset 0');
    expect(() => decodePexMessage(text('d5:added12:abcdefe'))).toThrow('truncated at offset 8');
  });

  test('isPexDecodeError wants an Error named PexDecodeError with a reason', () => {
    expect(isPexDecodeError(new PexDecodeError('truncated', 1))).toBe(true);
    const copy = Object.assign(new Error('from another copy'), {
      name: 'PexDecodeError',
      reason: 'truncated',
    });
    expect(isPexDecodeError(copy)).toBe(true);
    expect(isPexDecodeError(Object.assign(new Error('x'), { name: 'PexDecodeError' }))).toBe(false);
    expect(isPexDecodeError(Object.assign(new Error('x'), { reason: 'truncated' }))).toBe(false);
    expect(isPexDecodeError({ name: 'PexDecodeError', reason: 'truncated', message: '' })).toBe(
      false,
    );
    expect(isPexDecodeError(undefined)).toBe(false);
  });
});
