#!/usr/bin/env bash
# PyTorch vs TF.js, interleaved: bench/run.sh once per (bench, variant, F) with both frameworks, so
# the PyTorch and TF.js numbers of a row are measured minutes apart under the same machine load,
# then the TF.js explainer's per-pair loop (explainPairsOneByOne) next to its batched run.
# Only calls bench/run.sh (owned elsewhere; not modified) and the bench/tfjs scripts.
#
# Usage: bench/tfjs/side_by_side.sh [--out DIR] [--features "24 100"] [--torch-threads "1 2"]
#   TF.js runs with 1 thread only: the WASM backend is single-threaded in Node (threads: 1 in its
#   JSON whatever --threads says), so its 2-thread cells would repeat the 1-thread ones.
#   PyTorch runs with each of --torch-threads.
# Environment: passed on to run.sh (TRAIN_STEPS, EXPLAIN_STEPS, EXPLAIN_PAIRS, REPEATS, WAIT_IDLE_MAX,
#   IDLE_PCT, NICE, OWN_CORES_OK), plus PER_PAIR_PAIRS (16) and PER_PAIR_STEPS (1000): pairs and steps
#   timed in the per-pair mode (its cost is linear in both; pairsPerSec is per 1000-step explanation
#   either way), WAIT_IDLE (1): pass --wait-idle to run.sh.
# Output: DIR/results.jsonl (every cell), DIR/summary.txt (ratios), DIR/parts/*/ (run.sh outputs).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH="$(cd "$HERE/.." && pwd)"
REPO="$(cd "$BENCH/.." && pwd)"
OUT=""
FEATURES="24 100"
TORCH_THREADS="1 2"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift ;;
    --features) FEATURES="$2"; shift ;;
    --torch-threads) TORCH_THREADS="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^set -euo/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "side_by_side.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
OUT="${OUT:-$BENCH/out/side-by-side-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT/parts"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
WAIT=(); [[ "${WAIT_IDLE:-1}" == 1 ]] && WAIT=(--wait-idle)
export WAIT_IDLE_MAX="${WAIT_IDLE_MAX:-300}" IDLE_PCT="${IDLE_PCT:-15}"

{
  echo "date: $(date -Is)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  echo "node: $(node --version); loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "features: $FEATURES; torch threads: $TORCH_THREADS; tfjs threads: 1 (wasm)"
  echo "env (unset = run.sh's default): TRAIN_STEPS=${TRAIN_STEPS:-} EXPLAIN_STEPS=${EXPLAIN_STEPS:-} EXPLAIN_PAIRS=${EXPLAIN_PAIRS:-} REPEATS=${REPEATS:-} NICE=${NICE:-} OWN_CORES_OK=${OWN_CORES_OK:-}"
  echo "per-pair: PER_PAIR_PAIRS=${PER_PAIR_PAIRS:-16} PER_PAIR_STEPS=${PER_PAIR_STEPS:-1000}; WAIT_IDLE_MAX=$WAIT_IDLE_MAX IDLE_PCT=$IDLE_PCT"
} | tee "$OUT/env.txt"

part() { # part NAME run.sh-args...
  local name="$1"; shift
  echo "=== $name ($(cut -d' ' -f1 /proc/loadavg) load)"
  bash "$BENCH/run.sh" "${WAIT[@]}" --out "$OUT/parts/$name" "$@" 2>&1 | grep -E '^(==|\{|   )' | cut -c1-160 || true
  cat "$OUT/parts/$name/results.jsonl" >> "$RESULTS" 2>/dev/null || true
}

for F in $FEATURES; do
  for T in $TORCH_THREADS; do
    fws="pytorch,tfjs"; [[ $T != 1 ]] && fws="pytorch"
    part "train-vanilla-F$F-t$T" --frameworks "$fws" --benches train --variants vanilla --features "$F" --threads "$T"
    part "train-adv-F$F-t$T" --frameworks "$fws" --benches train --variants adv --features "$F" --threads "$T"
    part "explainer-F$F-t$T" --frameworks "$fws" --benches explainer --features "$F" --threads "$T"
  done
  # The per-pair loop of the same explainer code, right after its batched run.
  echo "=== explainer per-pair F$F ($(cut -d' ' -f1 /proc/loadavg) load)"
  own=(); [[ "${OWN_CORES_OK:-0}" == 1 ]] && own=(--own-cores-ok)
  (cd "$REPO" && npx tsx "$HERE/explainer.ts" --mode per-pair --features "$F" --threads 1 --pairs "${PER_PAIR_PAIRS:-16}" \
      --steps "${PER_PAIR_STEPS:-1000}" --warmup 30 --repeats "${REPEATS:-3}" "${own[@]}" 2> "$OUT/parts/per-pair-F$F.err" | tail -n 1 | tee -a "$RESULTS") || echo "   FAILED"
done

python3 - "$RESULTS" <<'PYEOF' | tee "$OUT/summary.txt"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
def key(r):
    fw = "pytorch" if r["framework"] == "pytorch" else "tfjs"
    if r.get("bench") == "cer-explainer":
        return fw, "explainer", r.get("mode", "batched"), r["F"], r["threads"]
    return fw, "train", r["variant"], r["F"], r["threads"]
by = {key(r): r for r in rows}
def tp(r):
    return r["pairsPerSec"] if r.get("bench") == "cer-explainer" else r["samplesPerSec"]
def best(r):
    return r.get("pairsPerSecBest") if r.get("bench") == "cer-explainer" else r.get("samplesPerSecBest")
def flag(r):
    return "" if r.get("clean", True) else " DISTURBED"
print(f"{'bench':<9} {'variant':<12} {'F':>4} {'torch thr':>9} {'pytorch':>12} {'tfjs-wasm':>12} {'tfjs/torch':>10} {'(best/best)':>11}")
for (fw, b, v, F, T), r in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][3], kv[0][4])):
    if fw != "pytorch":
        continue
    t = by.get(("tfjs", b, v, F, 1))
    if not t:
        continue
    ratio = tp(t) / tp(r)
    rb = (best(t) or 0) / (best(r) or 1)
    unit = "pairs/s" if b == "explainer" else "samp/s"
    print(f"{b:<9} {v:<12} {F:>4} {T:>9} {tp(r):>12.1f} {tp(t):>12.1f} {ratio:>10.3f} {rb:>11.3f}  {unit}{flag(r)}{flag(t)}")
print()
for F in sorted({k[3] for k in by}):
    b, p = by.get(("tfjs", "explainer", "batched", F, 1)), by.get(("tfjs", "explainer", "per-pair", F, 1))
    if b and p:
        print(f"tfjs explainer F={F}: batched B={b['pairs']} {b['pairsPerSec']:.2f} pairs/s, per-pair {p['pairsPerSec']:.3f} pairs/s "
              f"-> batched/per-pair = {b['pairsPerSec'] / p['pairsPerSec']:.1f}x (best/best {b['pairsPerSecBest'] / p['pairsPerSecBest']:.1f}x){flag(b)}{flag(p)}")
PYEOF
echo "results: $RESULTS"
