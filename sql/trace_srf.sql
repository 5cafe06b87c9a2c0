--
-- trace_srf: the five trace set-returning functions over a fixture of six
-- traces, in their jsonb and text variants, and the five tables filled from
-- them with INSERT ... SELECT.
--
--   1  the example trace of docs/trace-format.md (2 lines, 3 providers, 207)
--   2  3 lines x providers, one line without providers (200)
--   3  404 member not found: only response.errors, no results
--   4  a timeout: "response": null
--   5  a timeout: no response key at all
--   6  request-level errors plus result exceptions (exception_seq order)
--
-- Every value below was worked out by hand from the documents.  The same six
-- documents, one per line, are in test/fixtures/traces/srf_fixture.ndjson.
--
-- make check loads the extension with --load-extension; start from a fresh
-- copy either way, quietly.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS costmodel;
CREATE EXTENSION costmodel;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;
-- the functions are cheap; keep JIT from compiling these tiny queries
SET jit = off;

CREATE TEMP TABLE fixture (n integer PRIMARY KEY, doc jsonb NOT NULL);
INSERT INTO fixture VALUES
(1, '{"trace_id": "7f3c2a9e-5b1d-4e8a-9c61-0d2f4b8e1a37", "schema_version": "1.0", "source_system": "cost-estimator-api", "request": {"request_id": "CE-20250304-000183", "received_at": "2025-03-04T14:22:05.123Z", "channel": "member_portal", "member": {"member_id": "M000123456", "subscriber_id": "PFP123450000", "relationship": "self", "plan": {"plan_id": "PPO-GOLD-1500", "group_id": "0012345", "product_type": "PPO", "plan_year": 2025}}, "services": [{"line_id": 1, "service_code": "97112", "code_system": "CPT", "modifiers": ["GP"], "quantity": 4, "service_location": "11", "place_zip": "60614", "diagnosis_codes": ["M54.50"], "planned_date": "2025-03-18", "providers": [{"provider_id": "PRV-88231", "npi": "1234567893", "tin": "36-1234567", "provider_type": "physical_therapist", "taxonomy": "225100000X", "network_id": "00248"}, {"provider_id": "PRV-90412", "npi": "1619283744", "tin": null, "provider_type": "physical_therapist", "taxonomy": "225100000X", "network_id": null}]}, {"line_id": 2, "service_code": "0337U", "code_system": "CPT-PLA", "modifiers": [], "quantity": 1, "service_location": "81", "planned_date": "2025-03-25", "providers": [{"provider_id": "PRV-55120", "npi": "1457389025", "provider_type": "independent_lab", "network_id": "00248"}]}]}, "response": {"responded_at": "2025-03-04T14:22:06.981Z", "status_code": 207, "latency_ms": 1858, "estimate_id": "EST-7731902", "accumulators": {"as_of": "2025-03-04", "in_network": {"deductible": {"individual": {"limit": 1500.00, "met": 600.00}}, "out_of_pocket": {"individual": {"limit": 5000.00, "met": 1180.00}}}}, "results": [{"line_id": 1, "service_code": "97112", "service_location": "11", "provider_id": "PRV-88231", "result_status": "estimated", "coverage": {"covered": true, "network_status": "in_network", "benefit_category": "Physical Therapy", "prior_auth_required": false}, "cost": {"billed_amount": 260.00, "allowed_amount": 148.36, "in_network_estimate": 148.36, "out_of_network_estimate": null, "plan_pays": 108.36}, "patient_responsibility": {"total": 40.00, "copay": 40.00, "coinsurance": 0.00, "coinsurance_rate": null, "deductible": 0.00}, "exceptions": []}, {"line_id": 1, "service_code": "97112", "service_location": "11", "provider_id": "PRV-90412", "result_status": "estimated", "coverage": {"covered": true, "network_status": "out_of_network"}, "cost": {"allowed_amount": 120.00, "out_of_network_estimate": 120.00, "plan_pays": 0.00}, "patient_responsibility": {"total": 120.00, "coinsurance_rate": 0.40, "deductible": 120.00}, "exceptions": [{"type": "Accumulator not found", "code": "ACCUM_NOT_FOUND", "severity": "warning", "message": "OON deductible accumulator unavailable", "source": "accumulator-svc"}]}, {"line_id": 2, "service_code": "0337U", "service_location": "81", "provider_id": "PRV-55120", "result_status": "no_estimate", "coverage": {"covered": true, "network_status": "in_network", "prior_auth_required": true}, "cost": null, "patient_responsibility": null, "exceptions": [{"type": "Rate not found", "code": "RATE_NOT_FOUND", "severity": "error", "message": "No contracted rate for 0337U under network 00248", "source": "pricing-engine"}]}], "errors": []}}'),
(2, '{"trace_id": "t2-three-lines", "schema_version": "1.0", "source_system": "cost-estimator-api", "request": {"request_id": "CE-T2", "received_at": "2025-03-05T09:00:00Z", "channel": "mobile_app", "member": {"member_id": "M2", "plan": {"plan_id": "HMO-1", "group_id": "0099", "product_type": "HMO", "plan_year": 2025}}, "services": [{"line_id": 1, "service_code": "99213", "code_system": "CPT", "quantity": 1, "service_location": "11", "planned_date": "2025-03-10", "providers": [{"provider_id": "PRV-A", "network_id": "N1"}, {"provider_id": "PRV-B", "network_id": "N1"}, {"provider_id": "PRV-C"}]}, {"line_id": 2, "service_code": "80053", "code_system": "CPT", "quantity": 1, "service_location": "81", "providers": [{"provider_id": "PRV-A", "network_id": "N1"}, {"provider_id": "PRV-D", "network_id": "N1"}]}, {"line_id": 3, "service_code": "G0283", "code_system": "HCPCS", "quantity": 2, "providers": []}]}, "response": {"responded_at": "2025-03-05T09:00:01.250Z", "status_code": 200, "latency_ms": 1250, "estimate_id": "EST-T2", "results": [{"line_id": 1, "provider_id": "PRV-A", "service_code": "99213", "result_status": "estimated", "coverage": {"covered": true, "network_status": "in_network"}, "cost": {"billed_amount": 180.00, "allowed_amount": 95.50, "in_network_estimate": 95.50, "plan_pays": 70.50}, "patient_responsibility": {"total": 25.00, "copay": 25.00}, "exceptions": []}, {"line_id": 1, "provider_id": "PRV-B", "service_code": "99213", "result_status": "estimated", "coverage": {"covered": true, "network_status": "in_network"}, "cost": {"billed_amount": 180.00, "allowed_amount": 101.25, "in_network_estimate": 101.25, "plan_pays": 76.25}, "patient_responsibility": {"total": 25.00, "copay": 25.00}, "exceptions": []}, {"line_id": 1, "provider_id": "PRV-C", "service_code": "99213", "result_status": "estimated", "coverage": {"covered": true, "network_status": "out_of_network"}, "cost": {"billed_amount": 180.00, "allowed_amount": 150.00, "out_of_network_estimate": 150.00, "plan_pays": 90.00}, "patient_responsibility": {"total": 60.00, "coinsurance": 60.00, "coinsurance_rate": 0.40}, "exceptions": []}, {"line_id": 2, "provider_id": "PRV-A", "service_code": "80053", "result_status": "estimated", "coverage": {"covered": true, "network_status": "in_network"}, "cost": {"billed_amount": 42.00, "allowed_amount": 14.20, "in_network_estimate": 14.20, "plan_pays": 14.20}, "patient_responsibility": {"total": 0.00}, "exceptions": []}, {"line_id": 2, "provider_id": "PRV-D", "service_code": "80053", "result_status": "estimated", "coverage": {"covered": true, "network_status": "in_network"}, "cost": {"billed_amount": 42.00, "allowed_amount": 12.80, "in_network_estimate": 12.80, "plan_pays": 12.80}, "patient_responsibility": {"total": 0.00}, "exceptions": []}], "errors": []}}'),
(3, '{"trace_id": "t3-member-404", "schema_version": "1.0", "source_system": "cost-estimator-api", "request": {"request_id": "CE-T3", "received_at": "2025-03-06T10:15:00+01:00", "channel": "call_center", "member": {"member_id": "M404", "plan": {"plan_id": "PPO-GOLD-1500"}}, "services": [{"line_id": 1, "service_code": "97110", "code_system": "CPT", "quantity": 2, "providers": [{"provider_id": "PRV-88231"}]}]}, "response": {"responded_at": "2025-03-06T09:15:00.400Z", "status_code": 404, "latency_ms": 400, "errors": [{"type": "Member not found", "code": "MEMBER_NOT_FOUND", "severity": "error", "message": "No member M404 on 2025-03-06", "source": "eligibility-svc"}]}}'),
(4, '{"trace_id": "t4-timeout-null", "request": {"request_id": "CE-T4", "received_at": "2025-03-07T11:00:00Z", "services": [{"line_id": 1, "service_code": "97112", "providers": [{"provider_id": "PRV-88231"}]}]}, "response": null}'),
(5, '{"trace_id": "t5-timeout-missing", "schema_version": "1.0", "request": {"request_id": "CE-T5", "services": [{"line_id": 1, "service_code": "97140", "providers": [{"provider_id": "PRV-90412"}, {"provider_id": "PRV-55120"}]}]}}'),
(6, '{"trace_id": "t6-errors-and-exceptions", "schema_version": "1.0", "source_system": "cost-estimator-api", "request": {"request_id": "CE-T6", "received_at": "2025-03-08T16:45:30.5Z", "channel": "provider_portal", "member": {"member_id": "M6", "plan": {"plan_id": "EPO-1", "plan_year": 2025}}, "services": [{"line_id": 1, "service_code": "70551", "providers": [{"provider_id": "PRV-X"}]}, {"line_id": 2, "service_code": "72148", "providers": [{"provider_id": "PRV-X"}, {"provider_id": "PRV-Y"}]}]}, "response": {"responded_at": "2025-03-08T16:45:35Z", "status_code": 207, "latency_ms": 4500, "estimate_id": "EST-T6", "accumulators": {"as_of": "2025-03-08", "in_network": {"deductible": {"individual": {"limit": 3000, "met": 250.5}}}, "out_of_network": {"deductible": {"individual": {"limit": 6000, "met": 0}}, "out_of_pocket": {"individual": {"limit": 12000, "met": 0}}}}, "errors": [{"type": "Accumulator not found", "code": "ACCUM_NOT_FOUND", "severity": "warning", "message": "OOP accumulator unavailable", "source": "accumulator-svc"}, {"type": "Timeout", "code": "UPSTREAM_TIMEOUT", "severity": "error", "message": "benefits service slow", "source": "benefit-svc"}], "results": [{"line_id": 1, "provider_id": "PRV-X", "service_code": "70551", "result_status": "estimated", "coverage": {"covered": true, "network_status": "in_network", "prior_auth_required": true}, "cost": {"billed_amount": 2400.00, "allowed_amount": 1100.00, "in_network_estimate": 1100.00, "plan_pays": 660.00}, "patient_responsibility": {"total": 440.00, "coinsurance": 440.00, "coinsurance_rate": 0.40, "deductible": 0.00}, "exceptions": [{"type": "Benefit issues", "code": "BENEFIT_LIMIT", "severity": "warning", "message": "Visit limit near", "source": "benefit-svc"}, {"type": "Provider not found", "code": "PROVIDER_NOT_FOUND", "severity": "error", "message": "Provider directory miss", "source": "provider-svc"}]}, {"line_id": 2, "provider_id": "PRV-X", "service_code": "72148", "result_status": "no_estimate", "coverage": {"covered": false}, "exceptions": [{"type": "Other", "code": "NOT_COVERED", "severity": "info", "message": "Service not covered"}]}, {"line_id": 2, "provider_id": "PRV-Y", "service_code": "72148", "result_status": "no_estimate", "coverage": {"covered": true, "network_status": "out_of_network"}, "exceptions": [{"type": "Rate not found", "code": "RATE_NOT_FOUND", "severity": "error", "message": "No rate", "source": "pricing-engine"}, {"type": "Timeout", "code": "PRICING_TIMEOUT", "severity": "error", "message": "pricing timed out", "source": "pricing-engine"}]}]}}');

