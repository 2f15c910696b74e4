import { describe, expect, test } from '@jest/globals';
import { DEFAULT_SEND_INTERVAL_MS } from '@pex/core/internal';
import { createPexSession, type PexSession } from '@pex/events';
import { FIRST_MESSAGE_DELAY_MS, stringifyPeerAddress } from '@pex/events/internal';
import { createFakeTime } from '@pex/test-support';
import fc from 'fast-check';
import { nth } from './support/record.js';

// Public unicast addresses (the default policy refuses documentation ranges), both families.
const POOL: readonly string[] = [
  ...Array.from({ length: 12 }, (_, i) => `1.2.3.${i + 1}:${6881 + i}`),
  ...Array.from({ length: 6 }, (_, i) => `[2606:4700::${(i + 1).toString(16)}]:${51413 + i}`),
];
const A_ADDRESS = '93.184.216.34:6881';
const B_ADDRESS = '93.184.216.35:6881';
const flagsOf = (index: number) => (index * 37) & 0xff;

type Step =
  | { readonly kind: 'add'; readonly side: 0 | 1; readonly peer: number }
  | { readonly kind: 'drop'; readonly side: 0 | 1; readonly peer: number }
  | { readonly kind: 'wait'; readonly ms: number };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('add' as const),
    side: fc.constantFrom(0 as const, 1 as const),
    peer: fc.nat(POOL.length - 1),
  }),
  fc.record({
    kind: fc.constant('drop' as const),
    side: fc.constantFrom(0 as const, 1 as const),
    peer: fc.nat(POOL.length - 1),
  }),
  fc.record({
    kind: fc.constant('wait' as const),
    ms: fc.oneof(
      fc.integer({ min: 0, max: 2_000 }),
      fc.integer({ min: 0, max: 3 * DEFAULT_SEND_INTERVAL_MS }),
    ),
  }),
);

/** What one side learned from the other: `"ip:port"` -> flag byte. */
function listen(session: PexSession): Map<string, number> {
  const known = new Map<string, number>();
  session.on('peer', (peer) => known.set(stringifyPeerAddress(peer), peer.flags.byte));
  session.on('dropped', (peer) => known.delete(stringifyPeerAddress(peer)));
  return known;
}

describe('two sessions back to back', () => {
  test('converge on each other peer lists under random add/drop sequences', () => {
    fc.assert(
      fc.property(
        fc.array(stepArbitrary, { maxLength: 60 }),
        fc.boolean(),
        (steps, supportFirst) => {
          const time = createFakeTime(5_000);
          const sessions: PexSession[] = [];
          const problems: string[] = [];
          for (const [self, remote] of [
            [A_ADDRESS, B_ADDRESS],
            [B_ADDRESS, A_ADDRESS],
          ] as const) {
            const index = sessions.length;
            const session = createPexSession({
              // Delivered synchronously: the other side's receive() runs inside our timer.
              send: (bytes) => nth(sessions, 1 - index).receive(bytes),
              clock: time.clock,
              timers: time.timers,
              remoteAddress: remote,
              localAddresses: [self],
            });
            for (const name of ['invalid', 'violation', 'warning'] as const) {
              session.on(name, (payload: unknown) =>
                problems.push(`${self} ${name} ${JSON.stringify(payload)}`),
              );
            }
            sessions.push(session);
          }
          const [a, b] = sessions as [PexSession, PexSession];
          const learnedByA = listen(a);
          const learnedByB = listen(b);
          const connected = [new Map<string, number>(), new Map<string, number>()] as const;

          if (supportFirst) {
            for (const s of sessions) {
              s.setRemoteSupportsPex();
              s.start();
            }
          }
          for (const step of steps) {
            if (step.kind === 'wait') {
              time.advance(step.ms);
              continue;
            }
            const text = nth(POOL, step.peer);
            const session = nth(sessions, step.side);
            if (step.kind === 'add') {
              session.addPeer(text, flagsOf(step.peer));
              connected[step.side].set(text, flagsOf(step.peer));
            } else {
              session.dropPeer(text);
              connected[step.side].delete(text);
            }
          }
          if (!supportFirst) {
            for (const s of sessions) {
              s.start();
              s.setRemoteSupportsPex();
            }
          }
          time.advance(FIRST_MESSAGE_DELAY_MS + 2 * DEFAULT_SEND_INTERVAL_MS);

          expect(problems).toEqual([]);
          expect(sorted(learnedByB)).toEqual(sorted(connected[0]));
          expect(sorted(learnedByA)).toEqual(sorted(connected[1]));
          expect(time.maxPending()).toBeLessThanOrEqual(2);
          for (const s of sessions) s.destroy();
          expect(time.pending()).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});

function sorted(map: ReadonlyMap<string, number>): [string, number][] {
  return [...map.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}
