--
-- trace_tolerance: one small trace per tolerance rule of the trace format.
-- Each case shows the normalised value and the trace_problems rows (path,
-- reason, raw_value) with fact_trace.problem_count; every expected value was
-- worked out by hand from the rules:
--   amounts, rates, booleans, timestamps and dates in every accepted form;
--   network status and exception type spellings; a single object where an
--   array belongs; bare-string exceptions; numbers given as text; unknown keys;
--   response null, missing or not an object; unreadable values; duplicate
--   (line_id, provider_id) pairs; and the smaller text rules.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;
-- the functions are cheap; keep JIT from compiling these tiny queries
SET jit = off;
\pset null '(null)'
-- doc(res, line, req, resp): a minimal trace "tol" with one service line
-- (line_id 1, provider P1) and one result for it; each argument is merged
-- into the result, the service line, the request and the response.
CREATE FUNCTION pg_temp.doc(res jsonb DEFAULT '{}', line jsonb DEFAULT '{}',
                            req jsonb DEFAULT '{}', resp jsonb DEFAULT '{}')
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(
    'trace_id', 'tol',
    'request', jsonb_build_object('services', jsonb_build_array(
                 '{"line_id": 1, "providers": [{"provider_id": "P1"}]}'::jsonb || line)) || req,
    'response', jsonb_build_object('results', jsonb_build_array(
                 '{"line_id": 1, "provider_id": "P1"}'::jsonb || res)) || resp)
$$;
-- nest(obj, key, v): {obj: {key: v}} for the JSON text v; {obj: {}} when v is NULL.
CREATE FUNCTION pg_temp.nest(obj text, key text, v text) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object(obj, CASE WHEN v IS NULL THEN '{}'::jsonb
                                      ELSE jsonb_build_object(key, v::jsonb) END)
$$;
-- One helper per kind of value: the value read from the JSON text v, each
-- problem of the document, and the header's problem_count.
CREATE FUNCTION pg_temp.money(v text)
RETURNS TABLE (plan_pays numeric, path text, reason text, raw_value text, problem_count integer)
LANGUAGE sql AS $$
  SELECT r.plan_pays, p.path, p.reason, p.raw_value, h.problem_count
    FROM (SELECT pg_temp.doc(pg_temp.nest('cost', 'plan_pays', v)) AS doc) d
    CROSS JOIN LATERAL costmodel.trace_header(d.doc) h
    CROSS JOIN LATERAL costmodel.trace_responses(d.doc) r
    LEFT JOIN LATERAL costmodel.trace_problems(d.doc) WITH ORDINALITY p ON true
   ORDER BY p.ordinality
$$;
CREATE FUNCTION pg_temp.rate(v text)
RETURNS TABLE (coinsurance_rate numeric, path text, reason text, raw_value text, problem_count integer)
LANGUAGE sql AS $$
  SELECT r.coinsurance_rate, p.path, p.reason, p.raw_value, h.problem_count
    FROM (SELECT pg_temp.doc(pg_temp.nest('patient_responsibility', 'coinsurance_rate', v)) AS doc) d
    CROSS JOIN LATERAL costmodel.trace_header(d.doc) h
    CROSS JOIN LATERAL costmodel.trace_responses(d.doc) r
    LEFT JOIN LATERAL costmodel.trace_problems(d.doc) WITH ORDINALITY p ON true
   ORDER BY p.ordinality
$$;
CREATE FUNCTION pg_temp.covered(v text)
RETURNS TABLE (covered boolean, path text, reason text, raw_value text, problem_count integer)
LANGUAGE sql AS $$
  SELECT r.covered, p.path, p.reason, p.raw_value, h.problem_count
    FROM (SELECT pg_temp.doc(pg_temp.nest('coverage', 'covered', v)) AS doc) d
    CROSS JOIN LATERAL costmodel.trace_header(d.doc) h
    CROSS JOIN LATERAL costmodel.trace_responses(d.doc) r
    LEFT JOIN LATERAL costmodel.trace_problems(d.doc) WITH ORDINALITY p ON true
   ORDER BY p.ordinality
