import ipaddr from 'ipaddr.js';

// Range lookups from address integers, against a table of special-purpose subnets that is ours:
// written out below from the RFCs and the IANA IPv4 and IPv6 Special-Purpose Address Registries,
// with ipaddr.js's range names, in ipaddr.js's order (the first match wins, as in its
// `range()`), so that the answer is the one `ipaddr.parse(text).range()` gives for the address's
// text, without formatting or parsing text.
// ipaddr.js keeps its own table in `SpecialRanges` on the IPv4 and IPv6 prototypes, a field that
// is neither documented nor typed. This module used to read it, and when it was missing or
// altered every address became `unicast`: the default peer policy accepted 127.0.0.1, 10.0.0.1
// and 224.0.0.1 from a public remote, failing open. Owning the table makes the policy fail
// closed whatever happens to that field. Only ipaddr.js's public API is used here (`parseCIDR`,
// `toByteArray`); the tests hold the table to ipaddr.js's `range()` on random and boundary
// addresses, and run the policy with the field deleted and replaced.

/**
 * The special-purpose subnets, as [ipaddr.js range name, CIDR], in ipaddr.js's order.
 * @internal exported for the tests.
 */
export const IPV4_SPECIAL_RANGES: readonly (readonly [name: string, cidr: string])[] = [
  // RFC 1122 3.2.1.3 ("this network"), RFC 6890.
  ['unspecified', '0.0.0.0/8'],
  // RFC 919, RFC 8190 (limited broadcast).
  ['broadcast', '255.255.255.255/32'],
  // RFC 5771 (was RFC 3171).
  ['multicast', '224.0.0.0/4'],
  // RFC 3927.
  ['linkLocal', '169.254.0.0/16'],
  // RFC 1122 3.2.1.3, RFC 6890.
  ['loopback', '127.0.0.0/8'],
  // RFC 6598 (shared address space).
  ['carrierGradeNat', '100.64.0.0/10'],
  // RFC 1918.
  ['private', '10.0.0.0/8'],
  ['private', '172.16.0.0/12'],
  ['private', '192.168.0.0/16'],
  // RFC 6890 (IETF protocol assignments).
  ['reserved', '192.0.0.0/24'],
  // RFC 5737 (TEST-NET-1, documentation).
  ['reserved', '192.0.2.0/24'],
  // RFC 7526 (deprecated 6to4 relay anycast, was RFC 3068).
  ['reserved', '192.88.99.0/24'],
  // RFC 2544 (benchmarking).
  ['reserved', '198.18.0.0/15'],
  // RFC 5737 (TEST-NET-2, documentation).
  ['reserved', '198.51.100.0/24'],
  // RFC 5737 (TEST-NET-3, documentation).
  ['reserved', '203.0.113.0/24'],
  // RFC 1112 4 (class E, reserved for future use).
  ['reserved', '240.0.0.0/4'],
  // RFC 7534 (AS112-v4).
  ['as112', '192.175.48.0/24'],
  // RFC 7535 (AS112 direct delegation).
  ['as112', '192.31.196.0/24'],
  // RFC 7450 (AMT).
  ['amt', '192.52.193.0/24'],
];

/**
 * As `IPV4_SPECIAL_RANGES`, for IPv6.
 * @internal exported for the tests.
 */
