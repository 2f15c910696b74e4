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
  /**
   * The limits the decoder under test applies: numbers of at least 1, `Infinity` lifting one, as
   * in @pex/core. Default `DEFAULT_PEX_LIMITS` of @pex/core.
   */
  readonly limits?: Partial<PexLimits>;
}

/** Options of `arbitraryMalformedPexPayload`. */
export interface MalformedPexPayloadArbitraryOptions extends PexPayloadArbitraryOptions {
  /**
   * Also give the reasons that test a limit: `too-large`, `too-deep`, `too-many-peers`. Default
   * true; false leaves them out, for a decoder whose limits you do not know (the other payloads
   * still keep within `limits`).
   */
  readonly limitReasons?: boolean;
}

type Entry = readonly [key: string, value: Uint8Array];

// The four lists, in the order of their keys; the first two are added peers, with flags.
const LISTS = ['added', 'added6', 'dropped', 'dropped6'] as const;
type Lists = Record<(typeof LISTS)[number], CompactPeer[]>;

// No payload longer than this is built: bigger ones are slow to build and to print when a
// property fails. A reason that needs a longer payload is left out.
const MAX_BUILT_BYTES = 1 << 20;

/**
 * A payload every lenient, BEP 11-conforming decoder accepts, with the message it must yield:
 * keys in any order, unknown keys of any bencode type (nested below the depth limit), leading
 * zeros in string lengths, `added.f` missing, short or long (missing flags read as 0, extra ones
 * ignored), the empty dictionary `de`. Within `limits`: under a small `maxMessageBytes`, fewer
 * peers and unknown keys.
 * @throws {TypeError} if a limit is not a number.
 * @throws {RangeError} if a limit is below 1, or `maxMessageBytes` below 2 (`de` is 2 bytes).
 */
export function arbitraryPexPayload(
  options: PexPayloadArbitraryOptions = {},
): fc.Arbitrary<PexPayload> {
  const limits = resolveLimits(options.limits, 2);
  return wellFormed(limits, Math.min(limits.maxMessageBytes, MAX_BUILT_BYTES));
}

/**
 * A malformed payload paired with the `reason` the decoder must give, one of every kind in
 * `PexDecodeReason`: too large, not a dictionary, truncated (every proper prefix of a valid
 * payload), invalid bencode, trailing bytes, a duplicate PEX key, unknown values nested past
 * `maxDepth` (the message itself is depth 1), a PEX key holding a non-string, a compact list not a
 * multiple of 6 / 18 bytes, a list over `maxPeersPerList`. Each payload has exactly one defect, so
 * the reason does not depend on the order in which a decoder checks.
 *
 * Every payload keeps within `limits` but for the one limit it tests, and a reason no such
 * payload can show is left out. So are the limit reasons for a limit at `Infinity` (nothing is
 * over it) or whose payload would not fit in `maxMessageBytes` or in 1 MiB: `too-large` needs
 * `maxMessageBytes` under 1 MiB, `too-many-peers` a little over 6 × (`maxPeersPerList` + 1) bytes,
 * `too-deep` 2 × `maxDepth` + 4. Below 20 bytes, so are the reasons whose smallest payload is
 * longer: `duplicate-key` needs 20, `wrong-type` and `invalid-length` 12, `invalid-bencode` and
 * `trailing-bytes` 3. `not-a-dictionary` (the empty payload) and `truncated` (`d`) fit any
 * limit. `limitReasons: false` leaves out the three limit reasons whatever the limits.
 * @throws {TypeError} if a limit is not a number, or `limitReasons` not a boolean.
 * @throws {RangeError} if a limit is below 1.
 */
