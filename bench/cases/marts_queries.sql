-- The typical dashboard query of each mart, as a BI card would send it
-- (bench/cases/marts.sh times each; target < 50 ms).  Each "-- mart: NAME"
-- line starts the query of that mart.
-- mart: case_lifecycle
SELECT case_id, case_type, urgency, status, advocate_name, opened_at, hours_to_first_response, days_open, sla_breached, stale
  FROM costmodel_mart.case_lifecycle
 WHERE opened_date >= (SELECT max(opened_date) - 7 FROM costmodel_mart.case_lifecycle) AND case_type = 'prior_auth'
 ORDER BY opened_at DESC LIMIT 100;
-- mart: ops_kpis
SELECT case_type, urgency, sum(cases) AS cases, sum(active_cases) AS active,
       sum(sla_breached_cases)::float8 / nullif(sum(sla_cases), 0) AS breach_rate,
       sum(days_to_resolution_sum) / nullif(sum(timed_resolved_cases), 0) AS avg_days,
       sum(csat_sum)::numeric / nullif(sum(feedback_responses), 0) AS avg_csat
  FROM costmodel_mart.ops_kpis
 WHERE opened_date >= (SELECT max(opened_date) - 30 FROM costmodel_mart.ops_kpis)
 GROUP BY 1, 2 ORDER BY 1, 2;
-- mart: advocate_caseload
SELECT advocate_id, advocate_name, team, capacity, active_cases, utilization_ratio, overloaded, stale_cases
  FROM costmodel_mart.advocate_caseload ORDER BY utilization_ratio DESC NULLS LAST LIMIT 25;
-- mart: bottlenecks
SELECT segment_kind, segment_value, cases, avg_days_to_resolution, avg_csat, sla_breach_rate, resolution_index
  FROM costmodel_mart.bottlenecks WHERE segment_kind <> 'all' ORDER BY segment_kind, segment_order;
-- mart: stale_cases
SELECT follow_up_rank, case_id, case_type, urgency, advocate_name, hours_since_touch, sla_breached
  FROM costmodel_mart.stale_cases ORDER BY follow_up_rank LIMIT 50;
-- mart: claims_monthly
SELECT month_date, sum(claims) AS claims, sum(billed_amount) AS billed, sum(paid_amount) AS paid,
       sum(approved_claims)::float8 / nullif(sum(decided_claims), 0) AS approval_rate,
       sum(denied_claims)::float8 / nullif(sum(decided_claims), 0) AS denial_rate
  FROM costmodel_mart.claims_monthly
 WHERE payer = 'Northwind Health' AND month_date >= (SELECT max(month_date) - 365 FROM costmodel_mart.claims_monthly)
 GROUP BY month_date ORDER BY month_date;
-- mart: payer_performance
SELECT payer, month_date, claims, submission_share, approval_rate, denial_rate, avg_days_to_adjudicate,
       top_denial_reason_1, top_denial_reason_1_claims
  FROM costmodel_mart.payer_performance
 WHERE month_date >= (SELECT max(month_date) - 365 FROM costmodel_mart.payer_performance)
 ORDER BY payer, month_date;
-- mart: ar_aging
SELECT payer, outstanding_amount, amount_0_30_days, amount_31_60_days, amount_61_90_days, amount_over_90_days,
       share_over_90_days
  FROM costmodel_mart.ar_aging ORDER BY outstanding_amount DESC;
-- mart: load_report
SELECT loader, source, file_name, status, started_at, duration_seconds, rows_read, rows_loaded, rows_rejected, reject_rate
  FROM costmodel_mart.load_report ORDER BY started_at DESC LIMIT 50;
