import { EventEmitter } from 'node:events';
import { expect, test } from '@jest/globals';
import { PEX_FLAG_REACHABLE, PEX_FLAG_UPLOAD_ONLY } from '@pex/core';
import fc from 'fast-check';
import { watchPeerFlags } from '../src/live-flags.js';
import type { PexWire } from '../src/wire.js';

// A remote's seed flag (0x02) against a model, over any sequence of what a wire can learn (a
// bitfield first, if any, then haves, have-all, extended handshakes, the piece count): the
// flag is on exactly while the remote said upload_only or holds every piece (or said have-all),
// and the watcher reports a change exactly when the flag byte changes, never more often.

/** A wire as bittorrent-protocol 5 shows the remote's pieces: a bit per piece, set before 'have'. */
class FakeWire extends EventEmitter {
  readonly bits: boolean[] = [];
  readonly peerPieces = {
    get: (index: number) => this.bits[index] === true,
  };
}

type Step =
  | { readonly kind: 'bitfield'; readonly bits: readonly boolean[] }
  | { readonly kind: 'have'; readonly index: number }
  | { readonly kind: 'have-all' }
  | { readonly kind: 'upload-only'; readonly value: number | undefined }
  | { readonly kind: 'piece-count'; readonly count: number | undefined };

const MAX_PIECES = 6;
// BEP 3: a bitfield comes once, as the first message after the handshake; pieces only come later.
const bitfield: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant('bitfield' as const),
  bits: fc.array(fc.boolean(), { maxLength: MAX_PIECES + 2 }),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('have' as const),
    index: fc.integer({ min: -1, max: MAX_PIECES + 1 }),
  }),
  fc.constant({ kind: 'have-all' as const }),
  fc.record({
    kind: fc.constant('upload-only' as const),
    value: fc.option(fc.constantFrom(0, 1, 2), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('piece-count' as const),
    count: fc.option(fc.integer({ min: 1, max: MAX_PIECES }), { nil: undefined }),
  }),
);

test('property: the seed flag follows upload_only and completeness, and changes are reported exactly', () => {
  fc.assert(
    fc.property(
      fc.option(fc.integer({ min: 1, max: MAX_PIECES }), { nil: undefined }),
      fc.boolean(),
      fc.option(bitfield, { nil: undefined }),
      fc.array(step, { maxLength: 40 }),
      (initialCount, outgoing, first, rest) => {
        const steps = first === undefined ? rest : [first, ...rest];
        const wire = new FakeWire();
        let changes = 0;
        const watch = watchPeerFlags(wire as unknown as PexWire, { outgoing }, initialCount, () => {
          changes++;
        });
        // The model.
        let pieceCount = initialCount;
        let uploadOnly = false;
        let haveAll = false;
        const complete = () =>
          haveAll ||
          (pieceCount !== undefined &&
            Array.from({ length: pieceCount }, (_, i) => wire.bits[i] === true).every(Boolean));
        const expected = () =>
          (uploadOnly || complete() ? PEX_FLAG_UPLOAD_ONLY : 0) |
          (outgoing ? PEX_FLAG_REACHABLE : 0);
        let last = watch.flags;
        expect(last).toBe(expected());
        for (const s of steps) {
          if (s.kind === 'bitfield') {
            wire.bits.length = 0;
            wire.bits.push(...s.bits);
            wire.emit('bitfield', wire.peerPieces);
          } else if (s.kind === 'have') {
            // bittorrent-protocol sets the bit, then emits 'have' (only for a new piece).
            if (s.index >= 0 && wire.bits[s.index] !== true) {
              wire.bits[s.index] = true;
              wire.emit('have', s.index);
            }
          } else if (s.kind === 'have-all') {
            haveAll = true;
            wire.emit('have-all');
          } else if (s.kind === 'upload-only') {
            const dict = s.value === undefined ? {} : { upload_only: s.value };
            if (s.value !== undefined) uploadOnly = s.value !== 0;
            watch.handshake(dict);
          } else {
            pieceCount = s.count;
            watch.setPieceCount(s.count);
          }
          const now = watch.flags;
          expect(now).toBe(expected());
          if (now !== last) changes--;
          last = now;
          // Every report matched one change of the byte, and no change went unreported.
          expect(changes).toBe(0);
        }
        watch.stop();
        expect(wire.listenerCount('have') + wire.listenerCount('bitfield')).toBe(0);
      },
    ),
    { numRuns: 500 },
  );
});
