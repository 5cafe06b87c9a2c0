#!/usr/bin/env bash
# test/run_suites.sh: run the test suites test/*_test.sh against a running cluster.
#
#   bash test/run_suites.sh [NAME_test.sh ...]    (default: every test/*_test.sh)
#
# scripts/check.sh (make check) runs this with the environment set for its
# throwaway cluster:
#   PGHOST PGPORT PGUSER=postgres PGDATABASE=postgres   the cluster
#   COSTMODEL_ROOT          the checkout
#   COSTMODEL_LOAD          ./costmodel-load    COSTMODEL_GEN  ./costmodel-gen
#   COSTMODEL_PGBIN         private bin dir (psql, createdb, pg_ctl...; also first in PATH)
#   COSTMODEL_DATADIR       data directory      COSTMODEL_RUNAS  OS user of the server
#   COSTMODEL_SERVER_LOG    server log
#   COSTMODEL_PGCTL         scripts/pgctl-check.sh: "$COSTMODEL_PGCTL restart" etc.
#
# Each suite is an executable file; it makes its own database(s) (createdb)
# and prints TAP-like lines "ok - what" / "not ok - what".  A suite that exits
# non-zero without any "not ok" line counts as one failure, and so does a
# suite that prints no result at all.  Each suite's output goes to
# test/out/NAME.log; the logs of failing suites are shown.  The totals go to
# $COSTMODEL_SUITES_RESULT ("PASSED FAILED") when that is set.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

# Print an error and exit 2.
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# Count lines of file $2 that match extended regex $1.
count() { grep -cE "$1" "$2" || true; }

[[ -n ${PGHOST:-} && -n ${PGPORT:-} ]] \
    || die "PGHOST/PGPORT are not set: run the suites through 'make check' (scripts/check.sh)"
export PATH=${COSTMODEL_PGBIN:+$COSTMODEL_PGBIN:}$PATH
export COSTMODEL_ROOT=${COSTMODEL_ROOT:-$root}

timeout_s=${COSTMODEL_SUITE_TIMEOUT:-900}
mkdir -p test/out

# The suites to run: arguments, or every test/*_test.sh in sorted order.
suites=()
if [[ $# -gt 0 ]]; then
    for s in "$@"; do suites+=("test/${s##*/}"); done
else
    shopt -s nullglob
    for s in test/*_test.sh; do
        if [[ -x $s ]]; then
            suites+=("$s")
        else
            echo "warning: $s is not executable (chmod +x, and git add it again): skipped" >&2
        fi
    done
    shopt -u nullglob
fi

# On INT/TERM, stop the running suite (timeout passes the signal on) and quit.
current=
trap '[[ -n $current ]] && kill -TERM "$current" 2>/dev/null; exit 130' INT
trap '[[ -n $current ]] && kill -TERM "$current" 2>/dev/null; exit 143' TERM

total_ok=0
total_bad=0
if [[ ${#suites[@]} -eq 0 ]]; then
    echo "==> suites: none (no executable test/*_test.sh)"
fi

for s in "${suites[@]}"; do
    name=$(basename "$s" .sh)
    log=test/out/$name.log
    [[ -x $s ]] || die "$s is not an executable file"
    start=$(date +%s)
    rc=0
    # In the background, so that a signal interrupts the wait at once.
    timeout --kill-after=10 "$timeout_s" "$s" </dev/null >"$log" 2>&1 &
    current=$!
    wait "$current" || rc=$?
    current=
    secs=$(( $(date +%s) - start ))
    ok=$(count '^ok([[:space:]]|$)' "$log")
    bad=$(count '^not ok([[:space:]]|$)' "$log")
    note=
    if [[ $rc -ne 0 && $bad -eq 0 ]]; then
        bad=1
        if [[ $rc -eq 124 || $rc -eq 137 ]]; then
            note=" (timed out after ${timeout_s}s)"
        else
            note=" (exited with $rc without a 'not ok' line)"
        fi
    elif [[ $rc -eq 0 && $ok -eq 0 && $bad -eq 0 ]]; then
        bad=1
        note=" (printed no 'ok' / 'not ok' line)"
    elif [[ $rc -ne 0 ]]; then
        note=" (exit $rc)"
    fi
    total_ok=$((total_ok + ok))
    total_bad=$((total_bad + bad))
    if [[ $bad -eq 0 ]]; then
        echo "==> suite $name: $ok ok (${secs}s)"
    else
        echo "FAILED: suite $name: $ok ok, $bad not ok$note (${secs}s); log $log:"
        if [[ $(wc -l <"$log") -le 400 ]]; then
            sed 's/^/    | /' "$log"
        else
            head -n 300 "$log" | sed 's/^/    | /'
            echo "    | ... (log truncated; the 'not ok' lines follow)"
            grep -E '^not ok([[:space:]]|$)' "$log" | sed 's/^/    | /' || true
        fi
    fi
done

echo "==> suites: $total_ok ok, $total_bad not ok"
if [[ -n ${COSTMODEL_SUITES_RESULT:-} ]]; then
    echo "$total_ok $total_bad" > "$COSTMODEL_SUITES_RESULT"
fi
[[ $total_bad -eq 0 ]]
