import { DEFAULT_SEND_INTERVAL_MS } from '@pex/core/internal';
import type { DemoResult, DemoSnapshot } from './demo-swarm.js';

const CHART_WIDTH = 40;
/** BEP 11: peers "should not send more than one ut_pex message per minute". */
const BEP11_MIN_INTERVAL_MS = 60_000;

/** The line printed before the run: the interval is not one the public network allows. */
export function describeInterval(intervalMs: number): string {
  return intervalMs >= BEP11_MIN_INTERVAL_MS
    ? `PEX interval ${formatMs(intervalMs)}`
    : `PEX interval ${formatMs(intervalMs)}: ACCELERATED for this demo, faster than BEP 11 allows ` +
        `on the public network (at most one message per ${formatMs(BEP11_MIN_INTERVAL_MS)}; ` +
        `this library's default is ${formatMs(DEFAULT_SEND_INTERVAL_MS)})`;
}

/** One progress line. */
export function formatProgress(snapshot: DemoSnapshot, nodes: number): string {
  return (
    `${formatSeconds(snapshot.atMs).padStart(6)}  ` +
    `${snapshot.completeNodes}/${nodes} nodes know the whole swarm ` +
    `(mean ${Math.round(snapshot.meanKnownShare * 100)}% known), ` +
    `${snapshot.messages} messages, ${formatBytes(snapshot.bytes)}, ` +
    `${Math.round(snapshot.connections)} connections`
  );
}

/** The summary printed after the run. */
export function formatSummary(result: DemoResult): string[] {
  const n = result.nodes.length;
  const { messages, bytes } = perNodeTotals(result);
  const lines: string[] = [];
  if (result.converged) {
    lines.push(
      `converged: every node knows the other ${n - 1} after ${formatSeconds(result.convergedAtMs ?? 0)} ` +
        `in ${result.rounds} PEX rounds (the most hops any node needed to hear of a peer)`,
    );
  } else {
    const last = result.samples.at(-1);
    lines.push(
      `NOT converged within ${formatSeconds(result.options.timeoutMs)}: ` +
        `${last?.completeNodes ?? 0}/${n} nodes knew the whole swarm`,
    );
  }
  lines.push(
    `messages sent per node: mean ${messages.mean.toFixed(1)}, max ${messages.max} (${messages.total} in all)`,
    `bytes sent per node: mean ${formatBytes(bytes.mean)}, max ${formatBytes(bytes.max)} (${formatBytes(bytes.total)} in all)`,
    `largest message: ${Math.max(0, ...result.nodes.map((r) => r.largestMessageBytes))} bytes`,
    `peers learned through PEX per node: mean ${mean(result.nodes.map((r) => r.learnedByPex)).toFixed(1)} ` +
      `(the rest: the one peer each node was told about, and peers that dialled it)`,
    ...formatPool(result),
    `connections per node at the end: mean ${mean(result.nodes.map((r) => r.connections)).toFixed(1)} ` +
      `(limit ${result.options.maxConnections}); ${sum(result.nodes.map((r) => r.rotations))} closed ` +
      `by full nodes to make room for peers they knew but were not connected to`,
  );
  const warnings = sum(result.nodes.map((r) => r.warnings));
  if (warnings > 0) lines.push(`PEX warnings (violations, bad payloads): ${warnings}`);
  lines.push('', 'nodes that know every other node, by second:', ...formatChart(result));
  return lines;
}

/**
 * What the candidate pool did: its dials against dialling every peer learned through PEX (or
 * every report of one, as an application dialling on each ut_pex `peer` event would), and the
 * spread of sources behind its candidates.
 */
export function formatPool(result: DemoResult): string[] {
  const pool = poolTotals(result);
  const share = pool.learnedByPex === 0 ? 0 : Math.round((pool.saved / pool.learnedByPex) * 100);
  return [
    `dials through the candidate pool: ${pool.dials} in all (${pool.connectedAlready} handed-out ` +
      `candidates were connected already); dialling every peer learned through PEX would take ` +
      `${pool.learnedByPex}, every report of one ${pool.reports}: the pool saved ${pool.saved} ` +
      `dials (${share}%)`,
    `pool dials by number of sources: ${formatBySources(pool.dialsBySources)}; ` +
      `candidates held at the end by number of sources: ${formatBySources(pool.candidatesBySources)}`,
  ];
}

