--
-- window_fixtures: repeat_call_stats, leakage_stats, sla_stats, stale_stats
-- and the window functions is_repeat_call and leaked_to_call on small
-- hand-made fixtures whose results are worked out by hand in the comments:
-- exactly at the window edge, one microsecond past it, ties, across
-- midnight and across both DST changes, one member, NULLs, empty groups, a
-- case closed exactly at the SLA, open cases against as_of.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
SET extra_float_digits = 0;
SET max_parallel_workers_per_gather = 0;
\pset null '(null)'

-- ------------------------------------------------------------ repeat calls
-- m1: 7 days exactly after the first call (a repeat: <= window), then 7 days
--     and 1 us after that (not a repeat)                       3 calls, 1 repeat
-- m2: three calls at the same instant (ties: 2nd and 3rd are repeats)
--                                                              3 calls, 2 repeats
-- m3: one call                                                 1 call,  0 repeats
-- m4: 23:59:59 and 00:00:01 the next day (across midnight)     2 calls, 1 repeat
-- NULL member or NULL time: ignored, not counted
CREATE TEMP TABLE rc (member_id text, called_at timestamptz, note text);
INSERT INTO rc VALUES
  ('m1', '2025-01-01 10:00:00', 'first'),
  ('m1', '2025-01-08 10:00:00', 'exactly 7 days later'),
  ('m1', '2025-01-15 10:00:00.000001', '7 days + 1 us later'),
  ('m2', '2025-01-03 09:00:00', 'tie'),
  ('m2', '2025-01-03 09:00:00', 'tie'),
  ('m2', '2025-01-03 09:00:00', 'tie'),
  ('m3', '2025-01-05 12:00:00', 'only call'),
  ('m4', '2025-01-31 23:59:59', 'before midnight'),
  ('m4', '2025-02-01 00:00:01', 'after midnight'),
  (NULL, '2025-01-01 10:00:01', 'no member'),
  ('m1', NULL, 'no time');

-- all members: 9 calls, 4 repeats, rate 4/9
SELECT (s).* FROM (SELECT costmodel.repeat_call_stats(member_id, called_at) AS s FROM rc) x;
-- the default window is 7 days
SELECT costmodel.repeat_call_stats(member_id, called_at) =
       costmodel.repeat_call_stats(member_id, called_at, '7 days') AS default_is_7_days
  FROM rc;
-- per member (one member per group)
SELECT member_id, (s).calls, (s).repeat_calls, (s).repeat_rate
  FROM (SELECT member_id, costmodel.repeat_call_stats(member_id, called_at) AS s
          FROM rc GROUP BY member_id) x
 ORDER BY member_id;
-- a window of 2 seconds: m2's ties (2) and m4 across midnight (1)
SELECT costmodel.repeat_call_stats(member_id, called_at, '2 seconds') FROM rc;
-- a window of 1 second: only the ties
SELECT costmodel.repeat_call_stats(member_id, called_at, '1 second') FROM rc;
-- 168 hours is 7 days: the same result
SELECT costmodel.repeat_call_stats(member_id, called_at, '168 hours') FROM rc;
-- row by row
SELECT member_id, called_at, note,
       costmodel.is_repeat_call(called_at) OVER (PARTITION BY member_id ORDER BY called_at) AS repeat
  FROM rc WHERE member_id IS NOT NULL
 ORDER BY member_id, called_at, note;

-- empty input: zero counts and a NULL rate, like count(*) over no rows
SELECT costmodel.repeat_call_stats(member_id, called_at) FROM rc WHERE false;
-- a group whose rows all have a NULL member or time: zero counts
SELECT note, costmodel.repeat_call_stats(member_id, called_at)
  FROM rc WHERE member_id IS NULL OR called_at IS NULL GROUP BY note ORDER BY note;
-- groups spread a member: each group sees only its own rows (m1 split by month)
SELECT date_trunc('month', called_at) AS month, costmodel.repeat_call_stats(member_id, called_at)
  FROM rc WHERE member_id IN ('m1', 'm4') AND called_at IS NOT NULL
 GROUP BY 1 ORDER BY 1;
