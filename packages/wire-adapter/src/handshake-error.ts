/**
 * Why a remote's extended handshake (BEP 10) was refused or read as "no ut_pex":
 * - `invalid-extension-id`: `m.ut_pex` is not a bencoded integer 0..255 (e.g. 256, 2^64, the
 *   byte string "1", a list), or `m` is not a dictionary. ut_pex is off for that remote: an id
 *   we cannot write as the one byte BEP 10 gives it must never be used to send.
 * - `malformed-handshake`: the payload is not one well-formed bencode dictionary. The wire is
 *   destroyed before bittorrent-protocol decodes it (its decoder can hang on such input).
 * - `unguarded-wire`: the wire has no `_onExtended` method to guard (not bittorrent-protocol
 *   5.x): malformed handshakes reach its decoder unchecked.
 */
type PexHandshakeReason = PexHandshakeError['reason'];

/** The `warning` a hostile or broken extended handshake gives. Test `name` and `reason`. */
export class PexHandshakeError extends Error {
  /** Always `'PexHandshakeError'`: test `name`, not `instanceof`. */
  override readonly name = 'PexHandshakeError';
  /** Machine-readable cause (see the list above). */
  readonly reason: 'invalid-extension-id' | 'malformed-handshake' | 'unguarded-wire';

  constructor(reason: PexHandshakeReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
