#!/usr/bin/env bash
# The no-op bench (noop-sweep.ts) on an earlier revision and on the working tree, back to back
# on the same machine: before/after figures for a change, from one command.
#
#   bench/orchestration/compare-revisions.sh <rev> [noop-sweep flags…]
#   bench/orchestration/compare-revisions.sh e50ed15 --cells 200 --concurrency 50
#
# The earlier revision runs from a temporary git worktree sharing this checkout's node_modules
# (so its dependencies must match); its own bench script runs, so fields it did not report yet
# are missing from its line. Prints two JSON lines on stdout: {"rev": …, "result": {…}}.
set -euo pipefail
rev="${1:?usage: compare-revisions.sh <rev> [noop-sweep flags…]}"
shift
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tree="$(mktemp -d /tmp/rexsweep-rev-XXXXXX)"
cleanup() { git -C "$repo" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"; }
trap cleanup EXIT
git -C "$repo" worktree add --detach "$tree" "$rev" >/dev/null
ln -s "$repo/node_modules" "$tree/node_modules"

run() { # <label> <dir> [noop-sweep flags…]
  local label="$1" dir="$2" out
  shift 2
  out="$(cd "$dir" && timeout 1800 npx tsx bench/orchestration/noop-sweep.ts "$@" 2> >(sed "s/^/[$label] /" >&2) | tail -1)" || true
  printf '{"rev":"%s","result":%s}\n' "$label" "${out:-null}"
}
run "$(git -C "$repo" rev-parse --short "$rev")" "$tree" "$@"
run "working-tree" "$repo" "$@"
