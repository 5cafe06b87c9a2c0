# bench case marts: refreshing every mart, and the dashboard queries on them.
#   - data: 1,000,000 generated traces (costmodel-load --jobs 2) and member
#     experience with 5,000,000 events (calls + digital interactions), plus
#     advocacy cases and claims exports, all through costmodel-load.
#   - baseline: reading the facts once, SELECT count(*) over every source
#     table the marts read.
#   - the full refresh of all marts (CALL costmodel.refresh_marts()), first
#     from empty marts, then again (steady state, CONCURRENTLY), and with
#     concurrently => false; the slowest marts from refresh_log.
#   - the latency of each mart's typical dashboard query
#     (bench/cases/marts_queries.sql), best of 5 in one session; target < 50 ms.
n_traces=$(scaled 1000000)
n_calls=$(scaled 1375000)     # the generator makes about 2.64 digital events per call
members=$(scaled 200000)
bsql -c "SET client_min_messages = warning; DROP EXTENSION costmodel CASCADE; CREATE EXTENSION costmodel"
"$GEN" traces --count "$n_traces" --seed 51 --output "$BENCH_WORK/traces.ndjson"
"$LOAD" -q traces -j 2 "$BENCH_WORK/traces.ndjson" >/dev/null || [[ $? -eq 3 ]]
rm -f "$BENCH_WORK/traces.ndjson"
"$GEN" experience --calls "$n_calls" --seed 52 --days 90 --output-dir "$BENCH_WORK/exp" >/dev/null
for t in members calls digital_interactions surveys pharmacy_fills enrollments claims; do
    "$LOAD" -q csv --source "$t" "$BENCH_WORK/exp/$t.csv" >/dev/null || [[ $? -eq 3 ]]
done
"$GEN" cases --members "$members" --days 90 --seed 53 --output-dir "$BENCH_WORK/cases" >/dev/null
for t in advocates cases case_events case_interactions case_feedback; do
    "$LOAD" -q csv --source "$t" "$BENCH_WORK/cases/$t.csv" >/dev/null || [[ $? -eq 3 ]]
done
"$GEN" claims --members "$members" --days 90 --seed 54 --output-dir "$BENCH_WORK/claims" >/dev/null
for f in "$BENCH_WORK"/claims/billing_*; do
    "$LOAD" -q csv --source claims "$f" >/dev/null || [[ $? -eq 3 ]]
done
rm -rf "$BENCH_WORK/exp" "$BENCH_WORK/cases" "$BENCH_WORK/claims"
bsql -c "VACUUM ANALYZE"

sources="fact_trace fact_request fact_response fact_exception members calls digital_interactions surveys
         pharmacy_fills enrollments claims advocates cases case_events case_interactions case_feedback load_log"
counts=""
for t in $sources; do counts+="$t $(bsql -c "SELECT count(*) FROM costmodel.$t"), "; done
events=$(bsql -c "SELECT (SELECT count(*) FROM costmodel.calls) + (SELECT count(*) FROM costmodel.digital_interactions)")
count_all=""
for t in $sources; do count_all+="SELECT count(*) FROM costmodel.$t; "; done
t_read=$(time_sql "$count_all")

bsql -c "TRUNCATE costmodel.refresh_log"
t0=$(cm_now); bsql -c "CALL costmodel.refresh_marts()"; t_first=$(cm_since "$t0")
# One run each: a full refresh at this scale takes minutes.
t_again=$(BENCH_REPEAT=1 time_sql "CALL costmodel.refresh_marts()")
t_full=$(BENCH_REPEAT=1 time_sql "CALL costmodel.refresh_marts(NULL, false)")
failed=$(bsql -c "SELECT count(*) FROM costmodel.refresh_log WHERE status <> 'ok'")
report "rows: $counts"
report "experience events (calls + digital interactions): $events"
report "read the facts once (count(*) over each source table):  $t_read s"
report "refresh_marts(), first (marts empty before):           $t_first s  ($(ratio "$t_first" "$t_read")x the read)"
report "refresh_marts(), again (CONCURRENTLY, steady state):   $t_again s  ($(ratio "$t_again" "$t_read")x the read)"
report "refresh_marts(NULL, false) (plain REFRESH):            $t_full s  ($(ratio "$t_full" "$t_read")x the read)"
report "refresh_log rows not ok: $failed"
report "per mart, seconds (first / concurrently / plain), rows:"
bsql -F ' ' -c "
  SELECT format('  %-24s %8s %8s %8s %10s', mart_name,
                min(duration_s) FILTER (WHERE run_id = r.first_run),
                min(duration_s) FILTER (WHERE refresh_mode = 'concurrently' AND run_id <> r.first_run),
                min(duration_s) FILTER (WHERE refresh_mode = 'full' AND run_id <> r.first_run),
                max(rows))
    FROM costmodel.refresh_log, (SELECT min(run_id) AS first_run FROM costmodel.refresh_log) r
   GROUP BY mart_name ORDER BY max(duration_s) DESC" | tee -a "$RESULTS"

# Dashboard queries: each "-- mart: NAME" line starts one query.
report "typical dashboard query per mart (best of 5, one session; target < 50 ms):"
awk '/^-- mart: / { if (q != "") print name "\t" q; name = $3; q = ""; next }
     /^--/ { next }
     { q = q " " $0 }
     END { if (q != "") print name "\t" q }' bench/cases/marts_queries.sql > "$BENCH_WORK/queries.tsv"
slow=0
while IFS=$'\t' read -r mart query; do
    ms=$( { echo '\timing on'; for _ in 1 2 3 4 5; do echo "$query"; done; } \
          | psql -X -q -At 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -g | head -1)
    over=$(awk -v m="$ms" 'BEGIN { print (m == "" || m >= 50) ? 1 : 0 }')
    slow=$((slow + over))
    report "$(printf '  %-24s %8s ms%s' "$mart" "${ms:-error}" "$([[ $over -eq 1 ]] && echo '  (over 50 ms)')")"
done < "$BENCH_WORK/queries.tsv"
report "queries at or over 50 ms: $slow of $(wc -l < "$BENCH_WORK/queries.tsv")"
