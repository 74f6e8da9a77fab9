#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# build-deb.sh - build the Debian package (`make deb`) from the release tarball.
#
#   sh packaging/build-deb.sh [OUTDIR]      (default OUTDIR: build/deb)
#
# packaging/dist.sh writes the release tarball: in a git checkout of DEB_REF (default HEAD:
# committed files only, so nothing half-edited or built slips in; DEB_REF=WORKTREE takes the
# tracked files as they are in the working tree), in an unpacked release of the files its
# MANIFEST lists. It is unpacked, packaging/debian becomes debian/, and
# dpkg-buildpackage -us -uc -b builds it
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

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
case "$out" in /*) ;; *) out="$top/$out" ;; esac

work=$(mktemp -d "${TMPDIR:-/tmp}/consent-milter-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
tarball=$(DIST_REF=$ref sh packaging/dist.sh "$work")
tar -x -C "$work" -f "$tarball"
tree=${tarball%.tar.gz}
[ -d "$tree/packaging/debian" ] || { echo "build-deb: $ref has no packaging/debian" >&2; exit 2; }
version=$(dpkg-parsechangelog -l "$tree/packaging/debian/changelog" -S Version)
cp -R "$tree/packaging/debian" "$tree/debian"

echo "build-deb: building consent-milter $version from $(basename "$tarball") in $tree"
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
