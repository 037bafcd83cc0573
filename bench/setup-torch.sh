#!/usr/bin/env bash
# Benchmark-only PyTorch (CPU) environment for the side-by-side CER benchmark.
#
# Creates a virtual environment OUTSIDE the repository (PyTorch is never a
# dependency of rexsweep) and installs torch there from PyPI, by the lightest
# route that gives a working CPU torch:
#   1. `pip install torch --no-deps` plus only the non-CUDA requirements torch
#      declares (filelock, typing-extensions, sympy, networkx, jinja2, fsspec, ...),
#      then a smoke test (import + a 2x2 matmul + a backward pass);
#   2. if that fails (the PyPI linux wheel is a CUDA build: libtorch.so links
#      libtorch_cuda.so, which needs the CUDA libraries even on a CPU-only
#      machine), a "lean" install: torch's declared CUDA requirements minus those
#      not needed to load it (triton, cuda-bindings, cuSOLVER, NVTX);
#   3. if that still fails, `pip install torch==<same version>` with all its
#      dependencies (several GB).
# Idempotent: an environment that already passes the smoke test is left alone.
#
# Environment:
#   REXSWEEP_CACHE        cache root (default: $HOME/.cache/rexsweep)
#   REXSWEEP_BENCH_VENV   venv path   (default: $REXSWEEP_CACHE/bench-venv)
#   REXSWEEP_TORCH_SPEC   pip requirement for torch (default: torch; e.g. torch==2.9.1)
#   PYTHON                interpreter used to create the venv (default: python3)
# Flags:
#   --force      delete and recreate the venv
#   --full       skip steps 1-2 and install torch with all its deps
#   --print-venv print the venv path and exit
set -euo pipefail

CACHE_ROOT="${REXSWEEP_CACHE:-$HOME/.cache/rexsweep}"
VENV="${REXSWEEP_BENCH_VENV:-$CACHE_ROOT/bench-venv}"
TORCH_SPEC="${REXSWEEP_TORCH_SPEC:-torch}"
PYTHON="${PYTHON:-python3}"
FORCE=0
FULL=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --full) FULL=1 ;;
    --print-venv) echo "$VENV"; exit 0 ;;
    -h|--help) awk 'NR > 1 && /^set -euo/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "setup-torch: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "[setup-torch] $*"; }
T0=$(date +%s)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$VENV/bin/python"
SMOKE='
import torch
a = torch.randn(2, 2, requires_grad=True)
(a @ torch.randn(2, 2)).sum().backward()
assert a.grad is not None
m = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1), torch.nn.Sigmoid())
opt = torch.optim.SGD(m.parameters(), lr=1e-3, weight_decay=1e-5)
loss = torch.nn.BCELoss()(m(torch.rand(4, 8)).squeeze(1), torch.ones(4))
opt.zero_grad(); loss.backward(); opt.step()
print("torch", torch.__version__, "| cuda build:", torch.version.cuda, "| threads:", torch.get_num_threads())
'

smoke() { "$PY" -c "$SMOKE"; }

source "$REPO_ROOT/bench/venv-lib.sh"
if venv_ready; then exit 0; fi
PIP=("$PY" -m pip --disable-pip-version-check)

if [[ $FULL == 0 ]]; then
  log "step 1: pip install --no-deps '$TORCH_SPEC'"
  "${PIP[@]}" install --no-deps "$TORCH_SPEC"
  # torch's own non-CUDA requirements, markers kept so pip evaluates them.
  mapfile -t REQS < <("$PY" - <<'PYEOF'
import importlib.metadata as md, re
for r in md.requires("torch") or []:
    name = re.split(r"[\s;<>=!~\[(]", r, maxsplit=1)[0].lower()
    if name.startswith(("nvidia-", "triton", "cuda-")) or "extra ==" in r:
        continue
    print(r)
PYEOF
)
  log "step 1: pure-python deps: ${REQS[*]}"
  "${PIP[@]}" install "${REQS[@]}"
  log "step 1: smoke test without the nvidia-* libraries"
  if smoke; then
    ROUTE="no-deps (torch wheel + pure-python deps, no nvidia-* wheels)"
  else
    log "step 1 FAILED: this torch wheel cannot load without its CUDA libraries"
    # Step 2: the CUDA requirements that libtorch needs at load time only.
    mapfile -t LEAN < <("$PY" - <<'PYEOF'
import importlib.metadata as md, re
SKIP_PKG = ("triton", "cuda-bindings", "cuda-python")
SKIP_PART = ("cusolver", "nvtx")  # CUPTI is needed at load (kineto)
for r in md.requires("torch") or []:
    name = re.split(r"[\s;<>=!~\[(]", r, maxsplit=1)[0].lower()
    if "extra ==" in r or name.startswith(SKIP_PKG) or any(p in name for p in SKIP_PART):
        continue
    if not (name.startswith(("nvidia-", "cuda-"))):
        continue
    m = re.match(r"^([^\[]+)\[([^\]]*)\](.*)$", r)
    if m:  # e.g. cuda-toolkit[cublas,cudart,cusolver,...]==13.x: drop the unneeded extras
        extras = [e for e in m.group(2).split(",") if e.strip() not in SKIP_PART]
        r = f"{m.group(1)}[{','.join(extras)}]{m.group(3)}"
    print(r)
PYEOF
)
    log "step 2 (lean): ${LEAN[*]}"
    "${PIP[@]}" install "${LEAN[@]}"
    log "step 2: smoke test with the load-time CUDA libraries only"
    if smoke; then
      ROUTE="lean (torch --no-deps + pure-python deps + load-time CUDA libs; no triton/cuda-bindings/cusolver/nvtx)"
    else
      log "step 2 FAILED; falling back to a full install"
      FULL=1
    fi
  fi
fi

if [[ $FULL == 1 ]]; then
  VER="$("$PY" -c 'import importlib.metadata as m; print(m.version("torch"))' 2>/dev/null || true)"
  SPEC="$TORCH_SPEC"
  [[ -n "$VER" ]] && SPEC="torch==$VER"
  log "step 3 (full): pip install '$SPEC' with its dependencies (nvidia-* CUDA wheels, several GB)"
  "${PIP[@]}" install "$SPEC"
  log "step 3: smoke test"
  smoke
  ROUTE="full (torch + nvidia-* CUDA wheels; CUDA unused on this machine)"
fi

T1=$(date +%s)
log "done in $((T1 - T0)) s via route: $ROUTE"
log "venv: $VENV, size on disk: $(du -sh "$VENV" | cut -f1)"
log "use: $PY bench/pytorch/cer_train.py --help"
