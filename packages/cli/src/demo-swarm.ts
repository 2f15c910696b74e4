import { randomBytes } from 'node:crypto';
import { type DemoNode, type DemoNodeStats, startDemoNode } from './demo-node.js';

/** Options of a demo run (the command fills in the defaults). */
export interface DemoSwarmOptions {
  readonly nodes: number;
  readonly maxConnections: number;
  readonly intervalMs: number;
  readonly firstMessageDelayMs: number;
  readonly timeoutMs: number;
  /** Loopback address of every node. Default 127.0.0.1. */
  readonly host?: string;
  /** Called about once a second while the swarm runs. */
  readonly onProgress?: (snapshot: DemoSnapshot) => void;
}

/** The swarm at one moment. */
export interface DemoSnapshot {
  readonly atMs: number;
  /** Nodes that know every other node. */
  readonly completeNodes: number;
  /** Mean share of the other nodes each node knows, 0..1. */
  readonly meanKnownShare: number;
  readonly messages: number;
  readonly bytes: number;
  readonly connections: number;
}

/** One node at the end of the run. */
export interface DemoNodeReport extends DemoNodeStats {
  readonly key: string;
  readonly known: number;
  readonly connections: number;
  /** The candidate pool's candidates by their number of sources at the end (index: sources). */
  readonly candidatesBySources: readonly number[];
}

/** What a demo run measured. */
export interface DemoResult {
  readonly options: Omit<DemoSwarmOptions, 'onProgress'> & { readonly host: string };
  readonly infoHash: string;
  readonly converged: boolean;
  /** When every node knew every other, ms after the nodes were introduced. */
  readonly convergedAtMs: number | undefined;
  /** When the first PEX message was sent, ms after the start. */
  readonly firstMessageAtMs: number | undefined;
  /**
   * PEX rounds until convergence: the most PEX hops any node needed to first hear of a peer
   * (learning X from S is one hop more than S needed for X; the ring neighbour is 0 hops).
   */
  readonly rounds: number | undefined;
  readonly durationMs: number;
  /** One snapshot per second, then the final one. */
  readonly samples: readonly DemoSnapshot[];
  readonly nodes: readonly DemoNodeReport[];
}

const CHECK_EVERY_MS = 50;
const SAMPLE_EVERY_MS = 1_000;

/**
 * Runs a demo swarm on loopback: starts `nodes` listeners, introduces each node to the next
 * one only (a ring), and waits until every node knows every other (or the timeout). Closes
 * every listener and connection before it resolves.
 * @throws Error when a listener cannot be bound (the nodes already started are closed).
 */
export async function runDemoSwarm(options: DemoSwarmOptions): Promise<DemoResult> {
  const host = options.host ?? '127.0.0.1';
  const infoHash = randomBytes(20).toString('hex');
  let startedAt = performance.now();
  const now = () => performance.now() - startedAt;
  const nodeOptions = {
    infoHash,
    host,
    maxConnections: options.maxConnections,
    intervalMs: options.intervalMs,
    firstMessageDelayMs: options.firstMessageDelayMs,
    now,
    depths: new Map<string, number>(),
  };
  const started = await Promise.allSettled(
    Array.from({ length: options.nodes }, () => startDemoNode(nodeOptions)),
  );
  const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(nodes.map((node) => node.close()));
    throw failed.reason;
  }

  startedAt = performance.now();
  for (const [i, node] of nodes.entries()) {
    node.introduce((nodes[(i + 1) % nodes.length] as DemoNode).key);
  }

  const samples: DemoSnapshot[] = [];
  let convergedAtMs: number | undefined;
  await new Promise<void>((resolve) => {
    let nextSampleAt = SAMPLE_EVERY_MS;
    const timer = setInterval(() => {
      const at = now();
      const snapshot = snapshotOf(nodes, at);
      if (snapshot.completeNodes === nodes.length) convergedAtMs = at;
      if (at >= nextSampleAt || convergedAtMs !== undefined) {
        nextSampleAt += SAMPLE_EVERY_MS;
        samples.push(snapshot);
        options.onProgress?.(snapshot);
      }
      if (convergedAtMs !== undefined || at >= options.timeoutMs) {
        clearInterval(timer);
        resolve();
      }
    }, CHECK_EVERY_MS);
  });
  const durationMs = now();
  const reports = nodes.map(reportOf);
  await Promise.all(nodes.map((node) => node.close()));

  const firstSent = reports.flatMap((r) =>
    r.firstSentAtMs === undefined ? [] : [r.firstSentAtMs],
  );
  const firstMessageAtMs = firstSent.length > 0 ? Math.min(...firstSent) : undefined;
  const { onProgress: _, ...rest } = options;
  return {
    options: { ...rest, host },
    infoHash,
    converged: convergedAtMs !== undefined,
    convergedAtMs,
    firstMessageAtMs,
    rounds:
      convergedAtMs === undefined ? undefined : Math.max(0, ...reports.map((r) => r.maxDepth)),
    durationMs,
    samples,
    nodes: reports,
  };
}

function snapshotOf(nodes: readonly DemoNode[], atMs: number): DemoSnapshot {
  const others = nodes.length - 1;
  let completeNodes = 0;
  let knownShare = 0;
  let messages = 0;
  let bytes = 0;
  let connections = 0;
  for (const node of nodes) {
    if (node.known.size >= others) completeNodes++;
    knownShare += others === 0 ? 1 : Math.min(1, node.known.size / others);
    messages += node.stats.messagesSent;
    bytes += node.stats.bytesSent;
    connections += node.connectionCount;
  }
  return {
    atMs,
    completeNodes,
    meanKnownShare: knownShare / nodes.length,
    messages,
    bytes,
    // Each connection has two ends.
    connections: connections / 2,
  };
}

function reportOf(node: DemoNode): DemoNodeReport {
  return {
    key: node.key,
    known: node.known.size,
    connections: node.connectionCount,
    ...node.stats,
    poolDialsBySources: [...node.stats.poolDialsBySources],
    candidatesBySources: node.countCandidatesBySources(),
  };
}
