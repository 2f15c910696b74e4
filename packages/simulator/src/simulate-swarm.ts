import {
  DEFAULT_FIRST_MESSAGE_MAX_ADDED,
  DEFAULT_SEND_INTERVAL_MS,
  MAX_ADDED_PER_MESSAGE,
  MAX_DROPPED_PER_MESSAGE,
} from '@pex/core/internal';
import { FIRST_MESSAGE_DELAY_MS } from '@pex/events/internal';
import { createCoverageMeter } from './coverage-meter.js';
import { createRandom, type SimulationRandom } from './random.js';
import { createVirtualScheduler, type VirtualScheduler } from './scheduler.js';
import {
  type ResolvedSimulationOptions,
  resolveSimulationOptions,
  type SwarmSimulationOptions,
} from './simulation-options.js';
import type { SimulationSettings, SwarmSimulationResult } from './simulation-result.js';
import { spreadOf } from './spread.js';
import { type SimulatedNode, SwarmModel } from './swarm-model.js';

const MS_PER_MINUTE = 60_000;

/**
 * Runs a swarm of `nodes` BitTorrent clients for `durationMs` of virtual time and reports how
 * fast PEX spread the knowledge of who is in the swarm, and what it cost. Each connection runs
 * two real @pex/events sessions (with the options given), each node one @pex/core swarm timeline
 * (or a tracker per connection); messages travel through an in-memory network with latency.
 * Deterministic: the same options (seed included) give a deeply equal result, so a failing
 * property replays from its seed. Synchronous; no timers or clock of the host are used.
 *
 * @example
 * ```ts
 * import { simulateSwarm } from '@pex/simulator';
 *
 * const result = simulateSwarm({ nodes: 500, durationMs: 30 * 60_000, seed: 7, intervalMs: 60_000 });
 * console.log(result.convergence); // [{ percent: 50, atMs: ... }, { percent: 90, ... }, ...]
 * ```
 * @throws {TypeError|RangeError} for invalid options, naming the option (`"nodes" expected an
 *   integer 2..1000000, got 1`), including those @pex/core and @pex/events check (caps, interval,
 *   inbound, relaxation, candidate pool). Whatever a user's `dialPolicy` throws ends the run.
 */
export function simulateSwarm(options?: SwarmSimulationOptions): SwarmSimulationResult {
  const resolved = resolveSimulationOptions(options);
  const scheduler = createVirtualScheduler();
  const random = createRandom(resolved.seed);
  const { nodes, durationMs, churnPerMinute } = resolved;
  const expectedJoins = Math.ceil(((churnPerMinute * durationMs) / MS_PER_MINUTE) * 1.25);
  const model = new SwarmModel(resolved, scheduler, random, nodes + expectedJoins + 64);

  // The first node checks the options @pex/core and @pex/events own, before any time passes.
  const joinNode = (initial: boolean): void => {
    const node = model.join(initial);
    scheduleTurnover(node, resolved, scheduler, random, model);
    scheduleAnnounces(node, resolved, scheduler, random, model);
  };
  const joinTimes = Array.from({ length: nodes }, (_, i) =>
    i === 0 ? 0 : random.nextFloat() * resolved.rampMs,
  ).sort((a, b) => a - b);
  joinNode(true);
  for (const at of joinTimes.slice(1)) scheduler.schedule(at, () => joinNode(true));

  if (churnPerMinute > 0) {
    const meanGapMs = MS_PER_MINUTE / churnPerMinute;
    schedulePoisson(scheduler, random, meanGapMs, () => {
      if (model.liveCount <= 2) return;
      const id = model.liveIds[random.nextInteger(0, model.liveCount - 1)] as number;
      model.leave(model.nodes[id] as SimulatedNode);
    });
    schedulePoisson(scheduler, random, meanGapMs, () => joinNode(false));
  }

  const meter = createCoverageMeter(model, resolved.convergenceGraceMs, resolved.rampMs);
  for (let at = resolved.sampleIntervalMs; at <= durationMs; at += resolved.sampleIntervalMs) {
    scheduler.schedule(at, () => meter.sample(at));
  }

  const events = scheduler.runUntil(durationMs);
  model.collectOpenSessions();
  const { counters } = model;
  const liveNodes = model.liveIds.map((id) => model.nodes[id] as SimulatedNode);
  let messages = 0;
  let bytes = 0;
  for (const count of counters.messagesSent) messages += count;
  for (const count of counters.bytesSent) bytes += count;
  let peerEvents = 0;
  let duplicates = 0;
  for (const count of counters.peerEvents) peerEvents += count;
  for (const count of counters.duplicates) duplicates += count;
  return {
    settings: describeSettings(resolved),
    convergence: meter.convergence(),
    coverage: meter.samples,
    messages: {
      total: messages,
      bytes,
      perNode: spreadOf(counters.messagesSent),
      bytesPerNode: spreadOf(counters.bytesSent),
      lost: counters.lost,
    },
    deliveries: {
      total: peerEvents,
      duplicates,
      duplicatesPerNode: spreadOf(counters.duplicates),
    },
    connections: {
      dials: counters.dials,
      opened: counters.opened,
      failed: counters.failed,
      turnedOver: counters.turnedOver,
      openPerNode: spreadOf(liveNodes.map((node) => node.links.size)),
    },
    churn: { left: counters.left, joined: counters.joined },
    sessions: {
      created: counters.sessions,
      violations: counters.violations,
      invalidPayloads: counters.invalidPayloads,
      refused: counters.refused,
      warnings: counters.warnings,
    },
    events,
  };
}

