import { describe, expect, test } from '@jest/globals';
import {
  type CandidatePool,
  type CandidatePoolOptions,
  type CandidateReportResult,
  type CompactPeer,
  compareCandidates,
  createCandidatePool,
  type PeerKey,
  type PoolCandidate,
  peerKey,
  peerPriority,
} from '@pex/core';
import fc from 'fast-check';

const v4 = (a: number, b: number, c: number, d: number, port = 6881, flags = 0): CompactPeer => ({
  address: Uint8Array.of(a, b, c, d),
  port,
  flags,
});
const v6 = (group: number, last: number, port = 6881): CompactPeer => {
  const address = new Uint8Array(16);
  address.set([0x20, 0x01, 0x0d, 0xb8, 0, group], 0);
  address[15] = last;
  return { address, port };
};
const keysOf = (candidates: readonly PoolCandidate[]) => candidates.map((c) => c.key);
/** Many /24s, one peer each: no diversity limit gets in the way. */
const spread = (i: number, port = 6881) => v4(10, (i >> 8) & 0xff, i & 0xff, 1, port);

describe('createCandidatePool: named cases', () => {
  test('corroboration: more sources first; a drop removes one vote, the last one the candidate', () => {
    const pool = createCandidatePool();
    expect(pool.reportAdded('a', spread(1), 0)).toBe('added');
    expect(pool.reportAdded('a', spread(2), 0)).toBe('added');
    expect(pool.reportAdded('b', spread(2), 1)).toBe('voted');
    expect(pool.reportAdded('b', spread(2), 2)).toBe('refreshed');
    expect(pool.listCandidates().map((c) => [c.port, c.sources])).toEqual([
      [6881, 2],
      [6881, 1],
    ]);
    expect(keysOf(pool.listCandidates())[0]).toBe(peerKey(spread(2).address, 6881));
    expect(pool.reportDropped('a', spread(2))).toBe(true);
    expect(pool.reportDropped('a', spread(2))).toBe(false);
    expect(
      pool.listCandidates().find((c) => c.key === peerKey(spread(2).address, 6881))?.sources,
    ).toBe(1);
    expect(pool.reportDropped('b', spread(2))).toBe(true);
    expect(pool.size).toBe(1);
    expect(pool.sourceCount).toBe(1);
  });

  test('removeSource removes every vote of that source, and nothing else', () => {
    const pool = createCandidatePool();
    for (let i = 0; i < 5; i++) pool.reportAdded('a', spread(i), 0);
    for (let i = 3; i < 8; i++) pool.reportAdded('b', spread(i), 0);
    expect(pool.removeSource('a')).toBe(5);
    expect(pool.removeSource('a')).toBe(0);
    expect(pool.listCandidates().map((c) => c.sources)).toEqual([1, 1, 1, 1, 1]);
    expect(pool.sourceCount).toBe(1);
  });

  test('one remote reporting 10,000 peers on one /24 holds at most the subnet limit', () => {
    const pool = createCandidatePool({ maxCandidatesPerSubnet: 4 });
    const results = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const result = pool.reportAdded('attacker', v4(198, 51, 100, i & 0xff, 1024 + i), i);
      results.set(result, (results.get(result) ?? 0) + 1);
    }
    expect(pool.size).toBe(4);
    expect(results.get('added')).toBe(4);
    // The same IP on other ports counts once; other IPs of the /24 find it full.
    expect((results.get('same-address') ?? 0) + (results.get('subnet-full') ?? 0)).toBe(9_996);
    // An honest remote still gets its candidates in.
    expect(pool.reportAdded('honest', v4(203, 0, 113, 9), 10_000)).toBe('added');
  });

  test('one remote reporting 10,000 peers on many /24s holds at most its quota', () => {
    const pool = createCandidatePool({ maxCandidates: 1_000 });
    let added = 0;
    for (let i = 0; i < 10_000; i++) {
      if (pool.reportAdded('attacker', v4(100, (i >> 8) & 0xff, i & 0xff, 1), 0) === 'added')
        added++;
    }
    // A tenth of the pool by default.
    expect(added).toBe(100);
    expect(pool.size).toBe(100);
    expect(pool.reportAdded('attacker', spread(1), 0)).toBe('source-full');
    expect(pool.reportAdded('other', spread(1), 0)).toBe('added');
  });

  test('the same IP on many ports counts once (BEP 11), unless more ports are allowed', () => {
    const pool = createCandidatePool();
    expect(pool.reportAdded('a', v4(192, 0, 2, 7, 6881), 0)).toBe('added');
    expect(pool.reportAdded('a', v4(192, 0, 2, 7, 6882), 0)).toBe('same-address');
    expect(pool.reportAdded('b', v4(192, 0, 2, 7, 51413), 0)).toBe('same-address');
    expect(pool.size).toBe(1);
    const loose = createCandidatePool({ maxPortsPerAddress: 2 });
    expect(loose.reportAdded('a', v4(192, 0, 2, 7, 6881), 0)).toBe('added');
    expect(loose.reportAdded('a', v4(192, 0, 2, 7, 6882), 0)).toBe('added');
    expect(loose.reportAdded('a', v4(192, 0, 2, 7, 6883), 0)).toBe('same-address');
  });

  test('IPv6 subnets are /48; an IPv4-mapped address is its IPv4 peer', () => {
    const pool = createCandidatePool({ maxCandidatesPerSubnet: 2 });
    expect(pool.reportAdded('a', v6(1, 1), 0)).toBe('added');
    expect(pool.reportAdded('a', v6(1, 2), 0)).toBe('added');
    expect(pool.reportAdded('a', v6(1, 3), 0)).toBe('subnet-full');
    expect(pool.reportAdded('a', v6(2, 3), 0)).toBe('added');
    const mapped = new Uint8Array(16);
    mapped.set([0xff, 0xff, 192, 0, 2, 7], 10);
    expect(pool.reportAdded('a', v4(192, 0, 2, 7), 0)).toBe('added');
    expect(pool.reportAdded('b', { address: mapped, port: 6881 }, 0)).toBe('voted');
    expect(pool.listCandidates()[0]?.family).toBe(4);
  });

  test('bounds on sources: per candidate, and in all', () => {
    const pool = createCandidatePool({ maxSourcesPerCandidate: 2, maxSources: 3 });
    expect(pool.reportAdded(1, spread(1), 0)).toBe('added');
    expect(pool.reportAdded(2, spread(1), 0)).toBe('voted');
    expect(pool.reportAdded(3, spread(1), 0)).toBe('votes-full');
    expect(pool.reportAdded(3, spread(2), 0)).toBe('added');
    expect(pool.reportAdded(4, spread(3), 0)).toBe('too-many-sources');
    pool.removeSource(1);
    expect(pool.reportAdded(4, spread(3), 0)).toBe('added');
  });

  test('pool-full once maxCandidates are held', () => {
    const pool = createCandidatePool({ maxCandidates: 3, maxCandidatesPerSource: 3 });
    for (let i = 0; i < 3; i++) expect(pool.reportAdded('a', spread(i), 0)).toBe('added');
    expect(pool.reportAdded('b', spread(9), 0)).toBe('pool-full');
    expect(pool.reportAdded('b', spread(0), 0)).toBe('voted');
  });

  test('votes expire maxAgeMs after they were cast; a refresh starts again', () => {
    const pool = createCandidatePool({ maxAgeMs: 1_000 });
    pool.reportAdded('a', spread(1), 0);
    pool.reportAdded('b', spread(1), 500);
    pool.reportAdded('a', spread(2), 0);
    pool.reportAdded('a', spread(2), 900);
    pool.expire(999);
    expect(pool.size).toBe(2);
    pool.expire(1_000);
    expect(pool.listCandidates().map((c) => c.sources)).toEqual([1, 1]);
    pool.expire(1_500);
    expect(keysOf(pool.listCandidates())).toEqual([peerKey(spread(2).address, 6881)]);
    pool.expire(1_900);
    expect(pool.size).toBe(0);
    expect(pool.sourceCount).toBe(0);
  });

  test('ordering: sources, then BEP 40 priority against our address, then age', () => {
    const own = { address: Uint8Array.of(123, 213, 32, 10), port: 6881 };
    const pool = createCandidatePool({ ownAddress: own });
    const peers = [v4(98, 76, 54, 32), v4(1, 2, 3, 4), v4(200, 1, 1, 1), v4(44, 4, 4, 4)];
    for (const [i, peer] of peers.entries()) pool.reportAdded('a', peer, i);
    pool.reportAdded('b', peers[3] as CompactPeer, 10);
    const listed = pool.listCandidates();
    expect(listed[0]?.key).toBe(peerKey(Uint8Array.of(44, 4, 4, 4), 6881));
    const rest = listed.slice(1);
    const priorities = rest.map((c) => c.priority);
    expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
    expect(rest.find((c) => c.port === 6881 && c.address[0] === 98)?.priority).toBe(0xec2d7224);
    // Without our address every priority is 0: the oldest report first.
    pool.setOwnAddress(undefined);
    expect(
      pool
        .listCandidates()
        .slice(1)
        .map((c) => c.address[0]),
    ).toEqual([98, 1, 200]);
    pool.setOwnAddress(own);
    expect(pool.listCandidates()[1]?.priority).toBe(Math.max(...priorities));
  });

  test('take: best first, never the same peer twice within the window', () => {
    const pool = createCandidatePool({ handOutWindowMs: 1_000 });
    for (let i = 0; i < 5; i++) pool.reportAdded('a', spread(i), i);
    const order = keysOf(pool.listCandidates());
    expect(keysOf(pool.take(2, 10))).toEqual(order.slice(0, 2));
    expect(pool.readyCount).toBe(3);
    expect(keysOf(pool.take(10, 20))).toEqual(order.slice(2));
    expect(pool.take(10, 30)).toEqual([]);
    // Dropped and reported again within the window: still not handed out.
    pool.removeSource('a');
    pool.reportAdded('b', spread(0), 40);
    expect(pool.take(1, 50)).toEqual([]);
    expect(keysOf(pool.take(1, 1_010))).toEqual([order[0]]);
  });

  test('demand: take hands out at most wanted; saturated once enough are ready', () => {
    const pool = createCandidatePool({ wanted: 2 });
    expect(pool.saturated).toBe(false);
    pool.reportAdded('a', spread(1), 0);
    expect(pool.saturated).toBe(false);
    pool.reportAdded('a', spread(2), 0);
    pool.reportAdded('a', spread(3), 0);
    expect(pool.saturated).toBe(true);
    expect(pool.take(5, 0)).toHaveLength(2);
    expect(pool.wanted).toBe(0);
    expect(pool.saturated).toBe(true);
    expect(pool.take(5, 0)).toEqual([]);
    pool.setWanted(3);
    expect(pool.saturated).toBe(false);
    expect(pool.take(5, 0)).toHaveLength(1);
    expect(pool.wanted).toBe(2);
    pool.setWanted(Number.POSITIVE_INFINITY);
    expect(pool.saturated).toBe(false);
  });

  test.each<[CandidatePoolOptions | null, ErrorConstructor, string]>([
    [null, TypeError, '"options" expected an object, got null'],
    [{ maxCandidates: 0 }, RangeError, '"maxCandidates" expected a positive integer, got 0'],
    [
      { maxCandidatesPerSource: 1.5 },
      RangeError,
      '"maxCandidatesPerSource" expected a positive integer, got 1.5',
    ],
    [{ maxSources: -1 }, RangeError, '"maxSources" expected a positive integer, got -1'],
    [
      { maxSourcesPerCandidate: Number.NaN },
      RangeError,
      '"maxSourcesPerCandidate" expected a positive integer, got NaN',
    ],
    [
      { maxCandidatesPerSubnet: 0 },
      RangeError,
      '"maxCandidatesPerSubnet" expected a positive integer, got 0',
    ],
    [
      { maxPortsPerAddress: 0 },
      RangeError,
      '"maxPortsPerAddress" expected a positive integer, got 0',
    ],
    [
      { maxAgeMs: Number.POSITIVE_INFINITY },
      RangeError,
      '"maxAgeMs" expected a positive integer, got Infinity',
    ],
    [{ handOutWindowMs: 0 }, RangeError, '"handOutWindowMs" expected a positive integer, got 0'],
    [{ wanted: -1 }, RangeError, '"wanted" expected a non-negative integer, got -1'],
    [
      { ownAddress: { address: new Uint8Array(5), port: 1 } },
      TypeError,
      '"ownAddress.address" expected 4 bytes, got 5',
    ],
    [
      { ownAddress: { address: new Uint8Array(4), port: 0 } },
      RangeError,
      '"ownAddress.port" expected 1..65535, got 0',
    ],
  ])('option %p is a %p: %s', (options, Kind, message) => {
    expect(() => createCandidatePool(options as CandidatePoolOptions)).toThrow(new Kind(message));
  });

  test('caller mistakes change nothing and name the field', () => {
    const pool = createCandidatePool();
    expect(() => pool.reportAdded('a', v4(1, 2, 3, 4, 0), 0)).toThrow(
      /"peer.port" expected 1..65535, got 0/,
    );
    expect(() => pool.reportAdded('a', spread(1), Number.NaN)).toThrow(RangeError);
    expect(() => pool.reportDropped('a', { address: new Uint8Array(3), port: 1 })).toThrow(
      new TypeError('"peer.address" expected 4 bytes, got 3'),
    );
    expect(() => pool.reportDropped('a', 5 as never)).toThrow(
      new TypeError('"peer" expected a peer object, got 5'),
    );
    expect(() => pool.take(-1, 0)).toThrow(/"n" expected a non-negative integer, got -1/);
    expect(() => pool.take(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => pool.setWanted(1.5)).toThrow(
      new RangeError('"wanted" expected a non-negative integer, got 1.5'),
    );
    expect(() => pool.setOwnAddress({ address: new Uint8Array(2), port: 1 })).toThrow(
      new TypeError('"ownAddress.address" expected 4 bytes, got 2'),
    );
    expect(pool.size).toBe(0);
    expect(pool.sourceCount).toBe(0);
  });
});

