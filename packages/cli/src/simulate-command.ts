import { parseArgs } from 'node:util';
import { type SwarmSimulationOptions, simulateSwarm } from '@pex/simulator';
import { readIntegerOption } from './args.js';
import type { CommandIo } from './io.js';
import { isSimulatePreset, SIMULATE_PRESETS } from './simulate-presets.js';
import { formatSimulation, simulationToJson } from './simulate-report.js';
import { UsageError } from './usage.js';

/** Defaults of `pex simulate` that differ from the simulator's. */
export const SIMULATE_DEFAULTS = { nodes: 1_000, hours: 1 } as const;

/**
 * `pex simulate [--nodes N] [--hours H] [--seed S] [--interval MS] [--max-connections N]
 * [--latency MIN-MAX] [--churn PER_MIN] [--preset NAME] [--relaxation] [--candidate-pool]
 * [--json]`: runs @pex/simulator's virtual-time swarm and prints what it measured. Returns 0.
 * @throws {UsageError} for bad arguments.
 */
export async function runSimulate(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      hours: { type: 'string' },
      seed: { type: 'string' },
      interval: { type: 'string' },
      'max-connections': { type: 'string' },
      latency: { type: 'string' },
      churn: { type: 'string' },
      preset: { type: 'string' },
      relaxation: { type: 'boolean', default: false },
      'candidate-pool': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) {
    throw new UsageError(`simulate takes no arguments, got ${JSON.stringify(positionals[0])}`);
  }
  const preset = values.preset ?? 'default';
  if (!isSimulatePreset(preset)) {
    throw new UsageError(
      `"--preset" expected default, libtorrent or transmission, got ${JSON.stringify(preset)}`,
    );
  }
  const base = SIMULATE_PRESETS[preset];
  const options: SwarmSimulationOptions = {
    ...base,
    nodes: readIntegerOption('nodes', values.nodes, SIMULATE_DEFAULTS.nodes, 2, 1_000_000),
    durationMs: readHours(values.hours),
    seed: readIntegerOption('seed', values.seed, 1, 0, 0xffff_ffff),
    ...(values.interval === undefined
      ? {}
      : { intervalMs: readIntegerOption('interval', values.interval, 0, 0, 3_600_000) }),
    ...(values['max-connections'] === undefined
      ? {}
      : {
          maxConnections: readIntegerOption(
            'max-connections',
            values['max-connections'],
            50,
            1,
            10_000,
          ),
        }),
    ...(values.latency === undefined ? {} : { latencyMs: readLatency(values.latency) }),
    ...(values.churn === undefined ? {} : { churnPerMinute: readChurn(values.churn) }),
    ...(values.relaxation ? { relaxation: {} } : {}),
    ...(values['candidate-pool'] ? { candidatePool: {} } : {}),
  };
  if (!values.json) {
    io.out(
      `running ${options.nodes} nodes for ${values.hours ?? SIMULATE_DEFAULTS.hours} h of virtual time (preset ${preset})...`,
    );
  }
  const startedAt = performance.now();
  const result = simulateSwarm(options);
  const run = { result, wallMs: performance.now() - startedAt, preset };
  if (values.json) io.out(JSON.stringify(simulationToJson(run), null, 2));
  else for (const line of formatSimulation(run)) io.out(line);
  return 0;
}

/** `--hours`: decimals allowed, 1 minute to 1 week. */
function readHours(value: string | undefined): number {
  if (value === undefined) return SIMULATE_DEFAULTS.hours * 3_600_000;
  const hours = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(hours >= 1 / 60 && hours <= 168)) {
    throw new UsageError(`"--hours" expected hours in 0.017..168, got ${JSON.stringify(value)}`);
  }
  return Math.round(hours * 3_600_000);
}

/** `--latency MIN-MAX` in ms, or one number for a fixed delay. */
function readLatency(value: string): { min: number; max: number } {
  const match = /^([0-9]+)(?:-([0-9]+))?$/.exec(value);
  const min = match === null ? Number.NaN : Number(match[1]);
  const max = match === null ? Number.NaN : Number(match[2] ?? match[1]);
  if (!(min >= 0 && max >= min && max <= 60_000)) {
    throw new UsageError(
      `"--latency" expected MIN-MAX ms with MIN <= MAX <= 60000, got ${JSON.stringify(value)}`,
    );
  }
  return { min, max };
}

/** `--churn`: nodes leaving (and joining) per minute, decimals allowed. */
function readChurn(value: string): number {
  const churn = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(churn >= 0 && churn <= 1_000_000)) {
    throw new UsageError(`"--churn" expected nodes per minute >= 0, got ${JSON.stringify(value)}`);
  }
  return churn;
}
