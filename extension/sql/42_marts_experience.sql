-- 42_marts_experience.sql: the member-experience marts (experience_daily,
-- digital_call_leakage, repeat_calls, top_opportunities, segment_experience)
-- and the member_journey view.  docs/marts-experience.md describes every
-- column and rule.
--
-- Shared rules, each written once below:
--   * a day is the UTC calendar day of an event;
--   * a member's plan type, segment and join date at an event come from the
--     dim_member version valid at the event's time (type 2); an event before
--     the member's first version takes the first version; a member missing
--     from dim_member is 'unknown' (refresh_marts refreshes the dimensions
--     first);
--   * repeat calls and digital-to-call leakage are flagged per event by the
--     window functions is_repeat_call and leaked_to_call over each member's
--     whole history, then counted in any breakdown, so counts add up across
--     marts and roll-ups;
--   * the estimated cost of a call is cost_per_call + cost_per_minute x
--     handle time, rounded to the cent per call (call_cost).

-- ---------------------------------------------------------------------------
-- Rules, as small functions (inlined by the planner).
-- ---------------------------------------------------------------------------

-- The estimated cost of one call, in dollars rounded to the cent.
CREATE FUNCTION @extschema@.call_cost(handle_time_minutes numeric, cost_per_call numeric, cost_per_minute numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.round(cost_per_call + cost_per_minute * COALESCE(handle_time_minutes, 0), 2);

COMMENT ON FUNCTION @extschema@.call_cost(numeric, numeric, numeric) IS
  'Estimated cost of one call: cost_per_call + cost_per_minute x handle_time_minutes, rounded half away from zero to the cent; a NULL handle time costs cost_per_call alone. The experience marts pass the settings cost_per_call and cost_per_minute.';

-- Whether a call counts as negative emotion.
CREATE FUNCTION @extschema@.is_negative_call(sentiment_score numeric, sentiment text, threshold numeric)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN COALESCE(CASE WHEN sentiment_score IS NOT NULL THEN sentiment_score <= threshold
                     ELSE sentiment = 'negative' END, false);

COMMENT ON FUNCTION @extschema@.is_negative_call(numeric, text, numeric) IS
  'True when a call shows negative emotion: its sentiment_score is at or below threshold (the setting negative_sentiment_threshold); without a score, when its sentiment label is negative; false when both are NULL.';

-- Whole months from join_date to on_date (0 for a day before joining).
CREATE FUNCTION @extschema@.tenure_months(join_date date, on_date date)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN join_date IS NULL OR on_date IS NULL THEN NULL
            ELSE pg_catalog.int4larger(0,
                   (pg_catalog.date_part('year', pg_catalog.age(on_date::timestamp, join_date::timestamp)) * 12
                    + pg_catalog.date_part('month', pg_catalog.age(on_date::timestamp, join_date::timestamp)))::integer)
       END;

COMMENT ON FUNCTION @extschema@.tenure_months(date, date) IS
  'Whole calendar months from join_date to on_date (as age() counts them: 2025-01-31 to 2025-02-28 is 0, to 2025-03-01 is 1); 0 for a day before join_date; NULL when either is NULL.';

-- The tenure buckets, from the settings tenure_bucket_1/2/3_months.
CREATE FUNCTION @extschema@.tenure_buckets()
RETURNS TABLE (bucket_order smallint, tenure_bucket text, min_months integer, max_months integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 4
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e integer[] := ARRAY[0,
                         @extschema@.setting_integer('tenure_bucket_1_months'),
                         @extschema@.setting_integer('tenure_bucket_2_months'),
                         @extschema@.setting_integer('tenure_bucket_3_months')];
BEGIN
    IF NOT (e[2] < e[3] AND e[3] < e[4]) THEN
        RAISE EXCEPTION 'tenure buckets: the edges must ascend'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('tenure_bucket_1_months = %s, tenure_bucket_2_months = %s, tenure_bucket_3_months = %s.',
                                  e[2], e[3], e[4]),
                  HINT = 'Set them so that tenure_bucket_1_months < tenure_bucket_2_months < tenure_bucket_3_months, e.g. 6, 24, 60.';
    END IF;
    FOR i IN 1..3 LOOP
        bucket_order := i;
        min_months := e[i];
        max_months := e[i + 1];
        tenure_bucket := CASE WHEN max_months - 1 = min_months THEN format('%s months', min_months)
                              ELSE format('%s-%s months', min_months, max_months - 1) END;
        RETURN NEXT;
    END LOOP;
    bucket_order := 4;
    min_months := e[4];
    max_months := NULL;
    tenure_bucket := format('%s+ months', e[4]);
    RETURN NEXT;
END
$$;

COMMENT ON FUNCTION @extschema@.tenure_buckets() IS
  'The four tenure buckets of the experience marts: [0, t1), [t1, t2), [t2, t3), [t3, ...) months with t1..t3 the settings tenure_bucket_1/2/3_months (default 6, 24, 60), labelled e.g. "0-5 months" and "60+ months". Raises 22023 when the edges do not ascend.';

-- ---------------------------------------------------------------------------
-- Internal views the marts are built from (member-level: not for BI).
-- ---------------------------------------------------------------------------

-- The settings the experience marts read, once per query.  The view reads
-- the (validated) settings table itself instead of calling the setting_*
-- accessors: a view reads tables with its owner's rights, but functions run
-- with the caller's, so member_journey would otherwise need the caller to
-- read costmodel.settings.  The casts are those of the accessors.
CREATE VIEW @extschema@.experience_settings AS
SELECT pg_catalog.max(s.value) FILTER (WHERE s.name = 'cost_per_call')::numeric AS cost_per_call,
       pg_catalog.max(s.value) FILTER (WHERE s.name = 'cost_per_minute')::numeric AS cost_per_minute,
       pg_catalog.max(s.value) FILTER (WHERE s.name = 'repeat_call_window')::interval AS repeat_call_window,
       pg_catalog.max(s.value) FILTER (WHERE s.name = 'leakage_window')::interval AS leakage_window,
       pg_catalog.max(s.value) FILTER (WHERE s.name = 'negative_sentiment_threshold')::numeric AS negative_sentiment_threshold,
       pg_catalog.max(s.value) FILTER (WHERE s.name = 'high_handle_time_threshold')::numeric AS high_handle_time_threshold
  FROM @extschema@.settings s;

COMMENT ON VIEW @extschema@.experience_settings IS
  'Internal: the settings of the experience marts as one row, read once per query (cost_per_call, cost_per_minute, repeat_call_window, leakage_window, negative_sentiment_threshold, high_handle_time_threshold).';

-- Each dim_member version over the span of time it describes.
CREATE VIEW @extschema@.experience_member_span AS
SELECT d.member_id, d.plan_type, d.segment,
       pg_catalog.max(d.join_date) FILTER (WHERE d.is_current) OVER m AS join_date,
       CASE WHEN d.valid_from = pg_catalog.min(d.valid_from) OVER m THEN '-infinity'::timestamptz
            ELSE d.valid_from END AS span_from,
       COALESCE(d.valid_to, 'infinity'::timestamptz) AS span_to
  FROM @extschema@.dim_member d
WINDOW m AS (PARTITION BY d.member_id);

COMMENT ON VIEW @extschema@.experience_member_span IS
  'Internal: each dim_member version with the span [span_from, span_to) of event times it applies to: the first version also covers everything before it, the current one everything after; join_date is the current version''s.';

-- One row per call with its flags and cost (no member attributes).
CREATE VIEW @extschema@.experience_call_flags AS
SELECT c.call_id, c.member_id, c.called_at,
       (c.called_at AT TIME ZONE 'UTC')::date AS call_date,
       c.call_topic,
       c.handle_time_minutes,
       c.sentiment_score,
       @extschema@.is_negative_call(c.sentiment_score, c.sentiment, s.negative_sentiment_threshold) AS is_negative,
       COALESCE(c.transferred, false) AS is_transferred,
       COALESCE(NOT c.resolved, false) AS is_unresolved,
       COALESCE(c.handle_time_minutes > s.high_handle_time_threshold, false) AS is_high_handle,
       @extschema@.call_cost(c.handle_time_minutes, s.cost_per_call, s.cost_per_minute) AS call_cost,
       @extschema@.is_repeat_call(c.called_at, s.repeat_call_window)
           OVER (PARTITION BY c.member_id ORDER BY c.called_at, c.call_id) AS is_repeat
  FROM @extschema@.calls c
 CROSS JOIN @extschema@.experience_settings s;

COMMENT ON VIEW @extschema@.experience_call_flags IS
  'Internal: one row per call with its UTC day, negative / transferred / unresolved / high-handle-time flags, estimated cost, and the repeat flag (is_repeat_call over the member''s calls in time order, repeat_call_window; of calls at the same instant the one with the lower call_id comes first, so the later ones are the repeats).';

-- One row per call with its flags and the member's attributes at the call.
CREATE VIEW @extschema@.experience_call_facts AS
SELECT f.*,
       COALESCE(m.plan_type, 'unknown') AS plan_type,
       COALESCE(m.segment, 'unknown') AS segment,
       @extschema@.tenure_months(m.join_date, f.call_date) AS tenure_months
  FROM @extschema@.experience_call_flags f
  LEFT JOIN @extschema@.experience_member_span m
         ON m.member_id = f.member_id AND f.called_at >= m.span_from AND f.called_at < m.span_to;

COMMENT ON VIEW @extschema@.experience_call_facts IS
  'Internal: experience_call_flags with the plan type, segment and tenure of the member at the call.';

-- Calls and failed digital attempts with their leakage flags.
CREATE VIEW @extschema@.experience_leakage_events AS
SELECT e.member_id, e.event_at, e.is_call, e.event_id,
       @extschema@.leaked_to_call(e.event_at, e.is_call, NOT e.is_call, s.leakage_window) OVER w AS leaked,
       pg_catalog.count(*) FILTER (WHERE NOT e.is_call) OVER w AS failure_seq,
       e.handle_time_minutes, e.interaction_type, e.failure_reason, e.outcome
  FROM (SELECT c.member_id, c.called_at AS event_at, true AS is_call, c.call_id AS event_id,
               c.handle_time_minutes, NULL::text AS interaction_type, NULL::text AS failure_reason, NULL::text AS outcome
          FROM @extschema@.calls c
        UNION ALL
        SELECT d.member_id, d.interacted_at, false, d.interaction_id,
               NULL, d.interaction_type, COALESCE(d.failure_reason, 'unknown'), d.outcome
          FROM @extschema@.digital_interactions d
         WHERE d.outcome IN ('failure', 'abandoned')) e
 CROSS JOIN @extschema@.experience_settings s
WINDOW w AS (PARTITION BY e.member_id ORDER BY e.event_at, e.is_call DESC, e.event_id
             ROWS UNBOUNDED PRECEDING);

COMMENT ON VIEW @extschema@.experience_leakage_events IS
  'Internal: every call and every failed (failure or abandoned) digital attempt, with leaked from leaked_to_call over the member''s events (leakage_window): a failure followed by a call, a call preceded by a failure. failure_seq numbers a member''s failures in time order (at the same instant: calls first, then by id); on a call it is the number of the member''s latest failure before the call, so a leaked call joins the failure it is attributed to. Calls carry their handle time, failures their type, reason (unknown when NULL) and outcome.';

-- ---------------------------------------------------------------------------
-- experience_daily: the executive KPIs per day.  Grain: day.
-- ---------------------------------------------------------------------------

CREATE MATERIALIZED VIEW @extschema@.mv_experience_daily AS
WITH c AS (
    SELECT f.call_date AS day_date,
           pg_catalog.count(*) AS calls,
           pg_catalog.count(*) FILTER (WHERE f.is_repeat) AS repeat_calls,
           pg_catalog.count(*) FILTER (WHERE f.is_negative) AS negative_calls,
           pg_catalog.sum(f.handle_time_minutes) AS total_handle_minutes,
           pg_catalog.round(pg_catalog.avg(f.handle_time_minutes), 2) AS avg_handle_minutes,
           pg_catalog.sum(f.call_cost) AS estimated_call_cost
      FROM @extschema@.experience_call_flags f
     GROUP BY f.call_date
), d AS (
    SELECT (i.interacted_at AT TIME ZONE 'UTC')::date AS day_date,
           pg_catalog.count(*) AS digital_interactions,
           pg_catalog.count(*) FILTER (WHERE i.outcome = 'success') AS digital_successes
      FROM @extschema@.digital_interactions i
     GROUP BY 1
), s AS (
    SELECT (v.surveyed_at AT TIME ZONE 'UTC')::date AS day_date,
           pg_catalog.count(*) AS survey_responses,
           pg_catalog.count(v.nps_score) AS nps_responses,
           pg_catalog.count(*) FILTER (WHERE v.nps_score >= 9) AS nps_promoters,
           pg_catalog.count(*) FILTER (WHERE v.nps_score <= 6) AS nps_detractors,
           pg_catalog.count(v.csat_score) AS csat_responses,
           pg_catalog.count(*) FILTER (WHERE v.csat_score >= 4) AS csat_satisfied,
           pg_catalog.avg(v.csat_score)::double precision AS avg_csat_score
      FROM @extschema@.surveys v
     GROUP BY 1
), days AS (
    SELECT day_date FROM c UNION SELECT day_date FROM d UNION SELECT day_date FROM s
)
SELECT days.day_date,
       dd.week_start_date, dd.month_start_date, dd.fiscal_year, dd.fiscal_quarter,
       COALESCE(c.calls, 0)::bigint AS calls,
       COALESCE(c.repeat_calls, 0)::bigint AS repeat_calls,
       100.0::double precision * c.repeat_calls / NULLIF(c.calls, 0) AS repeat_call_pct,
       COALESCE(c.negative_calls, 0)::bigint AS negative_calls,
       100.0::double precision * c.negative_calls / NULLIF(c.calls, 0) AS negative_pct,
       COALESCE(c.total_handle_minutes, 0)::numeric AS total_handle_minutes,
       c.avg_handle_minutes::numeric AS avg_handle_minutes,
       COALESCE(c.estimated_call_cost, 0)::numeric(14,2) AS estimated_call_cost,
       pg_catalog.round(c.estimated_call_cost / NULLIF(c.calls, 0), 2)::numeric(14,2) AS avg_call_cost,
       COALESCE(d.digital_interactions, 0)::bigint AS digital_interactions,
       COALESCE(d.digital_successes, 0)::bigint AS digital_successes,
       d.digital_successes::double precision / NULLIF(d.digital_interactions, 0) AS digital_success_rate,
       COALESCE(s.survey_responses, 0)::bigint AS survey_responses,
       COALESCE(s.nps_responses, 0)::bigint AS nps_responses,
       COALESCE(s.nps_promoters, 0)::bigint AS nps_promoters,
       COALESCE(s.nps_detractors, 0)::bigint AS nps_detractors,
       100.0::double precision * (s.nps_promoters - s.nps_detractors) / NULLIF(s.nps_responses, 0) AS nps,
       COALESCE(s.csat_responses, 0)::bigint AS csat_responses,
       COALESCE(s.csat_satisfied, 0)::bigint AS csat_satisfied,
       100.0::double precision * s.csat_satisfied / NULLIF(s.csat_responses, 0) AS csat_pct,
       s.avg_csat_score
  FROM days
  LEFT JOIN c ON c.day_date = days.day_date
  LEFT JOIN d ON d.day_date = days.day_date
  LEFT JOIN s ON s.day_date = days.day_date
  LEFT JOIN @extschema@.dim_date dd ON dd.date_key = days.day_date
WITH DATA;

CREATE UNIQUE INDEX mv_experience_daily_key ON @extschema@.mv_experience_daily (day_date);
CREATE INDEX mv_experience_daily_month ON @extschema@.mv_experience_daily (month_start_date);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_experience_daily IS
  'Executive member-experience KPIs per day: calls, repeat-call %, negative-emotion %, handle time, estimated call cost, digital success rate, NPS and CSAT. Grain: day (UTC) on which any call, digital interaction or survey response happened. Counts add up over days (repeat flags look across days); roll up rates as sums of their counts. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.day_date IS 'The UTC calendar day (grain).';
COMMENT ON COLUMN @extschema@.mv_experience_daily.week_start_date IS 'dim_date: the Monday that starts the ISO week of day_date.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.month_start_date IS 'dim_date: the first day of the month of day_date.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.fiscal_year IS 'dim_date: the fiscal year of day_date (setting fiscal_year_start_month).';
COMMENT ON COLUMN @extschema@.mv_experience_daily.fiscal_quarter IS 'dim_date: the fiscal quarter of day_date, 1-4.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.calls IS 'Calls that started that day.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.repeat_calls IS 'Of those, repeat calls: the same member''s previous call (any day, any topic) was at most repeat_call_window before (is_repeat_call).';
COMMENT ON COLUMN @extschema@.mv_experience_daily.repeat_call_pct IS 'Repeat-call %: 100 x repeat_calls / calls (0-100); NULL without calls.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.negative_calls IS 'Calls with negative emotion: sentiment_score at or below negative_sentiment_threshold, or without a score a negative sentiment label (is_negative_call).';
COMMENT ON COLUMN @extschema@.mv_experience_daily.negative_pct IS 'Negative-emotion %: 100 x negative_calls / calls (0-100); NULL without calls.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.total_handle_minutes IS 'Sum of handle_time_minutes of the day''s calls (calls without a handle time add nothing).';
COMMENT ON COLUMN @extschema@.mv_experience_daily.avg_handle_minutes IS 'Average handle time in minutes over the calls that have one, rounded to 0.01; NULL when none has.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.estimated_call_cost IS 'Estimated cost of the day''s calls in dollars: the sum over calls of cost_per_call + cost_per_minute x handle time, each rounded to the cent (call_cost).';
COMMENT ON COLUMN @extschema@.mv_experience_daily.avg_call_cost IS 'estimated_call_cost / calls, rounded to the cent; NULL without calls.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.digital_interactions IS 'Digital (web and app) interactions that started that day.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.digital_successes IS 'Of those, interactions with outcome success.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.digital_success_rate IS 'Digital success rate: digital_successes / digital_interactions (0-1); NULL without interactions.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.survey_responses IS 'Survey responses submitted that day (any type).';
COMMENT ON COLUMN @extschema@.mv_experience_daily.nps_responses IS 'Responses with an NPS score (0-10).';
COMMENT ON COLUMN @extschema@.mv_experience_daily.nps_promoters IS 'Promoters: NPS score 9 or 10.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.nps_detractors IS 'Detractors: NPS score 0 to 6.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.nps IS 'Net Promoter Score: 100 x (promoters - detractors) / nps_responses (-100 to 100); NULL without NPS responses.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.csat_responses IS 'Responses with a CSAT score (1-5).';
COMMENT ON COLUMN @extschema@.mv_experience_daily.csat_satisfied IS 'Satisfied responses: CSAT 4 or 5 (top two boxes).';
COMMENT ON COLUMN @extschema@.mv_experience_daily.csat_pct IS 'CSAT %: 100 x csat_satisfied / csat_responses (0-100); NULL without CSAT responses.';
COMMENT ON COLUMN @extschema@.mv_experience_daily.avg_csat_score IS 'Average CSAT score (1-5) over the responses that have one; NULL when none has.';

SELECT @extschema@.mart_publish('experience_daily', 200, 'experience');

-- ---------------------------------------------------------------------------
-- digital_call_leakage: failed digital attempts that turned into calls.
-- Grain: interaction type x failure reason x plan type x segment.
-- ---------------------------------------------------------------------------

CREATE MATERIALIZED VIEW @extschema@.mv_digital_call_leakage AS
WITH ev AS (
    SELECT * FROM @extschema@.experience_leakage_events
), fail AS (
    SELECT ev.member_id, ev.failure_seq, ev.leaked, ev.interaction_type, ev.failure_reason, ev.outcome,
           COALESCE(m.plan_type, 'unknown') AS plan_type, COALESCE(m.segment, 'unknown') AS segment
      FROM ev
      LEFT JOIN @extschema@.experience_member_span m
             ON m.member_id = ev.member_id AND ev.event_at >= m.span_from AND ev.event_at < m.span_to
     WHERE NOT ev.is_call
), attributed AS (
    SELECT fl.interaction_type, fl.failure_reason, fl.plan_type, fl.segment,
           pg_catalog.count(*) AS avoidable_calls,
           pg_catalog.sum(@extschema@.call_cost(lc.handle_time_minutes, s.cost_per_call, s.cost_per_minute)) AS avoidable_call_cost
      FROM ev lc
      JOIN fail fl ON fl.member_id = lc.member_id AND fl.failure_seq = lc.failure_seq
     CROSS JOIN @extschema@.experience_settings s
     WHERE lc.is_call AND lc.leaked
     GROUP BY 1, 2, 3, 4
), failures AS (
    SELECT fl.interaction_type, fl.failure_reason, fl.plan_type, fl.segment,
           pg_catalog.count(*) AS failures,
           pg_catalog.count(*) FILTER (WHERE fl.outcome = 'abandoned') AS abandoned_failures,
           pg_catalog.count(*) FILTER (WHERE fl.leaked) AS leaked_failures
      FROM fail fl
     GROUP BY 1, 2, 3, 4
)
SELECT f.interaction_type, f.failure_reason, f.plan_type, f.segment,
       f.failures::bigint AS failures,
       f.abandoned_failures::bigint AS abandoned_failures,
       f.leaked_failures::bigint AS leaked_failures,
       f.leaked_failures::double precision / f.failures AS leakage_rate,
       COALESCE(a.avoidable_calls, 0)::bigint AS avoidable_calls,
       COALESCE(a.avoidable_call_cost, 0)::numeric(14,2) AS avoidable_call_cost
  FROM failures f
  LEFT JOIN attributed a USING (interaction_type, failure_reason, plan_type, segment)
WITH DATA;

CREATE UNIQUE INDEX mv_digital_call_leakage_key
    ON @extschema@.mv_digital_call_leakage (interaction_type, failure_reason, plan_type, segment);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_digital_call_leakage IS
  'Digital-to-call leakage: failed digital attempts (outcome failure or abandoned), how many were followed by a call of the same member within leakage_window, and the calls that followed them and their estimated cost (avoidable if the digital attempt had worked). Grain: interaction type x failure reason x plan type x segment (at the time of the attempt). Each leaked call is counted once, for the member''s latest failure before it, so avoidable_calls add up to the leaked calls of leakage_stats. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_digital_call_leakage.interaction_type IS 'What the member tried (digital_interactions.interaction_type), e.g. login, bill_pay (grain).';
COMMENT ON COLUMN @extschema@.mv_digital_call_leakage.failure_reason IS 'Why it failed or was abandoned, e.g. session_timeout; unknown when not given (grain).';
COMMENT ON COLUMN @extschema@.mv_digital_call_leakage.plan_type IS 'The member''s plan type at the attempt (dim_member version then valid); unknown when the member is not in dim_member (grain).';
COMMENT ON COLUMN @extschema@.mv_digital_call_leakage.segment IS 'The member''s value segment at the attempt (dim_member version then valid); unknown when the member is not in dim_member (grain).';
COMMENT ON COLUMN @extschema@.mv_digital_call_leakage.failures IS 'Failed digital attempts: outcome failure or abandoned.';
COMMENT ON COLUMN @extschema@.mv_digital_call_leakage.abandoned_failures IS 'Of those, attempts the member abandoned (the rest failed on the system side).';
COMMENT ON COLUMN @extschema@.mv_digital_call_leakage.leaked_failures IS 'Failures followed by a call of the same member within leakage_window: t < call <= t + window (leaked_to_call).';
COMMENT ON COLUMN @extschema@.mv_digital_call_leakage.leakage_rate IS 'Leakage rate: leaked_failures / failures (0-1).';
COMMENT ON COLUMN @extschema@.mv_digital_call_leakage.avoidable_calls IS 'Leaked calls attributed to these failures: calls with a failure of the member within leakage_window before them (leaked_to_call), each attributed to the member''s latest failure before the call (ties broken by interaction_id).';
COMMENT ON COLUMN @extschema@.mv_digital_call_leakage.avoidable_call_cost IS 'Avoidable call cost in dollars: the sum of call_cost (cost_per_call + cost_per_minute x handle time, per call to the cent) over avoidable_calls.';

SELECT @extschema@.mart_publish('digital_call_leakage', 210, 'experience');

-- ---------------------------------------------------------------------------
-- repeat_calls: repeat calls and call handling per topic.
-- Grain: call topic x plan type x segment.
-- ---------------------------------------------------------------------------

CREATE MATERIALIZED VIEW @extschema@.mv_repeat_calls AS
WITH lk AS (
    SELECT e.event_id AS call_id, e.leaked
      FROM @extschema@.experience_leakage_events e
     WHERE e.is_call
)
SELECT f.call_topic, f.plan_type, f.segment,
       pg_catalog.count(*) AS calls,
       pg_catalog.count(*) FILTER (WHERE f.is_repeat) AS repeat_calls,
       (pg_catalog.count(*) FILTER (WHERE f.is_repeat))::double precision / pg_catalog.count(*) AS repeat_rate,
       COALESCE(pg_catalog.sum(f.handle_time_minutes), 0)::numeric AS total_handle_minutes,
       pg_catalog.round(pg_catalog.avg(f.handle_time_minutes), 2)::numeric AS avg_handle_minutes,
       pg_catalog.count(*) FILTER (WHERE f.is_high_handle) AS high_handle_calls,
       pg_catalog.count(*) FILTER (WHERE f.is_negative) AS negative_calls,
       100.0::double precision * pg_catalog.count(*) FILTER (WHERE f.is_negative) / pg_catalog.count(*) AS negative_pct,
       pg_catalog.count(*) FILTER (WHERE f.is_transferred) AS transferred_calls,
       100.0::double precision * pg_catalog.count(*) FILTER (WHERE f.is_transferred) / pg_catalog.count(*) AS transfer_pct,
       pg_catalog.count(*) FILTER (WHERE f.is_unresolved) AS unresolved_calls,
       pg_catalog.sum(f.call_cost)::numeric(14,2) AS estimated_call_cost,
       COALESCE(pg_catalog.sum(f.call_cost) FILTER (WHERE f.is_repeat), 0)::numeric(14,2) AS repeat_call_cost,
       pg_catalog.count(*) FILTER (WHERE f.is_repeat AND lk.leaked) AS leaked_repeat_calls,
       COALESCE(pg_catalog.sum(f.call_cost) FILTER (WHERE f.is_repeat AND lk.leaked), 0)::numeric(14,2) AS leaked_repeat_call_cost
  FROM @extschema@.experience_call_facts f
  LEFT JOIN lk ON lk.call_id = f.call_id
 GROUP BY f.call_topic, f.plan_type, f.segment
WITH DATA;

CREATE UNIQUE INDEX mv_repeat_calls_key ON @extschema@.mv_repeat_calls (call_topic, plan_type, segment);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_repeat_calls IS
  'Repeat calls and call handling per topic: calls, repeats, repeat rate, handle time, negative %, transfer %, unresolved calls and estimated cost. Grain: call topic x plan type x segment (at the time of the call). A repeat call is a call at most repeat_call_window after the same member''s previous call of any topic; it counts under its own topic. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.call_topic IS 'Call topic as categorised by the contact centre (grain).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.plan_type IS 'The member''s plan type at the call (dim_member version then valid); unknown when the member is not in dim_member (grain).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.segment IS 'The member''s value segment at the call (dim_member version then valid); unknown when the member is not in dim_member (grain).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.calls IS 'Calls.';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.repeat_calls IS 'Repeat calls: the same member''s previous call (any topic) was at most repeat_call_window before (is_repeat_call; equal times are repeats).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.repeat_rate IS 'Repeat rate: repeat_calls / calls (0-1).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.total_handle_minutes IS 'Sum of handle_time_minutes (calls without a handle time add nothing).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.avg_handle_minutes IS 'Average handle time in minutes over the calls that have one, rounded to 0.01; NULL when none has.';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.high_handle_calls IS 'Calls with a handle time above high_handle_time_threshold minutes.';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.negative_calls IS 'Calls with negative emotion: sentiment_score at or below negative_sentiment_threshold, or without a score a negative sentiment label.';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.negative_pct IS 'Negative %: 100 x negative_calls / calls (0-100).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.transferred_calls IS 'Calls transferred to another agent or queue (a NULL flag counts as not transferred).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.transfer_pct IS 'Transfer %: 100 x transferred_calls / calls (0-100).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.unresolved_calls IS 'Calls the agent marked not resolved (resolved false; NULL is not counted).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.estimated_call_cost IS 'Estimated cost of the calls in dollars: the sum of call_cost (cost_per_call + cost_per_minute x handle time, per call to the cent).';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.repeat_call_cost IS 'The part of estimated_call_cost spent on repeat calls, dollars.';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.leaked_repeat_calls IS 'Repeat calls that also followed a failed digital attempt of the member within leakage_window (leaked_to_call); top_opportunities counts these under the digital journey, not the topic.';
COMMENT ON COLUMN @extschema@.mv_repeat_calls.leaked_repeat_call_cost IS 'The part of repeat_call_cost spent on leaked_repeat_calls, dollars.';

SELECT @extschema@.mart_publish('repeat_calls', 220, 'experience');

-- ---------------------------------------------------------------------------
-- segment_experience: sentiment, effort and failure by segment and tenure.
-- Grain: segment x tenure bucket.
-- ---------------------------------------------------------------------------

CREATE MATERIALIZED VIEW @extschema@.mv_segment_experience AS
WITH tb AS MATERIALIZED (
    SELECT * FROM @extschema@.tenure_buckets()
), edges AS MATERIALIZED (
    -- the lower ends of buckets 2-4: width_bucket(months, edges) + 1 is the bucket
    SELECT pg_catalog.array_agg(tb.min_months ORDER BY tb.bucket_order) AS e
      FROM tb WHERE tb.bucket_order > 1
), ev0 AS (
    -- every call, digital interaction and survey response with its flags ...
    SELECT f.member_id, f.called_at AS event_at, 1 AS is_call, 0 AS is_digital, 0 AS is_survey,
           f.is_negative, f.sentiment_score, f.is_repeat,
           NULL::boolean AS is_failure, NULL::boolean AS leaked,
           NULL::smallint AS effort_score, NULL::smallint AS nps_score, NULL::smallint AS csat_score
      FROM @extschema@.experience_call_flags f
    UNION ALL
    SELECT d.member_id, d.interacted_at, 0, 1, 0, NULL, NULL, NULL, false, false, NULL, NULL, NULL
      FROM @extschema@.digital_interactions d
     WHERE d.outcome NOT IN ('failure', 'abandoned')
    UNION ALL
    SELECT e.member_id, e.event_at, 0, 1, 0, NULL, NULL, NULL, true, e.leaked, NULL, NULL, NULL
      FROM @extschema@.experience_leakage_events e
     WHERE NOT e.is_call
    UNION ALL
    SELECT v.member_id, v.surveyed_at, 0, 0, 1, NULL, NULL, NULL, NULL, NULL, v.effort_score, v.nps_score, v.csat_score
      FROM @extschema@.surveys v
), ev AS MATERIALIZED (
    -- ... with the member's segment and tenure bucket at the event
    SELECT ev0.*, COALESCE(m.segment, 'unknown') AS segment,
           COALESCE(pg_catalog.width_bucket(@extschema@.tenure_months(m.join_date, (ev0.event_at AT TIME ZONE 'UTC')::date),
                                            edges.e) + 1, 5) AS bucket_order
      FROM ev0
     CROSS JOIN edges
      LEFT JOIN @extschema@.experience_member_span m
             ON m.member_id = ev0.member_id AND ev0.event_at >= m.span_from AND ev0.event_at < m.span_to
), mem AS (
    SELECT x.segment, x.bucket_order, pg_catalog.count(*) AS members
      FROM (SELECT DISTINCT ev.segment, ev.bucket_order, ev.member_id FROM ev) x
     GROUP BY 1, 2
), g AS (
    SELECT ev.segment, ev.bucket_order,
           pg_catalog.sum(ev.is_call) AS calls,
           pg_catalog.count(*) FILTER (WHERE ev.is_negative) AS negative_calls,
           pg_catalog.sum(ev.sentiment_score) AS sentiment_sum,
           pg_catalog.count(ev.sentiment_score) AS sentiment_n,
           pg_catalog.count(*) FILTER (WHERE ev.is_repeat) AS repeat_calls,
           pg_catalog.sum(ev.is_digital) AS digital_interactions,
           pg_catalog.count(*) FILTER (WHERE ev.is_failure) AS digital_failures,
           pg_catalog.count(*) FILTER (WHERE ev.is_failure AND ev.leaked) AS leaked_failures,
           pg_catalog.sum(ev.is_survey) AS survey_responses,
           pg_catalog.sum(ev.effort_score) AS effort_sum,
           pg_catalog.count(ev.effort_score) AS effort_n,
           pg_catalog.count(ev.nps_score) AS nps_n,
           pg_catalog.count(*) FILTER (WHERE ev.nps_score >= 9) AS nps_promoters,
           pg_catalog.count(*) FILTER (WHERE ev.nps_score <= 6) AS nps_detractors,
           pg_catalog.sum(ev.csat_score) AS csat_sum,
           pg_catalog.count(ev.csat_score) AS csat_n
      FROM ev
     GROUP BY 1, 2
)
SELECT g.segment,
       COALESCE(tb.tenure_bucket, 'unknown') AS tenure_bucket,
       g.bucket_order::smallint AS tenure_bucket_order,
       tb.min_months AS tenure_min_months,
       tb.max_months AS tenure_max_months,
       mem.members::bigint AS members,
       g.calls::bigint AS calls,
       g.negative_calls::bigint AS negative_calls,
       100.0::double precision * g.negative_calls / NULLIF(g.calls, 0) AS negative_pct,
       (g.sentiment_sum / NULLIF(g.sentiment_n, 0))::double precision AS avg_sentiment_score,
       g.repeat_calls::bigint AS repeat_calls,
       g.repeat_calls::double precision / NULLIF(g.calls, 0) AS repeat_rate,
       g.digital_interactions::bigint AS digital_interactions,
       g.digital_failures::bigint AS digital_failures,
       g.digital_failures::double precision / NULLIF(g.digital_interactions, 0) AS digital_failure_rate,
       g.leaked_failures::bigint AS leaked_failures,
       g.leaked_failures::double precision / NULLIF(g.digital_failures, 0) AS leakage_rate,
       g.survey_responses::bigint AS survey_responses,
       g.effort_n::bigint AS effort_responses,
       (g.effort_sum::numeric / NULLIF(g.effort_n, 0))::double precision AS avg_effort_score,
       g.nps_n::bigint AS nps_responses,
       100.0::double precision * (g.nps_promoters - g.nps_detractors) / NULLIF(g.nps_n, 0) AS nps,
       g.csat_n::bigint AS csat_responses,
       (g.csat_sum::numeric / NULLIF(g.csat_n, 0))::double precision AS avg_csat_score
  FROM g
  JOIN mem ON mem.segment = g.segment AND mem.bucket_order = g.bucket_order
  LEFT JOIN tb ON tb.bucket_order = g.bucket_order
WITH DATA;

CREATE UNIQUE INDEX mv_segment_experience_key ON @extschema@.mv_segment_experience (segment, tenure_bucket);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_segment_experience IS
  'Sentiment, effort and failure by segment and tenure: are new members failing more than tenured ones? Calls (negative %, sentiment, repeats), digital interactions (failure and leakage rates) and survey responses (effort, NPS, CSAT). Grain: segment x tenure bucket, both at the time of each event; the buckets come from the settings tenure_bucket_1/2/3_months. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.segment IS 'The member''s value segment at the event (dim_member version then valid); unknown when the member is not in dim_member (grain).';
COMMENT ON COLUMN @extschema@.mv_segment_experience.tenure_bucket IS 'Tenure at the event: whole months from the member''s join_date to the event''s UTC day (0 before joining), bucketed by tenure_bucket_1/2/3_months, e.g. "0-5 months", "60+ months"; unknown without a join date (grain).';
COMMENT ON COLUMN @extschema@.mv_segment_experience.tenure_bucket_order IS 'Sort key of tenure_bucket: 1 (newest members) to 4, 5 for unknown.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.tenure_min_months IS 'Lowest tenure in months in the bucket; NULL for unknown.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.tenure_max_months IS 'End of the bucket in months (excluded); NULL for the last bucket and unknown.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.members IS 'Distinct members with a call, digital interaction or survey response in the group (a member whose tenure or segment changed counts in each of their groups).';
COMMENT ON COLUMN @extschema@.mv_segment_experience.calls IS 'Calls.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.negative_calls IS 'Calls with negative emotion: sentiment_score at or below negative_sentiment_threshold, or without a score a negative sentiment label.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.negative_pct IS 'Negative %: 100 x negative_calls / calls (0-100); NULL without calls.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.avg_sentiment_score IS 'Average sentiment_score of the calls that have one (-1 to 1); NULL when none has.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.repeat_calls IS 'Repeat calls: the same member''s previous call (any topic) was at most repeat_call_window before (is_repeat_call).';
COMMENT ON COLUMN @extschema@.mv_segment_experience.repeat_rate IS 'repeat_calls / calls (0-1); NULL without calls.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.digital_interactions IS 'Digital (web and app) interactions.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.digital_failures IS 'Failed digital attempts: outcome failure or abandoned.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.digital_failure_rate IS 'digital_failures / digital_interactions (0-1); NULL without interactions.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.leaked_failures IS 'Failures followed by a call of the same member within leakage_window (leaked_to_call).';
COMMENT ON COLUMN @extschema@.mv_segment_experience.leakage_rate IS 'leaked_failures / digital_failures (0-1); NULL without failures.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.survey_responses IS 'Survey responses (any type).';
COMMENT ON COLUMN @extschema@.mv_segment_experience.effort_responses IS 'Responses with an effort score (1-7).';
COMMENT ON COLUMN @extschema@.mv_segment_experience.avg_effort_score IS 'Average customer effort score, 1 (very easy) to 7 (very difficult); NULL without effort responses.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.nps_responses IS 'Responses with an NPS score (0-10).';
COMMENT ON COLUMN @extschema@.mv_segment_experience.nps IS 'Net Promoter Score: 100 x (promoters (9-10) - detractors (0-6)) / nps_responses (-100 to 100); NULL without NPS responses.';
COMMENT ON COLUMN @extschema@.mv_segment_experience.csat_responses IS 'Responses with a CSAT score (1-5).';
COMMENT ON COLUMN @extschema@.mv_segment_experience.avg_csat_score IS 'Average CSAT score (1-5); NULL without CSAT responses.';

SELECT @extschema@.mart_publish('segment_experience', 230, 'experience');

-- ---------------------------------------------------------------------------
-- top_opportunities: where avoidable calls (and their cost) come from, and
-- what to do about them.  Reads digital_call_leakage and repeat_calls.
-- Grain: opportunity type (digital journey or call topic) x opportunity.
-- ---------------------------------------------------------------------------

CREATE MATERIALIZED VIEW @extschema@.mv_top_opportunities AS
WITH journeys AS (
    SELECT 'digital_journey'::text AS opportunity_type, l.interaction_type AS opportunity,
           pg_catalog.sum(l.failures)::bigint AS base_volume,
           pg_catalog.sum(l.avoidable_calls)::bigint AS avoidable_calls,
           pg_catalog.sum(l.avoidable_call_cost) AS estimated_savings,
           NULL::bigint AS unresolved_calls, NULL::bigint AS transferred_calls
      FROM @extschema@.mv_digital_call_leakage l
     GROUP BY l.interaction_type
), topics AS (
    SELECT 'call_topic'::text, r.call_topic,
           pg_catalog.sum(r.calls)::bigint,
           pg_catalog.sum(r.repeat_calls - r.leaked_repeat_calls)::bigint,
           pg_catalog.sum(r.repeat_call_cost - r.leaked_repeat_call_cost),
           pg_catalog.sum(r.unresolved_calls)::bigint, pg_catalog.sum(r.transferred_calls)::bigint
      FROM @extschema@.mv_repeat_calls r
     GROUP BY r.call_topic
), overall AS (
    SELECT pg_catalog.sum(r.calls) AS calls, pg_catalog.sum(r.unresolved_calls) AS unresolved_calls,
           pg_catalog.sum(r.transferred_calls) AS transferred_calls
      FROM @extschema@.mv_repeat_calls r
), opp AS (
    SELECT * FROM journeys UNION ALL SELECT * FROM topics
), levered AS (
    SELECT opp.*,
           CASE WHEN opp.opportunity_type = 'digital_journey' THEN 'digital fix'
                WHEN opp.unresolved_calls * o.calls > o.unresolved_calls * opp.base_volume
                  OR opp.transferred_calls * o.calls > o.transferred_calls * opp.base_volume THEN 'agent training'
                ELSE 'member communication' END AS recommended_lever,
           CASE WHEN opp.opportunity_type = 'digital_journey' THEN
                    'failed digital attempts were followed by calls within the leakage window'
                ELSE pg_catalog.format('unresolved %s%% of calls (all topics %s%%), transferred %s%% (all topics %s%%)',
                        pg_catalog.round(100.0 * opp.unresolved_calls / opp.base_volume, 1),
                        pg_catalog.round(100.0 * o.unresolved_calls / o.calls, 1),
                        pg_catalog.round(100.0 * opp.transferred_calls / opp.base_volume, 1),
                        pg_catalog.round(100.0 * o.transferred_calls / o.calls, 1)) END AS lever_reason
      FROM opp CROSS JOIN overall o
)
SELECT l.opportunity_type, l.opportunity,
       pg_catalog.row_number() OVER (ORDER BY l.estimated_savings DESC, l.avoidable_calls DESC,
                                     l.opportunity_type, l.opportunity) AS opportunity_rank,
       l.recommended_lever, l.lever_reason,
       l.avoidable_calls,
       l.estimated_savings::numeric(14,2) AS estimated_savings,
       pg_catalog.round(l.estimated_savings / NULLIF(l.avoidable_calls, 0), 2)::numeric(14,2) AS savings_per_avoidable_call,
       l.avoidable_calls::double precision / NULLIF(pg_catalog.sum(l.avoidable_calls) OVER (), 0) AS share_of_avoidable_calls,
       l.base_volume,
       l.avoidable_calls::double precision / NULLIF(l.base_volume, 0) AS avoidable_rate
  FROM levered l
WITH DATA;

CREATE UNIQUE INDEX mv_top_opportunities_key ON @extschema@.mv_top_opportunities (opportunity_type, opportunity);
CREATE INDEX mv_top_opportunities_rank ON @extschema@.mv_top_opportunities (opportunity_rank);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_top_opportunities IS
  'The biggest sources of avoidable calls, ranked by estimated savings, each with a recommended lever. A digital journey (interaction type) owns the calls that followed its failed attempts within leakage_window (digital_call_leakage.avoidable_calls); a call topic owns its repeat calls that did not follow a digital failure (repeat_calls), so no call is counted twice. Lever rule: a digital journey -> digital fix; a call topic whose unresolved share or transfer share of calls is above that of all calls -> agent training; any other call topic -> member communication. Grain: opportunity type x opportunity. Refreshed by refresh_marts after digital_call_leakage and repeat_calls.';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.opportunity_type IS 'digital_journey (a digital interaction type) or call_topic (grain).';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.opportunity IS 'The interaction type (e.g. login) or the call topic (e.g. Billing) (grain).';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.opportunity_rank IS 'Rank by estimated_savings, then avoidable_calls (both descending), then type and name: 1 is the biggest opportunity.';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.recommended_lever IS 'digital fix (digital journeys), agent training (call topics with an unresolved or transfer share above all calls'') or member communication (other call topics).';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.lever_reason IS 'Why the lever was chosen, with the shares compared (percent, one decimal).';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.avoidable_calls IS 'Avoidable calls: for a journey, the leaked calls attributed to its failures; for a topic, its repeat calls minus those that followed a digital failure.';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.estimated_savings IS 'Estimated savings in dollars: the estimated cost (call_cost, per call to the cent) of the avoidable calls.';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.savings_per_avoidable_call IS 'estimated_savings / avoidable_calls, rounded to the cent; NULL without avoidable calls.';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.share_of_avoidable_calls IS 'avoidable_calls / all opportunities'' avoidable calls (0-1); NULL when there are none.';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.base_volume IS 'What the opportunity is measured against: failed digital attempts for a journey, calls for a topic.';
COMMENT ON COLUMN @extschema@.mv_top_opportunities.avoidable_rate IS 'avoidable_calls / base_volume (0-1 for a topic; for a journey, calls per failed attempt, at most 1 as each call counts once).';

SELECT @extschema@.mart_publish('top_opportunities', 290, 'experience');

-- ---------------------------------------------------------------------------
-- member_journey: one member's time-ordered timeline across channels, for
-- drill-down.  A plain view in costmodel_member (its own grant:
-- grant_member_access); filter it by member_id: every branch reads an
-- index on (member_id, time).
-- ---------------------------------------------------------------------------

CREATE VIEW costmodel_member.member_journey AS
SELECT j.member_id,
       pg_catalog.row_number() OVER (PARTITION BY j.member_id ORDER BY j.event_at, j.event_kind, j.event_id) AS event_seq,
       j.event_at, j.event_kind, j.event_id, j.channel, j.category, j.outcome, j.reason,
       j.amount, j.duration_minutes, j.sentiment_score, j.nps_score, j.csat_score, j.effort_score,
       j.is_repeat_call, j.leaked_to_call, j.detail
  FROM (
    SELECT c.member_id, c.called_at AS event_at, 'call'::text AS event_kind, c.call_id AS event_id,
           'phone'::text AS channel, c.call_topic AS category,
           CASE WHEN c.resolved THEN 'resolved' WHEN NOT c.resolved THEN 'unresolved' END AS outcome,
           c.sentiment AS reason,
           @extschema@.call_cost(c.handle_time_minutes, s.cost_per_call, s.cost_per_minute) AS amount,
           c.handle_time_minutes::numeric AS duration_minutes,
           c.sentiment_score::numeric AS sentiment_score,
           NULL::smallint AS nps_score, NULL::smallint AS csat_score, NULL::smallint AS effort_score,
           @extschema@.is_repeat_call(c.called_at, s.repeat_call_window)
               OVER (PARTITION BY c.member_id ORDER BY c.called_at, c.call_id) AS is_repeat_call,
           lk.leaked AS leaked_to_call,
           CASE WHEN c.transferred THEN 'transferred' END AS detail
      FROM @extschema@.calls c
     CROSS JOIN @extschema@.experience_settings s
      LEFT JOIN @extschema@.experience_leakage_events lk
             ON lk.member_id = c.member_id AND lk.is_call AND lk.event_id = c.call_id
    UNION ALL
    SELECT d.member_id, d.interacted_at, 'digital_interaction', d.interaction_id,
           d.channel, d.interaction_type, d.outcome, d.failure_reason,
           NULL, pg_catalog.round(d.session_duration_seconds / 60.0, 2), NULL, NULL, NULL, NULL,
           NULL, lk.leaked, NULL
      FROM @extschema@.digital_interactions d
      LEFT JOIN @extschema@.experience_leakage_events lk
             ON lk.member_id = d.member_id AND NOT lk.is_call AND lk.event_id = d.interaction_id
    UNION ALL
    SELECT v.member_id, v.surveyed_at, 'survey', v.survey_id,
           'survey', v.survey_type, NULL, NULL,
           NULL, NULL, NULL, v.nps_score, v.csat_score, v.effort_score,
           NULL, NULL, v.feedback_text
      FROM @extschema@.surveys v
    UNION ALL
    SELECT p.member_id, p.filled_at, 'pharmacy_fill', p.rx_id,
           p.pharmacy_type, p.drug_name, CASE WHEN p.denied THEN 'denied' ELSE 'filled' END, p.denied_reason,
           p.copay_amount, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, CASE WHEN p.days_supply IS NOT NULL THEN p.days_supply || ' days supply' END
      FROM @extschema@.pharmacy_fills p
    UNION ALL
    SELECT n.member_id, n.enrolled_at, 'enrollment', n.enrollment_id,
           NULL, n.change_type, n.plan_type, n.change_reason,
           n.premium_amount, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL
      FROM @extschema@.enrollments n
    UNION ALL
    SELECT k.member_id, (k.service_date::timestamp AT TIME ZONE 'UTC'), 'claim', k.claim_id,
           k.claim_type, k.procedure_code, k.status, k.denial_reason,
           k.claim_amount, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, k.payer
      FROM @extschema@.claims k
     WHERE k.service_date IS NOT NULL
    UNION ALL
    SELECT a.member_id, a.opened_at, 'case_opened', a.case_id,
           a.intake_source, a.case_type, a.status, a.urgency,
           NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, a.advocate_id
      FROM @extschema@.cases a
    UNION ALL
    SELECT a.member_id, a.resolved_at, 'case_resolved', a.case_id,
           a.intake_source, a.case_type, a.status, a.urgency,
           NULL, pg_catalog.round((EXTRACT(epoch FROM a.resolved_at - a.opened_at) / 60)::numeric, 2),
           NULL, NULL, f.csat, NULL,
           NULL, NULL, a.advocate_id
      FROM @extschema@.cases a
      LEFT JOIN @extschema@.case_feedback f ON f.case_id = a.case_id
     WHERE a.resolved_at IS NOT NULL
  ) j;

COMMENT ON VIEW costmodel_member.member_journey IS
  'One member''s time-ordered timeline across channels, for drill-down: calls, digital interactions, surveys, pharmacy fills, enrollment events, claims (on their service date) and advocacy cases (opened and resolved). One row per event; filter by member_id (index look-ups) and order by event_seq. Member-level data: grant it with costmodel.grant_member_access(role).';
COMMENT ON COLUMN costmodel_member.member_journey.member_id IS 'The member.';
COMMENT ON COLUMN costmodel_member.member_journey.event_seq IS 'Position of the event in the member''s timeline, from 1 (by event_at, then event_kind, then event_id).';
COMMENT ON COLUMN costmodel_member.member_journey.event_at IS 'When it happened; a claim''s service_date is taken at 00:00 UTC.';
COMMENT ON COLUMN costmodel_member.member_journey.event_kind IS 'call, digital_interaction, survey, pharmacy_fill, enrollment, claim, case_opened or case_resolved.';
COMMENT ON COLUMN costmodel_member.member_journey.event_id IS 'The source row''s key: call_id, interaction_id, survey_id, rx_id, enrollment_id, claim_id or case_id.';
COMMENT ON COLUMN costmodel_member.member_journey.channel IS 'Where: phone (calls), web or app (digital), survey, the pharmacy type (retail, mail, specialty), the claim type (medical, pharmacy, preventive), the case''s intake source; NULL for enrollments.';
COMMENT ON COLUMN costmodel_member.member_journey.category IS 'What about: call topic, interaction type, survey type, drug name, enrollment change type (new, renewal, change), procedure code, case type.';
COMMENT ON COLUMN costmodel_member.member_journey.outcome IS 'How it ended: resolved / unresolved (call), success / failure / abandoned (digital), filled / denied (fill), the plan type enrolled in, claim status, case status; NULL for surveys.';
COMMENT ON COLUMN costmodel_member.member_journey.reason IS 'Why: call sentiment label, digital failure reason, fill denial reason, enrollment change reason, claim denial reason, case urgency.';
COMMENT ON COLUMN costmodel_member.member_journey.amount IS 'Money in dollars: a call''s estimated cost (call_cost), a fill''s copay, an enrollment''s monthly premium, a claim''s billed amount.';
COMMENT ON COLUMN costmodel_member.member_journey.duration_minutes IS 'Minutes: a call''s handle time, a digital session''s length, a case''s time from opened to resolved (on case_resolved).';
COMMENT ON COLUMN costmodel_member.member_journey.sentiment_score IS 'A call''s sentiment score, -1 to 1.';
COMMENT ON COLUMN costmodel_member.member_journey.nps_score IS 'A survey''s NPS score, 0-10.';
COMMENT ON COLUMN costmodel_member.member_journey.csat_score IS 'CSAT, 1-5: of a survey, or of a case''s feedback (on case_resolved).';
COMMENT ON COLUMN costmodel_member.member_journey.effort_score IS 'A survey''s effort score, 1 (very easy) to 7 (very difficult).';
COMMENT ON COLUMN costmodel_member.member_journey.is_repeat_call IS 'For a call: whether the member''s previous call was at most repeat_call_window before it (is_repeat_call); NULL for other events.';
COMMENT ON COLUMN costmodel_member.member_journey.leaked_to_call IS 'For a failed digital attempt: whether a call followed within leakage_window; for a call: whether a failed digital attempt preceded it within leakage_window (leaked_to_call); NULL for other events.';
COMMENT ON COLUMN costmodel_member.member_journey.detail IS 'More: transferred (call), survey feedback text, days supply (fill), payer (claim), advocate id (case).';
