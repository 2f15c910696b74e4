import {
  PEX_FLAG_PREFERS_ENCRYPTION,
  PEX_FLAG_REACHABLE,
  PEX_FLAG_SUPPORTS_HOLEPUNCH,
  PEX_FLAG_SUPPORTS_UTP,
  PEX_FLAG_UPLOAD_ONLY,
} from '@pex/core';
import type { PexWire } from './wire.js';

/** What the application knows of a connection when it opens (see `PexSwarmWireInfo`). */
export interface PeerFlagsInfo {
  readonly outgoing: boolean;
  readonly utp?: boolean;
  readonly encrypted?: boolean;
}

/**
 * The BEP 11 flags one wire tells of its remote, kept current as the wire learns more: the
 * extended handshakes (the first and any later one), and the remote's pieces (BEP 3 `bitfield`
 * and `have`, BEP 6 `have-all`).
 * @internal
 */
export interface PeerFlagsWatch {
  /** The flag byte known now. */
  readonly flags: number;
  /** An extended handshake arrived: the first, or a later one (BEP 10 allows them any time). */
  handshake(dict: Record<string, unknown>): void;
  /** The torrent's piece count became known: the remote's pieces are counted again. */
  setPieceCount(pieceCount: number | undefined): void;
  /** Stops listening to the wire. */
  stop(): void;
}

/** The remote's pieces as bittorrent-protocol 5 keeps them (`wire.peerPieces`, a BitField). */
interface PeerPieces {
  get(index: number): boolean;
  readonly buffer?: Uint8Array;
}

interface WireEvents {
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  readonly peerPieces?: PeerPieces;
}

/**
 * Watches `wire` for what changes its remote's flags; `onChange` runs only when the flag byte
 * actually changes, never once per message: a `have` costs O(1) (a count of the pieces held),
 * a `bitfield` O(its length), and nothing more is counted once the remote is complete.
 * @internal
 */
export function watchPeerFlags(
  wire: PexWire,
  info: PeerFlagsInfo,
  pieceCount: number | undefined,
  onChange: () => void,
): PeerFlagsWatch {
  const utp = info.utp ?? (typeof wire.type === 'string' && wire.type.startsWith('utp'));
  return new FlagsWatch(wire as unknown as WireEvents, info, utp, pieceCount, onChange);
}

/** `watchPeerFlags`'s watch: one object per wire, its three wire listeners bound once. */
class FlagsWatch implements PeerFlagsWatch {
  readonly #events: WireEvents;
  readonly #info: PeerFlagsInfo;
  readonly #onChange: () => void;
  readonly #utp: boolean;
  #encrypted: boolean;
  #uploadOnly = false;
  #holepunch = false;
  #haveAll = false;
  #pieces: number | undefined;
  /** Pieces below `#pieces` the remote has, while it is not known complete. */
  #held = 0;
  #flags = 0;

  constructor(
    events: WireEvents,
    info: PeerFlagsInfo,
    utp: boolean,
    pieceCount: number | undefined,
    onChange: () => void,
  ) {
    this.#events = events;
    this.#info = info;
    this.#onChange = onChange;
    this.#utp = utp;
    this.#encrypted = info.encrypted ?? false;
    this.#pieces = pieceCount;
    events.on('bitfield', this.#onBitfield);
    events.on('have', this.#onHave);
    events.on('have-all', this.#onHaveAll);
    // Given after its bitfield (a host that installed the extension itself): count what is there.
    this.#countHeld();
    this.#flags = this.#compute();
  }

  get flags(): number {
    return this.#flags;
  }

  handshake(dict: Record<string, unknown>): void {
    // A later handshake restates what it carries; a key it leaves out is unchanged (BEP 10's
    // `m` is additive, and the other keys are read the same way).
    if (this.#info.encrypted === undefined && Object.hasOwn(dict, 'e')) {
      this.#encrypted = dict.e === 1;
    }
    if (Object.hasOwn(dict, 'upload_only')) {
      const value = dict.upload_only;
      this.#uploadOnly = typeof value === 'number' && value !== 0;
    }
    const m = dict.m;
    if (typeof m === 'object' && m !== null && Object.hasOwn(m, 'ut_holepunch')) {
      const id = (m as Record<string, unknown>).ut_holepunch;
      this.#holepunch = typeof id === 'number' && id > 0;
    }
    this.#update();
  }

  setPieceCount(pieceCount: number | undefined): void {
    if (pieceCount === this.#pieces) return;
    this.#pieces = pieceCount;
    this.#countHeld();
    this.#update();
  }

  stop(): void {
    this.#events.removeListener('bitfield', this.#onBitfield);
    this.#events.removeListener('have', this.#onHave);
    this.#events.removeListener('have-all', this.#onHaveAll);
  }

  #isComplete(): boolean {
    return this.#haveAll || (this.#pieces !== undefined && this.#held >= this.#pieces);
  }

  #compute(): number {
    return (
      (this.#encrypted ? PEX_FLAG_PREFERS_ENCRYPTION : 0) |
      // BEP 11 0x02 is "seed/upload only": a complete remote is a seed, whatever it said.
      (this.#uploadOnly || this.#isComplete() ? PEX_FLAG_UPLOAD_ONLY : 0) |
      (this.#utp ? PEX_FLAG_SUPPORTS_UTP : 0) |
      (this.#holepunch ? PEX_FLAG_SUPPORTS_HOLEPUNCH : 0) |
      (this.#info.outgoing ? PEX_FLAG_REACHABLE : 0)
    );
  }

  #update(): void {
    const next = this.#compute();
    if (next === this.#flags) return;
    this.#flags = next;
    this.#onChange();
  }

  /** Counts the set bits below the piece count: bits past the end of the bitfield are unset. */
  #countHeld(): void {
    this.#held = 0;
    const pieces = this.#pieces;
    const peerPieces = this.#events.peerPieces;
    if (pieces === undefined || peerPieces === undefined) return;
    const bits =
      peerPieces.buffer === undefined ? pieces : Math.min(pieces, peerPieces.buffer.length * 8);
    let held = 0;
    for (let index = 0; index < bits; index++) if (peerPieces.get(index)) held++;
    this.#held = held;
  }

  readonly #onBitfield = (): void => {
    if (this.#isComplete()) return;
    this.#countHeld();
    this.#update();
  };

  readonly #onHave = (index: number): void => {
    const pieces = this.#pieces;
    if (pieces === undefined || this.#isComplete()) return;
    if (!Number.isInteger(index) || index < 0 || index >= pieces) return;
    // bittorrent-protocol emits 'have' only for a piece it did not have, after setting it; a
    // bit it could not set (past a bitfield's end) stays unset and is emitted again: not counted.
    if (this.#events.peerPieces?.get(index) !== true) return;
    this.#held++;
    if (this.#held >= pieces) this.#update();
  };

  readonly #onHaveAll = (): void => {
    this.#haveAll = true;
    this.#update();
  };
}
