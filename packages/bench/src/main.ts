import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBenchmarksDocument, SEEDBOX_SVG } from './document.js';
import { formatScaleSvg } from './plot.js';
import { describeMachine, formatConsoleCells, formatConsoleTable, scaleCells } from './report.js';
import { measureScale } from './scale.js';
import { FULL_SETTINGS, runSuite, SCALE_ONLY_SETTINGS, SMOKE_SETTINGS } from './suite.js';

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
if (args.has('--scale')) {
  // Only the seedbox case, at every size; prints its table and writes nothing.
  const points = SCALE_ONLY_SETTINGS.map((size, i) => {
    const point = measureScale(size, i % 2 === 0);
    console.log(`${point.wires} wires done`);
    return point;
  });
  console.log(formatConsoleCells(scaleCells(points)));
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.exit(0);
}
const result = runSuite(settings);
const machine = describeMachine(benchDir);
console.log(formatConsoleTable(result));
console.log(
  `\n${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
if (!quick && !args.has('--no-write')) {
  const path = join(repoDir, 'docs', 'benchmarks.md');
  writeFileSync(path, formatBenchmarksDocument(result, machine));
  const svg = join(repoDir, 'docs', SEEDBOX_SVG);
  writeFileSync(svg, formatScaleSvg(result.scale));
  console.log(`wrote ${path} and ${svg}`);
}
