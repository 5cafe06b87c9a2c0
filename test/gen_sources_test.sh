#!/usr/bin/env bash
#
# gen_sources_test.sh
#    Tests "costmodel-gen experience | cases | claims": the command line,
#    determinism, file and row counts, that the canonical CSVs load with
#    plain psql \copy into the costmodel tables, the planted correlations
#    (repeat and negative call shares, digital-to-call leakage, top topics,
#    slow and escalating prior-auth / claim-denial cases, missing documents,
#    handoffs against CSAT, advocates over capacity), the dimension refresh
#    over the loaded data, and that each billing layout differs as
#    documented in docs/sources.md and claims_manifest.csv accounts for
#    every bad row.
#
# Needs: COSTMODEL_GEN (default ./costmodel-gen), PGHOST/PGPORT/PGUSER of a
# running server where CREATE EXTENSION costmodel works, createdb/dropdb/
# psql, cmp and python3.  Makes its own database cm_gen_sources_$$ and drops
# it.  Prints "ok - ..." / "not ok - ..." per check; exits non-zero if any
# check failed.
set -u

GEN=${COSTMODEL_GEN:-./costmodel-gen}
case $GEN in /*) ;; *) GEN=$PWD/$GEN ;; esac
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gen_sources_test.XXXXXX")
DB=cm_gen_sources_$$
MEMBERS=8000
SEED=20250101
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

# Check that query $1 returns true; $2 says what, with the value of query $3 if given.
sql_check() {
	local got detail=""
	got=$(q "$1" 2>&1)
	[ -n "${3:-}" ] && detail=" ($(q "$3" 2>&1 | tr '\n' ' ' | sed 's/ $//'))"
	[ "$got" = t ]
	report $? "$2$detail"
}

if [ ! -x "$GEN" ]; then
	echo "not ok - binary $GEN exists (set COSTMODEL_GEN)"
	exit 1
fi

# --- command line -------------------------------------------------------------
"$GEN" --help | grep -q "experience" && "$GEN" --help | grep -q "cases" &&
	"$GEN" --help | grep -q "claims"
report $? "--help lists experience, cases and claims"

# Run the binary and check that it exits with status $1 and says why.
expect_exit() {
	local want=$1
	shift
	"$GEN" "$@" >/dev/null 2>"$WORK/err"
	[ $? -eq "$want" ] && [ -s "$WORK/err" ]
}
expect_exit 64 experience --seed 1 --output-dir "$WORK/x"
report $? "experience without --members or --calls exits 64"
expect_exit 64 cases --seed 1 --output-dir "$WORK/x"
report $? "cases without --members exits 64"
expect_exit 64 claims --members 0 --seed 1 --output-dir "$WORK/x"
report $? "--members 0 exits 64"
expect_exit 64 experience --calls many --seed 1
report $? "a non-numeric --calls exits 64"
expect_exit 64 cases --calls 10 --members 10 --seed 1
report $? "cases does not take --calls (64)"
expect_exit 64 experience --members 10 --seed 1 --output "$WORK/f"
report $? "experience does not take --output (64)"
expect_exit 64 traces --count 1 --seed 1 --output-dir "$WORK/x"
report $? "traces does not take --output-dir (64)"
: >"$WORK/afile"
expect_exit 73 claims --members 10 --seed 1 --output-dir "$WORK/afile/sub"
report $? "an output directory that cannot be made exits 73"

# --- determinism and counts ---------------------------------------------------
gen_all() { # $1 dir, $2 seed
	"$GEN" experience --members $MEMBERS --seed "$2" --start 2025-01-01 --days 90 --output-dir "$1/exp" &&
		"$GEN" cases --members $MEMBERS --seed "$2" --start 2025-01-01 --days 90 --output-dir "$1/cases" &&
		"$GEN" claims --members $MEMBERS --seed "$2" --start 2025-01-01 --days 90 --output-dir "$1/claims"
}
gen_all "$WORK/a" $SEED
report $? "experience, cases and claims run (seed $SEED, $MEMBERS members, 90 days)"
gen_all "$WORK/b" $SEED
same=0
for f in "$WORK"/a/*/*; do
	cmp -s "$f" "$WORK/b/${f#"$WORK"/a/}" || { same=1; echo "# differs: ${f#"$WORK"/a/}"; }
