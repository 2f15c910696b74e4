import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  decodePexMessage,
  encodeCompactPeers,
  encodePexMessage,
  type PexMessage,
} from '@pex/core';
import { hex } from '@pex/test-support';
import bencode from 'bencode';
import fc from 'fast-check';
// A relative import: @pex/arbitraries depends on @pex/core, so core cannot list it as a dependency.
import { arbitraryPexMessage, arbitraryPexPayload } from '../../arbitraries/src/index.js';
import { plainMessage } from './support/bytes.js';

const withDefaultFlags = (message: PexMessage) => ({
  added: message.added.map((p) => ({ ...p, flags: p.flags ?? 0 })),
  added6: message.added6.map((p) => ({ ...p, flags: p.flags ?? 0 })),
  dropped: message.dropped.map(({ address, port }) => ({ address, port })),
  dropped6: message.dropped6.map(({ address, port }) => ({ address, port })),
});

/** The dictionary the `bencode` package would write for `message`, by BEP 11's rules. */
function dictionaryOf(message: PexMessage): Record<string, Uint8Array> {
  const dict: Record<string, Uint8Array> = {};
  const flags = (peers: readonly CompactPeer[]) => Uint8Array.from(peers, (p) => p.flags ?? 0);
  if (message.added.length > 0) {
    dict.added = encodeCompactPeers(message.added, 4);
    dict['added.f'] = flags(message.added);
  }
  if (message.added6.length > 0) {
    dict.added6 = encodeCompactPeers(message.added6, 6);
    dict['added6.f'] = flags(message.added6);
  }
  if (message.dropped.length > 0) dict.dropped = encodeCompactPeers(message.dropped, 4);
  if (message.dropped6.length > 0) dict.dropped6 = encodeCompactPeers(message.dropped6, 6);
  return dict;
}

/** Messages where some added peers carry no flags (JavaScript callers may leave them out). */
const messageWithSomeFlagsMissing = arbitraryPexMessage().map((message) => {
  const strip = (peers: readonly CompactPeer[]) =>
    peers.map((p) => (p.port % 2 === 0 ? { address: p.address, port: p.port } : p));
  return { ...message, added: strip(message.added), added6: strip(message.added6) };
});

// Any bencode value, nested up to depth 4, for unknown keys. `__proto__` is avoided: the
// bencode package drops that key on decode.
const unknownKey = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter(
    (k) =>
      !['added', 'added.f', 'added6', 'added6.f', 'dropped', 'dropped6', '__proto__'].includes(k),
  );
const { value: bencodeValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.integer(),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(unknownKey, tie('value'), { maxKeys: 4 }),
  ),
}));

