--
-- window_shared: every group of one repeat_call_stats / leakage_stats call
-- in a plan node shares one member dictionary (kept for the whole query),
-- and the groups' events live in a pool per aggregate memory context.
-- Each plan shape below must give exactly the results of plain SQL (lag,
-- and count(*) FILTER over RANGE frames), whatever the plan does with its
-- memory contexts: sorted grouping (the aggregate context is reset between
-- groups, the dictionary stays), hash grouping, hash grouping that spills
-- to disk (contexts reset between batches), grouping sets (several
-- contexts, one dictionary), early stops and rescans (new pools, the same
-- dictionary), and the aggregates used as window aggregates (the final
-- function runs on a growing state, or on a state restarted every row).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
SET extra_float_digits = 0;
SET max_parallel_workers_per_gather = 0;
SET jit = off;

-- 40,000 events of about 1,500 members over 30 days on whole minutes (ties),
-- one in two a call, one in three of the others a failure; each member is
-- spread over days and topics.  A few member ids of 300 bytes (the long
-- length form in the dictionary) and a few empty ones.
CREATE TEMP TABLE sh_ev AS
SELECT CASE WHEN i % 997 = 0 THEN repeat('L', 299) || (i % 3)
            WHEN i % 991 = 0 THEN ''
            ELSE 'M' || abs(hashint4(i) % 1500) END AS member_id,
       timestamptz '2025-01-01' + abs(hashint4(i + 1000000) % (30 * 24 * 60)) * interval '1 minute' AS at,
       i % 2 = 0 AS is_call,
       i % 2 = 1 AND i / 2 % 3 = 0 AS is_failure,
       (ARRAY['billing', 'claims', 'pharmacy', 'benefits'])[1 + abs(hashint4(i + 2000000) % 4)] AS topic
  FROM generate_series(1, 40000) i;
ALTER TABLE sh_ev ADD COLUMN day date;
UPDATE sh_ev SET day = at::date;
ANALYZE sh_ev;

-- Each event under each grouping key k: its group g.
CREATE TEMP VIEW sh_keyed AS
SELECT k, CASE k WHEN 'topic' THEN topic WHEN 'day' THEN day::text
                 WHEN 'member' THEN member_id ELSE 'all' END AS g, e.*
  FROM sh_ev e, (VALUES ('topic'), ('day'), ('member'), ('all')) keys(k);

-- The plain-SQL reference per (k, g): repeats (2 days) by lag over the calls,
-- leakage (1 day) by count(*) FILTER over RANGE frames; every row with a
-- member and a time counts as an event.
CREATE TEMP TABLE sh_ref AS
WITH r AS (
    SELECT k, g, count(*) AS calls, count(*) FILTER (WHERE at - prev <= interval '2 days') AS repeats
      FROM (SELECT k, g, at, lag(at) OVER (PARTITION BY k, g, member_id ORDER BY at) AS prev
              FROM sh_keyed WHERE is_call) s
     GROUP BY k, g),
l AS (
    SELECT k, g, count(*) FILTER (WHERE failure) AS failures,
           count(*) FILTER (WHERE failure AND calls_after > 0) AS leaked_failures,
           count(*) FILTER (WHERE is_call) AS lcalls,
           count(*) FILTER (WHERE is_call AND failures_before > 0) AS leaked_calls
      FROM (SELECT k, g, is_call, failure,
                   count(*) FILTER (WHERE is_call) OVER (PARTITION BY k, g, member_id ORDER BY at
                       RANGE BETWEEN interval '1 microsecond' FOLLOWING AND interval '1 day' FOLLOWING) AS calls_after,
                   count(*) FILTER (WHERE failure) OVER (PARTITION BY k, g, member_id ORDER BY at
                       RANGE BETWEEN interval '1 day' PRECEDING AND interval '1 microsecond' PRECEDING) AS failures_before
              FROM (SELECT *, is_failure AND NOT is_call AS failure FROM sh_keyed) x
             WHERE is_call OR failure) s
     GROUP BY k, g)
