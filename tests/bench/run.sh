#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make bench` (issue 5): every benchmark in one run, each figure beside a baseline measured in
# the same run. Not part of `make check`.
#   1. library: bench_evaluate (parse + evaluate vs GMime parse alone), interleaved rounds
#   2. consent lookups: bench_consent on a cached 1-million-record SQLite store, and CSV
#      import rows/s through consentctl (BENCH_CSV_ROWS [200000])
#   3. end to end + memory: e2e.sh (private Postfix, smtp-source, smtp-sink; needs root)
# Variables: BUILD, CORPUS_DIR, BENCH_ROUNDS [3], BENCH_MESSAGES [5000; the figure is
# 20000], BENCH_SESSIONS [20], BENCH_RECORDS [1000000], BENCH_SKIP_E2E=1, and those of e2e.sh
# (BENCH_CONFIGS="i ii iii iv v" adds the tag-header runs on a unix vs an inet socket).
set -u
BUILD=${BUILD:-build}
CORPUS_DIR=${CORPUS_DIR:-../shared/corpus/public}
ROUNDS=${BENCH_ROUNDS:-3}
MESSAGES=${BENCH_MESSAGES:-5000}
SESSIONS=${BENCH_SESSIONS:-20}
RECORDS=${BENCH_RECORDS:-1000000}
DB=$BUILD/bench/consent-$RECORDS.db
export BUILD BENCH_ROUNDS=$ROUNDS BENCH_MESSAGES=$MESSAGES BENCH_SESSIONS=$SESSIONS BENCH_DB=$DB
status=0

echo "consent-milter benchmarks: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(a shared machine: the ratios, measured side by side, matter more than the absolute rates)"
echo