-- The example trace's header, every column (jsonb variant).
\x on
SELECT * FROM costmodel.trace_header((SELECT doc FROM fixture WHERE n = 1));
\x off

-- The headers of all six traces (text variant): the derived counts.
SELECT f.n, h.trace_id, h.has_response, h.status_code, h.line_count AS lines,
       h.provider_count AS providers, h.request_row_count AS req_rows,
       h.result_count AS results, h.exception_count AS exceptions,
       h.error_count AS errors, h.problem_count AS problems
  FROM fixture f, costmodel.trace_header(f.doc::text) h
 ORDER BY f.n;

-- The other header columns of traces 2 to 6.
SELECT f.n, h.schema_version, h.source_system, h.request_id, h.received_at,
       h.channel, h.member_id, h.plan_id, h.group_id, h.product_type, h.plan_year
  FROM fixture f, costmodel.trace_header(f.doc) h
 WHERE f.n > 1
 ORDER BY f.n;
SELECT f.n, h.responded_at, h.latency_ms, h.estimate_id, h.accumulators_as_of AS as_of,
       h.inn_deductible_limit AS inn_ded_lim, h.inn_deductible_met AS inn_ded_met,
       h.inn_oop_limit, h.inn_oop_met, h.oon_deductible_limit AS oon_ded_lim,
       h.oon_deductible_met AS oon_ded_met, h.oon_oop_limit, h.oon_oop_met
  FROM fixture f, costmodel.trace_header(f.doc) h
 WHERE f.n > 1
 ORDER BY f.n;

