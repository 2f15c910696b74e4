import type { SwarmSimulationResult } from '@pex/simulator';

/** What `pex simulate` measured around the run itself. */
export interface SimulateRun {
  readonly result: SwarmSimulationResult;
  /** Wall time of the run, ms. */
  readonly wallMs: number;
  /** Preset the options came from. */
  readonly preset: string;
}

/** The one-line description of a run, before it starts. */
export function describeSimulation(result: Pick<SwarmSimulationResult, 'settings'>): string {
  const s = result.settings;
  return (
    `pex simulate: ${s.nodes} nodes, ${formatDuration(s.durationMs)} of virtual time, seed ${s.seed}; ` +
    `interval ${s.intervalMs / 1000} s, first message after ${s.firstMessageDelayMs / 1000} s, ` +
    `caps ${s.caps.firstMessageMaxAdded}/${formatCap(s.caps.maxAddedPerMessage)}/${formatCap(s.caps.maxDroppedPerMessage)}; ` +
    `at most ${s.maxConnections} connections (dialling below ${s.dialBelow}); ` +
    `latency ${s.latencyMs.min}-${s.latencyMs.max} ms; churn ${s.churnPerMinute}/min` +
    (s.relaxation ? '; relaxation' : '') +
    (s.candidatePool ? '; candidate pool' : '')
  );
}

/** The human-readable summary of a run. */
export function formatSimulation(run: SimulateRun): string[] {
  const { result, wallMs } = run;
  const { messages, deliveries, connections } = result;
  const last = result.coverage.at(-1);
  const lines = [
    describeSimulation(result),
    '',
    'convergence (first time every node / the average node knew the share of the live swarm):',
    ...result.convergence.map(
      (level) =>
        `  ${String(level.percent).padStart(3)} %  ${formatTime(level.atMs).padStart(9)}  /  ${formatTime(level.meanAtMs)}`,
    ),
  ];
  if (last !== undefined) {
    lines.push(
      `knowledge at ${formatDuration(last.atMs)}: least ${last.minPercent} %, mean ${last.meanPercent} % of ${last.liveNodes} live nodes`,
    );
  }
  lines.push(
    `messages per node: mean ${messages.perNode.mean}, max ${messages.perNode.max}; bytes per node: mean ${Math.round(messages.bytesPerNode.mean)}, max ${messages.bytesPerNode.max}`,
    `peers delivered: ${deliveries.total}, of which ${deliveries.duplicates} duplicates (known already; per node mean ${deliveries.duplicatesPerNode.mean}, max ${deliveries.duplicatesPerNode.max})`,
    `connections: ${connections.opened} opened, ${connections.dials} dials (${connections.failed} failed), ${connections.turnedOver} turned over; open per node at the end: mean ${connections.openPerNode.mean}, max ${connections.openPerNode.max}`,
    `churn: ${result.churn.left} left, ${result.churn.joined} joined; sessions: ${result.sessions.created}, violations ${result.sessions.violations}, warnings ${result.sessions.warnings}`,
    `wall time: ${(wallMs / 1000).toFixed(1)} s (${result.events} events)`,
  );
  return lines;
}

/** The JSON of a run: the simulator's result plus the wall time and preset. */
export function simulationToJson(run: SimulateRun): unknown {
  return { preset: run.preset, wallMs: Math.round(run.wallMs), ...run.result };
}

function formatCap(cap: number): string {
  return cap >= Number.MAX_SAFE_INTEGER ? 'unlimited' : String(cap);
}

function formatTime(ms: number | null): string {
  return ms === null ? 'not reached' : formatDuration(ms);
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
