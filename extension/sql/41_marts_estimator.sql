-- 41_marts_estimator.sql: the cost-estimator marts, from the trace facts:
-- estimator_daily, status_daily, line_outcomes_daily (the additive line cube
-- the next ones roll up from), service_daily, coverage_daily, costs_daily,
-- exceptions_daily, exceptions_service_daily, service_performance and
-- provider_performance.
--
-- The rules every one of them shares are written once, in two internal views:
--   estimator_request  one row per trace: its day, channel and outcome;
--   estimator_line     one row per line (service line x provider): request
--                      rows, and any result that matches no request row.
-- Definitions (docs/marts-estimator.md has the reasoning):
--   day         the UTC date of received_at, else of responded_at; a trace
--               with neither is left out of every estimator mart.
--   request succeeded  status_code 200 (every line answered); 207 is partial;
--               anything else, or no response, failed.
--   line answered (line success)  its result's result_status is estimated or
--               partial (an estimate came back); no result, no_estimate or
--               anything else is not.
--   line with an exception  its result has an exception, or its request has
--               a request-level error (a timeout fails every line).
--   estimate    of a result: in_network_estimate, else out_of_network_estimate.
--   network_id  the network the provider was requested under; 'none' when it
--               was requested under none (out of network).
-- Money is summed exactly in numeric; averages are rounded to cents; cost
-- quartiles are percentile_disc (an actual estimate, exact) rather than
-- percentile_cont (which interpolates in double precision).

-- ---------------------------------------------------------------------------
-- The shared rules.
-- ---------------------------------------------------------------------------

-- One row per trace with the day, channel and outcome the estimator marts use.
CREATE VIEW @extschema@.estimator_request AS
SELECT t.trace_id,
       (COALESCE(t.received_at, t.responded_at) AT TIME ZONE 'UTC')::date AS day_date,
       COALESCE(t.channel, 'unknown') AS channel,
       COALESCE(t.status_code, 0) AS status_code,
       CASE WHEN NOT t.has_response THEN 'no_response'
            WHEN t.status_code = 200 THEN 'success'
            WHEN t.status_code = 207 THEN 'partial'
            WHEN t.status_code = 504 THEN 'timeout'
            WHEN t.status_code BETWEEN 400 AND 499 THEN 'client_error'
            WHEN t.status_code BETWEEN 500 AND 599 THEN 'server_error'
            ELSE 'unknown' END AS status_class,
       t.has_response AND t.status_code = 200 AS succeeded,
       t.has_response AND t.status_code = 207 AS partial,
       t.latency_ms,
       t.line_count,
       t.provider_count,
       t.exception_count,
       t.error_count
  FROM @extschema@.fact_trace t;

COMMENT ON VIEW @extschema@.estimator_request IS
  'Internal to the estimator marts: one row per trace (fact_trace) with the day, channel and outcome every estimator mart uses, so that each rule is written once.';
COMMENT ON COLUMN @extschema@.estimator_request.trace_id IS 'The trace.';
COMMENT ON COLUMN @extschema@.estimator_request.day_date IS 'UTC date of received_at, else of responded_at; NULL when the trace has neither (it is then left out of the daily marts).';
COMMENT ON COLUMN @extschema@.estimator_request.channel IS 'fact_trace.channel, ''unknown'' when NULL.';
COMMENT ON COLUMN @extschema@.estimator_request.status_code IS 'fact_trace.status_code, 0 when there is none (no response, or an unreadable status).';
COMMENT ON COLUMN @extschema@.estimator_request.status_class IS 'success (200), partial (207), client_error (4xx), timeout (504), server_error (other 5xx), no_response (has_response false), unknown (any other or no status).';
COMMENT ON COLUMN @extschema@.estimator_request.succeeded IS 'The request succeeded: a response with status_code 200 (every line answered).';
COMMENT ON COLUMN @extschema@.estimator_request.partial IS 'A response with status_code 207 (some lines answered).';
COMMENT ON COLUMN @extschema@.estimator_request.latency_ms IS 'fact_trace.latency_ms.';
COMMENT ON COLUMN @extschema@.estimator_request.line_count IS 'fact_trace.line_count: service lines requested.';
COMMENT ON COLUMN @extschema@.estimator_request.provider_count IS 'fact_trace.provider_count: distinct providers requested.';
COMMENT ON COLUMN @extschema@.estimator_request.exception_count IS 'fact_trace.exception_count: request errors plus result exceptions.';
COMMENT ON COLUMN @extschema@.estimator_request.error_count IS 'fact_trace.error_count: request-level errors, which hit every line of the request.';

-- One row per line (service line x provider) with the attributes and outcome the line marts use.
CREATE VIEW @extschema@.estimator_line AS
SELECT trace_id, line_id, provider_id,
       COALESCE(q.service_code, r.service_code, 'unknown') AS service_code,
       CASE WHEN q.trace_id IS NULL THEN 'unknown' ELSE COALESCE(q.provider_type, 'unknown') END AS provider_type,
       CASE WHEN q.trace_id IS NULL THEN 'unknown' ELSE COALESCE(q.network_id, 'none') END AS network_id,
       r.trace_id IS NOT NULL AS has_result,
       COALESCE(r.result_status IN ('estimated', 'partial'), false) AS answered,
       COALESCE(r.exception_count, 0) > 0 AS result_has_exception,
       r.network_status,
       r.covered,
       r.prior_auth_required,
       COALESCE(r.in_network_estimate, r.out_of_network_estimate) AS estimate,
       r.in_network_estimate,
       r.out_of_network_estimate,
       r.patient_total,
       r.patient_copay,
       r.patient_coinsurance,
       r.patient_deductible,
       r.plan_pays
  FROM @extschema@.fact_request q
  FULL JOIN @extschema@.fact_response r USING (trace_id, line_id, provider_id);

COMMENT ON VIEW @extschema@.estimator_line IS
  'Internal to the estimator marts: one row per line (service line x provider): every fact_request row with its fact_response row if any, plus results that match no request row. Key: trace_id, line_id, provider_id.';
COMMENT ON COLUMN @extschema@.estimator_line.trace_id IS 'The trace.';
COMMENT ON COLUMN @extschema@.estimator_line.line_id IS 'The service line.';
COMMENT ON COLUMN @extschema@.estimator_line.provider_id IS 'The provider (empty text for a line without providers).';
COMMENT ON COLUMN @extschema@.estimator_line.service_code IS 'The requested service code, else the one echoed by the result, else ''unknown''.';
COMMENT ON COLUMN @extschema@.estimator_line.provider_type IS 'The requested provider type; ''unknown'' when NULL or when the result matches no request row.';
COMMENT ON COLUMN @extschema@.estimator_line.network_id IS 'The network the provider was requested under; ''none'' when requested under none (out of network); ''unknown'' when the result matches no request row.';
COMMENT ON COLUMN @extschema@.estimator_line.has_result IS 'The response has a result for the line.';
COMMENT ON COLUMN @extschema@.estimator_line.answered IS 'Line success: the result''s result_status is estimated or partial (an estimate came back).';
COMMENT ON COLUMN @extschema@.estimator_line.result_has_exception IS 'The line''s result carries at least one exception (fact_response.exception_count > 0).';
COMMENT ON COLUMN @extschema@.estimator_line.network_status IS 'fact_response.network_status; NULL without a result.';
COMMENT ON COLUMN @extschema@.estimator_line.covered IS 'fact_response.covered; NULL without a result or when unknown.';
COMMENT ON COLUMN @extschema@.estimator_line.prior_auth_required IS 'fact_response.prior_auth_required.';
COMMENT ON COLUMN @extschema@.estimator_line.estimate IS 'The line''s estimated cost: in_network_estimate, else out_of_network_estimate; NULL when neither.';
COMMENT ON COLUMN @extschema@.estimator_line.in_network_estimate IS 'fact_response.in_network_estimate.';
COMMENT ON COLUMN @extschema@.estimator_line.out_of_network_estimate IS 'fact_response.out_of_network_estimate.';
COMMENT ON COLUMN @extschema@.estimator_line.patient_total IS 'fact_response.patient_total: patient responsibility.';
COMMENT ON COLUMN @extschema@.estimator_line.patient_copay IS 'fact_response.patient_copay.';
COMMENT ON COLUMN @extschema@.estimator_line.patient_coinsurance IS 'fact_response.patient_coinsurance.';
COMMENT ON COLUMN @extschema@.estimator_line.patient_deductible IS 'fact_response.patient_deductible.';
COMMENT ON COLUMN @extschema@.estimator_line.plan_pays IS 'fact_response.plan_pays.';

