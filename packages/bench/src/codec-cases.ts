import { decodePexMessage, encodePexMessage } from '@pex/core';
import bencode from 'bencode';
import compact2string from 'compact2string';
import string2compact from 'string2compact';
import { type MessageFixture, PEERS_PER_MESSAGE } from './fixtures.js';
import { type BenchTask, sink } from './task.js';

type Decoded = Record<string, Uint8Array | undefined>;

const EMPTY_LIST: readonly string[] = [];

/**
 * Decoding a pool of distinct 50-peer messages of one family, three ways: core reading every
 * peer's port and flag byte; the incumbent's codec path (what ut_pex's `onMessage` does before
 * its bookkeeping: `bencode.decode`, `Buffer.from` + `compact2string.multi`/`multi6`, the flag
 * byte read per peer); and the floor, a bare loop adding up every byte of the same messages.
 */
export function createDecodeTasks(family: 4 | 6, pool: readonly MessageFixture[]): BenchTask[] {
  const suffix = family === 4 ? 'v4' : 'v6';
  let corePeers = 0;
  let incumbentPeers = 0;
  let bareBytes = 0;
  const messageBytes = pool.reduce((sum, fixture) => sum + fixture.bytes.length, 0);
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
          for (let i = 0; i < peers.length; i++) {
            const peer = peers[i];
            if (peer === undefined) continue;
            s += peer.port + (peer.flags ?? 0);
          }
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
            s += (peers[i] as string).length + (flags?.[i] ?? 0);
          }
          incumbentPeers += peers.length;
        }
        sink.value += s;
      },
    },
    {
      id: `bare-loop-${suffix}`,
      label: 'bare loop over every byte',
      unitsPerIteration: pool.length,
      // Counted in messages, like the others: one pass reads every byte of every message.
      work: () => bareBytes / (messageBytes / pool.length),
      fn: () => {
        let s = 0;
        for (let m = 0; m < pool.length; m++) {
          const bytes = (pool[m] as MessageFixture).bytes;
          for (let i = 0; i < bytes.length; i++) s += bytes[i] as number;
          bareBytes += bytes.length;
        }
        sink.value += s;
      },
    },
  ];
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
