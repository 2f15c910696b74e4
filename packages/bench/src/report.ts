import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { ScalePoint } from './scale.js';
import type { ResultRow, RowUnit, SuiteResult } from './suite.js';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly date: string;
  /** The 1-minute load average when the run started (other processes share the cores). */
  readonly load: number;
  /** Name → version of every package measured or used to measure. */
  readonly versions: Readonly<Record<string, string>>;
}

/** Packages whose versions the report names, as the bench package resolves them. */
const MEASURED = [
  '@pex/core',
  '@pex/wire-adapter',
  'ut_pex',
  'bencode',
  'compact2string',
  'string2compact',
  'tinybench',
] as const;

/**
 * The machine, Node and package versions. `benchDir` is packages/bench (its node_modules holds
 * the packages it measures; @pex/events is read beside it).
 */
export function describeMachine(benchDir: string, now: Date = new Date()): MachineInfo {
  const versions: Record<string, string> = {};
  for (const name of MEASURED) {
    versions[name] = readVersion(join(benchDir, 'node_modules', name, 'package.json'));
  }
  versions['@pex/events'] = readVersion(join(benchDir, '..', 'events', 'package.json'));
  return {
    cpu: readCpuModel(),
    cores: cpus().length,
    node: process.version,
    date: now.toISOString().slice(0, 10),
    load: loadavg()[0] ?? 0,
    versions,
  };
}

function readVersion(path: string): string {
  try {
    const { version } = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'not installed';
  }
}

function readCpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const match = /^model name\s*:\s*(.+)$/m.exec(info);
    if (match?.[1] !== undefined) return match[1].trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** `1.23 µs`, `456 ns`, `12.3 KiB`, `45.6 MiB`, `0.42 %`. */
export function formatValue(value: number, unit: RowUnit): string {
  if (unit === '%') return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)} %`;
  if (unit === 'B') {
    if (value >= 1024 * 1024) return `${(value / (1024 * 1024)).toFixed(1)} MiB`;
    return value >= 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${value.toFixed(0)} B`;
  }
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} ms`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(2)} µs`;
  return `${value.toFixed(0)} ns`;
}

function formatRatio(row: ResultRow): string {
  const digits = row.ratio >= 100 ? 0 : row.ratio >= 10 ? 1 : 2;
  return `${row.ratio.toFixed(digits)}x`;
}

function formatTarget(row: ResultRow): string {
  if (row.target === undefined) return '';
  if (row.kind === 'limit') {
    return row.unit === '%'
      ? `<= ${row.target} % of a core`
      : `<= ${formatValue(row.target, row.unit)}`;
  }
  return row.kind === 'speedup' ? `>= ${row.target}x` : `<= ${row.target}x`;
}

function formatVerdict(row: ResultRow): string {
  if (row.pass === undefined) return '';
  return row.pass ? 'pass' : 'FAIL';
}

/** Column names and cell text of the results table, one array per row. */
export function tableCells(result: SuiteResult): { header: string[]; rows: string[][] } {
  const header = [
    'case',
    'per',
    'ours',
    'time/size',
    'against',
    'time/size',
    'ratio',
    'target',
    '',
  ];
  const rows = result.rows.map((row) => [
    row.name,
    row.per,
    row.oursLabel,
    formatValue(row.ours, row.unit),
    row.otherLabel,
    formatValue(row.other, row.unit),
    formatRatio(row),
    formatTarget(row),
    formatVerdict(row),
  ]);
  return { header, rows };
}

/** The results as an aligned plain-text table for the terminal, then the decode and seedbox tables. */
export function formatConsoleTable(result: SuiteResult): string {
  const parts = [formatConsoleCells(tableCells(result))];
  if (result.decode.length > 0) parts.push(formatConsoleCells(decodeCells(result)));
  if (result.scale.length > 0) parts.push(formatConsoleCells(scaleCells(result.scale)));
  return parts.join('\n\n');
}

/** The results as a Markdown table. */
export function formatMarkdownTable(result: SuiteResult): string {
  return formatMarkdownCells(tableCells(result));
}

/** The machine and versions as Markdown. */
export function formatMachine(machine: MachineInfo): string {
  const versions = Object.entries(machine.versions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} cores`,
    `- Load average (1 min) when the run started: ${machine.load.toFixed(1)} on ${machine.cores} cores (other processes share them: absolute times move, ratios less)`,
    `- Node.js ${machine.node}`,
    `- Packages: ${versions}`,
    `- Date: ${machine.date}`,
  ].join('\n');
}

/** Ratio text as the results table writes it: `12.3x`, `1.05x`. */
function formatX(ratio: number): string {
  return `${ratio.toFixed(ratio >= 100 ? 0 : ratio >= 10 ? 1 : 2)}x`;
}

/** The decode variants: ours, ut_pex's codec path, the floor, and both ratios. */
export function decodeCells(result: SuiteResult): { header: string[]; rows: string[][] } {
  const header = [
    'variant',
    'ours',
    'ut_pex codec path',
    'ut_pex / ours',
    'floor',
    'ours / floor',
    'ut_pex / floor',
  ];
  const rows = result.decode.map((d) => [
    d.name,
    formatValue(d.ours, 'ns'),
    formatValue(d.incumbent, 'ns'),
    formatX(d.incumbent / d.ours),
    formatValue(d.floor, 'ns'),
    formatX(d.ours / d.floor),
    formatX(d.incumbent / d.floor),
  ]);
  return { header, rows };
}

/** The seedbox case at every size: CPU share, heap, longest task, for both sides. */
export function scaleCells(points: readonly ScalePoint[]): { header: string[]; rows: string[][] } {
  const header = [
    'wires',
    'torrents',
    'CPU/PEX min, ours',
    'ut_pex',
    'ratio',
    'heap, ours',
    'ut_pex',
    'ratio',
    'longest task, ours',
    'ut_pex',
    'peer events/min, ours',
    'ut_pex',
  ];
  const share = (ns: number) => formatValue((ns / 60e9) * 100, '%');
  const rows = points.map((p) => [
    p.wires.toLocaleString('en-US'),
    String(p.torrents),
    share(p.ours.cpuNsPerMinute),
    share(p.theirs.cpuNsPerMinute),
    formatX(p.theirs.cpuNsPerMinute / p.ours.cpuNsPerMinute),
    formatValue(p.ours.heapBytes, 'B'),
    formatValue(p.theirs.heapBytes, 'B'),
    formatX(p.theirs.heapBytes / p.ours.heapBytes),
    formatValue(p.ours.longestTaskNs, 'ns'),
    formatValue(p.theirs.longestTaskNs, 'ns'),
    p.ours.peerEventsPerMinute.toFixed(0),
    p.theirs.peerEventsPerMinute.toFixed(0),
  ]);
  return { header, rows };
}

/** Cells as an aligned plain-text table. */
export function formatConsoleCells(cells: { header: string[]; rows: string[][] }): string {
  const all = [cells.header, ...cells.rows];
  const widths = cells.header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => cell.padEnd(widths[c] as number))
      .join('  ')
      .trimEnd();
  return [
    line(cells.header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.rows.map(line),
  ].join('\n');
}

/** Cells as a Markdown table. */
export function formatMarkdownCells(cells: { header: string[]; rows: string[][] }): string {
  const line = (row: string[]) =>
    `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(cells.header), line(cells.header.map(() => '---')), ...cells.rows.map(line)].join(
    '\n',
  );
}
