import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Runs one ring (ring-main.mjs) in a child process with a SIGKILL timeout, so a hang is a failed
// test, not a stuck jest. The ring's client processes notice their parent is gone (the IPC
// channel closes) and stop on their own.

const script = join(dirname(fileURLToPath(import.meta.url)), 'ring-main.mjs');

export interface RingWire {
  type: string;
  remote: string;
  extension: string;
  localUtPex: boolean;
  remoteUtPex: boolean;
  pexSent: number;
  pexReceived: number;
  pexReceivedMs: number[];
  otherExtendedReceived: number;
  peerEvents: number;
  droppedEvents: number;
  openedMs: number | null;
  closedMs: number | null;
  closedWhileRunning: boolean;
}

export interface RingClient {
  index: number;
  impl: 'alias' | 'original';
  listen: string;
  told: string[];
  done: boolean;
  doneMs: number | null;
  metadata: { private: boolean; ms: number | null } | null;
  knowsAll: boolean;
  knownAllMs: number | null;
  learned: Record<string, number>;
  learnedOther: string[];
  peerEvents: number;
  missing: string[];
  dropped: { address: string; ms: number | null }[];
  pexSent: number;
  pexReceived: number;
  warnings: { extension: string; message: string; t: number | null }[];
  closesWhileRunning: {
    remote: string;
    wireType: string;
    floodKilled: boolean;
    t: number | null;
  }[];
  floodKilled: number;
  wires: RingWire[];
  reportedFinal: boolean;
  destroyed: boolean;
  exit: { code: number | null; signal: string | null } | null;
  exitAfterStopMs: number | null;
  hung: boolean;
  output: string;
}

export interface RingResult {
  options: Record<string, unknown>;
  builtinUtPex: (string | null)[];
  private: boolean | null;
  ranMs: number | null;
  converged: boolean;
  convergedMs: number | null;
  allDone: boolean;
  leave: {
    leaver: number;
    address: string;
    /** Every other client had learned the leaver's address from a 'peer' event when it left. */
    learnedBeforeLeave: boolean;
    leftMs: number | null;
    droppedAfterMs: Record<string, number | null>;
  } | null;
  totals: {
    peerEvents: number;
    droppedEvents: number;
    pexSent: number;
    pexReceived: number;
    floodKilled: number;
    closesWhileRunning: number;
    warnings: number;
    wiresBothUtPex: number;
  };
  hung: number[];
  errors: { client: number | null; where: string; message: string; t: number | null }[];
  clients: RingClient[];
}

export interface RingRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stderr: string;
  result: RingResult | null;
}

export interface RingOptions {
  clients?: number;
  impl?: 'alias' | 'original' | 'mixed';
  advertise?: boolean;
  private?: boolean;
  magnet?: boolean;
  bytes?: number;
  mode?: 'fixed' | 'converge';
  durationMs?: number;
  convergeMs?: number;
  leave?: boolean;
  dropWaitMs?: number;
  magnetSeedDelayMs?: number;
  startupMs?: number;
  exitGraceMs?: number;
}

export function runRingInChild(options: RingOptions, timeoutMs: number): Promise<RingRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, JSON.stringify(options)], {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      let result: RingResult | null = null;
      try {
        result = JSON.parse(last) as RingResult;
      } catch {
        result = null;
      }
      resolve({ status, signal, timedOut, stderr, result });
    });
  });
}

/** One line per client, for the test log: what it learned, when, and what it sent. */
export function describeRing(name: string, result: RingResult): string {
  const head = `${name}: ran ${result.ranMs} ms, converged ${result.converged} (${result.convergedMs} ms), all done ${result.allDone}, totals ${JSON.stringify(result.totals)}`;
  const lines = result.clients.map(
    (c) =>
      `  #${c.index} ${c.impl} ${c.listen} told ${c.told.join(',')} done ${c.doneMs} ms, learned ${Object.keys(c.learned).length} (all at ${c.knownAllMs} ms), other ${c.learnedOther.length}, dropped ${c.dropped.length}, pex sent ${c.pexSent} received ${c.pexReceived}, warnings ${c.warnings.length}, closes ${c.closesWhileRunning.length}, exit ${JSON.stringify(c.exit)} after ${c.exitAfterStopMs} ms`,
  );
  const leave = result.leave ? [`  leave: ${JSON.stringify(result.leave)}`] : [];
  const errors = result.errors.length > 0 ? [`  errors: ${JSON.stringify(result.errors)}`] : [];
  return [head, ...lines, ...leave, ...errors].join('\n');
}