-- The example trace's request rows, every column (jsonb variant).
\x on
SELECT * FROM costmodel.trace_requests((SELECT doc FROM fixture WHERE n = 1));
\x off

-- The request rows of the other traces (text variant), in document order;
-- the line without providers has provider_id '' and provider_seq 0.
SELECT f.n, r.line_id, r.provider_id, r.provider_seq, r.service_code,
       r.code_system, r.quantity, r.service_location, r.planned_date, r.network_id
  FROM fixture f, costmodel.trace_requests(f.doc::text) r
 WHERE f.n > 1
 ORDER BY f.n, r.line_id, r.provider_seq;

-- The example trace's response rows, every column (jsonb variant).
\x on
SELECT * FROM costmodel.trace_responses((SELECT doc FROM fixture WHERE n = 1));
\x off

-- The response rows of the other traces (text variant): none for 3, 4 and 5.
SELECT f.n, r.line_id, r.provider_id, r.result_seq, r.result_status AS status,
       r.covered, r.network_status, r.prior_auth_required AS pa,
       r.billed_amount AS billed, r.allowed_amount AS allowed,
       r.in_network_estimate AS inn_est, r.out_of_network_estimate AS oon_est,
       r.plan_pays
  FROM fixture f, costmodel.trace_responses(f.doc::text) r
 WHERE f.n > 1
 ORDER BY f.n, r.result_seq;
