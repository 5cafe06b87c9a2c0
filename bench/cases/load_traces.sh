# bench case load_traces: costmodel-load end to end, from NDJSON traces into
# all trace tables with their indexes, against three baselines on the same
# file and the same tables in the same run:
#   - a parse-only pass of the same parser (--dry-run: read, parse,
#     normalise, format the COPY rows; no server);
#   - psql \copy of the same normalised rows, written in advance as TSV
#     (and as COPY binary, for the record);
#   - the plain-SQL path: \copy the NDJSON into a jsonb staging table, then
#     INSERT ... SELECT with jsonb operators (bench/cases/load_traces_plain.sql
#     and trace_responses_plain.sql; trace_problem has no plain-SQL form).
# Loader variants: --jobs 1 and 2, text COPY, the json-c parser.  Peak
# resident memory is read from /proc (VmHWM) while the loader runs; on a
# ~5 GB file (1.9 million traces) with BENCH_BIG=1 or at full scale
# (BENCH_BIG=0 skips it).
# Clean traces, so that the plain SQL's casts do not fail.
n=$(scaled 200000)
lt_file=$BENCH_WORK/load_traces.ndjson
"$GEN" traces --count "$n" --seed 41 --clean >"$lt_file"
lt_mb=$(awk -v b="$(stat -c %s "$lt_file")" 'BEGIN { printf "%.0f", b / 1e6 }')
lt_tables="fact_trace fact_request fact_response fact_exception trace_problem"

# Empty the trace tables, forget the loads, and checkpoint.
lt_reset() {
    bsql -c "SET client_min_messages = warning" -c "TRUNCATE costmodel.fact_trace, costmodel.fact_request, costmodel.fact_response,
                      costmodel.fact_exception, costmodel.trace_problem, costmodel.trace_reject,
                      costmodel.load_ledger CASCADE" \
         -c "DO \$\$ BEGIN IF to_regclass('costmodel.load_log') IS NOT NULL THEN
                 DELETE FROM costmodel.load_log WHERE source = 'traces'; END IF; END \$\$" \
         -c "CHECKPOINT" >/dev/null
}

# psql \copy of the exported rows of every trace table: $1 file suffix, $2 options.
lt_copy() {
    local args=() t
    for t in $lt_tables; do
        args+=(-c "\\copy costmodel.$t FROM '$BENCH_WORK/lt_$t.$1'${2:+ $2}")
    done
    bsql "${args[@]}"
}

# Run a command; print its wall seconds and its peak resident memory in MB
# (VmHWM, read from /proc while it runs).
lt_peak() {
    local t0 pid hwm=0 v
    t0=$(cm_now)
    "$@" >/dev/null 2>&1 &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        [[ -n $v && $v -gt $hwm ]] && hwm=$v
        sleep 0.1
    done
    wait "$pid" || true
    echo "$(cm_since "$t0") $((hwm / 1024))"
}

