// Our stack (`utPex()` from @pex/wire-adapter, its typed @pex/events session) against a real
// transmission-daemon 3.00 (Debian) over TCP on loopback. Transmission has no "add peer" RPC, so
// every connection goes TO it: our wires dial its peer port from distinct 127.0.0.x source
// addresses (it keeps one connection per address) and announce a distinct listen port `p`.
// One fresh daemon per test (it starts in well under a second). Every measured number is
// printed with console.info.
//
// Transmission 3.00 calls sendPex() from its 90 s timer and whenever it receives an extended
// (LTEP) handshake: its first message goes out as soon as our extended handshake arrives, and
// re-sending our extended handshake (BEP 10 allows it) makes it send the diff since its last
// message to us at once - the same function as the timer, without a 90 s wait.
import { afterEach, describe, expect, test } from '@jest/globals';
import { createPexSession } from '@pex/events';
import { createFakeTime, expectNothingFlagged, isProcessAlive } from '@pex/test-support';
import {
  byEndpoint,
  formatEndpoint,
  type OurWire,
  openOurWire,
  reportedPeers,
} from './support/our-wire.js';
import { decodePexMessage } from './support/pex-message.js';
import { waitUntil } from './support/wait-until.js';
import { listenForHandshakes } from './support/wire.js';
import {
  requireTransmissionOrSkip,
  startTransmission,
  type TransmissionHarness,
} from './transmission/harness.js';

// Transmission's first PEX follows its extended handshake by about 1 ms (measured); 5 s leaves
// room for a loaded 2-core machine.
const FIRST_PEX_TIMEOUT_MS = 5_000;
// A diff after a re-sent extended handshake: 1.5 to 3.5 s measured (Transmission batches
// non-urgent messages for up to 2 s).
const DIFF_TIMEOUT_MS = 8_000;
// How long we watch for a dial from Transmission after our PEX (it never comes, see test 2).
const NO_DIAL_WATCH_MS = 5_000;
const TEST_TIMEOUT_MS = 40_000;
// Transmission's PEX interval (peer-msgs.c PEX_INTERVAL_SECS), for the replay of test 3.
const TRANSMISSION_PEX_INTERVAL_MS = 90_000;

const available = requireTransmissionOrSkip('Transmission interop tests of our stack');
const describeIfTransmission = available ? describe : describe.skip;

function ms(x: number): string {
  return `${x.toFixed(0)} ms`;
}

/** `wire`'s listen contact as our session reports it when Transmission lists it. */
function contactOf(wire: OurWire) {
  return {
    address: wire.self.address,
    port: wire.self.port,
    family: wire.self.address.includes(':') ? 6 : 4,
    flags: 0,
  };
}

/** `wire`'s listen contact as the independent decoder reads it from `added`/`added6`. */
function rawContactOf(wire: OurWire) {
  return { address: wire.self.address, port: wire.self.port, flags: 0 };
}

/**
 * Sends our extended handshake again on `wire` (same `m` and `p`); Transmission answers with the
 * diff since its last PEX to us, or with nothing when nothing changed.
 */
function resendExtendedHandshake(wire: OurWire): void {
  const w = wire.opened.wire as unknown as {
    extendedMapping: Record<string, string>;
    extended(ext: number, obj: unknown): void;
  };
  const localId = Object.entries(w.extendedMapping).find(([, name]) => name === 'ut_pex')?.[0];
  if (localId === undefined) throw new Error('ut_pex is not registered on the wire');
  w.extended(0, { m: { ut_pex: Number(localId) }, p: wire.self.port });
}

/** The `n`-th ut_pex payload received on `wire` (1-based). */
function waitForPayload(wire: OurWire, n: number, timeoutMs: number, what: string) {
  return waitUntil(() => wire.payloads[n - 1], timeoutMs, what);
}

