-- demo_dashboard.sql: the executive dashboard, from the marts alone
-- (costmodel_mart.*: what a BI role granted with grant_bi_access can read).
-- Run by `make demo` with psql -X -q after CALL costmodel.refresh_marts().
\pset footer off
\pset null '-'
-- Read as a BI user would: the mart schema only.
SET search_path = costmodel_mart;

\echo
\echo '== Cost estimator ============================================================'
SELECT sum(requests)                                                       AS requests,
       round(100 * sum(succeeded_requests)::numeric / nullif(sum(requests), 0), 1) AS success_pct,
       round(100 * sum(exception_requests)::numeric / nullif(sum(requests), 0), 1) AS requests_with_exceptions_pct,
       round(sum(estimate_total) / nullif(sum(estimated_requests), 0), 2)   AS avg_cost_per_request,
       min(day_date)                                                       AS first_date,
       max(day_date)                                                       AS last_date
  FROM estimator_daily;

\echo 'Exception rate by type (exceptions per 100 service lines)'
SELECT exception_type,
       sum(exceptions)                                                     AS exceptions,
       sum(error_exceptions)                                               AS errors,
       round(100 * sum(exceptions)::numeric / (SELECT nullif(sum(lines), 0) FROM estimator_daily), 2) AS per_100_lines
  FROM exceptions_daily
 GROUP BY exception_type
 ORDER BY exceptions DESC;

\echo 'Top 10 services by volume'
SELECT volume_rank AS rank, service_code, left(coalesce(service_description, service_category, ''), 40) AS service,
       lines, round(100 * success_rate::numeric, 1) AS success_pct,
       round(100 * exception_rate::numeric, 1) AS exception_pct,
       round(100 * coverage_rate::numeric, 1) AS covered_pct, avg_cost, cost_p50
  FROM service_performance
 ORDER BY volume_rank
 LIMIT 10;

\echo 'In- vs out-of-network cost'
SELECT network_status, sum(results) AS results,
       sum(in_network_estimate_total)     AS in_network_estimate,
       sum(out_of_network_estimate_total) AS out_of_network_estimate,
       sum(patient_responsibility_total)  AS patient_responsibility,
       sum(plan_pays_total)               AS plan_pays
  FROM costs_daily
 GROUP BY network_status
 ORDER BY network_status;

\echo
\echo '== Member experience ========================================================='
SELECT e.calls, e.repeat_call_pct, e.negative_pct, e.estimated_call_cost, e.digital_success_pct,
       l.leakage_pct, l.avoidable_call_cost, e.nps, e.csat_pct
  FROM (SELECT sum(calls) AS calls,
               round(100 * sum(repeat_calls)::numeric / nullif(sum(calls), 0), 1)  AS repeat_call_pct,
               round(100 * sum(negative_calls)::numeric / nullif(sum(calls), 0), 1) AS negative_pct,
               sum(estimated_call_cost)                                             AS estimated_call_cost,
               round(100 * sum(digital_successes)::numeric / nullif(sum(digital_interactions), 0), 1) AS digital_success_pct,
               round((100.0 * (sum(nps_promoters) - sum(nps_detractors)) / nullif(sum(nps_responses), 0))::numeric, 1) AS nps,
               round(100 * sum(csat_satisfied)::numeric / nullif(sum(csat_responses), 0), 1) AS csat_pct
          FROM experience_daily) e,
       (SELECT round(100 * sum(leaked_failures)::numeric / nullif(sum(failures), 0), 1) AS leakage_pct,
               sum(avoidable_call_cost) AS avoidable_call_cost
          FROM digital_call_leakage) l;

\echo 'Top 5 opportunities'
SELECT opportunity_rank AS rank, opportunity_type, opportunity, recommended_lever,
       avoidable_calls, estimated_savings
  FROM top_opportunities
 ORDER BY opportunity_rank
 LIMIT 5;

\echo
\echo '== Patient advocacy =========================================================='
SELECT sum(cases) AS cases, sum(active_cases) AS active,
       round(100 * sum(sla_breached_cases)::numeric / nullif(sum(sla_cases), 0), 1) AS sla_breach_pct,
       sum(stale_cases) AS stale,
       round(sum(days_to_resolution_sum) / nullif(sum(timed_resolved_cases), 0), 1) AS avg_days_to_resolve,
       round(sum(csat_sum)::numeric / nullif(sum(feedback_responses), 0), 2) AS avg_csat
  FROM ops_kpis;

\echo
\echo '== Claims and loads =========================================================='
SELECT sum(claims) AS claims, sum(billed_amount) AS billed, sum(paid_amount) AS paid,
       round(100 * sum(approved_claims)::numeric / nullif(sum(decided_claims), 0), 1) AS approval_pct,
       round(100 * sum(denied_claims)::numeric / nullif(sum(decided_claims), 0), 1) AS denial_pct
  FROM claims_monthly;
SELECT loader, count(*) AS files, sum(rows_read) AS rows_read, sum(rows_loaded) AS loaded,
       sum(rows_duplicate) AS duplicates, sum(rows_rejected) AS rejected
  FROM load_report
 GROUP BY loader
 ORDER BY loader;
\echo 'Marts refreshed by costmodel.refresh_marts(); pg_cron refreshes them every 15 minutes (costmodel.schedule_refresh).'