SELECT f.n, r.line_id, r.provider_id, r.patient_total AS total,
       r.patient_copay AS copay, r.patient_coinsurance AS coins,
       r.patient_deductible AS ded, r.coinsurance_rate AS rate,
       r.exception_count AS exc, r.primary_exception_type AS primary_type,
       r.primary_exception_code AS primary_code
  FROM fixture f, costmodel.trace_responses(f.doc) r
 WHERE f.n > 1
 ORDER BY f.n, r.result_seq;

-- Exceptions, jsonb variant: the example trace's two result exceptions.
\x on
SELECT * FROM costmodel.trace_exceptions((SELECT doc FROM fixture WHERE n = 1));
\x off

-- Exceptions of all traces (text variant): request errors first
-- (exception_seq 1..), then each result's exceptions in order.
SELECT f.n, e.exception_seq AS seq, e.level, e.line_id, e.provider_id,
       e.service_code, e.exception_type, e.raw_type, e.code, e.severity
  FROM fixture f, costmodel.trace_exceptions(f.doc::text) e
 ORDER BY f.n, e.exception_seq;
SELECT f.n, e.exception_seq AS seq, e.message, e.source
  FROM fixture f, costmodel.trace_exceptions(f.doc) e
 WHERE f.n IN (3, 6)
 ORDER BY f.n, e.exception_seq;

