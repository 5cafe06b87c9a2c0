#!/usr/bin/env bash
# marts_estimator_test.sh: every column of every cost-estimator mart against
# an independent plain-SQL recomputation over generated data.
#
# 25,000 generated traces (costmodel-gen, messy forms, duplicates and
# malformed lines included) are loaded with costmodel-load; then the edges
# the generator does not make are planted: traces dated only by
# responded_at, traces with no date at all, NULL channels, unreadable status
# codes, results whose request row is gone, lines without a provider, NULL
# provider types and NULL result statuses.  refresh_marts() fills the marts.
# The reference below is written from the facts alone, without the marts'
# internal views, with its own formulations: lines as request rows UNION ALL
# orphan results; exceptions from fact_exception rows, not from the
# exception_count columns; percentiles by row numbers, not percentile_cont /
# percentile_disc; ranks by counting.  Each mart is compared with its
# reference row by row on its grain: no row only on one side, and every
# column equal (numeric and text exactly, double precision within 1e-9
# relative).  The settings are changed and estimator_daily compared again,
# and each mart's typical dashboard query must answer within 50 ms.
set -uo pipefail
cd "${COSTMODEL_ROOT:-.}"
LOAD=${COSTMODEL_LOAD:-./costmodel-load}
GEN=${COSTMODEL_GEN:-./costmodel-gen}
DB=cm_marts_est_$$
WORK=$(mktemp -d)
failures=0
trap 'dropdb --if-exists "$DB" 2>/dev/null; rm -rf "$WORK"' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
sql() { PGTZ=UTC psql -X -q -v ON_ERROR_STOP=1 -At -d "$DB" "$@"; }

createdb "$DB" && sql -c "CREATE EXTENSION costmodel" || { notok "database set-up"; exit 1; }
"$GEN" traces --count 25000 --seed 505 --days 45 > "$WORK/traces.ndjson" || { notok "generating traces"; exit 1; }
"$LOAD" -d "$DB" traces "$WORK/traces.ndjson" > "$WORK/load.out"
rc=$?
check "costmodel-load loaded the traces (exit $rc: 0, or 3 with rejects)" test $rc -eq 0 -o $rc -eq 3
n=$(sql -c "SELECT count(*) FROM costmodel.fact_trace")
check "at least 20,000 traces loaded ($n)" test "$n" -ge 20000

# ---------------------------------------------------------------- the planted edges
sql <<'SQL' || { notok "planting the edges"; exit 1; }
-- dated by responded_at only
UPDATE costmodel.fact_trace SET received_at = NULL
 WHERE responded_at IS NOT NULL AND ('x' || substr(md5(trace_id), 1, 6))::bit(24)::int % 100 = 1;
-- no date at all (left out of every mart), some with results and exceptions
UPDATE costmodel.fact_trace SET received_at = NULL, responded_at = NULL
 WHERE ('x' || substr(md5(trace_id), 1, 6))::bit(24)::int % 250 = 7;
UPDATE costmodel.fact_trace SET channel = NULL
 WHERE ('x' || substr(md5(trace_id), 7, 6))::bit(24)::int % 60 = 3;
UPDATE costmodel.fact_trace SET status_code = NULL
 WHERE has_response AND ('x' || substr(md5(trace_id), 13, 6))::bit(24)::int % 300 = 5;
-- results whose request row is gone (orphans), including some with exceptions
DELETE FROM costmodel.fact_request q
 WHERE ('x' || substr(md5(q.trace_id || q.line_id || q.provider_id), 1, 6))::bit(24)::int % 150 = 11
   AND EXISTS (SELECT FROM costmodel.fact_response r
                WHERE (r.trace_id, r.line_id, r.provider_id) = (q.trace_id, q.line_id, q.provider_id));
-- service lines sent without a provider (provider_id ''), on requests without results
UPDATE costmodel.fact_request q SET provider_id = '', provider_seq = 0, npi = NULL, provider_type = NULL, network_id = NULL
 WHERE ('x' || substr(md5(q.trace_id || q.line_id), 1, 6))::bit(24)::int % 4 = 0
   AND NOT EXISTS (SELECT FROM costmodel.fact_response r WHERE r.trace_id = q.trace_id)
   AND NOT EXISTS (SELECT FROM costmodel.fact_request o WHERE o.trace_id = q.trace_id AND o.line_id = q.line_id
                                                       AND o.provider_id <> q.provider_id);
UPDATE costmodel.fact_request SET provider_type = NULL
 WHERE ('x' || substr(md5(trace_id || line_id || provider_id), 7, 6))::bit(24)::int % 200 = 13;
UPDATE costmodel.fact_response SET result_status = NULL
 WHERE ('x' || substr(md5(trace_id || line_id || provider_id), 13, 6))::bit(24)::int % 300 = 17;
