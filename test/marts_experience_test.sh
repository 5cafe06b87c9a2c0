#!/usr/bin/env bash
# marts_experience_test.sh: every column of the member-experience marts
# (experience_daily, digital_call_leakage, repeat_calls, segment_experience,
# top_opportunities) and of the member_journey view, against an independent
# plain-SQL computation over the facts, on generated data.
#
# Data: costmodel-gen experience (6,500 members, 90 days: more than 100,000
# events) loaded with costmodel-load csv, then made harder: calls exactly 7
# days and 7 days + 1 us after another call, calls exactly 24 hours, 24
# hours + 1 us after and at the same instant as a failed digital attempt,
# two failures at the same instant, NULL scores / handle times / flags /
# failure reasons / join dates, events of members missing from members, and
# type 2 segment and plan changes (three dim_member versions for some
# members).  The reference is written here, separately from the extension:
#   repeat flag       lag(called_at) OVER (PARTITION BY member ORDER BY called_at)
#   leakage flags     EXISTS self-joins (failure -> later call, call <- earlier failure)
#   attribution       LATERAL: the member's latest failure before the call
#   member version    LATERAL: latest dim_member version starting at or before the event, else the first
#   tenure            month arithmetic on the date fields; buckets from the settings by CASE
#   roll-ups          date_trunc and the fiscal start month, not dim_date
# For each mart, EXCEPT ALL both ways over the exact columns (counts, money,
# text, dates) is empty, and the double precision columns agree within
# 1e-9 (relative above 1).  Then again with every experience setting
# changed.  Also: member_journey for every member, its plan for one member
# (index scans only), and each mart's typical dashboard query under 50 ms.
set -uo pipefail
cd "${COSTMODEL_ROOT:-.}"
GEN=${COSTMODEL_GEN:-./costmodel-gen}
LOAD=${COSTMODEL_LOAD:-./costmodel-load}
DB=cm_marts_exp_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/marts_experience_test.XXXXXX")
MEMBERS=${MARTS_EXP_MEMBERS:-6500}
failures=0
# MARTS_EXP_KEEP=1 keeps the database (cm_marts_exp_<pid>) for debugging.
if [[ ${MARTS_EXP_KEEP:-} == 1 ]]; then
    trap 'rm -rf "$WORK"; echo "# kept database $DB"' EXIT
else
    trap 'dropdb --if-exists "$DB" 2>/dev/null; rm -rf "$WORK"' EXIT
fi

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failures=$((failures + 1)); }
sql() { PGTZ=UTC psql -X -q -v ON_ERROR_STOP=1 -At -d "$DB" "$@"; }

# Check that query $2 returns 0 (a count of mismatches).
zero() {
    local what=$1 out
    if ! out=$(sql -c "$2" 2>&1); then
        notok "$what: query failed: $out"
    elif [[ $out == 0 ]]; then
        ok "$what"
    else
        notok "$what: got $out"
    fi
}

