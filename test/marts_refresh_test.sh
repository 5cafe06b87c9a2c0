#!/usr/bin/env bash
#
# marts_refresh_test.sh
#    refresh_marts and schedule_refresh against the real server of make check:
#      1. pg_cron for real: schedule_refresh in a database other than
#         pg_cron's (cron.database_name = postgres), picked up by the pg_cron
#         launcher within 75 s, succeeded in cron.job_run_details, every mart
#         logged ok in refresh_log by the job's backend; idempotent
#         schedule/unschedule; the errors when pg_cron is not created in its
#         database, and when it is not loaded at all (server restarted
#         without it)
#      2. readers are never blocked: a reader with lock_timeout = 100ms
#         queries every mart while a concurrent refresh holds its lock
#      3. two overlapping refresh_marts: the second returns at once, logged
#         as skipped with the holder's pid; the first completes
#
# Needs PGHOST/PGPORT/PGUSER of a running server with pg_cron preloaded
# (make check), COSTMODEL_GEN, COSTMODEL_LOAD, and COSTMODEL_PGCTL for the
# restart case.  Makes databases cm_refresh_$$_* and drops them.
set -uo pipefail

GEN=${COSTMODEL_GEN:-./costmodel-gen}
LOAD=${COSTMODEL_LOAD:-./costmodel-load}
PGCTL=${COSTMODEL_PGCTL:-}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/marts_refresh_test.XXXXXX")
PREFIX=cm_refresh_$$
DB=${PREFIX}_main
CRON_DB=postgres
failed=0
pids=()

# Stop background sessions, restore pg_cron, drop our databases and files.
cleanup() {
	local p db
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	if [ -n "$PGCTL" ] && ! psql -qXAt -d postgres -c "SELECT 1" >/dev/null 2>&1; then
		"$PGCTL" start >/dev/null 2>&1
	fi
	psql -qXAt -d "$CRON_DB" -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname LIKE 'costmodel_refresh_marts:${PREFIX}%'" >/dev/null 2>&1
	for db in $(psql -qXAt -d postgres -c \
		"SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}\\_%'" 2>/dev/null); do
		dropdb --if-exists --force "$db" >/dev/null 2>&1
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# Print one check's outcome; $1 is 0 for success.
report() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		failed=1
	fi
}

# Run one query in database $1; print the unaligned result.
q() {
	psql -qXAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# Report "$2" as ok when "$1" equals "$3" (shows both otherwise).
expect() {
	if [ "$1" == "$3" ]; then
		report 0 "$2"
	else
		report 1 "$2 (got '$1', want '$3')"
	fi
}

# Report "$2" as ok when the error output of query $3 in db $1 contains $4.
expect_error() {
	local out
	out=$(psql -qXAt -v ON_ERROR_STOP=1 -d "$1" -c "$3" 2>&1)
	if [ $? -ne 0 ] && grep -qF -- "$4" <<<"$out"; then
		report 0 "$2"
	else
		report 1 "$2 (output: $out)"
	fi
}

# Run costmodel-load "$@"; true when it loaded (exit 0, or 3: some lines rejected).
load_ok() {
	"$LOAD" -q "$@" >/dev/null
	local rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ]
}

# Load a small data set of every source into database $1.
load_everything() {
	local db=$1 conn t f
	conn="dbname=$db"
	"$GEN" traces --count 3000 --seed 7 --output "$WORK/traces.ndjson" || return 1
	load_ok -d "$conn" traces "$WORK/traces.ndjson" || return 1
	for kind in experience cases claims; do
		"$GEN" "$kind" --members 2000 --days 30 --seed 7 --output-dir "$WORK/$kind" >/dev/null || return 1
	done
	for t in members calls digital_interactions surveys pharmacy_fills enrollments claims; do
		load_ok -d "$conn" csv --source "$t" "$WORK/experience/$t.csv" || return 1
	done
	for t in advocates cases case_events case_interactions case_feedback; do
		load_ok -d "$conn" csv --source "$t" "$WORK/cases/$t.csv" || return 1
	done
	for f in "$WORK"/claims/billing_*; do
		load_ok -d "$conn" csv --source claims "$f" || return 1
	done
}

