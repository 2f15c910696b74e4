// Helpers the test suites share. Each also has its own entry (`@pex/test-support/bytes` ...);
// scripts run outside jest import those, as `flags` needs jest's `expect`.
export { type BytePart, bytesOf, hex } from './bytes.js';
export { type CountingTimers, createCountingTimers } from './counting-timers.js';
export { createFakeTime, type FakeClock, type FakeTime, type FakeTimers } from './fake-time.js';
export { expectNothingFlagged, type FlaggedLists } from './flags.js';
export { activeCounts, heapUsed, isProcessAlive } from './process.js';
export { thrownBy } from './thrown.js';
export { waitUntil } from './wait.js';
