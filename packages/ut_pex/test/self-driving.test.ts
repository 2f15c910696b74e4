import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, test } from '@jest/globals';
import utPex, { createUtPex } from '@pex/ut_pex';
import { createPexSwarm, pexOf } from '@pex/wire-adapter';
import bencode from 'bencode';
import type Wire from 'bittorrent-protocol';
import { type Client, startClient, waitUntil } from './support/clients.js';

// The alias package as WebTorrent uses it: installed on every wire after the BitTorrent
// handshake, never started, never fed. Each client has its own factory (its own registry), as
// separate WebTorrent processes would; the default export is one for the whole process.

const FAST = { intervalMs: 300, firstMessageDelayMs: 20 } as const;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
});

async function startClients(count: number, tellListenPort: boolean): Promise<Client[]> {
  const started: Client[] = [];
  for (let i = 0; i < count; i++) {
    const client = await startClient(`c${i}`, (port) =>
      createUtPex({ ...FAST, ...(tellListenPort ? { listenPort: port } : {}) }),
    );
    clients.push(client);
    started.push(client);
  }
  return started;
}

const address = (client: Client) => `127.0.0.1:${client.port}`;

describe('@pex/ut_pex drives itself', () => {
  test('the default export is a factory of a ut_pex extension', () => {
    expect(typeof utPex).toBe('function');
    expect(utPex().prototype.name).toBe('ut_pex');
  });

  test('a line a - b - c, each told of one neighbour: the ends learn each other, and the drop', async () => {
    const [a, b, c] = (await startClients(3, true)) as [Client, Client, Client];
    await a.connect(b.port);
    await b.connect(c.port);
    await waitUntil(() => a.learned.includes(address(c)) && c.learned.includes(address(a)), 8_000);
    // Nobody is told of itself, nor of the neighbour it already knows through a wire... which
    // the other end advertises too: only listen addresses are ever reported.
    for (const client of [a, b, c]) {
      expect(client.learned).not.toContain(address(client));
      for (const peer of client.learned) {
        expect([a, b, c].map(address)).toContain(peer);
      }
    }
    await c.close();
    clients.splice(clients.indexOf(c), 1);
    await waitUntil(() => a.dropped.includes(address(c)), 8_000);
    expect(a.warnings).toEqual([]);
  }, 20_000);

  test('without listenPort, it is learned from an incoming connection and written as p', async () => {
    const [a, b, c] = (await startClients(3, false)) as [Client, Client, Client];
    // c dials b first: b learns its listen port from that incoming socket...
    await c.connect(b.port);
    await waitUntil(() => b.wires.length === 1 && c.wires.length === 1);
    await waitUntil(() => (b.wires[0]?.peerExtendedHandshake as object | undefined) !== undefined);
    // ...and writes it as p when it dials a.
    const toA = await b.connect(a.port);
    await waitUntil(() => Object.keys(toA.peerExtendedHandshake ?? {}).length > 0);
    await waitUntil(
      () => (a.wires[0]?.peerExtendedHandshake as { p?: number } | undefined)?.p !== undefined,
    );
    const handshake = a.wires[0]?.peerExtendedHandshake as { p?: number } | undefined;
    expect(handshake?.p).toBe(b.port);
    // c hears of a, the address b dialled.
    await waitUntil(() => c.learned.includes(address(a)), 8_000);
  }, 20_000);
});

/** A torrent's bencoded bytes as ut_metadata emits them: `{ info: { ... } }`. */
function torrentBytes(isPrivate: boolean): Uint8Array {
  return bencode.encode({
    info: {
      length: 1,
      name: 'x',
      'piece length': 16384,
      pieces: new Uint8Array(20),
      ...(isPrivate ? { private: 1 } : {}),
    },
  });
}

/**
 * A stand-in for ut_metadata (installed before ut_pex, as WebTorrent does) that emits the
 * torrent's metadata `delayMs` after the wire is set up, on the wires `emits(wireIndex)` picks.
 */
function withMetadata(metadata: Uint8Array, delayMs: number, emits: () => boolean = () => true) {
  return (wire: Wire) => {
    class FakeUtMetadata extends EventEmitter {
      constructor() {
        super();
        if (emits()) setTimeout(() => this.emit('metadata', metadata), delayMs).unref();
      }
    }
    Object.defineProperty(FakeUtMetadata.prototype, 'name', { value: 'ut_metadata' });
    wire.once('handshake', () => wire.use(FakeUtMetadata as never));
  };
}

/** PEX payloads every wire of `clients` received. */
function pexReceived(of: readonly Client[]): number {
  return of.reduce((sum, client) => sum + client.pexReceived, 0);
}

async function startWith(setup: (index: number) => (wire: Wire) => void): Promise<Client[]> {
  const started: Client[] = [];
  for (let i = 0; i < 3; i++) {
    const client = await startClient(
      `c${i}`,
      (port) => createUtPex({ ...FAST, listenPort: port }),
      setup(i),
    );
    clients.push(client);
    started.push(client);
  }
  return started;
}

describe('@pex/ut_pex and BEP 27', () => {
  test('a private torrent: no PEX message is sent or accepted', async () => {
    const [a, b, c] = (await startWith(() => withMetadata(torrentBytes(true), 0))) as [
      Client,
      Client,
      Client,
    ];
    await a.connect(b.port);
    await b.connect(c.port);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(pexReceived([a, b, c])).toBe(0);
    expect([...a.learned, ...b.learned, ...c.learned]).toEqual([]);
  }, 10_000);

  test('a magnet of a private torrent: nothing before the metadata, nothing after', async () => {
    let emitted = 0;
    // Only the first wire to ask gets the metadata, 600 ms in: until then the privacy is unknown.
    const [a, b, c] = (await startWith(() =>
      withMetadata(torrentBytes(true), 600, () => emitted++ === 0),
    )) as [Client, Client, Client];
    await a.connect(b.port);
    await b.connect(c.port);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(emitted).toBeGreaterThan(0);
    expect(pexReceived([a, b, c])).toBe(0);
    expect([...a.learned, ...b.learned, ...c.learned]).toEqual([]);
  }, 10_000);

  test('a magnet of a public torrent: PEX waits for the metadata, then flows', async () => {
    const [a, b, c] = (await startWith(() => withMetadata(torrentBytes(false), 500))) as [
      Client,
      Client,
      Client,
    ];
    const start = Date.now();
    await a.connect(b.port);
    await b.connect(c.port);
    await waitUntil(() => c.learned.includes(address(a)), 8_000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(450);
  }, 10_000);
});

describe('createPexSwarm on a host that already installed @pex/ut_pex', () => {
  test('adopts the installed extension instead of adding a second ut_pex', async () => {
    const swarm = createPexSwarm(FAST);
    const [a, b] = (await startClients(2, true)) as [Client, Client];
    const wire = await a.connect(b.port);
    await waitUntil(() => Object.keys(wire.peerExtendedHandshake ?? {}).length > 0);
    const installed = pexOf(wire);
    const adopted = swarm.addWire(wire as never, {
      address: '127.0.0.1',
      port: b.port,
      outgoing: true,
    });
    expect(adopted).toBe(installed);
    const names = Object.values((wire as unknown as { extendedMapping: object }).extendedMapping);
    expect(names.filter((name) => name === 'ut_pex')).toHaveLength(1);
    swarm.destroy();
  }, 10_000);
});
