import { type PeerKey, peerKey } from '@pex/core';

// Where each simulated node listens: node `id` at 20.x.y.1:6881 with x.y its id, so every node has
// a /24 of its own (a candidate pool's subnet limit never merges two nodes) and every address is
// public unicast (the default peer policy accepts it from any remote).

/** The listen port of every simulated node. */
export const SIMULATED_PORT = 6881;

/** First octet of node 0's address; ids above 65 535 move on to 21.x.y.1 and beyond. */
const FIRST_OCTET = 20;

/** The address of one simulated node, in the three shapes the packages take. */
export interface NodeAddress {
  /** 4 address bytes. */
  readonly bytes: Uint8Array;
  /** Canonical text of the address (`20.0.1.1`), as `peer` events give it. */
  readonly text: string;
  /** `text` with the port (`20.0.1.1:6881`). */
  readonly endpoint: string;
  /** Identity key of address and port (`peerKey`), as timelines and pools take it. */
  readonly key: PeerKey;
}

/**
 * The address of node `id` (0..MAX_SIMULATED_NODES - 1).
 * @throws never (for such ids).
 */
export function addressOfNode(id: number): NodeAddress {
  const octets = [FIRST_OCTET + (id >>> 16), (id >>> 8) & 0xff, id & 0xff, 1] as const;
  const text = octets.join('.');
  const bytes = new Uint8Array(octets);
  return {
    bytes,
    text,
    endpoint: `${text}:${SIMULATED_PORT}`,
    key: peerKey(bytes, SIMULATED_PORT),
  };
}

/**
 * The node listening at `text` / `port` (canonical IPv4 text, as `peer` events give it), or -1
 * for an address no node has. Read char by char: it runs once per reported peer.
 * @throws never.
 */
export function nodeOfAddress(text: string, port: number): number {
  if (port !== SIMULATED_PORT) return -1;
  const octets = [0, 0, 0, 0];
  let octet = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2e /* . */) {
      if (digits === 0 || octet === 3) return -1;
      octet++;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39 && digits < 3) {
      octets[octet] = (octets[octet] as number) * 10 + code - 0x30;
      digits++;
    } else {
      return -1;
    }
  }
  const [high, middle, low, last] = octets as [number, number, number, number];
  if (
    octet !== 3 ||
    digits === 0 ||
    last !== 1 ||
    high < FIRST_OCTET ||
    middle > 255 ||
    low > 255
  ) {
    return -1;
  }
  return (high - FIRST_OCTET) * 0x10000 + middle * 0x100 + low;
}

/**
 * The node at the address of a candidate pool's key (`peerKey(address, port)` of IPv4: address
 * as a 32-bit number times 65 536 plus the port), or -1.
 * @throws never.
 */
export function nodeOfPeerKey(key: number | string): number {
  if (typeof key !== 'number' || key % 0x10000 !== SIMULATED_PORT) return -1;
  const ip = Math.floor(key / 0x10000);
  if (ip % 0x100 !== 1) return -1;
  const id = Math.floor(ip / 0x100) - FIRST_OCTET * 0x10000;
  return id >= 0 ? id : -1;
}
