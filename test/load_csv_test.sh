#!/usr/bin/env bash
#
# load_csv_test.sh
#    Tests "costmodel-load csv" against a real server.  Every source's
#    loader path on the generator's files (experience, cases, the four
#    billing layouts of claims), with row counts and sums computed
#    independently by python3's csv module; every dialect (delimiters,
#    quotes holding delimiters, quotes and newlines, BOM, CRLF, Latin-1,
#    Windows-1252, an invalid UTF-8 row, gzip, stdin); header aliases and
#    ignored columns; a map with date formats and decimal commas; a bad-input
#    file per value parser (test/fixtures/csv/bad_*.csv, one labelled case
#    per line, each checked against its expected outcome); a missing
#    required column; foreign keys; the database's own refusal of a row;
#    concurrent loaders; reloads that add nothing, a changed row that
#    updates, members versioned through dim_member; the content hash; exit
#    codes; and that every input row is accounted for (loaded + updated +
#    duplicates + rejected = read) in every load.
#
# Needs: COSTMODEL_LOAD and COSTMODEL_GEN (default ./costmodel-*), PGHOST/
# PGPORT/PGUSER of a server where CREATE EXTENSION costmodel works,
# createdb/dropdb/psql, python3, gzip, sha256sum; valgrind (else that check
# is skipped).  Makes databases cm_csv_test_$$_* and drops them.
set -u

LOAD=${COSTMODEL_LOAD:-./costmodel-load}
GEN=${COSTMODEL_GEN:-./costmodel-gen}
case $LOAD in /*) ;; *) LOAD=$PWD/$LOAD ;; esac
case $GEN in /*) ;; *) GEN=$PWD/$GEN ;; esac
ROOT=${COSTMODEL_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
FIX=$ROOT/test/fixtures/csv
WORK=$(mktemp -d "${TMPDIR:-/tmp}/load_csv_test.XXXXXX")
PREFIX=cm_csv_test_$$
export PGTZ=UTC
failed=0

# Drop the databases made here and the work directory.
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

# Create database $PREFIX_$1 with the extension; print its name.
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

# Print "read loaded updated duplicates rejected" from the first report line in file $1.
summary() {
	sed -n 's/.*: read \([0-9]*\), loaded \([0-9]*\), updated \([0-9]*\), duplicates \([0-9]*\), rejected \([0-9]*\), in .*/\1 \2 \3 \4 \5/p' "$1" | head -n 1
}

# The last load_id in database $1.
last_load() {
	q "$1" "SELECT max(load_id) FROM costmodel.load_log"
}

# Count the data records of CSV file $1 with delimiter $2 (python's csv module).
records() {
	python3 - "$1" "$2" <<'PY'
import csv, io, sys
data = open(sys.argv[1], 'rb').read().decode('utf-8', 'surrogateescape')
if data.startswith('\ufeff'):
    data = data[1:]
delim = {'tab': '\t'}.get(sys.argv[2], sys.argv[2])
rows = [r for r in csv.reader(io.StringIO(data, newline=''), delimiter=delim) if r]
print(len(rows) - 1)
PY
}

# Byte offset of the first occurrence of byte \x$2 (hex) in file $1.
offset_of() {
	python3 -c "import sys; print(open(sys.argv[1], 'rb').read().index(bytes.fromhex(sys.argv[2])))" "$1" "$2"
}

