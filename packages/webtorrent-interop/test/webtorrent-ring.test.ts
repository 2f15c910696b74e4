import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@jest/globals';
import {
  describeRing,
  type RingOptions,
  type RingResult,
  type RingRun,
  runRingInChild,
} from './support/spawn-ring.js';

// Rings of 6 real WebTorrent 3.0.21 clients on 127.0.0.1, one process per client, each told of
// one other client only: whatever else a client learns, it learns through PEX. The rings run
// concurrently (each in its own child process with a SIGKILL timeout), so the file takes about
// as long as its longest ring.
//
// Time limits come from BEP 11 as implemented: the first PEX message of a wire goes 1.5 s after
// the extended handshake, later ones every 70 s (ut_pex 5.0.2: every 65 s, and only once start()
// is called). A ring of 6 needs a few rounds, so it should know itself within 160 s with the
// defaults; a client that leaves (once every other client has heard of it through PEX) is
// reported as dropped at the next round, within 80 s.

const here = dirname(fileURLToPath(import.meta.url));
const aliasTarget = join(here, '..', '..', 'ut_pex', 'dist', 'index.js');
const FLOOD_WARNING = 'Peer disconnected for sending PEX messages too frequently';
/** BEP 11: no more than one PEX message a minute on a wire (ut_pex 5.0.2 enforces 60 s). */
const MIN_PEX_GAP_MS = 60_000;
/** Beyond the ring's own limits: startup of 6 processes (60 s at most) and their exits. */
const CHILD_SLACK_MS = 100_000;

const CONVERGE_MS = 160_000;
const DROP_WAIT_MS = 80_000;
const BASELINE_CONVERGE_MS = 200_000;

async function ring(name: string, options: RingOptions, timeoutMs: number): Promise<RingResult> {
  const run = await runRingInChild(options, timeoutMs);
  if (run.result) process.stdout.write(`${describeRing(name, run.result)}\n`);
  expectRan(run);
  return run.result as RingResult;
}

/** The ring ran to its end: no timeout, no error, every client process stopped and exited 0. */
function expectRan(run: RingRun): void {
  expect({ timedOut: run.timedOut, status: run.status, stderr: run.stderr }).toEqual({
    timedOut: false,
    status: 0,
    stderr: '',
  });
  const result = run.result as RingResult;
  expect(result).not.toBeNull();
  expect(result.errors).toEqual([]);
  expect(result.hung).toEqual([]);
  expect(
    result.clients.map((c) => ({
      index: c.index,
      exit: c.exit,
      reportedFinal: c.reportedFinal,
      destroyed: c.destroyed,
      output: c.output,
    })),
  ).toEqual(
    result.clients.map((c) => ({
      index: c.index,
      exit: { code: 0, signal: null },
      reportedFinal: true,
      destroyed: true,
      output: '',
    })),
  );
}

/** Wires on which two PEX messages arrived less than a minute apart. */
function fastPexWires(result: RingResult): { client: number; remote: string; gapMs: number }[] {
  const fast = [];
  for (const c of result.clients) {
    for (const w of c.wires) {
      for (let i = 1; i < w.pexReceivedMs.length; i++) {
        const gapMs = (w.pexReceivedMs[i] as number) - (w.pexReceivedMs[i - 1] as number);
        if (gapMs < MIN_PEX_GAP_MS) fast.push({ client: c.index, remote: w.remote, gapMs });
      }
    }
  }
  return fast;
}

const noPexAtAll = (result: RingResult) =>
  result.clients.map((c) => ({
    index: c.index,
    peerEvents: c.peerEvents,
    pexSent: c.pexSent,
    pexReceived: c.pexReceived,
    unknownExtended: c.wires.reduce((n, w) => n + w.otherExtendedReceived, 0),
  }));
const zeroPex = (result: RingResult) =>
  result.clients.map((c) => ({
    index: c.index,
    peerEvents: 0,
    pexSent: 0,
    pexReceived: 0,
    unknownExtended: 0,
  }));

// a) The field today: WebTorrent attaches ut_pex 5.0.2 and only listens; nobody calls start(),
// so no PEX message is ever sent and nobody learns anything.
test.concurrent(
  'baseline: with ut_pex 5.0.2 as shipped (no app code) a ring of 6 learns nothing through PEX in 20 s',
  async () => {
    const result = await ring(
      'baseline as shipped',
      { impl: 'original', mode: 'fixed', durationMs: 20_000 },
      20_000 + CHILD_SLACK_MS,
    );
    expect(result.allDone).toBe(true);
    expect(result.totals.peerEvents).toBe(0);
    expect(result.totals.pexSent).toBe(0);
    expect(result.totals.pexReceived).toBe(0);
    expect(result.converged).toBe(false);
    for (const c of result.clients) expect(c.learned).toEqual({});
  },
  20_000 + CHILD_SLACK_MS + 10_000,
);

// b) ut_pex 5.0.2 with the app code it needs (start() and addPeer()/dropPeer() of every other
// wire's listen address): two 65 s rounds, about 132 s. It runs beside the other rings, so the
// file takes as long as this one.
test.concurrent(
  'baseline: ut_pex 5.0.2 plus hand-written advertising, time until a ring of 6 knows itself',
  async () => {
    const result = await ring(
      'baseline with app code',
      {
        impl: 'original',
        advertise: true,
        mode: 'converge',
        convergeMs: BASELINE_CONVERGE_MS,
        leave: true,
        dropWaitMs: DROP_WAIT_MS,
      },
      BASELINE_CONVERGE_MS + DROP_WAIT_MS + CHILD_SLACK_MS,
    );
    expect(result.allDone).toBe(true);
    expect(result.clients.map((c) => c.missing)).toEqual(result.clients.map(() => []));
    expect(result.converged).toBe(true);
    expect(result.totals.floodKilled).toBe(0);
  },
  BASELINE_CONVERGE_MS + DROP_WAIT_MS + CHILD_SLACK_MS + 10_000,
);

