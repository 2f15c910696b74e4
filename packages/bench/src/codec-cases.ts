import { type AddedPeer, decodePexMessage, encodePexMessage } from '@pex/core';
import bencode from 'bencode';
import compact2string from 'compact2string';
import string2compact from 'string2compact';
import { type AddressScope, type MessageFixture, PEERS_PER_MESSAGE } from './fixtures.js';
import { type BenchTask, sink } from './task.js';

type Decoded = Record<string, Uint8Array | undefined>;

const EMPTY_LIST: readonly string[] = [];

/** One way of decoding: the messages and what the consumer does with each decoded peer. */
export interface DecodeVariant {
  readonly family: 4 | 6;
  /** Distinct messages in the pool, each decoded once per timed call. */
  readonly poolSize: number;
  readonly scope: AddressScope;
  /** The consumer reads every address byte (ours) or the `"ip:port"` text (ut_pex), or only port and flags. */
  readonly readsAddress: boolean;
}

/** `v4-1000-private-address`: the task-id suffix of a variant. */
export function decodeVariantId(variant: DecodeVariant): string {
  return `v${variant.family}-${variant.poolSize}-${variant.scope}-${variant.readsAddress ? 'address' : 'port'}`;
}

/** `IPv4, 1000 msgs, private, reads address`: how the table names a variant. */
export function describeDecodeVariant(variant: DecodeVariant): string {
  return `IPv${variant.family}, ${variant.poolSize} msgs, ${variant.scope}, ${variant.readsAddress ? 'reads address' : 'port+flags only'}`;
}

/** Where a compact list and its flags start in a fixture's bytes (for the floor). */
interface ListSpan {
  readonly bytes: Uint8Array;
  readonly listAt: number;
  readonly flagsAt: number;
  readonly count: number;
}

/**
 * The offset of the value of byte-string key `key` in a bencoded dictionary written by our
 * encoder (keys sorted, values byte strings): the first byte after `<length>:`.
 */
function findStringValue(bytes: Uint8Array, key: string): number {
  const needle = new TextEncoder().encode(`${key.length}:${key}`);
  outer: for (let i = 1; i + needle.length < bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    let at = i + needle.length;
    while (bytes[at] !== 0x3a) at++;
    return at + 1;
  }
  throw new Error(`fixture has no "${key}"`);
}

function spanOf(fixture: MessageFixture, family: 4 | 6): ListSpan {
  const key = family === 4 ? 'added' : 'added6';
  return {
    bytes: fixture.bytes,
    listAt: findStringValue(fixture.bytes, key),
    flagsAt: findStringValue(fixture.bytes, `${key}.f`),
    count: fixture.peers.length,
  };
}

/**
 * Decoding one variant's pool of distinct 50-peer messages, three ways, each handing every
 * peer to the same consumer: core `decodePexMessage`; the incumbent's codec path (what
 * ut_pex's `onMessage` does before its bookkeeping: `bencode.decode`, `Buffer.from` +
 * `compact2string.multi`/`multi6`, the flag byte read per peer); and the floor, which builds
 * the objects core returns (`{ address: new Uint8Array(n) filled byte by byte, port, flags }`,
 * 50 of them in an array) by hand from the list's known offset, with no parsing or checks.
 */
