import type { PeerKey } from './peer-key.js';
import type { AddressFamily, CompactPeer, PexMessage } from './types.js';

/**
 * What one connection will tell its remote next: implemented both by a per-connection
 * `OutboundTracker` and by a `SwarmTimeline` cursor, with the same sender rules (BEP 11):
 * never an empty message, caps per message, add/drop cancellation within a window, drop only
 * what was advertised, no duplicates, never the remote itself, at most one message per interval.
 * Time is a parameter (milliseconds on any monotonic scale); nothing here reads a clock.
 */
export interface PexOutbound {
  /**
   * The message to send now, or `undefined` when there is nothing to say or the interval since
   * the last message has not passed. Returning a message records it as sent at `now`.
   */
  nextMessage(now: number): PexMessage | undefined;
  /**
   * Earliest time at which `nextMessage` may return a message, or `undefined` when nothing is
   * pending. Lets a scheduler sleep exactly as long as needed.
   */
  nextMessageAt(): number | undefined;
  /** Forgets everything sent so far: the next message is a first message again (full list). */
  reset(): void;
}

/** Options shared by `createOutboundTracker` and `SwarmTimeline.join`. */
export interface PexOutboundOptions {
  /** Minimum gap between two messages, ms. Default `DEFAULT_SEND_INTERVAL_MS`. */
  readonly intervalMs?: number;
  /** Most peers in the first message (IPv4 + IPv6). Default `DEFAULT_FIRST_MESSAGE_MAX_ADDED`. */
  readonly firstMessageMaxAdded?: number;
  /** Most added peers (IPv4 + IPv6) in later messages. Default 50 (BEP 11). */
  readonly maxAddedPerMessage?: number;
  /** Most dropped peers (IPv4 + IPv6) in a message. Default 50 (BEP 11). */
  readonly maxDroppedPerMessage?: number;
  /** The remote's own identity (address + listen port): never advertised to it. */
  readonly remote?: PeerKey;
}

/** A per-connection outbound tracker: the caller reports our connections as they change. */
export interface OutboundTracker extends PexOutbound {
  /**
   * We are connected to `peer` (with its BEP 11 flag byte, default 0). Calling again with other
   * flags updates them.
   * @throws {TypeError|RangeError} for a malformed peer, as `encodePexMessage` would.
   */
  connected(peer: CompactPeer): void;
  /** We are no longer connected to the peer at `address` / `port`. Unknown peers are ignored. */
  disconnected(peer: Pick<CompactPeer, 'address' | 'port'>): void;
  /** Changes which peer is the remote itself (e.g. once its listen port is known). */
  setRemote(remote: PeerKey | undefined): void;
}

/** A peer newly reported by a remote, as returned by `InboundView.receive`. */
export interface InboundPeer {
  /** Identity key, as `peerKey(address, port)` gives it. */
  readonly key: PeerKey;
  /** 4 or 6. */
  readonly family: AddressFamily;
  /** 4 or 16 address bytes, owned by the caller. */
  readonly address: Uint8Array;
  /** The port the remote reported for it. */
  readonly port: number;
  /** Its BEP 11 flag byte (0 when the sender gave none). */
  readonly flags: number;
}

/** A peer a remote no longer reports. */
export interface InboundDrop {
  /** Identity key, as `peerKey(address, port)` gives it. */
  readonly key: PeerKey;
  /** 4 or 6. */
  readonly family: AddressFamily;
  /** 4 or 16 address bytes, owned by the caller. */
  readonly address: Uint8Array;
  /** The port the remote had reported for it. */
  readonly port: number;
}

/** What the remote did wrong; `amount` and `limit` say how much. */
export interface PexViolation {
  /** Which rule: more often than allowed, more peers than a message may carry, or one peer in both `added` and `dropped`. */
  readonly kind: 'too-frequent' | 'too-many-added' | 'too-many-dropped' | 'added-and-dropped';
  /** How much the remote sent (peers, or ms since its previous message for `too-frequent`). */
  readonly amount: number;
  /** What was allowed. */
  readonly limit: number;
  /** A human-readable description, for logs (do not parse it). */
  readonly message: string;
}

/** The outcome of one received message. */
export interface InboundResult {
  /** Peers not known from this source before, accepted by the caller's predicate. */
  readonly added: readonly InboundPeer[];
  /** Peers this source had reported and now drops. */
  readonly dropped: readonly InboundDrop[];
  /** Rule breaks found in this message; if `applied` is false, nothing of it was applied. */
  readonly violations: readonly PexViolation[];
  /** False when the message was refused as a whole (rate exceeded): no state changed. */
  readonly applied: boolean;
  /** Peers left out: refused by the predicate or beyond the per-source cap. */
  readonly ignored: number;
  /**
   * The new peers left out because this source already filled its `maxPeersPerSource` (counted
   * in `ignored` too; the predicate was not asked about them). Empty when nothing overflowed.
   */
  readonly overflowed: readonly InboundPeer[];
}
