import type { PeerState } from './peer-state.js';

// The outbound tracker keeps each peer as one number in a `PeerKeyTable`: two 9-bit states and a
// change stamp packed into a safe integer. These functions are the only place that knows the
// layout:
//
//   value = stamp * STAMP_UNIT + view << VIEW_SHIFT + live
//
// - live (bits 0-8): our state: 0 when not connected, PRESENT | flags when connected;
// - view (bits 9-17): the state this remote was told;
// - stamp (above): when the state the remote should hold started to differ from its view, 0
//   while it does not. Stamped entries are the pending changes, oldest stamp first.

/** The bit that marks a state as connected, above the 8 flag bits. */
const PRESENT = 0x100;
/** The bits of one state: PRESENT and the flag byte. */
const STATE_MASK = 0x1ff;
/** Where the view state starts. */
const VIEW_SHIFT = 9;
/** One unit of stamp: above the two states. */
const STAMP_UNIT = 2 ** 18;
/** The largest stamp that keeps every value a safe integer (2^35 * 2^18 < 2^53). */
export const MAX_STAMP = 2 ** 35 - 1;

/** The state of a peer we are connected to, with its flag byte. */
export function connectedState(flags: number): number {
  return PRESENT | flags;
}

/** A state as the message builder takes it: its flag byte when connected, else undefined. */
export function toPeerState(state: number): PeerState {
  return state === 0 ? undefined : state & 0xff;
}

/** An unstamped value holding `live` as our state and `view` as the remote's. */
export function packStates(live: number, view: number): number {
  return live | (view << VIEW_SHIFT);
}

/** Both states of `value` without its stamp (the value it has while not pending). */
export function statesOf(value: number): number {
  return value % STAMP_UNIT;
}

/** Our state in `value`. */
export function liveOf(value: number): number {
  return statesOf(value) & STATE_MASK;
}

/** The state the remote was told, in `value`. */
export function viewOf(value: number): number {
  return statesOf(value) >>> VIEW_SHIFT;
}

/** True while `value` is a pending change. */
export function isStamped(value: number): boolean {
  return value >= STAMP_UNIT;
}

/** `value` with its states kept and `stamp` as its stamp (0: not pending). */
export function withStamp(value: number, stamp: number): number {
  return stamp * STAMP_UNIT + statesOf(value);
}

/** `value` with our state replaced by `live` (stamp and view kept). */
export function withLive(value: number, live: number): number {
  return value - liveOf(value) + live;
}

/** `value` with the remote's state replaced by `view` (stamp and our state kept). */
export function withView(value: number, view: number): number {
  return value - statesOf(value) + packStates(liveOf(value), view);
}
