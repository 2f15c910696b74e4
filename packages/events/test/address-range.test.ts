import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { type CompactPeer, encodePexMessage } from '@pex/core';
import { classifyPeer, createPexSession, type PexRefusal } from '@pex/events';
import { parseIpAddress, readPeerAddress } from '@pex/events/internal';
import { createFakeTime } from '@pex/test-support';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import {
  findAddressRange,
  IPV4_SPECIAL_RANGES,
  IPV6_SPECIAL_RANGES,
  ipv4RangeOf,
  ipv6RangeOf,
} from '../src/address-range.js';

// The session finds each received peer's range from its address integers, through our own
// table of special-purpose subnets (address-range.ts). These tests hold it to what ipaddr.js
// says of the peer's text: every verdict of the default policy inside a session must be the one
// the policy's rules give for `ipaddr.parse(text).range()`, and every range our table gives
// must be ipaddr.js's. ipaddr.js's undocumented `SpecialRanges` is read here as an oracle only;
// the last tests hide it from a child process and expect the same refusals.

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

type Kind = 'ipv4' | 'ipv6';

const WIDTH: Readonly<Record<Kind, number>> = { ipv4: 32, ipv6: 128 };
const OURS: Readonly<Record<Kind, readonly (readonly [string, string])[]>> = {
  ipv4: IPV4_SPECIAL_RANGES,
  ipv6: IPV6_SPECIAL_RANGES,
};

/** ipaddr.js's own table (`SpecialRanges`), as [name, first address, prefix bits], in order. */
function readOracleSubnets(kind: Kind): [string, bigint, number][] {
  const prototype = (kind === 'ipv4'
    ? ipaddr.IPv4.prototype
    : ipaddr.IPv6.prototype) as unknown as {
    SpecialRanges: Record<string, unknown>;
  };
  const out: [string, bigint, number][] = [];
  for (const [name, value] of Object.entries(prototype.SpecialRanges)) {
    const list = (Array.isArray((value as unknown[])[0]) ? value : [value]) as [
      ipaddr.IPv4 | ipaddr.IPv6,
      number,
    ][];
    for (const [address, bits] of list) out.push([name, toBigInt(address.toByteArray()), bits]);
  }
  return out;
}

/** Our table, as [name, first address, prefix bits], in order. */
function readOurSubnets(kind: Kind): [string, bigint, number][] {
  return OURS[kind].map(([name, cidr]) => {
    const [address, bits] = ipaddr.parseCIDR(cidr);
    return [name, toBigInt(address.toByteArray()), bits];
  });
}

function formatSubnet([name, first, bits]: [string, bigint, number], kind: Kind): string {
  return `${name} ${ipaddr.fromByteArray([...fromBigInt(first, WIDTH[kind] / 8)]).toString()}/${bits}`;
}

/** The range our table gives an address (as an integer), through the session's lookups. */
function findOurRange(n: bigint, kind: Kind): string {
  if (kind === 'ipv4') return ipv4RangeOf(Number(n));
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(16 * i)) & 0xffffn));
  return ipv6RangeOf(groups);
}

/**
 * Every address of `numbers` where our table and ipaddr.js's `range()` (of the address's text)
 * disagree, with both answers: empty when they agree. `findAddressRange` (the policy's lookup
 * for a parsed text) is checked too.
 */
function findDisagreements(numbers: Iterable<bigint>, kind: Kind) {
  const out: { address: string; ours: string; parsed: string; ipaddr: string }[] = [];
  for (const n of numbers) {
    const text = ipaddr.fromByteArray([...fromBigInt(n, WIDTH[kind] / 8)]).toString();
    const oracle = ipaddr.parse(text).range();
    const ours = findOurRange(n, kind);
    const parsed = findAddressRange(ipaddr.parse(text));
    if (ours !== oracle || parsed !== oracle)
      out.push({ address: text, ours, parsed, ipaddr: oracle });
  }
  return out;
}

/** First and last address of each subnet, and their neighbours inside the address space. */
function listEdges(subnets: readonly [string, bigint, number][], kind: Kind): bigint[] {
  const width = WIDTH[kind];
  const out: bigint[] = [];
  for (const [, first, bits] of subnets) {
    const last = first | ((1n << BigInt(width - bits)) - 1n);
    for (const n of [first - 1n, first, first + 1n, last - 1n, last, last + 1n]) {
      if (n >= 0n && n < 1n << BigInt(width)) out.push(n);
    }
  }
  return out;
}

