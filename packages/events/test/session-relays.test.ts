// `session.introducersOf`: the session indexes which peers its remote advertises with the
// holepunch flag (BEP 55 relays), exactly, through the remote's adds and drops.
import { describe, expect, test } from '@jest/globals';
import { encodePexMessage, type PexMessage } from '@pex/core';
import { DEFAULT_RELAY_MAX_AGE_MS } from '@pex/core/internal';
import { createPexSession, type PexSession, type PexSessionOptions } from '@pex/events';
import fc from 'fast-check';

const HOLEPUNCH = 0x08;
/** Inbound messages 30 s apart: the rate the inbound view sustains forever. */
const GAP_MS = 30_000;

function setUp(options: Partial<PexSessionOptions> = {}) {
  let now = 1_000;
  const session = createPexSession({
    send: () => {},
    relays: true,
    clock: { now: () => now },
    timers: { setTimeout: () => undefined, clearTimeout: () => {} },
    ...options,
  });
  return {
    session,
    advance(ms: number) {
      now += ms;
    },
  };
}

const ip = (host: number) => Uint8Array.of(45, 10, 0, host);
const text = (host: number) => `45.10.0.${host}`;

function messageOf(
  added: readonly { host: number; flags: number }[],
  dropped: readonly number[] = [],
): Uint8Array {
  const message: PexMessage = {
    added: added.map(({ host, flags }) => ({ address: ip(host), port: 6881, flags })),
    added6: [],
    dropped: dropped.map((host) => ({ address: ip(host), port: 6881 })),
    dropped6: [],
  };
  return encodePexMessage(message);
}

describe('session: introducersOf', () => {
  test('this session for a peer its remote advertises with 0x08, nobody otherwise', () => {
    const { session, advance } = setUp();
    expect(session.introducersOf(text(1), 6881)).toEqual([]);
    session.receive(
      messageOf([
        { host: 1, flags: HOLEPUNCH },
        { host: 2, flags: 0x02 },
        { host: 3, flags: HOLEPUNCH | 0x02 },
      ]),
    );
    expect(session.introducersOf(text(1), 6881)).toEqual([session]);
    expect(session.introducersOf(text(2), 6881)).toEqual([]);
    expect(session.introducersOf(text(3), 6881)).toEqual([session]);
    expect(session.introducersOf(text(1), 6882)).toEqual([]);
    // IPv4-mapped IPv6 text is the same peer.
    expect(session.introducersOf('::ffff:45.10.0.1', 6881)).toEqual([session]);
    advance(GAP_MS);
    session.receive(messageOf([], [1]));
    expect(session.introducersOf(text(1), 6881)).toEqual([]);
    expect(session.introducersOf(text(3), 6881)).toEqual([session]);
  });

  test('a listener of the peer event already sees it', () => {
    const { session } = setUp();
    const seen: PexSession[][] = [];
    session.on('peer', (peer) => seen.push(session.introducersOf(peer.address, peer.port)));
    session.receive(messageOf([{ host: 1, flags: HOLEPUNCH }]));
    expect(seen).toEqual([[session]]);
  });

  test('refused peers are not indexed; reset, a private torrent and destroy forget', () => {
    const { session, advance } = setUp({ accept: (peer) => peer.address !== text(2) });
    session.receive(
      messageOf([
        { host: 1, flags: HOLEPUNCH },
        { host: 2, flags: HOLEPUNCH },
      ]),
    );
    expect(session.introducersOf(text(2), 6881)).toEqual([]);
    session.reset();
    expect(session.introducersOf(text(1), 6881)).toEqual([]);
    advance(GAP_MS);
    session.receive(messageOf([{ host: 1, flags: HOLEPUNCH }]));
    expect(session.introducersOf(text(1), 6881)).toEqual([session]);
    session.setPrivacy('private');
    expect(session.introducersOf(text(1), 6881)).toEqual([]);
    session.setPrivacy('public');
    advance(GAP_MS);
    session.receive(messageOf([{ host: 1, flags: HOLEPUNCH }]));
    session.destroy();
    expect(session.introducersOf(text(1), 6881)).toEqual([]);
  });

  test('an advertisement is forgotten DEFAULT_RELAY_MAX_AGE_MS after it came', () => {
    const { session, advance } = setUp();
    session.receive(messageOf([{ host: 1, flags: HOLEPUNCH }]));
    advance(DEFAULT_RELAY_MAX_AGE_MS - 1);
    expect(session.introducersOf(text(1), 6881)).toEqual([session]);
    advance(1);
    expect(session.introducersOf(text(1), 6881)).toEqual([]);
  });

  test('a malformed address or port is the caller mistake', () => {
    const { session } = setUp();
    expect(() => session.introducersOf('not an address', 6881)).toThrow(TypeError);
    expect(() => session.introducersOf(text(1), 0)).toThrow(RangeError);
  });

  test('model-based: exact under random adds (any flags) and drops from the remote', () => {
    const hosts = fc.integer({ min: 1, max: 8 });
    const step = fc.record({
      added: fc.array(
        fc.record({ host: hosts, flags: fc.constantFrom(0, 0x02, HOLEPUNCH, 0x0a, 0x18) }),
        { maxLength: 4 },
      ),
      dropped: fc.array(hosts, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), (steps) => {
        const { session, advance } = setUp();
        // What the remote currently advertises, with the flags it first gave (the view reports
        // a peer once, so a later flag change is not seen).
        const model = new Map<number, number>();
        for (const { added, dropped } of steps) {
          // One peer per message at most once, never both added and dropped.
          const adds = added.filter(
            (a, i) => !dropped.includes(a.host) && added.findIndex((b) => b.host === a.host) === i,
          );
          const drops = [...new Set(dropped)];
          if (adds.length + drops.length === 0) continue;
          session.receive(messageOf(adds, drops));
          advance(GAP_MS);
          for (const host of drops) model.delete(host);
          for (const { host, flags } of adds) if (!model.has(host)) model.set(host, flags);
          for (let host = 1; host <= 8; host++) {
            const introduces = ((model.get(host) ?? 0) & HOLEPUNCH) !== 0;
            expect(session.introducersOf(text(host), 6881)).toEqual(introduces ? [session] : []);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

test('without relays: true nothing is indexed, and introducersOf says so', () => {
  const session = createPexSession({ send: () => {} });
  expect(() => session.introducersOf('8.8.8.8', 6881)).toThrow(
    new Error('"introducersOf" needs a session created with relays: true'),
  );
});
