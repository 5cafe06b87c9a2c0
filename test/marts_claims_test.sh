#!/usr/bin/env bash
#
# marts_claims_test.sh
#    The claims marts against independent computations.
#
#    1. Generated data: costmodel-gen claims writes the four billing exports
#       (about 120,000 claims over the 200 days up to today, so every AR
#       bucket is filled), costmodel-load csv loads them (the processing log
#       gets its rows, with rejects and a re-export), costmodel-load traces
#       loads a small trace file (a load_ledger row), and a few edits add
#       what the generator does not make (NULL payer, provider and location,
#       rejected claims, padded denial reasons).  After refresh_marts each
#       mart is compared with its reference, written here in plain SQL from
#       the source tables alone (CASE lists, make_date, correlated
#       subqueries, percentile_cont; no mart, no costmodel function): every
#       column, both ways (EXCEPT ALL for exact columns, money and counts
#       exactly; double precision rates within 1e-9).
#    2. Real data: the Synthea sample (loaded with loader/maps/
#       synthea_claims.map) through the marts, against figures python3
#       computes from the raw CSV files: claims, billed and paid per service
#       month x payer x status, the payers' monthly shares, and the AR
#       buckets of the outstanding claims.
#    Also: as_of_at is the refresh time; the typical dashboard query of each
#    mart runs in under 50 ms (EXPLAIN ANALYZE, best of 3); refresh timings.
#
# Needs: COSTMODEL_LOAD, COSTMODEL_GEN, PGHOST/PGPORT/PGUSER of a server
# where CREATE EXTENSION costmodel works, createdb/dropdb/psql, python3; the
# Synthea sample in ../shared/data/synthea beside the checkout or
# /work/shared/data/synthea.  COSTMODEL_CLAIMS_MEMBERS sets the member pool
# (default 30000: about 120,000 claims).
set -u

