#!/usr/bin/env bash
#
# marts_advocacy_test.sh
#    The advocacy-operations marts against an independent plain-SQL
#    computation over the facts.  costmodel-gen cases writes about 20,000
#    cases over the 90 days up to today (so open cases are open at the
#    refresh), costmodel-load csv loads them, a few edits add what the
#    generator does not make (NULL urgency, a resolution known only from the
#    resolved event, a resolved case without any resolution time, unknown
#    missing documents, an advocate without cases), and refresh_marts
#    refreshes the marts.  Each mart is then compared with its reference,
#    written here from the source tables alone (correlated subqueries,
#    epoch arithmetic, percentile_cont, date_trunc; no mart, no costmodel
#    function, no C aggregate): every column, both ways (EXCEPT ALL empty
#    both ways for exact columns, money and counts exactly; double precision
#    rates within 1e-9).  Also: the per-case SLA and stale flags equal
#    sla_stats / stale_stats; as_of_at is the refresh time; a second refresh
#    is concurrent and equal; the typical dashboard query of each mart runs
#    in under 50 ms (EXPLAIN ANALYZE, best of 3); refresh timings.
#
# Needs: COSTMODEL_LOAD, COSTMODEL_GEN, PGHOST/PGPORT/PGUSER of a server
# where CREATE EXTENSION costmodel works, createdb/dropdb/psql.
# COSTMODEL_ADV_MEMBERS sets the member pool (default 112000: 20,160 cases).
set -u

