// A real transmission-daemon (3.00, Debian) for interop tests on loopback: its own temporary
// config dir, peer port on its own 127.0.0.x address (and [::1]), RPC on 127.0.0.1 without
// auth, no DHT/LPD/uTP/port mapping, encryption tolerated. One made-up v1 torrent is added
// through RPC, with no data on disk, so Transmission is downloading and wants peers.
// The daemon is killed by pid on close (SIGTERM, SIGKILL after a grace period) and by an
// 'exit' hook of the jest worker; the temporary directory is removed both times.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bencode from 'bencode';
import { requireRealClientOrSkip } from '../support/real-client.js';
import { stopChild } from '../support/stop-child.js';

export const TRANSMISSION_DAEMON = process.env.PEX_TRANSMISSION_DAEMON ?? 'transmission-daemon';

const DEFAULT_READY_TIMEOUT_MS = 20_000;
const KILL_GRACE_MS = 3_000;
const LOG_KEEP_CHARS = 200_000;
const PIECE_LENGTH = 16 * 1024;
const DEFAULT_PIECES = 8;

export interface TransmissionHarnessOptions {
  /** Transmission's IPv4 peer address (default 127.0.0.20). */
  address?: string;
  /** Also listen on [::1] at the same peer port (default true). */
  ipv6?: boolean;
  /** Pieces of the made-up torrent, 16 KiB each (default 8). */
  pieces?: number;
  /**
   * Deep (per-peer) logging to stderr via TR_DEBUG_FD=2: Transmission then logs every PEX it
   * sends and receives. Default true.
   */
  deepLog?: boolean;
  /** How long to wait for RPC and the torrent (default 20 s). */
  readyTimeoutMs?: number;
}

export interface TransmissionTorrent {
  /** Hex v1 info hash. */
  infoHash: string;
  /** Transmission's torrent id. */
  id: number;
  name: string;
  pieceLength: number;
  pieces: number;
  size: number;
}

/** One entry of RPC `torrent-get` `peers`. */
export interface TransmissionPeer {
  address: string;
  port: number;
  clientName: string;
  flagStr: string;
  isIncoming: boolean;
  isEncrypted: boolean;
  isUTP: boolean;
}

