-- demo_report.sql: the first questions about the cost-estimator traces,
-- answered from the fact tables.  Run by `make demo` with psql -X -q.
\pset footer off
\pset null '-'
\echo
\echo '== Cost-estimator traces ======================================='

SELECT count(*)                                                   AS requests,
       count(*) FILTER (WHERE status_code = 200)                  AS answered_in_full,
       count(*) FILTER (WHERE status_code = 207)                  AS partial,
       count(*) FILTER (WHERE status_code >= 400 OR NOT has_response) AS failed,
       round(100.0 * count(*) FILTER (WHERE status_code = 200) / nullif(count(*), 0), 1)
                                                                  AS success_pct,
       round(100.0 * count(*) FILTER (WHERE status_code IN (200, 207)) / nullif(count(*), 0), 1)
                                                                  AS answered_pct,
       min(received_at)::date                                     AS first_date,
       max(received_at)::date                                     AS last_date
FROM costmodel.fact_trace;

\echo 'Exceptions by type (share of all estimate results and request errors)'
SELECT e.exception_type,
       count(*)                                                   AS exceptions,
       count(*) FILTER (WHERE e.severity = 'error')               AS errors,
       count(DISTINCT e.trace_id)                                 AS traces,
       round(100.0 * count(DISTINCT e.trace_id) / (SELECT count(*) FROM costmodel.fact_trace), 2)
                                                                  AS pct_of_traces
FROM costmodel.fact_exception e
GROUP BY e.exception_type
ORDER BY exceptions DESC;

\echo 'Top 10 services by volume'
SELECT q.service_code,
       count(*)                                                   AS requested_lines,
       count(r.trace_id)                                          AS results,
       round(100.0 * count(*) FILTER (WHERE r.result_status = 'estimated') / nullif(count(r.trace_id), 0), 1)
                                                                  AS estimated_pct,
       round(100.0 * count(*) FILTER (WHERE r.exception_count > 0) / nullif(count(r.trace_id), 0), 1)
                                                                  AS exception_pct,
       round(avg(r.allowed_amount), 2)                            AS avg_allowed
FROM costmodel.fact_request q
LEFT JOIN costmodel.fact_response r USING (trace_id, line_id, provider_id)
GROUP BY q.service_code
ORDER BY requested_lines DESC, q.service_code
LIMIT 10;

\echo 'In- vs out-of-network cost'
SELECT network_status,
       count(*)                                                   AS results,
       sum(in_network_estimate)                                   AS in_network_estimate,
       sum(out_of_network_estimate)                               AS out_of_network_estimate,
       sum(plan_pays)                                             AS plan_pays,
       sum(patient_total)                                         AS patient_responsibility,
       round(avg(patient_total), 2)                               AS avg_patient_responsibility
FROM costmodel.fact_response
GROUP BY network_status
ORDER BY results DESC;

\echo 'Data quality'
SELECT (SELECT count(*) FROM costmodel.trace_reject)              AS rejected_documents,
       (SELECT count(*) FROM costmodel.fact_trace WHERE problem_count > 0) AS traces_with_problems,
       (SELECT count(*) FROM costmodel.trace_problem)             AS normalised_or_nulled_values;
