-- The plain-SQL way to load traces, written as an analyst would: the NDJSON
-- is copied into a jsonb staging table (bench/cases/load_traces.sh does the
-- \copy), then INSERT ... SELECT with jsonb operators and casts fills the
-- fact tables.  trace_problem has no plain-SQL equivalent and is left out.
-- Clean traces only: the casts fail on messy values.

INSERT INTO costmodel.fact_trace
SELECT d ->> 'trace_id', d ->> 'schema_version', d ->> 'source_system',
       r ->> 'request_id', (r ->> 'received_at')::timestamptz, r ->> 'channel',
       r -> 'member' ->> 'member_id', r -> 'member' ->> 'subscriber_id',
       r -> 'member' ->> 'relationship',
       r -> 'member' -> 'plan' ->> 'plan_id', r -> 'member' -> 'plan' ->> 'group_id',
       r -> 'member' -> 'plan' ->> 'product_type',
       (r -> 'member' -> 'plan' ->> 'plan_year')::int,
       coalesce(jsonb_typeof(x) = 'object', false),
       (x ->> 'responded_at')::timestamptz, (x ->> 'status_code')::int,
       (x ->> 'latency_ms')::int, x ->> 'estimate_id',
       (x -> 'accumulators' ->> 'as_of')::date,
       (x #>> '{accumulators,in_network,deductible,individual,limit}')::numeric(14,2),
       (x #>> '{accumulators,in_network,deductible,individual,met}')::numeric(14,2),
       (x #>> '{accumulators,in_network,out_of_pocket,individual,limit}')::numeric(14,2),
       (x #>> '{accumulators,in_network,out_of_pocket,individual,met}')::numeric(14,2),
       (x #>> '{accumulators,out_of_network,deductible,individual,limit}')::numeric(14,2),
       (x #>> '{accumulators,out_of_network,deductible,individual,met}')::numeric(14,2),
       (x #>> '{accumulators,out_of_network,out_of_pocket,individual,limit}')::numeric(14,2),
       (x #>> '{accumulators,out_of_network,out_of_pocket,individual,met}')::numeric(14,2),
       jsonb_array_length(r -> 'services'),
       (SELECT count(DISTINCT p ->> 'provider_id')
          FROM jsonb_array_elements(r -> 'services') sv, jsonb_array_elements(sv -> 'providers') p),
       (SELECT sum(greatest(jsonb_array_length(sv -> 'providers'), 1))
          FROM jsonb_array_elements(r -> 'services') sv),
       coalesce(jsonb_array_length(x -> 'results'), 0),
       coalesce(jsonb_array_length(x -> 'errors'), 0)
         + (SELECT count(*) FROM jsonb_array_elements(x -> 'results') rr,
                                 jsonb_array_elements(rr -> 'exceptions') e),
       coalesce(jsonb_array_length(x -> 'errors'), 0),
       0
FROM stage s, LATERAL (SELECT s.doc AS d, s.doc -> 'request' AS r, s.doc -> 'response' AS x) v;

INSERT INTO costmodel.fact_request
SELECT s.doc ->> 'trace_id', (sv ->> 'line_id')::int, coalesce(p ->> 'provider_id', ''),
       sv ->> 'service_code', sv ->> 'service_location', sv ->> 'code_system',
       nullif(array_to_string(ARRAY(SELECT jsonb_array_elements_text(sv -> 'modifiers')), ','), ''),
       (sv ->> 'quantity')::int, sv ->> 'place_zip',
       nullif(array_to_string(ARRAY(SELECT jsonb_array_elements_text(sv -> 'diagnosis_codes')), ','), ''),
       (sv ->> 'planned_date')::date, coalesce(pi, 0)::int,
       p ->> 'npi', p ->> 'tin', p ->> 'provider_type', p ->> 'taxonomy', p ->> 'network_id'
FROM stage s
CROSS JOIN LATERAL jsonb_array_elements(s.doc -> 'request' -> 'services') sv
LEFT JOIN LATERAL jsonb_array_elements(sv -> 'providers') WITH ORDINALITY AS pp(p, pi) ON true;

-- fact_response: bench/cases/trace_responses_plain.sql is appended here

INSERT INTO costmodel.fact_exception
SELECT tid, row_number() OVER (PARTITION BY tid ORDER BY grp, i, j)::int, level,
       line_id, provider_id, service_code, coalesce(e ->> 'type', 'Other'),
       e ->> 'type', e ->> 'code', lower(e ->> 'severity'), e ->> 'message', e ->> 'source'
FROM (SELECT s.doc ->> 'trace_id' AS tid, 0 AS grp, i, 0::bigint AS j, 'request' AS level,
             NULL::int AS line_id, NULL::text AS provider_id, NULL::text AS service_code, e
        FROM stage s, jsonb_array_elements(s.doc -> 'response' -> 'errors') WITH ORDINALITY AS x(e, i)
      UNION ALL
      SELECT s.doc ->> 'trace_id', 1, ri, ei, 'result', (r ->> 'line_id')::int,
             r ->> 'provider_id', r ->> 'service_code', e
        FROM stage s,
             jsonb_array_elements(s.doc -> 'response' -> 'results') WITH ORDINALITY AS rr(r, ri),
             jsonb_array_elements(r -> 'exceptions') WITH ORDINALITY AS ee(e, ei)) z;
