// Our stack (`utPex()` from @pex/wire-adapter, its typed @pex/events session, the
// @pex/core inbound view) against real libtorrent-rasterbar 2.0.8 sessions over TCP on
// loopback. One test per requirement: 1 receive, 2 send, 3 IPv6 both ways, 4 timing (flood
// rule and cadence), the latter split into a wire control, one slow wire test (~75 s, marked
// [SLOW]) and clock-free replays; 5 changed flags and 6 BEP 11's relaxation. Every
// measured number is printed with console.info.
import { createServer } from 'node:net';
import { describe, expect, test } from '@jest/globals';
import {
  createInboundView,
  createOutboundTracker,
  decodePexMessage as decodeWithCore,
} from '@pex/core';
import { DEFAULT_SEND_INTERVAL_MS } from '@pex/core/internal';
import { createPexSession } from '@pex/events';
import { FIRST_MESSAGE_DELAY_MS } from '@pex/events/internal';
import { createFakeTime, expectNothingFlagged } from '@pex/test-support';
import { createPexSwarm, type PexWire, type UtPexExtension, utPex } from '@pex/wire-adapter';
import { defineUtPexExtension } from '@pex/wire-adapter/internal';
import Wire from 'bittorrent-protocol';
import {
  hexToBytes,
  LIBTORRENT_FIRST_PEX_DELAYS_MS,
  LIBTORRENT_FIRST_PEX_HEX,
  LIBTORRENT_PEX_GAPS_MS,
  LIBTORRENT_SECOND_PEX_HEX,
  RECORDED_JOINER,
  RECORDED_SELF,
} from './fixtures/libtorrent-recorded.js';
import {
  type HarnessEvent,
  type HarnessSession,
  type LibtorrentHarness,
  requireLibtorrentOrSkip,
} from './libtorrent/harness.js';
import {
  byEndpoint,
  type Endpoint,
  formatEndpoint,
  type OurWire,
  reportedPeers,
  rotateContacts,
} from './support/our-wire.js';
import { decodePexMessage, type PexContact } from './support/pex-message.js';
import { findLibtorrentFloodTrip, gapsOf, maxInWindow } from './support/pex-timing.js';
import { useHarness } from './support/use-harness.js';
import { waitUntil } from './support/wait-until.js';
import {
  type HandshakeListener,
  listenForHandshakes,
  openWire,
  randomPeerId,
} from './support/wire.js';

// libtorrent's first PEX comes on a 1 s tick after the extended handshake (0.1 to 1.5 s
// measured); 8 s leaves room for a loaded 2-core machine.
const FIRST_PEX_TIMEOUT_MS = 8_000;
// libtorrent dials a contact from our PEX 15 ms to 1 s after it (its connect tick).
const DIAL_TIMEOUT_MS = 8_000;
const TEST_TIMEOUT_MS = 40_000;

const available = requireLibtorrentOrSkip('libtorrent interop tests of our stack');
const describeIfLibtorrent = available ? describe : describe.skip;

type PeerLog = Extract<HarnessEvent, { event: 'peer_log' }>;

const sameEndpoint = (a: Endpoint, b: Endpoint) => a.address === b.address && a.port === b.port;

/** libtorrent session `session` logged a PEX message received from `from` ("<== PEX"). */
function isPexReceivedFrom(session: number, from: Endpoint) {
  return (e: HarnessEvent): e is PeerLog =>
    e.event === 'peer_log' &&
    e.session === session &&
    e.direction === '<==' &&
    e.kind === 'PEX' &&
    sameEndpoint(e.peer, from);
}

/** libtorrent session `session` dropped the connection from `from`. */
function isDisconnectOf(session: number, from: Endpoint) {
  return (e: HarnessEvent): e is Extract<HarnessEvent, { event: 'peer_disconnected' }> =>
    e.event === 'peer_disconnected' && e.session === session && sameEndpoint(e.peer, from);
}

/** What the independent decoder read from the raw bytes, minus our own contact. */
function expectedFromRaw(contacts: readonly PexContact[], family: 4 | 6, self: Endpoint) {
  return contacts
    .filter((c) => !sameEndpoint(c, self))
    .map((c) => ({ address: c.address, port: c.port, family, flags: c.flags }))
    .sort(byEndpoint);
}

function ms(x: number): string {
  return `${x.toFixed(0)} ms`;
}

/** libtorrent's first PEX on `wire`. */
function waitForFirstPex(wire: OurWire, what = 'first PEX') {
  return waitUntil(() => wire.payloads[0], FIRST_PEX_TIMEOUT_MS, what);
}

/** Until our session has reported at least `count` peers. */
function waitForPeerEvents(wire: OurWire, count: number, what = 'peer events') {
  return waitUntil(() => (wire.peers.length >= count ? true : undefined), 2_000, what);
}

/**
 * Our first PEX on `us` (started, with `advertised` added by the caller after event index
 * `from`) carries the counts in `expected`; libtorrent session `to` logs it, dials the
 * advertised contact with the torrent's info hash and keeps our connection.
 */
