import { argumentError } from './argument-error.js';
import {
  DEFAULT_INBOUND_BURST_MESSAGES,
  DEFAULT_INBOUND_MAX_ADDED_PER_MESSAGE,
  DEFAULT_INBOUND_MAX_DROPPED_PER_MESSAGE,
  DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE,
  DEFAULT_INBOUND_REFILL_MS,
} from './defaults.js';
import { assertInteger, assertTime, givenOptions } from './option-checks.js';
import { type PeerKey, peerKey, peerKeyAddress } from './peer-key.js';
import { PeerKeyTable } from './peer-key-table.js';
import type { AddressFamily, CompactPeer, PexMessage } from './types.js';

/** A peer newly reported (or dropped) by a remote, as returned by `InboundView.receive`. */
export interface InboundPeer {
  /** Identity key, as `peerKey(address, port)` gives it. */
  readonly key: PeerKey;
  /** 4 or 6. */
  readonly family: AddressFamily;
  /** 4 or 16 address bytes, owned by the caller. */
  readonly address: Uint8Array;
  /** The port the remote reported for it. */
  readonly port: number;
  /** Its BEP 11 flag byte (0 when the sender gave none); flags is 0 for drops. */
  readonly flags: number;
}

/** What the remote did wrong; `amount` and `limit` say how much. */
export interface PexViolation {
  /** Which rule: more often than allowed, more peers than a message may carry, or one peer in both `added` and `dropped`. */
  readonly reason: 'too-frequent' | 'too-many-added' | 'too-many-dropped' | 'added-and-dropped';
  /** How much the remote sent (peers, or ms since its previous message for `too-frequent`). */
  readonly amount: number;
  /** What was allowed. */
  readonly limit: number;
  /** A human-readable description, for logs (do not parse it). */
  readonly message: string;
}

/** The outcome of one received message. */
export interface InboundResult {
  /**
   * Peers not known from this source before, accepted by the caller's predicate: exactly the
   * peers `accept` returned true for during this call, in the order it was asked about them.
   */
  readonly added: readonly InboundPeer[];
  /** Peers this source had reported and now drops, in the same shape (flags is 0 for drops). */
  readonly dropped: readonly InboundPeer[];
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

/** Options of `createInboundView`. Every default is explained in docs/limits.md. */
export interface InboundViewOptions {
  /**
   * Decides whether a newly reported peer is kept (e.g. refuse port 0, our own address, private
   * ranges, a blocklist). Refused peers are counted in `ignored` and not remembered. Default: all.
   */
  readonly accept?: (peer: InboundPeer) => boolean;
  /** Most peers remembered from this source (IPv4 + IPv6). Default `DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE`. */
  readonly maxPeersPerSource?: number;
  /** Messages accepted back to back before the sustained rate applies. Default `DEFAULT_INBOUND_BURST_MESSAGES`. */
  readonly burstMessages?: number;
  /** Time that earns back one message of burst allowance, ms. Default `DEFAULT_INBOUND_REFILL_MS`. */
  readonly refillMs?: number;
  /** Added peers above which a message is reported `too-many-added`. Default `DEFAULT_INBOUND_MAX_ADDED_PER_MESSAGE`. */
  readonly maxAddedPerMessage?: number;
  /** Dropped peers above which a message is reported `too-many-dropped`. Default `DEFAULT_INBOUND_MAX_DROPPED_PER_MESSAGE`. */
  readonly maxDroppedPerMessage?: number;
}

/** What one remote peer told us over one connection. */
export interface InboundView {
  /**
   * Takes one decoded message that arrived at `now` (ms, any monotonic scale) and returns what is
   * new. A message beyond the rate allowance is refused whole (`applied: false`, a `too-frequent`
   * violation, nothing changed); other violations are reported and the message is still applied.
   * @throws {RangeError} if `now` is not a finite number.
   * @throws {TypeError} if `message` is not a `PexMessage` (a list is not an array, a peer has an
   *   address of the wrong length for its list); nothing is changed then.
   * @throws whatever `accept` throws; nothing is changed then.
   */
  receive(message: PexMessage, now: number): InboundResult;
  /** Number of peers currently remembered from this source (at most `maxPeersPerSource`). */
  readonly knownPeerCount: number;
}

/**
 * Creates the inbound view of one connection. It reports only what is new (a peer already known
 * from this source is not reported again, a drop of an unknown peer is not reported), remembers at
 * most `maxPeersPerSource` peers, and judges the sender's rate with a token bucket: `burstMessages`
 * messages may arrive back to back, then one per `refillMs`. A sender that keeps to BEP 11's "one
 * message per minute", with any jitter up to 30 s, never runs out; a flooding sender gets at most
 * `burstMessages + elapsed / refillMs` messages applied, the rest come back as `too-frequent`.
 * What to do about a violation (ignore, disconnect) is the caller's decision.
 *
 * Within a message, drops are applied before adds (so a full source can replace peers), a peer
 * both added and dropped is applied neither way (`added-and-dropped`), and a flag change of a known
 * peer is not reported again.
 *
 * @example
 * ```ts
 * const view = createInboundView({ accept: (peer) => peer.port !== 0 });
 * const { added, violations } = view.receive(decodePexMessage(payload), performance.now());
 * ```
 * @throws {TypeError} if `options` is not an object or `accept` not a function.
 * @throws {RangeError} if a number option is not a positive integer.
 */
export function createInboundView(options?: InboundViewOptions): InboundView {
  return new View(resolveInboundOptions(options));
}

/**
 * The view as a class: its methods are shared by every connection's view, where a factory made
 * a closure per method per connection.
 */
class View implements InboundView {
  readonly #settings: ResolvedInboundOptions;
  // A typed-array set: 12 bytes per remembered IPv4 peer rather than about 45 in a `Set`.
  readonly #known = new PeerKeyTable();
  #tokens: number;
  #lastAt: number | undefined;
  #sawAdded = false;