// A model of the votes, driven by what the pool says it did: the pool must hold exactly the
// candidates the model has votes for, with as many sources, and within every bound.
const LIMITS = {
  maxCandidates: 12,
  maxCandidatesPerSource: 5,
  maxSources: 4,
  maxSourcesPerCandidate: 3,
  maxCandidatesPerSubnet: 3,
  maxPortsPerAddress: 2,
  maxAgeMs: 50,
  handOutWindowMs: 30,
} as const;

type Command =
  | {
      readonly kind: 'add';
      readonly source: number;
      readonly peer: CompactPeer;
      readonly dt: number;
    }
  | { readonly kind: 'drop'; readonly source: number; readonly peer: CompactPeer }
  | { readonly kind: 'remove'; readonly source: number }
  | { readonly kind: 'take'; readonly n: number; readonly dt: number }
  | { readonly kind: 'wanted'; readonly wanted: number };

// A small address space, so subnets, addresses and ports collide often.
const arbitraryPeer: fc.Arbitrary<CompactPeer> = fc
  .tuple(
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 1, max: 3 }),
    fc.option(fc.constantFrom(0x01, 0x02, 0x12), { nil: undefined }),
  )
  .map(([subnet, host, port, flags]) => {
    const peer = v4(10, 0, subnet, host, port);
    return flags === undefined ? { address: peer.address, port } : { ...peer, flags };
  });
