import {
  type CompactPeer,
  DEFAULT_PEX_LIMITS,
  type PexDecodeReason,
  type PexLimits,
  type PexMessage,
} from '@pex/core';
import fc from 'fast-check';
import {
  arbitraryBencodeValue,
  arbitraryUnknownKey,
  byteString,
  joinParts,
  type Part,
  PEX_KEYS,
} from './bencode-bytes.js';
import { arbitraryPexMessage } from './messages.js';

/** A payload and the reason `decodePexMessage` must refuse it with. */
export interface MalformedPexPayload {
  /** The payload, malformed in exactly one known way. */
  readonly bytes: Uint8Array;
  /** The `reason` of the `PexDecodeError` that decoding it must throw. */
  readonly reason: PexDecodeReason;
}

/** A well-formed payload and the message it decodes to. */
export interface PexPayload {
  /** The payload: valid bencode, possibly in a non-canonical form real clients send. */
  readonly bytes: Uint8Array;
  /** The expected decode: added peers carry flags (0 where `added.f` has no byte), dropped none. */
  readonly message: PexMessage;
}

/** Options of the payload arbitraries. */
export interface PexPayloadArbitraryOptions {
  /** The limits the decoder under test applies. Default `DEFAULT_PEX_LIMITS` of @pex/core. */
  readonly limits?: Partial<PexLimits>;
}

type Entry = readonly [key: string, value: Uint8Array];

/**
 * A payload every lenient, BEP 11-conforming decoder accepts, with the message it must yield:
 * keys in any order, unknown keys of any bencode type (nested below the depth limit), leading
 * zeros in string lengths, `added.f` missing, short or long (missing flags read as 0, extra ones
 * ignored), the empty dictionary `de`.
 * @throws {RangeError} if a limit is not a positive integer.
 */
export function arbitraryPexPayload(
  options: PexPayloadArbitraryOptions = {},
): fc.Arbitrary<PexPayload> {
  const limits = resolveLimits(options.limits);
  const message = fc.option(
    arbitraryPexMessage({ maxPeersPerList: Math.min(limits.maxPeersPerList, 60) }),
    {
      nil: undefined,
      freq: 8,
    },
  );
  return fc
    .record({
      message,
      flagsShape: fc.constantFrom('exact', 'exact', 'exact', 'missing', 'short', 'long'),
      unknown: unknownEntries(Math.min(limits.maxDepth - 1, 3)),
      zeros: fc.array(fc.nat(3), { minLength: 6, maxLength: 6 }),
      order: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
    })
    .map(({ message, flagsShape, unknown, zeros, order }) => {
      const lists = message ?? { added: [], added6: [], dropped: [], dropped6: [] };
      const entries: Entry[] = [];
      const expected = {
        added: lists.added.map((peer) => ({ ...peer, flags: peer.flags ?? 0 })),
        added6: lists.added6.map((peer) => ({ ...peer, flags: peer.flags ?? 0 })),
        dropped: lists.dropped.map(({ address, port }) => ({ address, port })),
        dropped6: lists.dropped6.map(({ address, port }) => ({ address, port })),
      };
      const z = (i: number) => zeros[i] ?? 0;
      if (lists.added.length > 0) {
        entries.push(['added', byteString(compact(lists.added), z(0))]);
        const flags = flagBytes(lists.added, flagsShape, expected.added);
        if (flags !== undefined) entries.push(['added.f', byteString(flags, z(1))]);
      }
      if (lists.added6.length > 0) {
        entries.push(['added6', byteString(compact(lists.added6), z(2))]);
        const flags = flagBytes(lists.added6, flagsShape, expected.added6);
        if (flags !== undefined) entries.push(['added6.f', byteString(flags, z(3))]);
      }
      if (lists.dropped.length > 0)
        entries.push(['dropped', byteString(compact(lists.dropped), z(4))]);
      if (lists.dropped6.length > 0) {
        entries.push(['dropped6', byteString(compact(lists.dropped6), z(5))]);
      }
      entries.push(...unknown);
      const shuffled = shuffle(entries, order);
      return { bytes: dictionary(shuffled), message: expected };
    })
    .filter(({ bytes }) => bytes.length <= limits.maxMessageBytes);
}

