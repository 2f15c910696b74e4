import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@jest/globals';

// The short soak of CI: 200 wires over TCP on 127.0.0.1 for 12 s, in a child process with
// --expose-gc running the built packages. `pnpm soak <seconds>` runs the same for longer.
const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'soak', 'soak.mjs');
const SOAK_SECONDS = 12;
const WIRES = 200;
/** Heap may end this much above its start (V8's own caches); a leak of a few KiB per wire shows. */
const HEAP_SLACK_BYTES = 2 * 1024 * 1024;

test(`soak: ${WIRES} wires with churn and hostile PEX for ${SOAK_SECONDS} s leave nothing behind`, () => {
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', script, `--duration=${SOAK_SECONDS}`, `--wires=${WIRES}`, '--interval-ms=200'],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 },
  );
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  const result = JSON.parse(run.stdout.trim().split('\n').pop() as string);
  process.stdout.write(`${JSON.stringify(result)}\n`);

  expect(result.uncaught).toEqual([]);
  // The whole load happened: every wire up at once, churn, every kind of traffic.
  expect(result.maxConcurrent).toBe(WIRES);
  expect(result.wiresOpened).toBeGreaterThan(WIRES);
  expect(result.hubPeerEvents).toBeGreaterThan(0);
  expect(result.hubSent).toBeGreaterThan(0);
  expect(result.clientPeerEvents).toBeGreaterThan(0);
  expect(result.hubInvalid).toBeGreaterThan(0);
  expect(result.hubViolations).toBeGreaterThan(0);
  // Afterwards: nothing open, no PEX timer pending, the same handles as before, heap back.
  expect(result.afterClose).toEqual({
    clientsOpen: 0,
    hubWires: 0,
    hubAdvertised: 0,
    hubSockets: 0,
    hubTimers: 0,
    clientTimers: 0,
  });
  expect(result.timersBefore).toBe(0);
  expect(result.activeAfter).toEqual(result.activeBefore);
  expect(result.gc).toBe(true);
  expect(result.heapAfter - result.heapBefore).toBeLessThan(HEAP_SLACK_BYTES);
}, 90_000);
