#!/usr/bin/env bash
# rexsweep vs Ray Tune on no-op work (issue 14): one script that repeats the comparison.
#
#   bench/raytune/side-by-side.sh [--trials N] [--concurrency C]      (defaults 200, 50)
#
# Runs, one after the other, for the same N cells/trials at concurrency C:
#   1. rexsweep: `npx tsx bench/orchestration/noop-sweep.ts --cells N --concurrency C
#      --evaluations 5 --temporal-port 28233 --mlflow-port 26100` (starts and stops its own dev
#      stack: Temporal dev server + MLflow on SQLite; installs MLflow into the cache if needed);
#   2. Ray Tune, no tracking (bench/raytune/noop_trials.py); each trial carries a rexsweep no-op
#      cell's payload (~50 config params, 5 reports of 16 metrics: --payload cell), so that
#      both tools hand MLflow the same kind of work;
#   3. Ray Tune + ray.air.integrations.mlflow.MLflowLoggerCallback, against an MLflow server
#      this script starts on 127.0.0.1:<--mlflow-port> exactly as rexsweep's dev stack does
#      (infra/local/mlflow.ts): `mlflow server --backend-store-uri sqlite:///… --artifacts-destination …
#      --host 127.0.0.1 --port P --workers 1`, job execution off, SQLAlchemy pool 10 + 31
#      (infra/local/mlflow-pool.ts), telemetry off. Its binary is the project's own
#      (<cache>/mlflow-<MLFLOW_VERSION>/bin/mlflow, which step 1 installs) if present, else the
#      bench venv's (same version).
# then prints a table (also in table.txt):
#   wall/cell     wall time of the sweep (Tuner.fit / the sweep workflow) / cells, at concurrency C
#   CPU/cell      CPU of all processes during the sweep / cells: for rexsweep its bench process
#                 (client + workers) + Temporal server + MLflow server process groups; for Ray the
#                 driver and every process Ray starts (cgroup, see noop_trials.py) + the MLflow
#                 server's process group (from /proc/<pid>/stat of the group)
#   +start/stop   Ray only: the same including ray.init() and ray.shutdown() (rexsweep's servers
#                 are started before its clock starts, so it has no such column)
#   MLflow req/cell  requests the MLflow server received / cells: rexsweep counts them in a
#                 loopback proxy; for Ray they are the request lines of the server's uvicorn
#                 access log (its stdout) written during the run
# Raw JSON lines, logs and the table go to bench/out/raytune-<date>/ (git-ignored).
#
# Flags: --trials N  --concurrency C  --mlflow-port P (default 26000)
#        --step-timeout S (default 1800: each of the three runs is killed after S seconds)
#        --skip-rexsweep (only the two Ray runs)
# Environment: REXSWEEP_CACHE, REXSWEEP_BENCH_RAY_VENV (see setup-raytune.sh).
set -euo pipefail

TRIALS=200
CONCURRENCY=50
MLFLOW_PORT=26000
STEP_TIMEOUT=1800
SKIP_REXSWEEP=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --trials) TRIALS="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --mlflow-port) MLFLOW_PORT="$2"; shift 2 ;;
    --step-timeout) STEP_TIMEOUT="$2"; shift 2 ;;
    --skip-rexsweep) SKIP_REXSWEEP=1; shift ;;
    -h|--help) awk 'NR > 1 && /^set -euo/ { exit } NR > 1' "$0"; exit 0 ;;
    *) echo "side-by-side: unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ "$TRIALS" =~ ^[1-9][0-9]*$ && "$CONCURRENCY" =~ ^[1-9][0-9]*$ ]] || { echo "side-by-side: --trials and --concurrency must be positive integers" >&2; exit 2; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
cd "$REPO_ROOT"
log() { echo "[side-by-side] $(date +%H:%M:%S) $*" >&2; }

OUT="$REPO_ROOT/bench/out/raytune-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT/logs"
WORK="$(mktemp -d /tmp/rexsweep-raytune-XXXXXX)"
MLFLOW_PGID=""

# Servers this script started: the MLflow server's process group, and (after an interruption)
# whatever rexsweep's bench left running with its state under $WORK (its TMPDIR).
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$MLFLOW_PGID" ]]; then
    kill -TERM -- "-$MLFLOW_PGID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$MLFLOW_PGID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$MLFLOW_PGID" 2>/dev/null || true
  fi
  # The pattern's last letter in brackets: grep's own command line does not match it.
  local pid pgid
  for pid in $(grep -ls "${WORK}/node-tm[p]" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3); do
    [[ "$pid" == "$$" ]] && continue
    pgid="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')" || continue
    log "stopping leftover server $pid ($(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-80))"
    if [[ "$pgid" == "$pid" ]]; then kill -TERM -- "-$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- environments
"$HERE/setup-raytune.sh" >&2
VENV="$("$HERE/setup-raytune.sh" --print-venv)"
PY="$VENV/bin/python"
MLFLOW_VERSION="$(sed -n "s/^export const MLFLOW_VERSION = '\([^']*\)'.*/\1/p" infra/local/versions.ts)"
CACHE_ROOT="${REXSWEEP_CACHE:-$HOME/.cache/rexsweep}"
if [[ $SKIP_REXSWEEP == 0 && ! -x node_modules/.bin/tsx ]]; then
  log "waiting for node_modules/.bin/tsx (npm ci still running?), at most 15 min"
  for _ in $(seq 180); do [[ -x node_modules/.bin/tsx ]] && break; sleep 5; done
  [[ -x node_modules/.bin/tsx ]] || { log "node_modules/.bin/tsx missing: run npm ci"; exit 1; }
