import type { PexDecodeError, PexViolation } from '@pex/core';
import type { PexPeerFlags } from './flags.js';
import type { PeerAddress } from './peer-address.js';
import type { PexRefusal } from './peer-policy.js';

/** Payload of `peer`: a peer the remote reported and the policy accepted. */
export interface PexPeerEvent extends PeerAddress {
  /** 1..65535 for accepted peers (the default policy refuses 0). */
  readonly port: number;
  /**
   * Its BEP 11 flags as named booleans, plus the raw `byte`: one frozen object shared among all
   * peers with the same byte (copy it to change it).
   */
  readonly flags: PexPeerFlags;
}

/**
 * Why a peer the remote reported was not emitted as `peer`:
 * - a `PexRefusal` of the default policy (`port-zero`, `unspecified`, `multicast`, `broadcast`,
 *   `reserved`, `local-from-remote`, `own-address`);
 * - `policy`: a custom `accept` policy returned false (or threw);
 * - `source-full`: this remote already filled its share of memory (`inbound.maxPeersPerSource`);
 * - `private`: the torrent is private (BEP 27): no peer from PEX is used.
 */
export type PexRefusalReason = PexRefusal | 'policy' | 'source-full' | 'private';

/** Payload of `refused`: a peer the remote reported that was left out, and why. */
export interface PexRefusedEvent extends PeerAddress {
  /** The port the remote reported (0 included). */
  readonly port: number;
  /** Why it was left out. */
  readonly reason: PexRefusalReason;
}

/** Payload of `sent`: what one outgoing message carried, for diagnostics. */
export interface PexSentEvent {
  /** IPv4 peers in `added`. */
  readonly added: number;
  /** IPv6 peers in `added6`. */
  readonly added6: number;
  /** IPv4 peers in `dropped`. */
  readonly dropped: number;
  /** IPv6 peers in `dropped6`. */
  readonly dropped6: number;
  /** Length of the encoded payload handed to `send`. */
  readonly bytes: number;
  /** The clock time at which it was sent. */
  readonly at: number;
}

/** Payload of `warning`: something threw inside a timer callback or `receive` and was caught. */
export interface PexWarningEvent {
  /**
   * Where it was caught:
   * - `send`: the transport's `send` threw (the message counts as sent: the remote may have
   *   got it);
   * - `listener`: one of our event listeners threw (that one emission stopped there);
   * - `core`: the core threw where it should not (a bug, or an injected `outbound` misbehaving);
   * - `policy`: the `accept` policy threw (the peer is treated as refused);
   * - `disconnect`: the `disconnect` callback threw;
   * - `receive`: `receive` was given something that is not a Uint8Array.
   */
  readonly source: 'send' | 'listener' | 'core' | 'policy' | 'disconnect' | 'receive';
  /** What was thrown (any value: listeners and transports may throw non-Errors). */
  readonly error: unknown;
}

/** Where a `warning` came from: the `source` of `PexWarningEvent`. */
export type PexWarningSource = PexWarningEvent['source'];

/**
 * The session's events, one payload object each. Used as eventemitter3's typed map, so a
 * wrong event name or payload type is a compile error.
 */
export interface PexSessionEvents {
  /** A new peer from the remote, accepted by the policy. */
  peer: (peer: PexPeerEvent) => void;
  /** A peer the remote reported before and now drops, as its `peer` event gave it. */
  dropped: (peer: PeerAddress) => void;
  /**
   * A new peer from the remote that was left out (by the policy, or because the remote's share
   * of memory is full). Built only while someone listens; counted in `getCounters()` always.
   */
  refused: (peer: PexRefusedEvent) => void;
  /** A received payload that failed to decode; nothing of it was applied. */
  invalid: (error: PexDecodeError) => void;
  /**
   * The remote broke a BEP 11 rule (too frequent, too many peers, added and dropped at once).
   * `reason` says what, `amount` how much and `limit` what was allowed (for `too-frequent`,
   * milliseconds since its previous message and the shortest gap tolerated).
   */
  violation: (violation: PexViolation) => void;
  /** A message went out. */
  sent: (sent: PexSentEvent) => void;
  /** Something threw where nothing may throw (a timer, `receive`); the session carries on. */
  warning: (warning: PexWarningEvent) => void;
}

/** The name of a session event. */
export type PexSessionEventName = keyof PexSessionEvents;
