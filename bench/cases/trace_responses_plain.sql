-- The plain-SQL way to fill fact_response from jsonb, written as an analyst
-- would: jsonb_array_elements over the results, ->> and casts per column.
SELECT s.doc ->> 'trace_id',
       (r ->> 'line_id')::int,
       coalesce(r ->> 'provider_id', ''),
       r ->> 'service_code',
       r ->> 'service_location',
       x.ord::int,
       r ->> 'result_status',
       (r -> 'coverage' ->> 'covered')::boolean,
       CASE lower(r -> 'coverage' ->> 'network_status')
            WHEN 'in_network' THEN 'in_network'
            WHEN 'out_of_network' THEN 'out_of_network'
            ELSE 'unknown' END,
       r -> 'coverage' ->> 'benefit_category',
       (r -> 'coverage' ->> 'prior_auth_required')::boolean,
       (r -> 'cost' ->> 'billed_amount')::numeric(14,2),
       (r -> 'cost' ->> 'allowed_amount')::numeric(14,2),
       (r -> 'cost' ->> 'in_network_estimate')::numeric(14,2),
       (r -> 'cost' ->> 'out_of_network_estimate')::numeric(14,2),
       (r -> 'cost' ->> 'plan_pays')::numeric(14,2),
       (r -> 'patient_responsibility' ->> 'total')::numeric(14,2),
       (r -> 'patient_responsibility' ->> 'copay')::numeric(14,2),
       (r -> 'patient_responsibility' ->> 'coinsurance')::numeric(14,2),
       (r -> 'patient_responsibility' ->> 'deductible')::numeric(14,2),
       (r -> 'patient_responsibility' ->> 'coinsurance_rate')::numeric(7,4),
       coalesce(jsonb_array_length(r -> 'exceptions'), 0),
       (SELECT e ->> 'type' FROM jsonb_array_elements(r -> 'exceptions') WITH ORDINALITY AS ex(e, i)
         ORDER BY coalesce(e ->> 'severity' = 'error', false) DESC, i LIMIT 1),
       (SELECT e ->> 'code' FROM jsonb_array_elements(r -> 'exceptions') WITH ORDINALITY AS ex(e, i)
         ORDER BY coalesce(e ->> 'severity' = 'error', false) DESC, i LIMIT 1)
FROM stage s
CROSS JOIN LATERAL jsonb_array_elements(s.doc -> 'response' -> 'results') WITH ORDINALITY AS x(r, ord)