export function createDecodeTasks(
  variant: DecodeVariant,
  pool: readonly MessageFixture[],
): BenchTask[] {
  const { family, readsAddress } = variant;
  const suffix = decodeVariantId(variant);
  const size = family === 4 ? 4 : 16;
  const spans = pool.map((fixture) => spanOf(fixture, family));
  let corePeers = 0;
  let incumbentPeers = 0;
  let floorPeers = 0;
  return [
    {
      id: `core-decode-${suffix}`,
      label: '@pex/core decodePexMessage',
      unitsPerIteration: pool.length,
      work: () => corePeers / PEERS_PER_MESSAGE,
      fn: () => {
        let s = 0;
        for (let m = 0; m < pool.length; m++) {
          const message = decodePexMessage((pool[m] as MessageFixture).bytes);
          const peers = family === 4 ? message.added : message.added6;
          s += consumePeers(peers, readsAddress);
          corePeers += peers.length;
        }
        sink.value += s;
      },
    },
    {
      id: `incumbent-decode-${suffix}`,
      label: 'bencode.decode + compact2string',
      unitsPerIteration: pool.length,
      work: () => incumbentPeers / PEERS_PER_MESSAGE,
      fn: () => {
        let s = 0;
        for (let m = 0; m < pool.length; m++) {
          const message = bencode.decode((pool[m] as MessageFixture).bytes) as Decoded;
          const list = family === 4 ? message.added : message.added6;
          const flags = family === 4 ? message['added.f'] : message['added6.f'];
          if (list === undefined) continue;
          const peers =
            family === 4
              ? compact2string.multi(Buffer.from(list))
              : compact2string.multi6(Buffer.from(list));
          for (let i = 0; i < peers.length; i++) {
            const peer = peers[i] as string;
            s += flags?.[i] ?? 0;
            if (readsAddress) s += peer.length + peer.charCodeAt(peer.length - 1);
          }
          incumbentPeers += peers.length;
        }
        sink.value += s;
      },
    },
    {
      id: `floor-decode-${suffix}`,
      label: 'the same objects built by hand',
      unitsPerIteration: pool.length,
      work: () => floorPeers / PEERS_PER_MESSAGE,
      fn: () => {
        let s = 0;
        for (let m = 0; m < spans.length; m++) {
          const { bytes, listAt, flagsAt, count } = spans[m] as ListSpan;
          const peers: { address: Uint8Array; port: number; flags: number }[] = [];
          for (let i = 0, at = listAt; i < count; i++, at += size + 2) {
            const address = new Uint8Array(size);
            for (let j = 0; j < size; j++) address[j] = bytes[at + j] as number;
            const port = ((bytes[at + size] as number) << 8) | (bytes[at + size + 1] as number);
            peers.push({ address, port, flags: bytes[flagsAt + i] as number });
          }
          s += consumePeers(peers, readsAddress);
          floorPeers += peers.length;
        }
        sink.value += s;
      },
    },
  ];
}

/** The consumer every decode task hands its peers to: port and flags, and every address byte if asked. */
function consumePeers(peers: readonly AddedPeer[], readsAddress: boolean): number {
  let s = 0;
  for (let i = 0; i < peers.length; i++) {
    const peer = peers[i] as AddedPeer;
    s += peer.port + peer.flags;
    if (readsAddress) {
      const address = peer.address;
      for (let j = 0; j < address.length; j++) s += address[j] as number;
    }
  }
  return s;
}

/**
 * Encoding a pool of distinct 50-peer IPv4 messages, from each side's own input: core from
 * compact peers (`encodePexMessage`); the incumbent from `"ip:port"` strings and flag bytes, as
 * ut_pex's `_sendMessage` builds its dictionary (`string2compact` per list, `Buffer.from` for the
 * flags, empty lists included) and bittorrent-protocol then bencodes it (`bencode.encode`).
 */
export function createEncodeTasks(pool: readonly MessageFixture[]): BenchTask[] {
  let coreMessages = 0;
  let incumbentMessages = 0;
  return [
    {
      id: 'core-encode-v4',
      label: '@pex/core encodePexMessage',
      unitsPerIteration: pool.length,
      work: () => coreMessages,
      fn: () => {
        let s = 0;
        for (let m = 0; m < pool.length; m++) {
          s += encodePexMessage((pool[m] as MessageFixture).message).length;
        }
        coreMessages += pool.length;
        sink.value += s;
      },
    },
    {
      id: 'incumbent-encode-v4',
      label: 'string2compact + bencode.encode',
      unitsPerIteration: pool.length,
      work: () => incumbentMessages,
      fn: () => {
        let s = 0;
        for (let m = 0; m < pool.length; m++) {
          const fixture = pool[m] as MessageFixture;
          const bytes = bencode.encode({
            added: string2compact(fixture.texts),
            'added.f': Buffer.from(fixture.flags),
            dropped: string2compact(EMPTY_LIST),
            added6: string2compact(EMPTY_LIST),
            'added6.f': Buffer.from([]),
            dropped6: string2compact(EMPTY_LIST),
          });
          s += bytes.length;
        }
        incumbentMessages += pool.length;
        sink.value += s;
      },
    },
  ];
}
