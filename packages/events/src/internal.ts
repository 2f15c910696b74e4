/**
 * @packageDocumentation
 * What `@pex/wire-adapter`, the CLI and the tests need of `@pex/events` beyond its public API.
 * UNSTABLE: not part of the public API, and any release may change or remove it. Import
 * `@pex/events` instead.
 */

export type {
  PexSessionEventName,
  PexWarningSource,
} from './events.js';
export { readPeerFlags, resolveFlagByte } from './flags.js';
export { parseIpAddress, readPeerAddress, stringifyPeerAddress } from './peer-address.js';
export { acceptPeerByDefault } from './peer-policy.js';
export { createRelayedPexSession, type PexSessionRelay } from './session.js';
export {
  FIRST_MESSAGE_DELAY_MS,
  MAX_LOCAL_ADDRESSES,
  resolveSessionOptions,
} from './session-options.js';
export type { PexSessionEmitter } from './session-types.js';
export { realClock, realTimers } from './timers.js';
