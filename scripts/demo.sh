#!/usr/bin/env bash
# `npm run demo [-- options]`: installs and builds the workspace (as scripts/bootstrap.sh does),
# then runs `pex demo`: a PEX swarm on loopback converging from a ring. Options: `pex demo --help`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh >&2
exec node packages/cli/dist/bin.js demo "$@"
