import type { CompactPeer, PexMessage } from '@pex/core';
import fc from 'fast-check';
import { arbitraryIpv4Peer, arbitraryIpv6Peer, contactOf } from './peers.js';

/** Options of `arbitraryPexMessage`. */
export interface PexMessageArbitraryOptions {
  /** Most peers in each of the four lists. Default 60 (above the BEP 11 cap of 50). */
  readonly maxPeersPerList?: number;
}

// BEP 11: a message after the first carries at most 50 added and 50 dropped peers.
const BEP11_CAP = 50;

/**
 * A valid PEX message, one `encodePexMessage` accepts: at least one peer, no peer twice in a
 * list, no peer both added and dropped (per family), flags on added peers and none on dropped
 * ones. Short lists are drawn most often, yet every length up to `maxPeersPerList` is reached,
 * the BEP 11 cap of 50 and `maxPeersPerList` itself in a few messages of every thousand.
 * Shrinking keeps the rules, and shortens the lists.
 * @throws {RangeError} if `maxPeersPerList` is not a positive integer.
 */
export function arbitraryPexMessage(
  options: PexMessageArbitraryOptions = {},
): fc.Arbitrary<PexMessage> {
  const maxLength = options.maxPeersPerList ?? 60;
  if (!Number.isSafeInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`"maxPeersPerList" expected a positive integer, got ${String(maxLength)}`);
  }
  const length = listLength(maxLength);
  return fc
    .record({
      ipv4: familyLists(arbitraryIpv4Peer(), length),
      ipv6: familyLists(arbitraryIpv6Peer(), length),
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

/**
 * The length of one list, 0..`max`: short mostly (fast runs, small counterexamples), but any
 * length now and then. fast-check draws an integer at or next to its bounds often, so the BEP 11
 * cap and `max` themselves come up often, and every length still shrinks towards 0. fast-check's
 * default size alone never draws lists past about 16.
 */
function listLength(max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: Math.min(max, 6) }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: Math.min(max, BEP11_CAP) }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max }) },
  );
}

/** Distinct peers of one family, split into added (with flags) and dropped (without). */
function familyLists(peer: fc.Arbitrary<CompactPeer>, length: fc.Arbitrary<number>) {
  return fc.tuple(length, length).chain(([added, dropped]) =>
    fc
      .uniqueArray(peer, {
        minLength: added + dropped,
        maxLength: added + dropped,
        selector: contactOf,
      })
      .map((peers) => ({
        added: peers.slice(0, added),
        dropped: peers.slice(added).map(({ address, port }): CompactPeer => ({ address, port })),
      })),
  );
}
