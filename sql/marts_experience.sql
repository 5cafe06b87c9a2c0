--
-- marts_experience: the member-experience marts (experience_daily,
-- digital_call_leakage, repeat_calls, segment_experience, top_opportunities)
-- and the member_journey view on a small hand-made fixture.  Every expected
-- number is worked out by hand in the comments below, from the rules in
-- docs/marts-experience.md: window edges (exactly 7 days / 24 hours, one
-- microsecond or one second past), a call and a failure at the same instant,
-- midnight, NULL scores and flags, an unknown member, a member whose segment
-- changes mid-month (type 2), events before joining, the tenure bucket edge,
-- days without calls, and the same fixture again with settings changed.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
SET extra_float_digits = 0;
\pset null '(null)'

-- ------------------------------------------------------------------ fixture
-- Settings: the defaults.  cost_per_call 12.50, cost_per_minute 0.75,
-- repeat_call_window 7 days, leakage_window 24 hours,
-- negative_sentiment_threshold -0.5, high_handle_time_threshold 20,
-- tenure buckets 6 / 24 / 60 months.
SELECT name, value FROM costmodel.settings
 WHERE name IN ('cost_per_call', 'cost_per_minute', 'repeat_call_window', 'leakage_window',
                'negative_sentiment_threshold', 'high_handle_time_threshold',
                'tenure_bucket_1_months', 'tenure_bucket_2_months', 'tenure_bucket_3_months')
 ORDER BY name;

-- Members.  m1 joined 2020-01-15: 59 months on 2025-01-14, 60 on 2025-01-15
-- (the 24-59 / 60+ edge).  m2 joined 2024-12-01 (1 month in January) as
-- New and becomes Medium Value at 2025-01-10 12:00 (a second dim_member
-- version).  m3 has no join date (tenure unknown).  m4 is not a member row
-- at all (plan and segment unknown).  m5 joins 2025-01-20, after its first
-- events (tenure 0) and after the start of its first version.
INSERT INTO costmodel.members (member_id, plan_type, segment, join_date) VALUES
  ('m1', 'PPO',  'High Value', '2020-01-15'),
  ('m2', 'HMO',  'New',        '2024-12-01'),
  ('m3', 'MAPD', 'At Risk',    NULL),
  ('m5', 'EPO',  'Low Value',  '2025-01-20');
-- first versions as of 2025-01-05 00:00: m1 from 2020-01-15, m2 from
-- 2024-12-01, m3 (no join date) and m5 (joins later) from 2025-01-05 00:00;
-- m5's events of 2025-01-04 come before its first version and take it.
SELECT * FROM costmodel.refresh_dim_member('2025-01-05 00:00+00');
UPDATE costmodel.members SET segment = 'Medium Value' WHERE member_id = 'm2';
SELECT * FROM costmodel.refresh_dim_member('2025-01-10 12:00+00');
SELECT member_id, plan_type, segment, valid_from, valid_to FROM costmodel.dim_member ORDER BY member_id, valid_from;

