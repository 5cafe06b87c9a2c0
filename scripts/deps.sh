#!/usr/bin/env bash
# scripts/deps.sh: install the Debian packages costmodel needs (make deps).
#
# Quiet and quick when everything is installed.  As root it runs apt-get; as
# another user it uses "sudo -n" when that works, else it prints the command
# to run and fails.  PG_MAJOR (default 15) selects the PostgreSQL packages.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Print the packages costmodel needs, one per line.
wanted_packages() {
    printf '%s\n' \
        "postgresql-$PG_MAJOR" "postgresql-server-dev-$PG_MAJOR" \
        "postgresql-$PG_MAJOR-cron" "postgresql-$PG_MAJOR-pgtap" \
        libpq-dev libjson-c-dev zlib1g-dev \
        valgrind python3 python3-psycopg2 python3-sqlalchemy \
        default-jdk-headless libpostgresql-jdbc-java \
        gcc make pkg-config \
        clang libclang-rt-dev
}

# Print the wanted packages that dpkg does not list as installed (one dpkg-query call).
missing_packages() {
    local -a wanted
    mapfile -t wanted < <(wanted_packages)
    local installed
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null \
                | awk '$2 == "installed" { sub(/:.*/, "", $1); print $1 }' || true)
    local pkg
    for pkg in "${wanted[@]}"; do
        grep -qxF "$pkg" <<<"$installed" || printf '%s\n' "$pkg"
    done
}

# Install the given packages with apt-get, as root or through sudo -n.
install_packages() {
    local -a sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            printf 'error: missing packages: %s\n' "$*" >&2
            printf 'Run as root:\n  apt-get update && apt-get install -y %s\n' "$*" >&2
            exit 1
        fi
    fi
    echo "==> installing: $*"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 "$@" >/dev/null
    local still
    still=$(missing_packages | tr '\n' ' ')
    [[ -z $still ]] || { echo "error: still missing after apt-get: $still" >&2; exit 1; }
}

main() {
    local -a missing
    mapfile -t missing < <(missing_packages)
    [[ ${#missing[@]} -eq 0 ]] || install_packages "${missing[@]}"
}

main "$@"
