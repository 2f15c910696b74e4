// Smoke tests for the libtorrent interop harness: a real bittorrent-protocol 5 wire with the
// npm ut_pex 5.0.2 extension (the incumbent, independent of our code) talks to libtorrent 2.0.8
// sessions on loopback. Only receiving is tested with ut_pex: it sends on a 65 s tick. Our own
// stack against libtorrent: libtorrent-interop.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import utPex, { type UtPex, type UtPexFlags } from 'ut_pex';
import {
  type HarnessEvent,
  type LibtorrentHarness,
  requireLibtorrentOrSkip,
  startLibtorrentHarness,
} from './libtorrent/harness.js';
import {
  type DecodedPexMessage,
  decodePexMessage,
  encodeAddedIPv4,
} from './support/pex-message.js';
import { waitUntil } from './support/wait-until.js';
import {
  type HandshakeListener,
  listenForHandshakes,
  type OpenedWire,
  openWire,
} from './support/wire.js';

// libtorrent sends its first PEX on the first 1 s tick after the extended handshake
// (1.3 to 1.5 s measured); 8 s leaves room for a loaded 2-core machine.
const FIRST_PEX_TIMEOUT_MS = 8_000;
const TEST_TIMEOUT_MS = 30_000;

const available = requireLibtorrentOrSkip('libtorrent PEX interop smoke tests');
const describeIfLibtorrent = available ? describe : describe.skip;

interface ReceivedPex {
  atMs: number;
  message: DecodedPexMessage;
}

/** Opens a wire with ut_pex and records every raw ut_pex payload and ut_pex 'peer' event. */
async function openPexWire(
  harness: LibtorrentHarness,
  session: number,
  extra: { listenPort?: number; host?: string; port?: number } = {},
) {
  const target = harness.peers[session];
  if (target === undefined)
    throw new RangeError(`"session" expected 0..${harness.peers.length - 1}, got ${session}`);
  const received: ReceivedPex[] = [];
  const utPexPeers: { peer: string; flags: UtPexFlags }[] = [];
  const opened = await openWire({
    host: extra.host ?? target.address,
    port: extra.port ?? target.port,
    infoHash: harness.infoHash,
    ...(extra.host === undefined || extra.host.includes('.') ? { localAddress: '127.0.0.1' } : {}),
    extensions: [utPex()],
    ...(extra.listenPort === undefined ? {} : { listenPort: extra.listenPort }),
  });
  opened.wire.on('extended', (ext, payload) => {
    if (ext === 'ut_pex' && payload instanceof Uint8Array) {
      received.push({ atMs: performance.now(), message: decodePexMessage(payload) });
    }
  });
  const handler = (opened.wire as unknown as { ut_pex: UtPex }).ut_pex;
  handler.on('peer', (peer, flags) => utPexPeers.push({ peer, flags }));
  handler.on('warning', () => {});
  return { opened, received, utPexPeers };
}

function isPexSentTo(session: number, address: string) {
  return (e: HarnessEvent): e is Extract<HarnessEvent, { event: 'peer_log' }> =>
    e.event === 'peer_log' &&
    e.session === session &&
    e.kind.startsWith('PEX_') &&
    e.peer.address === address;
}

