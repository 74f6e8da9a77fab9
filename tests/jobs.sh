# SPDX-License-Identifier: Apache-2.0
# run_jobs MAX RUN DONE ITEM... - runs `RUN ITEM` for each ITEM, at most MAX at a time, each
# in the background with its stdout and stderr in "$JOBS_DIR/ITEM.out"; as each ends, calls
# `DONE ITEM RC SECONDS` in the calling shell (so DONE may count), in the order they end.
# An ITEM listed in JOBS_ALONE (space-separated) runs with no other item beside it.
# Waits on a FIFO, no polling. Sourced by tests/run_checks.sh and tests/fuzz/run_fuzz.sh (POSIX sh).
run_jobs() {
    jobs_max=$1 jobs_run=$2 jobs_done=$3
    shift 3
    JOBS_DIR=$(mktemp -d)
    mkfifo "$JOBS_DIR/.ended"
    exec 8<>"$JOBS_DIR/.ended"
    jobs_running=0
    jobs_alone_running=""
    for jobs_item in "$@"; do
        jobs_alone=""
        case " ${JOBS_ALONE:-} " in *" $jobs_item "*) jobs_alone=1 ;; esac
        # A lone item waits for every running one; any item waits while a lone one runs.
        while [ "$jobs_running" -ge "$jobs_max" ] || [ -n "$jobs_alone_running" ] ||
              { [ -n "$jobs_alone" ] && [ "$jobs_running" -gt 0 ]; }; do
            jobs_reap
        done
        [ -n "$jobs_alone" ] && jobs_alone_running=$jobs_item
        (
            exec 9>&8 8>&-
            started=$(date +%s)
            "$jobs_run" "$jobs_item" >"$JOBS_DIR/$jobs_item.out" 2>&1 </dev/null 9>&-
            echo "$jobs_item $? $(( $(date +%s) - started ))" >&9
        ) &
        jobs_running=$((jobs_running + 1))
    done
    while [ "$jobs_running" -gt 0 ]; do jobs_reap; done
    wait
    exec 8<&-
    rm -rf "$JOBS_DIR"
}

# One ended job: its line from the FIFO, then DONE.
jobs_reap() {
    read -r jobs_ended jobs_rc jobs_secs <&8
    jobs_running=$((jobs_running - 1))
    [ "$jobs_ended" = "$jobs_alone_running" ] && jobs_alone_running=""
    "$jobs_done" "$jobs_ended" "$jobs_rc" "$jobs_secs"
}
