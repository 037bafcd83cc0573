#!/usr/bin/env bash
# Builds bench/gpu/.bundle/ (git-ignored): everything the GPU check needs on a machine with no
# Node, no npm and no registry, to be carried there with the device tool's `carry`:
#   rexsweep-gpu.mjs   the check and the rexsweep code it runs, one ES module (build.ts)
#   reference.json     the agreement cell's results on the CPU backends, computed here (reference.ts)
#   node.xz            this machine's Node binary, stripped (its debug info is ~12 MB) and xz'd
#   webgpu/            npm `webgpu`'s index.js + package.json and dawn.node.xz (Dawn's binding)
#   debs/              the Vulkan loader and the libraries NVIDIA's Vulkan driver loads
#                      (libGLdispatch, X11 client libs), Debian 12 amd64; linked there only if missing
#   manifest.json      versions and sizes
# Idempotent: Node, Dawn and the debs are redone only when missing or changed; the references
# only when their sources changed (build.ts's sourceHash) or other backends/models are asked for.
#
#   bench/gpu/prepare.sh [--reference-backends wasm,cpu] [--reference-models cer,efm] [--force]
# Env: NODE_BINARY (default: the node on PATH; must be x86-64 Linux, as the GPU machine is),
#      XZ_LEVEL (default 1: ~26 MB for Node in ~20 s; 6 saves ~4 MB for ~2 min on 2 cores).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
B="$HERE/.bundle"
REF_BACKENDS=wasm,cpu
REF_MODELS=cer,efm
FORCE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reference-backends) REF_BACKENDS="$2"; shift ;;
    --reference-models) REF_MODELS="$2"; shift ;;
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "prepare: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
log() { echo "[prepare] $*" >&2; }
[[ $FORCE == 1 ]] && rm -rf "$B"
mkdir -p "$B/webgpu" "$B/debs"
XZ_LEVEL="${XZ_LEVEL:-1}"
NODE_BINARY="$(readlink -f "${NODE_BINARY:-$(command -v node)}")"
cd "$REPO"

# Node: the GPU machine is x86-64 Linux (device README), so only such a binary is any use there.
file_of() { od -An -tx1 -j18 -N2 "$1" | tr -d ' \n'; }   # ELF e_machine, little-endian
[[ "$(file_of "$NODE_BINARY")" == 3e00 ]] || { echo "prepare: $NODE_BINARY is not an x86-64 ELF binary (set NODE_BINARY)" >&2; exit 1; }
node_id="$("$NODE_BINARY" --version) $(stat -c %s "$NODE_BINARY")"
if [[ ! -s "$B/node.xz" || "$(cat "$B/node.id" 2>/dev/null)" != "$node_id" ]]; then
  log "node: strip + xz -$XZ_LEVEL of $NODE_BINARY ($node_id)"
  tmp="$(mktemp)"
  strip -o "$tmp" "$NODE_BINARY" 2>/dev/null || cp "$NODE_BINARY" "$tmp"
  xz -T2 "-$XZ_LEVEL" -c "$tmp" > "$B/node.xz.part" && mv "$B/node.xz.part" "$B/node.xz"
  rm -f "$tmp"
  echo "$node_id" > "$B/node.id"
fi

# Dawn: the package's loader as is; dawn.node compressed (21 MB → ~5 MB), unpacked there.
DAWN="$REPO/node_modules/webgpu/dist/linux-x64/dawn.node"
[[ -f "$DAWN" ]] || { echo "prepare: $DAWN missing (npm ci installs the optional dependency webgpu)" >&2; exit 1; }
cp "$REPO/node_modules/webgpu/index.js" "$REPO/node_modules/webgpu/package.json" "$B/webgpu/"
dawn_id="$(stat -c '%s %Y' "$DAWN")"
if [[ ! -s "$B/webgpu/dawn.node.xz" || "$(cat "$B/webgpu/dawn.id" 2>/dev/null)" != "$dawn_id" ]]; then
  log "dawn.node: xz -$XZ_LEVEL"
  xz -T2 "-$XZ_LEVEL" -c "$DAWN" > "$B/webgpu/dawn.node.xz"
  echo "$dawn_id" > "$B/webgpu/dawn.id"