export const IPV6_SPECIAL_RANGES: readonly (readonly [name: string, cidr: string])[] = [
  // RFC 4291 2.5.2.
  ['unspecified', '::/128'],
  // RFC 4291 2.5.6.
  ['linkLocal', 'fe80::/10'],
  // RFC 4291 2.7.
  ['multicast', 'ff00::/8'],
  // RFC 4291 2.5.3.
  ['loopback', '::1/128'],
  // RFC 4193.
  ['uniqueLocal', 'fc00::/7'],
  // RFC 4291 2.5.5.2.
  ['ipv4Mapped', '::ffff:0:0/96'],
  // RFC 3879 (site-local, deprecated).
  ['deprecatedSiteLocal', 'fec0::/10'],
  // RFC 6666 (discard-only).
  ['discard', '100::/64'],
  // RFC 6145 (IPv4-translated, now RFC 7915).
  ['rfc6145', '::ffff:0:0:0/96'],
  // RFC 6052 (IPv4/IPv6 translation, well-known prefix).
  ['rfc6052', '64:ff9b::/96'],
  // RFC 8215 (local-use IPv4/IPv6 translation).
  ['rfc6052', '64:ff9b:1::/48'],
  // RFC 3056 (6to4).
  ['6to4', '2002::/16'],
  // RFC 4380 (Teredo).
  ['teredo', '2001::/32'],
  // RFC 5180 (benchmarking).
  ['benchmarking', '2001:2::/48'],
  // RFC 7450 (AMT).
  ['amt', '2001:3::/32'],
  // RFC 7535 (AS112 direct delegation).
  ['as112v6', '2001:4:112::/48'],
  // RFC 7534 (AS112-v6).
  ['as112v6', '2620:4f:8000::/48'],
  // RFC 4843 (ORCHID, deprecated).
  ['deprecatedOrchid', '2001:10::/28'],
  // RFC 7343 (ORCHIDv2).
  ['orchid2', '2001:20::/28'],
  // RFC 9374 (DRIP entity tags).
  ['droneRemoteIdProtocolEntityTags', '2001:30::/28'],
  // RFC 9602 (segment routing SIDs).
  ['segmentRouting', '5f00::/16'],
  // RFC 2928 (IETF protocol assignments).
  ['reserved', '2001::/23'],
  // RFC 3849 (documentation).
  ['reserved', '2001:db8::/32'],
  // RFC 9637 (documentation).
  ['reserved', '3fff::/20'],
];

/** One subnet of a special range, as integers. */
interface Subnet {
  /** The ipaddr.js range name (`private`, `reserved`, ...). */
  readonly name: string;
  /** Prefix length in bits. */
  readonly bits: number;
  /** Per word of the prefix (one uint32 for IPv4, 16-bit groups for IPv6): the bits that count. */
  readonly masks: readonly number[];
  /** Per word of the prefix: the subnet's address, masked. */
  readonly words: readonly number[];
}

/** Per first byte of the address: the range if every subnet matching that byte decides it. */
interface RangeTable {
  /** The range of every address starting with this byte, or undefined to look at `subnets`. */
  readonly decided: readonly (string | undefined)[];
  /** Subnets that may match an address starting with this byte, in the table's order. */
  readonly subnets: readonly (readonly Subnet[])[];
}

/** ipaddr.js's name for an address in no special range. */
const UNICAST = 'unicast';

/** The subnets of `ranges`, in order, parsed with ipaddr.js's public `parseCIDR`. */
function parseSubnets(
  kind: 'ipv4' | 'ipv6',
  ranges: readonly (readonly [name: string, cidr: string])[],
): Subnet[] {
  return ranges.map(([name, cidr]) => {
    const [address, bits] = ipaddr.parseCIDR(cidr);
    if (address.kind() !== kind) {
      throw new TypeError(`"cidr" expected an ${kind} subnet, got ${JSON.stringify(cidr)}`);
    }
    return toSubnet(name, toWords(address.toByteArray()), bits, kind === 'ipv4' ? 32 : 16);
  });
}

/** Bytes to one uint32 (4 bytes) or eight 16-bit groups (16 bytes). */
function toWords(bytes: readonly number[]): number[] {
  if (bytes.length === 4) {
    return [
      (bytes[0] as number) * 0x1000000 +
        (((bytes[1] as number) << 16) | ((bytes[2] as number) << 8) | (bytes[3] as number)),
    ];
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  }
  return groups;
}

