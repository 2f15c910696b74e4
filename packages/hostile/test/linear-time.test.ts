import { describe, expect, test } from '@jest/globals';
import { decodePexMessage, isPexDecodeError, type PexLimits } from '@pex/core';
import { bytesOf } from '@pex/test-support';

// Decoding cost must grow linearly with the input, whatever its shape. Each shape is decoded at
// N and 4N bytes; the ratio of the median CPU times must stay below 8 (linear is about 4,
// quadratic 16). The one place where time is measured, and only as a ratio.
const SMALL_BYTES = 16 * 1024;
const MAX_RATIO = 8;
const SAMPLES = 7;
const ascii = (text: string) => Uint8Array.from(text, (ch) => ch.charCodeAt(0));

/** Repeats `unit` inside `head` ... `tail` until the payload has about `size` bytes. */
function fill(head: string, unit: string, tail: string, size: number): Uint8Array {
  const times = Math.max(1, Math.floor((size - head.length - tail.length) / unit.length));
  return ascii(head + unit.repeat(times) + tail);
}

interface Shape {
  readonly name: string;
  /** The payload of about `size` bytes and the limits it is decoded with. */
  build(size: number): { bytes: Uint8Array; limits: Partial<PexLimits> };
  /** 'ok' if it must decode, otherwise the reason it must be refused with. */
  readonly outcome: string;
  /** N for this shape, when not SMALL_BYTES. */
  readonly smallBytes?: number;
}

// Limits that let the larger sample through: the defaults stop at 64 KiB.
const WIDE = { maxMessageBytes: 1 << 20, maxPeersPerList: 1 << 20 };

const SHAPES: readonly Shape[] = [
  {
    name: 'nesting as deep as the input allows (maxDepth raised to fit)',
    outcome: 'ok',
    // Depth 2 000 and 8 000. Past about 10 000 levels the scratch stack outgrows V8's young
    // generation and the cost per byte steps up once (about 2x), then stays flat up to 1 MiB.
    smallBytes: 4 * 1024,
    build: (size) => {
      const depth = Math.floor((size - 6) / 2);
      return {
        bytes: ascii(`d1:x${'l'.repeat(depth)}${'e'.repeat(depth)}e`),
        limits: { ...WIDE, maxDepth: depth + 1 },
      };
    },
  },
  {
    name: 'many values nested to the default depth limit',
    outcome: 'ok',
    build: (size) => ({
      bytes: fill('d1:xl', `${'l'.repeat(14)}${'e'.repeat(14)}`, 'ee', size),
      limits: WIDE,
    }),
  },
  {
    name: 'one long integer',
    outcome: 'ok',
    build: (size) => ({ bytes: fill('d1:xi', '7', 'ee', size), limits: WIDE }),
  },
  {
    name: 'many long integers',
    outcome: 'ok',
    build: (size) => ({ bytes: fill('d1:xl', 'i-123456789012345678e', 'ee', size), limits: WIDE }),
  },
  {
    name: 'many strings with 9-digit declared lengths',
    outcome: 'ok',
    build: (size) => ({ bytes: fill('d1:xl', '000000003:abc', 'ee', size), limits: WIDE }),
  },
  {
    name: 'a huge declared string length after a long valid prefix',
    outcome: 'truncated',
    build: (size) => ({ bytes: fill('d', '1:a0:', '1:b999999999:', size), limits: WIDE }),
  },
  {
    name: 'many tiny unknown keys',
    outcome: 'ok',
    build: (size) => ({ bytes: fill('d', '1:a0:', 'e', size), limits: WIDE }),
  },
  {
    name: 'many tiny unknown keys with integer values',
    outcome: 'ok',
    build: (size) => ({ bytes: fill('d', '0:i0e', 'e', size), limits: WIDE }),
  },
  {
    name: 'all four compact lists, up to a maximum-size message at the default limits',
    outcome: 'ok',
    // 64 KiB holds 1 300 peers in each list (IPv4 with flags, IPv6 with flags, both dropped).
    build: (size) => ({ bytes: compactLists(Math.floor((size - 100) / 50)), limits: {} }),
  },
  {
    name: 'one added list up to maxPeersPerList (2 000 peers) at the default limits',
    outcome: 'ok',
    // The size here is the list's: N = 500 peers, 4N = 2 000.
    build: (size) => ({ bytes: compactLists(Math.round(size / 32.768), ['added']), limits: {} }),
  },
];

/** A message with `count` distinct peers in each of `lists`, with full flags. */
function compactLists(
  count: number,
  lists: readonly string[] = ['added', 'added6', 'dropped', 'dropped6'],
): Uint8Array {
  const parts: Uint8Array[] = [ascii('d')];
  let serial = 0;
  for (const list of lists) {
    const size = list.endsWith('6') ? 18 : 6;
    const peers = new Uint8Array(count * size);
    for (let i = 0; i < count; i++) {
      serial++;
      peers[i * size] = 100;
      peers[i * size + 1] = (serial >> 16) & 0xff;
      peers[i * size + 2] = (serial >> 8) & 0xff;
      peers[i * size + 3] = serial & 0xff;
      peers[i * size + size - 1] = 1;
    }
    parts.push(ascii(`${list.length}:${list}${peers.length}:`), peers);
    if (list.startsWith('added')) {
      parts.push(ascii(`${list.length + 2}:${list}.f${count}:`), new Uint8Array(count).fill(0x10));
    }
  }
  parts.push(ascii('e'));
  return bytesOf(...parts);
}