SELECT k, g, r.calls || ',' || r.repeats AS repeat,
       l.failures || ',' || l.leaked_failures || ',' || l.lcalls || ',' || l.leaked_calls AS leak
  FROM r JOIN l USING (k, g);
SELECT k, count(*) AS groups FROM sh_ref GROUP BY k ORDER BY k;

-- The aggregates per (k, g) under the current settings, as in sh_ref.
CREATE FUNCTION pg_temp.sh_agg() RETURNS TABLE (k text, g text, repeat text, leak text)
LANGUAGE sql AS $$
  SELECT r.k, r.g, r.repeat, l.leak
    FROM (SELECT k, g, (s).calls || ',' || (s).repeat_calls AS repeat
            FROM (SELECT k, g, costmodel.repeat_call_stats(member_id, at, '2 days') AS s
                    FROM sh_keyed WHERE is_call GROUP BY k, g) x) r
    JOIN (SELECT k, g, (s).failures || ',' || (s).leaked_failures || ',' || (s).calls || ',' || (s).leaked_calls AS leak
            FROM (SELECT k, g, costmodel.leakage_stats(member_id, at, is_call, is_failure, '1 day') AS s
                    FROM sh_keyed GROUP BY k, g) x) l USING (k, g)
$$;

-- Rows of the aggregates that differ from the reference, either way.
CREATE FUNCTION pg_temp.sh_diff() RETURNS bigint LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM (SELECT * FROM pg_temp.sh_agg() EXCEPT SELECT * FROM sh_ref) a)
       + (SELECT count(*) FROM (SELECT * FROM sh_ref EXCEPT SELECT * FROM pg_temp.sh_agg()) b)
$$;

-- Does the plan of the aggregates contain node?
CREATE FUNCTION pg_temp.plan_has(node text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) SELECT * FROM (SELECT k, g, costmodel.repeat_call_stats(member_id, at, ''2 days'') FROM sh_keyed WHERE is_call GROUP BY k, g) x' LOOP
    IF line LIKE '%' || node || '%' THEN
      RETURN true;
    END IF;
  END LOOP;
  RETURN false;
END $$;

-- Sorted grouping: the aggregate context is reset after every group.
SET enable_hashagg = off;
SELECT pg_temp.plan_has('GroupAggregate') AS sorted, pg_temp.sh_diff() AS differ;
RESET enable_hashagg;

-- Hash grouping, every group in memory at once.
SET enable_sort = off;
SET work_mem = '256MB';
SELECT pg_temp.plan_has('HashAggregate') AS hashed, pg_temp.sh_diff() AS differ;

-- Hash grouping over work_mem: new groups' rows go to disk and are
-- aggregated in later batches, each after a reset of the context.
SET work_mem = '64kB';
SELECT pg_temp.sh_diff() AS differ;
CREATE FUNCTION pg_temp.batches() RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  line text;
  b int := 0;
BEGIN
  FOR line IN EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
      SELECT k, g, costmodel.repeat_call_stats(member_id, at, '2 days') FROM sh_keyed WHERE is_call GROUP BY k, g LOOP
    IF line ~ 'Batches: [0-9]+' THEN
      b := greatest(b, substring(line FROM 'Batches: ([0-9]+)')::int);
    END IF;
  END LOOP;
  RETURN b;
END $$;
SELECT pg_temp.batches() > 1 AS spilled;
RESET work_mem;
RESET enable_sort;

-- Grouping sets: sorted sets (an aggregate context each) and hashed sets
-- (one context) in one node, one dictionary, a pool per context.
SET enable_hashagg = off;
SELECT count(*) AS results,
       count(*) FILTER (WHERE s.repeat IS DISTINCT FROM ref.repeat) AS differ
  FROM (SELECT k, g, (s).calls || ',' || (s).repeat_calls AS repeat
          FROM (SELECT CASE WHEN GROUPING(topic) = 0 THEN 'topic' WHEN GROUPING(day) = 0 THEN 'day' ELSE 'all' END AS k,
                       coalesce(topic, day::text, 'all') AS g,
                       costmodel.repeat_call_stats(member_id, at, '2 days') AS s
                  FROM sh_ev WHERE is_call GROUP BY GROUPING SETS ((topic), (day), ())) x) s
  JOIN sh_ref ref USING (k, g);
