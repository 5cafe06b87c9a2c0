#!/usr/bin/env bash
# scripts/demo.sh: the main job end to end on the demo cluster (make demo).
#
#   packages -> build -> private install + demo cluster under .costmodel/
#   (kept between runs, started when not running) -> database costmodel with
#   the extension -> 100,000 generated traces (made once) -> costmodel-load
#   -> CALL costmodel.refresh_marts() and schedule_refresh (pg_cron) -> the
#   executive dashboard from the marts alone (scripts/demo_dashboard.sql) ->
#   connection string.
#
# Safe to run again: the cluster, database and data file are reused, and the
# loader skips traces it already has.
#
# COSTMODEL_RESET=1 drops and recreates the extension (DROP EXTENSION costmodel
# CASCADE, which also drops the loaded data; the traces are then loaded again).
# Use it after the extension's SQL script changed without a version bump.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

cd "$CM_ROOT"
DATA_DIR=.costmodel/data
TRACES=$DATA_DIR/traces.ndjson
REJECTS=$DATA_DIR/traces.rejects
EXT_STAMP=.costmodel/extension.sha1

# Run psql of the private install on the demo cluster, database $1.
demo_psql() {
    local db=$1
    shift
    "$CL_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$(cluster_conninfo "$db")" "$@"
}

# Print a hash of the extension's control file and SQL scripts.
extension_hash() {
    cat costmodel.control costmodel--*.sql | sha1sum | cut -c1-40
}

# Create database costmodel and the extension (recreate it when COSTMODEL_RESET=1).
setup_database() {
    if [[ -z $(demo_psql postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'costmodel'") ]]; then
        cm_say "createdb costmodel"
        "$CL_BIN/createdb" -h "$(cluster_sockdir)" -p "$(cluster_port)" -U postgres costmodel
    fi
    local installed wanted
    installed=$(demo_psql costmodel -Atc "SELECT extversion FROM pg_extension WHERE extname = 'costmodel'")
    wanted=$(sed -n -E "s/^default_version *= *'([^']*)'.*/\\1/p" costmodel.control)
    if [[ ${COSTMODEL_RESET:-} == 1 && -n $installed ]]; then
        cm_say "COSTMODEL_RESET=1: DROP EXTENSION costmodel CASCADE (loaded data goes too)"
        demo_psql costmodel -c "DROP EXTENSION costmodel CASCADE"
        installed=
    fi
    if [[ -z $installed ]]; then
        cm_say "CREATE EXTENSION costmodel"
        demo_psql costmodel -c "CREATE EXTENSION IF NOT EXISTS costmodel"
        extension_hash > "$EXT_STAMP"
    elif [[ $installed != "$wanted" ]]; then
        cm_say "ALTER EXTENSION costmodel UPDATE ($installed -> $wanted)"
        demo_psql costmodel -c "ALTER EXTENSION costmodel UPDATE" \
            || cm_die "could not update the extension; COSTMODEL_RESET=1 make demo recreates it (and reloads the data)"
        extension_hash > "$EXT_STAMP"
    elif [[ -f $EXT_STAMP && $(extension_hash) != "$(cat "$EXT_STAMP")" ]]; then
        cm_warn "the extension's SQL script changed since the extension was created in this cluster;"
        cm_warn "the demo keeps the old objects.  COSTMODEL_RESET=1 make demo recreates them (and reloads the data)."
    fi
}

# Generate the traces file once (written to a temp name, then renamed).
generate_traces() {
    mkdir -p "$DATA_DIR"
    [[ -s $TRACES ]] && return 0
    cm_say "generating 100,000 traces into $TRACES"
    ./costmodel-gen traces --count 100000 --seed 42 --output "$TRACES.tmp"
    mv -f "$TRACES.tmp" "$TRACES"
}

# Load the traces; exit code 3 (finished with rejects) is not a failure.
load_traces() {
    local conninfo rc=0
    conninfo=$(cluster_conninfo costmodel)
    cm_say "loading $TRACES"
    ./costmodel-load -d "$conninfo" traces --reject-file "$REJECTS" "$TRACES" || rc=$?
    case $rc in
    0) ;;
    3) cm_say "finished with rejected lines: see $REJECTS" ;;
    *) cm_die "costmodel-load failed (exit $rc)" ;;
    esac
}

# Generate the experience, cases and claims CSVs once (20,000 members, 90 days).
generate_sources() {
    local kind
    for kind in experience cases claims; do
        [[ -d $DATA_DIR/$kind ]] && continue
        cm_say "generating $kind CSVs into $DATA_DIR/$kind"
        ./costmodel-gen "$kind" --members 20000 --days 90 --seed 42 --output-dir "$DATA_DIR/$kind.tmp"
        mv -f "$DATA_DIR/$kind.tmp" "$DATA_DIR/$kind"
    done
}

# Load one CSV file into a source table; exit code 3 (rejects) is not a failure.
load_csv() {
    local source=$1 file=$2 rc=0
    ./costmodel-load -q -d "$(cluster_conninfo costmodel)" csv --source "$source" "$file" || rc=$?
    case $rc in
    0 | 3) ;;
    *) cm_die "costmodel-load csv --source $source $file failed (exit $rc)" ;;
    esac
}

# Load every generated source in dependency order (a reload adds nothing).
load_sources() {
    local t f
    cm_say "loading the experience, cases and claims CSVs"
    for t in members calls digital_interactions surveys pharmacy_fills enrollments claims; do
        load_csv "$t" "$DATA_DIR/experience/$t.csv"
    done
    for t in advocates cases case_events case_interactions case_feedback; do
        load_csv "$t" "$DATA_DIR/cases/$t.csv"
    done
    for f in "$DATA_DIR"/claims/billing_*; do
        load_csv claims "$f"
    done
}

# Refresh every mart, then have pg_cron refresh them every 15 minutes.  pg_cron
# keeps its jobs in database postgres (cron.database_name); schedule_refresh
# reaches it from the costmodel database.
refresh_and_schedule() {
    cm_say "CALL costmodel.refresh_marts()"
    demo_psql costmodel -c "SET client_min_messages = warning" -c "CALL costmodel.refresh_marts()" || true
    local failed
    failed=$(demo_psql costmodel -Atc "SELECT string_agg(mart_name || ': ' || error, '; ') FROM costmodel.refresh_log
                                       WHERE run_id = (SELECT max(run_id) FROM costmodel.refresh_log) AND status <> 'ok'")
    [[ -z $failed ]] || cm_die "refresh_marts failed for: $failed"
    demo_psql postgres -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS pg_cron"
    cm_say "SELECT costmodel.schedule_refresh(): pg_cron job $(demo_psql costmodel -Atc "SELECT costmodel.schedule_refresh()"), every 15 minutes"
}

main() {
    demo_lock
    bash scripts/deps.sh
    cm_pg_config
    cm_say "build: make -s"
    build_lock
    make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
    build_unlock
    demo_use need-install
    demo_start
    setup_database
    generate_traces
    load_traces
    generate_sources
    load_sources
    refresh_and_schedule
    demo_psql costmodel -f scripts/demo_dashboard.sql

    local conninfo
    conninfo=$(cat .costmodel/conninfo)
    echo
    echo "Demo database: $conninfo"
    echo "  make psql    psql on it   (or: psql \"$conninfo\")"
    echo "  make stop    stop the demo cluster (data stays in .costmodel/; make demo starts it again)"
}

main "$@"