LOAD=${COSTMODEL_LOAD:-./costmodel-load}
GEN=${COSTMODEL_GEN:-./costmodel-gen}
case $LOAD in /*) ;; *) LOAD=$PWD/$LOAD ;; esac
case $GEN in /*) ;; *) GEN=$PWD/$GEN ;; esac
MEMBERS=${COSTMODEL_ADV_MEMBERS:-112000}
DB=cm_marts_adv_test_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/marts_advocacy_test.XXXXXX")
export PGTZ=UTC
failed=0

# Drop the database and the work directory.
cleanup() {
	dropdb --if-exists "$DB" >/dev/null 2>&1
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

# Run SQL in the database; print the unaligned result.
q() {
	psql -qXAt -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}

for bin in "$LOAD" "$GEN"; do
	if [ ! -x "$bin" ]; then
		echo "not ok - binary $bin exists (set COSTMODEL_LOAD and COSTMODEL_GEN)"
		exit 1
	fi
done

createdb "$DB" && psql -qX -d "$DB" -c "CREATE EXTENSION costmodel" >/dev/null
report $? "created database $DB with the extension" || exit 1

# --- data: about 20,000 cases over the 90 days up to today (UTC) ------------------
START=$(date -u -d '-90 days' +%F)
"$GEN" cases --members "$MEMBERS" --seed 42 --start "$START" --days 90 --output-dir "$WORK/cases" >/dev/null
report $? "costmodel-gen cases --members $MEMBERS --start $START --days 90"
all_ok=0
for s in advocates cases case_events case_interactions case_feedback; do
	"$LOAD" -d "$DB" csv --source "$s" "$WORK/cases/$s.csv" >"$WORK/load_$s" 2>&1 || { echo "# load $s failed"; all_ok=1; }
done
report $all_ok "costmodel-load csv loaded the five advocacy files"
ncases=$(q "SELECT count(*) FROM costmodel.cases")
[ "$ncases" -ge 20000 ]
report $? "at least 20,000 cases loaded ($ncases)"

# What the generator does not make: NULL urgency; resolved cases whose
# resolved_at is missing (kept resolved events: the event time is used;
# events deleted as well: no resolution time at all); unknown missing
# documents (metadata NULL); an advocate without cases.
q "UPDATE costmodel.cases SET urgency = NULL WHERE case_id LIKE '%17'" >/dev/null &&
q "UPDATE costmodel.cases SET resolved_at = NULL WHERE status IN ('resolved', 'closed') AND case_id LIKE '%23'" >/dev/null &&
q "DELETE FROM costmodel.case_events WHERE event_type = 'resolved' AND case_id IN
     (SELECT case_id FROM costmodel.cases WHERE resolved_at IS NULL AND status IN ('resolved', 'closed') AND case_id LIKE '%523')" >/dev/null &&
q "UPDATE costmodel.cases SET metadata = NULL, missing_doc_count = NULL, missing_docs = NULL WHERE case_id LIKE '%31'" >/dev/null &&
q "INSERT INTO costmodel.advocates (advocate_id, name, team, capacity) VALUES ('ADV_IDLE', 'Idle Person', NULL, 12)" >/dev/null
report $? "edits: NULL urgency, missing resolved_at, no resolution time, NULL metadata, an idle advocate"
q "SELECT count(*) FILTER (WHERE urgency IS NULL) > 0 AND count(*) FILTER (WHERE status IN ('resolved', 'closed') AND resolved_at IS NULL) > 0
      AND count(*) FILTER (WHERE missing_doc_count IS NULL) > 0 AND count(*) FILTER (WHERE advocate_id IS NULL) > 0
      AND count(*) FILTER (WHERE status NOT IN ('resolved', 'closed')) > 1000
   FROM costmodel.cases" | grep -qx t
report $? "the data has NULL urgencies, resolved cases without resolved_at, unknown missing docs, unassigned and over 1,000 open cases"

# --- refresh ---------------------------------------------------------------------------
psql -qX -v ON_ERROR_STOP=1 -d "$DB" -c "CALL costmodel.refresh_marts()" >"$WORK/refresh" 2>&1
report $? "CALL costmodel.refresh_marts()"
q "SELECT count(*) FROM costmodel.refresh_log WHERE status <> 'ok'" | grep -qx 0
report $? "every mart refreshed with status ok"
echo "# refresh timings at $ncases cases (seconds, rows):"
q "SELECT mart_name || ' ' || duration_s || ' s, ' || rows || ' rows (' || refresh_mode || ')' FROM costmodel.refresh_log
    WHERE mart_name IN ('case_lifecycle', 'ops_kpis', 'advocate_caseload', 'bottlenecks', 'stale_cases')
    ORDER BY refresh_log_id" | sed 's/^/#   /'

# --- the reference, from the facts alone ------------------------------------------------
psql -qX -v ON_ERROR_STOP=1 -d "$DB" >"$WORK/ref.log" 2>&1 <<'SQL'
CREATE SCHEMA ref;
-- the refresh instant and the settings, read from the settings table itself
CREATE TABLE ref.p AS
SELECT (SELECT max(as_of_at) FROM costmodel_mart.case_lifecycle) AS t,
       extract(epoch FROM (SELECT value::interval FROM costmodel.settings WHERE name = 'case_sla')) AS sla_s,
       extract(epoch FROM (SELECT value::interval FROM costmodel.settings WHERE name = 'stale_after')) AS stale_s,
       (SELECT value::numeric FROM costmodel.settings WHERE name = 'overload_utilization') AS overload;

-- one row per case, by correlated subqueries over the events and interactions
CREATE TABLE ref.base AS
SELECT c.case_id, c.case_type, c.urgency, c.status, c.opened_at, c.advocate_id, c.intake_source, c.complexity,
       c.missing_doc_count, c.missing_docs,
       c.status IN ('open', 'in_progress', 'pending_docs', 'escalated') AS active,
       CASE WHEN c.status IN ('resolved', 'closed') THEN coalesce(c.resolved_at,
            (SELECT e.occurred_at FROM costmodel.case_events e
              WHERE e.case_id = c.case_id AND e.event_type = 'resolved' ORDER BY e.occurred_at DESC LIMIT 1)) END AS res_at,
       (SELECT e.occurred_at FROM costmodel.case_events e
         WHERE e.case_id = c.case_id AND e.event_type = 'first_response' ORDER BY e.occurred_at LIMIT 1) AS fr_at,
       (SELECT max(x.t) FROM (SELECT c.opened_at
                              UNION ALL SELECT e.occurred_at FROM costmodel.case_events e WHERE e.case_id = c.case_id
                              UNION ALL SELECT i.occurred_at FROM costmodel.case_interactions i WHERE i.case_id = c.case_id) x(t)) AS touch_at,
       EXISTS (SELECT 1 FROM costmodel.case_events e WHERE e.case_id = c.case_id AND e.event_type = 'escalated')
         OR c.status = 'escalated' AS esc,
       EXISTS (SELECT 1 FROM costmodel.case_events e WHERE e.case_id = c.case_id AND e.event_type = 'reopened') AS reop,
       (SELECT count(*) FROM costmodel.case_interactions i WHERE i.case_id = c.case_id) AS ix,
       (SELECT coalesce(sum(i.duration_minutes), 0) FROM costmodel.case_interactions i WHERE i.case_id = c.case_id) AS ix_min,
       (SELECT count(*) FROM costmodel.case_events e WHERE e.case_id = c.case_id AND e.event_type = 'assigned') AS assigned,
       (SELECT f.csat FROM costmodel.case_feedback f WHERE f.case_id = c.case_id) AS csat
  FROM costmodel.cases c;

CREATE TABLE ref.case_lifecycle AS
SELECT b.case_id, b.case_type, coalesce(b.urgency, 'unknown') AS urgency, b.status, b.active AS is_active,
       coalesce(b.advocate_id, 'unassigned') AS advocate_id, a.name AS advocate_name,
       CASE WHEN b.advocate_id IS NULL THEN 'unassigned' WHEN a.team IS NULL THEN 'unknown' ELSE a.team END AS team,
       b.intake_source, b.complexity, b.opened_at,
       (b.opened_at AT TIME ZONE 'UTC')::date AS opened_date,
       date_trunc('week', (b.opened_at AT TIME ZONE 'UTC'))::date AS week_start_date,
       date_trunc('month', (b.opened_at AT TIME ZONE 'UTC'))::date AS month_start_date,
       extract(year FROM (b.opened_at AT TIME ZONE 'UTC')) AS fiscal_year,
       extract(quarter FROM (b.opened_at AT TIME ZONE 'UTC')) AS fiscal_quarter,
       b.fr_at AS first_response_at, b.res_at AS resolved_at,
       (b.res_at AT TIME ZONE 'UTC')::date AS resolved_date, b.touch_at AS last_touch_at,
       round((extract(epoch FROM b.fr_at) - extract(epoch FROM b.opened_at)) / 3600, 2) AS hours_to_first_response,
       round((extract(epoch FROM b.res_at) - extract(epoch FROM b.opened_at)) / 86400, 2) AS days_to_resolution,
       round((extract(epoch FROM CASE WHEN b.active THEN p.t ELSE b.res_at END) - extract(epoch FROM b.opened_at)) / 86400, 2) AS days_open,
       CASE WHEN b.active THEN round((extract(epoch FROM p.t) - extract(epoch FROM b.touch_at)) / 3600, 2) END AS hours_since_touch,
       b.ix AS interactions, b.ix_min AS interaction_minutes, b.esc AS escalated, b.reop AS reopened,
       CASE WHEN b.active THEN extract(epoch FROM p.t) - extract(epoch FROM b.opened_at) > p.sla_s
            WHEN b.res_at IS NOT NULL THEN extract(epoch FROM b.res_at) - extract(epoch FROM b.opened_at) > p.sla_s END AS sla_breached,
       b.active AND extract(epoch FROM p.t) - extract(epoch FROM b.touch_at) > p.stale_s AS stale,
       b.csat, b.missing_doc_count, b.missing_doc_count > 0 AS has_missing_docs, b.missing_docs,
       CASE WHEN b.assigned > 1 THEN b.assigned - 1 ELSE 0 END AS handoffs,
       CASE WHEN b.assigned > 3 THEN '3+' WHEN b.assigned > 1 THEN (b.assigned - 1)::text ELSE '0' END AS handoff_bucket,
       p.t AS as_of_at
  FROM ref.base b CROSS JOIN ref.p p
  LEFT JOIN costmodel.advocates a ON a.advocate_id = b.advocate_id;

-- hours to close as sla_stats measures them: microseconds / 3.6e9, in double precision
CREATE VIEW ref.closed AS
SELECT l.*, ((extract(epoch FROM l.resolved_at) - extract(epoch FROM l.opened_at)) * 1000000)::bigint::float8 / 3600000000 AS close_h
  FROM ref.case_lifecycle l;

CREATE TABLE ref.ops_kpis AS
SELECT opened_date, case_type, urgency,
       min(week_start_date) AS week_start_date, min(month_start_date) AS month_start_date,
       min(fiscal_year) AS fiscal_year, min(fiscal_quarter) AS fiscal_quarter,
       count(*) AS cases,
       sum(CASE WHEN is_active THEN 1 ELSE 0 END) AS active_cases,
       sum(CASE WHEN is_active THEN 0 ELSE 1 END) AS resolved_cases,
       sum(CASE WHEN escalated THEN 1 ELSE 0 END) AS escalated_cases,
       sum(CASE WHEN escalated THEN 1 ELSE 0 END)::float8 / count(*) AS escalation_rate,
       sum(CASE WHEN reopened THEN 1 ELSE 0 END) AS reopened_cases,
       sum(CASE WHEN reopened THEN 1 ELSE 0 END)::float8 / count(*) AS reopen_rate,
       count(sla_breached) AS sla_cases,
       sum(CASE WHEN sla_breached THEN 1 ELSE 0 END) AS sla_breached_cases,
       sum(CASE WHEN sla_breached THEN 1 ELSE 0 END)::float8 / nullif(count(sla_breached), 0) AS sla_breach_rate,
       sum(CASE WHEN stale THEN 1 ELSE 0 END) AS stale_cases,
       sum(CASE WHEN stale THEN 1 ELSE 0 END)::float8 / nullif(sum(CASE WHEN is_active THEN 1 ELSE 0 END), 0) AS stale_rate,
       count(hours_to_first_response) AS first_responded_cases,
       sum(hours_to_first_response) AS hours_to_first_response_sum,
       round(avg(hours_to_first_response), 2) AS avg_hours_to_first_response,
       count(days_to_resolution) AS timed_resolved_cases,
       sum(days_to_resolution) AS days_to_resolution_sum,
       round(avg(days_to_resolution), 2) AS avg_days_to_resolution,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY close_h))::numeric, 2) AS median_hours_to_close,
       round((percentile_cont(0.9) WITHIN GROUP (ORDER BY close_h))::numeric, 2) AS p90_hours_to_close,
       sum(interactions) AS interactions,
       round(sum(interactions)::numeric / count(*), 2) AS avg_interactions,
       count(csat) AS feedback_responses, sum(csat) AS csat_sum, round(avg(csat), 2) AS avg_csat,
       sum(CASE WHEN missing_doc_count > 0 THEN 1 ELSE 0 END) AS missing_docs_cases,
       sum(handoffs) AS handoffs, round(sum(handoffs)::numeric / count(*), 2) AS avg_handoffs,
       min(as_of_at) AS as_of_at
  FROM ref.closed
 GROUP BY opened_date, case_type, urgency;

CREATE TABLE ref.advocate_caseload AS
SELECT r.advocate_id, r.advocate_name, r.team, r.capacity,
       coalesce(x.active_cases, 0) AS active_cases,
       coalesce(x.active_cases, 0)::float8 / r.capacity AS utilization_ratio,
       CASE WHEN r.capacity IS NOT NULL THEN coalesce(x.active_cases, 0) / r.capacity::numeric > p.overload END AS overloaded,
       r.capacity - coalesce(x.active_cases, 0) AS headroom,
       coalesce(x.urgent, 0) AS active_urgent_cases, coalesce(x.esc, 0) AS active_escalated_cases,
       coalesce(x.over_sla, 0) AS active_sla_breached_cases, coalesce(x.stale, 0) AS stale_cases,
       coalesce(x.cases, 0) AS cases, coalesce(x.resolved, 0) AS resolved_cases, x.avg_days AS avg_days_to_resolution,
       coalesce(x.fb, 0) AS feedback_responses, x.avg_csat, p.t AS as_of_at
  FROM (SELECT a.advocate_id, a.name AS advocate_name, coalesce(a.team, 'unknown') AS team, a.capacity
          FROM costmodel.advocates a
        UNION ALL
        SELECT 'unassigned', 'unassigned', 'unassigned', NULL
         WHERE EXISTS (SELECT 1 FROM costmodel.cases c WHERE c.advocate_id IS NULL)) r
 CROSS JOIN ref.p p
  LEFT JOIN (SELECT advocate_id, count(*) AS cases,
                    count(*) FILTER (WHERE is_active) AS active_cases,
                    count(*) FILTER (WHERE is_active AND urgency IN ('high', 'critical')) AS urgent,
                    count(*) FILTER (WHERE is_active AND escalated) AS esc,
                    count(*) FILTER (WHERE is_active AND sla_breached) AS over_sla,
                    count(*) FILTER (WHERE stale) AS stale,
                    count(*) FILTER (WHERE NOT is_active) AS resolved,
                    round(avg(days_to_resolution), 2) AS avg_days,
                    count(csat) AS fb, round(avg(csat), 2) AS avg_csat
               FROM ref.case_lifecycle GROUP BY advocate_id) x ON x.advocate_id = r.advocate_id;

CREATE TABLE ref.seg AS
SELECT 'all' AS kind, 'all' AS val, l.* FROM ref.closed l
UNION ALL
SELECT 'missing_docs', CASE WHEN missing_doc_count IS NULL THEN 'unknown' WHEN missing_doc_count = 0 THEN '0'
                            WHEN missing_doc_count = 1 THEN '1' ELSE '2+' END, l.* FROM ref.closed l
UNION ALL
SELECT 'handoff_bucket', CASE WHEN handoffs = 0 THEN '0' WHEN handoffs = 1 THEN '1' WHEN handoffs = 2 THEN '2' ELSE '3+' END,
       l.* FROM ref.closed l
UNION ALL
SELECT 'case_type', case_type, l.* FROM ref.closed l
UNION ALL
SELECT 'escalated', CASE WHEN escalated THEN 'escalated' ELSE 'not_escalated' END, l.* FROM ref.closed l;

CREATE TABLE ref.bottlenecks AS
WITH d(kind, val, ord) AS (
    VALUES ('all', 'all', 0), ('missing_docs', '0', 1), ('missing_docs', '1', 2), ('missing_docs', '2+', 3),
           ('handoff_bucket', '0', 1), ('handoff_bucket', '1', 2), ('handoff_bucket', '2', 3), ('handoff_bucket', '3+', 4),
           ('case_type', 'billing_dispute', 1), ('case_type', 'prior_auth', 2), ('case_type', 'provider_search', 3),
           ('case_type', 'care_coordination', 4), ('case_type', 'claim_denial', 5),
           ('escalated', 'not_escalated', 1), ('escalated', 'escalated', 2)
), g AS (
    SELECT kind, val, count(*) AS cases, count(*) FILTER (WHERE NOT is_active) AS resolved,
           avg(days_to_resolution) AS avg_exact,
           round((percentile_cont(0.5) WITHIN GROUP (ORDER BY close_h))::numeric, 2) AS med,
           count(csat) AS fb, round(avg(csat), 2) AS avg_csat, count(*) FILTER (WHERE escalated) AS esc,
           count(sla_breached) AS sla_cases, count(*) FILTER (WHERE sla_breached) AS breached
      FROM ref.seg GROUP BY kind, val
)
SELECT coalesce(d.kind, g.kind) AS segment_kind, coalesce(d.val, g.val) AS segment_value, coalesce(d.ord, 99) AS segment_order,
       coalesce(g.cases, 0) AS cases, coalesce(g.resolved, 0) AS resolved_cases,
       round(g.avg_exact, 2) AS avg_days_to_resolution, g.med AS median_hours_to_close,
       (g.avg_exact / (SELECT avg_exact FROM g WHERE kind = 'all'))::float8 AS resolution_index,
       coalesce(g.fb, 0) AS feedback_responses, g.avg_csat, coalesce(g.esc, 0) AS escalated_cases,
       coalesce(g.sla_cases, 0) AS sla_cases, coalesce(g.breached, 0) AS sla_breached_cases,
       g.breached::float8 / nullif(g.sla_cases, 0) AS sla_breach_rate,
       (SELECT t FROM ref.p) AS as_of_at
  FROM d FULL JOIN g ON g.kind = d.kind AND g.val = d.val;

CREATE TABLE ref.stale_cases AS
SELECT case_id,
       row_number() OVER (ORDER BY CASE urgency WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'medium' THEN 3
                                                WHEN 'low' THEN 4 ELSE 5 END, last_touch_at, case_id) AS follow_up_rank,
       case_type, urgency,
       CASE urgency WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'medium' THEN 3 WHEN 'low' THEN 4 ELSE 5 END AS urgency_rank,
       status, advocate_id, advocate_name, team, opened_at, opened_date, week_start_date, month_start_date,
       fiscal_year, fiscal_quarter, last_touch_at, hours_since_touch, days_open, sla_breached, escalated,
       missing_doc_count, missing_docs, interactions, as_of_at
  FROM ref.case_lifecycle WHERE stale;

-- Compare costmodel_mart.<mart> with ref.<mart>: one row per problem, none when equal.
-- Exact columns: EXCEPT ALL both ways; double precision columns: joined on
-- the key, within 1e-9 (both NULL or both not NULL).
CREATE FUNCTION ref.compare(mart text, keys text[]) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE
    mart_cols text[];
    ref_cols text[];
    exact text;
    dbl text[];
    c text;
    n bigint;
    joincond text;
BEGIN
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO mart_cols FROM pg_attribute a
     WHERE a.attrelid = format('costmodel_mart.%I', mart)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO ref_cols FROM pg_attribute a
     WHERE a.attrelid = format('ref.%I', mart)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
    FOREACH c IN ARRAY mart_cols LOOP
        IF NOT c = ANY (ref_cols) THEN RETURN NEXT format('column %s has no reference', c); END IF;
    END LOOP;
    FOREACH c IN ARRAY ref_cols LOOP
        IF NOT c = ANY (mart_cols) THEN RETURN NEXT format('reference column %s is not in the mart', c); END IF;
    END LOOP;
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FILTER (WHERE a.atttypid <> 'float8'::regtype),
           array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.atttypid = 'float8'::regtype)
      INTO exact, dbl
      FROM pg_attribute a
     WHERE a.attrelid = format('costmodel_mart.%I', mart)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
    EXECUTE format('SELECT count(*) FROM (SELECT %s FROM costmodel_mart.%I EXCEPT ALL SELECT %s FROM ref.%I) x', exact, mart, exact, mart) INTO n;
    IF n > 0 THEN RETURN NEXT format('%s mart rows not in the reference (exact columns)', n); END IF;
    EXECUTE format('SELECT count(*) FROM (SELECT %s FROM ref.%I EXCEPT ALL SELECT %s FROM costmodel_mart.%I) x', exact, mart, exact, mart) INTO n;
    IF n > 0 THEN RETURN NEXT format('%s reference rows not in the mart (exact columns)', n); END IF;
    SELECT string_agg(format($$m.%1$I = r.%1$I$$, k), $$ AND $$) INTO joincond FROM unnest(keys) k;
    FOREACH c IN ARRAY coalesce(dbl, '{}') LOOP
        EXECUTE format('SELECT count(*) FROM costmodel_mart.%1$I m FULL JOIN ref.%1$I r ON %2$s
                         WHERE (m.%3$I IS NULL) <> (r.%3$I IS NULL) OR abs(m.%3$I - r.%3$I) > 1e-9', mart, joincond, c) INTO n;
        IF n > 0 THEN RETURN NEXT format('%s rows differ in %s (double precision, 1e-9)', n, c); END IF;
    END LOOP;
END
$f$;
SQL
report $? "computed the plain-SQL reference of every advocacy mart (log: $(tail -n 1 "$WORK/ref.log"))"

# --- every mart equals its reference ------------------------------------------------------
for spec in "case_lifecycle case_id" "ops_kpis opened_date,case_type,urgency" "advocate_caseload advocate_id" \
	"bottlenecks segment_kind,segment_value" "stale_cases case_id"; do
	set -- $spec
	mart=$1 keys=$2
	rows=$(q "SELECT count(*) FROM costmodel_mart.$mart")
	refrows=$(q "SELECT count(*) FROM ref.$mart")
	cols=$(q "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'costmodel_mart' AND table_name = '$mart'")
	problems=$(q "SELECT * FROM ref.compare('$mart', string_to_array('$keys', ','))" 2>&1)
	[ -z "$problems" ] && [ "$rows" = "$refrows" ] && [ "$rows" -gt 0 ]
	report $? "$mart: all $cols columns of $rows rows equal the plain-SQL reference ($refrows rows)"
	[ -n "$problems" ] && printf '%s\n' "$problems" | sed 's/^/#   /'
done

# Each mart covers what it should, so the comparisons above compared something.
q "SELECT (SELECT count(*) FROM costmodel_mart.case_lifecycle) = (SELECT count(*) FROM costmodel.cases)
      AND (SELECT sum(cases) FROM costmodel_mart.ops_kpis) = (SELECT count(*) FROM costmodel.cases)
      AND (SELECT count(*) FROM costmodel_mart.advocate_caseload) = (SELECT count(*) + 1 FROM costmodel.advocates)
      AND (SELECT count(*) FROM costmodel_mart.bottlenecks WHERE cases > 0) >= 15
      AND (SELECT count(*) FROM costmodel_mart.stale_cases) > 100
      AND (SELECT count(*) FROM costmodel_mart.case_lifecycle WHERE sla_breached IS NULL) > 0
      AND (SELECT count(*) FROM costmodel_mart.case_lifecycle WHERE sla_breached AND is_active) > 0
      AND (SELECT count(*) FROM costmodel_mart.case_lifecycle WHERE NOT sla_breached AND is_active) > 0
      AND (SELECT count(*) FROM costmodel_mart.advocate_caseload WHERE overloaded) > 0
      AND (SELECT count(*) FROM costmodel_mart.advocate_caseload WHERE NOT overloaded) > 0" | grep -qx t
report $? "the marts cover every case, advocate (plus unassigned) and segment, with stale, breached and not breached open cases, overloaded and not"

# --- the per-case flags agree with the C aggregates ------------------------------------------
got=$(q "SELECT (s).cases = (SELECT count(sla_breached) FROM costmodel_mart.case_lifecycle)
             AND (s).breached = (SELECT count(*) FILTER (WHERE sla_breached) FROM costmodel_mart.case_lifecycle)
             AND (t).open_cases = (SELECT count(*) FILTER (WHERE is_active) FROM costmodel_mart.case_lifecycle)
             AND (t).stale_cases = (SELECT count(*) FROM costmodel_mart.stale_cases)
             AND (s).breached = (SELECT sum(sla_breached_cases) FROM costmodel_mart.ops_kpis)
             AND (s).breached = (SELECT sla_breached_cases FROM costmodel_mart.bottlenecks WHERE segment_kind = 'all')
        FROM (SELECT costmodel.sla_stats(CASE WHEN sla_breached IS NOT NULL THEN opened_at END, resolved_at,
                                         costmodel.setting_interval('case_sla'), as_of_at) AS s,
                     costmodel.stale_stats(last_touch_at, is_active, costmodel.setting_interval('stale_after'), as_of_at) AS t
                FROM ref.case_lifecycle) x")
[ "$got" = t ]
report $? "sla_stats and stale_stats over the reference cases count exactly the flagged cases of the marts"

# --- as_of_at is the refresh time ------------------------------------------------------------
q "SELECT bool_and(l.as_of_at BETWEEN g.started_at - interval '1 minute' AND g.finished_at)
     FROM (SELECT DISTINCT as_of_at FROM costmodel_mart.case_lifecycle) l,
          (SELECT started_at, finished_at FROM costmodel.refresh_log WHERE mart_name = 'case_lifecycle'
            ORDER BY refresh_log_id DESC LIMIT 1) g" | grep -qx t &&
	[ "$(q "SELECT count(DISTINCT as_of_at) FROM costmodel_mart.case_lifecycle")" = 1 ]
report $? "case_lifecycle has one as_of_at, the time of its refresh"
q "SELECT (SELECT count(DISTINCT as_of_at) FROM costmodel_mart.ops_kpis) = 1
      AND (SELECT min(as_of_at) FROM costmodel_mart.ops_kpis) = (SELECT max(as_of_at) FROM costmodel_mart.case_lifecycle)
      AND (SELECT min(as_of_at) FROM costmodel_mart.stale_cases) = (SELECT max(as_of_at) FROM costmodel_mart.case_lifecycle)
      AND (SELECT min(as_of_at) FROM costmodel_mart.bottlenecks) = (SELECT max(as_of_at) FROM costmodel_mart.case_lifecycle)
      AND (SELECT min(as_of_at) FROM costmodel_mart.advocate_caseload) = (SELECT max(as_of_at) FROM costmodel_mart.case_lifecycle)" | grep -qx t
report $? "ops_kpis, advocate_caseload, bottlenecks and stale_cases apply their rules at case_lifecycle's as_of_at"

# --- a second refresh: concurrent, and the same figures (the reference moves with as_of) ------
psql -qX -v ON_ERROR_STOP=1 -d "$DB" -c "CALL costmodel.refresh_marts(ARRAY['case_lifecycle', 'ops_kpis', 'advocate_caseload', 'bottlenecks', 'stale_cases'])" >/dev/null 2>&1
q "SELECT count(*) FROM (SELECT * FROM costmodel.refresh_log ORDER BY refresh_log_id DESC LIMIT 5) x
    WHERE status = 'ok' AND refresh_mode = 'concurrently'" | grep -qx 5
report $? "a second refresh runs CONCURRENTLY for all five marts"
q "SELECT count(*) FROM (SELECT case_id, hours_to_first_response, days_to_resolution, interactions, escalated, reopened, csat, handoffs
                           FROM costmodel_mart.case_lifecycle
                         EXCEPT ALL
                         SELECT case_id, hours_to_first_response, days_to_resolution, interactions, escalated, reopened, csat, handoffs
                           FROM ref.case_lifecycle) x" | grep -qx 0
report $? "after the second refresh, the time-independent case figures are unchanged"

# --- typical dashboard queries: under 50 ms -------------------------------------------------
# Best of 3 EXPLAIN ANALYZE runs, so that a busy machine does not decide.
exec_ms() {
	local best= t i
	for i in 1 2 3; do
		t=$(q "EXPLAIN (ANALYZE, FORMAT JSON) $1" | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['Execution Time'])")
		if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if float('$t') < float('$best') else 1)"; then best=$t; fi
	done
	echo "$best"
}
while IFS='|' read -r mart sql; do
	ms=$(exec_ms "$sql")
	python3 -c "import sys; sys.exit(0 if float('$ms') < 50 else 1)"
	report $? "$mart: typical dashboard query in $ms ms (< 50 ms)"
done <<'QUERIES'
case_lifecycle|SELECT case_id, case_type, urgency, status, advocate_name, opened_at, hours_to_first_response, days_open, sla_breached, stale FROM costmodel_mart.case_lifecycle WHERE opened_date >= (now() AT TIME ZONE 'UTC')::date - 7 AND case_type = 'prior_auth' ORDER BY opened_at DESC LIMIT 100
ops_kpis|SELECT case_type, urgency, sum(cases) AS cases, sum(active_cases) AS active, sum(sla_breached_cases)::float8 / nullif(sum(sla_cases), 0) AS breach_rate, sum(days_to_resolution_sum) / nullif(sum(timed_resolved_cases), 0) AS avg_days, sum(csat_sum)::numeric / nullif(sum(feedback_responses), 0) AS avg_csat FROM costmodel_mart.ops_kpis WHERE opened_date >= (now() AT TIME ZONE 'UTC')::date - 30 GROUP BY 1, 2 ORDER BY 1, 2
advocate_caseload|SELECT advocate_id, advocate_name, team, capacity, active_cases, utilization_ratio, overloaded, stale_cases FROM costmodel_mart.advocate_caseload ORDER BY utilization_ratio DESC NULLS LAST LIMIT 25
bottlenecks|SELECT segment_kind, segment_value, cases, avg_days_to_resolution, avg_csat, sla_breach_rate, resolution_index FROM costmodel_mart.bottlenecks WHERE segment_kind <> 'all' ORDER BY segment_kind, segment_order
stale_cases|SELECT case_id, follow_up_rank, case_type, urgency, advocate_name, hours_since_touch, sla_breached FROM costmodel_mart.stale_cases ORDER BY follow_up_rank LIMIT 50
QUERIES

exit $failed
