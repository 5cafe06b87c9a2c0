--
-- marts_claims: the claims marts (claims_monthly, payer_performance,
-- ar_aging, load_report) on a hand-made fixture whose every figure is worked
-- out by hand in the comments below: every status group, NULL payer,
-- provider, location, amount and service date, an empty-string payer,
-- denial-reason ties, an adjudication time given with a +05 offset, the AR
-- bucket edges at 30/31/60/61/90/91 days and a future service date, payers
-- with nothing outstanding; the processing log of CSV and trace loads; then
-- the fiscal year moved by the settings.
--
-- Everything runs in one transaction, so now() (as_of_at) is the same
-- instant as the fixture's D = the UTC day of now(), and is rolled back at
-- the end.  The marts are refreshed under a session time zone of +05:30 to
-- show that their days are UTC days.
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
CALL costmodel.refresh_marts(ARRAY['claims_monthly', 'payer_performance', 'ar_aging', 'load_report']);
SELECT (SELECT count(*) FROM costmodel_mart.claims_monthly) AS claims_monthly,
       (SELECT count(*) FROM costmodel_mart.payer_performance) AS payer_performance,
       (SELECT count(*) FROM costmodel_mart.ar_aging) AS ar_aging,
       (SELECT count(*) FROM costmodel_mart.load_report) AS load_report;

