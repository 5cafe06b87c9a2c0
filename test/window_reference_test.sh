#!/usr/bin/env bash
# window_reference_test.sh: the window aggregates and window functions
# against independent plain-SQL references on generated data.
#
# 100,000+ calls and 100,000+ digital events (5,000 members, 60 days, times
# on whole minutes so that ties are common, NULLs, and injected ties and
# exact-edge events), 100,000+ cases.  Each aggregate is compared group by
# group with its reference, for several groupings (overall, by topic and by
# day, which spread a member over groups, by segment, which does not, and
# by member, one member per group: small states kept in segments), and
# several windows:
#   repeat_call_stats  lag(called_at) OVER (PARTITION BY g, member ORDER BY called_at)
#   leakage_stats      EXISTS self-joins
#   sla_stats          count(*) FILTER and percentile_cont
#   stale_stats        count(*) FILTER
# The window functions are compared row by row (is_repeat_call with lag in
# the same window, leaked_to_call with the EXISTS self-joins), and the
# aggregates give the same results in any input order and in parallel plans.
set -uo pipefail
cd "${COSTMODEL_ROOT:-.}"
DB=cm_window_ref_$$
failures=0
trap 'dropdb --if-exists "$DB" 2>/dev/null' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failures=$((failures + 1)); }
sql() { PGTZ=UTC psql -X -q -v ON_ERROR_STOP=1 -At -d "$DB" "$@"; }

