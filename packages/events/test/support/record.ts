import { type CompactPeer, decodePexMessage, type PexMessage, type PexViolation } from '@pex/core';
import {
  type PeerAddress,
  type PexPeerEvent,
  type PexRefusedEvent,
  type PexSentEvent,
  type PexSession,
  type PexWarningEvent,
  parsePeerAddress,
} from '@pex/events';
import { readPeerAddress, stringifyPeerAddress } from '@pex/events/internal';

/** Everything a session emitted, in order per event. */
export interface Recorded {
  readonly peer: PexPeerEvent[];
  readonly dropped: PeerAddress[];
  readonly refused: PexRefusedEvent[];
  readonly invalid: Error[];
  readonly violation: PexViolation[];
  readonly sent: PexSentEvent[];
  readonly warning: PexWarningEvent[];
}

export function record(session: PexSession): Recorded {
  const recorded: Recorded = {
    peer: [],
    dropped: [],
    refused: [],
    invalid: [],
    violation: [],
    sent: [],
    warning: [],
  };
  session.on('peer', (e) => recorded.peer.push(e));
  session.on('dropped', (e) => recorded.dropped.push(e));
  session.on('refused', (e) => recorded.refused.push(e));
  session.on('invalid', (e) => recorded.invalid.push(e));
  session.on('violation', (e) => recorded.violation.push(e));
  session.on('sent', (e) => recorded.sent.push(e));
  session.on('warning', (e) => recorded.warning.push(e));
  return recorded;
}

/** A `send` that keeps decoded copies of what went out, with the time. */
export function createOutbox(clock: { now(): number }) {
  const messages: { at: number; bytes: Uint8Array; message: PexMessage }[] = [];
  return {
    messages,
    send: (bytes: Uint8Array) => {
      messages.push({ at: clock.now(), bytes, message: decodePexMessage(bytes) });
    },
  };
}

/** `"ip:port"` strings of a decoded list, sorted. */
export function listOf(peers: readonly CompactPeer[]): string[] {
  return peers.map((p) => stringifyPeerAddress(readPeerAddress(p.address, p.port))).sort();
}

/** A compact peer from `"ip:port"`. */
export function compact(text: string, flags?: number): CompactPeer {
  const { bytes, port } = parsePeerAddress(text);
  return flags === undefined ? { address: bytes, port } : { address: bytes, port, flags };
}

/** A PEX message from `"ip:port"` strings; IPv6 ones go to the `6` lists. */
export function message(lists: {
  added?: readonly (string | readonly [string, number])[];
  dropped?: readonly string[];
}): PexMessage {
  const out = {
    added: [] as CompactPeer[],
    added6: [] as CompactPeer[],
    dropped: [] as CompactPeer[],
    dropped6: [] as CompactPeer[],
  };
  for (const entry of lists.added ?? []) {
    const [text, flags] = typeof entry === 'string' ? [entry, 0] : entry;
    const peer = compact(text, flags);
    (peer.address.length === 4 ? out.added : out.added6).push(peer);
  }
  for (const text of lists.dropped ?? []) {
    const peer = compact(text);
    (peer.address.length === 4 ? out.dropped : out.dropped6).push(peer);
  }
  return out;
}

/** `items[index]`, failing the test when it is missing (instead of a non-null assertion). */
export function nth<T>(items: readonly T[], index: number): T {
  if (index < 0 || index >= items.length) {
    throw new Error(`expected an item at ${index}, got ${items.length} items`);
  }
  return items[index] as T;
}