export interface TransmissionHarness {
  readonly pid: number;
  readonly address: string;
  /** Peer port, on `address` and (option `ipv6`) on ::1. */
  readonly port: number;
  readonly address6: string | undefined;
  readonly rpcUrl: string;
  readonly configDir: string;
  readonly torrent: TransmissionTorrent;
  readonly version: string;
  /** Everything the daemon wrote to stdout and stderr so far (tail, see LOG_KEEP_CHARS). */
  log(): string;
  /** Calls the RPC method and returns `arguments`; throws unless `result` is "success". */
  rpc(method: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** `torrent-get` of the harness torrent with `fields`. */
  torrentGet(fields: string[]): Promise<Record<string, unknown>>;
  /** The torrent's connected peers as RPC reports them. */
  peers(): Promise<TransmissionPeer[]>;
  /** SIGTERM, then SIGKILL after a grace period; removes the config dir. Safe to call twice. */
  close(): Promise<void>;
}

// Every daemon this Node process started and has not yet seen exit, with its temp dir. The
// 'exit' hook kills them synchronously (a crashing jest worker does not run afterAll).
const live = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [child, dir] of live) {
      if (child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** True when `transmission-daemon --version` runs. */
export function isTransmissionAvailable(): boolean {
  const r = spawnSync(TRANSMISSION_DAEMON, ['--version'], { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/**
 * For a test file's top level: true when transmission-daemon is usable, installing it first
 * when missing; otherwise a loud skip, or an error under CI (see `requireRealClientOrSkip`).
 * @throws Error in CI when transmission-daemon cannot run.
 */
export function requireTransmissionOrSkip(suiteName: string): boolean {
  return requireRealClientOrSkip(
    {
      name: 'transmission-daemon',
      isAvailable: isTransmissionAvailable,
      whyMissing: `${TRANSMISSION_DAEMON} cannot run and installing the Debian package transmission-daemon failed (scripts/ensure-interop-tools.sh)`,
    },
    suiteName,
  );
}

/** A free TCP port on `host` (bound and released; the daemon binds it right after). */
export async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => resolve());
  });
  const bound = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (bound === null || typeof bound === 'string') throw new Error('freePort: no TCP address');
  return bound.port;
}

/** A made-up single-file v1 torrent without tracker: bencoded metainfo and its info hash. */
export function makeTorrent(pieces: number): {
  metainfo: Uint8Array;
  infoHash: string;
  name: string;
  size: number;
} {
  const size = pieces * PIECE_LENGTH - 1_000; // a short last piece
  const content = randomBytes(size);
  const hashes: Buffer[] = [];
  for (let at = 0; at < size; at += PIECE_LENGTH) {
    hashes.push(
      createHash('sha1')
        .update(content.subarray(at, at + PIECE_LENGTH))
        .digest(),
    );
  }
  const name = `pex-interop-${randomBytes(4).toString('hex')}.bin`;
  const info = {
    length: size,
    name,
    'piece length': PIECE_LENGTH,
    pieces: Buffer.concat(hashes),
  };
  const infoHash = createHash('sha1').update(bencode.encode(info)).digest('hex');
  const metainfo = bencode.encode({ 'created by': 'pex interop tests', info });
  return { metainfo, infoHash, name, size };
}

/**
 * Starts transmission-daemon in the foreground with a fresh config dir, waits for its RPC, adds
 * the made-up torrent and waits until it is downloading (status 4) with nothing on disk.
 * @throws Error when the daemon exits, RPC or the torrent is not ready within the timeout
 *   (the daemon is killed and the dir removed first).
 */
export async function startTransmission(
  options: TransmissionHarnessOptions = {},
): Promise<TransmissionHarness> {
  installExitHook();
  const address = options.address ?? '127.0.0.20';
  const ipv6 = options.ipv6 ?? true;
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const configDir = mkdtempSync(join(tmpdir(), 'pex-transmission-'));
  const downloadDir = join(configDir, 'downloads');
  const port = await freePort(address);
  const rpcPort = await freePort('127.0.0.1');

  const settings = {
    'bind-address-ipv4': address,
    'bind-address-ipv6': ipv6 ? '::1' : '::',
    'peer-port': port,
    'peer-port-random-on-start': false,
    'port-forwarding-enabled': false,
    'dht-enabled': false,
    'lpd-enabled': false,
    'utp-enabled': false,
    'pex-enabled': true,
    // 0 = tolerated: prefer plaintext, accept both.
    encryption: 0,
    'blocklist-enabled': false,
    'download-dir': downloadDir,
    'incomplete-dir-enabled': false,
    'watch-dir-enabled': false,
    'start-added-torrents': true,
    'rename-partial-files': true,
    'peer-limit-global': 200,
    'peer-limit-per-torrent': 50,
    'rpc-enabled': true,
    'rpc-bind-address': '127.0.0.1',
    'rpc-port': rpcPort,
    'rpc-authentication-required': false,
    'rpc-whitelist-enabled': false,
    'rpc-host-whitelist-enabled': false,
    'ratio-limit-enabled': false,
    'idle-seeding-limit-enabled': false,
    'queue-stalled-enabled': false,
    'download-queue-enabled': false,
    'seed-queue-enabled': false,
    'scrape-paused-torrents-enabled': false,
    'message-level': 2,
  };
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify(settings, null, 2));

  const env: NodeJS.ProcessEnv = { ...process.env };
  if (options.deepLog ?? true) env.TR_DEBUG_FD = '2';
  const child = spawn(TRANSMISSION_DAEMON, ['--foreground', '--config-dir', configDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  live.set(child, configDir);

  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-LOG_KEEP_CHARS);
  };
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let exited = false;
  let exitDescription = '';
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      exitDescription = `transmission-daemon exited (code ${code}, signal ${signal})`;
      resolve();
    });
  });
  child.once('error', (err) => {
    exited = true;
    exitDescription = `transmission-daemon failed to start: ${err.message}`;
  });

  const rpcUrl = `http://127.0.0.1:${rpcPort}/transmission/rpc`;
  let sessionId = '';
  async function rpc(
    method: string,
    args: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Transmission-Session-Id': sessionId },
        body: JSON.stringify({ method, arguments: args }),
        signal: AbortSignal.timeout(5_000),
      });
      if (res.status === 409) {
        sessionId = res.headers.get('X-Transmission-Session-Id') ?? '';
        continue;
      }
      if (!res.ok) throw new Error(`transmission rpc ${method}: HTTP ${res.status}`);
      const body = (await res.json()) as { result: string; arguments?: Record<string, unknown> };
      if (body.result !== 'success') throw new Error(`transmission rpc ${method}: ${body.result}`);
      return body.arguments ?? {};
    }
    throw new Error(`transmission rpc ${method}: no session id after 3 attempts`);
  }

  let closed: Promise<void> | undefined;
  function close(): Promise<void> {
    closed ??= (async () => {
      await stopChild(child, exitPromise, () => exited, KILL_GRACE_MS);
      live.delete(child);
      rmSync(configDir, { recursive: true, force: true });
    })();
    return closed;
  }

  const deadline = performance.now() + readyTimeoutMs;
  const failStart = async (why: string): Promise<never> => {
    const log = output.slice(-4_000);
    await close();
    throw new Error(`transmission harness: ${why}\n--- daemon output (tail) ---\n${log}`);
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  // 1. RPC answers.
  let version = '';
  for (;;) {
    if (exited) return failStart(exitDescription);
    if (performance.now() > deadline) return failStart(`no RPC within ${readyTimeoutMs} ms`);
    try {
      const s = await rpc('session-get');
      version = String(s.version ?? '');
      break;
    } catch {
      await sleep(100);
    }
  }

  // 2. The torrent, started, with no data: downloading.
  const made = makeTorrent(options.pieces ?? DEFAULT_PIECES);
  let id: number;
  try {
    const added = await rpc('torrent-add', {
      metainfo: Buffer.from(made.metainfo).toString('base64'),
      'download-dir': downloadDir,
      paused: false,
    });
    const t = (added['torrent-added'] ?? added['torrent-duplicate']) as
      | { id: number; hashString: string }
      | undefined;
    if (t === undefined) return failStart(`torrent-add returned ${JSON.stringify(added)}`);
    if (t.hashString !== made.infoHash) {
      return failStart(`torrent-add hash ${t.hashString}, expected ${made.infoHash}`);
    }
    id = t.id;
  } catch (err) {
    return failStart(`torrent-add failed: ${(err as Error).message}`);
  }

  const torrentGet = async (fields: string[]): Promise<Record<string, unknown>> => {
    const r = await rpc('torrent-get', { ids: [id], fields });
    const list = r.torrents as Record<string, unknown>[] | undefined;
    const first = list?.[0];
    if (first === undefined) throw new Error(`torrent-get: torrent ${id} not found`);
    return first;
  };

  // Status 4 = downloading (0 stopped, 1/2 check, 3 queued to download).
  for (;;) {
    if (exited) return failStart(exitDescription);
    if (performance.now() > deadline) {
      return failStart(`torrent not downloading within ${readyTimeoutMs} ms`);
    }
    const t = await torrentGet(['status', 'percentDone', 'error', 'errorString']).catch(
      () => undefined,
    );
    if (t !== undefined && t.status === 4 && t.percentDone === 0) break;
    await sleep(100);
  }

  return {
    pid: child.pid as number,
    address,
    port,
    address6: ipv6 ? '::1' : undefined,
    rpcUrl,
    configDir,
    torrent: {
      infoHash: made.infoHash,
      id,
      name: made.name,
      pieceLength: PIECE_LENGTH,
      pieces: Math.ceil(made.size / PIECE_LENGTH),
      size: made.size,
    },
    version,
    log: () => output,
    rpc,
    torrentGet,
    async peers() {
      const t = await torrentGet(['peers']);
      return (t.peers as TransmissionPeer[] | undefined) ?? [];
    },
    close,
  };
}