/** A subnet of `bits` starting at `words` (each `size` bits wide), with its masks precomputed. */
function toSubnet(name: string, words: readonly number[], bits: number, size: number): Subnet {
  const masks: number[] = [];
  const masked: number[] = [];
  // Whole words while bits remain, then the top bits of the last (as CIDR matching does).
  for (let i = 0, left = bits; left > 0; i++, left -= size) {
    const kept = Math.min(left, size);
    const mask = (2 ** size - 2 ** (size - kept)) >>> 0;
    masks.push(mask);
    masked.push(((words[i] as number) & mask) >>> 0);
  }
  return { name, bits, masks, words: masked };
}

/** Whether `words` (the address, one uint32 or eight 16-bit groups) lies in `subnet`. */
function matchSubnet(words: ArrayLike<number>, subnet: Subnet): boolean {
  const { masks } = subnet;
  for (let i = 0; i < masks.length; i++) {
    if (((words[i] as number) & (masks[i] as number)) >>> 0 !== subnet.words[i]) return false;
  }
  return true;
}

/** First byte of a subnet's first word (`size` bits). */
function firstByteOf(subnet: Subnet, size: number): number {
  return (subnet.words[0] ?? 0) >>> (size - 8);
}

function buildTable(subnets: readonly Subnet[], size: number): RangeTable {
  const decided: (string | undefined)[] = [];
  const candidates: Subnet[][] = [];
  for (let byte = 0; byte < 256; byte++) {
    // The subnets that contain at least one address starting with `byte`.
    const matching = subnets.filter((subnet) => {
      const prefix = Math.min(subnet.bits, 8);
      const shift = 8 - prefix;
      return byte >>> shift === firstByteOf(subnet, size) >>> shift;
    });
    const first = matching[0];
    // The first candidate decides alone when it holds every address starting with `byte`.
    decided.push(first === undefined ? UNICAST : first.bits <= 8 ? first.name : undefined);
    candidates.push(matching);
  }
  return { decided, subnets: candidates };
}

const IPV4_TABLE: RangeTable = /* @__PURE__ */ buildTable(
  /* @__PURE__ */ parseSubnets('ipv4', IPV4_SPECIAL_RANGES),
  32,
);
const IPV6_TABLE: RangeTable = /* @__PURE__ */ buildTable(
  /* @__PURE__ */ parseSubnets('ipv6', IPV6_SPECIAL_RANGES),
  16,
);

/** The 1-element word list `ipv4RangeOf` matches against, reused (no allocation per call). */
const ipv4Word: number[] = [0];

/**
 * The ipaddr.js range name of an IPv4 address given as a uint32 (`ipaddr.IPv4.range()`).
 * @throws never.
 */
export function ipv4RangeOf(address: number): string {
  const byte = address >>> 24;
  const decided = IPV4_TABLE.decided[byte];
  if (decided !== undefined) return decided;
  ipv4Word[0] = address;
  const subnets = IPV4_TABLE.subnets[byte] as readonly Subnet[];
  for (let i = 0; i < subnets.length; i++) {
    const subnet = subnets[i] as Subnet;
    if (matchSubnet(ipv4Word, subnet)) return subnet.name;
  }
  return UNICAST;
}

/**
 * The ipaddr.js range name of an IPv6 address given as eight 16-bit groups
 * (`ipaddr.IPv6.range()`; `ipv4Mapped` for `::ffff:a.b.c.d`).
 * @throws never.
 */
export function ipv6RangeOf(groups: ArrayLike<number>): string {
  const byte = (groups[0] as number) >>> 8;
  const decided = IPV6_TABLE.decided[byte];
  if (decided !== undefined) return decided;
  const subnets = IPV6_TABLE.subnets[byte] as readonly Subnet[];
  for (let i = 0; i < subnets.length; i++) {
    const subnet = subnets[i] as Subnet;
    if (matchSubnet(groups, subnet)) return subnet.name;
  }
  return UNICAST;
}

/**
 * The ipaddr.js range name of a parsed address, from our table: what its `range()` answers,
 * without reading ipaddr.js's own table.
 * @throws never.
 */
export function findAddressRange(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  const words = toWords(address.toByteArray());
  return address.kind() === 'ipv4' ? ipv4RangeOf(words[0] as number) : ipv6RangeOf(words);
}
