-- marts_core: the mart framework.  mart_publish's rules (one labelled case
-- each), the published view and its comments, refresh_marts (first full,
-- then concurrent refresh; a failing mart; the log), BI grants, and the
-- catalog rules over every mart the extension ships.
SET client_min_messages = warning;
\set VERBOSITY default
\set SHOW_CONTEXT never
-- Run ids from 101 on, whatever ran before this test.
SELECT setval('costmodel.refresh_run_seq', 100) AS run_ids_from;

CREATE TABLE t_src (d date NOT NULL, kind text NOT NULL, amount numeric(14,2) NOT NULL, divisor integer NOT NULL DEFAULT 1);
INSERT INTO t_src VALUES ('2025-03-01', 'a', 10.00), ('2025-03-01', 'a', 5.25), ('2025-03-02', 'b', 1.10);

-- A mart that follows every rule; published last, below.
CREATE MATERIALIZED VIEW costmodel.mv_t_daily AS
SELECT d AS day_date, kind, count(*)::bigint AS items, sum(amount) AS amount,
       sum(amount / divisor) AS amount_per_divisor
  FROM t_src GROUP BY d, kind WITH NO DATA;
COMMENT ON MATERIALIZED VIEW costmodel.mv_t_daily IS 'Test mart. Grain: day x kind.';
COMMENT ON COLUMN costmodel.mv_t_daily.day_date IS 'The day.';
COMMENT ON COLUMN costmodel.mv_t_daily.kind IS 'The kind.';
COMMENT ON COLUMN costmodel.mv_t_daily.items IS 'Rows.';
COMMENT ON COLUMN costmodel.mv_t_daily.amount IS 'Sum of amount.';
COMMENT ON COLUMN costmodel.mv_t_daily.amount_per_divisor IS 'Sum of amount / divisor (divisor 0 makes the refresh fail).';

-- case 1: no such materialized view
SELECT costmodel.mart_publish('t_missing', 9001, 'test');
-- case 2: a name that is not snake_case
SELECT costmodel.mart_publish('T-Daily', 9001, 'test');
-- case 3: no unique index
SELECT costmodel.mart_publish('t_daily', 9001, 'test');
-- case 4: a unique index with a WHERE clause does not count
CREATE UNIQUE INDEX t_daily_partial ON costmodel.mv_t_daily (day_date, kind) WHERE items > 0;
SELECT costmodel.mart_publish('t_daily', 9001, 'test');
DROP INDEX costmodel.t_daily_partial;
CREATE UNIQUE INDEX t_daily_key ON costmodel.mv_t_daily (day_date, kind);

-- case 5: no comment on the materialized view
CREATE MATERIALIZED VIEW costmodel.mv_t_nocomment AS SELECT 1 AS one WITH NO DATA;
CREATE UNIQUE INDEX ON costmodel.mv_t_nocomment (one);
SELECT costmodel.mart_publish('t_nocomment', 9002, 'test');
-- case 6: columns without comments, not snake_case, unsafe types, misnamed dates and timestamps
CREATE MATERIALIZED VIEW costmodel.mv_t_bad AS
SELECT 1 AS k, interval '1 day' AS waited, ARRAY[1] AS ids, '{}'::jsonb AS doc,
       now()::timestamp AS seen_at, now() AS seen, current_date AS day, 1.5::real AS ratio,
       1 AS "Mixed", 1 AS opened_date
  WITH NO DATA;
CREATE UNIQUE INDEX ON costmodel.mv_t_bad (k);
COMMENT ON MATERIALIZED VIEW costmodel.mv_t_bad IS 'Breaks the column rules.';
COMMENT ON COLUMN costmodel.mv_t_bad.k IS 'Fine.';
COMMENT ON COLUMN costmodel.mv_t_bad.waited IS 'An interval.';
SELECT costmodel.mart_publish('t_bad', 9003, 'test');
-- case 7: a mart that reads a mart refreshing after it (or not published)
CREATE MATERIALIZED VIEW costmodel.mv_t_reader AS SELECT day_date, sum(items)::bigint AS items FROM costmodel.mv_t_daily GROUP BY day_date WITH NO DATA;
CREATE UNIQUE INDEX ON costmodel.mv_t_reader (day_date);
COMMENT ON MATERIALIZED VIEW costmodel.mv_t_reader IS 'Reads t_daily.';
COMMENT ON COLUMN costmodel.mv_t_reader.day_date IS 'The day.';
COMMENT ON COLUMN costmodel.mv_t_reader.items IS 'Items that day.';
SELECT costmodel.mart_publish('t_reader', 9000, 'test');

