import type { CandidatePoolOptions, PexOutboundOptions } from '@pex/core';
import type { PexAcceptPolicy, PexSessionOptions } from '@pex/events';

/** What a dial policy is asked about one candidate: plain data plus a seeded random source. */
export interface SimulationDialContext {
  /** The node that would dial (its id: 0, 1, ... in order of joining). */
  readonly node: number;
  /** The candidate it would dial. */
  readonly peer: number;
  /** Virtual time, ms since the start of the run. */
  readonly now: number;
  /** The node's connections, open and being dialled. */
  readonly connections: number;
  /** `maxConnections` of the run. */
  readonly maxConnections: number;
  /** A number in [0, 1) from the run's seeded random source (never `Math.random`). */
  readonly random: () => number;
}

/**
 * Decides whether a node dials a candidate it learned (through PEX, or from the tracker when it
 * joined). Asked only while the node has a free connection slot; a candidate refused stays
 * remembered and is asked about again when a slot frees. Must be deterministic given its
 * arguments (use `context.random`), or runs cannot be replayed. What it throws ends the run.
 */
export type SimulationDialPolicy = (context: SimulationDialContext) => boolean;

/** Peer turnover: a node at its connection limit closes some connections now and then. */
export interface SimulationTurnover {
  /** Share of its connections a node closes each round, 0..1 (rounded up to whole connections). */
  readonly fraction: number;
  /** Time between two rounds of one node, ms (each node has its own phase). */
  readonly intervalMs: number;
  /**
   * A node turns over only with at least this share of `dialBelow` open, 0..1 (`dialBelow` is the
   * count a node maintains by dialling, as libtorrent's connection limit is).
   */
  readonly cutoff: number;
}

/** The caps of outgoing messages (`PexOutboundOptions` without the interval, remote and relaxation). */
export type SimulationCaps = Pick<
  PexOutboundOptions,
  'firstMessageMaxAdded' | 'maxAddedPerMessage' | 'maxDroppedPerMessage'
>;

/** Options of `simulateSwarm`. Every field is optional. */
export interface SwarmSimulationOptions {
  /** Nodes at the start (churn keeps the count: as many join as leave). Default 1 000. */
  readonly nodes?: number;
  /** Virtual time simulated, ms. Default 3 600 000 (one hour). */
  readonly durationMs?: number;
  /** Seed of the random source: the same seed and options give the same result. Default 1. */
  readonly seed?: number;
  /** Most connections per node, open plus being dialled (in and out). Default 50. */
  readonly maxConnections?: number;
  /**
   * A node dials only while it has fewer connections (open plus being dialled) than this; the
   * slots above are for incoming connections, so a newcomer finds peers with room (if every node
   * dialled up to its limit, the swarm fills within seconds and later nodes find everyone full).
   * 1..`maxConnections`. Default 80 % of `maxConnections`, rounded down (at least 1).
   */
  readonly dialBelow?: number;
  /** One-way delay of each message and dial, ms, drawn uniformly per message. Default 20..200. */
  readonly latencyMs?: {
    /** Shortest delay, ms. */
    readonly min: number;
    /** Longest delay, ms (at least `min`). */
    readonly max: number;
  };
  /** Nodes that leave per minute, and as many new nodes join (Poisson arrivals). Default 0. */
  readonly churnPerMinute?: number;
  /**
   * Peers a node gets from the tracker (random live nodes) when it joins and at each announce,
   * and dials while it has free slots. Default 4: few, so that what nodes know comes from PEX.
   */
  readonly bootstrapPeers?: number;
  /**
   * Time between two tracker announces of a node, ms (each node has its own phase), or 0 for
   * none after the first. A node whose dials all failed (its peers were full) would otherwise
   * stay alone. Default 1 800 000 (30 minutes, a common tracker interval).
   */
  readonly announceIntervalMs?: number;
  /** The starting nodes join at uniform random times within this window, ms. Default 60 000. */
  readonly rampMs?: number;
  /**
   * Peer turnover, or `false` for none. Default libtorrent's (`peer_turnover` 4 %,
   * `peer_turnover_interval` 300 s, `peer_turnover_cutoff` 90 %).
   */
  readonly turnover?: SimulationTurnover | false;
  /**
   * Where each node's outgoing peers come from: `'timeline'` (default), one `createSwarmTimeline`
   * per node with a cursor per connection, as the swarm helper of @pex/wire-adapter does; or
   * `'tracker'`, a per-connection tracker fed by `addPeer`/`dropPeer`, as standalone sessions do.
   */
  readonly outbound?: 'timeline' | 'tracker';
  /** The sessions' `intervalMs`. Default @pex/events' (70 000). */
  readonly intervalMs?: number;
  /** The sessions' `firstMessageDelayMs`. Default @pex/events' (1 500). */
  readonly firstMessageDelayMs?: number;
  /** Caps of outgoing messages. Default @pex/core's (100 in a first message, then 50 + 50). */
  readonly caps?: SimulationCaps;
  /**
   * BEP 11's relaxation for underpopulated lists (`PexOutboundOptions.relaxation`); connections
   * closed by turnover qualify, nodes that leave do not. Needs `outbound: 'timeline'`. Default off.
   */
  readonly relaxation?: PexOutboundOptions['relaxation'];
  /** The sessions' inbound options (rate allowance, per-source memory). Default @pex/events'. */
  readonly inbound?: PexSessionOptions['inbound'];
  /** The sessions' `accept` policy for reported peers. Default @pex/events' (`classifyPeer`). */
  readonly accept?: PexAcceptPolicy;
  /**
   * Keep a `createCandidatePool` per node, fed by its sessions' `peer` and `dropped` events, and
   * dial what it hands out (best first). Default: no pool; a node dials the peers it learned,
   * newest first, from a list of the last `maxRememberedCandidates`.
   */
  readonly candidatePool?: CandidatePoolOptions;
  /** Peers a node remembers to dial later, without a candidate pool. Default 100. */
  readonly maxRememberedCandidates?: number;
  /** Asked before each dial; default: always dial. */
  readonly dialPolicy?: SimulationDialPolicy;
  /** Time between two measurements of what the nodes know, ms. Default 10 000. */
  readonly sampleIntervalMs?: number;
  /**
   * A node that joined after the start counts towards convergence ("every live node knows X %")
   * once it has been in the swarm this long, ms. Default 300 000 (5 minutes).
   */
  readonly convergenceGraceMs?: number;
}

