// Fuzz target: a PEX session's receive path, with a fake clock and fake timers. Shaped as a
// Jazzer.js target (`fuzz(data)`), run by fuzz/run.mjs. Anything thrown here is a finding.
//
// The input is a small program (see docs/security.md): byte 0 picks the session's settings,
// then each operation is one byte, `op % 8`:
//   0-3  receive: a 2-byte little-endian length, then that many payload bytes (cut at the end)
//   4    advance the clock by (next byte) * 500 ms and run the timers that are due
//   5/6  addPeer / dropPeer 10.0.0.<next byte>:6881 (our side, to make the sender run)
//   7    control: (next byte % 5) start, remote supports ut_pex, withdraws it, reset, stop
import { decodePexMessage, isPexDecodeError } from '@pex/core';
import { MAX_ADDED_PER_MESSAGE } from '@pex/core/internal';
import { createPexSession } from '@pex/events';
import { readPeerAddress } from '@pex/events/internal';

const MAX_OPERATIONS = 64;
const SMALL_CAP = 8;
const INTERVAL_MS = 70_000;

function fail(message) {
  throw new Error(`invariant: ${message}`);
}

/** Fake timers: nothing runs until the program advances the clock. */
function createFakeTime() {
  let now = 1_000;
  let nextId = 1;
  const pending = new Map();
  return {
    clock: { now: () => now },
    timers: {
      setTimeout(callback, delayMs) {
        if (!(delayMs >= 0)) fail(`timer armed with delay ${delayMs}`);
        const id = nextId++;
        pending.set(id, { at: now + delayMs, callback });
        return id;
      },
      clearTimeout(id) {
        pending.delete(id);
      },
    },
    get pendingCount() {
      return pending.size;
    },
    advance(ms) {
      const until = now + ms;
      for (let fired = 0; ; fired++) {
        // A session keeps at most one timer; more than a few firings per step is a spinning timer.
        if (fired > 100) fail('a timer keeps re-arming itself without time passing');
        let due;
        for (const [id, timer] of pending) {
          if (timer.at <= until && (due === undefined || timer.at < due[1].at)) due = [id, timer];
        }
        if (due === undefined) break;
        pending.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].callback();
      }
      now = until;
    },
  };
}

function rawOf(peer, family) {
  return `${family}/${Array.from(peer.address).join('.')}/${peer.port}`;
}

/** The event-text identity of a decoded peer (IPv4-mapped IPv6 reads as IPv4, as events do). */
function textOf(peer) {
  const { address } = readPeerAddress(peer.address, peer.port);
  return `${address}/${peer.port}`;
}

/**
 * Runs the program in `data`. Invariants: `receive` never throws and never warns; an `invalid`
 * event exactly when the payload does not decode, with the decoder's reason, and then no other
 * event; every `peer` event is a peer of the `added` lists of that payload, not already reported,
 * with its flags, at most one per peer; every `dropped` event is a peer of its `dropped` lists
 * that was reported before; a refused (`too-frequent`) message changes nothing; the peers known
 * from the remote never exceed the per-source cap; what we send decodes and keeps the interval;
 * after `destroy()` no timer is left; once a violation asked for a disconnect, no later payload
 * gives any event.
 * @param {Uint8Array} data
 */
export function fuzz(data) {
  if (data.length === 0) return;
  const config = data[0];
  const cap = (config & 1) === 0 ? SMALL_CAP : 200;
  const time = createFakeTime();
  let sentAt;
  let current;
  let disconnected = false;
  const session = createPexSession({
    send: (bytes) => {
      const message = decodePexMessage(bytes);
      const added = message.added.length + message.added6.length;
      if (sentAt !== undefined && added > MAX_ADDED_PER_MESSAGE) fail(`sent ${added} added peers`);
      const at = time.clock.now();
      if (sentAt !== undefined && at - sentAt < INTERVAL_MS)
        fail(`sent again after ${at - sentAt} ms`);
      sentAt = at;
    },
    clock: time.clock,
    timers: time.timers,
    intervalMs: INTERVAL_MS,
    remoteAddress: '203.0.113.5:6881',
    ...((config & 2) === 0 ? { accept: () => true } : {}),
    ...((config & 4) === 0
      ? {}
      : {
          onViolation: 'disconnect',
          disconnect: () => {
            disconnected = true;
          },
        }),
    inbound: { maxPeersPerSource: cap },
  });
  /** Peers the remote reported (as `peer`) and did not drop since, by text, with multiplicity. */
  const known = new Map();
  let knownCount = 0;
  for (const name of ['peer', 'dropped', 'invalid', 'violation', 'warning']) {
    session.on(name, (payload) => {
      if (current === undefined && name !== 'warning') fail(`"${name}" outside receive`);
      if (name === 'warning')
        fail(`warning from ${payload.source}: ${payload.error?.stack ?? payload.error}`);
      current.push([name, payload]);
    });
  }

  let pos = 1;
  for (let ops = 0; ops < MAX_OPERATIONS && pos < data.length; ops++) {
    const op = data[pos++] % 8;
    if (op < 4) {
      const length = Math.min(
        (data[pos] ?? 0) | ((data[pos + 1] ?? 0) << 8),
        Math.max(0, data.length - pos - 2),
      );
      pos += 2;
      const payload = data.subarray(pos, pos + length);
      pos += length;
      current = [];
      const afterDisconnect = disconnected;
      try {
        session.receive(Uint8Array.from(payload));
      } catch (error) {
        fail(`receive threw ${error?.stack ?? error}`);
      }
      const events = current;
      current = undefined;
      if (afterDisconnect) {
        if (events.length > 0) fail(`"${events[0][0]}" after the session asked for a disconnect`);
        continue;
      }
      checkReceive(Uint8Array.from(payload), events, known, cap, (delta) => {
        knownCount += delta;
        return knownCount;
      });
    } else if (op === 4) {
      time.advance((data[pos++] ?? 0) * 500);
    } else if (op === 5 || op === 6) {
      const peer = `10.0.0.${data[pos++] ?? 0}:6881`;
      if (op === 5) session.addPeer(peer, { reachable: true });
      else session.dropPeer(peer);
    } else {
      const control = (data[pos++] ?? 0) % 5;
      if (control === 0) session.start();
      else if (control === 1) session.setRemoteSupportsPex(true);
      else if (control === 2) session.setRemoteSupportsPex(false);
      else if (control === 3) {
        session.reset();
        known.clear();
        knownCount = 0;
      } else session.stop();
    }
  }
  session.destroy();
  if (time.pendingCount !== 0) fail(`${time.pendingCount} timers left after destroy()`);
}

