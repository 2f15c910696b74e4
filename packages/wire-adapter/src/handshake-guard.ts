import { checkBencodeDictionary } from '@pex/core/internal';
import { PexHandshakeError } from './handshake-error.js';
import type { PexWire } from './wire.js';

/**
 * Deepest nesting accepted in an extended handshake. Real ones nest 2 deep (`m` inside the
 * dictionary); 32 leaves room for any extension's own fields and stays far below what a
 * recursive decoder (bencode 4, which bittorrent-protocol 5 uses) needs to blow the stack.
 */
export const MAX_HANDSHAKE_DEPTH = 32;

/** bittorrent-protocol 5.x's private dispatcher of extended messages (id 0: the handshake). */
type ExtendedDispatcher = (this: unknown, ext: number, payload: Uint8Array) => unknown;

/**
 * Puts a check in front of bittorrent-protocol's handling of every extended handshake on
 * `wire`: a payload that is not one well-formed bencode dictionary (at most
 * `MAX_HANDSHAKE_DEPTH` deep, nothing after it) never reaches its decoder; `refuse` is called
 * instead (and should destroy the wire).
 *
 * Why: bittorrent-protocol 5.0.9 decodes each extended handshake with bencode 4.0.1, whose
 * `decode` never returns on a negative string length (`d1:x-3:abce`, 13 bytes) and recurses
 * once per nesting level. Both run before any extension sees the message, so without this any
 * remote could freeze the process. The check is our bounded, iterative scanner from @pex/core.
 *
 * It wraps the wire's own `_onExtended` (an instance property shadowing the prototype method,
 * set before the remote can send anything, as `wire.use()` runs before the handshake). That is
 * a private method: a test over real TCP fails if an upgrade of bittorrent-protocol routes
 * extended messages around it.
 * @returns false if the wire has no `_onExtended` to wrap (then nothing is guarded).
 */
export function guardExtendedHandshakes(
  wire: PexWire,
  refuse: (error: PexHandshakeError) => void,
): boolean {
  const target = wire as unknown as { _onExtended?: ExtendedDispatcher };
  const dispatch = target._onExtended;
  if (typeof dispatch !== 'function') return false;
  target._onExtended = function guardedOnExtended(ext, payload) {
    if (ext === 0) {
      try {
        checkBencodeDictionary(payload, MAX_HANDSHAKE_DEPTH);
      } catch (error) {
        refuse(
          new PexHandshakeError(
            'malformed-handshake',
            `extended handshake refused, not well-formed bencode: ${(error as Error).message}`,
            { cause: error },
          ),
        );
        return undefined;
      }
    }
    return dispatch.call(this, ext, payload);
  };
  return true;
}