# Check that query $2 returns "groups|mismatches" with groups > 0 and no mismatch.
same() {
    local what=$1 out groups bad
    if ! out=$(sql -c "$2" 2>&1); then
        notok "$what: query failed: $out"
        return
    fi
    groups=${out%%|*}
    bad=${out##*|}
    if [[ $groups =~ ^[0-9]+$ && $groups -gt 0 && $bad == 0 ]]; then
        ok "$what ($groups groups or rows, all equal)"
    else
        notok "$what: got groups|mismatches = $out"
    fi
}

createdb "$DB" && sql -c "CREATE EXTENSION costmodel" || { notok "database set-up"; exit 1; }

# ---------------------------------------------------------------- the data
sql <<'SQL' || { notok "generating the data"; exit 1; }
SELECT setseed(0.2025);
CREATE TABLE ev (
    id         bigserial PRIMARY KEY,
    member_id  text,
    at         timestamptz,
    is_call    boolean,
    is_failure boolean,
    topic      text
);
-- 100,000 calls and 100,000 digital events on whole minutes over 60 days
INSERT INTO ev (member_id, at, is_call, is_failure, topic)
SELECT CASE WHEN r1 < 0.003 THEN NULL ELSE 'M' || lpad(floor(r2 * 5000)::int::text, 5, '0') END,
       CASE WHEN r3 < 0.003 THEN NULL
            ELSE timestamptz '2025-03-01 00:00+00' + floor(r4 * 60 * 24 * 60)::int * interval '1 minute' END,
       kind = 0,
       CASE WHEN kind = 0 THEN CASE WHEN r5 < 0.01 THEN NULL ELSE false END
            WHEN r5 < 0.02 THEN NULL
            ELSE r5 < 0.45 END,
       (ARRAY['billing', 'claims', 'pharmacy', 'benefits'])[1 + floor(r6 * 4)::int]
  FROM (SELECT i % 2 AS kind, random() r1, random() r2, random() r3, random() r4,
               random() r5, random() r6
          FROM generate_series(1, 200000) i) s;
-- ties: the same call twice
INSERT INTO ev (member_id, at, is_call, is_failure, topic)
SELECT member_id, at, true, false, topic FROM ev WHERE is_call AND id % 53 = 0;
-- exact edges for repeats: a call exactly 7 days later, and 7 days + 1 us later
INSERT INTO ev (member_id, at, is_call, is_failure, topic)
SELECT member_id, at + interval '7 days', true, false, topic FROM ev WHERE is_call AND id % 47 = 0;
INSERT INTO ev (member_id, at, is_call, is_failure, topic)
SELECT member_id, at + interval '7 days 1 microsecond', true, false, topic FROM ev WHERE is_call AND id % 43 = 0;
-- exact edges for leakage: a call exactly 24 hours after a failure, one at
-- the same time as a failure, one 24 hours + 1 us after
INSERT INTO ev (member_id, at, is_call, is_failure, topic)
SELECT member_id, at + interval '24 hours', true, false, topic FROM ev WHERE is_failure AND id % 41 = 0;
INSERT INTO ev (member_id, at, is_call, is_failure, topic)
SELECT member_id, at, true, false, topic FROM ev WHERE is_failure AND id % 37 = 0;
INSERT INTO ev (member_id, at, is_call, is_failure, topic)
SELECT member_id, at + interval '24 hours 1 microsecond', true, false, topic FROM ev WHERE is_failure AND id % 31 = 0;
-- a call that is also flagged as a failure (a call is never a failure)
UPDATE ev SET is_failure = true WHERE is_call AND id % 97 = 0;
ALTER TABLE ev ADD COLUMN everything text DEFAULT 'all', ADD COLUMN day date, ADD COLUMN segment text;
UPDATE ev SET day = (at AT TIME ZONE 'UTC')::date,
              segment = 'S' || (abs(hashtext(coalesce(member_id, ''))) % 3);
CREATE INDEX ON ev (member_id, at);
CREATE VIEW calls AS SELECT id, member_id, at AS called_at, everything, topic, day, segment FROM ev WHERE is_call;
ANALYZE ev;

-- cases: opened over 60 days, 30% open, closing times on whole minutes up to
-- 20 days with 2% exactly at 7 days; last touches; a few NULLs
CREATE TABLE cases (
    id            bigserial PRIMARY KEY,
    opened_at     timestamptz,
    closed_at     timestamptz,
    last_touch_at timestamptz,
    is_open       boolean,
    team          text
);
INSERT INTO cases (opened_at, closed_at, last_touch_at, is_open, team)
SELECT o,
       CASE WHEN r2 < 0.30 THEN NULL
            WHEN r2 < 0.32 THEN o + interval '7 days'
            ELSE o + floor(r3 * 20 * 24 * 60)::int * interval '1 minute' END,
       CASE WHEN r4 < 0.005 THEN NULL ELSE o + floor(r4 * 10 * 24 * 60)::int * interval '1 minute' END,
       CASE WHEN r5 < 0.01 THEN NULL ELSE r2 < 0.30 END,
       'T' || floor(r6 * 8)::int
  FROM (SELECT CASE WHEN random() < 0.003 THEN NULL
                    ELSE timestamptz '2025-03-01 00:00+00' + floor(random() * 60 * 24 * 60)::int * interval '1 minute' END AS o,
               random() r2, random() r3, random() r4, random() r5, random() r6
          FROM generate_series(1, 120000)) s;
ALTER TABLE cases ADD COLUMN everything text DEFAULT 'all', ADD COLUMN day date;
UPDATE cases SET day = (opened_at AT TIME ZONE 'UTC')::date;
ANALYZE cases;
SQL

n_calls=$(sql -c "SELECT count(*) FROM calls")
n_digital=$(sql -c "SELECT count(*) FROM ev WHERE NOT is_call OR is_call IS NULL")
n_cases=$(sql -c "SELECT count(*) FROM cases")
if [[ $n_calls -ge 100000 && $n_digital -ge 100000 && $n_cases -ge 100000 ]]; then
    ok "generated $n_calls calls, $n_digital digital events, $n_cases cases"
else
    notok "generated too few rows: $n_calls calls, $n_digital digital events, $n_cases cases"
fi

# ------------------------------------------------------------ repeat calls
# $1 grouping column, $2 window
repeat_ref() {
    cat <<SQL
WITH c AS (
    SELECT $1 AS g, s.stats FROM (
        SELECT $1, costmodel.repeat_call_stats(member_id, called_at, '$2') AS stats
          FROM calls GROUP BY 1) s),
r AS (
    SELECT g, count(*) FILTER (WHERE member_id IS NOT NULL AND called_at IS NOT NULL) AS calls,
           count(*) FILTER (WHERE called_at - prev <= interval '$2') AS repeats
      FROM (SELECT $1 AS g, member_id, called_at,
                   lag(called_at) OVER (PARTITION BY $1, member_id ORDER BY called_at) AS prev
              FROM calls WHERE member_id IS NOT NULL AND called_at IS NOT NULL
            UNION ALL
            SELECT $1, NULL, NULL, NULL FROM calls WHERE member_id IS NULL OR called_at IS NULL) x
     GROUP BY g)
SELECT count(*), count(*) FILTER (WHERE
        (c.stats).calls IS DISTINCT FROM r.calls
     OR (c.stats).repeat_calls IS DISTINCT FROM r.repeats
     OR (c.stats).repeat_rate IS DISTINCT FROM
        CASE WHEN r.calls > 0 THEN r.repeats::float8 / r.calls END)
  FROM c FULL JOIN r ON coalesce(c.g::text, '(null)') = coalesce(r.g::text, '(null)')
SQL
}

for g in everything topic day segment member_id; do
    for w in "7 days" "36 hours" "1 minute"; do
        same "repeat_call_stats = lag() reference, by $g, within '$w'" "$(repeat_ref "$g" "$w")"
    done
done

# ---------------------------------------------------------------- leakage
# The reference for one failure or call row: a call / failure of the same
# member in the same group within the window.  NULL flags are false; a call
# is never a failure.  The session time zone is UTC, so "+ interval" is
# exact here, and the difference test keeps it exact in any zone.
leak_flags() {
    local g=$1 w=$2
    cat <<SQL
SELECT e.id, e.$g AS g, e.member_id,
       coalesce(e.is_call, false) AS call,
       NOT coalesce(e.is_call, false) AND coalesce(e.is_failure, false) AS failure,
       CASE WHEN NOT coalesce(e.is_call, false) AND coalesce(e.is_failure, false) THEN
            EXISTS (SELECT 1 FROM ev c
                     WHERE c.member_id = e.member_id AND coalesce(c.is_call, false)
                       AND c.at > e.at AND c.at <= e.at + interval '$w'
                       AND c.at - e.at <= interval '$w'
                       AND c.$g IS NOT DISTINCT FROM e.$g) END AS leaked_failure,
       CASE WHEN coalesce(e.is_call, false) THEN
            EXISTS (SELECT 1 FROM ev f
                     WHERE f.member_id = e.member_id
                       AND NOT coalesce(f.is_call, false) AND coalesce(f.is_failure, false)
                       AND f.at < e.at AND f.at >= e.at - interval '$w'
                       AND e.at - f.at <= interval '$w'
                       AND f.$g IS NOT DISTINCT FROM e.$g) END AS leaked_call
  FROM ev e
 WHERE e.member_id IS NOT NULL AND e.at IS NOT NULL
SQL
}

leak_ref() {
    local g=$1 w=$2
    cat <<SQL
WITH f AS ($(leak_flags "$g" "$w")),
c AS (SELECT $g AS g, costmodel.leakage_stats(member_id, at, is_call, is_failure, '$w') AS stats
        FROM ev GROUP BY 1),
r AS (SELECT g, count(*) FILTER (WHERE failure) AS failures,
             count(*) FILTER (WHERE leaked_failure) AS leaked_failures,
             count(*) FILTER (WHERE call) AS calls,
             count(*) FILTER (WHERE leaked_call) AS leaked_calls
        FROM (SELECT g, failure, leaked_failure, call, leaked_call FROM f
              UNION ALL SELECT $g, false, false, false, false FROM ev) x
       GROUP BY g)
SELECT count(*), count(*) FILTER (WHERE
        (c.stats).failures IS DISTINCT FROM r.failures
     OR (c.stats).leaked_failures IS DISTINCT FROM r.leaked_failures
     OR (c.stats).leakage_rate IS DISTINCT FROM
        CASE WHEN r.failures > 0 THEN r.leaked_failures::float8 / r.failures END
     OR (c.stats).calls IS DISTINCT FROM r.calls
     OR (c.stats).leaked_calls IS DISTINCT FROM r.leaked_calls)
  FROM c FULL JOIN r ON coalesce(c.g::text, '(null)') = coalesce(r.g::text, '(null)')
SQL
}

for g in everything topic day segment; do
    for w in "24 hours" "3 days"; do
        same "leakage_stats = EXISTS reference, by $g, within '$w'" "$(leak_ref "$g" "$w")"
    done
done
same "leakage_stats = EXISTS reference, by topic, within '90 minutes'" "$(leak_ref topic "90 minutes")"
same "leakage_stats = EXISTS reference, by member, within '24 hours'" "$(leak_ref member_id "24 hours")"

# ------------------------------------------------------ the window functions
same "is_repeat_call = lag() in the same window, row by row, by topic and member, within '7 days'" "
SELECT count(*), count(*) FILTER (WHERE flag IS DISTINCT FROM ref)
  FROM (SELECT costmodel.is_repeat_call(called_at) OVER w AS flag,
               CASE WHEN called_at IS NOT NULL
                    THEN coalesce(called_at - lag(called_at) OVER w <= interval '7 days', false) END AS ref
          FROM calls WHERE member_id IS NOT NULL
        WINDOW w AS (PARTITION BY topic, member_id ORDER BY called_at)) s"

same "is_repeat_call flags sum to repeat_call_stats, by day, within '2 days'" "
WITH f AS (SELECT day, costmodel.is_repeat_call(called_at, '2 days')
                         OVER (PARTITION BY day, member_id ORDER BY called_at) AS flag
             FROM calls WHERE member_id IS NOT NULL),
a AS (SELECT day, costmodel.repeat_call_stats(member_id, called_at, '2 days') AS s FROM calls GROUP BY day)
SELECT count(*), count(*) FILTER (WHERE (a.s).repeat_calls IS DISTINCT FROM
       (SELECT count(*) FROM f WHERE f.day IS NOT DISTINCT FROM a.day AND f.flag))
  FROM a"

for w in "24 hours" "3 days"; do
    same "leaked_to_call = EXISTS reference, row by row, by topic, within '$w'" "
WITH r AS ($(leak_flags topic "$w")),
f AS (SELECT id, costmodel.leaked_to_call(at, is_call, is_failure, '$w')
                   OVER (PARTITION BY topic, member_id ORDER BY at) AS flag
        FROM ev WHERE member_id IS NOT NULL)
SELECT count(*), count(*) FILTER (WHERE f.flag IS DISTINCT FROM
       CASE WHEN r.failure THEN r.leaked_failure WHEN r.call THEN r.leaked_call END)
  FROM r JOIN f USING (id)"
done

# ------------------------------------------------------------ sla and stale
# $1 grouping column, $2 sla, $3 as_of
sla_ref() {
    cat <<SQL
WITH c AS (SELECT $1 AS g, costmodel.sla_stats(opened_at, closed_at, '$2', '$3') AS s FROM cases GROUP BY 1),
r AS (SELECT $1 AS g,
             count(opened_at) AS cases,
             count(opened_at) FILTER (WHERE closed_at IS NULL) AS open_cases,
             count(opened_at) FILTER (WHERE closed_at - opened_at > interval '$2'
                                         OR (closed_at IS NULL AND timestamptz '$3' - opened_at > interval '$2')) AS breached,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at) / 3600)
               FILTER (WHERE opened_at IS NOT NULL AND closed_at IS NOT NULL) AS median,
             percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at) / 3600)
               FILTER (WHERE opened_at IS NOT NULL AND closed_at IS NOT NULL) AS p90
        FROM cases GROUP BY 1)
