import type { PeerKey } from './peer-key.js';
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
   * @throws {TypeError} if `own` is not an object with a 4- or 16-byte Uint8Array `address`.
   * @throws {RangeError} if its port is not in 1..65535.
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
