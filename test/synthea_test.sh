#!/usr/bin/env bash
#
# synthea_test.sh
#    Loads the Synthea sample (real output of the Synthea generator, in a
#    layout this project does not control) with the shipped map
#    loader/maps/synthea_claims.map, and checks the claims table against
#    figures computed independently from the CSV files with python3's csv
#    module: the claim count, total billed (CHARGE transactions), total paid
#    (PAYMENT transactions), and count, billed and paid per payer (the
#    payer's name from payers.csv; no insurance is NULL), the claim types
#    (from the encounter classes) and statuses.  A reload adds nothing.
#
# The data is read from ../shared/data/synthea beside the checkout (CI's
# read-only copy), else /work/shared/data/synthea.  Without it the suite
# FAILS: the sample is part of the test, not optional.
#
# Needs: COSTMODEL_LOAD, PGHOST/PGPORT/PGUSER of a server where CREATE
# EXTENSION costmodel works, createdb/dropdb/psql, python3.
set -u

LOAD=${COSTMODEL_LOAD:-./costmodel-load}
case $LOAD in /*) ;; *) LOAD=$PWD/$LOAD ;; esac
ROOT=${COSTMODEL_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
MAP=$ROOT/loader/maps/synthea_claims.map
DB=cm_synthea_test_$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/synthea_test.XXXXXX")
failed=0

# Drop the database and the work directory.
cleanup() {
	dropdb --if-exists "$DB" >/dev/null 2>&1
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

# Run one query; print the unaligned result.
q() {
	psql -qXAt -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}

DATA=
for d in "$ROOT/../shared/data/synthea" /work/shared/data/synthea; do
	if [ -r "$d/claims.csv" ] && [ -r "$d/claims_transactions.csv" ] && [ -r "$d/payers.csv" ]; then
		DATA=$(cd "$d" && pwd)
		break
	fi
done
if [ -z "$DATA" ]; then
	echo "not ok - Synthea sample found (looked for claims.csv, claims_transactions.csv and payers.csv in $ROOT/../shared/data/synthea and /work/shared/data/synthea)"
	exit 1
fi
echo "ok - Synthea sample found in $DATA"
[ -x "$LOAD" ] && [ -r "$MAP" ]
report $? "the loader and loader/maps/synthea_claims.map exist"

createdb "$DB" && psql -qX -d "$DB" -c "CREATE EXTENSION costmodel" >/dev/null
report $? "created database $DB with the extension"

"$LOAD" -d "$DB" csv --source claims --map "$MAP" "$DATA/claims.csv" >"$WORK/out" 2>&1
rc=$?
[ $rc -eq 0 ]
report $? "costmodel-load csv --map synthea_claims.map claims.csv exits 0 (exit $rc)"

# the figures, from the files, independently
python3 - "$DATA" >"$WORK/expected" <<'PY'
import csv, sys
from decimal import Decimal
d = sys.argv[1]
def rows(name):
    return list(csv.DictReader(open(d + '/' + name, newline='', encoding='utf-8')))
payers = {r['Id']: r['NAME'] for r in rows('payers.csv')}
classes = {r['Id']: r['ENCOUNTERCLASS'] for r in rows('encounters.csv')}
charge, paid = {}, {}
for t in rows('claims_transactions.csv'):
    if t['TYPE'] == 'CHARGE':
        charge[t['CLAIMID']] = charge.get(t['CLAIMID'], Decimal(0)) + Decimal(t['AMOUNT'])
    elif t['TYPE'] == 'PAYMENT':
        paid[t['CLAIMID']] = paid.get(t['CLAIMID'], Decimal(0)) + Decimal(t['PAYMENTS'])
claims = rows('claims.csv')
total_c = sum(charge.get(c['Id'], Decimal(0)) for c in claims)
total_p = sum(paid.get(c['Id'], Decimal(0)) for c in claims)
print('claims %d billed %s paid %s' % (len(claims), total_c, total_p))
per = {}
for c in claims:
    name = payers.get(c['PRIMARYPATIENTINSURANCEID'], '(none)')
    n, b, p = per.get(name, (0, Decimal(0), Decimal(0)))
    per[name] = (n + 1, b + charge.get(c['Id'], Decimal(0)), p + paid.get(c['Id'], Decimal(0)))
for name in sorted(per):
    n, b, p = per[name]
    print('payer %s: %d %s %s' % (name, n, b, p))
types = {}
for c in claims:
    t = 'preventive' if classes[c['APPOINTMENTID']] == 'wellness' else 'medical'
    types[t] = types.get(t, 0) + 1
print('types ' + ' '.join('%s=%d' % kv for kv in sorted(types.items())))
st = {}
for c in claims:
    s = {'CLOSED': 'paid', 'BILLED': 'submitted'}[c['STATUS1']]
    st[s] = st.get(s, 0) + 1
print('status ' + ' '.join('%s=%d' % kv for kv in sorted(st.items())))
print('members %d' % len({c['PATIENTID'] for c in claims}))
PY
report $? "computed the expected figures from the CSV files with python"

q "SELECT 'claims ' || count(*) || ' billed ' || sum(claim_amount) || ' paid ' || sum(paid_amount)
     FROM costmodel.claims" >"$WORK/got"
q "SELECT 'payer ' || coalesce(payer, '(none)') || ': ' || count(*) || ' ' || sum(claim_amount) || ' ' || sum(paid_amount)
     FROM costmodel.claims GROUP BY payer ORDER BY coalesce(payer, '(none)') COLLATE \"C\"" >>"$WORK/got"
q "SELECT 'types ' || string_agg(claim_type || '=' || n, ' ' ORDER BY claim_type COLLATE \"C\")
     FROM (SELECT claim_type, count(*) AS n FROM costmodel.claims GROUP BY 1) t" >>"$WORK/got"
q "SELECT 'status ' || string_agg(status || '=' || n, ' ' ORDER BY status COLLATE \"C\")
     FROM (SELECT status, count(*) AS n FROM costmodel.claims GROUP BY 1) t" >>"$WORK/got"
q "SELECT 'members ' || count(DISTINCT member_id) FROM costmodel.claims" >>"$WORK/got"

sed -n 1p "$WORK/expected" >"$WORK/e1"
sed -n 1p "$WORK/got" >"$WORK/g1"
diff "$WORK/e1" "$WORK/g1"
report $? "claim count, total billed (sum of CHARGE) and total paid (sum of PAYMENT) equal python's: $(cat "$WORK/g1")"
grep '^payer ' "$WORK/expected" >"$WORK/e2"
grep '^payer ' "$WORK/got" >"$WORK/g2"
diff "$WORK/e2" "$WORK/g2"
report $? "per payer (name from payers.csv): claims, billed and paid equal python's ($(wc -l <"$WORK/g2") payers)"
grep -E '^(types|status|members) ' "$WORK/expected" >"$WORK/e3"
grep -E '^(types|status|members) ' "$WORK/got" >"$WORK/g3"
diff "$WORK/e3" "$WORK/g3"
report $? "claim types (encounter class), statuses (STATUS1) and members equal python's"

got=$(q "SELECT status || ' ' || rows_read || ' ' || rows_loaded || ' ' || rows_rejected || ' ' ||
                (rows_read = rows_loaded + rows_updated + rows_duplicate + rows_rejected)
           FROM costmodel.load_log")
n=$(python3 -c "import csv; print(sum(1 for _ in csv.DictReader(open('$DATA/claims.csv'))))")
[ "$got" = "loaded $n $n 0 true" ]
report $? "load_log: every one of the $n claims read and loaded, none rejected"
[ "$(q "SELECT count(*) FROM costmodel.claims WHERE source_system = 'synthea' AND procedure_code IS NOT NULL AND diagnosis_code IS NOT NULL AND service_date IS NOT NULL")" = "$n" ]
report $? "every claim has its procedure (first CHARGE), diagnosis and service date"

"$LOAD" -d "$DB" csv --source claims --map "$MAP" "$DATA/claims.csv" >"$WORK/out2" 2>&1
grep -q "read $n, loaded 0, updated 0, duplicates $n, rejected 0" "$WORK/out2"
report $? "a reload adds nothing: $n duplicates"

exit $failed
