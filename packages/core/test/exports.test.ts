import { expect, test } from '@jest/globals';

// The public names of the root entry of @pex/core: what its users may import, pinned so that none is added or
// removed by accident. A change to this list is a release decision (a removal breaks users; an
// addition is kept for good), not a refactoring: make it with the changelog, not to pass a test.
// Only values are visible at runtime. The exported types, pinned by hand (keep in step with
// src/index.ts; scripts/count-public-names.mjs counts both):
// AddedPeer, AddressFamily, CandidatePool, CandidatePoolOptions, CandidateReportResult,
// CompactPeer, DecodedPexMessage, InboundPeer, InboundResult, InboundView, InboundViewOptions,
// OutboundTracker, PeerKey, PexDecodeReason, PexFlags, PexLimits, PexMessage, PexOutbound,
// PexOutboundOptions, PexViolation, PoolCandidate, RelayIndex, RelayIndexOptions, SwarmTimeline,
// SwarmTimelineCursor.
const PUBLIC_VALUES = [
  'DEFAULT_PEX_LIMITS',
  'PEX_DECODE_REASONS',
  'PEX_FLAG_PREFERS_ENCRYPTION',
  'PEX_FLAG_REACHABLE',
  'PEX_FLAG_SUPPORTS_HOLEPUNCH',
  'PEX_FLAG_SUPPORTS_UTP',
  'PEX_FLAG_UPLOAD_ONLY',
  'PexDecodeError',
  'compareCandidates',
  'createCandidatePool',
  'createInboundView',
  'createOutboundTracker',
  'createRelayIndex',
  'createSwarmTimeline',
  'decodeCompactPeers',
  'decodePexFlags',
  'decodePexMessage',
  'encodeCompactPeers',
  'encodePexFlags',
  'encodePexMessage',
  'formatPeerAddress',
  'isPexDecodeError',
  'peerKey',
  'peerPriority',
];

test('@pex/core exports exactly its public values', async () => {
  const entry: Record<string, unknown> = await import('@pex/core');
  expect(Object.keys(entry).sort()).toEqual([...PUBLIC_VALUES].sort());
});
