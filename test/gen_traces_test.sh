#!/usr/bin/env bash
#
# gen_traces_test.sh
#    Tests "costmodel-gen traces": determinism, line counts, JSON validity,
#    the rates of duplicate and malformed lines, the planted exception
#    patterns (0337U rate-not-found, the network 00248 provider-not-found
#    spike), every messy form, and the --clean mode.
#
# Run from the repository root.  COSTMODEL_GEN names the binary (default
# ./costmodel-gen).  Prints "ok - ..." or "not ok - ..." per check and exits
# non-zero if any check failed.  Needs bash, cmp, gzip and python3.
set -u

GEN=${COSTMODEL_GEN:-./costmodel-gen}
N=20000
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gen_traces_test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failed=0

# Print one check's outcome; $1 is 0 for success.
report() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
	else
		echo "not ok - $2"
		failed=1
	fi
}

if [ ! -x "$GEN" ]; then
	echo "not ok - binary $GEN exists (set COSTMODEL_GEN)"
	exit 1
fi

# --- command line ---------------------------------------------------------
[ "$("$GEN" --version)" = "costmodel-gen 0.1" ]
report $? "--version prints \"costmodel-gen 0.1\""

"$GEN" --help | grep -q "traces"
report $? "--help lists the traces subcommand"

# Run the binary and check that it exits with status 64 and says why.
expect_usage() {
	"$GEN" "$@" >/dev/null 2>"$WORK/err"
	[ $? -eq 64 ] && [ -s "$WORK/err" ]
}
expect_usage traces --seed 1
report $? "missing --count exits 64 with a message"
expect_usage traces --count 10 --seed 1 --start 2025-02-30
report $? "an impossible --start date exits 64"
expect_usage traces --count ten --seed 1
report $? "a non-numeric --count exits 64"
expect_usage traces --count 10 --seed 1 --bogus
report $? "an unknown option exits 64"
expect_usage frobnicate
report $? "an unknown subcommand exits 64"

# --- determinism and counts --------------------------------------------------
"$GEN" traces --count $N --seed 42 >"$WORK/a.ndjson"
report $? "generates $N traces (seed 42)"
"$GEN" traces --count $N --seed 42 --output "$WORK/b.ndjson"
cmp -s "$WORK/a.ndjson" "$WORK/b.ndjson"
report $? "same seed gives byte-identical output (stdout vs --output)"
"$GEN" traces --count 2000 --seed 43 >"$WORK/c.ndjson"
! head -n 2000 "$WORK/a.ndjson" | cmp -s - "$WORK/c.ndjson"
report $? "a different seed gives different output"
"$GEN" traces --count 2000 --seed 42 --output "$WORK/a.ndjson.gz" &&
	"$GEN" traces --count 2000 --seed 42 | cmp -s - <(gzip -dc "$WORK/a.ndjson.gz")
report $? "--output FILE.gz writes gzip with the same content"
"$GEN" traces --count 0 --seed 1 | cmp -s - /dev/null
report $? "--count 0 writes nothing"

[ "$(wc -l <"$WORK/a.ndjson")" -eq $N ]
report $? "line count equals --count ($N)"
[ "$(tail -c 1 "$WORK/a.ndjson" | od -An -c | tr -d ' ')" = '\n' ]
report $? "output ends with a newline"

"$GEN" traces --count $N --seed 42 --clean --start 2024-11-15 --days 30 >"$WORK/clean.ndjson"
[ "$(wc -l <"$WORK/clean.ndjson")" -eq $N ]
report $? "--clean line count equals --count"

start=$(date +%s%N)
"$GEN" traces --count 100000 --seed 5 >/dev/null
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed_ms" -lt 5000 ]
report $? "100000 traces in under 5 s (${elapsed_ms} ms)"

# --- content checks (one python pass over each file) -------------------------
python3 - "$WORK/a.ndjson" "$WORK/clean.ndjson" <<'PY' || failed=1
import gc
import json
import os
import re
import sys
from collections import Counter
from decimal import Decimal

gc.disable()  # tens of thousands of live documents: the cyclic GC only slows parsing

messy_path, clean_path = sys.argv[1], sys.argv[2]
failures = 0


def check(ok, what):
    global failures
    failures += not ok
    print(("ok - " if ok else "not ok - ") + what)


def as_list(v):
    """A list as is; a lone object or string as a one-element list."""
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def exc_code(e):
    """Canonical code of an exception given as an object or a bare string."""
    t = e if isinstance(e, str) else (e.get("code") or e.get("type") or "")
    return re.sub(r"[^a-z]", "", t.lower())


def is_trace(d):
    return (isinstance(d, dict) and "trace_id" in d
            and isinstance(d.get("request"), dict)
            and "services" in d["request"])