/**
 * A malformed payload paired with the `reason` the decoder must give, one of every kind in
 * `PexDecodeReason`: too large, not a dictionary, truncated (every proper prefix of a valid
 * payload), invalid bencode, trailing bytes, a duplicate PEX key, unknown values nested past
 * `maxDepth` (the message itself is depth 1), a PEX key holding a non-string, a compact list not a
 * multiple of 6 / 18 bytes, a list over `maxPeersPerList`. Each payload has exactly one defect, so
 * the reason does not depend on the order in which a decoder checks.
 * @throws {RangeError} if a limit is not a positive integer.
 */
export function arbitraryMalformedPexPayload(
  options: PexPayloadArbitraryOptions = {},
): fc.Arbitrary<MalformedPexPayload> {
  const limits = resolveLimits(options.limits);
  const valid = arbitraryPexPayload({ limits }).map(({ bytes }) => bytes);
  const labelled = (reason: PexDecodeReason) => (bytes: Uint8Array) => ({ bytes, reason });
  const kinds: fc.Arbitrary<MalformedPexPayload>[] = [
    tooLarge(limits).map(labelled('too-large')),
    notADictionary().map(labelled('not-a-dictionary')),
    valid
      .chain((bytes) =>
        fc.integer({ min: 0, max: bytes.length - 1 }).map((cut) => bytes.slice(0, cut)),
      )
      .filter((bytes) => bytes.length > 0)
      .map(labelled('truncated')),
    invalidBencode().map(labelled('invalid-bencode')),
    fc
      .tuple(valid, fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .filter(([bytes, extra]) => bytes.length + extra.length <= limits.maxMessageBytes)
      .map(([bytes, extra]) => joinParts([bytes, extra]))
      .map(labelled('trailing-bytes')),
    duplicateKey().map(labelled('duplicate-key')),
    tooDeep(limits.maxDepth).map(labelled('too-deep')),
    wrongType().map(labelled('wrong-type')),
    invalidLength().map(labelled('invalid-length')),
    tooManyPeers(limits).map(labelled('too-many-peers')),
  ];
  return fc.oneof(...kinds);
}

function resolveLimits(limits: Partial<PexLimits> | undefined): PexLimits {
  const resolved = { ...DEFAULT_PEX_LIMITS, ...limits };
  for (const key of ['maxMessageBytes', 'maxPeersPerList', 'maxDepth'] as const) {
    if (!Number.isSafeInteger(resolved[key]) || resolved[key] < 1) {
      throw new RangeError(`"${key}" expected a positive integer, got ${String(resolved[key])}`);
    }
  }
  return resolved;
}

function dictionary(entries: readonly Entry[], tail: Part = 'e'): Uint8Array {
  return joinParts(['d', ...entries.flatMap(([key, value]) => [byteString(key), value]), tail]);
}

function compact(peers: readonly CompactPeer[]): Uint8Array {
  return joinParts(
    peers.flatMap((peer) => [peer.address, Uint8Array.of(peer.port >>> 8, peer.port & 0xff)]),
  );
}

/** The `added.f` bytes for a shape; updates the expected flags where the decoder reads 0. */
function flagBytes(
  peers: readonly CompactPeer[],
  shape: string,
  expected: { flags: number }[],
): Uint8Array | undefined {
  const exact = Uint8Array.from(peers, (peer) => peer.flags ?? 0);
  if (shape === 'exact') return exact;
  if (shape === 'long') return joinParts([exact, Uint8Array.of(0xff, 0x01)]);
  const kept = shape === 'missing' ? 0 : Math.floor(peers.length / 2);
  for (let i = kept; i < expected.length; i++) (expected[i] as { flags: number }).flags = 0;
  return shape === 'missing' ? undefined : exact.slice(0, kept);
}

function unknownEntries(maxNesting: number): fc.Arbitrary<Entry[]> {
  return fc.uniqueArray(
    fc.tuple(arbitraryUnknownKey(), arbitraryBencodeValue(Math.max(0, maxNesting))),
    { maxLength: 3, selector: ([key]) => key },
  );
}

function shuffle<T>(items: readonly T[], order: readonly number[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (order[i % order.length] ?? 0) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function tooLarge(limits: PexLimits): fc.Arbitrary<Uint8Array> {
  // A payload otherwise fine (one unknown string) that is just over the limit.
  return fc.integer({ min: 1, max: 64 }).map((over) => {
    const target = limits.maxMessageBytes + over;
    let contentLength = Math.max(0, target - 8);
    for (;;) {
      const bytes = dictionary([['x', byteString(new Uint8Array(contentLength))]]);
      if (bytes.length >= target) return bytes;
      contentLength += target - bytes.length;
    }
  });
}

function notADictionary(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.constantFrom(
      new Uint8Array(0),
      joinParts(['le']),
      joinParts(['i42e']),
      joinParts(['5:added']),
      joinParts(['e']),
      joinParts([' de']),
    ),
    fc.uint8Array({ minLength: 1, maxLength: 32 }).filter((bytes) => bytes[0] !== 0x64 /* d */),
  );
}

function invalidBencode(): fc.Arbitrary<Uint8Array> {
  const badValue = fc.constantFrom(
    'z',
    'ie',
    'i-e',
    'i1x2e',
    'i+1e',
    '-1:a',
    '3a:abc',
    '1234567890:',
    'di1ei2ee',
    'dle1:ae',
  );
  return fc.oneof(
    // An unknown key whose value is bad bencode.
    fc
      .tuple(arbitraryUnknownKey(), badValue)
      .map(([key, value]) => dictionary([[key, joinParts([value])]])),
    // A dictionary key that is not a byte string.
    fc.constantFrom('di1e0:e', 'dle', 'd:e', 'dd0:e0:e', 'd-1:ae').map((text) => joinParts([text])),
  );
}

function duplicateKey(): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.constantFrom(...PEX_KEYS), fc.option(arbitraryUnknownKey(), { nil: undefined }))
    .map(([key, between]) => {
      const value = byteString(
        key.endsWith('6') ? new Uint8Array(18) : key.endsWith('.f') ? 'a' : new Uint8Array(6),
      );
      const entries: Entry[] = [[key, value]];
      if (between !== undefined) entries.push([between, byteString('')]);
      entries.push([key, value]);
      return dictionary(entries);
    });
}