/** A bar per sample: how many nodes knew everyone then. */
export function formatChart(result: DemoResult): string[] {
  const n = result.nodes.length;
  return result.samples.map((sample) => {
    const filled = Math.round((sample.completeNodes / n) * CHART_WIDTH);
    return (
      `${formatSeconds(sample.atMs).padStart(6)} |${'#'.repeat(filled)}${' '.repeat(CHART_WIDTH - filled)}| ` +
      `${String(sample.completeNodes).padStart(String(n).length)}/${n}`
    );
  });
}

/** The machine-readable form of the same report. */
export function resultToJson(result: DemoResult) {
  const { messages, bytes } = perNodeTotals(result);
  return {
    converged: result.converged,
    nodes: result.nodes.length,
    maxConnections: result.options.maxConnections,
    intervalMs: result.options.intervalMs,
    firstMessageDelayMs: result.options.firstMessageDelayMs,
    timeoutMs: result.options.timeoutMs,
    acceleratedInterval: result.options.intervalMs < BEP11_MIN_INTERVAL_MS,
    infoHash: result.infoHash,
    convergedAtMs: roundMs(result.convergedAtMs),
    firstMessageAtMs: roundMs(result.firstMessageAtMs),
    rounds: result.rounds ?? null,
    durationMs: roundMs(result.durationMs),
    messages,
    bytes,
    largestMessageBytes: Math.max(0, ...result.nodes.map((r) => r.largestMessageBytes)),
    rotations: sum(result.nodes.map((r) => r.rotations)),
    warnings: sum(result.nodes.map((r) => r.warnings)),
    pool: poolTotals(result),
    timeline: result.samples.map((s) => ({
      atMs: roundMs(s.atMs),
      completeNodes: s.completeNodes,
      meanKnownShare: Math.round(s.meanKnownShare * 1000) / 1000,
      messages: s.messages,
      bytes: s.bytes,
      connections: Math.round(s.connections),
    })),
    perNode: result.nodes.map((r) => ({
      peer: r.key,
      known: r.known,
      learnedByPex: r.learnedByPex,
      pexReports: r.pexReports,
      connections: r.connections,
      dials: r.dials,
      poolDials: r.poolDials,
      rotations: r.rotations,
      messagesSent: r.messagesSent,
      bytesSent: r.bytesSent,
      messagesReceived: r.messagesReceived,
      bytesReceived: r.bytesReceived,
      largestMessageBytes: r.largestMessageBytes,
      warnings: r.warnings,
    })),
  };
}

function perNodeTotals(result: DemoResult) {
  const stat = (values: number[]) => ({
    total: sum(values),
    mean: Math.round(mean(values) * 10) / 10,
    max: Math.max(0, ...values),
  });
  return {
    messages: stat(result.nodes.map((r) => r.messagesSent)),
    bytes: stat(result.nodes.map((r) => r.bytesSent)),
  };
}

/** The pool's work over all nodes; counts by sources keyed by the number of sources. */
function poolTotals(result: DemoResult) {
  const dials = sum(result.nodes.map((r) => r.poolDials));
  const learnedByPex = sum(result.nodes.map((r) => r.learnedByPex));
  const reports = sum(result.nodes.map((r) => r.pexReports));
  return {
    dials,
    connectedAlready: sum(result.nodes.map((r) => r.poolConnected)),
    learnedByPex,
    reports,
    saved: learnedByPex - dials,
    savedAgainstReports: reports - dials,
    dialsBySources: addBySources(result.nodes.map((r) => r.poolDialsBySources)),
    candidatesBySources: addBySources(result.nodes.map((r) => r.candidatesBySources)),
  };
}

/** Adds counts indexed by number of sources: `{ "1": n, "2": m }`, absent counts left out. */
function addBySources(counts: readonly (readonly number[])[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const bySources of counts) {
    bySources.forEach((count, sources) => {
      if (count !== undefined) total[sources] = (total[sources] ?? 0) + count;
    });
  }
  return total;
}

function formatBySources(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts);
  if (entries.length === 0) return 'none';
  return entries.map(([sources, count]) => `${count} with ${sources}`).join(', ');
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : sum(values) / values.length;
}

function roundMs(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms);
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function formatBytes(bytes: number): string {
  return bytes < 1000 ? `${Math.round(bytes)} B` : `${(bytes / 1000).toFixed(1)} kB`;
}
