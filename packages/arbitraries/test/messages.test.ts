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
});