function tooDeep(maxDepth: number): fc.Arbitrary<Uint8Array> {
  // The message is depth 1, so an unknown value may open maxDepth - 1 containers, not one more.
  return fc
    .tuple(fc.integer({ min: maxDepth, max: maxDepth + 40 }), arbitraryUnknownKey(), fc.boolean())
    .map(([containers, key, dicts]) => {
      // n nested dictionaries `d1:k d1:k ... 0: e e`, or n nested lists `l l ... e e`.
      const value = dicts
        ? joinParts(['d1:k'.repeat(containers), '0:', 'e'.repeat(containers)])
        : joinParts(['l'.repeat(containers), 'e'.repeat(containers)]);
      return dictionary([[key, value]]);
    });
}

function wrongType(): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom(...PEX_KEYS),
      fc.constantFrom('i6e', 'le', 'de', 'l6:abcdefe', 'd1:a0:e'),
    )
    .map(([key, value]) => dictionary([[key, joinParts([value])]]));
}

function invalidLength(): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom('added', 'added6', 'dropped', 'dropped6'),
      fc.integer({ min: 1, max: 200 }),
    )
    .map(([key, length]) => {
      const size = key.endsWith('6') ? 18 : 6;
      const bytes = length % size === 0 ? length + 1 : length;
      return dictionary([[key, byteString(new Uint8Array(bytes))]]);
    });
}

function tooManyPeers(limits: PexLimits): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom('added', 'added6', 'dropped', 'dropped6'),
      fc.integer({ min: 1, max: 5 }),
    )
    .map(([key, over]) => {
      const size = key.endsWith('6') ? 18 : 6;
      return dictionary([
        [key, byteString(new Uint8Array((limits.maxPeersPerList + over) * size))],
      ]);
    })
    .filter((bytes) => bytes.length <= limits.maxMessageBytes);
}
