// The candidate pool at its edges: IPv6 candidates, the tie-break by key, our own address set
// late, re-reports within the hand-out window, the bound on remembered hand-outs, and the vote
// queue after many renewals and withdrawals.
import { describe, expect, test } from '@jest/globals';
import {
  type CompactPeer,
  compareCandidates,
  createCandidatePool,
  type PeerKey,
  type PoolCandidate,
  peerKey,
  peerPriority,
} from '@pex/core';
import fc from 'fast-check';

const v4 = (c: number, d: number, port = 6881): CompactPeer => ({
  address: Uint8Array.of(10, 0, c, d),
  port,
});
const v6 = (subnet: number, host: number, port = 6881): CompactPeer => {
  const address = new Uint8Array(16);
  address.set([0x20, 0x01, 0x0d, 0xb8, 0, subnet], 0);
  address[15] = host;
  return { address, port };
};
const keyOf = (peer: CompactPeer) => peerKey(peer.address, peer.port);
const keysOf = (candidates: readonly PoolCandidate[]) => candidates.map((c) => c.key);

describe('candidate pool: IPv6 and the order by key', () => {
  test('an IPv6 candidate is family 6 with its own address and port', () => {
    const pool = createCandidatePool();
    const peer = v6(1, 9, 51413);
    pool.reportAdded('a', peer, 0);
    const [candidate] = pool.listCandidates();
    expect(candidate?.family).toBe(6);
    expect(candidate?.port).toBe(51413);
    expect(Array.from(candidate?.address ?? [])).toEqual(Array.from(peer.address));
  });

  test('the same IPv6 address on another port is the same address', () => {
    const pool = createCandidatePool();
    expect(pool.reportAdded('a', v6(1, 9, 6881), 0)).toBe('added');
    expect(pool.reportAdded('a', v6(1, 9, 6882), 0)).toBe('same-address');
    expect(pool.reportAdded('a', v6(1, 10, 6882), 0)).toBe('added');
  });

  test('candidates equal in sources, priority and age: IPv4 first, then each family ascending', () => {
    const pool = createCandidatePool();
    const peers = [v6(2, 1), v4(0, 9), v6(1, 1), v4(0, 3), v6(1, 2, 7000), v4(1, 1)];
    for (const peer of peers) pool.reportAdded('a', peer, 0);
    expect(keysOf(pool.listCandidates())).toEqual(
      [v4(0, 3), v4(0, 9), v4(1, 1), v6(1, 1), v6(1, 2, 7000), v6(2, 1)].map(keyOf),
    );
  });

  test('property: with all else equal, compareCandidates orders by key, IPv4 before IPv6', () => {
    const arbitraryPeer = fc.oneof(
      fc.tuple(fc.nat(255), fc.nat(255)).map(([c, d]) => v4(c, d)),
      fc.tuple(fc.nat(255), fc.nat(255)).map(([s, h]) => v6(s, h)),
    );
    const candidateOf = (peer: CompactPeer): PoolCandidate => ({
      key: keyOf(peer),
      family: peer.address.length === 4 ? 4 : 6,
      address: peer.address,
      port: peer.port,
      flags: 0,
      sources: 1,
      priority: 0,
      firstReportedAt: 0,
    });
    /** The reference order: IPv4 before IPv6, then the address bytes and the port ascending. */
    const reference = (a: CompactPeer, b: CompactPeer): number => {
      if (a.address.length !== b.address.length) return a.address.length - b.address.length;
      for (let i = 0; i < a.address.length; i++) {
        const diff = (a.address[i] as number) - (b.address[i] as number);
        if (diff !== 0) return diff;
      }
      return a.port - b.port;
    };
    fc.assert(
      fc.property(arbitraryPeer, arbitraryPeer, (a, b) => {
        const compared = compareCandidates(candidateOf(a), candidateOf(b));
        expect(Number.isNaN(compared)).toBe(false);
        expect(Math.sign(compared)).toBe(Math.sign(reference(a, b)));
      }),
    );
  });
});

describe('candidate pool: our own address', () => {
  test('set after some reports: old and new candidates get the priority against it', () => {
    const own = { address: Uint8Array.of(123, 213, 32, 10), port: 6881 };
    const pool = createCandidatePool();
    pool.reportAdded('a', v4(0, 1), 0);
    expect(pool.listCandidates()[0]?.priority).toBe(0);
    pool.setOwnAddress(own);
    pool.reportAdded('a', v4(1, 2), 1);
    for (const candidate of pool.listCandidates()) {
      expect(candidate.priority).toBe(peerPriority(own, candidate));
      expect(candidate.priority).not.toBe(0);
    }
    // Changed again: every priority follows.
    const other = { address: Uint8Array.of(98, 76, 54, 32), port: 6881 };
    pool.setOwnAddress(other);
    pool.reportAdded('a', v4(2, 3), 2);
    for (const candidate of pool.listCandidates()) {
      expect(candidate.priority).toBe(peerPriority(other, candidate));
    }
  });
});