-- Problems: only trace 2's line without providers (both variants).
SELECT f.n, p.* FROM fixture f, costmodel.trace_problems(f.doc) p ORDER BY f.n;
SELECT p.* FROM fixture f, costmodel.trace_problems(f.doc::text) p;

-- The jsonb and text variants return the same rows for every function.
SELECT 'trace_header' AS fn, count(*) FROM (
  SELECT h.* FROM fixture f, costmodel.trace_header(f.doc) h
  EXCEPT ALL SELECT h.* FROM fixture f, costmodel.trace_header(f.doc::text) h) d
UNION ALL
SELECT 'trace_requests', count(*) FROM (
  SELECT r.* FROM fixture f, costmodel.trace_requests(f.doc) r
  EXCEPT ALL SELECT r.* FROM fixture f, costmodel.trace_requests(f.doc::text) r) d
UNION ALL
SELECT 'trace_responses', count(*) FROM (
  SELECT r.* FROM fixture f, costmodel.trace_responses(f.doc) r
  EXCEPT ALL SELECT r.* FROM fixture f, costmodel.trace_responses(f.doc::text) r) d
UNION ALL
SELECT 'trace_exceptions', count(*) FROM (
  SELECT e.* FROM fixture f, costmodel.trace_exceptions(f.doc) e
  EXCEPT ALL SELECT e.* FROM fixture f, costmodel.trace_exceptions(f.doc::text) e) d
UNION ALL
SELECT 'trace_problems', count(*) FROM (
  SELECT p.* FROM fixture f, costmodel.trace_problems(f.doc) p
  EXCEPT ALL SELECT p.* FROM fixture f, costmodel.trace_problems(f.doc::text) p) d;

-- A SQL NULL document gives no rows (the functions are STRICT).
SELECT count(*) FROM costmodel.trace_header(NULL::jsonb);
SELECT count(*) FROM costmodel.trace_requests(NULL::text);

-- Fill the five tables.
INSERT INTO costmodel.fact_trace SELECT h.* FROM fixture, costmodel.trace_header(fixture.doc) h;
INSERT INTO costmodel.fact_request SELECT r.* FROM fixture, costmodel.trace_requests(fixture.doc) r;
INSERT INTO costmodel.fact_response SELECT r.* FROM fixture, costmodel.trace_responses(fixture.doc) r;
INSERT INTO costmodel.fact_exception SELECT e.* FROM fixture, costmodel.trace_exceptions(fixture.doc) e;
INSERT INTO costmodel.trace_problem SELECT p.* FROM fixture, costmodel.trace_problems(fixture.doc) p;

