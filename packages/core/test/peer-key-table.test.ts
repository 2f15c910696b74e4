import { describe, expect, test } from '@jest/globals';
import { type PeerKey, peerKey } from '@pex/core';
import fc from 'fast-check';
// An internal module: tested here, mirroring its source file, as the public trackers use it.
import { hashPeerKey, PeerKeyTable } from '../src/peer-key-table.js';

const v4Key = (n: number, port = 6881): PeerKey =>
  peerKey(Uint8Array.from([203, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]), port);
const v6Key = (n: number, port = 6881): PeerKey => {
  const address = new Uint8Array(16);
  address.set([0x20, 0x01, 0x0d, 0xb8]);
  address[14] = (n >> 8) & 0xff;
  address[15] = n & 0xff;
  return peerKey(address, port);
};

/** Keys and values in insertion order, walked the way the trackers walk a table. */
function entriesOf(table: PeerKeyTable): [PeerKey, number][] {
  const entries: [PeerKey, number][] = [];
  for (let at = table.firstEntry(); at !== -1; at = table.nextEntry(at)) {
    entries.push([table.keyAt(at), table.valueAt(at)]);
  }
  return entries;
}

describe('PeerKeyTable', () => {
  test('keeps IPv4 and IPv6 keys, values and insertion order like a Map', () => {
    const table = new PeerKeyTable();
    table.set(v4Key(1), 7);
    table.set(v6Key(1));
    table.set(v4Key(2), 0x3ffff);
    table.set(v4Key(1), 9); // an existing key keeps its place
    expect(table.size).toBe(3);
    expect(table.get(v4Key(1))).toBe(9);
    expect(table.get(v6Key(1))).toBe(0);
    expect(table.get(v4Key(3))).toBeUndefined();
    expect(table.has(v6Key(2))).toBe(false);
    expect(entriesOf(table)).toEqual([
      [v4Key(1), 9],
      [v6Key(1), 0],
      [v4Key(2), 0x3ffff],
    ]);
  });

  test('find gives the entry of a key; values up to 2^53 - 1 are kept exactly', () => {
    const table = new PeerKeyTable();
    table.set(v4Key(1));
    table.set(v6Key(1), 2 ** 40 + 5);
    const at = table.find(v6Key(1));
    expect(at).not.toBe(-1);
    expect(table.keyAt(at)).toBe(v6Key(1));
    expect(table.valueAt(at)).toBe(2 ** 40 + 5);
    table.setValueAt(table.find(v4Key(1)), Number.MAX_SAFE_INTEGER);
    expect(table.get(v4Key(1))).toBe(Number.MAX_SAFE_INTEGER);
    expect(table.find(v4Key(2))).toBe(-1);
  });

  test('insert adds an absent key last (-1) and leaves a present one as it was (its entry)', () => {
    const table = new PeerKeyTable();
    for (let i = 0; i < 20; i++) expect(table.insert(v4Key(i), i + 1)).toBe(-1);
    expect(table.insert(v6Key(1))).toBe(-1);
    const at = table.insert(v4Key(3), 99);
    expect(at).toBe(table.find(v4Key(3)));
    expect(table.valueAt(at)).toBe(4);
    expect(table.size).toBe(21);
    expect(entriesOf(table).at(-1)).toEqual([v6Key(1), 0]);
    expect(table.get(v4Key(19))).toBe(20);
  });

  test('reserve makes room in one rebuild; clear may keep the room', () => {
    const table = new PeerKeyTable();
    table.set(v4Key(0), 1);
    table.reserve(100);
    for (let i = 1; i <= 100; i++) table.set(v4Key(i), i + 1);
    expect(entriesOf(table).map(([, value]) => value)).toEqual(
      Array.from({ length: 101 }, (_, i) => i + 1),
    );
    table.clear();
    expect(table.size).toBe(0);
    expect(table.has(v4Key(5))).toBe(false);
    table.set(v4Key(5));
    expect(entriesOf(table)).toEqual([[v4Key(5), 0]]);
  });

  test('a key deleted and set again goes last', () => {
    const table = new PeerKeyTable();
    for (let i = 0; i < 3; i++) table.set(v4Key(i), i);
    expect(table.delete(v4Key(0))).toBe(true);
    expect(table.delete(v4Key(0))).toBe(false);
    table.set(v4Key(0), 5);
    expect(entriesOf(table)).toEqual([
      [v4Key(1), 1],
      [v4Key(2), 2],
      [v4Key(0), 5],
    ]);
  });

  test('grows, compacts and shrinks through 10,000 keys without losing order', () => {
    const table = new PeerKeyTable();
    const count = 10_000;
    for (let i = 0; i < count; i++) table.set(i % 2 === 0 ? v4Key(i) : v6Key(i, 1000 + i), i);
    for (let i = 0; i < count; i += 3) table.delete(i % 2 === 0 ? v4Key(i) : v6Key(i, 1000 + i));
    const kept = Array.from({ length: count }, (_, i) => i).filter((i) => i % 3 !== 0);
    expect(entriesOf(table).map(([, value]) => value)).toEqual(kept);
    for (const i of kept) table.delete(i % 2 === 0 ? v4Key(i) : v6Key(i, 1000 + i));
    expect(table.size).toBe(0);
    expect(table.firstEntry()).toBe(-1);
    table.set(v4Key(1), 1);
    expect(entriesOf(table)).toEqual([[v4Key(1), 1]]);
  });

  test('clear empties it; setValueAt changes a value in place', () => {
    const table = new PeerKeyTable();
    for (let i = 0; i < 100; i++) table.set(v4Key(i), i + 1);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(v4Key(1))).toBeUndefined();
    table.set(v6Key(1));
    table.setValueAt(table.firstEntry(), 4);
    expect(table.get(v6Key(1))).toBe(4);
  });

  test('keys sharing a home slot (crafted collisions) are all found, and deleting any keeps the rest', () => {
    // Keys whose hash lands in the same slot of a 16-slot index: one long probe run.
    const colliding: PeerKey[] = [];
    for (let n = 0; colliding.length < 7; n++) {
      if ((hashPeerKey(v4Key(n)) & 15) === 3) colliding.push(v4Key(n));
    }
    const table = new PeerKeyTable();
    for (const key of colliding) table.set(key, 1);
    for (const removed of colliding) {
      const copy = new PeerKeyTable();
      for (const key of colliding) copy.set(key, 1);
      copy.delete(removed);
      for (const key of colliding) expect(copy.has(key)).toBe(key !== removed);
    }
    expect(table.size).toBe(colliding.length);
  });

  test('hashes spread keys: 4096 consecutive IPv4 peers fill most of 8192 slots', () => {
    const slots = new Set<number>();
    for (let i = 0; i < 4096; i++) slots.add(hashPeerKey(v4Key(i)) & 8191);
    expect(slots.size).toBeGreaterThan(3000);
  });
});

