/**
 * One peer in compact form: the address bytes and the port, plus the BEP 11 flag byte
 * where the list carries one.
 *
 * `address` is 4 bytes for IPv4 (`added`, `dropped`) and 16 bytes for IPv6 (`added6`, `dropped6`).
 */
export interface CompactPeer {
  /** The IP address: 4 bytes (IPv4) or 16 bytes (IPv6), network order. */
  readonly address: Uint8Array;
  /** The peer's listen port, 1..65535. */
  readonly port: number;
  /** The BEP 11 flag byte (0..255). Absent on dropped peers. */
  readonly flags?: number | undefined;
}

/** A peer of a decoded `added` or `added6` list: always with its flag byte (0 if none was sent). */
export interface AddedPeer extends CompactPeer {
  /** The BEP 11 flag byte (0..255) from `added.f` / `added6.f`; 0 where the sender gave none. */
  readonly flags: number;
}

/**
 * A PEX message, the dictionary of BEP 11, with its four peer lists.
 * Each list may be empty; the encoder omits empty lists.
 */
export interface PexMessage {
  /** IPv4 peers we are now connected to, with flags (`added` + `added.f`). */
  readonly added: readonly CompactPeer[];
  /** IPv6 peers we are now connected to, with flags (`added6` + `added6.f`). */
  readonly added6: readonly CompactPeer[];
  /** IPv4 peers we are no longer connected to (`dropped`). */
  readonly dropped: readonly CompactPeer[];
  /** IPv6 peers we are no longer connected to (`dropped6`). */
  readonly dropped6: readonly CompactPeer[];
}

/**
 * A message as `decodePexMessage` returns it: plain data (spread it, `structuredClone` it, send
 * it to a worker), each peer with its own copy of its address bytes, added peers always with
 * their flag byte.
 */
export interface DecodedPexMessage extends PexMessage {
  /** IPv4 peers the sender is now connected to, with flags. */
  readonly added: readonly AddedPeer[];
  /** IPv6 peers the sender is now connected to, with flags. */
  readonly added6: readonly AddedPeer[];
  /** IPv4 peers the sender is no longer connected to (no `flags`). */
  readonly dropped: readonly CompactPeer[];
  /** IPv6 peers the sender is no longer connected to (no `flags`). */
  readonly dropped6: readonly CompactPeer[];
}

/** Address family of a compact peer: 4 bytes + port (IPv4) or 16 bytes + port (IPv6). */
export type AddressFamily = 4 | 6;

/** The four peer lists of a PEX message, by their BEP 11 key. */
export type PexListName = 'added' | 'added6' | 'dropped' | 'dropped6';

/** Bounds applied by `decodePexMessage` to untrusted bytes. Defaults in `DEFAULT_PEX_LIMITS`. */
export interface PexLimits {
  /** Largest payload accepted, in bytes. */
  readonly maxMessageBytes: number;
  /** Most peers accepted in any one of the four lists. */
  readonly maxPeersPerList: number;
  /** Deepest nesting of lists/dictionaries accepted inside unknown keys (the message is depth 1). */
  readonly maxDepth: number;
}
