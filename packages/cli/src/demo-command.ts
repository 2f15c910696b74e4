import { parseArgs } from 'node:util';
import { readIntegerOption, readSecondsOption } from './args.js';
import { describeInterval, formatProgress, formatSummary, resultToJson } from './demo-report.js';
import { runDemoSwarm } from './demo-swarm.js';
import type { CommandIo } from './io.js';
import { UsageError } from './usage.js';

/** Defaults of `pex demo`: the default run converges within about 30 s. */
export const DEMO_DEFAULTS = {
  nodes: 20,
  maxConnections: 8,
  intervalMs: 1_500,
  firstMessageDelayMs: 500,
  timeoutSeconds: 60,
} as const;

/**
 * `pex demo [--nodes N] [--max-connections N] [--interval MS] [--first-delay MS]
 * [--timeout S] [--json]`: runs a PEX swarm on loopback and reports how discovery converged.
 * Returns the exit code: 0 converged, 1 not converged within the timeout.
 * @throws {UsageError} for bad arguments.
 */
export async function runDemo(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      'max-connections': { type: 'string' },
      interval: { type: 'string' },
      'first-delay': { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 0) {
    throw new UsageError(`demo takes no arguments, got ${JSON.stringify(positionals[0])}`);
  }
  const options = {
    nodes: readIntegerOption('nodes', values.nodes, DEMO_DEFAULTS.nodes, 2, 200),
    maxConnections: readIntegerOption(
      'max-connections',
      values['max-connections'],
      DEMO_DEFAULTS.maxConnections,
      2,
      100,
    ),
    intervalMs: readIntegerOption(
      'interval',
      values.interval,
      DEMO_DEFAULTS.intervalMs,
      10,
      600_000,
    ),
    firstMessageDelayMs: readIntegerOption(
      'first-delay',
      values['first-delay'],
      DEMO_DEFAULTS.firstMessageDelayMs,
      0,
      600_000,
    ),
    timeoutMs: readSecondsOption('timeout', values.timeout, DEMO_DEFAULTS.timeoutSeconds, 1, 3_600),
  };

  if (!values.json) {
    io.out(
      `pex demo: ${options.nodes} nodes on 127.0.0.1, each told about one other node only ` +
        `(a ring); at most ${options.maxConnections} connections per node`,
    );
    io.out(describeInterval(options.intervalMs));
  }
  const progress = io.status ?? io.out;
  const result = await runDemoSwarm({
    ...options,
    ...(values.json
      ? {}
      : { onProgress: (snapshot) => progress(formatProgress(snapshot, options.nodes)) }),
  });
  if (values.json) io.out(JSON.stringify(resultToJson(result), null, 2));
  else for (const line of ['', ...formatSummary(result)]) io.out(line);
  return result.converged ? 0 : 1;
}
