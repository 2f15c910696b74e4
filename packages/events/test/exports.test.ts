import { expect, test } from '@jest/globals';

// The public names of @pex/events: what its users may import, pinned so that none is added or
// removed by accident. A change to this list is a release decision (a removal breaks users; an
// addition is kept for good), not a refactoring: make it with the changelog, not to pass a test.
// Only values are visible at runtime. The exported types, pinned by hand (keep in step with
// src/index.ts; scripts/count-public-names.mjs counts both):
// PeerAddress, PeerAddressInput, PexAcceptPolicy, PexClock, PexCounters, PexFlagsInput,
// PexPeerAddress, PexPeerEvent, PexPeerFlags, PexPolicyContext, PexPrivacy, PexRefusal,
// PexRefusalReason, PexRefusedEvent, PexSentEvent, PexSession, PexSessionEvents, PexSessionOptions,
// PexTimers, PexViolationAction, PexWarningEvent.
const PUBLIC_VALUES = ['classifyPeer', 'createPexSession', 'parsePeerAddress'];

test('@pex/events exports exactly its public values', async () => {
  const entry: Record<string, unknown> = await import('@pex/events');
  expect(Object.keys(entry).sort()).toEqual([...PUBLIC_VALUES].sort());
});
