// Hostile peers at the wire boundary, over real TCP on 127.0.0.1: a victim server wraps every
// accepted socket in a bittorrent-protocol 5 Wire with our ut_pex adapter (utPex() or the swarm
// helper), and raw attackers (./raw-peer.mjs: hand-written bytes, no Wire) send what a hostile
// peer sends. Runs in a child process (see test/wire-boundary.test.ts): one of the defects is a
// synchronous infinite loop that only a kill can stop.
//
// Usage: node [--expose-gc] attack/wire-boundary.mjs --scenario=NAME
//   NAME: invalid-id | rehandshake | destroy-next-message | hang-handshake | floods-and-torn
// Prints one JSON line of measurements on stdout (progress on stderr); exits on its own (no
// process.exit after the work: servers closed, the event loop drains). Exit code 2 on a harness
// error.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createCountingTimers } from '@pex/test-support/counting-timers';
import { activeCounts, heapUsed } from '@pex/test-support/process';
import { createPexSwarm, utPex } from '@pex/wire-adapter';
import Wire from 'bittorrent-protocol';
import {
  ascii,
  decodePex,
  extendedBytes,
  extendedHandshakePayload,
  INFO_HASH,
  peerIdHex,
  pexPayload,
  RawPeer,
} from './raw-peer.mjs';

const uncaught = [];
process.on('uncaughtException', (error) =>
  uncaught.push(`uncaughtException: ${error?.stack ?? error}`),
);
process.on('unhandledRejection', (error) =>
  uncaught.push(`unhandledRejection: ${error?.stack ?? error}`),
);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const progress = (line) => process.stderr.write(`${JSON.stringify(line)}\n`);
const VICTIM_PEER_ID = Buffer.from('-PXVICT-000000000000', 'latin1').toString('hex');
/** The short loopback-only options the brief asks for. */
const FAST = { intervalMs: 300, firstMessageDelayMs: 0 };
let attackerSerial = 0;
const nextPeerId = () => peerIdHex(++attackerSerial);

const errorText = (error) => String(error?.message ?? error).slice(0, 160);

/**
 * The victim: a server on 127.0.0.1 whose every accepted socket becomes a bittorrent-protocol
 * Wire with ut_pex installed before the handshake. `kind` 'utPex' installs `utPex(options)` and
 * calls `start()`; 'swarm' hands the wire to one `createPexSwarm(options)` hub. Each connection
 * gets a record (keyed by the attacker's local port) of what the victim saw and did; with
 * `forget` the record goes when the socket closes (so that a heap measurement sees only what the
 * library keeps).
 */
