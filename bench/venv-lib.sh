# The venv prelude shared by the bench-only setup scripts (bench/setup-torch.sh,
# bench/raytune/setup-raytune.sh). Source it after setting VENV, PY ("$VENV/bin/python"), PYTHON,
# FORCE (0/1) and REPO_ROOT, and defining log and smoke (exits 0 when the venv is complete).
#
# venv_ready: warns about a venv inside the repository, removes it first with FORCE=1, and returns
# 0 when it already passes smoke (nothing to do); otherwise creates it if missing and returns 1.
venv_ready() {
  # A venv inside the repository would end up next to tracked files.
  case "$(realpath -m "$VENV")/" in
    "$REPO_ROOT"/*) log "WARNING: venv $VENV is inside the repository $REPO_ROOT (only bench/.venv* is gitignored)" ;;
  esac
  if [[ $FORCE == 1 && -d "$VENV" ]]; then
    log "--force: removing $VENV"
    rm -rf "$VENV"
  fi
  if [[ -x "$PY" ]] && smoke 2>/dev/null; then
    log "already set up: $VENV ($(du -sh "$VENV" | cut -f1)); nothing to do (use --force to recreate)"
    return 0
  fi
  if [[ ! -x "$PY" ]]; then
    log "creating venv: $PYTHON -m venv $VENV"
    mkdir -p "$(dirname "$VENV")"
    "$PYTHON" -m venv "$VENV"
  fi
  return 1
}