-- ------------------------------------------------------------ the fixture
-- Claims with fixed dates (payers Acme Health = PA, Beta Care = PB):
--   id   payer provider loc          status          service     billed   paid    adjudicated (UTC day)  reason
--   M1   PA    PR1      Springfield  paid            2025-01-05  100.00   80.00   2025-01-15 (10 days)
--   M2   PA    PR1      Springfield  paid            2025-01-20  250.50  200.25   2025-01-26 02:00+05 = 01-25 (5)
--   M3   PA    PR1      Springfield  denied          2025-01-31   40.00    0.00   2025-02-03 (3)        Prior authorization required
--   M4   PA    PR1      Springfield  partially_paid  2025-01-10  300.00   90.00   2025-01-30 (20)
--   M5   PA    PR1      Springfield  approved        2025-01-11   60.00   NULL    2025-01-12 (1)        (outstanding, > 90 days)
--   M6   PA    PR2      Shelbyville  denied          2025-01-15   75.00    0.00   2025-01-16 (1)        Prior authorization required
--   M7   PA    PR2      Shelbyville  rejected        2025-01-15   25.00    0.00   2025-01-17 (2)        Missing information
--   M8   PA    PR2      Shelbyville  denied          2025-01-16   30.00    0.00   2025-01-18 (2)        Duplicate claim
--   M9   PA    PR2      Shelbyville  denied          2025-01-16   35.00    0.00   2025-01-19 (3)        NULL
--   M10  PA    PR2      Shelbyville  denied          2025-01-17   45.00    0.00   2025-01-19 (2)        ' Missing information ' (trimmed)
--   M11  PA    PR1      Springfield  voided          2025-02-01   99.99    0.00   2025-02-02
--   M12  PA    PR1      Springfield  pending         2025-02-10   10.00   NULL    -                     (outstanding, > 90 days)
--   M13  PB    PR3      Portland     paid            2025-02-14  500.00  400.00   2025-03-01 (15)
--   M14  PB    NULL     NULL         adjusted        2025-02-20  123.45  100.00   2025-02-28 (8)
--   M16  PB    PR3      Portland     paid            2025-02-14    NULL   10.00   2025-02-16 (2)        (billed unreadable)
--   M17  ''    PR1      Springfield  paid            2025-01-20   20.00   20.00   2025-01-20 (0)        (payer '' -> unknown)
-- Claims relative to D (payer Zeta Health = PZ; payer Yara Mutual = PY):
--   K1 submitted D-30 100.00 | K2 pending D-31 200.00 | K3 approved D-60 300.00
--   K4 submitted D-61 400.00 | K5 pending D-90 500.00 | K6 approved D-91 600.00
--   K7 submitted D+2 70.00 (future) | K8 pending, no service date, 80.00
--   K9 submitted D-10, billed unknown | K10 paid D-40 1000.00 (not outstanding)
--   Y1 PY paid D-5 50.00 (PY has nothing outstanding)
INSERT INTO costmodel.claims (claim_id, member_id, provider_id, payer, service_date, claim_amount, paid_amount,
                              status, denial_reason, adjudicated_at, location) VALUES
  ('M1', 'm', 'PR1', 'Acme Health', '2025-01-05', 100.00, 80.00, 'paid', NULL, '2025-01-15 10:00+00', 'Springfield, IL'),
  ('M2', 'm', 'PR1', 'Acme Health', '2025-01-20', 250.50, 200.25, 'paid', NULL, '2025-01-26 02:00+05', 'Springfield, IL'),
  ('M3', 'm', 'PR1', 'Acme Health', '2025-01-31', 40.00, 0, 'denied', 'Prior authorization required', '2025-02-03 09:00+00', 'Springfield, IL'),
  ('M4', 'm', 'PR1', 'Acme Health', '2025-01-10', 300.00, 90.00, 'partially_paid', NULL, '2025-01-30 23:59:59+00', 'Springfield, IL'),
  ('M5', 'm', 'PR1', 'Acme Health', '2025-01-11', 60.00, NULL, 'approved', NULL, '2025-01-12 00:00+00', 'Springfield, IL'),
  ('M6', 'm', 'PR2', 'Acme Health', '2025-01-15', 75.00, 0, 'denied', 'Prior authorization required', '2025-01-16 12:00+00', 'Shelbyville, IL'),
  ('M7', 'm', 'PR2', 'Acme Health', '2025-01-15', 25.00, 0, 'rejected', 'Missing information', '2025-01-17 12:00+00', 'Shelbyville, IL'),
  ('M8', 'm', 'PR2', 'Acme Health', '2025-01-16', 30.00, 0, 'denied', 'Duplicate claim', '2025-01-18 12:00+00', 'Shelbyville, IL'),
  ('M9', 'm', 'PR2', 'Acme Health', '2025-01-16', 35.00, 0, 'denied', NULL, '2025-01-19 12:00+00', 'Shelbyville, IL'),
  ('M10', 'm', 'PR2', 'Acme Health', '2025-01-17', 45.00, 0, 'denied', ' Missing information ', '2025-01-19 12:00+00', 'Shelbyville, IL'),
  ('M11', 'm', 'PR1', 'Acme Health', '2025-02-01', 99.99, 0, 'voided', NULL, '2025-02-02 12:00+00', 'Springfield, IL'),
  ('M12', 'm', 'PR1', 'Acme Health', '2025-02-10', 10.00, NULL, 'pending', NULL, NULL, 'Springfield, IL'),
  ('M13', 'm', 'PR3', 'Beta Care', '2025-02-14', 500.00, 400.00, 'paid', NULL, '2025-03-01 08:00+00', 'Portland, OR'),
  ('M14', 'm', NULL, 'Beta Care', '2025-02-20', 123.45, 100.00, 'adjusted', NULL, '2025-02-28 08:00+00', NULL),
  ('M16', 'm', 'PR3', 'Beta Care', '2025-02-14', NULL, 10.00, 'paid', NULL, '2025-02-16 08:00+00', 'Portland, OR'),
  ('M17', 'm', 'PR1', '', '2025-01-20', 20.00, 20.00, 'paid', NULL, '2025-01-20 18:00+00', 'Springfield, IL');
