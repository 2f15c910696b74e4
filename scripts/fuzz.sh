#!/usr/bin/env bash
# Long coverage-guided fuzzing of the PEX decoder and session (packages/hostile/fuzz).
# Usage: npm run fuzz -- [SECONDS_PER_TARGET] [TARGET...]   (default: 600 s each, decode and session)
# New inputs that reach new coverage are added to packages/hostile/corpus/<target>/ (commit them);
# a finding is saved to packages/hostile/crashes/ and stops the run with a non-zero exit code.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode session)
case "$seconds" in
  '' | *[!0-9]*) echo "usage: npm run fuzz -- [SECONDS_PER_TARGET] [decode|session...]" >&2; exit 64 ;;
esac
bash scripts/bootstrap.sh
status=0
for target in "${targets[@]}"; do
  echo "==> fuzzing $target for ${seconds} s"
  node packages/hostile/fuzz/run.mjs --target="$target" \
    --corpus="packages/hostile/corpus/$target" --write-corpus \
    --artifacts=packages/hostile/crashes -max_total_time="$seconds" || status=$?
done
exit $status