/** Peer turnover rounds of `node`, at a random phase, while it is alive. */
function scheduleTurnover(
  node: SimulatedNode,
  options: ResolvedSimulationOptions,
  scheduler: VirtualScheduler,
  random: SimulationRandom,
  model: SwarmModel,
): void {
  const { turnover } = options;
  if (turnover === false) return;
  const round = (): void => {
    if (!node.alive) return;
    model.turnOver(node);
    scheduler.schedule(scheduler.now() + turnover.intervalMs, round);
  };
  scheduler.schedule(scheduler.now() + random.nextFloat() * turnover.intervalMs, round);
}

/** Tracker announces of `node` after the first, at a random phase, while it is alive. */
function scheduleAnnounces(
  node: SimulatedNode,
  options: ResolvedSimulationOptions,
  scheduler: VirtualScheduler,
  random: SimulationRandom,
  model: SwarmModel,
): void {
  const { announceIntervalMs } = options;
  if (announceIntervalMs === 0 || options.bootstrapPeers === 0) return;
  const announce = (): void => {
    if (!node.alive) return;
    model.announce(node);
    scheduler.schedule(scheduler.now() + announceIntervalMs, announce);
  };
  scheduler.schedule(scheduler.now() + random.nextFloat() * announceIntervalMs, announce);
}

/** Runs `action` at the arrivals of a Poisson process with mean gap `meanGapMs`. */
function schedulePoisson(
  scheduler: VirtualScheduler,
  random: SimulationRandom,
  meanGapMs: number,
  action: () => void,
): void {
  const next = (): void => {
    const gap = -Math.log(1 - random.nextFloat()) * meanGapMs;
    scheduler.schedule(scheduler.now() + gap, () => {
      action();
      next();
    });
  };
  next();
}

/** The settings as the result reports them: defaults filled in, plain data. */
function describeSettings(options: ResolvedSimulationOptions): SimulationSettings {
  return {
    nodes: options.nodes,
    durationMs: options.durationMs,
    seed: options.seed,
    maxConnections: options.maxConnections,
    dialBelow: options.dialBelow,
    latencyMs: { ...options.latencyMs },
    churnPerMinute: options.churnPerMinute,
    bootstrapPeers: options.bootstrapPeers,
    announceIntervalMs: options.announceIntervalMs,
    rampMs: options.rampMs,
    turnover: options.turnover === false ? false : { ...options.turnover },
    outbound: options.outbound,
    intervalMs: options.intervalMs ?? DEFAULT_SEND_INTERVAL_MS,
    firstMessageDelayMs: options.firstMessageDelayMs ?? FIRST_MESSAGE_DELAY_MS,
    caps: {
      firstMessageMaxAdded: options.caps?.firstMessageMaxAdded ?? DEFAULT_FIRST_MESSAGE_MAX_ADDED,
      maxAddedPerMessage: options.caps?.maxAddedPerMessage ?? MAX_ADDED_PER_MESSAGE,
      maxDroppedPerMessage: options.caps?.maxDroppedPerMessage ?? MAX_DROPPED_PER_MESSAGE,
    },
    relaxation: options.relaxation !== undefined,
    candidatePool: options.candidatePool !== undefined,
    customAccept: options.accept !== undefined,
    customDialPolicy: options.dialPolicy !== undefined,
  };
}
