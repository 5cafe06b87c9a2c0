#!/usr/bin/env bash
# bench/run.sh: the benchmarks (make bench).  Each case times a costmodel
# path and a baseline on the same data in the same run, on a throwaway
# cluster of its own, and prints their ratio.  Results are appended to
# bench/results/<UTC time>.txt and copied to bench/results/latest.txt.
#
#   make bench                         every case
#   BENCH_CASES="trace_responses" make bench   some cases
#   BENCH_SCALE=0.1 make bench         smaller inputs (quick look; not the targets)
#
# Cases are bench/cases/NAME.sh; each is sourced with the cluster running and
# these set: PGHOST PGPORT PGUSER PGDATABASE, BENCH_WORK (scratch dir),
# BENCH_SCALE, LOAD and GEN (the binaries), and the helpers below.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/cluster.sh"
cd "$CM_ROOT"

BENCH_SCALE=${BENCH_SCALE:-1}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=bench/results/$STAMP.txt
TMP_BASE=

# Stop the bench cluster and remove its scratch space.
bench_teardown() {
    [[ -n $TMP_BASE ]] || return 0
    cluster_stop immediate || true
    cluster_remove_sockdir
    rm -rf "$TMP_BASE"
    TMP_BASE=
}
trap bench_teardown EXIT

# Print a result line and keep it in the results file.
report() { printf '%s\n' "$*" | tee -a "$RESULTS"; }

# Scale a count by BENCH_SCALE (at least 1000).
scaled() { awk -v n="$1" -v s="$BENCH_SCALE" 'BEGIN { v = int(n * s); print (v < 1000 ? 1000 : v) }'; }

# Run SQL quietly in the bench database.
bsql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

# Seconds one SQL statement takes, best of $BENCH_REPEAT runs; $2 runs before each.
time_sql() {
    local stmt=$1 prep=${2:-} best= t0 el i
    for ((i = 0; i < ${BENCH_REPEAT:-3}; i++)); do
        [[ -n $prep ]] && bsql -c "$prep" >/dev/null
        t0=$(cm_now)
        bsql -c "$stmt" >/dev/null
        el=$(cm_since "$t0")
        best=$(awk -v a="$best" -v b="$el" 'BEGIN { print (a == "" || b < a) ? b : a }')
    done
    echo "$best"
}

# Seconds a shell command takes, best of $BENCH_REPEAT runs; $1 runs before each.
time_cmd() {
    local prep=$1 best= t0 el i
    shift
    for ((i = 0; i < ${BENCH_REPEAT:-3}; i++)); do
        [[ -n $prep ]] && eval "$prep" >/dev/null
        t0=$(cm_now)
        "$@" >/dev/null
        el=$(cm_since "$t0")
        best=$(awk -v a="$best" -v b="$el" 'BEGIN { print (a == "" || b < a) ? b : a }')
    done
    echo "$best"
}

# a / b with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

mkdir -p bench/results
bash scripts/deps.sh
cm_pg_config
cm_runas_init
make -s >/dev/null
TMP_BASE=$(mktemp -d /tmp/cm-bench-XXXXXX)
chmod 755 "$TMP_BASE"
cluster_use "$TMP_BASE/pg"
cluster_install >/dev/null
cluster_init throwaway >/dev/null
cluster_start >/dev/null
export PGHOST=$(cluster_sockdir) PGPORT=$(cluster_port) PGUSER=postgres PGDATABASE=bench
BENCH_WORK=$TMP_BASE/work
mkdir -p "$BENCH_WORK"
chmod 755 "$BENCH_WORK"
LOAD=$CM_ROOT/costmodel-load
GEN=$CM_ROOT/costmodel-gen
createdb bench
bsql -c "CREATE EXTENSION costmodel"

report "# costmodel bench $STAMP on $(hostname): $(nproc) cores, PostgreSQL $("$PG_CONFIG" --version | awk '{print $2}'), scale $BENCH_SCALE"
report "# every ratio compares two timings taken in this run; best of ${BENCH_REPEAT:-3} runs each"
cases=${BENCH_CASES:-$(ls bench/cases/*.sh | xargs -n1 basename | sed 's/\.sh$//' | tr '\n' ' ')}
for c in $cases; do
    report ""
    report "## $c"
    # shellcheck source=/dev/null
    source "bench/cases/$c.sh"
done
cp "$RESULTS" bench/results/latest.txt
echo
echo "results: $RESULTS"