createdb "$DB" && q "$DB" "CREATE EXTENSION costmodel" >/dev/null
load_everything "$DB"
report $? "loaded traces, experience, cases and claims into $DB"
marts=$(q "$DB" "SELECT count(*) FROM costmodel.mart")
[ "$marts" -gt 0 ] 2>/dev/null
report $? "the extension registers its marts ($marts)"

# ---- 1. pg_cron ------------------------------------------------------------
expect "$(q postgres "SHOW cron.database_name")" "pg_cron keeps its jobs in database postgres, not in $DB" "$CRON_DB"
q "$CRON_DB" "DROP EXTENSION IF EXISTS pg_cron" >/dev/null
expect_error "$DB" "schedule_refresh says to create pg_cron in its database when it is not there" \
	"SELECT costmodel.schedule_refresh()" "CREATE EXTENSION pg_cron was run in database \"$CRON_DB\""
q "$CRON_DB" "CREATE EXTENSION pg_cron" >/dev/null
report $? "CREATE EXTENSION pg_cron in $CRON_DB"
expect_error "$DB" "schedule_refresh refuses an empty schedule" \
	"SELECT costmodel.schedule_refresh(' ')" "schedule must not be empty"

t_scheduled=$(date +%s)
job1=$(q "$DB" "SELECT costmodel.schedule_refresh('*/5 * * * *')")
job2=$(q "$DB" "SELECT costmodel.schedule_refresh('* * * * *')")
expect "$(q "$CRON_DB" "SELECT count(*) || ' ' || min(schedule) || ' ' || min(database) || ' ' || min(command)
                        FROM cron.job WHERE jobname = 'costmodel_refresh_marts:$DB'")" \
	"schedule_refresh twice leaves one job, with the newer schedule, in $DB" \
	"1 * * * * * $DB CALL costmodel.refresh_marts()"
expect "$(q "$CRON_DB" "SELECT count(*) FROM cron.job WHERE jobid = $job2")" "schedule_refresh returns the job id" "1"