INSERT INTO costmodel.claims (claim_id, member_id, payer, service_date, claim_amount, paid_amount, status, adjudicated_at)
SELECT k.id, 'm', k.payer, (now() AT TIME ZONE 'UTC')::date + k.offs, k.billed, k.paid, k.status,
       CASE WHEN k.status = 'paid' THEN now() END
  FROM (VALUES ('K1', 'Zeta Health', -30, 100.00, NULL::numeric, 'submitted'),
               ('K2', 'Zeta Health', -31, 200.00, NULL, 'pending'),
               ('K3', 'Zeta Health', -60, 300.00, NULL, 'approved'),
               ('K4', 'Zeta Health', -61, 400.00, NULL, 'submitted'),
               ('K5', 'Zeta Health', -90, 500.00, NULL, 'pending'),
               ('K6', 'Zeta Health', -91, 600.00, NULL, 'approved'),
               ('K7', 'Zeta Health', 2, 70.00, NULL, 'submitted'),
               ('K8', 'Zeta Health', NULL, 80.00, NULL, 'pending'),
               ('K9', 'Zeta Health', -10, NULL, NULL, 'submitted'),
               ('K10', 'Zeta Health', -40, 1000.00, 800.00, 'paid'),
               ('Y1', 'Yara Mutual', -5, 50.00, 50.00, 'paid')) AS k(id, payer, offs, billed, paid, status);

-- The processing log: CSV loads 1 (claims, with rejects, 2 s), 2 (running,
-- nothing read yet) and 3 (a rejected file); trace loads imp-done (finished,
-- two runs over two byte ranges, 4 s) and imp-gone (running, but no loader
-- holds its lock: interrupted).
INSERT INTO costmodel.load_log (load_id, source, file_name, file_sha256, bytes, map_file, delimiter, encoding,
                                started_at, finished_at, status, rows_read, rows_loaded, rows_updated,
                                rows_duplicate, rows_rejected, duplicate_keys_in_file, columns_ignored, message) VALUES
  (1, 'claims', '/data/billing_alpha.csv', repeat('a', 64), 1000, '/maps/alpha.map', ',', 'utf8',
   now() - interval '3 hours', now() - interval '3 hours' + interval '2 seconds', 'loaded_with_rejects',
   10, 7, 1, 1, 1, 1, '{Extra,Note}', NULL),
  (2, 'calls', 'stdin', NULL, NULL, NULL, NULL, NULL, now() - interval '1 minute', NULL, 'running',
   0, 0, 0, 0, 0, 0, '{}', NULL),
  (3, 'members', '/data/members.csv', repeat('b', 64), 12, NULL, NULL, 'utf8', now() - interval '2 hours',
   now() - interval '2 hours', 'rejected', 0, 0, 0, 0, 0, 0, '{}', 'no header line');
INSERT INTO costmodel.load_log_column (load_id, column_name, position, filled_from, nulls, unreadable, normalised) VALUES
  (1, 'claim_amount', 9, 'Claim_amnt', 3, 2, 5),
  (1, 'service_date', 7, 'Service_Date', 1, 1, 0),
  (1, 'payer', 4, 'Payer', 0, 0, 0);
INSERT INTO costmodel.load_ledger (import_id, source, input_bytes, content_sha256, status, owner, runs, ranges,
                                   started_at, updated_at, finished_at, seconds) VALUES
  ('imp-done', '/data/traces.ndjson', 5000, repeat('c', 64), 'finished', 'o1', 2, 2,
   now() - interval '5 hours', now() - interval '4 hours', now() - interval '4 hours', 4.0),
  ('imp-gone', 'stdin', NULL, NULL, 'running', 'o2', 1, 1, now() - interval '30 minutes',
   now() - interval '30 minutes', NULL, 0);
INSERT INTO costmodel.load_ledger_range (import_id, range_no, start_offset, end_offset, start_line, committed_offset,
                                         committed_lines, owner, batches, lines_read, loaded, duplicates, rejected,
                                         rows_written) VALUES
  ('imp-done', 0, 0, 3000, 0, 3000, 60, 'o1', 2, 60, 55, 4, 1, 500),
  ('imp-done', 1, 3000, 5000, 60, 5000, 100, 'o1', 1, 40, 35, 4, 1, 300),
  ('imp-gone', 0, 0, NULL, 0, 700, 10, 'o2', 1, 10, 10, 0, 0, 80);

SET timezone = 'Asia/Kolkata';
CALL costmodel.refresh_marts();
SET timezone = 'UTC';
SELECT mart_name, status, rows FROM costmodel.refresh_log
 WHERE run_id = (SELECT max(run_id) FROM costmodel.refresh_log) AND mart_name NOT IN
       ('case_lifecycle', 'ops_kpis', 'advocate_caseload', 'bottlenecks', 'stale_cases')
 ORDER BY refresh_log_id;

