#!/usr/bin/env bash
#
# load_traces_test.sh
#    Tests "costmodel-load traces" against a real server: the summary adds
#    up, a finished load is not loaded again (and under another --import-id
#    loads nothing new), .gz and stdin load identically, rejects point at the
#    right line and byte, duplicates are dropped across batches, across
#    --jobs workers and across concurrent loaders, the rows equal the
#    server's own normaliser (trace_header() etc.) and independent sums over
#    the input, the fast JSON reader and json-c, binary and text COPY give
#    the same tables, the exit codes (0, 1, 2, 3, 4, 64), --dry-run writes
#    nothing and reports the rejects, the status command, and valgrind finds
#    no leak or memory error.  The fault cases (kill, restart, resume) are
#    in load_faults_test.sh.
#
# Needs: COSTMODEL_LOAD and COSTMODEL_GEN (the binaries; default ./costmodel-*),
# PGHOST/PGPORT/PGUSER of a running server where CREATE EXTENSION costmodel
# works, createdb/dropdb/psql, gzip, python3; valgrind (else that check is
# skipped).  Makes its own databases cm_load_test_$$_* and drops them.  Prints
# "ok - ..." / "not ok - ..." per check; exits non-zero if any failed.
set -u

LOAD=${COSTMODEL_LOAD:-./costmodel-load}
GEN=${COSTMODEL_GEN:-./costmodel-gen}
case $LOAD in /*) ;; *) LOAD=$PWD/$LOAD ;; esac
N=5000
WORK=$(mktemp -d "${TMPDIR:-/tmp}/load_traces_test.XXXXXX")
PREFIX=cm_load_test_$$
failed=0

# Drop the databases made here (all named $PREFIX_*) and the work directory.
cleanup() {
	local db
	for db in $(psql -qXAt -d postgres -c \
		"SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}\\_%'" 2>/dev/null); do
		dropdb --if-exists "$db" >/dev/null 2>&1
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# Print one check's outcome; $1 is 0 for success.
report() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		failed=1
	fi
}

# Create database $PREFIX_$1 with the extension installed; print its name.
newdb() {
	local db=${PREFIX}_$1
	createdb "$db" || return 1
	psql -qX -d "$db" -c "CREATE EXTENSION costmodel" >/dev/null || return 1
	echo "$db"
}

# Run one query in database $1; print the unaligned result.
q() {
	psql -qXAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# Print the row counts of the six tables of database $1 on one line.
counts() {
	q "$1" "SELECT (SELECT count(*) FROM costmodel.fact_trace) || ' ' ||
	               (SELECT count(*) FROM costmodel.fact_request) || ' ' ||
	               (SELECT count(*) FROM costmodel.fact_response) || ' ' ||
	               (SELECT count(*) FROM costmodel.fact_exception) || ' ' ||
	               (SELECT count(*) FROM costmodel.trace_problem) || ' ' ||
	               (SELECT count(*) FROM costmodel.trace_reject)"
}

# Print "read loaded duplicates rejected" from the summary in file $1.
summary() {
	sed -n 's/^\(dry run, nothing written: \)\{0,1\}read \([0-9]*\), loaded \([0-9]*\), duplicates \([0-9]*\), rejected \([0-9]*\), in .*/\2 \3 \4 \5/p' "$1"
}

# A digest of the fact rows of database $1, to compare loads.
digest() {
	q "$1" "SELECT md5(string_agg(t::text, '|' ORDER BY t.trace_id)) FROM costmodel.fact_trace t
	        UNION ALL SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM costmodel.fact_response t
	        UNION ALL SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM costmodel.trace_problem t" | tr '\n' ' '
}

for bin in "$LOAD" "$GEN"; do
	if [ ! -x "$bin" ]; then
		echo "not ok - binary $bin exists (set COSTMODEL_LOAD and COSTMODEL_GEN)"
		exit 1
	fi
done

# --- command line ------------------------------------------------------------
[ "$("$LOAD" --version)" = "costmodel-load 0.1" ]
report $? "--version prints \"costmodel-load 0.1\""
ok=0
for opt in --batch-size --reject-file --jobs --import-id --max-rejects --retry-seconds \
	--dry-run --copy-format --parser "status \[--limit=N\]" "  4   stopped"; do
	"$LOAD" --help | grep -q -- "$opt" || ok=1
