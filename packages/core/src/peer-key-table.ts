import type { PeerKey } from './peer-key.js';

/** Entries of a new table; capacities stay powers of two. */
const INITIAL_CAPACITY = 8;
/** Capacity up to which `clear` keeps the room it has. */
const KEPT_CAPACITY = 1024;
/** Marks an entry whose key is a string (IPv6): the key is in `#strings`. */
const STRING_KEY = -1;

/**
 * An insertion-ordered map from peer keys to non-negative safe integers (0 when never set), or a
 * set when values are not used. A `Map<PeerKey, number>` costs about 60 bytes per IPv4 peer: the
 * entry, its share of the buckets, and the key itself, a 16-byte heap number (IPv4 keys are above
 * 2^31). Here an entry is 8 bytes of `Float64Array` plus 8 of values (allocated only once a value
 * other than 0 is stored) plus 4 bytes of index (two `Uint16Array` slots per entry below 65,536
 * entries), so the per-connection state grows by tens of bytes per peer, not hundreds.
 *
 * Entries are kept in insertion order in dense columns (deleting one leaves a hole, reused when
 * the table is rebuilt); an open-addressing index (linear probing, deletion by backward shift, so
 * no tombstones) maps a key's hash to its entry. The table is rebuilt, in order, when the columns
 * are full (doubling only if more than half of them are live) and when fewer than a quarter are
 * live (halving): memory follows the live size whatever the churn.
 *
 * IPv6 keys (strings) are hashed the same way; their text is kept in a plain array that exists only
 * once the table has held one.
 * @internal
 */
export class PeerKeyTable {
  /** Numeric keys; `STRING_KEY` for a string key, NaN for a hole. */
  #numbers: Float64Array;
  #strings: (string | undefined)[] | undefined;
  #values: Float64Array | undefined;
  /** Entry + 1 per slot, 0 for a free slot; twice as many slots as entries. */
  #index: Uint16Array | Uint32Array;
  #mask: number;
  /** Entries written, holes included. */
  #used = 0;
  #size = 0;

  constructor() {
    this.#numbers = new Float64Array(INITIAL_CAPACITY);
    this.#strings = undefined;
    this.#values = undefined;
    this.#index = createIndex(INITIAL_CAPACITY);
    this.#mask = this.#index.length - 1;
  }

  /** Number of keys. */
  get size(): number {
    return this.#size;
  }

  has(key: PeerKey): boolean {
    return this.find(key) !== -1;
  }

