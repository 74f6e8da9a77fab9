#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_layering.sh - the library's include rules, checked by the build (the Makefile runs it
# before it archives lib/, and `make check-layering` runs it alone):
#   - nothing under lib/ includes <libmilter/...> or <syslog.h> (those belong to milter/);
#   - a folder includes only itself and the folders below it, in the order
#       util <- config <- mime <- html <- checks <- senders <- consent <- policy
#     and consent/sqlite and consent/pg do not include each other.
# Prints each violation as FILE:LINE: message and exits 1 if there is any.
set -eu
cd "$(dirname "$0")/.."

find lib -name '*.h' -o -name '*.cpp' | sort | awk '
BEGIN {
    n = split("util config mime html checks senders consent policy", order, " ")
    for (i = 1; i <= n; i++) rank[order[i]] = i
    bad = 0
}
function complain(file, line, msg) { printf "%s:%d: %s\n", file, line, msg; bad = 1 }
{
    file = $0
    split(file, part, "/")            # lib/FOLDER/[SUB/]NAME
    folder = part[2]
    sub_ = (part[4] != "") ? part[3] : ""
    if (!(folder in rank)) complain(file, 0, "folder lib/" folder " has no place in tests/check_layering.sh")
    line = 0
    while ((getline text < file) > 0) {
        line++
        if (text ~ /^[ \t]*#[ \t]*include[ \t]*<(libmilter\/|syslog\.h>)/)
            complain(file, line, "lib/ must not include libmilter or syslog (milter/ does): " text)
        if (!match(text, /^[ \t]*#[ \t]*include[ \t]*"[^"]*"/)) continue
        target = substr(text, RSTART, RLENGTH); sub(/^[^"]*"/, "", target); sub(/"$/, "", target)
        n = split(target, tpart, "/")
        if (n < 2) continue                        # "name.h": same folder
        tfolder = tpart[1]
        if (!(tfolder in rank)) continue           # not a lib/ folder (the compiler decides)
        if (rank[tfolder] > rank[folder])
            complain(file, line, "lib/" folder " must not include the higher layer " tfolder "/ (" target ")")
        tsub = (n > 2) ? tpart[2] : ""
        if (folder == "consent" && sub_ != "" && tsub != "" && tsub != sub_)
            complain(file, line, "lib/consent/" sub_ " must not include consent/" tsub "/ (" target ")")
    }
    close(file)
}
END { exit bad }
'
