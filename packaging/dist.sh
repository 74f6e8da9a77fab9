#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# dist.sh - write the release tarball OUTDIR/consent-milter-VERSION.tar.gz (`make dist`).
#
#   sh packaging/dist.sh [OUTDIR]       (default OUTDIR: build)
#
# In a git checkout the tarball holds the tracked files as they are in the working tree
# (`git ls-files`), or with DIST_REF=REF those of commit REF (`git archive`). In an unpacked
# release, which is no git checkout, it holds the files its MANIFEST lists. Every tarball has a
# MANIFEST listing its files, so a release can be built, packaged (`make deb`) and re-released.
# VERSION is cm::kVersion (lib/util/version.h) of those files. Prints the tarball's path.
set -eu

out=${1:-build}
ref=${DIST_REF:-WORKTREE}
top=$(cd "$(dirname "$0")/.." && pwd)
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
cd "$top"

work=$(mktemp -d "${TMPDIR:-/tmp}/consent-milter-dist.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/tree"
if [ -f MANIFEST ]; then
    tar -c -f - -T MANIFEST | tar -x -C "$work/tree"
elif ! git rev-parse --git-dir >/dev/null 2>&1; then
    echo "dist: $top is neither a git checkout nor an unpacked release (no MANIFEST)" >&2
    exit 2
elif [ "$ref" = WORKTREE ]; then
    git ls-files -z | tar -c --null -T - -f - | tar -x -C "$work/tree"
else
    git archive --format=tar "$ref" | tar -x -C "$work/tree"
fi

version=$(sed -n 's/.*kVersion = "\([^"]*\)".*/\1/p' "$work/tree/lib/util/version.h")
[ -n "$version" ] || { echo "dist: no kVersion in lib/util/version.h" >&2; exit 2; }
name=consent-milter-$version
mv "$work/tree" "$work/$name"
(cd "$work/$name" && { find . -type f ! -name MANIFEST | sed 's|^\./||'; echo MANIFEST; } | LC_ALL=C sort >MANIFEST)

mkdir -p "$out"
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
echo "$out/$name.tar.gz"
