import {
  DEFAULT_POOL_HAND_OUT_WINDOW_MS,
  DEFAULT_POOL_MAX_AGE_MS,
  DEFAULT_POOL_MAX_CANDIDATES,
  DEFAULT_POOL_MAX_CANDIDATES_PER_SUBNET,
  DEFAULT_POOL_MAX_PORTS_PER_ADDRESS,
  DEFAULT_POOL_MAX_SOURCES,
  DEFAULT_POOL_MAX_SOURCES_PER_CANDIDATE,
  DEFAULT_POOL_SOURCE_SHARE_DIVISOR,
} from './defaults.js';
import { unmapKey } from './inbound-view.js';
import { assertInteger, assertTime, givenOptions } from './option-checks.js';
import { toConnectedPeerKey, toPeerKey } from './peer-checks.js';
import { type PeerKey, peerKeyAddress, peerKeyPort } from './peer-key.js';
import { peerPriority } from './peer-priority.js';
import type { AddressFamily, CompactPeer } from './types.js';

/** Options of `createCandidatePool`. Every default is explained in docs/limits.md. */
export interface CandidatePoolOptions {
  /** Most candidates held (IPv4 + IPv6). Default 1 000. */
  readonly maxCandidates?: number;
  /**
   * Most candidates one source may vote for: no remote fills more than this share of the pool.
   * Default a tenth of `maxCandidates`, rounded up.
   */
  readonly maxCandidatesPerSource?: number;
  /** Most sources with a vote at a time. Default 200. */
  readonly maxSources?: number;
  /** Most sources remembered per candidate (votes beyond it are not recorded). Default 8. */
  readonly maxSourcesPerCandidate?: number;
  /** Most candidates per /24 (IPv4) or /48 (IPv6). Default 4. */
  readonly maxCandidatesPerSubnet?: number;
  /** Most candidates per IP address, on different ports. Default 1 (BEP 11). */
  readonly maxPortsPerAddress?: number;
  /** Life of a vote, ms after it was cast. Default 30 minutes. */
  readonly maxAgeMs?: number;
  /** Time during which a handed-out candidate is not handed out again, ms. Default 10 minutes. */
  readonly handOutWindowMs?: number;
  /** Connections the application wants (see `setWanted`). Default `Infinity`. */
  readonly wanted?: number;
  /** Our own address as remotes see it, for BEP 40's priority (see `setOwnAddress`). */
  readonly ownAddress?: Pick<CompactPeer, 'address' | 'port'>;
}

/** A candidate as the pool hands it out or lists it: plain data, owned by the caller. */
export interface PoolCandidate {
  /** Identity key, as `peerKey(address, port)` gives it (IPv4-mapped addresses are IPv4). */
  readonly key: PeerKey;
  /** 4 or 6. */
  readonly family: AddressFamily;
  /** 4 or 16 address bytes. */
  readonly address: Uint8Array;
  /** Its listen port. */
  readonly port: number;
  /** The BEP 11 flag byte of the latest report. */
  readonly flags: number;
  /** Independent sources that report it now (1..`maxSourcesPerCandidate`). */
  readonly sources: number;
  /** BEP 40's priority against our own address (`peerPriority`); 0 while that is unknown. */
  readonly priority: number;
  /** When it was first reported (ms, the caller's scale), for the ordering by age. */
  readonly firstReportedAt: number;
}

/**
 * What `reportAdded` did with a report: `added` (a new candidate), `voted` (one more source for a
 * known candidate), `refreshed` (this source had reported it: its vote's age starts again), or why
 * nothing changed: `source-full` (the source votes for `maxCandidatesPerSource` candidates
 * already), `too-many-sources` (`maxSources` sources have votes), `votes-full` (the candidate has
 * `maxSourcesPerCandidate` sources), `pool-full`, `same-address` (its IP is held on
 * `maxPortsPerAddress` other ports) or `subnet-full`.
 */
export type CandidateReportResult =
  | 'added'
  | 'voted'
  | 'refreshed'
  | 'source-full'
  | 'too-many-sources'
  | 'votes-full'
  | 'pool-full'
  | 'same-address'
  | 'subnet-full';

/**
 * A bounded pool of the peers that remotes reported, from which an application takes whom to dial
 * next. Sources are opaque ids chosen by the caller (a connection, a number): compared with
 * `SameValueZero`, as `Map` keys are. Times are ms on any monotonic scale; each method given `now`
 * first forgets the votes older than `maxAgeMs` and the hand-outs older than `handOutWindowMs`,
 * and the getters tell the state as of the latest `now` given.
 */