fi

# Vulkan loader and what NVIDIA's ICD (libGLX_nvidia.so.0) links: the device README's set, plus
# the X11 client libraries it may need. Debian 12 amd64 packages, with a private apt state
# (as the device README does) so that this works from any host and touches no system lists.
DEBS=(libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 libx11-6 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0)
# Not fatal: the lavapipe rehearsal needs none of them, and run-on-device.sh falls back to the
# system's loader (the report's host.setup then shows nothing linked).
if [[ $(ls "$B/debs"/*.deb 2>/dev/null | wc -l) -lt ${#DEBS[@]} ]]; then
  log "debs: apt-get download ${DEBS[*]}"
  st=/tmp/rexsweep-apt-amd64
  mkdir -p "$st/partial"
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$st")
  if ! command -v apt-get >/dev/null; then
    log "WARNING: no apt-get here: no Vulkan loader carried (the GPU machine must have its own)"
  elif ! { [[ -n "$(ls "$st" | grep -v partial)" ]] || apt-get "${o[@]}" update -qq >&2; } ||
       ! (cd "$B/debs" && apt-get "${o[@]}" download "${DEBS[@]}" >&2); then
    log "WARNING: apt-get download failed: the Vulkan loader is not carried"
  fi
fi

# The bundle (always rebuilt: a few seconds) and the source hash the references are keyed by.
build_json="$(npx tsx bench/gpu/build.ts "$B")"
hash="$(node -e 'console.log(JSON.parse(process.argv[1]).sourceHash)' "$build_json")"

ref_ok() {
  node -e '
    const [f, hash, backends, models] = process.argv.slice(1);
    const r = JSON.parse(require("fs").readFileSync(f, "utf8"));
    const ok = r.sourceHash === hash && backends.split(",").every((b) => models.split(",").every((m) => r.results?.[b]?.[m]));
    process.exit(ok ? 0 : 1);' "$B/reference.json" "$hash" "$REF_BACKENDS" "$REF_MODELS" 2>/dev/null
}
if ! ref_ok; then
  log "reference: agreement cell on $REF_BACKENDS for $REF_MODELS (source hash $hash)"
  npx tsx bench/gpu/reference.ts "$B/reference.json.part" "$hash" --backends "$REF_BACKENDS" --models "$REF_MODELS"
  mv "$B/reference.json.part" "$B/reference.json"
fi

# Sizes: what the run tool would move (the working tree plus this folder) must stay under 64 MiB.
tree_bytes=$(git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
node -e '
  const fs = require("fs"), path = require("path");
  const [dir, treeBytes, nodeId, build] = process.argv.slice(1);
  const size = (p) => fs.statSync(path.join(dir, p)).size;
  const debs = fs.readdirSync(path.join(dir, "debs")).filter((f) => f.endsWith(".deb")).reduce((a, f) => a + size("debs/" + f), 0);
  const parts = { "node.xz": size("node.xz"), "webgpu/dawn.node.xz": size("webgpu/dawn.node.xz"), "rexsweep-gpu.mjs": size("rexsweep-gpu.mjs"),
    "reference.json": size("reference.json"), "debs/": debs, "webgpu/ (loader)": size("webgpu/index.js") + size("webgpu/package.json") };
  const walk = (p) => fs.statSync(p).isDirectory() ? fs.readdirSync(p).reduce((a, f) => a + walk(path.join(p, f)), 0) : fs.statSync(p).size;
  const bundle = walk(dir); // everything carried, manifest and id files included
  const total = bundle + Number(treeBytes);
  const m = { node: nodeId, sourceHash: JSON.parse(build).sourceHash, bytes: parts, bundleBytes: bundle, workingTreeBytes: Number(treeBytes),
    carriedTotalMiB: +(total / 2 ** 20).toFixed(2), limitMiB: 64 };
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(m, null, 1) + "\n");
  console.log(JSON.stringify(m));
  if (total >= 62 * 2 ** 20) { console.error("prepare: over budget: the run tool carries at most 64 MiB"); process.exit(1); }
' "$B" "$tree_bytes" "$node_id" "$build_json"