  constructor(settings: ResolvedInboundOptions) {
    this.#settings = settings;
    this.#tokens = settings.burstMessages;
  }

  get knownPeerCount(): number {
    return this.#known.size;
  }

  receive(message: PexMessage, now: number): InboundResult {
    assertTime(now);
    assertMessage(message);
    const settings = this.#settings;
    const known = this.#known;
    const lastAt = this.#lastAt;
    const elapsed = lastAt === undefined ? 0 : Math.max(0, now - lastAt);
    const available = Math.min(settings.burstMessages, this.#tokens + elapsed / settings.refillMs);
    if (available < 1) {
      this.#lastAt = Math.max(lastAt ?? now, now);
      this.#tokens = available;
      return refuse(elapsed, settings);
    }
    const violations: PexViolation[] = [];
    const addedCount = message.added.length + message.added6.length;
    const droppedCount = message.dropped.length + message.dropped6.length;
    // BEP 11 exempts the first message from the cap; anacrolix sends its whole list there.
    if (this.#sawAdded && addedCount > settings.maxAddedPerMessage) {
      violations.push(
        violation('too-many-added', addedCount, settings.maxAddedPerMessage, 'added peers'),
      );
    }
    if (droppedCount > settings.maxDroppedPerMessage) {
      violations.push(
        violation('too-many-dropped', droppedCount, settings.maxDroppedPerMessage, 'dropped peers'),
      );
    }

    // Work out everything before changing anything: `accept` may throw.
    // Where each peer of this message appeared (dropped, added or both): one table per
    // message, sized for it, dropped when `receive` returns.
    const seen = new PeerKeyTable();
    seen.reserve(addedCount + droppedCount);
    let drops: InboundPeer[] = [];
    const candidates: InboundPeer[] = [];
    collect(seen, message.dropped, 4, IN_DROPPED, drops);
    collect(seen, message.dropped6, 6, IN_DROPPED, drops);
    let both = collect(seen, message.added, 4, IN_ADDED, candidates);
    both += collect(seen, message.added6, 6, IN_ADDED, candidates);
    if (both > 0) drops = drops.filter((drop) => seen.get(drop.key) !== IN_BOTH);
    if (both > 0) {
      violations.push({
        reason: 'added-and-dropped',
        amount: both,
        limit: 0,
        message: `${both} peers both added and dropped in one message; applied neither way`,
      });
    }
    const dropped = drops.filter((drop) => known.has(drop.key));
    let room = settings.maxPeersPerSource - known.size + dropped.length;
    let ignored = 0;
    const added: InboundPeer[] = [];
    let overflowed: InboundPeer[] | undefined;
    const accept = settings.accept;
    for (const peer of candidates) {
      if (known.has(peer.key)) continue;
      if (room <= 0) {
        // Not judged: the source has no room left, whatever `accept` would say.
        ignored++;
        overflowed ??= [];
        overflowed.push(peer);
        continue;
      }
      if (accept !== undefined && !accept(peer)) {
        ignored++;
        continue;
      }
      added.push(peer);
      room--;
    }

    for (const drop of dropped) known.delete(drop.key);
    known.reserve(added.length);
    for (const peer of added) known.set(peer.key);
    this.#tokens = available - 1;
    this.#lastAt = Math.max(lastAt ?? now, now);
    if (addedCount > 0) this.#sawAdded = true;
    return {
      added,
      dropped,
      violations,
      applied: true,
      ignored,
      overflowed: overflowed ?? NOTHING_OVERFLOWED,
    };
  }
}

/** `overflowed` of every result with none: shared, so a message within the cap allocates no list for it. */
const NOTHING_OVERFLOWED: readonly InboundPeer[] = /* @__PURE__ */ Object.freeze([]);

/** Value of a key in `scratch` while a message is read: where in the message it appeared. */
const IN_DROPPED = 1;
const IN_ADDED = 2;
const IN_BOTH = 3;

interface ResolvedInboundOptions {
  readonly accept: ((peer: InboundPeer) => boolean) | undefined;
  readonly maxPeersPerSource: number;
  readonly burstMessages: number;
  readonly refillMs: number;
  readonly maxAddedPerMessage: number;
  readonly maxDroppedPerMessage: number;
}

/** The number options and their defaults, in the order they are checked. */
const INBOUND_DEFAULTS = {
  maxPeersPerSource: DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE,
  burstMessages: DEFAULT_INBOUND_BURST_MESSAGES,
  refillMs: DEFAULT_INBOUND_REFILL_MS,
  maxAddedPerMessage: DEFAULT_INBOUND_MAX_ADDED_PER_MESSAGE,
  maxDroppedPerMessage: DEFAULT_INBOUND_MAX_DROPPED_PER_MESSAGE,
} as const;

function resolveInboundOptions(options: InboundViewOptions | undefined): ResolvedInboundOptions {
  const given = givenOptions(options);
  if (given.accept !== undefined && typeof given.accept !== 'function') {
    throw argumentError(TypeError, 'accept', 'a function', given.accept);
  }
  const resolved: Record<string, unknown> = { accept: given.accept };
  for (const field of Object.keys(INBOUND_DEFAULTS) as (keyof typeof INBOUND_DEFAULTS)[]) {
    const value = given[field] ?? INBOUND_DEFAULTS[field];
    assertInteger(value, field, 1);
    resolved[field] = value;
  }
  return resolved as unknown as ResolvedInboundOptions;
}

function refuse(elapsed: number, settings: ResolvedInboundOptions): InboundResult {
  const gapMs = Math.round(elapsed);
  return {
    added: [],
    dropped: [],
    violations: [
      {
        reason: 'too-frequent',
        amount: gapMs,
        limit: settings.refillMs,
        message: `message ${gapMs} ms after the previous one with no burst allowance left (burst ${settings.burstMessages}, then one per ${settings.refillMs} ms)`,
      },
    ],
    applied: false,
    ignored: 0,
    overflowed: NOTHING_OVERFLOWED,
  };
}

function violation(
  reason: 'too-many-added' | 'too-many-dropped',
  amount: number,
  limit: number,
  what: string,
): PexViolation {
  return { reason, amount, limit, message: `${amount} ${what} in one message, limit ${limit}` };
}

/**
 * Adds the peers of one list (`mark`: `IN_DROPPED` or `IN_ADDED`) not seen before in the message to
 * `seen` and `into`; an added peer already dropped is marked as both. Returns how many peers
 * were newly found in both lists.
 */
function collect(
  seen: PeerKeyTable,
  peers: readonly CompactPeer[],
  family: AddressFamily,
  mark: typeof IN_DROPPED | typeof IN_ADDED,
  into: InboundPeer[],
): number {
  let both = 0;
  for (const peer of peers) {
    const key = keyOf(peer, family);
    const at = seen.insert(key, mark);
    if (at === -1) {
      into.push(toInboundPeer(key, peer, mark === IN_ADDED ? (peer.flags ?? 0) : 0));
    } else if (mark === IN_ADDED && seen.valueAt(at) === IN_DROPPED) {
      seen.setValueAt(at, IN_BOTH);
      both++;
    }
  }
  return both;
}

/**
 * A reported peer as plain data. Its family comes from the key: an IPv4-mapped address from
 * added6/dropped6 is reported as IPv4, with its 4 address bytes.
 */
function toInboundPeer(key: PeerKey, peer: CompactPeer, flags: number): InboundPeer {
  const family: AddressFamily = typeof key === 'number' ? 4 : 6;
  const address = family === 4 && peer.address.length === 16 ? peerKeyAddress(key) : peer.address;
  return { key, family, address, port: peer.port, flags };
}

function assertMessage(message: unknown): asserts message is PexMessage {
  if (typeof message !== 'object' || message === null) {
    throw argumentError(TypeError, 'message', 'a PexMessage', message);
  }
  for (const list of ['added', 'added6', 'dropped', 'dropped6'] as const) {
    const peers = (message as Partial<PexMessage>)[list];
    if (!Array.isArray(peers)) {
      throw argumentError(TypeError, `message.${list}`, 'an array', peers);
    }
  }
}

/**
 * Key of a peer of a list of `family`. Peers are not validated again (the decoder did); the key's
 * type still catches a peer put in the list of the other family.
 */
function keyOf(peer: CompactPeer, family: AddressFamily): PeerKey {
  const key = peerKey(peer.address, peer.port);
  if ((typeof key === 'number') !== (family === 4)) {
    const expected = `${family === 4 ? 4 : 16} bytes (IPv${family})`;
    throw argumentError(TypeError, 'peer.address', expected, peer.address.length);
  }
  return typeof key === 'number' ? key : unmapKey(key);
}

/**
 * An IPv4-mapped IPv6 key (`::ffff:a.b.c.d`) as the IPv4 key of the same host and port: a peer
 * is one peer whichever list it came in (dedup, the per-source cap, drops). Also used by the
 * candidate pool.
 * @internal
 */
export function unmapKey(key: string): PeerKey {
  for (let i = 0; i < 5; i++) if (key.charCodeAt(i) !== 0) return key;
  if (key.charCodeAt(5) !== 0xffff) return key;
  return (key.charCodeAt(6) * 0x10000 + key.charCodeAt(7)) * 0x10000 + key.charCodeAt(8);
}
