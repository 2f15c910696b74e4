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
  /** Closes the wire (used by `onViolation: 'destroy'`). */
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
  /** WebTorrent-style connection kind, e.g. `tcpOutgoing`, `utpIncoming`. */
  readonly type?: string;
  /** Runs `listener` once when the wire closes or finishes: the session is then destroyed. */
  once(event: 'close' | 'finish', listener: () => void): unknown;
  /** Removes a listener added with `once`. */
  removeListener?(event: 'close' | 'finish', listener: () => void): unknown;
}

/** True once the wire can no longer send. */
export function isWireClosed(wire: PexWire): boolean {
  return wire.destroyed === true;
}

/** True if the wire is known to be one we dialled (WebTorrent's `tcpOutgoing`, `utpOutgoing`). */
export function isOutgoing(wire: PexWire): boolean {
  return typeof wire.type === 'string' && wire.type.endsWith('Outgoing');
}

/** True if the remote's extended handshake advertised ut_pex with a usable id. */
export function remoteAdvertisesPex(wire: PexWire): boolean {
  const id = wire.peerExtendedMapping?.ut_pex;
  return typeof id === 'number' && id > 0;
}

/**
 * The remote's listen port from its extended handshake (`p`, BEP 10), or undefined when it
 * sent none or an invalid one.
 */
export function readListenPort(handshake: Record<string, unknown> | undefined): number | undefined {
  const p = handshake?.p;
  return typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535 ? p : undefined;
}
