--
-- window_parallel: the window aggregates in parallel plans.  With the
-- parallel costs set to zero the plans use partial aggregation (EXPLAIN
-- shows Partial Aggregate under a Gather), and every result equals the
-- serial one.  Partition-wise aggregation then combines many partial states
-- (serialized, deserialized and merged) in one process, deterministically.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
SET extra_float_digits = 0;
SET jit = off;

-- 60,000 events: 997 members, times on whole minutes over 90 days (spread
-- by hashint4, which is the same in every version), one in two a call, one
-- in three of the others a failure, and 120 open or closed cases per team.  Plain tables: a query reading a temporary table is never
-- parallel.
CREATE TABLE win_ev AS
SELECT 'M' || abs(hashint4(i) % 997) AS member_id,
       timestamptz '2025-01-01' + abs(hashint4(i + 1000000) % (90 * 24 * 60)) * interval '1 minute' AS at,
       i % 2 = 0 AS is_call,
       i % 2 = 1 AND i / 2 % 3 = 0 AS is_failure,
       (ARRAY['billing', 'claims', 'pharmacy'])[1 + abs(hashint4(i + 2000000) % 3)] AS topic
  FROM generate_series(1, 60000) i;
CREATE TABLE win_cases AS
SELECT timestamptz '2025-01-01' + ((i::bigint * 7907) % (60 * 24 * 60)) * interval '1 minute' AS opened_at,
       CASE WHEN i % 4 = 0 THEN NULL
            ELSE timestamptz '2025-01-01' + ((i::bigint * 7907) % (60 * 24 * 60)) * interval '1 minute'
                 + (i % 500) * interval '1 hour' END AS closed_at,
       timestamptz '2025-02-20' + (i % 300) * interval '1 hour' AS last_touch_at,
       i % 4 = 0 AS is_open,
       'T' || i / 3 % 8 AS team
  FROM generate_series(1, 960) i;
ANALYZE win_ev;
ANALYZE win_cases;

-- The results, serially.
SET max_parallel_workers_per_gather = 0;
CREATE TABLE win_serial AS
SELECT 'repeat ' || topic AS what, costmodel.repeat_call_stats(member_id, at)::text AS result
  FROM win_ev WHERE is_call GROUP BY topic
UNION ALL
SELECT 'repeat all', costmodel.repeat_call_stats(member_id, at, '2 days')::text FROM win_ev WHERE is_call
UNION ALL
SELECT 'leakage ' || topic, costmodel.leakage_stats(member_id, at, is_call, is_failure)::text
  FROM win_ev GROUP BY topic
UNION ALL
SELECT 'leakage all', costmodel.leakage_stats(member_id, at, is_call, is_failure, '3 days')::text FROM win_ev
UNION ALL
SELECT 'sla ' || team, costmodel.sla_stats(opened_at, closed_at, '7 days', '2025-03-01')::text
  FROM win_cases GROUP BY team
UNION ALL
SELECT 'stale ' || team, costmodel.stale_stats(last_touch_at, is_open, '48 hours', '2025-03-01')::text
  FROM win_cases GROUP BY team;
SELECT * FROM win_serial ORDER BY what;

-- The same in parallel plans.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

