--
-- marts_estimator: the cost-estimator marts on a small hand-made fixture
-- whose every figure is worked out by hand in the comments below.  Edges:
-- a day taken from UTC (a request at 20:00 -05:00 belongs to the next UTC
-- day), a trace dated by responded_at only, a trace with no date at all (left
-- out everywhere), a NULL channel, no response, an unreadable status, a
-- line without providers, a line with two providers, a result that matches
-- no request row, a request-level error hitting every line of its request,
-- two exceptions of one type on one line, a latency exactly at the target,
-- a day x channel with no estimate (averages NULL, totals 0), coverage
-- unknown, ties in the cost quartiles and in the volume rank, settings
-- changed (latency target and health weights, all weights 0), and the marts
-- empty before any data.
--
-- pg_regress runs every test in one database and earlier tests leave trace
-- facts behind: this test runs in one transaction that first empties the
-- trace facts and dim_provider, and rolls back at the end, so later tests find
-- the database as it was.  refresh_marts inside a transaction block refreshes
-- without committing (it says so in a notice).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;
\pset null '(null)'

-- ------------------------------------------------------------ registry
SELECT mart_name, refresh_order, area, view_name, key_columns
  FROM costmodel.mart WHERE area = 'estimator' ORDER BY refresh_order;

-- every mart column is published with its comment
SELECT m.mart_name, count(*) AS columns,
       count(*) FILTER (WHERE col_description(format('costmodel_mart.%I', m.mart_name)::regclass, a.attnum) IS NOT NULL) AS commented
  FROM costmodel.mart m
  JOIN pg_attribute a ON a.attrelid = format('costmodel_mart.%I', m.mart_name)::regclass AND a.attnum > 0
 WHERE m.area = 'estimator'
 GROUP BY m.mart_name, m.refresh_order ORDER BY m.refresh_order;

-- the settings the estimator marts read
SELECT name, value, unit FROM costmodel.settings WHERE name LIKE 'estimator%' ORDER BY name;

-- ------------------------------------------------------------ no data yet: every mart is empty
BEGIN;
DELETE FROM costmodel.fact_exception;
DELETE FROM costmodel.fact_response;
DELETE FROM costmodel.fact_request;
DELETE FROM costmodel.fact_trace;
DELETE FROM costmodel.dim_provider;
CALL costmodel.refresh_marts();
SET LOCAL client_min_messages = warning;   -- that notice once is enough
SELECT (SELECT count(*) FROM costmodel_mart.estimator_daily) AS estimator_daily,
       (SELECT count(*) FROM costmodel_mart.status_daily) AS status_daily,
       (SELECT count(*) FROM costmodel_mart.line_outcomes_daily) AS line_outcomes_daily,
       (SELECT count(*) FROM costmodel_mart.service_daily) AS service_daily,
       (SELECT count(*) FROM costmodel_mart.coverage_daily) AS coverage_daily,
       (SELECT count(*) FROM costmodel_mart.costs_daily) AS costs_daily,
       (SELECT count(*) FROM costmodel_mart.exceptions_daily) AS exceptions_daily,
       (SELECT count(*) FROM costmodel_mart.exceptions_service_daily) AS exceptions_service_daily,
       (SELECT count(*) FROM costmodel_mart.service_performance) AS service_performance,
       (SELECT count(*) FROM costmodel_mart.provider_performance) AS provider_performance;