done
report $same "the same seed gives byte-identical files ($(ls "$WORK"/a/*/* | wc -l) files)"
"$GEN" experience --members $MEMBERS --seed $((SEED + 1)) --output-dir "$WORK/c" &&
	! cmp -s "$WORK/a/exp/calls.csv" "$WORK/c/calls.csv"
report $? "a different seed gives different calls"

want="members.csv calls.csv digital_interactions.csv surveys.csv pharmacy_fills.csv enrollments.csv claims.csv advocates.csv cases.csv case_events.csv case_interactions.csv case_feedback.csv billing_alpha.csv billing_bravo.csv billing_charlie.tsv billing_delta.psv claims_manifest.csv claims_summary.csv"
missing=""
for f in $want; do
	[ -s "$WORK"/a/*/"$f" ] || missing="$missing $f"
done
[ -z "$missing" ]
report $? "every documented file is written${missing:+ (missing:$missing)}"

[ "$(($(wc -l <"$WORK/a/exp/members.csv") - 1))" -eq $MEMBERS ]
report $? "members.csv has --members rows"
"$GEN" experience --calls 12345 --members 5000 --seed 3 --output-dir "$WORK/d" &&
	[ "$(($(wc -l <"$WORK/d/calls.csv") - 1))" -eq 12345 ]
report $? "--calls 12345 writes exactly 12345 calls"
"$GEN" experience --calls 0 --members 10 --seed 3 --output-dir "$WORK/e" &&
	[ "$(wc -l <"$WORK/e/calls.csv")" -eq 1 ]
report $? "--calls 0 writes only the header"

# member ids everywhere come from the same pool
python3 - "$WORK/a" <<'PY'
import csv, sys
d = sys.argv[1]
members = {r["member_id"] for r in csv.DictReader(open(f"{d}/exp/members.csv", newline=""))}
bad = 0
for f, col, delim in [("cases/cases.csv", "member_id", ","), ("exp/calls.csv", "member_id", ","),
                      ("claims/billing_charlie.tsv", "MemberID", "\t")]:
    for r in csv.DictReader(open(f"{d}/{f}", newline="", encoding="utf-8-sig"), delimiter=delim):
        if r[col] and r[col] not in members:
            bad += 1
print(("ok - " if bad == 0 else "not ok - ") +
      f"cases, calls and billing claims name only members of members.csv ({bad} strangers)")
sys.exit(bad != 0)
PY
[ $? -eq 0 ] || failed=1

# --- the canonical CSVs load into the tables ------------------------------------
createdb "$DB" && psql -qX -d "$DB" -c "CREATE EXTENSION costmodel" >/dev/null
report $? "scratch database with the extension"

load_ok=0
for t in members calls digital_interactions surveys pharmacy_fills enrollments claims \
	advocates cases case_events case_interactions case_feedback; do
	f=$(ls "$WORK"/a/*/"$t.csv")
	cols=$(head -n 1 "$f")
	psql -qX -v ON_ERROR_STOP=1 -d "$DB" \
		-c "\\copy costmodel.$t ($cols) FROM '$f' WITH (FORMAT csv, HEADER true)" >"$WORK/copy.out" 2>&1 ||
		{ load_ok=1; echo "# $t: $(cat "$WORK/copy.out")"; }
done
report $load_ok "every canonical CSV loads with \\copy (header names = column names)"