# Check that load $2 in database $1 adds up, and read = records ($3).
accounted() {
	local db=$1 id=$2 want=$3 got
	got=$(q "$db" "SELECT rows_read = rows_loaded + rows_updated + rows_duplicate + rows_rejected
	                      AND rows_read = $want
	                      AND rows_rejected = (SELECT count(*) FROM costmodel.load_reject WHERE load_id = $id)
	                 FROM costmodel.load_log WHERE load_id = $id")
	[ "$got" = t ]
}

for bin in "$LOAD" "$GEN"; do
	if [ ! -x "$bin" ]; then
		echo "not ok - binary $bin exists (set COSTMODEL_LOAD and COSTMODEL_GEN)"
		exit 1
	fi
done

# --- command line ----------------------------------------------------------------
"$LOAD" --help >"$WORK/help"
grep -q "^csv --source=NAME" "$WORK/help" && grep -q -- "--map=FILE" "$WORK/help" &&
	grep -q -- "--encoding=ENC" "$WORK/help" && grep -q -- "--decimal-comma" "$WORK/help" &&
	grep -q -- "--list-columns" "$WORK/help"
report $? "--help documents the csv command and its options"
"$LOAD" csv "$FIX/bad_id.csv" >/dev/null 2>"$WORK/err"
[ $? -eq 64 ] && grep -q "needs --source" "$WORK/err"
report $? "csv without --source exits 64"
"$LOAD" csv --source nonsense "$FIX/bad_id.csv" >/dev/null 2>"$WORK/err"
[ $? -eq 64 ] && grep -q "one of members, calls" "$WORK/err"
report $? "an unknown --source exits 64 and lists the sources"
"$LOAD" csv --source calls >/dev/null 2>&1
[ $? -eq 64 ]
report $? "csv without a file exits 64"
printf 'source = calls\nno_such_column = X\n' >"$WORK/bad.map"
"$LOAD" csv --source calls --map "$WORK/bad.map" "$FIX/bad_id.csv" >/dev/null 2>"$WORK/err"
[ $? -eq 64 ] && grep -q "bad.map:2: \"no_such_column\" is not a column of calls" "$WORK/err"
report $? "a map naming an unknown column exits 64 with FILE:LINE"
printf 'source = claims\n' >"$WORK/claims.map"
"$LOAD" csv --source calls --map "$WORK/claims.map" "$FIX/bad_id.csv" >/dev/null 2>"$WORK/err"
[ $? -eq 64 ] && grep -q "this map is for source \"claims\"" "$WORK/err"
report $? "a map for another source exits 64"
"$LOAD" csv --source claims --list-columns >"$WORK/cols"
grep -q "^  claim_id .*key .*claim number" "$WORK/cols" && grep -q "^  claim_amount .*claim amnt" "$WORK/cols"
report $? "--list-columns shows the claims columns and their aliases"
"$LOAD" csv --list-columns >"$WORK/allcols"
python3 - "$ROOT/docs/csv-loading.md" "$WORK/allcols" <<'PY'
import sys
doc = open(sys.argv[1], encoding='utf-8').read()
block = doc.split('<!-- list-columns -->\n```text\n', 1)[1].split('```\n<!-- end list-columns -->', 1)[0]
sys.exit(0 if block == open(sys.argv[2], encoding='utf-8').read() else 1)
PY
report $? "docs/csv-loading.md shows the current --list-columns output"
"$LOAD" csv --source calls "$WORK/no_such_file.csv" >/dev/null 2>"$WORK/err"
[ $? -eq 1 ] && grep -q "cannot read" "$WORK/err"
report $? "an unreadable file exits 1"
"$LOAD" -p 1 -d postgres csv --source calls "$FIX/bad_id.csv" >/dev/null 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "cannot connect" "$WORK/err"
report $? "an unreachable server exits 2"
NOEXT=${PREFIX}_noext
createdb "$NOEXT"
"$LOAD" -d "$NOEXT" csv --source calls "$FIX/bad_id.csv" >/dev/null 2>"$WORK/err"
[ $? -eq 1 ] && grep -q "CREATE EXTENSION costmodel" "$WORK/err"
report $? "a database without the extension exits 1 with a hint"

# --- every source, from the generator -------------------------------------------------
DB=$(newdb gen) || { echo "not ok - create database"; exit 1; }
"$GEN" experience --members 400 --seed 3 --output-dir "$WORK/exp" >/dev/null &&
	"$GEN" cases --members 400 --seed 3 --output-dir "$WORK/cases" >/dev/null
report $? "generated the experience and cases files (seed 3)"
all_ok=0
for s in members calls digital_interactions surveys pharmacy_fills enrollments claims \
	advocates cases case_events case_interactions case_feedback; do
	f=$WORK/exp/$s.csv
	[ -f "$f" ] || f=$WORK/cases/$s.csv
	"$LOAD" -d "$DB" csv --source "$s" "$f" >"$WORK/out_$s" 2>&1
	rc=$?
	n=$(records "$f" ,)
	id=$(last_load "$DB")
	rows=$(q "$DB" "SELECT count(*) FROM costmodel.$s")
	sum=$(summary "$WORK/out_$s")
	if [ $rc -ne 0 ] || [ "$sum" != "$n $n 0 0 0" ] || [ "$rows" != "$n" ] || ! accounted "$DB" "$id" "$n"; then
		echo "# $s: exit $rc, summary \"$sum\", $rows rows, $n records"
		all_ok=1
	fi
done
report $all_ok "every source loads its generated file: read = loaded = the records python counts = the table's rows"

# sums over the loaded tables against python over the same files
python3 - "$WORK" >"$WORK/py_sums" <<'PY'
import csv, json, sys
from decimal import Decimal
w = sys.argv[1]
def rows(p):
    return list(csv.DictReader(open(p, newline='', encoding='utf-8')))
def s(p, col):
    return sum((Decimal(r[col]) for r in rows(p) if r[col] != ''), Decimal(0))
print('calls', s(w + '/exp/calls.csv', 'handle_time_minutes'), s(w + '/exp/calls.csv', 'sentiment_score'))
print('claims', s(w + '/exp/claims.csv', 'claim_amount'), s(w + '/exp/claims.csv', 'paid_amount'))
print('fills', s(w + '/exp/pharmacy_fills.csv', 'copay_amount'), s(w + '/exp/pharmacy_fills.csv', 'days_supply'))
print('surveys', s(w + '/exp/surveys.csv', 'nps_score'), s(w + '/exp/surveys.csv', 'csat_score'))
print('enrollments', s(w + '/exp/enrollments.csv', 'premium_amount'))
print('members', s(w + '/exp/members.csv', 'age'), s(w + '/exp/members.csv', 'tenure_months'))
cases = rows(w + '/cases/cases.csv')
meta = [json.loads(r['metadata']) for r in cases if r['metadata']]
print('cases', sum(m.get('complexity') or 0 for m in meta),
      sum(len([b for b in m.get('barriers', []) if b.strip()]) for m in meta),
      sum(int(m.get('handoff_count') or 0) for m in meta))
print('interactions', s(w + '/cases/case_interactions.csv', 'duration_minutes'))
print('feedback', s(w + '/cases/case_feedback.csv', 'csat'))
PY
q "$DB" "SELECT 'calls ' || sum(handle_time_minutes) || ' ' || sum(sentiment_score) FROM costmodel.calls
          UNION ALL SELECT 'claims ' || sum(claim_amount) || ' ' || sum(paid_amount) FROM costmodel.claims
          UNION ALL SELECT 'fills ' || sum(copay_amount) || ' ' || sum(days_supply) FROM costmodel.pharmacy_fills
          UNION ALL SELECT 'surveys ' || sum(nps_score) || ' ' || sum(csat_score) FROM costmodel.surveys
          UNION ALL SELECT 'enrollments ' || sum(premium_amount) FROM costmodel.enrollments
          UNION ALL SELECT 'members ' || sum(age) || ' ' || sum(tenure_months) FROM costmodel.members
          UNION ALL SELECT 'cases ' || sum(complexity) || ' ' || sum(barrier_count) || ' ' || sum(handoff_count) FROM costmodel.cases
          UNION ALL SELECT 'interactions ' || sum(duration_minutes) FROM costmodel.case_interactions
          UNION ALL SELECT 'feedback ' || sum(csat) FROM costmodel.case_feedback" >"$WORK/db_sums"
diff "$WORK/py_sums" "$WORK/db_sums" >"$WORK/sums.diff"
report $? "sums of amounts, scores and case metadata equal python's over the files"

# the loaded rows carry their provenance: the file and the load's start
got=$(q "$DB" "SELECT count(*) FROM costmodel.calls c JOIN costmodel.load_log l
                 ON l.file_name = c.source_file AND l.started_at = c.loaded_at AND l.source = 'calls'")
[ "$got" = "$(records "$WORK/exp/calls.csv" ,)" ]
report $? "every loaded row has source_file = load_log.file_name and loaded_at = load_log.started_at"

# the metadata columns the loader derived agree with the trigger's
got=$(q "$DB" "SELECT count(*) FROM costmodel.load_log_column lc JOIN costmodel.load_log l USING (load_id)
                 WHERE l.source = 'cases' AND lc.column_name IN ('barriers', 'missing_docs', 'support_flags',
                       'submitted_documents', 'intake_source', 'complexity')
                   AND lc.nulls <> (SELECT count(*) FROM costmodel.cases c
                                     WHERE to_jsonb(c) ->> lc.column_name IS NULL)")
[ "$got" = 0 ]
report $? "cases: the null counts of the metadata columns derived in C equal the trigger's"

# reloading every file adds nothing
digest_before=$(q "$DB" "SELECT md5(string_agg(c::text, '|' ORDER BY call_id)) FROM costmodel.calls c")
all_ok=0
for s in members calls digital_interactions surveys pharmacy_fills enrollments claims \
	advocates cases case_events case_interactions case_feedback; do
	f=$WORK/exp/$s.csv
	[ -f "$f" ] || f=$WORK/cases/$s.csv
	"$LOAD" -d "$DB" csv --source "$s" "$f" >"$WORK/out_$s" 2>&1
	rc=$?
	n=$(records "$f" ,)
	sum=$(summary "$WORK/out_$s")
	if [ $rc -ne 0 ] || [ "$sum" != "$n 0 0 $n 0" ] || ! accounted "$DB" "$(last_load "$DB")" "$n"; then
		echo "# reload $s: exit $rc, summary \"$sum\", $n records"
		all_ok=1
	fi
done
report $all_ok "reloading every file: loaded 0, updated 0, every row a duplicate"
[ "$digest_before" = "$(q "$DB" "SELECT md5(string_agg(c::text, '|' ORDER BY call_id)) FROM costmodel.calls c")" ]
report $? "a reload leaves the rows untouched (loaded_at included)"
[ "$(q "$DB" "SELECT count(DISTINCT file_sha256) = 12 AND count(*) = 24 FROM costmodel.load_log")" = t ]
report $? "load_log: 24 loads of 12 files, one content hash per file"

# a changed row updates; members get a new dim_member version
python3 - "$WORK/exp/calls.csv" "$WORK/calls_v2.csv" "$WORK/exp/members.csv" "$WORK/members_v2.csv" <<'PY'
import csv, sys
r = list(csv.reader(open(sys.argv[1], newline='')))
r[5][3] = 'Changed Topic'
csv.writer(open(sys.argv[2], 'w', newline=''), lineterminator='\n').writerows(r)
m = list(csv.reader(open(sys.argv[3], newline='')))
h = m[0]
pt, zp = h.index('plan_type'), h.index('zip_code')
for row in m[1:4]:
    row[pt] = 'HMO' if row[pt] != 'HMO' else 'PPO'
m[10][zp] = '99999'
csv.writer(open(sys.argv[4], 'w', newline=''), lineterminator='\n').writerows(m)
PY
"$LOAD" -d "$DB" csv --source calls "$WORK/calls_v2.csv" >"$WORK/out" 2>&1
n=$(records "$WORK/calls_v2.csv" ,)
[ "$(summary "$WORK/out")" = "$n 0 1 $((n - 1)) 0" ] &&
	[ "$(q "$DB" "SELECT count(*) FROM costmodel.calls WHERE call_topic = 'Changed Topic'")" = 1 ]
report $? "a changed calls row is updated; the others are duplicates"
members_before=$(q "$DB" "SELECT count(*) FROM costmodel.dim_member")
"$LOAD" -d "$DB" csv --source members "$WORK/members_v2.csv" >"$WORK/out" 2>&1
n=$(records "$WORK/members_v2.csv" ,)
[ "$(summary "$WORK/out")" = "$n 0 4 $((n - 4)) 0" ] &&
	grep -q "dim_member: 0 new, 3 new versions, 1 updated in place" "$WORK/out" &&
	[ "$(q "$DB" "SELECT count(*) FROM costmodel.dim_member")" = $((members_before + 3)) ] &&
	[ "$(q "$DB" "SELECT count(*) FROM costmodel.dim_member WHERE NOT is_current")" = 3 ]
report $? "members: 4 changed rows update, dim_member gets 3 new versions and 1 in-place correction"

# --- the billing layouts of costmodel-gen claims ------------------------------------------
CDB=$(newdb claims)
"$GEN" claims --members 400 --seed 3 --output-dir "$WORK/bill" >/dev/null
report $? "generated the four billing exports (seed 3)"
printf 'source = claims\nlocation.join = City, State\n' >"$WORK/delta.map"
all_ok=0
for f in billing_alpha.csv billing_bravo.csv billing_charlie.tsv billing_delta.psv; do
	opts=()
	case $f in *delta*) opts=(--map "$WORK/delta.map") ;; esac
	"$LOAD" -d "$CDB" csv --source claims "${opts[@]}" "$WORK/bill/$f" >"$WORK/out_$f" 2>&1
	[ $? -eq 3 ] || { echo "# $f: exit code not 3"; all_ok=1; }
	id=$(last_load "$CDB")
	data_rows=$(python3 -c "import csv,sys; print([r['data_rows'] for r in csv.DictReader(open('$WORK/bill/claims_summary.csv')) if r['file'] == '$f'][0])")
	accounted "$CDB" "$id" "$data_rows" || { echo "# $f: accounting"; all_ok=1; }
	# rejects are exactly the manifest's missing ids, at their lines
	want=$(python3 -c "
import csv
print(' '.join(sorted(r['line'] for r in csv.DictReader(open('$WORK/bill/claims_manifest.csv'))
                      if r['file'] == '$f' and r['kind'].startswith('missing'))))")
	got=$(q "$CDB" "SELECT string_agg(line_no::text, ' ' ORDER BY line_no::text) FROM costmodel.load_reject WHERE load_id = $id")
	[ "$want" = "$got" ] || { echo "# $f: rejects at \"$got\", manifest \"$want\""; all_ok=1; }
	# bad amounts and dates are NULL in exactly the manifest's claims
	python3 - "$WORK/bill/claims_manifest.csv" "$f" >"$WORK/want_null" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r['file'] == sys.argv[2] and r['kind'] in ('bad_amount', 'bad_date'):
        print(r['claim_id'], 'claim_amount' if r['kind'] == 'bad_amount' else 'service_date')
PY
	sort "$WORK/want_null" >"$WORK/want_null.s"
	q "$CDB" "SELECT claim_id || ' claim_amount' FROM costmodel.claims WHERE claim_amount IS NULL AND source_file LIKE '%/$f'
	          UNION ALL SELECT claim_id || ' service_date' FROM costmodel.claims WHERE service_date IS NULL AND source_file LIKE '%/$f'" |
		sort >"$WORK/got_null.s"
	cmp -s "$WORK/want_null.s" "$WORK/got_null.s" || { echo "# $f: NULL amounts/dates differ from the manifest"; all_ok=1; }
done
report $all_ok "billing exports: rejects and NULLs are exactly the manifest's bad rows, and every row is accounted for"
got=$(q "$CDB" "SELECT string_agg(filled_from, '|' ORDER BY load_id) FROM costmodel.load_log_column
                 WHERE column_name = 'claim_id'")
[ "$got" = "Claim_ID|claim id|ClaimID|Claim Number" ]
report $? "header aliases: Claim_ID, claim id, ClaimID and Claim Number are all claim_id"
[ "$(q "$CDB" "SELECT filled_from FROM costmodel.load_log_column WHERE load_id = 1 AND column_name = 'claim_amount'")" = Claim_amnt ]
report $? "header aliases: Claim_amnt is claim_amount"
[ "$(q "$CDB" "SELECT columns_ignored FROM costmodel.load_log WHERE file_name LIKE '%delta.psv'")" = '{"Patient Account"}' ]
report $? "an unknown column is reported and ignored (load_log.columns_ignored)"
grep -q "decimal comma detected in claim_amount, paid_amount" "$WORK/out_billing_bravo.csv"
report $? "the decimal comma of billing_bravo is detected"

# the final claims against an independent reading of the four files
python3 - "$WORK/bill" >"$WORK/py_claims" <<'PY'
import csv, sys
from decimal import Decimal
d = sys.argv[1]
def money(s, layout):
    s = s.strip()
    if layout == 'bravo':
        s = s.replace('.', '').replace(',', '.')
    else:
        s = s.replace('$', '').replace(',', '')
    return Decimal(s)
status = {'A': 'approved', 'PD': 'paid', 'PP': 'partially_paid', 'D': 'denied', 'P': 'pending',
          'S': 'submitted', 'AJ': 'adjusted', 'V': 'voided', 'void': 'voided'}
def canon(s):
    s = s.strip()
    return status.get(s) or status.get(s.upper()) or s.lower().replace(' ', '_')
files = [('alpha', 'billing_alpha.csv', ',', 'Claim_ID', 'Claim_amnt', 'Paid_amnt', 'Status', 'Member_ID', 'Service_Date'),
         ('bravo', 'billing_bravo.csv', ';', 'claim id', 'claim amount', 'paid amount', 'claim status', 'member id', 'date of service'),
         ('charlie', 'billing_charlie.tsv', '\t', 'ClaimID', 'BilledAmt', 'PaidAmt', 'StatusCode', 'MemberID', 'ServiceDate'),
         ('delta', 'billing_delta.psv', '|', 'Claim Number', 'Charge', 'Paid', 'Status', 'Member', 'DOS')]
bad = {(r['file'], int(r['line'])) for r in csv.DictReader(open(d + '/claims_manifest.csv')) if r['kind'] == 'bad_amount'}
claims = {}
for layout, f, delim, cid, amt, paid, st, mem, dos in files:
    text = open(d + '/' + f, encoding='utf-8-sig', newline='').read()
    for line, r in enumerate(csv.DictReader(text.splitlines(), delimiter=delim), start=2):
        if not r[cid].strip() or not r[mem].strip():
            continue
        a = None if (f, line) in bad else money(r[amt], layout)
        p = money(r[paid], layout) if r[paid].strip() else None
        claims[r[cid].strip()] = (a, p, canon(r[st]))
print(len(claims), sum(v[0] for v in claims.values() if v[0] is not None),
      sum(v[1] for v in claims.values() if v[1] is not None))
by = {}
for a, p, s in claims.values():
    by[s] = by.get(s, 0) + 1
print(' '.join('%s=%d' % kv for kv in sorted(by.items())))
PY
q "$CDB" "SELECT count(*) || ' ' || sum(claim_amount) || ' ' || sum(paid_amount) FROM costmodel.claims
          UNION ALL SELECT string_agg(status || '=' || n, ' ' ORDER BY status)
            FROM (SELECT status COLLATE \"C\" AS status, count(*) AS n FROM costmodel.claims GROUP BY 1) s" >"$WORK/db_claims"
diff "$WORK/py_claims" "$WORK/db_claims"
report $? "billing claims: count, billed and paid totals and statuses equal python's reading of the files (re-exports replace)"
got=$(q "$CDB" "SELECT rows_updated FROM costmodel.load_log WHERE file_name LIKE '%delta.psv'")
want=$(python3 -c "import csv; print([r['reexported_rows'] for r in csv.DictReader(open('$WORK/bill/claims_summary.csv')) if r['file'] == 'billing_delta.psv'][0])")
[ "$got" = "$want" ]
report $? "billing_delta's re-exports update the claims loaded from billing_alpha ($want)"
"$LOAD" -d "$CDB" csv --source claims "$WORK/bill/billing_alpha.csv" >"$WORK/out" 2>&1
n=$(python3 -c "import csv; print([r['data_rows'] for r in csv.DictReader(open('$WORK/bill/claims_summary.csv')) if r['file'] == 'billing_alpha.csv'][0])")
[ "$(summary "$WORK/out")" = "$n 0 0 $((n - 2)) 2" ] &&
	[ "$(q "$CDB" "SELECT count(*) FROM costmodel.claims WHERE source_file LIKE '%delta.psv' AND claim_id LIKE 'ALP%'")" = "$want" ]
report $? "reloading billing_alpha does not undo the newer re-exports (older rows count as duplicates)"

# --- dialects ---------------------------------------------------------------------------------
DDB=$(newdb dialect)
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
rows = [['CL1', 'M1', '2025-03-04T10:00:00Z', 'Billing', '12.50', 'true'],
        ['CL2', 'M2', '2025-03-04T11:00:00Z', 'Claims, appeals', '3.25', 'false'],
        ['CL3', 'M3', '2025-03-05T09:30:00Z', 'ID "Card"', '', ''],
        ['CL4', 'M4', '2025-03-05T09:45:00Z', 'two\nlines', '7', 'yes']]
head = ['call_id', 'member_id', 'called_at', 'call_topic', 'handle_time_minutes', 'transferred']
def field(v, d):
    if any(c in v for c in (d, '"', '\n', '\r')):
        return '"' + v.replace('"', '""') + '"'
    return v
for name, d in (('comma', ','), ('semicolon', ';'), ('tab', '\t'), ('pipe', '|')):
    with open('%s/d_%s.txt' % (w, name), 'w', newline='') as f:
        for r in [head] + rows:
            f.write(d.join(field(v, d) for v in r) + '\n')
# BOM and CRLF; the text column last, so a stray CR would show
with open(w + '/d_bom_crlf.csv', 'wb') as f:
    f.write(b'\xef\xbb\xbf')
    for r in [head[:3] + head[4:] + ['call_topic']] + [x[:3] + x[4:] + [x[3]] for x in rows]:
        f.write((','.join(field(v, ',') for v in r) + '\r\n').encode())
# Latin-1 and Windows-1252
with open(w + '/d_latin1.csv', 'wb') as f:
    f.write(b'call_id,member_id,called_at,call_topic\n')
    f.write('L1,M1,2025-03-04T10:00:00Z,Caf\xe9 Gr\xf6\xdfe\n'.encode('latin-1'))
    f.write(b'L2,M1,2025-03-04T10:00:00Z,plain\n')
with open(w + '/d_win1252.csv', 'wb') as f:
    f.write(b'call_id,member_id,called_at,call_topic\n')
    f.write(b'W1,M1,2025-03-04T10:00:00Z,\x80 5 \x93quoted\x94\n')
# one row of invalid UTF-8 among good ones
with open(w + '/d_badutf8.csv', 'wb') as f:
    f.write(b'call_id,member_id,called_at,call_topic\n')
    f.write(b'U1,M1,2025-03-04T10:00:00Z,ok\n')
    f.write(b'U2,M1,2025-03-04T10:00:00Z,bad \xff byte\n')
    f.write(b'U3,M1,2025-03-04T10:00:00Z,"a quoted\nnewline"\n')
    f.write(b'U4,M1,2025-03-04T10:00:00Z,ok \xe2\x82\xac\n')
# an unterminated quote at the end of the file, after a good row
with open(w + '/d_unterminated.csv', 'wb') as f:
    f.write(b'call_id,member_id,called_at,call_topic\n')
    f.write(b'Q1,M1,2025-03-04T10:00:00Z,ok\n\n')
    f.write(b'Q2,M1,2025-03-04T10:00:00Z,"never\nclosed\n')
# wrong field counts and text after a closing quote
with open(w + '/d_fields.csv', 'wb') as f:
    f.write(b'call_id,member_id,called_at,call_topic\n')
    f.write(b'F1,M1,2025-03-04T10:00:00Z\n')
    f.write(b'F2,M1,2025-03-04T10:00:00Z,ok,extra\n')
    f.write(b'F3,M1,2025-03-04T10:00:00Z,ok,,\n')
    f.write(b'F4,M1,2025-03-04T10:00:00Z,"quoted"after\n')
PY
"$LOAD" -d "$DDB" csv --source calls "$WORK/d_comma.txt" >"$WORK/out" 2>&1
[ "$(summary "$WORK/out")" = "4 4 0 0 0" ] && grep -q "comma-delimited" "$WORK/out"
report $? "comma: 4 rows loaded"
got=$(q "$DDB" "SELECT string_agg(call_topic, '|' ORDER BY call_id) FROM costmodel.calls")
[ "$got" = "$(printf 'Billing|Claims, appeals|ID "Card"|two\nlines')" ]
report $? "quoted fields keep their embedded delimiter, quotes and newline"
all_ok=0
for d in semicolon tab pipe; do
	"$LOAD" -d "$DDB" csv --source calls "$WORK/d_$d.txt" >"$WORK/out" 2>&1
	{ [ "$(summary "$WORK/out")" = "4 0 0 4 0" ] && grep -q "$d-delimited" "$WORK/out"; } || all_ok=1
done
report $all_ok "semicolon, tab and pipe are detected and read to the same rows (all duplicates)"
"$LOAD" -d "$DDB" csv --source calls "$WORK/d_bom_crlf.csv" >"$WORK/out" 2>&1
[ "$(summary "$WORK/out")" = "4 0 0 4 0" ]
report $? "a UTF-8 BOM and CRLF line ends read to the same rows (no stray BOM or CR)"
"$LOAD" -d "$DDB" csv --source calls --encoding latin1 "$WORK/d_latin1.csv" >"$WORK/out" 2>&1
[ "$(q "$DDB" "SELECT call_topic FROM costmodel.calls WHERE call_id = 'L1'")" = "Café Größe" ]
report $? "--encoding latin1 converts to UTF-8"
"$LOAD" -d "$DDB" csv --source calls --encoding windows-1252 "$WORK/d_win1252.csv" >"$WORK/out" 2>&1
[ "$(q "$DDB" "SELECT call_topic FROM costmodel.calls WHERE call_id = 'W1'")" = "€ 5 “quoted”" ]
report $? "--encoding win1252 converts 0x80-0x9F (euro sign, curly quotes)"
q "$DDB" "DELETE FROM costmodel.calls WHERE call_id = 'L1'" >/dev/null
"$LOAD" -d "$DDB" csv --source calls "$WORK/d_latin1.csv" >"$WORK/out" 2>&1
rc=$?
id=$(last_load "$DDB")
[ $rc -eq 3 ] && [ "$(summary "$WORK/out")" = "2 0 0 1 1" ] &&
	[ "$(q "$DDB" "SELECT line_no || ' ' || byte_offset || ' ' || column_name FROM costmodel.load_reject WHERE load_id = $id")" = "2 $(offset_of "$WORK/d_latin1.csv" e9) call_topic" ]
report $? "Latin-1 read as UTF-8: that row is rejected (line 2, the offset of the bad byte), the rest reads, exit 3"
"$LOAD" -d "$DDB" csv --source calls "$WORK/d_badutf8.csv" >"$WORK/out" 2>&1
rc=$?
id=$(last_load "$DDB")
[ $rc -eq 3 ] && [ "$(summary "$WORK/out")" = "4 3 0 0 1" ] &&
	[ "$(q "$DDB" "SELECT line_no || ' ' || byte_offset || ' ' || (reason LIKE 'not valid UTF-8%') FROM costmodel.load_reject WHERE load_id = $id")" = "3 $(offset_of "$WORK/d_badutf8.csv" ff) true" ] &&
	[ "$(q "$DDB" "SELECT count(*) FROM costmodel.calls WHERE call_id IN ('U1', 'U3', 'U4')")" = 3 ] &&
	[ "$(q "$DDB" "SELECT raw FROM costmodel.load_reject WHERE load_id = $id")" = "U2,M1,2025-03-04T10:00:00Z,bad � byte" ]
report $? "an invalid UTF-8 byte rejects its row only (line 3, the byte's offset; raw shows U+FFFD)"
"$LOAD" -d "$DDB" csv --source calls "$WORK/d_unterminated.csv" >"$WORK/out" 2>&1
id=$(last_load "$DDB")
[ "$(summary "$WORK/out")" = "2 1 0 0 1" ] &&
	[ "$(q "$DDB" "SELECT line_no || ' ' || (reason LIKE 'unterminated quoted field%') || ' ' || blank_lines FROM costmodel.load_reject JOIN costmodel.load_log USING (load_id) WHERE load_id = $id")" = "4 true 1" ]
report $? "an unterminated quote at the end rejects that record (line 4); the blank line is skipped"
"$LOAD" -d "$DDB" csv --source calls "$WORK/d_fields.csv" >"$WORK/out" 2>&1
id=$(last_load "$DDB")
[ "$(summary "$WORK/out")" = "4 1 0 0 3" ] &&
	[ "$(q "$DDB" "SELECT string_agg(line_no || ':' || left(reason, 20), ',' ORDER BY line_no) FROM costmodel.load_reject WHERE load_id = $id")" = "2:3 fields, but the he,3:5 fields, but the he,5:text after the closi" ]
report $? "too few fields, extra non-empty fields and text after a closing quote reject the row; trailing empty fields do not"
gzip -c "$WORK/d_comma.txt" >"$WORK/d_comma.csv.gz"
"$LOAD" -d "$DDB" csv --source calls "$WORK/d_comma.csv.gz" >"$WORK/out" 2>&1 &&
	"$LOAD" -d "$DDB" csv --source calls - <"$WORK/d_comma.txt" >"$WORK/out2" 2>&1
[ "$(summary "$WORK/out")" = "4 0 0 4 0" ] && [ "$(summary "$WORK/out2")" = "4 0 0 4 0" ] &&
	[ "$(q "$DDB" "SELECT count(*) FROM costmodel.load_log WHERE file_name = 'stdin'")" = 1 ]
report $? "gzip input and standard input read the same rows"
want=$(gzip -dc "$WORK/d_comma.csv.gz" | sha256sum | cut -d' ' -f1)
[ "$(q "$DDB" "SELECT file_sha256 || ' ' || bytes FROM costmodel.load_log WHERE file_name LIKE '%d_comma.csv.gz'")" = "$want $(stat -c %s "$WORK/d_comma.txt")" ]
report $? "load_log.file_sha256 and bytes are those of the (decompressed) content (sha256sum)"
[ "$(q "$DDB" "SELECT file_sha256 FROM costmodel.load_log WHERE file_name LIKE '%d_badutf8.csv'")" = "$(sha256sum <"$WORK/d_badutf8.csv" | cut -d' ' -f1)" ]
report $? "load_log.file_sha256 equals sha256sum of the file"

# --- headers ---------------------------------------------------------------------------------------
printf 'Contact ID,Member,Call Date,Topic,AHT,Agent Name\nH1,M1,2025-03-04T10:00:00Z,Billing,4.5,Ann\n' >"$WORK/h_alias.csv"
"$LOAD" -d "$DDB" csv --source calls "$WORK/h_alias.csv" >"$WORK/out" 2>&1
id=$(last_load "$DDB")
[ "$(summary "$WORK/out")" = "1 1 0 0 0" ] &&
	[ "$(q "$DDB" "SELECT handle_time_minutes FROM costmodel.calls WHERE call_id = 'H1'")" = 4.50 ] &&
	grep -q 'ignored columns: "Agent Name"' "$WORK/out" &&
	[ "$(q "$DDB" "SELECT columns_ignored FROM costmodel.load_log WHERE load_id = $id")" = '{"Agent Name"}' ]
report $? "aliases (Contact ID, Member, Call Date, Topic, AHT) load; Agent Name is reported as ignored"
printf 'call_id,member_id,call_topic\nX1,M1,Billing\n' >"$WORK/h_missing.csv"
"$LOAD" -d "$DDB" csv --source calls "$WORK/h_missing.csv" >"$WORK/out" 2>&1
rc=$?
id=$(last_load "$DDB")
[ $rc -eq 3 ] && grep -q "file rejected: missing required column called_at. Expected (calls): call_id (required), member_id (required), called_at (required), call_topic (required), handle_time_minutes" "$WORK/out" &&
	grep -q 'Found: "call_id", "member_id", "call_topic"' "$WORK/out" &&
	[ "$(q "$DDB" "SELECT status || ' ' || rows_read || ' ' || (message LIKE 'missing required column called_at%') FROM costmodel.load_log WHERE load_id = $id")" = "rejected 0 true" ] &&
	[ "$(q "$DDB" "SELECT count(*) FROM costmodel.calls WHERE call_id = 'X1'")" = 0 ]
report $? "a missing required column rejects the file: exit 3, the message lists expected and found, load_log says rejected"
printf '' >"$WORK/h_empty.csv"
"$LOAD" -d "$DDB" csv --source calls "$WORK/h_empty.csv" >"$WORK/out" 2>&1
[ $? -eq 3 ] && grep -q "file rejected: the file is empty" "$WORK/out" &&
	[ "$(q "$DDB" "SELECT file_sha256 || ' ' || bytes FROM costmodel.load_log WHERE file_name LIKE '%h_empty.csv'")" = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0" ]
report $? "an empty file is rejected (and logged with the SHA-256 of empty input)"
printf '\xff\xfec\x00a\x00' >"$WORK/h_utf16.csv"
"$LOAD" -d "$DDB" csv --source calls "$WORK/h_utf16.csv" >"$WORK/out" 2>&1
[ $? -eq 3 ] && grep -q "UTF-16" "$WORK/out"
report $? "a UTF-16 file is rejected with a hint"

# --- a map with date formats and decimal commas ------------------------------------------------------
MDB=$(newdb map)
"$LOAD" -d "$MDB" csv --source claims --map "$FIX/acme_claims.map" "$FIX/acme_claims.csv" >"$WORK/out" 2>&1
got=$(q "$MDB" "SELECT string_agg(concat_ws(' ', claim_id, coalesce(service_date::text, 'null'),
                        coalesce(adjudicated_at::text, 'null'), coalesce(claim_amount::text, 'null'),
                        coalesce(paid_amount::text, 'null'), status, source_status, source_system, payer), '|' ORDER BY claim_id)
                 FROM costmodel.claims")
want="AC-1 2025-03-04 2025-03-05 14:30:00+00 1234.50 1000.00 paid BEZAHLT acme Acme BKK"
want="$want|AC-2 2024-12-31 2025-01-02 09:05:00+00 99.99 0.00 denied ABGELEHNT acme Acme BKK"
want="$want|AC-3 2024-02-29 null 12.00 null pending OFFEN acme Acme BKK"
want="$want|AC-4 null null 5.00 null pending OFFEN acme Acme BKK"
want="$want|AC-5 2025-06-01 null null null pending OFFEN acme Acme BKK"
[ "$got" = "$want" ] && [ "$(summary "$WORK/out")" = "5 5 0 0 0" ]
report $? "--map: German headers, DD.MM.YYYY [HH:MI] dates, decimal commas, status words, a constant"
[ "$(q "$MDB" "SELECT unreadable FROM costmodel.load_log_column WHERE column_name = 'service_date'") $(q "$MDB" "SELECT unreadable FROM costmodel.load_log_column WHERE column_name = 'claim_amount'")" = "1 1" ]
report $? "--map: 30.02.2025 and (12,00) are unreadable, counted per column"

# --- a bad-input file per value parser ---------------------------------------------------------------
# Each fixture row names a column and its expected outcome: a value (as
# PostgreSQL prints it), null, unreadable (NULL, counted) or reject.
check_fixture() {
	local db=$1 source=$2 key=$3 file=$4 id
	"$LOAD" -d "$db" csv --source "$source" "$file" >"$WORK/out" 2>&1
	id=$(last_load "$db")
	python3 - "$db" "$source" "$key" "$file" "$id" <<'PY'
import csv, subprocess, sys
db, source, key, path, load_id = sys.argv[1:]
rows = list(csv.DictReader(open(path, newline='')))
def sql(query):
    out = subprocess.run(['psql', '-qXAt', '-F', '\t', '-d', db, '-c', query],
                         capture_output=True, text=True, check=True).stdout
    return [l.split('\t') for l in out.split('\n') if l]
cols = sorted({r['column'] for r in rows} - {key})
table = {r[0]: r[1:] for r in sql('SELECT %s::text%s FROM costmodel.%s' % (
    key, ''.join(", coalesce(%s::text, '<NULL>')" % c for c in cols), source))}
rejects = {int(r[0]): r[1] for r in sql('SELECT line_no, coalesce(column_name, \'\') FROM costmodel.load_reject WHERE load_id = %s' % load_id)}
counts = {r[0]: int(r[1]) for r in sql('SELECT column_name, unreadable FROM costmodel.load_log_column WHERE load_id = %s' % load_id)}
bad = 0
unreadable = {}
for i, r in enumerate(rows):
    line, k, col, want = i + 2, r[key].strip(), r['column'], r['expect']
    if want == 'reject':
        ok = rejects.get(line) == col
        got = 'reject' if line in rejects else 'loaded'
    else:
        if line in rejects:
            ok, got = False, 'reject (%s)' % rejects[line]
        else:
            got = k if col == key else table.get(k, ['<absent>'] * len(cols))[cols.index(col)]
            ok = (got == '<NULL>') if want in ('null', 'unreadable') else (got == want)
        if want == 'unreadable':
            unreadable[col] = unreadable.get(col, 0) + 1
    if not ok:
        bad += 1
        print('#   %s line %d (%s): %s expected %s, got %s' % (path.split('/')[-1], line, r['case'], col, want, got))
for col, n in unreadable.items():
    if counts.get(col) != n:
        bad += 1
        print('#   %s: %s unreadable %s, expected %d' % (path.split('/')[-1], col, counts.get(col), n))
sys.exit(1 if bad else 0)
PY
	local rc=$?
	local n
	n=$(records "$file" ,)
	accounted "$db" "$id" "$n" || { echo "#   $file: accounting"; rc=1; }
	return $rc
}
FDB=$(newdb fixtures)
check_fixture "$FDB" claims claim_id "$FIX/bad_money.csv"
report $? "bad_money.csv: every labelled case as expected"
check_fixture "$FDB" calls call_id "$FIX/bad_decimal.csv"
report $? "bad_decimal.csv: every labelled case as expected"
check_fixture "$FDB" surveys survey_id "$FIX/bad_int.csv"
report $? "bad_int.csv: every labelled case as expected"
check_fixture "$FDB" calls call_id "$FIX/bad_bool.csv"
report $? "bad_bool.csv: every labelled case as expected"
check_fixture "$FDB" claims claim_id "$FIX/bad_timestamp.csv"
report $? "bad_timestamp.csv: every labelled case as expected"
check_fixture "$FDB" claims claim_id "$FIX/bad_date.csv"
report $? "bad_date.csv: every labelled case as expected"
check_fixture "$FDB" claims claim_id "$FIX/bad_enum.csv"
report $? "bad_enum.csv: every labelled case as expected"
check_fixture "$FDB" members member_id "$FIX/bad_code.csv"
report $? "bad_code.csv: every labelled case as expected"
check_fixture "$FDB" calls call_id "$FIX/bad_id.csv"
report $? "bad_id.csv: every labelled case as expected (the first row of a repeated key wins)"
check_fixture "$FDB" cases case_id "$FIX/bad_json.csv"
report $? "bad_json.csv: every labelled case as expected"
[ "$(q "$FDB" "SELECT duplicate_keys_in_file FROM costmodel.load_log WHERE file_name LIKE '%bad_id.csv'")" = 1 ]
report $? "a key repeated in a file is counted in duplicate_keys_in_file"

# --- foreign keys, the database's own checks, concurrency --------------------------------------------
KDB=$(newdb fk)
"$LOAD" -d "$KDB" csv --source case_events "$WORK/cases/case_events.csv" >"$WORK/out" 2>&1
rc=$?
n=$(records "$WORK/cases/case_events.csv" ,)
id=$(last_load "$KDB")
[ $rc -eq 3 ] && [ "$(summary "$WORK/out")" = "$n 0 0 0 $n" ] && accounted "$KDB" "$id" "$n" &&
	[ "$(q "$KDB" "SELECT count(*) FROM costmodel.load_reject WHERE load_id = $id AND reason = 'case_id is not in costmodel.cases (load cases first)'")" = "$n" ]
report $? "case_events before cases: every row rejected, naming the missing case"

"$GEN" experience --calls 2000 --seed 4 --output-dir "$WORK/exp2" >/dev/null
cp "$WORK/exp2/calls.csv" "$WORK/calls2k.csv"
python3 - "$WORK/calls2k.csv" <<'PY'
import csv, sys
r = list(csv.reader(open(sys.argv[1], newline='')))
for i in (10, 777, 1999):
    r[i][3] = 'Forbidden'
csv.writer(open(sys.argv[1], 'w', newline=''), lineterminator='\n').writerows(r)
PY
q "$KDB" "ALTER TABLE costmodel.calls ADD CONSTRAINT test_no_forbidden CHECK (call_topic <> 'Forbidden')" >/dev/null
"$LOAD" -d "$KDB" csv --source calls --batch-size 500 "$WORK/calls2k.csv" >"$WORK/out" 2>&1
rc=$?
id=$(last_load "$KDB")
[ $rc -eq 3 ] && [ "$(summary "$WORK/out")" = "2000 1997 0 0 3" ] && accounted "$KDB" "$id" 2000 &&
	[ "$(q "$KDB" "SELECT string_agg(line_no::text, ',' ORDER BY line_no) FROM costmodel.load_reject
	               WHERE load_id = $id AND reason LIKE 'the database refused the row:%test_no_forbidden%'")" = "11,778,2000" ] &&
	[ "$(q "$KDB" "SELECT count(*) FROM costmodel.calls")" = 1997 ]
report $? "rows the database refuses (a CHECK the loader does not know) are isolated and rejected; the rest loads"

CCDB=$(newdb concurrent)
"$LOAD" -d "$CCDB" csv --source calls --batch-size 300 "$WORK/exp/calls.csv" >"$WORK/c1" 2>&1 &
p1=$!
"$LOAD" -d "$CCDB" csv --source calls --batch-size 300 "$WORK/exp/calls.csv" >"$WORK/c2" 2>&1 &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
n=$(records "$WORK/exp/calls.csv" ,)
got=$(q "$CCDB" "SELECT sum(rows_loaded) || ' ' || sum(rows_loaded + rows_duplicate) || ' ' || bool_and(rows_read = $n) FROM costmodel.load_log")
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] && [ "$got" = "$n $((2 * n)) true" ] &&
	[ "$(q "$CCDB" "SELECT count(*) FROM costmodel.calls")" = "$n" ]
report $? "two concurrent loaders of one file: every row loaded once, the other's a duplicate"

# --- dry run, valgrind ---------------------------------------------------------------------------------
"$LOAD" -d "$DDB" csv --source calls --dry-run "$WORK/d_badutf8.csv" >"$WORK/out" 2>&1
rc=$?
[ $rc -eq 3 ] && grep -q "^dry run, nothing written: .*read 4, loaded 3, updated 0, duplicates 0, rejected 1" "$WORK/out" &&
	[ "$(q "$DDB" "SELECT count(*) FROM costmodel.load_log WHERE file_name LIKE '%d_badutf8.csv'")" = 1 ]
report $? "--dry-run reads and checks, writes nothing"
if command -v valgrind >/dev/null 2>&1; then
	VDB=$(newdb valgrind)
	valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$LOAD" -d "$VDB" csv --source claims --map "$FIX/acme_claims.map" "$FIX/acme_claims.csv" "$FIX/bad_money.csv" \
		>"$WORK/vg" 2>&1
	rc=$?
	[ $rc -eq 3 ] || [ $rc -eq 0 ]
	report $? "valgrind: no memory error or definite leak (exit $rc)"
else
	echo "ok - valgrind: skipped (not installed)"
fi

exit $failed
