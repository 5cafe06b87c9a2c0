#!/usr/bin/env bash
#
# bi_clients_test.sh
#    The marts as BI tools see them, through the client libraries they use,
#    logged in as a role given costmodel.grant_bi_access:
#      - pgJDBC DatabaseMetaData (Metabase, Tableau): test/bi/MartCatalog.java
#      - SQLAlchemy's inspector over psycopg2 (Superset): test/bi/mart_catalog.py
#    Each must list every mart view of costmodel_mart with its comment, and
#    every column with its comment (REMARKS), exactly as the catalog has
#    them; report only BI-safe types; read the marts; and be denied the raw
#    tables (costmodel.fact_request) and the member-level views until
#    grant_member_access.
#
# Needs PGHOST/PGPORT of make check's server (TCP on 127.0.0.1), java with
# the JDK's single-file source launcher, /usr/share/java/postgresql.jar,
# Debian's python3 with sqlalchemy and psycopg2, COSTMODEL_GEN and COSTMODEL_LOAD.
set -uo pipefail

ROOT=${COSTMODEL_ROOT:-$PWD}
GEN=${COSTMODEL_GEN:-./costmodel-gen}
LOAD=${COSTMODEL_LOAD:-./costmodel-load}
JAR=${COSTMODEL_JDBC_JAR:-/usr/share/java/postgresql.jar}
# Debian's python3 has python3-sqlalchemy and python3-psycopg2 (scripts/deps.sh).
PY=${COSTMODEL_PYTHON:-/usr/bin/python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bi_clients_test.XXXXXX")
DB=cm_bi_$$
BI_ROLE=cm_bi_reader_$$
MEMBER_ROLE=cm_bi_member_$$
PASSWORD=bi-secret-$$
failed=0

# Drop the database and roles made here, and the work directory.
cleanup() {
	dropdb --if-exists --force "$DB" >/dev/null 2>&1
	psql -qXAt -d postgres -c "DROP ROLE IF EXISTS $BI_ROLE" -c "DROP ROLE IF EXISTS $MEMBER_ROLE" >/dev/null 2>&1
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

# Run one query in our database; print the unaligned, tab-separated result.
q() {
	psql -qXAt -F $'\t' -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}

# Report "$2" as ok when files $1 and $3 have the same lines (diff shown otherwise).
same_lines() {
	if diff <(sort "$1") <(sort "$3") >"$WORK/diff" 2>&1; then
		report 0 "$2"
	else
		report 1 "$2"
		head -20 "$WORK/diff" | sed 's/^/# /'
	fi
}

createdb "$DB" && q "CREATE EXTENSION costmodel" >/dev/null
"$GEN" traces --count 500 --seed 3 --output "$WORK/traces.ndjson"
"$LOAD" -q -d "dbname=$DB" traces "$WORK/traces.ndjson" >/dev/null
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ]
report $? "500 traces loaded (exit $rc: 0, or 3 when some lines are rejected)"
q "CALL costmodel.refresh_marts()" >/dev/null 2>&1
report $? "marts refreshed"
marts=$(q "SELECT count(*) FROM costmodel.mart")
[ "${marts:-0}" -gt 0 ]
report $? "the extension has marts to show ($marts)"

q "CREATE ROLE $BI_ROLE LOGIN PASSWORD '$PASSWORD'" >/dev/null \
	&& q "CREATE ROLE $MEMBER_ROLE LOGIN PASSWORD '$PASSWORD'" >/dev/null \
	&& q "SELECT costmodel.grant_bi_access('$BI_ROLE'), costmodel.grant_bi_access('$MEMBER_ROLE'),
	             costmodel.grant_member_access('$MEMBER_ROLE')" >/dev/null
report $? "BI roles created and granted"

# What the catalog says: views of costmodel_mart and their columns, with comments.
{
	q "SELECT 'view', n.nspname, c.relname, coalesce(obj_description(c.oid, 'pg_class'), '(none)')
	     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	    WHERE n.nspname = 'costmodel_mart' AND c.relkind = 'v'"
	q "SELECT 'column', n.nspname, c.relname, a.attname, coalesce(col_description(c.oid, a.attnum), '(none)')
	     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	    WHERE n.nspname = 'costmodel_mart' AND c.relkind = 'v'"
} >"$WORK/catalog.tsv"
member_views=$(q "SELECT string_agg(c.relname, ' ') FROM pg_class c
                  WHERE c.relnamespace = 'costmodel_member'::regnamespace AND c.relkind = 'v'")
first_mart=$(q "SELECT view_name FROM costmodel.mart ORDER BY refresh_order LIMIT 1")
probes=("SELECT count(*) FROM costmodel.fact_request" "SELECT count(*) FROM ${first_mart:-costmodel_mart.none}")
for v in $member_views; do probes+=("SELECT count(*) FROM costmodel_member.$v"); done

# Client lines -> the catalog's shape (type column dropped); the types apart.
catalog_shape() { awk -F'\t' -v OFS='\t' '$1 == "view" && $2 == "costmodel_mart" { print } $1 == "column" && $2 == "costmodel_mart" { print $1, $2, $3, $4, $6 }' "$1"; }
types_of() { awk -F'\t' '$1 == "column" && $2 == "costmodel_mart" { print $5 }' "$1" | sort -u; }

check_client() {   # $1 label, $2 output file, $3 regex of BI-safe type names, $4 role
	local label=$1 out=$2 safe=$3 role=$4
	catalog_shape "$out" >"$WORK/$label.shape"
	same_lines "$WORK/$label.shape" "$label lists every mart view and column of costmodel_mart with its comment, as the catalog has them" "$WORK/catalog.tsv"
	local bad
	bad=$(types_of "$out" | grep -Ev "^($safe)\$" | tr '\n' ' ')
	[ -z "$bad" ]
	report $? "$label reports only BI-safe column types${bad:+ (not: $bad)}"
	grep -q "^denied	SELECT count(\*) FROM costmodel.fact_request	42501\$" "$out"
	report $? "$label as $role is denied costmodel.fact_request (42501)"
	grep -q "^allowed	SELECT count(\*) FROM ${first_mart//./\\.}\$" "$out"
	report $? "$label as $role reads $first_mart"
}

check_member_probes() {   # $1 label, $2 output file, $3 expected word (denied/allowed)
	local v n=0
	for v in $member_views; do
		grep -q "^$3	SELECT count(\*) FROM costmodel_member\.$v" "$2" && n=$((n + 1))
	done
	[ -n "$member_views" ] && [ "$n" -eq "$(wc -w <<<"$member_views")" ]
	report $? "$1: member-level views ($member_views) are $3"
}

# ---- pgJDBC --------------------------------------------------------------------
url="jdbc:postgresql://127.0.0.1:$PGPORT/$DB?user=$BI_ROLE&password=$PASSWORD"
if java -cp "$JAR" "$ROOT/test/bi/MartCatalog.java" "$url" "${probes[@]}" >"$WORK/jdbc.out" 2>"$WORK/jdbc.err"; then
	report 0 "pgJDBC connects as $BI_ROLE and reads DatabaseMetaData"
else
	report 1 "pgJDBC connects as $BI_ROLE and reads DatabaseMetaData"; sed 's/^/# /' "$WORK/jdbc.err" | head
fi
check_client jdbc "$WORK/jdbc.out" "int2|int4|int8|numeric|float8|text|varchar|bool|date|timestamptz" "$BI_ROLE"
check_member_probes "pgJDBC as $BI_ROLE" "$WORK/jdbc.out" denied
url="jdbc:postgresql://127.0.0.1:$PGPORT/$DB?user=$MEMBER_ROLE&password=$PASSWORD"
java -cp "$JAR" "$ROOT/test/bi/MartCatalog.java" "$url" "${probes[@]}" >"$WORK/jdbc_member.out" 2>"$WORK/jdbc.err"
check_member_probes "pgJDBC as $MEMBER_ROLE (grant_member_access)" "$WORK/jdbc_member.out" allowed

# ---- SQLAlchemy + psycopg2 -----------------------------------------------------
url="postgresql+psycopg2://$BI_ROLE:$PASSWORD@127.0.0.1:$PGPORT/$DB"
if "$PY" "$ROOT/test/bi/mart_catalog.py" "$url" "${probes[@]}" >"$WORK/sqla.out" 2>"$WORK/sqla.err"; then
	report 0 "SQLAlchemy's inspector connects as $BI_ROLE through psycopg2"
else
	report 1 "SQLAlchemy's inspector connects as $BI_ROLE through psycopg2"; sed 's/^/# /' "$WORK/sqla.err" | head
fi
check_client sqlalchemy "$WORK/sqla.out" "SMALLINT|INTEGER|BIGINT|NUMERIC(\([0-9, ]+\))?|DOUBLE_PRECISION|DOUBLE PRECISION|TEXT|VARCHAR(\([0-9]+\))?|BOOLEAN|DATE|TIMESTAMP" "$BI_ROLE"
check_member_probes "SQLAlchemy as $BI_ROLE" "$WORK/sqla.out" denied
url="postgresql+psycopg2://$MEMBER_ROLE:$PASSWORD@127.0.0.1:$PGPORT/$DB"
"$PY" "$ROOT/test/bi/mart_catalog.py" "$url" "${probes[@]}" >"$WORK/sqla_member.out" 2>"$WORK/sqla.err"
check_member_probes "SQLAlchemy as $MEMBER_ROLE (grant_member_access)" "$WORK/sqla_member.out" allowed
# SQLAlchemy reports timestamptz as TIMESTAMP: check it knows the time zone.
tz_cols=$(q "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             WHERE c.relnamespace = 'costmodel_mart'::regnamespace AND a.atttypid = 'timestamptz'::regtype")
"$PY" - "$url" >"$WORK/tz.out" 2>&1 <<'PY'
import sys, sqlalchemy as sa
insp = sa.inspect(sa.create_engine(sys.argv[1]))
n = sum(1 for v in insp.get_view_names(schema="costmodel_mart")
          for c in insp.get_columns(v, schema="costmodel_mart")
          if isinstance(c["type"], sa.types.TIMESTAMP) and c["type"].timezone)
print(n)
PY
[ "$(cat "$WORK/tz.out")" == "$tz_cols" ]
report $? "SQLAlchemy sees every timestamptz mart column as TIMESTAMP WITH TIME ZONE ($tz_cols)"

exit $failed
