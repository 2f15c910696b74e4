// An independent view of raw ut_pex payloads for interop assertions, decoded with the
// bencode package (not with our own codec, which these tests will later check).
import { isIPv4 } from 'node:net';
import bencode from 'bencode';

export interface PexContact {
  address: string;
  port: number;
  /** The flag byte from `added.f` / `added6.f`, or undefined when missing. */
  flags: number | undefined;
}

export interface DecodedPexMessage {
  /** Dictionary keys in the order they appeared on the wire. */
  keys: string[];
  added: PexContact[];
  added6: PexContact[];
  dropped: PexContact[];
  dropped6: PexContact[];
  /** Raw lengths, to check one flag byte per peer. */
  addedFlagsLength: number | undefined;
  added6FlagsLength: number | undefined;
}

function bytesOf(dict: Record<string, unknown>, key: string): Uint8Array | undefined {
  const v = dict[key];
  return v instanceof Uint8Array ? v : undefined;
}

function readContacts(
  bytes: Uint8Array | undefined,
  family: 4 | 6,
  flags: Uint8Array | undefined,
): PexContact[] {
  if (bytes === undefined) return [];
  const size = family === 4 ? 6 : 18;
  if (bytes.length % size !== 0)
    throw new RangeError(
      `compact IPv${family} list length ${bytes.length} is not a multiple of ${size}`,
    );
  const out: PexContact[] = [];
  for (let i = 0; i < bytes.length / size; i++) {
    const at = i * size;
    let address: string;
    if (family === 4) {
      address = `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
    } else {
      const groups: string[] = [];
      for (let g = 0; g < 8; g++)
        groups.push(
          ((bytes[at + 2 * g] as number) * 256 + (bytes[at + 2 * g + 1] as number)).toString(16),
        );
      address = compressIPv6(groups);
    }
    const port = (bytes[at + size - 2] as number) * 256 + (bytes[at + size - 1] as number);
    out.push({ address, port, flags: flags?.[i] });
  }
  return out;
}

/** Shortest form of eight hex groups ("::1"), like Node's socket.remoteAddress. */
function compressIPv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

/**
 * Decodes a ut_pex payload (the bencoded dictionary after the extended-message id).
 * @throws Error when it is not a bencoded dictionary; RangeError on bad compact lengths.
 */
export function decodePexMessage(payload: Uint8Array): DecodedPexMessage {
  const dict = bencode.decode(payload);
  if (
    dict === null ||
    typeof dict !== 'object' ||
    dict instanceof Uint8Array ||
    Array.isArray(dict)
  ) {
    throw new Error('ut_pex payload is not a bencoded dictionary');
  }
  const d = dict as Record<string, unknown>;
  const addedFlags = bytesOf(d, 'added.f');
  const added6Flags = bytesOf(d, 'added6.f');
  return {
    keys: Object.keys(d),
    added: readContacts(bytesOf(d, 'added'), 4, addedFlags),
    added6: readContacts(bytesOf(d, 'added6'), 6, added6Flags),
    dropped: readContacts(bytesOf(d, 'dropped'), 4, undefined),
    dropped6: readContacts(bytesOf(d, 'dropped6'), 6, undefined),
    addedFlagsLength: addedFlags?.length,
    added6FlagsLength: added6Flags?.length,
  };
}

/** Compact form of IPv4 contacts with one flag byte each: `{ added, 'added.f' }`. */
export function encodeAddedIPv4(
  contacts: readonly { address: string; port: number; flags?: number }[],
): {
  added: Uint8Array;
  'added.f': Uint8Array;
} {
  const added = new Uint8Array(contacts.length * 6);
  const flags = new Uint8Array(contacts.length);
  contacts.forEach((c, i) => {
    if (!isIPv4(c.address)) throw new TypeError(`"address" expected IPv4, got ${c.address}`);
    const parts = c.address.split('.').map(Number);
    added.set(parts, i * 6);
    added[i * 6 + 4] = c.port >> 8;
    added[i * 6 + 5] = c.port & 0xff;
    flags[i] = c.flags ?? 0;
  });
  return { added, 'added.f': flags };
}