-- ---------------------------------------------------------------------------
-- estimator_daily: the executive view of the estimator, one row per day and channel.
-- ---------------------------------------------------------------------------

-- estimator_daily: volume, outcome, cost, latency and health of the estimator.  Grain: day x channel.
CREATE MATERIALIZED VIEW @extschema@.mv_estimator_daily AS
WITH params AS MATERIALIZED (
    SELECT @extschema@.setting_numeric('estimator_latency_target')::float8 AS latency_target,
           @extschema@.setting_numeric('estimator_health_weight_success')::float8 AS w_success,
           @extschema@.setting_numeric('estimator_health_weight_exceptions')::float8 AS w_exceptions,
           @extschema@.setting_numeric('estimator_health_weight_latency')::float8 AS w_latency
), requests AS (
    -- the request-level measures
    SELECT t.day_date, t.channel,
           pg_catalog.count(*) AS requests,
           pg_catalog.sum(t.line_count) AS lines,
           pg_catalog.count(*) FILTER (WHERE t.succeeded) AS succeeded_requests,
           pg_catalog.count(*) FILTER (WHERE t.partial) AS partial_requests,
           pg_catalog.count(*) FILTER (WHERE t.exception_count > 0) AS exception_requests,
           pg_catalog.sum(t.exception_count) AS exceptions,
           pg_catalog.avg(t.provider_count)::float8 AS avg_providers_per_request,
           pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY t.latency_ms) AS latency_p50_ms,
           pg_catalog.percentile_cont(0.95) WITHIN GROUP (ORDER BY t.latency_ms) AS latency_p95_ms,
           pg_catalog.count(*) FILTER (WHERE t.latency_ms <= p.latency_target) AS on_time_requests
      FROM @extschema@.estimator_request t
     CROSS JOIN params p
     WHERE t.day_date IS NOT NULL
     GROUP BY t.day_date, t.channel
), money AS (
    -- the money of the requests' results, and how many requests got an estimate
    SELECT t.day_date, t.channel,
           pg_catalog.count(DISTINCT r.trace_id)
               FILTER (WHERE COALESCE(r.in_network_estimate, r.out_of_network_estimate) IS NOT NULL) AS estimated_requests,
           pg_catalog.sum(r.in_network_estimate) AS in_network_estimate_total,
           pg_catalog.sum(r.out_of_network_estimate) AS out_of_network_estimate_total,
           pg_catalog.sum(r.patient_total) AS patient_responsibility_total,
           pg_catalog.sum(COALESCE(r.in_network_estimate, r.out_of_network_estimate)) AS estimate_total
      FROM @extschema@.fact_response r
      JOIN @extschema@.estimator_request t USING (trace_id)
     WHERE t.day_date IS NOT NULL
     GROUP BY t.day_date, t.channel
), rated AS (
    SELECT q.*,
           COALESCE(m.estimated_requests, 0) AS estimated_requests,
           COALESCE(m.in_network_estimate_total, 0.00) AS in_network_estimate_total,
           COALESCE(m.out_of_network_estimate_total, 0.00) AS out_of_network_estimate_total,
           COALESCE(m.patient_responsibility_total, 0.00) AS patient_responsibility_total,
           COALESCE(m.estimate_total, 0.00) AS estimate_total,
           q.succeeded_requests::float8 / q.requests AS success_rate,
           q.exception_requests::float8 / q.requests AS exception_rate,
           q.on_time_requests::float8 / q.requests AS on_time_rate
      FROM requests q
      LEFT JOIN money m USING (day_date, channel)
)
SELECT r.day_date, r.channel,
       d.week_start_date, d.month_start_date, d.fiscal_year, d.fiscal_quarter,
       r.requests, r.lines,
       r.succeeded_requests, r.partial_requests,
       r.requests - r.succeeded_requests - r.partial_requests AS failed_requests,
       r.success_rate,
       r.exception_requests, r.exceptions, r.exception_rate,
       r.estimated_requests,
       r.in_network_estimate_total, r.out_of_network_estimate_total, r.patient_responsibility_total,
       r.estimate_total,
       pg_catalog.round(r.estimate_total / NULLIF(r.estimated_requests, 0), 2) AS avg_cost_per_request,
       r.avg_providers_per_request,
       r.latency_p50_ms, r.latency_p95_ms,
       r.on_time_requests, r.on_time_rate,
       100 * (p.w_success * r.success_rate + p.w_exceptions * (1 - r.exception_rate)
              + p.w_latency * r.on_time_rate)
           / NULLIF(p.w_success + p.w_exceptions + p.w_latency, 0) AS health_score
  FROM rated r
 CROSS JOIN params p
  LEFT JOIN @extschema@.dim_date d ON d.date_key = r.day_date
WITH DATA;