-- one member with many calls a day apart: 100 calls, 99 repeats
SELECT costmodel.repeat_call_stats('solo', timestamptz '2025-01-01' + i * interval '1 day', '24 hours')
  FROM generate_series(0, 99) i;
-- ... and 24 hours + 1 us apart: no repeats
SELECT costmodel.repeat_call_stats('solo', timestamptz '2025-01-01' + i * interval '24 hours 1 microsecond', '24 hours')
  FROM generate_series(0, 99) i;

-- --------------------------------------------------------------------- DST
-- The window is elapsed time: a day is 24 hours, as in "called_at - prev <=
-- window" (PostgreSQL compares intervals with 1 day = 24 hours).  It is not
-- "called_at <= prev + window", which adds a calendar day in the session
-- time zone (23 or 25 hours across a DST change).
SET timezone = 'America/New_York';
CREATE TEMP TABLE dst (member_id text, called_at timestamptz, note text);
INSERT INTO dst VALUES
  -- spring forward (2025-03-09 02:00 EST -> 03:00 EDT): 23.5 hours elapsed
  ('spring', '2025-03-08 12:00', 'EST'),
  ('spring', '2025-03-09 12:30', 'EDT, 23.5 h later'),
  -- fall back (2025-11-02 02:00 EDT -> 01:00 EST): 24.5 hours elapsed
  ('fall', '2025-11-01 12:00', 'EDT'),
  ('fall', '2025-11-02 11:30', 'EST, 24.5 h later'),
  -- exactly 24 hours across spring forward: 12:00 EST to 13:00 EDT
  ('edge', '2025-03-08 12:00', 'EST'),
  ('edge', '2025-03-09 13:00', 'EDT, 24 h later');
SELECT member_id, note, called_at, called_at AT TIME ZONE 'UTC' AS utc,
       called_at - lag(called_at) OVER w AS elapsed,
       costmodel.is_repeat_call(called_at, '1 day') OVER w AS repeat_1_day,
       costmodel.is_repeat_call(called_at, '24 hours') OVER w AS repeat_24_hours,
       called_at <= lag(called_at) OVER w + interval '1 day' AS calendar_day_would_say
  FROM dst
WINDOW w AS (PARTITION BY member_id ORDER BY called_at)
 ORDER BY member_id, called_at;
-- spring 1 repeat, fall 0, edge 1: 6 calls, 2 repeats, whether '1 day' or '24 hours'
SELECT costmodel.repeat_call_stats(member_id, called_at, '1 day') AS one_day,
       costmodel.repeat_call_stats(member_id, called_at, '24 hours') AS twenty_four_hours
  FROM dst;
-- the session time zone does not matter
SET timezone = 'UTC';
SELECT costmodel.repeat_call_stats(member_id, called_at, '1 day') FROM dst;

-- ----------------------------------------------------------------- leakage
-- window 24 hours; a failure leaks when a call follows in (t, t + 24 h];
-- a call is leaked when a failure lies in [c - 24 h, c)
-- a: failure 10:00, call exactly 24 h later            failure leaked, call leaked
-- b: failure and call at the same instant              neither
-- c: failure, call 24 h + 1 us later                   neither
-- d: failures 09:00 and 20:00, call 09:30 next day     one failure (20:00) leaked, call leaked
-- e: call, then a failure an hour later                neither
-- f: is_failure NULL (counts as false), a success      not failures; no calls
-- g: a call flagged as a failure too                   a call only
-- NULL member, NULL time: ignored
-- totals: failures 6 (a b c d d e), leaked 2 (a d), rate 1/3; calls 6 (a b c d e g), leaked 2 (a d)
CREATE TEMP TABLE lk (member_id text, at timestamptz, is_call boolean, is_failure boolean, note text);
INSERT INTO lk VALUES
  ('a', '2025-01-01 10:00', false, true,  'failure'),
  ('a', '2025-01-02 10:00', true,  false, 'call exactly 24 h later'),
  ('b', '2025-01-01 10:00', false, true,  'failure'),
  ('b', '2025-01-01 10:00', true,  false, 'call at the same instant'),
  ('c', '2025-01-01 10:00', false, true,  'failure'),
  ('c', '2025-01-02 10:00:00.000001', true, false, 'call 24 h + 1 us later'),
  ('d', '2025-01-01 09:00', false, true,  'failure 24.5 h before the call'),
  ('d', '2025-01-01 20:00', false, true,  'failure 13.5 h before the call'),
  ('d', '2025-01-02 09:30', true,  false, 'call'),
  ('e', '2025-01-01 10:00', true,  false, 'call'),
  ('e', '2025-01-01 11:00', false, true,  'failure after the call'),
  ('f', '2025-01-01 10:00', false, NULL,  'is_failure NULL'),
  ('f', '2025-01-01 11:00', false, false, 'success'),
  ('g', '2025-01-01 10:00', true,  true,  'call flagged as failure'),
  (NULL, '2025-01-01 10:00', false, true, 'no member'),
  ('a', NULL, true, false, 'no time');
