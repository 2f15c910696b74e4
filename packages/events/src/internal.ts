/**
 * @packageDocumentation
 * What `@pex/wire-adapter` needs of `@pex/events` beyond its public API. UNSTABLE: not part
 * of the public API, and any release may change or remove it. Import `@pex/events` instead.
 */

export { createRelayedPexSession, type PexSessionRelay } from './session.js';
export { resolveSessionOptions } from './session-options.js';
