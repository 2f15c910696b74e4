import { GOLDEN_MESSAGES } from '../../../core/test/fixtures/golden-messages.js';
import { HOSTILE_PAYLOADS } from '../../../core/test/fixtures/hostile-payloads.js';

/** One input of the kept corpus: its file name under corpus/<target>/ and its bytes. */
export interface Seed {
  readonly file: string;
  readonly bytes: Uint8Array;
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

/** The decoder's seeds: every golden and every hostile payload of @pex/core's fixture tables. */
export function decodeSeeds(): Seed[] {
  return [
    ...GOLDEN_MESSAGES.map((g) => ({ file: `golden-${slug(g.name)}`, bytes: g.bytes })),
    // Payloads refused only under custom limits are valid under the defaults: still good seeds.
    ...HOSTILE_PAYLOADS.map((h) => ({ file: `hostile-${slug(h.name)}`, bytes: h.bytes })),
  ];
}

// Operations of the session target's little program (fuzz/targets/session.mjs).
const CONFIG_SMALL_CAP_ACCEPT_ALL = 0x00;
const CONFIG_DEFAULT_CAP_DEFAULT_POLICY = 0x03;
const TICK = 4;
const ADD_PEER = 5;
const DROP_PEER = 6;
const CONTROL = 7;

/** A receive operation: op 0, the payload's length (2 bytes, little-endian), the payload. */
function receive(payload: Uint8Array): number[] {
  if (payload.length > 0xffff) throw new RangeError(`payload of ${payload.length} bytes`);
  return [0, payload.length & 0xff, payload.length >> 8, ...payload];
}

/** The session's seeds: fixture payloads received one at a time, in sequences, in floods, and
 * interleaved with our own sending. */
export function sessionSeeds(): Seed[] {
  const seeds: Seed[] = [];
  const golden = GOLDEN_MESSAGES.map((g) => g.bytes);
  for (const g of GOLDEN_MESSAGES) {
    seeds.push({
      file: `golden-${slug(g.name)}`,
      bytes: Uint8Array.from([CONFIG_SMALL_CAP_ACCEPT_ALL, ...receive(g.bytes)]),
    });
  }
  for (const h of HOSTILE_PAYLOADS) {
    if (h.bytes.length > 0xffff) continue;
    seeds.push({
      file: `hostile-${slug(h.name)}`,
      bytes: Uint8Array.from([CONFIG_SMALL_CAP_ACCEPT_ALL, ...receive(h.bytes)]),
    });
  }
  // Every golden message 30 s apart, then the same again after a reset, under the default policy.
  const spaced = golden.flatMap((bytes) => [...receive(bytes), TICK, 60]);
  seeds.push({
    file: 'sequence-golden-spaced',
    bytes: Uint8Array.from([CONFIG_DEFAULT_CAP_DEFAULT_POLICY, ...spaced, CONTROL, 3, ...spaced]),
  });
  // Eight messages back to back: the rate allowance runs out.
  seeds.push({
    file: 'sequence-flood',
    bytes: Uint8Array.from([
      CONFIG_SMALL_CAP_ACCEPT_ALL,
      ...golden.flatMap((bytes) => receive(bytes)),
    ]),
  });
  // Our side sends (start, remote supports ut_pex, peers come and go) while messages arrive.
  seeds.push({
    file: 'sequence-send-and-receive',
    bytes: Uint8Array.from([
      CONFIG_SMALL_CAP_ACCEPT_ALL,
      CONTROL,
      0,
      CONTROL,
      1,
      ADD_PEER,
      1,
      ADD_PEER,
      2,
      TICK,
      4,
      ...receive(golden[0] as Uint8Array),
      TICK,
      200,
      DROP_PEER,
      1,
      TICK,
      200,
      ...receive(golden[1] as Uint8Array),
      CONTROL,
      4,
      CONTROL,
      2,
    ]),
  });
  return seeds;
}