# Largest real newsletter in the corpus (the issue names it; taken by size, not by name).
largest=$(ls -S "$CORPUS_DIR"/*.eml 2>/dev/null | head -n 1)
"$BUILD/bench/bench_evaluate" --rounds "$ROUNDS" ${largest:+--corpus "$largest"} || status=1
echo

"$BUILD/bench/bench_consent" --db "$DB" --records "$RECORDS" --rounds "$ROUNDS" || status=1
echo

# CSV import through consentctl (both streaming passes), against writing the same CSV file.
CSV_ROWS=${BENCH_CSV_ROWS:-200000}
csv_dir=$BUILD/bench/csv
rm -rf "$csv_dir"
mkdir -p "$csv_dir"
t0=$(date +%s.%N)
awk -v n="$CSV_ROWS" 'BEGIN {
    print "scope,address,status,method,source,ip,granted_at,confirmed_at,revoked_at"
    for (i = 0; i < n; i++)
        printf "shop%d.example,r%d@example.net,confirmed,double-opt-in,bench,192.0.2.1,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,\n", i % 50, i
}' >"$csv_dir/rows.csv"
t1=$(date +%s.%N)
"$BUILD/consentctl" -d "sqlite:$(pwd)/$csv_dir/import.db" import "$csv_dir/rows.csv" >/dev/null || status=1
t2=$(date +%s.%N)
awk -v n="$CSV_ROWS" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
    w = t1 - t0; i = t2 - t1
    printf "# CSV import: %d rows\n%-34s %12.0f rows/s\n%-34s %12.0f rows/s   ratio %.3f\n", n,
        "baseline: writing the CSV (awk)", n / w, "consentctl import (SQLite)", n / i, (n / i) / (n / w)
}'
rm -rf "$csv_dir"
echo

if [ -n "${BENCH_SKIP_E2E:-}" ]; then
    echo "# end to end: skipped (BENCH_SKIP_E2E)"
    exit $status
fi
out=$BUILD/bench/e2e.out
sh tests/bench/e2e.sh >"$out"
rc=$?
if [ $rc -eq 2 ]; then exit $status; fi
[ $rc -eq 0 ] || status=1

# Medians per configuration; ratios against i (no milter) and ii (null milter).
echo "# End to end: $SESSIONS smtp-source sessions, $MESSAGES messages of the 59 KB newsletter per configuration and round,"
echo "# medians of $ROUNDS interleaved rounds; accepted = messages / smtp-source wall time; delivered = status=sent in the log"
awk -F'\t' -v expect="$MESSAGES" '
# The issue 15 targets on one rate (accepted: smtp-source wall time; delivered: queue drained).
function target(what, rate, base_i, base_ii,   a) {
    a = median(rate["iii:consent-milter"])
    printf "target (%s): consent-milter >= 0.90 x null milter: %s (%.2f); >= 0.60 x no milter: %s (%.2f)\n", what,
        (a >= 0.9 * base_ii) ? "MET" : "NOT MET", a / base_ii, (a >= 0.6 * base_i) ? "MET" : "NOT MET", a / base_i
}
function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 == "E2E" && $2 !~ /^big/ {
    acc[$2] = acc[$2] " " $4 / $5; del[$2] = del[$2] " " $4 / $6; cpu[$2] = cpu[$2] " " $9; mcpu[$2] = mcpu[$2] " " $10
    got[$2] += $7; sent[$2] += $4; ver[$2] += $8
    if (!($2 in seen)) { order[++n] = $2; seen[$2] = 1 }
}
END {
    base_i = median(acc["i:no-milter"]); base_ii = median(acc["ii:null-milter"])
    printf "%-20s %14s %9s %10s %16s %18s %9s %14s %13s\n", "configuration", "accepted msg/s", "ratio/i", "ratio/ii", "delivered msg/s", "delivered/sent", "verdicts", "machine ms/msg", "milter ms/msg"
    print "-----------------------------------------------------------------------------------------------------------------------------------"
    for (k = 1; k <= n; k++) {
        c = order[k]; a = median(acc[c])
        printf "%-20s %14.0f %9.2f %10s %16.0f %18s %9s %14.2f %13s\n", c, a, base_i ? a / base_i : 0,
            base_ii ? sprintf("%.2f", a / base_ii) : "-", median(del[c]), got[c] "/" sent[c], c ~ /consent/ ? ver[c] : "-",
            median(cpu[c]), c ~ /^i:/ ? "-" : sprintf("%.2f", median(mcpu[c]))
    }
    print "(machine ms/msg: CPU time of all processes per message, smtp-source and smtp-sink included)"
    if (("iv:tag-unix" in seen) && ("v:tag-inet" in seen))
        printf "\ntag header added before the final reply: inet socket / unix socket = %.2f (TCP_NODELAY trap when well below 1)\n",
            median(acc["v:tag-inet"]) / median(acc["iv:tag-unix"])
    if (base_i && base_ii && ("iii:consent-milter" in seen)) {
        print ""
        target("accepted", acc, base_i, base_ii)
        target("delivered", del, median(del["i:no-milter"]), median(del["ii:null-milter"]))
    }
}' "$out"
echo
echo "# Memory (kB, from /proc/PID/status)"
awk -F'\t' '$1 == "MEM" { printf "%-62s VmRSS %8s   VmHWM %8s\n", $2, $3, $4 }' "$out"
awk -F'\t' '$1 == "E2E" && $2 ~ /^big/ { printf "(big messages: %s sent, %s delivered, %s verdicts, %.1f s)\n", $4, $7, $8, $6 }' "$out"
# Targets: no RSS growth across rounds; big messages under BIG_COUNT x MaxScanSize + 32 MB.
awk -F'\t' -v scan_kb=4096 '
$1 == "MEM" && $2 ~ /^consent-milter after [0-9]+ messages/ { if (first == "") { first = $3; first_n = $2 } last = $3; last_n = $2 }
$1 == "MEM" && $2 ~ /concurrent/ { split($2, w, " "); big_n = w[3]; big_hwm = $4 }
END {
    if (first != "")
        printf "target: no RSS growth: %s (%s kB %s -> %s kB %s, %+.1f%%)\n", (last <= first * 1.05) ? "MET" : "NOT MET",
            first, substr(first_n, 16), last, substr(last_n, 16), (last - first) * 100 / first
    if (big_n != "") {
        limit = big_n * scan_kb + 32768
        printf "target: %d concurrent big messages under %d x MaxScanSize (4 MiB) + 32 MB = %d kB: %s (VmHWM %d kB)\n",
            big_n, big_n, limit, (big_hwm <= limit) ? "MET" : "NOT MET", big_hwm
    }
}' "$out"

# Fleet (issue 15): milters on one private PostgreSQL driven by milter_load; only when asked
# for with BENCH_FLEET=1 (needs root; FLEET_* variables in tests/bench/fleet.sh). It follows
# the end-to-end part (BENCH_SKIP_E2E skips both); `sh tests/bench/fleet.sh` runs it alone.
if [ -n "${BENCH_FLEET:-}" ]; then
    echo
    sh tests/bench/fleet.sh || status=1
fi
exit $status
