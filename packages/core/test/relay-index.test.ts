// The relay index for BEP 55 holepunching: model-based runs of random reports, drops and closed
// connections (exact against a simple model while no bound is reached; within every bound, and
// never naming a source that does not currently advertise the peer, when they are small), plus
// named cases.
import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  createRelayIndex,
  PEX_FLAG_SUPPORTS_HOLEPUNCH,
  type PeerKey,
  type RelayIndex,
  type RelayIndexOptions,
} from '@pex/core';
import {
  DEFAULT_RELAY_MAX_AGE_MS,
  DEFAULT_RELAY_MAX_INTRODUCERS_PER_PEER,
  DEFAULT_RELAY_MAX_PEERS,
} from '@pex/core/internal';
import fc from 'fast-check';
import { createPeerPool, keyOf } from './support/outbound-model.js';

const POOL = createPeerPool(8, 4);
const SOURCES = 5;
const MAX_AGE_MS = 1_000;

/** One source advertising one peer with the holepunch flag, since `at` (`order` breaks ties). */
interface Advertisement {
  readonly at: number;
  readonly order: number;
}

/** The model: what each source currently advertises with the holepunch flag. Nothing bounded. */
interface Model {
  readonly advertised: Map<number, Map<PeerKey, Advertisement>>;
  order: number;
}
interface Real {
  readonly index: RelayIndex<number>;
  readonly options: Required<RelayIndexOptions>;
  now: number;
}
type Command = fc.Command<Model, Real>;

/** The sources the model says currently advertise `key`, newest first. */
function expectedIntroducers(model: Model, key: PeerKey, now: number): number[] {
  const found: [number, Advertisement][] = [];
  for (const [source, peers] of model.advertised) {
    const advertisement = peers.get(key);
    if (advertisement !== undefined && now - advertisement.at < MAX_AGE_MS) {
      found.push([source, advertisement]);
    }
  }
  return found.sort(([, a], [, b]) => b.order - a.order).map(([source]) => source);
}

/** The answer for every peer of the pool: exact while no bound is reached, else within them. */
function checkAnswers(model: Model, real: Real): void {
  const { index, options, now } = real;
  const exact = options.maxPeers >= POOL.length && options.maxIntroducersPerPeer >= SOURCES;
  for (const peer of POOL) {
    const answer = index.introducersOf(peer.address, peer.port, now);
    const expected = expectedIntroducers(model, keyOf(peer), now);
    if (exact) {
      expect(answer).toEqual(expected);
    } else {
      // Never a source that does not advertise it now, in the model's order (newest first).
      expect(answer).toEqual(expected.filter((source) => answer.includes(source)));
      expect(answer.length).toBeLessThanOrEqual(options.maxIntroducersPerPeer);
    }
  }
  expect(index.peerCount).toBeLessThanOrEqual(options.maxPeers);
  expect(index.introducerCount).toBeLessThanOrEqual(
    options.maxPeers * options.maxIntroducersPerPeer,
  );
}

const report = (source: number, peerIndex: number, flags: number): Command => ({
  check: () => true,
  run(model, real) {
    const peer = POOL[peerIndex] as CompactPeer;
    const key = keyOf(peer);
    real.index.reported(source, peer, flags, real.now);
    let peers = model.advertised.get(source);
    if (peers === undefined) {
      peers = new Map();
      model.advertised.set(source, peers);
    }
    if ((flags & PEX_FLAG_SUPPORTS_HOLEPUNCH) === 0) peers.delete(key);
    else {
      peers.set(key, { at: real.now, order: model.order++ });
      // The newest report is always answered first.
      expect(real.index.introducersOf(peer.address, peer.port, real.now)[0]).toBe(source);
    }
  },
  toString: () => `reported(${source}, ${peerIndex}, 0x${flags.toString(16)})`,
});

const drop = (source: number, peerIndex: number): Command => ({
  check: () => true,
  run(model, real) {
    const peer = POOL[peerIndex] as CompactPeer;
    real.index.dropped(source, peer);
    model.advertised.get(source)?.delete(keyOf(peer));
    expect(real.index.introducersOf(peer.address, peer.port, real.now)).not.toContain(source);
  },
  toString: () => `dropped(${source}, ${peerIndex})`,
});

const close = (source: number): Command => ({
  check: () => true,
  run(model, real) {
    real.index.removeSource(source);
    model.advertised.delete(source);
    for (const peer of POOL) {
      expect(real.index.introducersOf(peer.address, peer.port, real.now)).not.toContain(source);
    }
  },
  toString: () => `removeSource(${source})`,
});

const advance = (ms: number): Command => ({
  check: () => true,
  run(_model, real) {
    real.now += ms;
  },
  toString: () => `advance(${ms})`,
});

const ask = (): Command => ({
  check: () => true,
  run(model, real) {
    checkAnswers(model, real);
  },
  toString: () => 'introducersOf(every peer)',
});

const sourceId = fc.integer({ min: 0, max: SOURCES - 1 });
const peerIndex = fc.integer({ min: 0, max: POOL.length - 1 });
const flagByte = fc.constantFrom(0x08, 0x08, 0x0a, 0x18, 0x00, 0x02);
const commands = [
  fc.tuple(sourceId, peerIndex, flagByte).map(([s, p, f]) => report(s, p, f)),
  fc.tuple(sourceId, peerIndex, flagByte).map(([s, p, f]) => report(s, p, f)),
  fc.tuple(sourceId, peerIndex, flagByte).map(([s, p, f]) => report(s, p, f)),
  fc.tuple(sourceId, peerIndex).map(([s, p]) => drop(s, p)),
  sourceId.map(close),
  fc.constantFrom(0, 1, 100, 400, 999, 1_000).map(advance),
  fc.constant(null).map(ask),
];