SELECT (s).* FROM (SELECT costmodel.leakage_stats(member_id, at, is_call, is_failure) AS s FROM lk) x;
SELECT costmodel.leakage_stats(member_id, at, is_call, is_failure) =
       costmodel.leakage_stats(member_id, at, is_call, is_failure, '24 hours') AS default_is_24_hours
  FROM lk;
SELECT member_id, (s).*
  FROM (SELECT member_id, costmodel.leakage_stats(member_id, at, is_call, is_failure) AS s
          FROM lk GROUP BY member_id) x
 ORDER BY member_id;
-- row by row: true/false for failures and calls, NULL for other rows
SELECT member_id, at, note,
       costmodel.leaked_to_call(at, is_call, is_failure) OVER (PARTITION BY member_id ORDER BY at) AS leaked
  FROM lk WHERE member_id IS NOT NULL
 ORDER BY member_id, at, note;
-- a window of 25 hours also catches c (24 h + 1 us) and d's 09:00 failure (24.5 h)
SELECT costmodel.leakage_stats(member_id, at, is_call, is_failure, '25 hours') FROM lk;
-- empty input
SELECT costmodel.leakage_stats(member_id, at, is_call, is_failure) FROM lk WHERE false;
-- DST: a failure at 12:00 EDT and a call at 11:30 EST the next day are 24.5 hours apart
SET timezone = 'America/New_York';
SELECT costmodel.leakage_stats(m, t, c, f, '1 day') AS one_day,
       costmodel.leakage_stats(m, t, c, f, '25 hours') AS twenty_five_hours
  FROM (VALUES ('x', timestamptz '2025-11-01 12:00', false, true),
               ('x', timestamptz '2025-11-02 11:30', true, false)) v(m, t, c, f);
SET timezone = 'UTC';

-- --------------------------------------------------------------------- SLA
-- sla 7 days, as_of 2025-02-01 00:00 UTC
-- 1 closed exactly at 7 days          not breached   168 h
-- 2 closed at 7 days + 1 s            breached       168.000278 h
-- 3 closed after 12 hours             not breached   12 h
-- 4 open since 01-20 (12 days)        breached
-- 5 open since 01-25 (exactly 7 days) not breached
-- 6 open since 02-05 (after as_of)    not breached
-- 7 opened_at NULL                    ignored
-- cases 6, open 3, breached 2, rate 1/3; hours 12, 168, 168.000278:
-- median 168, p90 at rank 1.8 = 168 + 0.8 * (1/3600) = 168.000222
CREATE TEMP TABLE cs (id int, opened_at timestamptz, closed_at timestamptz);
INSERT INTO cs VALUES
  (1, '2025-01-01 00:00', '2025-01-08 00:00'),
  (2, '2025-01-01 00:00', '2025-01-08 00:00:01'),
  (3, '2025-01-10 00:00', '2025-01-10 12:00'),
  (4, '2025-01-20 00:00', NULL),
  (5, '2025-01-25 00:00', NULL),
  (6, '2025-02-05 00:00', NULL),
  (7, NULL, '2025-01-03 00:00');