MONEY = {"billed_amount", "allowed_amount", "in_network_estimate",
         "out_of_network_estimate", "plan_pays", "total", "copay",
         "coinsurance", "deductible", "limit", "met", "adjustment_amount"}
TS = {"received_at", "responded_at"}
BOOL = {"covered", "prior_auth_required"}
EXPECTED = ['amount as "40.00"', 'amount as "$1,234.50"', 'amount as "(12.00)"',
            'amount as ""', 'amount as "N/A"', 'rate as "40%"', "rate as 40",
            "rate as 0.4", 'boolean as "true"/"false"', 'boolean as "Y"/"N"',
            'boolean as "yes"/"no"', "boolean as 1/0",
            "timestamp as epoch milliseconds", "timestamp with an offset",
            "timestamp as a date only", "timestamp as MM/DD/YYYY",
            "network_status innetwork", "network_status INN",
            "network_status In-Network", "network_status out-of-network",
            "network_status OON", "network_status OutOfNetwork",
            "network_status absent", "providers as a single object",
            "exceptions as a single object", "exception as a bare string",
            "exception type as CODE_NAME", "exception type in lower case",
            "exception type in Title Case", 'status_code as "200"',
            "extra key debug", "extra key x_trace_flags", "response null",
            "response key absent", "non-ASCII text in a message"]
HOOK_FORMS = set(EXPECTED) - {"response null", "response key absent"}
found = set()


def messy_hook(obj):
    """json object_hook: records the messy forms among obj's members."""
    for k, v in obj.items():
        if k in MONEY:
            if isinstance(v, str):
                if re.fullmatch(r"\d+\.\d\d", v):
                    found.add('amount as "40.00"')
                elif re.fullmatch(r"\$\d{1,3}(,\d{3})+\.\d\d", v):
                    found.add('amount as "$1,234.50"')
                elif re.fullmatch(r"\(\d+\.\d\d\)", v):
                    found.add('amount as "(12.00)"')
                elif v == "":
                    found.add('amount as ""')
                elif v == "N/A":
                    found.add('amount as "N/A"')
        elif k == "coinsurance_rate" and v is not None:
            if isinstance(v, str) and v.endswith("%"):
                found.add('rate as "40%"')
            elif isinstance(v, int) and v > 1:
                found.add("rate as 40")
            elif isinstance(v, Decimal) and len(str(v)) == 3:
                found.add("rate as 0.4")
        elif k in BOOL:
            if v in ("true", "false"):
                found.add('boolean as "true"/"false"')
            elif v in ("Y", "N"):
                found.add('boolean as "Y"/"N"')
            elif v in ("yes", "no"):
                found.add('boolean as "yes"/"no"')
            elif type(v) is int:
                found.add("boolean as 1/0")
        elif k in TS:
            if isinstance(v, int):
                found.add("timestamp as epoch milliseconds")
            elif re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d", v):
                found.add("timestamp with an offset")
            elif re.fullmatch(r"\d{4}-\d\d-\d\d", v):
                found.add("timestamp as a date only")
            elif re.fullmatch(r"\d\d/\d\d/\d{4}", v):
                found.add("timestamp as MM/DD/YYYY")
        elif k == "network_status":
            if v not in ("in_network", "out_of_network", None):
                found.add(f"network_status {v}")
        elif k == "coverage":
            if isinstance(v, dict) and "network_status" not in v:
                found.add("network_status absent")
        elif k == "providers":
            if isinstance(v, dict):
                found.add("providers as a single object")
        elif k == "exceptions":
            if isinstance(v, dict):
                found.add("exceptions as a single object")
            elif any(isinstance(x, str) for x in v):
                found.add("exception as a bare string")
        elif k == "type" and "severity" in obj:
            if v.isupper() and "_" in v:
                found.add("exception type as CODE_NAME")
            elif v.islower():
                found.add("exception type in lower case")
            elif v.istitle() and " " in v:
                found.add("exception type in Title Case")
        elif k == "message":
            if any(ord(c) > 127 for c in v):
                found.add("non-ASCII text in a message")
        elif k == "status_code":
            if isinstance(v, str):
                found.add('status_code as "200"')
        elif k in ("debug", "x_trace_flags"):
            found.add(f"extra key {k}")
    return obj


# ---- the messy file ----
with open(messy_path, "rb") as f:
    raw = f.read()
lines = raw.split(b"\n")[:-1]
n = len(lines)
try:
    raw.decode("utf-8")
    utf8_ok = True
except UnicodeDecodeError:
    utf8_ok = False
check(utf8_ok, "messy output is valid UTF-8")
check(all(b"\r" not in l and b"\x00" not in l for l in lines),
      "no stray control characters in lines")

