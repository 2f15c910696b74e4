// Node side of the libtorrent interop harness: spawns harness.py, parses its JSON lines and
// makes sure the Python process never outlives the test (close(), an 'exit' hook, stdin EOF
// and PR_SET_PDEATHSIG on the Python side).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requireRealClientOrSkip } from '../support/real-client.js';
import { stopChild } from '../support/stop-child.js';

/** The Debian python3-libtorrent module lives under the system interpreter, not a pyenv one. */
export const LIBTORRENT_PYTHON = process.env.PEX_LIBTORRENT_PYTHON ?? '/usr/bin/python3';

export const HARNESS_SCRIPT_PATH = join(dirname(fileURLToPath(import.meta.url)), 'harness.py');

const DEFAULT_READY_TIMEOUT_MS = 20_000;
const KILL_GRACE_MS = 2_000;
const STDERR_KEEP_CHARS = 8_000;

/** Options for {@link startLibtorrentHarness}; every field is optional. */
export interface LibtorrentHarnessOptions {
  /** IPv4 sessions, listening on 127.0.0.2, 127.0.0.3, ... (default 3). */
  sessions?: number;
  /** How many of the first sessions seed (default 1); the others download. */
  seeds?: number;
  /** IPv4 sessions also listen on [::1], and one more session listens on [::1] only. */
  ipv6?: boolean;
  /** Size of the made-up content (default 8 MiB, i.e. about 400 s at the default limit). */
  sizeBytes?: number;
  /** The seed's per-torrent upload limit (default 20000 B/s), so downloads stay downloads. */
  uploadLimitBytesPerSecond?: number;
  /** Whether sessions dial each other at start (default true). */
  interconnect?: boolean;
  /** Forward every peer_log line instead of only PEX ones (noisy). */
  logAll?: boolean;
  /** How long to wait for the `ready` line (default 20 s). */
  readyTimeoutMs?: number;
}

/** One libtorrent session as announced in the `ready` line. */
export interface HarnessSession {
  session: number;
  /** 127.0.0.x, or "::1" for the IPv6-only session. */
  address: string;
  port: number;
  seed: boolean;
  /** Set when an IPv4 session also listens on [::1] (option `ipv6`). */
  address6?: string;
  port6?: number;
}

export interface Endpoint {
  address: string;
  port: number;
}

/** One entry of libtorrent's `get_peer_info()`, as the harness reports it. */
export interface HarnessPeerInfo extends Endpoint {
  /** peer_info::source bits: 1 tracker, 2 dht, 4 pex, 8 lsd, 16 resume_data, 32 incoming. */
  source: number;
  sources: string[];
  seed: boolean;
  outgoing: boolean;
  connecting: boolean;
  handshake: boolean;
  client: string;
  progress: number;
  local: Endpoint;
}

export type HarnessEvent =
  | {
      event: 'ready';
      infoHash: string;
      pid: number;
      libtorrentVersion: string;
      pieceLength: number;
      size: number;
      peers: HarnessSession[];
    }
  | {
      event: 'peer_log';
      session: number;
      peer: Endpoint;
      /** "==>" sent, "<==" received, "***" / ">>>" / "<<<" internal. */
      direction: string;
      /** PEX_FULL / PEX_DIFF (sent), PEX (received), or any other event with logAll. */
      kind: string;
      /** e.g. "added: 2 msg_size: 82" */
      text: string;
      message: string;
    }
  | { event: 'incoming_connection' | 'peer_connect'; session: number; peer: Endpoint }
  | { event: 'peer_disconnected'; session: number; peer: Endpoint; message: string }
  | { event: 'peer_added'; session: number; peer: HarnessPeerInfo }
  | { event: 'peer_removed'; session: number; peer: Endpoint }
  | { event: 'peers'; cmd: 'peers'; id?: number; session: number; peers: HarnessPeerInfo[] }
  | {
      event: 'status';
      cmd: 'status';
      id?: number;
      session: number;
      progress: number;
      seeding: boolean;
      numPeers: number;
      /** Entries of its peer list (connected or not), and those it counts as seeds. */
      listPeers: number;
      listSeeds: number;
      state: string;
    }
  | { event: 'ok'; cmd: string; id?: number; session?: number }
  | { event: 'torrent_finished'; session: number }
  | { event: 'error'; message: string; id?: number; session?: number }
  | { event: 'fatal'; message: string }
  | { event: 'eof' };