CREATE UNIQUE INDEX mv_estimator_daily_key ON @extschema@.mv_estimator_daily (day_date, channel);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_estimator_daily IS
  'Cost estimator, executive view: requests, lines, success and exception rates, in- and out-of-network estimates, patient responsibility, average cost per request and providers per request, p50/p95 latency and a 0-100 health score. Grain: day x channel (day = UTC date the request arrived). Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.day_date IS 'Day the requests arrived: UTC date of fact_trace.received_at (of responded_at when received_at is NULL; traces with neither are left out). Grain.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.channel IS 'Request channel (fact_trace.channel: member_portal, mobile_app, call_center, provider_portal, api ...); ''unknown'' when NULL. Grain.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.week_start_date IS 'Monday of the ISO week of day_date (dim_date), for weekly roll-ups.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.month_start_date IS 'First day of the month of day_date (dim_date), for monthly roll-ups.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.fiscal_year IS 'Fiscal year of day_date (dim_date; setting fiscal_year_start_month).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.fiscal_quarter IS 'Fiscal quarter of day_date, 1-4 (dim_date).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.requests IS 'Estimate requests: count of fact_trace rows.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.lines IS 'Service lines requested: sum of fact_trace.line_count.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.succeeded_requests IS 'Requests that succeeded: a response with status_code 200 (every line answered).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.partial_requests IS 'Requests answered in part: status_code 207.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.failed_requests IS 'requests - succeeded_requests - partial_requests: 4xx, 5xx, 504, no response, or no readable status.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.success_rate IS 'succeeded_requests / requests, 0..1.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.exception_requests IS 'Requests with at least one exception (fact_trace.exception_count > 0: a request-level error or a result exception, any severity).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.exceptions IS 'Exceptions: sum of fact_trace.exception_count (rows of fact_exception).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.exception_rate IS 'exception_requests / requests, 0..1.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.estimated_requests IS 'Requests with at least one result carrying an estimate (in_network_estimate or out_of_network_estimate not NULL).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.in_network_estimate_total IS 'Sum of fact_response.in_network_estimate over the requests'' results, USD (exact; 0 when none).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.out_of_network_estimate_total IS 'Sum of fact_response.out_of_network_estimate over the requests'' results, USD (exact; 0 when none).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.patient_responsibility_total IS 'Sum of fact_response.patient_total (patient responsibility) over the requests'' results, USD (exact; 0 when none).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.estimate_total IS 'Sum of each result''s estimate (in_network_estimate, else out_of_network_estimate), USD (exact; 0 when none).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.avg_cost_per_request IS 'Average estimated cost per request: estimate_total / estimated_requests, rounded to cents (half away from zero); NULL when no request got an estimate.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.avg_providers_per_request IS 'Average of fact_trace.provider_count (distinct providers per request).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.latency_p50_ms IS 'Median of fact_trace.latency_ms (percentile_cont(0.5), interpolated) over requests that report a latency, ms; NULL when none.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.latency_p95_ms IS '95th percentile of fact_trace.latency_ms (percentile_cont(0.95), interpolated), ms; NULL when none.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.on_time_requests IS 'Requests whose latency_ms is at most the setting estimator_latency_target (a request without a latency is not on time).';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.on_time_rate IS 'on_time_requests / requests, 0..1.';
COMMENT ON COLUMN @extschema@.mv_estimator_daily.health_score IS 'Health 0-100: 100 * (ws * success_rate + we * (1 - exception_rate) + wl * on_time_rate) / (ws + we + wl), with the weights ws, we, wl from the settings estimator_health_weight_success (0.5), _exceptions (0.3) and _latency (0.2); NULL when the weights are all 0. Not additive: recompute it from the rates to roll up.';

SELECT @extschema@.mart_publish('estimator_daily', 110, 'estimator');

-- ---------------------------------------------------------------------------
-- status_daily: the status-code breakdown.
-- ---------------------------------------------------------------------------

-- status_daily: requests per response status code.  Grain: day x channel x status code x status class.
CREATE MATERIALIZED VIEW @extschema@.mv_status_daily AS
WITH s AS (
    SELECT t.day_date, t.channel, t.status_code, t.status_class,
           pg_catalog.count(*) AS requests,
           pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY t.latency_ms) AS latency_p50_ms,
           pg_catalog.percentile_cont(0.95) WITHIN GROUP (ORDER BY t.latency_ms) AS latency_p95_ms
      FROM @extschema@.estimator_request t
     WHERE t.day_date IS NOT NULL
     GROUP BY t.day_date, t.channel, t.status_code, t.status_class
)
SELECT s.day_date, s.channel, s.status_code, s.status_class,
       d.week_start_date, d.month_start_date, d.fiscal_year, d.fiscal_quarter,
       s.requests,
       s.requests::float8 / pg_catalog.sum(s.requests) OVER (PARTITION BY s.day_date, s.channel) AS request_share,
       s.latency_p50_ms, s.latency_p95_ms
  FROM s
  LEFT JOIN @extschema@.dim_date d ON d.date_key = s.day_date
WITH DATA;

CREATE UNIQUE INDEX mv_status_daily_key ON @extschema@.mv_status_daily (day_date, channel, status_code, status_class);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_status_daily IS
  'Cost estimator responses by status code: requests, their share of the day''s requests in the channel, and latency. Grain: day x channel x status code x status class. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_status_daily.day_date IS 'Day the requests arrived (UTC date of received_at, else responded_at). Grain.';
COMMENT ON COLUMN @extschema@.mv_status_daily.channel IS 'Request channel; ''unknown'' when NULL. Grain.';
COMMENT ON COLUMN @extschema@.mv_status_daily.status_code IS 'fact_trace.status_code (HTTP-like: 200, 207, 400, 404, 500, 502, 503, 504 ...); 0 when the trace has no response or no readable status. Grain.';
COMMENT ON COLUMN @extschema@.mv_status_daily.status_class IS 'success (200), partial (207), client_error (4xx), timeout (504), server_error (other 5xx), no_response (response null or missing), unknown (any other code, or none). Grain.';
COMMENT ON COLUMN @extschema@.mv_status_daily.week_start_date IS 'Monday of the ISO week of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_status_daily.month_start_date IS 'First day of the month of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_status_daily.fiscal_year IS 'Fiscal year of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_status_daily.fiscal_quarter IS 'Fiscal quarter of day_date, 1-4 (dim_date).';
COMMENT ON COLUMN @extschema@.mv_status_daily.requests IS 'Requests with this status: count of fact_trace rows.';
COMMENT ON COLUMN @extschema@.mv_status_daily.request_share IS 'requests / all requests of the same day and channel, 0..1 (sums to 1 over the statuses of a day and channel).';
COMMENT ON COLUMN @extschema@.mv_status_daily.latency_p50_ms IS 'Median fact_trace.latency_ms (percentile_cont(0.5)) of these requests, ms; NULL when none reports a latency.';
COMMENT ON COLUMN @extschema@.mv_status_daily.latency_p95_ms IS '95th percentile of fact_trace.latency_ms (percentile_cont(0.95)), ms; NULL when none reports a latency.';

SELECT @extschema@.mart_publish('status_daily', 115, 'estimator');

-- ---------------------------------------------------------------------------
-- line_outcomes_daily: the additive line-level cube the other line marts
-- roll up from (so the request x response join is done once).
-- ---------------------------------------------------------------------------

-- line_outcomes_daily: line counts and money by day x service code x provider type x network x network status.
CREATE MATERIALIZED VIEW @extschema@.mv_line_outcomes_daily AS
WITH cube AS (
    SELECT t.day_date, l.service_code, l.provider_type, l.network_id,
           COALESCE(l.network_status, 'no_result') AS network_status,
           pg_catalog.count(*) AS lines,
           pg_catalog.count(*) FILTER (WHERE l.has_result) AS result_lines,
           pg_catalog.count(*) FILTER (WHERE l.answered) AS succeeded_lines,
           pg_catalog.count(*) FILTER (WHERE l.result_has_exception OR t.error_count > 0) AS exception_lines,
           pg_catalog.count(l.covered) AS coverage_known_lines,
           pg_catalog.count(*) FILTER (WHERE l.covered) AS covered_lines,
           pg_catalog.count(*) FILTER (WHERE l.prior_auth_required) AS prior_auth_lines,
           pg_catalog.count(l.estimate) AS estimated_lines,
           COALESCE(pg_catalog.sum(l.estimate), 0.00) AS estimate_total,
           COALESCE(pg_catalog.sum(l.in_network_estimate), 0.00) AS in_network_estimate_total,
           COALESCE(pg_catalog.sum(l.out_of_network_estimate), 0.00) AS out_of_network_estimate_total,
           COALESCE(pg_catalog.sum(l.patient_total), 0.00) AS patient_responsibility_total,
           COALESCE(pg_catalog.sum(l.patient_copay), 0.00) AS patient_copay_total,
           COALESCE(pg_catalog.sum(l.patient_coinsurance), 0.00) AS patient_coinsurance_total,
           COALESCE(pg_catalog.sum(l.patient_deductible), 0.00) AS patient_deductible_total,
           COALESCE(pg_catalog.sum(l.plan_pays), 0.00) AS plan_pays_total
      FROM @extschema@.estimator_line l
      JOIN @extschema@.estimator_request t USING (trace_id)
     WHERE t.day_date IS NOT NULL
     GROUP BY t.day_date, l.service_code, l.provider_type, l.network_id, COALESCE(l.network_status, 'no_result')
)
SELECT c.day_date, c.service_code, c.provider_type, c.network_id, c.network_status,
       d.week_start_date, d.month_start_date, d.fiscal_year, d.fiscal_quarter,
       c.lines, c.result_lines, c.succeeded_lines, c.exception_lines,
       c.coverage_known_lines, c.covered_lines, c.prior_auth_lines, c.estimated_lines,
       c.estimate_total, c.in_network_estimate_total, c.out_of_network_estimate_total,
       c.patient_responsibility_total, c.patient_copay_total, c.patient_coinsurance_total,
       c.patient_deductible_total, c.plan_pays_total
  FROM cube c
  LEFT JOIN @extschema@.dim_date d ON d.date_key = c.day_date
