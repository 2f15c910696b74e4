// Processes in tests: child processes (real BitTorrent clients) and what a soak or attack run
// measures of its own process.

/** Whether process `pid` still exists (signal 0 probes without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Heap in use after two collections when node runs with --expose-gc (without it, as is). */
export function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** The process's active resources (handles, requests) counted by kind. */
export function activeCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
