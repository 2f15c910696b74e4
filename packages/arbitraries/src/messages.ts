import type { CompactPeer, PexMessage } from '@pex/core';
import fc from 'fast-check';
import { arbitraryIpv4Peer, arbitraryIpv6Peer, contactOf } from './peers.js';

/** Options of `arbitraryPexMessage`. */
export interface PexMessageArbitraryOptions {
  /** Most peers in each of the four lists. Default 60 (above the BEP 11 cap of 50). */
  readonly maxPeersPerList?: number;
}

/**
 * A valid PEX message, one `encodePexMessage` accepts: at least one peer, no peer twice in a
 * list, no peer both added and dropped (per family), flags on added peers and none on dropped
 * ones. Small messages are drawn more often; shrinking keeps the rules.
 * @throws {RangeError} if `maxPeersPerList` is not a positive integer.
 */
export function arbitraryPexMessage(
  options: PexMessageArbitraryOptions = {},
): fc.Arbitrary<PexMessage> {
  const maxLength = options.maxPeersPerList ?? 60;
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`"maxPeersPerList" expected a positive integer, got ${String(maxLength)}`);
  }
  return fc
    .record({
      ipv4: familyLists(arbitraryIpv4Peer(), maxLength),
      ipv6: familyLists(arbitraryIpv6Peer(), maxLength),
    })
    .map(({ ipv4, ipv6 }) => ({
      added: ipv4.added,
      added6: ipv6.added,
      dropped: ipv4.dropped,
      dropped6: ipv6.dropped,
    }))
    .filter(
      (message) =>
        message.added.length +
          message.added6.length +
          message.dropped.length +
          message.dropped6.length >
        0,
    );
}

/** Distinct peers of one family, split into added (with flags) and dropped (without). */
function familyLists(peer: fc.Arbitrary<CompactPeer>, maxLength: number) {
  return fc
    .uniqueArray(fc.tuple(peer, fc.boolean()), {
      maxLength: 2 * maxLength,
      selector: ([candidate]) => contactOf(candidate),
    })
    .map((entries) => {
      const added: CompactPeer[] = [];
      const dropped: CompactPeer[] = [];
      for (const [candidate, isAdded] of entries) {
        if (isAdded && added.length < maxLength) added.push(candidate);
        else if (!isAdded && dropped.length < maxLength) {
          dropped.push({ address: candidate.address, port: candidate.port });
        }
      }
      return { added, dropped };
    });
}
