import { argumentError } from './argument-error.js';
import {
  DEFAULT_RELAY_MAX_AGE_MS,
  DEFAULT_RELAY_MAX_INTRODUCERS_PER_PEER,
  DEFAULT_RELAY_MAX_PEERS,
} from './defaults.js';
import { PEX_FLAG_SUPPORTS_HOLEPUNCH } from './flags.js';
import { assertInteger, assertTime, givenOptions } from './option-checks.js';
import { toPeerKey } from './peer-checks.js';
import type { PeerKey } from './peer-key.js';
import type { CompactPeer } from './types.js';

/** Bounds of a relay index; each default is explained in docs/limits.md. */
export interface RelayIndexOptions {
  /** Most peers it keeps introducers for; the peer reported least recently goes first. Default 3000. */
  readonly maxPeers?: number;
  /** Most introducers kept per peer, the newest. Default 4. */
  readonly maxIntroducersPerPeer?: number;
  /** An advertisement older than this (ms since it was reported) is forgotten. Default 30 min. */
  readonly maxAgeMs?: number;
}

/**
 * Which connections (sources) currently advertise which peer with the holepunch flag (0x08): the
 * relays a BEP 55 (`ut_holepunch`) rendezvous can go through. A remote that advertised peer X is
 * connected to X, so it can forward a rendezvous to X. Fed with what each source reports and
 * drops, and told when a source goes away; bounded in peers, introducers per peer and age.
 * Time is a parameter (ms on any monotonic scale); nothing here reads a clock.
 */
export interface RelayIndex<Source> {
  /**
   * `source` advertises `peer` with `flags` at `now`. With the holepunch flag (0x08) it becomes the
   * peer's newest introducer; without it, it is no longer one (a flag change).
   * @throws {TypeError|RangeError} for a malformed peer, flags outside 0..255 or a non-finite `now`.
   */
  reported(
    source: Source,
    peer: Pick<CompactPeer, 'address' | 'port'>,
    flags: number,
    now: number,
  ): void;
  /**
   * `source` dropped `peer`: it no longer introduces it. Unknown pairs are ignored.
   * @throws {TypeError|RangeError} for a malformed peer.
   */
  dropped(source: Source, peer: Pick<CompactPeer, 'address' | 'port'>): void;
  /** The connection `source` is gone: it introduces nobody any more. Unknown sources are ignored. */
  removeSource(source: Source): void;
  /**
   * The sources that currently advertise the peer at `address` / `port` with the holepunch flag,
   * newest advertisement first, none older than `maxAgeMs` at `now` (older ones are forgotten).
   * @throws {TypeError|RangeError} for a malformed address or port, or a non-finite `now`.
   */
  introducersOf(address: Uint8Array, port: number, now: number): Source[];
  /** Peers with at least one introducer kept (expired ones included until they are pruned). */
  readonly peerCount: number;
  /** Source-peer pairs kept (expired ones included until they are pruned). */
  readonly introducerCount: number;
}

/** One source advertising one peer, since `at`. */
interface Introduction<Source> {
  readonly source: Source;
  readonly at: number;
}

/**
 * Creates a relay index for BEP 55 holepunching. libtorrent and anacrolix choose a relay the same
 * way: a connection whose remote advertised the target through PEX. This keeps that knowledge
 * exact: a `dropped` or `removeSource` takes an introducer away at once, and an advertisement
 * older than `maxAgeMs` is forgotten (a sender that never drops cannot leave one behind for good).
 * Only the index: sending the `ut_holepunch` messages is the application's part.
 *
 * Memory: at most `maxPeers` peers with at most `maxIntroducersPerPeer` introducers each, plus a
 * set of peers per source; every operation is O(introducers of the peer), `removeSource` is
 * O(peers that source introduces), and pruning expired peers is amortised O(1) per report.
 *
 * @example
 * ```ts
 * const relays = createRelayIndex<Wire>();
 * // for each peer a wire's remote reports:
 * relays.reported(wire, { address, port }, flags, performance.now());
 * // when it drops it, or the wire closes:
 * relays.dropped(wire, { address, port });
 * relays.removeSource(wire);
 * const [relay] = relays.introducersOf(address, port, performance.now());
 * ```
 * @throws {TypeError} if `options` is not an object.
 * @throws {RangeError} if a bound is not a positive integer.
 */
export function createRelayIndex<Source>(options?: RelayIndexOptions): RelayIndex<Source> {
  const given = givenOptions(options);
  const maxPeers = given.maxPeers ?? DEFAULT_RELAY_MAX_PEERS;
  const maxIntroducers = given.maxIntroducersPerPeer ?? DEFAULT_RELAY_MAX_INTRODUCERS_PER_PEER;
  const maxAgeMs = given.maxAgeMs ?? DEFAULT_RELAY_MAX_AGE_MS;
  assertInteger(maxPeers, 'maxPeers', 1);
  assertInteger(maxIntroducers, 'maxIntroducersPerPeer', 1);
  assertInteger(maxAgeMs, 'maxAgeMs', 1);
  return new Index<Source>(maxPeers, maxIntroducers, maxAgeMs);
}