WITH DATA;

CREATE UNIQUE INDEX mv_line_outcomes_daily_key
    ON @extschema@.mv_line_outcomes_daily (day_date, service_code, provider_type, network_id, network_status);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_line_outcomes_daily IS
  'Cost estimator lines (one line = a service line x provider of a request), as an additive cube: counts of lines, successes, exceptions, coverage and estimates, and money totals, for any roll-up (rates are ratios of sums). service_daily, coverage_daily, costs_daily, exceptions_daily and service_performance roll up from it. Grain: day x service code x provider type x network x network status. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.day_date IS 'Day the request arrived (UTC date of received_at, else responded_at). Grain.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.service_code IS 'Service code as requested (fact_request.service_code), else as echoed by the result, else ''unknown''. Grain; drill down to fact_request.service_code.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.provider_type IS 'Provider type as requested (fact_request.provider_type); ''unknown'' when NULL or for a result that matches no request row. Grain.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.network_id IS 'Network the provider was requested under (fact_request.network_id); ''none'' when none (out of network); ''unknown'' for a result that matches no request row. Grain.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.network_status IS 'The result''s network status (fact_response.network_status: in_network, out_of_network, unknown); ''no_result'' for lines the response did not answer. Grain.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.week_start_date IS 'Monday of the ISO week of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.month_start_date IS 'First day of the month of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.fiscal_year IS 'Fiscal year of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.fiscal_quarter IS 'Fiscal quarter of day_date, 1-4 (dim_date).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.lines IS 'Lines: fact_request rows (service line x provider), plus fact_response rows that match no request row.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.result_lines IS 'Lines with a result (a fact_response row).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.succeeded_lines IS 'Lines that succeeded: result_status estimated or partial (an estimate came back).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.exception_lines IS 'Lines hit by at least one exception: the result has one (fact_response.exception_count > 0), or the request has a request-level error (fact_trace.error_count > 0). Any severity.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.coverage_known_lines IS 'Lines whose result says whether the service is covered (fact_response.covered not NULL).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.covered_lines IS 'Lines whose result says the service is covered (covered = true).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.prior_auth_lines IS 'Lines whose result says prior authorisation is required.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.estimated_lines IS 'Lines with an estimate (in_network_estimate or out_of_network_estimate not NULL).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.estimate_total IS 'Sum of the lines'' estimates (in_network_estimate, else out_of_network_estimate), USD, exact.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.in_network_estimate_total IS 'Sum of fact_response.in_network_estimate, USD, exact (0 when none).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.out_of_network_estimate_total IS 'Sum of fact_response.out_of_network_estimate, USD, exact (0 when none).';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.patient_responsibility_total IS 'Sum of fact_response.patient_total (patient responsibility), USD, exact.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.patient_copay_total IS 'Sum of fact_response.patient_copay, USD, exact.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.patient_coinsurance_total IS 'Sum of fact_response.patient_coinsurance, USD, exact.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.patient_deductible_total IS 'Sum of fact_response.patient_deductible, USD, exact.';
COMMENT ON COLUMN @extschema@.mv_line_outcomes_daily.plan_pays_total IS 'Sum of fact_response.plan_pays (what the plan pays), USD, exact.';

SELECT @extschema@.mart_publish('line_outcomes_daily', 120, 'estimator');

-- ---------------------------------------------------------------------------
-- service_daily: the daily trend per service code.
-- ---------------------------------------------------------------------------

-- service_daily: volume, success, exceptions, coverage and cost per service code and day.  Grain: day x service code.
CREATE MATERIALIZED VIEW @extschema@.mv_service_daily AS
WITH s AS (
    SELECT o.day_date, o.service_code,
           pg_catalog.sum(o.lines) AS lines,
           pg_catalog.sum(o.succeeded_lines) AS succeeded_lines,
           pg_catalog.sum(o.exception_lines) AS exception_lines,
           pg_catalog.sum(o.coverage_known_lines) AS coverage_known_lines,
           pg_catalog.sum(o.covered_lines) AS covered_lines,
           pg_catalog.sum(o.estimated_lines) AS estimated_lines,
           pg_catalog.sum(o.estimate_total) AS estimate_total,
           pg_catalog.sum(o.patient_responsibility_total) AS patient_responsibility_total
      FROM @extschema@.mv_line_outcomes_daily o
     GROUP BY o.day_date, o.service_code
)
SELECT s.day_date, s.service_code,
       d.week_start_date, d.month_start_date, d.fiscal_year, d.fiscal_quarter,
       s.lines::bigint AS lines,
       s.succeeded_lines::bigint AS succeeded_lines,
       s.succeeded_lines::float8 / s.lines AS success_rate,
       s.exception_lines::bigint AS exception_lines,
       s.exception_lines::float8 / s.lines AS exception_rate,
       s.coverage_known_lines::bigint AS coverage_known_lines,
       s.covered_lines::bigint AS covered_lines,
       s.covered_lines::float8 / NULLIF(s.coverage_known_lines, 0) AS coverage_rate,
       s.estimated_lines::bigint AS estimated_lines,
       s.estimate_total,
       pg_catalog.round(s.estimate_total / NULLIF(s.estimated_lines, 0), 2) AS avg_cost,
       s.patient_responsibility_total
  FROM s
  LEFT JOIN @extschema@.dim_date d ON d.date_key = s.day_date
WITH DATA;

CREATE UNIQUE INDEX mv_service_daily_key ON @extschema@.mv_service_daily (day_date, service_code);
CREATE INDEX mv_service_daily_service ON @extschema@.mv_service_daily (service_code, day_date);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_service_daily IS
  'Cost estimator trend per service code: lines, success, exception and coverage rates, average estimated cost. Grain: day x service code. Rolled up from line_outcomes_daily. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_service_daily.day_date IS 'Day the requests arrived (UTC date of received_at, else responded_at). Grain.';