async function expectAdvertisedContactDialled(options: {
  harness: LibtorrentHarness;
  to: HarnessSession;
  us: OurWire;
  advertised: HandshakeListener;
  from: number;
  expected: { added: number; added6: number };
  label: string;
}): Promise<void> {
  const { harness, to, us, advertised, from, expected, label } = options;
  const sent = await waitUntil(() => us.sent[0], FIRST_PEX_TIMEOUT_MS, 'our first PEX');
  console.info(
    `${label} our first PEX went out ${ms(sent.atMs - us.opened.extendedHandshakeAtMs)} after the handshake: ${JSON.stringify(sent.value)}`,
  );
  expect(sent.value).toMatchObject({ ...expected, dropped: 0, dropped6: 0 });

  const log = await harness.waitFor(isPexReceivedFrom(to.session, us.connection), 5_000, from);
  console.info(`${label} libtorrent logged: ${log.text}`);
  expect(log.text).toMatch(/\badded: 1\b/);

  const h = await advertised.waitForHandshake(
    (x) => x.infoHash === harness.infoHash,
    DIAL_TIMEOUT_MS,
  );
  console.info(
    `${label} libtorrent dialled ${formatEndpoint(advertised.address, advertised.port)} ${ms(h.atMs - sent.atMs)} after our PEX`,
  );
  expect(h.remoteAddress).toBe(to.address);
  expect(h.infoHash).toBe(harness.infoHash);
  // libtorrent kept our connection (a message it disliked would have closed it).
  expect(harness.events.slice(from).filter(isDisconnectOf(to.session, us.connection))).toEqual([]);
  expectNothingFlagged(us);
}