  /** The entry of `key` (for `keyAt`, `valueAt`, `setValueAt`), or -1 when it is absent. */
  find(key: PeerKey): number {
    const slot = this.#probe(key);
    return slot < 0 ? -1 : (this.#index[slot] as number) - 1;
  }

  /** The value of `key` (0 if never set), or `undefined` when the key is absent. */
  get(key: PeerKey): number | undefined {
    const entry = this.find(key);
    if (entry === -1) return undefined;
    return this.#values === undefined ? 0 : (this.#values[entry] as number);
  }

  /**
   * Sets the value of `key` (a safe integer >= 0); a new key goes last, an existing one keeps its
   * place.
   */
  set(key: PeerKey, value = 0): void {
    const slot = this.#probe(key);
    this.setValueAt(slot < 0 ? this.#append(key, ~slot) : (this.#index[slot] as number) - 1, value);
  }

  /**
   * Adds `key` with `value` (as `set`) unless it is there already; returns -1 when it was added,
   * otherwise its entry, unchanged. One lookup where `find` then `set` would take two.
   */
  insert(key: PeerKey, value = 0): number {
    const slot = this.#probe(key);
    if (slot >= 0) return (this.#index[slot] as number) - 1;
    this.setValueAt(this.#append(key, ~slot), value);
    return -1;
  }

  /** Removes `key`; returns whether it was there. May rebuild the table (see `firstEntry`). */
  delete(key: PeerKey): boolean {
    const slot = this.#probe(key);
    if (slot < 0) return false;
    const entry = (this.#index[slot] as number) - 1;
    this.#removeSlot(slot);
    this.#numbers[entry] = Number.NaN;
    if (this.#strings !== undefined) this.#strings[entry] = undefined;
    if (this.#values !== undefined) this.#values[entry] = 0;
    this.#size--;
    if (this.#size === 0) this.#used = 0;
    else if (this.#size < this.#numbers.length >>> 2 && this.#numbers.length > INITIAL_CAPACITY) {
      this.#rebuild(this.#numbers.length >>> 1);
    }
    return true;
  }

  /**
   * Removes every key. Up to `KEPT_CAPACITY` entries the table keeps its room (a table reused for
   * short work, such as reading one message, does not rebuild every time); above, it goes back to
   * the initial capacity.
   */
  clear(): void {
    if (this.#numbers.length > KEPT_CAPACITY) this.#rebuild(INITIAL_CAPACITY, true);
    else {
      this.#index.fill(0);
      this.#values?.fill(0);
      this.#strings?.fill(undefined);
    }
    this.#used = 0;
    this.#size = 0;
  }

  /**
   * Makes room for `count` more keys, so that adding them rebuilds nothing (one rebuild now, to
   * the power of two that holds them, rather than one per doubling on the way).
   */
  reserve(count: number): void {
    let capacity = this.#numbers.length;
    if (this.#used + count <= capacity) return;
    while (capacity < this.#size + count) capacity *= 2;
    this.#rebuild(capacity);
  }

  /**
   * The first entry in insertion order, or -1. With `nextEntry`, `keyAt` and `valueAt` this walks
   * the table without allocating; `set` of a new key and `delete` may renumber entries, so a walk
   * must not add or delete (changing a value with `setValueAt` is fine).
   */
  firstEntry(): number {
    return this.nextEntry(-1);
  }

  /** The entry after `entry` in insertion order, or -1. */
  nextEntry(entry: number): number {
    const numbers = this.#numbers;
    for (let next = entry + 1; next < this.#used; next++) {
      if (!Number.isNaN(numbers[next] as number)) return next;
    }
    return -1;
  }

  keyAt(entry: number): PeerKey {
    const number = this.#numbers[entry] as number;
    return number === STRING_KEY ? (this.#strings?.[entry] as string) : number;
  }

  valueAt(entry: number): number {
    return this.#values === undefined ? 0 : (this.#values[entry] as number);
  }

  setValueAt(entry: number, value: number): void {
    if (this.#values === undefined) {
      if (value === 0) return;
      this.#values = new Float64Array(this.#numbers.length);
    }
    this.#values[entry] = value;
  }

  /** The slot holding `key`, or `~slot` of the free slot that ends its probe run. */
  #probe(key: PeerKey): number {
    const index = this.#index;
    const mask = this.#mask;
    const numbers = this.#numbers;
    let slot = hashPeerKey(key) & mask;
    for (;;) {
      const stored = index[slot] as number;
      if (stored === 0) return ~slot;
      if (typeof key === 'number') {
        if (numbers[stored - 1] === key) return slot;
      } else if (this.#strings?.[stored - 1] === key) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Appends `key`, absent, whose probe run ends at the free slot `free` of the current index. */
  #append(key: PeerKey, free: number): number {
    const capacity = this.#numbers.length;
    let slot = free;
    if (this.#used === capacity) {
      this.#rebuild(this.#size >= capacity >>> 1 ? capacity * 2 : capacity);
      slot = -1;
    }
    const entry = this.#used++;
    if (typeof key === 'number') {
      this.#numbers[entry] = key;
    } else {
      this.#numbers[entry] = STRING_KEY;
      if (this.#strings === undefined) this.#strings = new Array(this.#numbers.length);
      this.#strings[entry] = key;
    }
    if (slot === -1) this.#insertSlot(key, entry);
    else this.#index[slot] = entry + 1;
    this.#size++;
    return entry;
  }

  #insertSlot(key: PeerKey, entry: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let slot = hashPeerKey(key) & mask;
    while (index[slot] !== 0) slot = (slot + 1) & mask;
    index[slot] = entry + 1;
  }

  /**
   * Frees `slot` and moves back the later slots of its probe run that can move, so that every key
   * stays reachable from its home slot without tombstones (Knuth's algorithm R).
   */
  #removeSlot(slot: number): void {
    const index = this.#index;
    const mask = this.#mask;
    let hole = slot;
    let next = slot;
    for (;;) {
      next = (next + 1) & mask;
      const stored = index[next] as number;
      if (stored === 0) break;
      const home = hashPeerKey(this.keyAt(stored - 1)) & mask;
      // The key at `next` may fill the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!stays) {
        index[hole] = stored;
        hole = next;
      }
    }
    index[hole] = 0;
  }

  /** Copies the live entries, in order, into columns of `capacity` entries and a new index. */
  #rebuild(capacity: number, empty = false): void {
    const numbers = this.#numbers;
    const strings = this.#strings;
    const values = this.#values;
    const used = empty ? 0 : this.#used;
    this.#numbers = new Float64Array(capacity);
    this.#strings = strings === undefined || empty ? undefined : new Array(capacity);
    this.#values = values === undefined || empty ? undefined : new Float64Array(capacity);
    this.#index = createIndex(capacity);
    this.#mask = this.#index.length - 1;
    let entry = 0;
    for (let old = 0; old < used; old++) {
      const number = numbers[old] as number;
      if (Number.isNaN(number)) continue;
      this.#numbers[entry] = number;
      if (this.#strings !== undefined) this.#strings[entry] = strings?.[old];
      if (this.#values !== undefined) this.#values[entry] = values?.[old] as number;
      this.#insertSlot(this.keyAt(entry), entry);
      entry++;
    }
    this.#used = entry;
  }
}

function createIndex(capacity: number): Uint16Array | Uint32Array {
  // Slots hold entry + 1: up to `capacity`, which fits 16 bits below 65,536 entries.
  return capacity < 0x10000 ? new Uint16Array(capacity * 2) : new Uint32Array(capacity * 2);
}

/**
 * A 32-bit hash of a key. Keys come from remote peers; mixing every bit keeps the probe runs short
 * for ordinary addresses, and the per-source cap of the inbound view bounds the cost of crafted
 * ones (a probe run is never longer than the table).
 */
export function hashPeerKey(key: PeerKey): number {
  let hash: number;
  if (typeof key === 'number') {
    // An IPv4 key is below 2^48: its low 32 bits and the 16 above.
    const high = Math.floor(key / 0x100000000);
    hash = Math.imul(key >>> 0, 0x9e3779b1) ^ Math.imul(high + 0x7f4a7c15, 0x85ebca77);
  } else {
    hash = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  }
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  return hash ^ (hash >>> 12);
}