describeIfLibtorrent('libtorrent harness (IPv4, 3 sessions)', () => {
  let harness: LibtorrentHarness;
  const wires: OpenedWire[] = [];
  const listeners: HandshakeListener[] = [];

  beforeAll(async () => {
    harness = await startLibtorrentHarness({ sessions: 3 });
    // libtorrent sends PEX only once it has two connected peers: wait until the seed has
    // exchanged its first PEX with the other sessions, i.e. the swarm is interconnected.
    await harness.waitFor(
      (e) => e.event === 'peer_log' && e.session === 0 && e.kind === 'PEX_FULL',
      10_000,
    );
  }, TEST_TIMEOUT_MS);

  afterEach(async () => {
    for (const w of wires.splice(0)) w.close();
    for (const l of listeners.splice(0)) await l.close();
  });

  afterAll(async () => {
    await harness?.close();
  });

  test('announces sessions on distinct 127.0.0.x addresses with one seed', () => {
    expect(harness.infoHash).toMatch(/^[0-9a-f]{40}$/);
    expect(harness.peers.map((p) => p.address)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
    expect(harness.peers.map((p) => p.seed)).toEqual([true, false, false]);
    for (const p of harness.peers) expect(p.port).toBeGreaterThan(0);
  });

  test(
    'libtorrent sends its full peer list to our wire within seconds of the handshake',
    async () => {
      const { opened, received, utPexPeers } = await openPexWire(harness, 0, { listenPort: 6881 });
      wires.push(opened);
      expect(opened.peerExtendedHandshake.m).toHaveProperty('ut_pex');

      const first = await waitUntil(
        () => received[0],
        FIRST_PEX_TIMEOUT_MS,
        'first ut_pex message',
      );
      const delayMs = first.atMs - opened.extendedHandshakeAtMs;
      console.info(`libtorrent first PEX ${delayMs.toFixed(0)} ms after its extended handshake`);
      expect(delayMs).toBeLessThan(FIRST_PEX_TIMEOUT_MS);

      // All six keys, always, some of them empty.
      expect([...first.message.keys].sort()).toEqual([
        'added',
        'added.f',
        'added6',
        'added6.f',
        'dropped',
        'dropped6',
      ]);
      expect(first.message.addedFlagsLength).toBe(first.message.added.length);
      expect(first.message.dropped).toEqual([]);

      // The other two sessions at their listen addresses and ports (they dialled the seed and
      // sent `p`) - and ourselves: libtorrent 2.0.8 lists the recipient too, at the port we
      // sent as `p`, with flags 0. A receiver must drop its own contact.
      const others = harness.peers.slice(1).map((p) => `${p.address}:${p.port}`);
      const expected = [...others, '127.0.0.1:6881'].sort();
      const listed = first.message.added.map((c) => `${c.address}:${c.port}`);
      expect(listed.sort()).toEqual(expected);
      expect(first.message.added.find((c) => c.port === 6881)?.flags).toBe(0);

      // ut_pex reports the same contacts.
      expect(utPexPeers.map((p) => p.peer).sort()).toEqual(expected);

      // The harness sees libtorrent sending it.
      const log = await harness.waitFor(isPexSentTo(0, '127.0.0.1'), 2_000);
      expect(log.kind).toBe('PEX_FULL');
      expect(log.text).toMatch(/added: 3\b/);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'flags: libtorrent peers carry 0x08 (ut_holepunch), the seed 0x02 on top',
    async () => {
      // A downloader lists the seed and the other downloader.
      const { opened, received, utPexPeers } = await openPexWire(harness, 1, { listenPort: 6882 });
      wires.push(opened);
      const first = await waitUntil(
        () => received[0],
        FIRST_PEX_TIMEOUT_MS,
        'first ut_pex message',
      );
      const flagsByContact = new Map(
        first.message.added.map((c) => [`${c.address}:${c.port}`, c.flags]),
      );
      const [seed, , other] = harness.peers;
      console.info(`libtorrent PEX flags: ${JSON.stringify([...flagsByContact])}`);
      expect(flagsByContact.get(`${seed?.address}:${seed?.port}`)).toBe(0x0a);
      expect(flagsByContact.get(`${other?.address}:${other?.port}`)).toBe(0x08);
      const seedFlags = utPexPeers.find((p) => p.peer === `${seed?.address}:${seed?.port}`)?.flags;
      expect(seedFlags?.isSender).toBe(true);
      expect(seedFlags?.supportsUtHolepunch).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'handshake listener records libtorrent dialling a contact advertised by PEX',
    async () => {
      // A second loopback address: 127.0.0.1:<p> is already known as our wire's contact.
      const listener = await listenForHandshakes({ host: '127.0.0.9' });
      listeners.push(listener);
      const { opened } = await openPexWire(harness, 2, { listenPort: 6883 });
      wires.push(opened);
      // Hand-built message (ut_pex itself would only send after 65 s). libtorrent ignores
      // `added` unless `added.f` has one byte per peer.
      opened.wire.extended(
        'ut_pex',
        encodeAddedIPv4([{ address: listener.address, port: listener.port, flags: 0 }]),
      );
      const sentAt = performance.now();
      const h = await listener.waitForHandshake((x) => x.infoHash === harness.infoHash, 5_000);
      console.info(
        `libtorrent dialled the advertised contact ${(h.atMs - sentAt).toFixed(0)} ms after our PEX`,
      );
      expect(h.remoteAddress).toBe(harness.peers[2]?.address);
      // The listener hangs up after the handshake, so that contact leaves no lasting
      // get_peer_info() entry; our wire shows up there as an incoming peer.
      const peers = await harness.peerInfo(2);
      const us = peers.find((p) => p.address === '127.0.0.1' && p.port === opened.socket.localPort);
      expect(us?.sources).toContain('incoming');
      expect(us?.outgoing).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});

describeIfLibtorrent('libtorrent harness with IPv6 on ::1', () => {
  let harness: LibtorrentHarness;
  const wires: OpenedWire[] = [];

  beforeAll(async () => {
    harness = await startLibtorrentHarness({ sessions: 2, ipv6: true });
    await harness.waitFor(
      (e) => e.event === 'peer_log' && e.session === 0 && e.kind === 'PEX_FULL',
      10_000,
    );
    // Make sure the seed holds at least one ::1 connection that it will list. A session with
    // both 127.0.0.x and ::1 as outgoing interfaces binds each dial to the next interface in
    // turn (session_impl::bind_outgoing_socket), so every other ::1 dial fails with
    // "sock_bind: Invalid argument", and libtorrent does not retry a failed peer for a minute.
    // Dialling two different ::1 endpoints back to back (session 1's [::1] port, the ::1-only
    // session) puts one of the two dials on the ::1 interface.
    const targets = harness.peers
      .slice(1)
      .map((p) => (p.address === '::1' ? p.port : p.port6))
      .filter((port): port is number => port !== undefined);
    for (let attempt = 0; ; attempt++) {
      const peers = await harness.peerInfo(0);
      if (peers.some((p) => p.address === '::1' && p.outgoing && !p.connecting && !p.handshake))
        break;
      if (attempt === 8) {
        const failures = harness.events.filter(
          (e) => e.event === 'peer_disconnected' && e.session === 0 && e.peer.address === '::1',
        );
        throw new Error(
          `the seed never held an outgoing ::1 connection; peers ${JSON.stringify(peers)}; ::1 disconnects ${JSON.stringify(failures)}`,
        );
      }
      for (const port of targets)
        harness.send({ cmd: 'connect', session: 0, address: '::1', port });
      await new Promise((r) => setTimeout(r, 500));
    }
  }, TEST_TIMEOUT_MS);

  afterEach(() => {
    for (const w of wires.splice(0)) w.close();
  });

  afterAll(async () => {
    await harness?.close();
  });

  test(
    'libtorrent lists ::1 peers in added6 (one flag byte each), to an IPv4 wire and an IPv6 wire',
    async () => {
      // Every [::1] listen port of the swarm; which of them a session lists depends on which
      // ::1 connections succeeded (dual-stack sessions sometimes fail to bind ::1 dials).
      const v6Ports = new Set(harness.peers.map((p) => (p.address === '::1' ? p.port : p.port6)));

      const v4 = await openPexWire(harness, 0, { listenPort: 6884 });
      wires.push(v4.opened);
      const overV4 = (
        await waitUntil(() => v4.received[0], FIRST_PEX_TIMEOUT_MS, 'first ut_pex over IPv4')
      ).message;
      console.info(`IPv6 swarm, PEX to an IPv4 wire: ${JSON.stringify(overV4)}`);
      expect(overV4.added6.length).toBeGreaterThan(0);
      expect(overV4.added6FlagsLength).toBe(overV4.added6.length);
      for (const c of overV4.added6) {
        expect(c.address).toBe('::1');
        expect(v6Ports.has(c.port)).toBe(true);
        expect(c.flags).toBe(0x08);
      }

      const seed = harness.peers[0];
      const v6 = await openPexWire(harness, 0, {
        listenPort: 6885,
        host: '::1',
        port: seed?.port6 ?? 0,
      });
      wires.push(v6.opened);
      const overV6 = (
        await waitUntil(() => v6.received[0], FIRST_PEX_TIMEOUT_MS, 'first ut_pex over IPv6')
      ).message;
      console.info(`IPv6 swarm, PEX to an IPv6 wire: ${JSON.stringify(overV6)}`);
      // Over IPv6, libtorrent lists the recipient itself in added6, at its `p`.
      expect(overV6.added6).toContainEqual({ address: '::1', port: 6885, flags: 0 });
      expect(overV6.added6FlagsLength).toBe(overV6.added6.length);
      // IPv4 contacts still go in `added`, whatever the recipient's family.
      expect(overV6.added.length).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );
});