seen = {}
dups = dup_far = unparseable = malformed = 0
docs = []
for i, l in enumerate(lines):
    if l in seen:
        dups += 1
        dup_far += i - seen[l] > 250
        continue
    seen[l] = i
    # inspect every member only until every messy form has been seen
    hook = messy_hook if HOOK_FORMS - found else None
    try:
        d = json.loads(l, parse_float=Decimal, object_hook=hook)
    except ValueError:
        unparseable += 1
        malformed += 1
        continue
    if not is_trace(d):
        malformed += 1
        continue
    docs.append(d)
    if "response" not in d:
        found.add("response key absent")
    elif d["response"] is None:
        found.add("response null")

check(unparseable <= 0.003 * n,
      f"every line except the planted malformed ones is JSON ({unparseable} unparseable)")
check(0.0002 * n <= malformed <= 0.003 * n,
      f"malformed line rate is plausible ({malformed} of {n}, expect ~0.1%)")
check(0.005 * n <= dups <= 0.016 * n,
      f"duplicate line rate is plausible ({dups} of {n}, expect ~1%)")
check(dups > 0 and dup_far == 0, "duplicates follow their original within 250 lines")
ids = Counter(d["trace_id"] for d in docs)
check(max(ids.values()) == 1, "distinct lines have distinct trace_ids")
missing = [e for e in EXPECTED if e not in found]
check(not missing, f"all {len(EXPECTED)} messy forms occur"
      + (": missing " + ", ".join(missing) if missing else ""))

# the planted exception patterns
rnf = Counter()
results = Counter()
pnf_00248 = Counter()
res_00248 = Counter()
for d in docs:
    resp = d.get("response")
    if not isinstance(resp, dict):
        continue
    day = d["request"]["request_id"][3:11]
    nets = {}
    for s in as_list(d["request"]["services"]):
        for p in as_list(s.get("providers")):
            nets[p["provider_id"]] = p.get("network_id")
    for x in as_list(resp.get("results")):
        code = x["service_code"]
        codes = [exc_code(e) for e in as_list(x.get("exceptions"))]
        results[code] += 1
        rnf[code] += "ratenotfound" in codes
        if nets.get(x["provider_id"]) == "00248":
            res_00248[day] += 1
            pnf_00248[day] += "providernotfound" in codes
share = rnf["0337U"] / max(results["0337U"], 1)
other = (sum(rnf.values()) - rnf["0337U"]) / max(sum(results.values()) - results["0337U"], 1)
check(results["0337U"] >= 30 and share > 0.4 and share > 8 * other,
      f"0337U rate-not-found share {share:.0%} vs {other:.1%} for other codes")
daily = sorted(((pnf_00248[k] / v, k) for k, v in res_00248.items() if v >= 20), reverse=True)
check(len(daily) > 30 and daily[0][0] > 0.25 and daily[1][0] < 0.10 and daily[0][1] == "20250110",
      "network 00248 provider-not-found spike on one day only "
      f"({daily[0][1]}: {daily[0][0]:.0%}, next {daily[1][0]:.0%})")

# ---- the clean file ----
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
DATE = re.compile(r"\d{4}-\d\d-\d\d")
KEYS = {
    "top": {"trace_id", "schema_version", "source_system", "request", "response"},
    "request": {"request_id", "received_at", "channel", "member", "services"},
    "line": {"line_id", "service_code", "code_system", "modifiers", "quantity",
             "service_location", "place_zip", "diagnosis_codes", "planned_date", "providers"},
    "provider": {"provider_id", "npi", "tin", "provider_type", "taxonomy", "network_id"},
    "response": {"responded_at", "status_code", "latency_ms", "estimate_id",
                 "accumulators", "results", "errors"},
    "result": {"line_id", "service_code", "service_location", "provider_id",
               "result_status", "coverage", "cost", "patient_responsibility", "exceptions"},
    "coverage": {"covered", "network_status", "benefit_category", "prior_auth_required"},
    "cost": {"billed_amount", "allowed_amount", "in_network_estimate",
             "out_of_network_estimate", "plan_pays"},
    "patient": {"total", "copay", "coinsurance", "coinsurance_rate", "deductible"},
    "exception": {"type", "code", "severity", "message", "source"},
}
CANON_TYPES = {"Provider not found", "Rate not found", "Benefit issues",
               "Accumulator not found", "Member not found", "Timeout", "Other"}


def money_ok(v):
    """A JSON number with exactly two decimals."""
    return isinstance(v, Decimal) and v.as_tuple().exponent == -2


def exceptions_ok(v):
    return isinstance(v, list) and all(
        isinstance(e, dict) and e.keys() == KEYS["exception"] and e["type"] in CANON_TYPES
        for e in v)


