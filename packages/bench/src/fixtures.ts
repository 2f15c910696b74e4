import { type CompactPeer, encodePexMessage, PEX_FLAG_REACHABLE, type PexMessage } from '@pex/core';

/** Peers per message in every message case (BEP 11's cap on `added` per message). */
export const PEERS_PER_MESSAGE = 50;

/** One peer in both shapes: our compact form and the incumbent's `"ip:port"` text. */
export interface PeerFixture {
  readonly compact: CompactPeer;
  readonly text: string;
  readonly family: 4 | 6;
}

/** One message in every shape a case needs. */
export interface MessageFixture {
  readonly peers: readonly PeerFixture[];
  readonly message: PexMessage;
  /** Canonical bencode, as our encoder and the `bencode` package both write it. */
  readonly bytes: Uint8Array;
  readonly texts: readonly string[];
  readonly flags: readonly number[];
}

/** A small deterministic generator (mulberry32), so every run measures the same bytes. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Where a fixture's addresses come from: `public` is global unicast (the session's default
 * policy accepts them all), `private` is RFC 1918 / RFC 4193 (10.0.0.0/8, 192.168.0.0/16 and
 * fd00::/8), what a LAN swarm or a hostile sender gives.
 */
export type AddressScope = 'public' | 'private';

/**
 * Distinct peers: public ones in 11.0.0.0..99.255.255.255 (IPv4) and 2a01::/16 (IPv6), private
 * ones in 10.0.0.0/8 and 192.168.0.0/16 (IPv4) and fd00::/8 (IPv6). Peer `i` is unique within
 * the family.
 */
export function createPeers(
  family: 4 | 6,
  count: number,
  seed: number,
  scope: AddressScope = 'public',
): PeerFixture[] {
  const random = createRandom(seed);
  const seen = new Set<string>();
  const peers: PeerFixture[] = [];
  while (peers.length < count) {
    const port = 1024 + (random() % 64_000);
    const flags = random() % 32;
    let address: Uint8Array;
    let text: string;
    if (family === 4) {
      const n = random();
      address = new Uint8Array([11 + (n % 89), (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) | 1]);
      if (scope === 'private') {
        // Half in 10.0.0.0/8, half in 192.168.0.0/16.
        address[0] = (n & 1) === 0 ? 10 : 192;
        if (address[0] === 192) address[1] = 168;
      }
      text = `${address.join('.')}:${port}`;
    } else {
      address = new Uint8Array(16);
      address[0] = scope === 'private' ? 0xfd : 0x2a;
      address[1] = scope === 'private' ? (address[1] as number) : 0x01;
      for (let i = 2; i < 16; i += 4) {
        const n = random();
        address[i] = n & 255;
        address[i + 1] = (n >>> 8) & 255;
        address[i + 2] = (n >>> 16) & 255;
        address[i + 3] = (n >>> 24) & 255;
      }
      address[15] = (address[15] as number) | 1;
      text = `[${formatIpv6(address)}]:${port}`;
    }
    if (seen.has(text)) continue;
    seen.add(text);
    peers.push({ compact: { address, port, flags }, text, family });
  }
  return peers;
}

/** Full (uncompressed) IPv6 text: ut_pex and our parser both accept it. */
function formatIpv6(address: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push((((address[i] as number) << 8) | (address[i + 1] as number)).toString(16));
  }
  return groups.join(':');
}

/**
 * `count` messages of `PEERS_PER_MESSAGE` added peers each, every peer different from every
 * other in the pool, so that no per-source dedup can skip work.
 */
export function createMessagePool(
  family: 4 | 6,
  count: number,
  seed: number,
  scope: AddressScope = 'public',
): MessageFixture[] {
  const all = createPeers(family, count * PEERS_PER_MESSAGE, seed, scope);
  const pool: MessageFixture[] = [];
  for (let m = 0; m < count; m++) {
    const peers = all.slice(m * PEERS_PER_MESSAGE, (m + 1) * PEERS_PER_MESSAGE);
    const compact = peers.map((peer) => peer.compact);
    const message: PexMessage =
      family === 4
        ? { added: compact, added6: [], dropped: [], dropped6: [] }
        : { added: [], added6: compact, dropped: [], dropped6: [] };
    pool.push({
      peers,
      message,
      bytes: encodePexMessage(message),
      texts: peers.map((peer) => peer.text),
      flags: peers.map((peer) => peer.compact.flags ?? 0),
    });
  }
  return pool;
}

/** Flags the send-path cases pass to `addPeer` (ut_pex's names, which our adapter also takes). */
export const SEND_FLAGS = { isReachable: true, supportsUtp: true } as const;

/** The flag byte `SEND_FLAGS` stands for. */
export const SEND_FLAG_BYTE = PEX_FLAG_REACHABLE | 0x04;