describe('our range table against ipaddr.js', () => {
  test.each(['ipv4', 'ipv6'] as const)(
    'the %s table lists the subnets of ipaddr.js, with its names, in its order',
    (kind) => {
      const ours = readOurSubnets(kind).map((subnet) => formatSubnet(subnet, kind));
      const oracle = readOracleSubnets(kind).map((subnet) => formatSubnet(subnet, kind));
      expect(ours).toEqual(oracle);
    },
  );

  test.each(['ipv4', 'ipv6'] as const)(
    'the %s table writes each subnet as its first address (no host bits set)',
    (kind) => {
      for (const [name, cidr] of OURS[kind]) {
        const [address, bits] = ipaddr.parseCIDR(cidr);
        const first = toBigInt(address.toByteArray());
        const hostBits = (1n << BigInt(WIDTH[kind] - bits)) - 1n;
        expect({ name, cidr, kind: address.kind(), host: first & hostBits }).toEqual({
          name,
          cidr,
          kind,
          host: 0n,
        });
      }
    },
  );

  test.each(['ipv4', 'ipv6'] as const)(
    "the edges of every %s subnet, ours and ipaddr.js's, get the range of their text",
    (kind) => {
      const edges = [
        ...listEdges(readOurSubnets(kind), kind),
        ...listEdges(readOracleSubnets(kind), kind),
      ];
      expect(edges.length).toBeGreaterThan(0);
      expect(findDisagreements(edges, kind)).toEqual([]);
    },
  );

  test.each(['ipv4', 'ipv6'] as const)(
    'random %s addresses, in and near every subnet, get the range of their text',
    (kind) => {
      const width = WIDTH[kind];
      const max = (1n << BigInt(width)) - 1n;
      const firsts = [...readOurSubnets(kind), ...readOracleSubnets(kind)].map(
        ([, first]) => first,
      );
      // Anywhere, or a subnet's first address with its low `flipped` bits randomised: inside the
      // subnet while `flipped` is within its host bits, just outside it beyond.
      const address = fc.oneof(
        fc.bigInt({ min: 0n, max }),
        fc
          .tuple(fc.constantFrom(...firsts), fc.bigInt({ min: 0n, max }), fc.nat(width))
          .map(([first, noise, flipped]) => first ^ (noise & ((1n << BigInt(flipped)) - 1n))),
      );
      fc.assert(
        fc.property(fc.array(address, { minLength: 1, maxLength: 50 }), (numbers) => {
          expect(findDisagreements(numbers, kind)).toEqual([]);
        }),
        { numRuns: 300 },
      );
    },
  );
});

/** The fixture's output: see test/fixtures/hidden-special-ranges.mjs. */
interface HiddenFieldRun {
  mode: string;
  sameInstance: boolean;
  ipaddrSaysOfLoopback: string;
  mappedRemote: string;
  peers: { address: string; port: number; family: number }[];
  refused: { address: string; port: number; reason: string }[];
  warnings: string[];
  verdicts: Record<string, Record<string, string>>;
}

const fixture = join(
  dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'hidden-special-ranges.mjs',
);

/** Runs the fixture on the BUILT @pex/events (a fresh process: ES modules are cached). */
function runWithSpecialRanges(mode: 'intact' | 'deleted' | 'empty'): HiddenFieldRun {
  const run = spawnSync(process.execPath, [fixture, mode], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 30_000,
  });
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(run.stdout.trim().split('\n').pop() as string) as HiddenFieldRun;
}

describe("the default policy without ipaddr.js's undocumented SpecialRanges", () => {
  test('deleting or emptying the field changes no refusal and no verdict (built package)', () => {
    const intact = runWithSpecialRanges('intact');
    const runs = [intact, runWithSpecialRanges('deleted'), runWithSpecialRanges('empty')];
    // Only the public peers come out, whatever happened to the field.
    for (const run of runs) {
      expect({ mode: run.mode, peers: run.peers, warnings: run.warnings }).toEqual({
        mode: run.mode,
        peers: [
          { address: '8.8.8.8', port: 6881, family: 4 },
          { address: '2606:4700::1111', port: 6881, family: 6 },
        ],
        warnings: [],
      });
      expect(run.sameInstance).toBe(true);
      expect(run.mappedRemote).toBe('10.0.0.1');
    }
    // The field really was hidden from the instance the package uses: ipaddr.js itself now
    // fails open, and we do not.
    expect(runs.map((run) => run.ipaddrSaysOfLoopback)).toEqual(['loopback', 'unicast', 'unicast']);
    for (const run of runs.slice(1)) {
      expect({ mode: run.mode, refused: run.refused, verdicts: run.verdicts }).toEqual({
        mode: run.mode,
        refused: intact.refused,
        verdicts: intact.verdicts,
      });
    }
    // And the intact run says what the policy's rules say of each address and remote.
    expect(intact.refused.map(({ address }) => address)).toEqual(
      expect.arrayContaining(['127.0.0.1', '10.0.0.1', '224.0.0.1', '0.0.0.0', '240.0.0.1']),
    );
    for (const { address, reason } of intact.refused) {
      expect({ address, reason }).toEqual({
        address,
        reason: expectedVerdict(address, '203.0.113.5'),
      });
    }
    for (const [remote, verdicts] of Object.entries(intact.verdicts)) {
      for (const [address, verdict] of Object.entries(verdicts)) {
        expect({ remote, address, verdict }).toEqual({
          remote,
          address,
          verdict: expectedVerdict(address, remote),
        });
      }
    }
  });
});