done
report $ok "--help documents the traces options, the status command and exit code 4"
"$LOAD" traces --bogus >/dev/null 2>"$WORK/err"
[ $? -eq 64 ] && grep -q "^costmodel-load: " "$WORK/err"
report $? "an unknown option exits 64 with a prefixed message"
"$LOAD" >/dev/null 2>&1
[ $? -eq 64 ]
report $? "no command exits 64"
"$LOAD" frobnicate >/dev/null 2>&1
[ $? -eq 64 ]
report $? "an unknown command exits 64"
ok=0
for bad in "--batch-size 0" "--jobs 0" "--jobs 65" "--max-rejects x" "--max-rejects 101%" \
	"--retry-seconds -1" "--copy-format csv" "--parser simdjson" "--import-id a /dev/null"; do
	# shellcheck disable=SC2086
	"$LOAD" traces $bad /dev/null >/dev/null 2>&1
	[ $? -eq 64 ] || { echo "# $bad"; ok=1; }
done
report $ok "bad option values exit 64 (--batch-size 0, --jobs 0, --max-rejects x, ...)"

# --- test data -----------------------------------------------------------------
"$GEN" traces --count $N --seed 7 >"$WORK/t.ndjson"
report $? "generated $N traces (seed 7)"
LINES=$(wc -l <"$WORK/t.ndjson")

# --- connection errors ------------------------------------------------------------
"$LOAD" -p 1 -d postgres traces "$WORK/t.ndjson" >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "cannot connect" "$WORK/err"
report $? "an unreachable port exits 2"
NOEXT=${PREFIX}_noext
createdb "$NOEXT"
"$LOAD" -d "$NOEXT" traces "$WORK/t.ndjson" >/dev/null 2>"$WORK/err"
[ $? -eq 1 ] && grep -q "CREATE EXTENSION costmodel" "$WORK/err"
report $? "a database without the extension exits 1 with a hint"
"$LOAD" -d "postgresql:///$NOEXT?password=sekrit" traces "$WORK/t.ndjson" >/dev/null 2>"$WORK/err"
! grep -q sekrit "$WORK/err"
report $? "error messages never show the password"

# --- first load -----------------------------------------------------------------------
DB1=$(newdb one)
rc=$?
report $rc "created database with CREATE EXTENSION costmodel"
[ $rc -eq 0 ] || exit 1
"$LOAD" -d "$DB1" traces --reject-file "$WORK/rej.ndjson" "$WORK/t.ndjson" >"$WORK/out1" 2>"$WORK/err1"
rc1=$?
RC1=$rc1
read -r R1 L1 D1 J1 <<<"$(summary "$WORK/out1")"
[ -n "${R1:-}" ] && [ "$R1" -eq "$LINES" ] && [ $((L1 + D1 + J1)) -eq "$R1" ]
report $? "summary: read ($R1) = lines ($LINES) = loaded + duplicates + rejected"
[ "$L1" -eq "$(q "$DB1" "SELECT count(*) FROM costmodel.fact_trace")" ]
report $? "loaded = count(*) of fact_trace ($L1)"
[ "$J1" -eq "$(q "$DB1" "SELECT count(*) FROM costmodel.trace_reject")" ]
report $? "rejected = count(*) of trace_reject ($J1)"
if [ "$J1" -gt 0 ]; then [ $rc1 -eq 3 ]; else [ $rc1 -eq 0 ]; fi
report $? "exit code $rc1 matches $J1 rejects"
ok=0
for t in fact_trace fact_request fact_response fact_exception trace_problem; do
	want=$(q "$DB1" "SELECT count(*) FROM costmodel.$t")
	got=$(sed -n "s/^  $t  *\([0-9]*\) rows$/\1/p" "$WORK/out1")
	[ "$got" = "$want" ] || ok=1
done
report $ok "the summary's per-table row counts equal the tables"
[ "$(wc -l <"$WORK/rej.ndjson")" -eq "$J1" ] &&
	python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    assert set(r) == {"source", "line", "byte_offset", "reason", "path", "raw"}, r
' "$WORK/rej.ndjson"
report $? "--reject-file has one valid JSON object per reject"
C1=$(counts "$DB1")
G1=$(digest "$DB1")