-- ------------------------------------------------------------ the fixture
-- D1 = 2025-03-03 (a Monday), D2 = 2025-03-04.  Both: week 2025-03-03,
-- month 2025-03-01, fiscal year 2025 quarter 1 (fiscal year starts in January).
--
-- trace  day                          channel        status  latency  lines x providers
-- t1     D1 10:00Z                    member_portal  200     500      (1,P1,97112) (2,P2,99213)
-- t2     D1 23:59:59.999Z             member_portal  207     2500     (1,P1,97112) (1,P3,97112)  one line, two providers
-- t3     D1 12:00Z                    mobile_app     504     30000    (1,P1,97112) (2,P2,99213)  request error Timeout
-- t4     D1 13:00Z                    NULL->unknown  none    NULL     (1,'',G0008)               no response; line without providers
-- t9     D1 14:00Z                    NULL->unknown  NULL    700      (1,P2,99213)               response without a readable status
-- t5     D1 20:00-05 = D2 01:00Z      member_portal  200     2000     (1,P1,97112) + a result (9,PX,0337U) with no request row
-- t6     received NULL, responded D2  mobile_app     404     100      (1,P2,99213)               request error Member not found
-- t7     no date at all                member_portal  200     300      (1,P1,97112)               left out of every mart
-- t8     D2 09:00Z                    api            500     1500     (1,P4,G0008)               request error Other (no severity)
--
-- providers: P1 physical_therapist network 00248 (NPI 1234567893), P2
-- primary_care_physician no network ('none'), P3 physical_therapist 00311,
-- P4 independent_lab 00517, '' (no provider, type NULL -> 'unknown').
CREATE TEMP TABLE t (trace_id text, received_at timestamptz, responded_at timestamptz, channel text,
                     has_response boolean, status_code integer, latency_ms integer,
                     line_count integer, provider_count integer, request_row_count integer,
                     result_count integer, exception_count integer, error_count integer);
INSERT INTO t VALUES
  ('t1', '2025-03-03 10:00:00+00', '2025-03-03 10:00:00.5+00', 'member_portal', true, 200, 500, 2, 2, 2, 2, 0, 0),
  ('t2', '2025-03-03 23:59:59.999+00', '2025-03-04 00:00:02.499+00', 'member_portal', true, 207, 2500, 1, 2, 2, 2, 3, 0),
  ('t3', '2025-03-03 12:00:00+00', NULL, 'mobile_app', true, 504, 30000, 2, 2, 2, 0, 1, 1),
  ('t4', '2025-03-03 13:00:00+00', NULL, NULL, false, NULL, NULL, 1, 0, 1, 0, 0, 0),
  ('t9', '2025-03-03 14:00:00+00', '2025-03-03 14:00:00.7+00', NULL, true, NULL, 700, 1, 1, 1, 0, 0, 0),
  ('t5', '2025-03-03 20:00:00-05', '2025-03-04 01:00:02+00', 'member_portal', true, 200, 2000, 1, 1, 1, 2, 0, 0),
  ('t6', NULL, '2025-03-04 12:00:00+00', 'mobile_app', true, 404, 100, 1, 1, 1, 0, 1, 1),
  ('t7', NULL, NULL, 'member_portal', true, 200, 300, 1, 1, 1, 1, 1, 0),
  ('t8', '2025-03-04 09:00:00+00', '2025-03-04 09:00:01.5+00', 'api', true, 500, 1500, 1, 1, 1, 0, 1, 1);
INSERT INTO costmodel.fact_trace (trace_id, received_at, responded_at, channel, has_response, status_code,
                                  latency_ms, line_count, provider_count, request_row_count, result_count,
                                  exception_count, error_count, problem_count)
SELECT trace_id, received_at, responded_at, channel, has_response, status_code, latency_ms, line_count,
       provider_count, request_row_count, result_count, exception_count, error_count, 0
  FROM t;

INSERT INTO costmodel.fact_request (trace_id, line_id, provider_id, service_code, provider_seq, npi, provider_type, network_id) VALUES
  ('t1', 1, 'P1', '97112', 1, '1234567893', 'physical_therapist', '00248'),
  ('t1', 2, 'P2', '99213', 1, NULL, 'primary_care_physician', NULL),
  ('t2', 1, 'P1', '97112', 1, '1234567893', 'physical_therapist', '00248'),
  ('t2', 1, 'P3', '97112', 2, NULL, 'physical_therapist', '00311'),
  ('t3', 1, 'P1', '97112', 1, '1234567893', 'physical_therapist', '00248'),
  ('t3', 2, 'P2', '99213', 1, NULL, 'primary_care_physician', NULL),
  ('t4', 1, '', 'G0008', 0, NULL, NULL, NULL),
  ('t9', 1, 'P2', '99213', 1, NULL, 'primary_care_physician', NULL),
  ('t5', 1, 'P1', '97112', 1, '1234567893', 'physical_therapist', '00248'),
  ('t6', 1, 'P2', '99213', 1, NULL, 'primary_care_physician', NULL),
  ('t7', 1, 'P1', '97112', 1, '1234567893', 'physical_therapist', '00248'),
  ('t8', 1, 'P4', 'G0008', 1, NULL, 'independent_lab', '00517');

