import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@jest/globals';

// Hostile peers at the wire boundary over real TCP on 127.0.0.1: attack/wire-boundary.mjs runs a
// victim (bittorrent-protocol 5 wires with the BUILT @pex/wire-adapter) against raw attackers
// writing hand-made bytes (attack/raw-peer.mjs), one scenario per child process. A child process
// because one defect is a synchronous infinite loop: only a kill (SIGKILL at the timeout) stops
// it, which a jest timeout cannot do. Every scenario must exit by itself (status 0).
const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'attack', 'wire-boundary.mjs');
const CHILD_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 45_000;
/** Heap may end this much above its start after 200 hostile connections (V8's own caches). */
const HEAP_SLACK_BYTES = 8 * 1024 * 1024;

interface ScenarioRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  error: string | undefined;
  /** stderr lines that are not the scenario's JSON progress lines (stack traces and such). */
  stderrErrors: string[];
  /** The JSON progress lines on stderr (cases done before a hang, say). */
  progress: unknown[];
  // biome-ignore lint/suspicious/noExplicitAny: the child's JSON, asserted field by field
  result: any;
}

const runs = new Map<string, ScenarioRun>();

/** Runs `--scenario=name` once per test file (tests of one scenario share the run). */
function scenario(name: string, { exposeGc = false } = {}): ScenarioRun {
  const known = runs.get(name);
  if (known !== undefined) return known;
  const child = spawnSync(
    process.execPath,
    [...(exposeGc ? ['--expose-gc'] : []), script, `--scenario=${name}`],
    {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const progress: unknown[] = [];
  const stderrErrors: string[] = [];
  for (const line of (child.stderr ?? '').split('\n')) {
    if (line.trim() === '') continue;
    try {
      progress.push(JSON.parse(line));
    } catch {
      stderrErrors.push(line);
    }
  }
  let result: unknown;
  const last = (child.stdout ?? '').trim().split('\n').pop();
  try {
    result = last === undefined || last === '' ? undefined : JSON.parse(last);
  } catch {
    result = undefined;
  }
  const run: ScenarioRun = {
    status: child.status,
    signal: child.signal,
    error: child.error?.message,
    stderrErrors,
    progress,
    result,
  };
  process.stdout.write(
    `${name}: ${JSON.stringify({ status: run.status, signal: run.signal, progress, result })}\n`,
  );
  runs.set(name, run);
  return run;
}

/** The child exited by itself with status 0 (not killed at the timeout) and printed its line. */
function expectExitedOnItsOwn(run: ScenarioRun): void {
  expect({
    status: run.status,
    signal: run.signal,
    error: run.error,
    stderrErrors: run.stderrErrors,
    printedResult: run.result !== undefined,
  }).toEqual({ status: 0, signal: null, error: undefined, stderrErrors: [], printedResult: true });
  expect(run.result.uncaught).toEqual([]);
}

// --- 1. invalid-id ------------------------------------------------------------------------------

test(
  'harness control: valid ut_pex ids i3e and i255e get PEX under exactly that id',
  () => {
    const run = scenario('invalid-id');
    expectExitedOnItsOwn(run);
    const controls = run.result.cases.filter((c: { control: boolean }) => c.control);
    expect(
      controls.map((c: { name: string; pexById: Record<string, number> }) => [
        c.name,
        Object.keys(c.pexById),
      ]),
    ).toEqual([
      ['i3e', ['3']],
      ['i255e', ['255']],
    ]);
    expect(run.result.controlsWithPex).toEqual(['i3e', 'i255e']);
    // i0e / no ut_pex key: PEX is off, nothing is sent and nothing is wrong.
    const disabled = run.result.cases.filter((c: { disabled: boolean }) => c.disabled);
    expect(disabled.map((c: { pexById: object }) => c.pexById)).toEqual([{}, {}]);
    expect(run.result.disabledWithWarning).toEqual([]);
  },
  TEST_TIMEOUT_MS,
);

test(
  'ut_pex id outside 1..255 in the extended handshake (256, 2^40, 2^64, 30 digits, 300, "1", [5], -1, a dict, 3 -> 256): no PEX under a wrapped or coerced id, and a warning',
  () => {
    const run = scenario('invalid-id');
    expectExitedOnItsOwn(run);
    const wrongIds = Object.fromEntries(
      run.result.cases
        .filter((c: { pexUnderInvalidId: number }) => c.pexUnderInvalidId > 0)
        .map((c: { name: string; pexById: object }) => [c.name, c.pexById]),
    );
    expect({
      pexUnderInvalidId: run.result.pexUnderInvalidId,
      wrongIds,
      malformedWithoutWarning: run.result.malformedWithoutWarning,
    }).toEqual({ pexUnderInvalidId: 0, wrongIds: {}, malformedWithoutWarning: [] });
  },
  TEST_TIMEOUT_MS,
);

// --- 2. rehandshake -----------------------------------------------------------------------------

test(
  'harness control: PEX flows under ut_pex 3 before any re-handshake (utPex and swarm)',
  () => {
    const run = scenario('rehandshake');
    expectExitedOnItsOwn(run);
    expect({
      utPexAUnder3: run.result.utPex.aUnder3,
      swarmA0UnderId3: run.result.swarm.a0UnderId3,
      swarmA0GotA2: run.result.swarm.a0GotA2,
    }).toEqual({ utPexAUnder3: true, swarmA0UnderId3: true, swarmA0GotA2: true });
  },
  TEST_TIMEOUT_MS,
);

test(
  're-handshake ut_pex 3 -> 0 -> 9: nothing is sent while 0, and the peers added meanwhile arrive under 9 (utPex: full list A and B; swarm: A2)',
  () => {
    const run = scenario('rehandshake');
    expectExitedOnItsOwn(run);
    const { utPex, swarm } = run.result;
    expect({
      utPex: {
        pexWhileDisabled: utPex.pexWhileDisabled,
        bUnder9: utPex.bUnder9,
        aUnder9: utPex.aUnder9,
      },
      swarm: {
        pexWhileDisabled: swarm.pexWhileDisabled,
        a2Under9: swarm.a2Under9,
        pendingTimers: swarm.pendingTimers,
      },
    }).toEqual({
      utPex: { pexWhileDisabled: 0, bUnder9: true, aUnder9: true },
      swarm: { pexWhileDisabled: 0, a2Under9: true, pendingTimers: 0 },
    });
  },
  TEST_TIMEOUT_MS,
);

// --- 3. destroy-next-message --------------------------------------------------------------------

test(
  "onViolation 'disconnect': a valid PEX message in the same TCP write after an invalid one is not applied (0 peers, wire destroyed)",
  () => {
    const run = scenario('destroy-next-message');
    expectExitedOnItsOwn(run);
    // Control: the valid message alone is applied, and the invalid one is reported.
    expect(run.result.control.peers).toEqual(['8.8.8.8:6881']);
    expect(run.result.warnings.length).toBeGreaterThan(0);
    expect({
      peerEvents: run.result.peerEvents,
      wireDestroyed: run.result.wireDestroyed,
      attackerSawClose: run.result.attackerSawClose,
    }).toEqual({ peerEvents: 0, wireDestroyed: true, attackerSawClose: true });
  },
  TEST_TIMEOUT_MS,
);

// --- 4. hang-handshake --------------------------------------------------------------------------

test(
  'extended handshake d1:x-3:abce (bencode 4.0.1 never returns on a negative length) does not hang the process; hostile handshakes give a warning and the victim keeps serving (utPex and swarm)',
  () => {
    const run = scenario('hang-handshake');
    // Today the child spins at 100% CPU until SIGKILL at the timeout: status null, signal SIGKILL.
    expectExitedOnItsOwn(run);
    expect({
      notSurvived: run.result.notSurvived,
      withoutWarning: run.result.withoutWarning,
    }).toEqual({ notSurvived: [], withoutWarning: [] });
    const negative = run.result.negativeLength.map(
      (c: { victim: string; survived: boolean; wireDestroyed: boolean; warnings: number }) => ({
        victim: c.victim,
        survived: c.survived,
        wireDestroyed: c.wireDestroyed,
        warned: c.warnings > 0,
      }),
    );
    expect(negative).toEqual([
      { victim: 'utPex', survived: true, wireDestroyed: true, warned: true },
      { victim: 'swarm', survived: true, wireDestroyed: true, warned: true },
    ]);
  },
  TEST_TIMEOUT_MS,
);

// --- 5. floods-and-torn -------------------------------------------------------------------------

test(
  '200 hostile sockets on one swarm hub (PEX before handshakes, floods, malformed then valid, torn frames) leave no wire, timer, handle or heap behind',
  () => {
    const run = scenario('floods-and-torn', { exposeGc: true });
    expectExitedOnItsOwn(run);
    const result = run.result;
    expect(result.gc).toBe(true);
    expect(Object.values(result.roles as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(
      200,
    );
    expect(result.connectErrors).toEqual([]);
    // Malformed payloads apply nothing; the valid message after them still is applied.
    expect(result.peersFromInvalid).toBe(0);
    expect(result.peersFromValidAfterMalformed).toBeGreaterThan(0);
    expect(result.peersByRole.flood).toBeGreaterThan(0);
    // A flood is refused beyond the rate allowance, and says so.
    expect(result.hubWarnings).toBeGreaterThanOrEqual(result.floodMessages / 2);
    expect(result.peersByRole['pex-before-handshake'] ?? 0).toBe(0);
    // Afterwards: nothing held, no PEX timer pending, the same handles, heap back.
    expect(result.timersBefore).toBe(0);
    expect(result.afterClose).toEqual({
      hubWires: 0,
      hubAdvertised: 0,
      hubSockets: 0,
      pendingTimers: 0,
    });
    expect(result.activeAfter).toEqual(result.activeBefore);
    expect(result.heapGrowth).toBeLessThan(HEAP_SLACK_BYTES);
  },
  TEST_TIMEOUT_MS,
);
