# bench case trace_responses: filling fact_response from a jsonb staging
# table of 200,000 generated traces, with costmodel.trace_responses against
# the plain-SQL jsonb-operator query an analyst would write for the same
# columns (bench/cases/trace_responses_plain.sql).  Clean traces are used so
# that the plain SQL's casts do not fail; both results are checked equal.
# Two targets: an unlogged copy of fact_response with its primary key (index
# maintenance is the same work for both), and one without indexes (the
# queries' own cost).
n=$(scaled 200000)
"$GEN" traces --count "$n" --seed 31 --clean > "$BENCH_WORK/traces.ndjson"
bsql -q <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS stage, resp_c, resp_sql, resp_c_noidx, resp_sql_noidx;
CREATE TABLE stage (doc jsonb NOT NULL);
\copy stage (doc) from '$BENCH_WORK/traces.ndjson' with (format csv, quote e'\x01', delimiter e'\x02')
VACUUM ANALYZE stage;
CREATE UNLOGGED TABLE resp_c (LIKE costmodel.fact_response INCLUDING ALL);
CREATE UNLOGGED TABLE resp_sql (LIKE costmodel.fact_response INCLUDING ALL);
CREATE UNLOGGED TABLE resp_c_noidx (LIKE costmodel.fact_response);
CREATE UNLOGGED TABLE resp_sql_noidx (LIKE costmodel.fact_response);
SQL
plain=$(grep -v '^--' bench/cases/trace_responses_plain.sql)
c_query="SELECT r.* FROM stage s, costmodel.trace_responses(s.doc) r"
t_sql=$(time_sql "INSERT INTO resp_sql $plain" "TRUNCATE resp_sql")
t_c=$(time_sql "INSERT INTO resp_c $c_query" "TRUNCATE resp_c")
t_sql_n=$(time_sql "INSERT INTO resp_sql_noidx $plain" "TRUNCATE resp_sql_noidx")
t_c_n=$(time_sql "INSERT INTO resp_c_noidx $c_query" "TRUNCATE resp_c_noidx")
rows=$(bsql -c "SELECT count(*) FROM resp_c")
diff=$(bsql -c "SELECT (SELECT count(*) FROM (TABLE resp_c EXCEPT ALL TABLE resp_sql) a) + (SELECT count(*) FROM (TABLE resp_sql EXCEPT ALL TABLE resp_c) b)")
report "traces: $n ($(du -m "$BENCH_WORK/traces.ndjson" | cut -f1) MB), fact_response rows: $rows, rows differing between the two: $diff"
report "into a copy of fact_response with its primary key:"
report "  plain SQL (jsonb operators):   $t_sql s"
report "  costmodel.trace_responses:     $t_c s"
report "  speed-up: $(ratio "$t_sql" "$t_c")x  (target >= 3x)"
report "into a table without indexes (the queries' own cost):"
report "  plain SQL (jsonb operators):   $t_sql_n s"
report "  costmodel.trace_responses:     $t_c_n s"
report "  speed-up: $(ratio "$t_sql_n" "$t_c_n")x  (target >= 3x)"
bsql -c "DROP TABLE stage, resp_c, resp_sql, resp_c_noidx, resp_sql_noidx"
rm -f "$BENCH_WORK/traces.ndjson"
