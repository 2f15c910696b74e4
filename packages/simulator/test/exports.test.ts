import { expect, test } from '@jest/globals';

// The public names of @pex/simulator, pinned: a change to this list is a release decision.
// Only values are visible at runtime. The exported types, pinned by hand (keep in step with
// src/index.ts): SimulationCaps, SimulationConvergence, SimulationCoverageSample,
// SimulationDialContext, SimulationDialPolicy, SimulationSettings, SimulationSpread,
// SimulationTurnover, SwarmSimulationOptions, SwarmSimulationResult.
const PUBLIC_VALUES = ['simulateSwarm'];

test('@pex/simulator exports exactly its public values', async () => {
  const entry: Record<string, unknown> = await import('@pex/simulator');
  expect(Object.keys(entry).sort()).toEqual([...PUBLIC_VALUES].sort());
});
