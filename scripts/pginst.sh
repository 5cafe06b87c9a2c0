#!/usr/bin/env bash
# scripts/pginst.sh: build or refresh a private PostgreSQL install tree.
#
#   scripts/pginst.sh DIR
#
# PostgreSQL finds its share directory and $libdir relative to the real
# (symlink-resolved) location of the running executable, provided the tree
# keeps the layout it was built with.  So DIR mirrors the system install
# below the common prefix of pg_config's --bindir, --sharedir and --pkglibdir
# (on Debian: /usr), e.g. for 15:
#
#   DIR/lib/postgresql/15/bin/        copies of every file in --bindir
#   DIR/share/postgresql/15/          symlinks to --sharedir entries, except
#   DIR/share/postgresql/15/extension/  a real dir: symlinks to the system
#                                     extension files + the project's control
#                                     file and extension/*.sql
#   DIR/lib/postgresql/15/lib/        symlinks to --pkglibdir entries + the
#                                     project's *.so
#
# Nothing is written outside DIR.  Project files are symlinked when the server
# user can read them in the checkout, else copied (re-run to refresh them).
# Re-running is cheap: unchanged binaries are not copied again, and changed
# files are replaced atomically, so a running server is not disturbed.
# The last line of output is nothing; the paths are in DIR/pginst.env:
#   PGINST_BIN PGINST_SHARE PGINST_PKGLIB
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Print the longest common directory prefix (ending in /) of the arguments.
common_prefix() {
    local prefix=$1/ p
    shift
    for p in "$@"; do
        while [[ "$p/" != "$prefix"* ]]; do
            prefix=${prefix%/*/}/
        done
    done
    printf '%s' "$prefix"
}

# Copy file $1 to $2 unless identical; replace atomically (a running binary
# cannot be overwritten in place: "Text file busy").
copy_if_changed() {
    local src=$1 dst=$2
    if [[ -L $src && $(readlink "$src") != /* ]]; then
        # Relative symlink inside the bindir (postmaster -> postgres): keep it.
        [[ -L $dst && $(readlink "$dst") == "$(readlink "$src")" ]] && return 0
        ln -sfn "$(readlink "$src")" "$dst.new.$$" && mv -fT "$dst.new.$$" "$dst"
        return 0
    fi
    if [[ -f $dst && ! -L $dst ]] && cmp -s "$src" "$dst"; then
        return 0
    fi
    cp -pL "$src" "$dst.new.$$" && mv -fT "$dst.new.$$" "$dst"
}

# Point $2 at $1 with a symlink, replacing whatever is there atomically.
link_to() {
    local src=$1 dst=$2
    [[ -L $dst && $(readlink "$dst") == "$src" ]] && return 0
    ln -sfn "$src" "$dst.new.$$" && mv -fT "$dst.new.$$" "$dst"
}

# Put a project file into the tree: a symlink when the server user can read
# the original, else a copy.
add_project_file() {
    local src=$1 dst=$2
    if [[ $PROJECT_MODE == link ]]; then
        link_to "$src" "$dst"
    else
        [[ -L $dst ]] && rm -f "$dst"
        copy_if_changed "$src" "$dst"
    fi
}

# Mirror every entry of directory $1 into real directory $2 as symlinks,
# except the names given after; drop dangling links left from earlier runs.
# Existing links are kept (they point at the same system path), and new ones
# are made with a single ln call, so a refresh costs a few milliseconds.
mirror_links() {
    local src=$1 dst=$2 entry name
    shift 2
    mkdir -p "$dst"
    local -a new=()
    for entry in "$src"/*; do
        name=${entry##*/}
        [[ " $* " == *" $name "* ]] && continue
        [[ -L $dst/$name ]] || new+=("$entry")
    done
    [[ ${#new[@]} -eq 0 ]] || ln -s "${new[@]}" "$dst/"
    find "$dst" -maxdepth 1 -xtype l -delete
}

main() {
    [[ $# -eq 1 ]] || { echo "usage: $0 DIR" >&2; exit 2; }
    cm_pg_config
    cm_runas_init
    mkdir -p "$1"
    local dir
    dir=$(cd "$1" && pwd -P)

    local bindir sharedir pkglibdir localedir prefix
    bindir=$("$PG_CONFIG" --bindir)
    sharedir=$("$PG_CONFIG" --sharedir)
    pkglibdir=$("$PG_CONFIG" --pkglibdir)
    localedir=$("$PG_CONFIG" --localedir)
    prefix=$(common_prefix "$bindir" "$sharedir" "$pkglibdir")

    local bin=$dir/${bindir#"$prefix"}
    local share=$dir/${sharedir#"$prefix"}
    local pkglib=$dir/${pkglibdir#"$prefix"}

    # Project files: symlink when the server user can read them in place.
    PROJECT_MODE="link"
    if [[ -e $CM_ROOT/costmodel.control ]] && ! cm_server_can_read "$CM_ROOT/costmodel.control"; then
        PROJECT_MODE=copy
    fi

    # Binaries: real copies (PostgreSQL resolves symlinks to find itself).
    mkdir -p "$bin"
    local f
    for f in "$bindir"/*; do
        copy_if_changed "$f" "$bin/${f##*/}"
    done

    # Project files; they win over same-named system files (a "make install"
    # into the system must not shadow the checkout's build).
    local -a ext_files=() so_files=() ext_names=() so_names=()
    for f in "$CM_ROOT"/*.control "$CM_ROOT"/costmodel--*.sql; do
        [[ -e $f ]] && ext_files+=("$f") && ext_names+=("${f##*/}")
    done
    for f in "$CM_ROOT"/*.so; do
        [[ -e $f ]] && so_files+=("$f") && so_names+=("${f##*/}")
    done

    # share/: symlinks, with a real extension/ directory.
    mirror_links "$sharedir" "$share" extension
    mirror_links "$sharedir/extension" "$share/extension" "${ext_names[@]}"
    # Drop project copies whose originals are gone, then add the current ones.
    for f in "$share/extension"/*.control "$share/extension"/*.sql; do
        [[ -e $f && ! -L $f ]] || continue
        [[ -e $CM_ROOT/${f##*/} || -e $CM_ROOT/extension/${f##*/} ]] || rm -f "$f"
    done
    for f in "${ext_files[@]}"; do
        add_project_file "$f" "$share/extension/${f##*/}"
    done

    # $libdir: symlinks to the system modules, plus the project's modules.
    mirror_links "$pkglibdir" "$pkglib" "${so_names[@]}"
    for f in "$pkglib"/*.so; do
        [[ -e $f && ! -L $f ]] || continue
        [[ -e $CM_ROOT/${f##*/} ]] || rm -f "$f"
    done
    for f in "${so_files[@]}"; do
        add_project_file "$f" "$pkglib/${f##*/}"
    done
    [[ ${#so_files[@]} -gt 0 ]] || cm_warn "no *.so built in $CM_ROOT yet; CREATE EXTENSION costmodel will fail"

    # Translations, when they share the prefix (cosmetic; missing is harmless).
    if [[ $localedir == "$prefix"* && -d $localedir && ! -e $dir/${localedir#"$prefix"} ]]; then
        mkdir -p "$(dirname "$dir/${localedir#"$prefix"}")"
        link_to "$localedir" "$dir/${localedir#"$prefix"}"
    fi

    # Self-check: the copied pg_config resolves paths the same way the server does.
    if [[ -x $bin/pg_config ]]; then
        local got
        got=$("$bin/pg_config" --sharedir)
        [[ $got == "$share" ]] \
            || cm_die "private install in $dir resolves its share dir to $got, not $share"
        got=$("$bin/pg_config" --pkglibdir)
        [[ $got == "$pkglib" ]] \
            || cm_die "private install in $dir resolves \$libdir to $got, not $pkglib"
    fi

    printf 'PGINST_BIN=%q\nPGINST_SHARE=%q\nPGINST_PKGLIB=%q\n' "$bin" "$share" "$pkglib" \
        > "$dir/pginst.env"
}

main "$@"
