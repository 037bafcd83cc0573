#!/usr/bin/env bash
# CER training on native TensorFlow at an earlier revision and at the working tree, with PyTorch
# beside them, interleaved round by round on the same machine: a before/after for a change to the
# native step, from one command.
#
#   bench/tfjs/native_before_after.sh <rev> [--rounds 3] [--features "24 100"] [--steps 300]
#   bench/tfjs/native_before_after.sh 4f869be
#
# Each round runs, for every F and variant (vanilla; adversarial λ = ε_D = 0.5), PyTorch
# (bench/pytorch/cer_train.py), the earlier revision's bench/tfjs/cer_train.ts and the working
# tree's, one after the other, each 1 thread, one timed block of --steps steps after 30 warm-up
# steps. The earlier revision runs from a temporary git worktree sharing this checkout's
# node_modules (and so its native addon). Needs `rexsweep setup native` and bench/setup-torch.sh.
# Prints a table (median samples/s over rounds, and the ratios); raw JSON lines go to
# bench/out/native-before-after-<date>/results.jsonl.
set -euo pipefail
rev="${1:?usage: native_before_after.sh <rev> [--rounds N] [--features \"24 100\"] [--steps N]}"
shift
ROUNDS=3
FEATURES="24 100"
STEPS=300
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --features) FEATURES="$2"; shift ;;
    --steps) STEPS="$2"; shift ;;
    *) echo "native_before_after.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
torch="${REXSWEEP_BENCH_VENV:-${REXSWEEP_CACHE:-$HOME/.cache/rexsweep}/bench-venv}/bin/python"
[[ -x "$torch" ]] || { echo "no PyTorch venv: run bench/setup-torch.sh" >&2; exit 1; }
out="$repo/bench/out/native-before-after-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
tree="$(mktemp -d /tmp/rexsweep-rev-XXXXXX)"
cleanup() { git -C "$repo" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"; }
trap cleanup EXIT
git -C "$repo" worktree add --detach "$tree" "$rev" >/dev/null
ln -s "$repo/node_modules" "$tree/node_modules"
short="$(git -C "$repo" rev-parse --short "$rev")"
{ echo "date: $(date -Is)"; echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"; echo "before: $short; after: working tree at $(git -C "$repo" rev-parse --short HEAD)"; } | tee "$out/env.txt"

run() { # <label> <dir or -> <F> <variant>
  local label="$1" dir="$2" F="$3" variant="$4" line
  local args=(--features "$F" --threads 1 --steps "$STEPS" --warmup 30 --repeats 1)
  [[ $variant == adversarial ]] && args+=(--lambda 0.5 --eps 0.5)
  if [[ $dir == - ]]; then line="$("$torch" "$repo/bench/pytorch/cer_train.py" "${args[@]}" 2>/dev/null | tail -1)" || true
  else line="$(cd "$dir" && npx tsx bench/tfjs/cer_train.ts --backend tensorflow "${args[@]}" 2>/dev/null | tail -1)" || true
  fi
  printf '{"who":"%s","F":%s,"variant":"%s","result":%s}\n' "$label" "$F" "$variant" "${line:-null}" >> "$out/results.jsonl"
}
for ((r = 1; r <= ROUNDS; r++)); do
  for F in $FEATURES; do
    for variant in vanilla adversarial; do
      echo "round $r/$ROUNDS: F=$F $variant"
      run pytorch - "$F" "$variant"
      run "native@$short" "$tree" "$F" "$variant"
      run native@tree "$repo" "$F" "$variant"
    done
  done
done
python3 - "$out/results.jsonl" "$short" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
short = sys.argv[2]
cell = {}
for r in rows:
    if r["result"]:
        cell.setdefault((r["F"], r["variant"], r["who"]), []).append(r["result"]["samplesPerSec"])
med = lambda k: statistics.median(cell[k]) if k in cell else float("nan")
print(f"{'F':>4} {'variant':<12} {'PyTorch':>9} {'before':>9} {'after':>9} {'before/torch':>13} {'after/torch':>12} {'after/before':>13}")
for F, v in sorted({(k[0], k[1]) for k in cell}):
    t, b, a = med((F, v, "pytorch")), med((F, v, f"native@{short}")), med((F, v, "native@tree"))
    print(f"{F:>4} {v:<12} {t:>9.0f} {b:>9.0f} {a:>9.0f} {b/t:>13.2f} {a/t:>12.2f} {a/b:>13.2f}")
print("samples/s, median over rounds; 1 thread each, batch 128, hidden [1024, 256]")
PY
