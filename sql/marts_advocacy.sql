--
-- marts_advocacy: the advocacy-operations marts (case_lifecycle, ops_kpis,
-- advocate_caseload, bottlenecks, stale_cases) on a hand-made fixture whose
-- every figure is worked out by hand in the comments below: a case resolved
-- exactly at the SLA and one 1 us past it, an open case exactly at the SLA
-- and one 1 us past it, the stale boundary (48 hours exactly and 1 us
-- more), a reopened case with three handoffs, a resolved case known only
-- from its resolved event, a resolved case without any resolution time,
-- NULL urgency and metadata, an advocate without cases, an unassigned case,
-- empty segments; then the settings changed (case_sla, stale_after,
-- overload_utilization).
--
-- Everything runs in one transaction, so now() (the marts' as_of_at) is the
-- same instant as the fixture's T = now(), and is rolled back at the end.
-- Days are 24 hours: the session time zone is UTC.
--
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS costmodel CASCADE;
CREATE EXTENSION costmodel;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
SET extra_float_digits = 0;
\pset null '(null)'

BEGIN;

-- ------------------------------------------------------------ no data yet
-- Every mart refreshes on empty sources.  bottlenecks still lists every
-- segment value (15 rows: all, 3 missing_docs, 4 handoff buckets, 5 case
-- types, 2 escalated), each with 0 cases and NULL averages and rates.
CALL costmodel.refresh_marts();
SELECT mart_name, status, rows FROM costmodel.refresh_log ORDER BY refresh_log_id;
SELECT segment_kind, segment_value, segment_order, cases, resolved_cases, avg_days_to_resolution,
       median_hours_to_close, resolution_index, feedback_responses, avg_csat, escalated_cases,
       sla_cases, sla_breached_cases, sla_breach_rate, as_of_at = now() AS as_of_is_now
  FROM costmodel_mart.bottlenecks ORDER BY segment_kind, segment_order;

-- ------------------------------------------------------------ the fixture
-- T = now().  Settings at their defaults: case_sla 7 days, stale_after
-- 48 hours, overload_utilization 1.
--
-- Advocates: A1 Ann (Billing, capacity 1), A2 Bob (Clinical, capacity 1),
-- A3 Cy (no team -> unknown, capacity 3, no cases).
--
-- case type              urg.     status       adv  opened       resolution          notes
-- C1 billing_dispute     high     closed       A1   T-20d        T-13d (7d exactly)   first response +3h, 2 interactions (10+0 min), csat 5
-- C2 billing_dispute     high     resolved     A2   T-20d        T-13d+1us            assigned A1 then A2 (1 handoff), response +24h, csat 2, missing [eob]
-- C3 prior_auth          critical in_progress  A1   T-7d         -                    open exactly 7d; response +2.5h; last event T-48h exactly; missing [eob, referral]
-- C4 prior_auth          critical pending_docs -    T-7d-1us     -                    unassigned; only touch an interaction at T-48h-1us (5 min); missing [id_card]
-- C5 care_coordination   medium   escalated    A2   T-3d         -                    response +1h; escalated event at T-1d (24h ago)
-- C6 claim_denial        low      closed       A1   T-30d        T-20d (10d)          resolved T-28d, reopened T-27d, re-resolved; 4 assigned events (3 handoffs); 3 interactions (5+10+15 min); csat 1
-- C7 provider_search     NULL     resolved     A1   T-6d         resolved event T-5d  resolved_at NULL in the case; metadata NULL (missing docs unknown)
-- C8 provider_search     low      resolved     A1   T-2d         unknown              no resolved_at, no events at all: no resolution time
-- C9 billing_dispute     medium   open         A2   T-1d         -                    assigned at T-1d+1h (last touch 23h ago)
INSERT INTO costmodel.advocates (advocate_id, name, team, capacity) VALUES
  ('A1', 'Ann', 'Billing', 1), ('A2', 'Bob', 'Clinical', 1), ('A3', 'Cy', NULL, 3);
INSERT INTO costmodel.cases (case_id, member_id, case_type, urgency, status, opened_at, resolved_at, advocate_id, metadata) VALUES
  ('C1', 'M1', 'billing_dispute', 'high', 'closed', now() - interval '20 days', now() - interval '13 days', 'A1', '{"missing_docs": []}'),
  ('C2', 'M2', 'billing_dispute', 'high', 'resolved', now() - interval '20 days', now() - interval '13 days' + interval '1 microsecond', 'A2', '{"missing_docs": ["eob"]}'),
  ('C3', 'M3', 'prior_auth', 'critical', 'in_progress', now() - interval '7 days', NULL, 'A1', '{"missing_docs": ["eob", "referral"]}'),
  ('C4', 'M4', 'prior_auth', 'critical', 'pending_docs', now() - interval '7 days 0.000001 seconds', NULL, NULL, '{"missing_docs": "id_card"}'),
  ('C5', 'M5', 'care_coordination', 'medium', 'escalated', now() - interval '3 days', NULL, 'A2', '{"missing_docs": [], "intake_source": "phone", "complexity": 2}'),
  ('C6', 'M6', 'claim_denial', 'low', 'closed', now() - interval '30 days', now() - interval '20 days', 'A1', '{}'),
  ('C7', 'M7', 'provider_search', NULL, 'resolved', now() - interval '6 days', NULL, 'A1', NULL),
  ('C8', 'M8', 'provider_search', 'low', 'resolved', now() - interval '2 days', NULL, 'A1', '{}'),
  ('C9', 'M9', 'billing_dispute', 'medium', 'open', now() - interval '1 day', NULL, 'A2', '{"missing_docs": []}');
INSERT INTO costmodel.case_events (event_id, case_id, event_type, occurred_at, actor) VALUES
  ('E01', 'C1', 'opened', now() - interval '20 days', 'member'),
  ('E02', 'C1', 'assigned', now() - interval '20 days' + interval '1 hour', 'A1'),
  ('E03', 'C1', 'first_response', now() - interval '20 days' + interval '3 hours', 'A1'),
  ('E04', 'C1', 'resolved', now() - interval '13 days', 'A1'),
  ('E05', 'C2', 'opened', now() - interval '20 days', 'member'),
  ('E06', 'C2', 'assigned', now() - interval '20 days' + interval '1 hour', 'A1'),
  ('E07', 'C2', 'first_response', now() - interval '19 days', 'A1'),
  ('E08', 'C2', 'assigned', now() - interval '18 days', 'A2'),
  ('E09', 'C2', 'resolved', now() - interval '13 days' + interval '1 microsecond', 'A2'),
  ('E10', 'C3', 'opened', now() - interval '7 days', 'system'),
  ('E11', 'C3', 'assigned', now() - interval '7 days' + interval '1 hour', 'A1'),
  ('E12', 'C3', 'first_response', now() - interval '7 days' + interval '2 hours 30 minutes', 'A1'),
  ('E13', 'C3', 'docs_requested', now() - interval '48 hours', 'A1'),
  ('E14', 'C4', 'opened', now() - interval '7 days 0.000001 seconds', 'system'),
  ('E15', 'C5', 'opened', now() - interval '3 days', 'member'),
  ('E16', 'C5', 'assigned', now() - interval '3 days', 'A2'),
  ('E17', 'C5', 'first_response', now() - interval '3 days' + interval '1 hour', 'A2'),
  ('E18', 'C5', 'escalated', now() - interval '1 day', 'A2'),
  ('E19', 'C6', 'opened', now() - interval '30 days', 'member'),
  ('E20', 'C6', 'assigned', now() - interval '30 days', 'A2'),
  ('E21', 'C6', 'first_response', now() - interval '29 days', 'A2'),
  ('E22', 'C6', 'resolved', now() - interval '28 days', 'A2'),
  ('E23', 'C6', 'reopened', now() - interval '27 days', 'member'),
  ('E24', 'C6', 'assigned', now() - interval '27 days', 'A1'),
  ('E25', 'C6', 'assigned', now() - interval '26 days', 'A2'),
  ('E26', 'C6', 'assigned', now() - interval '25 days', 'A1'),
  ('E27', 'C6', 'resolved', now() - interval '20 days', 'A1'),
  ('E28', 'C7', 'opened', now() - interval '6 days', 'member'),
  ('E29', 'C7', 'assigned', now() - interval '6 days' + interval '1 hour', 'A1'),
  ('E30', 'C7', 'resolved', now() - interval '5 days', 'A1'),
  ('E31', 'C9', 'opened', now() - interval '1 day', 'member'),
  ('E32', 'C9', 'assigned', now() - interval '1 day' + interval '1 hour', 'A2');
INSERT INTO costmodel.case_interactions (interaction_id, case_id, channel, occurred_at, duration_minutes, direction) VALUES
  ('I1', 'C1', 'phone', now() - interval '19 days', 10, 'outbound'),
  ('I2', 'C1', 'email', now() - interval '15 days', 0, 'inbound'),
  ('I3', 'C4', 'phone', now() - interval '48 hours 0.000001 seconds', 5, 'inbound'),
  ('I4', 'C6', 'phone', now() - interval '29 days', 5, 'outbound'),
  ('I5', 'C6', 'chat', now() - interval '26 days', 10, 'inbound'),
  ('I6', 'C6', 'phone', now() - interval '21 days', 15, 'outbound');
INSERT INTO costmodel.case_feedback (case_id, submitted_at, csat) VALUES
  ('C1', now() - interval '12 days', 5),
  ('C2', now() - interval '12 days', 2),
  ('C6', now() - interval '19 days', 1);

CALL costmodel.refresh_marts();
SELECT mart_name, status, rows FROM costmodel.refresh_log
 WHERE run_id = (SELECT max(run_id) FROM costmodel.refresh_log) ORDER BY refresh_log_id;

-- ------------------------------------------------------------ case_lifecycle
-- Worked out per case (hours and days rounded to 0.01):
--   C1: response 3.00 h; resolved 7 days exactly -> 7.00 days, NOT breached;
--       2 interactions, 10 min; last touch the resolved event at T-13d; csat 5;
--       0 missing docs; 1 assigned event -> 0 handoffs.
--   C2: response 24.00 h; resolved 7 days + 1 us -> 7.00 days, BREACHED;
--       assigned twice -> 1 handoff; csat 2; missing 1 (eob).
--   C3: active; response 2.50 h; open exactly 7 days -> days_open 7.00, NOT
--       breached; last touch the docs_requested event exactly 48 h ago ->
--       48.00 h, NOT stale; missing 2 (eob,referral).
--   C4: active, unassigned (team unassigned, no name); no response; open
--       7 days + 1 us -> BREACHED; last touch the interaction 48 h + 1 us ago
--       -> 48.00 h, STALE; 1 interaction of 5 min; missing 1 (a string
--       "id_card" is a one-item list).
--   C5: active, escalated (event and status); response 1.00 h; 3.00 days
--       open; last touch the escalated event 24.00 h ago; not breached, not stale.
--   C6: closed 10 days after opening -> 10.00, BREACHED; reopened; 4 assigned
--       events -> 3 handoffs -> bucket 3+; response 24.00 h; 3 interactions,
--       30 min; csat 1.
--   C7: resolved_at NULL, so its resolved event at T-5d -> 1.00 day, not
--       breached; urgency unknown; metadata NULL -> missing_doc_count NULL.
--   C8: resolved without any resolution time -> days NULL, sla_breached NULL
--       (sla_stats skips it), days_open NULL; never stale (not active).
--   C9: open, last touch the assignment 23.00 h ago; 1.00 day open.
SELECT case_id, case_type, urgency, status, is_active, advocate_id, advocate_name, team,
       hours_to_first_response AS resp_h, days_to_resolution AS res_d, days_open,
       hours_since_touch AS idle_h, interactions AS ix, interaction_minutes AS ix_min,
       escalated AS esc, reopened AS reop, sla_breached AS sla, stale, csat,
       missing_doc_count AS miss, has_missing_docs AS has_miss, missing_docs, handoffs, handoff_bucket AS hb
  FROM costmodel_mart.case_lifecycle ORDER BY case_id;
-- the times, relative to as_of_at = T
SELECT case_id, as_of_at = now() AS as_of_is_now,
       now() - opened_at AS opened_ago, now() - first_response_at AS response_ago,
       now() - resolved_at AS resolved_ago, now() - last_touch_at AS touched_ago,
       opened_date = (opened_at AT TIME ZONE 'UTC')::date AS opened_day_ok,
       resolved_date IS NOT DISTINCT FROM (resolved_at AT TIME ZONE 'UTC')::date AS resolved_day_ok,
       week_start_date = date_trunc('week', opened_date)::date AND month_start_date = date_trunc('month', opened_date)::date
         AND fiscal_year = extract(year FROM opened_date) AND fiscal_quarter = extract(quarter FROM opened_date) AS roll_ups_ok,
       intake_source, complexity
  FROM costmodel_mart.case_lifecycle ORDER BY case_id;

-- ------------------------------------------------------------ ops_kpis
-- Groups (opened day x type x urgency); C3 and C4 share a day, as do C1 and C2:
--   billing_dispute/high (C1, C2): 2 cases, 0 active, 2 resolved; SLA 2 cases,
--     1 breached (C2) -> 0.5; stale_rate NULL (no active case); responses
--     3 + 24 = 27.00 -> avg 13.50 h; resolution 7.00 + 7.00 = 14.00 -> 7.00 d;
--     median of 168 h and 168 h + 1 us -> 168.00, p90 168.00; 2 interactions
--     -> 1.00; csat 5 + 2 = 7 over 2 -> 3.50; 1 case with missing docs;
--     1 handoff -> 0.50.
--   billing_dispute/medium (C9): 1 active, SLA 1/0 -> 0, stale 0 of 1 -> 0,
--     no response, no resolution (NULL sums and averages), 0 interactions.
--   care_coordination/medium (C5): 1 active, escalated -> rate 1, response
--     1.00, stale 0/1.
--   claim_denial/low (C6): resolved, reopened -> 1; SLA 1/1 -> 1; response
--     24.00; 10.00 days; median and p90 240.00 h; 3 interactions; csat 1;
--     3 handoffs.
--   prior_auth/critical (C3, C4): 2 active; SLA 2, 1 breached (C4) -> 0.5;
--     stale 1 of 2 (C4) -> 0.5; 1 response 2.50; 1 interaction -> 0.50;
--     2 cases with missing docs.
--   provider_search/low (C8): resolved, but without a resolution time: SLA
--     0 cases, 0 breached, rate NULL; no averages.
--   provider_search/unknown (C7): resolved in 1.00 day = 24 h; SLA 1/0; the
--     missing docs are unknown, so 0 cases with missing docs.
SELECT case_type, urgency, opened_date - (now() AT TIME ZONE 'UTC')::date AS opened_day,
       cases, active_cases AS act, resolved_cases AS res, escalated_cases AS esc, escalation_rate AS esc_rate,
       reopened_cases AS reop, reopen_rate, sla_cases, sla_breached_cases AS breached, sla_breach_rate,
       stale_cases AS stale, stale_rate
  FROM costmodel_mart.ops_kpis ORDER BY case_type, urgency;
SELECT case_type, urgency, first_responded_cases AS resp_n, hours_to_first_response_sum AS resp_sum,
       avg_hours_to_first_response AS resp_avg, timed_resolved_cases AS res_n, days_to_resolution_sum AS res_sum,
       avg_days_to_resolution AS res_avg, median_hours_to_close AS med_h, p90_hours_to_close AS p90_h,
       interactions AS ix, avg_interactions AS ix_avg, feedback_responses AS fb, csat_sum, avg_csat,
       missing_docs_cases AS miss, handoffs, avg_handoffs
  FROM costmodel_mart.ops_kpis ORDER BY case_type, urgency;
SELECT bool_and(week_start_date = date_trunc('week', opened_date)::date
                AND month_start_date = date_trunc('month', opened_date)::date
                AND fiscal_year = extract(year FROM opened_date)
                AND fiscal_quarter = extract(quarter FROM opened_date)) AS roll_ups_ok,
       bool_and(as_of_at = now()) AS as_of_is_now
  FROM costmodel_mart.ops_kpis;
-- the typical dashboard query: KPIs per case type and urgency over a period,
-- recomputed from the additive columns
SELECT case_type, urgency, sum(cases) AS cases, sum(active_cases) AS active,
       round(sum(sla_breached_cases)::numeric / nullif(sum(sla_cases), 0), 4) AS breach_rate,
       round(sum(days_to_resolution_sum) / nullif(sum(timed_resolved_cases), 0), 2) AS avg_days,
       round(sum(csat_sum)::numeric / nullif(sum(feedback_responses), 0), 2) AS avg_csat
  FROM costmodel_mart.ops_kpis
 WHERE opened_date >= (now() AT TIME ZONE 'UTC')::date - 90
 GROUP BY case_type, urgency ORDER BY case_type, urgency;

-- ------------------------------------------------------------ advocate_caseload
--   A1 Ann, capacity 1: current cases C1, C3, C6, C7, C8 (5); active C3 (1)
--     -> utilization 1.0, NOT overloaded (1 > 1 x 1 is false), headroom 0;
--     1 urgent active (C3 critical), 0 over SLA (C3 exactly at it), 0 stale;
--     resolved 4; days 7.00, 10.00, 1.00 (C8 none) -> 6.00; csat 5, 1 -> 3.00.
--   A2 Bob, capacity 1: C2, C5, C9; active C5, C9 (2) -> 2.0, OVERLOADED,
--     headroom -1; 1 active escalated (C5); resolved C2: 7.00 days, csat 2.
--   A3 Cy, capacity 3, no cases: a row of zeros, utilization 0, team unknown.
--   unassigned: C4: 1 active, urgent, over SLA and stale; capacity,
--     utilization, overloaded and headroom NULL.
SELECT advocate_id, advocate_name, team, capacity, active_cases AS act, utilization_ratio AS util,
       overloaded, headroom, active_urgent_cases AS urgent, active_escalated_cases AS esc,
       active_sla_breached_cases AS over_sla, stale_cases AS stale, cases, resolved_cases AS res,
       avg_days_to_resolution AS res_days, feedback_responses AS fb, avg_csat, as_of_at = now() AS as_of_is_now
  FROM costmodel_mart.advocate_caseload ORDER BY advocate_id;

-- ------------------------------------------------------------ bottlenecks
-- Per segment (average days over the resolved cases' rounded days; the
-- median over their hours to close; SLA over all but C8; resolution_index =
-- segment average / 6.25, the average of all: (7 + 7 + 10 + 1) / 4):
--   all: 9 cases, 5 resolved, 6.25 d, median of 24, 168, 168+1us, 240 h ->
--     168.00; csat 5, 2, 1 -> 2.67; 1 escalated; SLA 8, breached 3 (C2, C4, C6) -> 0.375.
--   missing_docs 0 (C1, C5, C6, C8, C9): 3 resolved, (7 + 10) / 2 = 8.50 d ->
--     index 1.36; median (168 + 240) / 2 = 204.00; csat 3.00; SLA 4, breached 1 (C6).
--   missing_docs 1 (C2, C4): 7.00 d -> 1.12; SLA 2/2 -> 1.
--   missing_docs 2+ (C3): nothing resolved; SLA 1/0 -> 0.
--   missing_docs unknown (C7, metadata NULL): 1.00 d -> 0.16; order 99.
--   handoff_bucket 0 (C1, C3, C4, C5, C7, C8, C9): (7 + 1) / 2 = 4.00 -> 0.64;
--     median (24 + 168) / 2 = 96.00; SLA 6, breached 1 (C4) -> 1/6.
--   handoff_bucket 1 (C2), 3+ (C6); handoff_bucket 2: empty: 0 cases, NULLs.
--   case types: billing_dispute 3 cases (C1, C2, C9), 7.00 d, SLA 3/1;
--     prior_auth 2 active, SLA 2/1; provider_search 2 (C7, C8), SLA 1/0;
--     care_coordination 1 escalated; claim_denial 1, 10.00 d -> 1.6.
--   escalated: C5 only (0 resolved, SLA 1/0); not_escalated the other 8:
--     6.25 d, SLA 7/3 -> 3/7.
SELECT segment_kind, segment_value, segment_order AS ord, cases, resolved_cases AS res,
       avg_days_to_resolution AS res_days, median_hours_to_close AS med_h,
       round(resolution_index::numeric, 6) AS res_index, feedback_responses AS fb, avg_csat,
       escalated_cases AS esc, sla_cases, sla_breached_cases AS breached, round(sla_breach_rate::numeric, 6) AS breach_rate
  FROM costmodel_mart.bottlenecks ORDER BY segment_kind, segment_order, segment_value;

-- ------------------------------------------------------------ stale_cases
-- Only C4 (48 h + 1 us since its last touch); C3 at exactly 48 h is not stale.
SELECT case_id, follow_up_rank, case_type, urgency, urgency_rank, status, advocate_id, advocate_name, team,
       now() - last_touch_at AS idle, hours_since_touch, days_open, sla_breached, escalated,
       missing_doc_count, missing_docs, interactions, as_of_at = now() AS as_of_is_now,
       opened_date = (opened_at AT TIME ZONE 'UTC')::date AS opened_day_ok
  FROM costmodel_mart.stale_cases ORDER BY follow_up_rank;

-- ------------------------------------------------------------ flags = aggregates
-- The per-case flags agree with sla_stats and stale_stats over the same cases
-- (the C aggregates, as_of T, the settings): 8 SLA cases, 3 breached, 4 active
-- (C3, C4, C5, C9), 1 stale; and the grouped marts add up to case_lifecycle.
SELECT (s).cases AS sla_cases, (s).breached, (s).open_cases,
       (SELECT count(sla_breached) FROM costmodel_mart.case_lifecycle) AS flagged_cases,
       (SELECT count(*) FILTER (WHERE sla_breached) FROM costmodel_mart.case_lifecycle) AS flagged_breached,
       (t).open_cases AS active, (t).stale_cases AS stale,
       (SELECT count(*) FILTER (WHERE stale) FROM costmodel_mart.case_lifecycle) AS flagged_stale,
       (SELECT sum(sla_breached_cases) FROM costmodel_mart.ops_kpis) AS ops_breached,
       (SELECT sum(stale_cases) FROM costmodel_mart.ops_kpis) AS ops_stale,
       (SELECT count(*) FROM costmodel_mart.stale_cases) AS stale_list
  FROM (SELECT costmodel.sla_stats(CASE WHEN c.status IN ('resolved', 'closed')
                                             AND coalesce(c.resolved_at, e.t) IS NULL THEN NULL ELSE c.opened_at END,
                                   CASE WHEN c.status IN ('resolved', 'closed') THEN coalesce(c.resolved_at, e.t) END,
                                   costmodel.setting_interval('case_sla'), now()) AS s,
               costmodel.stale_stats(greatest(c.opened_at, e.last_at, i.last_at),
                                     c.status NOT IN ('resolved', 'closed'),
                                     costmodel.setting_interval('stale_after'), now()) AS t
          FROM costmodel.cases c
          LEFT JOIN (SELECT case_id, max(occurred_at) FILTER (WHERE event_type = 'resolved') AS t,
                            max(occurred_at) AS last_at
                       FROM costmodel.case_events GROUP BY case_id) e USING (case_id)
          LEFT JOIN (SELECT case_id, max(occurred_at) AS last_at
                       FROM costmodel.case_interactions GROUP BY case_id) i USING (case_id)) x;

-- ------------------------------------------------------------ settings changed
-- case_sla 3 days: breached C1 (7d), C2, C3 (open 7d), C4, C6; not C5 (open
--   exactly 3 days), C7 (1 day), C9; C8 skipped -> 5 of 8.
-- stale_after 24 hours: stale C3 (48 h) and C4; not C5 (exactly 24 h), not C9
--   (23 h).  Follow-up order: both critical, C4 idle longer -> C4, C3.
-- overload_utilization 0.5: A1 (1 > 0.5) and A2 (2 > 0.5) overloaded, A3
--   (0 > 1.5) not.
UPDATE costmodel.settings SET value = '3 days' WHERE name = 'case_sla';
UPDATE costmodel.settings SET value = '24 hours' WHERE name = 'stale_after';
UPDATE costmodel.settings SET value = '0.5' WHERE name = 'overload_utilization';
CALL costmodel.refresh_marts();
SELECT case_id, sla_breached, stale FROM costmodel_mart.case_lifecycle ORDER BY case_id;
SELECT case_id, follow_up_rank, hours_since_touch FROM costmodel_mart.stale_cases ORDER BY follow_up_rank;
SELECT advocate_id, active_cases, overloaded FROM costmodel_mart.advocate_caseload ORDER BY advocate_id;
SELECT segment_value, sla_cases, sla_breached_cases, sla_breach_rate
  FROM costmodel_mart.bottlenecks WHERE segment_kind IN ('all', 'escalated') ORDER BY segment_kind, segment_order;
SELECT case_type, urgency, sla_breached_cases, stale_cases FROM costmodel_mart.ops_kpis ORDER BY case_type, urgency;
-- overload_utilization 2: A2 at 2 > 2 is not overloaded (the boundary)
UPDATE costmodel.settings SET value = '2' WHERE name = 'overload_utilization';
CALL costmodel.refresh_marts(ARRAY['advocate_caseload']);
SELECT advocate_id, active_cases, capacity, overloaded FROM costmodel_mart.advocate_caseload ORDER BY advocate_id;

-- ------------------------------------------------------------ the BI view
-- The published views carry the marts' comments.
SELECT c.relname, count(*) AS columns, count(col_description(c.oid, a.attnum)) AS commented,
       obj_description(c.oid, 'pg_class') IS NOT NULL AS view_commented
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = 'costmodel_mart'
   AND c.relname IN ('case_lifecycle', 'ops_kpis', 'advocate_caseload', 'bottlenecks', 'stale_cases')
 GROUP BY c.relname, c.oid ORDER BY c.relname;

ROLLBACK;
