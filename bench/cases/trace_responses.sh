# bench case trace_responses: filling fact_response from a jsonb staging
# table of 200,000 generated traces, with costmodel.trace_responses against
# the plain-SQL jsonb-operator query an analyst would write for the same
# columns (bench/cases/trace_responses_plain.sql).  Clean traces are used so
# that the plain SQL's casts do not fail; both results are checked equal.
n=$(scaled 200000)
"$GEN" traces --count "$n" --seed 31 --clean > "$BENCH_WORK/traces.ndjson"
bsql <<SQL
DROP TABLE IF EXISTS stage, resp_c, resp_sql;
CREATE TABLE stage (doc jsonb NOT NULL);
\copy stage (doc) from '$BENCH_WORK/traces.ndjson' with (format csv, quote e'\x01', delimiter e'\x02')
VACUUM ANALYZE stage;
CREATE UNLOGGED TABLE resp_c (LIKE costmodel.fact_response INCLUDING ALL);
CREATE UNLOGGED TABLE resp_sql (LIKE costmodel.fact_response INCLUDING ALL);
SQL
plain=$(cat bench/cases/trace_responses_plain.sql)
t_sql=$(time_sql "INSERT INTO resp_sql $plain" "TRUNCATE resp_sql")
t_c=$(time_sql "INSERT INTO resp_c SELECT r.* FROM stage s, costmodel.trace_responses(s.doc) r" "TRUNCATE resp_c")
rows=$(bsql -c "SELECT count(*) FROM resp_c")
diff=$(bsql -c "SELECT (SELECT count(*) FROM (TABLE resp_c EXCEPT ALL TABLE resp_sql) a) + (SELECT count(*) FROM (TABLE resp_sql EXCEPT ALL TABLE resp_c) b)")
report "traces: $n, fact_response rows: $rows, rows differing between the two: $diff"
report "plain SQL (jsonb operators):     $t_sql s"
report "costmodel.trace_responses:       $t_c s"
report "speed-up trace_responses vs plain SQL: $(ratio "$t_sql" "$t_c")x  (target >= 3x)"
bsql -c "DROP TABLE stage, resp_c, resp_sql"
