import type { PexViolation } from '@pex/core';

/** An Error carrying the violation's details, for ut_pex's `warning` event. */
export class PexViolationError extends Error {
  /** Always `'PexViolationError'`: test `name`, not `instanceof`. */
  override readonly name = 'PexViolationError';
  /** What the remote did wrong, from @pex/core's inbound view. */
  readonly violation: PexViolation;
  constructor(violation: PexViolation) {
    super(`PEX rule broken by the remote: ${violation.message}`);
    this.violation = violation;
  }
}
