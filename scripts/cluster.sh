#!/usr/bin/env bash
# scripts/cluster.sh: private PostgreSQL clusters for costmodel (library + CLI).
#
# CLI, on the demo cluster kept under .costmodel/ in the checkout:
#   scripts/cluster.sh start      init if needed, start if not running (idempotent)
#   scripts/cluster.sh stop       stop it if running (data is kept)
#   scripts/cluster.sh status     running or not, port, socket dir, data dir
#   scripts/cluster.sh psql [ARGS]  psql on database costmodel (make psql)
#   scripts/cluster.sh conninfo   print the connection string
#
# As a library (source it), a cluster lives in one base directory C:
#   C/inst/             private install tree (scripts/pginst.sh)
#   C/data/             data directory, owned by the server user
#   C/log/postgres.log  server log, owned by the server user
# and is used through cluster_use C, then cluster_install, cluster_init,
# cluster_start, cluster_stop.  The port and socket directory live in
# C/data/costmodel_runtime.conf, which postgresql.conf includes, so a plain
# "pg_ctl restart" keeps them.
#
# The server runs as CM_RUNAS ("postgres" when we are root, else us); the
# socket directory is a short mktemp -d /tmp/cm-XXXXXX path (socket paths are
# limited to 107 bytes).  TCP listens on 127.0.0.1 only, on the first free
# port from 54321 up (CM_PORT_BASE).  Authentication is trust: these clusters
# are for tests and demos on one machine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Select cluster base directory $1 and set CL_* paths (CL_BIN once installed).
cluster_use() {
    CL_DIR=$1
    CL_INST=$CL_DIR/inst
    CL_DATA=$CL_DIR/data
    CL_LOG=$CL_DIR/log/postgres.log
    CL_RUNTIME=$CL_DATA/costmodel_runtime.conf
    CL_BIN=
    if [[ -r $CL_INST/pginst.env ]]; then
        # shellcheck disable=SC1091
        source "$CL_INST/pginst.env"
        CL_BIN=$PGINST_BIN
    fi
}

# Build or refresh the private install tree of the selected cluster.
cluster_install() {
    bash "$CM_ROOT/scripts/pginst.sh" "$CL_INST"
    cluster_use "$CL_DIR"
}

# Run pg_ctl of the private install as the server user.  File descriptors
# 7, 8 and 9 (our flocks) are closed so that a postmaster never holds a lock.
cluster_pg_ctl() {
    cm_as_server "$CL_BIN/pg_ctl" "$@" 7>&- 8>&- 9>&-
}

# Print the initdb locale options: C.UTF-8 when the system has it.
initdb_locale_opts() {
    if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
        echo "--locale=C.UTF-8"
    else
        echo "--no-locale"
    fi
}

# Create the data directory with initdb unless it exists.  $1=throwaway
# turns fsync off and skips initdb's own syncing.
cluster_init() {
    local kind=${1:-keep}
    [[ -f $CL_DATA/PG_VERSION ]] && return 0
    [[ -n $CL_BIN ]] || cm_die "cluster_init: no private install in $CL_INST"
    mkdir -p "$CL_DATA" "$(dirname "$CL_LOG")"
    chmod 700 "$CL_DATA"
    cm_chown_server "$CL_DATA" "$(dirname "$CL_LOG")"

    local -a opts=(-D "$CL_DATA" -U postgres --auth=trust -E UTF8 "$(initdb_locale_opts)" --no-instructions)
    [[ $kind == throwaway ]] && opts+=(--no-sync)
    local out
    if ! out=$(cm_as_server "$CL_BIN/initdb" "${opts[@]}" 2>&1); then
        printf '%s\n' "$out" >&2
        cm_die "initdb failed for $CL_DATA"
    fi

    {
        echo ""
        echo "# --- added by costmodel scripts/cluster.sh ---"
        echo "listen_addresses = '127.0.0.1'"
        echo "shared_preload_libraries = 'pg_cron'"
        echo "cron.database_name = 'postgres'"
        echo "cron.use_background_workers = on"
        echo "max_worker_processes = 16"
        echo "log_min_messages = warning"
        if [[ $kind == throwaway ]]; then
            echo "fsync = off"
        fi
        echo "# port and unix_socket_directories, rewritten at each start:"
        echo "include_if_exists = 'costmodel_runtime.conf'"
    } | cm_as_server tee -a "$CL_DATA/postgresql.conf" >/dev/null
}