# Compare mart view costmodel_mart.$1 (or $3 when given) with table ref.exp_$1
# on the grain columns $2: same column names and types; EXCEPT ALL both ways
# over the non-float columns; float columns within 1e-9 on the grain.
compare() {
    local mart=$1 grain=$2 view=${3:-costmodel_mart.$1} label=$4 cols exact floats rows
    cols=$(sql -c "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
                    WHERE attrelid = '$view'::regclass AND attnum > 0")
    if [[ $(sql -c "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
                     WHERE attrelid = 'ref.exp_$mart'::regclass AND attnum > 0") != "$cols" ]]; then
        notok "$label: the reference has the columns of $view ($cols)"
        return
    fi
    exact=$(sql -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
                     WHERE attrelid = '$view'::regclass AND attnum > 0 AND atttypid <> 'float8'::regtype")
    floats=$(sql -c "SELECT string_agg(format('NOT ((e.%1\$I IS NULL AND m.%1\$I IS NULL) OR abs(e.%1\$I - m.%1\$I) <= 1e-9 * greatest(1, abs(e.%1\$I)))', attname), ' OR ' ORDER BY attnum)
                      FROM pg_attribute WHERE attrelid = '$view'::regclass AND attnum > 0 AND atttypid = 'float8'::regtype")
    rows=$(sql -c "SELECT count(*) FROM $view")
    if [[ ! $rows =~ ^[0-9]+$ || $rows -lt 1 ]]; then
        notok "$label: $view has rows (got $rows)"
        return
    fi
    zero "$label: $view minus the reference is empty ($rows rows; $exact)" \
        "SELECT count(*) FROM (SELECT $exact FROM $view EXCEPT ALL SELECT $exact FROM ref.exp_$mart) x"
    zero "$label: the reference minus $view is empty" \
        "SELECT count(*) FROM (SELECT $exact FROM ref.exp_$mart EXCEPT ALL SELECT $exact FROM $view) x"
    if [[ -n $floats ]]; then
        zero "$label: $view rates and averages equal the reference within 1e-9 ($(sql -c "SELECT string_agg(attname, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '$view'::regclass AND attnum > 0 AND atttypid = 'float8'::regtype"))" \
            "SELECT count(*) FROM ref.exp_$mart e FULL JOIN $view m USING ($grain) WHERE $floats"
    fi
}

createdb "$DB" && sql -c "CREATE EXTENSION costmodel" || { notok "database set-up"; exit 1; }

# ---------------------------------------------------------------- the data
if ! "$GEN" experience --members "$MEMBERS" --seed 5151 --output-dir "$WORK/exp" >/dev/null; then
    notok "costmodel-gen experience"
    exit 1
fi
loaded=0
for s in members calls digital_interactions surveys pharmacy_fills enrollments claims; do
    "$LOAD" -d "$DB" csv --source "$s" "$WORK/exp/$s.csv" >"$WORK/load_$s.out" 2>&1 || loaded=1
done
if ! "$GEN" cases --members "$MEMBERS" --seed 5151 --output-dir "$WORK/cases" >/dev/null; then
    notok "costmodel-gen cases"
    exit 1
fi
for s in advocates cases case_events case_interactions case_feedback; do
    "$LOAD" -d "$DB" csv --source "$s" "$WORK/cases/$s.csv" >"$WORK/load_$s.out" 2>&1 || loaded=1
done
if [[ $loaded -ne 0 ]]; then
    notok "costmodel-load csv of the generated files: $(tail -n 3 "$WORK"/load_*.out)"
    exit 1
fi

sql >/dev/null <<'SQL' || { notok "making the data harder"; exit 1; }
SELECT setseed(0.515);
-- repeat-window edges: calls exactly 7 days, and 7 days + 1 us, after a call;
-- and a tie (the same member at the same instant)
INSERT INTO costmodel.calls (call_id, member_id, called_at, call_topic, handle_time_minutes, sentiment, sentiment_score, transferred, resolved)
SELECT 'X7D' || call_id, member_id, called_at + interval '7 days', call_topic, handle_time_minutes, sentiment, sentiment_score, transferred, resolved
  FROM costmodel.calls WHERE hashtext(call_id) % 41 = 0;
INSERT INTO costmodel.calls (call_id, member_id, called_at, call_topic, handle_time_minutes, sentiment, sentiment_score, transferred, resolved)
SELECT 'X7U' || call_id, member_id, called_at + interval '7 days 1 microsecond', 'Other', 3.10, 'neutral', 0.0, false, true
  FROM costmodel.calls WHERE hashtext(call_id) % 43 = 0 AND call_id NOT LIKE 'X%';
INSERT INTO costmodel.calls (call_id, member_id, called_at, call_topic, handle_time_minutes, sentiment, sentiment_score, transferred, resolved)
SELECT 'XTIE' || call_id, member_id, called_at, 'Billing', 1.05, 'negative', -0.2, true, false
  FROM costmodel.calls WHERE hashtext(call_id) % 47 = 0 AND call_id NOT LIKE 'X%';
-- leakage-window edges: a call exactly 24 hours after a failure, 24 hours +
-- 1 us after, and at the same instant; a second failure at the same instant
-- as a failure (attribution ties)
INSERT INTO costmodel.calls (call_id, member_id, called_at, call_topic, handle_time_minutes, sentiment, sentiment_score, transferred, resolved)
SELECT 'X24H' || interaction_id, member_id, interacted_at + interval '24 hours', 'Claims', 7.77, 'negative', -0.5, false, true
  FROM costmodel.digital_interactions WHERE outcome <> 'success' AND hashtext(interaction_id) % 7 = 0;
INSERT INTO costmodel.calls (call_id, member_id, called_at, call_topic, handle_time_minutes, sentiment, sentiment_score, transferred, resolved)
SELECT 'X24U' || interaction_id, member_id, interacted_at + interval '24 hours 1 microsecond', 'Claims', 2.5, 'positive', 0.5, false, true
  FROM costmodel.digital_interactions WHERE outcome <> 'success' AND hashtext(interaction_id) % 11 = 0;
INSERT INTO costmodel.calls (call_id, member_id, called_at, call_topic, handle_time_minutes, sentiment, sentiment_score, transferred, resolved)
SELECT 'XSAME' || interaction_id, member_id, interacted_at, 'ID Card', 12.34, 'neutral', -0.1, true, true
  FROM costmodel.digital_interactions WHERE outcome <> 'success' AND hashtext(interaction_id) % 13 = 0;
INSERT INTO costmodel.digital_interactions (interaction_id, member_id, interacted_at, interaction_type, outcome, failure_reason, session_duration_seconds, channel)
SELECT 'XD' || interaction_id, member_id, interacted_at, 'id_card', 'abandoned', 'mfa_timeout', 33, 'app'
  FROM costmodel.digital_interactions WHERE outcome <> 'success' AND hashtext(interaction_id) % 17 = 0;
-- NULLs where the sources allow them
UPDATE costmodel.calls SET sentiment_score = NULL WHERE hashtext(call_id) % 50 = 1;
UPDATE costmodel.calls SET sentiment_score = NULL, sentiment = NULL WHERE hashtext(call_id) % 50 = 2;
UPDATE costmodel.calls SET handle_time_minutes = NULL WHERE hashtext(call_id) % 50 = 3;
UPDATE costmodel.calls SET transferred = NULL, resolved = NULL WHERE hashtext(call_id) % 50 = 4;
UPDATE costmodel.digital_interactions SET failure_reason = NULL WHERE outcome <> 'success' AND hashtext(interaction_id) % 20 = 1;
-- events of members missing from members
UPDATE costmodel.calls SET member_id = 'GHOST' || member_id WHERE member_id IN
  (SELECT member_id FROM costmodel.members WHERE hashtext(member_id) % 97 = 0);
UPDATE costmodel.digital_interactions SET member_id = 'GHOST' || member_id WHERE member_id IN
  (SELECT member_id FROM costmodel.members WHERE hashtext(member_id) % 97 = 0);
UPDATE costmodel.surveys SET member_id = 'GHOST' || member_id WHERE member_id IN
  (SELECT member_id FROM costmodel.members WHERE hashtext(member_id) % 97 = 0);
-- join dates unknown for some members (corrected in place: type 1)
UPDATE costmodel.members SET join_date = NULL WHERE hashtext(member_id) % 53 = 0;
SELECT * FROM costmodel.refresh_dim_member('2025-01-01 00:00+00');
-- type 2: segment and plan changes on 2025-02-01 and 2025-03-01 (members
-- whose current version started before)
UPDATE costmodel.members m
   SET segment = CASE m.segment WHEN 'New' THEN 'Medium Value' WHEN 'At Risk' THEN 'Low Value' ELSE 'At Risk' END
 WHERE hashtext(m.member_id) % 9 = 0
   AND EXISTS (SELECT FROM costmodel.dim_member d WHERE d.member_id = m.member_id AND d.is_current
                                                   AND d.valid_from < '2025-02-01');
SELECT * FROM costmodel.refresh_dim_member('2025-02-01 06:00+00');
UPDATE costmodel.members m SET plan_type = CASE m.plan_type WHEN 'PPO' THEN 'HMO' ELSE 'PPO' END
 WHERE hashtext(m.member_id) % 5 = 0
   AND EXISTS (SELECT FROM costmodel.dim_member d WHERE d.member_id = m.member_id AND d.is_current
                                                   AND d.valid_from < '2025-03-01');
SELECT * FROM costmodel.refresh_dim_member('2025-03-01 12:00+00');
ANALYZE;
SQL

events=$(sql -c "SELECT (SELECT count(*) FROM costmodel.calls) + (SELECT count(*) FROM costmodel.digital_interactions)
                        + (SELECT count(*) FROM costmodel.surveys) + (SELECT count(*) FROM costmodel.pharmacy_fills)
                        + (SELECT count(*) FROM costmodel.enrollments) + (SELECT count(*) FROM costmodel.claims)")
if [[ $events -ge 100000 ]]; then ok "more than 100,000 experience events ($events)"; else notok "at least 100,000 events (got $events)"; fi
zero "the data has every edge case (7 days, 7 days + 1 us, ties, 24 hours, same instant, three versions, ghosts, NULLs)" \
  "SELECT count(*) FROM (VALUES
     ((SELECT count(*) FROM costmodel.calls WHERE call_id LIKE 'X7D%')),
     ((SELECT count(*) FROM costmodel.calls WHERE call_id LIKE 'X7U%')),
     ((SELECT count(*) FROM costmodel.calls WHERE call_id LIKE 'XTIE%')),
     ((SELECT count(*) FROM costmodel.calls WHERE call_id LIKE 'X24H%')),
     ((SELECT count(*) FROM costmodel.calls WHERE call_id LIKE 'X24U%')),
     ((SELECT count(*) FROM costmodel.calls WHERE call_id LIKE 'XSAME%')),
     ((SELECT count(*) FROM costmodel.digital_interactions WHERE interaction_id LIKE 'XD%')),
     ((SELECT count(*) FROM (SELECT member_id FROM costmodel.dim_member GROUP BY 1 HAVING count(*) = 3) x)),
     ((SELECT count(*) FROM costmodel.calls WHERE member_id LIKE 'GHOST%')),
     ((SELECT count(*) FROM costmodel.calls WHERE handle_time_minutes IS NULL)),
     ((SELECT count(*) FROM costmodel.members WHERE join_date IS NULL))) v(n) WHERE n < 5"

# ------------------------------------------------------- the reference
# Builds schema ref: the facts with their independent flags, then one
# expected table per mart (ref.exp_<mart>) and ref.exp_member_journey.
reference() {
    sql <<'SQL'
DROP SCHEMA IF EXISTS ref CASCADE;
CREATE SCHEMA ref;
CREATE TABLE ref.st AS
SELECT (SELECT value::numeric FROM costmodel.settings WHERE name = 'cost_per_call') AS cpc,
       (SELECT value::numeric FROM costmodel.settings WHERE name = 'cost_per_minute') AS cpm,
       (SELECT value::interval FROM costmodel.settings WHERE name = 'repeat_call_window') AS rw,
       (SELECT value::interval FROM costmodel.settings WHERE name = 'leakage_window') AS lw,
       (SELECT value::numeric FROM costmodel.settings WHERE name = 'negative_sentiment_threshold') AS neg,
       (SELECT value::numeric FROM costmodel.settings WHERE name = 'high_handle_time_threshold') AS high,
       (SELECT value::int FROM costmodel.settings WHERE name = 'tenure_bucket_1_months') AS t1,
       (SELECT value::int FROM costmodel.settings WHERE name = 'tenure_bucket_2_months') AS t2,
       (SELECT value::int FROM costmodel.settings WHERE name = 'tenure_bucket_3_months') AS t3,
       (SELECT value::int FROM costmodel.settings WHERE name = 'fiscal_year_start_month') AS fsm;

-- months from join date j to day d: whole months by the calendar fields
CREATE FUNCTION ref.months(j date, d date) RETURNS int LANGUAGE sql IMMUTABLE
RETURN CASE WHEN j IS NOT NULL THEN greatest(0, (extract(year FROM d)::int * 12 + extract(month FROM d)::int)
                   - (extract(year FROM j)::int * 12 + extract(month FROM j)::int)
                   - CASE WHEN extract(day FROM d) < extract(day FROM j) THEN 1 ELSE 0 END) END;
-- bucket number 1-4 of a tenure, 5 unknown
CREATE FUNCTION ref.bucket(m int) RETURNS int LANGUAGE sql STABLE
RETURN (SELECT CASE WHEN m IS NULL THEN 5 WHEN m < t1 THEN 1 WHEN m < t2 THEN 2 WHEN m < t3 THEN 3 ELSE 4 END FROM ref.st);
CREATE FUNCTION ref.label(lo int, hi int) RETURNS text LANGUAGE sql IMMUTABLE
RETURN CASE WHEN hi IS NULL THEN lo || '+ months' WHEN hi - 1 = lo THEN lo || ' months' ELSE lo || '-' || (hi - 1) || ' months' END;
CREATE TABLE ref.buckets AS
SELECT b, CASE b WHEN 1 THEN 0 WHEN 2 THEN t1 WHEN 3 THEN t2 WHEN 4 THEN t3 END AS lo,
          CASE b WHEN 1 THEN t1 WHEN 2 THEN t2 WHEN 3 THEN t3 END AS hi
  FROM ref.st, generate_series(1, 5) b;
ALTER TABLE ref.buckets ADD COLUMN label text;
UPDATE ref.buckets SET label = CASE WHEN b = 5 THEN 'unknown' ELSE ref.label(lo, hi) END;

-- the member's attributes at time t: the latest version starting at or
-- before t, else the first version; join date from the current version
CREATE FUNCTION ref.plan_at(m text, t timestamptz) RETURNS text LANGUAGE sql STABLE
RETURN (SELECT d.plan_type FROM costmodel.dim_member d WHERE d.member_id = m
         ORDER BY d.valid_from <= t DESC, CASE WHEN d.valid_from <= t THEN d.valid_from END DESC NULLS LAST, d.valid_from
         LIMIT 1);
CREATE FUNCTION ref.segment_at(m text, t timestamptz) RETURNS text LANGUAGE sql STABLE
RETURN (SELECT d.segment FROM costmodel.dim_member d WHERE d.member_id = m
         ORDER BY d.valid_from <= t DESC, CASE WHEN d.valid_from <= t THEN d.valid_from END DESC NULLS LAST, d.valid_from
         LIMIT 1);

CREATE TABLE ref.calls AS
SELECT c.call_id, c.member_id, c.called_at, (c.called_at AT TIME ZONE 'UTC')::date AS d, c.call_topic,
       coalesce(ref.plan_at(c.member_id, c.called_at), 'unknown') AS plan_type,
       coalesce(ref.segment_at(c.member_id, c.called_at), 'unknown') AS segment,
       ref.months((SELECT join_date FROM costmodel.dim_member j WHERE j.member_id = c.member_id AND j.is_current),
                  (c.called_at AT TIME ZONE 'UTC')::date) AS tenure,
       c.handle_time_minutes AS handle, c.sentiment_score AS score,
       CASE WHEN c.sentiment_score IS NOT NULL THEN c.sentiment_score <= st.neg
            ELSE c.sentiment IS NOT DISTINCT FROM 'negative' END AS negative,
       c.transferred IS TRUE AS transferred, c.resolved IS FALSE AS unresolved,
       c.handle_time_minutes > st.high IS TRUE AS high,
       round(st.cpc + st.cpm * coalesce(c.handle_time_minutes, 0), 2) AS cost,
       coalesce(c.called_at - lag(c.called_at) OVER (PARTITION BY c.member_id ORDER BY c.called_at, c.call_id) <= st.rw, false) AS rep,
       EXISTS (SELECT FROM costmodel.digital_interactions f
                WHERE f.member_id = c.member_id AND f.outcome IN ('failure', 'abandoned')
                  AND f.interacted_at < c.called_at AND c.called_at - f.interacted_at <= st.lw) AS leaked,
       (SELECT f.interaction_id FROM costmodel.digital_interactions f
         WHERE f.member_id = c.member_id AND f.outcome IN ('failure', 'abandoned') AND f.interacted_at < c.called_at
         ORDER BY f.interacted_at DESC, f.interaction_id DESC LIMIT 1) AS latest_failure
  FROM costmodel.calls c CROSS JOIN ref.st st;

CREATE TABLE ref.digital AS
SELECT i.interaction_id, i.member_id, i.interacted_at, (i.interacted_at AT TIME ZONE 'UTC')::date AS d,
       i.interaction_type, i.outcome, coalesce(i.failure_reason, 'unknown') AS reason,
       i.outcome IN ('failure', 'abandoned') AS failure,
       coalesce(ref.plan_at(i.member_id, i.interacted_at), 'unknown') AS plan_type,
       coalesce(ref.segment_at(i.member_id, i.interacted_at), 'unknown') AS segment,
       ref.months((SELECT join_date FROM costmodel.dim_member j WHERE j.member_id = i.member_id AND j.is_current),
                  (i.interacted_at AT TIME ZONE 'UTC')::date) AS tenure,
       i.outcome IN ('failure', 'abandoned')
         AND EXISTS (SELECT FROM costmodel.calls c
                      WHERE c.member_id = i.member_id AND c.called_at > i.interacted_at
                        AND c.called_at - i.interacted_at <= st.lw) AS leaked,
       i.session_duration_seconds, i.channel, i.failure_reason
  FROM costmodel.digital_interactions i CROSS JOIN ref.st st;

CREATE TABLE ref.surveys AS
SELECT v.*, (v.surveyed_at AT TIME ZONE 'UTC')::date AS d,
       coalesce(ref.segment_at(v.member_id, v.surveyed_at), 'unknown') AS segment,
       ref.months((SELECT join_date FROM costmodel.dim_member j WHERE j.member_id = v.member_id AND j.is_current),
                  (v.surveyed_at AT TIME ZONE 'UTC')::date) AS tenure
  FROM costmodel.surveys v;

-- ---- experience_daily
CREATE TABLE ref.exp_experience_daily AS
WITH days AS (SELECT d FROM ref.calls UNION SELECT d FROM ref.digital UNION SELECT d FROM ref.surveys),
c AS (SELECT d, count(*) n, count(*) FILTER (WHERE rep) rep, count(*) FILTER (WHERE negative) neg,
             sum(handle) handle, round(sum(handle) / count(handle), 2) avg_handle, sum(cost) cost
        FROM ref.calls GROUP BY d),
g AS (SELECT d, count(*) n, count(*) FILTER (WHERE outcome = 'success') ok FROM ref.digital GROUP BY d),
s AS (SELECT d, count(*) n, count(nps_score) nps_n, count(*) FILTER (WHERE nps_score BETWEEN 9 AND 10) pro,
             count(*) FILTER (WHERE nps_score BETWEEN 0 AND 6) det, count(csat_score) csat_n,
             count(*) FILTER (WHERE csat_score IN (4, 5)) sat, sum(csat_score)::float8 / count(csat_score) avg_csat
        FROM ref.surveys GROUP BY d)
SELECT days.d AS day_date, date_trunc('week', days.d)::date AS week_start_date,
       date_trunc('month', days.d)::date AS month_start_date,
       (extract(year FROM days.d)::int + CASE WHEN st.fsm > 1 AND extract(month FROM days.d) >= st.fsm THEN 1 ELSE 0 END)::smallint AS fiscal_year,
       ((extract(month FROM days.d)::int - st.fsm + 12) % 12 / 3 + 1)::smallint AS fiscal_quarter,
       coalesce(c.n, 0) AS calls, coalesce(c.rep, 0) AS repeat_calls, c.rep::float8 / c.n * 100 AS repeat_call_pct,
       coalesce(c.neg, 0) AS negative_calls, c.neg::float8 / c.n * 100 AS negative_pct,
       coalesce(c.handle, 0) AS total_handle_minutes, c.avg_handle AS avg_handle_minutes,
       coalesce(c.cost, 0) AS estimated_call_cost, round(c.cost / c.n, 2) AS avg_call_cost,
       coalesce(g.n, 0) AS digital_interactions, coalesce(g.ok, 0) AS digital_successes,
       g.ok::float8 / g.n AS digital_success_rate,
       coalesce(s.n, 0) AS survey_responses, coalesce(s.nps_n, 0) AS nps_responses,
       coalesce(s.pro, 0) AS nps_promoters, coalesce(s.det, 0) AS nps_detractors,
       (s.pro - s.det)::float8 / nullif(s.nps_n, 0) * 100 AS nps,
       coalesce(s.csat_n, 0) AS csat_responses, coalesce(s.sat, 0) AS csat_satisfied,
       s.sat::float8 / nullif(s.csat_n, 0) * 100 AS csat_pct, s.avg_csat AS avg_csat_score
  FROM days CROSS JOIN ref.st st LEFT JOIN c USING (d) LEFT JOIN g USING (d) LEFT JOIN s USING (d);

-- ---- digital_call_leakage
CREATE TABLE ref.exp_digital_call_leakage AS
WITH f AS (SELECT * FROM ref.digital WHERE failure),
a AS (SELECT f.interaction_type, f.reason, f.plan_type, f.segment, count(*) n, sum(c.cost) cost
        FROM ref.calls c JOIN ref.digital f ON f.interaction_id = c.latest_failure
       WHERE c.leaked GROUP BY 1, 2, 3, 4)
SELECT f.interaction_type, f.reason AS failure_reason, f.plan_type, f.segment,
       count(*) AS failures, count(*) FILTER (WHERE f.outcome = 'abandoned') AS abandoned_failures,
       count(*) FILTER (WHERE f.leaked) AS leaked_failures,
       (count(*) FILTER (WHERE f.leaked))::float8 / count(*) AS leakage_rate,
       coalesce(max(a.n), 0) AS avoidable_calls, coalesce(max(a.cost), 0) AS avoidable_call_cost
  FROM f LEFT JOIN a ON (a.interaction_type, a.reason, a.plan_type, a.segment) = (f.interaction_type, f.reason, f.plan_type, f.segment)
 GROUP BY 1, 2, 3, 4;

-- ---- repeat_calls
CREATE TABLE ref.exp_repeat_calls AS
SELECT call_topic, plan_type, segment, count(*) AS calls, count(*) FILTER (WHERE rep) AS repeat_calls,
       (count(*) FILTER (WHERE rep))::float8 / count(*) AS repeat_rate,
       coalesce(sum(handle), 0) AS total_handle_minutes, round(sum(handle) / count(handle), 2) AS avg_handle_minutes,
       count(*) FILTER (WHERE high) AS high_handle_calls,
       count(*) FILTER (WHERE negative) AS negative_calls, (count(*) FILTER (WHERE negative))::float8 / count(*) * 100 AS negative_pct,
       count(*) FILTER (WHERE transferred) AS transferred_calls,
       (count(*) FILTER (WHERE transferred))::float8 / count(*) * 100 AS transfer_pct,
       count(*) FILTER (WHERE unresolved) AS unresolved_calls,
       sum(cost) AS estimated_call_cost, coalesce(sum(cost) FILTER (WHERE rep), 0) AS repeat_call_cost,
       count(*) FILTER (WHERE rep AND leaked) AS leaked_repeat_calls,
       coalesce(sum(cost) FILTER (WHERE rep AND leaked), 0) AS leaked_repeat_call_cost
  FROM ref.calls GROUP BY 1, 2, 3;

-- ---- segment_experience
CREATE TABLE ref.exp_segment_experience AS
WITH e AS (
    SELECT segment, ref.bucket(tenure) b, member_id, 'c' k, negative, score, rep, NULL::bool failure, NULL::bool leaked,
           NULL::int effort, NULL::int nps, NULL::int csat FROM ref.calls
    UNION ALL
    SELECT segment, ref.bucket(tenure), member_id, 'd', NULL, NULL, NULL, failure, leaked, NULL, NULL, NULL FROM ref.digital
    UNION ALL
    SELECT segment, ref.bucket(tenure), member_id, 's', NULL, NULL, NULL, NULL, NULL, effort_score, nps_score, csat_score FROM ref.surveys)
SELECT e.segment, bk.label AS tenure_bucket, e.b::smallint AS tenure_bucket_order, bk.lo AS tenure_min_months, bk.hi AS tenure_max_months,
       count(DISTINCT member_id) AS members,
       count(*) FILTER (WHERE k = 'c') AS calls, count(*) FILTER (WHERE negative) AS negative_calls,
       (count(*) FILTER (WHERE negative))::float8 / nullif(count(*) FILTER (WHERE k = 'c'), 0) * 100 AS negative_pct,
       sum(score)::float8 / nullif(count(score), 0) AS avg_sentiment_score,
       count(*) FILTER (WHERE rep) AS repeat_calls,
       (count(*) FILTER (WHERE rep))::float8 / nullif(count(*) FILTER (WHERE k = 'c'), 0) AS repeat_rate,
       count(*) FILTER (WHERE k = 'd') AS digital_interactions, count(*) FILTER (WHERE failure) AS digital_failures,
       (count(*) FILTER (WHERE failure))::float8 / nullif(count(*) FILTER (WHERE k = 'd'), 0) AS digital_failure_rate,
       count(*) FILTER (WHERE leaked) AS leaked_failures,
       (count(*) FILTER (WHERE leaked))::float8 / nullif(count(*) FILTER (WHERE failure), 0) AS leakage_rate,
       count(*) FILTER (WHERE k = 's') AS survey_responses, count(effort) AS effort_responses,
       sum(effort)::float8 / nullif(count(effort), 0) AS avg_effort_score,
       count(nps) AS nps_responses,
       ((count(*) FILTER (WHERE nps >= 9)) - (count(*) FILTER (WHERE nps <= 6)))::float8 / nullif(count(nps), 0) * 100 AS nps,
       count(csat) AS csat_responses, sum(csat)::float8 / nullif(count(csat), 0) AS avg_csat_score
  FROM e JOIN ref.buckets bk ON bk.b = e.b
 GROUP BY 1, 2, 3, 4, 5;

-- ---- top_opportunities, from the facts (not from the other marts)
CREATE TABLE ref.exp_top_opportunities AS
WITH j AS (
    SELECT 'digital_journey'::text AS t, f.interaction_type AS o, count(*) AS base,
           (SELECT count(*) FROM ref.calls c JOIN ref.digital a ON a.interaction_id = c.latest_failure
             WHERE c.leaked AND a.interaction_type = f.interaction_type) AS avoid,
           (SELECT coalesce(sum(c.cost), 0) FROM ref.calls c JOIN ref.digital a ON a.interaction_id = c.latest_failure
             WHERE c.leaked AND a.interaction_type = f.interaction_type) AS savings,
           NULL::bigint AS unres, NULL::bigint AS trf
      FROM ref.digital f WHERE f.failure GROUP BY f.interaction_type
), tp AS (
    SELECT 'call_topic'::text, call_topic, count(*), count(*) FILTER (WHERE rep AND NOT leaked),
           coalesce(sum(cost) FILTER (WHERE rep AND NOT leaked), 0), count(*) FILTER (WHERE unresolved),
           count(*) FILTER (WHERE transferred)
      FROM ref.calls GROUP BY call_topic
), allc AS (
    SELECT count(*) AS n, count(*) FILTER (WHERE unresolved) AS unres, count(*) FILTER (WHERE transferred) AS trf FROM ref.calls
), o AS (SELECT * FROM j UNION ALL SELECT * FROM tp)
SELECT o.t AS opportunity_type, o.o AS opportunity,
       row_number() OVER (ORDER BY o.savings DESC, o.avoid DESC, o.t, o.o) AS opportunity_rank,
       CASE WHEN o.t = 'digital_journey' THEN 'digital fix'
            WHEN o.unres::numeric / o.base > allc.unres::numeric / allc.n
              OR o.trf::numeric / o.base > allc.trf::numeric / allc.n THEN 'agent training'
            ELSE 'member communication' END AS recommended_lever,
       CASE WHEN o.t = 'digital_journey' THEN 'failed digital attempts were followed by calls within the leakage window'
            ELSE format('unresolved %s%% of calls (all topics %s%%), transferred %s%% (all topics %s%%)',
                        round(100.0 * o.unres / o.base, 1), round(100.0 * allc.unres / allc.n, 1),
                        round(100.0 * o.trf / o.base, 1), round(100.0 * allc.trf / allc.n, 1)) END AS lever_reason,
       o.avoid AS avoidable_calls, o.savings AS estimated_savings,
       round(o.savings / nullif(o.avoid, 0), 2) AS savings_per_avoidable_call,
       o.avoid::float8 / nullif(sum(o.avoid) OVER (), 0) AS share_of_avoidable_calls,
       o.base AS base_volume, o.avoid::float8 / o.base AS avoidable_rate
  FROM o CROSS JOIN allc;

-- ---- member_journey, every member
CREATE TABLE ref.exp_member_journey AS
WITH e AS (
    SELECT c.member_id, c.called_at AS event_at, 'call' AS event_kind, c.call_id AS event_id, 'phone' AS channel,
           c.call_topic AS category,
           CASE c.resolved WHEN true THEN 'resolved' WHEN false THEN 'unresolved' END AS outcome, c.sentiment AS reason,
           r.cost AS amount, c.handle_time_minutes::numeric AS duration_minutes, c.sentiment_score::numeric AS sentiment_score,
           NULL::smallint AS nps_score, NULL::smallint AS csat_score, NULL::smallint AS effort_score,
           r.rep AS is_repeat_call, r.leaked AS leaked_to_call,
           CASE WHEN c.transferred THEN 'transferred' END AS detail
      FROM costmodel.calls c JOIN ref.calls r USING (call_id)
    UNION ALL
    SELECT member_id, interacted_at, 'digital_interaction', interaction_id, channel, interaction_type, outcome, failure_reason,
           NULL, round(session_duration_seconds / 60.0, 2), NULL, NULL, NULL, NULL, NULL,
           CASE WHEN failure THEN leaked END, NULL
      FROM ref.digital
    UNION ALL
    SELECT member_id, surveyed_at, 'survey', survey_id, 'survey', survey_type, NULL, NULL, NULL, NULL, NULL,
           nps_score, csat_score, effort_score, NULL, NULL, feedback_text
      FROM costmodel.surveys
    UNION ALL
    SELECT member_id, filled_at, 'pharmacy_fill', rx_id, pharmacy_type, drug_name,
           CASE WHEN denied THEN 'denied' ELSE 'filled' END, denied_reason, copay_amount, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, days_supply::text || ' days supply'
      FROM costmodel.pharmacy_fills
    UNION ALL
    SELECT member_id, enrolled_at, 'enrollment', enrollment_id, NULL, change_type, plan_type, change_reason,
           premium_amount, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM costmodel.enrollments
    UNION ALL
    SELECT member_id, service_date::timestamp AT TIME ZONE 'UTC', 'claim', claim_id, claim_type, procedure_code, status,
           denial_reason, claim_amount, NULL, NULL, NULL, NULL, NULL, NULL, NULL, payer
      FROM costmodel.claims WHERE service_date IS NOT NULL
    UNION ALL
    SELECT member_id, opened_at, 'case_opened', case_id, intake_source, case_type, status, urgency,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, advocate_id
      FROM costmodel.cases
    UNION ALL
    SELECT k.member_id, k.resolved_at, 'case_resolved', k.case_id, k.intake_source, k.case_type, k.status, k.urgency,
           NULL, round(extract(epoch FROM k.resolved_at - k.opened_at) / 60, 2), NULL, NULL, f.csat, NULL, NULL, NULL, k.advocate_id
      FROM costmodel.cases k LEFT JOIN costmodel.case_feedback f USING (case_id)
     WHERE k.resolved_at IS NOT NULL)
SELECT member_id, row_number() OVER (PARTITION BY member_id ORDER BY event_at, event_kind, event_id) AS event_seq,
       event_at, event_kind, event_id, channel, category, outcome, reason, amount, duration_minutes, sentiment_score,
       nps_score, csat_score, effort_score, is_repeat_call, leaked_to_call, detail
  FROM e;
SQL
}

# Refresh the marts and compare all of them with the reference; $1 labels the round.
check_round() {
    local label=$1 t0 t1
    t0=$(date +%s.%N)
    if ! sql -c "CALL costmodel.refresh_marts()" >/dev/null 2>"$WORK/refresh.err"; then
        notok "$label: refresh_marts: $(cat "$WORK/refresh.err")"
        return
    fi
    t1=$(date +%s.%N)
    zero "$label: every experience mart refreshed ok ($(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s for all marts and dimensions)" \
        "SELECT count(*) FROM costmodel.refresh_log l JOIN costmodel.mart m USING (mart_name)
          WHERE m.area = 'experience' AND l.status <> 'ok'
            AND l.run_id = (SELECT max(run_id) FROM costmodel.refresh_log)"
    if ! reference >"$WORK/ref.out" 2>&1; then
        notok "$label: the reference computation: $(tail -n 5 "$WORK/ref.out")"
        return
    fi
    compare experience_daily "day_date" "" "$label"
    compare digital_call_leakage "interaction_type, failure_reason, plan_type, segment" "" "$label"
    compare repeat_calls "call_topic, plan_type, segment" "" "$label"
    compare segment_experience "segment, tenure_bucket" "" "$label"
    compare top_opportunities "opportunity_type, opportunity" "" "$label"
    compare member_journey "member_id, event_seq" costmodel_member.member_journey "$label"
}

check_round "default settings"
# the data really exercise the rules the marts depend on
zero "default settings: the reference sees repeats at exactly 7 days, leaked calls at exactly 24 hours, and calls at the same instant as a failure that are not leaked" \
  "SELECT count(*) FROM (VALUES
     ((SELECT count(*) FROM ref.calls WHERE call_id LIKE 'X7D%' AND rep)),
     ((SELECT count(*) FROM ref.calls WHERE call_id LIKE 'X24H%' AND leaked)),
     ((SELECT count(*) FROM ref.calls WHERE call_id LIKE 'XSAME%' AND NOT leaked)),
     ((SELECT count(*) FROM ref.calls WHERE plan_type = 'unknown')),
     ((SELECT count(*) FROM ref.calls WHERE tenure IS NULL)),
     ((SELECT count(*) FROM ref.calls c JOIN costmodel.dim_member d ON d.member_id = c.member_id AND NOT d.is_current
        WHERE c.called_at < d.valid_to))) v(n) WHERE n = 0"

# ------------------------------------------------------- settings changed
sql <<'SQL' || notok "changing the settings"
UPDATE costmodel.settings SET value = '3 days' WHERE name = 'repeat_call_window';
UPDATE costmodel.settings SET value = '90 minutes' WHERE name = 'leakage_window';
UPDATE costmodel.settings SET value = '4.05' WHERE name = 'cost_per_call';
UPDATE costmodel.settings SET value = '1.13' WHERE name = 'cost_per_minute';
UPDATE costmodel.settings SET value = '-0.25' WHERE name = 'negative_sentiment_threshold';
UPDATE costmodel.settings SET value = '9.5' WHERE name = 'high_handle_time_threshold';
UPDATE costmodel.settings SET value = '12' WHERE name = 'tenure_bucket_1_months';
UPDATE costmodel.settings SET value = '13' WHERE name = 'tenure_bucket_2_months';
UPDATE costmodel.settings SET value = '100' WHERE name = 'tenure_bucket_3_months';
UPDATE costmodel.settings SET value = '7' WHERE name = 'fiscal_year_start_month';
SQL
check_round "changed settings"

# ------------------------------------------------------- speed and plans
one=$(sql -c "SELECT member_id FROM costmodel.calls GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
plan=$(sql -c "EXPLAIN SELECT * FROM costmodel_member.member_journey WHERE member_id = '$one' ORDER BY event_seq")
if grep -Eq 'Seq Scan on (calls|digital_interactions|surveys|pharmacy_fills|enrollments|claims|cases)' <<<"$plan"; then
    notok "member_journey for one member reads only indexes on member_id: $(grep -E 'Seq Scan' <<<"$plan" | head -3)"
else
    ok "member_journey for one member reads only indexes on member_id ($(grep -cE 'Index Scan|Bitmap Index Scan|Index Only Scan' <<<"$plan") index scans)"
fi

# Time query $2 (best execution time of 3 EXPLAIN ANALYZE runs) and check it is under 50 ms.
fast() {
    local what=$1 q=$2 best=999999 t i
    for i in 1 2 3; do
        t=$(sql -c "EXPLAIN (ANALYZE, FORMAT JSON) $q" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])') || t=999999
        best=$(python3 -c "print(min($best, $t))")
    done
    if python3 -c "import sys; sys.exit(0 if $best < 50 else 1)"; then
        ok "typical dashboard query of $what takes under 50 ms ($best ms)"
    else
        notok "typical dashboard query of $what takes under 50 ms ($best ms)"
    fi
}
fast experience_daily "SELECT day_date, calls, repeat_call_pct, negative_pct, estimated_call_cost, digital_success_rate, nps, csat_pct FROM costmodel_mart.experience_daily WHERE day_date > (SELECT max(day_date) FROM costmodel_mart.experience_daily) - 30 ORDER BY day_date"
fast digital_call_leakage "SELECT interaction_type, sum(failures) AS failures, sum(leaked_failures)::float8 / sum(failures) AS leakage_rate, sum(avoidable_call_cost) AS cost FROM costmodel_mart.digital_call_leakage WHERE plan_type = 'MAPD' GROUP BY 1 ORDER BY 4 DESC"
fast repeat_calls "SELECT call_topic, sum(calls) AS calls, sum(repeat_calls)::float8 / sum(calls) AS repeat_rate, sum(estimated_call_cost) AS cost FROM costmodel_mart.repeat_calls GROUP BY 1 ORDER BY 3 DESC"
fast segment_experience "SELECT segment, tenure_bucket, digital_failure_rate, leakage_rate, negative_pct, avg_effort_score FROM costmodel_mart.segment_experience ORDER BY segment, tenure_bucket_order"
fast top_opportunities "SELECT opportunity_rank, opportunity, recommended_lever, avoidable_calls, estimated_savings FROM costmodel_mart.top_opportunities ORDER BY opportunity_rank LIMIT 5"
fast member_journey "SELECT * FROM costmodel_member.member_journey WHERE member_id = '$one' ORDER BY event_seq"

[[ $failures -eq 0 ]]