/** `SwarmSimulationOptions` checked, with every default filled in. */
export interface ResolvedSimulationOptions {
  readonly nodes: number;
  readonly durationMs: number;
  readonly seed: number;
  readonly maxConnections: number;
  readonly dialBelow: number;
  readonly latencyMs: { readonly min: number; readonly max: number };
  readonly churnPerMinute: number;
  readonly bootstrapPeers: number;
  readonly announceIntervalMs: number;
  readonly rampMs: number;
  readonly turnover: SimulationTurnover | false;
  readonly outbound: 'timeline' | 'tracker';
  readonly intervalMs: number | undefined;
  readonly firstMessageDelayMs: number | undefined;
  readonly caps: SimulationCaps | undefined;
  readonly relaxation: PexOutboundOptions['relaxation'];
  readonly inbound: PexSessionOptions['inbound'];
  readonly accept: PexAcceptPolicy | undefined;
  readonly candidatePool: CandidatePoolOptions | undefined;
  readonly maxRememberedCandidates: number;
  readonly dialPolicy: SimulationDialPolicy | undefined;
  readonly sampleIntervalMs: number;
  readonly convergenceGraceMs: number;
}

/** libtorrent's peer turnover defaults (settings_pack: 4 %, 300 s, 90 %). */
const LIBTORRENT_TURNOVER: SimulationTurnover = {
  fraction: 0.04,
  intervalMs: 300_000,
  cutoff: 0.9,
};

/** The most node ids a run may create (starting nodes plus joins): addresses stay in 20.0.0.0/8+. */
export const MAX_SIMULATED_NODES = 1_000_000;

/**
 * Checks `options` and fills in the defaults. Options handed to the sessions or the core
 * (`intervalMs`, `caps`, `inbound`, `relaxation`, `candidatePool`) are checked by them when the
 * first node is created.
 * @throws {TypeError} for a value of the wrong kind (e.g. `accept` not a function).
 * @throws {RangeError} for a number out of range.
 */
