#!/usr/bin/env bash
# readme_test.sh: the README's copies of --help match the binaries, and the
# README opens with the two set-up commands.
set -uo pipefail
cd "${COSTMODEL_ROOT:-.}"
failures=0
if scripts/readme_help.sh --check > /tmp/readme_diff.$$ 2>&1; then
  echo "ok - README --help blocks match costmodel-load and costmodel-gen"
else
  echo "not ok - README --help blocks are stale (run scripts/readme_help.sh)"; head -40 /tmp/readme_diff.$$; failures=1
fi
rm -f /tmp/readme_diff.$$
if head -40 README.md | grep -q 'make demo' && head -40 README.md | grep -q 'make check'; then
  echo "ok - README opens with make demo and make check"
else
  echo "not ok - README does not open with make demo and make check"; failures=1
fi
exit $failures
