-- 30_windows.sql: window aggregates (repeat calls, digital-to-call leakage,
-- SLA breach, stale cases) and the per-row window flags.  Definitions and
-- examples: docs/windows.md.

-- ---------------------------------------------------------------------------
-- Result row types.
-- ---------------------------------------------------------------------------

CREATE TYPE @extschema@.repeat_call_stats_result AS (
    calls        bigint,
    repeat_calls bigint,
    repeat_rate  double precision
);
COMMENT ON TYPE @extschema@.repeat_call_stats_result IS
  'Result of repeat_call_stats: calls counted, calls that came within the window after the member''s previous call, and their share (NULL for no calls).';

CREATE TYPE @extschema@.leakage_stats_result AS (
    failures        bigint,
    leaked_failures bigint,
    leakage_rate    double precision,
    calls           bigint,
    leaked_calls    bigint
);
COMMENT ON TYPE @extschema@.leakage_stats_result IS
  'Result of leakage_stats: failed digital attempts, those followed by a call of the same member within the window, their share (NULL for no failures), calls, and calls preceded by a failure within the window.';

CREATE TYPE @extschema@.sla_stats_result AS (
    cases                 bigint,
    open_cases            bigint,
    breached              bigint,
    breach_rate           double precision,
    median_hours_to_close double precision,
    p90_hours_to_close    double precision
);
COMMENT ON TYPE @extschema@.sla_stats_result IS
  'Result of sla_stats: cases, open cases, cases over the SLA (closed late, or open longer than the SLA at as_of), their share, and the exact median and 90th percentile of hours to close over closed cases (as percentile_cont).';

CREATE TYPE @extschema@.stale_stats_result AS (
    open_cases  bigint,
    stale_cases bigint,
    stale_rate  double precision
);
COMMENT ON TYPE @extschema@.stale_stats_result IS
  'Result of stale_stats: open cases, open cases untouched for longer than the threshold at as_of, and their share (NULL for no open cases).';

