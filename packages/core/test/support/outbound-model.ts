import { expect } from '@jest/globals';
import {
  type CompactPeer,
  type PeerKey,
  type PexMessage,
  type PexOutbound,
  peerKey,
} from '@pex/core';

/** Sender settings the model checks against. */
export interface ModelSettings {
  readonly intervalMs: number;
  readonly firstMessageMaxAdded: number;
  readonly maxAddedPerMessage: number;
  readonly maxDroppedPerMessage: number;
  /** BEP 11's relaxation, when the subject has it on. */
  readonly relaxation?: { readonly livePeersBelow: number; readonly maxDeparted: number };
}

/**
 * The qualifying departures of a swarm as the model sees them (BEP 11, "Filling underpopulated
 * lists"): the newest one of each peer we are not connected to again, numbered in order. Shared by
 * every remote of one subject; the test reports each `connected` and qualifying `disconnected`.
 */
export class DepartureModel {
  /** Serial of the newest qualifying departure of each peer not connected again. */
  readonly latest = new Map<PeerKey, number>();
  /** The serial of the newest departure so far (0: none). */
  serial = 0;

  connected(key: PeerKey): void {
    this.latest.delete(key);
  }

  /** `key`, which was live, left for a qualifying reason. */
  departed(key: PeerKey): void {
    this.latest.set(key, ++this.serial);
  }

  /** How many departures of `key`'s family are newer than `key`'s. */
  newerThan(key: PeerKey): number {
    const own = this.latest.get(key) ?? 0;
    let newer = 0;
    for (const [other, serial] of this.latest) {
      if (typeof other === typeof key && serial > own) newer++;
    }
    return newer;
  }
}

/** A small pool of peers, so that random commands hit the same peers again and again. */
export function createPeerPool(ipv4Count: number, ipv6Count: number): CompactPeer[] {
  const pool: CompactPeer[] = [];
  for (let i = 0; i < ipv4Count; i++) {
    // Every third peer shares its address with the previous one: only the port tells them apart.
    const host = i % 3 === 2 ? i - 1 : i;
    pool.push({ address: Uint8Array.from([10, 0, host >> 8, host & 0xff]), port: 6881 + i });
  }
  for (let i = 0; i < ipv6Count; i++) {
    const address = new Uint8Array(16);
    address.set([0x20, 0x01, 0x0d, 0xb8]);
    address[15] = i;
    pool.push({ address, port: 51413 });
  }
  return pool;
}

export const keyOf = (peer: Pick<CompactPeer, 'address' | 'port'>): PeerKey =>
  peerKey(peer.address, peer.port);

/** What we want a remote to hold: every live peer but the remote itself. */
export function wantedView(
  live: ReadonlyMap<PeerKey, number>,
  remote: PeerKey | undefined,
): Map<PeerKey, number> {
  const wanted = new Map(live);
  if (remote !== undefined) wanted.delete(remote);
  return wanted;
}

/**
 * A remote peer as the model sees it: replays every message it receives and checks each one
 * against the sender rules of BEP 11 and the state of the sender at that moment.
 */
export class RemoteModel {
  /** What the remote believes we are connected to, with flags. */
  readonly view = new Map<PeerKey, number>();
  lastSentAt = Number.NEGATIVE_INFINITY;
  sentSinceReset = false;
  remote: PeerKey | undefined;
  /** Peers the previous message added though we were not connected to them (the relaxation). */
  relaxedLast = new Set<PeerKey>();
  /** Peers added that way so far, for tests to see the relaxation at work. */
  relaxedCount = 0;
  /** For each peer dropped to this remote: the newest departure serial at that moment. */
  readonly droppedAt = new Map<PeerKey, number>();

  constructor(
    readonly settings: ModelSettings,
    remote?: PeerKey,
    readonly departures?: DepartureModel,
  ) {
    this.remote = remote;
  }

  /** Asks `subject` for a message at `now`, checks it and replays it. Returns the message. */
  poll(subject: PexOutbound, now: number, live: ReadonlyMap<PeerKey, number>) {
    const at = subject.nextMessageAt();
    const message = subject.nextMessage(now);
    if (at === undefined || now < at) expect(message).toBeUndefined();
    if (message === undefined) {
      if (at !== undefined && now >= at && now >= this.lastSentAt + this.settings.intervalMs) {
        // Nothing to say at a time when it could speak: the remote already holds what we want.
        expect(sortedEntries(this.view)).toEqual(sortedEntries(wantedView(live, this.remote)));
      }
      return undefined;
    }
    this.check(message, now, live);
    return message;
  }

