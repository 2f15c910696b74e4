// A ring of real WebTorrent clients on 127.0.0.1, each in its own process (ring-client.mjs),
// with tracker, DHT, LSD, uTP, NAT traversal and web seeds off. Client 0 seeds one small
// torrent; client i is told of client i+1 only (torrent.addPeer), so anything else a client
// learns, it learns through PEX. Nothing here touches PEX except where a scenario asks for the
// original ut_pex 5.0.2 (attached by hand, optionally with hand-written advertising).
//
// runRing(options) resolves to a plain JSON-able record of what every client saw: listen
// addresses learned from wire.ut_pex 'peer' events, 'dropped' events, PEX messages sent and
// received per wire, 'warning' events, wires closed while the ring was running, whether each
// client finished the download, and the time until every client knew every other client's
// listen address. It never calls process.exit: every client is stopped (destroyed) and exits on
// its own; one that does not within exitGraceMs is killed and reported as hung.

import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const clientScript = join(dirname(fileURLToPath(import.meta.url)), 'ring-client.mjs');

/**
 * @typedef {object} RingOptions
 * @property {number} [clients] ring size (6)
 * @property {'alias' | 'original' | 'mixed'} [impl] 'alias': WebTorrent as shipped, its
 *   `ut_pex` import aliased by the workspace; 'original': ut_pex 5.0.2 attached by hand;
 *   'mixed': even clients original, odd clients alias
 * @property {boolean} [advertise] hand-written advertising code on every wire (start/addPeer)
 * @property {boolean} [private] the torrent is private (BEP 27)
 * @property {boolean} [magnet] the others add the torrent by magnet URI (metadata by ut_metadata)
 * @property {number} [bytes] size of the torrent's single file (320 KiB)
 * @property {'fixed' | 'converge'} [mode] run for durationMs, or until every client knows every
 *   other and finished the download (at most convergeMs)
 * @property {number} [durationMs]
 * @property {number} [convergeMs]
 * @property {boolean} [leave] after convergence the last client leaves; wait for 'dropped'
 * @property {number} [dropWaitMs] how long the others have to report it dropped (80 s)
 * @property {number} [magnetSeedDelayMs] magnet: leechers meet each other first, the seed
 *   this much later, so wires carry ut_pex before the metadata says private (2 s)
 * @property {number} [startupMs] every client listening and the torrent seeded (60 s)
 * @property {number} [exitGraceMs] after stop, time for each client process to exit (15 s)
 */

