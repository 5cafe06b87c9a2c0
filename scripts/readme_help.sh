#!/usr/bin/env bash
# scripts/readme_help.sh: regenerate the --help blocks of README.md from the
# built binaries, so the README cannot drift from them.
#   scripts/readme_help.sh          rewrite README.md in place
#   scripts/readme_help.sh --check  exit 1 (and show a diff) if it is stale
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Print README.md with every block between the markers of a binary replaced.
render() {
    python3 - "$@" <<'PY'
import re, subprocess, sys
text = open("README.md", encoding="utf-8").read()
def block(m):
    cmd = m.group(1)
    out = subprocess.run(cmd.split(), capture_output=True, text=True).stdout
    return "<!-- help: %s -->\n```text\n%s```\n<!-- end help -->" % (cmd, out)
sys.stdout.write(re.sub(r"<!-- help: (.*?) -->.*?<!-- end help -->", block, text, flags=re.S))
PY
}

if [[ ${1:-} == --check ]]; then
    diff -u README.md <(render) && exit 0
    echo "README.md --help blocks are stale: run scripts/readme_help.sh" >&2
    exit 1
fi
render > README.md.tmp && mv README.md.tmp README.md