/** Commands understood by harness.py (one JSON object per stdin line). */
export type HarnessCommand =
  | { cmd: 'connect'; session: number; address: string; port: number }
  | { cmd: 'peers'; session: number }
  | { cmd: 'status'; session: number }
  | { cmd: 'set_upload_limit'; session: number; bytesPerSecond: number }
  | { cmd: 'quit' };

export interface LibtorrentHarness {
  readonly pid: number;
  /** Hex info hash of the made-up v1 torrent. */
  readonly infoHash: string;
  /** The sessions, in session order; `peers[0]` is the seed by default. */
  readonly peers: readonly HarnessSession[];
  /** Every event received so far, oldest first (including `ready`). */
  readonly events: readonly HarnessEvent[];
  /**
   * Resolves with the first event, from index `fromIndex` of `events` on (default 0: past
   * events count too), that satisfies `predicate`. Rejects after `timeoutMs` or when the
   * process exits, with the recent events in the message.
   */
  waitFor<E extends HarnessEvent>(
    predicate: (event: HarnessEvent) => event is E,
    timeoutMs: number,
    fromIndex?: number,
  ): Promise<E>;
  waitFor(
    predicate: (event: HarnessEvent) => boolean,
    timeoutMs: number,
    fromIndex?: number,
  ): Promise<HarnessEvent>;
  /** Writes one command line; replies arrive as events. Throws if the process has exited. */
  send(cmd: HarnessCommand): void;
  /** Sends `cmd` with a fresh `id` and resolves with the reply (or rejects on `error`). */
  request(cmd: HarnessCommand, timeoutMs?: number): Promise<HarnessEvent>;
  /** `get_peer_info()` of one session. */
  peerInfo(session: number, timeoutMs?: number): Promise<HarnessPeerInfo[]>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
  close(): Promise<void>;
}

// Every harness process this Node process started and has not yet seen exit. The 'exit'
// hook kills leftovers synchronously (jest workers exit without running afterAll on crash).
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      if (child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
}

