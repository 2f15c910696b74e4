import {
  copyOwnAddress,
  type OwnAddress,
  type ResolvedPoolOptions,
  resolvePoolOptions,
} from './candidate-pool-options.js';
import type {
  CandidatePool,
  CandidatePoolOptions,
  CandidateReportResult,
  PoolCandidate,
} from './candidate-pool-types.js';
import { unmapKey } from './inbound-view.js';
import { assertInteger, assertTime } from './option-checks.js';
import { toConnectedPeerKey, toPeerKey } from './peer-checks.js';
import { type PeerKey, peerKeyAddress, peerKeyPort } from './peer-key.js';
import { peerPriority } from './peer-priority.js';
import type { CompactPeer } from './types.js';

/**
 * The order of `take`: a negative number if `a` is handed out before `b`. More independent
 * sources first, then higher BEP 40 priority, then first reported earlier, then by key (IPv4
 * before IPv6, then ascending), so two different candidates are never equal: a total order.
 * @throws never (for candidates of a pool).
 */
export function compareCandidates(a: PoolCandidate, b: PoolCandidate): number {
  return (
    b.sources - a.sources ||
    b.priority - a.priority ||
    a.firstReportedAt - b.firstReportedAt ||
    compareKeys(a.key, b.key)
  );
}

/**
 * Creates a candidate pool for one torrent: corroboration by independent sources, limits on any
 * one source (a quota, a subnet limit, one port per IP), BEP 40 ordering, and demand (`wanted`).
 * Memory: at most `maxCandidates` candidates with at most `maxSourcesPerCandidate` votes each,
 * `maxSources` sources, and `maxCandidates` remembered hand-outs. `reportAdded`,
 * `reportDropped` are O(1) (amortised, with expiry); `removeSource` is O(its votes); `take` is
 * O(candidates · log candidates).
 *
 * @example
 * ```ts
 * const pool = createCandidatePool({ ownAddress: { address: myIp, port: 6881 } });
 * session.on('peer', (peer) => pool.reportAdded(connection, peer, performance.now()));
 * pool.setWanted(maxConnections - connected);
 * for (const candidate of pool.take(4, performance.now())) dial(candidate.address, candidate.port);
 * ```
 * @throws {TypeError} if `options` is not an object, or `ownAddress` not an object with a 4- or
 *   16-byte Uint8Array `address`.
 * @throws {RangeError} if a number option is not a positive integer (`wanted`: a non-negative
 *   integer or `Infinity`), or the port of `ownAddress` is not in 1..65535.
 */
export function createCandidatePool(options?: CandidatePoolOptions): CandidatePool {
  const { settings, wanted, own } = resolvePoolOptions(options);
  return new Pool(settings, wanted, own);
}

/** A candidate held by the pool. */
interface Candidate {
  readonly key: PeerKey;
  flags: number;
  readonly firstReportedAt: number;
  /** When each source that reports it cast its vote. */
  readonly votes: Map<unknown, number>;
  /** When it was last handed out, while within the window. */
  handedOutAt: number | undefined;
  /** BEP 40 priority, valid while `priorityOf` equals the pool's own-address version. */
  priority: number;
  priorityOf: number;
}

/** One vote in the order it was cast: the expiry queue. */
interface VoteStamp {
  readonly key: PeerKey;
  readonly source: unknown;
  readonly at: number;
}

/** Expired or withdrawn stamps allowed in the queue before it is rebuilt, beyond the live votes. */
const STAMP_SLACK = 64;

class Pool implements CandidatePool {
  readonly #settings: ResolvedPoolOptions;
  readonly #candidates = new Map<PeerKey, Candidate>();
  /** The candidates each source votes for. */
  readonly #sources = new Map<unknown, Set<PeerKey>>();
  readonly #perSubnet = new Map<number | string, number>();
  readonly #perAddress = new Map<number | string, number>();
  /** Hand-outs within the window, oldest first (re-handing moves one to the end). */
  readonly #handedOut = new Map<PeerKey, number>();
  #stamps: VoteStamp[] = [];
  #stampHead = 0;
  #liveVotes = 0;
  #ready = 0;
  #wanted: number;
  #own: OwnAddress | undefined;
  /** Bumped when the own address changes, so cached priorities are recomputed. */
  #ownVersion = 0;

  constructor(settings: ResolvedPoolOptions, wanted: number, own: OwnAddress | undefined) {
    this.#settings = settings;
    this.#wanted = wanted;
    this.#own = own;
  }

  get wanted(): number {
    return this.#wanted;
  }

