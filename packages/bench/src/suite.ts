import { createDecodeTasks, createEncodeTasks } from './codec-cases.js';
import { createMessagePool } from './fixtures.js';
import { measureMemory } from './memory.js';
import { type RunSettings, runTasks } from './runner.js';
import { createAdvertiseTasks, createEventTasks } from './swarm-cases.js';
import type { BenchTask } from './task.js';
import { createReceiveTasks, createSendTasks, MESSAGES_PER_SOURCE } from './wire-cases.js';

export interface SuiteSettings extends RunSettings {
  /** Distinct messages per family in the message cases (a multiple of 4). */
  readonly poolSize: number;
  readonly wireCounts: readonly number[];
  /** Distinct peers joining and leaving per call in the event-only swarm case. */
  readonly eventBatch: number;
  readonly memoryConnections: number;
  readonly seed: number;
}

/** The default run: about a minute and a half on a busy 2-core machine. */
export const FULL_SETTINGS: SuiteSettings = {
  timeMs: 300,
  warmupMs: 100,
  minIterations: 3,
  rounds: 3,
  poolSize: 256,
  wireCounts: [10, 100, 1000],
  eventBatch: 64,
  memoryConnections: 200,
  seed: 11,
};

/** Every case once, tiny: for the smoke test (numbers meaningless, shape complete). */
export const SMOKE_SETTINGS: SuiteSettings = {
  timeMs: 0,
  warmupMs: 0,
  minIterations: 1,
  rounds: 1,
  poolSize: 8,
  wireCounts: [10, 100, 1000],
  eventBatch: 4,
  memoryConnections: 16,
  seed: 11,
};

/** How a row's ratio reads and what it must reach. */
export type RowKind =
  /** ratio = other / ours (how many times faster or smaller ours is); pass if >= target. */
  | 'speedup'
  /** ratio = ours / other (how many times the floor ours costs); pass if <= target. */
  | 'at-most';

export interface ResultRow {
  readonly name: string;
  readonly oursLabel: string;
  readonly ours: number;
  readonly otherLabel: string;
  readonly other: number;
  /** `ns` per unit, or `B` per connection. */
  readonly unit: 'ns' | 'B';
  readonly per: string;
  readonly kind: RowKind;
  readonly ratio: number;
  readonly target: number | undefined;
  readonly pass: boolean | undefined;
}

export interface SuiteResult {
  readonly rows: readonly ResultRow[];
  readonly settings: SuiteSettings;
}

interface RowSpec {
  readonly name: string;
  readonly ours: string;
  readonly other: string;
  readonly per: string;
  readonly kind: RowKind;
  readonly target?: number;
}

/**
 * Runs every case and returns the table rows.
 * @throws {Error} if a case does not do the work it claims (see `runTasks`).
 */
