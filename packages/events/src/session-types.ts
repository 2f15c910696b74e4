import type { PexRefusalReason, PexSessionEvents } from './events.js';
import type { PexFlagsInput } from './flags.js';
import type { PeerAddressInput } from './peer-address.js';
import type { PexPrivacy } from './session-options.js';

/**
 * The event-listening half of a session: eventemitter3's methods, typed by `PexSessionEvents`
 * (a wrong event name or payload type does not compile), returning the session for chaining.
 * `emit` is not part of it: only the session emits.
 */
export interface PexSessionEmitter {
  /** Adds `listener` for `event`. A listener that throws becomes a `warning` event; it never reaches the caller of `receive` or a timer. */
  on<K extends keyof PexSessionEvents>(event: K, listener: PexSessionEvents[K]): this;
  /** Same as `on`. */
  addListener<K extends keyof PexSessionEvents>(event: K, listener: PexSessionEvents[K]): this;
  /** Adds `listener` for the next `event` only. */
  once<K extends keyof PexSessionEvents>(event: K, listener: PexSessionEvents[K]): this;
  /** Removes `listener`, or every listener of `event` when omitted. */
  off<K extends keyof PexSessionEvents>(event: K, listener?: PexSessionEvents[K]): this;
  /** Same as `off`. */
  removeListener<K extends keyof PexSessionEvents>(event: K, listener?: PexSessionEvents[K]): this;
  /** Removes every listener of `event`, or of every event when omitted. */
  removeAllListeners(event?: keyof PexSessionEvents): this;
  /** The listeners of `event`, in the order they run. */
  listeners<K extends keyof PexSessionEvents>(event: K): PexSessionEvents[K][];
  /** How many listeners `event` has. */
  listenerCount(event: keyof PexSessionEvents): number;
  /** The events that have at least one listener. */
  eventNames(): (keyof PexSessionEvents)[];
}

/**
 * What one session has done so far, read with `getCounters()`: a snapshot, plain data. Counts
 * of peers are peers, not messages.
 */
export interface PexCounters {
  /** Messages handed to `send`. */
  readonly messagesSent: number;
  /** Bytes of those messages. */
  readonly bytesSent: number;
  /** Peers advertised in them (`added` + `added6`). */
  readonly addedSent: number;
  /** Peers dropped in them (`dropped` + `dropped6`). */
  readonly droppedSent: number;
  /** Payloads given to `receive`, valid or not. */
  readonly messagesReceived: number;
  /** Bytes of those payloads. */
  readonly bytesReceived: number;
  /** New peers emitted as `peer`. */
  readonly addedReceived: number;
  /** Peers emitted as `dropped`. */
  readonly droppedReceived: number;
  /** Payloads that did not decode (`invalid` events). */
  readonly invalidPayloads: number;
  /** Rule breaks (`violation` events). */
  readonly violations: number;
  /** Peers left out, by reason (`refused` events); every reason is present, 0 if none. */
  readonly refused: Readonly<Record<PexRefusalReason, number>>;
}

/**
 * One connection's PEX. Nothing is sent before both `start()` and `setRemoteSupportsPex()`;
 * then the first message goes out `firstMessageDelayMs` later (or as soon as there is
 * something to say), and later ones at most once per `intervalMs`, only when something changed.
 * Received payloads are processed whether or not the session is started.
 * After `destroy()` every method is a no-op.
 */
export interface PexSession extends PexSessionEmitter {
  /** Allows sending (the remote must also support ut_pex). Idempotent. */
  start(): void;
  /** Stops sending and clears the timer; `start()` resumes. Receiving goes on. */
  stop(): void;
  /**
   * Forgets what was sent (the next message is a full first message again, still no sooner
   * than `intervalMs` after the previous one) and what the remote reported (no `dropped`
   * events for it). Keeps our peers, the started state and the remote's ut_pex support.
   */
  reset(): void;
  /** Stops everything for good: clears the timer and removes every listener. */
  destroy(): void;
  /**
   * Records whether the remote advertised ut_pex in its extended handshake (BEP 10); call it
   * again with `false` if a later handshake withdraws it. Nothing is ever sent before `true`,
   * nor while it is `false` again (and nothing is then recorded as told). When support comes
   * back after a withdrawal, the remote is treated as knowing nothing: the next message is a
   * full first message (first-message caps, no drops of peers it never heard of).
   */
  setRemoteSupportsPex(supported?: boolean): void;
  /**
   * Changes the remote's address (e.g. once its listen port is known from the handshake `p`).
   * @throws {TypeError|RangeError} naming the input if it is not a valid peer address (see
   *   `parsePeerAddress`).
   */
  setRemoteAddress(address: PeerAddressInput | undefined): void;
  /**
   * Adds one of our own listen addresses learned after creation (e.g. from the remote's `yourip`
   * and our listen port): peers at it are refused, so we are never told to dial ourselves.
   * Duplicates are ignored; at most 16 are kept (later ones are ignored).
   * @throws {TypeError|RangeError} naming the input if it is not a valid peer address (see
   *   `parsePeerAddress`).
   */
  addLocalAddress(address: PeerAddressInput): void;
  /**
   * We are connected to `peer`: advertise it (with `flags`, default none).
   * @throws {TypeError} naming the input for a malformed address (see `parsePeerAddress`),
   *   or when the session was created with an `outbound`.
   * @throws {RangeError} for a port outside 1..65535 or flags outside 0..255.
   */
  addPeer(peer: PeerAddressInput, flags?: PexFlagsInput): void;
  /**
   * We are no longer connected to `peer`: drop it if it was advertised. Unknown peers are ignored.
   * @throws {TypeError|RangeError} as `addPeer`.
   */
  dropPeer(peer: PeerAddressInput): void;
  /**
   * Processes one ut_pex payload from the remote. Never throws: problems become `invalid`,
   * `violation` or `warning` events.
   */
  receive(bytes: Uint8Array): void;
  /** Looks at the outbound again now (after changing an injected `outbound`). */
  refresh(): void;
  /**
   * The sessions whose remote currently advertises the peer at `address` / `port` with the
   * holepunch flag (0x08): this session, or none. Such a remote is connected to that peer, so it
   * can relay a BEP 55 rendezvous to it. This is only the index: sending `ut_holepunch` messages
   * is the application's part. Kept exact by the remote's drops; forgotten on `reset()`, when the
   * torrent becomes private, and 30 min after the remote advertised the peer.
   * @throws {TypeError|RangeError} naming the input if it is not a valid peer address (see
   *   `parsePeerAddress`).
   * @throws {Error} if the session was created without `relays: true` (nothing was indexed).
   */
  introducersOf(address: string, port: number): PexSession[];
  /**
   * Sets the torrent's privacy (BEP 27), as the `privacy` option describes: `'private'` stops
   * sending, forgets what the remote reported and refuses what it reports next; `'public'`
   * resumes (a full first message if anything was held back) and applies payloads held while
   * `'unknown'`.
   * @throws {TypeError} for another value.
   */
  setPrivacy(privacy: PexPrivacy): void;
  /** The torrent's privacy as last set. */
  readonly privacy: PexPrivacy;
  /** What the session has sent, received and refused so far (a fresh snapshot each call). */
  getCounters(): PexCounters;
}
