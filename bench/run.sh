#!/usr/bin/env bash
# Side-by-side CER benchmark runner (skeleton): PyTorch CPU baseline vs rexsweep's TF.js.
#
# Runs every (framework x bench x variant x F x threads) cell, one process per cell, and
# appends each cell's one-line JSON result to $OUT/results.jsonl, then prints a table.
# A cell's stderr goes to $OUT/logs/. Every benchmark prints the same JSON schema:
#   train:     {"framework","device","threads","F","batch","steps","seconds","samplesPerSec",...}
#   explainer: {"framework","device","bench":"cer-explainer","threads","F","pairs","steps","seconds","pairsPerSec",...}
#
# Frameworks:
#   pytorch  bench/pytorch/*.py in the venv made by bench/setup-torch.sh (run that first).
#   tfjs     $TFJS_TRAIN_CMD / $TFJS_EXPLAIN_CMD if set, else bench/tfjs/cer_train.ts and
#            bench/tfjs/explainer.ts via `npx tsx` when those files exist, else skipped.
#   tfjs-B   the same on TF.js backend B (--backend B): tfjs-wasm (= tfjs), tfjs-tensorflow (native
#            TensorFlow, after `rexsweep setup native`), tfjs-webgpu (Dawn; lavapipe on a CPU host),
#            tfjs-cpu. WASM and plain CPU compute on one thread in Node, so they run at --threads 1
#            only; tfjs-tensorflow and tfjs-webgpu get each thread count (TF_NUM_INTRAOP_THREADS,
#            LP_NUM_THREADS). All of them in one --frameworks list run side by side.
#            They must take the same flags as the PyTorch scripts (--features --batch --steps
#            --warmup --repeats --threads --lambda --eps; explainer: --features --pairs --steps
#            --warmup --repeats --threads) and print the same JSON line.
#
# Usage: bench/run.sh [--quick] [--frameworks pytorch,tfjs-tensorflow,tfjs-wasm,tfjs-webgpu] [--benches train,explainer]
#                     [--features "24 100"] [--threads "1 2"] [--variants "vanilla adv"]
#                     [--pin] [--out DIR]
#   --quick   few steps (smoke test of the runner, numbers not meaningful)
#   --pin     pin each run to the first N cores with taskset, N = its thread count
#   --wait-idle  before each cell, wait (up to WAIT_IDLE_MAX s, default 900) until other processes
#             use < IDLE_PCT % (default 10) of the machine's CPU over 3 s; this is a shared 2-core
#             machine and a concurrent test run or benchmark skews the numbers badly. Every result
#             carries foreignCpuPct (CPU used by other processes during the timed region) anyway.
# Environment: REXSWEEP_BENCH_VENV / REXSWEEP_CACHE (see setup-torch.sh), ADV_LAMBDA (0.5), ADV_EPS (0.5),
#   NICE=-19 (run each cell under `nice -n $NICE`; it only outranks processes of the same cgroup:
#   on 2026-11-27 it still left a 1-thread run only 0.7-0.98 of a core; say so next to any number),
#   OWN_CORES_OK=1 (passes --own-cores-ok: see bench/pytorch/hostload.py), TRAIN_STEPS (300), EXPLAIN_STEPS (200; pairsPerSec is per 1000-step explanation whatever this is), EXPLAIN_PAIRS (256), REPEATS (3), WARMUP (30 warm-up steps),
#   MAX_FOREIGN (unset: the scripts' 10; -1 keeps every block, for a machine that is never quiet: then read foreignCpuPct).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
FRAMEWORKS="pytorch,tfjs"
BENCHES="train,explainer"
FEATURES="24 100"
THREADS="1 2"
VARIANTS="vanilla adv"
PIN=0
WAIT_IDLE=0
QUICK=0
OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --pin) PIN=1 ;;
    --wait-idle) WAIT_IDLE=1 ;;
    --frameworks) FRAMEWORKS="$2"; shift ;;
    --benches) BENCHES="$2"; shift ;;
    --features) FEATURES="$2"; shift ;;
    --threads) THREADS="$2"; shift ;;
    --variants) VARIANTS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^set -euo/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

