import type { UtPexExtension } from './ut-pex-types.js';

/**
 * The ut_pex extension `utPex()` (or `createPexSwarm`) installed on `wire`, typed.
 * bittorrent-protocol 5 ships no types, so `wire.ut_pex` is `any` to TypeScript; this is the
 * typed way to reach it: `pexOf(wire).on('peer', (peer, flags) => ...)`.
 * @throws {TypeError} if `wire` has no ut_pex extension of this package (none installed yet, or
 *   the npm `ut_pex` instead).
 *
 * @example
 * ```ts
 * wire.use(utPex());
 * pexOf(wire).on('peer', (peer, flags) => maybeConnect(peer, flags.isReachable));
 * ```
 */
export function pexOf(wire: object): UtPexExtension {
  const extension = (wire as { ut_pex?: unknown } | null)?.ut_pex;
  if (!isOurExtension(extension)) {
    throw new TypeError(
      `"wire.ut_pex" expected the extension of utPex() from @pex/wire-adapter, got ${describeExtension(extension)}`,
    );
  }
  return extension;
}

/** Ours: named ut_pex, with a session and counters (the npm ut_pex has neither). */
function isOurExtension(value: unknown): value is UtPexExtension {
  const candidate = value as Partial<UtPexExtension> | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.name === 'ut_pex' &&
    typeof candidate.getCounters === 'function' &&
    typeof candidate.session === 'object'
  );
}

function describeExtension(value: unknown): string {
  if (value === undefined) return 'undefined (call wire.use(utPex()) first)';
  return typeof value === 'object' && value !== null
    ? `${value.constructor?.name ?? 'an object'} (another ut_pex extension)`
    : String(value);
}
