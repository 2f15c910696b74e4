import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  decodeCompactPeers,
  decodePexMessage,
  encodeCompactPeers,
  encodePexMessage,
  formatPeerAddress,
  PexDecodeError,
  peerKey,
} from '@pex/core';
import { bytesOf } from '@pex/test-support';
import fc from 'fast-check';
import { plainPeer } from './support/bytes.js';

/** BEP 11: 4 address bytes + 2 port bytes per IPv4 peer, 16 + 2 per IPv6 peer. */
const PEER_BYTES = { 4: 6, 6: 18 } as const;

const peerOf = (length: 4 | 16) =>
  fc.record({
    address: fc.uint8Array({ minLength: length, maxLength: length }),
    port: fc.integer({ min: 1, max: 65535 }),
  });

describe('compact peer lists', () => {
  test.each([4, 6] as const)('IPv%s lists round-trip', (family) => {
    fc.assert(
      fc.property(fc.array(peerOf(family === 4 ? 4 : 16), { maxLength: 60 }), (peers) => {
        const bytes = encodeCompactPeers(peers, family);
        expect(bytes.length).toBe(peers.length * PEER_BYTES[family]);
        const decoded = decodeCompactPeers(bytes, family);
        expect(decoded.map(plainPeer)).toEqual(peers.map(plainPeer));
      }),
    );
  });

  test('golden bytes: two IPv4 peers', () => {
    const bytes = encodeCompactPeers(
      [
        { address: Uint8Array.from([10, 0, 0, 1]), port: 6881 },
        { address: Uint8Array.from([127, 0, 0, 1]), port: 65535 },
      ],
      4,
    );
    expect(Array.from(bytes)).toEqual([10, 0, 0, 1, 0x1a, 0xe1, 127, 0, 0, 1, 0xff, 0xff]);
  });

  test('decoding refuses a length that is not a whole number of entries', () => {
    expect(() => decodeCompactPeers(new Uint8Array(7), 4)).toThrow(PexDecodeError);
    expect(() => decodeCompactPeers(new Uint8Array(36), 6)).not.toThrow();
    expect(() => decodeCompactPeers(new Uint8Array(20), 6)).toThrow(
      expect.objectContaining({
        name: 'PexDecodeError',
        reason: 'invalid-length',
        field: 'peers6',
      }),
    );
  });

  test('decoding refuses more peers than asked for', () => {
    expect(() => decodeCompactPeers(new Uint8Array(18), 4, 2)).toThrow(
      expect.objectContaining({ reason: 'too-many-peers' }),
    );
  });

  test.each([
    ['IPv6 address in an IPv4 list', [{ address: new Uint8Array(16), port: 1 }], 4, TypeError],
    ['port 0', [{ address: new Uint8Array(4), port: 0 }], 4, RangeError],
    ['missing port', [{ address: new Uint8Array(16) }], 6, RangeError],
    ['not an array', 'x', 4, TypeError],
  ])('encoding refuses %s', (_name, peers, family, type) => {
    expect(() => encodeCompactPeers(peers as never, family as 4 | 6)).toThrow(type);
  });

  test('encoding refuses the same peer twice, naming the second place', () => {
    const peer = { address: Uint8Array.from([10, 0, 0, 1]), port: 6881 };
    const other = { address: Uint8Array.from([10, 0, 0, 1]), port: 6882 };
    expect(() => encodeCompactPeers([peer, other, { ...peer }], 4)).toThrow(
      /"peers\[2\]" expected a peer not listed before, got "10.0.0.1:6881"/,
    );
    expect(encodeCompactPeers([peer, other], 4)).toHaveLength(12);
  });

  test('family other than 4 or 6 is a TypeError', () => {
    expect(() => decodeCompactPeers(new Uint8Array(0), 5 as never)).toThrow(TypeError);
  });
});

describe('decoded peers are plain data', () => {
  test('each has its own address bytes and the key peerKey gives for them', () => {
    fc.assert(
      fc.property(peerOf(4), peerOf(16), (a, b) => {
        const payload = bytesOf(
          'd5:added6:',
          [...a.address, a.port >> 8, a.port & 255],
          '6:added618:',
          [...b.address, b.port >> 8, b.port & 255],
          'e',
        );
        const message = decodePexMessage(payload);
        const [v4, v6] = [message.added[0] as CompactPeer, message.added6[0] as CompactPeer];
        expect(peerKey(v4.address, v4.port)).toBe(peerKey(a.address, a.port));
        expect(peerKey(v6.address, v6.port)).toBe(peerKey(b.address, b.port));
        // Nothing refers to the received bytes.
        payload.fill(0);
        expect(Array.from(v4.address)).toEqual(Array.from(a.address));
        expect(Array.from(v6.address)).toEqual(Array.from(b.address));
      }),
    );
  });

  test('spreading, structuredClone and JSON keep every field', () => {
    const message = decodePexMessage(bytesOf('d5:added6:', [1, 2, 3, 4, 0, 80], 'e'));
    const peer = message.added[0] as CompactPeer;
    expect(Object.keys(peer).sort()).toEqual(['address', 'flags', 'port']);
    expect({ ...peer }).toEqual(peer);
    expect(structuredClone(message)).toEqual(message);
    expect(JSON.parse(JSON.stringify(peer))).toEqual({
      address: { 0: 1, 1: 2, 2: 3, 3: 4 },
      port: 80,
      flags: 0,
    });
    expect(formatPeerAddress(peer.address, peer.port)).toBe('1.2.3.4:80');
    // A spread with other flags is a peer the encoder takes.
    const reflagged = { ...peer, flags: 0x10 };
    expect(
      decodePexMessage(
        encodePexMessage({ added: [reflagged], added6: [], dropped: [], dropped6: [] }),
      ).added,
    ).toEqual([reflagged]);
  });
});