export function runSuite(settings: SuiteSettings): SuiteResult {
  if (settings.poolSize % MESSAGES_PER_SOURCE !== 0) {
    throw new RangeError(
      `"poolSize" expected a multiple of ${MESSAGES_PER_SOURCE}, got ${settings.poolSize}`,
    );
  }
  const { seed } = settings;
  const pool4 = createMessagePool(4, settings.poolSize, seed);
  const pool6 = createMessagePool(6, settings.poolSize, seed + 1);
  const tasks: BenchTask[] = [
    ...createDecodeTasks(4, pool4),
    ...createDecodeTasks(6, pool6),
    ...createEncodeTasks(pool4),
    ...createReceiveTasks(4, pool4),
    ...createReceiveTasks(6, pool6),
    ...createSendTasks(pool4),
  ];
  const specs: RowSpec[] = [
    spec('decode 50 IPv4 peers', 'core-decode-v4', 'incumbent-decode-v4', 'message', 10),
    spec('decode 50 IPv6 peers', 'core-decode-v6', 'incumbent-decode-v6', 'message', 10),
    floor('core decode vs floor, IPv4', 'core-decode-v4', 'bare-loop-v4', 'message', 3),
    floor('core decode vs floor, IPv6', 'core-decode-v6', 'bare-loop-v6', 'message', 3),
    spec('receive path, 50 IPv4 peers', 'adapter-receive-v4', 'utpex-receive-v4', 'message', 5),
    spec('receive path, 50 IPv6 peers', 'adapter-receive-v6', 'utpex-receive-v6', 'message', 5),
    spec('encode 50 IPv4 peers', 'core-encode-v4', 'incumbent-encode-v4', 'message', 10),
    spec('send path, 50 IPv4 peers', 'adapter-send-v4', 'utpex-send-v4', 'message'),
  ];
  const last = settings.wireCounts[settings.wireCounts.length - 1];
  for (const [i, w] of settings.wireCounts.entries()) {
    tasks.push(...createAdvertiseTasks(w, seed + 100 + i));
    tasks.push(...createEventTasks(w, settings.eventBatch, seed + 200 + i));
  }
  for (const w of settings.wireCounts) {
    const target = w === last ? 100 : undefined;
    specs.push(
      spec(
        `swarm W=${w}: join+leave, every wire's message`,
        `timeline-advertise-${w}`,
        `utpex-advertise-${w}`,
        'join+leave',
        target,
      ),
    );
  }
  for (const w of settings.wireCounts) {
    const target = w === last ? 100 : undefined;
    specs.push(
      spec(
        `swarm W=${w}: join+leave event`,
        `timeline-event-${w}`,
        `utpex-event-${w}`,
        'join+leave',
        target,
      ),
    );
  }
  const first = settings.wireCounts[0];
  if (first !== undefined && last !== undefined && first !== last) {
    specs.push(
      floor(
        `swarm event O(1): ours at W=${last} vs W=${first}`,
        `timeline-event-${last}`,
        `timeline-event-${first}`,
        'join+leave',
        2,
      ),
    );
  }

  const perUnit = runTasks(tasks, settings);
  const labels = new Map(tasks.map((task) => [task.id, task.label]));
  const rows: ResultRow[] = specs.map((s) => {
    const ours = perUnit.get(s.ours) as number;
    const other = perUnit.get(s.other) as number;
    const oursLabel = labels.get(s.ours) as string;
    const otherLabel = labels.get(s.other) as string;
    const sameSide = s.ours.startsWith('timeline') && s.other.startsWith('timeline');
    return makeRow(
      s,
      sameSide ? `${oursLabel}, W=${last}` : oursLabel,
      ours,
      sameSide ? `W=${first}` : otherLabel,
      other,
      'ns',
    );
  });

  const memory = measureMemory({
    connections: settings.memoryConnections,
    // A median of at least 3: one heap reading can be thrown off by garbage from earlier work.
    rounds: Math.max(settings.rounds, 3),
    seed: seed + 300,
  });
  rows.push(
    makeRow(
      {
        name: `memory per connection (${memory.learned} learned + ${memory.toAdvertise} to advertise)`,
        ours: '',
        other: '',
        per: 'connection',
        kind: 'speedup',
        target: 4,
      },
      '@pex/wire-adapter utPex()',
      memory.oursBytes,
      'ut_pex',
      memory.theirsBytes,
      'B',
    ),
  );
  return { rows, settings };
}

function spec(name: string, ours: string, other: string, per: string, target?: number): RowSpec {
  return { name, ours, other, per, kind: 'speedup', ...(target === undefined ? {} : { target }) };
}

function floor(name: string, ours: string, other: string, per: string, target: number): RowSpec {
  return { name, ours, other, per, kind: 'at-most', target };
}

function makeRow(
  s: RowSpec,
  oursLabel: string,
  ours: number,
  otherLabel: string,
  other: number,
  unit: 'ns' | 'B',
): ResultRow {
  const ratio = s.kind === 'speedup' ? other / ours : ours / other;
  const target = s.target;
  const pass =
    target === undefined ? undefined : s.kind === 'speedup' ? ratio >= target : ratio <= target;
  return {
    name: s.name,
    oursLabel,
    ours,
    otherLabel,
    other,
    unit,
    per: s.per,
    kind: s.kind,
    ratio,
    target,
    pass,
  };
}
