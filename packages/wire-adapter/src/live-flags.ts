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
  const events = wire as unknown as WireEvents;
  const utp = info.utp ?? (typeof wire.type === 'string' && wire.type.startsWith('utp'));
  let encrypted = info.encrypted ?? false;
  let uploadOnly = false;
  let holepunch = false;
  let haveAll = false;
  let pieces = pieceCount;
  /** Pieces below `pieces` the remote has, while it is not known complete. */
  let held = 0;

  const isComplete = () => haveAll || (pieces !== undefined && held >= pieces);
  const compute = (): number =>
    (encrypted ? PEX_FLAG_PREFERS_ENCRYPTION : 0) |
    // BEP 11 0x02 is "seed/upload only": a complete remote is a seed, whatever it said.
    (uploadOnly || isComplete() ? PEX_FLAG_UPLOAD_ONLY : 0) |
    (utp ? PEX_FLAG_SUPPORTS_UTP : 0) |
    (holepunch ? PEX_FLAG_SUPPORTS_HOLEPUNCH : 0) |
    (info.outgoing ? PEX_FLAG_REACHABLE : 0);
  let flags = 0;
  const update = (): void => {
    const next = compute();
    if (next === flags) return;
    flags = next;
    onChange();
  };

  /** Counts the set bits below the piece count: bits past the end of the bitfield are unset. */
  const countHeld = (): void => {
    held = 0;
    const peerPieces = events.peerPieces;
    if (pieces === undefined || peerPieces === undefined) return;
    const bits =
      peerPieces.buffer === undefined ? pieces : Math.min(pieces, peerPieces.buffer.length * 8);
    for (let index = 0; index < bits; index++) if (peerPieces.get(index)) held++;
  };

  const onBitfield = (): void => {
    if (isComplete()) return;
    countHeld();
    update();
  };
  const onHave = (index: number): void => {
    if (pieces === undefined || isComplete()) return;
    if (!Number.isInteger(index) || index < 0 || index >= pieces) return;
    // bittorrent-protocol emits 'have' only for a piece it did not have, after setting it; a
    // bit it could not set (past a bitfield's end) stays unset and is emitted again: not counted.
    if (events.peerPieces?.get(index) !== true) return;
    held++;
    if (held >= pieces) update();
  };
  const onHaveAll = (): void => {
    haveAll = true;
    update();
  };
  events.on('bitfield', onBitfield);
  events.on('have', onHave);
  events.on('have-all', onHaveAll);
  // Given after its bitfield (a host that installed the extension itself): count what is there.
  countHeld();
  flags = compute();

  return {
    get flags() {
      return flags;
    },
    handshake(dict) {
      // A later handshake restates what it carries; a key it leaves out is unchanged (BEP 10's
      // `m` is additive, and the other keys are read the same way).
      if (info.encrypted === undefined && Object.hasOwn(dict, 'e')) encrypted = dict.e === 1;
      if (Object.hasOwn(dict, 'upload_only')) {
        const value = dict.upload_only;
        uploadOnly = typeof value === 'number' && value !== 0;
      }
      const m = dict.m;
      if (typeof m === 'object' && m !== null && Object.hasOwn(m, 'ut_holepunch')) {
        const id = (m as Record<string, unknown>).ut_holepunch;
        holepunch = typeof id === 'number' && id > 0;
      }
      update();
    },
    setPieceCount(pieceCount) {
      if (pieceCount === pieces) return;
      pieces = pieceCount;
      countHeld();
      update();
    },
    stop() {
      events.removeListener('bitfield', onBitfield);
      events.removeListener('have', onHave);
      events.removeListener('have-all', onHaveAll);
    },
  };
}
