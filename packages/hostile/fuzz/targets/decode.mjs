// Fuzz target: decodePexMessage. Shaped as a Jazzer.js target (`fuzz(data)`), run by
// fuzz/run.mjs. Anything thrown here is a finding.
import {
  DEFAULT_PEX_LIMITS,
  decodePexMessage,
  isPexDecodeError,
  PEX_DECODE_REASONS,
} from '@pex/core';

const REASONS = new Set(PEX_DECODE_REASONS);
const LISTS = ['added', 'added6', 'dropped', 'dropped6'];

/** Plain copy of a decoded message: what a caller can observe. */
function snapshot(message) {
  const out = {};
  for (const list of LISTS) {
    const peers = message[list];
    if (!Array.isArray(peers)) throw new Error(`invariant: "${list}" is not an array`);
    if (peers.length > DEFAULT_PEX_LIMITS.maxPeersPerList) {
      throw new Error(`invariant: "${list}" holds ${peers.length} peers, above the limit`);
    }
    const size = list.endsWith('6') ? 16 : 4;
    const flagged = list.startsWith('added');
    out[list] = peers.map((peer) => {
      const address = peer.address;
      if (!(address instanceof Uint8Array) || address.length !== size) {
        throw new Error(`invariant: a peer of "${list}" has a ${address?.length}-byte address`);
      }
      if (!Number.isInteger(peer.port) || peer.port < 0 || peer.port > 65535) {
        throw new Error(`invariant: port ${peer.port} in "${list}"`);
      }
      if (flagged !== (peer.flags !== undefined)) {
        throw new Error(`invariant: flags ${peer.flags} on a peer of "${list}"`);
      }
      if (flagged && (!Number.isInteger(peer.flags) || peer.flags < 0 || peer.flags > 255)) {
        throw new Error(`invariant: flags ${peer.flags} in "${list}"`);
      }
      return `${Array.from(address).join('.')}/${peer.port}/${peer.flags}`;
    });
  }
  return JSON.stringify(out);
}

/**
 * Decodes `data`. Invariants: the only error is a PexDecodeError with a documented reason; a
 * message is well-formed within the limits; the message keeps no reference to the input (it
 * reads the same after the input is overwritten); decoding is deterministic.
 * @param {Uint8Array} data
 */
export function fuzz(data) {
  const bytes = Uint8Array.from(data);
  let message;
  try {
    message = decodePexMessage(bytes);
  } catch (error) {
    if (!isPexDecodeError(error)) throw error;
    if (!REASONS.has(error.reason))
      throw new Error(`invariant: undocumented reason ${error.reason}`);
    return;
  }
  // Overwrite the input before reading any address (addresses are built on first access).
  bytes.fill(0xa5);
  const seen = snapshot(message);
  const again = snapshot(decodePexMessage(Uint8Array.from(data)));
  if (seen !== again)
    throw new Error('invariant: the decoded message changed with its input buffer');
}