export function resolveSimulationOptions(
  options: SwarmSimulationOptions | undefined,
): ResolvedSimulationOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`"options" expected an object, got ${String(options)}`);
  }
  const given = options ?? {};
  const nodes = checkInteger('nodes', given.nodes ?? 1_000, 2, MAX_SIMULATED_NODES);
  const latencyMs = given.latencyMs ?? { min: 20, max: 200 };
  if (typeof latencyMs !== 'object' || latencyMs === null) {
    throw new TypeError(`"latencyMs" expected { min, max }, got ${String(latencyMs)}`);
  }
  const latencyMin = checkNumber('latencyMs.min', latencyMs.min, 0, 3_600_000);
  const latencyMax = checkNumber('latencyMs.max', latencyMs.max, latencyMin, 3_600_000);
  const outbound = given.outbound ?? 'timeline';
  if (outbound !== 'timeline' && outbound !== 'tracker') {
    throw new TypeError(`"outbound" expected 'timeline' or 'tracker', got ${String(outbound)}`);
  }
  if (given.relaxation !== undefined && outbound !== 'timeline') {
    throw new TypeError(`"relaxation" expected outbound 'timeline', got outbound '${outbound}'`);
  }
  for (const name of ['accept', 'dialPolicy'] as const) {
    const value = given[name];
    if (value !== undefined && typeof value !== 'function') {
      throw new TypeError(`"${name}" expected a function, got ${typeof value}`);
    }
  }
  const maxConnections = checkInteger('maxConnections', given.maxConnections ?? 50, 1, 10_000);
  return {
    nodes,
    durationMs: checkNumber('durationMs', given.durationMs ?? 3_600_000, 0, 1e12),
    seed: checkInteger('seed', given.seed ?? 1, 0, 0xffff_ffff),
    maxConnections,
    dialBelow: checkInteger(
      'dialBelow',
      given.dialBelow ?? Math.max(1, Math.floor(maxConnections * 0.8)),
      1,
      maxConnections,
    ),
    latencyMs: { min: latencyMin, max: latencyMax },
    churnPerMinute: checkNumber('churnPerMinute', given.churnPerMinute ?? 0, 0, nodes),
    bootstrapPeers: checkInteger('bootstrapPeers', given.bootstrapPeers ?? 4, 0, 10_000),
    announceIntervalMs: checkNumber(
      'announceIntervalMs',
      given.announceIntervalMs ?? 1_800_000,
      0,
      1e12,
    ),
    rampMs: checkNumber('rampMs', given.rampMs ?? 60_000, 0, 1e12),
    turnover: resolveTurnover(given.turnover),
    outbound,
    intervalMs: given.intervalMs,
    firstMessageDelayMs: given.firstMessageDelayMs,
    caps: given.caps,
    relaxation: given.relaxation,
    inbound: given.inbound,
    accept: given.accept,
    candidatePool: given.candidatePool,
    maxRememberedCandidates: checkInteger(
      'maxRememberedCandidates',
      given.maxRememberedCandidates ?? 100,
      1,
      1_000_000,
    ),
    dialPolicy: given.dialPolicy,
    sampleIntervalMs: checkNumber('sampleIntervalMs', given.sampleIntervalMs ?? 10_000, 1, 1e12),
    convergenceGraceMs: checkNumber(
      'convergenceGraceMs',
      given.convergenceGraceMs ?? 300_000,
      0,
      1e12,
    ),
  };
}

function resolveTurnover(
  turnover: SimulationTurnover | false | undefined,
): SimulationTurnover | false {
  if (turnover === undefined) return LIBTORRENT_TURNOVER;
  if (turnover === false) return false;
  if (typeof turnover !== 'object' || turnover === null) {
    throw new TypeError(`"turnover" expected an object or false, got ${String(turnover)}`);
  }
  return {
    fraction: checkNumber('turnover.fraction', turnover.fraction, 0, 1),
    intervalMs: checkNumber('turnover.intervalMs', turnover.intervalMs, 1, 1e12),
    cutoff: checkNumber('turnover.cutoff', turnover.cutoff, 0, 1),
  };
}

function checkNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') {
    throw new TypeError(`"${name}" expected a number, got ${typeof value}`);
  }
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`"${name}" expected a number ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') {
    throw new TypeError(`"${name}" expected an integer, got ${typeof value}`);
  }
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`"${name}" expected an integer ${min}..${max}, got ${String(value)}`);
  }
  return value;
}
