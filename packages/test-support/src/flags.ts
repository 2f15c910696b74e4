// What a test wire or adapter recorded as wrong: the interop suites expect none of it.
import { expect } from '@jest/globals';

/** The four lists a test wire keeps of what the session and the adapter flagged. */
export interface FlaggedLists {
  readonly violations: readonly unknown[];
  readonly invalid: readonly unknown[];
  readonly warnings: readonly unknown[];
  readonly adapterWarnings: readonly unknown[];
}

/** Expects every list of `wire` to be empty (one `expect` a list, so a failure names it). */
export function expectNothingFlagged(wire: FlaggedLists): void {
  expect(wire.violations).toEqual([]);
  expect(wire.invalid).toEqual([]);
  expect(wire.warnings).toEqual([]);
  expect(wire.adapterWarnings).toEqual([]);
}