SELECT count(*), count(*) FILTER (WHERE
        (c.s).cases IS DISTINCT FROM r.cases
     OR (c.s).open_cases IS DISTINCT FROM r.open_cases
     OR (c.s).breached IS DISTINCT FROM r.breached
     OR (c.s).breach_rate IS DISTINCT FROM CASE WHEN r.cases > 0 THEN r.breached::float8 / r.cases END
     OR ((c.s).median_hours_to_close IS NULL) <> (r.median IS NULL)
     OR abs((c.s).median_hours_to_close - r.median) > 1e-9 * greatest(1, abs(r.median))
     OR ((c.s).p90_hours_to_close IS NULL) <> (r.p90 IS NULL)
     OR abs((c.s).p90_hours_to_close - r.p90) > 1e-9 * greatest(1, abs(r.p90)))
  FROM c FULL JOIN r ON coalesce(c.g::text, '(null)') = coalesce(r.g::text, '(null)')
SQL
}

stale_ref() {
    cat <<SQL
WITH c AS (SELECT $1 AS g, costmodel.stale_stats(last_touch_at, is_open, '$2', '$3') AS s FROM cases GROUP BY 1),
r AS (SELECT $1 AS g,
             count(*) FILTER (WHERE is_open AND last_touch_at IS NOT NULL) AS open_cases,
             count(*) FILTER (WHERE is_open AND timestamptz '$3' - last_touch_at > interval '$2') AS stale
        FROM cases GROUP BY 1)
SELECT count(*), count(*) FILTER (WHERE
        (c.s).open_cases IS DISTINCT FROM r.open_cases
     OR (c.s).stale_cases IS DISTINCT FROM r.stale
     OR (c.s).stale_rate IS DISTINCT FROM CASE WHEN r.open_cases > 0 THEN r.stale::float8 / r.open_cases END)
  FROM c FULL JOIN r ON coalesce(c.g::text, '(null)') = coalesce(r.g::text, '(null)')
SQL
}

