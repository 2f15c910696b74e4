import { EventEmitter } from 'node:events';
import bencode from 'bencode';

/**
 * The part of a bittorrent-protocol 5 wire that both extensions touch, without sockets or
 * streams, so the cases measure PEX and not the transport. `extended` does what the real wire
 * does with the payload (bittorrent-protocol 5 `Wire#extended`: a view is sent as is, an object
 * is bencoded first), and keeps the bytes so the work cannot be skipped.
 */
export class FakeWire extends EventEmitter {
  /** The remote advertised ut_pex with id 1 (our adapter sends only then). */
  readonly peerExtendedMapping: Record<string, number> = { ut_pex: 1 };
  readonly peerExtendedHandshake: Record<string, unknown> = { m: { ut_pex: 1 } };
  extendedHandshake: Record<string, unknown> = {};
  destroyed = false;
  /** Whether `extended` bencodes objects (the send path) or only keeps them (the swarm case). */
  readonly encodeObjects: boolean;
  lastPayload: unknown;
  sentBytes = 0;
  sentMessages = 0;

  constructor(encodeObjects = true) {
    super();
    this.encodeObjects = encodeObjects;
  }

  extended(_name: string, payload: unknown): void {
    const bytes =
      ArrayBuffer.isView(payload) || !this.encodeObjects
        ? payload
        : bencode.encode(payload as Record<string, unknown>);
    this.lastPayload = bytes;
    this.sentMessages++;
    if (bytes instanceof Uint8Array) this.sentBytes += bytes.length;
  }

  use(_extension: unknown): void {
    // The cases construct the extensions themselves, one per wire.
  }

  /** ut_pex destroys the wire over two messages within 60 s; here that must change nothing. */
  destroy(): this {
    return this;
  }
}

/** A clock the cases move by hand (the session takes it as its `clock` option). */
export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

export function createManualClock(start = 0): ManualClock {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

/**
 * Timers that only remember the one pending callback (a session keeps at most one);
 * `fire()` runs it, as if its time had come.
 */
export interface ManualTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs the pending callback; false if none was pending. */
  fire(): boolean;
}

export function createManualTimers(): ManualTimers {
  let pending: { callback: () => void } | undefined;
  return {
    setTimeout: (callback) => {
      pending = { callback };
      return pending;
    },
    clearTimeout: (handle) => {
      if (handle === pending) pending = undefined;
    },
    fire: () => {
      const timer = pending;
      if (timer === undefined) return false;
      pending = undefined;
      timer.callback();
      return true;
    },
  };
}

/** An extension as bittorrent-protocol 5 drives it (both ut_pex and ours have these). */
interface InstalledExtension {
  onExtendedHandshake?(handshake: Record<string, unknown>): void;
  onMessage(payload: Uint8Array): void;
}

/**
 * A fake wire that installs one extension and dispatches to it as bittorrent-protocol 5 does,
 * for the swarm helper (which calls `wire.use()` itself) and the seedbox case. `use(Extension)`
 * constructs it and sets `wire[name]`; `_onExtended(0, bytes)` decodes an extended handshake,
 * keeps it as `peerExtendedHandshake` / `peerExtendedMapping`, calls `onExtendedHandshake` and
 * emits `extended`; `_onExtended(id, bytes)` hands a ut_pex payload to `onMessage`; `extended`
 * bencodes an object payload (what ut_pex sends) and counts the bytes without keeping them;
 * `close()` emits `close`. What it skips: sockets, the BitTorrent handshake, message framing,
 * every other message type and the wire's own buffers and state.
 */
export class ProtocolWire extends EventEmitter {
  peerExtendedMapping: Record<string, number> = {};
  peerExtendedHandshake: Record<string, unknown> = {};
  extendedHandshake: Record<string, unknown> = {};
  peerId: string | null = null;
  destroyed = false;
  sentBytes = 0;
  sentMessages = 0;
  #extension: InstalledExtension | undefined;

  use(Extension: new (wire: ProtocolWire) => InstalledExtension): void {
    const name = (Extension.prototype as { name: string }).name;
    const extension = new Extension(this);
    this.#extension = extension;
    (this as unknown as Record<string, unknown>)[name] = extension;
  }

  extended(_name: string, payload: unknown): void {
    const bytes = ArrayBuffer.isView(payload)
      ? (payload as Uint8Array)
      : bencode.encode(payload as Record<string, unknown>);
    this.sentMessages++;
    this.sentBytes += bytes.length;
  }

  _onExtended(ext: number, payload: Uint8Array): void {
    if (ext === 0) {
      const handshake = bencode.decode(payload) as Record<string, unknown>;
      const m = (handshake.m ?? {}) as Record<string, number>;
      this.peerExtendedHandshake = handshake;
      this.peerExtendedMapping = { ...m };
      this.#extension?.onExtendedHandshake?.(handshake);
      this.emit('extended', 'handshake', handshake);
      return;
    }
    this.#extension?.onMessage(payload);
    this.emit('extended', 'ut_pex', payload);
  }

  destroy(): this {
    this.destroyed = true;
    return this;
  }

  close(): void {
    this.destroyed = true;
    this.emit('close');
  }
}
