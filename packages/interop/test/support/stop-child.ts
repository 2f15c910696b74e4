// Stopping a child process we started: SIGTERM, then SIGKILL if it is still there after a grace
// period. Shared by the real-client harnesses, which must never leave a process behind.
import type { ChildProcess } from 'node:child_process';

/**
 * Sends SIGTERM to `child` and waits for `exited` (a promise settled by its 'exit' event); if it
 * has not exited within `graceMs`, sends SIGKILL and waits again. Safe when it already exited.
 */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<void>,
  hasExited: () => boolean,
  graceMs: number,
): Promise<void> {
  if (hasExited() || child.pid === undefined) return;
  signal(child.pid, 'SIGTERM');
  let graceTimer: NodeJS.Timeout | undefined;
  const grace = new Promise<'timeout'>((resolve) => {
    graceTimer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const outcome = await Promise.race([exited.then(() => 'exited' as const), grace]);
  clearTimeout(graceTimer);
  if (outcome === 'timeout' && !hasExited()) {
    signal(child.pid, 'SIGKILL');
    await exited;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
