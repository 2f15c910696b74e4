#!/usr/bin/env bash
# Long soak over TCP on 127.0.0.1 (packages/hostile/soak): 200 wires joining and leaving, with
# valid, malformed, oversized and flooding PEX, then checks that nothing is left behind.
# Usage: npm run soak -- [SECONDS] [WIRES]   (default: 300 s, 200 wires). Prints the JSON result;
# the exit code is non-zero if an exception escaped, a timer or handle was left, or the heap
# did not come back within 4 MiB of its start.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
wires="${2:-200}"
case "$seconds$wires" in
  *[!0-9]*) echo "usage: npm run soak -- [SECONDS] [WIRES]" >&2; exit 64 ;;
esac
bash scripts/bootstrap.sh
result="$(node --expose-gc packages/hostile/soak/soak.mjs --duration="$seconds" --wires="$wires")"
echo "$result"
RESULT="$result" node -e '
const r = JSON.parse(process.env.RESULT);
const problems = [];
if (r.uncaught.length > 0) problems.push(`${r.uncaught.length} uncaught exceptions`);
if (Object.values(r.afterClose).some((n) => n !== 0)) problems.push(`left open: ${JSON.stringify(r.afterClose)}`);
if (JSON.stringify(r.activeAfter) !== JSON.stringify(r.activeBefore)) problems.push("handles differ");
const grown = r.heapAfter - r.heapBefore;
if (grown > 4 * 1024 * 1024) problems.push(`heap ${grown} bytes above its start`);
console.log(`soak: ${r.wiresOpened} wires over ${r.durationMs} ms, heap ${r.heapBefore} -> ${r.heapAfter} bytes (peak ${r.peakHeap})`);
if (problems.length > 0) { console.error(`soak failed: ${problems.join("; ")}`); process.exit(1); }
'
