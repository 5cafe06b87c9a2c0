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

\echo
\echo '== Member experience, advocacy cases and claims (one line per source) =='
SELECT 'members' AS source, (SELECT count(*) FROM costmodel.members) AS rows,
       format('%s segments, %s current dim_member rows',
              (SELECT count(DISTINCT segment) FROM costmodel.members),
              (SELECT count(*) FROM costmodel.dim_member WHERE is_current)) AS headline
UNION ALL
SELECT 'calls', count(*),
       format('repeat-call rate %s%% (7 days), negative %s%%',
              round(100 * ((SELECT costmodel.repeat_call_stats(member_id, called_at,
                     costmodel.setting_interval('repeat_call_window')) FROM costmodel.calls)).repeat_rate::numeric, 1),
              round(100.0 * count(*) FILTER (WHERE sentiment = 'negative') / nullif(count(*), 0), 1))
FROM costmodel.calls
UNION ALL
SELECT 'digital_interactions', c.n,
       format('failure rate %s%%, failures leaked to a call within 24 h %s%%',
              round(100.0 * (x.l).failures / nullif(c.n, 0), 1), round(100 * (x.l).leakage_rate::numeric, 1))
FROM (SELECT costmodel.leakage_stats(member_id, at, is_call, is_failure,
             costmodel.setting_interval('leakage_window')) AS l
      FROM (SELECT member_id, interacted_at AS at, false AS is_call,
                   outcome IN ('failure', 'abandoned') AS is_failure FROM costmodel.digital_interactions
            UNION ALL
            SELECT member_id, called_at, true, false FROM costmodel.calls) e) x,
     (SELECT count(*) AS n FROM costmodel.digital_interactions) c
UNION ALL
SELECT 'surveys', count(*), format('average CSAT %s, NPS %s', round(avg(csat_score), 2),
       round(100.0 * (count(*) FILTER (WHERE nps_score >= 9) - count(*) FILTER (WHERE nps_score <= 6))
             / nullif(count(nps_score), 0), 1))
FROM costmodel.surveys
UNION ALL
SELECT 'pharmacy_fills', count(*), format('denied %s%%, copays %s',
       round(100.0 * count(*) FILTER (WHERE denied) / nullif(count(*), 0), 1), sum(copay_amount))
FROM costmodel.pharmacy_fills
UNION ALL
SELECT 'enrollments', count(*), format('%s plan changes', count(*) FILTER (WHERE change_type = 'change'))
FROM costmodel.enrollments
UNION ALL
SELECT 'cases', count(*),
       (SELECT format('SLA breach rate %s%%, %s open, median %s h to close',
               round(100 * (s).breach_rate::numeric, 1), (s).open_cases, round((s).median_hours_to_close::numeric, 1))
        FROM (SELECT costmodel.sla_stats(opened_at, resolved_at, costmodel.setting_interval('case_sla'),
                                         (SELECT max(opened_at) FROM costmodel.cases)) AS s
              FROM costmodel.cases) x)
FROM costmodel.cases
UNION ALL
SELECT 'case_events', count(*), format('%s escalations', count(*) FILTER (WHERE event_type = 'escalated'))
FROM costmodel.case_events
UNION ALL
SELECT 'claims', count(*), format('billed %s, paid %s, denied %s%%', sum(claim_amount), sum(paid_amount),
       round(100.0 * count(*) FILTER (WHERE status = 'denied') / nullif(count(*), 0), 1))
FROM costmodel.claims;

\echo 'CSV loads (costmodel.load_log)'
SELECT count(*) AS files, sum(rows_read) AS rows_read, sum(rows_loaded) AS loaded,
       sum(rows_updated) AS updated, sum(rows_duplicate) AS duplicates, sum(rows_rejected) AS rejected
FROM costmodel.load_log;