-- Row counts: 6 traces, 3+6+1+1+2+3 request rows, 3+5+3 response rows,
-- 2+1+7 exceptions, 1 problem.
SELECT 'fact_trace' AS tab, count(*) FROM costmodel.fact_trace
UNION ALL SELECT 'fact_request', count(*) FROM costmodel.fact_request
UNION ALL SELECT 'fact_response', count(*) FROM costmodel.fact_response
UNION ALL SELECT 'fact_exception', count(*) FROM costmodel.fact_exception
UNION ALL SELECT 'trace_problem', count(*) FROM costmodel.trace_problem;

-- The header counts agree with the rows of the other tables.
SELECT t.trace_id,
       t.request_row_count = (SELECT count(*) FROM costmodel.fact_request r WHERE r.trace_id = t.trace_id) AS req_ok,
       t.result_count = (SELECT count(*) FROM costmodel.fact_response r WHERE r.trace_id = t.trace_id) AS res_ok,
       t.exception_count = (SELECT count(*) FROM costmodel.fact_exception e WHERE e.trace_id = t.trace_id) AS exc_ok,
       t.error_count = (SELECT count(*) FROM costmodel.fact_exception e WHERE e.trace_id = t.trace_id AND e.level = 'request') AS err_ok,
       t.problem_count = (SELECT count(*) FROM costmodel.trace_problem p WHERE p.trace_id = t.trace_id) AS prob_ok,
       t.provider_count = (SELECT count(DISTINCT r.provider_id) FROM costmodel.fact_request r WHERE r.trace_id = t.trace_id AND r.provider_id <> '') AS prov_ok,
       t.line_count = (SELECT count(DISTINCT r.line_id) FROM costmodel.fact_request r WHERE r.trace_id = t.trace_id) AS line_ok
  FROM costmodel.fact_trace t
 ORDER BY t.trace_id;

-- Each result's exception_count agrees with its exception rows.
SELECT r.trace_id, r.line_id, r.provider_id, r.exception_count,
       (SELECT count(*) FROM costmodel.fact_exception e
         WHERE e.trace_id = r.trace_id AND e.line_id = r.line_id
           AND e.provider_id = r.provider_id) AS rows
  FROM costmodel.fact_response r
 WHERE r.exception_count > 0
 ORDER BY r.trace_id, r.result_seq;

-- Request rows without a response row: trace 2's line 3, the 404 and both
-- timeouts.
SELECT q.trace_id, q.line_id, q.provider_id
  FROM costmodel.fact_request q
  LEFT JOIN costmodel.fact_response s USING (trace_id, line_id, provider_id)
 WHERE s.trace_id IS NULL
 ORDER BY 1, 2, 3;

-- Money per trace; plan_pays + patient_total = allowed_amount on every
-- priced result.
SELECT trace_id, count(*) AS results, sum(billed_amount) AS billed,
       sum(allowed_amount) AS allowed, sum(plan_pays) AS plan_pays,
       sum(patient_total) AS patient_total,
       bool_and(plan_pays + patient_total = allowed_amount) AS balanced
  FROM costmodel.fact_response
 GROUP BY trace_id
 ORDER BY trace_id;

-- Money by network status.
SELECT network_status, count(*) AS results, sum(allowed_amount) AS allowed,
       sum(plan_pays) AS plan_pays, sum(patient_total) AS patient_total
  FROM costmodel.fact_response
 GROUP BY network_status
 ORDER BY network_status;

-- Exceptions by canonical type and level.
SELECT exception_type, count(*) FILTER (WHERE level = 'request') AS request,
       count(*) FILTER (WHERE level = 'result') AS result, count(*) AS total
  FROM costmodel.fact_exception
 GROUP BY exception_type
 ORDER BY exception_type;

-- Traces without a response (the timeouts).
SELECT trace_id, has_response, status_code, request_row_count, result_count
  FROM costmodel.fact_trace
 WHERE NOT has_response
 ORDER BY trace_id;
