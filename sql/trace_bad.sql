--
-- trace_bad: documents the trace functions must reject, one labelled case per
-- line ("-- bad: ..."), each shown with the error psql prints (ERROR, DETAIL
-- with the JSON path, HINT); then a summary that runs all five functions in
-- both variants on every bad document and shows that each one fails with
-- SQLSTATE 22P02, a DETAIL and a HINT.  Last, tricky documents that must NOT
-- be rejected, with their hand-worked results.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;
SET jit = off;
\pset null '(null)'
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE TEMP TABLE bad_doc (id serial, label text NOT NULL, doc text NOT NULL);
-- rejected(doc): calls the five text functions, and the five jsonb
-- functions when doc is valid jsonb, catching each error.  One row: the
-- distinct SQLSTATEs, how many calls failed out of how many, and how many of
-- the errors carried a DETAIL and a HINT.
CREATE FUNCTION pg_temp.rejected(doc text)
RETURNS TABLE (sqlstates text, failed integer, calls integer, with_detail integer, with_hint integer)
LANGUAGE plpgsql AS $$
DECLARE
  fn text;
  arg text;
  st text;
  det text;
  hnt text;
  states text[] := '{}';
  is_jsonb boolean := true;
BEGIN
  failed := 0; calls := 0; with_detail := 0; with_hint := 0;
  BEGIN
    PERFORM doc::jsonb;
  EXCEPTION WHEN OTHERS THEN
    is_jsonb := false;
  END;
  FOREACH fn IN ARRAY ARRAY['trace_header', 'trace_requests', 'trace_responses',
                            'trace_exceptions', 'trace_problems'] LOOP
    FOREACH arg IN ARRAY ARRAY['text', 'jsonb'] LOOP
      CONTINUE WHEN arg = 'jsonb' AND NOT is_jsonb;
      calls := calls + 1;
      BEGIN
        EXECUTE format('SELECT count(*) FROM costmodel.%I($1::%s)', fn, arg) USING doc;
      EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, det = PG_EXCEPTION_DETAIL,
                                hnt = PG_EXCEPTION_HINT;
        failed := failed + 1;
        with_detail := with_detail + (det <> '')::integer;
        with_hint := with_hint + (hnt <> '')::integer;
        IF NOT st = ANY (states) THEN
          states := states || st;
        END IF;
      END;
    END LOOP;
  END LOOP;
  sqlstates := array_to_string(states, ',');
  RETURN NEXT;
END
$$;
-- bad: not JSON
\set doc 'this is not json'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('not JSON', :'doc');
-- bad: truncated JSON
\set doc '{"trace_id": "t1", "request": {"services": [{"line_id": 1'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('truncated JSON', :'doc');
-- bad: empty document
\set doc ''
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('empty document', :'doc');
-- bad: white space only
\set doc '   '
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('white space only', :'doc');
-- bad: trailing garbage after the object
\set doc '{"trace_id": "t1", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}} x'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('trailing garbage after the object', :'doc');
-- bad: single quotes instead of double quotes
\set doc '{''trace_id'': ''t1''}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('single quotes instead of double quotes', :'doc');
-- bad: NUL escape \u0000 in trace_id (jsonb cannot hold it)
\set doc '{"trace_id": "t1\\u0000x", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('NUL escape \u0000 in trace_id (jsonb cannot hold it)', :'doc');
-- bad: NUL escape \u0000 in a message (jsonb cannot hold it)
\set doc '{"trace_id": "t1", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "response": {"errors": [{"type": "Other", "message": "a\\u0000b"}]}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('NUL escape \u0000 in a message (jsonb cannot hold it)', :'doc');
-- bad: array document
\set doc '[{"trace_id": "t1", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}]'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('array document', :'doc');
-- bad: scalar document (number)
\set doc '42'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('scalar document (number)', :'doc');
-- bad: scalar document (string)
\set doc '"t1"'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('scalar document (string)', :'doc');
-- bad: scalar document (true)
\set doc 'true'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('scalar document (true)', :'doc');
-- bad: scalar document (JSON null)
\set doc 'null'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('scalar document (JSON null)', :'doc');
-- bad: empty object
\set doc '{}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('empty object', :'doc');
-- bad: missing trace_id
\set doc '{"request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('missing trace_id', :'doc');
-- bad: trace_id null
\set doc '{"trace_id": null, "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('trace_id null', :'doc');
-- bad: trace_id empty
\set doc '{"trace_id": "", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('trace_id empty', :'doc');
-- bad: trace_id white space only
\set doc '{"trace_id": " \\t ", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('trace_id white space only', :'doc');
-- bad: trace_id object
\set doc '{"trace_id": {"id": "t1"}, "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('trace_id object', :'doc');
-- bad: trace_id array
\set doc '{"trace_id": ["t1"], "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('trace_id array', :'doc');
-- bad: trace_id boolean
\set doc '{"trace_id": true, "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('trace_id boolean', :'doc');
-- bad: trace_id over 200 bytes (201 ASCII characters)
SELECT jsonb_build_object('trace_id', repeat('x', 201),
       'request', '{"services": [{"line_id": 1}]}'::jsonb)::text AS doc \gset
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('trace_id over 200 bytes (201 ASCII characters)', :'doc');
-- bad: trace_id over 200 bytes (67 three-byte characters)
SELECT jsonb_build_object('trace_id', repeat(U&'\20AC', 67),
       'request', '{"services": [{"line_id": 1}]}'::jsonb)::text AS doc \gset
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('trace_id over 200 bytes (67 three-byte characters)', :'doc');
-- bad: request missing
\set doc '{"trace_id": "t1"}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('request missing', :'doc');
-- bad: request missing, services at the top level
\set doc '{"trace_id": "t1", "services": [{"line_id": 1}]}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('request missing, services at the top level', :'doc');
-- bad: request null
\set doc '{"trace_id": "t1", "request": null}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('request null', :'doc');
-- bad: request not an object (a string)
\set doc '{"trace_id": "t1", "request": "CE-1"}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('request not an object (a string)', :'doc');
-- bad: request not an object (an array)
\set doc '{"trace_id": "t1", "request": [{"services": [{"line_id": 1}]}]}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('request not an object (an array)', :'doc');
-- bad: services missing
\set doc '{"trace_id": "t1", "request": {"request_id": "CE-1"}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('services missing', :'doc');
-- bad: services null
\set doc '{"trace_id": "t1", "request": {"services": null}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('services null', :'doc');
-- bad: services a string
\set doc '{"trace_id": "t1", "request": {"services": "97112"}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('services a string', :'doc');
-- bad: services a number
\set doc '{"trace_id": "t1", "request": {"services": 1}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('services a number', :'doc');
-- bad: services empty array
\set doc '{"trace_id": "t1", "request": {"services": []}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('services empty array', :'doc');
-- bad: services array of non-objects
\set doc '{"trace_id": "t1", "request": {"services": [1, "97112", null, [], true]}}'
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('services array of non-objects', :'doc');
-- bad: services with more than 5000 lines
SELECT jsonb_build_object('trace_id', 't1', 'request', jsonb_build_object('services',
       (SELECT jsonb_agg(jsonb_build_object('line_id', i)) FROM generate_series(1, 5001) i)))::text AS doc \gset