-- ------------------------------------------------------------ claims_monthly
-- The fixed-date rows (month x payer x provider x location x status):
--   2025-01 PA PR1 Springfield: approved M5 (60.00, paid 0.00), denied M3
--     (40.00), paid M1+M2 (350.50, paid 280.25), partially_paid M4 (300.00,
--     90.00); the group decided 5 = approved 4 (M1, M2, M4, M5) + denied 1
--     -> approval 0.8, denial 0.2 on each of its four rows.
--   2025-01 PA PR2 Shelbyville: denied M6+M8+M9+M10 (185.00), rejected M7
--     (25.00); decided 5, all denied -> approval 0, denial 1.
--   2025-01 unknown (payer '') PR1 Springfield: paid M17 (20.00) -> 1 / 0.
--   2025-02 PA PR1 Springfield: pending M12 (10.00), voided M11 (99.99):
--     nothing decided -> rates NULL.
--   2025-02 PB PR3 Portland: paid M13+M16 (billed 500.00, one without an
--     amount; paid 410.00) -> 1 / 0.
--   2025-02 PB unknown unknown: adjusted M14 (123.45, paid 100.00) -> 1 / 0.
-- location_city / location_state come from dim_location; provider_type is
-- unknown (no traces); fiscal year = calendar year (start month 1).
SELECT month_date, payer, provider_id, location, status, status_group, fiscal_year AS fy, fiscal_quarter AS fq,
       fiscal_period AS fp, provider_type, location_city, location_state, claims, undated_claims AS undated,
       billed_amount, claims_without_amount AS no_amount, paid_amount, decided_claims AS decided,
       approved_claims AS approved, denied_claims AS denied, approval_rate, denial_rate
  FROM costmodel_mart.claims_monthly
 WHERE month_date < '2025-06-01'
 ORDER BY month_date, payer, provider_id, location, status;
-- The relative claims sit in their service months (K8, without a service
-- date, in the month it was loaded: this month); 11 claims, 3300.00 billed
-- (K9 without an amount), 850.00 paid.
SELECT sum(claims) AS claims, sum(undated_claims) AS undated, sum(billed_amount) AS billed,
       sum(claims_without_amount) AS no_amount, sum(paid_amount) AS paid,
       bool_and(month_date = date_trunc('month', month_date)::date) AS month_starts,
       (SELECT month_date FROM costmodel_mart.claims_monthly WHERE undated_claims > 0)
         = date_trunc('month', now() AT TIME ZONE 'UTC')::date AS undated_in_load_month
  FROM costmodel_mart.claims_monthly WHERE payer IN ('Zeta Health', 'Yara Mutual');
-- the typical dashboard query: one payer's months
SELECT month_date, sum(claims) AS claims, sum(billed_amount) AS billed, sum(paid_amount) AS paid,
       round(sum(approved_claims)::numeric / nullif(sum(decided_claims), 0), 4) AS approval_rate
  FROM costmodel_mart.claims_monthly WHERE payer = 'Acme Health'
 GROUP BY month_date ORDER BY month_date;