# --- the rows equal the server's normaliser over the same documents -------------------
python3 - "$WORK/t.ndjson" >"$WORK/stage.tsv" <<'EOF'
import sys
# line number and text of every line PostgreSQL can store, as COPY text
for n, raw in enumerate(open(sys.argv[1], "rb"), 1):
    try:
        s = raw.rstrip(b"\n").decode("utf-8")
    except UnicodeDecodeError:
        continue
    if "\\u0000" in s or "\x00" in s:
        continue
    s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r")
    print(f"{n}\t{s}")
EOF
psql -qXAt -v ON_ERROR_STOP=1 -d "$DB1" >"$WORK/parity" 2>&1 <<EOF
CREATE TEMP TABLE stage (line_no bigint, doc text);
\copy stage FROM '$WORK/stage.tsv'
CREATE TEMP TABLE firsts AS
  SELECT DISTINCT ON (h.trace_id) s.line_no, s.doc, h.trace_id AS tid
  FROM stage s, LATERAL costmodel.trace_header(s.doc) h
  WHERE s.line_no NOT IN (SELECT line_no FROM costmodel.trace_reject)
  ORDER BY h.trace_id, s.line_no;
SELECT 'docs', count(*) FROM firsts;
SELECT 'diff', count(*) FROM (
  (SELECT * FROM costmodel.fact_trace WHERE trace_id IN (SELECT tid FROM firsts)
   EXCEPT ALL SELECT r.* FROM firsts, LATERAL costmodel.trace_header(doc) r)
  UNION ALL
  (SELECT r.* FROM firsts, LATERAL costmodel.trace_header(doc) r
   EXCEPT ALL SELECT * FROM costmodel.fact_trace WHERE trace_id IN (SELECT tid FROM firsts))) x;
SELECT 'diff', count(*) FROM (
  (SELECT * FROM costmodel.fact_request WHERE trace_id IN (SELECT tid FROM firsts)
   EXCEPT ALL SELECT r.* FROM firsts, LATERAL costmodel.trace_requests(doc) r)
  UNION ALL
  (SELECT r.* FROM firsts, LATERAL costmodel.trace_requests(doc) r
   EXCEPT ALL SELECT * FROM costmodel.fact_request WHERE trace_id IN (SELECT tid FROM firsts))) x;
SELECT 'diff', count(*) FROM (
  (SELECT * FROM costmodel.fact_response WHERE trace_id IN (SELECT tid FROM firsts)
   EXCEPT ALL SELECT r.* FROM firsts, LATERAL costmodel.trace_responses(doc) r)
  UNION ALL
  (SELECT r.* FROM firsts, LATERAL costmodel.trace_responses(doc) r
   EXCEPT ALL SELECT * FROM costmodel.fact_response WHERE trace_id IN (SELECT tid FROM firsts))) x;
SELECT 'diff', count(*) FROM (
  (SELECT * FROM costmodel.fact_exception WHERE trace_id IN (SELECT tid FROM firsts)
   EXCEPT ALL SELECT r.* FROM firsts, LATERAL costmodel.trace_exceptions(doc) r)
  UNION ALL
  (SELECT r.* FROM firsts, LATERAL costmodel.trace_exceptions(doc) r
   EXCEPT ALL SELECT * FROM costmodel.fact_exception WHERE trace_id IN (SELECT tid FROM firsts))) x;
SELECT 'diff', count(*) FROM (
  (SELECT * FROM costmodel.trace_problem WHERE trace_id IN (SELECT tid FROM firsts)
   EXCEPT ALL SELECT r.* FROM firsts, LATERAL costmodel.trace_problems(doc) r)
  UNION ALL
  (SELECT r.* FROM firsts, LATERAL costmodel.trace_problems(doc) r
   EXCEPT ALL SELECT * FROM costmodel.trace_problem WHERE trace_id IN (SELECT tid FROM firsts))) x;
EOF
docs=$(sed -n 's/^docs|//p' "$WORK/parity")
[ "$(grep -c '^diff|0$' "$WORK/parity")" -eq 5 ] && [ "${docs:-0}" -gt $((L1 * 9 / 10)) ]
report $? "rows of ${docs:-0} traces equal trace_header()/trace_requests()/... over the same text"

