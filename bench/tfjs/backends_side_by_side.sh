#!/usr/bin/env bash
# Issue 5: CER training and explainer throughput on every TF.js backend next to PyTorch CPU, in
# one run. For each (bench, variant, F) it calls bench/run.sh once with all frameworks, so the
# numbers of a row are measured minutes apart under the same machine load:
#   pytorch, tfjs-tensorflow (native TF via `rexsweep setup native`), tfjs-wasm, tfjs-webgpu
#   (Dawn on lavapipe on a CPU host), each at --threads 1 and 2 (WASM: 1 only; single-threaded in Node).
#   WebGPU on lavapipe takes ~1 s a training step, so it runs WEBGPU_TRAIN_STEPS (20) /
#   WEBGPU_EXPLAIN_STEPS (10) steps after WEBGPU_WARMUP (5), WEBGPU_REPEATS (1) block, at
#   WEBGPU_THREADS (2) lavapipe threads.
#
# Usage: bench/tfjs/backends_side_by_side.sh [--out DIR] [--features "24 100"] [--threads "1 2"]
#          [--frameworks pytorch,tfjs-tensorflow,tfjs-wasm,tfjs-webgpu] [--parts "train-vanilla train-adv explainer"]
# Environment: passed on to run.sh (TRAIN_STEPS, EXPLAIN_STEPS, EXPLAIN_PAIRS, REPEATS, NICE,
#   OWN_CORES_OK, WAIT_IDLE_MAX, IDLE_PCT); WAIT_IDLE (1): pass --wait-idle to run.sh.
# Output: DIR/results.jsonl, DIR/env.txt, DIR/summary.txt (one row per part, one column per
#   framework × threads, and native / best PyTorch), DIR/parts/*/ (run.sh outputs).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH="$(cd "$HERE/.." && pwd)"
REPO="$(cd "$BENCH/.." && pwd)"
OUT=""
FEATURES="24 100"
THREADS="1 2"
FRAMEWORKS="pytorch,tfjs-tensorflow,tfjs-wasm,tfjs-webgpu"
PARTS="train-vanilla train-adv explainer"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift ;;
    --features) FEATURES="$2"; shift ;;
    --threads) THREADS="$2"; shift ;;
    --frameworks) FRAMEWORKS="$2"; shift ;;
    --parts) PARTS="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^set -euo/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "backends_side_by_side.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
OUT="${OUT:-$BENCH/out/backends-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT/parts"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
WAIT=(); [[ "${WAIT_IDLE:-1}" == 1 ]] && WAIT=(--wait-idle)
export WAIT_IDLE_MAX="${WAIT_IDLE_MAX:-300}" IDLE_PCT="${IDLE_PCT:-15}"

{
  echo "date: $(date -Is)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
  echo "node: $(node --version); loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "frameworks: $FRAMEWORKS; features: $FEATURES; threads: $THREADS; parts: $PARTS"
  echo "native: $(cd "$REPO" && node bin/rexsweep.mjs doctor --backend tensorflow --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["chosen"]["device"])' 2>/dev/null || echo 'not set up')"
  echo "mesa: $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo none)"
  echo "env (unset = run.sh's default): TRAIN_STEPS=${TRAIN_STEPS:-} EXPLAIN_STEPS=${EXPLAIN_STEPS:-} EXPLAIN_PAIRS=${EXPLAIN_PAIRS:-} REPEATS=${REPEATS:-} NICE=${NICE:-} OWN_CORES_OK=${OWN_CORES_OK:-} WAIT_IDLE_MAX=$WAIT_IDLE_MAX IDLE_PCT=$IDLE_PCT"
} | tee "$OUT/env.txt"

