--
-- window_bad: bad windows, thresholds and as_of values for the window
-- aggregates and window functions, one labelled case per line.  Each gives
-- an error with a hint, except where noted.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
SET extra_float_digits = 0;
SET max_parallel_workers_per_gather = 0;
\set VERBOSITY default
\set SHOW_CONTEXT never
CREATE TEMP TABLE c (m text, t timestamptz, w interval, is_call boolean, is_failure boolean);
INSERT INTO c VALUES ('a', '2025-01-01', '1 day', true, false), ('a', '2025-01-02', '1 day', false, true),
                     ('b', '2025-01-01', '24 hours', true, false), ('b', '2025-01-03', '2 days', true, false);

-- ------------------------------------------------------- repeat_call_stats
-- bad: within zero
SELECT costmodel.repeat_call_stats(m, t, '0') FROM c;
-- bad: within negative
SELECT costmodel.repeat_call_stats(m, t, '-7 days') FROM c;
-- bad: within negative overall ('1 day -25 hours')
SELECT costmodel.repeat_call_stats(m, t, '1 day -25 hours') FROM c;
-- bad: within in months
SELECT costmodel.repeat_call_stats(m, t, '1 month') FROM c;
-- bad: within in years
SELECT costmodel.repeat_call_stats(m, t, '1 year') FROM c;
-- bad: within with a month part that cancels in days
SELECT costmodel.repeat_call_stats(m, t, '1 month -30 days') FROM c;
-- bad: within too long
SELECT costmodel.repeat_call_stats(m, t, '2000000000 days') FROM c;
-- bad: within NULL
SELECT costmodel.repeat_call_stats(m, t, NULL) FROM c;
-- bad: within changes from row to row ('1 day', '24 hours', then '2 days')
SELECT costmodel.repeat_call_stats(m, t, w) FROM c;
-- not bad: '1 day' and '24 hours' are the same window
SELECT costmodel.repeat_call_stats(m, t, w) FROM c WHERE w <> '2 days';
-- not bad: a different window per group
SELECT w, costmodel.repeat_call_stats(m, t, w) FROM c GROUP BY w ORDER BY w;
-- bad: called_at infinity
SELECT costmodel.repeat_call_stats(m, t) FROM (VALUES ('a', timestamptz 'infinity')) v(m, t);
-- bad: called_at -infinity
SELECT costmodel.repeat_call_stats(m, t) FROM (VALUES ('a', timestamptz '-infinity')) v(m, t);
-- bad: within zero, even though every row is ignored (NULL member)
SELECT costmodel.repeat_call_stats(NULL::text, t, '0') FROM c;

-- ----------------------------------------------------------- leakage_stats
-- bad: within zero
SELECT costmodel.leakage_stats(m, t, is_call, is_failure, '0 hours') FROM c;
-- bad: within in months
SELECT costmodel.leakage_stats(m, t, is_call, is_failure, '2 mons') FROM c;
-- bad: within NULL
SELECT costmodel.leakage_stats(m, t, is_call, is_failure, NULL) FROM c;
-- bad: within changes from row to row
SELECT costmodel.leakage_stats(m, t, is_call, is_failure, w) FROM c;
-- bad: at infinity
SELECT costmodel.leakage_stats('a', timestamptz 'infinity', true, false);

-- --------------------------------------------------------------- sla_stats
-- bad: sla zero
SELECT costmodel.sla_stats(t, t + interval '1 hour', '0') FROM c;
-- bad: sla negative
SELECT costmodel.sla_stats(t, t + interval '1 hour', '-1 day', '2025-02-01') FROM c;
-- bad: sla in months
SELECT costmodel.sla_stats(t, t + interval '1 hour', '1 month', '2025-02-01') FROM c;
-- bad: sla NULL
SELECT costmodel.sla_stats(t, NULL, NULL, '2025-02-01') FROM c;
-- bad: sla changes from row to row
SELECT costmodel.sla_stats(t, NULL, w, '2025-02-01') FROM c;
-- bad: as_of NULL
SELECT costmodel.sla_stats(t, NULL, '7 days', NULL) FROM c;
-- bad: as_of infinity
SELECT costmodel.sla_stats(t, NULL, '7 days', 'infinity') FROM c;
-- bad: as_of changes from row to row
SELECT costmodel.sla_stats(t, NULL, '7 days', t) FROM c;
-- bad: opened_at infinity
SELECT costmodel.sla_stats(timestamptz 'infinity', NULL, '7 days', '2025-02-01');
-- bad: closed_at -infinity
SELECT costmodel.sla_stats(timestamptz '2025-01-01', '-infinity', '7 days', '2025-02-01');

-- ------------------------------------------------------------- stale_stats
-- bad: threshold zero
SELECT costmodel.stale_stats(t, true, '0 seconds', '2025-02-01') FROM c;
-- bad: threshold in years
SELECT costmodel.stale_stats(t, true, '1 year', '2025-02-01') FROM c;
-- bad: threshold NULL
SELECT costmodel.stale_stats(t, true, NULL) FROM c;
-- bad: threshold changes from row to row
SELECT costmodel.stale_stats(t, true, w, '2025-02-01') FROM c;
-- bad: as_of changes from row to row
SELECT costmodel.stale_stats(t, true, '48 hours', t) FROM c;
-- bad: last_touch_at infinity on an open case
SELECT costmodel.stale_stats(timestamptz 'infinity', true, '48 hours', '2025-02-01');

-- -------------------------------------------------------- window functions
-- bad: is_repeat_call within zero
SELECT costmodel.is_repeat_call(t, '0') OVER (PARTITION BY m ORDER BY t) FROM c;
-- bad: is_repeat_call within in months
SELECT costmodel.is_repeat_call(t, '1 mon') OVER (PARTITION BY m ORDER BY t) FROM c;
-- bad: is_repeat_call within NULL
SELECT costmodel.is_repeat_call(t, NULL) OVER (PARTITION BY m ORDER BY t) FROM c;
-- bad: is_repeat_call within changes within a partition
SELECT costmodel.is_repeat_call(t, w) OVER (PARTITION BY m ORDER BY t) FROM c;
-- bad: is_repeat_call over descending time
SELECT costmodel.is_repeat_call(t) OVER (PARTITION BY m ORDER BY t DESC) FROM c;
-- bad: is_repeat_call without ORDER BY, rows out of time order
SELECT costmodel.is_repeat_call(t) OVER (PARTITION BY m) FROM (SELECT * FROM c ORDER BY t DESC) s;
-- bad: leaked_to_call within negative
SELECT costmodel.leaked_to_call(t, is_call, is_failure, '-1 hour') OVER (PARTITION BY m ORDER BY t) FROM c;
-- bad: leaked_to_call over descending time
SELECT costmodel.leaked_to_call(t, is_call, is_failure) OVER (PARTITION BY m ORDER BY t DESC) FROM c;
-- bad: leaked_to_call at infinity
SELECT costmodel.leaked_to_call(timestamptz 'infinity', true, false) OVER ();
