import type { PeerKey } from './peer-key.js';
import type { PexMessage } from './types.js';

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
  /**
   * Optional: the bytes of a message this outbound returned, as `encodePexMessage` makes them.
   * An outbound that hands one message to many connections (a `SwarmTimeline` cursor) encodes it
   * once for all of them, and the same bytes go to each: never change or transfer them. Without
   * it the sender encodes each message itself.
   */
  encode?(message: PexMessage): Uint8Array;
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
  /**
   * BEP 11's relaxation for underpopulated lists; off when absent, `{}` for the BEP's numbers.
   * While a family has fewer than `livePeersBelow` live peers, a message may also add peers of
   * that family that recently left for a qualifying reason (`disconnected(peer, { qualifies:
   * true })`), the newest first, once per departure; each is dropped again in the very next
   * message. They are added only when every ordinary change fits the message, at most
   * `maxDroppedPerMessage` in all, so the next message can always drop them. See
   * docs/protocol.md.
   */
  readonly relaxation?: {
    /** The relaxation applies to a family while it has fewer live peers than this: 1..25, default 25. */
    readonly livePeersBelow?: number;
    /** Most recently departed peers kept, and added, per family: 1..25, default 25. */
    readonly maxDeparted?: number;
  };
}
