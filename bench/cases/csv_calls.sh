# bench case csv_calls: costmodel-load csv against psql's \copy.  The same
# 1,000,000 generated calls go into costmodel.calls (primary key and two
# indexes) twice: as the generator's CSV through costmodel-load csv (dialect
# detection, header matching, the shared value parsers, the key check and
# COPY, the load log), and as a canonical TSV through \copy, written in
# advance by exporting a loaded table.  Target: costmodel-load at least 0.7x
# the speed of \copy.  A reload of the same file (every row a duplicate) is
# timed too, for information.  The loader is copied first, so that a rebuild
# in the tree during the run cannot change it.
n=$(scaled 1000000)
csv_load=$BENCH_WORK/costmodel-load
cp "$LOAD" "$csv_load"
"$GEN" experience --calls "$n" --seed 41 --output-dir "$BENCH_WORK/exp" >/dev/null
mv "$BENCH_WORK/exp/calls.csv" "$BENCH_WORK/calls.csv"
rm -rf "$BENCH_WORK/exp"
cols="call_id, member_id, called_at, call_topic, handle_time_minutes, sentiment, sentiment_score, transferred, resolved, source_is_repeat, source_file, loaded_at"
bsql -c "TRUNCATE costmodel.calls"
"$csv_load" -q csv --source calls "$BENCH_WORK/calls.csv"
bsql -c "\\copy (SELECT $cols FROM costmodel.calls) TO '$BENCH_WORK/calls.tsv'"
rows=$(bsql -c "SELECT count(*) FROM costmodel.calls")
prep="bsql -c 'TRUNCATE costmodel.calls' && bsql -c CHECKPOINT"
t_copy=$(time_cmd "$prep" bsql -c "\\copy costmodel.calls ($cols) FROM '$BENCH_WORK/calls.tsv'")
t_csv=$(time_cmd "$prep" "$csv_load" -q csv --source calls "$BENCH_WORK/calls.csv")
# the timed loads must each have loaded every row
bad=$(bsql -c "SELECT count(*) FROM (SELECT * FROM costmodel.load_log ORDER BY load_id DESC LIMIT ${BENCH_REPEAT:-3}) l
               WHERE status <> 'loaded' OR rows_loaded <> $n")
t_reload=$(time_cmd "bsql -c CHECKPOINT" "$csv_load" -q csv --source calls "$BENCH_WORK/calls.csv")
last=$(bsql -c "SELECT rows_read || ' read, ' || rows_loaded || ' loaded, ' || rows_duplicate || ' duplicates' FROM costmodel.load_log ORDER BY load_id DESC LIMIT 1")
report "calls: $n generated ($(du -m "$BENCH_WORK/calls.csv" | cut -f1) MB CSV), $rows rows in the table; into costmodel.calls (primary key + 2 indexes)"
report "  psql \\copy of the canonical TSV:      $t_copy s"
report "  costmodel-load csv of the CSV:         $t_csv s"
if [[ $rows -ne $n || $bad -ne 0 ]]; then
    report "  FAILED: a timed load did not load all $n rows ($bad of the last loads)"
else
    report "  speed relative to \\copy: $(ratio "$t_copy" "$t_csv")x  (target >= 0.7x)"
fi
report "  reload of the same CSV (every row a duplicate): $t_reload s ($last)"
bsql -c "TRUNCATE costmodel.calls"
rm -f "$BENCH_WORK/calls.csv" "$BENCH_WORK/calls.tsv" "$csv_load"
