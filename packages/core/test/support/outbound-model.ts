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

  constructor(
    readonly settings: ModelSettings,
    remote?: PeerKey,
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
    for (const peer of [...message.added, ...message.added6]) {
      const key = keyOf(peer);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(key).not.toBe(this.remote);
      // Only peers we are connected to, with their current flags, and never what it already holds.
      expect(live.get(key)).toBe(peer.flags);
      expect(this.view.get(key)).not.toBe(peer.flags);
    }
    for (const peer of [...message.dropped, ...message.dropped6]) {
      const key = keyOf(peer);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(this.view.has(key)).toBe(true);
      expect(live.has(key) && key !== this.remote).toBe(false);
    }

    for (const peer of [...message.dropped, ...message.dropped6]) this.view.delete(keyOf(peer));
    for (const peer of [...message.added, ...message.added6]) {
      this.view.set(keyOf(peer), peer.flags ?? 0);
    }
    this.lastSentAt = now;
    this.sentSinceReset = true;
  }

  /** The sender forgot what it sent; the model's remote forgets too (a new session). */
  reset(): void {
    this.view.clear();
    this.sentSinceReset = false;
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