for g in everything team day; do
    same "sla_stats = FILTER/percentile_cont reference, by $g" "$(sla_ref "$g" "7 days" "2025-04-20 00:00+00")"
    same "stale_stats = FILTER reference, by $g" "$(stale_ref "$g" "48 hours" "2025-04-20 00:00+00")"
done
same "sla_stats = reference, by team, sla '36 hours', as_of mid-period" "$(sla_ref team "36 hours" "2025-04-01 12:00+00")"
same "stale_stats = reference, by team, threshold '5 days', as_of mid-period" "$(stale_ref team "5 days" "2025-04-01 12:00+00")"

# ---------------------------------------------------- order and parallelism
# Results of the four aggregates by topic/team, as text, under settings $1.
all_results() {
    sql -c "$1" -c "
SELECT string_agg(x, ';' ORDER BY x) FROM (
  SELECT topic || '=' || costmodel.repeat_call_stats(member_id, called_at)::text AS x FROM ($2) s GROUP BY topic
  UNION ALL
  SELECT topic || '=' || costmodel.leakage_stats(member_id, called_at, is_call, is_failure)::text FROM ($2) s GROUP BY topic
  UNION ALL
  SELECT 'all=' || costmodel.leakage_stats(member_id, called_at, is_call, is_failure, '2 hours')::text FROM ($2) s) r" \
      | tail -n 1
}
cases_results() {
    sql -c "$1" -c "
SELECT string_agg(x, ';' ORDER BY x) FROM (
  SELECT team || '=' || costmodel.sla_stats(opened_at, closed_at, '7 days', '2025-04-20')::text AS x FROM ($2) s GROUP BY team
  UNION ALL
  SELECT team || '=' || costmodel.stale_stats(last_touch_at, is_open, '48 hours', '2025-04-20')::text FROM ($2) s GROUP BY team) r" \
      | tail -n 1
}
serial="SET max_parallel_workers_per_gather = 0"
parallel="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off"
evq="SELECT member_id, at AS called_at, is_call, is_failure, topic FROM ev"
base=$(all_results "$serial" "$evq")
[[ -n $base ]] && ok "serial results computed" || notok "serial results computed"
for order in "ORDER BY at DESC" "ORDER BY random()" "ORDER BY member_id, at" "ORDER BY topic DESC, at DESC, member_id DESC"; do
    got=$(all_results "$serial; SELECT setseed(0.5)" "$evq $order OFFSET 0")
    [[ $got == "$base" ]] && ok "same results with input $order" || notok "same results with input $order"
done
got=$(all_results "$parallel" "$evq")
plan=$(sql -c "$parallel" -c "EXPLAIN (COSTS OFF) SELECT topic, costmodel.leakage_stats(member_id, at, is_call, is_failure) FROM ev GROUP BY topic")
[[ $plan == *Partial* && $plan == *Gather* ]] && ok "the plan is parallel with partial aggregation" || notok "the plan is parallel with partial aggregation: $plan"
[[ $got == "$base" ]] && ok "parallel results = serial results (repeat, leakage)" || notok "parallel results = serial results (repeat, leakage)"
cbase=$(cases_results "$serial" "TABLE cases")
got=$(cases_results "$parallel" "TABLE cases")
[[ -n $cbase && $got == "$cbase" ]] && ok "parallel results = serial results (sla, stale)" || notok "parallel results = serial results (sla, stale)"
got=$(cases_results "$serial" "SELECT * FROM cases ORDER BY random() OFFSET 0")
[[ $got == "$cbase" ]] && ok "same sla/stale results in random input order" || notok "same sla/stale results in random input order"

exit $(( failures > 0 ))