-- ---------------------------------------------------------------------------
-- Support functions.  internal-state functions cannot be called from SQL.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.repeat_call_stats_trans(internal, text, timestamptz)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_repeat_call_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.repeat_call_stats_trans(internal, text, timestamptz, interval)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_repeat_call_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.repeat_call_stats_final(internal)
RETURNS @extschema@.repeat_call_stats_result
AS 'MODULE_PATHNAME', 'costmodel_repeat_call_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.leakage_stats_trans(internal, text, timestamptz, boolean, boolean)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_leakage_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.leakage_stats_trans(internal, text, timestamptz, boolean, boolean, interval)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_leakage_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.leakage_stats_final(internal)
RETURNS @extschema@.leakage_stats_result
AS 'MODULE_PATHNAME', 'costmodel_leakage_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.window_events_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_window_events_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.window_events_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'costmodel_window_events_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.window_events_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_window_events_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- sla_stats and stale_stats read now() (the transaction start) when as_of
-- is omitted, so those transition functions are STABLE.
CREATE FUNCTION @extschema@.sla_stats_trans(internal, timestamptz, timestamptz)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_sla_trans'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_stats_trans(internal, timestamptz, timestamptz, interval)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_sla_trans'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_stats_trans(internal, timestamptz, timestamptz, interval, timestamptz)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_sla_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.sla_stats_final(internal)
RETURNS @extschema@.sla_stats_result
AS 'MODULE_PATHNAME', 'costmodel_sla_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.stale_stats_trans(internal, timestamptz, boolean)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_stale_trans'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.stale_stats_trans(internal, timestamptz, boolean, interval)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_stale_trans'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.stale_stats_trans(internal, timestamptz, boolean, interval, timestamptz)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_stale_trans'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.stale_stats_final(internal)
RETURNS @extschema@.stale_stats_result
AS 'MODULE_PATHNAME', 'costmodel_stale_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.window_cases_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_window_cases_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.window_cases_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'costmodel_window_cases_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.window_cases_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'costmodel_window_cases_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.repeat_call_stats_trans(internal, text, timestamptz) IS 'Transition function of repeat_call_stats.';
COMMENT ON FUNCTION @extschema@.repeat_call_stats_trans(internal, text, timestamptz, interval) IS 'Transition function of repeat_call_stats.';
COMMENT ON FUNCTION @extschema@.repeat_call_stats_final(internal) IS 'Final function of repeat_call_stats.';
COMMENT ON FUNCTION @extschema@.leakage_stats_trans(internal, text, timestamptz, boolean, boolean) IS 'Transition function of leakage_stats.';
COMMENT ON FUNCTION @extschema@.leakage_stats_trans(internal, text, timestamptz, boolean, boolean, interval) IS 'Transition function of leakage_stats.';
COMMENT ON FUNCTION @extschema@.leakage_stats_final(internal) IS 'Final function of leakage_stats.';
COMMENT ON FUNCTION @extschema@.window_events_combine(internal, internal) IS 'Combine function of repeat_call_stats and leakage_stats (parallel plans).';
COMMENT ON FUNCTION @extschema@.window_events_serialize(internal) IS 'Serialize function of repeat_call_stats and leakage_stats (parallel plans).';
COMMENT ON FUNCTION @extschema@.window_events_deserialize(bytea, internal) IS 'Deserialize function of repeat_call_stats and leakage_stats (parallel plans); checks every length.';
COMMENT ON FUNCTION @extschema@.sla_stats_trans(internal, timestamptz, timestamptz) IS 'Transition function of sla_stats.';
COMMENT ON FUNCTION @extschema@.sla_stats_trans(internal, timestamptz, timestamptz, interval) IS 'Transition function of sla_stats.';
COMMENT ON FUNCTION @extschema@.sla_stats_trans(internal, timestamptz, timestamptz, interval, timestamptz) IS 'Transition function of sla_stats.';
COMMENT ON FUNCTION @extschema@.sla_stats_final(internal) IS 'Final function of sla_stats.';
COMMENT ON FUNCTION @extschema@.stale_stats_trans(internal, timestamptz, boolean) IS 'Transition function of stale_stats.';
COMMENT ON FUNCTION @extschema@.stale_stats_trans(internal, timestamptz, boolean, interval) IS 'Transition function of stale_stats.';
COMMENT ON FUNCTION @extschema@.stale_stats_trans(internal, timestamptz, boolean, interval, timestamptz) IS 'Transition function of stale_stats.';
COMMENT ON FUNCTION @extschema@.stale_stats_final(internal) IS 'Final function of stale_stats.';
COMMENT ON FUNCTION @extschema@.window_cases_combine(internal, internal) IS 'Combine function of sla_stats and stale_stats (parallel plans).';
COMMENT ON FUNCTION @extschema@.window_cases_serialize(internal) IS 'Serialize function of sla_stats and stale_stats (parallel plans).';
COMMENT ON FUNCTION @extschema@.window_cases_deserialize(bytea, internal) IS 'Deserialize function of sla_stats and stale_stats (parallel plans); checks every length.';

-- ---------------------------------------------------------------------------
-- The aggregates.  Aggregates take no DEFAULT arguments, so each default is
-- an overload with fewer arguments.
-- ---------------------------------------------------------------------------