def canonical(d):
    """Is this clean-mode trace free of every messy form?"""
    r = d["request"]
    if d.keys() - KEYS["top"] or r.keys() != KEYS["request"] or not ISO.fullmatch(r["received_at"]):
        return False
    if type(r["member"]["plan"]["plan_year"]) is not int or not isinstance(r["services"], list):
        return False
    for s in r["services"]:
        if s.keys() - KEYS["line"] or type(s["quantity"]) is not int or not DATE.fullmatch(s["planned_date"]):
            return False
        if not isinstance(s["providers"], list) or any(p.keys() != KEYS["provider"] for p in s["providers"]):
            return False
    resp = d.get("response")
    if resp is None:
        return True
    if resp.keys() - KEYS["response"] or type(resp["status_code"]) is not int:
        return False
    if type(resp["latency_ms"]) is not int or not exceptions_ok(resp["errors"]):
        return False
    if "responded_at" in resp and not ISO.fullmatch(resp["responded_at"]):
        return False
    for b in ("in_network", "out_of_network"):
        acc = resp.get("accumulators", {}).get(b)
        if acc and not all(money_ok(acc[x]["individual"][y])
                           for x in ("deductible", "out_of_pocket") for y in ("limit", "met")):
            return False
    for x in resp.get("results", []):
        if x.keys() != KEYS["result"] or x["coverage"].keys() != KEYS["coverage"]:
            return False
        cov = x["coverage"]
        if cov["covered"] not in (True, False, None) or cov["prior_auth_required"] not in (True, False, None):
            return False
        if type(cov["covered"]) is int or cov["network_status"] not in ("in_network", "out_of_network", None):
            return False
        if not exceptions_ok(x["exceptions"]):
            return False
        c, p = x["cost"], x["patient_responsibility"]
        if c is None and p is None:
            continue
        if c.keys() != KEYS["cost"] or p.keys() != KEYS["patient"]:
            return False
        if not all(money_ok(v) for v in list(c.values()) + list(p.values()) if v is not None):
            return False
    return True


def arithmetic_ok(d):
    """Do the cost relations hold exactly in cents?"""
    for x in (d.get("response") or {}).get("results", []):
        c, p = x["cost"], x["patient_responsibility"]
        if c is None:
            continue
        if (p["total"] != p["copay"] + p["coinsurance"] + p["deductible"]
                or c["plan_pays"] != c["allowed_amount"] - p["total"]
                or c["plan_pays"] < 0):
            return False
        inn = x["coverage"]["network_status"] == "in_network"
        if (c["in_network_estimate"] if inn else c["out_of_network_estimate"]) != c["allowed_amount"]:
            return False
        if (c["out_of_network_estimate"] if inn else c["in_network_estimate"]) is not None:
            return False
    return True


with open(clean_path, "rb") as f:
    clines = f.read().split(b"\n")[:-1]
cdocs = []
bad_json = 0
for l in clines:
    try:
        cdocs.append(json.loads(l, parse_float=Decimal))
    except ValueError:
        bad_json += 1
check(bad_json == 0 and all(is_trace(d) for d in cdocs),
      "--clean: every line is a JSON trace with trace_id and request.services")
check(len({d["trace_id"] for d in cdocs}) == len(clines),
      "--clean: trace_ids are unique (no duplicates)")
uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
check(all(uuid.fullmatch(d["trace_id"]) for d in cdocs), "--clean: trace_ids are UUIDs")
reqid = re.compile(r"CE-\d{8}-\d{6}")
days = {d["request"]["received_at"][:10] for d in cdocs}
check(all(reqid.fullmatch(d["request"]["request_id"]) for d in cdocs)
      and min(days) == "2024-11-15" and max(days) == "2024-12-14",
      "--clean: request ids follow CE-YYYYMMDD-NNNNNN; --start/--days respected")
bad = [d["trace_id"] for d in cdocs if not canonical(d)]
check(not bad, "--clean: no messy forms (canonical keys, types, arrays, values, timestamps)"
      + (f": first offender {bad[0]}" if bad else ""))
bad = [d["trace_id"] for d in cdocs if not arithmetic_ok(d)]
check(not bad, "--clean: total = copay + coinsurance + deductible, plan_pays = allowed - total >= 0"
      + (f": first offender {bad[0]}" if bad else ""))
status = Counter(((d.get("response") or {}).get("status_code")) for d in cdocs)


def share(*codes):
    return sum(status[c] for c in codes) / len(cdocs)


check(0.008 <= share(404) <= 0.025 and 0.005 <= share(504, None) <= 0.02
      and share(207) > 0.05 and share(200) > 0.6,
      "--clean: status mix (200, 207, ~1.5% 404, ~1% timeouts) "
      f"[200 {share(200):.1%}, 207 {share(207):.1%}, 404 {share(404):.1%}, 504 {share(504, None):.1%}]")
sys.stdout.flush()
os._exit(1 if failures else 0)  # skip freeing every document at exit
PY

exit $failed
