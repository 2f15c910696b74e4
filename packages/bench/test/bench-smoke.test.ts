// Every benchmark case once, with tiny sizes: the cases must keep compiling, running and doing
// the work they claim (the runner checks that), and the table must keep every row. No speed is
// asserted: this runs beside other suites on a shared machine.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { formatBenchmarksDocument } from '../src/document.js';
import { formatScaleSvg } from '../src/plot.js';
import { describeMachine, formatConsoleTable } from '../src/report.js';
import { runSuite, SMOKE_SETTINGS } from '../src/suite.js';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

const VARIANTS = 16;
const SEEDBOX = `seedbox ${SMOKE_SETTINGS.scale[0]?.torrents} x ${SMOKE_SETTINGS.scale[0]?.wiresPerTorrent} wires`;

const EXPECTED_ROWS = [
  `decode 50 peers vs ut_pex: worst of ${VARIANTS} variants`,
  `decode 50 peers vs ut_pex: best of ${VARIANTS} variants`,
  `decode 50 peers vs object floor: worst of ${VARIANTS} variants`,
  `decode 50 peers vs object floor: best of ${VARIANTS} variants`,
  'receive path, 50 IPv4 peers',
  'receive path, 50 IPv6 peers',
  'encode 50 IPv4 peers',
  'send path, 50 IPv4 peers',
  "swarm W=10: join+leave, every wire's message",
  "swarm W=100: join+leave, every wire's message",
  "swarm W=1000: join+leave, every wire's message",
  'swarm W=10: join+leave event',
  'swarm W=100: join+leave event',
  'swarm W=1000: join+leave event',
  'swarm per-wire message O(1): ours at W=1000 vs W=10',
  'swarm event O(1): ours at W=1000 vs W=10',
  'memory per connection, utPex() (200 learned + 200 to advertise)',
  'memory per connection, swarm helper (200 learned + 200 to advertise)',
  'memory per connection, swarm helper: at most 4 KiB',
  'memory per connection, utPex(), no peer flagged 0x08',
  'memory per connection, swarm helper, no peer flagged 0x08',
  `${SEEDBOX}: CPU per PEX minute, share of one core`,
  `${SEEDBOX}: heap after gc`,
  `${SEEDBOX}: largest event-loop delay`,
];

describe('bench smoke run', () => {
  const result = runSuite(SMOKE_SETTINGS);

  it('produces every row of the table', () => {
    expect(result.rows.map((row) => row.name)).toEqual(EXPECTED_ROWS);
  });

  it.each(EXPECTED_ROWS)('%s: finite positive measurements and ratio', (name) => {
    const row = result.rows.find((candidate) => candidate.name === name);
    expect(row).toBeDefined();
    for (const value of [row?.ours, row?.other, row?.ratio]) {
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeGreaterThan(0);
    }
  });

  it('has every decode variant and a seedbox point, with positive numbers', () => {
    expect(result.decode).toHaveLength(VARIANTS);
    for (const d of result.decode) {
      for (const value of [d.ours, d.incumbent, d.floor]) expect(value).toBeGreaterThan(0);
    }
    expect(result.scale).toHaveLength(1);
    const [point] = result.scale;
    expect(point?.ours.cpuNsPerMinute).toBeGreaterThan(0);
    expect(point?.theirs.peerEventsPerMinute).toBeGreaterThan(0);
  });

  it('every target row has a verdict', () => {
    for (const row of result.rows) {
      expect(row.pass === undefined).toBe(row.target === undefined);
    }
  });

  it('renders the console table and the document with every row, the machine and versions', () => {
    const machine = describeMachine(benchDir, new Date(0));
    expect(machine.versions.ut_pex).toBe('5.0.2');
    expect(machine.versions.tinybench).toMatch(/^6\./);
    const table = formatConsoleTable(result);
    const document = formatBenchmarksDocument(result, machine);
    for (const name of EXPECTED_ROWS) {
      expect(table).toContain(name);
      expect(document).toContain(name);
    }
    expect(document).toContain(machine.cpu);
    expect(document).toContain(`Node.js ${machine.node}`);
    expect(document).toContain('ut_pex 5.0.2');
    expect(document).toContain('1970-01-01');
    const svg = formatScaleSvg(result.scale);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<polyline');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });
});