-- results                        status       covered network         prior  in_est  oon_est  plan   patient (copay, coins, ded)  exc
-- t1 (1,P1) 97112                estimated    t       in_network      f      100.00  -        80.00  20.00 (20.00, 0.00, 0.00)    0
-- t1 (2,P2) 99213                estimated    t       out_of_network  f      -       300.00   150.00 150.00 (0.00, 90.00, 60.00)  0
-- t2 (1,P1) 97112                partial      t       in_network      t      120.00  -        90.00  30.00 (0.00, 24.00, 6.00)    1
-- t2 (1,P3) 97112                no_estimate  NULL    unknown         NULL   -       -        -      -                            2
-- t5 (1,P1) 97112                estimated    t       in_network      f      100.00  -        80.00  20.00 (20.00, 0.00, 0.00)    0
-- t5 (9,PX) 0337U (no request)   estimated    f       unknown         NULL   -       50.00    0.00   50.00 (0.00, 0.00, 50.00)    0
-- t7 (1,P1) 97112 (no date)      estimated    t       in_network      f      999.99  -        0.00   999.99 (...)                 1
INSERT INTO costmodel.fact_response (trace_id, line_id, provider_id, service_code, result_seq, result_status,
                                     covered, network_status, prior_auth_required, in_network_estimate,
                                     out_of_network_estimate, plan_pays, patient_total, patient_copay,
                                     patient_coinsurance, patient_deductible, exception_count) VALUES
  ('t1', 1, 'P1', '97112', 1, 'estimated', true, 'in_network', false, 100.00, NULL, 80.00, 20.00, 20.00, 0.00, 0.00, 0),
  ('t1', 2, 'P2', '99213', 2, 'estimated', true, 'out_of_network', false, NULL, 300.00, 150.00, 150.00, 0.00, 90.00, 60.00, 0),
  ('t2', 1, 'P1', '97112', 1, 'partial', true, 'in_network', true, 120.00, NULL, 90.00, 30.00, 0.00, 24.00, 6.00, 1),
  ('t2', 1, 'P3', '97112', 2, 'no_estimate', NULL, 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2),
  ('t5', 1, 'P1', '97112', 1, 'estimated', true, 'in_network', false, 100.00, NULL, 80.00, 20.00, 20.00, 0.00, 0.00, 0),
  ('t5', 9, 'PX', '0337U', 2, 'estimated', false, 'unknown', NULL, NULL, 50.00, 0.00, 50.00, 0.00, 0.00, 50.00, 0),
  ('t7', 1, 'P1', '97112', 1, 'estimated', true, 'in_network', false, 999.99, NULL, 0.00, 999.99, 0.00, 0.00, 999.99, 1);

-- exceptions: t2 (1,P1) Accumulator not found (warning); t2 (1,P3) Rate not
-- found twice (error, warning); t3 Timeout (request, error); t6 Member not
-- found (request, error); t7 (1,P1) Other (warning, no date); t8 Other
-- (request, no severity).  Types seen: 5.
INSERT INTO costmodel.fact_exception (trace_id, exception_seq, level, line_id, provider_id, service_code,
                                      exception_type, severity) VALUES
  ('t2', 1, 'result', 1, 'P1', '97112', 'Accumulator not found', 'warning'),
  ('t2', 2, 'result', 1, 'P3', '97112', 'Rate not found', 'error'),
  ('t2', 3, 'result', 1, 'P3', '97112', 'Rate not found', 'warning'),
  ('t3', 1, 'request', NULL, NULL, NULL, 'Timeout', 'error'),
  ('t6', 1, 'request', NULL, NULL, NULL, 'Member not found', 'error'),
  ('t7', 1, 'result', 1, 'P1', '97112', 'Other', 'warning'),
  ('t8', 1, 'request', NULL, NULL, NULL, 'Other', NULL);

