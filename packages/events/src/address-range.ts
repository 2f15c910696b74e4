import ipaddr from 'ipaddr.js';

// Range lookups from address integers, derived at load from ipaddr.js's own range tables
// (`SpecialRanges`, what `range()` matches against), so that the answer is always the one
// `ipaddr.parse(text).range()` gives for the address's text, without formatting or parsing text.
// The tables are read, never written here: ipaddr.js stays the one place that says which ranges
// exist. The tests compare both answers on random and boundary addresses.

/** One subnet of an ipaddr.js range, as integers. */
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
  /** Subnets that may match an address starting with this byte, in ipaddr.js's order. */
  readonly subnets: readonly (readonly Subnet[])[];
}

/** ipaddr.js's name for an address in no special range. */
const UNICAST = 'unicast';

/** The prefix of the range table of `kind` as ipaddr.js lists it, subnet by subnet, in order. */
function readSpecialRanges(kind: 'ipv4' | 'ipv6'): Subnet[] {
  const prototype = (kind === 'ipv4'
    ? ipaddr.IPv4.prototype
    : ipaddr.IPv6.prototype) as unknown as {
    readonly SpecialRanges: Record<string, unknown>;
  };
  const ranges = prototype.SpecialRanges;
  const subnets: Subnet[] = [];
  // The same walk as `ipaddr.subnetMatch`: own keys in order, a lone [address, bits] pair or a
  // list of them, only subnets of the same kind; the first match wins.
  for (const name in ranges) {
    if (!Object.hasOwn(ranges, name)) continue;
    let list = ranges[name] as unknown[];
    if (list[0] !== undefined && !Array.isArray(list[0])) list = [list];
    for (const entry of list as [ipaddr.IPv4 | ipaddr.IPv6, number][]) {
      const [address, bits] = entry;
      if (address.kind() !== kind) continue;
      subnets.push(toSubnet(name, toWords(address.toByteArray()), bits, kind === 'ipv4' ? 32 : 16));
    }
  }
  return subnets;
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
  // As ipaddr.js's `matchCIDR`: whole words while bits remain, then the top bits of the last.
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

const IPV4_TABLE: RangeTable = /* @__PURE__ */ buildTable(readSpecialRanges('ipv4'), 32);
const IPV6_TABLE: RangeTable = /* @__PURE__ */ buildTable(readSpecialRanges('ipv6'), 16);

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