  /** Every rule a message must keep, then the replay. */
  check(message: PexMessage, now: number, live: ReadonlyMap<PeerKey, number>): void {
    const { settings } = this;
    expect(now - this.lastSentAt).toBeGreaterThanOrEqual(settings.intervalMs);
    const addedCount = message.added.length + message.added6.length;
    const droppedCount = message.dropped.length + message.dropped6.length;
    expect(addedCount + droppedCount).toBeGreaterThan(0);
    expect(addedCount).toBeLessThanOrEqual(
      this.sentSinceReset ? settings.maxAddedPerMessage : settings.firstMessageMaxAdded,
    );
    expect(droppedCount).toBeLessThanOrEqual(settings.maxDroppedPerMessage);
    for (const peer of [...message.added, ...message.dropped]) expect(peer.address.length).toBe(4);
    for (const peer of [...message.added6, ...message.dropped6]) {
      expect(peer.address.length).toBe(16);
    }

    const seen = new Set<PeerKey>();
    const relaxed = new Set<PeerKey>();
    for (const peer of [...message.added, ...message.added6]) {
      const key = keyOf(peer);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(key).not.toBe(this.remote);
      // Never what it already holds.
      expect(this.view.get(key)).not.toBe(peer.flags);
      // Only peers we are connected to, with their current flags, unless the relaxation adds a
      // peer we are not connected to.
      if (live.has(key)) expect(live.get(key)).toBe(peer.flags);
      else {
        this.checkRelaxed(key, live);
        relaxed.add(key);
      }
    }
    for (const peer of [...message.dropped, ...message.dropped6]) {
      const key = keyOf(peer);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(this.view.has(key)).toBe(true);
      expect(live.has(key) && key !== this.remote).toBe(false);
    }
    // BEP 11: relaxed peers "must be dropped with the next PEX message", unless we are connected
    // to them again by then (they are ordinary advertised peers then).
    const droppedNow = new Set([...message.dropped, ...message.dropped6].map(keyOf));
    for (const key of this.relaxedLast) {
      expect(droppedNow.has(key) || (live.has(key) && key !== this.remote)).toBe(true);
    }
    if (relaxed.size > 0) {
      const relaxation = this.settings.relaxation as NonNullable<ModelSettings['relaxation']>;
      // At most maxDeparted per family, and no more than the next message can drop.
      for (const family of ['number', 'string']) {
        const ofFamily = [...relaxed].filter((key) => typeof key === family).length;
        expect(ofFamily).toBeLessThanOrEqual(relaxation.maxDeparted);
      }
      expect(relaxed.size).toBeLessThanOrEqual(settings.maxDroppedPerMessage);
    }

    for (const peer of [...message.dropped, ...message.dropped6]) {
      this.view.delete(keyOf(peer));
      this.droppedAt.set(keyOf(peer), this.departures?.serial ?? 0);
    }
    for (const peer of [...message.added, ...message.added6]) {
      this.view.set(keyOf(peer), peer.flags ?? 0);
    }
    this.relaxedLast = relaxed;
    this.relaxedCount += relaxed.size;
    this.lastSentAt = now;
    this.sentSinceReset = true;
  }

  /**
   * A peer added though we are not connected to it: only BEP 11's relaxation may do that, for a
   * peer that left for a qualifying reason since it was last dropped to this remote, among the
   * newest `maxDeparted` departures of its family, while that family has fewer than
   * `livePeersBelow` live peers, and never while the remote holds it.
   */
  checkRelaxed(key: PeerKey, live: ReadonlyMap<PeerKey, number>): void {
    const relaxation = this.settings.relaxation;
    const departures = this.departures;
    expect(relaxation).toBeDefined();
    expect(departures).toBeDefined();
    if (relaxation === undefined || departures === undefined) return;
    expect(this.view.has(key)).toBe(false);
    const liveInFamily = [...live.keys()].filter((other) => typeof other === typeof key).length;
    expect(liveInFamily).toBeLessThan(relaxation.livePeersBelow);
    const serial = departures.latest.get(key);
    expect(serial).toBeDefined();
    expect(serial as number).toBeGreaterThan(this.droppedAt.get(key) ?? 0);
    expect(departures.newerThan(key)).toBeLessThan(relaxation.maxDeparted);
  }

  /** The sender forgot what it sent; the model's remote forgets too (a new session). */
  reset(): void {
    this.view.clear();
    this.sentSinceReset = false;
    this.relaxedLast = new Set();
    this.droppedAt.clear();
  }
}

/**
 * Once changes stop, polling after each interval must bring the remote's view to the wanted set,
 * after which the subject has nothing pending. Returns the time reached.
 */
export function expectConvergence(
  subject: PexOutbound,
  remote: RemoteModel,
  live: ReadonlyMap<PeerKey, number>,
  start: number,
  maxMessages: number,
): number {
  let now = start;
  for (let i = 0; i <= maxMessages; i++) {
    now += remote.settings.intervalMs;
    if (remote.poll(subject, now, live) === undefined) break;
  }
  expect(sortedEntries(remote.view)).toEqual(sortedEntries(wantedView(live, remote.remote)));
  expect(subject.nextMessageAt()).toBeUndefined();
  expect(subject.nextMessage(now + remote.settings.intervalMs)).toBeUndefined();
  return now;
}

function sortedEntries(map: ReadonlyMap<PeerKey, number>): [string, number][] {
  return [...map]
    .map(([key, flags]): [string, number] => [String(key), flags])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Small caps and interval, so that short command sequences reach every limit. */
export const SMALL_CAPS: ModelSettings = {
  intervalMs: 1000,
  firstMessageMaxAdded: 4,
  maxAddedPerMessage: 3,
  maxDroppedPerMessage: 2,
};
