// Soak over real TCP on 127.0.0.1: a hub running the swarm helper accepts up to `--wires`
// client wires (our utPex() adapter on bittorrent-protocol 5); clients join and leave at
// random, and each plays a role: valid PEX at a short interval, malformed payloads, oversized
// payloads, a flood of valid messages, or @pex/core's hostile payloads. Afterwards every wire
// is closed and the process must be back where it started: no uncaught exception, heap near
// its baseline (run with --expose-gc for a precise figure), no PEX timer left, no socket left.
//
// Usage: node --expose-gc soak/soak.mjs [--duration=SECONDS] [--wires=N] [--interval-ms=MS]
//          [--seed=N]
// Prints one JSON line with the measurements; the exit code is 0 even when a bound is broken
// (the caller asserts), 2 on a harness error.
import { once } from 'node:events';
import { createServer, connect as netConnect } from 'node:net';
import { encodePexMessage } from '@pex/core';
import { createCountingTimers } from '@pex/test-support/counting-timers';
import { activeCounts, heapUsed } from '@pex/test-support/process';
import { createPexSwarm, utPex } from '@pex/wire-adapter';
import Wire from 'bittorrent-protocol';

const uncaught = [];
process.on('uncaughtException', (error) =>
  uncaught.push(`uncaughtException: ${error?.stack ?? error}`),
);
process.on('unhandledRejection', (error) =>
  uncaught.push(`unhandledRejection: ${error?.stack ?? error}`),
);

function parseArgs(argv) {
  const args = { duration: 12, wires: 200, intervalMs: 200, seed: Date.now() % 2 ** 31 };
  for (const arg of argv) {
    const [name, value] = arg.replace(/^-+/, '').split('=');
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0)
      throw new RangeError(`"${name}" expected a number >= 0, got ${value}`);
    if (name === 'duration') args.duration = number;
    else if (name === 'wires') args.wires = number;
    else if (name === 'interval-ms') args.intervalMs = number;
    else if (name === 'seed') args.seed = number;
    else throw new TypeError(`unknown argument ${arg}`);
  }
  return args;
}