describe('candidate pool: hand-outs', () => {
  test('a candidate reported again within the window is held but not ready', () => {
    const pool = createCandidatePool({ handOutWindowMs: 1_000, wanted: 1 });
    pool.reportAdded('a', v4(0, 1), 0);
    expect(keysOf(pool.take(1, 0))).toEqual([keyOf(v4(0, 1))]);
    pool.removeSource('a');
    pool.setWanted(1);
    pool.reportAdded('b', v4(0, 1), 10);
    expect(pool.size).toBe(1);
    expect(pool.readyCount).toBe(0);
    expect(pool.saturated).toBe(false);
    pool.expire(1_000);
    expect(pool.readyCount).toBe(1);
    expect(pool.saturated).toBe(true);
  });

  test('at most maxCandidates hand-outs are remembered: beyond, the oldest is forgotten early', () => {
    const pool = createCandidatePool({
      maxCandidates: 2,
      maxCandidatesPerSource: 2,
      handOutWindowMs: 1_000,
    });
    pool.reportAdded('a', v4(0, 1), 0);
    pool.reportAdded('a', v4(1, 1), 0);
    expect(pool.take(2, 0)).toHaveLength(2);
    // Two remembered: neither is ready again yet.
    expect(pool.readyCount).toBe(0);
    pool.removeSource('a');
    pool.reportAdded('b', v4(2, 1), 1);
    expect(keysOf(pool.take(1, 1))).toEqual([keyOf(v4(2, 1))]);
    // A third hand-out: the first is forgotten, long before its window ends.
    pool.removeSource('b');
    pool.reportAdded('c', v4(0, 1), 2);
    pool.reportAdded('c', v4(1, 1), 2);
    expect(keysOf(pool.take(2, 2))).toEqual([keyOf(v4(0, 1))]);
  });
});

describe('candidate pool: the vote queue', () => {
  test('votes of dropped candidates leave nothing behind when their time comes', () => {
    const pool = createCandidatePool({ maxAgeMs: 100 });
    pool.reportAdded('a', v4(0, 1), 0);
    pool.reportAdded('a', v4(1, 1), 0);
    expect(pool.reportDropped('a', v4(0, 1))).toBe(true);
    pool.expire(100);
    expect(pool.size).toBe(0);
    expect(pool.sourceCount).toBe(0);
  });

  test('thousands of renewals and withdrawals: every vote still expires maxAgeMs after its last renewal', () => {
    const maxAgeMs = 1_000;
    const pool = createCandidatePool({ maxAgeMs, maxCandidatesPerSource: 100 });
    const steady = v4(0, 1);
    const renewed = v4(1, 1);
    pool.reportAdded('steady', steady, 0);
    let now = 0;
    // Renewed at every step (its old stamps pile up), and short-lived candidates reported and
    // withdrawn (theirs too), far past any slack of the queue.
    for (let step = 1; step <= 3_000; step++) {
      now = step / 10;
      pool.reportAdded('renewer', renewed, now);
      const passing = v4(2 + (step % 50), 1);
      pool.reportAdded('passer', passing, now);
      if (step % 3 !== 0) pool.reportDropped('passer', passing);
    }
    // Within every age: the steady vote (cast at 0), the renewed one, the passers not dropped.
    pool.expire(maxAgeMs - 1);
    expect(pool.listCandidates().some((c) => c.key === keyOf(steady))).toBe(true);
    pool.expire(maxAgeMs);
    expect(pool.listCandidates().some((c) => c.key === keyOf(steady))).toBe(false);
    expect(pool.listCandidates().some((c) => c.key === keyOf(renewed))).toBe(true);
    pool.expire(now + maxAgeMs - 0.05);
    expect(keysOf(pool.listCandidates())).toContain(keyOf(renewed));
    pool.expire(now + maxAgeMs);
    expect(pool.size).toBe(0);
    expect(pool.sourceCount).toBe(0);
  });

  test('a vote renewed at the same instant expires on time', () => {
    const pool = createCandidatePool({ maxAgeMs: 10 });
    pool.reportAdded('a', v4(0, 1), 5);
    expect(pool.reportAdded('a', v4(0, 1), 5)).toBe('refreshed');
    pool.expire(14);
    expect(pool.size).toBe(1);
    pool.expire(15);
    expect(pool.size).toBe(0);
  });
});

describe('candidate pool: flags', () => {
  test('the flags last reported by any source are kept; a peer without flags is 0', () => {
    const pool = createCandidatePool();
    const flagsOf = (): number | undefined => pool.listCandidates()[0]?.flags;
    pool.reportAdded('a', { ...v4(0, 1), flags: 0x12 }, 0);
    expect(flagsOf()).toBe(0x12);
    pool.reportAdded('b', { ...v4(0, 1), flags: 0x01 }, 0);
    expect(flagsOf()).toBe(0x01);
    pool.reportAdded('a', v4(0, 1), 1);
    expect(flagsOf()).toBe(0);
    const keys: PeerKey[] = keysOf(pool.listCandidates());
    expect(keys).toEqual([keyOf(v4(0, 1))]);
  });
});