ADV_LAMBDA="${ADV_LAMBDA:-0.5}"
ADV_EPS="${ADV_EPS:-0.5}"
TRAIN_STEPS="${TRAIN_STEPS:-300}"
EXPLAIN_STEPS="${EXPLAIN_STEPS:-200}"  # pairsPerSec is scaled to 1000-step explanations
EXPLAIN_PAIRS="${EXPLAIN_PAIRS:-256}"
REPEATS="${REPEATS:-3}"
WARMUP="${WARMUP:-30}"
if [[ $QUICK == 1 ]]; then TRAIN_STEPS=20; EXPLAIN_STEPS=20; REPEATS=1; WARMUP=2; fi

OUT="${OUT:-$HERE/out/run-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT/logs"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"

VENV="${REXSWEEP_BENCH_VENV:-${REXSWEEP_CACHE:-$HOME/.cache/rexsweep}/bench-venv}"
TORCH_PY="$VENV/bin/python"

{
  echo "date: $(date -Is)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores available"
  echo "kernel: $(uname -r)"
  echo "node: $(node --version 2>/dev/null || echo none)"
  [[ -x "$TORCH_PY" ]] && echo "torch: $("$TORCH_PY" -c 'import torch; print(torch.__version__)' 2>/dev/null)"
  echo "nice: ${NICE:-0}  own-cores-ok: ${OWN_CORES_OK:-0}  repeats: $REPEATS  train steps: $TRAIN_STEPS  explainer steps: $EXPLAIN_STEPS"
  echo "args: frameworks=$FRAMEWORKS benches=$BENCHES features=$FEATURES threads=$THREADS variants=$VARIANTS quick=$QUICK pin=$PIN"
} | tee "$OUT/env.txt"

# machine CPU busy %, all processes, over 3 s (nothing of ours runs meanwhile)
busy_pct() {
  python3 - <<'PYEOF'
import time
def busy():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return sum(v) - v[3] - v[4] - v[7], sum(v)
b0, t0 = busy(); time.sleep(3); b1, t1 = busy()
print(round(100 * (b1 - b0) / max(1, t1 - t0)))
PYEOF
}
wait_idle() {
  [[ $WAIT_IDLE == 1 ]] || return 0
  local deadline=$(( $(date +%s) + ${WAIT_IDLE_MAX:-900} )) pct
  while :; do
    pct="$(busy_pct)"
    (( pct < ${IDLE_PCT:-10} )) && return 0
    if (( $(date +%s) >= deadline )); then echo "   WARNING: machine still ${pct}% busy; running anyway"; return 0; fi
    echo "   waiting: machine ${pct}% busy with other processes"
    sleep 20
  done
}

# cmd_for FRAMEWORK BENCH -> prints the command prefix, or nothing if unavailable
cmd_for() {
  local fw="$1" bench="$2"
  case "$fw" in
    pytorch)
      [[ -x "$TORCH_PY" ]] || { echo "run.sh: no torch venv at $VENV; run bench/setup-torch.sh" >&2; return; }
      if [[ $bench == train ]]; then echo "$TORCH_PY $HERE/pytorch/cer_train.py"; else echo "$TORCH_PY $HERE/pytorch/explainer.py"; fi ;;
    tfjs|tfjs-*)
      local backend="${fw#tfjs}"; backend="${backend#-}"
      local flag=""; [[ -n $backend ]] && flag=" --backend $backend"
      if [[ $bench == train && -n "${TFJS_TRAIN_CMD:-}" ]]; then echo "$TFJS_TRAIN_CMD$flag"
      elif [[ $bench == explainer && -n "${TFJS_EXPLAIN_CMD:-}" ]]; then echo "$TFJS_EXPLAIN_CMD$flag"
      elif [[ $bench == train && -f "$HERE/tfjs/cer_train.ts" ]]; then echo "npx --prefix $REPO tsx $HERE/tfjs/cer_train.ts$flag"
      elif [[ $bench == explainer && -f "$HERE/tfjs/explainer.ts" ]]; then echo "npx --prefix $REPO tsx $HERE/tfjs/explainer.ts$flag"
      fi ;;
  esac
}