describeIfLibtorrent('our stack and libtorrent 2.0.8 over IPv4 loopback', () => {
  const lt = useHarness(
    { sessions: 3 },
    async (harness) => {
      // libtorrent sends PEX only once it has two connected peers, so a session's first
      // PEX_FULL means it is connected to both others; test 1 expects the swarm fully
      // interconnected.
      for (const s of harness.peers) {
        await harness.waitFor(
          (e) => e.event === 'peer_log' && e.session === s.session && e.kind === 'PEX_FULL',
          15_000,
        );
      }
    },
    TEST_TIMEOUT_MS,
  );

  test(
    '1. we receive libtorrent PEX through @pex/wire-adapter and report its peers (addresses, ports, flags) within seconds of the handshake',
    async () => {
      const [seed, downloader1, downloader2] = lt.harness.peers;
      if (!seed || !downloader1 || !downloader2) throw new Error('harness has 3 sessions');
      // One wire to the seed (lists the two downloaders) and one to a downloader (lists the
      // seed, whose flags add upload-only).
      const [toSeed, toDownloader] = await Promise.all(
        [seed, downloader1].map((s) => lt.openOurWireTo(s)),
      );
      const cases = [
        { wire: toSeed as OurWire, listed: [downloader1, downloader2] },
        { wire: toDownloader as OurWire, listed: [seed, downloader2] },
      ];
      for (const { wire, listed } of cases) {
        expect(wire.opened.peerExtendedHandshake.m).toHaveProperty('ut_pex');
        // BEP 10 `yourip`: libtorrent tells us the address it sees us at; with our `p` that is
        // exactly the own contact it will list (see below).
        expect([...(wire.opened.peerExtendedHandshake.yourip as Uint8Array)]).toEqual([
          127, 0, 0, 1,
        ]);
        const first = await waitForFirstPex(wire);
        const delayMs = first.atMs - wire.opened.extendedHandshakeAtMs;
        console.info(`[1] first libtorrent PEX ${ms(delayMs)} after its extended handshake`);
        expect(delayMs).toBeLessThan(FIRST_PEX_TIMEOUT_MS);

        // Independent reading of the same bytes (bencode package): the other sessions at their
        // listen ports, plus ourselves (libtorrent lists the recipient at its `p`).
        const raw = decodePexMessage(first.value);
        console.info(`[1] raw added: ${JSON.stringify(raw.added)}`);
        expect(raw.added.map(({ address, port }) => ({ address, port })).sort(byEndpoint)).toEqual(
          [...listed.map((s) => ({ address: s.address, port: s.port })), wire.self].sort(
            byEndpoint,
          ),
        );

        // Our session reports exactly the other sessions, with the flag bytes on the wire;
        // our own contact is refused (localAddresses).
        await waitForPeerEvents(wire, listed.length);
        expect(reportedPeers(wire)).toEqual(expectedFromRaw(raw.added, 4, wire.self));
        expect(reportedPeers(wire).map(({ address, port }) => ({ address, port }))).toEqual(
          listed.map((s) => ({ address: s.address, port: s.port })).sort(byEndpoint),
        );
        for (const { value, atMs } of wire.peers) {
          expect(atMs - wire.opened.extendedHandshakeAtMs).toBeLessThan(FIRST_PEX_TIMEOUT_MS);
          const isSeed = value.address === seed.address && value.port === seed.port;
          // Every libtorrent session supports ut_holepunch (0x08); the seed is upload-only (0x02).
          expect(value.flags).toMatchObject({
            supportsHolepunch: true,
            uploadOnly: isSeed,
            reachable: false,
            supportsUtp: false,
            prefersEncryption: false,
          });
        }
        // The ut_pex-style events of the adapter say the same.
        expect([...wire.adapterPeers].sort()).toEqual(
          listed.map((s) => formatEndpoint(s.address, s.port)).sort(),
        );
        expect(wire.dropped).toEqual([]);
        expectNothingFlagged(wire);
        console.info(
          `[1] reported by our session: ${JSON.stringify(reportedPeers(wire))} (raw flags ${raw.added
            .map((c) => `0x${(c.flags ?? 0).toString(16).padStart(2, '0')}`)
            .join(', ')})`,
        );
      }
    },
    TEST_TIMEOUT_MS,
  );

  test(
    '2. libtorrent accepts our PEX: it dials the peer we advertised, with the torrent info hash',
    async () => {
      const { harness } = lt;
      const downloader = lt.session(2);
      // A loopback address of its own: 127.0.0.1:<p> is our wire's contact.
      const advertised = lt.track(await listenForHandshakes({ host: '127.0.0.9' }));
      const us = await lt.openOurWireTo(downloader);
      const from = harness.events.length;
      us.pex.start();
      us.pex.addPeer(formatEndpoint(advertised.address, advertised.port), { isReachable: true });

      await expectAdvertisedContactDialled({
        harness,
        to: downloader,
        us,
        advertised,
        from,
        expected: { added: 1, added6: 0 },
        label: '[2]',
      });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "4a. control (not our default): a 1 s interval trips libtorrent's flood rule at our 7th message, as modelled",
    async () => {
      // This proves the detection, not our schedule: the wire tests below would see a
      // "too frequent" disconnect if our sending ever broke the rule, and the model used by
      // the clock-free test agrees with the real libtorrent.
      const { harness } = lt;
      const downloader = lt.session(1);
      const pool = await lt.listenForHandshakesOn('127.0.0.12', 4);
      const us = await lt.openOurWireTo(downloader, {
        pex: { intervalMs: 1_000, firstMessageDelayMs: 0 },
      });
      const from = harness.events.length;
      // One change pending at every tick: after each message, advertise the next contact of
      // the pool and drop the previous one.
      const contacts = rotateContacts(us, pool);
      us.pex.session.on('sent', () => setTimeout(() => contacts.advance(), 0));
      contacts.advance();
      us.pex.start();

      const disconnect = await harness.waitFor(
        isDisconnectOf(downloader.session, us.connection),
        20_000,
        from,
      );
      const receipts = harness.events
        .slice(from)
        .filter(isPexReceivedFrom(downloader.session, us.connection));
      const sentAt = us.sent.map((s) => s.value.at);
      console.info(
        `[4a] libtorrent disconnected us after ${receipts.length} accepted messages (we sent ${us.sent.length}, gaps ${gapsOf(sentAt).map(ms).join(', ')}): ${disconnect.message}`,
      );
      expect(disconnect.message).toMatch(/too frequent/i);
      expect(receipts).toHaveLength(6);
      expect(us.sent.length).toBeGreaterThanOrEqual(7);
      expect(findLibtorrentFloodTrip(sentAt)).toBe(6);
      // The adapter stops its timer when the wire closes: no more messages (or `sent` events)
      // on a 1 s interval with changes still coming.
      await waitUntil(() => (us.opened.wire.destroyed ? true : undefined), 5_000, 'wire closed');
      const sentAtClose = us.sent.length;
      await new Promise((r) => setTimeout(r, 2_500));
      expect(us.sent.length).toBe(sentAtClose);
      expectNothingFlagged(us);
    },
    TEST_TIMEOUT_MS,
  );

  test('4b. [SLOW, about 75 s] default schedule on the wire: libtorrent sends twice ~60 s apart and our inbound view accepts it; we send twice >= 70 s apart under constant changes and libtorrent keeps us', async () => {
    const { harness } = lt;
    const seed = lt.session(0);
    const pool = await lt.listenForHandshakesOn('127.0.0.13', 10);
    const us = await lt.openOurWireTo(seed);
    const from = harness.events.length;
    // A round of changes every 5 s (advertise the next contact, drop the previous one) for
    // the whole test: our default schedule must still send at most once per 70 s.
    const contacts = rotateContacts(us, pool);
    contacts.advance();
    const driver = setInterval(() => contacts.advance(), 5_000);
    lt.defer(() => clearInterval(driver));
    us.pex.start();

    const first = await waitForFirstPex(us, 'first libtorrent PEX');
    // Something for libtorrent's next diff: a second wire of ours joins the seed.
    const joiner = await lt.openOurWireTo(seed, { localAddress: '127.0.0.10' });
    const second = await waitUntil(() => us.payloads[1], 75_000, 'second libtorrent PEX');
    const lgGapMs = second.atMs - first.atMs;
    console.info(
      `[4b] libtorrent PEX at ${ms(first.atMs - us.opened.extendedHandshakeAtMs)} after the handshake, then ${ms(lgGapMs)} later`,
    );
    console.info(
      `[4b] recorded libtorrent payloads (hex): ${us.payloads.map((p) => Buffer.from(p.value).toString('hex')).join(' ')}`,
    );
    expect(lgGapMs).toBeGreaterThan(55_000);
    expect(lgGapMs).toBeLessThan(66_000);
    // Our session took the diff (the 60 s cadence was not refused): everything new in it is
    // reported, once. libtorrent's diff re-lists peers it sent before (its first swarm-wide
    // diff is built against an empty list); those are not reported again.
    const diff = decodePexMessage(second.value);
    const firstList = decodePexMessage(first.value);
    const expectedAll = [
      ...expectedFromRaw(firstList.added, 4, us.self),
      ...expectedFromRaw(diff.added, 4, us.self),
    ]
      .filter((p, i, all) => all.findIndex((q) => sameEndpoint(p, q)) === i)
      .sort(byEndpoint);
    await waitForPeerEvents(
      us,
      expectedAll.length,
      'the new peers of the diff reported by our session',
    );
    expect(reportedPeers(us)).toEqual(expectedAll);
    // The joiner connected right after libtorrent's first message, so its next diff (built on
    // a 60 s swarm-wide tick) has it unless that tick fell in the fraction of a second between.
    const joinerListed = diff.added.some((c) => sameEndpoint(c, joiner.self));
    console.info(
      `[4b] joiner in libtorrent's diff: ${joinerListed}; diff added ${JSON.stringify(diff.added)}`,
    );
    if (joinerListed)
      expect(reportedPeers(us)).toContainEqual({ ...joiner.self, family: 4, flags: 0 });

    // Our second message: no sooner than 70 s after the first, whatever changed meanwhile.
    await waitUntil(() => us.sent[1], 20_000, 'our second PEX');
    const receipts = await waitUntil(
      () => {
        const r = harness.events.slice(from).filter(isPexReceivedFrom(0, us.connection));
        return r.length >= 2 ? r : undefined;
      },
      5_000,
      'libtorrent receiving our second PEX',
    );
    clearInterval(driver);
    const sentAt = us.sent.map((s) => s.value.at);
    console.info(
      `[4b] ${contacts.rounds} rounds of changes; we sent ${us.sent.length} messages, gaps ${gapsOf(sentAt).map(ms).join(', ')}; libtorrent logged: ${receipts.map((r) => r.text).join(' | ')}`,
    );
    expect(contacts.rounds).toBeGreaterThanOrEqual(14);
    expect(us.sent).toHaveLength(2);
    for (const gap of gapsOf(sentAt)) expect(gap).toBeGreaterThanOrEqual(DEFAULT_SEND_INTERVAL_MS);
    expect(maxInWindow(sentAt, 60_000)).toBe(1);
    expect(receipts).toHaveLength(2);

    // libtorrent kept the connection and never called us too frequent.
    const peers = await harness.peerInfo(0);
    expect(peers.some((p) => sameEndpoint(p, us.connection))).toBe(true);
    const after = harness.events.slice(from);
    expect(after.filter(isDisconnectOf(0, us.connection))).toEqual([]);
    expect(after.filter((e) => 'message' in e && /too frequent/i.test(e.message))).toEqual([]);

    // Nothing flagged on our side: the real 60 s cadence passed the inbound view.
    expectNothingFlagged(us);
    expectNothingFlagged(joiner);
    // And the measured cadence, kept up for 30 minutes, passes a fresh inbound view.
    const view = createInboundView();
    const firstAt = first.atMs - us.opened.extendedHandshakeAtMs;
    const bytes = [first.value, second.value];
    for (let i = 0; i < 30; i++) {
      const result = view.receive(
        decodeWithCore(bytes[Math.min(i, 1)] as Uint8Array),
        firstAt + i * lgGapMs,
      );
      expect(result.violations).toEqual([]);
      expect(result.applied).toBe(true);
    }
  }, 150_000);

  test(
    '5. changed flags: libtorrent takes our re-announce in added (no drop) and keeps our connection; the new flags of a contact the same connection told it of leave its peer list unchanged',
    async () => {
      const { harness } = lt;
      const downloader = lt.session(1);
      // The peer whose flags change: a wire piped in process to our swarm helper, as if it had
      // dialled us from 127.0.0.9, listening on a port where nothing listens. libtorrent's dial
      // of it fails, so the entry stays in its peer list unconnected (libtorrent ignores the
      // seed flag of a peer it is connected to: it knows better).
      const closedPort = await findClosedPort('127.0.0.9');
      const contact = `127.0.0.9:${closedPort}`;
      const swarm = createPexSwarm({ intervalMs: 3_000, firstMessageDelayMs: 0 });
      lt.defer(() => swarm.destroy());
      const peer = new Wire('tcpOutgoing');
      const hubSide = new Wire('tcpIncoming');
      lt.defer(() => {
        peer.destroy();
        hubSide.destroy();
      });
      swarm.addWire(hubSide as never, { address: '127.0.0.9', port: 40_009, outgoing: false });
      peer.extendedHandshake.p = closedPort;
      (peer as unknown as NodeJS.ReadWriteStream).pipe(hubSide as unknown as NodeJS.WritableStream);
      (hubSide as unknown as NodeJS.ReadWriteStream).pipe(peer as unknown as NodeJS.WritableStream);
      peer.handshake(harness.infoHash, randomPeerId());
      hubSide.handshake(harness.infoHash, randomPeerId());
      await waitUntil(() => (swarm.advertisedCount === 1 ? true : undefined), 2_000, 'peer known');

      /** A wire of ours to the downloader through the swarm helper, recording what it sends. */
      const connect = async (localAddress: string) => {
        const sent: string[][] = [];
        const opened = lt.track(
          await openWire({
            host: downloader.address,
            port: downloader.port,
            infoHash: harness.infoHash,
            localAddress,
            setup: (wire) => {
              const extended = wire.extended.bind(wire);
              wire.extended = (ext, payload) => {
                if (ext === 'ut_pex') {
                  const m = decodeWithCore(payload as Uint8Array);
                  sent.push([
                    ...m.added.map(
                      (a) => `+${a.address.join('.')}:${a.port}/0x${(a.flags ?? 0).toString(16)}`,
                    ),
                    ...m.dropped.map((d) => `-${d.address.join('.')}:${d.port}`),
                  ]);
                }
                extended(ext, payload);
              };
              swarm.addWire(wire as never, {
                address: downloader.address,
                port: downloader.port,
                outgoing: true,
              });
            },
          }),
        );
        return {
          opened,
          sent,
          endpoint: { address: localAddress, port: opened.socket.localPort as number },
        };
      };
      const status = async () =>
        (await harness.request({ cmd: 'status', session: downloader.session })) as Extract<
          HarnessEvent,
          { event: 'status' }
        >;
      const pexFrom = (from: Endpoint, after: number) =>
        harness.waitFor(isPexReceivedFrom(downloader.session, from), 8_000, after);

      const start = harness.events.length;
      const us = await connect('127.0.0.1');
      const first = await pexFrom(us.endpoint, start);
      console.info(`[5] libtorrent logged our first message: ${first.text}`);
      // Its dial of the advertised contact fails (nothing listens there).
      const failed = await harness.waitFor(
        (e) =>
          e.event === 'peer_disconnected' &&
          e.session === downloader.session &&
          sameEndpoint(e.peer, { address: '127.0.0.9', port: closedPort }),
        DIAL_TIMEOUT_MS,
        start,
      );
      console.info(
        `[5] its dial of ${contact}: ${failed.event === 'peer_disconnected' ? failed.message : ''}`,
      );
      const before = await status();

      // The peer says it is upload-only (BEP 21) in a later extended handshake: 0x02 on, and
      // the next message re-announces it in added.
      const beforeOn = harness.events.length;
      peer.extended(0, { upload_only: 1 });
      const second = await pexFrom(us.endpoint, beforeOn);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const afterReannounce = await status();

      // A second connection of ours, which has not told libtorrent of the contact: its first
      // message carries the current flags.
      const beforeJoin = harness.events.length;
      const joiner = await connect('127.0.0.10');
      const third = await pexFrom(joiner.endpoint, beforeJoin);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const afterJoiner = await status();
      console.info(
        `[5] libtorrent logged our re-announce "${second.text}" and the second connection's first message "${third.text}"; its peer list (entries / seeds): ${before.listPeers} / ${before.listSeeds} before, ${afterReannounce.listPeers} / ${afterReannounce.listSeeds} after the re-announce, ${afterJoiner.listPeers} / ${afterJoiner.listSeeds} after the second connection`,
      );

      // What we sent: the contact, then the same contact with 0x02, never dropped.
      expect(us.sent).toEqual([[`+${contact}/0x0`], [`+${contact}/0x2`]]);
      expect(joiner.sent).toEqual([[`+${contact}/0x2`]]);
      expect(first.text).toMatch(/^dropped: 0 added: 1\b/);
      expect(second.text).toMatch(/^dropped: 0 added: 1\b/);
      // libtorrent's ut_pex skips a contact the same connection already told it of ("do we
      // already know about this peer?", src/ut_pex.cpp): the re-announce changes nothing in its
      // peer list. A connection that had not told it passes the flags on to its peer list
      // (peer_list::update_peer); 2.0.8's list_seeds did not count the contact then either
      // (logged above, recorded in docs/interop.md, not asserted).
      // Its list of entries changes with its own dials meanwhile (logged above), so only the seed
      // count is compared: the re-announced 0x02 did not make the contact a seed.
      expect(afterReannounce.listSeeds).toBe(before.listSeeds);
      // Our connections stay (a message it disliked would have closed them).
      for (const wire of [us, joiner]) {
        expect(
          harness.events.slice(start).filter(isDisconnectOf(downloader.session, wire.endpoint)),
        ).toEqual([]);
        expect(wire.opened.wire.destroyed).toBe(false);
      }
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "6. BEP 11's relaxation: libtorrent takes a recently disconnected contact in added and its drop in the very next message, and keeps our connection",
    async () => {
      const { harness } = lt;
      const downloader = lt.session(2);
      // The contact: a peer we were connected to (handshake done) and left for a qualifying
      // reason (say, no mutual interest). A handshake listener, so a dial of it can be seen.
      const advertised = lt.track(await listenForHandshakes({ host: '127.0.0.14' }));
      const contact = { address: Uint8Array.of(127, 0, 0, 14), port: advertised.port };
      const text = `127.0.0.14:${advertised.port}`;
      // Our core tracker with the relaxation on, behind our extension and session: no live peer
      // (0 < 25), so the departure goes out in added, and is dropped in the next message. A
      // 3 s interval keeps the test short and far from libtorrent's flood rule (7 in 60 s).
      const intervalMs = 3_000;
      const tracker = createOutboundTracker({ intervalMs, relaxation: {} });
      tracker.connected({ ...contact, flags: 0x10 });
      tracker.disconnected(contact, { qualifies: true });
      const Extension = defineUtPexExtension(
        { intervalMs, firstMessageDelayMs: 0 },
        { outbound: tracker },
      );
      const sent: string[][] = [];
      const start = harness.events.length;
      const opened = lt.track(
        await openWire({
          host: downloader.address,
          port: downloader.port,
          infoHash: harness.infoHash,
          localAddress: '127.0.0.1',
          extensions: [Extension as never],
          setup: (wire) => {
            const extended = wire.extended.bind(wire);
            wire.extended = (ext, payload) => {
              if (ext === 'ut_pex') {
                const m = decodeWithCore(payload as Uint8Array);
                sent.push([
                  ...m.added.map(
                    (a) => `+${a.address.join('.')}:${a.port}/0x${(a.flags ?? 0).toString(16)}`,
                  ),
                  ...m.dropped.map((d) => `-${d.address.join('.')}:${d.port}`),
                ]);
              }
              extended(ext, payload);
            };
          },
        }),
      );
      const pex = (opened.wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
      const flagged: unknown[] = [];
      pex.session.on('warning', (w) => flagged.push(w));
      pex.session.on('violation', (v) => flagged.push(v));
      pex.session.on('invalid', (e) => flagged.push(e));
      pex.start();
      const us = { address: '127.0.0.1', port: opened.socket.localPort as number };

      const receipts = await waitUntil(
        () => {
          const r = harness.events.slice(start).filter(isPexReceivedFrom(downloader.session, us));
          return r.length >= 2 ? r : undefined;
        },
        4 * intervalMs + FIRST_PEX_TIMEOUT_MS,
        'libtorrent logging our two messages',
      );
      // Quiet for two more intervals: libtorrent would have closed us by then if it minded.
      await new Promise((resolve) => setTimeout(resolve, 2 * intervalMs));
      const peers = await harness.peerInfo(downloader.session);
      const dialled = advertised.handshakes.filter((h) => h.infoHash === harness.infoHash);
      console.info(
        `[6] we sent ${JSON.stringify(sent)}; libtorrent logged ${receipts.map((r) => `"${r.text}"`).join(', ')}; it dialled the relaxed contact ${dialled.length} time(s)`,
      );

      // What went out: the departed contact in added (flags kept), then its drop, nothing else.
      expect(sent).toEqual([[`+${text}/0x10`], [`-${text}`]]);
      expect(receipts[0]?.text).toMatch(/^dropped: 0 added: 1\b/);
      expect(receipts[1]?.text).toMatch(/^dropped: 1 added: 0\b/);
      // libtorrent kept us: no disconnect, the wire open, our connection in its peer list.
      const after = harness.events.slice(start);
      expect(after.filter(isDisconnectOf(downloader.session, us))).toEqual([]);
      expect(after.filter((e) => 'message' in e && /too frequent/i.test(e.message))).toEqual([]);
      expect(opened.wire.destroyed).toBe(false);
      expect(peers.some((p) => sameEndpoint(p, us))).toBe(true);
      expect(flagged).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describeIfLibtorrent('our stack and libtorrent 2.0.8 over IPv6 loopback (::1)', () => {
  // Sessions 0 (seed) and 1 on 127.0.0.x and [::1]; session 2 on [::1] only. The tests talk
  // to session 2: a dual-stack session binds its dials to its outgoing interfaces in turn,
  // so its ::1 dials fail now and then with "sock_bind: Invalid argument" and libtorrent then
  // backs off from that peer for a minute (seen failing both IPv6 set-ups at once on a
  // loaded machine). Session 2 has only ::1 to bind to: it dials sessions 0 and 1 over ::1
  // at start, reliably, and its first PEX_FULL means both connections are up.
  const lt = useHarness(
    { sessions: 2, ipv6: true },
    async (harness) => {
      const v6Only = harness.peers.find((p) => p.address === '::1');
      await harness.waitFor(
        (e) => e.event === 'peer_log' && e.session === v6Only?.session && e.kind === 'PEX_FULL',
        15_000,
      );
    },
    TEST_TIMEOUT_MS,
  );

  test(
    '3. IPv6: we receive ::1 peers in added6 from libtorrent, and libtorrent dials a [::1] peer we advertise',
    async () => {
      const { harness } = lt;
      const [seed, downloader] = harness.peers;
      const v6Only = harness.peers.find((p) => p.address === '::1');
      if (!seed?.port6 || !downloader?.port6 || !v6Only) {
        throw new Error('harness has two dual-stack sessions and a ::1-only one');
      }
      const advertised = lt.track(await listenForHandshakes({ host: '::1' }));
      // One IPv6 connection, both directions.
      const us = await lt.openOurWireTo(v6Only, { localAddress: '::1' });
      const from = harness.events.length;
      us.pex.start();
      us.pex.addPeer(formatEndpoint('::1', advertised.port), { isReachable: true });

      // libtorrent -> us: added6 with one flag byte per peer, reported by our session.
      const first = await waitForFirstPex(us);
      const raw = decodePexMessage(first.value);
      console.info(
        `[3] first PEX over ::1, ${ms(first.atMs - us.opened.extendedHandshakeAtMs)} after the handshake: added ${JSON.stringify(raw.added)} added6 ${JSON.stringify(raw.added6)}`,
      );
      expect(raw.added).toEqual([]);
      expect(raw.added6FlagsLength).toBe(raw.added6.length);
      // The two dual-stack sessions at the [::1] ports it dialled, and ourselves at our `p`.
      expect(raw.added6.map(({ address, port }) => ({ address, port })).sort(byEndpoint)).toEqual(
        [
          { address: '::1', port: seed.port6 },
          { address: '::1', port: downloader.port6 },
          us.self,
        ].sort(byEndpoint),
      );
      await waitForPeerEvents(us, 2);
      // Our session: the two sessions as IPv6 peers with the flags on the wire, not ourselves.
      expect(reportedPeers(us)).toEqual(expectedFromRaw(raw.added6, 6, us.self));
      expect(
        reportedPeers(us).map(({ address, port, family }) => ({ address, port, family })),
      ).toEqual(
        [
          { address: '::1', port: seed.port6, family: 6 },
          { address: '::1', port: downloader.port6, family: 6 },
        ].sort(byEndpoint),
      );
      for (const { value } of us.peers) {
        expect(value.flags).toMatchObject({
          supportsHolepunch: true,
          uploadOnly: value.port === seed.port6,
        });
      }
      expect([...us.adapterPeers].sort()).toEqual(
        [`[::1]:${seed.port6}`, `[::1]:${downloader.port6}`].sort(),
      );
      console.info(`[3] reported by our session: ${JSON.stringify(reportedPeers(us))}`);

      // us -> libtorrent: our added6 is taken and the contact dialled over ::1.
      await expectAdvertisedContactDialled({
        harness,
        to: v6Only,
        us,
        advertised,
        from,
        expected: { added: 0, added6: 1 },
        label: '[3]',
      });
    },
    TEST_TIMEOUT_MS,
  );
});

describe('4c/4d. timing without a wire: our default schedule and libtorrent cadence replayed', () => {
  // libtorrent's flood rule as a model; test 4a shows the real libtorrent agrees with it.
  test('the model: 7 messages 1 s apart trip it, 7 spread over more than 60 s do not', () => {
    expect(findLibtorrentFloodTrip([0, 1, 2, 3, 4, 5, 6].map((i) => i * 1_000))).toBe(6);
    expect(findLibtorrentFloodTrip([0, 1, 2, 3, 4, 5, 6].map((i) => i * 10_001))).toBeUndefined();
    expect(findLibtorrentFloodTrip([0, 1, 2, 3, 4, 5, 6].map((i) => i * 9_999))).toBe(6);
  });

  test("4c. our default schedule (utPex() defaults, fake clock), a change every second for 30 min, late timers: never 2 messages in 60 s, never trips libtorrent's rule", () => {
    for (const lateByMs of [0, 2_999]) {
      const time = createFakeTime();
      let lateness = 0;
      // A loaded machine: every timer fires up to `lateByMs` late (deterministic spread).
      const timers = {
        setTimeout: (cb: () => void, delay: number) => {
          lateness = (lateness + 1_337) % (lateByMs + 1);
          return time.timers.setTimeout(cb, delay + lateness);
        },
        clearTimeout: (h: unknown) => time.timers.clearTimeout(h),
      };
      const sentAt: number[] = [];
      const wire = createFakeWire();
      const Extension = utPex({ clock: time.clock, timers });
      const pex = new Extension(wire);
      pex.session.on('sent', (s) => sentAt.push(s.at));
      pex.onExtendedHandshake({ m: { ut_pex: 1 }, p: 6881 });
      pex.start();
      for (let second = 0; second < 30 * 60; second++) {
        pex.addPeer(`198.51.100.${(second % 200) + 1}:${6881 + (second % 7)}`);
        if (second > 0)
          pex.dropPeer(`198.51.100.${((second - 1) % 200) + 1}:${6881 + ((second - 1) % 7)}`);
        time.advance(1_000);
      }
      console.info(
        `[4c] timers up to ${lateByMs} ms late: ${sentAt.length} messages in 30 min, first at ${ms(sentAt[0] ?? Number.NaN)}, gaps ${Math.min(...gapsOf(sentAt))}..${Math.max(...gapsOf(sentAt))} ms`,
      );
      expect(wire.sent).toHaveLength(sentAt.length);
      expect(sentAt.length).toBeGreaterThanOrEqual(25);
      expect(sentAt[0]).toBeGreaterThanOrEqual(FIRST_MESSAGE_DELAY_MS);
      for (const gap of gapsOf(sentAt))
        expect(gap).toBeGreaterThanOrEqual(DEFAULT_SEND_INTERVAL_MS);
      expect(maxInWindow(sentAt, 60_000)).toBe(1);
      expect(findLibtorrentFloodTrip(sentAt)).toBeUndefined();
    }
  });

  test("4d. libtorrent's recorded cadence and payloads, replayed for 30 min through createInboundView and through a session with a fake clock: nothing flagged", () => {
    const firstBytes = hexToBytes(LIBTORRENT_FIRST_PEX_HEX);
    const secondBytes = hexToBytes(LIBTORRENT_SECOND_PEX_HEX);
    // The recorded gaps, and 1 s less than the shortest as margin for network jitter.
    const gaps = [...LIBTORRENT_PEX_GAPS_MS, Math.min(...LIBTORRENT_PEX_GAPS_MS) - 1_000];
    for (const firstAt of LIBTORRENT_FIRST_PEX_DELAYS_MS) {
      for (const gap of gaps) {
        const arrivals = Array.from({ length: 30 }, (_, i) => firstAt + i * gap);
        const payload = (i: number) => (i === 0 ? firstBytes : secondBytes);

        // core's inbound view, default options.
        const view = createInboundView();
        arrivals.forEach((at, i) => {
          const result = view.receive(decodeWithCore(payload(i)), at);
          expect(result).toMatchObject({ applied: true, violations: [] });
          // What is new: 3 contacts, then the joiner, then nothing.
          expect(result.added).toHaveLength(i === 0 ? 3 : i === 1 ? 1 : 0);
        });

        // A session with a fake clock, the default policy, our own contact as localAddresses.
        const time = createFakeTime();
        const session = createPexSession({
          send: () => {},
          clock: time.clock,
          timers: time.timers,
          remoteAddress: '127.0.0.2:6881',
          localAddresses: [RECORDED_SELF],
        });
        const flagged: unknown[] = [];
        const peers: string[] = [];
        session.on('violation', (v) => flagged.push(v));
        session.on('invalid', (e) => flagged.push(e));
        session.on('warning', (w) => flagged.push(w));
        session.on('peer', (p) => peers.push(formatEndpoint(p.address, p.port)));
        arrivals.forEach((at, i) => {
          time.advance(at - time.now());
          session.receive(payload(i));
        });
        expect(flagged).toEqual([]);
        expect(peers.sort()).toEqual(
          [
            '127.0.0.3:35641',
            '127.0.0.4:46043',
            formatEndpoint(RECORDED_JOINER.address, RECORDED_JOINER.port),
          ].sort(),
        );
      }
    }
    // The same view does flag a sender three times as fast as libtorrent (a check that
    // this replay can fail): 20 s gaps exhaust the burst allowance within minutes.
    const view = createInboundView();
    const refused = Array.from({ length: 30 }, (_, i) =>
      view.receive(decodeWithCore(firstBytes), i * 20_000),
    ).filter((r) => !r.applied);
    expect(refused.length).toBeGreaterThan(0);
  });
});

/** The part of a bittorrent-protocol wire the adapter uses, recording what it sends. */
function createFakeWire() {
  const sent: Uint8Array[] = [];
  const wire: PexWire & { sent: Uint8Array[] } = {
    sent,
    peerExtendedMapping: { ut_pex: 1 },
    extended: (_name, bytes) => {
      sent.push(bytes);
    },
    use: () => {},
    destroy: () => undefined,
    once: () => wire,
  };
  return wire;
}

/** A port on `host` where nothing listens: bound by the OS, then closed again. */
async function findClosedPort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
