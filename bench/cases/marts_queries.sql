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
-- mart: estimator_daily
-- the last 30 days, all channels: volume, success rate (from the summed counts) and estimates
SELECT day_date, sum(requests) AS requests,
       sum(succeeded_requests)::float8 / sum(requests) AS success_rate,
       sum(estimate_total) AS estimates
  FROM costmodel_mart.estimator_daily
 WHERE day_date >= (SELECT max(day_date) - 30 FROM costmodel_mart.estimator_daily)
 GROUP BY day_date ORDER BY day_date;
-- mart: status_daily
SELECT status_class, status_code, sum(requests) AS requests
  FROM costmodel_mart.status_daily
 WHERE day_date >= (SELECT max(day_date) - 30 FROM costmodel_mart.status_daily)
 GROUP BY 1, 2 ORDER BY 3 DESC;
-- mart: line_outcomes_daily
SELECT provider_type, network_status, sum(lines) AS lines,
       sum(succeeded_lines)::float8 / sum(lines) AS success_rate
  FROM costmodel_mart.line_outcomes_daily
 WHERE day_date >= (SELECT max(day_date) - 30 FROM costmodel_mart.line_outcomes_daily)
 GROUP BY 1, 2;
-- mart: service_daily
SELECT day_date, lines, success_rate, exception_rate, avg_cost
  FROM costmodel_mart.service_daily
 WHERE service_code = '97112' ORDER BY day_date;
-- mart: coverage_daily
SELECT service_code, provider_type,
       sum(covered_lines)::float8 / nullif(sum(coverage_known_lines), 0) AS coverage_rate
  FROM costmodel_mart.coverage_daily
 WHERE day_date >= (SELECT max(day_date) - 30 FROM costmodel_mart.coverage_daily)
 GROUP BY 1, 2;
-- mart: costs_daily
SELECT month_start_date, network_status,
       sum(in_network_estimate_total) AS in_network, sum(out_of_network_estimate_total) AS out_of_network,
       sum(patient_responsibility_total) AS patients
  FROM costmodel_mart.costs_daily
 GROUP BY 1, 2 ORDER BY 1, 2;
-- mart: exceptions_daily
-- drill-down from the heatmap tile (0337U): by provider type and network
SELECT exception_type, provider_type, network_id,
       sum(lines_affected)::float8 / sum(lines) AS exception_rate
  FROM costmodel_mart.exceptions_daily
 WHERE service_code = '0337U' AND day_date >= (SELECT max(day_date) - 30 FROM costmodel_mart.exceptions_daily)
 GROUP BY 1, 2, 3;
-- mart: exceptions_service_daily
SELECT exception_type, service_code,
       sum(lines_affected)::float8 / sum(lines) AS exception_rate
  FROM costmodel_mart.exceptions_service_daily
 WHERE day_date >= (SELECT max(day_date) - 30 FROM costmodel_mart.exceptions_service_daily)
 GROUP BY 1, 2;
-- mart: service_performance
SELECT service_code, lines, success_rate, exception_rate, avg_cost, cost_p25, cost_p50, cost_p75
  FROM costmodel_mart.service_performance
 WHERE volume_rank <= 10 ORDER BY volume_rank;
-- mart: provider_performance
SELECT provider_id, provider_type, network_id, lines, exception_rate
  FROM costmodel_mart.provider_performance
 WHERE lines >= 20 ORDER BY exception_rate DESC LIMIT 20;
-- mart: experience_daily
-- Last 30 days, and the month so far
SELECT day_date, calls, repeat_call_pct, negative_pct, estimated_call_cost,
       digital_success_rate, nps, csat_pct
FROM costmodel_mart.experience_daily
WHERE day_date > (SELECT max(day_date) - 30 FROM costmodel_mart.experience_daily) ORDER BY day_date;
-- mart: digital_call_leakage
-- Which journeys leak most for MAPD members?
SELECT interaction_type, sum(failures) AS failures,
       sum(leaked_failures)::float8 / sum(failures) AS leakage_rate,
       sum(avoidable_calls) AS calls, sum(avoidable_call_cost) AS cost
FROM costmodel_mart.digital_call_leakage WHERE plan_type = 'MAPD'
GROUP BY 1 ORDER BY cost DESC;
-- mart: repeat_calls
SELECT call_topic, sum(calls) AS calls,
       sum(repeat_calls)::float8 / sum(calls) AS repeat_rate,
       sum(repeat_call_cost) AS repeat_cost
FROM costmodel_mart.repeat_calls GROUP BY 1 ORDER BY repeat_rate DESC;
-- mart: segment_experience
SELECT segment, tenure_bucket, digital_failure_rate, leakage_rate,
       negative_pct, avg_effort_score, nps
FROM costmodel_mart.segment_experience ORDER BY segment, tenure_bucket_order;
-- mart: top_opportunities
SELECT opportunity_rank, opportunity, recommended_lever, avoidable_calls, estimated_savings
FROM costmodel_mart.top_opportunities ORDER BY opportunity_rank LIMIT 5;
-- mart: member_journey
SELECT event_seq, event_at, event_kind, category, outcome, reason, amount,
       is_repeat_call, leaked_to_call
FROM costmodel_member.member_journey WHERE member_id = 'M0000042' ORDER BY event_seq;
