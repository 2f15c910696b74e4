// Polling for a condition in the interop tests, where what we wait for arrives over real
// sockets and from another process.

/**
 * Polls `probe` every 25 ms until it returns something other than undefined.
 * @throws Error after `timeoutMs`, naming `what`.
 */
export async function waitUntil<T>(
  probe: () => T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
