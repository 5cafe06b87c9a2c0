#!/usr/bin/env bash
# libfuzzer_test.sh: coverage-guided fuzzing of the shared trace normaliser
# through json-c (the loader's path), under AddressSanitizer and UBSan.
# Seeds: generated traces (messy) and the regress fixtures.  A crash, a
# sanitizer report or a leak fails the test.  Bounded: COSTMODEL_FUZZ_SECONDS
# (default 60) of fuzzing after the seed corpus is replayed.
set -uo pipefail
cd "${COSTMODEL_ROOT:-.}"
source test/fuzz/libfuzzer.sh
GEN=${COSTMODEL_GEN:-./costmodel-gen}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
secs=${COSTMODEL_FUZZ_SECONDS:-60}

if ! command -v clang > /dev/null; then
  echo "not ok - clang is not installed (scripts/deps.sh installs it)"; exit 1
fi
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -Icommon -Iloader $(pkg-config --cflags libpq json-c) \
  test/fuzz/fuzz_trace.c loader/jsonc_access.c common/cm_trace.c common/cm_trace_schema.c \
  common/cm_values.c common/cm_json.c $(pkg-config --libs json-c) -o "$WORK/fuzz_trace" 2> "$WORK/build.log"
if [ $? -ne 0 ]; then
  echo "not ok - build the libFuzzer harness"; cat "$WORK/build.log"; exit 1
fi
echo "ok - build the libFuzzer harness with ASan and UBSan"

mkdir -p "$WORK/corpus"
"$GEN" traces --count 300 --seed 5 | split -l 1 - "$WORK/corpus/gen_"
i=0
while IFS= read -r line; do
  printf '%s' "$line" > "$WORK/corpus/fixture_$i"; i=$((i + 1))
done < test/fixtures/traces/srf_fixture.ndjson

libfuzzer_run "$WORK/fuzz_trace" "$WORK/corpus" "$secs" 16384 \
  "no crash, sanitizer report or leak" || exit 1
