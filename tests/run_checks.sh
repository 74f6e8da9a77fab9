#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every test suite and ends with the one line CI reads: "N passed, M failed".
#   - build/unit_tests (Catch2): counted by test case
#   - tests/*_test.sh: each prints its own "N passed, M failed" as its last line
# Environment: BUILD (build directory), CORPUS_DIR (the shared corpus), UNIT_TEST_ARGS (a
# Catch2 test spec for build/unit_tests, e.g. '~[pg]' as `make check-unit` passes).
# `--only unit,cli,...` runs just those suites (unit = the Catch2 binary, NAME = tests/NAME_test.sh).
set -u
only=""
if [ "${1:-}" = "--only" ]; then only=",$2,"; fi
wanted() { [ -z "$only" ] || case "$only" in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
BUILD=${BUILD:-build}
export BUILD CORPUS_DIR
total_pass=0
total_fail=0

add() { total_pass=$((total_pass + $1)); total_fail=$((total_fail + $2)); }

run_unit_tests() {
    # Catch2 v2 summary: "All tests passed (A assertions in N test cases)" or
    # "test cases: N | P passed | F failed".
    out=$(mktemp)
    # shellcheck disable=SC2086
    (set -f; exec "$BUILD/unit_tests" ${UNIT_TEST_ARGS:-}) >"$out" 2>&1
    rc=$?
    cat "$out"
    summary=$(grep -E '^(All tests passed|test cases:)' "$out" | tail -n 1)
    rm -f "$out"
    case "$summary" in
    "All tests passed"*)
        n=$(echo "$summary" | sed -E 's/.* in ([0-9]+) test case.*/\1/')
        add "$n" 0 ;;
    "test cases:"*)
        p=$(echo "$summary" | sed -E 's/.*\| *([0-9]+) passed.*/\1/')
        f=$(echo "$summary" | sed -E 's/.*\| *([0-9]+) failed.*/\1/')
        case "$p" in *[!0-9]*|'') p=0 ;; esac
        case "$f" in *[!0-9]*|'') f=1 ;; esac
        add "$p" "$f" ;;
    *)
        echo "unit_tests: no summary (exit $rc)"; add 0 1 ;;
    esac
    [ "$rc" -ne 0 ] && [ "$total_fail" -eq 0 ] && add 0 1
}
wanted unit && run_unit_tests

for script in tests/*_test.sh; do
    [ -f "$script" ] || continue
    name=${script#tests/}
    wanted "${name%_test.sh}" || continue
    echo "== $script"
    out=$(mktemp)
    sh "$script" >"$out" 2>&1
    rc=$?
    cat "$out"
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    rm -f "$out"
    if [ -z "$last" ]; then
        echo "$script: no summary line (exit $rc)"; add 0 1; continue
    fi
    p=${last%% passed*}
    f=$(echo "$last" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    add "$p" "$f"
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && add 0 1
done

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
