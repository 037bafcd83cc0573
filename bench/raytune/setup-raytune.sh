#!/usr/bin/env bash
# Benchmark-only Ray Tune environment for the rexsweep vs Ray Tune comparison (issue 14).
#
# Creates a virtual environment OUTSIDE the repository (Ray is never a dependency of rexsweep)
# and installs, from PyPI, in one resolver pass:
#   - ray[tune] at a pinned version (default 2.60.0);
#   - mlflow at the SAME version as the project's local MLflow server, read from
#     infra/local/versions.ts (MLFLOW_VERSION), so the Ray Tune MLflow callback talks to the
#     server release rexsweep itself uses (the full package: it can also run that server).
# Then a smoke test: import ray.tune, ray.air.integrations.mlflow and mlflow, and check that
# the installed versions are the pinned ones.
# Idempotent: an environment that already passes the smoke test is left alone.
#
# Environment:
#   REXSWEEP_CACHE                  cache root (default: $HOME/.cache/rexsweep)
#   REXSWEEP_BENCH_RAY_VENV         venv path  (default: $REXSWEEP_CACHE/bench-ray-venv)
#   REXSWEEP_RAY_VERSION            ray version (default: 2.60.0)
#   REXSWEEP_BENCH_MLFLOW_VERSION   mlflow version (default: MLFLOW_VERSION in infra/local/versions.ts)
#   PYTHON                          interpreter used to create the venv (default: python3, >= 3.10)
# Flags:
#   --force      delete and recreate the venv
#   --print-venv print the venv path and exit
set -euo pipefail

CACHE_ROOT="${REXSWEEP_CACHE:-$HOME/.cache/rexsweep}"
VENV="${REXSWEEP_BENCH_RAY_VENV:-$CACHE_ROOT/bench-ray-venv}"
RAY_VERSION="${REXSWEEP_RAY_VERSION:-2.60.0}"
PYTHON="${PYTHON:-python3}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --print-venv) echo "$VENV"; exit 0 ;;
    -h|--help) awk 'NR > 1 && /^set -euo/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "setup-raytune: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "[setup-raytune] $*"; }
T0=$(date +%s)

# The project's MLflow pin (infra/local/versions.ts: export const MLFLOW_VERSION = 'x.y.z').
MLFLOW_VERSION="${REXSWEEP_BENCH_MLFLOW_VERSION:-$(sed -n "s/^export const MLFLOW_VERSION = '\([^']*\)'.*/\1/p" "$REPO_ROOT/infra/local/versions.ts")}"
if [[ -z "$MLFLOW_VERSION" ]]; then
  log "cannot read MLFLOW_VERSION from $REPO_ROOT/infra/local/versions.ts; set REXSWEEP_BENCH_MLFLOW_VERSION"
  exit 1
fi

PY="$VENV/bin/python"
SMOKE="
import importlib.metadata as md
import ray, ray.tune, mlflow
from ray.air.integrations.mlflow import MLflowLoggerCallback
assert ray.__version__ == '$RAY_VERSION', ('ray', ray.__version__)
assert md.version('mlflow') == '$MLFLOW_VERSION', ('mlflow', md.version('mlflow'))
print('ray', ray.__version__, '| mlflow', md.version('mlflow'), '| python', __import__('sys').version.split()[0])
"
smoke() { RAY_USAGE_STATS_ENABLED=0 MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true "$PY" -c "$SMOKE"; }

source "$REPO_ROOT/bench/venv-lib.sh"
if venv_ready; then exit 0; fi
PIP=("$PY" -m pip --disable-pip-version-check --no-input)

log "pip install 'ray[tune]==$RAY_VERSION' 'mlflow==$MLFLOW_VERSION' psutil (a few minutes)"
"${PIP[@]}" install "ray[tune]==$RAY_VERSION" "mlflow==$MLFLOW_VERSION" psutil
log "smoke test"
smoke

T1=$(date +%s)
log "done in $((T1 - T0)) s"
log "venv: $VENV, size on disk: $(du -sh "$VENV" | cut -f1)"
log "use: bench/raytune/side-by-side.sh --trials 200 --concurrency 50"