-- The good mart publishes; then the reader with a later order.
SELECT costmodel.mart_publish('t_daily', 9001, 'test');
SELECT costmodel.mart_publish('t_reader', 9000, 'test');
SELECT costmodel.mart_publish('t_reader', 9004, 'test');
SELECT mart_name, refresh_order, area, matview_name, view_name, key_columns
  FROM costmodel.mart WHERE area = 'test' ORDER BY refresh_order;

-- The view BI tools see carries the comments.
SELECT obj_description('costmodel_mart.t_daily'::regclass, 'pg_class') AS view_comment;
SELECT a.attname, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum)
  FROM pg_attribute a WHERE a.attrelid = 'costmodel_mart.t_daily'::regclass AND a.attnum > 0 ORDER BY a.attnum;

-- refresh_marts: unknown names and NULL are refused.
CALL costmodel.refresh_marts(ARRAY['t_daily', 'no_such_mart']);
CALL costmodel.refresh_marts(ARRAY['t_daily'], NULL);

-- First refresh of an unpopulated mart is full, the next ones concurrent.
CALL costmodel.refresh_marts(ARRAY['t_daily', 't_reader']);
CALL costmodel.refresh_marts(ARRAY['t_reader', 't_daily']);
SELECT * FROM costmodel_mart.t_daily ORDER BY day_date, kind;
SELECT * FROM costmodel_mart.t_reader ORDER BY day_date;
SELECT run_id - min(run_id) OVER () AS run, mart_name, rows, status, refresh_mode, error, error_sqlstate,
       finished_at >= started_at AS ordered, duration_s >= 0 AS timed
  FROM costmodel.refresh_log WHERE mart_name LIKE 't\_%' ORDER BY refresh_log_id;

-- concurrently => false gives a full refresh; the new data shows.
INSERT INTO t_src VALUES ('2025-03-02', 'b', 2.00);
CALL costmodel.refresh_marts(ARRAY['t_daily', 't_reader'], false);
SELECT * FROM costmodel_mart.t_daily ORDER BY day_date, kind;
SELECT mart_name, rows, status, refresh_mode FROM costmodel.refresh_log
 WHERE run_id = (SELECT max(run_id) FROM costmodel.refresh_log) ORDER BY refresh_log_id;

-- A failing mart is logged with its error; the marts after it still refresh.
INSERT INTO t_src VALUES ('2025-03-03', 'c', 1.00, 0), ('2025-03-03', 'a', 4.00, 1);
CALL costmodel.refresh_marts(ARRAY['t_daily', 't_reader']);
SELECT mart_name, rows, status, refresh_mode, error, error_sqlstate FROM costmodel.refresh_log
 WHERE run_id = (SELECT max(run_id) FROM costmodel.refresh_log) ORDER BY refresh_log_id;
SELECT count(*) AS rows_still_there FROM costmodel_mart.t_daily;

-- Inside a transaction block it refreshes without committing in between, and says so.
DELETE FROM t_src WHERE divisor = 0;
BEGIN;
SET LOCAL client_min_messages = notice;
CALL costmodel.refresh_marts(ARRAY['t_daily']);
SELECT count(*) AS rows_in_block FROM costmodel_mart.t_daily;
ROLLBACK;
SELECT count(*) AS rows_after_rollback FROM costmodel_mart.t_daily;

