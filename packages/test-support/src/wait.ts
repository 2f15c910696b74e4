// Polling for what arrives over real sockets or pipes.

/**
 * Waits until `predicate()` holds, polling every `pollMs`, for at most `timeoutMs`.
 * @throws Error "condition not met in time" after `timeoutMs`
 */
export async function waitUntil(
  predicate: () => boolean,
  timeoutMs = 5_000,
  pollMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