# --- rejects point at their line -------------------------------------------------------
q "$DB1" "SELECT line_no, byte_offset, reason LIKE 'not valid JSON%' FROM costmodel.trace_reject
          ORDER BY line_no" >"$WORK/rejects"
python3 - "$WORK/t.ndjson" "$WORK/rejects" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
starts = [0]
for i, b in enumerate(data):
    if b == 10:
        starts.append(i + 1)
bad = 0
for row in open(sys.argv[2]):
    n, off, syntax = row.rstrip("\n").split("|")
    n, off = int(n), int(off)
    start, end = starts[n - 1], starts[n] - 1
    ok = start <= off <= end if syntax == "t" else off == start
    bad += not ok
sys.exit(bad)
EOF
report $? "every reject's byte offset is its line's start (or, for a JSON error, within the line)"
ok=0
while IFS='|' read -r n off syntax; do
	[ "$syntax" = f ] || continue
	tail -c +$((off + 1)) "$WORK/t.ndjson" | head -n 1 >"$WORK/a"
	sed -n "${n}p" "$WORK/t.ndjson" >"$WORK/b"
	cmp -s "$WORK/a" "$WORK/b" || ok=1
done < <(head -n 20 "$WORK/rejects")
report $ok "tail -c +OFFSET and sed -n Np show the same line"

# --- loading again -------------------------------------------------------------------------
"$LOAD" -d "$DB1" traces "$WORK/t.ndjson" >"$WORK/out2" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(summary "$WORK/out2")" = "0 0 0 0" ] &&
	grep -q "already loaded (import $(sha256sum "$WORK/t.ndjson" | cut -c1-64), finished .*: read $R1, loaded $L1, duplicates $D1, rejected $J1); nothing to do" "$WORK/out2"
report $? "loading a finished file again does nothing and says so, with its totals (exit $rc)"
"$LOAD" -d "$DB1" traces --import-id again "$WORK/t.ndjson" >"$WORK/out2" 2>&1
rc=$?
read -r R2 L2 D2 J2 <<<"$(summary "$WORK/out2")"
[ "$L2" -eq 0 ] && [ "$D2" -eq $((L1 + D1)) ] && [ "$J2" -eq "$J1" ] && [ $rc -eq $rc1 ]
report $? "loading again under another --import-id: loaded 0, duplicates $D2 = $L1 + $D1, rejected $J2"
[ "$(counts "$DB1")" = "$C1" ]
report $? "loading again leaves all six table counts unchanged ($C1)"
"$LOAD" -d "$DB1" status >"$WORK/status" 2>&1
[ $? -eq 0 ] && [ "$(grep -c ' finished  *100.0%' "$WORK/status")" -eq 2 ] && grep -q "^again  *finished  *100.0%" "$WORK/status"
report $? "status lists both loads as finished"

# --- gzip, stdin, batches ----------------------------------------------------------------
gzip -c "$WORK/t.ndjson" >"$WORK/t.ndjson.gz"
DB2=$(newdb gz)
"$LOAD" -d "$DB2" traces "$WORK/t.ndjson.gz" >"$WORK/out3" 2>&1
[ "$(summary "$WORK/out3")" = "$R1 $L1 $D1 $J1" ] && [ "$(counts "$DB2")" = "$C1" ] &&
	[ "$(digest "$DB2")" = "$G1" ]
report $? ".gz file loads identically into a fresh database"
q "$DB2" "SELECT line_no, byte_offset FROM costmodel.trace_reject ORDER BY 1" >"$WORK/rejects.gz"
cut -d'|' -f1,2 "$WORK/rejects" | cmp -s - "$WORK/rejects.gz"
report $? ".gz rejects have the same line numbers and uncompressed byte offsets"

DB3=$(newdb stdin)
"$LOAD" -d "$DB3" traces --batch-size 97 <"$WORK/t.ndjson" >"$WORK/out4" 2>&1
[ "$(summary "$WORK/out4")" = "$R1 $L1 $D1 $J1" ] && [ "$(counts "$DB3")" = "$C1" ] &&
	[ "$(digest "$DB3")" = "$G1" ]