/** Polls an async probe every 100 ms until it returns something other than undefined. */
async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Transmission's deep-log lines about the connection from `wire` ("[127.0.0.21]:43231 ..."). */
function logLinesOf(tr: TransmissionHarness, wire: OurWire): string[] {
  const tag = ` [${wire.connection.address}]:${wire.connection.port} `;
  return tr
    .log()
    .split('\n')
    .filter((line) => line.includes(tag));
}

/** Transmission's "pex: old peer count ..." lines (one per sendPex call) for `wire`. */
function sendPexLines(tr: TransmissionHarness, wire: OurWire): string[] {
  return logLinesOf(tr, wire).filter((l) => l.includes('pex: old peer count'));
}

describeIfTransmission('our stack and transmission-daemon 3.00 over loopback', () => {
  let current: TransmissionHarness | undefined;
  const cleanups: (() => unknown)[] = [];

  async function start(): Promise<TransmissionHarness> {
    const t0 = performance.now();
    current = await startTransmission();
    console.info(
      `Transmission ${current.version} pid ${current.pid} at ${current.address}:${current.port} and [::1]:${current.port}, torrent ${current.torrent.infoHash} (${current.torrent.pieces} x 16 KiB, downloading), ready in ${ms(performance.now() - t0)}`,
    );
    return current;
  }

  /** Our wire to Transmission from `from` (also our listen address); closed after the test. */
  async function connect(from: string, options: { start?: boolean } = {}): Promise<OurWire> {
    if (current === undefined) throw new Error('start() first');
    const wire = await openOurWire({
      host: from.includes(':') ? '::1' : current.address,
      port: current.port,
      infoHash: current.torrent.infoHash,
      localAddress: from,
      start: options.start === true,
    });
    cleanups.push(() => wire.close());
    return wire;
  }

  /** Opens wires one after the other, each once Transmission's first PEX on it has arrived. */
  async function connectInTurn(froms: readonly string[]): Promise<OurWire[]> {
    const wires: OurWire[] = [];
    for (const from of froms) {
      const wire = await connect(from);
      await waitForPayload(wire, 1, FIRST_PEX_TIMEOUT_MS, `first PEX on ${from}`);
      wires.push(wire);
    }
    return wires;
  }

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    if (current !== undefined) {
      const { pid } = current;
      await current.close();
      current = undefined;
      expect(isProcessAlive(pid)).toBe(false);
    }
  });

  test(
    '1. we receive Transmission PEX through @pex/wire-adapter at once after the handshake and report the other wires at their listen ports; its diffs add and drop',
    async () => {
      const tr = await start();
      // Three wires in turn: each first message lists the wires before it (at the `p` they
      // announced) and the recipient itself, which our session must not report.
      const wires = await connectInTurn(['127.0.0.21', '127.0.0.22', '127.0.0.23']);
      wires.forEach((wire, i) => {
        expect(wire.opened.peerExtendedHandshake.m).toHaveProperty('ut_pex');
        const first = wire.payloads[0];
        if (first === undefined) throw new Error('first PEX');
        const delayMs = first.atMs - wire.opened.extendedHandshakeAtMs;
        console.info(
          `[1] first Transmission PEX on ${wire.self.address}: ${ms(delayMs)} after its extended handshake, ${first.value.length} bytes`,
        );
        expect(delayMs).toBeLessThan(FIRST_PEX_TIMEOUT_MS);
        // Independent reading of the bytes (bencode package): every wire so far, this one too.
        const raw = decodePexMessage(first.value);
        expect(raw).toMatchObject({ added6: [], dropped: [], dropped6: [] });
        expect(raw.addedFlagsLength).toBe(raw.added.length);
        expect(raw.added.sort(byEndpoint)).toEqual(
          wires
            .slice(0, i + 1)
            .map(rawContactOf)
            .sort(byEndpoint),
        );
        // Our session: the others only.
        expect(reportedPeers(wire)).toEqual(wires.slice(0, i).map(contactOf).sort(byEndpoint));
      });
      const [a, b, c] = wires as [OurWire, OurWire, OurWire];

      // A diff on the first wire, which has only been told about itself: the two others.
      const t0 = performance.now();
      resendExtendedHandshake(a);
      const added = await waitForPayload(a, 2, DIFF_TIMEOUT_MS, 'diff adding the others');
      console.info(`[1] diff 'added' ${ms(added.atMs - t0)} after a re-sent extended handshake`);
      expect(decodePexMessage(added.value)).toMatchObject({ dropped: [], added6: [] });
      expect(decodePexMessage(added.value).added.sort(byEndpoint)).toEqual(
        [b, c].map(rawContactOf).sort(byEndpoint),
      );
      await waitUntil(() => (a.peers.length >= 2 ? true : undefined), 2_000, 'peer events');
      expect(reportedPeers(a)).toEqual([b, c].map(contactOf).sort(byEndpoint));

      // One wire leaves: once Transmission has let it go, the next diff drops it.
      await b.close();
      await pollUntil(
        async () =>
          (await tr.peers()).some((p) => p.address === b.self.address) ? undefined : true,
        DIFF_TIMEOUT_MS,
        'Transmission lets the closed wire go',
      );
      const t1 = performance.now();
      resendExtendedHandshake(a);
      const dropped = await waitForPayload(a, 3, DIFF_TIMEOUT_MS, 'diff dropping the closed wire');
      console.info(
        `[1] diff 'dropped' ${ms(dropped.atMs - t1)} after a re-sent extended handshake`,
      );
      expect(decodePexMessage(dropped.value)).toMatchObject({
        added: [],
        added6: [],
        dropped: [{ address: b.self.address, port: b.self.port }],
      });
      await waitUntil(() => a.dropped[0], 2_000, 'dropped event');
      expect(a.dropped.map((d) => d.value)).toEqual([
        { address: b.self.address, port: b.self.port, family: 4 },
      ]);

      for (const w of wires) expectNothingFlagged(w);
      // Transmission kept every connection we did not close, plaintext TCP, all incoming.
      const peers = await tr.peers();
      expect(peers.map((p) => p.address).sort()).toEqual([a.self.address, c.self.address]);
      expect(peers.every((p) => p.isIncoming && !p.isEncrypted && !p.isUTP)).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    '2. Transmission takes our PEX (parses it, keeps the connection, keeps exchanging PEX) but never dials a loopback contact from it',
    async () => {
      const tr = await start();
      const advertised = await listenForHandshakes({ host: '127.0.0.31' });
      cleanups.push(() => advertised.close());
      const [other] = await connectInTurn(['127.0.0.24']);
      // Our wire with the default schedule, started before the handshake; one contact to send.
      const us = await connect('127.0.0.25', { start: true });
      await waitForPayload(us, 1, FIRST_PEX_TIMEOUT_MS, 'first PEX to us');
      us.pex.addPeer(formatEndpoint(advertised.address, advertised.port));

      const sent = await waitUntil(() => us.sent[0], 8_000, 'our first PEX');
      console.info(
        `[2] our first PEX went out ${ms(sent.atMs - us.opened.extendedHandshakeAtMs)} after the handshake: ${JSON.stringify(sent.value)}`,
      );
      expect(sent.value).toMatchObject({ added: 1, added6: 0, dropped: 0, dropped6: 0 });

      // Transmission's deep log: it read our message as ut_pex ("got ut pex", peer-msgs.c).
      const got = await waitUntil(
        () => logLinesOf(tr, us).find((l) => l.includes('got ut pex')),
        5_000,
        'Transmission logs "got ut pex" for our connection',
      );
      console.info(`[2] Transmission: ${got.replace(/^.*?\] /, '')}`);

      // It keeps the connection and still answers: a re-sent extended handshake after our PEX
      // gets a diff listing the wire that connected since (a healthy, parsed-up-to-date stream).
      const late = await connect('127.0.0.26');
      await waitForPayload(late, 1, FIRST_PEX_TIMEOUT_MS, 'first PEX on the late wire');
      resendExtendedHandshake(us);
      const diff = await waitForPayload(us, 2, DIFF_TIMEOUT_MS, 'diff after our PEX');
      expect(decodePexMessage(diff.value).added).toEqual([rawContactOf(late)]);

      // No dial within the watch: Transmission 3.00 drops PEX contacts in 0.0.0.0/8, 127.0.0.0/8,
      // 224.0.0.0/3 and ::1 (tr_peerMgrAddPex -> tr_address_is_valid_for_peers -> isMartianAddr)
      // and refuses to open sockets to them anyway (tr_netOpenPeerSocket), so on loopback its
      // use of our PEX cannot be seen as a dial; a dial would make this test fail loudly.
      await new Promise((r) => setTimeout(r, NO_DIAL_WATCH_MS));
      console.info(
        `[2] dials to the advertised ${formatEndpoint(advertised.address, advertised.port)} within ${ms(NO_DIAL_WATCH_MS)}: ${advertised.handshakes.length}`,
      );
      expect(advertised.handshakes).toEqual([]);

      const peers = await tr.peers();
      expect(peers.map((p) => p.address).sort()).toEqual(
        [other, us, late].map((w) => (w as OurWire).self.address).sort(),
      );
      expect(us.opened.socket.destroyed).toBe(false);
      expectNothingFlagged(us);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "3. Transmission's repeated messages raise nothing in our session; with nothing new it sends nothing (no `de` from 3.00); `de` at its 90 s cadence is taken too",
    async () => {
      const tr = await start();
      const [a, b] = (await connectInTurn(['127.0.0.27', '127.0.0.28'])) as [OurWire, OurWire];
      // Repeated messages on one wire, seconds apart (Transmission has no rate rule of its own):
      // its first, a diff adding b, b gone, b back at a new port, each triggered at once.
      const steps: string[] = [];
      resendExtendedHandshake(a);
      await waitForPayload(a, 2, DIFF_TIMEOUT_MS, 'diff adding b');
      steps.push('added b');
      await b.close();
      await pollUntil(
        async () =>
          (await tr.peers()).some((p) => p.address === b.self.address) ? undefined : true,
        DIFF_TIMEOUT_MS,
        'Transmission lets b go',
      );
      const [b2] = (await connectInTurn(['127.0.0.28'])) as [OurWire];
      resendExtendedHandshake(a);
      await waitForPayload(a, 3, DIFF_TIMEOUT_MS, 'diff replacing b');
      steps.push('replaced b');

      // Nothing changed since: Transmission computes an empty diff and sends no message.
      const callsBefore = sendPexLines(tr, a).length;
      resendExtendedHandshake(a);
      const noChange = await waitUntil(
        () => sendPexLines(tr, a)[callsBefore],
        DIFF_TIMEOUT_MS,
        'sendPex with nothing new',
      );
      console.info(`[3] Transmission: ${noChange.replace(/^.*?\]: /, '')}`);
      expect(noChange).toMatch(/added 0\+0, removed 0\+0/);
      // Its batch is flushed within 2 s; wait 3 s and count the messages.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(a.payloads).toHaveLength(3);

      const gaps = a.payloads.slice(1).map((p, i) => p.atMs - (a.payloads[i]?.atMs ?? 0));
      console.info(
        `[3] ${a.payloads.length} Transmission messages on one wire (${steps.join(', ')}), gaps ${gaps.map(ms).join(', ')}; nothing flagged`,
      );
      const diffs = a.payloads.map((p) => decodePexMessage(p.value));
      // The replacement diff adds b2 and drops b (Transmission sends both in one message).
      expect(diffs[2]).toMatchObject({
        added: [rawContactOf(b2)],
        dropped: [{ address: b.self.address, port: b.self.port }],
      });
      expect(reportedPeers(a)).toEqual([contactOf(b), contactOf(b2)].sort(byEndpoint));
      expect(a.dropped.map((d) => d.value)).toEqual([
        { address: b.self.address, port: b.self.port, family: 4 },
      ]);
      for (const w of [a, b, b2]) expectNothingFlagged(w);

      // Without a wire: these payloads, then `de` (recorded in the design notes as Transmission's
      // message when nothing changed; 3.00 sends none) every 90 s for 30 minutes, through a session with a fake clock.
      const time = createFakeTime();
      const session = createPexSession({
        send: () => {},
        clock: time.clock,
        timers: time.timers,
        remoteAddress: formatEndpoint(tr.address, tr.port),
        localAddresses: [formatEndpoint(a.self.address, a.self.port)],
      });
      const flagged: unknown[] = [];
      const peers: string[] = [];
      session.on('violation', (v) => flagged.push(v));
      session.on('invalid', (e) => flagged.push(e));
      session.on('warning', (w) => flagged.push(w));
      session.on('peer', (p) => peers.push(formatEndpoint(p.address, p.port)));
      const recorded = a.payloads.map((p) => p.value);
      const empty = new TextEncoder().encode('de');
      const arrivals = [...recorded, ...Array.from({ length: 20 }, () => empty)];
      arrivals.forEach((bytes, i) => {
        // The recorded ones at their real gaps, then Transmission's 90 s.
        const gap =
          i === 0 ? 0 : i < recorded.length ? (gaps[i - 1] ?? 0) : TRANSMISSION_PEX_INTERVAL_MS;
        time.advance(gap);
        session.receive(bytes);
      });
      expect(flagged).toEqual([]);
      expect(peers.sort()).toEqual(
        [b, b2].map((w) => formatEndpoint(w.self.address, w.self.port)).sort(),
      );
    },
    TEST_TIMEOUT_MS,
  );

  test(
    '4. IPv6 on ::1: Transmission lists our [::1] wire in added6 to IPv4 wires, and IPv4 wires in added to the [::1] wire; our sessions report both',
    async () => {
      await start();
      const [v4a, v4b, v6] = (await connectInTurn(['127.0.0.29', '127.0.0.30', '::1'])) as [
        OurWire,
        OurWire,
        OurWire,
      ];
      // The [::1] wire: its first message lists the IPv4 wires in `added`, itself in `added6`.
      const first6 = v6.payloads[0];
      if (first6 === undefined) throw new Error('first PEX on [::1]');
      console.info(
        `[4] first Transmission PEX on [::1]: ${ms(first6.atMs - v6.opened.extendedHandshakeAtMs)} after its extended handshake`,
      );
      const raw6 = decodePexMessage(first6.value);
      expect(raw6.added.sort(byEndpoint)).toEqual([v4a, v4b].map(rawContactOf).sort(byEndpoint));
      expect(raw6.added6).toEqual([rawContactOf(v6)]);
      expect(raw6.added6FlagsLength).toBe(1);
      expect(reportedPeers(v6)).toEqual([v4a, v4b].map(contactOf).sort(byEndpoint));

      // An IPv4 wire's diff: the [::1] wire in `added6`, reported as an IPv6 peer.
      resendExtendedHandshake(v4a);
      const diff = await waitForPayload(v4a, 2, DIFF_TIMEOUT_MS, 'diff with the [::1] wire');
      const raw = decodePexMessage(diff.value);
      expect(raw.added).toEqual([rawContactOf(v4b)]);
      expect(raw.added6).toEqual([rawContactOf(v6)]);
      await waitUntil(() => (v4a.peers.length >= 2 ? true : undefined), 2_000, 'peer events');
      expect(reportedPeers(v4a)).toEqual([contactOf(v4b), contactOf(v6)].sort(byEndpoint));
      for (const w of [v4a, v4b, v6]) expectNothingFlagged(w);
    },
    TEST_TIMEOUT_MS,
  );
});
