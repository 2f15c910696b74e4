/**
 * The part of a `bittorrent-protocol` 5.x `Wire` this package uses, described structurally so
 * that no wrong third-party typings are needed (`@types/bittorrent-protocol` describes 3.x)
 * and tests can pass real wires or small fakes alike.
 */
export interface PexWire {
  /** Sends an extended message; throws `Unrecognized extension` if the peer lacks `name`. */
  extended(name: string, payload: Uint8Array): void;
  /** Installs an extension class (its `prototype.name` is the extension name). */
  use(extension: new (wire: never) => unknown): void;
  /** Closes the wire (used by `onViolation: 'disconnect'`). */
  destroy(): unknown;
  /** True once the wire is closed: nothing is sent on it then. */
  readonly destroyed?: boolean;
  /** The remote's extension ids by name, from its extended handshake. */
  readonly peerExtendedMapping?: Record<string, number | undefined>;
  /** The remote's extended handshake (BEP 10), once received. */
  readonly peerExtendedHandshake?: Record<string, unknown>;
  /** Our extended handshake, minus `m` (bittorrent-protocol fills that in). */
  extendedHandshake?: Record<string, unknown>;
  /** Set by some applications (WebTorrent does) to the remote's address and port. */
  readonly remoteAddress?: string;
  /** Set by some applications (WebTorrent does) to the remote's port. */
  readonly remotePort?: number;
  /** The remote's peer id (hex), once its BitTorrent handshake arrived. */
  readonly peerId?: string | null;
  /** WebTorrent-style connection kind, e.g. `tcpOutgoing`, `utpIncoming`. */
  readonly type?: string;
  /**
   * The remote's pieces (bittorrent-protocol's BitField), read by the swarm helper on the wire's
   * `bitfield`, `have` and `have-all` events to tell when the remote becomes a seed.
   */
  readonly peerPieces?: {
    /** True if the remote has piece `index`. */
    get(index: number): boolean;
    /** The bits, high bit of byte 0 first: no piece is set past its end. */
    readonly buffer?: Uint8Array;
  };
  /** Runs `listener` once when the wire closes or finishes: the session is then destroyed. */
  once(event: 'close' | 'finish', listener: () => void): unknown;
  /**
   * Hears every extended message; `('handshake', dict)` for each extended handshake, also those
   * after which bittorrent-protocol does not call `onExtendedHandshake` (ut_pex set to 0).
   */
  on?(event: 'extended', listener: (ext: string | number, payload: unknown) => void): unknown;
  /** Removes a listener added with `once` or `on`. */
  removeListener?(
    event: 'close' | 'finish' | 'extended',
    listener: (ext: string | number, payload: unknown) => void,
  ): unknown;
}

/** True once the wire can no longer send. */
export function isWireClosed(wire: PexWire): boolean {
  return wire.destroyed === true;
}

/** True if the wire is known to be one we dialled (WebTorrent's `tcpOutgoing`, `utpOutgoing`). */
export function isOutgoing(wire: PexWire): boolean {
  return typeof wire.type === 'string' && wire.type.endsWith('Outgoing');
}

/** What one extended handshake (BEP 10) says of ut_pex, as `readUtPexId` reads it. */
export type UtPexIdChange =
  /** `m.ut_pex` is an integer 1..255: send under this id from now on. */
  | { readonly kind: 'on'; readonly id: number }
  /** `m.ut_pex` is 0: the remote switched ut_pex off (BEP 10). */
  | { readonly kind: 'off' }
  /** No `m`, or no `ut_pex` in it: BEP 10's `m` is additive, nothing changes. */
  | { readonly kind: 'unchanged' }
  /** `m.ut_pex` (or `m`) is something no id can be: ut_pex is off, and the remote is told of. */
  | { readonly kind: 'malformed'; readonly detail: string };

/** The largest extension id: BEP 10 writes it as one byte. */
const MAX_EXTENSION_ID = 255;

/**
 * Reads `m.ut_pex` of a decoded extended handshake. Only a bencoded integer 1..255 is an id:
 * bittorrent-protocol 5 stores `Number(value.toString())` and writes it as one byte, so 256
 * would go out as 0 (an extended handshake!), 300 as 44, the byte string "1" as 49, the list
 * [5] as 5. Everything else is `malformed`.
 */
export function readUtPexId(handshake: Record<string, unknown>): UtPexIdChange {
  const m = handshake.m;
  if (m === undefined) return UNCHANGED;
  if (typeof m !== 'object' || m === null || Array.isArray(m) || ArrayBuffer.isView(m)) {
    return { kind: 'malformed', detail: `"m" expected a dictionary, got ${describeBencoded(m)}` };
  }
  if (!Object.hasOwn(m, 'ut_pex')) return UNCHANGED;
  const id = (m as Record<string, unknown>).ut_pex;
  if (id === 0) return OFF;
  if (typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= MAX_EXTENSION_ID) {
    return { kind: 'on', id };
  }
  return {
    kind: 'malformed',
    detail: `"m.ut_pex" expected an integer 0..${MAX_EXTENSION_ID}, got ${describeBencoded(id)}`,
  };
}

const UNCHANGED: UtPexIdChange = { kind: 'unchanged' };
const OFF: UtPexIdChange = { kind: 'off' };

/** A decoded bencode value for an error message: `256`, `a byte string of 1 byte`, `a list`. */
function describeBencoded(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (ArrayBuffer.isView(value)) return `a byte string of ${value.byteLength} bytes`;
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' && value !== null ? 'a dictionary' : typeof value;
}

/**
 * The remote's listen port from its extended handshake (`p`, BEP 10), or undefined when it
 * sent none or an invalid one.
 */
export function readListenPort(handshake: Record<string, unknown> | undefined): number | undefined {
  const p = handshake?.p;
  return typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535 ? p : undefined;
}