report $? "stdin with --batch-size 97 (duplicates across batches) loads identically"
[ "$(q "$DB3" "SELECT string_agg(DISTINCT source, ',') FROM costmodel.trace_reject")" = stdin ] || [ "$J1" -eq 0 ]
report $? "rejects from stdin are recorded with source \"stdin\""

# --- --dry-run ------------------------------------------------------------------------------
DB4=$(newdb dry)
"$LOAD" -d "$DB4" traces --dry-run "$WORK/t.ndjson" >"$WORK/out5" 2>&1
[ "$(summary "$WORK/out5")" = "$R1 $L1 $D1 $J1" ] && [ "$(counts "$DB4")" = "0 0 0 0 0 0" ] &&
	[ "$(q "$DB4" "SELECT count(*) FROM costmodel.load_ledger")" = 0 ]
report $? "--dry-run reports the same counts and writes nothing (not even the ledger)"
[ "$(sed -n 's/^ *\([0-9][0-9]*\)  [a-z].*/\1/p' "$WORK/out5" | awk '{ s += $1 } END { print s }')" = "$J1" ] &&
	grep -q "would reject:" "$WORK/out5" &&
	[ "$(sed -n '/would reject:/,$p' "$WORK/out5" | sed -n 's/^ *[0-9][0-9]*  //p' | LC_ALL=C sort)" = \
	  "$(q "$DB1" "SELECT reason FROM costmodel.trace_reject WHERE source LIKE '%/t.ndjson' GROUP BY reason ORDER BY reason")" ]
report $? "--dry-run reports what would be rejected, by reason, as the load did"
"$LOAD" -d "$DB4" traces --dry-run -j 3 "$WORK/t.ndjson" >"$WORK/out5j" 2>&1
read -r R5 L5 D5 J5 <<<"$(summary "$WORK/out5j")"
[ "$R5" = "$R1" ] && [ "$J5" = "$J1" ] && [ $((L5 + D5)) -eq $((L1 + D1)) ]
report $? "--dry-run --jobs 3 reads and rejects the same lines"
"$LOAD" -p 1 traces -n "$WORK/t.ndjson" >/dev/null 2>&1
[ $? -ne 2 ]
report $? "--dry-run connects to nothing"

# --- clean input: exit 0 and sums computed from the input ----------------------------------
"$GEN" traces --count 2000 --seed 8 --clean >"$WORK/clean.ndjson"
DB5=$(newdb clean)
"$LOAD" -d "$DB5" traces "$WORK/clean.ndjson" >"$WORK/out6" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(summary "$WORK/out6" | cut -d' ' -f4)" = 0 ]
report $? "clean input exits 0 with no rejects"
want=$(python3 - "$WORK/clean.ndjson" <<'EOF'
import json, sys
from decimal import Decimal
seen, results, billed = set(), 0, Decimal(0)
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line, parse_float=Decimal)
    if d["trace_id"] in seen:
        continue
    seen.add(d["trace_id"])
    for r in (d.get("response") or {}).get("results") or []:
        results += 1
        b = (r.get("cost") or {}).get("billed_amount")
        if b is not None:
            billed += Decimal(b).quantize(Decimal("0.01"))
print(len(seen), results, billed)
EOF
)
got=$(q "$DB5" "SELECT (SELECT count(*) FROM costmodel.fact_trace) || ' ' ||
                       (SELECT count(*) FROM costmodel.fact_response) || ' ' ||
                       (SELECT coalesce(sum(billed_amount), 0) FROM costmodel.fact_response)")
[ -n "$want" ] && [ "$got" = "$want" ]
report $? "traces, results and sum(billed_amount) equal the input's ($want)"

# --- two loaders at once on the same input ---------------------------------------------
DB6=$(newdb race)
"$LOAD" -d "$DB6" traces --batch-size 50 "$WORK/clean.ndjson" >"$WORK/race1" 2>&1 &
p1=$!
"$LOAD" -d "$DB6" traces --batch-size 50 "$WORK/clean.ndjson" >"$WORK/race2" 2>&1
rc2=$?
wait $p1
rc1=$?
read -r _ la da _ <<<"$(summary "$WORK/race1")"
read -r _ lb db _ <<<"$(summary "$WORK/race2")"
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ $((la + lb)) -eq "$(q "$DB6" "SELECT count(*) FROM costmodel.fact_trace")" ] &&
	[ "$(counts "$DB6")" = "$(counts "$DB5")" ]
