import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { ResultRow, SuiteResult } from './suite.js';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly date: string;
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

/** `1.23 µs`, `456 ns`, `12.3 KiB`. */
export function formatValue(value: number, unit: 'ns' | 'B'): string {
  if (unit === 'B') {
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

/** The results as an aligned plain-text table for the terminal. */
export function formatConsoleTable(result: SuiteResult): string {
  const { header, rows } = tableCells(result);
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((cells) => (cells[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c] as number))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The results as a Markdown table. */
export function formatMarkdownTable(result: SuiteResult): string {
  const { header, rows } = tableCells(result);
  const line = (cells: string[]) =>
    `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The machine and versions as Markdown. */
export function formatMachine(machine: MachineInfo): string {
  const versions = Object.entries(machine.versions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} cores`,
    `- Node.js ${machine.node}`,
    `- Packages: ${versions}`,
    `- Date: ${machine.date}`,
  ].join('\n');
}
