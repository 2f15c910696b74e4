import type { SwarmSimulationOptions } from '@pex/simulator';

/** The named settings of `pex simulate --preset`. */
export type SimulatePresetName = 'default' | 'libtorrent' | 'transmission';

/**
 * Each preset's PEX options (the network, limits and churn come from the other flags):
 * - `default`: this library's (70 s, first message 1.5 s after the handshake with up to 100
 *   peers, later 50 added and 50 dropped);
 * - `libtorrent`: 60 s, first message at once with up to 100 added, later 100 added and the
 *   drops unlimited (ut_pex.cpp: max_peer_entries 100, no cap on dropped);
 * - `transmission`: 90 s, 50 added and 50 dropped per family (peer-msgs.cc), our first-message
 *   delay. The simulated swarm is IPv4 only, so "per family" is per message.
 */
export const SIMULATE_PRESETS: Readonly<Record<SimulatePresetName, SwarmSimulationOptions>> = {
  default: {},
  libtorrent: {
    intervalMs: 60_000,
    firstMessageDelayMs: 0,
    caps: {
      firstMessageMaxAdded: 100,
      maxAddedPerMessage: 100,
      maxDroppedPerMessage: Number.MAX_SAFE_INTEGER,
    },
  },
  transmission: {
    intervalMs: 90_000,
    caps: { firstMessageMaxAdded: 50, maxAddedPerMessage: 50, maxDroppedPerMessage: 50 },
  },
};

/** Whether `name` is a preset. */
export function isSimulatePreset(name: string): name is SimulatePresetName {
  return name === 'default' || name === 'libtorrent' || name === 'transmission';
}