CALL costmodel.refresh_marts();
SELECT mart_name, rows, status, refresh_mode FROM costmodel.refresh_log
 WHERE run_id = (SELECT max(run_id) FROM costmodel.refresh_log) AND mart_name IN (SELECT mart_name FROM costmodel.mart WHERE area = 'estimator')
 ORDER BY refresh_log_id;

-- ------------------------------------------------------------ estimator_daily
-- (D1, member_portal) t1 t2: requests 2, lines 2+1 = 3, succeeded 1 (t1, 200),
--   partial 1 (t2, 207), failed 0, success 0.5; exception requests 1 (t2),
--   exceptions 3, rate 0.5; estimated requests 2; in-network 100+120 =
--   220.00, out-of-network 300.00, patient 20+150+30 = 200.00, estimates
--   100+300+120 = 520.00, per request 520/2 = 260.00; providers (2+2)/2 = 2;
--   latency {500, 2500}: p50 1500, p95 500 + 0.95*2000 = 2400; on time
--   (<= 2000) 1 of 2 = 0.5; health 100*(0.5*0.5 + 0.3*(1-0.5) + 0.2*0.5) = 50.
-- (D1, mobile_app) t3: 1 request, 2 lines, failed 1, success 0; exceptions 1,
--   rate 1; no estimate: totals 0.00, average NULL; providers 2; latency
--   30000 (p50 = p95); on time 0; health 100*(0 + 0.3*0 + 0) = 0.
-- (D1, unknown) t4 t9: 2 requests, 2 lines, failed 2; no exception: rate 0;
--   providers (0+1)/2 = 0.5; latency only t9's 700; on time 1 of 2 (t4 has
--   none); health 100*(0 + 0.3*1 + 0.2*0.5) = 40.
-- (D2, member_portal) t5: 1 request, succeeded; in 100.00, out 50.00 (the
--   result without a request row still belongs to the trace), patient
--   20+50 = 70.00, estimates 150.00, per request 150.00; latency 2000 = the
--   target: on time; health 100.
-- (D2, mobile_app) t6 (dated by responded_at): failed, exception rate 1,
--   latency 100 on time: health 100*0.2 = 20.   (D2, api) t8: the same, 20.
-- t7 has no date: not counted anywhere (its 999.99 appears in no mart).
SELECT day_date, channel, week_start_date, month_start_date, fiscal_year, fiscal_quarter,
       requests, lines, succeeded_requests, partial_requests, failed_requests, success_rate
  FROM costmodel_mart.estimator_daily ORDER BY day_date, channel;
SELECT day_date, channel, exception_requests, exceptions, exception_rate, estimated_requests,
       in_network_estimate_total, out_of_network_estimate_total, patient_responsibility_total,
       estimate_total, avg_cost_per_request
  FROM costmodel_mart.estimator_daily ORDER BY day_date, channel;
SELECT day_date, channel, avg_providers_per_request, latency_p50_ms, latency_p95_ms,
       on_time_requests, on_time_rate, health_score
  FROM costmodel_mart.estimator_daily ORDER BY day_date, channel;

-- ------------------------------------------------------------ status_daily
-- D1 member_portal: 200 success 1 (share 0.5, latency 500), 207 partial 1
-- (0.5, 2500); D1 mobile_app: 504 timeout 1 (1.0, 30000); D1 unknown: status
-- 0 twice, told apart by the class: no_response (t4, no latency) and unknown
-- (t9, 700), each 0.5; D2: member_portal 200 (2000), mobile_app 404
-- client_error (100), api 500 server_error (1500), each 1.0.
SELECT day_date, channel, status_code, status_class, week_start_date, fiscal_quarter,
       requests, request_share, latency_p50_ms, latency_p95_ms
  FROM costmodel_mart.status_daily ORDER BY day_date, channel, status_code, status_class;

