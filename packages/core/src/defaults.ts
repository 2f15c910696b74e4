/**
 * Defaults of the state machines (outbound tracker, inbound view, swarm timeline).
 * Each one is explained, with its source, in docs/limits.md.
 */

/**
 * Default minimum gap between two PEX messages to one remote, ms. BEP 11 allows one message
 * per minute, and ut_pex 5.x destroys the wire when two arrive less than 60 s apart; the extra
 * 10 s absorb send-queue and network jitter so that a message sent late never lands early.
 */
export const DEFAULT_SEND_INTERVAL_MS = 70_000;

/**
 * Default cap on the first message to a remote (IPv4 + IPv6 added). BEP 11 exempts the first
 * message from the 50-peer cap; libtorrent sends up to 100 there, which every receiver accepts.
 */
export const DEFAULT_FIRST_MESSAGE_MAX_ADDED = 100;

/** BEP 11: "at most 50 added (IPv4 + IPv6 combined)" in every message but the first. */
export const MAX_ADDED_PER_MESSAGE = 50;

/** BEP 11: at most 50 dropped (IPv4 + IPv6 combined) in a message. */
export const MAX_DROPPED_PER_MESSAGE = 50;

/**
 * Default number of peers remembered per source (IPv4 + IPv6). uTorrent keeps 200 per source,
 * libtorrent 50 per family; 200 holds a full first message from libtorrent (100) with room for
 * churn, and bounds what one remote can make us remember.
 */
export const DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE = 200;

/**
 * Default burst allowance of the inbound rate policy, in messages: how many messages may arrive
 * back to back before the sustained rate applies. Covers a first message sent at once after the
 * handshake (Transmission, anacrolix), libtorrent's first message 1.4 s after the handshake, and
 * a couple of messages bunched up by a stalled connection.
 */
export const DEFAULT_INBOUND_BURST_MESSAGES = 4;

/**
 * Default refill time of the inbound rate policy, ms per message: one message per 30 s is
 * sustained forever. Twice the BEP 11 rate, so a compliant sender (libtorrent gaps of 59.5 s,
 * ut_pex 65 s, Transmission 90 s, anacrolix 60 s) earns back more than it spends, jitter included.
 */
export const DEFAULT_INBOUND_REFILL_MS = 30_000;

/**
 * Default most added peers (IPv4 + IPv6) in a received message before it is reported as
 * `too-many-added`. BEP 11 says 50, but libtorrent sends up to 100 in later messages too; the
 * first message with added peers is exempt (anacrolix sends its whole list there, uncapped).
 */
export const DEFAULT_INBOUND_MAX_ADDED_PER_MESSAGE = 100;

/**
 * Default most dropped peers (IPv4 + IPv6) in a received message before it is reported as
 * `too-many-dropped`. BEP 11 says 50, but libtorrent does not cap its drops (it drops what it
 * was connected to, 200 connections by default), so the default leaves room for a mass disconnect.
 */
export const DEFAULT_INBOUND_MAX_DROPPED_PER_MESSAGE = 500;

/**
 * BEP 11, "Filling underpopulated lists": "the liveness requirement is relaxed if a client is
 * connected to less than 25 clients for a particular address family". The relaxation applies to
 * a family while it has fewer live peers than this.
 */
export const RELAXATION_LIVE_PEERS_BELOW = 25;

/**
 * BEP 11, "Filling underpopulated lists": "it may keep a list of up to 25 most recently
 * established and fully handshaken connections for that address family". The most recently
 * disconnected peers kept per family for the relaxation, and so the most it adds per family.
 */
export const RELAXATION_MAX_DEPARTED = 25;

/**
 * Default number of peers a relay index remembers introducers for: libtorrent keeps at most 3000
 * peers per torrent (`max_peerlist_size`), every candidate it would ever dial or look up a
 * holepunch relay for.
 */
export const DEFAULT_RELAY_MAX_PEERS = 3_000;

/**
 * Default number of introducers (connections advertising one peer) a relay index keeps per
 * peer, the newest. libtorrent and anacrolix send a BEP 55 rendezvous through one relay; a few
 * more are the fallbacks when a relay answers `NotConnected` or has gone.
 */
export const DEFAULT_RELAY_MAX_INTRODUCERS_PER_PEER = 4;

/**
 * Default age after which a relay index forgets an advertisement it was told of, ms (30 min).
 * Drops keep the index exact; the age only bounds what a sender that never drops leaves behind
 * (ut_pex 5.x under WebTorrent adds and never drops). A stale entry costs one rendezvous that the
 * relay answers with an error, a missing one the holepunch itself: so the age is long.
 */
export const DEFAULT_RELAY_MAX_AGE_MS = 30 * 60_000;
