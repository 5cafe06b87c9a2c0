-- 47_marts_schedule.sql: schedule_refresh / unschedule_refresh through pg_cron,
-- which is optional (not in requires) and may live in another database.

-- pg_cron in database cron_db: schedule or unschedule a job (see extension/marts.c).
CREATE FUNCTION @extschema@.cron_call(cron_db text, action text, job_name text,
                                      schedule text DEFAULT NULL, command text DEFAULT NULL,
                                      target_db text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'cm_cron_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.cron_call(text, text, text, text, text, text) IS
  'Run cron.schedule_in_database (action schedule: returns the job id) or cron.unschedule of the named job (action unschedule: returns jobs removed) in database cron_db, over a connection to this server as the current role. Used by schedule_refresh when pg_cron lives in another database.';

REVOKE ALL ON FUNCTION @extschema@.cron_call(text, text, text, text, text, text) FROM PUBLIC;

-- The database pg_cron runs in; raises with install instructions when pg_cron is not loaded.
CREATE FUNCTION @extschema@.cron_database()
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    db text := current_setting('cron.database_name', true);
BEGIN
    -- cron.database_name may be set in postgresql.conf without pg_cron being
    -- loaded (a placeholder setting); its launcher is the proof that it runs.
    IF db IS NULL OR db = '' OR NOT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher') THEN
        RAISE EXCEPTION 'pg_cron is not loaded in this server'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'schedule_refresh runs refresh_marts through pg_cron, which must be preloaded.',
                  HINT = format('Install pg_cron (Debian: apt-get install postgresql-%s-cron), set shared_preload_libraries = ''pg_cron'' and cron.database_name = ''%s'' in postgresql.conf, restart the server, then run CREATE EXTENSION pg_cron in that database. Or refresh by hand: CALL costmodel.refresh_marts().',
                                current_setting('server_version_num')::int / 10000, current_database());
    END IF;
    IF db = current_database() AND NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_cron') THEN
        RAISE EXCEPTION 'pg_cron is loaded but not created in database "%"', db
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run CREATE EXTENSION pg_cron in this database (cron.database_name).';
    END IF;
    RETURN db;
END
$$;

COMMENT ON FUNCTION @extschema@.cron_database() IS
  'The database where pg_cron keeps its jobs (cron.database_name); raises 55000 with install instructions when pg_cron is not preloaded.';

-- The pg_cron job name of this database's mart refresh.
CREATE FUNCTION @extschema@.refresh_job_name()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN 'costmodel_refresh_marts:' OPERATOR(pg_catalog.||) pg_catalog.current_database();

COMMENT ON FUNCTION @extschema@.refresh_job_name() IS
  'The pg_cron job name used by schedule_refresh for this database: costmodel_refresh_marts:<database>.';

-- Schedule CALL costmodel.refresh_marts() with pg_cron; idempotent; returns the job id.
CREATE FUNCTION @extschema@.schedule_refresh(schedule text DEFAULT '*/15 * * * *')
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    db text := @extschema@.cron_database();
    job text := @extschema@.refresh_job_name();
    cmd constant text := 'CALL @extschema@.refresh_marts()';
    id bigint;
BEGIN
    IF schedule IS NULL OR btrim(schedule) = '' THEN
        RAISE EXCEPTION 'schedule must not be empty'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give a cron schedule, for example ''*/15 * * * *'' (every 15 minutes).';
    END IF;
    -- Remove an earlier job of the same name first: calling again replaces it.
    PERFORM @extschema@.unschedule_refresh();
    IF db = current_database() THEN
        EXECUTE 'SELECT cron.schedule_in_database($1, $2, $3, $4)' INTO id USING job, schedule, cmd, db;
    ELSE
        id := @extschema@.cron_call(db, 'schedule', job, schedule, cmd, current_database());
    END IF;
    RETURN id;
END
$$;

COMMENT ON FUNCTION @extschema@.schedule_refresh(text) IS
  'Schedule CALL costmodel.refresh_marts() in this database with pg_cron (cron.schedule_in_database, also when pg_cron lives in another database). Calling it again replaces the schedule. Returns the pg_cron job id; see cron.job and cron.job_run_details.';

-- Remove the pg_cron job of schedule_refresh; true when there was one.
CREATE FUNCTION @extschema@.unschedule_refresh()
RETURNS boolean
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    db text := @extschema@.cron_database();
    job text := @extschema@.refresh_job_name();
    n bigint;
BEGIN
    IF db = current_database() THEN
        EXECUTE 'SELECT count(cron.unschedule(j.jobid)) FROM cron.job j WHERE j.jobname = $1 AND j.username = current_user'
           INTO n USING job;
    ELSE
        n := @extschema@.cron_call(db, 'unschedule', job);
    END IF;
    RETURN n > 0;
END
$$;

COMMENT ON FUNCTION @extschema@.unschedule_refresh() IS
  'Remove the pg_cron job made by schedule_refresh for this database; true when there was one, false otherwise (idempotent).';

REVOKE ALL ON FUNCTION @extschema@.schedule_refresh(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.unschedule_refresh() FROM PUBLIC;