$$;
CREATE FUNCTION pg_temp.network(v text)
RETURNS TABLE (network_status text, path text, reason text, raw_value text, problem_count integer)
LANGUAGE sql AS $$
  SELECT r.network_status, p.path, p.reason, p.raw_value, h.problem_count
    FROM (SELECT pg_temp.doc(pg_temp.nest('coverage', 'network_status', v)) AS doc) d
    CROSS JOIN LATERAL costmodel.trace_header(d.doc) h
    CROSS JOIN LATERAL costmodel.trace_responses(d.doc) r
    LEFT JOIN LATERAL costmodel.trace_problems(d.doc) WITH ORDINALITY p ON true
   ORDER BY p.ordinality
$$;
CREATE FUNCTION pg_temp.received_at(v text)
RETURNS TABLE (received_at timestamptz, path text, reason text, raw_value text, problem_count integer)
LANGUAGE sql AS $$
  SELECT h.received_at, p.path, p.reason, p.raw_value, h.problem_count
    FROM (SELECT pg_temp.doc(req => jsonb_build_object('received_at', v::jsonb)) AS doc) d
    CROSS JOIN LATERAL costmodel.trace_header(d.doc) h
    CROSS JOIN LATERAL costmodel.trace_requests(d.doc) r
    LEFT JOIN LATERAL costmodel.trace_problems(d.doc) WITH ORDINALITY p ON true
   ORDER BY p.ordinality
$$;
CREATE FUNCTION pg_temp.planned_date(v text)
RETURNS TABLE (planned_date date, path text, reason text, raw_value text, problem_count integer)
LANGUAGE sql AS $$
  SELECT r.planned_date, p.path, p.reason, p.raw_value, h.problem_count
    FROM (SELECT pg_temp.doc(line => jsonb_build_object('planned_date', v::jsonb)) AS doc) d
    CROSS JOIN LATERAL costmodel.trace_header(d.doc) h
    CROSS JOIN LATERAL costmodel.trace_requests(d.doc) r
    LEFT JOIN LATERAL costmodel.trace_problems(d.doc) WITH ORDINALITY p ON true
   ORDER BY p.ordinality
$$;
CREATE FUNCTION pg_temp.exc(v text)
RETURNS TABLE (exception_type text, raw_type text, code text, severity text,
               path text, reason text, raw_value text, problem_count integer)
LANGUAGE sql AS $$
  SELECT x.exception_type, x.raw_type, x.code, x.severity,
         p.path, p.reason, p.raw_value, h.problem_count
    FROM (SELECT pg_temp.doc(jsonb_build_object('exceptions', jsonb_build_array(v::jsonb))) AS doc) d
    CROSS JOIN LATERAL costmodel.trace_header(d.doc) h
    CROSS JOIN LATERAL costmodel.trace_exceptions(d.doc) x
    LEFT JOIN LATERAL costmodel.trace_problems(d.doc) WITH ORDINALITY p ON true
   ORDER BY p.ordinality