const arbitrarySource = fc.integer({ min: 0, max: 5 });
const arbitraryCommand: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      source: arbitrarySource,
      peer: arbitraryPeer,
      dt: fc.integer({ min: 0, max: 10 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('drop' as const),
      source: arbitrarySource,
      peer: arbitraryPeer,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('remove' as const), source: arbitrarySource }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('take' as const),
      n: fc.integer({ min: 0, max: 4 }),
      dt: fc.integer({ min: 0, max: 10 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('wanted' as const),
      wanted: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(Number.POSITIVE_INFINITY)),
    }),
  },
);

class VoteModel {
  readonly votes = new Map<PeerKey, Map<number, number>>();
  /** The flags last reported for each candidate. */
  readonly flags = new Map<PeerKey, number>();
  readonly handedOut = new Map<PeerKey, number>();

  expire(now: number): void {
    for (const [key, sources] of this.votes) {
      for (const [source, at] of sources) if (at + LIMITS.maxAgeMs <= now) sources.delete(source);
      if (sources.size === 0) this.delete(key);
    }
    for (const [key, at] of this.handedOut)
      if (at + LIMITS.handOutWindowMs <= now) this.handedOut.delete(key);
  }

  delete(key: PeerKey): void {
    this.votes.delete(key);
    this.flags.delete(key);
  }

