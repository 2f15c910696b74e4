import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBenchmarksDocument } from './document.js';
import { describeMachine, formatConsoleTable } from './report.js';
import { FULL_SETTINGS, runSuite, SMOKE_SETTINGS } from './suite.js';

// Runs from packages/bench/dist: the package is one level up, the repository three.
const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = join(benchDir, '..', '..');

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const settings = quick ? SMOKE_SETTINGS : FULL_SETTINGS;
if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
  console.warn('note: run with node --expose-gc for the memory case (falling back to v8 flags)');
}
const started = performance.now();
const result = runSuite(settings);
const machine = describeMachine(benchDir);
console.log(formatConsoleTable(result));
console.log(
  `\n${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
if (!quick && !args.has('--no-write')) {
  const path = join(repoDir, 'docs', 'benchmarks.md');
  writeFileSync(path, formatBenchmarksDocument(result, machine));
  console.log(`wrote ${path}`);
}
