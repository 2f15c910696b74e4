#!/usr/bin/env bash
# Checks every publishable package the way a user receives it, after the build: packs it with
# pnpm (workspace: ranges replaced, `files` applied), then
#   - the tarball holds only package.json, README.md, LICENSE, dist/ and src/;
#   - publint --strict on the unpacked tarball (exactly the files that would be published);
#   - attw (@arethetypeswrong/cli) on the tarball, ESM-only profile: types resolve for
#     node16 (from ESM) and bundler; CommonJS `require` is not supported on purpose.
# Exit code non-zero if any package fails any check.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "!! $*"; status=1; }

for dir in packages/*/; do
  dir=${dir%/}
  [ -f "$dir/package.json" ] || continue
  name=$(node -p "require('./$dir/package.json').name")
  if [ "$(node -p "require('./$dir/package.json').private === true")" = true ]; then continue; fi
  echo "--- $name"
  [ -d "$dir/dist" ] || { fail "$name: no dist/ (run the build first)"; continue; }
  out="$work/$(basename "$dir")"
  mkdir -p "$out"
  (cd "$dir" && pnpm_cmd pack --pack-destination "$out" >/dev/null) || { fail "$name: pnpm pack"; continue; }
  tarball=$(ls "$out"/*.tgz)
  tar -xzf "$tarball" -C "$out"
  unexpected=$(tar -tzf "$tarball" | grep -Ev '^package/(package\.json|README\.md|LICENSE|dist/.+|src/.+)$')
  [ -z "$unexpected" ] || fail "$name: unexpected files in the tarball: $unexpected"
  grep -q '"workspace:' "$out/package/package.json" && fail "$name: workspace: range left in the packed package.json"
  "$root/node_modules/.bin/publint" --strict --pack false "$out/package" || fail "$name: publint"
  "$root/node_modules/.bin/attw" "$tarball" --profile esm-only --format ascii --quiet || fail "$name: attw"
done
exit $status
