#!/usr/bin/env bash
# scripts/pgctl-check.sh: stop/start/restart the throwaway cluster of make check
# from inside a test suite, as the OS user that owns it.
#
#   "$COSTMODEL_PGCTL" restart [-m fast|immediate]
#   "$COSTMODEL_PGCTL" stop [-m fast|immediate]
#   "$COSTMODEL_PGCTL" start
#   "$COSTMODEL_PGCTL" status
#
# Uses COSTMODEL_PGBIN, COSTMODEL_DATADIR, COSTMODEL_RUNAS and
# COSTMODEL_SERVER_LOG, which test/run_suites.sh gets from scripts/check.sh.
# Port and socket directory stay the same (they are in the data directory).
set -euo pipefail

# Print an error and exit 2.
die() { printf 'pgctl-check: %s\n' "$*" >&2; exit 2; }

for v in COSTMODEL_PGBIN COSTMODEL_DATADIR COSTMODEL_RUNAS COSTMODEL_SERVER_LOG; do
    [[ -n ${!v:-} ]] || die "$v is not set (run from a suite under make check)"
done

# Run pg_ctl as the server's OS user, from / (the checkout may be closed to it).
pg_ctl_as_server() {
    if [[ $(id -un) == "$COSTMODEL_RUNAS" ]]; then
        (cd / && "$COSTMODEL_PGBIN/pg_ctl" "$@")
    elif [[ $(id -u) -eq 0 ]]; then
        (cd / && runuser -u "$COSTMODEL_RUNAS" -- "$COSTMODEL_PGBIN/pg_ctl" "$@")
    else
        die "the server runs as $COSTMODEL_RUNAS; cannot control it as $(id -un)"
    fi
}

cmd=${1:-}
[[ $# -gt 0 ]] && shift
case $cmd in
start|restart)
    pg_ctl_as_server "$cmd" -D "$COSTMODEL_DATADIR" -l "$COSTMODEL_SERVER_LOG" -w -t 60 -s "$@" ;;
stop)
    pg_ctl_as_server stop -D "$COSTMODEL_DATADIR" -w -t 60 -s "$@" ;;
status)
    pg_ctl_as_server status -D "$COSTMODEL_DATADIR" "$@" ;;
*)
    die "usage: $0 start|stop|restart|status [pg_ctl options]" ;;
esac
