import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type UtPexExtension, utPex } from '@pex/wire-adapter';
import Wire from 'bittorrent-protocol';
import {
  type LibtorrentHarness,
  requireLibtorrentOrSkip,
  startLibtorrentHarness,
} from '../../interop/test/libtorrent/harness.js';
import { expectUsageError, run } from './support/run-cli.js';

const INFO_HASH = 'aa'.repeat(20);
const OTHER_INFO_HASH = 'bb'.repeat(20);

function jsonLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface Listener {
  port: number;
  close(): Promise<void>;
}

/** A loopback listener running `onSocket` for each connection; closes every socket on close. */
async function listen(onSocket: (socket: Socket) => void): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers the BitTorrent handshake with raw bytes: `reserved` and `infoHash` as given. */
function rawHandshakeListener(reserved: Uint8Array, infoHash: string) {
  return listen((socket) => {
    socket.once('data', () => {
      socket.write(
        Buffer.concat([
          Buffer.from([19]),
          Buffer.from('BitTorrent protocol', 'latin1'),
          reserved,
          Buffer.from(infoHash, 'hex'),
          Buffer.from('-XX0001-000000000000', 'latin1'),
        ]),
      );
    });
  });
}

/** A bittorrent-protocol peer for INFO_HASH, with `setup` installing extensions. */
function wireListener(setup: (wire: Wire) => void) {
  return listen((socket) => {
    const wire = new Wire('tcpIncoming');
    setup(wire);
    (socket as NodeJS.ReadWriteStream).pipe(wire as unknown as NodeJS.WritableStream);
    (wire as unknown as NodeJS.ReadableStream).pipe(socket);
    socket.on('close', () => wire.destroy());
    wire.on('close', () => socket.destroy());
    wire.on('handshake', () => wire.handshake(INFO_HASH, Buffer.from('-XX0001-111111111111')));
  });
}

/** Runs `pex probe ADDRESS:PORT --info-hash HASH ...options`; the address defaults to 127.0.0.1. */
function probe(peer: { address?: string; port: number }, infoHash: string, ...options: string[]) {
  const target = `${peer.address ?? '127.0.0.1'}:${peer.port}`;
  return run(['probe', target, '--info-hash', infoHash, ...options]);
}

/** Probes the local fake `peer` for INFO_HASH, then closes it whatever the probe did. */
async function probeFakePeer(peer: Promise<Listener>, ...options: string[]) {
  const listener = await peer;
  try {
    return await probe(listener, INFO_HASH, ...options);
  } finally {
    await listener.close();
  }
}

describe('pex probe: failures', () => {
  test('connection refused: exit 3', async () => {
    const closed = await listen(() => {});
    await closed.close();
    const { code, err } = await probe(closed, INFO_HASH);
    expect(code).toBe(3);
    expect(err.join('\n')).toMatch(/cannot connect: connection refused/);
  });

  test('the peer answers for another torrent: exit 4', async () => {
    const { code, out } = await probeFakePeer(
      rawHandshakeListener(new Uint8Array([0, 0, 0, 0, 0, 0x10, 0, 0]), OTHER_INFO_HASH),
      '--json',
    );
    expect(code).toBe(4);
    expect(jsonLines(out)).toEqual([
      expect.objectContaining({ event: 'error', kind: 'handshake-rejected', exitCode: 4 }),
    ]);
    expect(out[0]).toContain(OTHER_INFO_HASH);
  });

  test('the peer closes without answering: exit 4', async () => {
    const { code, err } = await probeFakePeer(
      listen((socket) => socket.once('data', () => socket.destroy())),
    );
    expect(code).toBe(4);
    expect(err.join('\n')).toMatch(/handshake rejected: .*without answering/);
  });

  test('no extension protocol at all (BEP 10 bit clear): exit 5', async () => {
    const { code, err } = await probeFakePeer(rawHandshakeListener(new Uint8Array(8), INFO_HASH));
    expect(code).toBe(5);
    expect(err.join('\n')).toMatch(/no ut_pex: .*extension protocol \(BEP 10\)/);
  });

  test('extended handshake without ut_pex: exit 5', async () => {
    const { code, out } = await probeFakePeer(
      wireListener(() => {}),
      '--json',
    );
    expect(code).toBe(5);
    expect(jsonLines(out)).toEqual([
      expect.objectContaining({ event: 'error', kind: 'no-ut-pex', exitCode: 5 }),
    ]);
  });

  test('ut_pex but no PEX message within the duration: exit 6', async () => {
    const { code, out } = await probeFakePeer(
      wireListener((wire) => wire.use(utPex() as never)),
      '--duration',
      '0.5',
      '--json',
    );
    expect(code).toBe(6);
    const events = jsonLines(out);
    expect(events[0]).toMatchObject({ event: 'connected', extensions: ['ut_pex'] });
    expect(events.at(-1)).toMatchObject({ event: 'end', reason: 'duration', messages: 0 });
  });

  test('a local peer sending PEX: added and dropped peers, flags by name, policy verdicts', async () => {
    const peer = wireListener((wire) => {
      wire.use(utPex({ firstMessageDelayMs: 0, intervalMs: 200 }) as never);
      const ext = (wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
      ext.start();
      ext.addPeer('127.0.0.9:7001', 0x12); // upload-only + reachable
      ext.addPeer('192.0.2.1:7002');
      setTimeout(() => ext.dropPeer('127.0.0.9:7001'), 300);
    });
    const { code, out } = await probeFakePeer(peer, '--count', '2', '--duration', '5');
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/PEX message 1 \([0-9]+ bytes\): added 2, dropped 0/);
    expect(text).toMatch(/\+ 127\.0\.0\.9:7001 {2}\[seed, reachable\]/);
    expect(text).toMatch(
      /\+ 192\.0\.2\.1:7002 {2}\(the default peer policy refuses it: reserved\)/,
    );
    expect(text).toMatch(
      /PEX message 2 \([0-9]+ bytes\): added 0, dropped 1\n {2}- 127\.0\.0\.9:7001/,
    );
    expect(out.at(-1)).toMatch(/done \(count\): 2 PEX messages, 2 peers added, 1 dropped/);
  });

  test.each([
    [['probe'], /probe expects HOST:PORT/],
    [['probe', '127.0.0.1:6881'], /--info-hash HEX/],
    [['probe', '127.0.0.1', '--info-hash', INFO_HASH], /"HOST:PORT" expected/],
    [['probe', '127.0.0.1:70000', '--info-hash', INFO_HASH], /"HOST:PORT" expected/],
    [['probe', '127.0.0.1:6881', '--info-hash', 'abc'], /"--info-hash" expected 40 hex digits/],
    [
      ['probe', '127.0.0.1:6881', '--info-hash', INFO_HASH, '--duration', 'soon'],
      /"--duration" expected seconds/,
    ],
    [['probe', 'a:1', 'b:2', '--info-hash', INFO_HASH], /one HOST:PORT/],
  ])('argument error %p gives usage and exit 2', (argv, pattern) =>
    expectUsageError(argv, pattern),
  );
});