  get saturated(): boolean {
    return this.#ready >= this.#wanted;
  }

  get size(): number {
    return this.#candidates.size;
  }

  get readyCount(): number {
    return this.#ready;
  }

  get sourceCount(): number {
    return this.#sources.size;
  }

  reportAdded(source: unknown, peer: CompactPeer, now: number): CandidateReportResult {
    const key = unmapPeerKey(toConnectedPeerKey(peer, 'peer'));
    assertTime(now);
    this.expire(now);
    const settings = this.#settings;
    const candidate = this.#candidates.get(key);
    const votes = this.#sources.get(source);
    if (candidate?.votes.has(source)) {
      if (candidate.votes.get(source) !== now) this.#stamp(candidate, source, now);
      candidate.flags = peer.flags ?? 0;
      return 'refreshed';
    }
    if (votes === undefined && this.#sources.size >= settings.maxSources) {
      return 'too-many-sources';
    }
    if (votes !== undefined && votes.size >= settings.maxCandidatesPerSource) return 'source-full';
    if (candidate !== undefined) {
      if (candidate.votes.size >= settings.maxSourcesPerCandidate) return 'votes-full';
      this.#vote(candidate, source, votes, now);
      candidate.flags = peer.flags ?? 0;
      return 'voted';
    }
    if (this.#candidates.size >= settings.maxCandidates) return 'pool-full';
    const address = addressKeyOf(key);
    if ((this.#perAddress.get(address) ?? 0) >= settings.maxPortsPerAddress) {
      return 'same-address';
    }
    const subnet = subnetKeyOf(key);
    if ((this.#perSubnet.get(subnet) ?? 0) >= settings.maxCandidatesPerSubnet) {
      return 'subnet-full';
    }
    const handedOutAt = this.#handedOut.get(key);
    const added: Candidate = {
      key,
      flags: peer.flags ?? 0,
      firstReportedAt: now,
      votes: new Map(),
      handedOutAt,
      priority: 0,
      priorityOf: -1,
    };
    this.#candidates.set(key, added);
    increment(this.#perAddress, address, 1);
    increment(this.#perSubnet, subnet, 1);
    if (handedOutAt === undefined) this.#ready++;
    this.#vote(added, source, votes, now);
    return 'added';
  }

  reportDropped(source: unknown, peer: Pick<CompactPeer, 'address' | 'port'>): boolean {
    const key = unmapPeerKey(toPeerKey(peer, 'peer'));
    const candidate = this.#candidates.get(key);
    if (candidate === undefined || !candidate.votes.has(source)) return false;
    this.#unvote(candidate, source);
    return true;
  }

  removeSource(source: unknown): number {
    const votes = this.#sources.get(source);
    if (votes === undefined) return 0;
    const count = votes.size;
    for (const key of [...votes]) this.#unvote(this.#candidates.get(key) as Candidate, source);
    return count;
  }

  take(n: number, now: number): PoolCandidate[] {
    assertInteger(n, 'n', 0);
    assertTime(now);
    this.expire(now);
    const count = Math.min(n, this.#wanted, this.#ready);
    if (count === 0) return [];
    const ready: PoolCandidate[] = [];
    for (const candidate of this.#candidates.values()) {
      if (candidate.handedOutAt === undefined) ready.push(this.#snapshot(candidate));
    }
    const taken = ready.sort(compareCandidates).slice(0, count);
    for (const { key } of taken) this.#handOut(this.#candidates.get(key) as Candidate, now);
    this.#wanted -= taken.length;
    return taken;
  }

  setWanted(wanted: number): void {
    if (wanted !== Number.POSITIVE_INFINITY) assertInteger(wanted, 'wanted', 0);
    this.#wanted = wanted;
  }

  setOwnAddress(own: Pick<CompactPeer, 'address' | 'port'> | undefined): void {
    this.#own = copyOwnAddress(own);
    this.#ownVersion++;
  }

  expire(now: number): void {
    assertTime(now);
    const { maxAgeMs, handOutWindowMs } = this.#settings;
    const stamps = this.#stamps;
    while (this.#stampHead < stamps.length) {
      const stamp = stamps[this.#stampHead] as VoteStamp;
      if (stamp.at + maxAgeMs > now) break;
      this.#stampHead++;
      const candidate = this.#candidates.get(stamp.key);
      if (candidate !== undefined && candidate.votes.get(stamp.source) === stamp.at) {
        this.#unvote(candidate, stamp.source);
      }
    }
    for (const [key, at] of this.#handedOut) {
      if (at + handOutWindowMs > now) break;
      this.#forgetHandOut(key);
    }
  }

  listCandidates(): PoolCandidate[] {
    return [...this.#candidates.values()].map((c) => this.#snapshot(c)).sort(compareCandidates);
  }

  #vote(candidate: Candidate, source: unknown, votes: Set<PeerKey> | undefined, now: number): void {
    let sourceVotes = votes;
    if (sourceVotes === undefined) {
      sourceVotes = new Set();
      this.#sources.set(source, sourceVotes);
    }
    sourceVotes.add(candidate.key);
    this.#liveVotes++;
    this.#stamp(candidate, source, now);
  }

  /** Records (or renews) `source`'s vote for `candidate` at `now` in the expiry queue. */
  #stamp(candidate: Candidate, source: unknown, now: number): void {
    candidate.votes.set(source, now);
    this.#stamps.push({ key: candidate.key, source, at: now });
    // Withdrawn and renewed votes leave their stamps behind; rebuild the queue from the live
    // ones when those are the majority, so it stays within twice the live votes (amortised O(1)).
    if (this.#stamps.length - this.#stampHead > 2 * this.#liveVotes + STAMP_SLACK) {
      this.#stamps = this.#stamps.slice(this.#stampHead).filter((stamp) => {
        return this.#candidates.get(stamp.key)?.votes.get(stamp.source) === stamp.at;
      });
      this.#stampHead = 0;
    }
  }

  #unvote(candidate: Candidate, source: unknown): void {
    candidate.votes.delete(source);
    this.#liveVotes--;
    const votes = this.#sources.get(source);
    votes?.delete(candidate.key);
    if (votes?.size === 0) this.#sources.delete(source);
    if (candidate.votes.size > 0) return;
    this.#candidates.delete(candidate.key);
    increment(this.#perAddress, addressKeyOf(candidate.key), -1);
    increment(this.#perSubnet, subnetKeyOf(candidate.key), -1);
    if (candidate.handedOutAt === undefined) this.#ready--;
  }

  #handOut(candidate: Candidate, now: number): void {
    candidate.handedOutAt = now;
    this.#ready--;
    this.#handedOut.delete(candidate.key);
    this.#handedOut.set(candidate.key, now);
    // The memory of hand-outs is bounded too: beyond it, the oldest is forgotten early.
    if (this.#handedOut.size > this.#settings.maxCandidates) {
      this.#forgetHandOut(this.#handedOut.keys().next().value as PeerKey);
    }
  }

  #forgetHandOut(key: PeerKey): void {
    this.#handedOut.delete(key);
    const candidate = this.#candidates.get(key);
    if (candidate?.handedOutAt !== undefined) {
      candidate.handedOutAt = undefined;
      this.#ready++;
    }
  }

  #snapshot(candidate: Candidate): PoolCandidate {
    const { key } = candidate;
    const address = peerKeyAddress(key);
    const port = peerKeyPort(key);
    if (candidate.priorityOf !== this.#ownVersion) {
      candidate.priority = this.#own === undefined ? 0 : peerPriority(this.#own, { address, port });
      candidate.priorityOf = this.#ownVersion;
    }
    return {
      key,
      family: typeof key === 'number' ? 4 : 6,
      address,
      port,
      flags: candidate.flags,
      sources: candidate.votes.size,
      priority: candidate.priority,
      firstReportedAt: candidate.firstReportedAt,
    };
  }
}

/** The key of an IPv4-mapped address as IPv4: one host is one candidate whichever list named it. */
function unmapPeerKey(key: PeerKey): PeerKey {
  return typeof key === 'number' ? key : unmapKey(key);
}

/** The IP address of a key, without the port: a number for IPv4, 8 characters for IPv6. */
function addressKeyOf(key: PeerKey): number | string {
  return typeof key === 'number' ? Math.floor(key / 0x10000) : key.slice(0, 8);
}

/** The /24 of an IPv4 key (a number) or the /48 of an IPv6 key (its first 3 characters). */
function subnetKeyOf(key: PeerKey): number | string {
  return typeof key === 'number' ? Math.floor(key / 0x1000000) : key.slice(0, 3);
}

/** Adds `delta` to the count of `key`, deleting it at 0 so the map holds only what is held. */
function increment(counts: Map<number | string, number>, key: number | string, delta: number) {
  const count = (counts.get(key) ?? 0) + delta;
  if (count === 0) counts.delete(key);
  else counts.set(key, count);
}

/** IPv4 keys (numbers) before IPv6 keys (strings), each ascending. */
function compareKeys(a: PeerKey, b: PeerKey): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