# rows in the tables = records in the files (python's csv reader, quoted newlines included)
counts=$(python3 - "$WORK/a" <<'PY'
import csv, glob, os, sys
for f in sorted(glob.glob(sys.argv[1] + "/exp/*.csv") + glob.glob(sys.argv[1] + "/cases/*.csv")):
    n = sum(1 for _ in csv.reader(open(f, newline=""))) - 1
    print(f"{os.path.basename(f)[:-4]}={n}")
PY
)
bad_counts=""
for kv in $counts; do
	t=${kv%%=*}
	n=${kv#*=}
	got=$(q "SELECT count(*) FROM costmodel.$t")
	[ "$got" = "$n" ] || bad_counts="$bad_counts $t:$got/$n"
done
[ -z "$bad_counts" ]
report $? "row counts in the tables equal the records in the files${bad_counts:+ (got/want:$bad_counts)}"

sql_check "SELECT count(*) = count(*) FILTER (WHERE handoff_count IS NOT NULL AND complexity IS NOT NULL
                                                AND intake_source IS NOT NULL) FROM costmodel.cases" \
	"the cases trigger parsed every metadata JSON into columns"
sql_check "SELECT bool_and(missing_doc_count = jsonb_array_length(metadata->'missing_docs')
                    AND barrier_count = jsonb_array_length(metadata->'barriers')) FROM costmodel.cases" \
	"parsed list counts equal the JSON array lengths"
sql_check "SELECT count(*) > 0 FROM costmodel.surveys WHERE feedback_text LIKE '%' || chr(10) || '%'" \
	"a quoted feedback text with a newline survives the load"

# --- planted correlations -----------------------------------------------------
REPEAT="WITH c AS (SELECT called_at - lag(called_at) OVER (PARTITION BY member_id ORDER BY called_at) AS gap
                   FROM costmodel.calls)
        SELECT round(100.0 * avg(coalesce(gap <= interval '7 days', false)::int), 2) FROM c"
sql_check "SELECT abs(($REPEAT) - 23.5) <= 2" "repeat calls within 7 days are 23.5% +- 2 of calls" "$REPEAT"
NEG="SELECT round(100.0 * avg((sentiment = 'negative')::int), 2) FROM costmodel.calls"
sql_check "SELECT abs(($NEG) - 32.6) <= 2" "negative calls are 32.6% +- 2 of calls" "$NEG"
TOP="SELECT string_agg(call_topic, ',' ORDER BY n DESC) FROM (SELECT call_topic, count(*) n FROM costmodel.calls
      GROUP BY 1 ORDER BY 2 DESC LIMIT 2) t"
sql_check "SELECT ($TOP) IN ('Pharmacy,Billing', 'Billing,Pharmacy')" "Pharmacy and Billing are the top topics" "$TOP"
LEAK="SELECT d.outcome, round(100.0 * avg((EXISTS (SELECT 1 FROM costmodel.calls c
               WHERE c.member_id = d.member_id AND c.called_at > d.interacted_at
                 AND c.called_at <= d.interacted_at + interval '24 hours'
                 AND c.call_topic = CASE d.interaction_type WHEN 'bill_pay' THEN 'Billing' ELSE 'ID Card' END))::int), 1) AS pct
      FROM costmodel.digital_interactions d
      WHERE d.interaction_type IN ('bill_pay', 'id_card') AND d.outcome IN ('failure', 'success') GROUP BY 1"
sql_check "SELECT max(pct) FILTER (WHERE outcome = 'failure') >= 25
              AND max(pct) FILTER (WHERE outcome = 'failure') >= 10 * max(pct) FILTER (WHERE outcome = 'success')
           FROM ($LEAK) l" \
	"failed bill_pay / id_card attempts are often followed by a matching call within 24 h (% followed: failure vs success)" \
	"SELECT string_agg(outcome || ' ' || pct, ', ') FROM ($LEAK) l"

DAYS="SELECT case_type, avg(extract(epoch FROM resolved_at - opened_at)) / 86400 AS days,
             avg((EXISTS (SELECT 1 FROM costmodel.case_events e WHERE e.case_id = c.case_id
                           AND e.event_type = 'escalated'))::int) AS esc
      FROM costmodel.cases c GROUP BY 1"
sql_check "SELECT min(days) FILTER (WHERE case_type IN ('prior_auth', 'claim_denial'))
                > max(days) FILTER (WHERE case_type NOT IN ('prior_auth', 'claim_denial'))
              AND min(esc) FILTER (WHERE case_type IN ('prior_auth', 'claim_denial'))
                > max(esc) FILTER (WHERE case_type NOT IN ('prior_auth', 'claim_denial'))
           FROM ($DAYS) d" \
	"prior_auth and claim_denial cases take longer and escalate more than every other type" \
	"SELECT string_agg(case_type || ' ' || round(days::numeric, 1) || 'd ' || round(100 * esc::numeric) || '%', ', ' ORDER BY days DESC) FROM ($DAYS) d"