$$;
-- The bare document has no problems.
SELECT * FROM costmodel.trace_problems(pg_temp.doc());
-- ---------------------------------------------------------------- amounts
-- rule: amount as a JSON number 148.36
SELECT * FROM pg_temp.money('148.36');
-- rule: amount "40.00"
SELECT * FROM pg_temp.money('"40.00"');
-- rule: amount "$1,234.50"
SELECT * FROM pg_temp.money('"$1,234.50"');
-- rule: amount "(12.00)" (negative)
SELECT * FROM pg_temp.money('"(12.00)"');
-- rule: amount "12.00-" (negative)
SELECT * FROM pg_temp.money('"12.00-"');
-- rule: amount "USD 5"
SELECT * FROM pg_temp.money('"USD 5"');
-- rule: amount "1,234"
SELECT * FROM pg_temp.money('"1,234"');
-- rule: amount " 40.00 "
SELECT * FROM pg_temp.money('" 40.00 "');
-- rule: amount "1.5e2"
SELECT * FROM pg_temp.money('"1.5e2"');
-- rule: amount 148.365 (more than two decimals)
SELECT * FROM pg_temp.money('148.365');
-- rule: amount 0.005 rounds half away from zero
SELECT * FROM pg_temp.money('0.005');
-- rule: amount -0.005 rounds half away from zero
SELECT * FROM pg_temp.money('-0.005');
-- rule: amount "" is NULL
SELECT * FROM pg_temp.money('""');
-- rule: amount "N/A" is NULL
SELECT * FROM pg_temp.money('"N/A"');
-- rule: amount "NA" is NULL
SELECT * FROM pg_temp.money('"NA"');
-- rule: amount "null" is NULL
SELECT * FROM pg_temp.money('"null"');
-- rule: amount "-" is NULL
SELECT * FROM pg_temp.money('"-"');
-- rule: amount JSON null is NULL, no problem
SELECT * FROM pg_temp.money('null');
-- rule: amount absent is NULL, no problem
SELECT * FROM pg_temp.money(NULL);
-- rule: amount "abc" is unreadable: NULL and a problem, never 0
SELECT * FROM pg_temp.money('"abc"');
-- rule: amount "1,23" (separator in the wrong place) is unreadable
SELECT * FROM pg_temp.money('"1,23"');
-- rule: amount 1e20 (out of range) is unreadable
SELECT * FROM pg_temp.money('1e20');
-- rule: amount true is unreadable
SELECT * FROM pg_temp.money('true');
-- rule: amount given as an object is unreadable
SELECT * FROM pg_temp.money('{"value": 5}');
-- ---------------------------------------------------------------- rates
-- rule: rate 0.4
SELECT * FROM pg_temp.rate('0.4');
-- rule: rate 40 (above 1: a percentage)
SELECT * FROM pg_temp.rate('40');
-- rule: rate "40%"
SELECT * FROM pg_temp.rate('"40%"');
-- rule: rate "0.4" (text)
SELECT * FROM pg_temp.rate('"0.4"');
-- rule: rate "40" (text, a percentage)
SELECT * FROM pg_temp.rate('"40"');
-- rule: rate 1 is 100%, not 1%
SELECT * FROM pg_temp.rate('1');
-- rule: rate 100
SELECT * FROM pg_temp.rate('100');
-- rule: rate 1.5 (above 1: 1.5%)
SELECT * FROM pg_temp.rate('1.5');
-- rule: rate 0.12345 rounds half away from zero to four places (noted, as amounts are)
SELECT * FROM pg_temp.rate('0.12345');
-- rule: rate 101 (above 100%) is unreadable
SELECT * FROM pg_temp.rate('101');
-- rule: rate -0.1 is unreadable
SELECT * FROM pg_temp.rate('-0.1');
-- rule: rate "N/A" is NULL
SELECT * FROM pg_temp.rate('"N/A"');
-- rule: rate "abc" is unreadable
SELECT * FROM pg_temp.rate('"abc"');
-- ---------------------------------------------------------------- booleans
-- rule: boolean true
SELECT * FROM pg_temp.covered('true');
-- rule: boolean false
SELECT * FROM pg_temp.covered('false');
-- rule: boolean "true"
SELECT * FROM pg_temp.covered('"true"');
-- rule: boolean "false"
SELECT * FROM pg_temp.covered('"false"');
-- rule: boolean "Y"
SELECT * FROM pg_temp.covered('"Y"');
-- rule: boolean "N"
SELECT * FROM pg_temp.covered('"N"');
-- rule: boolean "yes"
SELECT * FROM pg_temp.covered('"yes"');
-- rule: boolean "no"
SELECT * FROM pg_temp.covered('"no"');
-- rule: boolean "t"
SELECT * FROM pg_temp.covered('"t"');
-- rule: boolean "f"
SELECT * FROM pg_temp.covered('"f"');
-- rule: boolean "on"
SELECT * FROM pg_temp.covered('"on"');
-- rule: boolean "off"
SELECT * FROM pg_temp.covered('"off"');
-- rule: boolean "1"
SELECT * FROM pg_temp.covered('"1"');
-- rule: boolean "0"
SELECT * FROM pg_temp.covered('"0"');
-- rule: boolean 1 (number)
SELECT * FROM pg_temp.covered('1');
-- rule: boolean 0 (number)
SELECT * FROM pg_temp.covered('0');
-- rule: boolean "maybe" is unreadable
SELECT * FROM pg_temp.covered('"maybe"');
-- rule: boolean 2 is unreadable
SELECT * FROM pg_temp.covered('2');
-- rule: boolean "" is NULL
SELECT * FROM pg_temp.covered('""');
-- ---------------------------------------------------------------- timestamps
-- rule: timestamp ISO 8601 with Z
SELECT * FROM pg_temp.received_at('"2025-03-04T14:22:05.123Z"');
-- rule: timestamp ISO 8601 with offset +05:30
SELECT * FROM pg_temp.received_at('"2025-03-04T14:22:05+05:30"');
-- rule: timestamp ISO 8601 with offset -0800
SELECT * FROM pg_temp.received_at('"2025-03-04T14:22:05-0800"');
-- rule: timestamp ISO 8601 with offset +05
SELECT * FROM pg_temp.received_at('"2025-03-04T14:22:05+05"');
-- rule: timestamp ISO 8601 with a space and Z
SELECT * FROM pg_temp.received_at('"2025-03-04 14:22:05Z"');
-- rule: timestamp ISO 8601 without a zone (UTC)
SELECT * FROM pg_temp.received_at('"2025-03-04T14:22:05"');
-- rule: timestamp date only (midnight UTC)
SELECT * FROM pg_temp.received_at('"2025-03-04"');
-- rule: timestamp epoch milliseconds as a JSON number
SELECT * FROM pg_temp.received_at('1741098125123');
-- rule: timestamp MM/DD/YYYY (midnight UTC)
SELECT * FROM pg_temp.received_at('"03/04/2025"');
-- rule: timestamp MM/DD/YYYY with a 12-hour time
SELECT * FROM pg_temp.received_at('"03/04/2025 2:05 PM"');
-- rule: timestamp YYYYMMDD text
SELECT * FROM pg_temp.received_at('"20250304"');
-- rule: timestamp epoch seconds as text (10 digits)
SELECT * FROM pg_temp.received_at('"1741098125"');
-- rule: timestamp epoch milliseconds as text (13 digits)
SELECT * FROM pg_temp.received_at('"1741098125123"');
-- rule: timestamp "" is NULL
SELECT * FROM pg_temp.received_at('""');
-- rule: timestamp "yesterday" is unreadable
SELECT * FROM pg_temp.received_at('"yesterday"');
-- rule: timestamp "2025-02-29" (no such day) is unreadable
SELECT * FROM pg_temp.received_at('"2025-02-29"');
-- rule: timestamp epoch milliseconds past the end of timestamptz (year 318857) is unreadable
SELECT * FROM pg_temp.received_at('9999999999999999');
-- ---------------------------------------------------------------- dates
-- rule: date "2025-03-18"
SELECT * FROM pg_temp.planned_date('"2025-03-18"');
-- rule: date given a full timestamp: its date part as written
SELECT * FROM pg_temp.planned_date('"2025-03-18T23:30:00-05:00"');
-- rule: date MM/DD/YYYY
SELECT * FROM pg_temp.planned_date('"03/18/2025"');
-- rule: date as epoch milliseconds (JSON number)
SELECT * FROM pg_temp.planned_date('1742256000000');
-- rule: date "18.03.2025" is unreadable
SELECT * FROM pg_temp.planned_date('"18.03.2025"');
-- ---------------------------------------------------------------- network status
-- rule: network "in_network"
SELECT * FROM pg_temp.network('"in_network"');
-- rule: network "innetwork"
SELECT * FROM pg_temp.network('"innetwork"');
-- rule: network "INN"
SELECT * FROM pg_temp.network('"INN"');
-- rule: network "In-Network"
SELECT * FROM pg_temp.network('"In-Network"');
-- rule: network "par"
SELECT * FROM pg_temp.network('"par"');
-- rule: network "out_of_network"
SELECT * FROM pg_temp.network('"out_of_network"');
-- rule: network "OON"
SELECT * FROM pg_temp.network('"OON"');
-- rule: network "out-of-network"
SELECT * FROM pg_temp.network('"out-of-network"');
-- rule: network "OutOfNetwork"
SELECT * FROM pg_temp.network('"OutOfNetwork"');
-- rule: network "Out of Network"
SELECT * FROM pg_temp.network('"Out of Network"');
-- rule: network "nonpar"
SELECT * FROM pg_temp.network('"nonpar"');
-- rule: network absent is unknown, no problem
SELECT * FROM pg_temp.network(NULL);
-- rule: network null is unknown, no problem
SELECT * FROM pg_temp.network('null');
-- rule: network "sideways" is unknown, noted
SELECT * FROM pg_temp.network('"sideways"');
-- rule: network 5 (not text) is unknown, noted
SELECT * FROM pg_temp.network('5');
-- ---------------------------------------------------------------- exception types
-- rule: exception type "Rate not found" (canonical)
SELECT * FROM pg_temp.exc('{"type": "Rate not found", "code": "RATE_NOT_FOUND", "severity": "error"}');
-- rule: exception type "RATE_NOT_FOUND"
SELECT * FROM pg_temp.exc('{"type": "RATE_NOT_FOUND", "code": "RNF", "severity": "error"}');
-- rule: exception type "rate not found"
SELECT * FROM pg_temp.exc('{"type": "rate not found", "code": "RNF", "severity": "error"}');
-- rule: exception type "Rate Not Found"
SELECT * FROM pg_temp.exc('{"type": "Rate Not Found", "code": "RNF", "severity": "error"}');
-- rule: exception types already canonical: no problem
SELECT u.sent, x.exception_type, x.raw_type, x.path, x.problem_count
  FROM unnest(ARRAY['Provider not found', 'Rate not found', 'Benefit issues',
                    'Accumulator not found', 'Member not found', 'Timeout', 'Other'])
       WITH ORDINALITY u(sent, i),
       pg_temp.exc(jsonb_build_object('type', u.sent)::text) x
 ORDER BY u.i;
