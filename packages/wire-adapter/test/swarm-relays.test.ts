// `swarm.introducersOf`: the wires whose remote advertises a peer with the holepunch flag (the
// BEP 55 relays), fed by every wire's peer and dropped events and by wires closing. The hub's
// wires are real bittorrent-protocol wires piped in process; what their remotes report is handed
// to the hub's sessions as payloads, so the test needs no remote PEX schedule.
import { afterEach, describe, expect, test } from '@jest/globals';
import { encodePexMessage } from '@pex/core';
import { DEFAULT_RELAY_MAX_AGE_MS } from '@pex/core/internal';
import { createFakeTime, type FakeTime } from '@pex/test-support';
import {
  createPexSwarm,
  type PexSwarm,
  type PexWire,
  type UtPexExtension,
} from '@pex/wire-adapter';
import fc from 'fast-check';
import { flushIo, pipeWires } from './support/wires.js';

const HOLEPUNCH = 0x08;
/** Inbound messages 30 s apart: the rate every session's inbound view sustains forever. */
const GAP_MS = 30_000;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await flushIo();
});

interface HubWire {
  readonly wire: PexWire;
  readonly pex: UtPexExtension;
  close(): void;
}

function createHub(relays = true): {
  swarm: PexSwarm;
  time: FakeTime;
  connect(host: number): Promise<HubWire>;
} {
  const time = createFakeTime(1_000);
  const swarm = createPexSwarm({ clock: time.clock, timers: time.timers, relays });
  cleanups.push(() => swarm.destroy());
  return {
    swarm,
    time,
    async connect(host) {
      let pex: UtPexExtension | undefined;
      const pair = await pipeWires(
        (wire) => {
          pex = swarm.addWire(wire as never, {
            address: `1.2.3.${host}`,
            port: 6000 + host,
            outgoing: true,
          });
        },
        () => {},
      );
      cleanups.push(pair.close);
      return { wire: pair.a as unknown as PexWire, pex: pex as UtPexExtension, close: pair.close };
    },
  };
}

/** A payload from a remote: peers 45.10.0.<host>:6881 added with flags, or dropped. */
function payload(
  added: readonly { host: number; flags: number }[],
  dropped: readonly number[] = [],
) {
  return encodePexMessage({
    added: added.map(({ host, flags }) => ({
      address: Uint8Array.of(45, 10, 0, host),
      port: 6881,
      flags,
    })),
    added6: [],
    dropped: dropped.map((host) => ({ address: Uint8Array.of(45, 10, 0, host), port: 6881 })),
    dropped6: [],
  });
}

const text = (host: number) => `45.10.0.${host}`;