# Wait for the launcher (a minute boundary) and the run to finish: at most 75 s.
status=
while [ $(( $(date +%s) - t_scheduled )) -le 75 ]; do
	status=$(q "$CRON_DB" "SELECT status FROM cron.job_run_details WHERE jobid = $job2
	                       AND status IN ('succeeded', 'failed') ORDER BY runid LIMIT 1")
	[ -n "$status" ] && break
	sleep 1
done
waited=$(( $(date +%s) - t_scheduled ))
expect "$status" "pg_cron ran the scheduled refresh within 75 s (after ${waited} s)" "succeeded"
q "$DB" "SELECT costmodel.unschedule_refresh()" >/dev/null
cron_pid=$(q "$CRON_DB" "SELECT job_pid FROM cron.job_run_details WHERE jobid = $job2 ORDER BY runid LIMIT 1")
expect "$(q "$DB" "SELECT count(*) FILTER (WHERE status = 'ok') || '/' || count(*)
                   FROM costmodel.refresh_log WHERE backend_pid = ${cron_pid:-0}")" \
	"refresh_log has one ok row per mart (and dims) from the pg_cron job's backend" "$((marts + 1))/$((marts + 1))"
expect "$(q "$DB" "SELECT count(*) FROM costmodel.mart m JOIN pg_class c ON c.relname = m.matview_name
                   AND c.relnamespace = 'costmodel'::regnamespace WHERE NOT c.relispopulated")" \
	"after the pg_cron run every mart is populated" "0"
expect "$(q "$DB" "SELECT costmodel.unschedule_refresh()")" "unschedule_refresh is idempotent (false the second time)" "f"
expect "$(q "$CRON_DB" "SELECT count(*) FROM cron.job WHERE jobname = 'costmodel_refresh_marts:$DB'")" \
	"no job is left after unschedule_refresh" "0"

# Same-database pg_cron: schedule from the database that holds pg_cron.
createdb "${PREFIX}_nocron" && q "${PREFIX}_nocron" "CREATE EXTENSION costmodel" >/dev/null
if [ -n "$PGCTL" ]; then
	"$PGCTL" restart -m fast -o "-c shared_preload_libraries=''" >/dev/null 2>&1
	expect_error "${PREFIX}_nocron" "without pg_cron loaded, schedule_refresh says how to install it" \
		"SELECT costmodel.schedule_refresh()" "apt-get install postgresql-"
	q "${PREFIX}_nocron" "CALL costmodel.refresh_marts()" >/dev/null
	expect "$(q "${PREFIX}_nocron" "SELECT count(DISTINCT status) || min(status) FROM costmodel.refresh_log")" \
		"without pg_cron, refresh_marts by hand still works" "1ok"
	"$PGCTL" restart -m fast -o "-c shared_preload_libraries=pg_cron" >/dev/null 2>&1
	expect "$(q postgres "SHOW shared_preload_libraries")" "the server is back with pg_cron" "pg_cron"
else
	echo "not ok - COSTMODEL_PGCTL is not set: cannot test a server without pg_cron"
	failed=1
fi

# ---- 2. readers are not blocked by a refresh --------------------------------
# A big mart-free table makes the refresh slow enough to overlap: hold the
# refresh inside a transaction that sleeps after refreshing every mart.
q "$DB" "CALL costmodel.refresh_marts()" >/dev/null
psql -qXAt -d "$DB" >"$WORK/holder.out" 2>&1 <<SQL &
SET client_min_messages = warning;
BEGIN;
CALL costmodel.refresh_marts();
SELECT 'refreshed';
SELECT pg_sleep(6);
COMMIT;
SQL
pids+=($!)
holder=$!
# Wait until the holder has refreshed everything (it then holds the locks).
for _ in $(seq 1 120); do
	grep -q refreshed "$WORK/holder.out" && break
	sleep 0.25
done
locked=$(q "$DB" "SELECT count(DISTINCT l.relation) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                  WHERE c.relkind = 'm' AND l.mode = 'ExclusiveLock' AND l.granted
                    AND l.pid <> pg_backend_pid()")
expect "$locked" "the refreshing transaction holds ExclusiveLock on every mart" "$marts"
reads_ok=0
for v in $(q "$DB" "SELECT view_name FROM costmodel.mart ORDER BY refresh_order"); do
	if psql -qXAt -v ON_ERROR_STOP=1 -d "$DB" -c "SET lock_timeout = '100ms'" -c "SELECT count(*) FROM $v" >/dev/null 2>"$WORK/reader.err"; then
		reads_ok=$((reads_ok + 1))
	else
		echo "# $v: $(cat "$WORK/reader.err")"
	fi
done
expect "$reads_ok" "a reader with lock_timeout = 100ms reads every mart during the concurrent refresh" "$marts"
wait "$holder"

# ---- 3. two overlapping refresh_marts ---------------------------------------
# The first run's session takes the run lock and keeps it 3 s before its
# refresh_marts starts (which then owns it), so that the second run
# certainly overlaps it.
psql -qXAt -d "$DB" >"$WORK/first.out" 2>&1 <<SQL &
SET client_min_messages = warning;
SELECT pg_advisory_lock(costmodel.refresh_lock_key());
SELECT pg_sleep(3);
CALL costmodel.refresh_marts();
SELECT 'first done', pg_sleep(0);
SQL
pids+=($!)
first=$!
# While the first holds the lock, a second run must return at once.
for _ in $(seq 1 80); do
	[ "$(q "$DB" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND pid <> pg_backend_pid()")" -ge 1 ] && break
	sleep 0.25
done
first_pid=$(q "$DB" "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND pid <> pg_backend_pid() LIMIT 1")
t0=$(date +%s%N)
second=$(psql -qXAt -d "$DB" -c "CALL costmodel.refresh_marts()" 2>&1)
t1=$(date +%s%N)
grep -q "skipped, another run holds the lock" <<<"$second"
report $? "a second refresh_marts while one runs says it is skipped"
[ $(( (t1 - t0) / 1000000 )) -lt 2000 ]
report $? "the second run returned at once ($(( (t1 - t0) / 1000000 )) ms)"
wait "$first"
grep -q "first done" "$WORK/first.out"
report $? "the first run completed"
expect "$(q "$DB" "SELECT count(*) || ' ' || bool_and(error LIKE '%pid ${first_pid:-?}%')
                   FROM costmodel.refresh_log WHERE status = 'skipped'")" \
	"the skipped run logged every mart as skipped, naming the holder's pid" "$marts true"
expect "$(q "$DB" "SELECT count(*) FROM costmodel.refresh_log
                   WHERE run_id = (SELECT max(run_id) FROM costmodel.refresh_log WHERE status <> 'skipped') AND status = 'ok'")" \
	"the first run refreshed every mart and dims" "$((marts + 1))"

exit $failed