# True when the selected cluster's postmaster is running.
cluster_is_running() {
    [[ -n $CL_BIN && -f $CL_DATA/PG_VERSION ]] || return 1
    cluster_pg_ctl status -D "$CL_DATA" >/dev/null 2>&1
}

# Print setting $1 (port or unix_socket_directories) from the runtime conf.
runtime_setting() {
    [[ -r $CL_RUNTIME ]] || return 0
    sed -n -E "s/^$1 = '?([^']*)'?\$/\\1/p" "$CL_RUNTIME" | tail -n 1
}

# Print the port of the selected cluster (empty if never started).
cluster_port() { runtime_setting port; }

# Print the socket directory of the selected cluster (empty if never started).
cluster_sockdir() { runtime_setting unix_socket_directories; }

# Print a key=value connection string for database $1 (default postgres).
cluster_conninfo() {
    printf 'host=%s port=%s user=postgres dbname=%s\n' \
        "$(cluster_sockdir)" "$(cluster_port)" "${1:-postgres}"
}

# True when something listens on TCP port $1 (any address, IPv4 or IPv6).
port_in_use() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p="$hex" 'FNR > 1 && $4 == "0A" { n = split($2, a, ":"); if (a[n] == p) found = 1 }
                     END { exit !found }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Print the first free TCP port from $1 upwards.
free_port() {
    local port=$1
    while port_in_use "$port"; do
        port=$((port + 1))
        [[ $port -lt $(($1 + 1000)) ]] || cm_die "no free TCP port in $1..$port"
    done
    echo "$port"
}

# Print a usable socket directory: $1 again if it can be (re)made ours, else a new one.
socket_dir() {
    local want=${1:-}
    if [[ -n $want && $want == /tmp/cm-* ]]; then
        if [[ -d $want && $(stat -c %U "$want") == "$CM_RUNAS" ]] || mkdir -m 700 "$want" 2>/dev/null; then
            cm_chown_server "$want"
            echo "$want"
            return 0
        fi
    fi
    want=$(mktemp -d /tmp/cm-XXXXXX)
    cm_chown_server "$want"
    echo "$want"
}

# Start the selected cluster on a free port (no-op when running).  Tries the
# port it had before first, so connection strings stay stable, and moves on
# when another process grabs the port between the probe and the bind.
cluster_start() {
    cluster_is_running && return 0
    local base=${CM_PORT_BASE:-54321}
    local sockdir port logsize
    sockdir=$(socket_dir "$(cluster_sockdir)")
    port=$(cluster_port)
    if [[ -z $port ]] || port_in_use "$port"; then
        port=$(free_port "$base")
    fi
    for _ in 1 2 3 4 5; do
        printf "port = %s\nunix_socket_directories = '%s'\n" "$port" "$sockdir" \
            | cm_as_server tee "$CL_RUNTIME" >/dev/null
        logsize=$(stat -c %s "$CL_LOG" 2>/dev/null || echo 0)
        if cluster_pg_ctl start -D "$CL_DATA" -l "$CL_LOG" -w -t 60 -s >/dev/null 2>&1; then
            return 0
        fi
        if tail -c +"$((logsize + 1))" "$CL_LOG" 2>/dev/null | grep -q 'Address already in use'; then
            port=$(free_port "$((port + 1))")
            continue
        fi
        break
    done
    echo "--- server log $CL_LOG (end) ---" >&2
    tail -c +"$((logsize + 1))" "$CL_LOG" 2>/dev/null | tail -n 30 >&2 || true
    cm_die "could not start the cluster in $CL_DATA"
}

# Stop the selected cluster if it runs ($1: pg_ctl mode, default fast).
cluster_stop() {
    local mode=${1:-fast}
    cluster_is_running || return 0
    cluster_pg_ctl stop -D "$CL_DATA" -m "$mode" -w -t 60 -s >/dev/null 2>&1 \
        || cluster_pg_ctl stop -D "$CL_DATA" -m immediate -w -t 30 -s >/dev/null 2>&1 \
        || { cm_warn "could not stop the cluster in $CL_DATA"; return 1; }
}

# Remove the socket directory of the selected cluster (when stopped and empty).
cluster_remove_sockdir() {
    local sockdir
    sockdir=$(cluster_sockdir)
    if [[ -n $sockdir && $sockdir == /tmp/cm-* ]]; then
        rmdir "$sockdir" 2>/dev/null || true
    fi
}