# rows / seconds, rounded.
lt_rate() { awk -v r="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }'; }

# The parse-only passes (no server).
t_parse=$(time_cmd "" "$LOAD" -q traces -n "$lt_file")
t_parse_jc=$(BENCH_REPEAT=2 time_cmd "" "$LOAD" -q traces -n --parser=json-c "$lt_file")

# One load to learn the rows, the first pass, and to export the rows.
lt_reset
lt_out=$("$LOAD" -d bench traces "$lt_file" 2>/dev/null || true)
rows=$(bsql -c "SELECT (SELECT count(*) FROM costmodel.fact_trace) + (SELECT count(*) FROM costmodel.fact_request)
                     + (SELECT count(*) FROM costmodel.fact_response) + (SELECT count(*) FROM costmodel.fact_exception)
                     + (SELECT count(*) FROM costmodel.trace_problem)")
first_pass=$(sed -n 's/^  first pass *\([0-9.]*\) s (SHA-256 and splitting, \([0-9]*\) MB\/s)/\1 s, \2 MB\/s/p' <<<"$lt_out")
for t in $lt_tables; do
    bsql -c "\\copy costmodel.$t TO '$BENCH_WORK/lt_$t.tsv'" \
         -c "\\copy costmodel.$t TO '$BENCH_WORK/lt_$t.bin' WITH (FORMAT binary)"
done

# The loader.
t_j1=$(time_cmd lt_reset "$LOAD" -q -d bench traces -j 1 "$lt_file")
t_j2=$(time_cmd lt_reset "$LOAD" -q -d bench traces -j 2 "$lt_file")
t_text=$(BENCH_REPEAT=1 time_cmd lt_reset "$LOAD" -q -d bench traces -j 1 --copy-format=text "$lt_file")
t_jc=$(BENCH_REPEAT=2 time_cmd lt_reset "$LOAD" -q -d bench traces -j 1 --parser=json-c "$lt_file")
read -r t_rss rss <<<"$(lt_reset; lt_peak "$LOAD" -q -d bench traces -j 2 "$lt_file")"
got=$(bsql -c "SELECT count(*) FROM costmodel.fact_trace")

# psql \copy of the same rows, written in advance.
t_copy=$(time_cmd lt_reset lt_copy tsv "")
t_copy_bin=$(time_cmd lt_reset lt_copy bin "WITH (FORMAT binary)")

# The plain-SQL path.
lt_plain=$BENCH_WORK/load_traces_plain.sql
{
    echo "SET client_min_messages = warning;"
    echo "DROP TABLE IF EXISTS stage;"
    echo "CREATE UNLOGGED TABLE stage (doc jsonb NOT NULL);"
    echo "\\copy stage (doc) from '$lt_file' with (format csv, quote e'\\x01', delimiter e'\\x02')"
    grep -v '^--' bench/cases/load_traces_plain.sql
    echo "INSERT INTO costmodel.fact_response"
    grep -v '^--' bench/cases/trace_responses_plain.sql
    echo ";"
    echo "DROP TABLE stage;"
} >"$lt_plain"
t_plain=$(BENCH_REPEAT=1 time_cmd lt_reset bsql -f "$lt_plain")
plain_rows=$(bsql -c "SELECT (SELECT count(*) FROM costmodel.fact_trace) + (SELECT count(*) FROM costmodel.fact_request)
                           + (SELECT count(*) FROM costmodel.fact_response) + (SELECT count(*) FROM costmodel.fact_exception)")
lt_reset

best=$t_j1
best_j=1
if awk -v a="$t_j2" -v b="$t_j1" 'BEGIN { exit !(a < b) }'; then
    best=$t_j2
    best_j=2
fi
report "traces: $n ($lt_mb MB), rows into the five trace tables: $rows (loaded by the timed --jobs 2 run: $got traces)"
report "                                              seconds       rows/s    docs/s    MB/s"
lt_line() {
    report "$(printf '  %-42s %8.2f %12s %9s %7s' "$1" "$2" "$(lt_rate "$rows" "$2")" "$(lt_rate "$n" "$2")" \
        "$(awk -v m="$lt_mb" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? m / s : 0) }')")"
}
lt_line "parse-only, fast reader (--dry-run)" "$t_parse"
lt_line "parse-only, json-c (--parser=json-c)" "$t_parse_jc"
lt_line "loader --jobs 1" "$t_j1"
lt_line "loader --jobs 2" "$t_j2"
lt_line "loader --jobs 1 --copy-format=text" "$t_text"
lt_line "loader --jobs 1 --parser=json-c" "$t_jc"
lt_line "psql \\copy, text (TSV written in advance)" "$t_copy"
lt_line "psql \\copy, binary" "$t_copy_bin"
lt_line "plain SQL (jsonb staging, INSERT ... SELECT)" "$t_plain"
report "  first pass of the loader (SHA-256 of the content, split points): ${first_pass:-?}"
report "  plain SQL wrote $plain_rows rows (no trace_problem rows)"
report "ratios:"
report "  loader --jobs 1 / parse-only, fast reader:     $(ratio "$t_parse" "$t_j1")  (target >= 0.8; < 1 means the server, not parsing, bounds the loader)"
report "  loader --jobs 1 / parse-only, json-c:          $(ratio "$t_parse_jc" "$t_jc")  (the same target with the json-c parser)"
report "  loader --jobs $best_j (best) / psql \\copy:          $(ratio "$t_copy" "$best")  (target >= 0.5, stretch 0.8)"
report "  loader --jobs 1 / psql \\copy:                  $(ratio "$t_copy" "$t_j1")"
report "  loader --jobs $best_j speed-up over plain SQL:       $(ratio "$t_plain" "$best")x  (target >= 10x)"
report "  binary over text COPY, loader:                 $(ratio "$t_text" "$t_j1")x;  psql \\copy: $(ratio "$t_copy" "$t_copy_bin")x"
report "  fast reader over json-c, parse-only:           $(ratio "$t_parse_jc" "$t_parse")x"
report "peak resident memory, loader --jobs 2 on this file: $rss MB (limit 200 MB; $t_rss s)"
rm -f "$BENCH_WORK"/lt_*

if [[ ${BENCH_BIG:-} == 1 ]] || { [[ ${BENCH_BIG:-} != 0 ]] && awk -v s="$BENCH_SCALE" 'BEGIN { exit !(s >= 1) }'; }; then
    big=$BENCH_WORK/load_traces_big.ndjson
    "$GEN" traces --count 1900000 --seed 43 --clean >"$big"
    big_gb=$(awk -v b="$(stat -c %s "$big")" 'BEGIN { printf "%.2f", b / 1e9 }')
    lt_reset
    read -r t_big rss_big <<<"$(lt_peak "$LOAD" -q -d bench traces -j 2 "$big")"
    big_n=$(bsql -c "SELECT count(*) FROM costmodel.fact_trace")
    report "peak resident memory, loader --jobs 2 on a $big_gb GB file (1,900,000 traces): $rss_big MB (limit 200 MB); $big_n traces loaded in $t_big s ($(lt_rate 1900000 "$t_big") docs/s)"
    rm -f "$big"
    lt_reset
else
    report "(the 5 GB peak-memory run: BENCH_BIG=1, or BENCH_SCALE=1 without BENCH_BIG=0)"
fi