export function arbitraryMalformedPexPayload(
  options: MalformedPexPayloadArbitraryOptions = {},
): fc.Arbitrary<MalformedPexPayload> {
  const limits = resolveLimits(options.limits, 1);
  const { limitReasons = true } = options;
  if (typeof limitReasons !== 'boolean') {
    throw argumentError(TypeError, 'limitReasons', 'a boolean', limitReasons);
  }
  const { maxMessageBytes, maxPeersPerList, maxDepth } = limits;
  const room = Math.min(maxMessageBytes, MAX_BUILT_BYTES);
  const kinds: fc.Arbitrary<MalformedPexPayload>[] = [];
  // A reason is given only if its smallest payload fits; a longer payload drawn for it is
  // replaced by that smallest one. Unlike a filter, this cannot spin forever under a small limit.
  const add = (reason: PexDecodeReason, smallest: Part, make: () => fc.Arbitrary<Uint8Array>) => {
    const fallback = joinParts([smallest]);
    if (fallback.length > room) return;
    kinds.push(make().map((bytes) => ({ bytes: bytes.length > room ? fallback : bytes, reason })));
  };
  if (limitReasons && maxMessageBytes < MAX_BUILT_BYTES) {
    kinds.push(
      fc
        .integer({ min: 1, max: 64 })
        .map((over) => ({ bytes: oversized(maxMessageBytes + over), reason: 'too-large' })),
    );
  }
  add('not-a-dictionary', '', notADictionary);
  add('truncated', 'd', () =>
    room < 2
      ? fc.constant(joinParts(['d']))
      : wellFormed(limits, room).chain(({ bytes }) =>
          fc.integer({ min: 1, max: bytes.length - 1 }).map((cut) => bytes.slice(0, cut)),
        ),
  );
  add('invalid-bencode', 'd:e', () => invalidBencode(maxDepth));
  add('trailing-bytes', 'de\0', () =>
    wellFormed(limits, room - 1).chain(({ bytes }) =>
      fc
        .uint8Array({ minLength: 1, maxLength: Math.min(8, room - bytes.length) })
        .map((extra) => joinParts([bytes, extra])),
    ),
  );
  add('duplicate-key', 'd5:added0:5:added0:e', duplicateKey);
  // The cheap length checks keep the smallest payload from being built for a huge limit.
  if (limitReasons && maxDepth < room) {
    add('too-deep', nested('', maxDepth, false), () => tooDeep(maxDepth, room));
  }
  add('wrong-type', 'd5:addedi0ee', () => wrongType(maxDepth));
  add('invalid-length', 'd5:added1:\0e', () => invalidLength(room));
  if (limitReasons && maxPeersPerList * 6 < room) {
    add('too-many-peers', peerList('added', maxPeersPerList + 1, 6), () =>
      tooManyPeers(maxPeersPerList),
    );
  }
  return fc.oneof(...kinds);
}

/**
 * Checks the limits as @pex/core does, then rounds them to what a decoder applies to whole
 * bytes, peers and containers: `maxMessageBytes` and `maxPeersPerList` down, `maxDepth` up.
 */
function resolveLimits(limits: Partial<PexLimits> | undefined, minBytes: number): PexLimits {
  const resolved = { ...DEFAULT_PEX_LIMITS, ...limits };
  const rounded = { ...resolved };
  for (const key of Object.keys(resolved) as (keyof PexLimits)[]) {
    const value: unknown = resolved[key];
    const min = key === 'maxMessageBytes' ? minBytes : 1;
    if (typeof value !== 'number' || !(value >= min)) {
      const Kind = typeof value === 'number' ? RangeError : TypeError;
      throw argumentError(Kind, `limits.${key}`, `a number of at least ${min}`, value);
    }
    (rounded as Record<keyof PexLimits, number>)[key] =
      key === 'maxDepth' ? Math.ceil(value) : Math.floor(value);
  }
  return rounded;
}

/** The house error for a caller mistake: `"<name>" expected <expected>, got <value>`. */
function argumentError(
  Kind: TypeErrorConstructor | RangeErrorConstructor,
  name: string,
  expected: string,
  value: unknown,
): Error {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new Kind(`"${name}" expected ${expected}, got ${shown}`);
}

/**
 * Well-formed payloads of at most `maxBytes` (>= 2) bytes that keep within `limits` (rounded).
 * Over-long drafts are trimmed rather than filtered out: `de` fits, so trimming always ends.
 */
function wellFormed(limits: PexLimits, maxBytes: number): fc.Arbitrary<PexPayload> {
  // About 80 bytes per peer in each list (four lists of up to 19 bytes a peer, with room for the
  // keys) keeps most drafts within `maxBytes`, so trimming is rare and short.
  const perList = Math.min(limits.maxPeersPerList, 60, Math.max(1, Math.floor(maxBytes / 80)));
  return fc
    .record({
      message: fc.option(arbitraryPexMessage({ maxPeersPerList: perList }), {
        nil: undefined,
        freq: 8,
      }),
      flagsShape: fc.constantFrom('exact', 'exact', 'exact', 'missing', 'short', 'long'),
      unknown: unknownEntries(Math.min(limits.maxDepth - 1, 3)),
      zeros: fc.array(fc.nat(3), { minLength: 8, maxLength: 8 }),
      order: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
    })
    .map(({ message, flagsShape, unknown, zeros, order }) => {
      const lists = {} as Lists;
      for (const key of LISTS) lists[key] = [...(message?.[key] ?? [])];
      let extra = unknown;
      for (;;) {
        const payload = payloadOf(lists, flagsShape, extra, zeros, order);
        if (payload.bytes.length <= maxBytes) return payload;
        if (extra.length > 0) extra = extra.slice(1);
        else
          Object.values(lists)
            .reduce((a, b) => (b.length > a.length ? b : a))
            .pop();
      }
    });
}

