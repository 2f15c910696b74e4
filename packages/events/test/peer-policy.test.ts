import { describe, expect, test } from '@jest/globals';
import {
  classifyPeer,
  type PexPeerEvent,
  type PexPolicyContext,
  type PexRefusal,
  parsePeerAddress,
} from '@pex/events';
import { acceptPeerByDefault, readPeerFlags } from '@pex/events/internal';

function peer(text: string, port?: number): PexPeerEvent {
  const parsed = parsePeerAddress(port === undefined ? text : { address: text, port: 1 });
  return {
    address: parsed.address,
    port: port ?? parsed.port,
    family: parsed.family,
    flags: readPeerFlags(0),
  };
}

function context(remote?: string, localAddresses: string[] = []): PexPolicyContext {
  const endpoint = (text: string) => {
    const { address, port, family } = parsePeerAddress(text);
    return { address, port, family };
  };
  return {
    remote: remote === undefined ? undefined : endpoint(remote),
    localAddresses: localAddresses.map(endpoint),
  };
}

const PUBLIC_V4 = '93.184.216.34:6881';
const PUBLIC_V6 = '[2606:4700::1111]:6881';
const PRIVATE_V4 = '192.168.1.20:6881';
const LOOPBACK_V4 = '127.0.0.1:6881';
const LINK_LOCAL_V6 = '[fe80::1]:6881';
const UNIQUE_LOCAL_V6 = '[fd00::2]:6881';

type Row = readonly [
  name: string,
  peer: PexPeerEvent,
  context: PexPolicyContext,
  expected: 'accept' | PexRefusal,
];

const TABLE: readonly Row[] = [
  ['public IPv4 from an unknown remote', peer('1.2.3.4:6881'), context(), 'accept'],
  ['public IPv4 from a public remote', peer('1.2.3.4:6881'), context(PUBLIC_V4), 'accept'],
  ['public IPv6', peer(PUBLIC_V6), context(PUBLIC_V4), 'accept'],
  ['carrier-grade NAT is not local', peer('100.64.1.1:6881'), context(PUBLIC_V4), 'accept'],
  ['port 0', peer('1.2.3.4', 0), context(PUBLIC_V4), 'port-zero'],
  ['port 0 IPv6', peer('2606:4700::1111', 0), context(PUBLIC_V4), 'port-zero'],
  ['unspecified IPv4', peer('0.0.0.0:6881'), context(PUBLIC_V4), 'unspecified'],
  ['0.0.0.0/8', peer('0.1.2.3:6881'), context(PUBLIC_V4), 'unspecified'],
  ['unspecified IPv6', peer('[::]:6881'), context(PUBLIC_V4), 'unspecified'],
  ['multicast IPv4', peer('224.0.0.1:6881'), context(PUBLIC_V4), 'multicast'],
  ['multicast IPv6', peer('[ff02::1]:6881'), context(PUBLIC_V4), 'multicast'],
  ['broadcast', peer('255.255.255.255:6881'), context(PUBLIC_V4), 'broadcast'],
  ['class E', peer('240.0.0.1:6881'), context(PUBLIC_V4), 'reserved'],
  ['TEST-NET-3', peer('203.0.113.7:6881'), context(PUBLIC_V4), 'reserved'],
  ['IPv6 documentation range', peer('[2001:db8::1]:6881'), context(PUBLIC_V4), 'reserved'],
  ['IPv6 discard prefix', peer('[100::1]:6881'), context(PUBLIC_V4), 'reserved'],
  ['private from a public remote', peer(PRIVATE_V4), context(PUBLIC_V4), 'local-from-remote'],
  ['private from an unknown remote', peer(PRIVATE_V4), context(), 'local-from-remote'],
  ['private from a private remote', peer(PRIVATE_V4), context('10.0.0.5:51413'), 'accept'],
  ['172.16/12 from a link-local remote', peer('172.16.0.9:1'), context('169.254.3.3:1'), 'accept'],
  [
    'link-local IPv4 from a public remote',
    peer('169.254.1.1:6881'),
    context(PUBLIC_V4),
    'local-from-remote',
  ],
  [
    'link-local IPv6 from a public remote',
    peer(LINK_LOCAL_V6),
    context(PUBLIC_V6),
    'local-from-remote',
  ],
  [
    'link-local IPv6 from a unique-local remote',
    peer(LINK_LOCAL_V6),
    context(UNIQUE_LOCAL_V6),
    'accept',
  ],
  [
    'unique-local from a public remote',
    peer(UNIQUE_LOCAL_V6),
    context(PUBLIC_V6),
    'local-from-remote',
  ],
  ['unique-local from a private IPv4 remote', peer(UNIQUE_LOCAL_V6), context(PRIVATE_V4), 'accept'],
  ['loopback from a public remote', peer(LOOPBACK_V4), context(PUBLIC_V4), 'local-from-remote'],
  ['loopback from an unknown remote', peer(LOOPBACK_V4), context(), 'local-from-remote'],
  [
    'loopback from a private remote (not our host)',
    peer(LOOPBACK_V4),
    context(PRIVATE_V4),
    'local-from-remote',
  ],
  ['loopback from a loopback remote', peer('127.0.0.1:7000'), context('127.0.0.1:7001'), 'accept'],
  [
    'IPv6 loopback from an IPv4 loopback remote',
    peer('[::1]:7000'),
    context(LOOPBACK_V4),
    'accept',
  ],
  [
    'mapped loopback is IPv4 loopback',
    peer('[::ffff:127.0.0.1]:7000'),
    context(PUBLIC_V4),
    'local-from-remote',
  ],
  [
    'our own listen address',
    peer('127.0.0.1:7000'),
    context('127.0.0.1:7001', ['127.0.0.1:7000']),
    'own-address',
  ],
  [
    'our own public listen address',
    peer('1.2.3.4:6881'),
    context(PUBLIC_V4, ['1.2.3.4:6881']),
    'own-address',
  ],
  [
    'our own IPv6 address, other spelling',
    peer('[2606:4700:0::1111]:6881'),
    context(PUBLIC_V4, ['[2606:4700::1111]:6881']),
    'own-address',
  ],
  [
    'our address, another port',
    peer('1.2.3.4:6882'),
    context(PUBLIC_V4, ['1.2.3.4:6881']),
    'accept',
  ],
];

describe('default peer policy', () => {
  test.each(TABLE)('%s', (_name, candidate, ctx, expected) => {
    expect(classifyPeer(candidate, ctx)).toBe(expected);
    expect(acceptPeerByDefault(candidate, ctx)).toBe(expected === 'accept');
  });

  test('every refusal reason appears in the table', () => {
    const reasons: PexRefusal[] = [
      'port-zero',
      'unspecified',
      'multicast',
      'broadcast',
      'reserved',
      'local-from-remote',
      'own-address',
    ];
    const covered = new Set(TABLE.map((row) => row[3]));
    expect(reasons.filter((r) => !covered.has(r))).toEqual([]);
  });

  test('refuses a peer whose address is not an IP address', () => {
    const bad = { ...peer('1.2.3.4:1'), address: 'example.com' };
    expect(() => classifyPeer(bad, context())).toThrow(
      new TypeError('"address" expected an IP address, got "example.com"'),
    );
  });

  test('our own address on another port is another peer', () => {
    const own = context(undefined, ['9.9.9.9:1']);
    expect(classifyPeer(peer('9.9.9.9:1'), own)).toBe('own-address');
    expect(classifyPeer(peer('9.9.9.9:2'), own)).toBe('accept');
    expect(classifyPeer(peer('9.9.9.8:1'), own)).toBe('accept');
  });
});