SELECT * FROM costmodel.trace_header(:'doc');
INSERT INTO bad_doc (label, doc) VALUES ('services with more than 5000 lines', :'doc');
-- Every bad document fails in every function and variant, with SQLSTATE
-- 22P02 (invalid_text_representation), a DETAIL and a HINT.
SELECT b.id, b.label, r.*
  FROM bad_doc b, pg_temp.rejected(b.doc) r
 ORDER BY b.id;
-- ----------------------------------------------------------------------
-- Tricky documents that must NOT be rejected.
-- ----------------------------------------------------------------------
-- good: a SQL NULL document gives no rows, in both variants
SELECT (SELECT count(*) FROM costmodel.trace_header(NULL::text)) AS text_rows,
       (SELECT count(*) FROM costmodel.trace_header(NULL::jsonb)) AS jsonb_rows;
-- good: a bare literal resolves to the text variant
SELECT trace_id, line_count FROM costmodel.trace_header('{"trace_id": "lit", "request": {"services": [{"line_id": 1}]}}');
-- good: trace_id of exactly 200 bytes (ASCII)
SELECT jsonb_build_object('trace_id', repeat('x', 200),
       'request', '{"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}'::jsonb)::text AS doc \gset
SELECT octet_length(trace_id), problem_count FROM costmodel.trace_header(:'doc');
-- good: trace_id of exactly 200 bytes (66 three-byte characters and "xx")
SELECT jsonb_build_object('trace_id', repeat(U&'\20AC', 66) || 'xx',
       'request', '{"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}'::jsonb)::text AS doc \gset
