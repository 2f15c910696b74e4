#!/usr/bin/env bash
# `npm run build` / `npm run typecheck`: turbo through the pinned pnpm (scripts/env.sh).
# pnpm_cmd is a shell function, so it is called, not exec'd (exec only runs programs).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
pnpm_cmd exec turbo "$@"
