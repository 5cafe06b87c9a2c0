-- 46_marts_refresh.sql: refresh_marts, the one way marts are refreshed
-- (by hand, by make demo, and by pg_cron through schedule_refresh).

-- True when the caller is inside an explicit transaction block (BEGIN ...).
CREATE FUNCTION @extschema@.in_transaction_block()
RETURNS boolean
AS 'MODULE_PATHNAME', 'cm_in_transaction_block'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

COMMENT ON FUNCTION @extschema@.in_transaction_block() IS
  'True inside an explicit transaction block, where refresh_marts cannot commit between marts.';

-- The advisory lock key that serialises refresh_marts runs cluster-wide.
CREATE FUNCTION @extschema@.refresh_lock_key()
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 7164873950236114001;

COMMENT ON FUNCTION @extschema@.refresh_lock_key() IS
  'The session advisory lock (one bigint key) held by a running refresh_marts; see pg_locks where locktype = ''advisory''.';

-- Refresh one mart (or the dimensions, mart_name 'dims') and return its log row's facts.
CREATE FUNCTION @extschema@.refresh_one(mart_name text, concurrently boolean,
                                        OUT rows bigint, OUT refresh_mode text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
-- JIT compiles each mart's query anew on every refresh and costs seconds per
-- scan at a million rows, more than it saves on these aggregate queries.
SET jit = off
AS $$
DECLARE
    mv text;
BEGIN
    IF mart_name = 'dims' THEN
        SELECT sum(d.rows_written)::bigint INTO rows FROM @extschema@.refresh_dims() d;
        refresh_mode := 'full';
        RETURN;
    END IF;
    SELECT m.matview_name INTO STRICT mv FROM @extschema@.mart m WHERE m.mart_name = refresh_one.mart_name;
    IF refresh_one.concurrently AND (SELECT c.relispopulated FROM pg_class c
                          WHERE c.oid = format('%I.%I', '@extschema@', mv)::regclass) THEN
        EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %I.%I', '@extschema@', mv);
        refresh_mode := 'concurrently';
    ELSE
        EXECUTE format('REFRESH MATERIALIZED VIEW %I.%I', '@extschema@', mv);
        refresh_mode := 'full';
    END IF;
    EXECUTE format('SELECT count(*) FROM %I.%I', '@extschema@', mv) INTO rows;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_one(text, boolean) IS
  'Refresh one mart, CONCURRENTLY when asked and the mart is populated (else a full refresh), and count its rows; mart_name ''dims'' runs refresh_dims(). Used by refresh_marts.';

REVOKE ALL ON FUNCTION @extschema@.refresh_one(text, boolean) FROM PUBLIC;

-- Refresh the marts in order, one transaction per mart, logging each in refresh_log.
CREATE PROCEDURE @extschema@.refresh_marts(marts text[] DEFAULT NULL, concurrently boolean DEFAULT true)
LANGUAGE plpgsql
AS $$
-- No SET clause: a procedure with one cannot COMMIT.  Every name is qualified.
DECLARE
    run bigint;
    unknown text;
    holder text;
    in_block boolean := @extschema@.in_transaction_block();
    held_before boolean;
    step record;
    t0 timestamptz;
    n_rows bigint;
    mode text;
    err text;
    err_detail text;
    err_state text;
    n_failed integer := 0;
BEGIN
    IF refresh_marts.concurrently IS NULL THEN
        RAISE EXCEPTION 'concurrently must not be NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass true (readers never wait) or false.';
    END IF;
    SELECT pg_catalog.string_agg(u.m, ', ') INTO unknown
      FROM pg_catalog.unnest(marts) AS u(m)
     WHERE NOT EXISTS (SELECT FROM @extschema@.mart m WHERE m.mart_name OPERATOR(pg_catalog.=) u.m)
       AND u.m IS DISTINCT FROM 'dims';
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'unknown mart: %', unknown
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The marts are: ' || (SELECT pg_catalog.string_agg(m.mart_name, ', ' ORDER BY m.refresh_order) FROM @extschema@.mart m) || '.',
                  HINT = 'Pass NULL to refresh every mart, or names from costmodel.mart.';
    END IF;

    run := pg_catalog.nextval('@extschema@.refresh_run_seq');
    -- A session lock survives the commits below.  Taken once: a run cancelled
    -- earlier in this session may still hold it, and then it is ours.
    held_before := EXISTS (SELECT FROM pg_catalog.pg_locks l
                            WHERE l.locktype = 'advisory' AND l.pid OPERATOR(pg_catalog.=) pg_catalog.pg_backend_pid()
                              AND l.granted AND l.objsubid OPERATOR(pg_catalog.=) 1
                              AND ((l.classid::bigint OPERATOR(pg_catalog.<<) 32) OPERATOR(pg_catalog.|) l.objid::bigint)
                                  OPERATOR(pg_catalog.=) @extschema@.refresh_lock_key());
    IF NOT held_before AND NOT pg_catalog.pg_try_advisory_lock(@extschema@.refresh_lock_key()) THEN
        SELECT pg_catalog.format('pid %s, running since %s', a.pid, a.query_start) INTO holder
          FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid OPERATOR(pg_catalog.=) 1
           AND ((l.classid::bigint OPERATOR(pg_catalog.<<) 32) OPERATOR(pg_catalog.|) l.objid::bigint)
               OPERATOR(pg_catalog.=) @extschema@.refresh_lock_key()
         LIMIT 1;
        t0 := pg_catalog.clock_timestamp();
        INSERT INTO @extschema@.refresh_log (run_id, mart_name, started_at, finished_at, duration_s, status, error)
        SELECT run, m.mart_name, t0, t0, 0, 'skipped',
               'another refresh_marts run holds the lock (' || COALESCE(holder, 'pid unknown') || ')'
          FROM @extschema@.mart m
         WHERE marts IS NULL OR m.mart_name OPERATOR(pg_catalog.=) ANY (marts)
         ORDER BY m.refresh_order;
        RAISE NOTICE 'refresh_marts: skipped, another run holds the lock (%)', COALESCE(holder, 'pid unknown');
        RETURN;
    END IF;
    IF in_block THEN
        RAISE NOTICE 'refresh_marts: inside a transaction block, the marts commit with your transaction'
            USING HINT = 'CALL costmodel.refresh_marts() outside BEGIN ... COMMIT to commit after each mart.';
    END IF;

    FOR step IN
        SELECT 'dims' AS mart_name, 0 AS refresh_order
         WHERE marts IS NULL OR 'dims' OPERATOR(pg_catalog.=) ANY (marts)
        UNION ALL
        SELECT m.mart_name, m.refresh_order FROM @extschema@.mart m
         WHERE marts IS NULL OR m.mart_name OPERATOR(pg_catalog.=) ANY (marts)
        ORDER BY 2
    LOOP
        t0 := pg_catalog.clock_timestamp();
        err := NULL; err_state := NULL; n_rows := NULL; mode := NULL;
        BEGIN
            SELECT o.rows, o.refresh_mode INTO n_rows, mode
              FROM @extschema@.refresh_one(step.mart_name, refresh_marts.concurrently) o;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS err = MESSAGE_TEXT, err_detail = PG_EXCEPTION_DETAIL, err_state = RETURNED_SQLSTATE;
            IF err_detail <> '' THEN err := err || ' (' || err_detail || ')'; END IF;
            n_failed := n_failed + 1;
        END;
        INSERT INTO @extschema@.refresh_log (run_id, mart_name, started_at, finished_at, duration_s, rows,
                                             status, refresh_mode, error, error_sqlstate)
        VALUES (run, step.mart_name, t0, pg_catalog.clock_timestamp(),
                pg_catalog.round(EXTRACT(epoch FROM pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) t0), 3),
                n_rows, CASE WHEN err IS NULL THEN 'ok' ELSE 'failed' END, mode, err, err_state);
        IF err IS NOT NULL THEN
            RAISE WARNING 'refresh_marts: mart % failed: %', step.mart_name, err;
        END IF;
        IF NOT in_block THEN
            COMMIT;
        END IF;
    END LOOP;
    PERFORM pg_catalog.pg_advisory_unlock(@extschema@.refresh_lock_key());
    -- Outside a transaction block every mart is committed by now: end with an
    -- error naming the failures, so that pg_cron's job_run_details (and any
    -- caller) sees the run as failed.  Inside a block, an error would roll the
    -- good marts back too, so the WARNINGs above are all.
    IF n_failed > 0 AND NOT in_block THEN
        SELECT pg_catalog.string_agg(l.mart_name || ' (' || l.error || ')', ', ' ORDER BY l.refresh_log_id),
               pg_catalog.string_agg(pg_catalog.quote_literal(l.mart_name), ', ' ORDER BY l.refresh_log_id),
               (pg_catalog.array_agg(l.error_sqlstate ORDER BY l.refresh_log_id))[1]
          INTO err, err_detail, err_state
          FROM @extschema@.refresh_log l
         WHERE l.run_id OPERATOR(pg_catalog.=) run AND l.status = 'failed';
        RAISE EXCEPTION 'refresh_marts: % failed: %', CASE WHEN n_failed = 1 THEN '1 step' ELSE n_failed || ' steps' END, err
            USING ERRCODE = err_state,
                  DETAIL = 'The other marts were refreshed and committed; see costmodel.refresh_log where run_id = ' || run || '.',
                  HINT = 'Fix the cause, then CALL costmodel.refresh_marts(ARRAY[' || err_detail || ']).';
    END IF;
END
$$;

COMMENT ON PROCEDURE @extschema@.refresh_marts(text[], boolean) IS
  'Refresh the marts (all when marts is NULL, dimensions first) in refresh order, committing after each one. CONCURRENTLY by default, so readers never wait; an unpopulated mart gets a full refresh first. A run that finds another running returns at once, logged as skipped; a failing mart is logged with its error and the others still refresh. Every step is logged in costmodel.refresh_log.';
