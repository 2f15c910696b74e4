// The list of recent qualifying departures behind BEP 11's relaxation, against a model: per
// family, the newest `maxPerFamily` departures, a peer that departs again moved to the end with a
// new serial, a peer that connects again removed.
import { describe, expect, test } from '@jest/globals';
import type { AddressFamily, PeerKey } from '@pex/core';
import fc from 'fast-check';
import { DepartedList } from '../src/departed-list.js';
import { peerKey } from '../src/peer-key.js';

const IPV4_KEYS: readonly PeerKey[] = [1, 2, 3, 4].map((last) =>
  peerKey(Uint8Array.of(10, 0, 0, last), 6881),
);
const IPV6_KEYS: readonly PeerKey[] = [1, 2, 3].map((last) =>
  peerKey(Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last), 6881),
);
const KEYS = [...IPV4_KEYS, ...IPV6_KEYS];
const familyOf = (key: PeerKey): AddressFamily => (IPV4_KEYS.includes(key) ? 4 : 6);

type Step =
  | { readonly op: 'add'; readonly key: PeerKey; readonly flags: number }
  | { readonly op: 'remove'; readonly key: PeerKey };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant('add' as const),
    key: fc.constantFrom(...KEYS),
    flags: fc.integer({ min: 0, max: 0xff }),
  }),
  fc.record({ op: fc.constant('remove' as const), key: fc.constantFrom(...KEYS) }),
);

interface ModelEntry {
  readonly key: PeerKey;
  readonly flags: number;
}

describe('departed list', () => {
  test('keeps the newest departures of each family, oldest first, as a plain list would', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(step, { maxLength: 40 }),
        (max, steps) => {
          const list = new DepartedList(max);
          const model: Record<AddressFamily, ModelEntry[]> = { 4: [], 6: [] };
          let lastSerial = 0;
          for (const s of steps) {
            const entries = model[familyOf(s.key)];
            const at = entries.findIndex((entry) => entry.key === s.key);
            if (at >= 0) entries.splice(at, 1);
            if (s.op === 'add') {
              list.add(s.key, s.flags);
              entries.push({ key: s.key, flags: s.flags });
              if (entries.length > max) entries.shift();
              // Every departure gets a serial larger than any before it.
              const serial = list.get(s.key)?.serial ?? 0;
              expect(serial).toBeGreaterThan(lastSerial);
              lastSerial = serial;
            } else {
              list.remove(s.key);
              expect(list.get(s.key)).toBeUndefined();
            }
            for (const family of [4, 6] as const) {
              const newest = list.newestFirst(family);
              expect(newest.map(({ key, flags }) => ({ key, flags }))).toEqual(
                [...model[family]].reverse(),
              );
              // Newest first: serials decrease along the list.
              for (let i = 1; i < newest.length; i++) {
                expect(newest[i]?.serial).toBeLessThan(newest[i - 1]?.serial as number);
              }
            }
            expect(list.isEmpty()).toBe(model[4].length === 0 && model[6].length === 0);
          }
        },
      ),
    );
  });

  test('is empty only when neither family holds a departure', () => {
    const list = new DepartedList(2);
    expect(list.isEmpty()).toBe(true);
    list.add(IPV4_KEYS[0] as PeerKey, 0);
    expect(list.isEmpty()).toBe(false);
    list.add(IPV6_KEYS[0] as PeerKey, 0);
    list.remove(IPV4_KEYS[0] as PeerKey);
    expect(list.isEmpty()).toBe(false);
    list.remove(IPV6_KEYS[0] as PeerKey);
    expect(list.isEmpty()).toBe(true);
  });

  test('a peer that departs again is a new departure with a larger serial', () => {
    const list = new DepartedList(2);
    const key = IPV4_KEYS[0] as PeerKey;
    list.add(key, 0x01);
    const first = list.get(key);
    list.add(key, 0x10);
    const second = list.get(key);
    expect(first).toEqual({ key, flags: 0x01, serial: expect.any(Number) });
    expect(second).toEqual({ key, flags: 0x10, serial: expect.any(Number) });
    expect(second?.serial).toBeGreaterThan(first?.serial as number);
  });
});