-- ------------------------------------------------------------ payer_performance
--   PA 2025-01 (M1..M10): 10 claims of the month's 11 -> share 10/11;
--     billed 960.50, paid 370.25; decided 10 -> adjudication 1; approved 4
--     (M1, M2, M4, M5) -> 0.4; denied 6 -> 0.6; days 10, 5, 3, 20, 1, 1, 2,
--     2, 3, 2 -> avg 4.90, median (2 + 3) / 2 = 2.50, p90 10 + 0.1 x 10 =
--     11.00; reasons Missing information 2 (M7, M10 trimmed) and Prior
--     authorization required 2 tie -> alphabetical; Duplicate claim 1; M9
--     has none.
--   unknown 2025-01 (M17): share 1/11; 0 days.
--   PA 2025-02 (M11, M12): share 2/5; 1 in process, 1 voided, nothing
--     decided -> adjudication 0, approval and denial NULL.
--   PB 2025-02 (M13, M14, M16): share 3/5; billed 623.45, paid 510.00; days
--     15, 8, 2 -> avg 8.33, median 8.00, p90 8 + 0.8 x 7 = 13.60.
SELECT payer, month_date, fiscal_year AS fy, fiscal_quarter AS fq, fiscal_period AS fp, claims, undated_claims AS undated,
       round(submission_share::numeric, 6) AS share, billed_amount, paid_amount, in_process_claims AS in_proc,
       voided_claims AS voided, decided_claims AS decided, adjudication_rate AS adj_rate, approved_claims AS appr,
       approval_rate AS appr_rate, denied_claims AS den, denial_rate AS den_rate
  FROM costmodel_mart.payer_performance WHERE month_date < '2025-06-01' ORDER BY month_date, payer;
SELECT payer, month_date, timed_decisions AS timed, avg_days_to_adjudicate AS avg_d, median_days_to_adjudicate AS med_d,
       p90_days_to_adjudicate AS p90_d, top_denial_reason_1 AS r1, top_denial_reason_1_claims AS n1,
       top_denial_reason_2 AS r2, top_denial_reason_2_claims AS n2, top_denial_reason_3 AS r3,
       top_denial_reason_3_claims AS n3, denials_without_reason AS no_reason
  FROM costmodel_mart.payer_performance WHERE month_date < '2025-06-01' ORDER BY month_date, payer;
-- the shares of a month add up to 1
SELECT month_date, sum(submission_share) AS shares FROM costmodel_mart.payer_performance
 WHERE month_date < '2025-06-01' GROUP BY month_date ORDER BY month_date;

-- ------------------------------------------------------------ ar_aging
--   PZ: outstanding K1..K9 = 9 claims, 2250.00 (K9 has no amount);
--     0-30: K1 (30 days), K7 (future: -2), K9 (10) -> 3, 170.00
--     31-60: K2 (31), K3 (60) -> 2, 500.00
--     61-90: K4 (61), K5 (90) -> 2, 900.00
--     over 90: K6 (91) -> 1, 600.00;  unknown age: K8 -> 1, 80.00
--     share over 90 600 / 2250 = 0.266667; average age of the 8 dated
--     (30 + 31 + 60 + 61 + 90 + 91 - 2 + 10) / 8 = 46.375 -> 46.38; oldest 91.
--   PA: M5 (approved) and M12 (pending), both over 90 days: 2, 70.00, share 1.
--   PB, PY and unknown: nothing outstanding (rows of zeros).
SELECT payer, outstanding_claims AS n, outstanding_amount AS amount, claims_without_amount AS no_amt,
       claims_0_30_days AS n_0_30, amount_0_30_days AS a_0_30, claims_31_60_days AS n_31_60,
       amount_31_60_days AS a_31_60, claims_61_90_days AS n_61_90, amount_61_90_days AS a_61_90,
       claims_over_90_days AS n_90, amount_over_90_days AS a_90, claims_unknown_age AS n_unk,
       amount_unknown_age AS a_unk, round(share_over_90_days::numeric, 6) AS share_90
  FROM costmodel_mart.ar_aging ORDER BY payer;
-- Acme Health's claims are dated in 2025 and age with the calendar: its
-- ages are checked against today (the _ok columns), not printed.
SELECT payer, CASE payer WHEN 'Acme Health' THEN NULL ELSE avg_age_days END AS avg_age_days,
       CASE payer WHEN 'Acme Health' THEN avg_age_days = round((((now() AT TIME ZONE 'UTC')::date - date '2025-01-11')
                                                               + ((now() AT TIME ZONE 'UTC')::date - date '2025-02-10')) / 2.0, 2)
                  ELSE NULL END AS acme_avg_ok,
       CASE payer WHEN 'Acme Health' THEN NULL ELSE oldest_age_days END AS oldest_age_days,
       CASE payer WHEN 'Acme Health' THEN oldest_age_days = (now() AT TIME ZONE 'UTC')::date - date '2025-01-11'
                  ELSE NULL END AS acme_oldest_ok,
       as_of_date = (now() AT TIME ZONE 'UTC')::date AS as_of_day_ok, as_of_at = now() AS as_of_is_now
  FROM costmodel_mart.ar_aging ORDER BY payer;