COMMENT ON COLUMN @extschema@.mv_service_daily.service_code IS 'Service code as requested, else as echoed by the result, else ''unknown''. Grain; drill down to fact_request.service_code.';
COMMENT ON COLUMN @extschema@.mv_service_daily.week_start_date IS 'Monday of the ISO week of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_service_daily.month_start_date IS 'First day of the month of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_service_daily.fiscal_year IS 'Fiscal year of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_service_daily.fiscal_quarter IS 'Fiscal quarter of day_date, 1-4 (dim_date).';
COMMENT ON COLUMN @extschema@.mv_service_daily.lines IS 'Lines (service line x provider) for the service: request rows plus results that match no request row.';
COMMENT ON COLUMN @extschema@.mv_service_daily.succeeded_lines IS 'Lines that succeeded: result_status estimated or partial.';
COMMENT ON COLUMN @extschema@.mv_service_daily.success_rate IS 'succeeded_lines / lines, 0..1.';
COMMENT ON COLUMN @extschema@.mv_service_daily.exception_lines IS 'Lines hit by an exception: their result has one, or their request has a request-level error (any severity).';
COMMENT ON COLUMN @extschema@.mv_service_daily.exception_rate IS 'exception_lines / lines, 0..1.';
COMMENT ON COLUMN @extschema@.mv_service_daily.coverage_known_lines IS 'Lines whose result says whether the service is covered (covered not NULL).';
COMMENT ON COLUMN @extschema@.mv_service_daily.covered_lines IS 'Lines whose result says the service is covered.';
COMMENT ON COLUMN @extschema@.mv_service_daily.coverage_rate IS 'covered_lines / coverage_known_lines, 0..1; NULL when no result says.';
COMMENT ON COLUMN @extschema@.mv_service_daily.estimated_lines IS 'Lines with an estimate (in_network_estimate or out_of_network_estimate not NULL).';
COMMENT ON COLUMN @extschema@.mv_service_daily.estimate_total IS 'Sum of the lines'' estimates (in_network_estimate, else out_of_network_estimate), USD, exact.';
COMMENT ON COLUMN @extschema@.mv_service_daily.avg_cost IS 'Average estimated cost of a line: estimate_total / estimated_lines, rounded to cents; NULL when no estimate.';
COMMENT ON COLUMN @extschema@.mv_service_daily.patient_responsibility_total IS 'Sum of fact_response.patient_total, USD, exact.';

SELECT @extschema@.mart_publish('service_daily', 130, 'estimator');

-- ---------------------------------------------------------------------------
-- coverage_daily: coverage per service and provider type.
-- ---------------------------------------------------------------------------

-- coverage_daily: how often the plan covers a service, per provider type.  Grain: day x service code x provider type.
CREATE MATERIALIZED VIEW @extschema@.mv_coverage_daily AS
WITH c AS (
    SELECT o.day_date, o.service_code, o.provider_type,
           pg_catalog.sum(o.lines) AS lines,
           pg_catalog.sum(o.result_lines) AS result_lines,
           pg_catalog.sum(o.coverage_known_lines) AS coverage_known_lines,
           pg_catalog.sum(o.covered_lines) AS covered_lines,
           pg_catalog.sum(o.prior_auth_lines) AS prior_auth_lines
      FROM @extschema@.mv_line_outcomes_daily o
     GROUP BY o.day_date, o.service_code, o.provider_type
)
SELECT c.day_date, c.service_code, c.provider_type,
       d.week_start_date, d.month_start_date, d.fiscal_year, d.fiscal_quarter,
       c.lines::bigint AS lines,
       c.result_lines::bigint AS result_lines,
       c.coverage_known_lines::bigint AS coverage_known_lines,
       c.covered_lines::bigint AS covered_lines,
       (c.coverage_known_lines - c.covered_lines)::bigint AS not_covered_lines,
       c.covered_lines::float8 / NULLIF(c.coverage_known_lines, 0) AS coverage_rate,
       c.prior_auth_lines::bigint AS prior_auth_lines
  FROM c
  LEFT JOIN @extschema@.dim_date d ON d.date_key = c.day_date
WITH DATA;

CREATE UNIQUE INDEX mv_coverage_daily_key ON @extschema@.mv_coverage_daily (day_date, service_code, provider_type);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_coverage_daily IS
  'Cost estimator coverage: of the lines whose result says whether the plan covers the service, the share covered. Grain: day x service code x provider type. Rolled up from line_outcomes_daily. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.day_date IS 'Day the requests arrived (UTC date of received_at, else responded_at). Grain.';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.service_code IS 'Service code as requested, else as echoed by the result, else ''unknown''. Grain.';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.provider_type IS 'Provider type as requested; ''unknown'' when NULL or for a result that matches no request row. Grain.';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.week_start_date IS 'Monday of the ISO week of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.month_start_date IS 'First day of the month of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.fiscal_year IS 'Fiscal year of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.fiscal_quarter IS 'Fiscal quarter of day_date, 1-4 (dim_date).';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.lines IS 'Lines (service line x provider) requested.';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.result_lines IS 'Lines with a result.';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.coverage_known_lines IS 'Lines whose result says whether the service is covered (fact_response.covered not NULL): the denominator of coverage_rate.';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.covered_lines IS 'Lines whose result says covered (covered = true).';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.not_covered_lines IS 'Lines whose result says not covered (covered = false).';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.coverage_rate IS 'covered_lines / coverage_known_lines, 0..1; NULL when no result says.';
COMMENT ON COLUMN @extschema@.mv_coverage_daily.prior_auth_lines IS 'Lines whose result says prior authorisation is required.';

SELECT @extschema@.mart_publish('coverage_daily', 135, 'estimator');

-- ---------------------------------------------------------------------------
-- costs_daily: in- vs out-of-network money.
-- ---------------------------------------------------------------------------

-- costs_daily: estimate and patient-responsibility totals per network status.  Grain: day x network status.
CREATE MATERIALIZED VIEW @extschema@.mv_costs_daily AS
WITH c AS (
    SELECT o.day_date, o.network_status,
           pg_catalog.sum(o.result_lines) AS results,
           pg_catalog.sum(o.estimated_lines) AS estimated_results,
           pg_catalog.sum(o.estimate_total) AS estimate_total,
           pg_catalog.sum(o.in_network_estimate_total) AS in_network_estimate_total,
           pg_catalog.sum(o.out_of_network_estimate_total) AS out_of_network_estimate_total,
           pg_catalog.sum(o.patient_responsibility_total) AS patient_responsibility_total,
           pg_catalog.sum(o.patient_copay_total) AS patient_copay_total,
           pg_catalog.sum(o.patient_coinsurance_total) AS patient_coinsurance_total,
           pg_catalog.sum(o.patient_deductible_total) AS patient_deductible_total,
           pg_catalog.sum(o.plan_pays_total) AS plan_pays_total
      FROM @extschema@.mv_line_outcomes_daily o
     WHERE o.network_status <> 'no_result'
     GROUP BY o.day_date, o.network_status
)
SELECT c.day_date, c.network_status,
       d.week_start_date, d.month_start_date, d.fiscal_year, d.fiscal_quarter,
       c.results::bigint AS results,
       c.estimated_results::bigint AS estimated_results,
       c.in_network_estimate_total, c.out_of_network_estimate_total, c.estimate_total,
       pg_catalog.round(c.estimate_total / NULLIF(c.estimated_results, 0), 2) AS avg_estimate,
       c.patient_responsibility_total, c.patient_copay_total, c.patient_coinsurance_total,
       c.patient_deductible_total, c.plan_pays_total
  FROM c
  LEFT JOIN @extschema@.dim_date d ON d.date_key = c.day_date
WITH DATA;