async function startVictim({ kind, options = {}, onExtendedHandshake, forget = false }) {
  const swarm = kind === 'swarm' ? createPexSwarm(options) : undefined;
  const byWire = new Map();
  const byPort = new Map();
  const sockets = new Set();
  const totals = { accepted: 0, peerEvents: 0, warnings: 0, wiresDestroyed: 0 };
  if (swarm !== undefined) {
    swarm.on('peer', (event) => {
      totals.peerEvents++;
      byWire.get(event.wire)?.peers.push(`${event.address}:${event.port}`);
    });
    swarm.on('warning', ({ wire, error }) => {
      totals.warnings++;
      byWire.get(wire)?.warnings.push(errorText(error));
    });
  }
  const server = createServer((socket) => {
    sockets.add(socket);
    totals.accepted++;
    const wire = new Wire('tcpIncoming');
    const conn = {
      remotePort: socket.remotePort,
      wire,
      peers: [],
      warnings: [],
      extendedHandshakes: 0,
      wireClosed: false,
    };
    byWire.set(wire, conn);
    byPort.set(socket.remotePort, conn);
    if (swarm !== undefined) {
      swarm.addWire(wire, {
        address: socket.remoteAddress,
        port: socket.remotePort,
        outgoing: false,
      });
    } else {
      wire.use(
        utPex({ ...options, remoteAddress: `${socket.remoteAddress}:${socket.remotePort}` }),
      );
      wire.ut_pex.on('peer', (peer) => {
        totals.peerEvents++;
        conn.peers.push(peer);
      });
      wire.ut_pex.on('warning', (error) => {
        totals.warnings++;
        conn.warnings.push(errorText(error));
      });
      wire.ut_pex.start();
    }
    socket.pipe(wire).pipe(socket);
    socket.on('error', () => wire.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      wire.destroy();
      if (forget) {
        byWire.delete(wire);
        byPort.delete(conn.remotePort);
      }
    });
    wire.on('error', () => socket.destroy());
    wire.on('close', () => {
      conn.wireClosed = true;
      totals.wiresDestroyed++;
      socket.destroy();
    });
    wire.on('handshake', () => wire.handshake(INFO_HASH, VICTIM_PEER_ID));
    wire.on('extended', (ext) => {
      if (ext !== 'handshake') return;
      conn.extendedHandshakes++;
      try {
        onExtendedHandshake?.(conn);
      } catch (error) {
        conn.warnings.push(`harness: ${errorText(error)}`);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: server.address().port,
    swarm,
    totals,
    sockets,
    byPort,
    /** The victim's record of the connection `attacker` made. */
    connOf: (attacker) => byPort.get(attacker.localPort),
    async close() {
      for (const socket of sockets) socket.destroy();
      const deadline = Date.now() + 5_000;
      while (sockets.size > 0 && Date.now() < deadline) await sleep(10);
      swarm?.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Connects, sends the BitTorrent handshake (BEP 10 bit set), waits for the victim's handshakes. */
async function attack(port, { extendedHandshake } = {}) {
  const peer = await RawPeer.connect(port);
  peer.sendHandshake({ peerId: nextPeerId() });
  if (extendedHandshake !== undefined) peer.sendExtended(0, extendedHandshake);
  await peer.waitForHandshakes();
  return peer;
}

/** PEX payloads received under `extId` from the `since`-th extended message on, decoded. */
function pexUnder(peer, extId, since = 0) {
  return peer.extended
    .slice(since)
    .filter((message) => !message.isHandshake && message.extId === extId)
    .map((message) => decodePex(message.payload) ?? { added: [], dropped: [], undecodable: true });
}

// --- 1. invalid-id ----------------------------------------------------------------------------

/**
 * The attacker's `m.ut_pex` is one byte on the wire, but bittorrent-protocol stores any number
 * (`Number(value.toString())`) and writes it with `new Uint8Array([id])`: 256 becomes 0 (the
 * extended handshake's id), 300 becomes 44, the string "1" is byte 49 so id 49, the list [5]
 * becomes 5. Every PEX message under an id the attacker never advertised as a valid (1..255)
 * id is counted in `pexUnderInvalidId`.
 */
async function scenarioInvalidId() {
  let nextHost = 1;
  const victim = await startVictim({
    kind: 'utPex',
    options: FAST,
    // The application: a new peer to advertise after every extended handshake of the remote.
    onExtendedHandshake: (conn) => conn.wire.ut_pex.addPeer(`198.51.100.${nextHost++}:6881`),
  });
  const cases = [
    // Controls: valid ids; PEX must arrive under exactly that id.
    { name: 'i3e', steps: ['i3e'], validIds: [3], control: true },
    { name: 'i255e', steps: ['i255e'], validIds: [255], control: true },
    // Disabled (BEP 10: 0 means the extension is off) or not advertised: no PEX, no warning.
    { name: 'i0e', steps: ['i0e'], validIds: [], disabled: true },
    { name: 'absent', steps: [undefined], validIds: [], disabled: true },
    // Malformed: out of the one-byte range, negative, or not an integer at all.
    { name: 'i256e', steps: ['i256e'], validIds: [] },
    { name: '2^40', steps: [`i${2 ** 40}e`], validIds: [] },
    { name: '2^64', steps: ['i18446744073709551616e'], validIds: [] },
    { name: '30-digit', steps: ['i123456789012345678901234567890e'], validIds: [] },
    { name: 'i300e', steps: ['i300e'], validIds: [] },
    { name: 'string 1:1', steps: ['1:1'], validIds: [] },
    { name: 'list li5ee', steps: ['li5ee'], validIds: [] },
    { name: 'i-1e', steps: ['i-1e'], validIds: [] },
    { name: 'dict', steps: ['d1:xi3ee'], validIds: [] },
    // Re-handshake: valid 3 first (PEX under 3 is fine), then 256.
    { name: 'rehandshake 3->256', steps: ['i3e', 'i256e'], validIds: [3] },
  ];
  const results = await Promise.all(
    cases.map(async (testCase) => {
      const peer = await attack(victim.port, {
        extendedHandshake: extendedHandshakePayload({ utPexValue: testCase.steps[0] }),
      });
      await sleep(1_000);
      for (const step of testCase.steps.slice(1)) {
        peer.sendExtended(0, extendedHandshakePayload({ utPexValue: step }));
        await sleep(1_000);
      }
      const conn = victim.connOf(peer);
      const byId = {};
      let underValid = 0;
      let underInvalid = 0;
      for (const message of peer.nonHandshake) {
        byId[message.extId] = (byId[message.extId] ?? 0) + 1;
        if (testCase.validIds.includes(message.extId)) underValid++;
        else underInvalid++;
      }
      const victimWireClosed = conn?.wireClosed === true;
      await peer.close();
      return {
        name: testCase.name,
        control: testCase.control === true,
        disabled: testCase.disabled === true,
        victimPexId: peer.remotePexId,
        pexById: byId,
        pexUnderValidId: underValid,
        pexUnderInvalidId: underInvalid,
        warnings: conn?.warnings.length ?? -1,
        warningMessages: conn?.warnings.slice(0, 2) ?? [],
        victimWireClosed,
      };
    }),
  );
  await victim.close();
  const malformed = results.filter((r) => !r.control && !r.disabled);
  return {
    scenario: 'invalid-id',
    cases: results,
    pexUnderInvalidId: results.reduce((sum, r) => sum + r.pexUnderInvalidId, 0),
    pexUnderValidId: results.filter((r) => r.control).reduce((s, r) => s + r.pexUnderValidId, 0),
    controlsWithPex: results.filter((r) => r.control && r.pexUnderValidId > 0).map((r) => r.name),
    malformedWithoutWarning: malformed.filter((r) => r.warnings <= 0).map((r) => r.name),
    disabledWithWarning: results.filter((r) => r.disabled && r.warnings !== 0).map((r) => r.name),
    victimPeerEvents: victim.totals.peerEvents,
  };
}

// --- 2. rehandshake ---------------------------------------------------------------------------

const PEER_A = '198.51.100.10:6881';
const PEER_B = '198.51.100.11:6881';

/**
 * utPex: ut_pex 3 (A advertised, arrives under 3), then 0 (B advertised: nothing may be sent),
 * then 9: a message under 9 must carry B (and A: the remote turned PEX off and on again, so it
 * gets a full snapshot).
 */
async function rehandshakeUtPex() {
  const victim = await startVictim({
    kind: 'utPex',
    options: FAST,
    onExtendedHandshake: (conn) => {
      if (conn.extendedHandshakes === 1) conn.wire.ut_pex.addPeer(PEER_A);
      if (conn.extendedHandshakes === 2) conn.wire.ut_pex.addPeer(PEER_B);
    },
  });
  const peer = await attack(victim.port, {
    extendedHandshake: extendedHandshakePayload({ utPexValue: 'i3e', p: 6991 }),
  });
  const gotA = await peer.waitFor(
    () => pexUnder(peer, 3).some((pex) => pex.added.includes(PEER_A)),
    2_000,
  );
  const disabledAt = peer.extended.length;
  peer.sendExtended(0, extendedHandshakePayload({ utPexValue: 'i0e', p: 6991 }));
  await sleep(900); // three intervals: B is due long before this
  const whileDisabled = peer.extended.length - disabledAt;
  const enabledAt = peer.extended.length;
  peer.sendExtended(0, extendedHandshakePayload({ utPexValue: 'i9e', p: 6991 }));
  await peer.waitFor(
    () => pexUnder(peer, 9, enabledAt).some((pex) => pex.added.includes(PEER_B)),
    2_000,
  );
  const under9 = pexUnder(peer, 9, enabledAt).flatMap((pex) => pex.added);
  const conn = victim.connOf(peer);
  const result = {
    aUnder3: gotA,
    pexWhileDisabled: whileDisabled,
    addedUnder9: [...new Set(under9)],
    bUnder9: under9.includes(PEER_B),
    aUnder9: under9.includes(PEER_A),
    pexById: countById(peer),
    warnings: conn?.warnings ?? [],
  };
  await peer.close();
  await victim.close();
  return result;
}

/**
 * The swarm helper: A0 and A1 join (ut_pex 3, listen ports 7000 / 7001); A1 receives A0 under 3
 * (control); A1 re-handshakes with 0, A2 (7002) joins meanwhile; A1 re-handshakes with 9 and must
 * receive A2 under 9.
 */
async function rehandshakeSwarm() {
  const timers = createCountingTimers();
  const victim = await startVictim({
    kind: 'swarm',
    options: { ...FAST, timers: timers.timers },
  });
  const hs = (utPexValue, p) => extendedHandshakePayload({ utPexValue, p });
  const a0 = await attack(victim.port, { extendedHandshake: hs('i3e', 7000) });
  const a1 = await attack(victim.port, { extendedHandshake: hs('i3e', 7001) });
  const a0Address = '127.0.0.1:7000';
  const a2Address = '127.0.0.1:7002';
  const a0Under3 = await a1.waitFor(
    () => pexUnder(a1, 3).some((pex) => pex.added.includes(a0Address)),
    2_000,
  );
  const disabledAt = a1.extended.length;
  a1.sendExtended(0, hs('i0e', 7001));
  await sleep(100);
  const a2 = await attack(victim.port, { extendedHandshake: hs('i3e', 7002) });
  const a0GotA2 = await a0.waitFor(
    () => pexUnder(a0, 3).some((pex) => pex.added.includes(a2Address)),
    2_000,
  );
  await sleep(600);
  const whileDisabled = a1.extended.length - disabledAt;
  const enabledAt = a1.extended.length;
  a1.sendExtended(0, hs('i9e', 7001));
  await a1.waitFor(
    () => pexUnder(a1, 9, enabledAt).some((pex) => pex.added.includes(a2Address)),
    2_000,
  );
  const under9 = pexUnder(a1, 9, enabledAt).flatMap((pex) => pex.added);
  const result = {
    a0UnderId3: a0Under3,
    a0GotA2: a0GotA2,
    pexWhileDisabled: whileDisabled,
    addedUnder9: [...new Set(under9)],
    a2Under9: under9.includes(a2Address),
    a0Under9: under9.includes(a0Address),
    pexById: countById(a1),
    warnings: [...victim.byPort.values()].flatMap((conn) => conn.warnings),
  };
  await Promise.all([a0.close(), a1.close(), a2.close()]);
  await victim.close();
  result.pendingTimers = timers.pending.size;
  return result;
}

function countById(peer) {
  const byId = {};
  for (const message of peer.nonHandshake) byId[message.extId] = (byId[message.extId] ?? 0) + 1;
  return byId;
}

async function scenarioRehandshake() {
  const utPexResult = await rehandshakeUtPex();
  progress({ rehandshake: 'utPex', ...utPexResult });
  const swarmResult = await rehandshakeSwarm();
  return { scenario: 'rehandshake', utPex: utPexResult, swarm: swarmResult };
}

// --- 3. destroy-next-message ------------------------------------------------------------------

/**
 * onViolation 'disconnect': an undecodable PEX payload then a valid one, in ONE write. The first
 * must destroy the wire, and nothing after it may be applied: 0 `peer` events.
 */
async function scenarioDestroyNextMessage() {
  const victim = await startVictim({
    kind: 'utPex',
    options: { ...FAST, onViolation: 'disconnect' },
  });
  const valid = pexPayload(['8.8.8.8:6881']);
  const invalid = ascii('d5:added5:abcdee'); // a compact list of 5 bytes: not a multiple of 6

  // Control: the valid message alone is applied (8.8.8.8 passes the default policy).
  const control = await attack(victim.port, {
    extendedHandshake: extendedHandshakePayload({ utPexValue: 'i1e' }),
  });
  control.sendExtended(control.remotePexId, valid);
  const controlConn = victim.connOf(control);
  await control.waitFor(() => (controlConn?.peers.length ?? 0) > 0, 2_000);
  const controlResult = {
    victimPexId: control.remotePexId,
    peers: [...(controlConn?.peers ?? [])],
    wireClosed: controlConn?.wireClosed ?? false,
  };
  await control.close();

  // The attack: both frames in one socket write.
  const peer = await attack(victim.port, {
    extendedHandshake: extendedHandshakePayload({ utPexValue: 'i1e' }),
  });
  const id = peer.remotePexId;
  peer.write(Buffer.concat([extendedBytes(id, invalid), extendedBytes(id, valid)]));
  const conn = victim.connOf(peer);
  await peer.waitFor(() => conn?.wireClosed === true && peer.closed, 2_000);
  await sleep(200);
  const result = {
    scenario: 'destroy-next-message',
    control: controlResult,
    victimPexId: id,
    peerEvents: conn?.peers.length ?? -1,
    peers: [...(conn?.peers ?? [])],
    warnings: conn?.warnings ?? [],
    // The attacker never closes this socket: a closed wire is the victim's doing.
    wireDestroyed: conn?.wireClosed === true,
    attackerSawClose: peer.closed,
  };
  await peer.close();
  await victim.close();
  return result;
}

// --- 4. hang-handshake ------------------------------------------------------------------------

/** Extended handshakes bencode 4.0.1 (which bittorrent-protocol 5.0.9 decodes with) chokes on. */
const HOSTILE_HANDSHAKES = [
  { name: 'nesting 100000', bytes: ascii(`d1:x${'l'.repeat(100_000)}${'e'.repeat(100_000)}e`) },
  { name: 'huge string length', bytes: ascii('d1:x99999999999:ae') },
  { name: '+ in a length', bytes: ascii('d1:x+1:ae') },
  { name: '. in a length', bytes: ascii('d1:x1.:ae') },
  { name: 'unterminated dict', bytes: ascii('d1:xi1e') },
  // Last: bencode 4.0.1's decode never returns on a negative string length (13 bytes).
  { name: 'negative length d1:x-3:abce', bytes: ascii('d1:x-3:abce'), hangs: true },
];

/** A well-behaved peer: its extended handshake must still be answered. */
async function probe(port) {
  let peer;
  try {
    peer = await RawPeer.connect(port);
    peer.sendHandshake({ peerId: nextPeerId() });
    peer.sendExtended(0, extendedHandshakePayload({ utPexValue: 'i1e', p: 6881 }));
    return await peer.waitForHandshakes(2_000);
  } catch {
    return false;
  } finally {
    await peer?.close();
  }
}

async function hangCase(victim, kind, hostile) {
  const peer = await attack(victim.port);
  const answeredFirst = peer.remoteExtendedHandshake !== undefined;
  const conn = victim.connOf(peer);
  peer.sendExtended(0, hostile.bytes);
  await peer.waitFor(() => conn?.wireClosed === true, 600);
  // Before anything else closes: only the victim can have closed this wire.
  const wireDestroyed = conn?.wireClosed === true;
  const survived = await probe(victim.port);
  const result = {
    victim: kind,
    name: hostile.name,
    bytes: hostile.bytes.length,
    answeredFirst,
    survived,
    warnings: conn?.warnings.length ?? -1,
    warningMessages: conn?.warnings.slice(0, 2) ?? [],
    wireDestroyed,
  };
  progress(result);
  await peer.close();
  return result;
}

async function scenarioHangHandshake() {
  const utPexVictim = await startVictim({ kind: 'utPex', options: FAST });
  const swarmVictim = await startVictim({ kind: 'swarm', options: FAST });
  const cases = [];
  // Every case that returns first, for both victims; the loop last (it hangs today).
  for (const hostile of HOSTILE_HANDSHAKES.filter((h) => !h.hangs)) {
    cases.push(await hangCase(utPexVictim, 'utPex', hostile));
    cases.push(await hangCase(swarmVictim, 'swarm', hostile));
  }
  for (const hostile of HOSTILE_HANDSHAKES.filter((h) => h.hangs)) {
    cases.push(await hangCase(utPexVictim, 'utPex', hostile));
    cases.push(await hangCase(swarmVictim, 'swarm', hostile));
  }
  await utPexVictim.close();
  await swarmVictim.close();
  return {
    scenario: 'hang-handshake',
    cases,
    notSurvived: cases.filter((c) => !c.survived).map((c) => `${c.victim}: ${c.name}`),
    withoutWarning: cases.filter((c) => c.warnings <= 0).map((c) => `${c.victim}: ${c.name}`),
    negativeLength: cases.filter((c) => c.name.startsWith('negative length')),
  };
}

// --- 5. floods-and-torn -----------------------------------------------------------------------

const ROLES = [
  'pex-before-handshake',
  'pex-before-extended-handshake',
  'flood',
  'malformed-then-valid',
  'torn',
  'valid',
];
/** Bad payloads whose `added` holds well-formed 9.9.x.y entries: none of them may be applied. */
function malformedPayloads(n) {
  const good = pexPayload([`9.9.${n & 0xff}.1:6881`]).subarray(0, -1); // without the final 'e'
  const entry = Buffer.from(good.subarray(0, 8 + 2 + 6)); // 'd5:added6:' + 6 bytes
  return [
    Buffer.concat([good, ascii('7:dropped5:abcdee')]), // bad dropped list
    Buffer.concat([good, ascii('e'), ascii('trailing')]), // bytes after the dictionary
    good, // unterminated dictionary
    Buffer.concat([entry, ascii('7:added.fi1ee')]), // added.f not a byte string
    Buffer.concat([ascii('d5:added7:'), compactPeers7(n), ascii('e')]), // 7-byte list
    ascii(`d5:added6:${'x'.repeat(6)}`), // truncated
    ascii(`d1:x${'l'.repeat(2_000)}${'e'.repeat(2_000)}5:added6:abcdefe`), // deep nesting
  ];
}
const compactPeers7 = (n) => Buffer.from([9, 9, n & 0xff, 2, 0x1a, 0xe1, 0]);

const roleOf = (address) => {
  if (address.startsWith('8.8.')) return 'flood';
  if (address.startsWith('1.1.')) return 'malformed-then-valid';
  if (address.startsWith('9.9.')) return 'invalid';
  if (address.startsWith('4.4.')) return 'pex-before-extended-handshake';
  if (address.startsWith('5.5.')) return 'pex-before-handshake';
  if (address.startsWith('6.6.')) return 'valid';
  return 'other';
};

async function runAttacker(port, n, role, stats) {
  let peer;
  try {
    peer = await RawPeer.connect(port);
  } catch (error) {
    stats.connectErrors.push(errorText(error));
    return undefined;
  }
  const hi = (k) => (k >> 8) & 0xff;
  const lo = (k) => k & 0xff;
  const handshake = extendedHandshakePayload({ utPexValue: 'i1e', p: 20_000 + n });
  if (role === 'pex-before-handshake') {
    peer.sendExtended(1, pexPayload([`5.5.${hi(n)}.${lo(n)}:6881`]));
    peer.sendHandshake({ peerId: nextPeerId() });
    peer.sendExtended(0, handshake);
  } else if (role === 'pex-before-extended-handshake') {
    peer.sendHandshake({ peerId: nextPeerId() });
    // bittorrent-protocol numbers its own extensions from 1: ut_pex is 1 on the hub.
    peer.sendExtended(1, pexPayload([`4.4.${hi(n)}.${lo(n)}:6881`]));
    peer.sendExtended(0, handshake);
  } else if (role === 'torn') {
    peer.sendHandshake({ peerId: nextPeerId() });
    peer.sendExtended(0, handshake);
    const frame = extendedBytes(1, pexPayload([`6.6.${hi(n)}.${lo(n)}:6881`]));
    peer.write(frame.subarray(0, 3 + (n % (frame.length - 3)))); // torn mid-frame
    await sleep(20 + (n % 50));
    peer.socket.destroy();
    return peer;
  } else {
    peer.sendHandshake({ peerId: nextPeerId() });
    peer.sendExtended(0, handshake);
  }
  await peer.waitForHandshakes(5_000);
  const id = peer.remotePexId ?? 1;
  if (role === 'flood') {
    const frames = [];
    for (let i = 0; i < 300; i++) {
      frames.push(extendedBytes(id, pexPayload([`8.8.${lo(n)}.${i % 250}:${6881 + i}`])));
    }
    peer.write(Buffer.concat(frames));
    stats.floodMessages += frames.length;
  } else if (role === 'malformed-then-valid') {
    for (const bad of malformedPayloads(n)) peer.sendExtended(id, bad);
    stats.malformedSent += malformedPayloads(n).length;
    peer.sendExtended(id, pexPayload([`1.1.${hi(n)}.${lo(n)}:6881`]));
    stats.validAfterMalformedSent++;
  } else if (role === 'valid') {
    peer.sendExtended(id, pexPayload([`6.6.${hi(n)}.${lo(n)}:6881`]));
  }
  return peer;
}

/** Opens `count` attackers with the roles in turn, keeps them `holdMs`, closes them all. */
async function floodRound(victim, count, holdMs, stats) {
  const peers = [];
  const running = [];
  for (let n = 0; n < count; n++) {
    const role = ROLES[n % ROLES.length];
    stats.roles[role] = (stats.roles[role] ?? 0) + 1;
    running.push(runAttacker(victim.port, stats.serial++, role, stats).then((p) => peers.push(p)));
    if (n % 25 === 24) await sleep(10);
  }
  await Promise.all(running);
  stats.maxHubSockets = Math.max(stats.maxHubSockets, victim.sockets.size);
  stats.maxHubWires = Math.max(stats.maxHubWires, victim.swarm.wireCount);
  await sleep(holdMs);
  stats.maxHubWires = Math.max(stats.maxHubWires, victim.swarm.wireCount);
  stats.attackerPexReceived += peers.reduce((sum, p) => sum + (p?.nonHandshake.length ?? 0), 0);
  await Promise.all(peers.map((peer) => peer?.close()));
  const deadline = Date.now() + 10_000;
  while ((victim.swarm.wireCount > 0 || victim.sockets.size > 0) && Date.now() < deadline) {
    await sleep(20);
  }
  await sleep(100);
}

async function scenarioFloodsAndTorn() {
  const timers = createCountingTimers();
  const victim = await startVictim({
    kind: 'swarm',
    options: { intervalMs: 300, firstMessageDelayMs: 0, timers: timers.timers },
    forget: true,
  });
  const peersByRole = {};
  victim.swarm.on('peer', (event) => {
    const role = roleOf(event.address);
    peersByRole[role] = (peersByRole[role] ?? 0) + 1;
  });
  const stats = {
    serial: 1,
    roles: {},
    connectErrors: [],
    floodMessages: 0,
    malformedSent: 0,
    validAfterMalformedSent: 0,
    attackerPexReceived: 0,
    maxHubWires: 0,
    maxHubSockets: 0,
  };
  // Warm-up: every role once, so first-use allocations are in the baseline.
  await floodRound(victim, 24, 400, stats);
  for (const key of Object.keys(peersByRole)) delete peersByRole[key];
  Object.assign(stats, {
    roles: {},
    floodMessages: 0,
    malformedSent: 0,
    validAfterMalformedSent: 0,
    attackerPexReceived: 0,
    maxHubWires: 0,
    maxHubSockets: 0,
  });
  const warningsBefore = victim.totals.warnings;
  const heapBefore = heapUsed();
  const activeBefore = activeCounts();
  const timersBefore = timers.pending.size;

  await floodRound(victim, 200, 1_500, stats);

  const afterClose = {
    hubWires: victim.swarm.wireCount,
    hubAdvertised: victim.swarm.advertisedCount,
    hubSockets: victim.sockets.size,
    pendingTimers: timers.pending.size,
  };
  const heapAfter = heapUsed();
  const activeAfter = activeCounts();
  const { serial: _serial, ...rest } = stats;
  const result = {
    scenario: 'floods-and-torn',
    gc: typeof globalThis.gc === 'function',
    ...rest,
    hubWarnings: victim.totals.warnings - warningsBefore,
    peersByRole,
    peersFromInvalid: peersByRole.invalid ?? 0,
    peersFromValidAfterMalformed: peersByRole['malformed-then-valid'] ?? 0,
    timersBefore,
    afterClose,
    heapBefore,
    heapAfter,
    heapGrowth: heapAfter - heapBefore,
    activeBefore,
    activeAfter,
  };
  await victim.close();
  return result;
}

// --- main -------------------------------------------------------------------------------------

const SCENARIOS = {
  'invalid-id': scenarioInvalidId,
  rehandshake: scenarioRehandshake,
  'destroy-next-message': scenarioDestroyNextMessage,
  'hang-handshake': scenarioHangHandshake,
  'floods-and-torn': scenarioFloodsAndTorn,
};

function parseScenario(argv) {
  for (const arg of argv) {
    const match = /^--scenario=(.+)$/.exec(arg);
    if (match !== null) return match[1];
    throw new TypeError(`unknown argument ${arg}`);
  }
  throw new TypeError(`--scenario=NAME expected, one of ${Object.keys(SCENARIOS).join(', ')}`);
}

try {
  const name = parseScenario(process.argv.slice(2));
  const run = SCENARIOS[name];
  if (run === undefined) throw new TypeError(`unknown scenario ${name}`);
  const result = await run();
  process.stdout.write(`${JSON.stringify({ ...result, uncaught })}\n`);
} catch (error) {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(2);
}
