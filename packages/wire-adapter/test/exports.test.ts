import { expect, test } from '@jest/globals';

// The public names of @pex/wire-adapter: what its users may import, pinned so that none is added or
// removed by accident. A change to this list is a release decision (a removal breaks users; an
// addition is kept for good), not a refactoring: make it with the changelog, not to pass a test.
// Only values are visible at runtime. The exported types, pinned by hand (keep in step with
// src/index.ts; scripts/count-public-names.mjs counts both):
// PexSwarm, PexSwarmDroppedEvent, PexSwarmEvents, PexSwarmOptions, PexSwarmPeerEvent,
// PexSwarmRefusedEvent, PexSwarmWireInfo, PexWire, UtPexEvents, UtPexExtension, UtPexFlags,
// UtPexOptions.
const PUBLIC_VALUES = [
  'PexHandshakeError',
  'PexViolationError',
  'createPexSwarm',
  'default',
  'pexOf',
  'utPex',
];

test('@pex/wire-adapter exports exactly its public values', async () => {
  const entry: Record<string, unknown> = await import('@pex/wire-adapter');
  expect(Object.keys(entry).sort()).toEqual([...PUBLIC_VALUES].sort());
});