function checkReceive(payload, events, known, cap, addKnown) {
  let message;
  let decodeError;
  try {
    message = decodePexMessage(payload);
  } catch (error) {
    if (!isPexDecodeError(error)) throw error;
    decodeError = error;
  }
  const invalid = events.filter(([name]) => name === 'invalid');
  if (decodeError !== undefined) {
    if (events.length !== 1 || invalid.length !== 1) {
      fail(`undecodable payload gave events ${events.map(([name]) => name).join(',')}`);
    }
    if (invalid[0][1].reason !== decodeError.reason) {
      fail(`invalid reason ${invalid[0][1].reason}, decoder says ${decodeError.reason}`);
    }
    return;
  }
  if (invalid.length > 0) fail('"invalid" for a payload that decodes');

  // What the payload offers, by event text: how many distinct peers (by family, address and port)
  // that are not also dropped in the same family, and their flags (the first occurrence counts).
  const droppedRaw = new Set();
  for (const [list, family] of [
    ['dropped', 4],
    ['dropped6', 6],
  ]) {
    for (const peer of message[list]) droppedRaw.add(rawOf(peer, family));
  }
  const offered = new Map();
  const rawSeen = new Set();
  for (const [list, family] of [
    ['added', 4],
    ['added6', 6],
  ]) {
    for (const peer of message[list]) {
      const raw = rawOf(peer, family);
      if (rawSeen.has(raw)) continue;
      rawSeen.add(raw);
      if (droppedRaw.has(raw)) continue;
      const text = textOf(peer);
      const entry = offered.get(text) ?? { count: 0, flags: new Set() };
      entry.count++;
      entry.flags.add(peer.flags);
      offered.set(text, entry);
    }
  }
  const droppable = new Set([...message.dropped, ...message.dropped6].map(textOf));
  const refused = events.some(([name, v]) => name === 'violation' && v.reason === 'too-frequent');
  const peers = events.filter(([name]) => name === 'peer').map(([, peer]) => peer);
  const drops = events.filter(([name]) => name === 'dropped').map(([, peer]) => peer);
  if (refused && peers.length + drops.length > 0) fail('a too-frequent message was applied');
  if (peers.length > rawSeen.size) fail(`${peers.length} peer events for ${rawSeen.size} peers`);

  for (const drop of drops) {
    const text = `${drop.address}/${drop.port}`;
    if (!droppable.has(text)) fail(`dropped ${text}, which the message does not drop`);
    const count = known.get(text) ?? 0;
    if (count === 0) fail(`dropped ${text}, which was never reported`);
    if (count === 1) known.delete(text);
    else known.set(text, count - 1);
    addKnown(-1);
  }
  const reported = new Map();
  for (const peer of peers) {
    const text = `${peer.address}/${peer.port}`;
    const entry = offered.get(text);
    if (entry === undefined) fail(`peer event for ${text}, which the message does not add`);
    const times = (reported.get(text) ?? 0) + 1;
    reported.set(text, times);
    if (times > entry.count) fail(`${times} peer events for ${text} in one message`);
    if (!entry.flags.has(peer.flags.byte)) fail(`${text} reported with flags ${peer.flags.byte}`);
    const knownTimes = (known.get(text) ?? 0) + 1;
    // One text stands for at most two peers: IPv4 and IPv4-mapped IPv6.
    if (knownTimes > 2) fail(`${text} reported again while known`);
    known.set(text, knownTimes);
    if (addKnown(1) > cap) fail(`more than ${cap} peers known from one remote`);
  }
}