ANALYZE;
SQL
edges=$(sql -c "SELECT (SELECT count(*) FROM costmodel.fact_trace WHERE received_at IS NULL AND responded_at IS NOT NULL)
                || ' ' || (SELECT count(*) FROM costmodel.fact_trace WHERE received_at IS NULL AND responded_at IS NULL)
                || ' ' || (SELECT count(*) FROM costmodel.fact_response r WHERE NOT EXISTS (SELECT FROM costmodel.fact_request q
                             WHERE (q.trace_id, q.line_id, q.provider_id) = (r.trace_id, r.line_id, r.provider_id)))
                || ' ' || (SELECT count(*) FROM costmodel.fact_trace WHERE NOT has_response)
                || ' ' || (SELECT count(*) FROM costmodel.fact_request WHERE provider_id = '')")
read -r by_resp undated orphans noresp noprov <<<"$edges"
check "edges present: $by_resp dated by responded_at, $undated undated, $orphans orphan results, $noresp without response, $noprov lines without a provider" \
    test "$by_resp" -gt 0 -a "$undated" -gt 0 -a "$orphans" -gt 0 -a "$noresp" -gt 0 -a "$noprov" -gt 0

sql -c "CALL costmodel.refresh_marts()" >/dev/null 2>"$WORK/refresh.err"
bad=$(sql -c "SELECT count(*) FROM costmodel.refresh_log l JOIN costmodel.mart m USING (mart_name)
               WHERE m.area = 'estimator' AND l.status <> 'ok'")
check "refresh_marts refreshed every estimator mart ($bad failed)" test "$bad" = 0

# ---------------------------------------------------------------- the reference
# estimator_daily's reference is built twice (again after the settings change)
read -r -d '' REF_ESTIMATOR_DAILY <<'SQL'
-- estimator_daily
CREATE TABLE ref.estimator_daily AS
WITH tr AS (
    SELECT t.*,
           EXISTS (SELECT 1 FROM costmodel.fact_exception e WHERE e.trace_id = t.trace_id) AS any_exc,
           (SELECT count(*) FROM costmodel.fact_exception e WHERE e.trace_id = t.trace_id) AS n_exc,
           EXISTS (SELECT 1 FROM costmodel.fact_response r WHERE r.trace_id = t.trace_id
                      AND (r.in_network_estimate IS NOT NULL OR r.out_of_network_estimate IS NOT NULL)) AS estimated
      FROM ref.trace t
), g AS (
    SELECT d, ch,
           count(*) AS requests,
           sum(line_count) AS lines,
           sum(CASE WHEN has_response AND status_code = 200 THEN 1 ELSE 0 END) AS ok200,
           sum(CASE WHEN has_response AND status_code = 207 THEN 1 ELSE 0 END) AS ok207,
           sum(CASE WHEN any_exc THEN 1 ELSE 0 END) AS exc_req,
           sum(n_exc) AS exc,
           sum(CASE WHEN estimated THEN 1 ELSE 0 END) AS est_req,
           sum(provider_count)::float8 / count(*) AS providers,
           array_agg(latency_ms::float8 ORDER BY latency_ms) FILTER (WHERE latency_ms IS NOT NULL) AS lat,
           sum(CASE WHEN latency_ms <= (SELECT target FROM ref.params) THEN 1 ELSE 0 END) AS on_time
      FROM tr GROUP BY d, ch
), m AS (
    SELECT t.d, t.ch,
           sum(r.in_network_estimate) AS inn, sum(r.out_of_network_estimate) AS oon,
           sum(r.patient_total) AS pt,
           sum(CASE WHEN r.in_network_estimate IS NOT NULL THEN r.in_network_estimate ELSE r.out_of_network_estimate END) AS est
      FROM costmodel.fact_response r JOIN ref.trace t USING (trace_id)
     GROUP BY t.d, t.ch
)
SELECT g.d AS day_date, g.ch AS channel, c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter,
       g.requests, g.lines, g.ok200 AS succeeded_requests, g.ok207 AS partial_requests,
       g.requests - g.ok200 - g.ok207 AS failed_requests,
       g.ok200::float8 / g.requests AS success_rate,
       g.exc_req AS exception_requests, g.exc AS exceptions, g.exc_req::float8 / g.requests AS exception_rate,
       g.est_req AS estimated_requests,
       coalesce(m.inn, 0) AS in_network_estimate_total, coalesce(m.oon, 0) AS out_of_network_estimate_total,
       coalesce(m.pt, 0) AS patient_responsibility_total, coalesce(m.est, 0) AS estimate_total,
       CASE WHEN g.est_req > 0 THEN round(coalesce(m.est, 0) / g.est_req, 2) END AS avg_cost_per_request,
       g.providers AS avg_providers_per_request,
       ref.interp(coalesce(g.lat, '{}'), 0.5) AS latency_p50_ms,
       ref.interp(coalesce(g.lat, '{}'), 0.95) AS latency_p95_ms,
       g.on_time AS on_time_requests, g.on_time::float8 / g.requests AS on_time_rate,
       CASE WHEN p.ws + p.we + p.wl > 0 THEN
            100 * (p.ws * (g.ok200::float8 / g.requests) + p.we * (1 - g.exc_req::float8 / g.requests)
                   + p.wl * (g.on_time::float8 / g.requests)) / (p.ws + p.we + p.wl) END AS health_score
  FROM g LEFT JOIN m ON m.d = g.d AND m.ch = g.ch
  LEFT JOIN ref.cal c ON c.date_key = g.d
 CROSS JOIN ref.params p;
SQL

sql <<'SQL' || { notok "building the reference"; exit 1; }
CREATE SCHEMA ref;

-- the settings, read from the table
CREATE TABLE ref.params AS
SELECT max(value::numeric) FILTER (WHERE name = 'estimator_latency_target') AS target,
       max(value::float8) FILTER (WHERE name = 'estimator_health_weight_success') AS ws,
       max(value::float8) FILTER (WHERE name = 'estimator_health_weight_exceptions') AS we,
       max(value::float8) FILTER (WHERE name = 'estimator_health_weight_latency') AS wl
  FROM costmodel.settings;

-- one row per trace with its day: received_at, else responded_at, as a UTC date
CREATE TABLE ref.trace AS
SELECT t.*,
       CASE WHEN t.received_at IS NOT NULL THEN timezone('UTC', t.received_at)::date
            WHEN t.responded_at IS NOT NULL THEN timezone('UTC', t.responded_at)::date END AS d,
       CASE WHEN t.channel IS NULL THEN 'unknown' ELSE t.channel END AS ch
  FROM costmodel.fact_trace t;
DELETE FROM ref.trace WHERE d IS NULL;
CREATE UNIQUE INDEX ON ref.trace (trace_id);

-- one row per line: every request row with its result, then every result without a request row
CREATE TABLE ref.line AS
SELECT q.trace_id, q.line_id, q.provider_id,
       CASE WHEN q.service_code IS NOT NULL THEN q.service_code
            WHEN r.service_code IS NOT NULL THEN r.service_code ELSE 'unknown' END AS svc,
       CASE WHEN q.provider_type IS NULL THEN 'unknown' ELSE q.provider_type END AS ptype,
       CASE WHEN q.network_id IS NULL THEN 'none' ELSE q.network_id END AS net,
       r.trace_id IS NOT NULL AS has_result,
       CASE WHEN r.trace_id IS NULL THEN 'no_result' ELSE r.network_status END AS nstatus,
       r.result_status, r.covered, r.prior_auth_required,
       r.in_network_estimate AS inn, r.out_of_network_estimate AS oon,
       r.patient_total, r.patient_copay, r.patient_coinsurance, r.patient_deductible, r.plan_pays
  FROM costmodel.fact_request q
  LEFT JOIN costmodel.fact_response r
    ON r.trace_id = q.trace_id AND r.line_id = q.line_id AND r.provider_id = q.provider_id
UNION ALL
SELECT r.trace_id, r.line_id, r.provider_id,
       CASE WHEN r.service_code IS NULL THEN 'unknown' ELSE r.service_code END,
       'unknown', 'unknown', true, r.network_status,
       r.result_status, r.covered, r.prior_auth_required,
       r.in_network_estimate, r.out_of_network_estimate,
       r.patient_total, r.patient_copay, r.patient_coinsurance, r.patient_deductible, r.plan_pays
  FROM costmodel.fact_response r
 WHERE NOT EXISTS (SELECT 1 FROM costmodel.fact_request q
                    WHERE q.trace_id = r.trace_id AND q.line_id = r.line_id AND q.provider_id = r.provider_id);
ALTER TABLE ref.line ADD COLUMN success boolean, ADD COLUMN est numeric, ADD COLUMN has_exc boolean, ADD COLUMN d date;
UPDATE ref.line l SET
    success = l.result_status IS NOT NULL AND l.result_status IN ('estimated', 'partial'),
    est = CASE WHEN l.inn IS NOT NULL THEN l.inn ELSE l.oon END,
    has_exc = EXISTS (SELECT 1 FROM costmodel.fact_exception e
                       WHERE e.trace_id = l.trace_id
                         AND (e.level = 'request' OR (e.line_id = l.line_id AND e.provider_id = l.provider_id))),
    d = (SELECT t.d FROM ref.trace t WHERE t.trace_id = l.trace_id);
DELETE FROM ref.line WHERE d IS NULL;

-- the calendar roll-ups
CREATE VIEW ref.cal AS SELECT date_key, week_start_date, month_start_date, fiscal_year, fiscal_quarter FROM costmodel.dim_date;

-- latency percentile p (0..1) of each group, interpolated by hand between row numbers
CREATE FUNCTION ref.interp(v double precision[], p double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN cardinality(v) = 0 THEN NULL
              ELSE v[1 + floor(p * (cardinality(v) - 1))::int]
                   + (p * (cardinality(v) - 1) - floor(p * (cardinality(v) - 1)))
                     * (v[1 + ceil(p * (cardinality(v) - 1))::int] - v[1 + floor(p * (cardinality(v) - 1))::int]) END
$$;
-- the p-th value by rank: the ceil(p * n)-th smallest (at least the first)
CREATE FUNCTION ref.disc(v numeric[], p double precision) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN cardinality(v) = 0 THEN NULL ELSE v[greatest(1, ceil(p * cardinality(v))::int)] END
$$;


-- status_daily
CREATE TABLE ref.status_daily AS
WITH s AS (
    SELECT d, ch, CASE WHEN status_code IS NULL THEN 0 ELSE status_code END AS code,
           CASE WHEN has_response = false THEN 'no_response'
                WHEN status_code IS NULL THEN 'unknown'
                WHEN status_code = 200 THEN 'success'
                WHEN status_code = 207 THEN 'partial'
                WHEN status_code = 504 THEN 'timeout'
                WHEN status_code >= 400 AND status_code < 500 THEN 'client_error'
                WHEN status_code >= 500 AND status_code < 600 THEN 'server_error'
                ELSE 'unknown' END AS class,
           latency_ms
      FROM ref.trace
), g AS (
    SELECT d, ch, code, class, count(*) AS n,
           array_agg(latency_ms::float8 ORDER BY latency_ms) FILTER (WHERE latency_ms IS NOT NULL) AS lat
      FROM s GROUP BY d, ch, code, class
)
SELECT g.d AS day_date, g.ch AS channel, g.code AS status_code, g.class AS status_class,
       c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter,
       g.n AS requests,
       g.n::float8 / (SELECT count(*) FROM ref.trace t WHERE t.d = g.d AND t.ch = g.ch) AS request_share,
       ref.interp(coalesce(g.lat, '{}'), 0.5) AS latency_p50_ms,
       ref.interp(coalesce(g.lat, '{}'), 0.95) AS latency_p95_ms
  FROM g LEFT JOIN ref.cal c ON c.date_key = g.d;

-- line_outcomes_daily
CREATE TABLE ref.line_outcomes_daily AS
SELECT l.d AS day_date, l.svc AS service_code, l.ptype AS provider_type, l.net AS network_id, l.nstatus AS network_status,
       c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter,
       count(*) AS lines,
       count(*) FILTER (WHERE l.has_result) AS result_lines,
       count(*) FILTER (WHERE l.success) AS succeeded_lines,
       count(*) FILTER (WHERE l.has_exc) AS exception_lines,
       count(*) FILTER (WHERE l.covered IS NOT NULL) AS coverage_known_lines,
       count(*) FILTER (WHERE l.covered = true) AS covered_lines,
       count(*) FILTER (WHERE l.prior_auth_required = true) AS prior_auth_lines,
       count(*) FILTER (WHERE l.est IS NOT NULL) AS estimated_lines,
       coalesce(sum(l.est), 0) AS estimate_total,
       coalesce(sum(l.inn), 0) AS in_network_estimate_total,
       coalesce(sum(l.oon), 0) AS out_of_network_estimate_total,
       coalesce(sum(l.patient_total), 0) AS patient_responsibility_total,
       coalesce(sum(l.patient_copay), 0) AS patient_copay_total,
       coalesce(sum(l.patient_coinsurance), 0) AS patient_coinsurance_total,
       coalesce(sum(l.patient_deductible), 0) AS patient_deductible_total,
       coalesce(sum(l.plan_pays), 0) AS plan_pays_total
  FROM ref.line l LEFT JOIN ref.cal c ON c.date_key = l.d
 GROUP BY l.d, l.svc, l.ptype, l.net, l.nstatus, c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter;

-- service_daily, straight from the lines
CREATE TABLE ref.service_daily AS
SELECT l.d AS day_date, l.svc AS service_code,
       c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter,
       count(*) AS lines,
       count(*) FILTER (WHERE l.success) AS succeeded_lines,
       (count(*) FILTER (WHERE l.success))::float8 / count(*) AS success_rate,
       count(*) FILTER (WHERE l.has_exc) AS exception_lines,
       (count(*) FILTER (WHERE l.has_exc))::float8 / count(*) AS exception_rate,
       count(l.covered) AS coverage_known_lines,
       count(*) FILTER (WHERE l.covered) AS covered_lines,
       CASE WHEN count(l.covered) > 0 THEN (count(*) FILTER (WHERE l.covered))::float8 / count(l.covered) END AS coverage_rate,
       count(l.est) AS estimated_lines,
       coalesce(sum(l.est), 0) AS estimate_total,
       CASE WHEN count(l.est) > 0 THEN round(sum(l.est) / count(l.est), 2) END AS avg_cost,
       coalesce(sum(l.patient_total), 0) AS patient_responsibility_total
  FROM ref.line l LEFT JOIN ref.cal c ON c.date_key = l.d
 GROUP BY l.d, l.svc, c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter;

-- coverage_daily
CREATE TABLE ref.coverage_daily AS
SELECT l.d AS day_date, l.svc AS service_code, l.ptype AS provider_type,
       c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter,
       count(*) AS lines,
       count(*) FILTER (WHERE l.has_result) AS result_lines,
       count(l.covered) AS coverage_known_lines,
       count(*) FILTER (WHERE l.covered) AS covered_lines,
       count(*) FILTER (WHERE NOT l.covered) AS not_covered_lines,
       CASE WHEN count(l.covered) > 0 THEN (count(*) FILTER (WHERE l.covered))::float8 / count(l.covered) END AS coverage_rate,
       count(*) FILTER (WHERE l.prior_auth_required) AS prior_auth_lines
  FROM ref.line l LEFT JOIN ref.cal c ON c.date_key = l.d
 GROUP BY l.d, l.svc, l.ptype, c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter;

-- costs_daily, straight from the results
CREATE TABLE ref.costs_daily AS
SELECT t.d AS day_date, r.network_status,
       c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter,
       count(*) AS results,
       count(*) FILTER (WHERE r.in_network_estimate IS NOT NULL OR r.out_of_network_estimate IS NOT NULL) AS estimated_results,
       coalesce(sum(r.in_network_estimate), 0) AS in_network_estimate_total,
       coalesce(sum(r.out_of_network_estimate), 0) AS out_of_network_estimate_total,
       coalesce(sum(coalesce(r.in_network_estimate, r.out_of_network_estimate)), 0) AS estimate_total,
       round(sum(coalesce(r.in_network_estimate, r.out_of_network_estimate))
             / nullif(count(*) FILTER (WHERE r.in_network_estimate IS NOT NULL OR r.out_of_network_estimate IS NOT NULL), 0), 2) AS avg_estimate,
       coalesce(sum(r.patient_total), 0) AS patient_responsibility_total,
       coalesce(sum(r.patient_copay), 0) AS patient_copay_total,
       coalesce(sum(r.patient_coinsurance), 0) AS patient_coinsurance_total,
       coalesce(sum(r.patient_deductible), 0) AS patient_deductible_total,
       coalesce(sum(r.plan_pays), 0) AS plan_pays_total
  FROM costmodel.fact_response r JOIN ref.trace t USING (trace_id)
  LEFT JOIN ref.cal c ON c.date_key = t.d
 GROUP BY t.d, r.network_status, c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter;

-- exceptions_daily: every cell x every type seen, with the hits counted per line
CREATE TABLE ref.exceptions_daily AS
WITH cell AS (
    SELECT d, svc, ptype, net, count(*) AS lines FROM ref.line GROUP BY d, svc, ptype, net
), hits AS (
    SELECT l.d, l.svc, l.ptype, l.net, e.exception_type, l.trace_id, l.line_id, l.provider_id,
           count(*) AS n, count(*) FILTER (WHERE e.severity = 'error') AS n_err
      FROM ref.line l
      JOIN costmodel.fact_exception e
        ON e.trace_id = l.trace_id
       AND ((e.level = 'result' AND e.line_id = l.line_id AND e.provider_id = l.provider_id) OR e.level = 'request')
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
), per AS (
    SELECT d, svc, ptype, net, exception_type, count(*) AS affected, sum(n) AS n, sum(n_err) AS n_err
      FROM hits GROUP BY 1, 2, 3, 4, 5
)
SELECT cell.d AS day_date, ty.exception_type, cell.svc AS service_code, cell.ptype AS provider_type, cell.net AS network_id,
       c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter,
       cell.lines,
       coalesce(per.affected, 0) AS lines_affected,
       coalesce(per.n, 0) AS exceptions,
       coalesce(per.n_err, 0) AS error_exceptions,
       coalesce(per.affected, 0)::float8 / cell.lines AS exception_rate
  FROM cell
 CROSS JOIN (SELECT DISTINCT exception_type FROM costmodel.fact_exception) ty
  LEFT JOIN per ON per.d = cell.d AND per.svc = cell.svc AND per.ptype = cell.ptype AND per.net = cell.net
               AND per.exception_type = ty.exception_type
  LEFT JOIN ref.cal c ON c.date_key = cell.d;

-- exceptions_service_daily: the same per day x type x service, from the lines again
CREATE TABLE ref.exceptions_service_daily AS
WITH cell AS (
    SELECT d, svc, count(*) AS lines FROM ref.line GROUP BY d, svc
), per AS (
    SELECT l.d, l.svc, e.exception_type,
           count(DISTINCT (l.trace_id, l.line_id, l.provider_id)) AS affected,
           count(*) AS n, count(*) FILTER (WHERE e.severity = 'error') AS n_err
      FROM ref.line l
      JOIN costmodel.fact_exception e
        ON e.trace_id = l.trace_id
       AND ((e.level = 'result' AND e.line_id = l.line_id AND e.provider_id = l.provider_id) OR e.level = 'request')
     GROUP BY 1, 2, 3
)
SELECT cell.d AS day_date, ty.exception_type, cell.svc AS service_code,
       c.week_start_date, c.month_start_date, c.fiscal_year, c.fiscal_quarter,
       cell.lines,
       coalesce(per.affected, 0) AS lines_affected,
       coalesce(per.n, 0) AS exceptions,
       coalesce(per.n_err, 0) AS error_exceptions,
       coalesce(per.affected, 0)::float8 / cell.lines AS exception_rate
  FROM cell
 CROSS JOIN (SELECT DISTINCT exception_type FROM costmodel.fact_exception) ty
  LEFT JOIN per ON per.d = cell.d AND per.svc = cell.svc AND per.exception_type = ty.exception_type
  LEFT JOIN ref.cal c ON c.date_key = cell.d;

-- service_performance: over all dated lines, quartiles and rank by hand
CREATE TABLE ref.service_performance AS
WITH s AS (
    SELECT svc,
           min(d) AS first_d, max(d) AS last_d,
           count(*) AS lines,
           count(*) FILTER (WHERE success) AS ok,
           count(*) FILTER (WHERE has_exc) AS exc,
           count(covered) AS known,
           count(*) FILTER (WHERE covered) AS cov,
           count(est) AS n_est,
           coalesce(sum(est), 0) AS est_total,
           array_agg(est ORDER BY est) FILTER (WHERE est IS NOT NULL) AS ests
      FROM ref.line GROUP BY svc
)
SELECT s.svc AS service_code,
       costmodel.service_code_system(upper(btrim(s.svc))) AS code_system,
       costmodel.service_category(costmodel.service_code_system(upper(btrim(s.svc))), upper(btrim(s.svc))) AS service_category,
       (SELECT ds.description FROM costmodel.dim_service ds
         WHERE ds.service_code = upper(btrim(s.svc)) AND ds.code_system = costmodel.service_code_system(upper(btrim(s.svc)))) AS service_description,
       s.first_d AS first_day_date, s.last_d AS last_day_date,
       s.lines, s.ok AS succeeded_lines, s.ok::float8 / s.lines AS success_rate,
       s.exc AS exception_lines, s.exc::float8 / s.lines AS exception_rate,
       s.known AS coverage_known_lines, s.cov AS covered_lines,
       CASE WHEN s.known > 0 THEN s.cov::float8 / s.known END AS coverage_rate,
       s.n_est AS estimated_lines, s.est_total AS estimate_total,
       CASE WHEN s.n_est > 0 THEN round(s.est_total / s.n_est, 2) END AS avg_cost,
       ref.disc(coalesce(s.ests, '{}'), 0.25) AS cost_p25,
       ref.disc(coalesce(s.ests, '{}'), 0.5) AS cost_p50,
       ref.disc(coalesce(s.ests, '{}'), 0.75) AS cost_p75,
       1 + (SELECT count(*) FROM s s2 WHERE s2.lines > s.lines) AS volume_rank
  FROM s;

-- provider_performance
CREATE TABLE ref.provider_performance AS
WITH p AS (
    SELECT provider_id, ptype, net,
           count(*) AS lines,
           count(*) FILTER (WHERE success) AS ok,
           count(*) FILTER (WHERE has_exc) AS exc,
           count(est) AS n_est,
           coalesce(sum(est), 0) AS est_total
      FROM ref.line GROUP BY provider_id, ptype, net
)
SELECT p.provider_id, p.ptype AS provider_type, p.net AS network_id,
       (SELECT dp.npi FROM costmodel.dim_provider dp WHERE dp.provider_id = p.provider_id) AS npi,
       p.lines, p.ok AS succeeded_lines, p.ok::float8 / p.lines AS success_rate,
       p.exc AS exception_lines, p.exc::float8 / p.lines AS exception_rate,
       p.n_est AS estimated_lines, p.est_total AS estimate_total,
       CASE WHEN p.n_est > 0 THEN round(p.est_total / p.n_est, 2) END AS avg_cost,
       1 + (SELECT count(*) FROM p p2 WHERE p2.lines > p.lines) AS volume_rank
  FROM p;

-- compare mart NAME with ref.NAME on its grain: "rows only_in_mart only_in_ref differing_rows columns differing_columns"
CREATE FUNCTION ref.compare(mart_in text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    mv regclass := format('costmodel_mart.%I', mart_in)::regclass;
    rf regclass := format('ref.%I', mart_in)::regclass;
    keys text[];
    cols text[];
    missing text;
    diffs text[];
    on_keys text;
    res record;
    bad_cols text;
    n_bad bigint;
BEGIN
    SELECT string_to_array(replace(key_columns, ' ', ''), ',') INTO keys FROM costmodel.mart x WHERE x.mart_name = mart_in;
    SELECT string_agg(attname, ', ') INTO missing FROM (
        SELECT attname FROM pg_attribute WHERE attrelid = mv AND attnum > 0
        EXCEPT SELECT attname FROM pg_attribute WHERE attrelid = rf AND attnum > 0) x;
    IF missing IS NOT NULL THEN RETURN 'reference lacks columns: ' || missing; END IF;
    SELECT array_agg(a.attname ORDER BY a.attnum),
           array_agg(CASE WHEN a.atttypid = 'float8'::regtype
                          THEN format('NOT ((m.%1$I IS NULL AND r.%1$I IS NULL) OR abs(m.%1$I - r.%1$I::float8) <= 1e-9 * greatest(1, abs(m.%1$I), abs(r.%1$I::float8)))', a.attname)
                          ELSE format('m.%1$I IS DISTINCT FROM r.%1$I', a.attname) END ORDER BY a.attnum)
      INTO cols, diffs
      FROM pg_attribute a WHERE a.attrelid = mv AND a.attnum > 0 AND NOT a.attisdropped;
    SELECT string_agg(format('m.%1$I = r.%1$I', k), ' AND ') INTO on_keys FROM unnest(keys) k;
    EXECUTE format('SELECT count(*) AS n, count(*) FILTER (WHERE r.%1$I IS NULL) AS only_mart,
                           count(*) FILTER (WHERE m.%1$I IS NULL) AS only_ref,
                           count(*) FILTER (WHERE m.%1$I IS NOT NULL AND r.%1$I IS NOT NULL AND (%2$s)) AS differ
                      FROM %3$s m FULL JOIN %4$s r ON %5$s',
                   keys[1], array_to_string(diffs, ' OR '), mv, rf, on_keys) INTO res;
    IF res.differ > 0 THEN
        bad_cols := '';
        FOR i IN 1 .. cardinality(cols) LOOP
            EXECUTE format('SELECT count(*) FROM %s m JOIN %s r ON %s WHERE %s', mv, rf, on_keys, diffs[i]) INTO n_bad;
            IF n_bad > 0 THEN bad_cols := bad_cols || cols[i] || ' (' || n_bad || ' rows) '; END IF;
        END LOOP;
        RETURN format('%s rows, %s only in the mart, %s only in the reference; differing: %s', res.n, res.only_mart, res.only_ref, bad_cols);
    END IF;
    RETURN format('%s %s %s %s %s', res.n, res.only_mart, res.only_ref, res.differ, cardinality(cols));
END
$$;
SQL
sql <<<"$REF_ESTIMATOR_DAILY" || { notok "building the estimator_daily reference"; exit 1; }

# Compare mart $1 with its reference: every row on both sides, every column equal.
compare() {
    local mart=$1 out rows only_m only_r differ ncols
    out=$(sql -c "SELECT ref.compare('$mart')" 2>&1) || { notok "$mart: comparison failed: $out"; return; }
    read -r rows only_m only_r differ ncols <<<"$out"
    if [[ $rows =~ ^[0-9]+$ && $rows -gt 0 && $only_m == 0 && $only_r == 0 && $differ == 0 ]]; then
        ok "$mart: $rows rows x $ncols columns equal to the reference (none only on one side)"
    else
        notok "$mart: $out"
    fi
}

marts=$(sql -c "SELECT string_agg(mart_name, ' ' ORDER BY refresh_order) FROM costmodel.mart WHERE area = 'estimator'")
check "ten estimator marts registered ($marts)" test "$(wc -w <<<"$marts")" -eq 10
for m in $marts; do
    compare "$m"
done

# the data exercise the rules: orphans, undated and NULL-channel traces reach (or stay out of) the marts
check "the result lines without a request row are in the marts (provider type unknown)" \
    test "$(sql -c "SELECT sum(lines) FROM costmodel_mart.line_outcomes_daily WHERE network_id = 'unknown'")" -gt 0
check "undated traces are left out: estimator_daily counts the dated traces only" \
    test "$(sql -c "SELECT sum(requests) FROM costmodel_mart.estimator_daily")" -eq "$((n - undated))"
check "NULL channels appear as 'unknown'" \
    test "$(sql -c "SELECT count(*) FROM costmodel_mart.estimator_daily WHERE channel = 'unknown'")" -gt 0
check "every exception type has a row for every cell (dense: sum(lines) per type = all lines)" \
    test "$(sql -c "SELECT count(DISTINCT s) FROM (SELECT sum(lines) s FROM costmodel_mart.exceptions_daily GROUP BY exception_type) x")" = 1
check "the planted rate-not-found pattern of 0337U shows in the heatmap (rate > 0.4)" \
    test "$(sql -c "SELECT sum(lines_affected)::float8 / sum(lines) > 0.4 FROM costmodel_mart.exceptions_service_daily
                    WHERE service_code = '0337U' AND exception_type = 'Rate not found'")" = t

# ---------------------------------------------------------------- settings change the marts
sql -c "UPDATE costmodel.settings SET value = '900' WHERE name = 'estimator_latency_target';
        UPDATE costmodel.settings SET value = '0.2' WHERE name = 'estimator_health_weight_success';
        UPDATE costmodel.settings SET value = '0.1' WHERE name = 'estimator_health_weight_exceptions';
        UPDATE costmodel.settings SET value = '0.7' WHERE name = 'estimator_health_weight_latency';" >/dev/null
sql -c "CALL costmodel.refresh_marts(ARRAY['estimator_daily'])" >/dev/null 2>&1
sql -c "DROP TABLE ref.params, ref.estimator_daily" >/dev/null
sql <<'SQL' >/dev/null || notok "rebuilding the reference with new settings"
CREATE TABLE ref.params AS
SELECT max(value::numeric) FILTER (WHERE name = 'estimator_latency_target') AS target,
       max(value::float8) FILTER (WHERE name = 'estimator_health_weight_success') AS ws,
       max(value::float8) FILTER (WHERE name = 'estimator_health_weight_exceptions') AS we,
       max(value::float8) FILTER (WHERE name = 'estimator_health_weight_latency') AS wl
  FROM costmodel.settings;
SQL
sql <<<"$REF_ESTIMATOR_DAILY" || notok "rebuilding the estimator_daily reference"
compare estimator_daily
check "the new latency target changed on_time_rate" \
    test "$(sql -c "SELECT count(*) FROM costmodel_mart.estimator_daily WHERE on_time_rate < 0.9")" -gt 0

# ---------------------------------------------------------------- the documentation
# docs/marts-estimator.md documents every column of every mart in the mart's section.
doc=docs/marts-estimator.md
for m in $marts; do
    undocumented=
    section=$(awk -v m="### $m" '$0 == m { on = 1; next } /^#+ / { on = 0 } on' "$doc")
    for c in $(sql -c "SELECT attname FROM pg_attribute WHERE attrelid = 'costmodel_mart.$m'::regclass AND attnum > 0 ORDER BY attnum"); do
        grep -qF "| \`$c\` |" <<<"$section" || undocumented="$undocumented $c"
    done
    check "$m: every column documented in $doc${undocumented:+ (missing:$undocumented)}" test -z "$undocumented"
done

# ---------------------------------------------------------------- typical dashboard queries
# Each mart's typical dashboard query (docs/marts-estimator.md) must answer in
# under 50 ms: best of three runs, timed by EXPLAIN ANALYZE.
declare -A dash=(
  [estimator_daily]="SELECT day_date, sum(requests) AS requests, sum(succeeded_requests)::float8 / sum(requests) AS success_rate, sum(estimate_total) AS estimates FROM costmodel_mart.estimator_daily WHERE day_date >= DATE '2025-01-01' GROUP BY day_date ORDER BY day_date"
  [status_daily]="SELECT status_class, status_code, sum(requests) FROM costmodel_mart.status_daily WHERE day_date >= DATE '2025-01-01' GROUP BY 1, 2 ORDER BY 3 DESC"
  [line_outcomes_daily]="SELECT provider_type, network_status, sum(lines), sum(succeeded_lines)::float8 / sum(lines) FROM costmodel_mart.line_outcomes_daily WHERE day_date >= DATE '2025-01-15' GROUP BY 1, 2"
  [service_daily]="SELECT day_date, lines, success_rate, exception_rate, avg_cost FROM costmodel_mart.service_daily WHERE service_code = '97112' ORDER BY day_date"
  [coverage_daily]="SELECT service_code, provider_type, sum(covered_lines)::float8 / nullif(sum(coverage_known_lines), 0) FROM costmodel_mart.coverage_daily WHERE day_date >= DATE '2025-01-15' GROUP BY 1, 2"
  [costs_daily]="SELECT month_start_date, network_status, sum(in_network_estimate_total), sum(out_of_network_estimate_total), sum(patient_responsibility_total) FROM costmodel_mart.costs_daily GROUP BY 1, 2 ORDER BY 1, 2"
  [exceptions_daily]="SELECT exception_type, provider_type, network_id, sum(lines_affected)::float8 / sum(lines) AS rate FROM costmodel_mart.exceptions_daily WHERE service_code = '0337U' AND day_date >= DATE '2025-01-15' GROUP BY 1, 2, 3"
  [exceptions_service_daily]="SELECT exception_type, service_code, sum(lines_affected)::float8 / sum(lines) AS rate FROM costmodel_mart.exceptions_service_daily WHERE day_date >= DATE '2025-01-15' GROUP BY 1, 2"
  [service_performance]="SELECT service_code, lines, success_rate, exception_rate, avg_cost, cost_p25, cost_p50, cost_p75 FROM costmodel_mart.service_performance WHERE volume_rank <= 10 ORDER BY volume_rank"
  [provider_performance]="SELECT provider_id, provider_type, network_id, lines, exception_rate FROM costmodel_mart.provider_performance WHERE lines >= 20 ORDER BY exception_rate DESC LIMIT 20"
)
for m in $marts; do
    q=${dash[$m]:-}
    if [[ -z $q ]]; then notok "$m: no typical dashboard query in this suite"; continue; fi
    best=
    for _ in 1 2 3; do
        t=$(sql -c "EXPLAIN (ANALYZE, FORMAT JSON) $q" | sed -n 's/.*"Execution Time": \([0-9.]*\).*/\1/p')
        best=$(awk -v t="${t:-999}" -v b="${best:-999}" 'BEGIN { print (t < b) ? t : b }')
    done
    check "$m: typical dashboard query in $best ms (< 50)" awk -v b="$best" 'BEGIN { exit !(b < 50) }'
done

exit $(( failures > 0 ))
