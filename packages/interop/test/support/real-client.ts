// Real BitTorrent clients from Debian for interop tests: install them when missing (once per
// process), and skip loudly - or, in CI, fail - when they still cannot run.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's installer for the Debian packages the interop tests need. */
export const ENSURE_TOOLS_SCRIPT_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../scripts/ensure-interop-tools.sh',
);
const INSTALL_TIMEOUT_MS = 300_000;
let installAttempted = false;

/** A real client a suite needs. */
export interface RealClient {
  /** Its name in messages, e.g. `transmission-daemon`. */
  readonly name: string;
  /** True when it can run on this machine. */
  isAvailable(): boolean;
  /** Why it is unusable when it is, for the banner or the CI error. */
  readonly whyMissing: string;
}

/**
 * Runs `scripts/ensure-interop-tools.sh` (apt-get, as root or with password-less sudo) at most
 * once per process - it installs every missing client at once - then checks `client` again.
 * `PEX_INTEROP_NO_INSTALL=1` skips the attempt.
 */
function tryInstall(client: RealClient): boolean {
  if (installAttempted || process.env.PEX_INTEROP_NO_INSTALL === '1') return client.isAvailable();
  installAttempted = true;
  console.warn(`${client.name} missing: running ${ENSURE_TOOLS_SCRIPT_PATH}`);
  spawnSync('bash', [ENSURE_TOOLS_SCRIPT_PATH], { stdio: 'inherit', timeout: INSTALL_TIMEOUT_MS });
  return client.isAvailable();
}

/**
 * For a test file's top level: true when `client` is usable, installing it first when missing.
 * When it still is not, prints a loud banner and returns false (the caller skips its tests) -
 * except under CI (`CI=true`), where it throws, because a skipped interop suite in CI hides a
 * broken machine set-up. `PEX_REAL_CLIENTS=0` (`npm run test:quick`) skips the suite at once,
 * without looking for the client or installing it, CI or not.
 * @throws Error in CI when the client cannot run.
 */
export function requireRealClientOrSkip(client: RealClient, suiteName: string): boolean {
  if (process.env.PEX_REAL_CLIENTS === '0') return false;
  if (client.isAvailable() || tryInstall(client)) return true;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${suiteName}: ${client.whyMissing}; refusing to skip interop tests in CI`);
  }
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n!! SKIPPING ${suiteName}\n!! ${client.whyMissing}\n${bar}\n`);
  return false;
}