FAILED=0
for fw in ${FRAMEWORKS//,/ }; do
  for bench in ${BENCHES//,/ }; do
    base="$(cmd_for "$fw" "$bench")"
    if [[ -z "$base" ]]; then echo "== skip $fw/$bench (not available)"; continue; fi
    variants="$VARIANTS"; [[ $bench == explainer ]] && variants="-"
    for variant in $variants; do
      for F in $FEATURES; do
        for T in $THREADS; do
          if [[ $T != 1 && ( $fw == tfjs || $fw == tfjs-wasm || $fw == tfjs-cpu ) ]]; then
            echo "== skip $fw-$bench-${variant/-/x}-F$F-t$T (single-threaded in Node)"; continue
          fi
          if [[ $bench == train ]]; then
            args="--features $F --threads $T --steps $TRAIN_STEPS --warmup $WARMUP --repeats $REPEATS"
            [[ $variant == adv ]] && args="$args --lambda $ADV_LAMBDA --eps $ADV_EPS"
          else
            args="--features $F --threads $T --steps $EXPLAIN_STEPS --pairs $EXPLAIN_PAIRS --warmup $WARMUP --repeats $REPEATS"
          fi
          [[ "${OWN_CORES_OK:-0}" == 1 ]] && args="$args --own-cores-ok"
          [[ -n "${MAX_FOREIGN:-}" ]] && args="$args --max-foreign $MAX_FOREIGN"
          pin=""; [[ $PIN == 1 ]] && pin="taskset -c 0-$((T - 1))"
          [[ -n "${NICE:-}" ]] && pin="nice -n $NICE $pin"
          tag="$fw-$bench-${variant/-/x}-F$F-t$T"
          wait_idle
          echo "== $tag: $pin $base $args"
          # shellcheck disable=SC2086
          if line="$(cd "$REPO" && $pin $base $args 2>"$OUT/logs/$tag.err" | tail -n 1)" && [[ "$line" == "{"* ]]; then
            echo "$line" | tee -a "$RESULTS"
          else
            echo "   FAILED (see $OUT/logs/$tag.err)"; FAILED=$((FAILED + 1))
          fi
        done
      done
    done
  done
done

python3 - "$RESULTS" <<'PYEOF' | tee "$OUT/summary.txt"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(f"\n{'framework':<9} {'bench':<10} {'variant':<12} {'F':>4} {'thr':>3} {'ms/step':>9} {'throughput':>15} {'best':>8}  clean/tries")
for r in rows:
    if r.get("bench") == "cer-explainer":
        b, v, tp = "explainer", f"B={r['pairs']}", f"{r['pairsPerSec']:.1f} pairs/s"
        best = f"{r.get('pairsPerSecBest', 0):.1f}"
    else:
        b, v, tp = "train", r.get("variant", "?"), f"{r['samplesPerSec']:.0f} samp/s"
        best = f"{r.get('samplesPerSecBest', 0):.0f}"
    fo = f"{r.get('cleanRepeats', '?')}/{r.get('tries', '?')}" + ("" if r.get("clean", True) else " DISTURBED")
    print(f"{r['framework']:<9} {b:<10} {v:<12} {r['F']:>4} {r['threads']:>3} {r.get('msPerStep', 0):>9.3f} {tp:>15} {best:>8}  {fo}")
print("throughput: median over clean timed blocks (all blocks if too few were clean); best: the fastest block\n"
      "clean/tries: timed blocks during which other processes used <= maxForeignPct of the CPU / blocks run;\n"
      "DISTURBED: fewer clean blocks than --repeats, so the number is skewed by other load: rerun that cell")
PYEOF
echo "results: $RESULTS"
[[ $FAILED == 0 ]] || { echo "$FAILED cell(s) failed" >&2; exit 1; }