describe('swarm: introducersOf', () => {
  test('off unless created with relays: true: introducersOf throws, the sessions keep no index either', async () => {
    const hub = createHub(false);
    const a = await hub.connect(1);
    a.pex.session.receive(payload([{ host: 7, flags: HOLEPUNCH }]));
    expect(() => hub.swarm.introducersOf(text(7), 6881)).toThrow(
      '"introducersOf" needs a swarm created with relays: true',
    );
    expect(() => a.pex.session.introducersOf(text(7), 6881)).toThrow(/relays: true/);
    expect(() => createPexSwarm({ relays: 'yes' as never })).toThrow(TypeError);
    // With the option, the swarm indexes and its sessions still keep none.
    const on = createHub(true);
    const b = await on.connect(2);
    b.pex.session.receive(payload([{ host: 7, flags: HOLEPUNCH }]));
    expect(on.swarm.introducersOf(text(7), 6881)).toEqual([b.wire]);
    expect(() => b.pex.session.introducersOf(text(7), 6881)).toThrow(/relays: true/);
  });

  test('the wires whose remote advertises the peer with 0x08, newest first; drops and closes take them away', async () => {
    const { swarm, time, connect } = createHub();
    const a = await connect(1);
    const b = await connect(2);
    const c = await connect(3);
    a.pex.session.receive(payload([{ host: 9, flags: HOLEPUNCH }]));
    time.advance(1);
    b.pex.session.receive(payload([{ host: 9, flags: HOLEPUNCH | 0x02 }]));
    c.pex.session.receive(payload([{ host: 9, flags: 0x02 }]));
    expect(swarm.introducersOf(text(9), 6881)).toEqual([b.wire, a.wire]);
    expect(swarm.introducersOf(text(8), 6881)).toEqual([]);
    time.advance(GAP_MS);
    b.pex.session.receive(payload([], [9]));
    expect(swarm.introducersOf(text(9), 6881)).toEqual([a.wire]);
    a.close();
    await flushIo();
    expect(swarm.introducersOf(text(9), 6881)).toEqual([]);
  });

  test('a peer listener already finds the wire; a wire of a private torrent is not named', async () => {
    const { swarm, connect } = createHub();
    const a = await connect(1);
    const seen: PexWire[][] = [];
    swarm.on('peer', (peer) => seen.push(swarm.introducersOf(peer.address, peer.port)));
    a.pex.session.receive(payload([{ host: 9, flags: HOLEPUNCH }]));
    expect(seen).toEqual([[a.wire]]);
    // BEP 27: a private torrent's wires exchange no peers, so none of them is a relay.
    a.pex.setPrivacy('private');
    expect(swarm.introducersOf(text(9), 6881)).toEqual([]);
    a.pex.setPrivacy('public');
    expect(swarm.introducersOf(text(9), 6881)).toEqual([a.wire]);
  });

  test('forgotten DEFAULT_RELAY_MAX_AGE_MS after the advertisement; bad input is a caller mistake', async () => {
    const { swarm, time, connect } = createHub();
    const a = await connect(1);
    a.pex.session.receive(payload([{ host: 9, flags: HOLEPUNCH }]));
    time.advance(DEFAULT_RELAY_MAX_AGE_MS - 1);
    expect(swarm.introducersOf(text(9), 6881)).toEqual([a.wire]);
    time.advance(1);
    expect(swarm.introducersOf(text(9), 6881)).toEqual([]);
    expect(() => swarm.introducersOf('nope', 6881)).toThrow(TypeError);
    expect(() => swarm.introducersOf(text(9), 70_000)).toThrow(RangeError);
  });

  test('model-based: exact under random reports, drops and closes over three wires', async () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('report' as const),
        wire: fc.integer({ min: 0, max: 2 }),
        host: fc.integer({ min: 1, max: 4 }),
        flags: fc.constantFrom(0, 0x02, HOLEPUNCH, 0x0a),
      }),
      fc.record({
        kind: fc.constant('drop' as const),
        wire: fc.integer({ min: 0, max: 2 }),
        host: fc.integer({ min: 1, max: 4 }),
      }),
      fc.record({ kind: fc.constant('close' as const), wire: fc.integer({ min: 0, max: 2 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        const { swarm, time, connect } = createHub();
        const wires = [await connect(1), await connect(2), await connect(3)];
        const open = [true, true, true];
        // Per wire: the peers its remote advertises, with the flags it first gave.
        const model = wires.map(() => new Map<number, number>());
        // Every first report of a peer by a wire (again after a drop), newest last.
        const order: { wire: number; host: number }[] = [];
        for (const s of steps) {
          const hub = wires[s.wire] as HubWire;
          if (s.kind === 'close') {
            if (!open[s.wire]) continue;
            hub.close();
            await flushIo();
            open[s.wire] = false;
            model[s.wire]?.clear();
            continue;
          }
          if (!open[s.wire]) continue;
          time.advance(GAP_MS);
          const peers = model[s.wire] as Map<number, number>;
          if (s.kind === 'report') {
            hub.pex.session.receive(payload([{ host: s.host, flags: s.flags }]));
            if (!peers.has(s.host)) {
              peers.set(s.host, s.flags);
              order.push({ wire: s.wire, host: s.host });
            }
          } else {
            hub.pex.session.receive(payload([], [s.host]));
            peers.delete(s.host);
          }
          for (let host = 1; host <= 4; host++) {
            const expected = order
              .filter((o) => o.host === host && ((model[o.wire]?.get(host) ?? 0) & HOLEPUNCH) !== 0)
              .reverse()
              .filter((o, i, all) => all.findIndex((x) => x.wire === o.wire) === i)
              .map((o) => (wires[o.wire] as HubWire).wire);
            expect(swarm.introducersOf(text(host), 6881)).toEqual(expected);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