CREATE UNIQUE INDEX mv_costs_daily_key ON @extschema@.mv_costs_daily (day_date, network_status);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_costs_daily IS
  'Cost estimator money: in- and out-of-network estimate totals, patient responsibility and its split, what the plan pays. Grain: day x network status of the result. Rolled up from line_outcomes_daily. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_costs_daily.day_date IS 'Day the requests arrived (UTC date of received_at, else responded_at). Grain.';
COMMENT ON COLUMN @extschema@.mv_costs_daily.network_status IS 'The result''s network status: in_network, out_of_network, or unknown (fact_response.network_status). Grain.';
COMMENT ON COLUMN @extschema@.mv_costs_daily.week_start_date IS 'Monday of the ISO week of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_costs_daily.month_start_date IS 'First day of the month of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_costs_daily.fiscal_year IS 'Fiscal year of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_costs_daily.fiscal_quarter IS 'Fiscal quarter of day_date, 1-4 (dim_date).';
COMMENT ON COLUMN @extschema@.mv_costs_daily.results IS 'Results (fact_response rows).';
COMMENT ON COLUMN @extschema@.mv_costs_daily.estimated_results IS 'Results with an estimate (in_network_estimate or out_of_network_estimate not NULL).';
COMMENT ON COLUMN @extschema@.mv_costs_daily.in_network_estimate_total IS 'Sum of fact_response.in_network_estimate, USD, exact (0 when none).';
COMMENT ON COLUMN @extschema@.mv_costs_daily.out_of_network_estimate_total IS 'Sum of fact_response.out_of_network_estimate, USD, exact (0 when none).';
COMMENT ON COLUMN @extschema@.mv_costs_daily.estimate_total IS 'Sum of each result''s estimate (in_network_estimate, else out_of_network_estimate), USD, exact.';
COMMENT ON COLUMN @extschema@.mv_costs_daily.avg_estimate IS 'estimate_total / estimated_results, rounded to cents; NULL when no estimate.';
COMMENT ON COLUMN @extschema@.mv_costs_daily.patient_responsibility_total IS 'Sum of fact_response.patient_total: what patients are told they will pay, USD, exact.';
COMMENT ON COLUMN @extschema@.mv_costs_daily.patient_copay_total IS 'Sum of fact_response.patient_copay, USD, exact.';
COMMENT ON COLUMN @extschema@.mv_costs_daily.patient_coinsurance_total IS 'Sum of fact_response.patient_coinsurance, USD, exact.';
COMMENT ON COLUMN @extschema@.mv_costs_daily.patient_deductible_total IS 'Sum of fact_response.patient_deductible, USD, exact.';
COMMENT ON COLUMN @extschema@.mv_costs_daily.plan_pays_total IS 'Sum of fact_response.plan_pays, USD, exact.';

SELECT @extschema@.mart_publish('costs_daily', 140, 'estimator');

-- ---------------------------------------------------------------------------
-- exceptions_daily: exception rates per cell, for the heatmap filtered by
-- provider type or network and for the drill-down from a heatmap tile.
-- ---------------------------------------------------------------------------