// c) The point of @pex/ut_pex: alias it as ut_pex and WebTorrent, unchanged and with no app
// code, has working PEX.
test.concurrent(
  'alias: with ut_pex aliased to @pex/ut_pex and no app code, a ring of 6 learns every listen address through PEX within 160 s, finishes the download, and reports a client that leaves as dropped within 80 s',
  async () => {
    const result = await ring(
      'alias',
      {
        impl: 'alias',
        mode: 'converge',
        convergeMs: CONVERGE_MS,
        leave: true,
        dropWaitMs: DROP_WAIT_MS,
      },
      CONVERGE_MS + DROP_WAIT_MS + CHILD_SLACK_MS,
    );
    // WebTorrent's own `import utPex from 'ut_pex'` is @pex/ut_pex: no shim in between.
    expect(result.builtinUtPex).toEqual([aliasTarget]);
    expect(result.allDone).toBe(true);
    // Every client knows every other client's listen address: the one it was told, the rest
    // from wire.ut_pex 'peer' events.
    expect(result.clients.map((c) => ({ index: c.index, missing: c.missing }))).toEqual(
      result.clients.map((c) => ({ index: c.index, missing: [] })),
    );
    expect(result.converged).toBe(true);
    expect(result.convergedMs).toBeLessThanOrEqual(CONVERGE_MS);
    // The last client leaves once every other client has learned its listen address from a
    // 'peer' event (only a remote that reported it can drop it): every other client then gets a
    // 'dropped' for it.
    expect(result.leave).not.toBeNull();
    const leave = result.leave as NonNullable<RingResult['leave']>;
    expect(leave.learnedBeforeLeave).toBe(true);
    expect(Object.values(leave.droppedAfterMs).filter((ms) => ms === null)).toEqual([]);
    // Nothing went wrong on the way: no wire closed, no warning, at most one message a minute.
    expect(result.totals.closesWhileRunning).toBe(0);
    expect(result.clients.flatMap((c) => c.warnings)).toEqual([]);
    expect(fastPexWires(result)).toEqual([]);
  },
  CONVERGE_MS + DROP_WAIT_MS + CHILD_SLACK_MS + 10_000,
);

// d) Half the ring runs the original ut_pex 5.0.2, which destroys a wire that sends two PEX
// messages within 60 s. 80 s covers our first message (1.5 s) and the next one (70 s later).
test.concurrent(
  'mixed: ut_pex 5.0.2 and @pex/ut_pex in one ring of 6 for 80 s: nobody is disconnected or flagged as flooding',
  async () => {
    const result = await ring(
      'mixed',
      { impl: 'mixed', mode: 'fixed', durationMs: 80_000 },
      80_000 + CHILD_SLACK_MS,
    );
    expect(result.builtinUtPex).toEqual([aliasTarget]);
    expect(result.allDone).toBe(true);
    // The case happened: the original clients received PEX messages from ours.
    const originals = result.clients.filter((c) => c.impl === 'original');
    expect(originals.reduce((n, c) => n + c.pexReceived, 0)).toBeGreaterThan(0);
    // Nobody flagged or dropped: no wire destroyed by ut_pex 5.0.2 for flooding, no wire closed
    // while the ring ran, no warning on either side, at most one message a minute on a wire.
    expect(result.totals.floodKilled).toBe(0);
    expect(
      result.clients.flatMap((c) => c.warnings.filter((w) => w.message === FLOOD_WARNING)),
    ).toEqual([]);
    expect(result.clients.flatMap((c) => c.closesWhileRunning)).toEqual([]);
    expect(result.clients.flatMap((c) => c.warnings)).toEqual([]);
    expect(fastPexWires(result)).toEqual([]);
  },
  80_000 + CHILD_SLACK_MS + 10_000,
);

// e) BEP 27: no PEX on a private torrent, whether the .torrent says so up front or the
// metadata says so later (a magnet: until ut_metadata brings the info dictionary, nothing
// says the torrent is private).
test.concurrent(
  'private: a private torrent in a ring of 6 sends and accepts no PEX message on any wire',
  async () => {
    const result = await ring(
      'private',
      { impl: 'alias', private: true, mode: 'fixed', durationMs: 15_000 },
      15_000 + CHILD_SLACK_MS,
    );
    expect(result.private).toBe(true);
    expect(result.allDone).toBe(true);
    expect(noPexAtAll(result)).toEqual(zeroPex(result));
  },
  15_000 + CHILD_SLACK_MS + 10_000,
);

test.concurrent(
  'private: leechers of a private torrent added by magnet (metadata by ut_metadata) send and accept no PEX message on any wire',
  async () => {
    const result = await ring(
      'private magnet',
      { impl: 'alias', private: true, magnet: true, mode: 'fixed', durationMs: 15_000 },
      15_000 + CHILD_SLACK_MS,
    );
    expect(result.private).toBe(true);
    expect(result.allDone).toBe(true);
    // Every leecher learned from the metadata that the torrent is private.
    expect(result.clients.slice(1).map((c) => c.metadata?.private)).toEqual(
      result.clients.slice(1).map(() => true),
    );
    // The case happened: leechers met before the metadata, so ut_pex was negotiated on both
    // ends of some wires of the private torrent.
    expect(result.totals.wiresBothUtPex).toBeGreaterThan(0);
    expect(noPexAtAll(result)).toEqual(zeroPex(result));
  },
  15_000 + CHILD_SLACK_MS + 10_000,
);