-- Does the plan of query q contain node?
CREATE FUNCTION pg_temp.plan_has(q text, node text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  line text;
BEGIN
  FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
    IF line LIKE '%' || node || '%' THEN
      RETURN true;
    END IF;
  END LOOP;
  RETURN false;
END $$;

EXPLAIN (COSTS OFF) SELECT costmodel.repeat_call_stats(member_id, at) FROM win_ev WHERE is_call;
EXPLAIN (COSTS OFF) SELECT costmodel.leakage_stats(member_id, at, is_call, is_failure) FROM win_ev;
EXPLAIN (COSTS OFF) SELECT costmodel.sla_stats(opened_at, closed_at, '7 days', '2025-03-01') FROM win_cases;
EXPLAIN (COSTS OFF) SELECT costmodel.stale_stats(last_touch_at, is_open, '48 hours', '2025-03-01') FROM win_cases;
SELECT pg_temp.plan_has($$SELECT topic, costmodel.repeat_call_stats(member_id, at) FROM win_ev GROUP BY topic$$,
                        'Partial') AS grouped_repeat_is_partial,
       pg_temp.plan_has($$SELECT topic, costmodel.leakage_stats(member_id, at, is_call, is_failure) FROM win_ev GROUP BY topic$$,
                        'Gather') AS grouped_leakage_is_parallel;

CREATE TABLE win_parallel AS
SELECT 'repeat ' || topic AS what, costmodel.repeat_call_stats(member_id, at)::text AS result
  FROM win_ev WHERE is_call GROUP BY topic
UNION ALL
SELECT 'repeat all', costmodel.repeat_call_stats(member_id, at, '2 days')::text FROM win_ev WHERE is_call
UNION ALL
SELECT 'leakage ' || topic, costmodel.leakage_stats(member_id, at, is_call, is_failure)::text
  FROM win_ev GROUP BY topic
UNION ALL
SELECT 'leakage all', costmodel.leakage_stats(member_id, at, is_call, is_failure, '3 days')::text FROM win_ev
UNION ALL
SELECT 'sla ' || team, costmodel.sla_stats(opened_at, closed_at, '7 days', '2025-03-01')::text
  FROM win_cases GROUP BY team
UNION ALL
SELECT 'stale ' || team, costmodel.stale_stats(last_touch_at, is_open, '48 hours', '2025-03-01')::text
  FROM win_cases GROUP BY team;
-- parallel = serial: no row differs either way
SELECT count(*) AS results,
       (SELECT count(*) FROM (TABLE win_serial EXCEPT TABLE win_parallel) d) AS only_serial,
       (SELECT count(*) FROM (TABLE win_parallel EXCEPT TABLE win_serial) d) AS only_parallel
  FROM win_parallel;

-- Many small groups: by member (one member each) and by day (members shared
-- between days; a column, so that the planner knows there are 90).  Each
-- worker serializes every group with the ids of the members it uses; the
-- leader re-interns them into the one dictionary of its Finalize node.
-- Parallel = serial, group by group.
CREATE TABLE win_ev_day AS SELECT member_id, at, is_call, is_failure, at::date AS day FROM win_ev;
ANALYZE win_ev_day;
CREATE TABLE win_small_parallel AS
SELECT 'member ' || member_id AS what, costmodel.leakage_stats(member_id, at, is_call, is_failure)::text AS result
  FROM win_ev_day GROUP BY member_id
UNION ALL
SELECT 'day ' || day, costmodel.repeat_call_stats(member_id, at, '2 days')::text
  FROM win_ev_day WHERE is_call GROUP BY day;
SELECT pg_temp.plan_has($$SELECT member_id, costmodel.leakage_stats(member_id, at, is_call, is_failure) FROM win_ev_day GROUP BY member_id$$,
                        'Partial') AS by_member_is_partial,
       pg_temp.plan_has($$SELECT day, costmodel.repeat_call_stats(member_id, at, '2 days') FROM win_ev_day WHERE is_call GROUP BY day$$,
                        'Partial') AS by_day_is_partial;
-- The leader's Finalize node keeps a memory record of its combine function,
-- with every call (the workers' records stay in the workers).
SELECT count(*) AS days FROM (SELECT day, costmodel.repeat_call_stats(member_id, at) AS s
                                FROM win_ev_day WHERE is_call GROUP BY day) x WHERE (s).calls > 0;
SELECT aggregate, role, groups, events, members FROM costmodel.window_memory_stats() WHERE role = 'combine';
SET max_parallel_workers_per_gather = 0;
CREATE TABLE win_small_serial AS
SELECT 'member ' || member_id AS what, costmodel.leakage_stats(member_id, at, is_call, is_failure)::text AS result
  FROM win_ev_day GROUP BY member_id
UNION ALL
SELECT 'day ' || day, costmodel.repeat_call_stats(member_id, at, '2 days')::text
  FROM win_ev_day WHERE is_call GROUP BY day;
SELECT count(*) AS results,
       (SELECT count(*) FROM (TABLE win_small_serial EXCEPT TABLE win_small_parallel) d) AS only_serial,
       (SELECT count(*) FROM (TABLE win_small_parallel EXCEPT TABLE win_small_serial) d) AS only_parallel
  FROM win_small_parallel;
SELECT count(*) AS calls, count(DISTINCT member_id) AS members FROM win_ev WHERE is_call;

-- Partition-wise aggregation: a partial state per month partition, each
-- serialized, deserialized and merged into the final state, in one process.
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
SET enable_partitionwise_aggregate = on;
CREATE TABLE win_ev_p (LIKE win_ev) PARTITION BY RANGE (at);
CREATE TABLE win_ev_p1 PARTITION OF win_ev_p FOR VALUES FROM ('2025-01-01') TO ('2025-02-01');
CREATE TABLE win_ev_p2 PARTITION OF win_ev_p FOR VALUES FROM ('2025-02-01') TO ('2025-03-01');
CREATE TABLE win_ev_p3 PARTITION OF win_ev_p FOR VALUES FROM ('2025-03-01') TO ('2025-04-01');
INSERT INTO win_ev_p SELECT * FROM win_ev;
ANALYZE win_ev_p;
SELECT pg_temp.plan_has($$SELECT topic, costmodel.leakage_stats(member_id, at, is_call, is_failure) FROM win_ev_p GROUP BY topic$$,
                        'Partial') AS partitionwise_is_partial;
SELECT count(*) AS results,
       count(*) FILTER (WHERE p.result IS DISTINCT FROM s.result) AS differ
  FROM (SELECT 'repeat ' || topic AS what, costmodel.repeat_call_stats(member_id, at)::text AS result
          FROM win_ev_p WHERE is_call GROUP BY topic
        UNION ALL
        SELECT 'leakage ' || topic, costmodel.leakage_stats(member_id, at, is_call, is_failure)::text
          FROM win_ev_p GROUP BY topic) p
  JOIN win_serial s USING (what);

DROP TABLE win_ev, win_ev_p, win_cases, win_serial, win_parallel, win_small_serial, win_small_parallel, win_ev_day;