  /** A hand-out is remembered for the window, and at most maxCandidates of them: oldest go first. */
  handOut(key: PeerKey, now: number): void {
    this.handedOut.delete(key);
    this.handedOut.set(key, now);
    if (this.handedOut.size > LIMITS.maxCandidates) {
      this.handedOut.delete(this.handedOut.keys().next().value as PeerKey);
    }
  }

  /** What `reportAdded(source, key)` answers: the first bound in the way, in the documented order. */
  expectedReport(source: number, key: number): CandidateReportResult {
    const before = this.votes.get(key);
    if (before?.has(source)) return 'refreshed';
    const sources = this.sources();
    if (!sources.has(source) && sources.size >= LIMITS.maxSources) return 'too-many-sources';
    if (this.votesOf(source) >= LIMITS.maxCandidatesPerSource) return 'source-full';
    if (before !== undefined) {
      return before.size >= LIMITS.maxSourcesPerCandidate ? 'votes-full' : 'voted';
    }
    if (this.votes.size >= LIMITS.maxCandidates) return 'pool-full';
    if (this.countWhere((k) => ipOf(k) === ipOf(key)) >= LIMITS.maxPortsPerAddress) {
      return 'same-address';
    }
    if (this.countWhere((k) => subnetOf(k) === subnetOf(key)) >= LIMITS.maxCandidatesPerSubnet) {
      return 'subnet-full';
    }
    return 'added';
  }

