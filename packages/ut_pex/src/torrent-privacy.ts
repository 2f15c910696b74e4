import { findDictionaryValue, readBencodeInteger } from '@pex/core/internal';

/**
 * Deepest nesting read in metadata: an info dictionary holds `files` (a list of dictionaries
 * of lists), four levels; 32 leaves room and still bounds the iterative reader.
 */
const MAX_METADATA_DEPTH = 32;

/**
 * Whether a torrent is private (BEP 27: `private` is 1 in its info dictionary), read from the
 * bencoded torrent (a dictionary with `info`) or the info dictionary itself, as ut_metadata hands
 * them over. Undefined when the bytes are neither, so the caller keeps what it knew.
 * @throws never.
 */
export function readTorrentPrivacy(bytes: unknown): 'public' | 'private' | undefined {
  if (!(bytes instanceof Uint8Array)) return undefined;
  try {
    const info = findDictionaryValue(bytes, 0, 'info', MAX_METADATA_DEPTH);
    const at = info === undefined ? 0 : info.start;
    // An info dictionary has `piece length` and `pieces`; without them this is not one.
    if (findDictionaryValue(bytes, at, 'pieces', MAX_METADATA_DEPTH) === undefined) {
      return undefined;
    }
    const flag = findDictionaryValue(bytes, at, 'private', MAX_METADATA_DEPTH);
    return flag !== undefined && readBencodeInteger(bytes, flag) === 1 ? 'private' : 'public';
  } catch {
    return undefined;
  }
}
