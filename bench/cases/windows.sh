# bench case windows: repeat_call_stats on 5,000,000 generated calls and
# leakage_stats on those calls plus 5,000,000 generated digital events
# (200,000 members over 90 days), each against plain SQL that anyone can
# check in bench/cases/windows_*.sql:
#   - the window-function formulation (lag; count(*) FILTER over RANGE frames);
#   - the fastest plain SQL we could write, with the time to build any index
#     it needs: the best of several candidates (the window-function
#     formulation among them), each reported;
#   - the floor: count(*) over the same rows, grouped the same way (overall);
#   - costmodel serially (max_parallel_workers_per_gather = 0) and with 2
#     workers.
# Every formulation's counts are checked equal to costmodel's.  Then the
# memory per grouping (one group, by topic, by day, by member): the bytes
# of the groups' states and of the shared member dictionary at their peak,
# per event held, from costmodel.window_memory_stats() (MemoryContext-
# MemAllocated of every context the aggregate allocates in), with hash
# aggregation and a work_mem that holds every group; with sorted grouping;
# and hash aggregation with work_mem = 1MB, which spills.  The SQL
# formulations run with the cluster's default settings (parallel allowed).
n=$(scaled 5000000)
members=$(scaled 200000)
SERIAL="SET max_parallel_workers_per_gather = 0;"
PAR2="SET max_parallel_workers_per_gather = 2;"

bsql <<SQL
DROP TABLE IF EXISTS win_calls, win_digital;
SELECT setseed(0.42);
CREATE UNLOGGED TABLE win_calls AS
SELECT 'M' || lpad(floor(random() * $members)::int::text, 7, '0') AS member_id,
       timestamptz '2025-01-01 00:00+00' + random() * interval '90 days' AS called_at,
       (ARRAY['billing', 'claims', 'pharmacy', 'benefits', 'id_card', 'provider', 'auth', 'other'])
         [1 + floor(random() * 8)::int] AS topic
  FROM generate_series(1, $n);
CREATE UNLOGGED TABLE win_digital AS
SELECT 'M' || lpad(floor(random() * $members)::int::text, 7, '0') AS member_id,
       timestamptz '2025-01-01 00:00+00' + random() * interval '90 days' AS at,
       (ARRAY['success', 'success', 'success', 'failure', 'abandoned'])[1 + floor(random() * 5)::int] AS outcome
  FROM generate_series(1, $n);
VACUUM ANALYZE win_calls;
VACUUM ANALYZE win_digital;
SQL

# Drop the indexes the indexed formulations build.
drop_indexes="SET client_min_messages = warning; DROP INDEX IF EXISTS win_calls_member_at, win_digital_fail_member_at"

# ---------------------------------------------------------------- repeat calls
c_repeat="SELECT costmodel.repeat_call_stats(member_id, called_at) FROM win_calls"
c_repeat_counts="SELECT (s).calls || '|' || (s).repeat_calls FROM ($c_repeat) x(s)"
repeat_window=$(cat bench/cases/windows_repeat_window.sql)
repeat_fast=$(cat bench/cases/windows_repeat_fast.sql)
repeat_index=$(cat bench/cases/windows_repeat_index.sql)
counts_of() { echo "SELECT calls || '|' || repeat_calls FROM ($1) q"; }

bsql -c "$drop_indexes"
want=$(bsql -c "$c_repeat_counts")
eq_window=$([[ $(bsql -c "$(counts_of "$repeat_window")") == "$want" ]] && echo yes || echo NO)
eq_fast=$([[ $(bsql -c "$(counts_of "$repeat_fast")") == "$want" ]] && echo yes || echo NO)
plan_par=$(bsql -c "$PAR2" -c "EXPLAIN (COSTS OFF) $c_repeat" | grep -c "Partial Aggregate" || true)

t_window=$(time_sql "$repeat_window" "$drop_indexes")
t_collate=$(time_sql "$repeat_fast" "$drop_indexes")
t_index=$(time_sql "$repeat_index" "$drop_indexes")
t_indexed=$(time_sql "$repeat_fast")        # with the index in place
eq_indexed=$([[ $(bsql -c "$(counts_of "$repeat_fast")") == "$want" ]] && echo yes || echo NO)
bsql -c "$drop_indexes"
t_index_total=$(awk -v a="$t_index" -v b="$t_indexed" 'BEGIN { printf "%.3f", a + b }')
read -r t_fastest fastest_is < <(printf '%s %s\n' "$t_window" "lag" "$t_collate" "lag,COLLATE-C" \
    "$t_index_total" "index+lag" | sort -g | head -n 1)
t_floor=$(time_sql "$SERIAL SELECT count(*) FROM win_calls")
t_floor2=$(time_sql "$PAR2 SELECT count(*) FROM win_calls")
t_c=$(time_sql "$SERIAL $c_repeat")
t_c2=$(time_sql "$PAR2 $c_repeat")

