import {
  createDecodeTasks,
  createEncodeTasks,
  type DecodeVariant,
  decodeVariantId,
  describeDecodeVariant,
} from './codec-cases.js';
import { type AddressScope, createMessagePool } from './fixtures.js';
import { measureMemory } from './memory.js';
import { type RunSettings, runTasks } from './runner.js';
import { measureScale, type ScalePoint, type ScaleSettings } from './scale.js';
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
  /** Heap readings per side in the memory case (the median is kept). */
  readonly memoryRounds: number;
  /** Pool sizes of the decode variants (each a pool of distinct 50-peer messages). */
  readonly decodePoolSizes: readonly number[];
  /** Measured time per round of each decode task, ms (there are 48). */
  readonly decodeTimeMs: number;
  /** Sizes of the seedbox case, smallest first; empty leaves it out. */
  readonly scale: readonly ScaleSettings[];
  /** The size whose numbers are held against the seedbox targets (an index into `scale`). */
  readonly scaleTargetIndex: number;
  readonly seed: number;
}

/** Seedbox sizes: torrents x 100 wires, 2 simulated minutes of warm-up and 3 measured. */
function seedbox(torrents: number, seed: number): ScaleSettings {
  return { torrents, wiresPerTorrent: 100, warmupMinutes: 2, measuredMinutes: 3, seed };
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
  memoryRounds: 3,
  decodePoolSizes: [256, 1000],
  decodeTimeMs: 150,
  scale: [seedbox(10, 41), seedbox(100, 41), seedbox(500, 41)],
  scaleTargetIndex: 1,
  seed: 11,
};

/** Only the seedbox case (`--scale`): the full sizes. */
export const SCALE_ONLY_SETTINGS: readonly ScaleSettings[] = FULL_SETTINGS.scale;

/** Every case once, tiny: for the smoke test (numbers meaningless, shape complete). */
export const SMOKE_SETTINGS: SuiteSettings = {
  timeMs: 0,
  warmupMs: 0,
  minIterations: 1,
  rounds: 1,
  poolSize: 8,
  wireCounts: [10, 100, 1000],
  eventBatch: 4,
  // Enough connections that the heap they hold stands above the collector's noise.
  memoryConnections: 64,
  memoryRounds: 1,
  decodePoolSizes: [4, 8],
  decodeTimeMs: 0,
  scale: [{ torrents: 2, wiresPerTorrent: 10, warmupMinutes: 1, measuredMinutes: 1, seed: 41 }],
  scaleTargetIndex: 0,
  seed: 11,
};

/** How a row's ratio reads and what it must reach. */
export type RowKind =
  /** ratio = other / ours (how many times faster or smaller ours is); pass if >= target. */
  | 'speedup'
  /** ratio = ours / other (how many times the floor ours costs); pass if <= target. */
  | 'at-most'
  /** ratio = other / ours, as `speedup`; the target bounds ours itself: pass if ours <= target. */
  | 'limit';

/** How a row's values are written: ns per unit, bytes, or per cent of one core. */
export type RowUnit = 'ns' | 'B' | '%';

export interface ResultRow {
  readonly name: string;
  readonly oursLabel: string;
  readonly ours: number;
  readonly otherLabel: string;
  readonly other: number;
  /** `ns` per unit, `B` per connection or in all, `%` of one core. */
  readonly unit: RowUnit;
  readonly per: string;
  readonly kind: RowKind;
  readonly ratio: number;
  readonly target: number | undefined;
  readonly pass: boolean | undefined;
}

/** One decode variant: ns per 50-peer message for each of the three. */
export interface DecodeResult {
  readonly variant: DecodeVariant;
  readonly name: string;
  readonly ours: number;
  readonly incumbent: number;
  readonly floor: number;
}