-- the buckets add up to the outstanding amount
SELECT payer FROM costmodel_mart.ar_aging
 WHERE outstanding_amount <> amount_0_30_days + amount_31_60_days + amount_61_90_days + amount_over_90_days + amount_unknown_age
    OR outstanding_claims <> claims_0_30_days + claims_31_60_days + claims_61_90_days + claims_over_90_days + claims_unknown_age;

-- ------------------------------------------------------------ load_report
--   csv 1: 10 read = 7 + 1 + 1 + 1; 2.000 s; reject rate 0.1; 5 rows/s;
--     unreadable 2 + 1 = 3, normalised 5; 2 ignored headers.
--   csv 2: running: no duration, no rate (nothing read), 0 values counted.
--   csv 3: rejected file with its message.
--   traces imp-done: ranges 60 + 40 = 100 lines, 55 + 35 = 90 loaded,
--     8 duplicates, 2 rejected; 4.000 s over 2 runs -> 25 lines/s; 0.02.
--   traces imp-gone: running but no loader holds it -> interrupted; 10 read.
SELECT loader, load_key, load_id, import_id, source, file_name, file_sha256 IS NOT NULL AS has_sha, bytes, map_file,
       status, message, duration_seconds AS secs, runs, rows_read AS rd, rows_loaded AS ld, rows_updated AS upd,
       rows_duplicate AS dup, rows_rejected AS rej, reject_rate, rows_per_second AS rps, values_unreadable AS unread,
       values_normalised AS norm, columns_ignored_count AS ign_n, columns_ignored AS ign
  FROM costmodel_mart.load_report ORDER BY loader, load_key;
SELECT loader, load_key, now() - started_at AS started_ago, now() - finished_at AS finished_ago,
       started_date = (started_at AT TIME ZONE 'UTC')::date AS day_ok,
       week_start_date = date_trunc('week', started_date)::date AND month_start_date = date_trunc('month', started_date)::date
         AND fiscal_year = extract(year FROM started_date) AND fiscal_quarter = extract(quarter FROM started_date) AS roll_ups_ok,
       loaded_by IS NOT DISTINCT FROM CASE loader WHEN 'csv' THEN current_user END AS loaded_by_ok,
       as_of_at = now() AS as_of_is_now
  FROM costmodel_mart.load_report ORDER BY loader, load_key;

-- ------------------------------------------------------------ settings changed
-- A fiscal year starting in October: January is period 4 of Q2 of FY 2025,
-- February period 5.
UPDATE costmodel.settings SET value = '10' WHERE name = 'fiscal_year_start_month';
CALL costmodel.refresh_marts(ARRAY['claims_monthly', 'payer_performance']);
SELECT DISTINCT month_date, fiscal_year, fiscal_quarter, fiscal_period
  FROM costmodel_mart.claims_monthly WHERE month_date < '2025-06-01' ORDER BY month_date;
SELECT payer, month_date, fiscal_year, fiscal_quarter, fiscal_period
  FROM costmodel_mart.payer_performance WHERE month_date < '2025-06-01' ORDER BY month_date, payer;

-- ------------------------------------------------------------ the BI views
SELECT c.relname, count(*) AS columns, count(col_description(c.oid, a.attnum)) AS commented,
       obj_description(c.oid, 'pg_class') IS NOT NULL AS view_commented
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname = 'costmodel_mart'
   AND c.relname IN ('claims_monthly', 'payer_performance', 'ar_aging', 'load_report')
 GROUP BY c.relname, c.oid ORDER BY c.relname;
-- claim_facts is internal: not in the BI schema
SELECT count(*) AS bi_claim_facts FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'costmodel_mart' AND c.relname = 'claim_facts';

ROLLBACK;
