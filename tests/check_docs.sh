#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_docs.sh - compare the config directive table with the conf(5) man page.
#
#   sh tests/check_docs.sh DUMP_DIRECTIVES [MANPAGE]
#
# DUMP_DIRECTIVES is the built tests/dump_directives program (prints NAME<TAB>TYPE<TAB>
# DEFAULT<TAB>RANGE for each directive of lib/config/config.cpp); MANPAGE defaults to
# man/consent-milter.conf.5. In the page's DIRECTIVES section each key is an
# ".It Cm NAME Ar TYPE" entry followed by the text lines "Range: MIN..MAX" (numeric keys only)
# and "Default: VALUE". Fails, naming every mismatch, when a key of the table is missing from
# the page, the page documents a key the table lacks, or a type, default or range differs.
set -eu

dump=${1:?usage: check_docs.sh DUMP_DIRECTIVES [MANPAGE]}
page=${2:-man/consent-milter.conf.5}

[ -r "$page" ] || { echo "check_docs: cannot read $page" >&2; exit 2; }
table=$("$dump") || { echo "check_docs: $dump failed" >&2; exit 2; }
[ -n "$table" ] || { echo "check_docs: $dump printed no directives" >&2; exit 2; }

# The page's entries as NAME<TAB>DEFAULT<TAB>RANGE<TAB>LINE<TAB>TYPE (DEFAULT "-" when missing).
documented=$(awk '
    /^\.Sh / { in_dirs = ($2 == "DIRECTIVES"); next }
    !in_dirs { next }
    function flush() { if (name != "") printf "%s\t%s\t%s\t%d\t%s\n", name, def, range, at, type }
    /^\.It Cm / {
        flush(); name = $3; def = "-"; range = ""; at = NR
        type = $0; if (!sub(/^\.It Cm [^ ]+ Ar /, "", type)) type = ""
        next
    }
    /^Default: / { sub(/^Default: /, ""); def = $0; next }
    /^Range: / { sub(/^Range: /, ""); range = $0; next }
    END { flush() }
' "$page")

printf '%s\n' "$table" > "${TMPDIR:-/tmp}/check_docs.table.$$"
printf '%s\n' "$documented" > "${TMPDIR:-/tmp}/check_docs.page.$$"
trap 'rm -f "${TMPDIR:-/tmp}/check_docs.table.$$" "${TMPDIR:-/tmp}/check_docs.page.$$"' EXIT

awk -F '\t' -v page="$page" '
    FNR == NR { ttype[$1] = $2; tdef[$1] = $3; trange[$1] = $4; order[++n] = $1; next }
    $0 == "" { next }
    {
        if ($1 in pdef) { printf "%s:%d: %s documented twice\n", page, $4, $1; bad++ }
        pdef[$1] = $2; prange[$1] = $3; pline[$1] = $4; ptype[$1] = $5
        if (!($1 in tdef)) { printf "%s:%d: %s is documented but is not in the directive table\n", page, $4, $1; bad++ }
    }
    END {
        for (i = 1; i <= n; i++) {
            k = order[i]
            if (!(k in pdef)) { printf "%s: directive %s (default %s) is not documented\n", page, k, tdef[k]; bad++; continue }
            if (pdef[k] != tdef[k]) {
                printf "%s:%d: %s: page says default \"%s\", table says \"%s\"\n", page, pline[k], k, pdef[k] == "-" ? "(none given)" : pdef[k], tdef[k]; bad++
            }
            if (ptype[k] != ttype[k]) {
                printf "%s:%d: %s: page says type \"%s\", table says \"%s\"\n", page, pline[k], k, ptype[k], ttype[k]; bad++
            }
            if (prange[k] != trange[k]) {
                printf "%s:%d: %s: page says range \"%s\", table says \"%s\"\n", page, pline[k], k, prange[k], trange[k]; bad++
            }
        }
        if (bad) { printf "check_docs: %d mismatch(es) between the directive table and %s\n", bad, page; exit 1 }
        printf "check_docs: %d directives documented in %s\n", n, page
    }
' "${TMPDIR:-/tmp}/check_docs.table.$$" "${TMPDIR:-/tmp}/check_docs.page.$$"