fi
{
  echo "date: $(date -Is)"; echo "trials: $TRIALS  concurrency: $CONCURRENCY"
  echo "host: $(uname -srm), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (dirty)')"
  echo "node: $(node --version 2>/dev/null || echo '?')"
  "$PY" -c 'import ray, importlib.metadata as m, sys; print("ray:", ray.__version__, "| mlflow (bench venv):", m.version("mlflow"), "| python:", sys.version.split()[0])'
} > "$OUT/env.txt"

# ---- 1. rexsweep
if [[ $SKIP_REXSWEEP == 0 ]]; then
  log "1/3 rexsweep: noop-sweep --cells $TRIALS --concurrency $CONCURRENCY (starts its own dev stack; log: $OUT/logs/rexsweep.log)"
  mkdir -p "$WORK/node-tmp"
  TMPDIR="$WORK/node-tmp" timeout -k 30 "$STEP_TIMEOUT" \
    npx tsx bench/orchestration/noop-sweep.ts --cells "$TRIALS" --concurrency "$CONCURRENCY" \
      --evaluations 5 --temporal-port 28233 --mlflow-port 26100 \
    > "$OUT/rexsweep.json" 2> "$OUT/logs/rexsweep.log" \
    || log "rexsweep run failed (rc $?): see $OUT/logs/rexsweep.log"
fi

# ---- 2. Ray Tune, no tracking
log "2/3 Ray Tune, no tracking (log: $OUT/logs/raytune.log)"
timeout -k 30 "$STEP_TIMEOUT" "$PY" "$HERE/noop_trials.py" --trials "$TRIALS" --concurrency "$CONCURRENCY" \
  --out "$OUT/raytune.json" > "$OUT/logs/raytune.log" 2>&1 \
  || log "Ray Tune run failed (rc $?): see $OUT/logs/raytune.log"

# ---- 3. Ray Tune + MLflow callback, against an MLflow server started like rexsweep's
MLFLOW_BIN="$CACHE_ROOT/mlflow-$MLFLOW_VERSION/bin/mlflow"
[[ -x "$MLFLOW_BIN" ]] || MLFLOW_BIN="$VENV/bin/mlflow"
echo "mlflow server: $MLFLOW_BIN ($("$MLFLOW_BIN" --version 2>/dev/null))" >> "$OUT/env.txt"
if (exec 3<>"/dev/tcp/127.0.0.1/$MLFLOW_PORT") 2>/dev/null; then
  log "port $MLFLOW_PORT is taken; use --mlflow-port"; exit 1
fi
log "3/3 MLflow server on 127.0.0.1:$MLFLOW_PORT ($MLFLOW_BIN)"
mkdir -p "$WORK/mlflow"
env -u MLFLOW_TRACKING_URI PYTHONUNBUFFERED=1 MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false \
  MLFLOW_SQLALCHEMYSTORE_POOL_SIZE=10 MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW=31 \
  MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true \
  setsid "$MLFLOW_BIN" server --backend-store-uri "sqlite:///$WORK/mlflow/mlflow.db" \
    --artifacts-destination "$WORK/mlflow/mlartifacts" --host 127.0.0.1 --port "$MLFLOW_PORT" --workers 1 \
  > "$OUT/logs/mlflow-access.log" 2> "$OUT/logs/mlflow-server.log" < /dev/null &
MLFLOW_PGID=$!
for i in $(seq 180); do
  curl -fsS --max-time 3 "http://127.0.0.1:$MLFLOW_PORT/health" > /dev/null 2>&1 && break
  kill -0 "$MLFLOW_PGID" 2>/dev/null || { log "MLflow server exited: see $OUT/logs/mlflow-server.log"; exit 1; }
  [[ $i == 180 ]] && { log "MLflow server not healthy after 180 s"; exit 1; }
  sleep 1
done
[[ "$(ps -o pgid= -p "$MLFLOW_PGID" | tr -d ' ')" == "$MLFLOW_PGID" ]] || log "WARNING: MLflow server is not its own process group; its CPU may be miscounted"
log "3/3 Ray Tune + MLflowLoggerCallback (log: $OUT/logs/raytune-mlflow.log)"
timeout -k 30 "$STEP_TIMEOUT" "$PY" "$HERE/noop_trials.py" --trials "$TRIALS" --concurrency "$CONCURRENCY" \
  --tracking mlflow --tracking-uri "http://127.0.0.1:$MLFLOW_PORT" --experiment "raytune-noop-$TRIALS" \
  --server-pgid "$MLFLOW_PGID" --access-log "$OUT/logs/mlflow-access.log" \
  --out "$OUT/raytune-mlflow.json" > "$OUT/logs/raytune-mlflow.log" 2>&1 \
  || log "Ray Tune + MLflow run failed (rc $?): see $OUT/logs/raytune-mlflow.log"

# ---- table
"$PY" "$HERE/table.py" "$OUT" | tee "$OUT/table.txt"
log "done: $OUT"