const describeIfLibtorrent = requireLibtorrentOrSkip('pex probe against libtorrent')
  ? describe
  : describe.skip;

describeIfLibtorrent('pex probe against libtorrent', () => {
  let harness: LibtorrentHarness;
  beforeAll(async () => {
    harness = await startLibtorrentHarness({ sessions: 3 });
    // The sessions dial each other at start; under load that can take a moment, and the seed
    // lists in its first PEX message only the peers it is connected to by then.
    const others = harness.peers.slice(1).map((p) => p.address);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const connected = (await harness.peerInfo(0))
        .filter((p) => !p.connecting)
        .map((p) => p.address);
      if (others.every((address) => connected.includes(address))) break;
      if (Date.now() > deadline) throw new Error('libtorrent sessions did not interconnect');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 40_000);
  afterAll(async () => {
    await harness?.close();
  });

  test('prints the other libtorrent sessions from its first PEX message', async () => {
    const [seed, ...others] = harness.peers;
    if (seed === undefined) throw new Error('no harness session');
    const { code, out } = await probe(
      seed,
      harness.infoHash,
      '--listen-port',
      '51413',
      '--count',
      '1',
      '--duration',
      '10',
      '--json',
    );
    expect(code).toBe(0);
    const events = jsonLines(out);
    expect(events[0]).toMatchObject({ event: 'connected', utPexId: expect.any(Number) });
    const pex = events.find((e) => e.event === 'pex') as {
      atMs: number;
      added: { peer: string; flagNames: string[]; policy: string }[];
    };
    expect(pex).toBeDefined();
    // libtorrent's first message comes about 1.5 s after the handshake.
    expect(pex.atMs).toBeGreaterThan(500);
    const listed = pex.added.map((p) => p.peer);
    for (const other of others) expect(listed).toContain(`${other.address}:${other.port}`);
    for (const p of pex.added.filter(
      (a) => listed.includes(a.peer) && a.peer !== '127.0.0.1:51413',
    )) {
      expect(p.policy).toBe('accept');
    }
    expect(events.at(-1)).toMatchObject({
      event: 'end',
      reason: 'count',
      messages: 1,
      exitCode: 0,
    });
  }, 20_000);

  test('a wrong info hash is rejected: exit 4', async () => {
    const [seed] = harness.peers;
    if (seed === undefined) throw new Error('no harness session');
    const { code, err } = await probe(seed, OTHER_INFO_HASH, '--timeout', '5');
    expect(code).toBe(4);
    expect(err.join('\n')).toMatch(/handshake rejected/);
  }, 10_000);
});
