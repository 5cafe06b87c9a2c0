-- 40_marts_core.sql: the mart framework.  Each mart is a materialized view
-- @extschema@.mv_NAME, published to BI users as the plain view
-- costmodel_mart.NAME (Grafana's table picker ignores materialized views and
-- Metabase reads column comments only from tables and plain views).
-- mart_publish checks a mart against the BI rules and registers it;
-- refresh_marts refreshes the registered marts in order and logs each one.

-- ---------------------------------------------------------------------------
-- Schemas.  The names are fixed (the extension is not relocatable), so that
-- BI connections can be set up once.
-- ---------------------------------------------------------------------------

CREATE SCHEMA costmodel_mart;
COMMENT ON SCHEMA costmodel_mart IS
  'costmodel marts for BI tools: one plain view per mart, over a materialized view refreshed by costmodel.refresh_marts. Grant access with costmodel.grant_bi_access(role).';

CREATE SCHEMA costmodel_member;
COMMENT ON SCHEMA costmodel_member IS
  'Member-level drill-down views (member_journey). Separate from costmodel_mart because they show one member''s data; grant with costmodel.grant_member_access(role).';

REVOKE ALL ON SCHEMA costmodel_mart FROM PUBLIC;
REVOKE ALL ON SCHEMA costmodel_member FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The registry of marts, in refresh order.
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.mart (
    mart_name      text NOT NULL PRIMARY KEY,
    refresh_order  integer NOT NULL UNIQUE,
    area           text NOT NULL,
    matview_name   text NOT NULL UNIQUE,
    view_name      text NOT NULL UNIQUE,
    key_columns    text NOT NULL
);

COMMENT ON TABLE @extschema@.mart IS
  'Every mart, registered by mart_publish at CREATE EXTENSION: refresh_marts refreshes them in refresh_order (a mart that reads another mart comes after it).';
COMMENT ON COLUMN @extschema@.mart.mart_name IS 'The mart''s name: the view costmodel_mart.<mart_name>.';
COMMENT ON COLUMN @extschema@.mart.refresh_order IS 'Position in a full refresh; estimator 100-199, experience 200-299, advocacy 300-399, claims 400-499.';
COMMENT ON COLUMN @extschema@.mart.area IS 'Source area: estimator, experience, advocacy or claims.';
COMMENT ON COLUMN @extschema@.mart.matview_name IS 'The materialized view in the costmodel schema that holds the data.';
COMMENT ON COLUMN @extschema@.mart.view_name IS 'The plain view BI tools query, schema-qualified.';
COMMENT ON COLUMN @extschema@.mart.key_columns IS 'The columns of the unique index (the grain), comma-separated.';

-- ---------------------------------------------------------------------------
-- The refresh log.
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.refresh_log (
    refresh_log_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id          bigint NOT NULL,
    mart_name       text NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz NOT NULL,
    duration_s      numeric(12,3) NOT NULL,
    rows            bigint,
    status          text NOT NULL CHECK (status IN ('ok', 'failed', 'skipped')),
    refresh_mode    text CHECK (refresh_mode IN ('concurrently', 'full')),
    error           text,
    error_sqlstate  text,
    run_by          name NOT NULL DEFAULT CURRENT_USER,
    backend_pid     integer NOT NULL DEFAULT pg_catalog.pg_backend_pid()
);
CREATE INDEX refresh_log_mart_started ON @extschema@.refresh_log (mart_name, started_at);

CREATE SEQUENCE @extschema@.refresh_run_seq;

COMMENT ON TABLE @extschema@.refresh_log IS
  'One row per mart per refresh_marts run (and one row for the dimensions step). A run that finds another run going logs each requested mart as skipped and returns.';
COMMENT ON COLUMN @extschema@.refresh_log.refresh_log_id IS 'Row id.';
COMMENT ON COLUMN @extschema@.refresh_log.run_id IS 'The refresh_marts call this row belongs to (from refresh_run_seq).';
COMMENT ON COLUMN @extschema@.refresh_log.mart_name IS 'The mart refreshed, or "dims" for the dimension refresh that a full run does first.';
COMMENT ON COLUMN @extschema@.refresh_log.started_at IS 'When this mart''s refresh started (clock time).';
COMMENT ON COLUMN @extschema@.refresh_log.finished_at IS 'When it finished or failed.';
COMMENT ON COLUMN @extschema@.refresh_log.duration_s IS 'finished_at - started_at in seconds.';
COMMENT ON COLUMN @extschema@.refresh_log.rows IS 'Rows in the mart after the refresh (for dims: rows written); NULL when failed or skipped.';
COMMENT ON COLUMN @extschema@.refresh_log.status IS 'ok, failed (see error) or skipped (another run held the lock).';
COMMENT ON COLUMN @extschema@.refresh_log.refresh_mode IS 'concurrently (readers never wait) or full (the first refresh of an unpopulated mart, or concurrently => false).';
COMMENT ON COLUMN @extschema@.refresh_log.error IS 'The error message (and detail) of a failed refresh, or why a run was skipped.';
COMMENT ON COLUMN @extschema@.refresh_log.error_sqlstate IS 'The SQLSTATE of the error.';
COMMENT ON COLUMN @extschema@.refresh_log.run_by IS 'The role that ran refresh_marts.';
COMMENT ON COLUMN @extschema@.refresh_log.backend_pid IS 'The backend that ran it.';