RESET enable_hashagg;
SET enable_sort = off;
SELECT count(*) AS results,
       count(*) FILTER (WHERE s.leak IS DISTINCT FROM ref.leak) AS differ
  FROM (SELECT k, g, (s).failures || ',' || (s).leaked_failures || ',' || (s).calls || ',' || (s).leaked_calls AS leak
          FROM (SELECT CASE WHEN GROUPING(topic) = 0 THEN 'topic' WHEN GROUPING(day) = 0 THEN 'day' ELSE 'all' END AS k,
                       coalesce(topic, day::text, 'all') AS g,
                       costmodel.leakage_stats(member_id, at, is_call, is_failure, '1 day') AS s
                  FROM sh_ev GROUP BY GROUPING SETS ((topic), (day), ())) x) s
  JOIN sh_ref ref USING (k, g);
RESET enable_sort;

-- Early stops and rescans: for each outer row the inner aggregation is
-- stopped by its LIMIT, its contexts are reset (pools gone), and it starts
-- again with the dictionary of the earlier runs.
SET enable_hashagg = off;
SELECT count(*) AS results,
       count(*) FILTER (WHERE x.repeat IS DISTINCT FROM ref.repeat) AS differ
  FROM generate_series(1, 12) n,
       LATERAL (SELECT day::text AS g, (s).calls || ',' || (s).repeat_calls AS repeat
                  FROM (SELECT day, costmodel.repeat_call_stats(member_id, at, '2 days') AS s
                          FROM sh_ev WHERE is_call AND n > 0 GROUP BY day ORDER BY day) y
                 LIMIT n) x
  JOIN sh_ref ref ON ref.k = 'day' AND ref.g = x.g;
RESET enable_hashagg;

-- Window aggregates: the running counts over the calls of each topic in
-- time order equal the running sums of the reference's per-row flags
-- (the default frame takes peers, rows of the same time, together).
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (s).repeat_calls IS DISTINCT FROM ref_repeats
                           OR (s).calls IS DISTINCT FROM ref_calls) AS differ
  FROM (SELECT costmodel.repeat_call_stats(member_id, at, '2 days') OVER w AS s,
               count(*) OVER w AS ref_calls,
               count(*) FILTER (WHERE at - prev <= interval '2 days') OVER w AS ref_repeats
          FROM (SELECT *, lag(at) OVER (PARTITION BY topic, member_id ORDER BY at) AS prev
                  FROM sh_ev WHERE is_call) c
        WINDOW w AS (PARTITION BY topic ORDER BY at)) x;
-- ... and over a sliding frame, which restarts the aggregate for every row.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE (s).calls <> n OR (s).repeat_calls <> 0) AS differ
  FROM (SELECT costmodel.repeat_call_stats(member_id, at, '1 second') OVER w AS s,
               count(*) OVER w AS n
          FROM (SELECT DISTINCT ON (member_id, at) * FROM sh_ev WHERE is_call AND topic = 'claims') c
        WINDOW w AS (ORDER BY at, member_id ROWS BETWEEN 3 PRECEDING AND CURRENT ROW)) x;

-- The memory the last statement's aggregates used, one row per node (hash
-- grouping: every group is held at the peak).
SET enable_sort = off;
SELECT count(*) AS groups FROM (SELECT day, costmodel.repeat_call_stats(member_id, at) AS s
                                   FROM sh_ev WHERE is_call GROUP BY day) x WHERE (s).calls > 0;
SELECT aggregate, role, groups, events, members,
       events_at_peak = events AS all_held_at_peak,
       peak_bytes = state_bytes + dictionary_bytes AS adds_up,
       state_bytes > 12 * events AND dictionary_bytes > 0 AS plausible
  FROM costmodel.window_memory_stats();
RESET enable_sort;
SELECT count(*) AS calls, count(DISTINCT member_id) AS members FROM sh_ev WHERE is_call;
