/**
 * @packageDocumentation
 * What `@pex/ut_pex` needs of `@pex/wire-adapter` beyond its public API: the extension factory
 * with its internal hooks, and the late-bound outbound a swarm binds its cursor to.
 * UNSTABLE: not part of the public API; any release may change or remove it.
 */

export { LateOutbound } from './late-outbound.js';
export { defineUtPexExtension } from './ut-pex-extension.js';
export { fromUtPexFlags, toUtPexFlags } from './ut-pex-flags.js';
export { checkUtPexOptions } from './ut-pex-options.js';
export { isOutgoing } from './wire.js';
