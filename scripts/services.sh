#!/usr/bin/env bash
# Throw-away Redis and PostgreSQL servers for the test suite, on loopback and non-default ports.
#
#   bash scripts/services.sh start  [redis] [postgres]   # default: both; harmless if running
#   bash scripts/services.sh stop   [redis] [postgres]
#   bash scripts/services.sh status [redis] [postgres]   # exit 0 only if all are reachable
#   bash scripts/services.sh env                          # print the TEST_* exports
#
# Redis keeps its files in <repo>/.test-services/redis (gitignored) and persists nothing.
# PostgreSQL refuses to run as root, so when we are root the cluster belongs to the `postgres`
# user and lives outside the repo (a clone in a mode-700 folder is unreachable for `postgres`):
# /var/tmp/musofir-test-pg, with its unix socket there too. Test data is disposable: a cluster
# made by another PostgreSQL major version is wiped and recreated.
#
# Knobs (environment): MUSOFIR_TEST_REDIS_PORT (63790), MUSOFIR_TEST_PG_PORT (54329),
# MUSOFIR_TEST_PG_DIR (/var/tmp/musofir-test-pg, or /var/tmp/musofir-test-pg-$USER if not root).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$REPO/.test-services"

REDIS_PORT="${MUSOFIR_TEST_REDIS_PORT:-63790}"
REDIS_DIR="$STATE/redis"

PG_PORT="${MUSOFIR_TEST_PG_PORT:-54329}"
PG_USER=musofir
PG_PASSWORD=musofir
PG_DB=musofir_test
if [[ $EUID -eq 0 ]]; then
    PG_BASE="${MUSOFIR_TEST_PG_DIR:-/var/tmp/musofir-test-pg}"
else
    PG_BASE="${MUSOFIR_TEST_PG_DIR:-/var/tmp/musofir-test-pg-$(id -un)}"
fi
PG_DATA="$PG_BASE/data"
PG_SOCK="$PG_BASE/run"
PG_LOG="$PG_BASE/postgres.log"

log() { printf '[services] %s\n' "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

# ---------------------------------------------------------------------------------------- Redis

redis_up() {
    command -v redis-cli >/dev/null 2>&1 &&
        [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
}

redis_start() {
    if redis_up; then
        log "redis: already running on 127.0.0.1:$REDIS_PORT"
        return 0
    fi
    command -v redis-server >/dev/null 2>&1 || die "redis-server not found (apt-get install redis-server)"
    mkdir -p "$REDIS_DIR"
    rm -f "$REDIS_DIR/redis.pid" # stale from a crash; redis would overwrite it anyway
    redis-server \
        --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
        --daemonize yes --dir "$REDIS_DIR" \
        --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
        --save '' --appendonly no --databases 16 ||
        die "redis-server failed to start; see $REDIS_DIR/redis.log"
    local i
    for ((i = 0; i < 100; i++)); do
        if redis_up; then
            log "redis: running on 127.0.0.1:$REDIS_PORT (dir $REDIS_DIR)"
            return 0
        fi
        sleep 0.1
    done
    tail -n 20 "$REDIS_DIR/redis.log" >&2 || true
    die "redis did not answer PING within 10s"
}

redis_stop() {
    if redis_up; then
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    local pid i
    pid="$(cat "$REDIS_DIR/redis.pid" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == redis-server* ]]; then
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill "$pid" 2>/dev/null || true
    fi
    rm -f "$REDIS_DIR/redis.pid"
    log "redis: stopped"
}

# ------------------------------------------------------------------------------------ PostgreSQL

pg_bin() {
    # Newest installed major version that has a server.
    local d best=""
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] || continue
        if [[ -z "$best" ]] || [[ "$(basename "$(dirname "$d")")" -gt "$(basename "$(dirname "$best")")" ]]; then
            best="$d"
        fi
    done
    [[ -n "$best" ]] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    echo "$best"
}

# Run a command as the cluster owner, from a directory that owner can enter.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

pg_isready_tcp() {
    local bin
    bin="$(pg_bin)"
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 >/dev/null 2>&1
}

pg_up() {
    # Quietly false when PostgreSQL is not installed at all.
    compgen -G '/usr/lib/postgresql/*/bin/pg_isready' >/dev/null || return 1
    pg_isready_tcp
}

# postmaster.pid / socket lock left by a crashed server (or a container restart, where the old
# PID may now belong to an unrelated process and PostgreSQL would refuse to start).
pg_clear_stale_locks() {
    local pidfile="$PG_DATA/postmaster.pid" pid
    [[ -f "$pidfile" ]] || return 0
    pid="$(head -n 1 "$pidfile" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && [[ -r "/proc/$pid/cmdline" ]] &&
        [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == postgres* ]] &&
        tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$PG_DATA"; then
        return 0 # a live server of this cluster: let pg_ctl deal with it
    fi
    log "postgres: removing stale $pidfile (pid ${pid:-?} is not a server of this cluster)"
    rm -f "$pidfile" "$PG_SOCK/.s.PGSQL.$PG_PORT" "$PG_SOCK/.s.PGSQL.$PG_PORT.lock"
}

