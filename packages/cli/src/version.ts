import { readFileSync } from 'node:fs';

/**
 * The version of `@pex/cli`, read from its package.json, which sits one directory above this
 * module both in `dist/` (installed) and in `src/`.
 * @throws Error when the package.json cannot be read or has no version.
 */
export function readCliVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  if (typeof version !== 'string') throw new Error('the package.json of @pex/cli has no version');
  return version;
}
