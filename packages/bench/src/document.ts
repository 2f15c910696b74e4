import { formatMachine, formatMarkdownTable, type MachineInfo } from './report.js';
import type { SuiteResult } from './suite.js';

/** docs/benchmarks.md: the table, the machine, the versions, and how each case is measured. */
export function formatBenchmarksDocument(result: SuiteResult, machine: MachineInfo): string {
  const s = result.settings;
  return `# Benchmarks: @pex against ut_pex 5.x

Written by \`pnpm bench\` (packages/bench); do not edit by hand. Our code and the npm \`ut_pex\` run
side by side in one process, one run; the ratios are what matter, absolute times move with the
machine's load.

## Machine

${formatMachine(machine)}

## Results

${formatMarkdownTable(result)}

"ratio" is the incumbent's time (or heap) divided by ours, except for the rows against the floor and
the O(1) row, where it is our time divided by the reference (lower is better). Times are per unit
("per"): per message, per join+leave of one peer, or heap bytes per connection. Each time is the
median over ${s.rounds} rounds of tinybench's mean (${s.timeMs} ms per task per round, ${s.warmupMs} ms warm-up,
tasks in alternating order).
`;
}