MISS="SELECT least(missing_doc_count, 1) AS missing, avg(extract(epoch FROM resolved_at - opened_at)) / 86400 AS days
      FROM costmodel.cases WHERE resolved_at IS NOT NULL GROUP BY 1"
sql_check "SELECT max(days) FILTER (WHERE missing = 1) > 1.3 * max(days) FILTER (WHERE missing = 0) FROM ($MISS) m" \
	"cases with missing documents take over 30% longer to resolve" \
	"SELECT string_agg(missing || ': ' || round(days::numeric, 1) || 'd', ', ' ORDER BY missing) FROM ($MISS) m"
CORR="SELECT round(corr(c.handoff_count, f.csat)::numeric, 3) FROM costmodel.cases c JOIN costmodel.case_feedback f USING (case_id)"
sql_check "SELECT ($CORR) < -0.2" "more handoffs, lower CSAT (correlation < -0.2)" "$CORR"
OVER="SELECT count(*) FROM (SELECT a.advocate_id FROM costmodel.advocates a
        JOIN costmodel.cases c ON c.advocate_id = a.advocate_id AND c.status NOT IN ('resolved', 'closed')
        GROUP BY a.advocate_id, a.capacity HAVING count(*) > a.capacity) o"
sql_check "SELECT ($OVER) BETWEEN 1 AND (SELECT count(*) - 1 FROM costmodel.advocates)" \
	"some (not all) advocates carry more active cases than their capacity" "$OVER"
sql_check "SELECT count(*) = 0 FROM costmodel.calls WHERE called_at < '2025-01-01' OR called_at >= '2025-04-01'" \
	"every call lies in the --start/--days range"

# --- dimensions over the loaded data --------------------------------------------
q "SELECT * FROM costmodel.refresh_dims('2025-04-01 00:00+00')" >/dev/null
report $? "refresh_dims() runs over the loaded data"
sql_check "SELECT (SELECT count(*) FROM costmodel.dim_member) = (SELECT count(*) FROM costmodel.members)
              AND (SELECT count(*) FROM costmodel.dim_member WHERE is_current) = (SELECT count(*) FROM costmodel.members)" \
	"dim_member: one current version per member after the first refresh"
sql_check "SELECT (SELECT count(*) FROM costmodel.dim_provider)
                = (SELECT count(DISTINCT provider_id) FROM costmodel.claims)
              AND (SELECT count(*) FROM costmodel.dim_payer) = (SELECT count(DISTINCT payer) FROM costmodel.claims)
              AND (SELECT count(*) FROM costmodel.dim_location) = (SELECT count(DISTINCT location) FROM costmodel.claims)" \
	"dim_provider, dim_payer and dim_location hold every distinct claims key"
sql_check "SELECT count(*) = 0 FROM (SELECT DISTINCT procedure_code FROM costmodel.claims) c
            WHERE NOT EXISTS (SELECT 1 FROM costmodel.dim_service s WHERE s.service_code = c.procedure_code
                               AND s.code_system <> 'unknown')" \
	"dim_service knows the code system of every claims procedure code"
q "UPDATE costmodel.members SET segment = CASE segment WHEN 'At Risk' THEN 'High Value' ELSE 'At Risk' END
   WHERE member_id = 'M0000001'" >/dev/null
q "SELECT * FROM costmodel.refresh_dim_member('2025-04-02 00:00+00')" >/dev/null
sql_check "SELECT count(*) = 2 AND count(*) FILTER (WHERE is_current) = 1 FROM costmodel.dim_member WHERE member_id = 'M0000001'" \
	"a changed segment opens a second dim_member version"

# --- billing layouts and the manifest ---------------------------------------------
python3 - "$WORK/a/claims" <<'PY'
import csv, io, re, sys
from datetime import date