# Print the demo cluster's base directory (.costmodel/pg, maybe a symlink),
# creating it: inside the checkout when the server user can reach it, else
# under /var/tmp/costmodel-<hash of the checkout path>/ with a symlink.
demo_dir() {
    local state=$CM_ROOT/.costmodel
    mkdir -p "$state"
    if [[ ! -e $state/pg ]]; then
        if cm_server_can_read "$state"; then
            mkdir "$state/pg"
        else
            local far
            far=/var/tmp/costmodel-$(cm_hash "$CM_ROOT")
            mkdir -p "$far"
            ln -sfn "$far" "$state/pg"
            printf '%s\n' "The server user ($CM_RUNAS) cannot enter $CM_ROOT," \
                "so the demo cluster lives in $far (.costmodel/pg links there)." \
                > "$state/README"
        fi
    fi
    # The physical path: the server user must not go through the checkout.
    (cd "$state/pg" && pwd -P)
}

# Select the demo cluster; with $1=need-install also build its install tree.
demo_use() {
    cm_pg_config
    cm_runas_init
    cluster_use "$(demo_dir)"
    if [[ -f $CL_DATA/PG_VERSION && $(stat -c %U "$CL_DATA") != "$CM_RUNAS" ]]; then
        cm_die "the demo cluster in $CL_DATA belongs to $(stat -c %U "$CL_DATA"), not $CM_RUNAS; remove .costmodel/ or run as that user"
    fi
    if [[ ${1:-} == need-install || -z $CL_BIN ]]; then
        cluster_install
    fi
}

# Take the demo lock (serialises start/stop/demo runs on this checkout).
demo_lock() {
    mkdir -p "$CM_ROOT/.costmodel"
    exec 9>"$CM_ROOT/.costmodel/lock"
    flock -w 600 9 || cm_die "another costmodel script holds .costmodel/lock"
}

# Init and start the demo cluster if needed; write .costmodel/conninfo.
demo_start() {
    cluster_init keep
    if ! cluster_is_running; then
        cluster_start
        cm_say "demo cluster started (port $(cluster_port), data $CL_DATA)"
    fi
    cluster_conninfo costmodel > "$CM_ROOT/.costmodel/conninfo"
}

# The CLI: start|stop|status|psql|conninfo on the demo cluster.
main() {
    local cmd=${1:-}
    [[ $# -gt 0 ]] && shift
    case $cmd in
    start)
        demo_lock
        demo_use need-install
        demo_start
        cat "$CM_ROOT/.costmodel/conninfo"
        ;;
    stop)
        demo_lock
        demo_use
        if cluster_is_running; then
            cluster_stop fast
            cluster_remove_sockdir
            cm_say "demo cluster stopped (data kept in $CL_DATA)"
        else
            cm_say "demo cluster is not running"
        fi
        ;;
    status)
        demo_use
        if cluster_is_running; then
            echo "running: port $(cluster_port), socket dir $(cluster_sockdir), data $CL_DATA, server user $CM_RUNAS"
            echo "conninfo: $(cluster_conninfo costmodel)"
        elif [[ -f $CL_DATA/PG_VERSION ]]; then
            echo "stopped: data $CL_DATA (scripts/cluster.sh start, or make demo)"
            return 3
        else
            echo "no demo cluster yet (make demo)"
            return 3
        fi
        ;;
    psql)
        demo_use
        [[ -f $CL_DATA/PG_VERSION ]] || cm_die "no demo cluster yet: run 'make demo' first"
        if ! cluster_is_running; then
            demo_lock
            demo_start
            exec 9>&-
        fi
        # Through the environment, so that "-d otherdb" in ARGS still works.
        PGHOST=$(cluster_sockdir) PGPORT=$(cluster_port) PGUSER=postgres PGDATABASE=costmodel \
            exec "$CL_BIN/psql" "$@"
        ;;
    conninfo)
        demo_use
        cluster_is_running || cm_die "the demo cluster is not running (scripts/cluster.sh start, or make demo)"
        cluster_conninfo costmodel
        ;;
    *)
        echo "usage: $0 start|stop|status|psql [PSQL ARGS]|conninfo" >&2
        return 2
        ;;
    esac
}

# Run the CLI only when executed, not when sourced.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