/** True when `/usr/bin/python3 -c "import libtorrent"` succeeds. */
export function isLibtorrentAvailable(): boolean {
  const r = spawnSync(LIBTORRENT_PYTHON, ['-c', 'import libtorrent'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return r.status === 0;
}

/**
 * For a test file's top level: true when libtorrent is usable, installing it first when it is
 * missing; otherwise a loud skip, or an error under CI (see `requireRealClientOrSkip`).
 * @throws Error in CI when libtorrent cannot be imported.
 */
export function requireLibtorrentOrSkip(suiteName: string): boolean {
  return requireRealClientOrSkip(
    {
      name: 'libtorrent',
      isAvailable: isLibtorrentAvailable,
      whyMissing: `${LIBTORRENT_PYTHON} cannot "import libtorrent" and installing the Debian package python3-libtorrent failed (scripts/ensure-interop-tools.sh)`,
    },
    suiteName,
  );
}

function harnessArgs(options: LibtorrentHarnessOptions): string[] {
  const args = [HARNESS_SCRIPT_PATH];
  if (options.sessions !== undefined) args.push('--sessions', String(options.sessions));
  if (options.seeds !== undefined) args.push('--seeds', String(options.seeds));
  if (options.ipv6) args.push('--ipv6');
  if (options.sizeBytes !== undefined) args.push('--size', String(options.sizeBytes));
  if (options.uploadLimitBytesPerSecond !== undefined) {
    args.push('--upload-limit', String(options.uploadLimitBytesPerSecond));
  }
  if (options.interconnect === false) args.push('--no-interconnect');
  if (options.logAll) args.push('--log-all');
  return args;
}

interface Waiter {
  predicate: (event: HarnessEvent) => boolean;
  resolve: (event: HarnessEvent) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Spawns harness.py and resolves once it printed `ready` (all sessions listening).
 * @throws Error when the process fails to start, exits, or is not ready within the timeout
 *   (the process is killed first).
 */
export async function startLibtorrentHarness(
  options: LibtorrentHarnessOptions = {},
): Promise<LibtorrentHarness> {
  installExitHook();
  const child = spawn(LIBTORRENT_PYTHON, harnessArgs(options), {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  liveChildren.add(child);

  const events: HarnessEvent[] = [];
  const waiters = new Set<Waiter>();
  let stderr = '';
  let exited = false;
  let exitDescription = '';
  let nextId = 1;

  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      exitDescription = `harness.py exited (code ${code}, signal ${signal})`;
      liveChildren.delete(child);
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error(`${exitDescription} while waiting; stderr:\n${stderr}`));
      }
      waiters.clear();
      resolve();
    });
  });
  child.once('error', (err) => {
    // spawn failure: 'exit' may never come
    exited = true;
    exitDescription = `harness.py failed to start: ${err.message}`;
    liveChildren.delete(child);
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new Error(exitDescription));
    }
    waiters.clear();
  });
  child.stdin?.on('error', () => {
    // EPIPE after the process died; the exit handler reports it
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
  });

  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  lines.on('line', (line) => {
    let event: HarnessEvent;
    try {
      event = JSON.parse(line) as HarnessEvent;
    } catch {
      stderr = `${stderr}[stdout, not JSON] ${line}\n`.slice(-STDERR_KEEP_CHARS);
      return;
    }
    events.push(event);
    for (const w of waiters) {
      if (w.predicate(event)) {
        clearTimeout(w.timer);
        waiters.delete(w);
        w.resolve(event);
      }
    }
  });

  function recentEvents(): string {
    return events
      .slice(-15)
      .map((e) => JSON.stringify(e).slice(0, 300))
      .join('\n');
  }

  function waitFor(
    predicate: (event: HarnessEvent) => boolean,
    timeoutMs: number,
    fromIndex = 0,
  ): Promise<HarnessEvent> {
    for (let i = fromIndex; i < events.length; i++) {
      const e = events[i] as HarnessEvent;
      if (predicate(e)) return Promise.resolve(e);
    }
    if (exited) return Promise.reject(new Error(`${exitDescription}; stderr:\n${stderr}`));
    return new Promise<HarnessEvent>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `harness: no matching event within ${timeoutMs} ms; last events:\n${recentEvents()}\nstderr:\n${stderr}`,
            ),
          );
        }, timeoutMs),
      };
      waiters.add(waiter);
    });
  }

  function send(cmd: HarnessCommand): void {
    writeLine(cmd);
  }

  function writeLine(obj: object): void {
    if (exited || child.stdin === null || child.stdin.destroyed) {
      throw new Error(`harness: cannot send, ${exitDescription || 'stdin closed'}`);
    }
    child.stdin.write(`${JSON.stringify(obj)}\n`);
  }

  async function request(cmd: HarnessCommand, timeoutMs = 5_000): Promise<HarnessEvent> {
    const id = nextId++;
    const from = events.length;
    const reply = waitFor((e) => 'id' in e && e.id === id, timeoutMs, from);
    writeLine({ ...cmd, id });
    const e = await reply;
    if (e.event === 'error') throw new Error(`harness: ${cmd.cmd} failed: ${e.message}`);
    return e;
  }

  async function peerInfo(session: number, timeoutMs?: number): Promise<HarnessPeerInfo[]> {
    const e = await request({ cmd: 'peers', session }, timeoutMs);
    if (e.event !== 'peers') throw new Error(`harness: unexpected reply ${e.event}`);
    return e.peers;
  }

  async function close(): Promise<void> {
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('harness closed'));
    }
    waiters.clear();
    if (!exited) child.stdin?.end();
    await stopChild(child, exitPromise, () => exited, KILL_GRACE_MS);
    liveChildren.delete(child);
  }

  let ready: Extract<HarnessEvent, { event: 'ready' }>;
  try {
    const e = await waitFor(
      (ev) => ev.event === 'ready' || ev.event === 'fatal',
      options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    );
    if (e.event !== 'ready')
      throw new Error(`harness.py: ${e.event === 'fatal' ? e.message : e.event}`);
    ready = e;
  } catch (err) {
    await close();
    throw err;
  }

  return {
    pid: child.pid as number,
    infoHash: ready.infoHash,
    peers: ready.peers,
    events,
    waitFor: waitFor as LibtorrentHarness['waitFor'],
    send,
    request,
    peerInfo,
    close,
  };
}