-- ------------------------------------------------------------ line_outcomes_daily
-- The dated lines and what each contributes:
--   D1 t1(1,P1) 97112 pt 00248 in_network: result, success, covered, est 100 (in), patient 20 (20/0/0), plan 80
--   D1 t2(1,P1) 97112 pt 00248 in_network: result, success (partial), exception, covered, prior auth, est 120 (in), patient 30 (0/24/6), plan 90
--   D1 t3(1,P1) 97112 pt 00248 no_result: exception (t3's Timeout)
--   D1 t2(1,P3) 97112 pt 00311 unknown: result, not a success, exception, coverage unknown, no estimate
--   D1 t1(2,P2) 99213 pcp none out_of_network: result, success, covered, est 300 (out), patient 150 (0/90/60), plan 150
--   D1 t3(2,P2) 99213 pcp none no_result: exception (Timeout);  D1 t9(1,P2) same cell, no exception
--   D1 t4(1,'') G0008 unknown none no_result: nothing else
--   D2 t5(1,P1) 97112 pt 00248 in_network: result, success, covered, est 100 (in), patient 20 (20/0/0), plan 80
--   D2 t5(9,PX) 0337U unknown unknown unknown: result, success, not covered, est 50 (out), patient 50 (0/0/50), plan 0
--   D2 t6(1,P2) 99213 pcp none no_result: exception;  D2 t8(1,P4) G0008 independent_lab 00517 no_result: exception
-- so the cell (D1, 97112, pt, 00248, in_network) has 2 lines, 2 results, 2
-- successes, 1 exception, 2 known and covered, 1 prior auth, 2 estimates
-- totalling 220.00 (all in network), patient 50.00 = 20.00 copay + 24.00
-- coinsurance + 6.00 deductible, plan 170.00; (D1, 99213, pcp, none,
-- no_result) has 2 lines and 1 exception line.
SELECT day_date, service_code, provider_type, network_id, network_status,
       lines, result_lines, succeeded_lines, exception_lines, coverage_known_lines, covered_lines,
       prior_auth_lines, estimated_lines
  FROM costmodel_mart.line_outcomes_daily ORDER BY 1, 2, 3, 4, 5;
SELECT day_date, service_code, provider_type, network_id, network_status,
       estimate_total, in_network_estimate_total, out_of_network_estimate_total,
       patient_responsibility_total, patient_copay_total, patient_coinsurance_total,
       patient_deductible_total, plan_pays_total
  FROM costmodel_mart.line_outcomes_daily ORDER BY 1, 2, 3, 4, 5;

-- ------------------------------------------------------------ service_daily
-- (D1, 97112): 4 lines (t1P1, t2P1, t3P1, t2P3), 2 successes (0.5), 3
--   exception lines (t2P1, t3P1, t2P3: 0.75), coverage 2 of 2 known (1.0),
--   2 estimates 220.00, average 110.00, patient 50.00.
-- (D1, 99213): 3 lines (t1P2, t3P2, t9P2), 1 success (1/3), 1 exception
--   (1/3), coverage 1 of 1, estimate 300.00, average 300.00, patient 150.00.
-- (D1, G0008): 1 line, nothing known: coverage and average NULL, totals 0.
-- (D2, 0337U): 1 line, success, not covered (coverage 0), 50.00.
-- (D2, 97112): 1 line, success, covered, 100.00.  (D2, 99213) and (D2,
-- G0008): 1 line each, exception rate 1, coverage NULL.
SELECT day_date, service_code, month_start_date, lines, succeeded_lines, success_rate,
       exception_lines, exception_rate, coverage_known_lines, covered_lines, coverage_rate,
       estimated_lines, estimate_total, avg_cost, patient_responsibility_total
  FROM costmodel_mart.service_daily ORDER BY day_date, service_code;

-- ------------------------------------------------------------ coverage_daily
-- (D1, 97112, pt): 4 lines, 3 results, 2 known, 2 covered, 0 not, 1.0, 1 prior auth.
-- (D1, 99213, pcp): 3 lines, 1 result, 1 known, covered: 1.0.
-- (D1, G0008, unknown): 1 line, no result: NULL.
-- (D2, 0337U, unknown): 1 known, not covered: 0.  (D2, 97112, pt): 1.0.
-- (D2, 99213, pcp) and (D2, G0008, independent_lab): no result: NULL.
SELECT day_date, service_code, provider_type, fiscal_year, lines, result_lines, coverage_known_lines,
       covered_lines, not_covered_lines, coverage_rate, prior_auth_lines
  FROM costmodel_mart.coverage_daily ORDER BY 1, 2, 3;

-- ------------------------------------------------------------ costs_daily
-- (D1, in_network): t1P1 + t2P1: 2 results, in 220.00, estimates 220.00
--   (average 110.00), patient 50.00 = 20.00 + 24.00 + 6.00, plan 170.00.
-- (D1, out_of_network): t1P2: out 300.00, patient 150.00 = 0 + 90 + 60, plan 150.00.
-- (D1, unknown): t2P3: 1 result, no estimate: totals 0.00, average NULL.
-- (D2, in_network): t5P1: 100.00, patient 20.00, plan 80.00.
-- (D2, unknown): t5PX: out 50.00, patient 50.00 (deductible), plan 0.00.
-- Lines without a result (no_result) have no money and no row.
SELECT day_date, network_status, week_start_date, results, estimated_results,
       in_network_estimate_total, out_of_network_estimate_total, estimate_total, avg_estimate
  FROM costmodel_mart.costs_daily ORDER BY 1, 2;
SELECT day_date, network_status, patient_responsibility_total, patient_copay_total,
       patient_coinsurance_total, patient_deductible_total, plan_pays_total
  FROM costmodel_mart.costs_daily ORDER BY 1, 2;

-- ------------------------------------------------------------ exceptions_daily
-- Cells (lines): D1 (97112, pt, 00248) 3 [t1P1 t2P1 t3P1]; D1 (97112, pt,
-- 00311) 1; D1 (99213, pcp, none) 3 [t1P2 t3P2 t9P2]; D1 (G0008, unknown,
-- none) 1; D2 (97112, pt, 00248) 1; D2 (0337U, unknown, unknown) 1; D2
-- (99213, pcp, none) 1; D2 (G0008, independent_lab, 00517) 1.  8 cells x 5
-- types seen (Accumulator not found, Member not found, Other, Rate not
-- found, Timeout) = 40 rows; the hits:
--   D1 (97112, pt, 00248) Accumulator not found: t2P1, 1 line, 1 warning: 1/3
--   D1 (97112, pt, 00248) Timeout: t3P1, 1 line, 1 error: 1/3
--   D1 (97112, pt, 00311) Rate not found: t2P3, 1 line, 2 exceptions, 1 error: 1
--   D1 (99213, pcp, none) Timeout: t3P2 (the request error hits each line): 1/3
--   D2 (99213, pcp, none) Member not found: t6P2: 1
--   D2 (G0008, independent_lab, 00517) Other: t8P4, no severity: 0 errors: 1
-- t7's Other is not dated: Other hits nothing else.  Every other row is 0.
SELECT count(*) AS rows, count(DISTINCT exception_type) AS types,
       count(DISTINCT (day_date, service_code, provider_type, network_id)) AS cells,
       sum(exceptions) AS exceptions
  FROM costmodel_mart.exceptions_daily;
SELECT day_date, exception_type, service_code, provider_type, network_id, lines,
       lines_affected, exceptions, error_exceptions, exception_rate
  FROM costmodel_mart.exceptions_daily WHERE lines_affected > 0 ORDER BY 1, 2, 3, 4, 5;
-- a cell's lines are repeated on each type's row, so a roll-up is right:
-- 97112 over both days, all types: lines 4 + 1 = 5 per type
SELECT exception_type, sum(lines) AS lines, sum(lines_affected) AS lines_affected,
       sum(lines_affected)::float8 / sum(lines) AS exception_rate
  FROM costmodel_mart.exceptions_daily WHERE service_code = '97112'
 GROUP BY exception_type ORDER BY exception_type;

-- ------------------------------------------------------------ exceptions_service_daily
-- The same over provider type and network: 7 (day, service) pairs (D1: 97112
-- 99213 G0008; D2: 0337U 97112 99213 G0008) x 5 types = 35 rows; the hits:
--   D1 97112 (4 lines): Accumulator not found 1 (1/4), Rate not found 1 line
--     with 2 exceptions, 1 error (1/4), Timeout 1 (1/4)
--   D1 99213 (3 lines): Timeout 1 (1/3)
--   D2 99213 (1 line): Member not found 1 (1);  D2 G0008 (1 line): Other 1, no error (1)
SELECT count(*) AS rows, sum(lines_affected) AS lines_affected, sum(exceptions) AS exceptions
  FROM costmodel_mart.exceptions_service_daily;
SELECT day_date, exception_type, service_code, fiscal_quarter, lines, lines_affected, exceptions,
       error_exceptions, exception_rate
  FROM costmodel_mart.exceptions_service_daily WHERE lines_affected > 0 ORDER BY 1, 2, 3;

-- ------------------------------------------------------------ service_performance
-- 97112: 5 lines (4 on D1, t5P1 on D2), 3 successes (0.6), 3 exception lines
--   (0.6), 3 of 3 known covered, estimates {100, 100, 120}: total 320.00,
--   average 106.67 (106.666...), quartiles (percentile_disc) 100.00, 100.00,
--   120.00; CPT, Medicine; D1 to D2; rank 1.
-- 99213: 4 lines (t1P2 t3P2 t9P2 t6P2), 1 success (0.25), 2 exception lines
--   (0.5), 1 of 1 covered, one estimate 300.00: average and quartiles 300.00;
--   CPT, Evaluation and Management; rank 2.
-- G0008: 2 lines (t4, t8), no success, 1 exception line (t8) 0.5, coverage
--   NULL, no estimate: average and quartiles NULL; HCPCS, Procedures and
--   professional services, with its shipped description; rank 3.
-- 0337U (only in a result without a request row): 1 line, success, not
--   covered, 50.00; CPT-PLA; D2 only; rank 4.
SELECT service_code, code_system, service_category, service_description, first_day_date, last_day_date,
       lines, volume_rank
  FROM costmodel_mart.service_performance ORDER BY volume_rank, service_code;
SELECT service_code, succeeded_lines, success_rate, exception_lines, exception_rate,
       coverage_known_lines, covered_lines, coverage_rate
  FROM costmodel_mart.service_performance ORDER BY volume_rank, service_code;
SELECT service_code, estimated_lines, estimate_total, avg_cost, cost_p25, cost_p50, cost_p75
  FROM costmodel_mart.service_performance ORDER BY volume_rank, service_code;

-- ------------------------------------------------------------ provider_performance
-- P1 (pt, 00248): t1 t2 t3 t5: 4 lines, 3 successes (0.75), 2 exception
--   lines (t2 Accumulator, t3 Timeout: 0.5), estimates 100+120+100 = 320.00,
--   average 106.67; NPI from dim_provider; rank 1 (tied).
-- P2 (pcp, none): t1 t3 t9 t6: 4 lines, 1 success (0.25), 2 exception lines
--   (t3, t6: 0.5), 300.00; rank 1 (tied).
-- P3, P4, '' and PX (the result without a request row: type and network
-- unknown): 1 line each; rank 3.
SELECT provider_id, provider_type, network_id, npi, lines, succeeded_lines, success_rate,
       exception_lines, exception_rate, estimated_lines, estimate_total, avg_cost, volume_rank
  FROM costmodel_mart.provider_performance ORDER BY volume_rank, provider_id;

-- ------------------------------------------------------------ the marts agree with each other
-- 12 dated lines in every line mart; every exception type's rows cover them all
SELECT (SELECT sum(lines) FROM costmodel_mart.line_outcomes_daily) AS line_outcomes,
       (SELECT sum(lines) FROM costmodel_mart.service_daily) AS service_daily,
       (SELECT sum(lines) FROM costmodel_mart.coverage_daily) AS coverage_daily,
       (SELECT sum(lines) FROM costmodel_mart.service_performance) AS service_performance,
       (SELECT sum(lines) FROM costmodel_mart.provider_performance) AS provider_performance,
       (SELECT min(l) FROM (SELECT sum(lines) AS l FROM costmodel_mart.exceptions_daily GROUP BY exception_type) x) AS exceptions_min,
       (SELECT max(l) FROM (SELECT sum(lines) AS l FROM costmodel_mart.exceptions_daily GROUP BY exception_type) x) AS exceptions_max,
       (SELECT min(l) FROM (SELECT sum(lines) AS l FROM costmodel_mart.exceptions_service_daily GROUP BY exception_type) x) AS heatmap_min,
       (SELECT max(l) FROM (SELECT sum(lines) AS l FROM costmodel_mart.exceptions_service_daily GROUP BY exception_type) x) AS heatmap_max;
-- money: costs_daily = estimator_daily = line_outcomes_daily
SELECT (SELECT sum(estimate_total) FROM costmodel_mart.costs_daily) AS costs_daily,
       (SELECT sum(estimate_total) FROM costmodel_mart.estimator_daily) AS estimator_daily,
       (SELECT sum(estimate_total) FROM costmodel_mart.line_outcomes_daily) AS line_outcomes,
       (SELECT sum(patient_responsibility_total) FROM costmodel_mart.costs_daily) AS patient_costs,
       (SELECT sum(patient_responsibility_total) FROM costmodel_mart.estimator_daily) AS patient_estimator;

-- ------------------------------------------------------------ settings change the marts
-- latency target 2500: t2 (2500) is now on time, so (D1, member_portal) is
-- 2 of 2 on time: health 100*(0.25 + 0.15 + 0.2*1) = 60; the others keep theirs.
UPDATE costmodel.settings SET value = '2500' WHERE name = 'estimator_latency_target';
CALL costmodel.refresh_marts(ARRAY['estimator_daily']);
SELECT day_date, channel, on_time_requests, on_time_rate, health_score
  FROM costmodel_mart.estimator_daily ORDER BY day_date, channel;
-- weights 1, 0, 0: the health score is 100 * success_rate
UPDATE costmodel.settings SET value = '1' WHERE name = 'estimator_health_weight_success';
UPDATE costmodel.settings SET value = '0' WHERE name IN ('estimator_health_weight_exceptions', 'estimator_health_weight_latency');
CALL costmodel.refresh_marts(ARRAY['estimator_daily']);
SELECT day_date, channel, success_rate, health_score FROM costmodel_mart.estimator_daily ORDER BY day_date, channel;
-- every weight 0: no health score
UPDATE costmodel.settings SET value = '0' WHERE name = 'estimator_health_weight_success';
CALL costmodel.refresh_marts(ARRAY['estimator_daily']);
SELECT count(*) AS rows, count(health_score) AS with_health FROM costmodel_mart.estimator_daily;
-- a weight out of range is refused by the settings
SAVEPOINT before_bad_weight;
\set SHOW_CONTEXT never
UPDATE costmodel.settings SET value = '1.5' WHERE name = 'estimator_health_weight_latency';
\set SHOW_CONTEXT errors
ROLLBACK TO SAVEPOINT before_bad_weight;
SELECT name, costmodel.reset_setting(name) FROM costmodel.settings WHERE name LIKE 'estimator%' ORDER BY name;

-- ------------------------------------------------------------ a refresh picks up new facts
-- t7 gets its date (D2, member_portal): requests 2, estimated 2, estimates
-- 150.00 + 999.99 = 1149.99, per request 575.00 (574.995 rounded half away
-- from zero), and Other now hits a line of (D2, 97112, pt, 00248).
UPDATE costmodel.fact_trace SET received_at = '2025-03-04 08:00:00+00' WHERE trace_id = 't7';
CALL costmodel.refresh_marts();
SELECT day_date, channel, requests, estimated_requests, estimate_total, avg_cost_per_request, health_score
  FROM costmodel_mart.estimator_daily WHERE day_date = '2025-03-04' AND channel = 'member_portal';
SELECT day_date, exception_type, service_code, lines, lines_affected, exceptions, error_exceptions, exception_rate
  FROM costmodel_mart.exceptions_daily WHERE day_date = '2025-03-04' AND service_code = '97112' AND lines_affected > 0;
SELECT service_code, lines, estimated_lines, avg_cost, cost_p25, cost_p50, cost_p75, volume_rank
  FROM costmodel_mart.service_performance ORDER BY volume_rank, service_code;

ROLLBACK;