function createRandom(seed) {
  let state = seed >>> 0 || 0x9e3779b9;
  return (n) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const INFO_HASH = '0123456789abcdef0123456789abcdef01234567';
const peerId = (n) =>
  Buffer.from(`-PX0001-${String(n).padStart(12, '0')}`, 'latin1').toString('hex');
const ascii = (text) => Uint8Array.from(text, (ch) => ch.charCodeAt(0));

/** Payloads a hostile client sends (a few of @pex/core's hostile table, and worse). */
const HOSTILE = [
  ascii(''),
  ascii('le'),
  ascii('d'),
  ascii('d5:added999999999:'),
  ascii('d5:added9999999999:e'),
  ascii(`d1:x${'l'.repeat(40)}${'e'.repeat(40)}e`),
  ascii('d5:addedi1ee'),
  ascii('d5:added5:12345e'),
  ascii('dede'),
  ascii('d7:added.f0:7:added.f0:e'),
  Uint8Array.from([...ascii('d8:dropped636018:'), ...new Uint8Array(36018).fill(7), 0x65]),
];

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const random = createRandom(args.seed);
  const hubTimers = createCountingTimers();
  const clientTimers = createCountingTimers();
  const stats = {
    wiresOpened: 0,
    maxConcurrent: 0,
    roles: {},
    hubPeerEvents: 0,
    hubWarnings: 0,
    hubSent: 0,
    hubInvalid: 0,
    hubViolations: 0,
    clientSent: 0,
    clientPeerEvents: 0,
    clientDroppedEvents: 0,
    rawPayloadsSent: 0,
    rawBytesSent: 0,
  };

  // The hub: the swarm helper on every accepted connection. Its inbound allowance is short too,
  // so valid clients at the short interval are applied and floods are cut.
  const swarm = createPexSwarm({
    intervalMs: args.intervalMs,
    firstMessageDelayMs: 50,
    timers: hubTimers.timers,
    inbound: { refillMs: args.intervalMs, burstMessages: 4 },
  });
  swarm.on('peer', () => stats.hubPeerEvents++);
  swarm.on('warning', () => stats.hubWarnings++);
  const hubSockets = new Set();
  const server = createServer((socket) => {
    hubSockets.add(socket);
    const wire = new Wire('tcpIncoming');
    const extension = swarm.addWire(wire, {
      address: socket.remoteAddress,
      port: socket.remotePort,
      outgoing: false,
    });
    extension.session.on('sent', () => stats.hubSent++);
    extension.session.on('invalid', () => stats.hubInvalid++);
    extension.session.on('violation', () => stats.hubViolations++);
    socket.pipe(wire).pipe(socket);
    socket.on('error', () => wire.destroy());
    socket.on('close', () => {
      hubSockets.delete(socket);
      wire.destroy();
    });
    wire.on('error', () => socket.destroy());
    wire.on('close', () => socket.destroy());
    wire.on('handshake', () => wire.handshake(INFO_HASH, peerId(0)));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const hubPort = server.address().port;

  const clients = new Set();
  let serial = 0;
  const ROLES = ['valid', 'valid', 'valid', 'malformed', 'oversized', 'flood', 'hostile'];

  const openClient = () => {
    serial++;
    const n = serial;
    const role = ROLES[random(ROLES.length)];
    stats.roles[role] = (stats.roles[role] ?? 0) + 1;
    stats.wiresOpened++;
    const socket = netConnect({ host: '127.0.0.1', port: hubPort });
    const wire = new Wire('tcpOutgoing');
    wire.extendedHandshake.p = 10_000 + (n % 50_000);
    wire.use(
      utPex({
        remoteAddress: `127.0.0.1:${hubPort}`,
        intervalMs: args.intervalMs,
        firstMessageDelayMs: 50,
        timers: clientTimers.timers,
      }),
    );
    const pex = wire.ut_pex;
    pex.session.on('sent', () => stats.clientSent++);
    pex.on('peer', () => stats.clientPeerEvents++);
    pex.on('dropped', () => stats.clientDroppedEvents++);
    pex.on('warning', () => {});
    const client = { n, role, wire, socket, ticker: undefined };
    clients.add(client);
    stats.maxConcurrent = Math.max(stats.maxConcurrent, clients.size);
    socket.pipe(wire).pipe(socket);
    socket.on('error', () => wire.destroy());
    socket.on('close', () => wire.destroy());
    wire.on('error', () => socket.destroy());
    wire.on('close', () => {
      socket.destroy();
      clearInterval(client.ticker);
      clients.delete(client);
    });
    wire.handshake(INFO_HASH, peerId(n));
    pex.start();
    // Peers this client advertises: its "connections" (loopback, unique per client).
    for (let i = 0; i < 1 + random(4); i++)
      pex.addPeer(`127.0.${(n >> 8) & 0xff}.${n & 0xff}:${20_000 + i}`);

    const sendRaw = (bytes) => {
      if (wire.destroyed || wire.peerExtendedMapping?.ut_pex === undefined) return;
      wire.extended('ut_pex', bytes);
      stats.rawPayloadsSent++;
      stats.rawBytesSent += bytes.length;
    };
    if (role === 'valid') return;
    const every = role === 'flood' ? 5 : 20;
    client.ticker = setInterval(() => {
      if (role === 'malformed') {
        const bytes = Uint8Array.from({ length: 1 + random(64) }, () => random(256));
        if (random(2) === 0) bytes[0] = 0x64; // starts like a dictionary
        sendRaw(bytes);
      } else if (role === 'oversized') {
        sendRaw(new Uint8Array(70_000 + random(30_000)).fill(0x31));
      } else if (role === 'flood') {
        sendRaw(
          encodePexMessage({
            added: [
              {
                address: Uint8Array.of(127, 1, n & 0xff, random(256)),
                port: 1 + random(65535),
                flags: 0x10,
              },
            ],
            added6: [],
            dropped: [],
            dropped6: [],
          }),
        );
      } else {
        sendRaw(HOSTILE[random(HOSTILE.length)]);
      }
    }, every);
  };

  /**
   * Opens clients up to `wires`, then churns (some leave, others join) until `seconds` have
   * passed; then closes every client and waits until the hub has let go of them all.
   */
  const runPhase = async (wires, seconds) => {
    const deadline = Date.now() + seconds * 1000;
    const openedBefore = stats.wiresOpened;
    while (Date.now() < deadline) {
      if (clients.size < wires) {
        for (let i = 0; i < Math.min(wires - clients.size, 25); i++) openClient();
      }
      if (stats.wiresOpened - openedBefore >= wires) {
        const leaving = random(4);
        for (let i = 0; i < leaving && clients.size > 0; i++) {
          const list = [...clients];
          const victim = list[random(list.length)];
          if (random(2) === 0) victim.wire.destroy();
          else victim.socket.destroy();
        }
      }
      await sleep(50);
    }
    const peak = process.memoryUsage().heapUsed;
    for (const client of [...clients]) client.wire.destroy();
    const closeBy = Date.now() + 10_000;
    while (
      (clients.size > 0 || swarm.wireCount > 0 || hubSockets.size > 0) &&
      Date.now() < closeBy
    ) {
      await sleep(20);
    }
    await sleep(100);
    return peak;
  };

  // Warm-up: a short round with every role, so that the baseline includes what the first use of
  // each code path allocates for good (compiled code, module state), and not only the imports.
  await runPhase(20, 1);
  const warmUp = { ...stats, roles: { ...stats.roles } };
  for (const key of Object.keys(stats)) stats[key] = key === 'roles' ? {} : 0;
  const heapBefore = heapUsed();
  const activeBefore = activeCounts();
  const timersBefore = hubTimers.pending.size + clientTimers.pending.size;

  const started = Date.now();
  const peakHeap = await runPhase(args.wires, args.duration);
  const durationMs = Date.now() - started;
  const afterClose = {
    clientsOpen: clients.size,
    hubWires: swarm.wireCount,
    hubAdvertised: swarm.advertisedCount,
    hubSockets: hubSockets.size,
    hubTimers: hubTimers.pending.size,
    clientTimers: clientTimers.pending.size,
  };
  // Measured with the hub still listening and its swarm alive, as before the soak.
  const heapAfter = heapUsed();
  const activeAfter = activeCounts();
  swarm.destroy();
  await new Promise((resolve) => server.close(resolve));
  process.stdout.write(
    `${JSON.stringify({
      seed: args.seed,
      durationMs,
      intervalMs: args.intervalMs,
      gc: typeof globalThis.gc === 'function',
      ...stats,
      warmUpWires: warmUp.wiresOpened,
      timersBefore,
      afterClose,
      heapBefore,
      peakHeap,
      heapAfter,
      activeBefore,
      activeAfter,
      uncaught,
    })}\n`,
  );
}

try {
  await main();
} catch (error) {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(2);
}