CREATE AGGREGATE @extschema@.repeat_call_stats(member_id text, called_at timestamptz) (
    SFUNC = @extschema@.repeat_call_stats_trans,
    STYPE = internal,
    FINALFUNC = @extschema@.repeat_call_stats_final,
    COMBINEFUNC = @extschema@.window_events_combine,
    SERIALFUNC = @extschema@.window_events_serialize,
    DESERIALFUNC = @extschema@.window_events_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.repeat_call_stats(member_id text, called_at timestamptz, within interval) (
    SFUNC = @extschema@.repeat_call_stats_trans,
    STYPE = internal,
    FINALFUNC = @extschema@.repeat_call_stats_final,
    COMBINEFUNC = @extschema@.window_events_combine,
    SERIALFUNC = @extschema@.window_events_serialize,
    DESERIALFUNC = @extschema@.window_events_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.leakage_stats(member_id text, at timestamptz, is_call boolean, is_failure boolean) (
    SFUNC = @extschema@.leakage_stats_trans,
    STYPE = internal,
    FINALFUNC = @extschema@.leakage_stats_final,
    COMBINEFUNC = @extschema@.window_events_combine,
    SERIALFUNC = @extschema@.window_events_serialize,
    DESERIALFUNC = @extschema@.window_events_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.leakage_stats(member_id text, at timestamptz, is_call boolean, is_failure boolean, within interval) (
    SFUNC = @extschema@.leakage_stats_trans,
    STYPE = internal,
    FINALFUNC = @extschema@.leakage_stats_final,
    COMBINEFUNC = @extschema@.window_events_combine,
    SERIALFUNC = @extschema@.window_events_serialize,
    DESERIALFUNC = @extschema@.window_events_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.sla_stats(opened_at timestamptz, closed_at timestamptz) (
    SFUNC = @extschema@.sla_stats_trans,
    STYPE = internal,
    FINALFUNC = @extschema@.sla_stats_final,
    COMBINEFUNC = @extschema@.window_cases_combine,
    SERIALFUNC = @extschema@.window_cases_serialize,
    DESERIALFUNC = @extschema@.window_cases_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.sla_stats(opened_at timestamptz, closed_at timestamptz, sla interval) (
    SFUNC = @extschema@.sla_stats_trans,
    STYPE = internal,
    FINALFUNC = @extschema@.sla_stats_final,
    COMBINEFUNC = @extschema@.window_cases_combine,
    SERIALFUNC = @extschema@.window_cases_serialize,
    DESERIALFUNC = @extschema@.window_cases_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.sla_stats(opened_at timestamptz, closed_at timestamptz, sla interval, as_of timestamptz) (
    SFUNC = @extschema@.sla_stats_trans,
    STYPE = internal,
    FINALFUNC = @extschema@.sla_stats_final,
    COMBINEFUNC = @extschema@.window_cases_combine,
    SERIALFUNC = @extschema@.window_cases_serialize,
    DESERIALFUNC = @extschema@.window_cases_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.stale_stats(last_touch_at timestamptz, is_open boolean) (
    SFUNC = @extschema@.stale_stats_trans,
    STYPE = internal,
    FINALFUNC = @extschema@.stale_stats_final,
    COMBINEFUNC = @extschema@.window_cases_combine,
    SERIALFUNC = @extschema@.window_cases_serialize,
    DESERIALFUNC = @extschema@.window_cases_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.stale_stats(last_touch_at timestamptz, is_open boolean, threshold interval) (
    SFUNC = @extschema@.stale_stats_trans,
    STYPE = internal,
    FINALFUNC = @extschema@.stale_stats_final,
    COMBINEFUNC = @extschema@.window_cases_combine,
    SERIALFUNC = @extschema@.window_cases_serialize,
    DESERIALFUNC = @extschema@.window_cases_deserialize,
    PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.stale_stats(last_touch_at timestamptz, is_open boolean, threshold interval, as_of timestamptz) (
    SFUNC = @extschema@.stale_stats_trans,
    STYPE = internal,
    FINALFUNC = @extschema@.stale_stats_final,
    COMBINEFUNC = @extschema@.window_cases_combine,
    SERIALFUNC = @extschema@.window_cases_serialize,
    DESERIALFUNC = @extschema@.window_cases_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE @extschema@.repeat_call_stats(text, timestamptz) IS
  'Repeat calls with the default window of 7 days (168 hours): calls, repeat_calls, repeat_rate. A call is a repeat when the same member''s previous call in the group is at most the window before it (ties are repeats). Exact; order-independent; parallel.';
COMMENT ON AGGREGATE @extschema@.repeat_call_stats(text, timestamptz, interval) IS
  'Repeat calls: calls, repeat_calls, repeat_rate. A call is a repeat when the same member''s previous call in the group is at most within before it (ties are repeats; a day is 24 hours; no months). Rows with a NULL member or time are ignored. Exact; order-independent; parallel.';
COMMENT ON AGGREGATE @extschema@.leakage_stats(text, timestamptz, boolean, boolean) IS
  'Digital-to-call leakage with the default window of 24 hours: failures, leaked_failures, leakage_rate, calls, leaked_calls.';
COMMENT ON AGGREGATE @extschema@.leakage_stats(text, timestamptz, boolean, boolean, interval) IS
  'Digital-to-call leakage: a failure at t leaked when the member calls at c with t < c <= t + within; a call is leaked (avoidable) when a failure of the member lies in [c - within, c). NULL flags are false; a call is never a failure. Exact; order-independent; parallel.';
COMMENT ON AGGREGATE @extschema@.sla_stats(timestamptz, timestamptz) IS
  'SLA with the default of 7 days, as of now(): cases, open_cases, breached, breach_rate, median and p90 hours to close.';
COMMENT ON AGGREGATE @extschema@.sla_stats(timestamptz, timestamptz, interval) IS
  'SLA as of now(): cases, open_cases, breached, breach_rate, median and p90 hours to close.';
COMMENT ON AGGREGATE @extschema@.sla_stats(timestamptz, timestamptz, interval, timestamptz) IS
  'SLA: a case is breached when closed_at - opened_at > sla, or when it is open (closed_at NULL) and as_of - opened_at > sla. Percentiles are exact (percentile_cont) over closed cases. Rows with a NULL opened_at are ignored.';
COMMENT ON AGGREGATE @extschema@.stale_stats(timestamptz, boolean) IS
  'Stale open cases with the default threshold of 48 hours, as of now(): open_cases, stale_cases, stale_rate.';
COMMENT ON AGGREGATE @extschema@.stale_stats(timestamptz, boolean, interval) IS
  'Stale open cases as of now(): open_cases, stale_cases, stale_rate.';
COMMENT ON AGGREGATE @extschema@.stale_stats(timestamptz, boolean, interval, timestamptz) IS
  'Stale open cases: an open case (is_open true) is stale when as_of - last_touch_at > threshold. Rows with a NULL last_touch_at or an is_open that is not true are not counted.';

-- ---------------------------------------------------------------------------
-- Memory of repeat_call_stats and leakage_stats, for the last statement.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.window_memory_stats()
RETURNS TABLE (aggregate text, role text, groups bigint, events bigint, members bigint,
               events_at_peak bigint, state_bytes bigint, dictionary_bytes bigint,
               peak_bytes bigint, bytes_per_event double precision)
AS 'MODULE_PATHNAME', 'costmodel_window_memory_stats'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

COMMENT ON FUNCTION @extschema@.window_memory_stats() IS
  'Memory that repeat_call_stats and leakage_stats used in this session''s last statement that ran them (call it in the next statement): one row per aggregate call and plan node (role transition, or combine for the leader''s side of a parallel plan), with its groups, events, distinct members, and at its peak the events held, the bytes of the groups'' states, of the shared member dictionary, their sum, and that sum per event held. Parallel workers'' memory is not included.';

-- ---------------------------------------------------------------------------
-- Per-row flags, as window functions over one member's rows in time order.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.is_repeat_call(called_at timestamptz, within interval DEFAULT '7 days')
RETURNS boolean
AS 'MODULE_PATHNAME', 'costmodel_is_repeat_call'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.leaked_to_call(at timestamptz, is_call boolean, is_failure boolean,
                                            within interval DEFAULT '24 hours')
RETURNS boolean
AS 'MODULE_PATHNAME', 'costmodel_leaked_to_call'
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.is_repeat_call(timestamptz, interval) IS
  'Window function, OVER (PARTITION BY member_id ORDER BY called_at): true when the previous call is at most within before this one, false for the first call, NULL for a NULL time. Counting the true rows gives repeat_call_stats.';
COMMENT ON FUNCTION @extschema@.leaked_to_call(timestamptz, boolean, boolean, interval) IS
  'Window function, OVER (PARTITION BY member_id ORDER BY at): for a failure, whether a call follows within the window (leaked failure); for a call, whether a failure precedes it within the window (leaked call); NULL for other rows and NULL times.';
