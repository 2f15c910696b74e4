import { expect, test } from '@jest/globals';

// The public names of @pex/cli: what its users may import, pinned so that none is added or
// removed by accident. A change to this list is a release decision (a removal breaks users; an
// addition is kept for good), not a refactoring: make it with the changelog, not to pass a test.
// Only values are visible at runtime. The exported types, pinned by hand (keep in step with
// src/index.ts; scripts/count-public-names.mjs counts both):
// CommandIo.
const PUBLIC_VALUES = ['main'];

test('@pex/cli exports exactly its public values', async () => {
  const entry: Record<string, unknown> = await import('@pex/cli');
  expect(Object.keys(entry).sort()).toEqual([...PUBLIC_VALUES].sort());
});