describe('encodePexMessage / decodePexMessage round trip', () => {
  test('every valid message decodes back to itself (flags default to 0)', () => {
    fc.assert(
      fc.property(messageWithSomeFlagsMissing, (message) => {
        const decoded = decodePexMessage(encodePexMessage(message));
        expect(plainMessage(decoded)).toEqual(plainMessage(withDefaultFlags(message)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('against the bencode package', () => {
  test('our encoding is byte-identical to bencode.encode of the same dictionary', () => {
    fc.assert(
      fc.property(messageWithSomeFlagsMissing, (message) => {
        expect(hex(encodePexMessage(message))).toBe(hex(bencode.encode(dictionaryOf(message))));
      }),
      { numRuns: 300 },
    );
  });

  test('dictionaries with unknown keys and nested values: both decoders agree on every field', () => {
    fc.assert(
      fc.property(
        arbitraryPexMessage(),
        fc.dictionary(unknownKey, bencodeValue, { maxKeys: 5 }),
        (message, extra) => {
          const bytes = bencode.encode({ ...extra, ...dictionaryOf(message) });
          const ours = decodePexMessage(bytes);
          const theirs = bencode.decode(bytes) as Record<string, Uint8Array | undefined>;
          const compact = (peers: readonly CompactPeer[], family: 4 | 6) =>
            hex(encodeCompactPeers(peers, family));
          expect(compact(ours.added, 4)).toBe(hex(theirs.added ?? new Uint8Array()));
          expect(compact(ours.added6, 6)).toBe(hex(theirs.added6 ?? new Uint8Array()));
          expect(compact(ours.dropped, 4)).toBe(hex(theirs.dropped ?? new Uint8Array()));
          expect(compact(ours.dropped6, 6)).toBe(hex(theirs.dropped6 ?? new Uint8Array()));
          expect(ours.added.map((p) => p.flags)).toEqual(Array.from(theirs['added.f'] ?? []));
          expect(ours.added6.map((p) => p.flags)).toEqual(Array.from(theirs['added6.f'] ?? []));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('lenient payloads (unsorted keys, leading zeros, short flags): both decoders agree', () => {
    fc.assert(
      fc.property(arbitraryPexPayload(), ({ bytes, message }) => {
        const ours = decodePexMessage(bytes);
        expect(plainMessage(ours)).toEqual(plainMessage(message));
        const theirs = bencode.decode(bytes) as Record<string, Uint8Array | undefined>;
        expect(hex(encodeCompactPeers(ours.added, 4))).toBe(hex(theirs.added ?? new Uint8Array()));
        expect(hex(encodeCompactPeers(ours.dropped6, 6))).toBe(
          hex(theirs.dropped6 ?? new Uint8Array()),
        );
        const flags = theirs['added.f'] ?? new Uint8Array();
        expect(ours.added.map((p) => p.flags)).toEqual(ours.added.map((_, i) => flags[i] ?? 0));
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodePexMessage refuses a peer listed twice, in small and large messages', () => {
  // Messages of up to 4 x 150 peers: the duplicate check scans an array up to 100 keys, then uses
  // a Set, so both ways are exercised.
  const withRepeat = fc
    .tuple(arbitraryPexMessage({ maxPeersPerList: 150 }), fc.nat(), fc.nat(), fc.boolean())
    .map(([message, pick, at, intoAdded]) => {
      const all = [...message.added, ...message.dropped, ...message.added6, ...message.dropped6];
      const peer = all[pick % all.length] as CompactPeer;
      const ipv4 = peer.address.length === 4;
      const field = intoAdded ? (ipv4 ? 'added' : 'added6') : ipv4 ? 'dropped' : 'dropped6';
      const list = [...message[field]];
      list.splice(at % (list.length + 1), 0, { address: peer.address.slice(), port: peer.port });
      return { message: { ...message, [field]: list }, total: all.length + 1 };
    });

  test('property: the copy is refused with a RangeError, whatever the size', () => {
    fc.assert(
      fc.property(withRepeat, ({ message }) => {
        expect(() => encodePexMessage(message)).toThrow(RangeError);
        expect(() => encodePexMessage(message)).toThrow(/expected a peer not listed before, got "/);
      }),
      { numRuns: 300 },
    );
  });

  test('property: a repeat among up to 300 distinct peers is found, wherever it is', () => {
    const peerAt = (i: number): CompactPeer => ({
      address: Uint8Array.of(10, i >> 8, i & 255, 1),
      port: 6881,
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        fc.boolean(),
        (count, pick, asDrop) => {
          const added = Array.from({ length: count }, (_, i) => peerAt(i));
          const repeat = peerAt(pick % count);
          const message = asDrop
            ? { added, added6: [], dropped: [repeat], dropped6: [] }
            : { added: [...added, repeat], added6: [], dropped: [], dropped6: [] };
          const where = asDrop ? 'dropped\\[0\\]' : `added\\[${count}\\]`;
          expect(() => encodePexMessage(message)).toThrow(
            new RegExp(`"${where}" expected a peer not listed before`),
          );
          expect(encodePexMessage({ ...message, dropped: [], added })).toBeInstanceOf(Uint8Array);
        },
      ),
      { numRuns: 200 },
    );
  });
});