report "repeat calls: $n calls, $members members, 90 days; counts (calls|repeats) $want"
report "  results equal to costmodel: window $eq_window, COLLATE \"C\" $eq_fast, indexed $eq_indexed"
report "  window function (lag), bench/cases/windows_repeat_window.sql:   $t_window s"
report "  lag under COLLATE \"C\", windows_repeat_fast.sql:                $t_collate s"
report "  index build + index-ordered lag, windows_repeat_index.sql:      $t_index_total s (index $t_index s + query $t_indexed s)"
report "  floor: count(*) serial / 2 workers:                             $t_floor s / $t_floor2 s"
report "  costmodel.repeat_call_stats serial:                             $t_c s"
report "  costmodel.repeat_call_stats 2 workers (Partial Aggregate: $plan_par):    $t_c2 s"
report "  speed-up vs window function: $(ratio "$t_window" "$t_c")x serial, $(ratio "$t_window" "$t_c2")x parallel  (target >= 4x)"
report "  speed-up vs fastest SQL ($fastest_is, $t_fastest s): $(ratio "$t_fastest" "$t_c")x serial, $(ratio "$t_fastest" "$t_c2")x parallel  (target >= 1.5x)"
report "  costmodel / floor: $(ratio "$t_c" "$t_floor") serial, $(ratio "$t_c2" "$t_floor2") parallel; speed-up from 2 workers: $(ratio "$t_c" "$t_c2")x"

# -------------------------------------------------------------------- leakage
events="SELECT member_id, called_at AS at, true AS is_call, false AS is_failure FROM win_calls
        UNION ALL
        SELECT member_id, at, false, outcome IN ('failure', 'abandoned') FROM win_digital"
c_leak="SELECT costmodel.leakage_stats(member_id, at, is_call, is_failure) FROM ($events) e"
c_leak_counts="SELECT (s).failures || '|' || (s).leaked_failures || '|' || (s).calls || '|' || (s).leaked_calls FROM ($c_leak) x(s)"
leak_window=$(cat bench/cases/windows_leak_window.sql)
leak_fast=$(cat bench/cases/windows_leak_fast.sql)
leak_exists=$(cat bench/cases/windows_leak_exists.sql)
leak_index=$(cat bench/cases/windows_leak_index.sql)
leak_counts_of() { echo "SELECT failures || '|' || leaked_failures || '|' || calls || '|' || leaked_calls FROM ($1) q"; }

want=$(bsql -c "$c_leak_counts")
eq_window=$([[ $(bsql -c "$(leak_counts_of "$leak_window")") == "$want" ]] && echo yes || echo NO)
eq_leakfast=$([[ $(bsql -c "$(leak_counts_of "$leak_fast")") == "$want" ]] && echo yes || echo NO)
eq_exists=$([[ $(bsql -c "$(leak_counts_of "$leak_exists")") == "$want" ]] && echo yes || echo NO)
plan_par=$(bsql -c "$PAR2" -c "EXPLAIN (COSTS OFF) $c_leak" | grep -c "Partial Aggregate" || true)

t_window=$(time_sql "$leak_window" "$drop_indexes")
t_leakfast=$(time_sql "$leak_fast" "$drop_indexes")
t_exists=$(time_sql "$leak_exists" "$drop_indexes")
t_index=$(time_sql "$leak_index" "$drop_indexes")
t_indexed=$(time_sql "$leak_exists")         # with the indexes in place
eq_indexed=$([[ $(bsql -c "$(leak_counts_of "$leak_exists")") == "$want" ]] && echo yes || echo NO)
bsql -c "$drop_indexes"
t_index_total=$(awk -v a="$t_index" -v b="$t_indexed" 'BEGIN { printf "%.3f", a + b }')
read -r t_fastest fastest_is < <(printf '%s %s\n' "$t_window" "RANGE-frames" "$t_leakfast" "RANGE-frames,COLLATE-C" \
    "$t_exists" "EXISTS" "$t_index_total" "indexes+EXISTS" | sort -g | head -n 1)
t_floor=$(time_sql "$SERIAL SELECT count(*) FROM ($events) e")
t_floor2=$(time_sql "$PAR2 SELECT count(*) FROM ($events) e")
t_c=$(time_sql "$SERIAL $c_leak")
t_c2=$(time_sql "$PAR2 $c_leak")