SELECT octet_length(trace_id), char_length(trace_id), problem_count FROM costmodel.trace_header(:'doc');
-- good: trace_id given as a number is read as text (noted)
\set doc '{"trace_id": 12345, "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}'
SELECT trace_id, problem_count FROM costmodel.trace_header(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- good: trace_id with surrounding white space is trimmed (noted)
\set doc '{"trace_id": "  T-4 ", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}}'
SELECT trace_id, problem_count FROM costmodel.trace_header(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- good: duplicate JSON keys: jsonb keeps the last one
\set doc '{"trace_id": "first", "trace_id": "second", "request": {"services": [{"line_id": 1}]}}'
SELECT trace_id FROM costmodel.trace_header(:'doc');
-- good: a service line with no providers key at all, and nothing else
\set doc '{"trace_id": "g1", "request": {"services": [{}]}}'
SELECT line_id, provider_id, provider_seq FROM costmodel.trace_requests(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- good: services mixing non-objects with one object
\set doc '{"trace_id": "g2", "request": {"services": [1, {"line_id": 2, "providers": [{"provider_id": "P1"}]}]}}'
SELECT line_count, request_row_count, problem_count FROM costmodel.trace_header(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- good: an empty response object: has_response, no rows
\set doc '{"trace_id": "g3", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "response": {}}'
SELECT has_response, status_code, result_count, exception_count, problem_count FROM costmodel.trace_header(:'doc');
-- good: services with exactly 5000 lines
SELECT jsonb_build_object('trace_id', 'g4', 'request', jsonb_build_object('services',
       (SELECT jsonb_agg(jsonb_build_object('line_id', i)) FROM generate_series(1, 5000) i)))::text AS doc \gset
SELECT line_count, request_row_count, problem_count FROM costmodel.trace_header(:'doc');
-- good: 5001 providers on one line: the first 5000 rows kept (noted)
SELECT jsonb_build_object('trace_id', 'g5', 'request', jsonb_build_object('services', jsonb_build_array(
       jsonb_build_object('line_id', 1, 'providers',
         (SELECT jsonb_agg(jsonb_build_object('provider_id', 'P' || i)) FROM generate_series(1, 5001) i)))))::text AS doc \gset
SELECT provider_count, request_row_count, problem_count FROM costmodel.trace_header(:'doc');
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- good: a huge string value (a message of 1,000,000 characters)
SELECT jsonb_build_object('trace_id', 'g6', 'request', '{"services": [{"line_id": 1}]}'::jsonb,
       'response', jsonb_build_object('errors', jsonb_build_array(
         jsonb_build_object('type', 'Other', 'message', repeat('m', 1000000)))))::text AS doc \gset
SELECT exception_type, char_length(message), message = repeat('m', 1000000) AS same FROM costmodel.trace_exceptions(:'doc');
-- good: a huge unreadable amount: raw_value cut to 200 bytes
SELECT jsonb_build_object('trace_id', 'g7', 'request', '{"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}'::jsonb,
       'response', jsonb_build_object('results', jsonb_build_array(jsonb_build_object('line_id', 1, 'provider_id', 'P1',
         'cost', jsonb_build_object('plan_pays', repeat('x', 10000))))))::text AS doc \gset
SELECT path, reason, octet_length(raw_value), raw_value = repeat('x', 200) AS cut FROM costmodel.trace_problems(:'doc');
-- good: an unreadable amount of 100 three-byte characters: cut to 198 bytes, never inside a character
SELECT jsonb_build_object('trace_id', 'g8', 'request', '{"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}'::jsonb,
       'response', jsonb_build_object('results', jsonb_build_array(jsonb_build_object('line_id', 1, 'provider_id', 'P1',
         'cost', jsonb_build_object('plan_pays', repeat(U&'\20AC', 100))))))::text AS doc \gset
SELECT octet_length(raw_value), char_length(raw_value), raw_value = repeat(U&'\20AC', 66) AS cut FROM costmodel.trace_problems(:'doc');
-- good: deeply nested unknown keys (1000 levels) are ignored
SELECT '{"trace_id": "g9", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "P1"}]}]}, "x_debug": '
       || repeat('{"a": [', 1000) || '1' || repeat(']}', 1000) || '}' AS doc \gset
SELECT line_count, problem_count FROM costmodel.trace_header(:'doc');
-- good: numbers with exponents, negative zero and more decimals as amounts
\set doc '{"trace_id": "g10", "request": {"services": [{"line_id": 1, "quantity": -0, "providers": [{"provider_id": "P1"}]}]}, "response": {"status_code": 2.0e2, "results": [{"line_id": 1, "provider_id": "P1", "cost": {"billed_amount": 1.5e2, "allowed_amount": 1E+2, "in_network_estimate": 2.5E-1, "out_of_network_estimate": -0, "plan_pays": -0.0}, "patient_responsibility": {"total": "-0.00", "copay": 1.2345e1, "coinsurance": 1e-3, "deductible": 12e2}}]}}'
SELECT billed_amount, allowed_amount, in_network_estimate, out_of_network_estimate,
       plan_pays, patient_total, patient_copay, patient_coinsurance, patient_deductible
  FROM costmodel.trace_responses(:'doc');
SELECT status_code, quantity FROM costmodel.trace_header(:'doc') h, costmodel.trace_requests(:'doc') r;
SELECT path, reason, raw_value FROM costmodel.trace_problems(:'doc');
-- good: unicode in ids and messages is kept as sent
\set doc '{"trace_id": "трасса-1", "request": {"services": [{"line_id": 1, "providers": [{"provider_id": "PRV-Ω"}]}]}, "response": {"results": [{"line_id": 1, "provider_id": "PRV-Ω", "exceptions": [{"type": "Rate not found", "message": "Tarif non trouvé — réessayer", "source": "сервис"}, {"type": "Timeout", "message": "料金が見つかりません 🚑"}]}]}}'
SELECT trace_id, exception_seq, provider_id, message, source FROM costmodel.trace_exceptions(:'doc') WHERE exception_seq = 1;
SELECT message = U&'\6599\91D1\304C\898B\3064\304B\308A\307E\305B\3093 \+01F691' AS same,
       char_length(message), octet_length(message)
  FROM costmodel.trace_exceptions(:'doc') WHERE exception_seq = 2;
