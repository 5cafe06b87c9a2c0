# shellcheck shell=bash
# scripts/lib.sh: helpers shared by the costmodel scripts.  Sourced, never run.
#
# After sourcing, these are set:
#   CM_ROOT      the checkout (the directory holding the Makefile)
#   PG_MAJOR     PostgreSQL major version (default 15, or taken from PG_CONFIG)
#   PG_CONFIG    pg_config of that version (only once the packages are there:
#                call cm_pg_config)
#   CM_RUNAS     OS user that runs initdb/pg_ctl/postgres: "postgres" when the
#                scripts run as root, else the current user (only once the
#                packages are there: call cm_runas_init)
# Environment knobs: PG_MAJOR, PG_CONFIG.

# Guard against being sourced twice.
[[ -n ${CM_LIB_LOADED:-} ]] && return 0
CM_LIB_LOADED=1

# Files we create must be readable by the server user.
umask 022

CM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

# Default major version; a PG_CONFIG from the environment wins.
if [[ -n ${PG_CONFIG:-} && -z ${PG_MAJOR:-} ]] && command -v "$PG_CONFIG" >/dev/null 2>&1; then
    PG_MAJOR=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
fi
PG_MAJOR=${PG_MAJOR:-15}

# Print a progress line.
cm_say() { printf '==> %s\n' "$*"; }

# Print a warning to stderr.
cm_warn() { printf 'warning: %s\n' "$*" >&2; }

# Print an error to stderr and exit 1.
cm_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Set PG_CONFIG to the pg_config of PG_MAJOR (or keep the caller's) and export it.
cm_pg_config() {
    if [[ -z ${PG_CONFIG:-} ]]; then
        if [[ -x /usr/lib/postgresql/$PG_MAJOR/bin/pg_config ]]; then
            PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
        elif command -v pg_config >/dev/null 2>&1; then
            PG_CONFIG=$(command -v pg_config)
        else
            cm_die "pg_config not found: run 'make deps' (needs postgresql-server-dev-$PG_MAJOR)"
        fi
    fi
    "$PG_CONFIG" --pgxs >/dev/null 2>&1 \
        || cm_die "$PG_CONFIG does not work, or has no PGXS (postgresql-server-dev-$PG_MAJOR missing?)"
    export PG_CONFIG
}

# Decide which OS user runs the server; sets CM_RUNAS.
cm_runas_init() {
    if [[ $(id -u) -eq 0 ]]; then
        CM_RUNAS=postgres
        id -u "$CM_RUNAS" >/dev/null 2>&1 \
            || cm_die "running as root, but there is no OS user '$CM_RUNAS' to run the server (install postgresql-$PG_MAJOR)"
    else
        CM_RUNAS=$(id -un)
    fi
}

# Run a command as CM_RUNAS, from /, so that a checkout the user cannot
# enter does not matter.  The environment is passed on.
cm_as_server() {
    if [[ $(id -un) == "$CM_RUNAS" ]]; then
        (cd / && "$@")
    else
        (cd / && runuser -u "$CM_RUNAS" -- "$@")
    fi
}

# True when the server user can read the given file (and every directory above it).
cm_server_can_read() { cm_as_server test -r "$1"; }

# Give a file or directory we created to the server user (no-op when we are it).
cm_chown_server() {
    [[ $(id -un) == "$CM_RUNAS" ]] || chown -R "$CM_RUNAS:" "$@"
}

# Short stable hash of a string (used to name per-checkout directories).
cm_hash() { printf '%s' "$1" | sha1sum | cut -c1-10; }

# Wall-clock seconds since the epoch, with milliseconds.
cm_now() { date +%s.%3N; }

# Print the seconds elapsed since a cm_now value, e.g. "1.42".
cm_since() { awk -v a="$1" -v b="$(cm_now)" 'BEGIN { printf "%.2f", b - a }'; }

# Take the build lock of the checkout (fd 7): one make at a time, so that
# make check's "make clean" and make demo's build do not collide.
build_lock() {
    mkdir -p "$CM_ROOT/.costmodel"
    exec 7>"$CM_ROOT/.costmodel/build.lock"
    flock -n 7 || { cm_say "waiting for another build in this checkout"; flock -w 1800 7; } \
        || cm_die "gave up waiting for .costmodel/build.lock"
}

# Release the build lock.
build_unlock() { exec 7>&-; }
