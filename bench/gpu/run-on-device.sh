#!/usr/bin/env bash
# The GPU check, on the machine it is carried to (or here, on lavapipe, with --small):
#   1. unpacks the carried Node and dawn.node (bench/gpu/.bundle, built by prepare.sh) into $WORK;
#   2. makes the carried Vulkan loader (and what NVIDIA's ICD links) findable where the system
#      lacks them, and points the loader at NVIDIA's ICD when there is one;
#   3. runs `rexsweep-gpu.mjs run` with that Node: WebGPU parts in Node, the PyTorch parts with
#      the machine's python3 (or the bench venv here), each capped, inside one time budget;
#   4. prints the JSON report on stdout and writes it to $OUT/gpu-report.json (the device tool
#      brings $OUT back) or $WORK/gpu-report.json. If Node itself cannot run, it still prints a
#      report, with the reason.
#
#   bench/gpu/run-on-device.sh [--small] [--budget-seconds N] [--python PY|none] [any `run` flag]
# Env: REXSWEEP_GPU_WORK (default /tmp/rexsweep-gpu-$UID), REXSWEEP_GPU_TOTAL_CAP (default 560 s:
#      a hard stop under the device tool's 600 s per call).
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
B="$HERE/.bundle"
WORK="${REXSWEEP_GPU_WORK:-/tmp/rexsweep-gpu-$(id -u)}"
T0=$(date +%s.%N)
if [[ -n "${OUT:-}" ]]; then REPORT="$OUT/gpu-report.json"; else REPORT="$WORK/gpu-report.json"; fi
log() { echo "[run-on-device] $*" >&2; }

# A report even when nothing else works: python3 is on the GPU machine, node may not be.
fail() {
  log "FAILED: $1"
  mkdir -p "$(dirname "$REPORT")"
  python3 - "$1" "$REPORT" <<'PY' || printf '{"schema":"rexsweep-gpu-bench/1","error":"%s"}\n' "$(echo "$1" | tr -d '"\\' | head -c 400)"
import json, sys
r = {"schema": "rexsweep-gpu-bench/1", "error": sys.argv[1]}
open(sys.argv[2], "w").write(json.dumps(r) + "\n")
print(json.dumps(r))
PY
  exit 1
}

[[ -s "$B/rexsweep-gpu.mjs" && -s "$B/node.xz" && -s "$B/webgpu/dawn.node.xz" && -s "$B/reference.json" ]] ||
  fail "bundle incomplete: run bench/gpu/prepare.sh, then carry bench/gpu/.bundle"

# xz may be missing there; Python's lzma is not.
unxz_to() {
  if command -v xz >/dev/null; then xz -dc "$1" > "$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"), 1 << 20)' "$1" "$2"; fi
}
APP="$WORK/app"
DAWN_DIR="$APP/node_modules/webgpu/dist/linux-x64"
mkdir -p "$WORK/bin" "$DAWN_DIR" "$WORK/lib" "$WORK/debroot"
unxz_to "$B/node.xz" "$WORK/bin/node" && chmod +x "$WORK/bin/node" || fail "cannot unpack node.xz"
unxz_to "$B/webgpu/dawn.node.xz" "$DAWN_DIR/dawn.node" || fail "cannot unpack dawn.node.xz"
cp "$B/webgpu/index.js" "$B/webgpu/package.json" "$APP/node_modules/webgpu/" && cp "$B/rexsweep-gpu.mjs" "$APP/" || fail "cannot copy the bundle"
node_err="$("$WORK/bin/node" --version 2>&1)" || fail "the carried node does not run here: $node_err"