-- rule: exception type spellings of every canonical type
SELECT u.sent, x.exception_type, x.raw_type, x.reason, x.problem_count
  FROM unnest(ARRAY['provider_not_found', 'PROVIDER NOT FOUND', 'Benefit issue',
                    'BENEFITS_ISSUES', 'accumulator-not-found', 'ACCUM_NOT_FOUND',
                    'member not found', 'MEMBER_NOT_FOUND', 'TIMEOUT', 'timed out',
                    'Gateway Timeout', 'OTHER'])
       WITH ORDINALITY u(sent, i),
       pg_temp.exc(jsonb_build_object('type', u.sent)::text) x
 ORDER BY u.i;
-- rule: exception type unrecognised: Other, raw text kept
SELECT * FROM pg_temp.exc('{"type": "Quota exceeded", "code": "Q1"}');
-- rule: exception without a type: canonical type from its code
SELECT * FROM pg_temp.exc('{"code": "MEMBER_NOT_FOUND", "severity": "error"}');
-- rule: exception given as a bare string
SELECT * FROM pg_temp.exc('"Provider not found"');
-- rule: exception given as a bare string in a non-canonical spelling
SELECT * FROM pg_temp.exc('"PROVIDER_NOT_FOUND"');
-- rule: exception severity "ERROR" is lower-cased (a normalised value, so listed)
SELECT * FROM pg_temp.exc('{"type": "Timeout", "severity": "ERROR"}');
-- ---------------------------------------------------------------- structure
-- rule: a single provider object where an array belongs
\set doc '{"trace_id": "s1", "request": {"services": [{"line_id": 1, "providers": {"provider_id": "P1", "npi": "1234567893"}}]}}'
SELECT line_id, provider_id, provider_seq, npi FROM costmodel.trace_requests(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: a single service line object where an array belongs
\set doc '{"trace_id": "s2", "request": {"services": {"line_id": 7, "service_code": "97112", "providers": [{"provider_id": "P1"}]}}}'
SELECT line_id, provider_id, service_code FROM costmodel.trace_requests(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
SELECT has_response, line_count, provider_count, request_row_count, result_count,
       exception_count, error_count, problem_count
  FROM costmodel.trace_header(:'doc');
-- rule: a single result object where an array belongs
\set doc '{"trace_id": "s3", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "response": {"results": {"line_id": 1, "provider_id": "P1", "cost": {"plan_pays": 10}}}}'
SELECT line_id, provider_id, result_seq, plan_pays FROM costmodel.trace_responses(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: a single exception object where an array belongs
\set doc '{"trace_id": "s4", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "response": {"results": [{"line_id": 1, "provider_id": "P1", "exceptions": {"type": "Timeout", "code": "T1", "severity": "error"}}]}}'
SELECT exception_seq, level, line_id, provider_id, exception_type, code FROM costmodel.trace_exceptions(:'doc');
SELECT exception_count, primary_exception_type, primary_exception_code FROM costmodel.trace_responses(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: a single request-level error object where an array belongs
\set doc '{"trace_id": "s5", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "response": {"status_code": 404, "errors": {"type": "Member not found", "code": "MNF"}}}'
SELECT exception_seq, level, line_id, provider_id, exception_type, code FROM costmodel.trace_exceptions(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: a request-level error given as a bare string
\set doc '{"trace_id": "s6", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "response": {"status_code": 504, "errors": ["Timeout"]}}'
SELECT exception_seq, level, exception_type, raw_type, code, severity FROM costmodel.trace_exceptions(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
SELECT has_response, line_count, provider_count, request_row_count, result_count,
       exception_count, error_count, problem_count
  FROM costmodel.trace_header(:'doc');
-- rule: a single modifier string where an array belongs
\set doc '{"trace_id": "s7", "request": {"services": [{"line_id": 1, "modifiers": "GP", "diagnosis_codes": ["M54.50", "M54.16"], "providers": [{"provider_id": "P1"}]}]}}'
SELECT modifiers, diagnosis_codes FROM costmodel.trace_requests(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: status_code "200" (a number given as text)
\set doc '{"trace_id": "s8", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "response": {"status_code": "200", "latency_ms": 12}}'
SELECT has_response, status_code, latency_ms, problem_count FROM costmodel.trace_header(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: unknown extra keys are ignored, at every level: the same rows as
-- without them, and no problem
\set doc '{"trace_id": "s9", "request": {"request_id": "R9", "member": {"member_id": "M9", "plan": {"plan_id": "P"}}, "services": [{"line_id": 1, "service_code": "97112", "providers": [{"provider_id": "P1", "npi": "1234567893"}]}]}, "response": {"status_code": 200, "accumulators": {"as_of": "2025-03-04", "in_network": {"deductible": {"individual": {"limit": 1500, "met": 600}}}}, "results": [{"line_id": 1, "provider_id": "P1", "coverage": {"covered": true, "network_status": "in_network"}, "cost": {"plan_pays": 10.5}, "patient_responsibility": {"total": 2}, "exceptions": [{"type": "Timeout", "code": "T"}]}], "errors": []}}'
\set doc_extra '{"trace_id": "s9", "x_debug": {"host": "a", "tags": [1, 2, {"k": null}]}, "request": {"request_id": "R9", "x_req": 1, "member": {"member_id": "M9", "x_m": true, "plan": {"plan_id": "P", "x_p": []}}, "services": [{"line_id": 1, "service_code": "97112", "x_line": "y", "providers": [{"provider_id": "P1", "npi": "1234567893", "x_prov": {"a": 1}}]}]}, "response": {"status_code": 200, "x_resp": null, "accumulators": {"as_of": "2025-03-04", "x_acc": 1, "in_network": {"x_inn": 2, "deductible": {"x_d": 3, "individual": {"limit": 1500, "met": 600, "x_i": 4}}}}, "results": [{"line_id": 1, "provider_id": "P1", "x_res": "z", "coverage": {"covered": true, "network_status": "in_network", "x_cov": 0}, "cost": {"plan_pays": 10.5, "x_cost": "abc"}, "patient_responsibility": {"total": 2, "x_pr": "abc"}, "exceptions": [{"type": "Timeout", "code": "T", "x_exc": [1]}]}], "errors": [], "x_after": {"deep": {"deeper": [{"deepest": "yes"}]}}}}'
SELECT 'header' AS fn, count(*) AS differing_rows FROM (
  (SELECT * FROM costmodel.trace_header(:'doc') EXCEPT ALL SELECT * FROM costmodel.trace_header(:'doc_extra'))
  UNION ALL
  (SELECT * FROM costmodel.trace_header(:'doc_extra') EXCEPT ALL SELECT * FROM costmodel.trace_header(:'doc'))) d
UNION ALL
SELECT 'requests', count(*) FROM (
  (SELECT * FROM costmodel.trace_requests(:'doc') EXCEPT ALL SELECT * FROM costmodel.trace_requests(:'doc_extra'))
  UNION ALL
  (SELECT * FROM costmodel.trace_requests(:'doc_extra') EXCEPT ALL SELECT * FROM costmodel.trace_requests(:'doc'))) d
UNION ALL
SELECT 'responses', count(*) FROM (
  (SELECT * FROM costmodel.trace_responses(:'doc') EXCEPT ALL SELECT * FROM costmodel.trace_responses(:'doc_extra'))
  UNION ALL
  (SELECT * FROM costmodel.trace_responses(:'doc_extra') EXCEPT ALL SELECT * FROM costmodel.trace_responses(:'doc'))) d
UNION ALL
SELECT 'exceptions', count(*) FROM (
  (SELECT * FROM costmodel.trace_exceptions(:'doc') EXCEPT ALL SELECT * FROM costmodel.trace_exceptions(:'doc_extra'))
  UNION ALL
  (SELECT * FROM costmodel.trace_exceptions(:'doc_extra') EXCEPT ALL SELECT * FROM costmodel.trace_exceptions(:'doc'))) d;
SELECT count(*) AS problems FROM costmodel.trace_problems(:'doc_extra');
SELECT request_row_count, result_count, exception_count, problem_count, inn_deductible_limit FROM costmodel.trace_header(:'doc_extra');
-- rule: response null (a timeout): the trace and its request rows, no response rows
\set doc '{"trace_id": "s10", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}, {"provider_id": "P2"}]}]}, "response": null}'
SELECT has_response, responded_at, status_code, estimate_id, request_row_count,
       result_count, exception_count, problem_count
  FROM costmodel.trace_header(:'doc');
SELECT count(*) AS request_rows FROM costmodel.trace_requests(:'doc');
SELECT count(*) AS response_rows FROM costmodel.trace_responses(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: response missing (a timeout): the same
\set doc '{"trace_id": "s11", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}, {"provider_id": "P2"}]}]}}'
SELECT has_response, responded_at, status_code, estimate_id, request_row_count,
       result_count, exception_count, problem_count
  FROM costmodel.trace_header(:'doc');
SELECT count(*) AS request_rows FROM costmodel.trace_requests(:'doc');
SELECT count(*) AS response_rows FROM costmodel.trace_responses(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: response not an object: as missing, noted
\set doc '{"trace_id": "s12", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}, {"provider_id": "P2"}]}]}, "response": "timeout"}'
SELECT has_response, responded_at, status_code, estimate_id, request_row_count,
       result_count, exception_count, problem_count
  FROM costmodel.trace_header(:'doc');
SELECT count(*) AS request_rows FROM costmodel.trace_requests(:'doc');
SELECT count(*) AS response_rows FROM costmodel.trace_responses(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: several unreadable values: each NULL, each a problem, all counted
\set doc '{"trace_id": "s13", "request": {"services": [{"line_id": 1, "quantity": "four", "providers": [{"provider_id": "P1"}]}]}, "response": {"results": [{"line_id": 1, "provider_id": "P1", "cost": {"billed_amount": "abc", "allowed_amount": "12.5.0", "plan_pays": 0}, "patient_responsibility": {"total": "$"}}]}}'
SELECT billed_amount, allowed_amount, plan_pays, patient_total FROM costmodel.trace_responses(:'doc');
SELECT quantity FROM costmodel.trace_requests(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
SELECT problem_count FROM costmodel.trace_header(:'doc');
-- rule: a duplicate (line_id, provider_id) among the request rows: the first kept
\set doc '{"trace_id": "s14", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1", "npi": "1111111111"}, {"provider_id": "P1", "npi": "2222222222"}, {"provider_id": "P2"}]}]}}'
SELECT line_id, provider_id, provider_seq, npi FROM costmodel.trace_requests(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
SELECT provider_count, request_row_count, problem_count FROM costmodel.trace_header(:'doc');
-- rule: the same line twice (a duplicate across service lines): the first kept
\set doc '{"trace_id": "s15", "request": {"services": [{"line_id": 1, "service_code": "A", "providers": [{"provider_id": "P1"}]}, {"line_id": 1, "service_code": "B", "providers": [{"provider_id": "P1"}]}]}}'
SELECT line_id, provider_id, service_code FROM costmodel.trace_requests(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: a duplicate (line_id, provider_id) among the results: the first kept
\set doc '{"trace_id": "s16", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "response": {"results": [{"line_id": 1, "provider_id": "P1", "cost": {"plan_pays": 1}}, {"line_id": 1, "provider_id": "P1", "cost": {"plan_pays": 2}, "exceptions": [{"type": "Timeout"}]}]}}'
SELECT line_id, provider_id, result_seq, plan_pays FROM costmodel.trace_responses(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
SELECT result_count, exception_count, problem_count FROM costmodel.trace_header(:'doc');
-- ---------------------------------------------------------------- text and keys
-- rule: codes given as numbers become text (noted); a one-digit place of
-- service is zero-padded; text is trimmed (noted); empty text is NULL (noted)
\set doc '{"trace_id": "s17", "request": {"services": [{"line_id": 1, "service_code": 97112, "service_location": "2", "code_system": " CPT ", "place_zip": "", "providers": [{"provider_id": "P1", "network_id": 248}]}]}}'
SELECT service_code, service_location, code_system, place_zip, network_id FROM costmodel.trace_requests(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: result_status "No Estimate" becomes no_estimate (noted, with the raw value)
\set doc '{"trace_id": "s18", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "response": {"results": [{"line_id": 1, "provider_id": "P1", "result_status": "No Estimate"}]}}'
SELECT result_status FROM costmodel.trace_responses(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- rule: missing keys: a line without line_id takes its position, a provider
-- without provider_id gets '', a result without line_id gets 0 (all noted)
\set doc '{"trace_id": "s19", "request": {"services": [{"line_id": 5, "providers": [{"provider_id": "P1"}]}, {"providers": [{"npi": "1234567893"}]}]}, "response": {"results": [{"provider_id": "P1"}]}}'
SELECT line_id, provider_id, provider_seq, npi FROM costmodel.trace_requests(:'doc');
SELECT line_id, provider_id FROM costmodel.trace_responses(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
SELECT line_count, provider_count, request_row_count, problem_count FROM costmodel.trace_header(:'doc');
-- rule: list elements that are not objects are skipped (noted)
\set doc '{"trace_id": "s20", "request": {"services": [{"line_id": 1, "providers": ["P1", {"provider_id": "P2"}]}, 42]}, "response": {"results": [null, {"line_id": 1, "provider_id": "P2", "exceptions": [7, {"type": "Timeout"}]}]}}'
SELECT line_id, provider_id, provider_seq FROM costmodel.trace_requests(:'doc');
SELECT line_id, provider_id, result_seq, exception_count FROM costmodel.trace_responses(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
SELECT line_count, request_row_count, result_count, exception_count, problem_count FROM costmodel.trace_header(:'doc');
-- rule: accumulators given as text and an unreadable one
\set doc '{"trace_id": "s21", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "response": {"accumulators": {"as_of": "03/04/2025", "in_network": {"deductible": {"individual": {"limit": "$1,500.00", "met": "N/A"}}}, "out_of_network": {"out_of_pocket": {"individual": {"limit": "ten", "met": 0}}}}}}'
SELECT accumulators_as_of, inn_deductible_limit, inn_deductible_met, oon_oop_limit, oon_oop_met FROM costmodel.trace_header(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