report "leakage: $n calls + $n digital events; counts (failures|leaked|calls|leaked calls) $want"
report "  results equal to costmodel: window $eq_window, COLLATE \"C\" $eq_leakfast, EXISTS $eq_exists, indexed EXISTS $eq_indexed"
report "  window function (RANGE frames), windows_leak_window.sql:        $t_window s"
report "  RANGE frames under COLLATE \"C\", windows_leak_fast.sql:         $t_leakfast s"
report "  EXISTS self-joins, windows_leak_exists.sql:                     $t_exists s"
report "  partial indexes + EXISTS, windows_leak_index.sql:               $t_index_total s (indexes $t_index s + query $t_indexed s)"
report "  floor: count(*) serial / 2 workers:                             $t_floor s / $t_floor2 s"
report "  costmodel.leakage_stats serial:                                 $t_c s"
report "  costmodel.leakage_stats 2 workers (Partial Aggregate: $plan_par):        $t_c2 s"
report "  speed-up vs window function: $(ratio "$t_window" "$t_c")x serial, $(ratio "$t_window" "$t_c2")x parallel  (target >= 4x)"
report "  speed-up vs fastest SQL ($fastest_is, $t_fastest s): $(ratio "$t_fastest" "$t_c")x serial, $(ratio "$t_fastest" "$t_c2")x parallel  (target >= 1.5x)"
report "  costmodel / floor: $(ratio "$t_c" "$t_floor") serial, $(ratio "$t_c2" "$t_floor2") parallel; speed-up from 2 workers: $(ratio "$t_c" "$t_c2")x"

# --------------------------------------------------------------------- memory
mem_stats="SELECT groups || ' groups, ' || events || ' events, ' || members || ' members: states '
                  || round(state_bytes / 1048576.0, 1) || ' MB + dictionary '
                  || round(dictionary_bytes / 1048576.0, 1) || ' MB for ' || events_at_peak
                  || ' events held = ' || round(bytes_per_event::numeric, 1) || ' bytes per event'
             FROM costmodel.window_memory_stats()"
HASHED="SET max_parallel_workers_per_gather = 0; SET enable_sort = off; SET work_mem = '4GB';"
SORTED="SET max_parallel_workers_per_gather = 0; SET enable_hashagg = off; SET work_mem = '4GB';"

peak_stats="SELECT groups || ' groups, ' || events || ' events: peak '
                   || round(peak_bytes / 1048576.0, 1) || ' MB = one group of ' || events_at_peak
                   || ' events (' || round(state_bytes / 1048576.0, 1) || ' MB) + dictionary '
                   || round(dictionary_bytes / 1048576.0, 1) || ' MB'
              FROM costmodel.window_memory_stats()"

# Report the memory and time of aggregate call $2 over rows $3 grouped by $4,
# under settings $1 ($6: the statistics query, default mem_stats).
mem_case() {
    local settings=$1 agg=$2 rows=$3 key=$4 label=$5 stats=${6:-$mem_stats} q t line
    q="SELECT count(*) FILTER (WHERE s IS NOT NULL) FROM (SELECT $key, $agg AS s FROM $rows GROUP BY 1) x"
    t=$(time_sql "$settings $q")
    line=$(bsql -c "$settings" -c "$q" -c "$stats" | tail -n 1)
    report "  $(printf '%-34s' "$label") $t s; $line"
}

report "memory (serial; hash aggregation with work_mem = 4GB holds every group at once):"
rc="costmodel.repeat_call_stats(member_id, called_at)"
lk="costmodel.leakage_stats(member_id, at, is_call, is_failure)"
mem_case "$HASHED" "$rc" win_calls "'all'::text" "repeat_call_stats, one group:"
mem_case "$HASHED" "$rc" win_calls topic "repeat_call_stats by topic:"
mem_case "$HASHED" "$rc" win_calls "called_at::date" "repeat_call_stats by day:"
mem_case "$HASHED" "$rc" win_calls member_id "repeat_call_stats by member:"
mem_case "$HASHED" "$lk" "($events) e" "'all'::text" "leakage_stats, one group:"
mem_case "$HASHED" "$lk" "($events) e" "at::date" "leakage_stats by day:"
mem_case "$HASHED" "$lk" "($events) e" member_id "leakage_stats by member:"
report "  sorted grouping (GroupAggregate) holds one group and the dictionary at a time:"
mem_case "$SORTED" "$rc" win_calls "called_at::date" "repeat_call_stats by day, sorted:" "$peak_stats"
mem_case "$SORTED" "$rc" win_calls member_id "repeat_call_stats by member, sorted:" "$peak_stats"
for key in "called_at::date" member_id; do
    plan=$(bsql -c "SET max_parallel_workers_per_gather = 0; SET enable_sort = off; SET work_mem = '1MB'" \
        -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT $key, $rc FROM win_calls GROUP BY 1" \
        | grep -oE 'Batches: [0-9]+ +Memory Usage: [0-9]+kB( +Disk Usage: [0-9]+kB)?' | head -n 1)
    report "  work_mem = 1MB, hash aggregation by $key: $plan"
done

bsql -c "DROP TABLE win_calls, win_digital"
