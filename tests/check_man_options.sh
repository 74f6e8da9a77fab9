#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check_man_options.sh - every command-line option (and consentctl command) in the code is
# documented in its man page, and every option the page documents exists in the code.
#
#   sh tests/check_man_options.sh
#
# Reads the option tables from the sources, not from --help:
#   milter/options.cpp    the getopt_long short-option string and the long_options table
#   milter/consentctl.cpp the global options in main() and the commands() table
# and the ".Fl"/".Ic" macros of man/consent-milter.8 and man/consentctl.8.
# Prints one line per mismatch and exits 1, or prints a summary and exits 0.
set -eu

bad=0
report() { echo "check_man_options: $*"; bad=$((bad + 1)); }

# Options named by ".Fl" anywhere in a page, one per line, with the leading dash(es):
# "Fl c" -> -c, "Fl -test" -> --test. Flags in running text and SYNOPSIS count.
page_flags() {
    grep -o 'Fl [-A-Za-z0-9]*' "$1" | sed 's/^Fl /-/' | sort -u
}

# ---- consent-milter ----
src=milter/options.cpp
page=man/consent-milter.8
shorts=$(sed -n 's/.*getopt_long([^"]*"\([^"]*\)".*/\1/p' "$src" | tr -d ':' | sed 's/./-&\n/g' | grep . | sort -u)
longs=$(sed -n 's/^ *{"\([a-z-]*\)", *\(no\|required\|optional\)_argument.*/--\1/p' "$src" | sort -u)
[ -n "$shorts" ] || report "$src: no getopt short-option string found"
[ -n "$longs" ] || report "$src: no long_options table found"
code=$(printf '%s\n%s\n' "$shorts" "$longs" | sort -u)
documented=$(page_flags "$page")
for opt in $code; do
    printf '%s\n' "$documented" | grep -qx -e "$opt" || report "$page: option $opt (in $src) is not documented"
done
for opt in $documented; do
    printf '%s\n' "$code" | grep -qx -e "$opt" || report "$page: documents $opt, which $src does not accept"
done
n_cm=$(printf '%s\n' "$code" | wc -l)

# ---- consentctl ----
src=milter/consentctl.cpp
page=man/consentctl.8
globals=$(grep -o 'value_of("[-a-z]*"\|arg == "[-a-zA-Z]*"' "$src" | sed 's/.*"\([^"]*\)"/\1/' | grep -vx -e - -e -- | sort -u)
commands=$(sed -n 's/^ *{"\([a-z-]*\)", [0-9].*/\1/p' "$src" | sort -u)
cmd_opts=$(grep -o '{"-[-a-z]*", *\(true\|false\)}' "$src" | sed 's/{"\([^"]*\)".*/\1/' | sort -u)
[ -n "$globals" ] || report "$src: no global options found"
[ -n "$commands" ] || report "$src: no commands() table found"
code=$(printf '%s\n%s\n' "$globals" "$cmd_opts" | sort -u)
documented=$(page_flags "$page")
for opt in $code; do
    printf '%s\n' "$documented" | grep -qx -e "$opt" || report "$page: option $opt (in $src) is not documented"
done
for opt in $documented; do
    printf '%s\n' "$code" | grep -qx -e "$opt" || report "$page: documents $opt, which $src does not accept"
done
documented_cmds=$(awk '/^\.Sh /{ in_cmds = ($2 == "COMMANDS") } in_cmds && /^\.(It )?Ic /{ sub(/^\.(It )?Ic /, ""); print $1 }' "$page" | sort -u)
for c in $commands; do
    printf '%s\n' "$documented_cmds" | grep -qx -e "$c" || report "$page: command $c (in $src) is not documented in COMMANDS"
done
for c in $documented_cmds; do
    printf '%s\n' "$commands" | grep -qx -e "$c" || report "$page: documents command $c, which $src does not have"
done
n_ctl=$(printf '%s\n%s\n' "$code" "$commands" | wc -l)

if [ "$bad" -ne 0 ]; then
    echo "check_man_options: $bad mismatch(es)"
    exit 1
fi
echo "check_man_options: $n_cm consent-milter options and $n_ctl consentctl options and commands documented"
