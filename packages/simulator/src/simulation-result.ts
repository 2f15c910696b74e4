import type { SimulationCaps, SimulationTurnover } from './simulation-options.js';

/** Mean and largest value of a per-node quantity. */
export interface SimulationSpread {
  /** Mean over the nodes. */
  readonly mean: number;
  /** Largest value of one node. */
  readonly max: number;
}

/** When the swarm first reached one level of knowledge. */
export interface SimulationConvergence {
  /** The level: every counted live node knows at least this share of the other live nodes, %. */
  readonly percent: number;
  /** Virtual time it was first seen at (a measurement time, ms), or null if never within the run. */
  readonly atMs: number | null;
  /**
   * First measurement at which the nodes knew this share on average (the typical node rather
   * than the last one), ms, or null.
   */
  readonly meanAtMs: number | null;
}

/** One measurement of what the live nodes know. */
export interface SimulationCoverageSample {
  /** Virtual time of the measurement, ms. */
  readonly atMs: number;
  /** Live nodes at that time. */
  readonly liveNodes: number;
  /** Share of the other live nodes known by the node that knows least (counted nodes only), %. */
  readonly minPercent: number;
  /** The same share averaged over the counted nodes, %. */
  readonly meanPercent: number;
}

/**
 * What `simulateSwarm` measured: plain data (JSON-safe), identical for the same seed and options.
 * Per-node figures are over every node that took part (the starting nodes and those that joined).
 */
export interface SwarmSimulationResult {
  /** The settings of the run, defaults filled in (functions and pool options as booleans). */
  readonly settings: SimulationSettings;
  /** First time every counted live node knew 50, 90, 99 and 100 % of the other live nodes. */
  readonly convergence: readonly SimulationConvergence[];
  /** Every measurement, one per `sampleIntervalMs`. */
  readonly coverage: readonly SimulationCoverageSample[];
  /** PEX messages sent. */
  readonly messages: {
    /** Messages in all. */
    readonly total: number;
    /** Bytes in all (ut_pex payloads). */
    readonly bytes: number;
    /** Messages sent per node. */
    readonly perNode: SimulationSpread;
    /** Bytes sent per node. */
    readonly bytesPerNode: SimulationSpread;
    /** Messages that arrived after their connection had closed (not delivered). */
    readonly lost: number;
  };
  /** Peers the sessions reported (`peer` events), and how many of them a node knew already. */
  readonly deliveries: {
    /** `peer` events in all. */
    readonly total: number;
    /** Those for a peer the node knew already (from another source, or the same one again). */
    readonly duplicates: number;
    /** Duplicates per node. */
    readonly duplicatesPerNode: SimulationSpread;
  };
  /** Connections made and closed. */
  readonly connections: {
    /** Dials started. */
    readonly dials: number;
    /** Connections opened. */
    readonly opened: number;
    /** Dials that failed: the peer had left, was full, or was connected already. */
    readonly failed: number;
    /** Connections closed by turnover. */
    readonly turnedOver: number;
    /** Open connections per live node at the end. */
    readonly openPerNode: SimulationSpread;
  };
  /** Nodes that left and joined during the run (churn). */
  readonly churn: {
    /** Nodes that left. */
    readonly left: number;
    /** Nodes that joined after the start. */
    readonly joined: number;
  };
  /** What the sessions refused or complained about (from their counters and events). */
  readonly sessions: {
    /** Sessions created (two per connection). */
    readonly created: number;
    /** Rule breaks seen by receivers (`violation` events). */
    readonly violations: number;
    /** Payloads that did not decode. */
    readonly invalidPayloads: number;
    /** Peers refused by the `accept` policy, the per-source cap or the privacy. */
    readonly refused: number;
    /** `warning` events (a throwing policy, for instance). */
    readonly warnings: number;
  };
  /** Callbacks the scheduler ran: the work of the run, in events. */
  readonly events: number;
}

/** The settings of a run as reported (`SwarmSimulationResult.settings`). */
export interface SimulationSettings {
  /** Nodes at the start. */
  readonly nodes: number;
  /** Virtual time simulated, ms. */
  readonly durationMs: number;
  /** The seed. */
  readonly seed: number;
  /** Most connections per node. */
  readonly maxConnections: number;
  /** A node dials while it has fewer connections than this. */
  readonly dialBelow: number;
  /** Message delay range, ms. */
  readonly latencyMs: {
    /** Shortest delay, ms. */
    readonly min: number;
    /** Longest delay, ms. */
    readonly max: number;
  };
  /** Nodes leaving (and joining) per minute. */
  readonly churnPerMinute: number;
  /** Peers from the tracker on joining and at each announce. */
  readonly bootstrapPeers: number;
  /** Time between two tracker announces of a node, ms (0: none after the first). */
  readonly announceIntervalMs: number;
  /** Window in which the starting nodes join, ms. */
  readonly rampMs: number;
  /** Peer turnover, or false. */
  readonly turnover: SimulationTurnover | false;
  /** `'timeline'` or `'tracker'`. */
  readonly outbound: 'timeline' | 'tracker';
  /** The sessions' interval, ms (the default filled in). */
  readonly intervalMs: number;
  /** The sessions' first-message delay, ms (the default filled in). */
  readonly firstMessageDelayMs: number;
  /** Caps of outgoing messages (the defaults filled in). */
  readonly caps: Required<SimulationCaps>;
  /** Whether BEP 11's relaxation was on. */
  readonly relaxation: boolean;
  /** Whether nodes dialled from a candidate pool. */
  readonly candidatePool: boolean;
  /** Whether a custom `accept` policy was given. */
  readonly customAccept: boolean;
  /** Whether a dial policy was given. */
  readonly customDialPolicy: boolean;
}
