#!/usr/bin/env bash
# `npm run test:quick`: the everyday check, with no Debian package and no real client. Installs
# the workspace when node_modules is missing, builds and type-checks (turbo: only what changed),
# then runs every jest test except those that need a real client or a browser, or run long:
#   packages/interop (libtorrent, Transmission), packages/webtorrent-interop (WebTorrent rings,
#   minutes each), packages/dist-tests/test/browser.test.ts
#   (Chromium), packages/dist-tests/test/documented-commands.test.ts (every documented command
#   in a fresh copy of the tree), packages/hostile/test/{soak,fuzz}.test.ts;
# the libtorrent part of the probe tests is skipped too (PEX_REAL_CLIENTS=0). Extra arguments go
# to jest. `npm test` is the whole gate.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
if [ ! -d node_modules/.pnpm ]; then
  pnpm_cmd install --frozen-lockfile --reporter=append-only
fi
pnpm_cmd exec turbo run build typecheck --output-logs=errors-only
PEX_REAL_CLIENTS=0 NODE_OPTIONS=--experimental-vm-modules pnpm_cmd exec jest "$@" \
  --testPathIgnorePatterns '/node_modules/' '/dist/' '/packages/interop/' '/packages/webtorrent-interop/' \
  '/packages/dist-tests/test/(browser|documented-commands)\.test\.ts$' \
  '/packages/hostile/test/(soak|fuzz)\.test\.ts$'