  votesOf(source: number): number {
    let count = 0;
    for (const sources of this.votes.values()) if (sources.has(source)) count++;
    return count;
  }

  sources(): Set<number> {
    const all = new Set<number>();
    for (const sources of this.votes.values()) for (const source of sources.keys()) all.add(source);
    return all;
  }

  countWhere(predicate: (key: number) => boolean): number {
    return [...this.votes.keys()].filter((key) => predicate(key as number)).length;
  }
}

const subnetOf = (key: number) => Math.floor(key / 0x1000000);
const ipOf = (key: number) => Math.floor(key / 0x10000);

function checkAgainstModel(pool: CandidatePool, model: VoteModel): void {
  const listed = pool.listCandidates();
  expect(new Map(listed.map((c) => [c.key, c.sources]))).toEqual(
    new Map([...model.votes].map(([key, sources]) => [key, sources.size])),
  );
  expect(new Map(listed.map((c) => [c.key, c.flags]))).toEqual(model.flags);
  expect(pool.size).toBeLessThanOrEqual(LIMITS.maxCandidates);
  expect(pool.sourceCount).toBe(model.sources().size);
  expect(pool.sourceCount).toBeLessThanOrEqual(LIMITS.maxSources);
  for (const source of model.sources()) {
    expect(model.votesOf(source)).toBeLessThanOrEqual(LIMITS.maxCandidatesPerSource);
  }
  for (const candidate of listed) {
    const key = candidate.key as number;
    expect(candidate.sources).toBeLessThanOrEqual(LIMITS.maxSourcesPerCandidate);
    expect(model.countWhere((k) => subnetOf(k) === subnetOf(key))).toBeLessThanOrEqual(
      LIMITS.maxCandidatesPerSubnet,
    );
    expect(model.countWhere((k) => ipOf(k) === ipOf(key))).toBeLessThanOrEqual(
      LIMITS.maxPortsPerAddress,
    );
  }
  expect(pool.readyCount).toBe(listed.filter((c) => !model.handedOut.has(c.key)).length);
  expect(pool.saturated).toBe(pool.readyCount >= pool.wanted);
}

