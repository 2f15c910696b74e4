#!/usr/bin/env bash
# Installs the workspace's npm dependencies (pinned by pnpm-lock.yaml) and builds every package.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
if [ -f pnpm-lock.yaml ]; then
  pnpm_cmd install --frozen-lockfile --reporter=append-only
else
  pnpm_cmd install --reporter=append-only
fi
pnpm_cmd exec turbo run build --output-logs=errors-only
