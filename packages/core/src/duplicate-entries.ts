/**
 * Finds repeated compact entries among two runs of already-written entries (the added list and
 * the dropped list of one family), with an open-addressing hash table over the bytes
 * themselves: no key objects, no allocation after the first call. Used by the encoder to refuse
 * a peer listed twice or both added and dropped.
 */

// Reused scratch table of entry indices (-1 = empty). Grows to the largest message seen.
let table = new Int32Array(256);

/** A repeated entry: `later` repeats `earlier`; indices count the first run, then the second. */
export interface RepeatedEntry {
  readonly earlier: number;
  readonly later: number;
}

/**
 * Looks for two equal entries of `size` bytes among `countA` entries at `startA` and `countB`
 * entries at `startB` of `bytes`. Returns the first repeat found, or `undefined`.
 */
export function findRepeatedEntry(
  bytes: Uint8Array,
  size: number,
  startA: number,
  countA: number,
  startB: number,
  countB: number,
): RepeatedEntry | undefined {
  const total = countA + countB;
  if (total < 2) return undefined;
  let capacity = 256;
  while (capacity < total * 2) capacity *= 2;
  if (table.length < capacity) table = new Int32Array(capacity);
  table.fill(-1, 0, capacity);
  const mask = capacity - 1;
  for (let i = 0; i < total; i++) {
    const at = i < countA ? startA + i * size : startB + (i - countA) * size;
    let slot = hashEntry(bytes, at, size) & mask;
    for (;;) {
      const j = table[slot] as number;
      if (j === -1) {
        table[slot] = i;
        break;
      }
      const other = j < countA ? startA + j * size : startB + (j - countA) * size;
      if (equalEntries(bytes, at, other, size)) return { earlier: j, later: i };
      slot = (slot + 1) & mask;
    }
  }
  return undefined;
}

function hashEntry(bytes: Uint8Array, at: number, size: number): number {
  // FNV-1a over the entry's bytes.
  let hash = 0x811c9dc5;
  for (let k = at; k < at + size; k++) hash = Math.imul(hash ^ (bytes[k] as number), 0x01000193);
  return hash >>> 0;
}

function equalEntries(bytes: Uint8Array, a: number, b: number, size: number): boolean {
  for (let k = 0; k < size; k++) if (bytes[a + k] !== bytes[b + k]) return false;
  return true;
}
