import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { main } from '@pex/cli';
import { type UtPexExtension, utPex } from '@pex/wire-adapter';
import Wire from 'bittorrent-protocol';
import {
  type LibtorrentHarness,
  requireLibtorrentOrSkip,
  startLibtorrentHarness,
} from '../../interop/test/libtorrent/harness.js';

const INFO_HASH = 'aa'.repeat(20);
const OTHER_INFO_HASH = 'bb'.repeat(20);

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

function jsonLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A loopback listener running `onSocket` for each connection; closes every socket on close. */
async function listen(onSocket: (socket: Socket) => void): Promise<{
  port: number;
  close(): Promise<void>;
}> {
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

describe('pex probe: failures', () => {
  test('connection refused: exit 3', async () => {
    const closed = await listen(() => {});
    await closed.close();
    const { code, err } = await run([
      'probe',
      `127.0.0.1:${closed.port}`,
      '--info-hash',
      INFO_HASH,
    ]);
    expect(code).toBe(3);
    expect(err.join('\n')).toMatch(/cannot connect: connection refused/);
  });

  test('the peer answers for another torrent: exit 4', async () => {
    const peer = await rawHandshakeListener(
      new Uint8Array([0, 0, 0, 0, 0, 0x10, 0, 0]),
      OTHER_INFO_HASH,
    );
    try {
      const { code, out } = await run([
        'probe',
        `127.0.0.1:${peer.port}`,
        '--info-hash',
        INFO_HASH,
        '--json',
      ]);
      expect(code).toBe(4);
      expect(jsonLines(out)).toEqual([
        expect.objectContaining({ event: 'error', kind: 'handshake-rejected', exitCode: 4 }),
      ]);
      expect(out[0]).toContain(OTHER_INFO_HASH);
    } finally {
      await peer.close();
    }
  });

  test('the peer closes without answering: exit 4', async () => {
    const peer = await listen((socket) => socket.once('data', () => socket.destroy()));
    try {
      const { code, err } = await run([
        'probe',
        `127.0.0.1:${peer.port}`,
        '--info-hash',
        INFO_HASH,
      ]);
      expect(code).toBe(4);
      expect(err.join('\n')).toMatch(/handshake rejected: .*without answering/);
    } finally {
      await peer.close();
    }
  });

  test('no extension protocol at all (BEP 10 bit clear): exit 5', async () => {
    const peer = await rawHandshakeListener(new Uint8Array(8), INFO_HASH);
    try {
      const { code, err } = await run([
        'probe',
        `127.0.0.1:${peer.port}`,
        '--info-hash',
        INFO_HASH,
      ]);
      expect(code).toBe(5);
      expect(err.join('\n')).toMatch(/no ut_pex: .*extension protocol \(BEP 10\)/);
    } finally {
      await peer.close();
    }
  });

  test('extended handshake without ut_pex: exit 5', async () => {
    const peer = await wireListener(() => {});
    try {
      const { code, out } = await run([
        'probe',
        `127.0.0.1:${peer.port}`,
        '--info-hash',
        INFO_HASH,
        '--json',
      ]);
      expect(code).toBe(5);
      expect(jsonLines(out)).toEqual([
        expect.objectContaining({ event: 'error', kind: 'no-ut-pex', exitCode: 5 }),
      ]);
    } finally {
      await peer.close();
    }
  });

  test('ut_pex but no PEX message within the duration: exit 6', async () => {
    const peer = await wireListener((wire) => wire.use(utPex() as never));
    try {
      const { code, out } = await run([
        'probe',
        `127.0.0.1:${peer.port}`,
        '--info-hash',
        INFO_HASH,
        '--duration',
        '0.5',
        '--json',
      ]);
      expect(code).toBe(6);
      const events = jsonLines(out);
      expect(events[0]).toMatchObject({ event: 'connected', extensions: ['ut_pex'] });
      expect(events.at(-1)).toMatchObject({ event: 'end', reason: 'duration', messages: 0 });
    } finally {
      await peer.close();
    }
  });

  test('a local peer sending PEX: added and dropped peers, flags by name, policy verdicts', async () => {
    const peer = await wireListener((wire) => {
      wire.use(utPex({ firstMessageDelayMs: 0, intervalMs: 200 }) as never);
      const ext = (wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
      ext.start();
      ext.addPeer('127.0.0.9:7001', 0x12); // upload-only + reachable
      ext.addPeer('192.0.2.1:7002');
      setTimeout(() => ext.dropPeer('127.0.0.9:7001'), 300);
    });
    try {
      const { code, out } = await run([
        'probe',
        `127.0.0.1:${peer.port}`,
        '--info-hash',
        INFO_HASH,
        '--count',
        '2',
        '--duration',
        '5',
      ]);
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
    } finally {
      await peer.close();
    }
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
  ])('argument error %p gives usage and exit 2', async (argv, pattern) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect([...out, ...err].join('\n')).toMatch(pattern);
    expect([...out, ...err].join('\n')).toMatch(/usage: pex/);
  });
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
    const { code, out } = await run([
      'probe',
      `${seed.address}:${seed.port}`,
      '--info-hash',
      harness.infoHash,
      '--listen-port',
      '51413',
      '--count',
      '1',
      '--duration',
      '10',
      '--json',
    ]);
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
    const { code, err } = await run([
      'probe',
      `${seed.address}:${seed.port}`,
      '--info-hash',
      OTHER_INFO_HASH,
      '--timeout',
      '5',
    ]);
    expect(code).toBe(4);
    expect(err.join('\n')).toMatch(/handshake rejected/);
  }, 10_000);
});