export interface SuiteResult {
  readonly rows: readonly ResultRow[];
  readonly decode: readonly DecodeResult[];
  readonly scale: readonly ScalePoint[];
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
  const variants = listDecodeVariants(settings.decodePoolSizes);
  const tasks: BenchTask[] = [];
  // One pool per family, size and scope, shared by its two consumers.
  const pools = new Map<string, ReturnType<typeof createMessagePool>>();
  for (const [i, variant] of variants.entries()) {
    const key = `${variant.family}-${variant.poolSize}-${variant.scope}`;
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = createMessagePool(variant.family, variant.poolSize, seed + 400 + i, variant.scope);
      pools.set(key, pool);
    }
    for (const task of createDecodeTasks(variant, pool)) {
      tasks.push({ ...task, timeMs: settings.decodeTimeMs });
    }
  }
  tasks.push(
    ...createEncodeTasks(pool4),
    ...createReceiveTasks(4, pool4),
    ...createReceiveTasks(6, pool6),
    ...createSendTasks(pool4),
  );
  const specs: RowSpec[] = [
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
        'wire message',
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
        `swarm per-wire message O(1): ours at W=${last} vs W=${first}`,
        `timeline-advertise-${last}`,
        `timeline-advertise-${first}`,
        'wire message',
        2,
      ),
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
  const decode: DecodeResult[] = variants.map((variant) => {
    const id = decodeVariantId(variant);
    return {
      variant,
      name: describeDecodeVariant(variant),
      ours: perUnit.get(`core-decode-${id}`) as number,
      incumbent: perUnit.get(`incumbent-decode-${id}`) as number,
      floor: perUnit.get(`floor-decode-${id}`) as number,
    };
  });
  const rows: ResultRow[] = decodeRows(decode);
  const specRows = specs.map((s) => {
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
  rows.push(...specRows);

  const memory = measureMemory({
    connections: settings.memoryConnections,
    // A median of 3 in the full run: one heap reading can be thrown off by garbage from earlier work.
    rounds: settings.memoryRounds,
    seed: seed + 300,
  });
  const memoryName = `${memory.learned} learned + ${memory.toAdvertise} to advertise`;
  rows.push(
    makeRow(
      named(`memory per connection, utPex() (${memoryName})`, 'connection', 'speedup', 6),
      '@pex/wire-adapter utPex()',
      memory.oursBytes,
      'ut_pex',
      memory.theirsBytes,
      'B',
    ),
    makeRow(
      named(`memory per connection, swarm helper (${memoryName})`, 'connection', 'speedup', 12),
      '@pex/wire-adapter createPexSwarm()',
      memory.swarmBytes,
      'ut_pex',
      memory.theirsBytes,
      'B',
    ),
    makeRow(
      named('memory per connection, swarm helper: at most 4 KiB', 'connection', 'limit', 4096),
      '@pex/wire-adapter createPexSwarm()',
      memory.swarmBytes,
      'ut_pex',
      memory.theirsBytes,
      'B',
    ),
    makeRow(
      named('memory per connection, utPex(), no peer flagged 0x08', 'connection', 'speedup'),
      '@pex/wire-adapter utPex()',
      memory.oursPlainBytes,
      'ut_pex',
      memory.theirsBytes,
      'B',
    ),
    makeRow(
      named('memory per connection, swarm helper, no peer flagged 0x08', 'connection', 'speedup'),
      '@pex/wire-adapter createPexSwarm()',
      memory.swarmPlainBytes,
      'ut_pex',
      memory.theirsBytes,
      'B',
    ),
  );

  const scale = settings.scale.map((size, i) => measureScale(size, i % 2 === 0));
  const target = scale[settings.scaleTargetIndex];
  if (target !== undefined) rows.push(...seedboxRows(target));
  return { rows, decode, scale, settings };
}

/** Every decode variant: both families, each pool size, public and private, both consumers. */
export function listDecodeVariants(poolSizes: readonly number[]): DecodeVariant[] {
  const variants: DecodeVariant[] = [];
  for (const family of [4, 6] as const) {
    for (const poolSize of poolSizes) {
      for (const scope of ['public', 'private'] as AddressScope[]) {
        for (const readsAddress of [false, true]) {
          variants.push({ family, poolSize, scope, readsAddress });
        }
      }
    }
  }
  return variants;
}

/** Which variant is worst and best against ut_pex and against the floor. */
function decodeRows(decode: readonly DecodeResult[]): ResultRow[] {
  if (decode.length === 0) return [];
  const byIncumbent = [...decode].sort((a, b) => a.incumbent / a.ours - b.incumbent / b.ours);
  const byFloor = [...decode].sort((a, b) => b.ours / b.floor - a.ours / a.floor);
  const worstI = byIncumbent[0] as DecodeResult;
  const bestI = byIncumbent[byIncumbent.length - 1] as DecodeResult;
  const worstF = byFloor[0] as DecodeResult;
  const bestF = byFloor[byFloor.length - 1] as DecodeResult;
  const n = decode.length;
  const core = (d: DecodeResult) => `@pex/core decodePexMessage (${d.name})`;
  return [
    makeRow(
      named(`decode 50 peers vs ut_pex: worst of ${n} variants`, 'message', 'speedup', 10),
      core(worstI),
      worstI.ours,
      'bencode.decode + compact2string',
      worstI.incumbent,
      'ns',
    ),
    makeRow(
      named(`decode 50 peers vs ut_pex: best of ${n} variants`, 'message', 'speedup', 10),
      core(bestI),
      bestI.ours,
      'bencode.decode + compact2string',
      bestI.incumbent,
      'ns',
    ),
    makeRow(
      named(`decode 50 peers vs object floor: worst of ${n} variants`, 'message', 'at-most', 1.5),
      core(worstF),
      worstF.ours,
      'the same objects built by hand',
      worstF.floor,
      'ns',
    ),
    makeRow(
      named(`decode 50 peers vs object floor: best of ${n} variants`, 'message', 'at-most', 1.5),
      core(bestF),
      bestF.ours,
      'the same objects built by hand',
      bestF.floor,
      'ns',
    ),
  ];
}

/** The seedbox targets at one size: CPU share of one core, heap, and longest task. */
function seedboxRows(point: ScalePoint): ResultRow[] {
  const size = `seedbox ${point.torrents} x ${point.wires / point.torrents} wires`;
  const share = (side: ScalePoint['ours']) => (side.cpuNsPerMinute / 60e9) * 100;
  return [
    makeRow(
      named(`${size}: CPU per PEX minute, share of one core`, 'PEX minute', 'limit', 1),
      '@pex/wire-adapter createPexSwarm() per torrent',
      share(point.ours),
      'ut_pex + app code',
      share(point.theirs),
      '%',
    ),
    makeRow(
      named(`${size}: heap after gc`, 'process', 'speedup', 8),
      '@pex/wire-adapter createPexSwarm() per torrent',
      point.ours.heapBytes,
      'ut_pex + app code',
      point.theirs.heapBytes,
      'B',
    ),
    makeRow(
      named(`${size}: largest event-loop delay`, 'task', 'speedup'),
      '@pex/wire-adapter createPexSwarm() per torrent',
      point.ours.longestTaskNs,
      'ut_pex + app code',
      point.theirs.longestTaskNs,
      'ns',
    ),
  ];
}

function named(name: string, per: string, kind: RowKind, target?: number): RowSpec {
  return { name, ours: '', other: '', per, kind, ...(target === undefined ? {} : { target }) };
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
  unit: RowUnit,
): ResultRow {
  const ratio = s.kind === 'at-most' ? ours / other : other / ours;
  const target = s.target;
  const pass =
    target === undefined
      ? undefined
      : s.kind === 'speedup'
        ? ratio >= target
        : s.kind === 'at-most'
          ? ratio <= target
          : ours <= target;
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
