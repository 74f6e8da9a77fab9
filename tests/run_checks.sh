#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every test suite and ends with the one line CI reads: "N passed, M failed".
#   - build/unit_tests (Catch2): counted by test case
#   - tests/*_test.sh: each prints its own "N passed, M failed" as its last line
# Suites run CHECK_JOBS [2] at a time (tests/jobs.sh); each one's output is buffered and printed
# whole when it ends, followed by "== NAME: S s" (its wall time). Those in JOBS_ALONE run with
# no other suite beside them: they time replies or set a load, and a neighbour would skew it.
# Environment: BUILD (build directory), CORPUS_DIR (the shared corpus), UNIT_TEST_ARGS (a
# Catch2 test spec for build/unit_tests, e.g. '~[pg]' as `make check-unit` passes), CHECK_JOBS.
# `--only unit,cli,...` runs just those suites (unit = the Catch2 binary, NAME = tests/NAME_test.sh).
set -u
only=""
if [ "${1:-}" = "--only" ]; then only=",$2,"; fi
wanted() { [ -z "$only" ] || case "$only" in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
BUILD=${BUILD:-build}
export BUILD CORPUS_DIR
. tests/jobs.sh
# unit too: some of its cases bound their wall time (limits_test, html_visibility_test).
JOBS_ALONE="fault hostile hostile_milter pg_failover postfix_paths postfix_senders unit"
# The longest suite starts first, so that the short ones fill in beside it; the lone ones last.
FIRST="deb"
total_pass=0
total_fail=0

add() { total_pass=$((total_pass + $1)); total_fail=$((total_fail + $2)); }

run_suite() {
    if [ "$1" = unit ]; then
        # shellcheck disable=SC2086
        (set -f; exec "$BUILD/unit_tests" ${UNIT_TEST_ARGS:-})
    else
        sh "tests/$1_test.sh"
    fi
}

# suite_done NAME RC SECONDS: its output, then its counts added.
suite_done() {
    out=$JOBS_DIR/$1.out
    [ "$1" = unit ] || echo "== tests/$1_test.sh"
    cat "$out"
    if [ "$1" = unit ]; then
        unit_counts "$out" "$2"
    else
        script_counts "$out" "$2" "tests/$1_test.sh"
    fi
    echo "== $1: $3 s"
}

# Catch2 v2 summary: "All tests passed (A assertions in N test cases)" or
# "test cases: N | P passed | F failed".
unit_counts() {
    summary=$(grep -E '^(All tests passed|test cases:)' "$1" | tail -n 1)
    case "$summary" in
    "All tests passed"*)
        p=$(echo "$summary" | sed -E 's/.* in ([0-9]+) test case.*/\1/')
        f=0 ;;
    "test cases:"*)
        p=$(echo "$summary" | sed -E 's/.*\| *([0-9]+) passed.*/\1/')
        f=$(echo "$summary" | sed -E 's/.*\| *([0-9]+) failed.*/\1/')
        case "$p" in *[!0-9]*|'') p=0 ;; esac
        case "$f" in *[!0-9]*|'') f=1 ;; esac ;;
    *)
        echo "unit_tests: no summary (exit $2)"; add 0 1; return ;;
    esac
    add "$p" "$f"
    [ "$2" -ne 0 ] && [ "$f" -eq 0 ] && add 0 1
}

script_counts() {
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
    if [ -z "$last" ]; then
        echo "$3: no summary line (exit $2)"; add 0 1; return
    fi
    p=${last%% passed*}
    f=$(echo "$last" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    add "$p" "$f"
    [ "$2" -ne 0 ] && [ "$f" -eq 0 ] && add 0 1
}

all="unit $(for s in tests/*_test.sh; do [ -f "$s" ] && printf '%s ' "$(basename "$s" _test.sh)"; done)"
alone() { case " $JOBS_ALONE " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
suites=""
for name in $FIRST $all; do  # FIRST, then the others, each once and only if it exists
    case " $suites " in *" $name "*) continue ;; esac
    case " $all " in *" $name "*) wanted "$name" && ! alone "$name" && suites="$suites $name" ;; esac
done
for name in $all; do alone "$name" && wanted "$name" && suites="$suites $name"; done
# shellcheck disable=SC2086
run_jobs "${CHECK_JOBS:-2}" run_suite suite_done $suites

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