-- pg_dump keeps the refresh history, and the marts a site published itself;
-- the shipped marts' rows are made again by CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.refresh_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.refresh_log_refresh_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.refresh_run_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.mart',
    'WHERE area NOT IN (''estimator'', ''experience'', ''advocacy'', ''claims'')');

-- ---------------------------------------------------------------------------
-- mart_publish: check a mart against the BI rules, publish its view, register it.
-- ---------------------------------------------------------------------------

-- Raise 42P17 (invalid object definition) for mart m with detail and hint.
CREATE FUNCTION @extschema@.mart_reject(m text, detail text, hint text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'mart "%" does not meet the mart rules', m
        USING ERRCODE = 'invalid_object_definition', DETAIL = detail, HINT = hint;
END
$$;

COMMENT ON FUNCTION @extschema@.mart_reject(text, text, text) IS
  'Raise the error mart_publish raises for a mart that breaks a rule (SQLSTATE 42P17).';

-- The BI-safe column types: the only types a mart column may have.
CREATE FUNCTION @extschema@.mart_type_ok(t regtype)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT t IN ('boolean'::regtype, 'smallint'::regtype, 'integer'::regtype,
                 'bigint'::regtype, 'numeric'::regtype, 'double precision'::regtype,
                 'text'::regtype, 'character varying'::regtype, 'date'::regtype,
                 'timestamp with time zone'::regtype);
END;

COMMENT ON FUNCTION @extschema@.mart_type_ok(regtype) IS
  'True for the column types BI tools handle: boolean, smallint, integer, bigint, numeric, double precision, text, varchar, date, timestamptz.';

-- Check mart NAME (matview @extschema@.mv_NAME), create costmodel_mart.NAME, register it.
CREATE FUNCTION @extschema@.mart_publish(mart_name text, refresh_order integer, area text,
                                         view_schema text DEFAULT 'costmodel_mart')
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ext_schema constant text := '@extschema@';
    mv_name constant text := 'mv_' || mart_name;
    mv oid;
    keycols text;
    bad text;
    cols text;
    earlier text;
BEGIN
    IF mart_name !~ '^[a-z][a-z0-9_]*$' THEN
        PERFORM @extschema@.mart_reject(mart_name, 'A mart name is snake_case: lower-case letters, digits and underscores.',
                                        'Rename the mart.');
    END IF;
    SELECT c.oid INTO mv FROM pg_class c
     WHERE c.relname = mv_name AND c.relnamespace = ext_schema::regnamespace AND c.relkind = 'm';
    IF mv IS NULL THEN
        PERFORM @extschema@.mart_reject(mart_name, format('There is no materialized view %I.%I.', ext_schema, mv_name),
                                        'Create the materialized view before publishing it.');
    END IF;

    -- A unique index on plain columns, without WHERE: REFRESH ... CONCURRENTLY needs one.
    SELECT string_agg(a.attname, ', ' ORDER BY k.n) INTO keycols
      FROM (SELECT i.indexrelid, i.indkey FROM pg_index i
             WHERE i.indrelid = mv AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
             ORDER BY i.indnatts, i.indexrelid LIMIT 1) ix
     CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
      JOIN pg_attribute a ON a.attrelid = mv AND a.attnum = k.attnum;
    IF keycols IS NULL THEN
        PERFORM @extschema@.mart_reject(mart_name, 'It has no unique index on plain columns without a WHERE clause.',
                                        'Add CREATE UNIQUE INDEX on the grain columns: REFRESH MATERIALIZED VIEW CONCURRENTLY needs it.');
    END IF;

    IF obj_description(mv, 'pg_class') IS NULL THEN
        PERFORM @extschema@.mart_reject(mart_name, 'The materialized view has no comment.',
                                        'Add COMMENT ON MATERIALIZED VIEW saying what the mart answers and its grain.');
    END IF;

    SELECT string_agg(format('%s (%s): %s', a.attname, format_type(a.atttypid, a.atttypmod), w.why), '; ' ORDER BY a.attnum)
      INTO bad
      FROM pg_attribute a
     CROSS JOIN LATERAL (VALUES
        (CASE WHEN col_description(mv, a.attnum) IS NULL THEN 'no comment' END),
        (CASE WHEN a.attname !~ '^[a-z][a-z0-9_]*$' THEN 'name is not snake_case' END),
        (CASE WHEN NOT @extschema@.mart_type_ok(a.atttypid::regtype) THEN 'type is not BI-safe' END),
        (CASE WHEN a.atttypid = 'date'::regtype AND a.attname !~ '_date$' THEN 'a date column''s name ends in _date' END),
        (CASE WHEN a.atttypid = 'timestamptz'::regtype AND a.attname !~ '_at$' THEN 'a timestamptz column''s name ends in _at' END),
        (CASE WHEN a.atttypid <> 'date'::regtype AND a.attname ~ '_date$' THEN 'only date columns end in _date' END),
        (CASE WHEN a.atttypid <> 'timestamptz'::regtype AND a.attname ~ '_at$' THEN 'only timestamptz columns end in _at' END)
     ) AS w(why)
     WHERE a.attrelid = mv AND a.attnum > 0 AND NOT a.attisdropped AND w.why IS NOT NULL;
    IF bad IS NOT NULL THEN
        PERFORM @extschema@.mart_reject(mart_name, 'Columns breaking the rules: ' || bad || '.',
                                        'Every column needs a COMMENT and a snake_case name; types are boolean, smallint, integer, bigint, numeric, double precision, text, varchar, date or timestamptz (no interval, array, json, composite); dates end in _date, timestamptz in _at.');
    END IF;

    -- Marts this one reads must refresh before it.
    SELECT string_agg(DISTINCT format('%s (order %s)', m.mart_name, m.refresh_order), ', ') INTO earlier
      FROM pg_rewrite r
      JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                      AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> mv
      JOIN pg_class rc ON rc.oid = d.refobjid
      JOIN @extschema@.mart m ON m.matview_name = rc.relname
     WHERE r.ev_class = mv AND rc.relnamespace = ext_schema::regnamespace
       AND m.refresh_order >= mart_publish.refresh_order;
    IF earlier IS NOT NULL THEN
        PERFORM @extschema@.mart_reject(mart_name, format('It reads %s, which would refresh after it (order %s).', earlier, refresh_order),
                                        'Give the mart a refresh_order above the marts it reads.');
    END IF;
    IF EXISTS (SELECT FROM pg_rewrite r
                 JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                                 AND d.refclassid = 'pg_class'::regclass
                 JOIN pg_class rc ON rc.oid = d.refobjid AND rc.relkind = 'm' AND rc.oid <> mv
                WHERE r.ev_class = mv
                  AND NOT EXISTS (SELECT FROM @extschema@.mart m
                                   WHERE m.matview_name = rc.relname AND rc.relnamespace = ext_schema::regnamespace)) THEN
        PERFORM @extschema@.mart_reject(mart_name, 'It reads a materialized view that is not a published mart.',
                                        'Publish the marts it reads first, so that refresh_marts refreshes them before it.');
    END IF;

    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a WHERE a.attrelid = mv AND a.attnum > 0 AND NOT a.attisdropped;
    EXECUTE format('CREATE VIEW %I.%I AS SELECT %s FROM %I.%I', view_schema, mart_name, cols, ext_schema, mv_name);
    EXECUTE format('COMMENT ON VIEW %I.%I IS %L', view_schema, mart_name, obj_description(mv, 'pg_class'));
    EXECUTE (SELECT string_agg(format('COMMENT ON COLUMN %I.%I.%I IS %L;', view_schema, mart_name, a.attname,
                                      col_description(mv, a.attnum)), ' ' ORDER BY a.attnum)
               FROM pg_attribute a WHERE a.attrelid = mv AND a.attnum > 0 AND NOT a.attisdropped);

    INSERT INTO @extschema@.mart (mart_name, refresh_order, area, matview_name, view_name, key_columns)
    VALUES (mart_name, refresh_order, area, mv_name, format('%I.%I', view_schema, mart_name), keycols);
END
$$;

COMMENT ON FUNCTION @extschema@.mart_publish(text, integer, text, text) IS
  'Publish the materialized view costmodel.mv_<mart_name> as the plain view costmodel_mart.<mart_name> with its comments, after checking the mart rules (unique index, comments everywhere, snake_case, BI-safe types, _date/_at names, refresh order after the marts it reads); registers it in costmodel.mart.';

REVOKE ALL ON FUNCTION @extschema@.mart_publish(text, integer, text, text) FROM PUBLIC;
