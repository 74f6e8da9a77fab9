#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs each libFuzzer target named on the command line for FUZZ_SECONDS, FUZZ_JOBS [2] at a
# time (tests/jobs.sh), on seeds made from tests/data and the shared corpus
# (tests/fuzz/make_seeds.py). The growing
# corpus stays in $BUILD-fuzz/corpus/<target> (not committed); a crash leaves its input in
# $BUILD-fuzz/artifacts/. Prints ok/not ok per target and the final "N passed, M failed".
# Environment: BUILD [build], CORPUS_DIR (the shared corpus), FUZZ_SECONDS [60],
# FUZZ_MAX_LEN [65536] (bytes per generated input; larger inputs cut the rate of runs).
set -u
. tests/lib.sh
. tests/jobs.sh
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_DIR=$BUILD-fuzz
seeds=$FUZZ_DIR/seeds
rm -rf "$seeds"
python3 tests/fuzz/make_seeds.py "$seeds" tests/data packaging ${CORPUS_DIR:+"$CORPUS_DIR"} || exit 1
mkdir -p "$FUZZ_DIR/artifacts"
# Leaks are findings too; UBSan reports abort so that libFuzzer records them.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
fuzz_one() {
    mkdir -p "$FUZZ_DIR/corpus/$1" "$seeds/$1"
    "$FUZZ_DIR/$1" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -max_len="${FUZZ_MAX_LEN:-65536}" -print_final_stats=1 \
        -artifact_prefix="$FUZZ_DIR/artifacts/$1-" \
        "$FUZZ_DIR/corpus/$1" "$seeds/$1" >"$FUZZ_DIR/$1.log" 2>&1
}
fuzz_done() {
    log=$FUZZ_DIR/$1.log
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if [ "$2" -eq 0 ]; then
        pass "$1: ${3}s, ${runs:-?} runs, no finding"
    else
        fail "$1" "exit $2 after ${3}s; see $log"
        grep -E 'ERROR|runtime error|Test unit written' "$log" | head -n 5
    fi
}
run_jobs "${FUZZ_JOBS:-2}" fuzz_one fuzz_done "$@"
finish