# Carried libraries, linked only where the system has none of that name (never in place of its own).
LDCACHE="$(ldconfig -p 2>/dev/null)"   # read once: `ldconfig -p | grep -q` fails under pipefail (SIGPIPE)
have_lib() {
  grep -q "^[[:space:]]*$1 (" <<<"$LDCACHE" && return 0
  local d
  for d in ${LD_LIBRARY_PATH//:/ }; do [[ -e "$d/$1" ]] && return 0; done
  return 1
}
rm -f "$WORK/lib"/*
linked=()
if command -v dpkg-deb >/dev/null; then
  for f in "$B"/debs/*.deb; do [[ -e "$f" ]] && dpkg-deb -x "$f" "$WORK/debroot"; done
  for so in "$WORK"/debroot/usr/lib/x86_64-linux-gnu/lib*.so.[0-9]; do
    [[ -e "$so" ]] || continue
    name="$(basename "$so")"
    have_lib "$name" || { ln -sf "$so" "$WORK/lib/$name"; linked+=("$name"); }
  done
else
  log "no dpkg-deb: using the system's Vulkan loader only"
fi
NV_LIBS=""
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do [[ -d $d ]] && NV_LIBS="$NV_LIBS:$d"; done
export LD_LIBRARY_PATH="$WORK/lib$NV_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# For a second try, should Dawn find no adapter: the libraries the ICD's library cannot resolve.
icd_unresolved() {
  local lib d name
  lib="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["ICD"]["library_path"])' "$1" 2>/dev/null)"
  name="$lib"
  if [[ -n $lib && $lib != /* ]]; then
    for d in ${LD_LIBRARY_PATH//:/ }; do [[ -e "$d/$lib" ]] && { lib="$d/$lib"; break; }; done
    [[ $lib == /* ]] || lib="$(grep -m1 "^[[:space:]]*$lib (" <<<"$LDCACHE" | sed 's/.*=> //' || true)"
  fi
  if [[ -n $lib && -e $lib ]]; then
    { ldd "$lib" 2>&1 || true; } | { grep 'not found' || true; } | awk '{printf "%s ", $1}'
  else
    echo "ICD library ${name:-?} not found"
  fi
}
ICD=""
for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json; do
  [[ -f $f ]] && { ICD=$f; break; }
done
# Only NVIDIA's driver where it exists (a Mesa ICD beside it could be picked instead); VK_DRIVER_FILES
# is the loader's newer name for VK_ICD_FILENAMES. Without one (lavapipe here) the system's ICDs.
ICD_MISSING=""
if [[ -n $ICD ]]; then
  export VK_ICD_FILENAMES="$ICD" VK_DRIVER_FILES="$ICD"
  ICD_MISSING="$(icd_unresolved "$ICD")"
fi
export VK_LOADER_DEBUG="${VK_LOADER_DEBUG:-error}"   # the loader's errors land in a failed part's stderr tail
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$WORK}"

# PyTorch: the machine's python3 if it has torch (the GPU machine), else the bench venv (here).
args=("$@")
if [[ " ${args[*]} " != *" --python "* ]]; then
  py=python3
  if ! python3 -c 'import torch' 2>/dev/null; then
    venv_py="$(bash "$REPO/bench/setup-torch.sh" --print-venv 2>/dev/null)/bin/python"
    [[ -x "$venv_py" ]] && py="$venv_py"
  fi
  args+=(--python "$py")
fi
[[ " ${args[*]} " == *" --out "* ]] || args+=(--out "$REPORT")
mkdir -p "$(dirname "$REPORT")"

setup_s=$(awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $T0 }")
export REXSWEEP_GPU_SETUP="{\"icd\":\"${ICD}\",\"icdUnresolved\":\"${ICD_MISSING//\"/}\",\"linkedFromCarriedDebs\":\"${linked[*]:-}\",\"setupSeconds\":${setup_s},\"node\":\"$node_err\"}"
log "node $node_err; ICD ${ICD:-system default}; linked: ${linked[*]:-none}"

# The report is the last stdout line; stderr (Dawn's warnings, part errors) goes to stderr.
timeout -k 5 "${REXSWEEP_GPU_TOTAL_CAP:-560}" "$WORK/bin/node" "$APP/rexsweep-gpu.mjs" run --repo "$REPO" --reference "$B/reference.json" "${args[@]}"
rc=$?
if [[ $rc != 0 ]]; then
  # A partial report (written after every part) is better than none: print it with the reason.
  if [[ -s "$REPORT" ]]; then
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); r["error"] = sys.argv[2]; print(json.dumps(r)); open(sys.argv[1], "w").write(json.dumps(r, indent=1) + "\n")' "$REPORT" "run exited $rc (124: total cap)"
    exit 1
  fi
  fail "run exited $rc before its first part"
fi