-- Calls.  cost = round(12.50 + 0.75 x handle, 2); negative = score <= -0.5,
-- or the label negative when the score is NULL.
--  id  member  called_at (UTC)               topic     handle  label     score  transf resolved  cost   negative  repeat (7 days)
--  C1  m1      2025-01-14 10:00              Billing   10.00   negative  -0.60  t      f         20.00  yes       no (first)
--  C2  m1      2025-01-21 10:00              Billing   30.00   neutral   -0.50  f      t         35.00  yes (=)   yes (exactly 7 days)
--  C3  m1      2025-01-28 10:00:00.000001    Claims    NULL    negative  NULL   NULL   NULL      12.50  yes (label) no (7 days + 1 us)
--  C4  m2      2025-01-05 09:00              ID Card    4.00   positive   0.80  f      t         15.50  no        no (first)
--  C5  m2      2025-01-10 13:00              ID Card   20.00   neutral   -0.49  t      f         27.50  no        yes (5 days 4 h)
--  C6  m3      2025-01-05 23:30              Pharmacy   6.67   NULL      NULL   f      t         17.50  no        no (first)   (17.5025)
--  C7  m3      2025-01-06 00:30              Pharmacy   3.33   negative  -1.00  t      f         15.00  yes       yes (1 h, across midnight) (14.9975)
--  C8  m4      2025-01-06 12:00              Billing    0.00   positive   0.10  f      t         12.50  no        no (first)
--  C9  m5      2025-01-05 15:00              Billing    8.00   positive   0.30  f      t         18.50  no        no (first)
-- high handle time (> 20 minutes): C2 only (C5's 20.00 is not above).
INSERT INTO costmodel.calls (call_id, member_id, called_at, call_topic, handle_time_minutes, sentiment,
                             sentiment_score, transferred, resolved) VALUES
  ('C1', 'm1', '2025-01-14 10:00:00',        'Billing',  10.00, 'negative', -0.60, true,  false),
  ('C2', 'm1', '2025-01-21 10:00:00',        'Billing',  30.00, 'neutral',  -0.50, false, true),
  ('C3', 'm1', '2025-01-28 10:00:00.000001', 'Claims',   NULL,  'negative', NULL,  NULL,  NULL),
  ('C4', 'm2', '2025-01-05 09:00:00',        'ID Card',   4.00, 'positive',  0.80, false, true),
  ('C5', 'm2', '2025-01-10 13:00:00',        'ID Card',  20.00, 'neutral',  -0.49, true,  false),
  ('C6', 'm3', '2025-01-05 23:30:00',        'Pharmacy',  6.67, NULL,       NULL,  false, true),
  ('C7', 'm3', '2025-01-06 00:30:00',        'Pharmacy',  3.33, 'negative', -1.00, true,  false),
  ('C8', 'm4', '2025-01-06 12:00:00',        'Billing',   0.00, 'positive',  0.10, false, true),
  ('C9', 'm5', '2025-01-05 15:00:00',        'Billing',   8.00, 'positive',  0.30, false, true);

-- Digital interactions.  A failure is outcome failure or abandoned; it
-- leaked when a call of the member follows at t < call <= t + 24 hours.
--  id   member  interacted_at          type          outcome    reason               leaked?
--  D01  m1      2025-01-13 10:00       bill_pay      failure    payment_declined     yes: C1 exactly 24 h later
--  D02  m1      2025-01-20 09:59:59    login         abandoned  NULL (unknown)       no: C2 is 24 h + 1 s later
--  D03  m1      2025-01-21 10:00       login         failure    session_timeout      no: C2 is at the same instant, C3 a week later
--  D04  m1      2025-01-27 12:00       login         success    -                    -
--  D05  m1      2025-01-28 09:00       claims_check  failure    system_error         yes: C3 1 h later
--  D06  m1      2025-01-28 09:30       claims_check  failure    page_error           yes: C3 30 min later
--  D07  m2      2025-01-04 20:00       id_card       failure    card_not_available   yes: C4 (13 h); m2 is New then
--  D08  m2      2025-01-10 12:30       id_card       failure    card_not_available   yes: C5 (30 min); m2 is Medium Value then
--  D09  m2      2025-01-11 08:00       id_card       success    -                    -
--  D10  m3      2025-01-05 23:00       rx_refill     failure    refill_too_soon      yes: C6, C7
--  D11  m4      2025-01-06 11:00       bill_pay      failure    NULL (unknown)       yes: C8
--  D12  m5      2025-01-04 10:00       login         success    -                    -
--  D13  m5      2025-01-04 11:00       login         abandoned  mfa_timeout          no: C9 is 28 h later
--  D14  m3      2025-01-05 23:00       rx_refill     failure    pharmacy_unavailable yes: C6, C7 (same instant as D10)
-- Leaked calls (a failure in [call - 24 h, call)) and the failure each is
-- attributed to (the member's latest failure before it; ties by id):
--   C1 -> D01, C3 -> D06 (D06 is later than D05), C4 -> D07, C5 -> D08,
--   C6 -> D14 and C7 -> D14 (D10 and D14 tie at 23:00, D14 sorts last),
--   C8 -> D11.  C2 is not leaked (D03 is at the same instant, D02 24 h + 1 s
--   before), nor C9 (D13 28 h before).  7 leaked calls of 9.
INSERT INTO costmodel.digital_interactions (interaction_id, member_id, interacted_at, interaction_type,
                                            outcome, failure_reason, session_duration_seconds, channel) VALUES
  ('D01', 'm1', '2025-01-13 10:00:00', 'bill_pay',     'failure',   'payment_declined',     120, 'web'),
  ('D02', 'm1', '2025-01-20 09:59:59', 'login',        'abandoned', NULL,                    45, 'app'),
  ('D03', 'm1', '2025-01-21 10:00:00', 'login',        'failure',   'session_timeout',       60, 'web'),
  ('D04', 'm1', '2025-01-27 12:00:00', 'login',        'success',   NULL,                    30, 'web'),
  ('D05', 'm1', '2025-01-28 09:00:00', 'claims_check', 'failure',   'system_error',          90, 'web'),
  ('D06', 'm1', '2025-01-28 09:30:00', 'claims_check', 'failure',   'page_error',            75, 'web'),
  ('D07', 'm2', '2025-01-04 20:00:00', 'id_card',      'failure',   'card_not_available',   200, 'app'),
  ('D08', 'm2', '2025-01-10 12:30:00', 'id_card',      'failure',   'card_not_available',   210, 'app'),
  ('D09', 'm2', '2025-01-11 08:00:00', 'id_card',      'success',   NULL,                   100, 'app'),
  ('D10', 'm3', '2025-01-05 23:00:00', 'rx_refill',    'failure',   'refill_too_soon',       50, 'app'),
  ('D11', 'm4', '2025-01-06 11:00:00', 'bill_pay',     'failure',   NULL,                    80, 'web'),
  ('D12', 'm5', '2025-01-04 10:00:00', 'login',        'success',   NULL,                    20, 'web'),
  ('D13', 'm5', '2025-01-04 11:00:00', 'login',        'abandoned', 'mfa_timeout',          300, 'web'),
  ('D14', 'm3', '2025-01-05 23:00:00', 'rx_refill',    'failure',   'pharmacy_unavailable',  55, 'app');

-- Surveys (promoter 9-10, detractor 0-6; CSAT satisfied 4-5).
--  S1 m1 2025-01-14 12:00 nps 10 csat 5 effort 2     S2 m2 2025-01-05 10:00 nps 6 csat 3 effort 5
--  S3 m3 2025-01-06 09:00 nps -  csat 4 effort -     S4 m4 2025-01-06 18:00 nps 9 csat - effort 7
--  S5 m5 2025-01-30 10:00 nps 7  csat 1 effort 4     S6 m2 2025-01-10 14:00 nps 0 csat 2 effort 6
INSERT INTO costmodel.surveys (survey_id, member_id, surveyed_at, survey_type, nps_score, csat_score, effort_score, feedback_text) VALUES
  ('S1', 'm1', '2025-01-14 12:00:00', 'post_call',    10,   5,    2,    'Sorted on the first call'),
  ('S2', 'm2', '2025-01-05 10:00:00', 'post_call',    6,    3,    5,    NULL),
  ('S3', 'm3', '2025-01-06 09:00:00', 'post_digital', NULL, 4,    NULL, NULL),
  ('S4', 'm4', '2025-01-06 18:00:00', 'periodic',     9,    NULL, 7,    NULL),
  ('S5', 'm5', '2025-01-30 10:00:00', 'annual',       7,    1,    4,    NULL),
  ('S6', 'm2', '2025-01-10 14:00:00', 'post_call',    0,    2,    6,    'Still no card');

-- For member_journey: m1's fill, enrollment, claim and case.
INSERT INTO costmodel.pharmacy_fills (rx_id, member_id, filled_at, drug_name, copay_amount, days_supply, pharmacy_type, denied, denied_reason)
VALUES ('RX1', 'm1', '2025-01-16 15:00:00', 'Atorvastatin 20 mg', 0.00, 30, 'retail', true, 'prior_auth_required');
INSERT INTO costmodel.enrollments (enrollment_id, member_id, enrolled_at, plan_type, premium_amount, change_type)
VALUES ('E1', 'm1', '2020-01-15 05:00:00', 'PPO', 120.00, 'new');
INSERT INTO costmodel.claims (claim_id, member_id, payer, procedure_code, service_date, claim_type, claim_amount, paid_amount, status, denial_reason)
VALUES ('CLM1', 'm1', 'Blue Harbor Health Plan', '99214', '2025-01-17', 'medical', 250.00, 0.00, 'denied', 'not_covered');
INSERT INTO costmodel.advocates (advocate_id, name, capacity) VALUES ('A1', 'Ada', 10);
INSERT INTO costmodel.cases (case_id, member_id, case_type, urgency, status, opened_at, resolved_at, advocate_id, intake_source)
VALUES ('K1', 'm1', 'claim_denial', 'high', 'resolved', '2025-01-22 08:00:00', '2025-01-23 10:30:00', 'A1', 'phone');
INSERT INTO costmodel.case_feedback (case_id, submitted_at, csat) VALUES ('K1', '2025-01-24 09:00:00', 4);

CALL costmodel.refresh_marts();
SELECT mart_name, status, error FROM costmodel.refresh_log
 WHERE mart_name IN (SELECT mart_name FROM costmodel.mart WHERE area = 'experience') ORDER BY refresh_log_id;

-- The marts are registered in refresh order; top_opportunities reads two of them.
SELECT mart_name, refresh_order, view_name, key_columns FROM costmodel.mart WHERE area = 'experience' ORDER BY refresh_order;

-- --------------------------------------------------------- experience_daily
-- day    calls rep  neg  handle total/avg   cost   avg     digital succ  surveys nps(resp,pro,det)  csat(resp,sat,avg)
-- 01-04  0     0    0    0 / -              0.00   -       3 (D07,D12,D13) 1      0 -
-- 01-05  3     0    0    18.67 / 6.22       51.50  17.17   2 (D10,D14) 0  S2: 1 (0,0,1) -100      1,0,3
--   (C4 15.50 + C6 17.50 + C9 18.50; 18.67 / 3 = 6.2233)
-- 01-06  2     1(C7) 1(C7) 3.33 / 1.67      27.50  13.75   1 (D11) 0      S3,S4: 2 (1,1,0) 100    1,1,4
-- 01-10  1     1(C5) 0    20.00 / 20.00     27.50  27.50   1 (D08) 0      S6: 1 (1,0,1) -100      1,0,2
-- 01-11  0     0    0    0 / -              0.00   -       1 (D09) 1      0
-- 01-13  0                                                 1 (D01) 0
-- 01-14  1     0    1(C1) 10.00 / 10.00     20.00  20.00   0              S1: 1 (1,1,0) 100       1,1,5
-- 01-20  0                                                 1 (D02) 0
-- 01-21  1     1(C2) 1(C2) 30.00 / 30.00    35.00  35.00   1 (D03) 0
-- 01-27  0                                                 1 (D04) 1
-- 01-28  1     0(C3) 1(C3) 0 / -            12.50  12.50   2 (D05,D06) 0
-- 01-30  0                                  0.00   -       0              S5: 1 (1,0,0) 0         1,0,1
-- ISO weeks start 2024-12-30 (01-04, 01-05), 01-06, 01-13, 01-20, 01-27.
SELECT day_date, week_start_date AS week, month_start_date AS month, fiscal_year AS fy, fiscal_quarter AS fq,
       calls, repeat_calls AS rep, round(repeat_call_pct::numeric, 2) AS rep_pct,
       negative_calls AS neg, round(negative_pct::numeric, 2) AS neg_pct,
       total_handle_minutes AS handle, avg_handle_minutes AS avg_handle,
       estimated_call_cost AS cost, avg_call_cost AS avg_cost
  FROM costmodel_mart.experience_daily ORDER BY day_date;
SELECT day_date, digital_interactions AS digital, digital_successes AS succ,
       round(digital_success_rate::numeric, 4) AS succ_rate,
       survey_responses AS surveys, nps_responses AS nps_n, nps_promoters AS pro, nps_detractors AS det,
       round(nps::numeric, 2) AS nps, csat_responses AS csat_n, csat_satisfied AS sat,
       round(csat_pct::numeric, 2) AS csat_pct, round(avg_csat_score::numeric, 4) AS avg_csat
  FROM costmodel_mart.experience_daily ORDER BY day_date;

-- ----------------------------------------------------- digital_call_leakage
-- plan type and segment at the failure; avoidable calls and their cost from
-- the attribution above.
--  type          reason                plan     segment       fail aband leaked rate  avoid cost
--  bill_pay      payment_declined      PPO      High Value    1    0     1      1     1     20.00 (C1)
--  bill_pay      unknown               unknown  unknown       1    0     1      1     1     12.50 (C8)
--  claims_check  page_error            PPO      High Value    1    0     1      1     1     12.50 (C3)
--  claims_check  system_error          PPO      High Value    1    0     1      1     0      0.00
--  id_card       card_not_available    HMO      Medium Value  1    0     1      1     1     27.50 (C5)
--  id_card       card_not_available    HMO      New           1    0     1      1     1     15.50 (C4)
--  login         mfa_timeout           EPO      Low Value     1    1     0      0     0      0.00
--  login         session_timeout       PPO      High Value    1    0     0      0     0      0.00
--  login         unknown               PPO      High Value    1    1     0      0     0      0.00
--  rx_refill     pharmacy_unavailable  MAPD     At Risk       1    0     1      1     2     32.50 (C6 + C7)
--  rx_refill     refill_too_soon       MAPD     At Risk       1    0     1      1     0      0.00
SELECT interaction_type, failure_reason, plan_type, segment, failures, abandoned_failures AS aband,
       leaked_failures AS leaked, leakage_rate AS rate, avoidable_calls AS avoid, avoidable_call_cost AS cost
  FROM costmodel_mart.digital_call_leakage ORDER BY 1, 2, 3, 4;
-- Independent check with the C aggregate: 11 failures, 8 leaked; 9 calls,
-- 7 leaked calls = the sum of avoidable_calls.
SELECT (s).failures, (s).leaked_failures, (s).calls, (s).leaked_calls,
       (SELECT sum(failures) FROM costmodel_mart.digital_call_leakage) AS mart_failures,
       (SELECT sum(leaked_failures) FROM costmodel_mart.digital_call_leakage) AS mart_leaked,
       (SELECT sum(avoidable_calls) FROM costmodel_mart.digital_call_leakage) AS mart_avoidable
  FROM (SELECT costmodel.leakage_stats(member_id, at, is_call, is_failure, '24 hours') AS s
          FROM (SELECT member_id, called_at AS at, true AS is_call, false AS is_failure FROM costmodel.calls
                UNION ALL
                SELECT member_id, interacted_at, false, outcome <> 'success' FROM costmodel.digital_interactions) e) x;

-- ------------------------------------------------------------- repeat_calls
--  topic     plan     segment       calls rep rate  handle avg    high neg neg%  trf trf%  unres cost   rep_cost leaked_rep cost
--  Billing   EPO      Low Value     1     0   0     8.00   8.00   0    0   0     0   0     0     18.50   0.00    0  0.00
--  Billing   PPO      High Value    2     1   0.5   40.00  20.00  1    2   100   1   50    1     55.00  35.00    0  0.00
--  Billing   unknown  unknown       1     0   0     0.00   0.00   0    0   0     0   0     0     12.50   0.00    0  0.00
--  Claims    PPO      High Value    1     0   0     0      -      0    1   100   0   0     0     12.50   0.00    0  0.00
--  ID Card   HMO      Medium Value  1     1   1     20.00  20.00  0    0   0     1   100   1     27.50  27.50    1 27.50 (C5 leaked)
--  ID Card   HMO      New           1     0   0     4.00   4.00   0    0   0     0   0     0     15.50   0.00    0  0.00
--  Pharmacy  MAPD     At Risk       2     1   0.5   10.00  5.00   0    1   50    1   50    1     32.50  15.00    1 15.00 (C7 leaked)
-- (C5 is a repeat of C4 although m2's segment changed in between: the flag
-- looks at the member's calls, the breakdown is taken at the call.)
SELECT call_topic, plan_type, segment, calls, repeat_calls AS rep, repeat_rate AS rate,
       total_handle_minutes AS handle, avg_handle_minutes AS avg_handle, high_handle_calls AS high,
       negative_calls AS neg, round(negative_pct::numeric, 2) AS neg_pct,
       transferred_calls AS trf, round(transfer_pct::numeric, 2) AS trf_pct, unresolved_calls AS unres,
       estimated_call_cost AS cost, repeat_call_cost AS rep_cost,
       leaked_repeat_calls AS leaked_rep, leaked_repeat_call_cost AS leaked_rep_cost
  FROM costmodel_mart.repeat_calls ORDER BY 1, 2, 3;
-- Independent check with the C aggregate over all calls: 9 calls, 3 repeats.
SELECT (costmodel.repeat_call_stats(member_id, called_at, '7 days')).*,
       (SELECT sum(repeat_calls) FROM costmodel_mart.repeat_calls) AS mart_repeats,
       (SELECT sum(repeat_calls) FROM costmodel_mart.experience_daily) AS daily_repeats
  FROM costmodel.calls;

-- ------------------------------------------------------- segment_experience
-- Tenure at the event's UTC day: m1 59 months up to 2025-01-14 (24-59), 60
-- from 2025-01-15 (60+); m2 1 month (0-5); m5 before joining 0 (0-5); m3 and
-- m4 unknown.  Segment at the event (m2: New before 2025-01-10 12:00, then
-- Medium Value).
--  segment       bucket        members calls neg neg%  avg_sent rep rate  dig fail frate leak lrate surv eff_n avg_eff nps_n nps   csat_n avg_csat
--  At Risk       unknown       1 (m3)  2     1   50    -1.0     1   0.5   2   2    1     2    1     1    0     -       0     -     1      4
--  High Value    24-59 months  1 (m1)  1     1   100   -0.6     0   0     1   1    1     1    1     1    1     2       1     100   1      5
--  High Value    60+ months    1 (m1)  2     2   100   -0.5     1   0.5   5   4    0.8   2    0.5   0    0     -       0     -     0      -
--  Low Value     0-5 months    1 (m5)  1     0   0     0.3      0   0     2   1    0.5   0    0     1    1     4       1     0     1      1
--  Medium Value  0-5 months    1 (m2)  1     0   0     -0.49    1   1     2   1    0.5   1    1     1    1     6       1     -100  1      2
--  New           0-5 months    1 (m2)  1     0   0     0.8      0   0     1   1    1     1    1     1    1     5       1     -100  1      3
--  unknown       unknown       1 (m4)  1     0   0     0.1      0   0     1   1    1     1    1     1    1     7       1     100   0      -
SELECT segment, tenure_bucket, tenure_bucket_order AS ord, tenure_min_months AS min_m, tenure_max_months AS max_m,
       members, calls, negative_calls AS neg, round(negative_pct::numeric, 2) AS neg_pct,
       round(avg_sentiment_score::numeric, 4) AS avg_sent, repeat_calls AS rep, repeat_rate AS rate
  FROM costmodel_mart.segment_experience ORDER BY segment, ord;
SELECT segment, tenure_bucket, digital_interactions AS dig, digital_failures AS fail,
       round(digital_failure_rate::numeric, 4) AS frate, leaked_failures AS leak, round(leakage_rate::numeric, 4) AS lrate,
       survey_responses AS surv, effort_responses AS eff_n, round(avg_effort_score::numeric, 4) AS avg_eff,
       nps_responses AS nps_n, round(nps::numeric, 2) AS nps, csat_responses AS csat_n,
       round(avg_csat_score::numeric, 4) AS avg_csat
  FROM costmodel_mart.segment_experience ORDER BY segment, tenure_bucket_order;

-- -------------------------------------------------------- top_opportunities
-- Journeys (from digital_call_leakage): bill_pay 2 failures, 2 avoidable,
-- 32.50; claims_check 2, 1, 12.50; id_card 2, 2, 43.00; login 3, 0, 0.00;
-- rx_refill 2, 2, 32.50.
-- Topics (repeat calls not leaked): Billing 4 calls, 1 (C2), 35.00;
-- Claims 1, 0; ID Card 2, 0 (C5 leaked); Pharmacy 2, 0 (C7 leaked).
-- 8 avoidable calls in all.  Levers: all calls 3/9 = 33.3% unresolved (C1,
-- C5, C7) and 3/9 = 33.3% transferred (C1, C5, C7).  Billing 1/4 = 25.0%
-- both -> member communication; Claims 0/1 -> member communication; ID Card
-- and Pharmacy 1/2 = 50.0% -> agent training.
-- Rank by savings, then avoidable calls, then type, then name:
--  1 id_card 43.00 (2, 21.50 each, share 2/8 = 0.25, rate 2/2 = 1)
--  2 Billing 35.00 (1, 35.00, 0.125, 1/4 = 0.25)
--  3 bill_pay 32.50 (2, 16.25, 0.25, 1) and 4 rx_refill 32.50 (same; bill_pay < rx_refill)
--  5 claims_check 12.50 (1, 12.50, 0.125, 0.5)
--  6 Claims, 7 ID Card, 8 Pharmacy (call_topic < digital_journey), 9 login: 0.00
SELECT opportunity_rank AS rank, opportunity_type, opportunity, recommended_lever, avoidable_calls AS avoid,
       estimated_savings AS savings, savings_per_avoidable_call AS per_call,
       share_of_avoidable_calls AS share, base_volume AS base, avoidable_rate AS rate
  FROM costmodel_mart.top_opportunities ORDER BY opportunity_rank;
SELECT opportunity, lever_reason FROM costmodel_mart.top_opportunities ORDER BY opportunity_rank;

-- ----------------------------------------------------------- member_journey
-- m1's timeline in time order; repeat and leak flags as worked out above.
SELECT event_seq AS seq, event_at, event_kind, event_id, channel, category, outcome, reason, amount,
       duration_minutes AS minutes, sentiment_score AS sent, nps_score AS nps, csat_score AS csat,
       effort_score AS effort, is_repeat_call AS rep, leaked_to_call AS leaked, detail
  FROM costmodel_member.member_journey WHERE member_id = 'm1' ORDER BY event_seq;
-- m3's calls and failures (D10/D14 tie at 23:00); m4 (no member row) is there too.
SELECT member_id, event_seq AS seq, event_at, event_kind, event_id, is_repeat_call AS rep, leaked_to_call AS leaked
  FROM costmodel_member.member_journey WHERE member_id IN ('m3', 'm4') ORDER BY member_id, event_seq;
-- A member with no events: no rows.
SELECT count(*) FROM costmodel_member.member_journey WHERE member_id = 'nobody';

-- The view follows the mart rules although mart_publish does not check it:
-- a comment on it and on every column, snake_case names, BI-safe types,
-- dates in _date and timestamptz in _at only.  Expect no rows.
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type,
       col_description(a.attrelid, a.attnum) IS NULL AS no_comment
  FROM pg_attribute a
 WHERE a.attrelid = 'costmodel_member.member_journey'::regclass AND a.attnum > 0 AND NOT a.attisdropped
   AND (col_description(a.attrelid, a.attnum) IS NULL
        OR a.attname !~ '^[a-z][a-z0-9_]*$'
        OR NOT costmodel.mart_type_ok(a.atttypid::regtype)
        OR (a.atttypid = 'date'::regtype) <> (a.attname ~ '_date$')
        OR (a.atttypid = 'timestamptz'::regtype) <> (a.attname ~ '_at$'));
SELECT obj_description('costmodel_member.member_journey'::regclass, 'pg_class') IS NOT NULL AS view_has_comment,
       (SELECT count(*) FROM pg_attribute a
         WHERE a.attrelid = 'costmodel_member.member_journey'::regclass AND a.attnum > 0) AS columns;
-- The same rules hold for the published experience views (mart_publish checked them).
SELECT m.view_name, count(*) AS columns,
       count(*) FILTER (WHERE col_description(a.attrelid, a.attnum) IS NULL
                           OR NOT costmodel.mart_type_ok(a.atttypid::regtype)) AS bad
  FROM costmodel.mart m JOIN pg_attribute a ON a.attrelid = m.view_name::regclass AND a.attnum > 0
 WHERE m.area = 'experience' GROUP BY m.view_name, m.refresh_order ORDER BY m.refresh_order;

-- Access: member_journey needs its own grant; BI access does not include it,
-- and member access reads the view but not the tables under it.
CREATE ROLE cm_exp_bi;
CREATE ROLE cm_exp_member;
SELECT costmodel.grant_bi_access('cm_exp_bi');
SELECT costmodel.grant_member_access('cm_exp_member');
SET ROLE cm_exp_bi;
SELECT count(*) FROM costmodel_mart.top_opportunities;
SELECT count(*) FROM costmodel_member.member_journey WHERE member_id = 'm1';   -- denied
RESET ROLE;
SET ROLE cm_exp_member;
SELECT count(*) AS events, count(amount) AS amounts, count(is_repeat_call) AS repeat_flags,
       count(leaked_to_call) AS leak_flags
  FROM costmodel_member.member_journey WHERE member_id = 'm1';
SELECT count(*) FROM costmodel.calls;                                          -- denied
SELECT count(*) FROM costmodel_mart.top_opportunities;                         -- denied
RESET ROLE;
SELECT costmodel.revoke_member_access('cm_exp_member');
SELECT costmodel.revoke_bi_access('cm_exp_bi');
DROP ROLE cm_exp_bi;
DROP ROLE cm_exp_member;

-- ------------------------------------------------------- settings changed
-- repeat_call_window 8 days: C3 (7 days + 1 us after C2) becomes a repeat.
-- leakage_window 25 hours: D02 (24 h + 1 s before C2) leaks, and C2 becomes
--   a leaked call attributed to D02 (login, unknown reason; D03 at the same
--   instant is not before C2).  D13 (28 h) still does not.
-- cost_per_call 10.00, cost_per_minute 1.00: cost = 10.00 + handle:
--   C1 20.00, C2 40.00, C3 10.00, C4 14.00, C5 30.00, C6 16.67, C7 13.33,
--   C8 10.00, C9 18.00.
-- negative_sentiment_threshold -0.6: C2 (-0.50) is no longer negative; C1
--   (-0.60) still is, C3 by its label, C7 (-1.00).
-- tenure buckets 2 / 60 / 61: "0-1 months", "2-59 months", "60 months",
--   "61+ months": m1 59 -> 2-59, 60 -> "60 months"; m2 1 and m5 0 -> 0-1.
-- fiscal_year_start_month 10: January 2025 is FY 2025 Q2.
UPDATE costmodel.settings SET value = '8 days' WHERE name = 'repeat_call_window';
UPDATE costmodel.settings SET value = '25 hours' WHERE name = 'leakage_window';
UPDATE costmodel.settings SET value = '10.00' WHERE name = 'cost_per_call';
UPDATE costmodel.settings SET value = '1.00' WHERE name = 'cost_per_minute';
UPDATE costmodel.settings SET value = '-0.6' WHERE name = 'negative_sentiment_threshold';
UPDATE costmodel.settings SET value = '2' WHERE name = 'tenure_bucket_1_months';
UPDATE costmodel.settings SET value = '61' WHERE name = 'tenure_bucket_3_months';
UPDATE costmodel.settings SET value = '60' WHERE name = 'tenure_bucket_2_months';
UPDATE costmodel.settings SET value = '10' WHERE name = 'fiscal_year_start_month';
CALL costmodel.refresh_marts();

-- experience_daily: 01-05 cost 14.00 + 16.67 + 18.00 = 48.67 (avg 16.22);
-- 01-06 13.33 + 10.00 = 23.33 (11.67, round half away: 11.665); 01-10 30.00;
-- 01-14 20.00; 01-21 40.00, C2 no longer negative (0%); 01-28 C3 now a
-- repeat (100%), cost 10.00.  Repeats in all: C2, C3, C5, C7 = 4.
SELECT day_date, fiscal_year AS fy, fiscal_quarter AS fq, calls, repeat_calls AS rep,
       round(repeat_call_pct::numeric, 2) AS rep_pct, negative_calls AS neg,
       estimated_call_cost AS cost, avg_call_cost AS avg_cost
  FROM costmodel_mart.experience_daily WHERE calls > 0 ORDER BY day_date;
-- digital_call_leakage: login / unknown / PPO / High Value now 1 leaked
-- failure (rate 1) and 1 avoidable call, C2 at 40.00; the other costs at
-- the new prices: C1 20.00, C8 10.00, C3 10.00, C5 30.00, C4 14.00,
-- C6 + C7 = 30.00.
SELECT interaction_type, failure_reason, plan_type, segment, failures, leaked_failures AS leaked,
       leakage_rate AS rate, avoidable_calls AS avoid, avoidable_call_cost AS cost
  FROM costmodel_mart.digital_call_leakage ORDER BY 1, 2, 3, 4;
-- repeat_calls: Claims: C3 now a repeat, and leaked (D05, D06), so
-- leaked_repeat 1 at 10.00; Billing PPO: C2 a repeat and now leaked too (1,
-- 40.00), negative 1 (C1 only), cost 20.00 + 40.00; Pharmacy repeat C7 at
-- 13.33; ID Card Medium Value C5 at 30.00.
SELECT call_topic, plan_type, segment, calls, repeat_calls AS rep, negative_calls AS neg,
       estimated_call_cost AS cost, repeat_call_cost AS rep_cost,
       leaked_repeat_calls AS leaked_rep, leaked_repeat_call_cost AS leaked_rep_cost
  FROM costmodel_mart.repeat_calls ORDER BY 1, 2, 3;
-- top_opportunities: every repeat call is now also a leaked call, so the
-- topics have no avoidable calls left.  Journeys: id_card 14.00 + 30.00 =
-- 44.00 (2); login 40.00 (1, C2); bill_pay 20.00 + 10.00 = 30.00 (2);
-- rx_refill 16.67 + 13.33 = 30.00 (2); claims_check 10.00 (1); 8 in all.
SELECT opportunity_rank AS rank, opportunity_type, opportunity, recommended_lever, avoidable_calls AS avoid,
       estimated_savings AS savings, share_of_avoidable_calls AS share
  FROM costmodel_mart.top_opportunities ORDER BY opportunity_rank;
-- segment_experience with the new buckets: High Value 2-59 months (C1, D01,
-- S1) and "60 months" (C2, C3, D02-D06): negative now 1 of 2 (C3 only; C2
-- is -0.50), repeats 2 (C2, C3), leaked failures D02, D05, D06 = 3 of 4.
SELECT segment, tenure_bucket, tenure_bucket_order AS ord, tenure_min_months AS min_m, tenure_max_months AS max_m,
       members, calls, negative_calls AS neg, repeat_calls AS rep, digital_failures AS fail, leaked_failures AS leak
  FROM costmodel_mart.segment_experience ORDER BY segment, ord;

-- Tenure edges that do not ascend make segment_experience fail (logged with
-- the error); the other marts still refresh.
UPDATE costmodel.settings SET value = '70' WHERE name = 'tenure_bucket_2_months';
CALL costmodel.refresh_marts(ARRAY['segment_experience', 'repeat_calls']);
SELECT mart_name, status, error, error_sqlstate FROM costmodel.refresh_log
 WHERE run_id = (SELECT max(run_id) FROM costmodel.refresh_log) ORDER BY refresh_log_id;
SELECT * FROM costmodel.tenure_buckets();

-- Back to the defaults: the marts give the first results again.
SELECT costmodel.reset_setting(name) FROM costmodel.settings
 WHERE value IS DISTINCT FROM default_value ORDER BY name;
CALL costmodel.refresh_marts();
SELECT sum(calls) AS calls, sum(repeat_calls) AS rep, sum(negative_calls) AS neg, sum(estimated_call_cost) AS cost
  FROM costmodel_mart.experience_daily;
SELECT opportunity_rank, opportunity, estimated_savings FROM costmodel_mart.top_opportunities
 WHERE opportunity_rank <= 5 ORDER BY opportunity_rank;

-- --------------------------------------------------------------- empty data
-- With no facts every mart is empty (no row of zeros, no error).
TRUNCATE costmodel.calls, costmodel.digital_interactions, costmodel.surveys;
CALL costmodel.refresh_marts();
SELECT (SELECT count(*) FROM costmodel_mart.experience_daily) AS daily,
       (SELECT count(*) FROM costmodel_mart.digital_call_leakage) AS leakage,
       (SELECT count(*) FROM costmodel_mart.repeat_calls) AS repeats,
       (SELECT count(*) FROM costmodel_mart.segment_experience) AS segments,
       (SELECT count(*) FROM costmodel_mart.top_opportunities) AS opportunities;
