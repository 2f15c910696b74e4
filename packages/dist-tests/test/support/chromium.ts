import { existsSync } from 'node:fs';

/** Debian's chromium (scripts/ensure-browser.sh installs it). Playwright never downloads one here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags that work on these machines: as root Chromium needs --no-sandbox, and without the
 * background-networking flags it keeps trying to reach Google's hosts through a closed network.
 * Playwright adds --headless and its own fresh --user-data-dir.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether the browser test can run. Without chromium it is skipped, loudly, on a developer's
 * machine; under CI=true a missing browser is a failure, not a skip.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true') return true; // let the test run and fail on the launch
  console.warn(
    `\n!!! ${CHROMIUM_PATH} not found: the browser test is SKIPPED. ` +
      'Run scripts/ensure-browser.sh (apt-get install chromium) to run it.\n',
  );
  return false;
}