LOAD=${COSTMODEL_LOAD:-./costmodel-load}
GEN=${COSTMODEL_GEN:-./costmodel-gen}
case $LOAD in /*) ;; *) LOAD=$PWD/$LOAD ;; esac
case $GEN in /*) ;; *) GEN=$PWD/$GEN ;; esac
ROOT=${COSTMODEL_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
MEMBERS=${COSTMODEL_CLAIMS_MEMBERS:-30000}
DB=cm_marts_claims_test_$$
SDB=cm_marts_claims_synthea_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/marts_claims_test.XXXXXX")
export PGTZ=UTC
failed=0

# Drop the databases and the work directory.
cleanup() {
	dropdb --if-exists "$DB" >/dev/null 2>&1
	dropdb --if-exists "$SDB" >/dev/null 2>&1
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

# Run SQL in database $DB (or $QDB when set); print the unaligned result.
q() {
	psql -qXAt -v ON_ERROR_STOP=1 -d "${QDB:-$DB}" -c "$1"
}

for bin in "$LOAD" "$GEN"; do
	if [ ! -x "$bin" ]; then
		echo "not ok - binary $bin exists (set COSTMODEL_LOAD and COSTMODEL_GEN)"
		exit 1
	fi
done

createdb "$DB" && psql -qX -d "$DB" -c "CREATE EXTENSION costmodel" >/dev/null
report $? "created database $DB with the extension" || exit 1

# --- data: the four billing exports over the 200 days up to today ----------------------
START=$(date -u -d '-200 days' +%F)
"$GEN" claims --members "$MEMBERS" --seed 42 --start "$START" --days 200 --output-dir "$WORK/bill" >/dev/null
report $? "costmodel-gen claims --members $MEMBERS --start $START --days 200"
printf 'source = claims\nlocation.join = City, State\n' >"$WORK/delta.map"
all_ok=0
for f in billing_alpha.csv billing_bravo.csv billing_charlie.tsv billing_delta.psv; do
	opts=()
	case $f in *delta*) opts=(--map "$WORK/delta.map") ;; esac
	"$LOAD" -d "$DB" csv --source claims "${opts[@]}" "$WORK/bill/$f" >"$WORK/load_$f" 2>&1
	rc=$?
	# exit 3: loaded, with the generator's deliberately bad rows rejected
	[ $rc -eq 3 ] || { echo "# load $f: exit $rc"; all_ok=1; }
done
report $all_ok "costmodel-load csv loaded the four exports (exit 3: the bad rows rejected)"
"$GEN" traces --count 3000 --seed 5 >"$WORK/t.ndjson"
"$LOAD" -d "$DB" traces "$WORK/t.ndjson" >"$WORK/load_traces" 2>&1
# exit 3: loaded, with the generator's malformed lines rejected
[ $? -eq 3 ] && [ "$(q "SELECT count(*) FROM costmodel.load_ledger WHERE status = 'finished' AND rejected > 0 AND duplicates > 0")" = 1 ]
report $? "costmodel-load traces loaded 3,000 generated lines with duplicates and rejects (a load_ledger row)"
nclaims=$(q "SELECT count(*) FROM costmodel.claims")
[ "$nclaims" -ge 50000 ]
report $? "at least 50,000 claims loaded ($nclaims)"

# What the generator does not make: missing payer, provider and location,
# an empty payer, outstanding claims without a service date, rejected
# claims, padded and empty denial reasons.
q "UPDATE costmodel.claims SET payer = NULL WHERE claim_id LIKE '%17'" >/dev/null &&
q "UPDATE costmodel.claims SET payer = '' WHERE claim_id LIKE '%917'" >/dev/null &&
q "UPDATE costmodel.claims SET provider_id = NULL WHERE claim_id LIKE '%23'" >/dev/null &&
q "UPDATE costmodel.claims SET location = NULL WHERE claim_id LIKE '%31'" >/dev/null &&
q "UPDATE costmodel.claims SET service_date = NULL WHERE status IN ('pending', 'approved') AND claim_id LIKE '%41'" >/dev/null &&
q "UPDATE costmodel.claims SET status = 'rejected' WHERE status = 'denied' AND claim_id LIKE '%3'" >/dev/null &&
q "UPDATE costmodel.claims SET denial_reason = '  ' || denial_reason || ' ' WHERE status = 'denied' AND claim_id LIKE '%5'" >/dev/null &&
q "UPDATE costmodel.claims SET denial_reason = '' WHERE status = 'denied' AND claim_id LIKE '%7'" >/dev/null
report $? "edits: NULL and empty payers, NULL providers and locations, undated outstanding claims, rejected claims, padded and empty denial reasons"
q "SELECT count(*) FILTER (WHERE service_date IS NULL) > 0 AND count(*) FILTER (WHERE claim_amount IS NULL) > 0
      AND count(*) FILTER (WHERE status IN ('submitted', 'pending', 'approved') AND service_date < (now() AT TIME ZONE 'UTC')::date - 90) > 0
      AND count(*) FILTER (WHERE status IN ('submitted', 'pending', 'approved') AND service_date BETWEEN (now() AT TIME ZONE 'UTC')::date - 60
                                                                                               AND (now() AT TIME ZONE 'UTC')::date - 31) > 0
      AND count(DISTINCT status) = 9
    FROM costmodel.claims" | grep -qx t
report $? "the data has undated claims, claims without an amount, outstanding claims in every bucket and all nine statuses"

# --- refresh ---------------------------------------------------------------------------
psql -qX -v ON_ERROR_STOP=1 -d "$DB" -c "CALL costmodel.refresh_marts()" >"$WORK/refresh" 2>&1
report $? "CALL costmodel.refresh_marts()"
q "SELECT count(*) FROM costmodel.refresh_log WHERE status <> 'ok'" | grep -qx 0
report $? "every mart refreshed with status ok"
echo "# refresh timings at $nclaims claims (seconds, rows):"
q "SELECT mart_name || ' ' || duration_s || ' s, ' || rows || ' rows (' || refresh_mode || ')' FROM costmodel.refresh_log
    WHERE mart_name IN ('claims_monthly', 'payer_performance', 'ar_aging', 'load_report')
    ORDER BY refresh_log_id" | sed 's/^/#   /'

# The statistics on claim_facts' grouping expressions are in use (they must
# stay the view's expressions): after ANALYZE the planner's group estimates
# are within 10x of the truth, so the marts aggregate by hashing.
q "ANALYZE costmodel.claims" >/dev/null
plan_rows() {
	q "EXPLAIN (FORMAT JSON) $1" | python3 -c "import json,sys; print(int(json.load(sys.stdin)[0]['Plan']['Plan Rows']))"
}
est=$(plan_rows "SELECT month_date, payer, provider_id, location, status FROM costmodel.claim_facts GROUP BY 1, 2, 3, 4, 5")
act=$(q "SELECT count(*) FROM costmodel_mart.claims_monthly")
est2=$(plan_rows "SELECT payer, month_date, days_to_adjudicate FROM costmodel.claim_facts WHERE days_to_adjudicate IS NOT NULL GROUP BY 1, 2, 3")
act2=$(q "SELECT count(*) FROM (SELECT DISTINCT payer, month_date, days_to_adjudicate FROM costmodel.claim_facts WHERE days_to_adjudicate IS NOT NULL) x")
[ "$est" -ge $((act / 10)) ] && [ "$est" -le $((act * 10)) ] && [ "$est2" -ge $((act2 / 10)) ] && [ "$est2" -le $((act2 * 10)) ]
report $? "the planner estimates claim_facts' groups from the statistics objects (claims_monthly $est for $act, days histogram $est2 for $act2)"

# --- the reference, from the source tables alone -----------------------------------------
psql -qX -v ON_ERROR_STOP=1 -d "$DB" >"$WORK/ref.log" 2>&1 <<'SQL'
CREATE SCHEMA ref;
CREATE TABLE ref.p AS
SELECT (SELECT max(as_of_date) FROM costmodel_mart.ar_aging) AS d,
       (SELECT max(as_of_at) FROM costmodel_mart.ar_aging) AS ar_t,
       (SELECT max(as_of_at) FROM costmodel_mart.load_report) AS lr_t;

-- one row per claim
CREATE TABLE ref.c AS
SELECT claim_id,
       CASE WHEN payer IS NULL OR payer = '' THEN 'unknown' ELSE payer END AS payer,
       CASE WHEN provider_id IS NULL OR provider_id = '' THEN 'unknown' ELSE provider_id END AS provider_id,
       CASE WHEN location IS NULL OR location = '' THEN 'unknown' ELSE location END AS location,
       status,
       CASE WHEN status IN ('approved', 'paid', 'partially_paid', 'adjusted') THEN 'approved'
            WHEN status IN ('denied', 'rejected') THEN 'denied'
            WHEN status IN ('submitted', 'pending') THEN 'in_process'
            WHEN status = 'voided' THEN 'voided' END AS grp,
       CASE WHEN service_date IS NOT NULL
            THEN make_date(extract(year FROM service_date)::int, extract(month FROM service_date)::int, 1)
            ELSE make_date(extract(year FROM timezone('UTC', loaded_at))::int, extract(month FROM timezone('UTC', loaded_at))::int, 1)
       END AS month_date,
       service_date IS NULL AS undated,
       service_date, claim_amount, paid_amount,
       CASE WHEN status IN ('denied', 'rejected') AND btrim(denial_reason) <> '' THEN btrim(denial_reason) END AS reason,
       CASE WHEN status IN ('approved', 'paid', 'partially_paid', 'adjusted', 'denied', 'rejected')
            THEN date(timezone('UTC', adjudicated_at)) - service_date END AS days
  FROM costmodel.claims;

CREATE TABLE ref.claims_monthly AS
SELECT g.month_date, g.payer, g.provider_id, g.location, g.status, g.grp AS status_group,
       extract(year FROM g.month_date) AS fiscal_year, extract(quarter FROM g.month_date) AS fiscal_quarter,
       extract(month FROM g.month_date) AS fiscal_period,
       pr.provider_type, lo.city AS location_city, lo.state AS location_state,
       g.claims, g.undated AS undated_claims, g.billed AS billed_amount, g.no_amount AS claims_without_amount,
       g.paid AS paid_amount, g.decided AS decided_claims, g.approved AS approved_claims, g.denied AS denied_claims,
       t.approved::float8 / nullif(t.decided, 0) AS approval_rate,
       t.denied::float8 / nullif(t.decided, 0) AS denial_rate
  FROM (SELECT month_date, payer, provider_id, location, status, min(grp) AS grp, count(*) AS claims,
               sum(CASE WHEN undated THEN 1 ELSE 0 END) AS undated,
               coalesce(sum(claim_amount), 0) AS billed, count(*) - count(claim_amount) AS no_amount,
               coalesce(sum(paid_amount), 0) AS paid,
               sum(CASE WHEN grp IN ('approved', 'denied') THEN 1 ELSE 0 END) AS decided,
               sum(CASE WHEN grp = 'approved' THEN 1 ELSE 0 END) AS approved,
               sum(CASE WHEN grp = 'denied' THEN 1 ELSE 0 END) AS denied
          FROM ref.c GROUP BY month_date, payer, provider_id, location, status) g
  JOIN (SELECT month_date, payer, provider_id, location,
               sum(CASE WHEN grp IN ('approved', 'denied') THEN 1 ELSE 0 END) AS decided,
               sum(CASE WHEN grp = 'approved' THEN 1 ELSE 0 END) AS approved,
               sum(CASE WHEN grp = 'denied' THEN 1 ELSE 0 END) AS denied
          FROM ref.c GROUP BY month_date, payer, provider_id, location) t
    ON (t.month_date, t.payer, t.provider_id, t.location) = (g.month_date, g.payer, g.provider_id, g.location)
  LEFT JOIN costmodel.dim_provider pr ON pr.provider_id = g.provider_id
  LEFT JOIN costmodel.dim_location lo ON lo.location = g.location;

CREATE TABLE ref.reasons AS
SELECT payer, month_date, reason, count(*) AS n FROM ref.c WHERE reason IS NOT NULL GROUP BY 1, 2, 3;

CREATE TABLE ref.payer_performance AS
SELECT g.payer, g.month_date, extract(year FROM g.month_date) AS fiscal_year,
       extract(quarter FROM g.month_date) AS fiscal_quarter, extract(month FROM g.month_date) AS fiscal_period,
       g.claims, g.undated AS undated_claims,
       g.claims::float8 / (SELECT count(*) FROM ref.c x WHERE x.month_date = g.month_date) AS submission_share,
       g.billed AS billed_amount, g.paid AS paid_amount, g.in_process AS in_process_claims, g.voided AS voided_claims,
       g.decided AS decided_claims, g.decided::float8 / g.claims AS adjudication_rate,
       g.approved AS approved_claims, g.approved::float8 / nullif(g.decided, 0) AS approval_rate,
       g.denied AS denied_claims, g.denied::float8 / nullif(g.decided, 0) AS denial_rate,
       g.timed AS timed_decisions, g.avg_days AS avg_days_to_adjudicate,
       g.med AS median_days_to_adjudicate, g.p90 AS p90_days_to_adjudicate,
       (SELECT reason FROM ref.reasons r WHERE (r.payer, r.month_date) = (g.payer, g.month_date)
         ORDER BY n DESC, reason LIMIT 1) AS top_denial_reason_1,
       coalesce((SELECT n FROM ref.reasons r WHERE (r.payer, r.month_date) = (g.payer, g.month_date)
                  ORDER BY n DESC, reason LIMIT 1), 0) AS top_denial_reason_1_claims,
       (SELECT reason FROM ref.reasons r WHERE (r.payer, r.month_date) = (g.payer, g.month_date)
         ORDER BY n DESC, reason LIMIT 1 OFFSET 1) AS top_denial_reason_2,
       coalesce((SELECT n FROM ref.reasons r WHERE (r.payer, r.month_date) = (g.payer, g.month_date)
                  ORDER BY n DESC, reason LIMIT 1 OFFSET 1), 0) AS top_denial_reason_2_claims,
       (SELECT reason FROM ref.reasons r WHERE (r.payer, r.month_date) = (g.payer, g.month_date)
         ORDER BY n DESC, reason LIMIT 1 OFFSET 2) AS top_denial_reason_3,
       coalesce((SELECT n FROM ref.reasons r WHERE (r.payer, r.month_date) = (g.payer, g.month_date)
                  ORDER BY n DESC, reason LIMIT 1 OFFSET 2), 0) AS top_denial_reason_3_claims,
       g.no_reason AS denials_without_reason
  FROM (SELECT payer, month_date, count(*) AS claims, sum(CASE WHEN undated THEN 1 ELSE 0 END) AS undated,
               coalesce(sum(claim_amount), 0) AS billed, coalesce(sum(paid_amount), 0) AS paid,
               sum(CASE WHEN grp = 'in_process' THEN 1 ELSE 0 END) AS in_process,
               sum(CASE WHEN grp = 'voided' THEN 1 ELSE 0 END) AS voided,
               sum(CASE WHEN grp IN ('approved', 'denied') THEN 1 ELSE 0 END) AS decided,
               sum(CASE WHEN grp = 'approved' THEN 1 ELSE 0 END) AS approved,
               sum(CASE WHEN grp = 'denied' THEN 1 ELSE 0 END) AS denied,
               sum(CASE WHEN grp = 'denied' AND reason IS NULL THEN 1 ELSE 0 END) AS no_reason,
               count(days) AS timed, round(avg(days), 2) AS avg_days,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days))::numeric, 2) AS med,
               round((percentile_cont(0.9) WITHIN GROUP (ORDER BY days))::numeric, 2) AS p90
          FROM ref.c GROUP BY payer, month_date) g;

CREATE TABLE ref.ar_aging AS
SELECT y.payer,
       count(o.age_known) AS outstanding_claims, coalesce(sum(o.claim_amount), 0) AS outstanding_amount,
       count(o.age_known) - count(o.claim_amount) AS claims_without_amount,
       sum(CASE WHEN o.bucket = '0_30' THEN 1 ELSE 0 END) AS claims_0_30_days,
       sum(CASE WHEN o.bucket = '0_30' THEN coalesce(o.claim_amount, 0) ELSE 0 END) AS amount_0_30_days,
       sum(CASE WHEN o.bucket = '31_60' THEN 1 ELSE 0 END) AS claims_31_60_days,
       sum(CASE WHEN o.bucket = '31_60' THEN coalesce(o.claim_amount, 0) ELSE 0 END) AS amount_31_60_days,
       sum(CASE WHEN o.bucket = '61_90' THEN 1 ELSE 0 END) AS claims_61_90_days,
       sum(CASE WHEN o.bucket = '61_90' THEN coalesce(o.claim_amount, 0) ELSE 0 END) AS amount_61_90_days,
       sum(CASE WHEN o.bucket = 'over_90' THEN 1 ELSE 0 END) AS claims_over_90_days,
       sum(CASE WHEN o.bucket = 'over_90' THEN coalesce(o.claim_amount, 0) ELSE 0 END) AS amount_over_90_days,
       sum(CASE WHEN o.bucket = 'unknown' THEN 1 ELSE 0 END) AS claims_unknown_age,
       sum(CASE WHEN o.bucket = 'unknown' THEN coalesce(o.claim_amount, 0) ELSE 0 END) AS amount_unknown_age,
       (sum(CASE WHEN o.bucket = 'over_90' THEN coalesce(o.claim_amount, 0) ELSE 0 END) / nullif(sum(o.claim_amount), 0))::float8
         AS share_over_90_days,
       round(avg(o.age), 2) AS avg_age_days, max(o.age) AS oldest_age_days,
       (SELECT d FROM ref.p) AS as_of_date, (SELECT ar_t FROM ref.p) AS as_of_at
  FROM (SELECT DISTINCT payer FROM ref.c) y
  LEFT JOIN (SELECT c.payer, c.claim_amount, p.d - c.service_date AS age, true AS age_known,
                    CASE WHEN c.service_date IS NULL THEN 'unknown'
                         WHEN p.d - c.service_date <= 30 THEN '0_30'
                         WHEN p.d - c.service_date <= 60 THEN '31_60'
                         WHEN p.d - c.service_date <= 90 THEN '61_90'
                         ELSE 'over_90' END AS bucket
               FROM ref.c c CROSS JOIN ref.p p
              WHERE c.status IN ('submitted', 'pending', 'approved')) o ON o.payer = y.payer
 GROUP BY y.payer;

CREATE TABLE ref.load_report AS
SELECT x.*, (x.started_at AT TIME ZONE 'UTC')::date AS started_date,
       date_trunc('week', x.started_at AT TIME ZONE 'UTC')::date AS week_start_date,
       date_trunc('month', x.started_at AT TIME ZONE 'UTC')::date AS month_start_date,
       extract(year FROM x.started_at AT TIME ZONE 'UTC') AS fiscal_year,
       extract(quarter FROM x.started_at AT TIME ZONE 'UTC') AS fiscal_quarter,
       x.rows_rejected::float8 / nullif(x.rows_read, 0) AS reject_rate,
       round(x.rows_read / nullif(x.duration_seconds, 0)) AS rows_per_second,
       (SELECT lr_t FROM ref.p) AS as_of_at
  FROM (SELECT 'csv' AS loader, l.load_id::text AS load_key, l.load_id, NULL AS import_id, l.source, l.file_name,
               l.file_sha256, l.bytes, l.map_file, l.status, l.message, l.started_at, l.finished_at,
               round(extract(epoch FROM l.finished_at) - extract(epoch FROM l.started_at), 3) AS duration_seconds,
               1 AS runs, l.rows_read, l.rows_loaded, l.rows_updated, l.rows_duplicate, l.rows_rejected,
               (SELECT coalesce(sum(c.unreadable), 0) FROM costmodel.load_log_column c WHERE c.load_id = l.load_id) AS values_unreadable,
               (SELECT coalesce(sum(c.normalised), 0) FROM costmodel.load_log_column c WHERE c.load_id = l.load_id) AS values_normalised,
               coalesce(array_length(l.columns_ignored, 1), 0) AS columns_ignored_count,
               CASE WHEN array_length(l.columns_ignored, 1) > 0 THEN array_to_string(l.columns_ignored, ', ') END AS columns_ignored,
               l.loaded_by
          FROM costmodel.load_log l
        UNION ALL
        SELECT 'traces', g.import_id, NULL, g.import_id, g.kind, g.source, g.content_sha256, g.input_bytes, NULL,
               CASE WHEN g.status = 'running' THEN 'interrupted' ELSE g.status END, g.message, g.started_at, g.finished_at,
               round(g.seconds::numeric, 3), g.runs,
               (SELECT coalesce(sum(r.lines_read), 0) FROM costmodel.load_ledger_range r WHERE r.import_id = g.import_id),
               (SELECT coalesce(sum(r.loaded), 0) FROM costmodel.load_ledger_range r WHERE r.import_id = g.import_id),
               0,
               (SELECT coalesce(sum(r.duplicates), 0) FROM costmodel.load_ledger_range r WHERE r.import_id = g.import_id),
               (SELECT coalesce(sum(r.rejected), 0) FROM costmodel.load_ledger_range r WHERE r.import_id = g.import_id),
               NULL, NULL, 0, NULL, NULL
          FROM costmodel.load_ledger g) x;

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
    SELECT string_agg(format($$m.%1$I = r.%1$I$$, k), ' AND ') INTO joincond FROM unnest(keys) k;
    FOREACH c IN ARRAY coalesce(dbl, '{}') LOOP
        EXECUTE format('SELECT count(*) FROM costmodel_mart.%1$I m FULL JOIN ref.%1$I r ON %2$s
                         WHERE (m.%3$I IS NULL) <> (r.%3$I IS NULL) OR abs(m.%3$I - r.%3$I) > 1e-9', mart, joincond, c) INTO n;
        IF n > 0 THEN RETURN NEXT format('%s rows differ in %s (double precision, 1e-9)', n, c); END IF;
    END LOOP;
END
$f$;
SQL
report $? "computed the plain-SQL reference of every claims mart"
[ -s "$WORK/ref.log" ] && sed 's/^/#   /' "$WORK/ref.log"

# --- every mart equals its reference ------------------------------------------------------
for spec in "claims_monthly month_date,payer,provider_id,location,status" "payer_performance payer,month_date" \
	"ar_aging payer" "load_report loader,load_key"; do
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

missing=$(q "SELECT concat_ws(', ',
        CASE WHEN (SELECT sum(claims) FROM costmodel_mart.claims_monthly) <> (SELECT count(*) FROM costmodel.claims) THEN 'claims_monthly claims' END,
        CASE WHEN (SELECT sum(billed_amount) FROM costmodel_mart.claims_monthly) <> (SELECT sum(claim_amount) FROM costmodel.claims) THEN 'claims_monthly billed' END,
        CASE WHEN (SELECT sum(claims) FROM costmodel_mart.payer_performance) <> (SELECT count(*) FROM costmodel.claims) THEN 'payer_performance claims' END,
        CASE WHEN NOT EXISTS (SELECT FROM costmodel_mart.ar_aging WHERE claims_0_30_days > 0 AND claims_31_60_days > 0
                                                                   AND claims_61_90_days > 0 AND claims_over_90_days > 0) THEN 'AR buckets' END,
        CASE WHEN NOT EXISTS (SELECT FROM costmodel_mart.ar_aging WHERE claims_unknown_age > 0) THEN 'AR unknown age' END,
        CASE WHEN NOT EXISTS (SELECT FROM costmodel_mart.payer_performance WHERE top_denial_reason_3 IS NOT NULL) THEN 'denial reasons' END,
        CASE WHEN (SELECT count(*) FROM costmodel_mart.load_report) <> (SELECT count(*) FROM costmodel.load_log) + 1 THEN 'loads' END,
        CASE WHEN NOT EXISTS (SELECT FROM costmodel_mart.claims_monthly WHERE payer = 'unknown') THEN 'unknown payer' END,
        CASE WHEN NOT EXISTS (SELECT FROM costmodel_mart.claims_monthly WHERE undated_claims > 0) THEN 'undated claims' END)")
[ -z "$missing" ]
report $? "the marts account for every claim and amount, fill every AR bucket, three denial reasons, every load, unknown payers and undated claims${missing:+ (missing: $missing)}"
q "SELECT bool_and(outstanding_amount = amount_0_30_days + amount_31_60_days + amount_61_90_days + amount_over_90_days + amount_unknown_age
                AND outstanding_claims = claims_0_30_days + claims_31_60_days + claims_61_90_days + claims_over_90_days + claims_unknown_age)
     FROM costmodel_mart.ar_aging" | grep -qx t
report $? "ar_aging: the buckets add up to the outstanding claims and amount of every payer"

# --- as_of_at is the refresh time ------------------------------------------------------------
for mart in ar_aging load_report; do
	q "SELECT count(DISTINCT a.as_of_at) = 1 AND bool_and(a.as_of_at BETWEEN g.started_at - interval '1 minute' AND g.finished_at)
	   FROM costmodel_mart.$mart a,
	        (SELECT started_at, finished_at FROM costmodel.refresh_log WHERE mart_name = '$mart'
	          ORDER BY refresh_log_id DESC LIMIT 1) g" | grep -qx t
	report $? "$mart: one as_of_at, the time of its refresh"
done
q "SELECT bool_and(as_of_date = (as_of_at AT TIME ZONE 'UTC')::date) FROM costmodel_mart.ar_aging" | grep -qx t
report $? "ar_aging: as_of_date is the UTC day of as_of_at"

# --- typical dashboard queries: under 50 ms -------------------------------------------------
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
claims_monthly|SELECT month_date, sum(claims) AS claims, sum(billed_amount) AS billed, sum(paid_amount) AS paid, sum(approved_claims)::float8 / nullif(sum(decided_claims), 0) AS approval_rate, sum(denied_claims)::float8 / nullif(sum(decided_claims), 0) AS denial_rate FROM costmodel_mart.claims_monthly WHERE payer = 'Northwind Health' AND month_date >= date_trunc('month', now() AT TIME ZONE 'UTC')::date - 365 GROUP BY month_date ORDER BY month_date
payer_performance|SELECT payer, month_date, claims, submission_share, approval_rate, denial_rate, avg_days_to_adjudicate, top_denial_reason_1, top_denial_reason_1_claims FROM costmodel_mart.payer_performance WHERE month_date >= date_trunc('month', now() AT TIME ZONE 'UTC')::date - 365 ORDER BY payer, month_date
ar_aging|SELECT payer, outstanding_amount, amount_0_30_days, amount_31_60_days, amount_61_90_days, amount_over_90_days, share_over_90_days FROM costmodel_mart.ar_aging ORDER BY outstanding_amount DESC
load_report|SELECT loader, source, file_name, status, started_at, duration_seconds, rows_read, rows_loaded, rows_rejected, reject_rate FROM costmodel_mart.load_report ORDER BY started_at DESC LIMIT 50
QUERIES

# --- real data: the Synthea sample --------------------------------------------------------
DATA=
for d in "$ROOT/../shared/data/synthea" /work/shared/data/synthea; do
	if [ -r "$d/claims.csv" ] && [ -r "$d/claims_transactions.csv" ] && [ -r "$d/payers.csv" ]; then
		DATA=$(cd "$d" && pwd)
		break
	fi
done
if [ -z "$DATA" ]; then
	echo "not ok - Synthea sample found (claims.csv, claims_transactions.csv, payers.csv)"
	exit 1
fi
createdb "$SDB" && psql -qX -d "$SDB" -c "CREATE EXTENSION costmodel" >/dev/null &&
	"$LOAD" -d "$SDB" csv --source claims --map "$ROOT/loader/maps/synthea_claims.map" "$DATA/claims.csv" >"$WORK/synthea_load" 2>&1 &&
	psql -qX -v ON_ERROR_STOP=1 -d "$SDB" -c "CALL costmodel.refresh_marts()" >/dev/null 2>&1
report $? "Synthea sample loaded with loader/maps/synthea_claims.map and the marts refreshed"
asof=$(QDB=$SDB q "SELECT max(as_of_date) FROM costmodel_mart.ar_aging")

# python3 over the raw files: the same rules, from the CSVs
python3 - "$DATA" "$asof" >"$WORK/synthea_expected" <<'PY'
import csv, sys, datetime
from decimal import Decimal
d, asof = sys.argv[1], datetime.date.fromisoformat(sys.argv[2])
def rows(name):
    return list(csv.DictReader(open(d + '/' + name, newline='', encoding='utf-8')))
cents = Decimal('0.01')
payers = {r['Id']: r['NAME'] for r in rows('payers.csv')}
charge, paid = {}, {}
for t in rows('claims_transactions.csv'):
    if t['TYPE'] == 'CHARGE':
        charge[t['CLAIMID']] = charge.get(t['CLAIMID'], Decimal(0)) + Decimal(t['AMOUNT'])
    elif t['TYPE'] == 'PAYMENT':
        paid[t['CLAIMID']] = paid.get(t['CLAIMID'], Decimal(0)) + Decimal(t['PAYMENTS'])
monthly, month_total, per_pm, ar = {}, {}, {}, {}
for c in rows('claims.csv'):
    month = c['SERVICEDATE'][:7] + '-01'
    payer = payers.get(c['PRIMARYPATIENTINSURANCEID'], 'unknown')
    status = {'CLOSED': 'paid', 'BILLED': 'submitted'}[c['STATUS1']]
    billed = charge.get(c['Id'], Decimal(0))
    k = (month, payer, status)
    n, b, p = monthly.get(k, (0, Decimal(0), Decimal(0)))
    monthly[k] = (n + 1, b + billed, p + paid.get(c['Id'], Decimal(0)))
    month_total[month] = month_total.get(month, 0) + 1
    per_pm[(payer, month)] = per_pm.get((payer, month), 0) + 1
    ar.setdefault(payer, {'0_30': [0, Decimal(0)], '31_60': [0, Decimal(0)], '61_90': [0, Decimal(0)], 'over_90': [0, Decimal(0)]})
    if status == 'submitted':
        age = (asof - datetime.date.fromisoformat(c['SERVICEDATE'][:10])).days
        b = '0_30' if age <= 30 else '31_60' if age <= 60 else '61_90' if age <= 90 else 'over_90'
        ar[payer][b][0] += 1
        ar[payer][b][1] += billed
for k in sorted(monthly):
    n, b, p = monthly[k]
    print('monthly %s|%s|%s|%d|%s|%s' % (k[0], k[1], k[2], n, b.quantize(cents), p.quantize(cents)))
for (payer, month) in sorted(per_pm):
    r = repr(per_pm[(payer, month)] / month_total[month])   # the shortest exact form, as PostgreSQL prints a double
    print('share %s|%s|%d|%s' % (payer, month, per_pm[(payer, month)], r[:-2] if r.endswith('.0') else r))
for payer in sorted(ar):
    a = ar[payer]
    print('ar %s|%s' % (payer, '|'.join('%d|%s' % (a[b][0], a[b][1].quantize(cents)) for b in ('0_30', '31_60', '61_90', 'over_90'))))
PY
report $? "python3 computed the Synthea figures from the CSV files (as of $asof)"
QDB=$SDB q "SELECT 'monthly ' || month_date || '|' || payer || '|' || status || '|' || sum(claims) || '|'
                   || sum(billed_amount)::numeric(14,2) || '|' || sum(paid_amount)::numeric(14,2)
              FROM costmodel_mart.claims_monthly GROUP BY month_date, payer, status
             ORDER BY month_date, payer COLLATE \"C\", status COLLATE \"C\"" >"$WORK/synthea_got"
QDB=$SDB q "SELECT 'share ' || payer || '|' || month_date || '|' || claims || '|' || submission_share
              FROM costmodel_mart.payer_performance ORDER BY payer COLLATE \"C\", month_date" >>"$WORK/synthea_got"
QDB=$SDB q "SELECT 'ar ' || payer || '|' || concat_ws('|', claims_0_30_days, amount_0_30_days, claims_31_60_days, amount_31_60_days,
                                                   claims_61_90_days, amount_61_90_days, claims_over_90_days, amount_over_90_days)
              FROM costmodel_mart.ar_aging ORDER BY payer COLLATE \"C\"" >>"$WORK/synthea_got"
sort "$WORK/synthea_expected" >"$WORK/se"
sort "$WORK/synthea_got" >"$WORK/sg"
diff "$WORK/se" "$WORK/sg" >"$WORK/synthea.diff"
report $? "Synthea through the marts: $(grep -c '^monthly' "$WORK/sg") month x payer x status rows (claims, billed, paid), $(grep -c '^share' "$WORK/sg") payer months (shares), $(grep -c '^ar' "$WORK/sg") payers' AR buckets equal python's"
[ -s "$WORK/synthea.diff" ] && head -n 20 "$WORK/synthea.diff" | sed 's/^/#   /'
q_s=$(QDB=$SDB q "SELECT sum(outstanding_claims) || ' ' || sum(claims_over_90_days) FROM costmodel_mart.ar_aging")
[ "$q_s" = "2 2" ]
report $? "Synthea: the 2 BILLED claims are outstanding, both over 90 days old ($q_s)"

exit $failed
