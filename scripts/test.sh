#!/usr/bin/env bash
# The test command: `bash scripts/test.sh [pytest args...]`. Works from a fresh clone, as root,
# with nothing running and nothing installed beyond python3; safe to run again and again.
#
#  1. .venv with `pip install -e '.[test]'` (redone only when pyproject.toml changes)
#  2. Debian packages the tests drive, installed only when missing
#  3. scripts/lint.sh (ruff, ruff format, mypy) -- a failure fails the run, but tests still run
#  4. Redis and PostgreSQL on 127.0.0.1:63790 / :54329 via scripts/services.sh, unless already
#     reachable (or TEST_REDIS_URL / TEST_DATABASE_URL point elsewhere); the ones started here
#     are stopped again on exit
#  5. pytest, with "$@" passed through; its exit status is ours (5, "no tests ran", counts as
#     a failure)
#
# Knobs: MUSOFIR_SKIP_LINT=1, MUSOFIR_SKIP_APT=1, MUSOFIR_KEEP_SERVICES=1 (leave them running).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"

log() { printf '[test.sh] %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

timings=()
step_start=$SECONDS
step_done() {
    timings+=("$(printf '%-10s %4ss' "$1" "$((SECONDS - step_start))")")
    step_start=$SECONDS
}

# ------------------------------------------------------------------------------------ 1. venv
VENV="$REPO/.venv"
PY="$VENV/bin/python"
if ! "$PY" -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1; then
    [[ -e "$VENV" ]] && log "removing unusable $VENV"
    rm -rf "$VENV"
    log "creating $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
fi
stamp="$VENV/.musofir-installed"
want="$(cat pyproject.toml <("$PY" -VV) | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]] ||
    [[ ! -x "$VENV/bin/pytest" || ! -x "$VENV/bin/ruff" || ! -x "$VENV/bin/mypy" ]]; then
    log "pip install -e '.[test]'"
    rm -f "$stamp"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$PY" -m pip install -q -e '.[test]' </dev/null
    echo "$want" >"$stamp"
fi
step_done venv

# ---------------------------------------------------------------------------- 2. apt packages
packages=(redis-server postgresql chromium fonts-noto-core)
if [[ "${MUSOFIR_SKIP_APT:-}" != 1 ]] && command -v dpkg-query >/dev/null 2>&1; then
    missing=()
    for p in "${packages[@]}"; do
        if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]]; then
            missing+=("$p")
        fi
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        if [[ $EUID -eq 0 ]]; then
            sudo=()
        elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            die "missing Debian packages: ${missing[*]} (install them as root, or set MUSOFIR_SKIP_APT=1)"
        fi
        log "apt-get install ${missing[*]}"
        "${sudo[@]}" apt-get -q update </dev/null >/dev/null
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" </dev/null >/dev/null
    fi
fi
step_done apt

# ----------------------------------------------------------------------------------- 3. lint
lint_rc=0
if [[ "${MUSOFIR_SKIP_LINT:-}" != 1 ]]; then
    bash scripts/lint.sh || lint_rc=$?
    [[ $lint_rc -eq 0 ]] || log "lint FAILED (exit $lint_rc); running the tests anyway"
fi
step_done lint

# ------------------------------------------------------------------------------- 4. services
started=()
cleanup() {
    local rc=$?
    if [[ ${#started[@]} -gt 0 && "${MUSOFIR_KEEP_SERVICES:-}" != 1 ]]; then
        bash "$REPO/scripts/services.sh" stop "${started[@]}" || true
    fi
    return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

preset_redis="${TEST_REDIS_URL:-}"
preset_pg="${TEST_DATABASE_URL:-}"
eval "$(bash scripts/services.sh env)" # exports TEST_REDIS_URL / TEST_DATABASE_URL for our ports
for svc in redis postgres; do
    if [[ $svc == redis && -n "$preset_redis" ]]; then
        export TEST_REDIS_URL="$preset_redis"
        log "redis: using TEST_REDIS_URL from the environment"
    elif [[ $svc == postgres && -n "$preset_pg" ]]; then
        export TEST_DATABASE_URL="$preset_pg"
        log "postgres: using TEST_DATABASE_URL from the environment"
    elif bash scripts/services.sh status "$svc" >/dev/null; then
        log "$svc: already running, leaving it alone"
    else
        started+=("$svc")
        bash scripts/services.sh start "$svc"
    fi
done
step_done services

# --------------------------------------------------------------------------------- 5. pytest
export MUSOFIR_CHROMIUM="${MUSOFIR_CHROMIUM:-/usr/bin/chromium}"
set +e
"$PY" -m pytest "$@"
rc=$?
set -e
step_done pytest
if [[ $rc -eq 5 ]]; then
    log "pytest collected no tests (exit 5): treating as failure"
    rc=1
fi
log "timings: ${timings[*]}"
if [[ $rc -eq 0 && $lint_rc -ne 0 ]]; then
    log "tests passed but lint failed"
    rc=1
fi
exit "$rc"
