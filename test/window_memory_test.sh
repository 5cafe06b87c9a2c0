#!/usr/bin/env bash
# window_memory_test.sh: the memory of repeat_call_stats and leakage_stats,
# as costmodel.window_memory_stats() reports it (MemoryContextMemAllocated
# of the groups' pools and of the shared member dictionary).
#
# 400,000 calls and 400,000 digital events of 16,000 members over 90 days
# (25 calls per member, as in make bench).  With hash aggregation and
# work_mem large enough to hold every group at once:
#   - bytes per event held are at most 24 for one group, by topic, by day
#     and by member, for both aggregates;
#   - groups, events and members are exactly those of the data;
#   - the dictionary is shared: it is the same size by day and by member as
#     for one group (each member's id is stored once, not once per group);
#   - hash aggregation counts the states against work_mem: its reported
#     Memory Usage is at least the states' bytes.
# With sorted grouping the peak is one group plus the dictionary.
set -uo pipefail
cd "${COSTMODEL_ROOT:-.}"
DB=cm_window_mem_$$
failures=0
trap 'dropdb --if-exists "$DB" 2>/dev/null' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failures=$((failures + 1)); }
sql() { PGTZ=UTC psql -X -q -v ON_ERROR_STOP=1 -At -d "$DB" "$@"; }

createdb "$DB" && sql -c "CREATE EXTENSION costmodel" || { notok "database set-up"; exit 1; }
sql <<'SQL' || { notok "generating the data"; exit 1; }
SELECT setseed(0.31);
CREATE TABLE calls AS
SELECT 'M' || lpad(floor(random() * 16000)::int::text, 7, '0') AS member_id,
       timestamptz '2025-01-01 00:00+00' + random() * interval '90 days' AS called_at,
       (ARRAY['billing', 'claims', 'pharmacy', 'benefits', 'id_card', 'provider', 'auth', 'other'])
         [1 + floor(random() * 8)::int] AS topic
  FROM generate_series(1, 400000);
ALTER TABLE calls ADD COLUMN day date;
UPDATE calls SET day = (called_at AT TIME ZONE 'UTC')::date;
CREATE TABLE events AS
SELECT member_id, called_at AS at, true AS is_call, false AS is_failure, day FROM calls
UNION ALL
SELECT 'M' || lpad(floor(random() * 16000)::int::text, 7, '0'),
       timestamptz '2025-01-01 00:00+00' + random() * interval '90 days', false, random() < 0.4, NULL
  FROM generate_series(1, 400000);
UPDATE events SET day = (at AT TIME ZONE 'UTC')::date WHERE day IS NULL;
VACUUM ANALYZE calls;
VACUUM ANALYZE events;
SQL

hashed="SET max_parallel_workers_per_gather = 0; SET enable_sort = off; SET work_mem = '1GB'"
sorted="SET max_parallel_workers_per_gather = 0; SET enable_hashagg = off; SET work_mem = '1GB'"
stats="SELECT groups || '|' || events || '|' || members || '|' || events_at_peak || '|' || state_bytes
              || '|' || dictionary_bytes || '|' || peak_bytes || '|' || round(bytes_per_event::numeric, 2)
         FROM costmodel.window_memory_stats()"

# Run query $2 (which must reference the aggregate's result) under settings
# $1, then print its one memory record.
measure() {
    sql -c "$1" -c "$2" -c "$stats" | tail -n 1
}