function run(options: Required<RelayIndexOptions>) {
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 100, size: 'max' }), (cmds) => {
      const model: Model = { advertised: new Map(), order: 0 };
      const real: Real = { index: createRelayIndex<number>(options), options, now: 0 };
      fc.modelRun(() => ({ model, real }), cmds);
      checkAnswers(model, real);
      // Once every source is gone, nothing is kept.
      for (let source = 0; source < SOURCES; source++) real.index.removeSource(source);
      expect(real.index.peerCount).toBe(0);
      expect(real.index.introducerCount).toBe(0);
    }),
    { numRuns: 150 },
  );
}

describe('relay index: model-based', () => {
  test('exact against the model under random reports, drops and closes (no bound reached)', () => {
    run({ maxPeers: POOL.length, maxIntroducersPerPeer: SOURCES, maxAgeMs: MAX_AGE_MS });
  });

  test('with small bounds: within them, and never a source that does not advertise the peer now', () => {
    run({ maxPeers: 3, maxIntroducersPerPeer: 2, maxAgeMs: MAX_AGE_MS });
  });
});

describe('relay index: named cases', () => {
  const peer = (host: number, port = 6881): CompactPeer => ({
    address: Uint8Array.of(203, 0, 113, host),
    port,
  });
  const ask = (index: RelayIndex<string>, p: CompactPeer, now: number) =>
    index.introducersOf(p.address, p.port, now);

  test('the defaults, as docs/limits.md gives them', () => {
    expect(DEFAULT_RELAY_MAX_PEERS).toBe(3_000);
    expect(DEFAULT_RELAY_MAX_INTRODUCERS_PER_PEER).toBe(4);
    expect(DEFAULT_RELAY_MAX_AGE_MS).toBe(30 * 60_000);
  });

  test('only the holepunch flag makes an introducer; a report without it takes one away', () => {
    const index = createRelayIndex<string>();
    index.reported('a', peer(1), 0x02, 0);
    expect(ask(index, peer(1), 0)).toEqual([]);
    index.reported('a', peer(1), 0x0a, 0);
    index.reported('b', peer(1), 0x08, 1);
    expect(ask(index, peer(1), 2)).toEqual(['b', 'a']);
    index.reported('b', peer(1), 0x00, 3);
    expect(ask(index, peer(1), 3)).toEqual(['a']);
    // The same address on another port is another peer.
    expect(ask(index, peer(1, 6882), 3)).toEqual([]);
  });

  test('an advertisement is forgotten maxAgeMs after it was reported', () => {
    const index = createRelayIndex<string>({ maxAgeMs: 100 });
    index.reported('a', peer(1), 0x08, 0);
    index.reported('b', peer(1), 0x08, 50);
    expect(ask(index, peer(1), 99)).toEqual(['b', 'a']);
    expect(ask(index, peer(1), 100)).toEqual(['b']);
    expect(index.introducerCount).toBe(1);
    // Reported again: young again.
    index.reported('b', peer(1), 0x08, 140);
    expect(ask(index, peer(1), 200)).toEqual(['b']);
    // A report forgets the peers whose newest advertisement expired, oldest first.
    index.reported('c', peer(2), 0x08, 1_000);
    expect(index.peerCount).toBe(1);
  });

  test('bounds: the newest introducers of a peer, the peers reported most recently', () => {
    const index = createRelayIndex<string>({ maxPeers: 2, maxIntroducersPerPeer: 2 });
    for (const [i, source] of ['a', 'b', 'c'].entries()) index.reported(source, peer(1), 0x08, i);
    expect(ask(index, peer(1), 3)).toEqual(['c', 'b']);
    index.reported('a', peer(2), 0x08, 4);
    index.reported('a', peer(3), 0x08, 5);
    expect(index.peerCount).toBe(2);
    expect(ask(index, peer(1), 6)).toEqual([]);
    // Dropping the evicted peer's former introducer changes nothing; closing 'a' empties both.
    index.dropped('b', peer(1));
    index.removeSource('a');
    expect(index.peerCount).toBe(0);
    expect(index.introducerCount).toBe(0);
  });

  test('arguments are checked', () => {
    expect(() => createRelayIndex({ maxPeers: 0 })).toThrow(
      new RangeError('"maxPeers" expected a positive integer, got 0'),
    );
    expect(() => createRelayIndex({ maxAgeMs: 1.5 })).toThrow(RangeError);
    const index = createRelayIndex<string>();
    expect(() => index.reported('a', peer(1), 256, 0)).toThrow(
      new RangeError('"flags" expected 0..255, got 256'),
    );
    expect(() => index.reported('a', peer(1), 8, Number.NaN)).toThrow(RangeError);
    expect(() => index.introducersOf(new Uint8Array(5), 1, 0)).toThrow(TypeError);
    expect(() => index.dropped('a', { address: Uint8Array.of(1, 2, 3, 4), port: 0 })).toThrow(
      RangeError,
    );
  });
});