type Operation =
  | { readonly kind: 'set'; readonly key: PeerKey; readonly value: number }
  | { readonly kind: 'delete'; readonly key: PeerKey }
  | { readonly kind: 'clear' };

// A small pool, so that operations hit the same keys again and again; values up to 2^32 - 1.
const keyArbitrary = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map((n) => v4Key(n, 6881 + (n % 3))),
  fc.integer({ min: 0, max: 15 }).map((n) => v6Key(n)),
);
const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      key: keyArbitrary,
      value: fc.oneof(fc.constant(0), fc.nat(0x3ffff), fc.constant(0xffffffff)),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArbitrary }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('PeerKeyTable against a Map', () => {
  test('any sequence of set/delete/clear: same size, values, lookups and order as a Map', () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { maxLength: 300 }), (operations) => {
        const table = new PeerKeyTable();
        const model = new Map<PeerKey, number>();
        for (const operation of operations) {
          if (operation.kind === 'set') {
            table.set(operation.key, operation.value);
            model.set(operation.key, operation.value);
          } else if (operation.kind === 'delete') {
            expect(table.delete(operation.key)).toBe(model.delete(operation.key));
          } else {
            table.clear();
            model.clear();
          }
          expect(table.size).toBe(model.size);
          if (operation.kind !== 'clear') {
            expect(table.get(operation.key)).toBe(model.get(operation.key));
          }
        }
        expect(entriesOf(table)).toEqual([...model]);
        for (let n = 0; n <= 40; n++) {
          const key = v4Key(n, 6881 + (n % 3));
          expect(table.has(key)).toBe(model.has(key));
        }
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Every method that changes or reads the table, with keys as the trackers give them: IPv4 keys
 * are numbers below 2^48 (most above 2^31, some near the edges a 32-bit shortcut would break at),
 * IPv6 keys strings. The Map answers what the table must.
 */
type TableOperation =
  | { readonly kind: 'insert' | 'set'; readonly key: PeerKey; readonly value: number }
  | { readonly kind: 'get' | 'has' | 'delete' | 'valueAt'; readonly key: PeerKey }
  | { readonly kind: 'setValueAt'; readonly key: PeerKey; readonly value: number }
  | { readonly kind: 'reserve'; readonly count: number }
  | { readonly kind: 'clear' };

const EDGE_NUMBERS = [
  0,
  1,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 31 + 1,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 6881,
  2 ** 47,
  2 ** 48 - 1,
];
const numberKeyArbitrary: fc.Arbitrary<PeerKey> = fc.oneof(
  fc.constantFrom(...EDGE_NUMBERS),
  // Real IPv4 keys (203.x.x.x, above 2^31) and small ones, from a pool so that they repeat.
  fc.integer({ min: 0, max: 60 }).map((n) => v4Key(n, 6881 + (n % 4))),
  fc.integer({ min: 0, max: 20 }).map((n) => n * 0x10000 + 80),
);
const stringKeyArbitrary: fc.Arbitrary<PeerKey> = fc
  .integer({ min: 0, max: 25 })
  .map((n) => v6Key(n, 6881 + (n % 2)));
const anyKeyArbitrary = fc.oneof(
  { weight: 3, arbitrary: numberKeyArbitrary },
  { weight: 2, arbitrary: stringKeyArbitrary },
);
const valueArbitrary = fc.oneof(
  fc.constant(0),
  fc.nat(0xffff),
  fc.constantFrom(2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER),
);
const tableOperationArbitrary: fc.Arbitrary<TableOperation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom('insert' as const, 'set' as const),
      key: anyKeyArbitrary,
      value: valueArbitrary,
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constantFrom('get' as const, 'has' as const, 'delete' as const, 'valueAt' as const),
      key: anyKeyArbitrary,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('setValueAt' as const),
      key: anyKeyArbitrary,
      value: valueArbitrary,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      count: fc.oneof(fc.nat(10), fc.nat(3000)),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** Applies `operation` to the table and the Map; checks the table's answer against the Map's. */
function applyBoth(table: PeerKeyTable, model: Map<PeerKey, number>, operation: TableOperation) {
  switch (operation.kind) {
    case 'insert': {
      const had = model.get(operation.key);
      const at = table.insert(operation.key, operation.value);
      if (had === undefined) {
        expect(at).toBe(-1);
        model.set(operation.key, operation.value);
      } else {
        // Present: its entry, value unchanged.
        expect(at).toBe(table.find(operation.key));
        expect(table.keyAt(at)).toBe(operation.key);
        expect(table.valueAt(at)).toBe(had);
      }
      break;
    }
    case 'set':
      table.set(operation.key, operation.value);
      model.set(operation.key, operation.value);
      break;
    case 'get':
      expect(table.get(operation.key)).toBe(model.get(operation.key));
      break;
    case 'has':
      expect(table.has(operation.key)).toBe(model.has(operation.key));
      break;
    case 'delete':
      expect(table.delete(operation.key)).toBe(model.delete(operation.key));
      break;
    case 'valueAt': {
      const at = table.find(operation.key);
      expect(at === -1).toBe(!model.has(operation.key));
      if (at !== -1) expect(table.valueAt(at)).toBe(model.get(operation.key));
      break;
    }
    case 'setValueAt': {
      const at = table.find(operation.key);
      if (at === -1) {
        expect(model.has(operation.key)).toBe(false);
        break;
      }
      table.setValueAt(at, operation.value);
      model.set(operation.key, operation.value);
      expect(table.keyAt(at)).toBe(operation.key);
      break;
    }
    case 'reserve':
      table.reserve(operation.count);
      break;
    case 'clear':
      table.clear();
      model.clear();
      break;
  }
}

describe('PeerKeyTable against a Map: every operation', () => {
  test('any sequence of insert/get/set/has/delete/valueAt/setValueAt/reserve/clear answers as a Map', () => {
    fc.assert(
      fc.property(fc.array(tableOperationArbitrary, { maxLength: 400 }), (operations) => {
        const table = new PeerKeyTable();
        const model = new Map<PeerKey, number>();
        for (const operation of operations) {
          applyBoth(table, model, operation);
          expect(table.size).toBe(model.size);
          // Entries, values and insertion order, after every operation (rebuilds renumber).
          expect(entriesOf(table)).toEqual([...model]);
        }
        for (const key of [...EDGE_NUMBERS, v6Key(0, 6881), v4Key(1, 6882)]) {
          expect(table.get(key)).toBe(model.get(key));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('reserve then insert: no key is lost across the one rebuild, at any size', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(numberKeyArbitrary, stringKeyArbitrary), { maxLength: 80 }),
        fc.nat(200),
        fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { maxLength: 200 }),
        (before, count, after) => {
          const table = new PeerKeyTable();
          const model = new Map<PeerKey, number>();
          for (const [i, key] of before.entries()) {
            applyBoth(table, model, { kind: 'insert', key, value: i });
          }
          table.reserve(count);
          expect(entriesOf(table)).toEqual([...model]);
          for (const [i, key] of after.entries()) {
            applyBoth(table, model, { kind: 'insert', key, value: i + 1 });
          }
          expect(entriesOf(table)).toEqual([...model]);
          for (const key of model.keys()) expect(table.has(key)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** `count` distinct IPv4 keys whose home slot in a 16-slot index (capacity 8) is in `homes`. */
function keysWithHomes(homes: readonly number[], count: number): PeerKey[] {
  const keys: PeerKey[] = [];
  for (let n = 0; keys.length < count; n++) {
    const key = v4Key(n, 7000);
    if (homes.includes(hashPeerKey(key) & 15)) keys.push(key);
  }
  return keys;
}

describe('PeerKeyTable: probe runs that wrap around the end of the index', () => {
  test('keys homed at the last slots and the first: set, delete and find through the wrap', () => {
    // Two keys homed at 15: the second sits in slot 0. One homed at 0 then goes to slot 1.
    const [last, wrapped] = keysWithHomes([15], 2) as [PeerKey, PeerKey];
    const [first] = keysWithHomes([0], 1) as [PeerKey];
    const table = new PeerKeyTable();
    table.set(last, 1);
    table.set(wrapped, 2);
    table.set(first, 3);
    // Setting again updates in place wherever the key sits (slot 0 included).
    table.set(wrapped, 20);
    table.set(first, 30);
    expect(entriesOf(table)).toEqual([
      [last, 1],
      [wrapped, 20],
      [first, 30],
    ]);
    expect(table.insert(wrapped, 99)).toBe(table.find(wrapped));
    // Deleting the key in slot 0 and the one before it keeps the rest reachable.
    expect(table.delete(wrapped)).toBe(true);
    expect(table.has(wrapped)).toBe(false);
    expect(table.get(first)).toBe(30);
    expect(table.delete(last)).toBe(true);
    expect(table.get(first)).toBe(30);
    expect(table.delete(first)).toBe(true);
    expect(table.size).toBe(0);
  });

  test('a key that wrapped past the end moves back into a hole at slot 0', () => {
    // Slots 14, 15: two keys homed at 14; slot 0: one homed at 15; slot 1: a third homed at 14.
    const [a, b, d] = keysWithHomes([14], 3) as [PeerKey, PeerKey, PeerKey];
    const [c] = keysWithHomes([15], 1) as [PeerKey];
    const table = new PeerKeyTable();
    for (const key of [a, b, c, d]) table.set(key, 1);
    expect(table.delete(c)).toBe(true);
    for (const key of [a, b, d]) expect(table.has(key)).toBe(true);
    expect(table.delete(a)).toBe(true);
    for (const key of [b, d]) expect(table.has(key)).toBe(true);
  });

  test('a hole at the end: a wrapped key homed after the hole stays, one homed at the hole moves', () => {
    // Slot 14: h (home 14); slot 15: l (home 15); slot 0: k (home 15, wrapped).
    const [h] = keysWithHomes([14], 1) as [PeerKey];
    const [l, k] = keysWithHomes([15], 2) as [PeerKey, PeerKey];
    const stays = new PeerKeyTable();
    for (const key of [h, l, k]) stays.set(key, 1);
    // Hole at 14: k's home (15) lies between the hole and its slot, so it must not move there.
    expect(stays.delete(h)).toBe(true);
    expect([stays.has(l), stays.has(k)]).toEqual([true, true]);
    const moves = new PeerKeyTable();
    for (const key of [l, k]) moves.set(key, 1);
    // Hole at 15, k's home: k moves back into it.
    expect(moves.delete(l)).toBe(true);
    expect(moves.has(k)).toBe(true);
    expect(moves.delete(k)).toBe(true);
    expect(moves.size).toBe(0);
  });

  test('property: keys crowded around the wrap, any inserts and deletes, answer as a Map', () => {
    // Eight keys homed at slots 13..15 and 0..1: runs cross the end of the index, and a deletion
    // must move back exactly the keys whose home is not between the hole and their slot.
    const crowd = keysWithHomes([13, 14, 15, 0, 1], 8);
    const step = fc.record({
      remove: fc.boolean(),
      key: fc.constantFrom(...crowd),
      value: fc.nat(9),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const table = new PeerKeyTable();
        const model = new Map<PeerKey, number>();
        for (const { remove, key, value } of steps) {
          if (remove) expect(table.delete(key)).toBe(model.delete(key));
          else {
            table.set(key, value);
            model.set(key, value);
          }
          for (const each of crowd) expect(table.get(each)).toBe(model.get(each));
          expect(entriesOf(table)).toEqual([...model]);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('PeerKeyTable: large tables', () => {
  test('65,536 keys and more: every key found, in order (the index outgrows 16-bit slots)', () => {
    const table = new PeerKeyTable();
    const keyOf = (i: number) => 2 ** 40 + i * 7;
    const check = (count: number) => {
      expect(table.size).toBe(count);
      for (const i of [0, 1, 0xfffe, 0xffff, count - 1]) expect(table.get(keyOf(i))).toBe(i);
      let expected = 0;
      let inOrder = true;
      for (let at = table.firstEntry(); at !== -1; at = table.nextEntry(at)) {
        if (table.keyAt(at) !== keyOf(expected) || table.valueAt(at) !== expected) inOrder = false;
        expected++;
      }
      expect(inOrder).toBe(true);
      expect(expected).toBe(count);
    };
    // Exactly 65,536 entries fill a table of that capacity: entry + 1 no longer fits 16 bits.
    for (let i = 0; i < 0x10000; i++) table.set(keyOf(i), i);
    check(0x10000);
    for (let i = 0x10000; i < 0x10000 + 10; i++) table.set(keyOf(i), i);
    check(0x10000 + 10);
  });

  test('keys that differ only above bit 32 (the first two address bytes) spread over the slots', () => {
    const slots = new Set<number>();
    for (let i = 0; i < 4096; i++) {
      slots.add(hashPeerKey(peerKey(Uint8Array.from([i >> 8, i & 0xff, 7, 7]), 6881)) & 8191);
    }
    expect(slots.size).toBeGreaterThan(3000);
  });
});