/** Decodes and touches every peer (addresses are built on first access), as a receiver would. */
function decodeFully(bytes: Uint8Array, limits: Partial<PexLimits>): string {
  try {
    const message = decodePexMessage(bytes, limits);
    let sum = 0;
    for (const list of [message.added, message.added6, message.dropped, message.dropped6]) {
      for (const peer of list) sum += (peer.address[0] as number) + peer.port;
    }
    return sum >= 0 ? 'ok' : 'never';
  } catch (error) {
    if (isPexDecodeError(error)) return error.reason;
    throw error;
  }
}

/** CPU time (user + system, µs) of `rounds` calls of `run`. */
function cpuMicros(run: () => unknown, rounds: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < rounds; i++) run();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/**
 * How much more CPU time `large` takes than `small` (median of interleaved samples): about 4 for
 * linear work on a 4x input, 16 for quadratic. The one measuring helper of this file, used by the
 * shapes and by the control below alike.
 */
function growthRatio(small: () => unknown, large: () => unknown): number {
  // Warm-up first: a cold first decode can alone take the few milliseconds the calibration
  // looks for, which would leave one decode per sample and samples at the mercy of the JIT.
  cpuMicros(small, 20);
  cpuMicros(large, 5);
  // Enough rounds that one sample of the small input takes a few milliseconds of CPU.
  let rounds = 1;
  while (cpuMicros(small, rounds) < 3_000 && rounds < 1 << 16) rounds *= 2;
  // Samples interleaved so that a change in machine load hits both sizes.
  const smallTimes: number[] = [];
  const largeTimes: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    smallTimes.push(cpuMicros(small, rounds));
    largeTimes.push(cpuMicros(large, rounds));
  }
  return median(largeTimes) / Math.max(1, median(smallTimes));
}

describe('decoding cost grows linearly with the input', () => {
  test.each(SHAPES.map((shape) => [shape.name, shape] as const))('%s', (_name, shape) => {
    const small = shape.build(shape.smallBytes ?? SMALL_BYTES);
    const large = shape.build(4 * (shape.smallBytes ?? SMALL_BYTES));
    expect(large.bytes.length / small.bytes.length).toBeCloseTo(4, 1);
    expect(decodeFully(small.bytes, small.limits)).toBe(shape.outcome);
    expect(decodeFully(large.bytes, large.limits)).toBe(shape.outcome);

    const ratio = growthRatio(
      () => decodeFully(small.bytes, small.limits),
      () => decodeFully(large.bytes, large.limits),
    );
    process.stdout.write(`linear-time ${shape.name}: 4x input -> ${ratio.toFixed(2)}x CPU\n`);
    expect(ratio).toBeLessThan(MAX_RATIO);
  });
});

/**
 * A decoder with the classic quadratic bug: for each peer it decoded, it looks the peer's bytes
 * up again from the start of the payload (an `indexOf` per peer), so its cost is peers x bytes.
 * The same answers as `decodeFully`, only slower.
 */
function decodeQuadratically(bytes: Uint8Array, limits: Partial<PexLimits>): string {
  const outcome = decodeFully(bytes, limits);
  const message = decodePexMessage(bytes, limits);
  let found = 0;
  for (const peer of message.added) {
    const needle = peer.address;
    for (let at = 0; at + needle.length <= bytes.length; at++) {
      let same = true;
      for (let i = 0; i < needle.length && same; i++) same = bytes[at + i] === needle[i];
      if (same) {
        found++;
        break;
      }
    }
  }
  return found <= message.added.length ? outcome : 'never';
}

const CONTROL_BYTES = SMALL_BYTES / 4;

describe('control: the measurement tells quadratic from linear', () => {
  // Without this, a measurement that always reports about 4 (a wrong timer, work optimised away)
  // would pass every shape above and prove nothing.
  test('a decoder doing O(n^2) work on one added list is reported above the limit', () => {
    const shape = SHAPES.find((candidate) => candidate.name.startsWith('one added list'));
    if (shape === undefined) throw new Error('the shape of one added list is gone');
    // A quarter of the shape's usual size (125 and 500 peers): quadratic work is slow enough.
    const small = shape.build(CONTROL_BYTES);
    const large = shape.build(4 * CONTROL_BYTES);
    expect(decodeQuadratically(small.bytes, small.limits)).toBe(shape.outcome);
    expect(decodeQuadratically(large.bytes, large.limits)).toBe(shape.outcome);

    const ratio = growthRatio(
      () => decodeQuadratically(small.bytes, small.limits),
      () => decodeQuadratically(large.bytes, large.limits),
    );
    process.stdout.write(
      `linear-time control (quadratic decoder): 4x input -> ${ratio.toFixed(2)}x CPU\n`,
    );
    expect(ratio).toBeGreaterThan(MAX_RATIO);
  });
});