for F in $FEATURES; do
  for part in $PARTS; do
    case "$part" in
      train-vanilla) args=(--benches train --variants vanilla) ;;
      train-adv) args=(--benches train --variants adv) ;;
      explainer) args=(--benches explainer) ;;
      *) echo "unknown part $part" >&2; exit 2 ;;
    esac
    echo "=== $part F$F ($(cut -d' ' -f1 /proc/loadavg) load, $(date +%H:%M:%S))"
    fast="$(echo "$FRAMEWORKS" | tr ',' '\n' | grep -vx tfjs-webgpu | paste -sd, -)"
    if [[ -n $fast ]]; then
      bash "$BENCH/run.sh" "${WAIT[@]}" --out "$OUT/parts/$part-F$F" --frameworks "$fast" "${args[@]}" \
        --features "$F" --threads "$THREADS" 2>&1 | grep -E '^(==|   )' | cut -c1-160 || true
      cat "$OUT/parts/$part-F$F/results.jsonl" >> "$RESULTS" 2>/dev/null || true
    fi
    # WebGPU on lavapipe runs ~1 s a training step: fewer steps, one block, right after the others.
    if [[ ",$FRAMEWORKS," == *,tfjs-webgpu,* ]]; then
      TRAIN_STEPS="${WEBGPU_TRAIN_STEPS:-20}" EXPLAIN_STEPS="${WEBGPU_EXPLAIN_STEPS:-10}" REPEATS="${WEBGPU_REPEATS:-1}" WARMUP="${WEBGPU_WARMUP:-5}" \
        bash "$BENCH/run.sh" "${WAIT[@]}" --out "$OUT/parts/$part-F$F-webgpu" --frameworks tfjs-webgpu "${args[@]}" \
        --features "$F" --threads "${WEBGPU_THREADS:-2}" 2>&1 | grep -E '^(==|   )' | cut -c1-160 || true
      cat "$OUT/parts/$part-F$F-webgpu/results.jsonl" >> "$RESULTS" 2>/dev/null || true
    fi
  done
done

python3 - "$RESULTS" <<'PYEOF' | tee "$OUT/summary.txt"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
def part(r):
    return ("explainer", "B=%d" % r["pairs"]) if r.get("bench") == "cer-explainer" else ("train", r["variant"])
def tp(r):
    return r["pairsPerSec"] if r.get("bench") == "cer-explainer" else r["samplesPerSec"]
cols = []
for r in rows:
    c = (r["framework"], r["threads"])
    if c not in cols:
        cols.append(c)
cols.sort(key=lambda c: (["pytorch", "tfjs-tensorflow", "tfjs-wasm", "tfjs-webgpu"].index(c[0]) if c[0] in ["pytorch", "tfjs-tensorflow", "tfjs-wasm", "tfjs-webgpu"] else 9, c[1]))
by = {}
for r in rows:
    by[(part(r), r["F"], r["framework"], r["threads"])] = r
keys = sorted({(part(r), r["F"]) for r in rows}, key=lambda k: (k[0][0] != "train", k[0][1], k[1]))
head = f"{'bench':<9} {'variant':<12} {'F':>4} " + " ".join(f"{fw.replace('tfjs-', '')[:10] + ' t' + str(t):>14}" for fw, t in cols) + f" {'native/torch':>12}"
print(head)
for (b, v), F in keys:
    cells = []
    for fw, t in cols:
        r = by.get(((b, v), F, fw, t))
        cells.append(f"{tp(r):>12.1f}{'*' if r and not r.get('clean', True) else ' '} " if r else f"{'-':>14}")
    nat = [tp(by[((b, v), F, "tfjs-tensorflow", t)]) for fw, t in cols if fw == "tfjs-tensorflow" and ((b, v), F, fw, t) in by]
    tor = [tp(by[((b, v), F, "pytorch", t)]) for fw, t in cols if fw == "pytorch" and ((b, v), F, fw, t) in by]
    ratio = f"{max(nat) / max(tor):>12.2f}" if nat and tor else f"{'-':>12}"
    print(f"{b:<9} {v:<12} {F:>4} " + "".join(cells) + ratio)
print("train: samples/s; explainer: complete 1000-step explanations/s. Median of clean timed blocks;")
print("* = DISTURBED (fewer clean blocks than --repeats: other load skewed it). native/torch = best native TF / best PyTorch.")
PYEOF
echo "results: $RESULTS"
