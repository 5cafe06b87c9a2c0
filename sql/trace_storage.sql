--
-- trace_storage: the trace functions read a jsonb document however
-- PostgreSQL stored it, and give the same rows each way:
--   pglz      compressed by pglz (the default), inline or in the TOAST
--             table: read by costmodel's own pglz reader (pglz_read.c)
--   lz4       compressed by lz4, inline or in the TOAST table
--   external  uncompressed in the TOAST table
--   inline    small documents, uncompressed in the row
-- The reference is each document passed as text: it goes through jsonb_in,
-- never through detoasting.  Every row also goes through the row writer
-- (row_writer.c), which in a new backend compares each of its first 1,000
-- rows byte for byte with what heap_form_minimal_tuple makes of the same
-- values; the documents carry text values longer than 126 bytes (stored
-- with a 4-byte header, aligned), NULLs of every column kind, and rows
-- without any NULL (no null bitmap), so the first rows cover all of them.
--
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS costmodel;
CREATE EXTENSION costmodel;
RESET client_min_messages;
SET jit = off;

-- Documents of 1 to 600 results.  Result i has: a provider id of 134
-- bytes or more when i is a multiple of 3; a benefit category of 17 to 170
-- bytes; no service_location nor deductible when i is a multiple of 4; no
-- cost when i is a multiple of 5 (NULL amounts); exceptions on odd i (so
-- result 1 has no NULL at all); a rate as text.
CREATE TEMP TABLE src (k integer PRIMARY KEY, doc text NOT NULL);
INSERT INTO src
SELECT k, jsonb_build_object(
    'trace_id', 'storage-' || k,
    'request', jsonb_build_object('request_id', 'R' || k, 'received_at', '2025-03-04T14:22:05Z',
        'services', jsonb_build_array(jsonb_build_object('line_id', 1, 'service_code', '97112',
            'planned_date', '2025-03-18',
            'providers', jsonb_build_array(jsonb_build_object('provider_id', 'P1'))))),
    'response', jsonb_build_object('status_code', 200, 'responded_at', '2025-03-04T14:22:06.5Z',
        'results', (SELECT jsonb_agg(jsonb_build_object(
            'line_id', 1 + i % 7,
            'provider_id', CASE WHEN i % 3 = 0 THEN repeat('PRV-LONG-', 15) ELSE 'PRV-' END || i,
            'service_code', '97112',
            'service_location', CASE WHEN i % 4 = 0 THEN NULL ELSE '11' END,
            'result_status', 'estimated',
            'coverage', jsonb_build_object('covered', i % 2 = 0,
                'network_status', CASE i % 3 WHEN 0 THEN 'in_network' WHEN 1 THEN 'INN' ELSE 'out_of_network' END,
                'benefit_category', repeat('Physical Therapy ', 1 + i % 10),
                'prior_auth_required', i % 5 = 1),
            'cost', CASE WHEN i % 5 = 0 THEN NULL ELSE jsonb_build_object(
                'billed_amount', round(i * 1.37, 2), 'allowed_amount', '$1,234.50',
                'in_network_estimate', i * 100000, 'out_of_network_estimate', -i,
                'plan_pays', '(12.00)') END,
            'patient_responsibility', jsonb_build_object('total', i, 'copay', 0,
                'coinsurance', 0.5, 'deductible', CASE WHEN i % 4 = 0 THEN NULL ELSE 1.5 END,
                'coinsurance_rate', '40%'),
            'exceptions', CASE WHEN i % 2 = 0 THEN '[]'::jsonb ELSE jsonb_build_array(
                jsonb_build_object('type', 'RATE_NOT_FOUND', 'code', 'RATE_NOT_FOUND', 'severity', 'error'),
                'Provider not found') END))
          FROM generate_series(1, k) i)))::text
FROM unnest(ARRAY[1, 2, 5, 20, 60, 200, 600]) AS k;

