import { resolveOutboundOptions } from './outbound-options.js';
import { assertDeparture, toConnectedPeerKey, toPeerKey } from './peer-checks.js';
import type { PeerKey } from './peer-key.js';
import type { PexOutbound, PexOutboundOptions } from './pex-outbound.js';
import { SwarmCursor } from './swarm-cursor.js';
import { SwarmLog } from './swarm-log.js';
import type { CompactPeer, PexMessage } from './types.js';

/**
 * One connection's cursor into a `SwarmTimeline`: a `PexOutbound` for that connection.
 *
 * Cursors that stand at the same place in the log, past their first message, with nothing of
 * their own to tell (no peer held back, the remote not among the changes), get the same message
 * object, built once; `encode` then gives them the same bytes, encoded once. Read such a message,
 * never change it.
 */
export interface SwarmTimelineCursor extends PexOutbound {
  /**
   * The bytes of `message` (one this cursor returned): the same bytes for every cursor that got
   * the message. Read or copy them, never change or transfer them.
   */
  encode(message: PexMessage): Uint8Array;
  /**
   * The connection is gone: releases the cursor, so the log no longer keeps events for it.
   * Afterwards `nextMessage` and `nextMessageAt` return `undefined`. Calling it twice is harmless.
   */
  leave(): void;
  /**
   * Changes which peer is the remote itself (e.g. once its listen port is known). If the new
   * remote was advertised to it, the next message drops it; the old one becomes an ordinary peer.
   * @throws {TypeError} if `remote` is neither undefined nor a key made by `peerKey`.
   */
  setRemote(remote: PeerKey | undefined): void;
}

/**
 * The PEX state of one swarm (torrent): our live connections as one append-only log of add/drop
 * events shared by every connection, with a cursor per connection.
 */
export interface SwarmTimeline {
  /**
   * We are connected to `peer` (flags default to 0); again with other flags updates them.
   * O(1) whatever the number of connections.
   * @throws {TypeError|RangeError} for a malformed peer, as `encodePexMessage` would.
   */
  connected(peer: CompactPeer): void;
  /**
   * We are no longer connected to the peer at `address` / `port`; unknown peers are ignored.
   * O(1) whatever the number of connections. With `relaxation` on (in the timeline's options),
   * `{ qualifies: true }` says it left for a reason BEP 11 lets us still advertise it for (see
   * `PexOutboundOptions.relaxation`).
   * @throws {TypeError|RangeError} for a malformed address or port, or a `how` that is not an
   *   object with an optional boolean `qualifies`.
   */
  disconnected(
    peer: Pick<CompactPeer, 'address' | 'port'>,
    how?: { readonly qualifies?: boolean },
  ): void;
  /**
   * Adds a connection; its first message is the live list (at most `firstMessageMaxAdded`, the
   * rest follows in later messages). `options` override the timeline's; departures are kept
   * only when the timeline's own options have `relaxation`, which a join may then turn off
   * (`relaxation: undefined`) or narrow for its connection.
   * @throws {TypeError|RangeError} for invalid options, as `createOutboundTracker`.
   */
  join(options?: PexOutboundOptions): SwarmTimelineCursor;
  /** Number of live peers (our connections). */
  readonly livePeerCount: number;
  /** Number of events kept in the log: those some cursor has not passed yet. */
  readonly retainedEventCount: number;
  /** Number of joined cursors that have not left. */
  readonly cursorCount: number;
  /**
   * Work done so far to release events no cursor needs any more, in steps: one per log position
   * looked at. It grows with the number of events, never with cursors times messages (a cursor
   * moving on costs O(1) whatever the number of cursors). For tests and diagnostics: the cost of
   * compaction, checked without a clock.
   */
  readonly compactionSteps: number;
  /**
   * Messages built so far from the log for cursors past their first message. Cursors that stand
   * at the same place in the log with nothing of their own to tell share one build (and one
   * encoding), so a round of W cursors in step costs one build, not W. For tests and diagnostics.
   */
  readonly messagesBuilt: number;
}

/**
 * Creates the PEX state of one swarm: advertising one peer to W connections costs one log event,
 * not W updates. Each connection joins with a cursor; its next message is built from the events
 * since its cursor with the rules of `createOutboundTracker` (net change per peer, so a peer added
 * and dropped in one window is not mentioned; caps, oldest first; never the remote itself). The log
 * is compacted as the slowest cursor advances, and an event no cursor has read yet is updated in
 * place rather than followed by another, so memory stays bounded by live peers plus pending events,
 * whatever the churn. Design after anacrolix/torrent's pexState.
 *
 * @example
 * ```ts
 * const swarm = createSwarmTimeline();
 * const cursor = swarm.join({ remote: peerKey(wireAddress, wirePort) });
 * swarm.connected({ address: new Uint8Array([192, 0, 2, 7]), port: 6881 });
 * const message = cursor.nextMessage(now); // first message: the live list
 * ```
 * @throws {TypeError} if `options` is not an object or `remote` is not a peer key.
 * @throws {RangeError} if `intervalMs` is not a non-negative integer, a cap is not a positive
 *   integer, or a relaxation number is not an integer 1..25.
 */
export function createSwarmTimeline(options?: PexOutboundOptions): SwarmTimeline {
  return buildSwarmTimeline(options, true);
}

/**
 * A swarm timeline whose cursors never share a message: each builds its own, as a per-connection
 * tracker would. The same messages as `createSwarmTimeline`; for differential tests and the bench.
 * @internal
 */
export function createUnsharedSwarmTimeline(options?: PexOutboundOptions): SwarmTimeline {
  return buildSwarmTimeline(options, false);
}

function buildSwarmTimeline(
  options: PexOutboundOptions | undefined,
  share: boolean,
): SwarmTimeline {
  const log = new SwarmLog(resolveOutboundOptions(options), share);
  return {
    connected(peer) {
      log.connect(toConnectedPeerKey(peer, 'peer'), peer.flags ?? 0);
    },
    disconnected(peer, how) {
      const key = toPeerKey(peer, 'peer');
      log.disconnect(key, assertDeparture(how));
    },
    join(joinOptions) {
      const { settings, remote } = log.resolveJoin(joinOptions);
      return new SwarmCursor(log, settings, remote);
    },
    get livePeerCount() {
      return log.live.size;
    },
    get retainedEventCount() {
      return log.retainedEventCount;
    },
    get cursorCount() {
      return log.cursorCount;
    },
    get compactionSteps() {
      return log.compactionSteps;
    },
    get messagesBuilt() {
      return log.messagesBuilt;
    },
  };
}
