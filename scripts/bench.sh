#!/usr/bin/env bash
# Builds the workspace (bootstrap: install from the lockfile, build every package), then runs the
# benchmarks against ut_pex and writes docs/benchmarks.md. Extra arguments go to the bench
# (--quick: every case once, nothing written; --no-write: full run, nothing written; --scale: only
# the seedbox case at 1,000, 10,000 and 50,000 wires, printed, nothing written).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
cd packages/bench
../../node_modules/.bin/tsc -p tsconfig.build.json
node --expose-gc dist/main.js "$@"
