#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_reasons.sh - compare the reason table with REASON CODES in the section 8 page.
#
#   sh tests/check_reasons.sh DUMP_DIRECTIVES [MANPAGE]
#
# `DUMP_DIRECTIVES --reasons` prints CHECK<TAB>CODE<TAB>EXPLANATION for each row of
# lib/checks/reason.h; MANPAGE defaults to man/consent-milter.8. In its REASON CODES section
# each check is a ".Ss CHECK" subsection, each code an ".It Ql CODE" entry whose next line is
# the explanation, verbatim. Fails, naming every mismatch, when a code of the table is missing
# from the page, the page documents a code the table lacks, or an explanation differs.
set -eu

dump=${1:?usage: check_reasons.sh DUMP_DIRECTIVES [MANPAGE]}
page=${2:-man/consent-milter.8}

[ -r "$page" ] || { echo "check_reasons: cannot read $page" >&2; exit 2; }
table=$("$dump" --reasons) || { echo "check_reasons: $dump --reasons failed" >&2; exit 2; }
[ -n "$table" ] || { echo "check_reasons: $dump printed no reasons" >&2; exit 2; }

# The page's entries as CHECK<TAB>CODE<TAB>EXPLANATION<TAB>LINE.
documented=$(awk '
    /^\.Sh / { in_sec = ($0 == ".Sh REASON CODES"); check = ""; next }
    !in_sec { next }
    /^\.Ss / { check = $2; next }
    code != "" { printf "%s\t%s\t%s\t%d\n", check, code, $0, at; code = "" }
    check != "" && /^\.It Ql / { code = $3; at = NR }
' "$page")

tmp=${TMPDIR:-/tmp}/check_reasons.$$
printf '%s\n' "$table" > "$tmp.table"
printf '%s\n' "$documented" > "$tmp.page"
trap 'rm -f "$tmp.table" "$tmp.page"' EXIT

awk -F '\t' -v page="$page" '
    FNR == NR { key = $1 ":" $2; text[key] = $3; order[++n] = key; next }
    $0 == "" { next }
    {
        key = $1 ":" $2
        if (key in ptext) { printf "%s:%d: %s documented twice\n", page, $4, key; bad++ }
        ptext[key] = $3; pline[key] = $4
        if (!(key in text)) { printf "%s:%d: %s is documented but is not in the reason table\n", page, $4, key; bad++ }
    }
    END {
        for (i = 1; i <= n; i++) {
            k = order[i]
            if (!(k in ptext)) { printf "%s: reason %s is not documented\n", page, k; bad++; continue }
            if (ptext[k] != text[k]) {
                printf "%s:%d: %s: page says \"%s\", table says \"%s\"\n", page, pline[k], k, ptext[k], text[k]; bad++
            }
        }
        if (bad) { printf "check_reasons: %d mismatch(es) between the reason table and %s\n", bad, page; exit 1 }
        printf "check_reasons: %d reasons documented in %s\n", n, page
    }
' "$tmp.table" "$tmp.page"
