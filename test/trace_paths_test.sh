#!/usr/bin/env bash
# trace_paths_test.sh: the two paths through the one normaliser agree.
# One generated file (with every messy form, duplicates and malformed lines)
# is loaded by costmodel-load (json-c) and, separately, by the set-returning
# functions over jsonb; every table must be identical in both directions
# (EXCEPT ALL empty both ways), and the line accounting must add up.
set -uo pipefail
cd "${COSTMODEL_ROOT:-.}"
LOAD=${COSTMODEL_LOAD:-./costmodel-load}
GEN=${COSTMODEL_GEN:-./costmodel-gen}
DB=cm_paths_$$
WORK=$(mktemp -d)
failures=0
trap 'dropdb --if-exists "$DB" 2>/dev/null; rm -rf "$WORK"' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
sql() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$DB" "$@"; }

createdb "$DB" && sql -c "CREATE EXTENSION costmodel" || { notok "database set-up"; exit 1; }
"$GEN" traces --count 20000 --seed 2025 --days 30 > "$WORK/traces.ndjson"
lines=$(wc -l < "$WORK/traces.ndjson")

# path 1: the loader
"$LOAD" -d "$DB" traces "$WORK/traces.ndjson" > "$WORK/load.out"
rc=$?
check "loader finished with rejects reported (exit $rc = 3)" test $rc -eq 3

# path 2: SQL over a jsonb staging table, first copy of each trace_id wins
sql <<SQL
CREATE TABLE raw (line_no bigserial PRIMARY KEY, doc text NOT NULL);
\copy raw (doc) from '$WORK/traces.ndjson' with (format csv, quote e'\x01', delimiter e'\x02')
CREATE TABLE staged (line_no bigint PRIMARY KEY, doc jsonb);
CREATE TABLE sql_rejects (line_no bigint, sqlstate text, message text);
DO \$\$
DECLARE r record;
BEGIN
  FOR r IN SELECT line_no, doc FROM raw ORDER BY line_no LOOP
    BEGIN
      -- the document must parse and must not be rejected by the normaliser
      PERFORM FROM costmodel.trace_header(r.doc::jsonb);
      INSERT INTO staged VALUES (r.line_no, r.doc::jsonb);
    EXCEPTION WHEN OTHERS THEN
      INSERT INTO sql_rejects VALUES (r.line_no, SQLSTATE, SQLERRM);
    END;
  END LOOP;
END \$\$;
CREATE SCHEMA viasql;
CREATE TABLE firsts AS
  SELECT DISTINCT ON (h.trace_id) s.line_no, s.doc
  FROM staged s, costmodel.trace_header(s.doc) h
  ORDER BY h.trace_id, s.line_no;
CREATE TABLE viasql.fact_trace AS SELECT r.* FROM firsts, costmodel.trace_header(firsts.doc) r;
CREATE TABLE viasql.fact_request AS SELECT r.* FROM firsts, costmodel.trace_requests(firsts.doc) r;
CREATE TABLE viasql.fact_response AS SELECT r.* FROM firsts, costmodel.trace_responses(firsts.doc) r;
CREATE TABLE viasql.fact_exception AS SELECT r.* FROM firsts, costmodel.trace_exceptions(firsts.doc) r;
CREATE TABLE viasql.trace_problem AS SELECT r.* FROM firsts, costmodel.trace_problems(firsts.doc) r;
SQL

for t in fact_trace fact_request fact_response fact_exception trace_problem; do
  n=$(sql -c "SELECT count(*) FROM costmodel.$t")
  a=$(sql -c "SELECT count(*) FROM (SELECT * FROM costmodel.$t EXCEPT ALL SELECT * FROM viasql.$t) d")
  b=$(sql -c "SELECT count(*) FROM (SELECT * FROM viasql.$t EXCEPT ALL SELECT * FROM costmodel.$t) d")
  check "$t: $n rows, loader EXCEPT ALL sql = $a, sql EXCEPT ALL loader = $b" test "$a" = 0 -a "$b" = 0 -a "$n" -gt 0
done

loaded=$(sql -c "SELECT count(*) FROM costmodel.fact_trace")
rejected=$(sql -c "SELECT count(*) FROM costmodel.trace_reject")
sqlrej=$(sql -c "SELECT count(*) FROM sql_rejects")
staged=$(sql -c "SELECT count(*) FROM staged")
dups=$((staged - loaded))
check "loader and SQL reject the same lines ($rejected vs $sqlrej)" \
  test "$(sql -c "SELECT count(*) FROM (SELECT line_no FROM costmodel.trace_reject EXCEPT SELECT line_no FROM sql_rejects) d")" = 0 -a "$rejected" = "$sqlrej"
check "lines $lines = loaded $loaded + duplicates $dups + rejected $rejected" test $lines -eq $((loaded + dups + rejected))
check "the loader's summary reports the same split" grep -q "read $lines, loaded $loaded, duplicates $dups, rejected $rejected" "$WORK/load.out"
check "the file had duplicates and rejects to account for" test $dups -gt 0 -a $rejected -gt 0
check "messy values were normalised (problem rows exist)" test "$(sql -c "SELECT count(*) FROM costmodel.trace_problem")" -gt 100
exit $(( failures > 0 ))
