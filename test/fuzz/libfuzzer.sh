# test/fuzz/libfuzzer.sh: sourced by the suites that run a libFuzzer harness.

# Run libFuzzer harness $1 over corpus directory $2 for $3 seconds with
# inputs of at most $4 bytes, and print one TAP line saying what it showed
# ($5: what a clean run means).  On a finding, print the report's end and
# return 1.
libfuzzer_run() {
    local harness=$1 corpus=$2 secs=$3 max_len=$4 clean=$5 log rc runs
    log=$(mktemp)
    "$harness" -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "$corpus" > "$log" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    if [ $rc -eq 0 ]; then
        echo "ok - ${runs:-?} fuzz runs over ${secs}s: $clean"
    else
        echo "not ok - the fuzzer found a problem (exit $rc)"
        grep -A30 -E 'ERROR|runtime error|SUMMARY|deadly signal' "$log" | head -60 | sed 's/^/# /'
    fi
    rm -f "$log"
    return $(( rc != 0 ))
}