report $? "two concurrent loaders: each trace loaded once (${la:-?} + ${lb:-?})"

# --- --jobs, the JSON reader, the COPY format -------------------------------------------
# duplicates across ranges, rejects in every range: the tables of a fresh load
# must equal the single-worker load's whatever the path taken
for variant in "-j 2" "-j 4 --batch-size 300" "--parser=json-c" "--copy-format=text" "--parser=json-c --copy-format=text -j 2"; do
	name=$(echo "$variant" | tr -c 'a-z0-9' '_')
	DBV=$(newdb "v$name")
	# shellcheck disable=SC2086
	"$LOAD" -d "$DBV" traces $variant "$WORK/t.ndjson" >"$WORK/outv" 2>&1
	rc=$?
	[ $rc -eq $RC1 ] && [ "$(summary "$WORK/outv")" = "$R1 $L1 $D1 $J1" ] &&
		[ "$(counts "$DBV")" = "$C1" ] && [ "$(digest "$DBV")" = "$G1" ]
	report $? "$variant: the same summary and the same rows as the first load"
	dropdb "$DBV"
done

# --- hand-written edge cases -------------------------------------------------------------
E=$WORK/edge.ndjson
{
	head -n 1 "$WORK/clean.ndjson"                                          # 1 loads
	printf '%s\n' '{"trace_id": "x", "request": '                            # 2 truncated
	printf '{"trace_id": "bad-\xff", "request": {}}\n'                      # 3 invalid UTF-8
	printf '%s\n' '{"a": 1} x'                                               # 4 trailing text
	printf '\n'                                                              # 5 empty
	printf ' \t \n'                                                          # 6 white space
	printf '{"a": 1}\0 \n'                                                   # 7 NUL byte
	printf '%s\n' '[1, 2]'                                                   # 8 not an object
	printf '%s\n' '{"trace_id": "edge-1", "request": {"services": {"line_id": 1, "service_code": "99213"}}}'
	head -n 1 "$WORK/clean.ndjson"                                          # 10 duplicate
	printf '%s\n' '{"trace_id": "edge-2", "request": {"request_id": "a\tb\\c\nd\re", "services": [{"line_id": 1, "service_code": "x\u00e9y"}]}}'
	printf '%s' '{"trace_id": "edge-3", "request": {"services": [{"line_id": 1}]}}'  # 12, no newline
} >"$E"
DB7=$(newdb edge)
"$LOAD" -d "$DB7" traces --reject-file "$WORK/edge.rej" "$E" >"$WORK/out7" 2>&1
rc=$?
[ $rc -eq 3 ] && [ "$(summary "$WORK/out7")" = "12 4 1 7" ]
report $? "edge cases: 12 lines (last without newline), 4 loaded, 1 duplicate, 7 rejected"
q "$DB7" "SELECT line_no || ':' || reason FROM costmodel.trace_reject ORDER BY line_no" >"$WORK/edge.reasons"
cat >"$WORK/edge.want" <<'EOF'
2:not valid JSON: the document ends too early
3:not valid JSON: invalid utf-8 string
4:not valid JSON: invalid token
5:empty line
6:empty line
7:not valid JSON: invalid token
8:document is not a JSON object
EOF
cmp -s "$WORK/edge.reasons" "$WORK/edge.want"
report $? "edge cases: each reject has the expected line and reason"
[ "$(q "$DB7" "SELECT string_agg(byte_offset::text, ' ' ORDER BY line_no)
               FROM costmodel.trace_reject WHERE line_no IN (3, 4, 7)")" = "$(python3 -c '
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
start = lambda n: sum(len(l) + 1 for l in lines[:n - 1])
print(start(3) + lines[2].index(b"\xff"), start(4) + 9, start(7) + 8)' "$E")" ]
report $? "edge cases: a JSON error's offset is the offending byte"
[ "$(q "$DB7" "SELECT raw FROM costmodel.trace_reject WHERE line_no = 3")" = '{"trace_id": "bad-�", "request": {}}' ]
report $? "edge cases: an invalid UTF-8 byte is stored as U+FFFD in raw"
[ "$(q "$DB7" "SELECT request_id = E'a\tb\\\\c\nd\re' FROM costmodel.fact_trace WHERE trace_id = 'edge-2'")" = t ]
report $? "edge cases: tab, backslash, newline and CR survive COPY"
[ "$(q "$DB7" "SELECT count(*) FROM costmodel.fact_request WHERE trace_id IN ('edge-1', 'edge-2', 'edge-3')")" = 3 ]
report $? "edge cases: a single service object, a \\u escape in text and the unterminated last line load"
# jsonb cannot hold \u0000: the loader rejects such a line as the SQL functions do
printf '%s\n' '{"trace_id": "nul-1", "request": {"services": [{"line_id": 1, "service_code": "x\u0000y"}]}}' \
	| "$LOAD" traces -n --reject-file "$WORK/nul.rej" - >"$WORK/out_nul" 2>&1
[ "$(summary "$WORK/out_nul")" = "1 0 0 1" ] && grep -q 'u0000 cannot be stored' "$WORK/nul.rej"
report $? "a \\u0000 escape is rejected, as jsonb rejects it"
"$LOAD" traces -n --max-line-bytes 200 "$E" >"$WORK/out8" 2>&1
[ "$(summary "$WORK/out8")" = "12 3 0 9" ]
report $? "--max-line-bytes 200 rejects the two long lines (and skips them whole)"

# --- connection lost mid-load -----------------------------------------------------------------
DB8=$(newdb lost)
{
	head -n 400 "$WORK/clean.ndjson"
	# hold the stream open until the session is gone
	for _ in $(seq 100); do
		[ -e "$WORK/killed" ] && break
		sleep 0.1
	done
	tail -n +401 "$WORK/clean.ndjson"
} | "$LOAD" -d "$DB8" traces --batch-size 100 --retry-seconds 0 - >/dev/null 2>"$WORK/err9" &
pl=$!
# wait (at most 10 s) until three batches are in, then end the session
for _ in $(seq 100); do
	[ "$(q "$DB8" "SELECT count(*) FROM costmodel.fact_trace")" -ge 300 ] && break
	sleep 0.1
done
q postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = '$DB8' AND pid <> pg_backend_pid()" >/dev/null
touch "$WORK/killed"
wait $pl
rc=$?
[ $rc -eq 2 ] && grep -q "give --import-id to resume" "$WORK/err9"
report $? "a terminated session with --retry-seconds 0 exits 2, saying how to resume (got $rc)"

# --- valgrind ---------------------------------------------------------------------------------
if command -v valgrind >/dev/null 2>&1; then
	head -n 300 "$WORK/t.ndjson" >"$WORK/v.ndjson"
	cat "$E" >>"$WORK/v.ndjson"
	DB9=$(newdb valgrind)
	VG=(valgrind -q --leak-check=full --error-exitcode=99 --errors-for-leak-kinds=definite,indirect)
	"${VG[@]}" "$LOAD" -d "$DB9" traces --batch-size 40 -j 2 --reject-file "$WORK/v.rej" "$WORK/v.ndjson" \
		>/dev/null 2>"$WORK/vg1"
	rc1=$?
	"${VG[@]}" "$LOAD" -d "$DB9" traces "$WORK/v.ndjson" >/dev/null 2>>"$WORK/vg1"
	[ $? -eq 0 ] || rc1=99
	"${VG[@]}" "$LOAD" -d "$DB9" status >/dev/null 2>>"$WORK/vg1"
	[ $? -eq 0 ] || rc1=99
	"${VG[@]}" "$LOAD" traces -n --max-line-bytes 1000 - <"$WORK/v.ndjson" >/dev/null 2>"$WORK/vg2"
	rc2=$?
	[ $rc1 -ne 99 ] && [ $rc1 -le 3 ] && [ $rc2 -ne 99 ] && [ $rc2 -le 3 ]
	report $? "valgrind: no memory error or leak (exit $rc1, $rc2)"
	[ $rc1 -eq 99 ] && cat "$WORK/vg1"
	[ $rc2 -eq 99 ] && cat "$WORK/vg2"
else
	echo "ok - # SKIP valgrind not installed"
fi

exit $failed
