#!/usr/bin/env bash
# scripts/check.sh: every test of costmodel on a throwaway cluster (make check).
#
#   1. packages (scripts/deps.sh)
#   2. build with COPT=-Werror, so any compiler warning fails the check
#   3. a private install tree and a throwaway cluster (fsync off, pg_cron
#      preloaded) in a temp dir, as the right OS user
#   4. the pg_regress tests listed in the Makefile's REGRESS
#   5. the suites test/*_test.sh (test/run_suites.sh)
#   6. one summary line "N passed, M failed"
# The cluster is stopped and the temp dirs are removed on every exit.  Exits
# non-zero on any failure, or when no test ran.  Outputs: test/out/.
#
# Environment knobs: PG_MAJOR / PG_CONFIG (which PostgreSQL), CM_PORT_BASE
# (first port probed, default 54321), COSTMODEL_SUITE_TIMEOUT (seconds per
# suite, default 900), COSTMODEL_KEEP=1 (keep the temp dir for debugging).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

cd "$CM_ROOT"

PASSED=0
FAILED=0
TMP_BASE=
CHILD_PID=
STEP=setup
SUMMARY_DONE=0

# Stop the throwaway cluster, keep its log in test/out/server.log, and
# remove the temp dirs (kept with COSTMODEL_KEEP=1).  Safe to call twice.
teardown() {
    [[ -n $TMP_BASE ]] || return 0
    local t0
    t0=$(cm_now)
    if [[ -n $CHILD_PID ]]; then
        # Interrupted: stop the running test step before the cluster.
        kill -TERM "$CHILD_PID" 2>/dev/null || true
        wait "$CHILD_PID" 2>/dev/null || true
        CHILD_PID=
    fi
    cluster_stop immediate || true
    cluster_remove_sockdir
    local stopped
    stopped=$(cm_since "$t0")
    mkdir -p test/out
    [[ -s ${CL_LOG:-} ]] && cp "$CL_LOG" test/out/server.log
    if [[ ${COSTMODEL_KEEP:-} == 1 ]]; then
        echo "kept $TMP_BASE (COSTMODEL_KEEP=1)"
    else
        rm -rf "$TMP_BASE"
    fi
    TMP_BASE=
    echo "(throwaway cluster stopped in $stopped s, removed in $(cm_since "$t0") s)"
}

# shellcheck disable=SC2317  # (runs from the EXIT trap)
# EXIT trap: tear down whatever is still there.  After an unexpected exit
# (a setup step died, or a signal), still print the summary, counting one
# failure for the step that did not finish.
cleanup() {
    local rc=$?
    set +e
    teardown
    if [[ $SUMMARY_DONE -eq 0 ]]; then
        echo "FAILED: make check stopped early (exit $rc, during: $STEP)"
        echo
        echo "$PASSED passed, $((FAILED + 1)) failed"
        [[ $rc -ne 0 ]] || rc=1
    fi
    exit "$rc"
}

# Tear down, print the summary line last, and exit with the right status.
finish() {
    if [[ $FAILED -gt 0 && -n $TMP_BASE && -s ${CL_LOG:-} ]]; then
        echo "--- server log (last 40 lines; all of it in test/out/server.log) ---"
        tail -n 40 "$CL_LOG"
    fi
    teardown
    [[ $PASSED -gt 0 || $FAILED -gt 0 ]] || echo "error: no tests ran"
    echo
    echo "$PASSED passed, $FAILED failed"
    SUMMARY_DONE=1
    [[ $FAILED -eq 0 && $PASSED -gt 0 ]] && exit 0
    exit 1
}

# Run a command in the background and wait for it, so that INT/TERM are
# handled at once (bash defers traps while a foreground child runs).
run_child() {
    local rc=0
    "$@" &
    CHILD_PID=$!
    wait "$CHILD_PID" || rc=$?
    CHILD_PID=
    return "$rc"
}

# Print the REGRESS test names, as the Makefile (and its mk/*.mk fragments)
# define them, one per line.
regress_tests() {
    make -s --no-print-directory print-regress | tr ' ' '\n' | sed '/^$/d'
}

# Build everything with -Werror.  When anything was built without -Werror
# since the last warning-free build (e.g. by a plain "make"), start from
# "make clean", so that warnings in those objects cannot hide.
build() {
    local stamp=$CM_ROOT/.costmodel/werror.stamp
    mkdir -p "$CM_ROOT/.costmodel"
    build_lock
    if [[ ! -e $stamp ]] || [[ -n $(find . -path ./.costmodel -prune -o -path ./.git -prune -o \
            \( -name '*.o' -o -name '*.so' -o -name costmodel-load -o -name costmodel-gen \) \
            -newer "$stamp" -print -quit) ]]; then
        make -s clean PG_CONFIG="$PG_CONFIG" >/dev/null
    fi
    local t0
    t0=$(cm_now)
    cm_say "build: make -s COPT=-Werror"
    if ! make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" COPT=-Werror; then
        echo "FAILED: build (make COPT=-Werror): see the compiler messages above"
        FAILED=$((FAILED + 1))
        finish
    fi
    touch "$stamp"
    build_unlock
    local f
    for f in costmodel.so costmodel-load costmodel-gen; do
        [[ -e $f ]] || { echo "FAILED: build did not produce $f"; FAILED=$((FAILED + 1)); finish; }
    done
    echo "    built in $(cm_since "$t0") s"
}

