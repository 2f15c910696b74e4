/**
 * @packageDocumentation
 * Helpers the sibling packages of `@pex/core` (`@pex/events`, `@pex/wire-adapter`) share.
 * UNSTABLE: not part of the public API, and any release may change or remove them. Import
 * `@pex/core` instead.
 */

export { checkBencodeDictionary } from './bencode-check.js';
export { formatIpv4, formatIpv6 } from './format-address.js';
