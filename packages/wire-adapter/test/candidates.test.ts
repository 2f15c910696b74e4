// The swarm helper's candidate pool (`candidates` option): fed by what every wire's remote reports
// and drops, each wire one source, its votes gone when it closes. Remotes are raw frames fed into
// real bittorrent-protocol wires, on a manual clock whose timers never fire (only what the
// remotes send matters here).
import { afterEach, describe, expect, test } from '@jest/globals';
import { encodePexMessage, formatPeerAddress, type PoolCandidate } from '@pex/core';
import { createPexSwarm, type PexSwarm, type PexSwarmOptions } from '@pex/wire-adapter';
import { message } from '../../events/test/support/record.js';
import { createRawRemote, extendedFrame } from './support/raw-remote.js';
import { flushIo } from './support/wires.js';

const INTERVAL_MS = 1_000;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A clock moved by hand, and timers that never fire: the sessions receive, they never send. */
function createManualTime() {
  let now = 0;
  return {
    clock: { now: () => now },
    timers: { setTimeout: () => undefined, clearTimeout: () => undefined },
    advance(ms: number): void {
      now += ms;
    },
  };
}
type ManualTime = ReturnType<typeof createManualTime>;

const textOf = (candidates: readonly PoolCandidate[]) =>
  candidates.map((c) => `${formatPeerAddress(c.address, c.port)}x${c.sources}`);

function openSwarm(time: ManualTime, options: PexSwarmOptions = {}): PexSwarm {
  const swarm = createPexSwarm({
    intervalMs: INTERVAL_MS,
    firstMessageDelayMs: 0,
    clock: time.clock,
    timers: time.timers,
    candidates: {},
    ...options,
  });
  cleanups.push(() => swarm.destroy());
  return swarm;
}

/** A remote on its own wire of `swarm`, handshaken, that can send PEX messages. */
async function joinRemote(swarm: PexSwarm, port: number) {
  const remote = createRawRemote((wire) => {
    swarm.addWire(wire as never, { address: '127.0.0.1', port, outgoing: false });
  });
  cleanups.push(() => remote.wire.destroy());
  remote.greet(`d1:md6:ut_pexi3ee1:pi${port}ee`);
  await flushIo();
  const own = remote.sent.find((sent) => sent.extId === 0);
  const id = Number(/6:ut_pexi(\d+)e/.exec(new TextDecoder('latin1').decode(own?.payload))?.[1]);
  return {
    ...remote,
    async pex(lists: Parameters<typeof message>[0]): Promise<void> {
      remote.send(extendedFrame(id, encodePexMessage(message(lists))));
      await flushIo();
    },
  };
}

describe('createPexSwarm({ candidates })', () => {
  test('without the option there is no pool, and peers are only events', () => {
    const swarm = createPexSwarm();
    expect(swarm.candidates).toBeUndefined();
    swarm.destroy();
  });

  test('each wire votes; drops and closed wires take their votes back', async () => {
    const time = createManualTime();
    const swarm = openSwarm(time);
    const peers: string[] = [];
    swarm.on('peer', ({ address, port }) => peers.push(`${address}:${port}`));
    const a = await joinRemote(swarm, 7001);
    const b = await joinRemote(swarm, 7002);
    await a.pex({ added: ['8.8.8.8:6881', '9.9.9.9:6881'] });
    await b.pex({ added: ['8.8.8.8:6881', '1.1.1.1:443'] });
    // The plain `peer` event remains: one per remote and peer.
    expect(peers).toHaveLength(4);
    const pool = swarm.candidates;
    if (pool === undefined) throw new Error('no pool');
    expect(pool.sourceCount).toBe(2);
    expect(textOf(pool.listCandidates())[0]).toBe('8.8.8.8:6881x2');
    expect(pool.size).toBe(3);

    time.advance(2 * INTERVAL_MS);
    await b.pex({ dropped: ['8.8.8.8:6881'] });
    expect(textOf(pool.listCandidates())).toContain('8.8.8.8:6881x1');
    a.wire.destroy();
    await flushIo();
    expect(textOf(pool.listCandidates())).toEqual(['1.1.1.1:443x1']);
    expect(pool.sourceCount).toBe(1);
    expect(textOf(pool.take(5, time.clock.now()))).toEqual(['1.1.1.1:443x1']);
    expect(pool.take(5, time.clock.now())).toEqual([]);
  });

  test('a peer listener that calls take finds the peer in the pool', async () => {
    const time = createManualTime();
    const swarm = openSwarm(time, { candidates: { wanted: 1 } });
    const taken: string[] = [];
    swarm.on('peer', () => {
      for (const candidate of swarm.candidates?.take(1, time.clock.now()) ?? []) {
        taken.push(formatPeerAddress(candidate.address, candidate.port));
      }
    });
    const a = await joinRemote(swarm, 7001);
    await a.pex({ added: ['8.8.8.8:6881', '9.9.9.9:6881'] });
    // Demand: one wanted, one handed out; the other waits, and the pool is saturated.
    expect(taken).toHaveLength(1);
    expect(swarm.candidates?.wanted).toBe(0);
    expect(swarm.candidates?.saturated).toBe(true);
    expect(swarm.candidates?.readyCount).toBe(1);
  });

  test('a remote reporting 200 peers on one /24 fills at most the subnet limit', async () => {
    const time = createManualTime();
    const swarm = openSwarm(time, { candidates: { maxCandidatesPerSubnet: 4 } });
    const a = await joinRemote(swarm, 7001);
    const added = Array.from({ length: 200 }, (_, i) => `8.8.8.${i}:${6000 + i}`);
    await a.pex({ added });
    expect(swarm.candidates?.size).toBe(4);
  });

  test('the same IP on other ports counts once', async () => {
    const time = createManualTime();
    const swarm = openSwarm(time);
    const a = await joinRemote(swarm, 7001);
    await a.pex({ added: ['8.8.8.8:6881', '8.8.8.8:6882', '8.8.8.8:6883'] });
    expect(swarm.candidates?.size).toBe(1);
  });

  test('destroy leaves the pool empty', async () => {
    const time = createManualTime();
    const swarm = openSwarm(time);
    const a = await joinRemote(swarm, 7001);
    await a.pex({ added: ['8.8.8.8:6881'] });
    const pool = swarm.candidates;
    swarm.destroy();
    expect(pool?.size).toBe(0);
    expect(pool?.sourceCount).toBe(0);
  });

  test.each([
    [{ maxCandidates: 0 }, RangeError],
    [{ wanted: -1 }, RangeError],
    ['many', TypeError],
  ])('an invalid candidates option %p throws at once', (candidates, Kind) => {
    expect(() => createPexSwarm({ candidates: candidates as never })).toThrow(Kind);
  });
});
