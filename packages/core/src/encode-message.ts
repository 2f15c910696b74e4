import { argumentError } from './argument-error.js';
import { compactBytes } from './compact-peers.js';
import { newPeerKeyCheck } from './peer-key-check.js';
import type { CompactPeer, PexListName, PexMessage } from './types.js';

/**
 * Encodes a PEX message as canonical bencode: keys in sorted order, empty lists omitted,
 * `added.f` / `added6.f` written exactly when `added` / `added6` is non-empty, one flag byte
 * per peer (missing flags are 0). Byte-identical to the `bencode` package's output for the
 * same dictionary.
 *
 * @throws {TypeError} if `message` or a list is not what its type says, or an address has the
 *   wrong length for its list (4 bytes in `added`/`dropped`, 16 in `added6`/`dropped6`).
 * @throws {RangeError} for a port outside 1..65535, flags outside 0..255, the same peer twice in
 *   one list, the same peer both added and dropped, or a message with no peer at all (BEP 11:
 *   a message carries at least one of added, added6, dropped, dropped6).
 */
export function encodePexMessage(message: PexMessage): Uint8Array {
  if (typeof message !== 'object' || message === null) {
    throw argumentError(TypeError, 'message', 'a message object', message);
  }
  // The bencode, in pieces: ASCII text (grammar, keys, lengths) or value bytes.
  const parts: (string | Uint8Array)[] = ['d'];
  const put = (key: string, value: Uint8Array) => {
    parts.push(`${key.length}:${key}${value.length}:`, value);
  };
  // A peer may appear once in the whole message (IPv4 and IPv6 keys never collide).
  const isNew = newPeerKeyCheck();
  for (const field of ['added', 'added6', 'dropped', 'dropped6'] as const) {
    const peers = listOf(message, field);
    if (peers.length > 0) {
      // added and added6 carry one flag byte per peer, under the key plus `.f`.
      const flags = field[0] === 'a' ? new Uint8Array(peers.length) : undefined;
      put(field, compactBytes(peers, field.endsWith('6') ? 18 : 6, field, isNew, flags));
      if (flags) put(`${field}.f`, flags);
    }
  }
  if (parts.length === 1) {
    throw argumentError(RangeError, 'message', 'at least one peer (BEP 11)', 0);
  }
  parts.push('e');

  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    if (typeof part === 'string') {
      for (let i = 0; i < part.length; i++) out[at++] = part.charCodeAt(i);
    } else {
      out.set(part, at);
      at += part.length;
    }
  }
  return out;
}

function listOf(message: PexMessage, field: PexListName): readonly CompactPeer[] {
  const list = message[field] as unknown;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw argumentError(TypeError, field, 'an array of peers', list);
  return list;
}
