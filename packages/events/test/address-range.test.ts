import { describe, expect, test } from '@jest/globals';
import { type CompactPeer, encodePexMessage } from '@pex/core';
import {
  classifyPeer,
  createPexSession,
  type PexRefusal,
  parseIpAddress,
  readPeerAddress,
} from '@pex/events';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { createFakeTime } from './support/fake-time.js';

// The session finds each received peer's range from its address integers, through tables
// derived from ipaddr.js's `SpecialRanges`. These tests hold it to what ipaddr.js says of the
// peer's text: every verdict of the default policy inside a session must be the one the
// policy's rules give for `ipaddr.parse(text).range()`.

type Verdict = 'accept' | PexRefusal;

const REFUSED: Readonly<Record<string, PexRefusal>> = {
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
  discard: 'reserved',
};
const LOCAL = new Set(['loopback', 'private', 'linkLocal', 'uniqueLocal']);

/** The default policy's rules (peer-policy.ts), on the range ipaddr.js parses from the text. */
function expectedVerdict(address: string, remote: string | undefined): Verdict {
  const range = ipaddr.parse(address).range();
  const refusal = REFUSED[range];
  if (refusal !== undefined) return refusal;
  if (LOCAL.has(range)) {
    const remoteRange = remote === undefined ? undefined : ipaddr.parse(remote).range();
    if (remoteRange === undefined || !LOCAL.has(remoteRange)) return 'local-from-remote';
    if (range === 'loopback' && remoteRange !== 'loopback') return 'local-from-remote';
  }
  return 'accept';
}

/** Bytes of the first and last address of every ipaddr.js special subnet, and their neighbours. */
function boundaryAddresses(kind: 'ipv4' | 'ipv6'): Uint8Array[] {
  const prototype = (kind === 'ipv4'
    ? ipaddr.IPv4.prototype
    : ipaddr.IPv6.prototype) as unknown as {
    SpecialRanges: Record<string, unknown>;
  };
  const out: Uint8Array[] = [];
  const width = kind === 'ipv4' ? 32 : 128;
  for (const value of Object.values(prototype.SpecialRanges)) {
    const list = (Array.isArray((value as unknown[])[0]) ? value : [value]) as [
      ipaddr.IPv4 | ipaddr.IPv6,
      number,
    ][];
    for (const [address, bits] of list) {
      const first = toBigInt(address.toByteArray());
      const last = first | ((1n << BigInt(width - bits)) - 1n);
      for (const n of [first - 1n, first, first + 1n, last - 1n, last, last + 1n]) {
        if (n >= 0n && n < 1n << BigInt(width)) out.push(fromBigInt(n, width / 8));
      }
    }
  }
  return out;
}

function toBigInt(bytes: readonly number[]): bigint {
  return bytes.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
}

function fromBigInt(n: bigint, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = length - 1, rest = n; i >= 0; i--, rest >>= 8n) bytes[i] = Number(rest & 0xffn);
  return bytes;
}

/**
 * Feeds `addresses` to a session (50 peers a message, 70 s apart) whose policy records what
 * `classifyPeer` says, and returns the emitted texts with their verdicts.
 */
function judgeInSession(addresses: readonly Uint8Array[], remote?: string) {
  const time = createFakeTime(1_000);
  const judged: { address: string; verdict: Verdict }[] = [];
  const session = createPexSession({
    send: () => {},
    clock: time.clock,
    timers: time.timers,
    ...(remote === undefined ? {} : { remoteAddress: { address: remote, port: 1 } }),
    accept: (peer, context) => {
      judged.push({ address: peer.address, verdict: classifyPeer(peer, context) });
      return false; // remember nothing, so every peer of every message is judged
    },
  });
  const warnings: unknown[] = [];
  session.on('warning', (warning) => warnings.push(warning));
  for (let at = 0; at < addresses.length; at += 50) {
    const peers: CompactPeer[] = addresses
      .slice(at, at + 50)
      .map((address, i) => ({ address, port: 1 + at + i }));
    session.receive(
      encodePexMessage({
        added: peers.filter((p) => p.address.length === 4),
        added6: peers.filter((p) => p.address.length === 16),
        dropped: [],
        dropped6: [],
      }),
    );
    time.advance(70_000);
  }
  expect(warnings).toEqual([]);
  return judged;
}

const REMOTES = [undefined, '93.184.216.34', '192.168.1.1', '127.0.0.1', 'fd00::1', '::1'];

describe('ranges found from address integers', () => {
  test.each(['ipv4', 'ipv6'] as const)(
    'the edges of every ipaddr.js %s range get the verdict of their text',
    (kind) => {
      const addresses = boundaryAddresses(kind);
      for (const remote of REMOTES) {
        const judged = judgeInSession(addresses, remote);
        expect(judged.length).toBe(addresses.length);
        for (const { address, verdict } of judged) {
          expect([address, verdict]).toEqual([address, expectedVerdict(address, remote)]);
        }
      }
    },
  );

  test('random addresses get the verdict and the text ipaddr.js gives them', () => {
    const group = fc.oneof(fc.constant(0), fc.nat(0xff), fc.nat(0xffff));
    const ipv6 = fc
      .tuple(
        fc.constantFrom(0, 0x100, 0x2001, 0x2002, 0x2620, 0x3fff, 0x5f00, 0xfc00, 0xfe80, 0xff02),
        fc.array(group, { minLength: 7, maxLength: 7 }),
      )
      .map(([first, rest]) => {
        const groups = [first, ...rest];
        return Uint8Array.from(groups.flatMap((g) => [g >>> 8, g & 0xff]));
      });
    const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ipv4, ipv6), { minLength: 1, maxLength: 120 }),
        fc.constantFrom(...REMOTES),
        (addresses, remote) => {
          const judged = judgeInSession(addresses, remote);
          expect(judged.length).toBe(addresses.length);
          const texts = new Set(addresses.map((bytes) => readPeerAddress(bytes, 1).address));
          for (const { address, verdict } of judged) {
            expect(texts.has(address)).toBe(true);
            expect(parseIpAddress(address).address).toBe(address);
            expect(verdict).toBe(expectedVerdict(address, remote));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