/** The index as a class: one set of methods for every index. */
class Index<Source> implements RelayIndex<Source> {
  readonly #maxPeers: number;
  readonly #maxIntroducers: number;
  readonly #maxAgeMs: number;
  /**
   * Introducers per peer, oldest first. The map is in the order of each peer's newest report
   * (a report moves its peer to the end), so the peer reported least recently is first: the one
   * evicted when full, and the first to expire.
   */
  readonly #peers = new Map<PeerKey, Introduction<Source>[]>();
  /** The peers each source introduces, so that `removeSource` need not look at every peer. */
  readonly #bySource = new Map<Source, Set<PeerKey>>();
  #introducerCount = 0;

  constructor(maxPeers: number, maxIntroducers: number, maxAgeMs: number) {
    this.#maxPeers = maxPeers;
    this.#maxIntroducers = maxIntroducers;
    this.#maxAgeMs = maxAgeMs;
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  get introducerCount(): number {
    return this.#introducerCount;
  }

  reported(
    source: Source,
    peer: Pick<CompactPeer, 'address' | 'port'>,
    flags: number,
    now: number,
  ): void {
    const key = toPeerKey(peer, 'peer');
    if (flags !== (flags & 0xff)) throw argumentError(RangeError, 'flags', '0..255', flags);
    assertTime(now);
    this.#pruneExpired(now);
    if ((flags & PEX_FLAG_SUPPORTS_HOLEPUNCH) === 0) {
      this.#remove(source, key);
      return;
    }
    const peers = this.#peers;
    let list = peers.get(key);
    if (list === undefined) {
      if (peers.size >= this.#maxPeers) this.#evictOldestPeer();
      list = [];
    } else {
      // The peer moves to the end of the map: it now holds the newest report.
      peers.delete(key);
      const at = list.findIndex((introduction) => introduction.source === source);
      if (at !== -1) {
        list.splice(at, 1);
        this.#introducerCount--;
      }
    }
    peers.set(key, list);
    list.push({ source, at: now });
    this.#introducerCount++;
    this.#sourceSet(source).add(key);
    if (list.length > this.#maxIntroducers) {
      const oldest = list.shift() as Introduction<Source>;
      this.#introducerCount--;
      this.#forgetPair(oldest.source, key);
    }
  }

  dropped(source: Source, peer: Pick<CompactPeer, 'address' | 'port'>): void {
    this.#remove(source, toPeerKey(peer, 'peer'));
  }

  removeSource(source: Source): void {
    const keys = this.#bySource.get(source);
    if (keys === undefined) return;
    this.#bySource.delete(source);
    for (const key of keys) {
      const list = this.#peers.get(key) as Introduction<Source>[];
      const at = list.findIndex((introduction) => introduction.source === source);
      list.splice(at, 1);
      this.#introducerCount--;
      if (list.length === 0) this.#peers.delete(key);
    }
  }

  introducersOf(address: Uint8Array, port: number, now: number): Source[] {
    const key = toPeerKey({ address, port }, 'peer');
    assertTime(now);
    const list = this.#peers.get(key);
    if (list === undefined) return [];
    // Oldest first: the expired ones are a prefix.
    while (list.length > 0 && this.#isExpired(list[0] as Introduction<Source>, now)) {
      const expired = list.shift() as Introduction<Source>;
      this.#introducerCount--;
      this.#forgetPair(expired.source, key);
    }
    if (list.length === 0) {
      this.#peers.delete(key);
      return [];
    }
    const sources: Source[] = [];
    for (let i = list.length - 1; i >= 0; i--)
      sources.push((list[i] as Introduction<Source>).source);
    return sources;
  }

  #isExpired(introduction: Introduction<Source>, now: number): boolean {
    return now - introduction.at >= this.#maxAgeMs;
  }

  /** Forgets the peers whose newest report has expired: a prefix of the map. */
  #pruneExpired(now: number): void {
    for (const [key, list] of this.#peers) {
      const newest = list[list.length - 1] as Introduction<Source>;
      if (!this.#isExpired(newest, now)) return;
      this.#deletePeer(key, list);
    }
  }

  #evictOldestPeer(): void {
    for (const [key, list] of this.#peers) {
      this.#deletePeer(key, list);
      return;
    }
  }

  #deletePeer(key: PeerKey, list: Introduction<Source>[]): void {
    this.#peers.delete(key);
    this.#introducerCount -= list.length;
    for (const introduction of list) this.#forgetPair(introduction.source, key);
  }

  /** `source` no longer introduces `key` (nothing if it did not). */
  #remove(source: Source, key: PeerKey): void {
    const list = this.#peers.get(key);
    if (list === undefined) return;
    const at = list.findIndex((introduction) => introduction.source === source);
    if (at === -1) return;
    list.splice(at, 1);
    this.#introducerCount--;
    this.#forgetPair(source, key);
    if (list.length === 0) this.#peers.delete(key);
  }

  #forgetPair(source: Source, key: PeerKey): void {
    const keys = this.#bySource.get(source);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) this.#bySource.delete(source);
  }

  #sourceSet(source: Source): Set<PeerKey> {
    let keys = this.#bySource.get(source);
    if (keys === undefined) {
      keys = new Set();
      this.#bySource.set(source, keys);
    }
    return keys;
  }
}