# ------------------------------------------------------------ repeat calls
n_calls=$(sql -c "SELECT count(*) FROM calls")
n_members=$(sql -c "SELECT count(DISTINCT member_id) FROM calls")
declare -A dict
for g in all topic day member_id; do
    key=$g
    [[ $g == all ]] && key="'all'::text"
    want_groups=$(sql -c "SELECT count(DISTINCT $key) FROM calls")
    rec=$(measure "$hashed" "SELECT sum((s).repeat_calls) FROM (SELECT $key, costmodel.repeat_call_stats(member_id, called_at) s FROM calls GROUP BY 1) x")
    IFS='|' read -r groups events members at_peak states dbytes peak bpe <<<"$rec"
    dict[$g]=$dbytes
    if [[ $groups == "$want_groups" && $events == "$n_calls" && $members == "$n_members" && $at_peak == "$n_calls" ]]; then
        ok "repeat_call_stats by $g: $groups groups, $events events, $members members, all held at the peak"
    else
        notok "repeat_call_stats by $g: record $rec; want $want_groups groups, $n_calls events, $n_members members"
    fi
    if [[ -n $bpe ]] && awk -v b="$bpe" 'BEGIN { exit !(b > 0 && b <= 24) }'; then
        ok "repeat_call_stats by $g: $bpe bytes per event (states $states + dictionary $dbytes bytes) <= 24"
    else
        notok "repeat_call_stats by $g: $bpe bytes per event (record $rec), want <= 24"
    fi
done
if [[ ${dict[day]} == "${dict[all]}" && ${dict[member_id]} == "${dict[all]}" && ${dict[topic]} == "${dict[all]}" ]]; then
    ok "one dictionary for all groups: ${dict[all]} bytes by day, by topic and by member as for one group"
else
    notok "one dictionary for all groups: all ${dict[all]}, topic ${dict[topic]}, day ${dict[day]}, member ${dict[member_id]}"
fi

# Hash aggregation counts the states (a child context of its own) against work_mem.
plan=$(sql -c "$hashed" -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
    SELECT member_id, costmodel.repeat_call_stats(member_id, called_at) FROM calls GROUP BY 1" -c "$stats")
usage_kb=$(grep -oE 'Memory Usage: [0-9]+kB' <<<"$plan" | grep -oE '[0-9]+' | head -n 1)
states=$(tail -n 1 <<<"$plan" | cut -d'|' -f5)
if [[ -n $usage_kb && -n $states ]] && (( usage_kb * 1024 >= states )); then
    ok "HashAggregate Memory Usage (${usage_kb} kB) includes the states ($states bytes)"
else
    notok "HashAggregate Memory Usage (${usage_kb:-?} kB) should include the states (${states:-?} bytes)"
fi

# Sorted grouping: one group at a time plus the dictionary.
rec=$(measure "$sorted" "SELECT sum((s).repeat_calls) FROM (SELECT day, costmodel.repeat_call_stats(member_id, called_at) s FROM calls GROUP BY 1) x")
IFS='|' read -r groups events members at_peak states dbytes peak bpe <<<"$rec"
max_day=$(sql -c "SELECT max(n) FROM (SELECT count(*) n FROM calls GROUP BY day) x")
if [[ $events == "$n_calls" && $at_peak -le $max_day && $dbytes == "${dict[all]}" ]]; then
    ok "sorted grouping by day holds one day at a time: $at_peak events ($states bytes) + the dictionary at the peak"
else
    notok "sorted grouping by day: record $rec; want at most $max_day events at the peak"
fi

# ------------------------------------------------------------------ leakage
n_leak=$(sql -c "SELECT count(*) FROM events WHERE is_call OR is_failure")
n_leak_members=$(sql -c "SELECT count(DISTINCT member_id) FROM events WHERE is_call OR is_failure")
for g in all day member_id; do
    key=$g
    [[ $g == all ]] && key="'all'::text"
    rec=$(measure "$hashed" "SELECT sum((s).leaked_calls) FROM (SELECT $key, costmodel.leakage_stats(member_id, at, is_call, is_failure) s FROM events GROUP BY 1) x")
    IFS='|' read -r groups events members at_peak states dbytes peak bpe <<<"$rec"
    if [[ $events == "$n_leak" && $members == "$n_leak_members" ]] &&
        awk -v b="$bpe" 'BEGIN { exit !(b > 0 && b <= 24) }'; then
        ok "leakage_stats by $g: $events calls and failures kept, $bpe bytes per event <= 24"
    else
        notok "leakage_stats by $g: record $rec; want $n_leak events, $n_leak_members members, <= 24 bytes per event"
    fi
done

exit $(( failures > 0 ))