d = sys.argv[1]
failures = 0


def check(ok, what):
    global failures
    failures += not ok
    print(("ok - " if ok else "not ok - ") + what)


def valid_date(y, m, dd):
    try:
        date(y, m, dd)
        return True
    except ValueError:
        return False


def iso_date(s):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", s)
    return bool(m) and valid_date(int(m[1]), int(m[2]), int(m[3]))


def us_date(s):
    m = re.fullmatch(r"(\d\d)/(\d\d)/(\d{4})", s)
    return bool(m) and valid_date(int(m[3]), int(m[1]), int(m[2]))


def compact_date(s):
    m = re.fullmatch(r"(\d{4})(\d\d)(\d\d)", s)
    return bool(m) and valid_date(int(m[1]), int(m[2]), int(m[3]))


L = {
    "billing_alpha.csv": dict(delim=",", bom=False, crlf=False, id="Claim_ID", member="Member_ID",
                              amount="Claim_amnt", date="Service_Date", status="Status",
                              datefn=iso_date, money=r"\d+\.\d\d", approved="APPROVED",
                              statuses={"SUBMITTED", "PENDING", "APPROVED", "PAID", "PARTIALLY_PAID",
                                        "DENIED", "ADJUSTED", "VOIDED"}),
    "billing_bravo.csv": dict(delim=";", bom=True, crlf=True, id="claim id", member="member id",
                              amount="claim amount", date="date of service", status="claim status",
                              datefn=us_date, money=r"\d{1,3}(\.\d{3})*,\d\d", approved="Approved",
                              statuses={"Submitted", "Pending", "Approved", "Paid", "Partially Paid",
                                        "Denied", "Adjusted", "Voided"}),
    "billing_charlie.tsv": dict(delim="\t", bom=False, crlf=False, id="ClaimID", member="MemberID",
                                amount="BilledAmt", date="ServiceDate", status="StatusCode",
                                datefn=compact_date, money=r"\$\d{1,3}(,\d{3})*\.\d\d", approved="A",
                                statuses={"S", "P", "A", "PD", "PP", "D", "AJ", "V"}),
    "billing_delta.psv": dict(delim="|", bom=False, crlf=False, id="Claim Number", member="Member",
                              amount="Charge", date="DOS", status="Status",
                              datefn=us_date, money=r"\d{1,3}(,\d{3})*\.\d\d", approved="approved",
                              statuses={"submitted", "pending", "approved", "paid", "partially paid",
                                        "denied", "adjusted", "void"}),
}

manifest = {}
for r in csv.DictReader(open(f"{d}/claims_manifest.csv", newline="")):
    manifest[(r["file"], int(r["line"]))] = r
summary = {r["file"]: r for r in csv.DictReader(open(f"{d}/claims_summary.csv", newline=""))}
check(len(L) >= 3 and set(summary) == set(L), f"claims writes {len(L)} layouts, all in claims_summary.csv")
check(len({l["delim"] for l in L.values()}) == 4, "the layouts use four delimiters: comma, semicolon, tab, pipe")
check(len({l["id"] for l in L.values()}) == 4, "the layouts spell the claim id header four ways")