/** The bytes of `lists` plus the `unknown` entries, and the message they decode to. */
function payloadOf(
  lists: Lists,
  flagsShape: string,
  unknown: readonly Entry[],
  zeros: readonly number[],
  order: readonly number[],
): PexPayload {
  const entries = [...unknown];
  const message = {} as Lists;
  LISTS.forEach((key, i) => {
    const list = lists[key];
    // Added peers decode with flags (0 where `added.f` has no byte), dropped ones without.
    const expected = list.map(({ address, port, flags }) =>
      i < 2 ? { address, port, flags: flags ?? 0 } : { address, port },
    );
    message[key] = expected;
    if (list.length === 0) return;
    entries.push([key, byteString(compact(list), zeros[2 * i])]);
    const flags = i < 2 ? flagBytes(list, flagsShape, expected) : undefined;
    if (flags) entries.push([`${key}.f`, byteString(flags, zeros[2 * i + 1])]);
  });
  return { bytes: dictionary(shuffle(entries, order)), message };
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
  expected: CompactPeer[],
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

/** A payload otherwise fine (one unknown string) of at least `length` bytes. */
function oversized(length: number): Uint8Array {
  let contentLength = Math.max(0, length - 8);
  for (;;) {
    const bytes = dictionary([['x', byteString(new Uint8Array(contentLength))]]);
    if (bytes.length >= length) return bytes;
    // Grows by the shortfall, so at most a few rounds (the length prefix may gain a digit).
    contentLength += length - bytes.length;
  }
}

function notADictionary(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.constantFrom('', 'le', 'i42e', '5:added', 'e', ' de').map((text) => joinParts([text])),
    fc.uint8Array({ minLength: 1, maxLength: 32 }).filter((bytes) => bytes[0] !== 0x64 /* d */),
  );
}

/** Containers only where `maxDepth` leaves room for them, so depth is never a second defect. */
function invalidBencode(maxDepth: number): fc.Arbitrary<Uint8Array> {
  const values = ['z', 'ie', 'i-e', 'i1x2e', 'i+1e', '-1:a', '3a:abc', '1234567890:'];
  const keys = ['di1e0:e', 'd:e', 'd-1:ae'];
  if (maxDepth > 1) {
    values.push('di1ei2ee');
    keys.push('dle', 'dd0:e0:e');
  }
  if (maxDepth > 2) values.push('dle1:ae');
  return fc.oneof(
    // An unknown key whose value is bad bencode.
    fc
      .tuple(arbitraryUnknownKey(), fc.constantFrom(...values))
      .map(([key, value]) => dictionary([[key, joinParts([value])]])),
    // A dictionary key that is not a byte string.
    fc.constantFrom(...keys).map((text) => joinParts([text])),
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

/** `containers` nested dictionaries `d1:k d1:k ... 0: e e`, or lists `l l ... e e`, under `key`. */
function nested(key: string, containers: number, dicts: boolean): Uint8Array {
  const value = dicts
    ? joinParts(['d1:k'.repeat(containers), '0:', 'e'.repeat(containers)])
    : joinParts(['l'.repeat(containers), 'e'.repeat(containers)]);
  return dictionary([[key, value]]);
}

function tooDeep(maxDepth: number, maxBytes: number): fc.Arbitrary<Uint8Array> {
  // The message is depth 1, so an unknown value may open maxDepth - 1 containers, not one more.
  // At most as many as fit in `maxBytes` (5 bytes a dictionary, 17 for the key and the message).
  const most = Math.max(maxDepth, Math.min(maxDepth + 40, Math.floor((maxBytes - 17) / 5)));
  return fc
    .tuple(fc.integer({ min: maxDepth, max: most }), arbitraryUnknownKey(), fc.boolean())
    .map(([containers, key, dicts]) => nested(key, containers, dicts));
}

/** Container values only where `maxDepth` leaves room for them, as in `invalidBencode`. */
function wrongType(maxDepth: number): fc.Arbitrary<Uint8Array> {
  const values = ['i6e', 'i0e', 'i-1e'];
  if (maxDepth > 1) values.push('le', 'de', 'l6:abcdefe', 'd1:a0:e');
  return fc
    .tuple(fc.constantFrom(...PEX_KEYS), fc.constantFrom(...values))
    .map(([key, value]) => dictionary([[key, joinParts([value])]]));
}

function invalidLength(maxBytes: number): fc.Arbitrary<Uint8Array> {
  // 16 bytes for `d`, the longest key, the length prefix and `e`.
  const longest = Math.max(1, Math.min(200, maxBytes - 16));
  return fc
    .tuple(fc.constantFrom(...LISTS), fc.integer({ min: 1, max: longest }))
    .map(([key, length]) => {
      const size = key.endsWith('6') ? 18 : 6;
      return dictionary([
        [key, byteString(new Uint8Array(length % size === 0 ? length + 1 : length))],
      ]);
    });
}

/** A payload whose list under `key` holds `count` zeroed peers of `size` bytes. */
function peerList(key: string, count: number, size: number): Uint8Array {
  return dictionary([[key, byteString(new Uint8Array(count * size))]]);
}

function tooManyPeers(maxPeersPerList: number): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.constantFrom(...LISTS), fc.integer({ min: 1, max: 5 }))
    .map(([key, over]) => peerList(key, maxPeersPerList + over, key.endsWith('6') ? 18 : 6));
}
