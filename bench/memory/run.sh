#!/usr/bin/env bash
# Peak memory of one CER cell (bench/memory/cell_memory.ts), in two processes per size:
#   1. prepare: the data preparation alone (synthetic generation + the prepare pipeline, written
#      to a fresh dataset cache): its peak is the data preparation's peak;
#   2. cell: runCell on that (now cached) dataset: backend, read the dataset, train, evaluate.
# Each process runs under `/usr/bin/time -v` when it exists (Maximum resident set size); the
# script itself always reports the kernel's VmHWM, the exact peak of tf.memory().numBytes and a
# 100 ms sampler of process.memoryUsage()/tf.memory() per phase.
#
# Usage: bench/memory/run.sh [--sizes "demo kindle"] [--out DIR] [-- extra cell_memory.ts flags]
#   demo:   configs/cell-demo.yaml as is (120 users, 150 items, 24 features; 15 epochs, 300 explainer
#           steps, 40 test users, 4 ε_A × 2 attacks).
#   kindle: synthetic 30,000 users × 20,000 items × 300 features, 20 reviews a user; 1 epoch,
#           5 explainer steps, every test user explained, one ε_A (0.5, FGSM). Tens of minutes on WASM.
# Environment: BACKEND (wasm), REXSWEEP_BENCH_KEEP_CACHE=1 keeps the dataset caches.
# Output: DIR/{demo,kindle}-{prepare,cell}.{json,err,time}, DIR/summary.jsonl.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SIZES="demo kindle"
OUT=""
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) SIZES="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) awk 'NR > 1 && /^set -euo/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "memory/run.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
OUT="${OUT:-$REPO/bench/out/memory-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"
BACKEND="${BACKEND:-wasm}"
TIME=()
[[ -x /usr/bin/time ]] && TIME=(/usr/bin/time -v)

{
  echo "date: $(date -Is)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores available"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available"}')"
  echo "node: $(node --version)"
  echo "loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "sizes: $SIZES backend: $BACKEND extra: ${EXTRA[*]:-}"
} | tee "$OUT/env.txt"

: > "$OUT/summary.jsonl"
for size in $SIZES; do
  cache="$OUT/cache-$size"
  rm -rf "$cache"
  for phase in prepare cell; do
    tag="$size-$phase"
    echo "== $tag ($(cut -d' ' -f1 /proc/loadavg) load)"
    # node --import tsx: one process (npx/tsx's launcher processes would not count, but are noise).
    if (cd "$REPO" && "${TIME[@]}" node --import tsx "$HERE/cell_memory.ts" --preset "$size" --phase "$phase" \
          --cache "$cache" --backend "$BACKEND" "${EXTRA[@]}" > "$OUT/$tag.json" 2> "$OUT/$tag.err"); then :; else
      echo "   FAILED (see $OUT/$tag.err)"; continue
    fi
    maxrss_kb="$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$OUT/$tag.err" | tail -1)"
    python3 - "$OUT/$tag.json" "$tag" "${maxrss_kb:-}" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PYEOF' | tee -a "$OUT/summary.jsonl"
import json, sys
r = json.load(open(sys.argv[1]))
kb = sys.argv[3]
out = {
    "run": sys.argv[2], "seconds": r["seconds"],
    "timeMaxRssMB": round(int(kb) / 1024, 1) if kb else None,
    "peakRssMB": r["peakRssMB"], "peakTfBytesMB": r["peakTfBytesMB"], "peakTfTensors": r["peakTfTensors"],
    "wasmHeapMB": r["sampled"]["wasmHeapMB"], "sampledPeakRssMB": r["sampled"]["peakRssMB"],
    "phases": {p["phase"]: {"s": p["seconds"], "hwmMB": p.get("hwmAtEndMB"), "sampledRssMB": p["sampledPeakRssMB"],
                            "tfMB": p["peakTfBytesMB"], "heapUsedMB": p["sampledPeakHeapUsedMB"]} for p in r["phases"]},
    "dataset": r.get("dataset"), "loadavgAfter": sys.argv[4],
}
print(json.dumps(out))
PYEOF
  done
  [[ "${REXSWEEP_BENCH_KEEP_CACHE:-0}" == 1 ]] || rm -rf "$cache"
done
echo "results: $OUT/summary.jsonl"