# Create the private install tree and start the throwaway cluster.
start_cluster() {
    local t0
    t0=$(cm_now)
    TMP_BASE=$(mktemp -d /tmp/cm-check-XXXXXX)
    chmod 755 "$TMP_BASE"
    cluster_use "$TMP_BASE"
    cluster_install
    cluster_init throwaway
    cluster_start
    cm_say "throwaway cluster: $(cluster_conninfo postgres) (server user $CM_RUNAS, ready in $(cm_since "$t0") s)"
}

# Run the pg_regress tests from REGRESS and count each as passed or failed.
run_regress() {
    local -a tests
    mapfile -t tests < <(regress_tests)
    if [[ ${#tests[@]} -eq 0 ]]; then
        cm_say "pg_regress: no tests in REGRESS"
        return 0
    fi
    local out=test/out/regress
    rm -rf "$out"
    mkdir -p "$out"
    local pg_regress
    pg_regress=$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/regress/pg_regress
    cm_say "pg_regress: ${tests[*]}"
    local rc=0
    run_child "$pg_regress" --inputdir=. --outputdir="$out" --bindir="$CL_BIN" \
        --host="$(cluster_sockdir)" --port="$(cluster_port)" --user=postgres \
        --dbname=costmodel_regress --load-extension=costmodel \
        "${tests[@]}" > "$out/pg_regress.log" 2>&1 8>&- || rc=$?
    cat "$out/pg_regress.log"

    # "test NAME ... ok" (PostgreSQL 15) or "ok 1 - NAME" / "not ok 1 - NAME" (16+).
    local results
    results=$(awk '
        /^(test +| +)[^ ]+ +\.\.\. / { st = $0; sub(/.*\.\.\. +/, "", st); split(st, w, " ")
                                       if (w[1] != "ok" && tolower(w[1]) != "failed") w[1] = "error"
                                       print $((($1 == "test") ? 2 : 1)), w[1]; next }
        /^ok +[0-9]+ +[-+] /         { print $4, "ok"; next }
        /^not ok +[0-9]+ +[-+] /     { print $5, "FAILED" }
    ' "$out/pg_regress.log")
    local t st bad=0
    for t in "${tests[@]}"; do
        st=$(awk -v t="$t" '$1 == t { print $2; exit }' <<<"$results")
        if [[ $st == ok ]]; then
            PASSED=$((PASSED + 1))
        else
            FAILED=$((FAILED + 1))
            bad=$((bad + 1))
            if [[ -n $st ]]; then
                echo "FAILED: pg_regress test $t ($st)"
            else
                echo "FAILED: pg_regress test $t (no result; pg_regress exited with $rc)"
            fi
        fi
    done
    if [[ $bad -gt 0 || $rc -ne 0 ]]; then
        if [[ -s $out/regression.diffs ]]; then
            echo "--- $out/regression.diffs (first 200 lines) ---"
            head -n 200 "$out/regression.diffs"
            echo "--- end of diffs ---"
        fi
        if [[ $bad -eq 0 ]]; then
            echo "FAILED: pg_regress exited with $rc"
            FAILED=$((FAILED + 1))
        fi
    fi
}

# Run test/run_suites.sh against the throwaway cluster and add its counts.
run_suites() {
    local result
    result=$(mktemp "$TMP_BASE/suites.XXXXXX")
    PGHOST=$(cluster_sockdir) PGPORT=$(cluster_port) PGUSER=postgres PGDATABASE=postgres \
    COSTMODEL_ROOT=$CM_ROOT \
    COSTMODEL_LOAD=$CM_ROOT/costmodel-load COSTMODEL_GEN=$CM_ROOT/costmodel-gen \
    COSTMODEL_PGBIN=$CL_BIN COSTMODEL_DATADIR=$CL_DATA COSTMODEL_RUNAS=$CM_RUNAS \
    COSTMODEL_SERVER_LOG=$CL_LOG COSTMODEL_PGCTL=$CM_ROOT/scripts/pgctl-check.sh \
    COSTMODEL_SUITES_RESULT=$result \
        run_child bash test/run_suites.sh 8>&- || true
    local p f
    read -r p f < "$result" || { p=0; f=1; echo "FAILED: test/run_suites.sh reported nothing"; }
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
}

main() {
    # One check at a time per checkout: they share the build and test/out/.
    mkdir -p .costmodel
    exec 8>.costmodel/check.lock
    flock -n 8 || { cm_say "waiting for another make check in this checkout"; flock -w 1800 8 || cm_die "gave up waiting"; }

    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    STEP=packages
    bash scripts/deps.sh
    cm_pg_config
    cm_runas_init
    unset PGSERVICE PGSERVICEFILE PGHOSTADDR PGPASSWORD PGOPTIONS PGDATABASE PGUSER PGHOST PGPORT

    STEP=build
    build
    STEP="cluster start"
    start_cluster
    rm -rf test/out
    mkdir -p test/out
    STEP=pg_regress
    run_regress
    STEP="test suites"
    run_suites
    STEP=summary
    finish
}

main "$@"