-- exceptions_daily: lines hit by each exception type, and the rate.  Grain: day x exception type x service code x provider type x network.
CREATE MATERIALIZED VIEW @extschema@.mv_exceptions_daily AS
WITH cell AS (
    -- every day x service x provider type x network that has lines: the denominators
    SELECT o.day_date, o.service_code, o.provider_type, o.network_id, pg_catalog.sum(o.lines)::bigint AS lines
      FROM @extschema@.mv_line_outcomes_daily o
     GROUP BY o.day_date, o.service_code, o.provider_type, o.network_id
), types AS (
    SELECT DISTINCT e.exception_type FROM @extschema@.fact_exception e
), line_hit AS (
    -- per line and exception type: the exceptions that hit the line (its
    -- result's own, and every request-level error of its request)
    SELECT t.day_date, l.service_code, l.provider_type, l.network_id, e.exception_type,
           pg_catalog.count(*) AS exceptions,
           pg_catalog.count(*) FILTER (WHERE e.severity = 'error') AS error_exceptions
      FROM @extschema@.estimator_line l
      JOIN @extschema@.estimator_request t USING (trace_id)
      JOIN @extschema@.fact_exception e
        ON e.trace_id = l.trace_id
       AND (e.level = 'request' OR (e.level = 'result' AND e.line_id = l.line_id AND e.provider_id = l.provider_id))
     WHERE t.day_date IS NOT NULL
     GROUP BY t.day_date, l.service_code, l.provider_type, l.network_id, e.exception_type,
              l.trace_id, l.line_id, l.provider_id
), hit AS (
    SELECT h.day_date, h.service_code, h.provider_type, h.network_id, h.exception_type,
           pg_catalog.count(*) AS lines_affected,
           pg_catalog.sum(h.exceptions)::bigint AS exceptions,
           pg_catalog.sum(h.error_exceptions)::bigint AS error_exceptions
      FROM line_hit h
     GROUP BY h.day_date, h.service_code, h.provider_type, h.network_id, h.exception_type
)
SELECT c.day_date, ty.exception_type, c.service_code, c.provider_type, c.network_id,
       d.week_start_date, d.month_start_date, d.fiscal_year, d.fiscal_quarter,
       c.lines,
       COALESCE(h.lines_affected, 0) AS lines_affected,
       COALESCE(h.exceptions, 0) AS exceptions,
       COALESCE(h.error_exceptions, 0) AS error_exceptions,
       COALESCE(h.lines_affected, 0)::float8 / c.lines AS exception_rate
  FROM cell c
 CROSS JOIN types ty
  LEFT JOIN hit h ON h.day_date = c.day_date AND h.service_code = c.service_code
                 AND h.provider_type = c.provider_type AND h.network_id = c.network_id
                 AND h.exception_type = ty.exception_type
  LEFT JOIN @extschema@.dim_date d ON d.date_key = c.day_date
WITH DATA;

CREATE UNIQUE INDEX mv_exceptions_daily_key
    ON @extschema@.mv_exceptions_daily (day_date, exception_type, service_code, provider_type, network_id);

CREATE INDEX mv_exceptions_daily_service ON @extschema@.mv_exceptions_daily (service_code, day_date);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_exceptions_daily IS
  'Cost estimator exceptions, for the exception-rate heatmap: per exception type, the lines it hit out of all lines of the cell. Dense: every cell with lines has a row for every exception type ever seen (0 when none), so sum(lines_affected) / sum(lines) is right for any roll-up. Grain: day x exception type x service code x provider type x network. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.day_date IS 'Day the requests arrived (UTC date of received_at, else responded_at). Grain.';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.exception_type IS 'Canonical exception type (fact_exception.exception_type: Provider not found, Rate not found, Benefit issues, Accumulator not found, Member not found, Timeout, Other). Grain.';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.service_code IS 'Service code as requested, else as echoed by the result, else ''unknown''. Grain.';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.provider_type IS 'Provider type as requested; ''unknown'' when NULL or for a result that matches no request row. Grain.';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.network_id IS 'Network the provider was requested under (fact_request.network_id); ''none'' when none (out of network); ''unknown'' for a result that matches no request row. Grain.';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.week_start_date IS 'Monday of the ISO week of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.month_start_date IS 'First day of the month of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.fiscal_year IS 'Fiscal year of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.fiscal_quarter IS 'Fiscal quarter of day_date, 1-4 (dim_date).';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.lines IS 'All lines (service line x provider) of the day x service x provider type x network, whatever their exceptions: the denominator, repeated on each exception type''s row.';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.lines_affected IS 'Lines hit by at least one exception of this type: on their result, or as a request-level error of their request (which hits every line of it).';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.exceptions IS 'Exceptions of this type on these lines: each result exception once, each request-level error once per line of its request.';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.error_exceptions IS 'Of exceptions, those of severity error (the rest are warnings or have no severity).';
COMMENT ON COLUMN @extschema@.mv_exceptions_daily.exception_rate IS 'lines_affected / lines, 0..1.';

SELECT @extschema@.mart_publish('exceptions_daily', 150, 'estimator');

-- ---------------------------------------------------------------------------
-- exceptions_service_daily: the heatmap itself (type x service code), small
-- enough that any period answers at once.
-- ---------------------------------------------------------------------------

-- exceptions_service_daily: exceptions_daily rolled up over provider type and network.  Grain: day x exception type x service code.
CREATE MATERIALIZED VIEW @extschema@.mv_exceptions_service_daily AS
WITH s AS (
    SELECT e.day_date, e.exception_type, e.service_code,
           pg_catalog.sum(e.lines)::bigint AS lines,
           pg_catalog.sum(e.lines_affected)::bigint AS lines_affected,
           pg_catalog.sum(e.exceptions)::bigint AS exceptions,
           pg_catalog.sum(e.error_exceptions)::bigint AS error_exceptions
      FROM @extschema@.mv_exceptions_daily e
     GROUP BY e.day_date, e.exception_type, e.service_code
)
SELECT s.day_date, s.exception_type, s.service_code,
       d.week_start_date, d.month_start_date, d.fiscal_year, d.fiscal_quarter,
       s.lines, s.lines_affected, s.exceptions, s.error_exceptions,
       s.lines_affected::float8 / s.lines AS exception_rate
  FROM s
  LEFT JOIN @extschema@.dim_date d ON d.date_key = s.day_date
WITH DATA;

CREATE UNIQUE INDEX mv_exceptions_service_daily_key
    ON @extschema@.mv_exceptions_service_daily (day_date, exception_type, service_code);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_exceptions_service_daily IS
  'Cost estimator exception-rate heatmap (exception type x service code), per day: exceptions_daily rolled up over provider type and network, so that a heatmap over any period reads few rows. Dense like exceptions_daily: sum(lines_affected) / sum(lines) is right for any roll-up. Grain: day x exception type x service code. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.day_date IS 'Day the requests arrived (UTC date of received_at, else responded_at). Grain.';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.exception_type IS 'Canonical exception type (fact_exception.exception_type). Grain.';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.service_code IS 'Service code as requested, else as echoed by the result, else ''unknown''. Grain; drill down in exceptions_daily.';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.week_start_date IS 'Monday of the ISO week of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.month_start_date IS 'First day of the month of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.fiscal_year IS 'Fiscal year of day_date (dim_date).';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.fiscal_quarter IS 'Fiscal quarter of day_date, 1-4 (dim_date).';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.lines IS 'All lines of the service that day (the denominator, repeated on each exception type''s row).';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.lines_affected IS 'Lines hit by at least one exception of this type (on their result, or as a request-level error of their request).';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.exceptions IS 'Exceptions of this type on these lines: each result exception once, each request-level error once per line of its request.';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.error_exceptions IS 'Of exceptions, those of severity error.';
COMMENT ON COLUMN @extschema@.mv_exceptions_service_daily.exception_rate IS 'lines_affected / lines, 0..1.';

SELECT @extschema@.mart_publish('exceptions_service_daily', 155, 'estimator');

-- ---------------------------------------------------------------------------
-- service_performance: per service code over all time, with cost quartiles.
-- ---------------------------------------------------------------------------

-- service_performance: volume, rates, cost quartiles and volume rank per service code.  Grain: service code.
CREATE MATERIALIZED VIEW @extschema@.mv_service_performance AS
WITH s AS (
    SELECT o.service_code,
           pg_catalog.min(o.day_date) AS first_day_date,
           pg_catalog.max(o.day_date) AS last_day_date,
           pg_catalog.sum(o.lines) AS lines,
           pg_catalog.sum(o.succeeded_lines) AS succeeded_lines,
           pg_catalog.sum(o.exception_lines) AS exception_lines,
           pg_catalog.sum(o.coverage_known_lines) AS coverage_known_lines,
           pg_catalog.sum(o.covered_lines) AS covered_lines,
           pg_catalog.sum(o.estimated_lines) AS estimated_lines,
           pg_catalog.sum(o.estimate_total) AS estimate_total
      FROM @extschema@.mv_line_outcomes_daily o
     GROUP BY o.service_code
), q AS (
    -- the quartiles of the lines' estimates: percentile_disc, an actual estimate (exact money)
    SELECT l.service_code,
           pg_catalog.percentile_disc(0.25) WITHIN GROUP (ORDER BY l.estimate) AS cost_p25,
           pg_catalog.percentile_disc(0.5) WITHIN GROUP (ORDER BY l.estimate) AS cost_p50,
           pg_catalog.percentile_disc(0.75) WITHIN GROUP (ORDER BY l.estimate) AS cost_p75
      FROM @extschema@.estimator_line l
     WHERE l.has_result AND l.estimate IS NOT NULL
       AND NOT EXISTS (SELECT FROM @extschema@.estimator_request u
                        WHERE u.trace_id = l.trace_id AND u.day_date IS NULL)
     GROUP BY l.service_code
)
SELECT s.service_code,
       @extschema@.service_code_system(pg_catalog.upper(pg_catalog.btrim(s.service_code))) AS code_system,
       @extschema@.service_category(@extschema@.service_code_system(pg_catalog.upper(pg_catalog.btrim(s.service_code))),
                                    pg_catalog.upper(pg_catalog.btrim(s.service_code))) AS service_category,
       ds.description AS service_description,
       s.first_day_date, s.last_day_date,
       s.lines::bigint AS lines,
       s.succeeded_lines::bigint AS succeeded_lines,
       s.succeeded_lines::float8 / s.lines AS success_rate,
       s.exception_lines::bigint AS exception_lines,
       s.exception_lines::float8 / s.lines AS exception_rate,
       s.coverage_known_lines::bigint AS coverage_known_lines,
       s.covered_lines::bigint AS covered_lines,
       s.covered_lines::float8 / NULLIF(s.coverage_known_lines, 0) AS coverage_rate,
       s.estimated_lines::bigint AS estimated_lines,
       s.estimate_total,
       pg_catalog.round(s.estimate_total / NULLIF(s.estimated_lines, 0), 2) AS avg_cost,
       q.cost_p25, q.cost_p50, q.cost_p75,
       pg_catalog.rank() OVER (ORDER BY s.lines DESC)::bigint AS volume_rank
  FROM s
  LEFT JOIN q USING (service_code)
  LEFT JOIN @extschema@.dim_service ds
         ON ds.code_system = @extschema@.service_code_system(pg_catalog.upper(pg_catalog.btrim(s.service_code)))
        AND ds.service_code = pg_catalog.upper(pg_catalog.btrim(s.service_code))
WITH DATA;

CREATE UNIQUE INDEX mv_service_performance_key ON @extschema@.mv_service_performance (service_code);
CREATE INDEX mv_service_performance_rank ON @extschema@.mv_service_performance (volume_rank);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_service_performance IS
  'Cost estimator performance per service code, over every day loaded: volume and its rank, success, exception and coverage rates, average estimated cost and its quartiles (for box plots). Grain: service code. Trend per day: service_daily. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_service_performance.service_code IS 'Service code as requested, else as echoed by the result, else ''unknown''. Grain; drill down to fact_request.service_code.';
COMMENT ON COLUMN @extschema@.mv_service_performance.code_system IS 'Code system from the code''s shape (service_code_system: CPT, CPT-II, CPT-III, CPT-PLA, HCPCS, NDC, unknown).';
COMMENT ON COLUMN @extschema@.mv_service_performance.service_category IS 'Category of the code (service_category: CPT section or HCPCS Level II group).';
COMMENT ON COLUMN @extschema@.mv_service_performance.service_description IS 'Public description from dim_service (HCPCS Level II); NULL for CPT codes and codes without one.';
COMMENT ON COLUMN @extschema@.mv_service_performance.first_day_date IS 'First day with a line for the service.';
COMMENT ON COLUMN @extschema@.mv_service_performance.last_day_date IS 'Last day with a line for the service.';
COMMENT ON COLUMN @extschema@.mv_service_performance.lines IS 'Volume: lines (service line x provider) for the service, request rows plus results that match no request row.';
COMMENT ON COLUMN @extschema@.mv_service_performance.succeeded_lines IS 'Lines that succeeded: result_status estimated or partial.';
COMMENT ON COLUMN @extschema@.mv_service_performance.success_rate IS 'succeeded_lines / lines, 0..1.';
COMMENT ON COLUMN @extschema@.mv_service_performance.exception_lines IS 'Lines hit by an exception: their result has one, or their request has a request-level error (any severity).';
COMMENT ON COLUMN @extschema@.mv_service_performance.exception_rate IS 'exception_lines / lines, 0..1.';
COMMENT ON COLUMN @extschema@.mv_service_performance.coverage_known_lines IS 'Lines whose result says whether the service is covered.';
COMMENT ON COLUMN @extschema@.mv_service_performance.covered_lines IS 'Lines whose result says the service is covered.';
COMMENT ON COLUMN @extschema@.mv_service_performance.coverage_rate IS 'covered_lines / coverage_known_lines, 0..1; NULL when no result says.';
COMMENT ON COLUMN @extschema@.mv_service_performance.estimated_lines IS 'Lines with an estimate (in_network_estimate or out_of_network_estimate not NULL).';
COMMENT ON COLUMN @extschema@.mv_service_performance.estimate_total IS 'Sum of the lines'' estimates (in_network_estimate, else out_of_network_estimate), USD, exact.';
COMMENT ON COLUMN @extschema@.mv_service_performance.avg_cost IS 'Average estimated cost of a line: estimate_total / estimated_lines, rounded to cents; NULL when no estimate.';
COMMENT ON COLUMN @extschema@.mv_service_performance.cost_p25 IS 'First quartile of the lines'' estimates: percentile_disc(0.25), the smallest estimate with at least 25% of the estimates at or below it (an actual amount, exact); NULL when no estimate.';
COMMENT ON COLUMN @extschema@.mv_service_performance.cost_p50 IS 'Median estimate: percentile_disc(0.5) (an actual amount, not interpolated); NULL when no estimate.';
COMMENT ON COLUMN @extschema@.mv_service_performance.cost_p75 IS 'Third quartile of the estimates: percentile_disc(0.75); NULL when no estimate.';
COMMENT ON COLUMN @extschema@.mv_service_performance.volume_rank IS 'Rank by lines, 1 = most; services with equal volume share a rank (rank()).';

SELECT @extschema@.mart_publish('service_performance', 160, 'estimator');

-- ---------------------------------------------------------------------------
-- provider_performance: per provider.
-- ---------------------------------------------------------------------------

-- provider_performance: volume, success, exceptions and cost per provider.  Grain: provider x provider type x network.
CREATE MATERIALIZED VIEW @extschema@.mv_provider_performance AS
WITH flagged AS (
    -- the few traces the rules single out: those without a day (left out)
    -- and those with a request-level error (which hits every line)
    SELECT u.trace_id, u.day_date IS NULL AS undated, u.error_count > 0 AS has_request_error
      FROM @extschema@.estimator_request u
     WHERE u.day_date IS NULL OR u.error_count > 0
), p AS (
    SELECT l.provider_id, l.provider_type, l.network_id,
           pg_catalog.count(*) AS lines,
           pg_catalog.count(*) FILTER (WHERE l.answered) AS succeeded_lines,
           pg_catalog.count(*) FILTER (WHERE l.result_has_exception OR f.has_request_error) AS exception_lines,
           pg_catalog.count(l.estimate) AS estimated_lines,
           COALESCE(pg_catalog.sum(l.estimate), 0.00) AS estimate_total
      FROM @extschema@.estimator_line l
      LEFT JOIN flagged f USING (trace_id)
     WHERE f.undated IS NOT TRUE
     GROUP BY l.provider_id, l.provider_type, l.network_id
)
SELECT p.provider_id, p.provider_type, p.network_id,
       dp.npi,
       p.lines,
       p.succeeded_lines,
       p.succeeded_lines::float8 / p.lines AS success_rate,
       p.exception_lines,
       p.exception_lines::float8 / p.lines AS exception_rate,
       p.estimated_lines,
       p.estimate_total,
       pg_catalog.round(p.estimate_total / NULLIF(p.estimated_lines, 0), 2) AS avg_cost,
       pg_catalog.rank() OVER (ORDER BY p.lines DESC)::bigint AS volume_rank
  FROM p
  LEFT JOIN @extschema@.dim_provider dp ON dp.provider_id = p.provider_id
WITH DATA;

CREATE UNIQUE INDEX mv_provider_performance_key ON @extschema@.mv_provider_performance (provider_id, provider_type, network_id);
CREATE INDEX mv_provider_performance_rank ON @extschema@.mv_provider_performance (volume_rank);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_provider_performance IS
  'Cost estimator performance per provider, over every day loaded: volume, success and exception rates, average estimated cost. Grain: provider x provider type x network. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.provider_id IS 'Provider (fact_request.provider_id; empty text for service lines sent without a provider). Grain; drill down to fact_request.provider_id and dim_provider.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.provider_type IS 'Provider type as requested; ''unknown'' when NULL or for a result that matches no request row. Grain.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.network_id IS 'Network the provider was requested under; ''none'' when none (out of network); ''unknown'' for a result that matches no request row. Grain.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.npi IS 'The provider''s NPI from dim_provider; NULL when unknown.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.lines IS 'Volume: lines (service line x provider) for the provider.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.succeeded_lines IS 'Lines that succeeded: result_status estimated or partial.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.success_rate IS 'succeeded_lines / lines, 0..1.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.exception_lines IS 'Lines hit by an exception: their result has one, or their request has a request-level error (any severity).';
COMMENT ON COLUMN @extschema@.mv_provider_performance.exception_rate IS 'exception_lines / lines, 0..1.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.estimated_lines IS 'Lines with an estimate (in_network_estimate or out_of_network_estimate not NULL).';
COMMENT ON COLUMN @extschema@.mv_provider_performance.estimate_total IS 'Sum of the lines'' estimates (in_network_estimate, else out_of_network_estimate), USD, exact.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.avg_cost IS 'Average estimated cost of a line: estimate_total / estimated_lines, rounded to cents; NULL when no estimate.';
COMMENT ON COLUMN @extschema@.mv_provider_performance.volume_rank IS 'Rank by lines, 1 = most; equal volumes share a rank (rank()).';

SELECT @extschema@.mart_publish('provider_performance', 170, 'estimator');
