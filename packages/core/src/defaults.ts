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
 * Default most candidates a candidate pool holds (IPv4 + IPv6). An application dials a few
 * hundred peers per torrent at most (libtorrent keeps 200 connections per torrent by default);
 * 1 000 leaves a choice five times that, at a few hundred bytes per candidate.
 */
export const DEFAULT_POOL_MAX_CANDIDATES = 1_000;

/**
 * Default share of the pool one source may vote for, as a divisor of `maxCandidates`: a tenth,
 * so filling the pool takes at least ten remotes. BEP 11: "a client should avoid taking all its
 * connection candidates from a single PEX source".
 */
export const DEFAULT_POOL_SOURCE_SHARE_DIVISOR = 10;

/**
 * Default most sources (connections) a candidate pool tracks: libtorrent keeps 200 connections
 * per torrent by default, so every connection of such a torrent can vote.
 */
export const DEFAULT_POOL_MAX_SOURCES = 200;

/**
 * Default most sources remembered per candidate. The ordering ranks by the number of
 * independent sources; beyond 8, one more report says little, and each vote costs memory.
 */
export const DEFAULT_POOL_MAX_SOURCES_PER_CANDIDATE = 8;

/**
 * Default most candidates per subnet (/24 for IPv4, /48 for IPv6): one operator or one
 * adversary usually holds a whole /24 or /48, and BEP 11 points to spreading "connection
 * attempts over many subnets, thus reducing the impact on any potential victim subnet".
 */
export const DEFAULT_POOL_MAX_CANDIDATES_PER_SUBNET = 4;

/**
 * One port per IP address. BEP 11: "Duplicate IP addresses (e.g. with different ports) should be
 * ignored".
 */
export const DEFAULT_POOL_MAX_PORTS_PER_ADDRESS = 1;

/**
 * Default life of a vote, ms: 30 minutes. A remote drops a peer when it disconnects from it, so
 * a live vote is usually withdrawn long before; the bound is for remotes that never drop, or go
 * quiet (30 times BEP 11's one message a minute).
 */
export const DEFAULT_POOL_MAX_AGE_MS = 30 * 60_000;

/**
 * Default time a handed-out candidate is not handed out again, ms: 10 minutes. It is being
 * dialled or is connected; libtorrent waits at least a minute (min_reconnect_time, times the
 * failures) before it tries a peer again.
 */
export const DEFAULT_POOL_HAND_OUT_WINDOW_MS = 10 * 60_000;

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