/** @param {RingOptions} options */
export async function runRing(options = {}) {
  const o = {
    clients: 6,
    impl: 'alias',
    advertise: false,
    private: false,
    magnet: false,
    bytes: 320 * 1024,
    mode: 'fixed',
    durationMs: 20_000,
    convergeMs: 160_000,
    leave: false,
    dropWaitMs: 80_000,
    magnetSeedDelayMs: 2_000,
    startupMs: 60_000,
    exitGraceMs: 15_000,
    ...options,
  };
  const n = o.clients;
  const implOf = (i) => (o.impl === 'mixed' ? (i % 2 === 0 ? 'original' : 'alias') : o.impl);
  const lifetimeMs =
    o.startupMs + (o.mode === 'fixed' ? o.durationMs : o.convergeMs + o.dropWaitMs) + 60_000;

  const clients = [];
  const waiters = new Set();
  const changed = () => {
    for (const wake of [...waiters]) wake();
  };
  /** Resolves when predicate() holds (checked on every message) or after ms; returns it. */
  const waitFor = (predicate, ms) =>
    new Promise((resolve) => {
      if (predicate()) return resolve(true);
      const wake = () => {
        if (!predicate()) return;
        finish(true);
      };
      const timer = setTimeout(() => finish(predicate()), ms);
      const finish = (value) => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(value);
      };
      waiters.add(wake);
    });

  let t0 = null;
  const rel = (t) => (t0 === null || t === null || t === undefined ? null : t - t0);
  const errors = [];

  for (let i = 0; i < n; i++) {
    const config = {
      index: i,
      impl: implOf(i),
      advertise: o.advertise,
      seed: i === 0 ? { bytes: o.bytes, private: o.private } : null,
      lifetimeMs,
    };
    const child = fork(clientScript, [JSON.stringify(config)], {
      execArgv: [],
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const c = {
      index: i,
      impl: config.impl,
      child,
      port: null,
      listen: null,
      builtinUtPex: null,
      told: new Set(),
      learned: new Map(),
      learnedOther: new Map(),
      peerEvents: 0,
      dropped: [],
      doneAt: null,
      metadata: null,
      pexSent: 0,
      pexReceived: 0,
      warnings: [],
      closesWhileRunning: [],
      floodKilled: 0,
      final: null,
      destroyed: false,
      exited: false,
      exit: null,
      hung: false,
      stopped: false,
      stopAt: null,
      exitAt: null,
      output: '',
      knownAllAt: null,
    };
    clients.push(c);
    const keep = (chunk) => {
      if (c.output.length < 4000) c.output += chunk;
    };
    child.stdout.setEncoding('utf8').on('data', keep);
    child.stderr.setEncoding('utf8').on('data', keep);
    child.on('message', (m) => {
      onMessage(c, m);
      changed();
    });
    child.on('exit', (code, signal) => {
      c.exited = true;
      c.exitAt = Date.now();
      c.exit = { code, signal };
      changed();
    });
    child.on('error', (error) => {
      errors.push({ client: i, where: 'process', message: String(error) });
      changed();
    });
  }

  let seeded = null;
  let phase = 'startup';
  function onMessage(c, m) {
    switch (m.type) {
      case 'listening':
        c.port = m.port;
        c.listen = `127.0.0.1:${m.port}`;
        c.builtinUtPex = m.builtinUtPex;
        break;
      case 'seeded':
        seeded = m;
        c.doneAt = m.t;
        break;
      case 'metadata':
        c.metadata = { private: m.private, t: m.t };
        break;
      case 'done':
        c.doneAt ??= m.t;
        break;
      case 'peer': {
        c.peerEvents++;
        const isListen = clients.some((other) => other.listen === m.address);
        const into = isListen ? c.learned : c.learnedOther;
        if (!into.has(m.address)) into.set(m.address, m.t);
        if (c.knownAllAt === null && knowsAll(c)) c.knownAllAt = m.t;
        break;
      }
      case 'dropped':
        c.dropped.push({ address: m.address, t: m.t });
        break;
      case 'pex-sent':
        c.pexSent++;
        break;
      case 'pex-received':
        c.pexReceived++;
        break;
      case 'warning':
        c.warnings.push({ extension: m.extension, message: m.message, t: m.t });
        break;
      case 'close':
        // Only while the ring runs as set up: not after a client was asked to leave.
        if (m.whileRunning && phase === 'running') {
          c.closesWhileRunning.push({
            remote: m.remote,
            wireType: m.wireType,
            floodKilled: m.floodKilled,
            t: m.t,
          });
        }
        if (m.floodKilled) c.floodKilled++;
        break;
      case 'error':
        errors.push({ client: c.index, where: m.where, message: m.message, t: m.t });
        break;
      case 'final':
        c.final = m;
        break;
      case 'destroyed':
        c.destroyed = true;
        break;
    }
  }

  const others = (c) => clients.filter((x) => x !== c);
  const known = (c) => new Set([...c.told, ...c.learned.keys()]);
  function knowsAll(c) {
    const k = known(c);
    return others(c).every((x) => x.listen !== null && k.has(x.listen));
  }
  const active = () => clients.filter((c) => !c.stopped);
  const allKnowAll = () => clients.every((c) => knowsAll(c));
  const allDone = () => clients.every((c) => c.doneAt !== null);

  const stopClient = async (c) => {
    if (c.stopped) return;
    c.stopped = true;
    c.stopAt = Date.now();
    if (c.child.connected) c.child.send({ cmd: 'stop' });
    const exited = await waitFor(() => c.exited, o.exitGraceMs);
    if (!exited) {
      c.hung = true;
      c.child.kill('SIGKILL');
      await waitFor(() => c.exited, 5_000);
    }
  };

  let convergedAt = null;
  let leave = null;
  let learnedBeforeLeave = false;
  try {
    const started = await waitFor(
      () =>
        (seeded !== null && clients.every((c) => c.port !== null)) || clients.some((c) => c.exited),
      o.startupMs,
    );
    if (clients.some((c) => c.exited)) throw new Error('startup: a client process exited');
    if (!started) throw new Error('startup: not every client listening, or the seed not ready');

    phase = 'running';
    const torrentId = o.magnet ? seeded.magnetURI : seeded.torrentFile;
    t0 = Date.now();
    for (const c of clients) {
      const next = clients[(c.index + 1) % n];
      if (c.index === 0) {
        // The seed is told of client 1, except for a magnet (the leechers come to it).
        if (!o.magnet) {
          c.told.add(next.listen);
          c.child.send({ cmd: 'peers', peers: [next.listen] });
        }
        continue;
      }
      let peers = [next.listen];
      let delayedPeers = [];
      if (o.magnet) {
        // Leechers meet each other before anyone has the metadata (so ut_pex is on both ends
        // of those wires), then the seed, from which each fetches the info dictionary.
        const nextLeecher = clients[(c.index % (n - 1)) + 1];
        peers = nextLeecher === c ? [] : [nextLeecher.listen];
        delayedPeers = [{ address: clients[0].listen, afterMs: o.magnetSeedDelayMs }];
        c.told.add(clients[0].listen);
      }
      for (const p of peers) c.told.add(p);
      c.child.send({ cmd: 'add', torrentId, peers, delayedPeers });
    }

    if (o.mode === 'fixed') {
      await waitFor(() => errors.some((e) => e.where === 'uncaught'), o.durationMs);
    } else {
      await waitFor(() => allKnowAll() && allDone(), o.convergeMs);
      if (allKnowAll()) convergedAt = Math.max(...clients.map((c) => c.knownAllAt ?? t0));
      if (o.leave && convergedAt !== null) {
        phase = 'leave';
        const leaver = clients[n - 1];
        const remainingClients = clients.filter((c) => c !== leaver);
        // A 'dropped' can only come from a remote that reported the peer before: a client that
        // knows the leaver only because it was told its address (or dialled it) hears of no drop.
        // So the leaver stays until every other client has learned its address from a 'peer'
        // event (a later PEX message brings it where the first ones did not), within what is
        // left of the convergence time.
        await waitFor(
          () => remainingClients.every((c) => c.learned.has(leaver.listen)),
          Math.max(0, t0 + o.convergeMs - Date.now()),
        );
        learnedBeforeLeave = remainingClients.every((c) => c.learned.has(leaver.listen));
        const leftAt = Date.now();
        await stopClient(leaver);
        const remaining = clients.filter((c) => c !== leaver);
        const droppedIt = (c) =>
          c.dropped.some((d) => d.address === leaver.listen && d.t >= leftAt);
        await waitFor(() => remaining.every(droppedIt), o.dropWaitMs);
        leave = {
          leaver: leaver.index,
          address: leaver.listen,
          learnedBeforeLeave,
          leftMs: rel(leftAt),
          droppedAfterMs: Object.fromEntries(
            remaining.map((c) => {
              const d = c.dropped.find((x) => x.address === leaver.listen && x.t >= leftAt);
              return [c.index, d ? d.t - leftAt : null];
            }),
          ),
        };
      }
    }
    phase = 'stopping';
  } catch (error) {
    errors.push({ client: null, where: phase, message: String(error) });
  }

  const endedAt = Date.now();
  await Promise.all(active().map(stopClient));

  const summary = clients.map((c) => ({
    index: c.index,
    impl: c.impl,
    listen: c.listen,
    told: [...c.told],
    done: c.doneAt !== null,
    doneMs: rel(c.doneAt),
    metadata: c.metadata && { private: c.metadata.private, ms: rel(c.metadata.t) },
    knowsAll: knowsAll(c),
    knownAllMs: rel(c.knownAllAt),
    learned: Object.fromEntries([...c.learned].map(([a, t]) => [a, rel(t)])),
    learnedOther: [...c.learnedOther.keys()],
    peerEvents: c.peerEvents,
    missing: others(c)
      .map((x) => x.listen)
      .filter((a) => !known(c).has(a)),
    dropped: c.dropped.map((d) => ({ address: d.address, ms: rel(d.t) })),
    pexSent: c.pexSent,
    pexReceived: c.pexReceived,
    warnings: c.warnings.map((w) => ({ ...w, t: rel(w.t) })),
    closesWhileRunning: c.closesWhileRunning.map((x) => ({ ...x, t: rel(x.t) })),
    floodKilled: c.floodKilled,
    wires: (c.final?.wires ?? []).map((w) => ({
      type: w.type,
      remote: w.remote,
      extension: w.extension,
      localUtPex: w.localUtPex,
      remoteUtPex: w.remoteUtPex,
      pexSent: w.pexSent,
      pexReceived: w.pexReceived,
      pexReceivedMs: w.pexReceivedAt.map(rel),
      otherExtendedReceived: w.otherExtendedReceived,
      peerEvents: w.peerEvents,
      droppedEvents: w.droppedEvents,
      openedMs: rel(w.openedAt),
      closedMs: rel(w.closedAt),
      closedWhileRunning: w.closedWhileRunning,
    })),
    reportedFinal: c.final !== null,
    destroyed: c.destroyed,
    exit: c.exit,
    exitAfterStopMs: c.exitAt && c.stopAt ? c.exitAt - c.stopAt : null,
    hung: c.hung,
    output: c.output,
  }));
  const sum = (f) => summary.reduce((total, c) => total + f(c), 0);

  return {
    options: o,
    builtinUtPex: [...new Set(clients.map((c) => c.builtinUtPex))],
    private: seeded?.private ?? null,
    ranMs: rel(endedAt),
    converged: convergedAt !== null,
    convergedMs: rel(convergedAt),
    allDone: summary.every((c) => c.done),
    leave,
    totals: {
      peerEvents: sum((c) => c.peerEvents),
      droppedEvents: sum((c) => c.dropped.length),
      pexSent: sum((c) => c.pexSent),
      pexReceived: sum((c) => c.pexReceived),
      floodKilled: sum((c) => c.floodKilled),
      closesWhileRunning: sum((c) => c.closesWhileRunning.length),
      warnings: sum((c) => c.warnings.length),
      wiresBothUtPex: sum((c) => c.wires.filter((w) => w.localUtPex && w.remoteUtPex).length),
    },
    hung: summary.filter((c) => c.hung).map((c) => c.index),
    errors: errors.map((e) => ({ ...e, t: rel(e.t) })),
    clients: summary,
  };
}