SELECT (s).cases, (s).open_cases, (s).breached, round((s).breach_rate::numeric, 6) AS breach_rate,
       round((s).median_hours_to_close::numeric, 6) AS median_hours,
       round((s).p90_hours_to_close::numeric, 6) AS p90_hours
  FROM (SELECT costmodel.sla_stats(opened_at, closed_at, '7 days', '2025-02-01 00:00') AS s FROM cs) x;
-- the same from plain SQL
SELECT count(opened_at) AS cases,
       count(opened_at) FILTER (WHERE closed_at IS NULL) AS open_cases,
       count(*) FILTER (WHERE closed_at - opened_at > interval '7 days'
                           OR (closed_at IS NULL AND timestamptz '2025-02-01' - opened_at > interval '7 days')) AS breached,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at) / 3600)
             FILTER (WHERE opened_at IS NOT NULL)::numeric, 6) AS median_hours,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at) / 3600)
             FILTER (WHERE opened_at IS NOT NULL)::numeric, 6) AS p90_hours
  FROM cs;
-- one closed case: median and p90 are its hours; no closed case: NULL
SELECT costmodel.sla_stats(opened_at, closed_at, '7 days', '2025-02-01') FROM cs WHERE id = 3;
SELECT costmodel.sla_stats(opened_at, closed_at, '7 days', '2025-02-01') FROM cs WHERE id IN (4, 5);
-- empty input
SELECT costmodel.sla_stats(opened_at, closed_at, '7 days', '2025-02-01') FROM cs WHERE false;
-- as_of defaults to now() and sla to 7 days: by now the open cases 4, 5
-- and 6 have all been open for more than 7 days, so 4 are breached
SELECT (s).cases, (s).open_cases, (s).breached
  FROM (SELECT costmodel.sla_stats(opened_at, closed_at) AS s FROM cs) x;

-- ------------------------------------------------------------------- stale
-- threshold 48 hours, as_of 2025-02-01 00:00 UTC
-- 1 open, touched exactly 48 h before      not stale
-- 2 open, touched 48 h + 1 s before        stale
-- 3 open, never touched (NULL)             not counted
-- 4 closed, touched long ago               not counted
-- 5 is_open NULL                           not counted
-- 6 open, touched the day before           not stale
-- open 3, stale 1, rate 1/3
CREATE TEMP TABLE st (id int, last_touch_at timestamptz, is_open boolean);
INSERT INTO st VALUES
  (1, '2025-01-30 00:00', true),
  (2, '2025-01-29 23:59:59', true),
  (3, NULL, true),
  (4, '2024-12-01 00:00', false),
  (5, '2024-12-01 00:00', NULL),
  (6, '2025-01-31 00:00', true);
SELECT (s).* FROM (SELECT costmodel.stale_stats(last_touch_at, is_open, '48 hours', '2025-02-01') AS s FROM st) x;
-- '2 days' is the same threshold
SELECT costmodel.stale_stats(last_touch_at, is_open, '2 days', '2025-02-01') FROM st;
-- empty input, and a group with no open case
SELECT costmodel.stale_stats(last_touch_at, is_open, '48 hours', '2025-02-01') FROM st WHERE false;
SELECT costmodel.stale_stats(last_touch_at, is_open, '48 hours', '2025-02-01') FROM st WHERE id IN (4, 5);

-- ------------------------------------------------- the two-step idiom, LATERAL
-- an aggregate returning a row: select its fields from a subquery (or with
-- LATERAL), so that the aggregate runs once per group
SELECT month, (s).calls, (s).repeat_calls
  FROM (SELECT date_trunc('month', called_at) AS month,
               costmodel.repeat_call_stats(member_id, called_at) AS s
          FROM rc WHERE called_at IS NOT NULL GROUP BY 1) x
 ORDER BY month;
SELECT r.* FROM (SELECT costmodel.leakage_stats(member_id, at, is_call, is_failure) AS s FROM lk) x,
       LATERAL (SELECT (x.s).failures, (x.s).leaked_failures, (x.s).calls, (x.s).leaked_calls) r;