CREATE TEMP TABLE st_pglz (k integer PRIMARY KEY, doc jsonb COMPRESSION pglz NOT NULL);
CREATE TEMP TABLE st_lz4 (k integer PRIMARY KEY, doc jsonb COMPRESSION lz4 NOT NULL);
CREATE TEMP TABLE st_external (k integer PRIMARY KEY, doc jsonb NOT NULL);
ALTER TABLE st_external ALTER doc SET STORAGE EXTERNAL;
CREATE TEMP TABLE st_inline (k integer PRIMARY KEY, doc jsonb NOT NULL);
INSERT INTO st_pglz SELECT k, doc::jsonb FROM src;
INSERT INTO st_lz4 SELECT k, doc::jsonb FROM src;
INSERT INTO st_external SELECT k, doc::jsonb FROM src;
INSERT INTO st_inline SELECT k, doc::jsonb FROM src WHERE k <= 2;

-- How each document is stored: its compression, and how many documents of
-- each table live in its TOAST table.
SELECT s.k, p.m AS pglz_table, l.m AS lz4_table, e.m AS external_table
FROM src s
CROSS JOIN LATERAL (SELECT pg_column_compression(doc) AS m FROM st_pglz WHERE k = s.k) p
CROSS JOIN LATERAL (SELECT pg_column_compression(doc) AS m FROM st_lz4 WHERE k = s.k) l
CROSS JOIN LATERAL (SELECT pg_column_compression(doc) AS m FROM st_external WHERE k = s.k) e
ORDER BY s.k;
CREATE FUNCTION pg_temp.out_of_line(tbl regclass) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(DISTINCT chunk_id) FROM %s',
                   (SELECT reltoastrelid::regclass FROM pg_class WHERE oid = tbl)) INTO n;
    RETURN n;
END $$;
SELECT tbl AS storage, pg_temp.out_of_line(tbl::regclass) AS documents_out_of_line
FROM unnest(ARRAY['st_pglz', 'st_lz4', 'st_external', 'st_inline']) AS tbl;

-- The rows of trace function fn over the documents of table tbl, as text.
CREATE FUNCTION pg_temp.rows_of(fn text, tbl text) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format('SELECT r::text FROM %I s, costmodel.%I(s.doc) r', tbl, fn);
END $$;

-- Rows per function and storage, and rows differing from the text path
-- (EXCEPT ALL both ways): none may differ.
CREATE TEMP TABLE src_small AS SELECT * FROM src WHERE k <= 2;
SELECT fn, tbl AS storage,
       (SELECT count(*) FROM pg_temp.rows_of(fn, tbl)) AS rows,
       (SELECT count(*) FROM (SELECT * FROM pg_temp.rows_of(fn, tbl)
                              EXCEPT ALL
                              SELECT * FROM pg_temp.rows_of(fn, ref)) a)
     + (SELECT count(*) FROM (SELECT * FROM pg_temp.rows_of(fn, ref)
                              EXCEPT ALL
                              SELECT * FROM pg_temp.rows_of(fn, tbl)) b) AS differing
FROM unnest(ARRAY['trace_responses', 'trace_requests', 'trace_header',
                  'trace_exceptions', 'trace_problems']) WITH ORDINALITY AS f(fn, fo)
CROSS JOIN unnest(ARRAY['st_pglz', 'st_lz4', 'st_external', 'st_inline'],
                  ARRAY['src', 'src', 'src', 'src_small']) WITH ORDINALITY AS t(tbl, ref, tord)
ORDER BY fo, tord;

-- What the long and NULL cells look like (a few rows of the 600-result document).
SELECT result_seq, length(provider_id) AS provider_id_bytes, service_location,
       length(benefit_category) AS benefit_category_bytes, covered, network_status,
       billed_amount, allowed_amount, in_network_estimate, out_of_network_estimate, plan_pays,
       patient_total, patient_copay, patient_coinsurance, patient_deductible, coinsurance_rate,
       exception_count, primary_exception_type
FROM st_pglz s, costmodel.trace_responses(s.doc) r
WHERE s.k = 600 AND r.result_seq IN (1, 3, 5, 20, 597, 600)
ORDER BY result_seq;