all_ids = {}
for fname, l in L.items():
    raw = open(f"{d}/{fname}", "rb").read()
    check(raw.startswith(b"\xef\xbb\xbf") == l["bom"], f"{fname}: UTF-8 BOM {'present' if l['bom'] else 'absent'}")
    lines = raw.split(b"\n")[:-1]
    crlf = all(x.endswith(b"\r") for x in lines)
    lf = not any(x.endswith(b"\r") for x in lines)
    check(crlf if l["crlf"] else lf, f"{fname}: {'CRLF' if l['crlf'] else 'LF'} line ends on every line")
    text = raw.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=l["delim"]))
    check(l["id"] in rows[0] and l["amount"] in rows[0],
          f"{fname}: header spells {l['id']!r} and {l['amount']!r}")
    s = summary[fname]
    check(int(s["data_rows"]) == len(rows), f"{fname}: summary data_rows {s['data_rows']} = {len(rows)} rows")
    bad = unexplained = wrong = 0
    seen_status = set()
    for i, r in enumerate(rows):
        line = i + 2
        problems = []
        if not r[l["id"]]:
            problems.append(("missing_claim_id", l["id"], ""))
        if not r[l["member"]]:
            problems.append(("missing_member_id", l["member"], ""))
        if not re.fullmatch(l["money"], r[l["amount"]]):
            problems.append(("bad_amount", l["amount"], r[l["amount"]]))
        if not l["datefn"](r[l["date"]]):
            problems.append(("bad_date", l["date"], r[l["date"]]))
        if r[l["status"]] not in l["statuses"]:
            problems.append(("bad_status", l["status"], r[l["status"]]))
        seen_status.add(r[l["status"]])
        m = manifest.get((fname, line))
        if problems:
            bad += 1
            if m is None:
                unexplained += 1
            elif len(problems) != 1 or (m["kind"], m["column"], m["raw_value"]) != problems[0]:
                wrong += 1
        elif m is not None and m["kind"] != "reexport":
            wrong += 1
        if r[l["id"]] and not problems:
            all_ids.setdefault(r[l["id"]], []).append((fname, line))
    check(unexplained == 0 and wrong == 0 and bad == int(s["bad_rows"]) == 6,
          f"{fname}: the manifest names each of its {bad} bad rows with kind, column and value; the rest parse")
    check(l["approved"] in seen_status, f"{fname}: statuses spelled like {l['approved']!r}")

kinds = {}
for (f, line), m in manifest.items():
    kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
check(kinds.get("bad_amount") == 8 and kinds.get("bad_date") == 8 and kinds.get("missing_claim_id") == 4
      and kinds.get("missing_member_id") == 4,
      f"manifest: 2 bad amounts, 2 bad dates, 1 missing claim id, 1 missing member id per file ({kinds})")
dups = {k: v for k, v in all_ids.items() if len(v) > 1}
reexports = sum(1 for m in manifest.values() if m["kind"] == "reexport")
check(reexports >= 1 and len(dups) == reexports
      and all(v[0][0] == "billing_alpha.csv" and v[1][0] == "billing_delta.psv" for v in dups.values()),
      f"the only repeated claim ids are the {reexports} manifest re-exports (alpha, again in delta)")
sys.exit(failures != 0)
PY
[ $? -eq 0 ] || failed=1

# the billing rows, once cleaned, fit the claims table: alpha loads as is into a
# staging table and converts with plain casts
psql -qX -v ON_ERROR_STOP=1 -d "$DB" >/dev/null 2>"$WORK/alpha.err" <<SQL
CREATE TEMP TABLE alpha (claim_id text, member_id text, provider_id text, payer text, procedure_code text,
  diagnosis_code text, service_date text, claim_type text, claim_amount text, paid_amount text, status text,
  denial_reason text, adjudicated_at text, location text, place_of_service text);
\\copy alpha FROM '$WORK/a/claims/billing_alpha.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO costmodel.claims (claim_id, member_id, provider_id, payer, procedure_code, diagnosis_code,
  service_date, claim_type, claim_amount, paid_amount, status, denial_reason, adjudicated_at, location,
  place_of_service, source_system, source_status)
SELECT claim_id, member_id, provider_id, payer, procedure_code, diagnosis_code, service_date::date,
  lower(claim_type), claim_amount::numeric, nullif(paid_amount, '')::numeric, lower(status),
  nullif(denial_reason, ''), nullif(adjudicated_at, '')::timestamptz, location, place_of_service,
  'billing_alpha', status
FROM alpha
WHERE claim_id <> '' AND member_id <> '' AND claim_amount ~ '^[0-9]+\.[0-9]{2}$'
  AND service_date ~ '^\d{4}-\d\d-\d\d$' AND service_date NOT LIKE '%-02-30' AND service_date NOT LIKE '%-13-%';
SQL
report $? "billing_alpha's good rows fit the claims table$( [ -s "$WORK/alpha.err" ] && echo " ($(head -c 300 "$WORK/alpha.err"))")"

exit $failed
