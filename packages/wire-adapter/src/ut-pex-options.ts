import { createInboundView, createOutboundTracker } from '@pex/core';
import { parsePeerAddress } from '@pex/events';
import { resolveSessionOptions } from '@pex/events/internal';
import type { UtPexOptions } from './ut-pex-types.js';

/**
 * Checks every option of `utPex()` as each wire's session will: a mistake shows where the
 * options are written, not later inside a connection handler.
 * @throws {TypeError|RangeError} for the first invalid option.
 * @internal
 */
export function checkUtPexOptions(options: UtPexOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`"options" expected an object, got ${String(options)}`);
  }
  const { onViolation = 'ignore', remoteAddress, ...sessionOptions } = options;
  if (onViolation !== 'ignore' && onViolation !== 'disconnect') {
    throw new TypeError(
      `"onViolation" expected 'ignore' or 'disconnect', got ${String(onViolation)}`,
    );
  }
  if (remoteAddress !== undefined) parsePeerAddress(remoteAddress);
  resolveSessionOptions({ ...sessionOptions, send: ignoreBytes });
  // What each session hands to @pex/core unchecked until then: a view and a tracker built
  // once here check those numbers with core's own rules.
  createInboundView(sessionOptions.inbound);
  createOutboundTracker(sessionOptions.caps);
}

/** The `send` the options are checked with: never called. */
function ignoreBytes(): void {}
