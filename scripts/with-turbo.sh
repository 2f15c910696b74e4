#!/usr/bin/env bash
# `npm run build` / `npm run typecheck`: turbo through the pinned pnpm (scripts/env.sh). In a
# fresh clone (no node_modules yet) it installs the workspace from the lockfile first.
# pnpm_cmd is a shell function, so it is called, not exec'd (exec only runs programs).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
if [ ! -d node_modules/.pnpm ]; then
  pnpm_cmd install --frozen-lockfile --reporter=append-only
fi
pnpm_cmd exec turbo "$@"