describe('createCandidatePool: properties', () => {
  test('the pool holds exactly the votes it reported, within every bound', () => {
    fc.assert(
      fc.property(fc.array(arbitraryCommand, { maxLength: 80 }), (commands) => {
        const pool = createCandidatePool(LIMITS);
        const model = new VoteModel();
        let now = 0;
        for (const command of commands) {
          if (command.kind === 'add') {
            now += command.dt;
            model.expire(now);
            const key = peerKey(command.peer.address, command.peer.port) as number;
            const result = pool.reportAdded(command.source, command.peer, now);
            // Every answer, a refusal's reason too, is the one the model expects.
            expect(result).toBe(model.expectedReport(command.source, key));
            if (result === 'added' || result === 'voted' || result === 'refreshed') {
              const sources = model.votes.get(key) ?? new Map<number, number>();
              sources.set(command.source, now);
              model.votes.set(key, sources);
              model.flags.set(key, command.peer.flags ?? 0);
            }
          } else if (command.kind === 'drop') {
            const key = peerKey(command.peer.address, command.peer.port);
            const sources = model.votes.get(key);
            const had = sources?.has(command.source) === true;
            expect(pool.reportDropped(command.source, command.peer)).toBe(had);
            sources?.delete(command.source);
            if (sources?.size === 0) model.delete(key);
          } else if (command.kind === 'remove') {
            expect(pool.removeSource(command.source)).toBe(model.votesOf(command.source));
            for (const [key, sources] of model.votes) {
              sources.delete(command.source);
              if (sources.size === 0) model.delete(key);
            }
          } else if (command.kind === 'take') {
            now += command.dt;
            model.expire(now);
            pool.expire(now);
            const wanted = pool.wanted;
            // Consistent with the order, and with demand.
            const expected = listedReady(pool, model).slice(0, Math.min(command.n, wanted));
            const taken = pool.take(command.n, now);
            expect(keysOf(taken)).toEqual(expected);
            for (const { key } of taken) model.handOut(key, now);
          } else {
            pool.setWanted(command.wanted);
          }
          checkAgainstModel(pool, model);
        }
      }),
      { numRuns: 200 },
    );
  });

  test("a drop removes exactly that source's vote; removeSource exactly its votes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbitrarySource, arbitraryPeer), { maxLength: 40 }),
        arbitrarySource,
        arbitraryPeer,
        (reports, source, peer) => {
          const pool = createCandidatePool(LIMITS);
          // Which candidates `source` voted for, from what the pool said it did.
          const votedBySource = new Set<PeerKey>();
          for (const [from, reported] of reports) {
            const result = pool.reportAdded(from, reported, 0);
            if (from === source && (result === 'added' || result === 'voted')) {
              votedBySource.add(peerKey(reported.address, reported.port));
            }
          }
          const before = new Map(pool.listCandidates().map((c) => [c.key, c.sources]));
          const key = peerKey(peer.address, peer.port);
          const removed = pool.reportDropped(source, peer);
          expect(removed).toBe(votedBySource.delete(key));
          const after = new Map(pool.listCandidates().map((c) => [c.key, c.sources]));
          expect(after).toEqual(withoutVotes(before, removed ? [key] : []));
          expect(pool.removeSource(source)).toBe(votedBySource.size);
          const rest = new Map(pool.listCandidates().map((c) => [c.key, c.sources]));
          expect(rest).toEqual(withoutVotes(after, votedBySource));
        },
      ),
    );
  });

  const arbitraryCandidate: fc.Arbitrary<PoolCandidate> = fc
    .record({
      key: fc.oneof(
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.string({ minLength: 9, maxLength: 9 }),
      ),
      sources: fc.integer({ min: 1, max: 4 }),
      priority: fc.integer({ min: 0, max: 3 }),
      firstReportedAt: fc.integer({ min: 0, max: 3 }),
    })
    .map(
      (c) => ({ ...c, family: 4, address: new Uint8Array(4), port: 1, flags: 0 }) as PoolCandidate,
    );

  test('compareCandidates is a total order', () => {
    fc.assert(
      fc.property(arbitraryCandidate, arbitraryCandidate, arbitraryCandidate, (a, b, c) => {
        expect(compareCandidates(a, a)).toBe(0);
        // Antisymmetric, and equal only for the same key (keys are unique in a pool). `|| 0`
        // makes the -0 of negating a 0 plain 0: two candidates with one key compare 0 both ways.
        expect(Math.sign(compareCandidates(a, b)) || 0).toBe(
          -Math.sign(compareCandidates(b, a)) || 0,
        );
        if (a.key !== b.key) expect(compareCandidates(a, b)).not.toBe(0);
        // Transitive.
        if (compareCandidates(a, b) <= 0 && compareCandidates(b, c) <= 0) {
          expect(compareCandidates(a, c)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });

  test('take hands out in listCandidates order whatever the reports and our address', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbitrarySource, arbitraryPeer), { maxLength: 40 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (reports, own) => {
          const pool = createCandidatePool({ ...LIMITS, ownAddress: { address: own, port: 6881 } });
          for (const [i, [from, reported]] of reports.entries())
            pool.reportAdded(from, reported, i);
          const listed = pool.listCandidates();
          for (let i = 1; i < listed.length; i++) {
            expect(
              compareCandidates(listed[i - 1] as PoolCandidate, listed[i] as PoolCandidate),
            ).toBeLessThan(0);
          }
          for (const candidate of listed) {
            expect(candidate.priority).toBe(peerPriority({ address: own, port: 6881 }, candidate));
          }
          const taken: PeerKey[] = [];
          const now = reports.length;
          for (let batch = pool.take(2, now); batch.length > 0; batch = pool.take(2, now)) {
            taken.push(...keysOf(batch));
          }
          expect(taken).toEqual(keysOf(listed));
        },
      ),
    );
  });
});

function listedReady(pool: CandidatePool, model: VoteModel): PeerKey[] {
  return keysOf(pool.listCandidates()).filter((key) => !model.handedOut.has(key));
}

/** `counts` (sources per candidate) with one vote fewer for each of `keys`. */
function withoutVotes(
  counts: ReadonlyMap<PeerKey, number>,
  keys: Iterable<PeerKey>,
): Map<PeerKey, number> {
  const result = new Map(counts);
  for (const key of keys) {
    const left = (result.get(key) ?? 0) - 1;
    if (left <= 0) result.delete(key);
    else result.set(key, left);
  }
  return result;
}