export interface CandidatePool {
  /**
   * `source` reports `peer` (a BEP 11 `added` entry) at `now`.
   * @throws {TypeError} if `peer` is not an object with a 4- or 16-byte Uint8Array `address`.
   * @throws {RangeError} if its port is not in 1..65535, its flags not in 0..255, or `now` is not
   *   a finite number. Nothing is changed then.
   */
  reportAdded(source: unknown, peer: CompactPeer, now: number): CandidateReportResult;
  /**
   * `source` drops `peer` (a BEP 11 `dropped` entry): its vote is removed, and the candidate with
   * it once no source reports it. Returns whether `source` had a vote for it.
   * @throws {TypeError|RangeError} for a `peer` as `reportAdded` checks it (flags are not looked at).
   */
  reportDropped(source: unknown, peer: Pick<CompactPeer, 'address' | 'port'>): boolean;
  /**
   * `source` went away (its connection closed): every vote it cast is removed. Returns how many.
   * @throws never.
   */
  removeSource(source: unknown): number;
  /**
   * Hands out up to `n` candidates, best first, and at most `wanted` of them (each one lowers
   * `wanted` by one): most sources, then highest BEP 40 priority, then first reported earliest
   * (`compareCandidates`). A candidate handed out stays in the pool but is not handed out again
   * for `handOutWindowMs`, even if every source drops it and reports it again.
   * @throws {RangeError} if `n` is not a non-negative integer or `now` not a finite number.
   */
  take(n: number, now: number): PoolCandidate[];
  /**
   * Sets how many more connections the application wants (`Infinity`: no limit; 0: none). The
   * pool hands out at most that many, and is `saturated` once it holds that many ready candidates.
   * @throws {RangeError} if `wanted` is not a non-negative integer or `Infinity`.
   */
  setWanted(wanted: number): void;
  /**
   * Sets our own address as remotes see it (BEP 40 has the client derive its own IP part "from
   * the IP address that the peer sees it as"), or forgets it (`undefined`: priority 0).
   * @throws {TypeError|RangeError} for an `address`/`port` as `peerPriority` checks them.
   */
  setOwnAddress(own: Pick<CompactPeer, 'address' | 'port'> | undefined): void;
  /**
   * Forgets what is older than `maxAgeMs` (votes) or `handOutWindowMs` (hand-outs) at `now`.
   * @throws {RangeError} if `now` is not a finite number.
   */
  expire(now: number): void;
  /**
   * Every candidate held, in the order `take` hands them out (those handed out within the window
   * included). O(candidates · log candidates).
   * @throws never.
   */
  listCandidates(): PoolCandidate[];
  /** Connections the application still wants; `Infinity` unless set. */
  readonly wanted: number;
  /**
   * True when the pool holds at least `wanted` candidates ready to hand out: more reported peers
   * change nothing until the application wants more, so it may stop asking for them.
   */
  readonly saturated: boolean;
  /** Candidates held, at most `maxCandidates`. */
  readonly size: number;
  /** Candidates held and not handed out within `handOutWindowMs`. */
  readonly readyCount: number;
  /** Sources with at least one vote, at most `maxSources`. */
  readonly sourceCount: number;
}

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
 * @throws {TypeError} if `options` is not an object.
 * @throws {RangeError} if a number option is not a positive integer (`wanted`: a non-negative
 *   integer or `Infinity`), or for an `ownAddress` as `peerPriority` checks it.
 */
export function createCandidatePool(options?: CandidatePoolOptions): CandidatePool {
  const { settings, wanted, own } = resolvePoolOptions(options);
  return new Pool(settings, wanted, own);
}

interface ResolvedPoolOptions {
  readonly maxCandidates: number;
  readonly maxCandidatesPerSource: number;
  readonly maxSources: number;
  readonly maxSourcesPerCandidate: number;
  readonly maxCandidatesPerSubnet: number;
  readonly maxPortsPerAddress: number;
  readonly maxAgeMs: number;
  readonly handOutWindowMs: number;
}

/** Our own address as remotes see it. */
type OwnAddress = Pick<CompactPeer, 'address' | 'port'>;

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
    if (own !== undefined) peerPriority(own, own);
    this.#own =
      own === undefined ? undefined : { address: Uint8Array.from(own.address), port: own.port };
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

function resolvePoolOptions(options: CandidatePoolOptions | undefined): {
  settings: ResolvedPoolOptions;
  wanted: number;
  own: OwnAddress | undefined;
} {
  const given = givenOptions(options);
  const maxCandidates = given.maxCandidates ?? DEFAULT_POOL_MAX_CANDIDATES;
  assertInteger(maxCandidates, 'maxCandidates', 1);
  const settings: ResolvedPoolOptions = {
    maxCandidates,
    maxCandidatesPerSource:
      given.maxCandidatesPerSource ?? Math.ceil(maxCandidates / DEFAULT_POOL_SOURCE_SHARE_DIVISOR),
    maxSources: given.maxSources ?? DEFAULT_POOL_MAX_SOURCES,
    maxSourcesPerCandidate: given.maxSourcesPerCandidate ?? DEFAULT_POOL_MAX_SOURCES_PER_CANDIDATE,
    maxCandidatesPerSubnet: given.maxCandidatesPerSubnet ?? DEFAULT_POOL_MAX_CANDIDATES_PER_SUBNET,
    maxPortsPerAddress: given.maxPortsPerAddress ?? DEFAULT_POOL_MAX_PORTS_PER_ADDRESS,
    maxAgeMs: given.maxAgeMs ?? DEFAULT_POOL_MAX_AGE_MS,
    handOutWindowMs: given.handOutWindowMs ?? DEFAULT_POOL_HAND_OUT_WINDOW_MS,
  };
  for (const [field, value] of Object.entries(settings)) assertInteger(value, field, 1);
  const wanted = given.wanted ?? Number.POSITIVE_INFINITY;
  if (wanted !== Number.POSITIVE_INFINITY) assertInteger(wanted, 'wanted', 0);
  const own = given.ownAddress;
  if (own !== undefined) peerPriority(own, own);
  return {
    settings,
    wanted,
    own: own === undefined ? undefined : { address: Uint8Array.from(own.address), port: own.port },
  };
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