-- BI access: USAGE on costmodel_mart and SELECT on its views, nothing else.
SELECT costmodel.grant_bi_access('no_such_role');
CREATE ROLE cm_regress_bi;
SELECT costmodel.grant_bi_access('cm_regress_bi');
SELECT costmodel.grant_bi_access('cm_regress_bi');
SET ROLE cm_regress_bi;
SELECT count(*) AS bi_sees_rows FROM costmodel_mart.t_daily;
SELECT count(*) FROM costmodel.fact_request;
SELECT count(*) FROM costmodel.mv_t_daily;
SELECT costmodel.grant_bi_access('cm_regress_bi');
CALL costmodel.refresh_marts();
RESET ROLE;
SELECT has_schema_privilege('cm_regress_bi', 'costmodel', 'USAGE') AS costmodel_usage,
       has_schema_privilege('cm_regress_bi', 'costmodel_member', 'USAGE') AS member_usage,
       has_schema_privilege('cm_regress_bi', 'costmodel_mart', 'USAGE') AS mart_usage,
       has_table_privilege('cm_regress_bi', 'costmodel_mart.t_daily', 'INSERT') AS can_insert;
SELECT costmodel.grant_member_access('cm_regress_bi');
SELECT has_schema_privilege('cm_regress_bi', 'costmodel_member', 'USAGE') AS member_usage;
SELECT costmodel.revoke_member_access('cm_regress_bi');
SELECT costmodel.revoke_bi_access('cm_regress_bi');
SELECT has_schema_privilege('cm_regress_bi', 'costmodel_mart', 'USAGE') AS mart_usage,
       has_table_privilege('cm_regress_bi', 'costmodel_mart.t_daily', 'SELECT') AS can_select;
DROP ROLE cm_regress_bi;

-- Every SECURITY DEFINER function of the extension pins search_path and is
-- not executable by PUBLIC (expect no rows).
SELECT p.oid::regprocedure AS unsafe_function
  FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'costmodel'
 WHERE p.prosecdef
   AND (NOT coalesce(p.proconfig::text[] @> ARRAY['search_path=pg_catalog, pg_temp'], false)
        OR has_function_privilege('public', p.oid, 'EXECUTE'));

-- Every shipped mart follows the rules (expect no rows): a view in
-- costmodel_mart per registered mart, comments on view and columns, BI-safe
-- types, _date / _at names, and a unique index on the materialized view.
SELECT m.mart_name, 'view missing' AS problem FROM costmodel.mart m WHERE to_regclass(m.view_name) IS NULL
UNION ALL
SELECT c.relname, 'view not registered' FROM pg_class c
 WHERE c.relnamespace = 'costmodel_mart'::regnamespace AND c.relkind = 'v'
   AND NOT EXISTS (SELECT FROM costmodel.mart m WHERE m.mart_name = c.relname)
UNION ALL
SELECT c.relname, 'no comment' FROM pg_class c
 WHERE c.relnamespace IN ('costmodel_mart'::regnamespace, 'costmodel_member'::regnamespace)
   AND c.relkind = 'v' AND obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT c.relname || '.' || a.attname, 'column: ' || format_type(a.atttypid, a.atttypmod)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relnamespace IN ('costmodel_mart'::regnamespace, 'costmodel_member'::regnamespace) AND c.relkind = 'v'
   AND (col_description(c.oid, a.attnum) IS NULL
        OR NOT costmodel.mart_type_ok(a.atttypid::regtype)
        OR a.attname !~ '^[a-z][a-z0-9_]*$'
        OR (a.atttypid = 'date'::regtype) <> (a.attname ~ '_date$')
        OR (a.atttypid = 'timestamptz'::regtype) <> (a.attname ~ '_at$'))
UNION ALL
SELECT m.mart_name, 'no unique index' FROM costmodel.mart m
 WHERE NOT EXISTS (SELECT FROM pg_index i WHERE i.indrelid = ('costmodel.' || m.matview_name)::regclass
                                            AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL);

-- Clean up the test marts (the registry rows go with them).
DROP VIEW costmodel_mart.t_reader, costmodel_mart.t_daily;
DROP MATERIALIZED VIEW costmodel.mv_t_reader, costmodel.mv_t_daily, costmodel.mv_t_nocomment, costmodel.mv_t_bad;
DELETE FROM costmodel.mart WHERE area = 'test';
DELETE FROM costmodel.refresh_log WHERE mart_name LIKE 't\_%';
DROP TABLE t_src;
