#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs, builds, type-checks, lints and runs
# every jest test (among them packages/dist-tests/test/documented-commands.test.ts, which runs
# every command the READMEs document); `npm run test:quick` is the everyday subset. Every step
# runs even if an earlier one failed; the exit code is non-zero if any step failed. Jest's
# results are written to reports/jest.json.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
status=0
step() {
  echo "==> $*"
  "$@" || { echo "!! failed: $*"; status=1; }
}

step bash scripts/bootstrap.sh
step bash scripts/ensure-interop-tools.sh
step bash scripts/ensure-browser.sh
step pnpm_cmd exec turbo run typecheck --output-logs=errors-only
step pnpm_cmd exec biome ci .
step npm run check:packages
step npm run size
step pnpm_cmd exec typedoc --logLevel Warn
mkdir -p reports
rm -f reports/jest.json
NODE_OPTIONS=--experimental-vm-modules step pnpm_cmd exec jest --ci --json --outputFile=reports/jest.json "$@"
step node scripts/summarize-jest.mjs reports/jest.json
exit $status
