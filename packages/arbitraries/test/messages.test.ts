import { describe, expect, test } from '@jest/globals';
import { arbitraryPexMessage } from '@pex/arbitraries';
import { type CompactPeer, decodePexMessage, encodePexMessage } from '@pex/core';
import fc from 'fast-check';
import { plainMessage } from './support/plain-message.js';

const contact = (peer: CompactPeer) => `${peer.address.join('.')}/${peer.port}`;

describe('arbitraryPexMessage', () => {
  test('keeps the encoder rules: at least one peer, no duplicate, none both added and dropped', () => {
    fc.assert(
      fc.property(arbitraryPexMessage(), (message) => {
        const all = [...message.added, ...message.added6, ...message.dropped, ...message.dropped6];
        expect(all.length).toBeGreaterThan(0);
        expect(new Set(all.map(contact)).size).toBe(all.length);
        for (const peer of [...message.added, ...message.dropped])
          expect(peer.address.length).toBe(4);
        for (const peer of [...message.added6, ...message.dropped6])
          expect(peer.address.length).toBe(16);
        for (const peer of [...message.added, ...message.added6]) expect(peer.flags).toBeDefined();
        for (const peer of [...message.dropped, ...message.dropped6])
          expect(peer.flags).toBeUndefined();
      }),
    );
  });

  test('every message encodes and decodes back to itself', () => {
    fc.assert(
      fc.property(arbitraryPexMessage(), (message) => {
        expect(plainMessage(decodePexMessage(encodePexMessage(message)))).toEqual(
          plainMessage(message),
        );
      }),
    );
  });

  test('maxPeersPerList bounds each list; a bad option throws a RangeError', () => {
    fc.assert(
      fc.property(arbitraryPexMessage({ maxPeersPerList: 3 }), (message) => {
        for (const list of [message.added, message.added6, message.dropped, message.dropped6]) {
          expect(list.length).toBeLessThanOrEqual(3);
        }
      }),
    );
    expect(() => arbitraryPexMessage({ maxPeersPerList: 0 })).toThrow(RangeError);
  });

  test('default sizes reach the BEP 11 cap of 50 peers and maxPeersPerList (60)', () => {
    const messages = fc.sample(arbitraryPexMessage(), { numRuns: 1000, seed: 42 });
    const lengths = messages.flatMap((message) => [
      message.added.length,
      message.added6.length,
      message.dropped.length,
      message.dropped6.length,
    ]);
    expect(messages.some((message) => message.added.length + message.added6.length >= 50)).toBe(
      true,
    );
    expect(lengths).toContain(50);
    expect(lengths).toContain(60);
    // Lengths between the short lists and the cap are drawn too, not only the two ends.
    expect(lengths.some((length) => length > 16 && length < 50)).toBe(true);
    // Short lists still make up most of them.
    expect(lengths.filter((length) => length <= 6).length).toBeGreaterThan(lengths.length / 2);
  });

  test('maxPeersPerList below the cap: lists reach it, never more', () => {
    const lengths = fc
      .sample(arbitraryPexMessage({ maxPeersPerList: 20 }), { numRuns: 300, seed: 42 })
      .flatMap((message) => [message.added.length, message.dropped6.length]);
    expect(Math.max(...lengths)).toBe(20);
  });

  test('a failure on long lists shrinks to the shortest that still fails', () => {
    const result = fc.check(
      fc.property(
        arbitraryPexMessage(),
        (message) => message.added.length + message.added6.length < 20,
      ),
      { seed: 4 },
    );
    const [message] = result.counterexample ?? [];
    expect(message && message.added.length + message.added6.length).toBe(20);
    expect(message && message.dropped.length + message.dropped6.length).toBe(0);
  });
});
