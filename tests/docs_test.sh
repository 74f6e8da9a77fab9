#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The man pages against the code (`make check-docs`; run_checks.sh runs it with `make check`):
#   - tests/check_docs.sh: every directive of the config table is in consent-milter.conf(5)
#     with its real type, default and range, and the page documents no other key;
#   - tests/check_reasons.sh: every reason code of lib/checks/reason.h is in REASON CODES of
#     consent-milter(8) with its one-line explanation, and the page lists no other;
#   - tests/check_man_options.sh: every command-line option and consentctl command in the
#     code is in consent-milter(8)/consentctl(8), and the pages document no other;
#   - `mandoc -T lint -W warning` reports nothing for each page.
. tests/lib.sh

out=$(sh tests/check_docs.sh "$BUILD/dump_directives" man/consent-milter.conf.5 2>&1); rc=$?
if [ "$rc" -eq 0 ]; then pass "conf(5) matches the directive table"; else fail "conf(5) matches the directive table" "$out"; fi

out=$(sh tests/check_reasons.sh "$BUILD/dump_directives" man/consent-milter.8 2>&1); rc=$?
if [ "$rc" -eq 0 ]; then pass "consent-milter(8) REASON CODES match the reason table"; else fail "consent-milter(8) REASON CODES match the reason table" "$out"; fi

out=$(sh tests/check_man_options.sh 2>&1); rc=$?
if [ "$rc" -eq 0 ]; then pass "section 8 pages match the command-line options"; else fail "section 8 pages match the command-line options" "$out"; fi

if command -v mandoc >/dev/null 2>&1; then
    for page in man/consent-milter.8 man/consentctl.8 man/consent-milter.conf.5; do
        out=$(mandoc -T lint -W warning "$page" 2>&1); rc=$?
        if [ "$rc" -eq 0 ] && [ -z "$out" ]; then pass "mandoc lint $page"; else fail "mandoc lint $page" "$out"; fi
    done
else
    fail "mandoc lint" "mandoc is not installed (packaging/install-deps.sh installs it)"
fi

finish
