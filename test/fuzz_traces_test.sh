#!/usr/bin/env bash
# fuzz_traces_test.sh: at least 10,000 mutated trace documents (truncated,
# bit-flipped, deeply nested, huge strings, wrong types) through both paths:
# the SQL functions in one backend (no crash, only the expected SQLSTATEs, no
# memory growth between two identical passes) and costmodel-load (every line
# accounted for; valgrind-clean on a sample).
set -uo pipefail
cd "${COSTMODEL_ROOT:-.}"
LOAD=${COSTMODEL_LOAD:-./costmodel-load}
GEN=${COSTMODEL_GEN:-./costmodel-gen}
DB=cm_fuzz_$$
WORK=$(mktemp -d)
failures=0
trap 'dropdb --if-exists "$DB" 2>/dev/null; rm -rf "$WORK"' EXIT

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
sql() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$DB" "$@"; }

createdb "$DB" || { notok "createdb"; exit 1; }
sql -c "CREATE EXTENSION costmodel" || { notok "create extension"; exit 1; }

"$GEN" traces --count 600 --seed 11 > "$WORK/seeds.ndjson"
python3 test/fuzz/mutate.py 10000 20261125 < "$WORK/seeds.ndjson" > "$WORK/corpus.b64"
check "mutator wrote 10000 documents" test "$(wc -l < "$WORK/corpus.b64")" -eq 10000

# ---- SQL path: every function over every document, twice, in one backend
sql <<SQL
CREATE TABLE fuzz (id serial PRIMARY KEY, b64 text NOT NULL);
\copy fuzz (b64) from '$WORK/corpus.b64'
CREATE TABLE outcome (pass int, sqlstate text, n bigint);
CREATE FUNCTION fuzz_pass(p int) RETURNS void LANGUAGE plpgsql AS \$\$
DECLARE r record; doc text; st text; rows bigint;
BEGIN
  FOR r IN SELECT b64 FROM fuzz ORDER BY id LOOP
    BEGIN
      doc := convert_from(decode(r.b64, 'base64'), 'UTF8');
      SELECT (SELECT count(*) FROM costmodel.trace_header(doc))
           + (SELECT count(*) FROM costmodel.trace_requests(doc))
           + (SELECT count(*) FROM costmodel.trace_responses(doc))
           + (SELECT count(*) FROM costmodel.trace_exceptions(doc))
           + (SELECT count(*) FROM costmodel.trace_problems(doc)) INTO rows;
      st := 'accepted';
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
    END;
    INSERT INTO outcome VALUES (p, st, 1);
  END LOOP;
END \$\$;
SQL
start_before=$(sql -c "SELECT pg_postmaster_start_time()")
mem=$(sql <<'SQL'
SELECT fuzz_pass(1);
SELECT sum(total_bytes) FROM pg_backend_memory_contexts;
SELECT fuzz_pass(2);
SELECT sum(total_bytes) FROM pg_backend_memory_contexts;
SQL
)
mem1=$(echo "$mem" | sed -n 2p); mem2=$(echo "$mem" | sed -n 4p)
start_after=$(sql -c "SELECT pg_postmaster_start_time()")
check "server did not restart during 20,000 SQL normalisations" test "$start_before" = "$start_after"
check "no backend memory growth between passes ($mem1 -> $mem2 bytes)" test $((mem2 - mem1)) -lt 1048576
summary=$(sql -c "SELECT sqlstate || '=' || sum(n) FROM outcome WHERE pass = 1 GROUP BY sqlstate ORDER BY sqlstate" | tr '\n' ' ')
echo "# SQL outcomes: $summary"
check "both passes gave the same outcome per document" test "$(sql -c "SELECT count(*) FROM (SELECT sqlstate, count(*) FROM outcome WHERE pass = 1 GROUP BY 1 EXCEPT SELECT sqlstate, count(*) FROM outcome WHERE pass = 2 GROUP BY 1) d")" = 0
check "over 1,000 mutated documents were accepted" test "$(sql -c "SELECT count(*) FROM outcome WHERE pass = 1 AND sqlstate = 'accepted'")" -gt 1000
check "over 1,000 mutated documents were rejected" test "$(sql -c "SELECT count(*) FROM outcome WHERE pass = 1 AND sqlstate <> 'accepted'")" -gt 1000
# 22P02 invalid JSON or rejected trace, 22021 invalid UTF-8, 22P05 \u0000,
# 54001 nesting deeper than the stack allows; anything else is a bug
unexpected=$(sql -c "SELECT string_agg(DISTINCT sqlstate, ',') FROM outcome WHERE sqlstate NOT IN ('accepted','22P02','22021','22P05','54001')")
check "only expected SQLSTATEs were raised (unexpected: ${unexpected:-none})" test -z "$unexpected"

# ---- loader path: the same documents as NDJSON lines
python3 - "$WORK/corpus.b64" "$WORK/corpus.ndjson" <<'PY'
import base64, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "wb") as out:
    for line in f:
        out.write(base64.b64decode(line).replace(b"\n", b" ") + b"\n")
PY
lines=$(wc -l < "$WORK/corpus.ndjson")
"$LOAD" traces --quiet --reject-file "$WORK/rejects.ndjson" "$WORK/corpus.ndjson" -d "$DB" > "$WORK/load.out" 2> "$WORK/load.err"
rc=$?
check "loader finished on the fuzz corpus (exit $rc)" test $rc -eq 0 -o $rc -eq 3
loaded=$(sql -c "SELECT count(*) FROM costmodel.fact_trace")
rejected=$(sql -c "SELECT count(*) FROM costmodel.trace_reject")
dups=$(( lines - loaded - rejected ))
check "every loader line accounted for (lines $lines = loaded $loaded + rejected $rejected + duplicates $dups)" test $dups -ge 0
check "server did not restart during the load" test "$start_before" = "$(sql -c "SELECT pg_postmaster_start_time()")"

# ---- valgrind on a sample, through the real binary
if command -v valgrind > /dev/null; then
  head -n 1500 "$WORK/corpus.ndjson" > "$WORK/sample.ndjson"
  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "$LOAD" traces --dry-run --quiet "$WORK/sample.ndjson" > /dev/null 2> "$WORK/valgrind.log"
  vrc=$?
  check "valgrind: no invalid access or leak in the loader on 1,500 mutated lines (exit $vrc)" test $vrc -ne 99
  [ $vrc -eq 99 ] && head -50 "$WORK/valgrind.log"
else
  notok "valgrind is not installed"
fi
exit $(( failures > 0 ))
