import { type PeerKey, peerKeyFamily } from './peer-key.js';
import type { AddressFamily } from './types.js';

/** A peer that left for a reason that qualifies it for BEP 11's relaxation. @internal */
export interface Departure {
  readonly key: PeerKey;
  /** Its flag byte while it was connected. */
  readonly flags: number;
  /** Increases with every departure: a peer that departs again is a new departure. */
  readonly serial: number;
}

/**
 * BEP 11's list of recently disconnected contacts ("Filling underpopulated lists"): per address
 * family, the `maxPerFamily` most recent qualifying departures, oldest first. A peer that
 * connects again leaves the list; one that departs again moves to its end with a new serial.
 * @internal
 */
export class DepartedList {
  readonly #maxPerFamily: number;
  readonly #families: Record<AddressFamily, Map<PeerKey, Departure>> = {
    4: new Map(),
    6: new Map(),
  };
  #nextSerial = 1;

  constructor(maxPerFamily: number) {
    this.#maxPerFamily = maxPerFamily;
  }

  /** `key` (with `flags`) left for a qualifying reason: it is the newest of its family. */
  add(key: PeerKey, flags: number): void {
    const family = this.#families[peerKeyFamily(key)];
    family.delete(key);
    family.set(key, { key, flags, serial: this.#nextSerial++ });
    if (family.size > this.#maxPerFamily) {
      for (const oldest of family.keys()) {
        family.delete(oldest);
        break;
      }
    }
  }

  /** `key` leaves the list: we are connected to it again. */
  remove(key: PeerKey): void {
    this.#families[peerKeyFamily(key)].delete(key);
  }

  /** The departure of `key`, if it is in the list. */
  get(key: PeerKey): Departure | undefined {
    return this.#families[peerKeyFamily(key)].get(key);
  }

  /** True when no departure is kept. */
  isEmpty(): boolean {
    return this.#families[4].size === 0 && this.#families[6].size === 0;
  }

  /** The departures of `family`, newest first. */
  newestFirst(family: AddressFamily): Departure[] {
    return [...this.#families[family].values()].reverse();
  }
}