pg_psql_admin() {
    local bin
    bin="$(pg_bin)"
    PGCONNECT_TIMEOUT=5 "$bin/psql" -X -q -v ON_ERROR_STOP=1 \
        -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_ensure_db() {
    pg_psql_admin <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$PG_USER', '$PG_PASSWORD')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER')\\gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', '$PG_USER', '$PG_PASSWORD')\\gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', '$PG_DB', '$PG_USER')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$PG_DB')\\gexec
SQL
}

pg_start() {
    local bin version
    bin="$(pg_bin)"
    version="$(basename "$(dirname "$bin")")"
    if [[ $EUID -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "user 'postgres' missing (it comes with the postgresql package)"
    fi

    if ! pg_up; then
        mkdir -p "$PG_BASE"
        chmod 0755 "$PG_BASE"
        if [[ -f "$PG_DATA/PG_VERSION" ]] && [[ "$(cat "$PG_DATA/PG_VERSION")" != "$version" ]]; then
            log "postgres: cluster in $PG_DATA is from version $(cat "$PG_DATA/PG_VERSION"), recreating for $version"
            rm -rf "$PG_DATA"
        fi
        mkdir -p "$PG_SOCK"
        if [[ $EUID -eq 0 ]]; then chown postgres: "$PG_BASE" "$PG_SOCK"; fi
        chmod 0700 "$PG_SOCK"
        if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
            rm -rf "$PG_DATA"
            log "postgres: initdb $PG_DATA (version $version)"
            as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
                --auth-local=trust --auth-host=scram-sha-256 >"$PG_BASE/initdb.log" 2>&1 || {
                cat "$PG_BASE/initdb.log" >&2
                die "initdb failed"
            }
        fi
        pg_clear_stale_locks
        # Durability is pointless for test data: fsync & co. off makes DDL-heavy tests fast.
        if ! as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start -o \
            "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCK -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            >/dev/null; then
            tail -n 30 "$PG_LOG" >&2 || true
            die "PostgreSQL did not start; log: $PG_LOG"
        fi
        local i
        for ((i = 0; i < 300; i++)); do
            pg_isready_tcp && break
            sleep 0.1
        done
        pg_isready_tcp || {
            tail -n 30 "$PG_LOG" >&2 || true
            die "PostgreSQL is not accepting TCP connections on 127.0.0.1:$PG_PORT"
        }
        log "postgres: running on 127.0.0.1:$PG_PORT (data $PG_DATA)"
    else
        log "postgres: already running on 127.0.0.1:$PG_PORT"
    fi
    pg_ensure_db || die "could not create role $PG_USER / database $PG_DB (is the server on $PG_PORT ours? socket dir $PG_SOCK)"
}

pg_stop() {
    local bin
    if [[ -f "$PG_DATA/PG_VERSION" ]] && compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
        bin="$(pg_bin)"
        if as_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
            as_pg "$bin/pg_ctl" -D "$PG_DATA" -w -t 60 stop -m fast >/dev/null ||
                as_pg "$bin/pg_ctl" -D "$PG_DATA" -w -t 30 stop -m immediate >/dev/null || true
        fi
    fi
    log "postgres: stopped"
}

# ------------------------------------------------------------------------------------------ main

print_env() {
    echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
    echo "export TEST_DATABASE_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
}

cmd="${1:-}"
shift || true
which=("$@")
[[ ${#which[@]} -gt 0 ]] || which=(redis postgres)
for w in "${which[@]}"; do
    [[ "$w" == redis || "$w" == postgres ]] || die "unknown service '$w' (redis|postgres)"
done

case "$cmd" in
start)
    for w in "${which[@]}"; do "${w/postgres/pg}_start"; done
    ;;
stop)
    for w in "${which[@]}"; do "${w/postgres/pg}_stop"; done
    ;;
status)
    rc=0
    for w in "${which[@]}"; do
        if "${w/postgres/pg}_up"; then
            echo "$w: running"
        else
            echo "$w: stopped"
            rc=3
        fi
    done
    exit "$rc"
    ;;
env)
    print_env
    ;;
*)
    echo "usage: $0 start|stop|status|env [redis] [postgres]" >&2
    exit 2
    ;;
esac
