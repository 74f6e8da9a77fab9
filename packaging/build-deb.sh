#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# build-deb.sh - build the Debian package (`make deb`) from a clean copy of the repository.
#
#   sh packaging/build-deb.sh [OUTDIR]      (default OUTDIR: build/deb)
#
# The tree is exported from git (DEB_REF, default HEAD: committed files only, so nothing
# half-edited or built slips in; DEB_REF=WORKTREE takes the tracked files as they are in the
# working tree), packaging/debian becomes debian/, and dpkg-buildpackage -us -uc -b builds it
# with at most DEB_JOBS (default 2) parallel jobs. The .deb, .buildinfo and .changes files
# land in OUTDIR; when lintian is installed its report is written to OUTDIR/lintian.txt and
# the script fails if lintian reports an error. Needs dpkg-dev, debhelper and the
# Build-Depends of packaging/debian/control (packaging/install-deps.sh installs them).
set -eu

out=${1:-build/deb}
# Variables of a calling make (`make BUILD=x deb`) must not leak into the package build.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
ref=${DEB_REF:-HEAD}
jobs=${DEB_JOBS:-2}

top=$(git rev-parse --show-toplevel 2>/dev/null) || { echo "build-deb: not a git checkout" >&2; exit 2; }
cd "$top"
case "$out" in /*) ;; *) out="$top/$out" ;; esac
version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)

work=$(mktemp -d "${TMPDIR:-/tmp}/consent-milter-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
tree="$work/consent-milter-$version"
mkdir "$tree"
if [ "$ref" = WORKTREE ]; then
    git ls-files -z | tar -c --null -T - -f - | tar -x -C "$tree"
else
    git archive --format=tar "$ref" | tar -x -C "$tree"
fi
[ -d "$tree/packaging/debian" ] || { echo "build-deb: $ref has no packaging/debian" >&2; exit 2; }
cp -R "$tree/packaging/debian" "$tree/debian"

echo "build-deb: building consent-milter $version from $ref in $tree"
(cd "$tree" && dpkg-buildpackage -us -uc -b -j"$jobs")

mkdir -p "$out"
for f in "$work"/*.deb "$work"/*.ddeb "$work"/*.buildinfo "$work"/*.changes; do
    [ -e "$f" ] && cp "$f" "$out/"
done
echo "build-deb: packages in $out:"
ls -1 "$out"/*.deb

if command -v lintian >/dev/null 2>&1; then
    changes=$(ls "$work"/*.changes)
    # lintian exits non-zero on errors only with --fail-on error (its default in bookworm).
    rc=0
    lintian --fail-on error --no-tag-display-limit "$changes" >"$out/lintian.txt" 2>&1 || rc=$?
    cat "$out/lintian.txt"
    if [ "$rc" -ne 0 ]; then
        echo "build-deb: lintian reports errors (see $out/lintian.txt)" >&2
        exit 1
    fi
    echo "build-deb: lintian: $(grep -c '^E:' "$out/lintian.txt" || true) errors, $(grep -c '^W:' "$out/lintian.txt" || true) warnings"
fi
