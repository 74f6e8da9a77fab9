#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fleet benchmark (issue 15): consent-milter processes standing for MTAs on one PostgreSQL,
# driven by milter_load (tests/bench/milter_load.cpp, one client per milter) without Postfix.
#   1. a private PostgreSQL (initdb as nobody, unix socket in a temp dir) holding FLEET_RECORDS
#      confirmed records "<n>rcpt@example.net" for shop.example, seeded with one INSERT
#   2. per cache setting (ConsentCacheTTL 0: every message is a query; then the default TTL)
#      and per round: 1 milter alone (the baseline), then FLEET_MILTERS milters at once, each
#      with its own config, socket and pid file, each asking its own slice of the store
#   3. reported per run: lookups/s (messages x recipients), p99 latency, fleet / baseline,
#      transactions/s (pg_stat_database xact_commit), traffic rows written/s
#      (pg_stat_user_tables), PostgreSQL connections (pg_stat_activity, peak of 1 s samples)
#      against milters x (pool 4 + 1)
#   4. during the last cached fleet run: FLEET_SAMPLES `consentctl revoke`s of recorded
#      addresses, ms from consentctl's start to each milter's "lookup cache flushed at T" line
# FLEET_RSS=1 instead runs the memory check: one milter on a SQLite store of
# FLEET_RSS_RECORDS records, FLEET_RSS_MESSAGES (1,000,000) newsletters of 59 KB, VmRSS read
# every 100,000; target: the last sample within 5 % of the one at 100,000. FLEET_RSS_HEAP=1 adds
# the bytes in use at each sample (needs gdb; includes the lookup cache, ~TTL x lookup rate).
# Variables: BUILD, FLEET_RECORDS [1000000], FLEET_MILTERS [8], FLEET_MESSAGES (per milter and
# run) [20000], FLEET_CONNECTIONS (per milter) [4], FLEET_RCPTS (per message) [10],
# FLEET_ROUNDS [2], FLEET_SAMPLES [5], FLEET_MESSAGE (file) [the 2 KB
# tests/postfix/messages/compliant.eml], FLEET_RSS_RECORDS [100000], FLEET_RSS_MESSAGES, FLEET_RSS_HEAP,
# KEEP_T=1. Needs root (PostgreSQL runs as nobody) and the PostgreSQL server binaries.
set -u
BUILD=${BUILD:-build}
RECORDS=${FLEET_RECORDS:-1000000}
MILTERS=${FLEET_MILTERS:-8}
MESSAGES=${FLEET_MESSAGES:-20000}
CONNS=${FLEET_CONNECTIONS:-4}
RCPTS=${FLEET_RCPTS:-10}
ROUNDS=${FLEET_ROUNDS:-2}
SAMPLES=${FLEET_SAMPLES:-5}
POOL=4  # OpenOptions::pool_size (lib/consent/consent_db.h), not configurable
CM=$BUILD/consent-milter
CTL=$BUILD/consentctl
LOAD=$BUILD/bench/milter_load
PIDS=""
PG_STARTED=""

say() { echo "# $*"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }

for f in "$CM" "$CTL" "$LOAD" "$BUILD/bench/bench_evaluate"; do
    [ -x "$f" ] || { say "fleet: missing $f (make all bench programs first)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { say "fleet: skipped (needs root: PostgreSQL runs as nobody)"; exit 2; }

T=$(mktemp -d /tmp/cm-fleet.XXXXXX)
chmod 755 "$T"
stop_milters() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    PIDS=""
}
cleanup() {
    stop_milters
    [ -n "$PG_STARTED" ] && runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$T/pg/data" -m fast stop >/dev/null 2>&1
    if [ -n "${KEEP_T:-}" ]; then say "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# start_milter NAME CONF-LINES...: a foreground consent-milter on $T/NAME.sock, log $T/NAME.log.
start_milter() {
    name=$1; shift
    { echo "Socket local:$T/$name.sock"; echo "Background no"; echo "Syslog no"; echo "Mode enforce"
      echo "PidFile $T/$name.pid"; for line in "$@"; do echo "$line"; done; } >"$T/$name.conf"
    rm -f "$T/$name.sock"
    "$CM" -f -c "$T/$name.conf" >>"$T/$name.log" 2>&1 &
    PIDS="$PIDS $!"
    i=0
    until [ -S "$T/$name.sock" ]; do
        i=$((i + 1))
        [ $i -gt 100 ] && { say "$name did not start:"; tail -n 5 "$T/$name.log"; exit 1; }
        sleep 0.1
    done
}

rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
# glibc malloc arenas besides the main heap: anonymous mappings starting on a 64 MiB boundary.
arenas() { grep -c '^[0-9a-f]*[048c]000000-[0-9a-f]* rw-p 00000000 00:00 0 *$' "/proc/$1/maps"; }
# heap_kb PID LOG: the bytes malloc has handed out and not got back (all arenas and mmapped
# chunks), in kB: gdb makes the process call malloc_stats(), which writes to its stderr (LOG).
# Growth here is a leak; RSS growth without it is memory the allocator keeps after free.
heap_kb() {
    gdb -p "$1" -batch -ex 'call (void) malloc_stats()' >/dev/null 2>&1 || { echo -; return; }
    awk '/^Total \(incl. mmap\):/ { t = 1; next } t && /in use bytes/ { kb = int($NF / 1024); t = 0 } END { print kb }' "$2"
}

# ---------------------------------------------------------------- FLEET_RSS=1: memory only
if [ -n "${FLEET_RSS:-}" ]; then
    RSS_RECORDS=${FLEET_RSS_RECORDS:-100000}
    RSS_MESSAGES=${FLEET_RSS_MESSAGES:-1000000}
    STEP=100000
    "$BUILD/bench/bench_evaluate" --write-newsletter "$T/newsletter.eml" news@shop.example reader@example.net || exit 1
    awk -v n="$RSS_RECORDS" 'BEGIN {
        print "scope,address,status,method,source,ip,granted_at,confirmed_at,revoked_at"
        for (i = 0; i < n; i++)
            printf "shop.example,%drcpt@example.net,confirmed,double-opt-in,bench,192.0.2.1,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,\n", i
    }' >"$T/rows.csv"
    "$CTL" -d "sqlite:$T/rss.db" import "$T/rows.csv" >/dev/null || { say "import failed"; exit 1; }
    start_milter rss "ConsentDatabase sqlite:$T/rss.db"
    pid=$(cat "$T/rss.pid")
    say "RSS: one consent-milter (SQLite, $RSS_RECORDS records), $RSS_MESSAGES newsletters of $(wc -c <"$T/newsletter.eml") bytes, 4 connections; load $(load)"
    printf '%10s %10s %10s %10s %10s %8s %7s %s\n' messages "VmRSS kB" "vs first" "heap kB" "msgs/s" lost arenas "load"
    sent=0 first=""
    while [ $sent -lt "$RSS_MESSAGES" ]; do
        "$LOAD" --socket "$T/rss.sock" --message "$T/newsletter.eml" --messages $STEP --connections 4 \
            --per-connection 1000 --first $sent --range "$RSS_RECORDS" >"$T/load.out" 2>&1
        [ $? -le 1 ] || { cat "$T/load.out"; exit 1; }
        sent=$((sent + STEP))
        kb=$(rss_kb "$pid")
        heap=-
        [ -n "${FLEET_RSS_HEAP:-}" ] && heap=$(heap_kb "$pid" "$T/rss.log")
        [ -n "$first" ] || first=$kb
        awk -v n=$sent -v kb="$kb" -v f="$first" -v l="$(load)" -v a="$(arenas "$pid")" -v h="$heap" -F'\t' '$1 == "RESULT" {
            split($4, r, "="); split($10, x, "=")
            printf "%10d %10d %+9.1f%% %10s %10.0f %8d %7d %s\n", n, kb, (kb - f) * 100 / f, h, r[2], x[2], a, l }' "$T/load.out"
    done
    awk -v kb="$kb" -v f="$first" 'BEGIN { printf "target: RSS flat within 5%% of the sample at 100,000: %s (%+.1f%%)\n",
        (kb <= f * 1.05 && kb >= f * 0.95) ? "MET" : "NOT MET", (kb - f) * 100 / f }'
    exit 0
fi

# ---------------------------------------------------------------- PostgreSQL fleet
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$PG_BIN" ] || { say "fleet: no PostgreSQL server binaries under /usr/lib/postgresql"; exit 1; }
MESSAGE_FILE=${FLEET_MESSAGE:-}
if [ -z "$MESSAGE_FILE" ]; then
    sed 's/@ID@/fleet/' tests/postfix/messages/compliant.eml >"$T/message.eml"
    MESSAGE_FILE=$T/message.eml
fi
mkdir "$T/pg" && chown nobody "$T/pg"
PG_PORT=$((56000 + $$ % 1000))
runuser -u nobody -- "$PG_BIN/initdb" -D "$T/pg/data" -U postgres -A trust --no-sync >"$T/initdb.log" 2>&1 ||
    { tail -n 3 "$T/initdb.log"; exit 1; }
runuser -u nobody -- "$PG_BIN/pg_ctl" -w -D "$T/pg/data" -l "$T/pg/server.log" \
    -o "-k $T/pg -p $PG_PORT -c listen_addresses=''" start >/dev/null 2>&1 || { tail -n 3 "$T/pg/server.log"; exit 1; }
PG_STARTED=1
PSQL="$PG_BIN/psql -X -q -A -t -h $T/pg -p $PG_PORT -U postgres"
$PSQL -c "CREATE DATABASE consent" postgres >/dev/null || exit 1
URI="postgresql://postgres@/consent?host=$T/pg&port=$PG_PORT"
"$CTL" -d "$URI" init >/dev/null || { say "consentctl init failed"; exit 1; }
t0=$(now)
$PSQL -c "INSERT INTO consent (scope, address, status, method, source, ip, granted_at, confirmed_at)
          SELECT 'shop.example', n || 'rcpt@example.net', 'confirmed', 'double-opt-in', 'bench', '192.0.2.1',
                 1704067200, 1704067800 FROM generate_series(0, $RECORDS - 1) AS n" consent >/dev/null || exit 1
$PSQL -c "VACUUM ANALYZE consent" consent >/dev/null || exit 1
say "PostgreSQL $($PSQL -c 'SHOW server_version' consent): $RECORDS records seeded in $(echo "$t0 $(now)" | awk '{printf "%.1f", $2 - $1}') s;" \
    "max_connections $($PSQL -c 'SHOW max_connections' consent), shared_buffers $($PSQL -c 'SHOW shared_buffers' consent)," \
    "database $($PSQL -c "SELECT pg_size_pretty(pg_database_size('consent'))" consent)"
say "$(nproc) cores, load $(load); message $(wc -c <"$MESSAGE_FILE") bytes, $RCPTS recipients each," \
    "$MESSAGES messages per milter and run, $CONNS connections per milter"

xacts() { $PSQL -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'consent'" consent; }
traffic_rows() { $PSQL -c "SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname = 'traffic'" consent; }
backends() { $PSQL -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'consent' AND backend_type = 'client backend' AND pid <> pg_backend_pid()" consent; }
flushes() { grep -c 'lookup cache flushed at' "$1"; }

# all_flushed "COUNTS": yes when milter m's log has more flushes than word m of COUNTS, for all m.
all_flushed() {
    set -- $1
    for m in $(seq 1 "$MILTERS"); do [ "$(flushes "$T/m$m.log")" -gt "$1" ] || { echo no; return; }; shift; done
    echo yes
}

# revoke_samples: while the fleet runs, revokes FLEET_SAMPLES recorded addresses (each 1 s
# after the last flush of the one before) and appends, per milter, the ms from consentctl's
# start to its flush to $T/propagation.
revoke_samples() {
    sleep 2
    for s in $(seq 1 "$SAMPLES"); do
        before=""
        for m in $(seq 1 "$MILTERS"); do before="$before $(flushes "$T/m$m.log")"; done
        t_start=$(now)
        "$CTL" -d "$URI" revoke shop.example "$((RECORDS - s))rcpt@example.net" >/dev/null 2>&1
        i=0  # up to 5 s for every milter's flush, then 1 s apart
        while [ $i -lt 50 ] && [ "$(all_flushed "$before")" != yes ]; do sleep 0.1; i=$((i + 1)); done
        sleep 1
        set -- $before
        for m in $(seq 1 "$MILTERS"); do
            at=$(grep -o 'lookup cache flushed at [0-9.]*' "$T/m$m.log" | sed -n "$(($1 + 1))p" | awk '{print $NF}')
            echo "$s m$m ${at:+$(echo "$t_start $at" | awk '{printf "%.0f", ($2 - $1) * 1000}')}" >>"$T/propagation"
            shift
        done
    done
}

# run LABEL N TTL: N milters (m1..mN) with ConsentCacheTTL TTL, one milter_load each, at
# once; prints one table row.
run() {
    label=$1 n=$2 ttl=$3
    for m in $(seq 1 "$n"); do
        start_milter "m$m" "ConsentDatabase \"$URI\"" ${ttl:+"ConsentCacheTTL $ttl"} "LogLevel debug"
    done
    slice=$((RECORDS / MILTERS))
    x0=$(xacts) r0=$(traffic_rows) l0=$(load) t0=$(now)
    loaders=""
    for m in $(seq 1 "$n"); do
        "$LOAD" --socket "$T/m$m.sock" --message "$MESSAGE_FILE" --messages "$MESSAGES" --connections "$CONNS" \
            --per-connection 1000 --rcpts "$RCPTS" --first $(((m - 1) * slice)) --range "$slice" \
            >"$T/load-m$m.out" 2>&1 &
        loaders="$loaders $!"
    done
    sampler=""
    if [ -n "${PROPAGATION:-}" ]; then revoke_samples & sampler=$!; fi
    peak=0
    alive=1
    while [ -n "$alive" ]; do
        b=$(backends); [ "$b" -gt "$peak" ] && peak=$b
        sleep 1
        alive=""
        for p in $loaders; do kill -0 "$p" 2>/dev/null && alive=1; done
    done
    wait $loaders
    t1=$(now)
    [ -n "$sampler" ] && wait "$sampler"
    stop_milters  # (the statistics are complete once the backends exit; counted with the counters each milter writes at stop)
    x1=$(xacts) r1=$(traffic_rows)
    cat "$T"/load-m*.out >>"$T/load-all.out"
    awk -F'\t' -v label="$label" -v n="$n" -v rcpts="$RCPTS" -v secs="$(echo "$t0 $t1" | awk '{print $2 - $1}')" \
        -v xa=$((x1 - x0)) -v rows=$((r1 - r0)) -v peak="$peak" -v pool=$POOL -v l0="$l0" -v l1="$(load)" '
    $1 == "RESULT" {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        msgs += v["messages"]; lost += v["lost"]; if (v["p99_ms"] > p99) p99 = v["p99_ms"]
        if (v["max_ms"] > max) max = v["max_ms"]; ok += v["continue"] + v["accept"]
    }
    END {
        printf "%-22s %7d %10.0f %10.0f %9.2f %9.2f %9.0f %9.1f %6s %7d %8d  %s -> %s\n", label, n, msgs / secs,
            msgs * rcpts / secs, p99, max, xa / secs, rows / secs, peak "/" n * (pool + 1), msgs - ok, lost, l0, l1
        printf "%s\t%d\t%.1f\n", ttl, n, msgs * rcpts / secs >>rates
    }' ttl="${ttl:-default}" rates="$T/rates" "$T"/load-m[0-9]*.out
    rm -f "$T"/load-m[0-9]*.out
}

header() {
    printf '%-22s %7s %10s %10s %9s %9s %9s %9s %6s %7s %8s  %s\n' run milters "msgs/s" "lookups/s" "p99 ms" \
        "max ms" "xact/s" "traffic" "conns" "!accept" lost "load before -> after"
}
header
for ttl in 0 ""; do
    for round in $(seq 1 "$ROUNDS"); do
        setting="TTL ${ttl:-30 (default)}"
        run "$setting, 1" 1 "$ttl"
        [ -z "$ttl" ] && [ "$round" = "$ROUNDS" ] && PROPAGATION=1
        run "$setting, $MILTERS" "$MILTERS" "$ttl"
        PROPAGATION=""
    done
done
echo "(traffic: rows of the traffic table inserted or updated per second;"
echo " conns: peak client backends / milters x (pool $POOL + 1);"
echo " p99, max: the highest of the milters' latencies, MAIL to final reply;"
echo " !accept: final replies other than accept/continue; lookups = messages x $RCPTS recipients)"
awk -F'\t' '$2 == 1 { base[$1] += $3; nb[$1]++ } $2 > 1 { fleet[$1] += $3; nf[$1]++; n = $2 }
    END { for (k in base) if (nf[k] && base[k])
        printf "ConsentCacheTTL %s: %d milters / 1 milter, lookups/s (mean of rounds) = %.2f\n", k, n,
            (fleet[k] / nf[k]) / (base[k] / nb[k]) }' "$T/rates"
if [ -s "$T/propagation" ]; then
    awk '$3 != "" { print $3 }' "$T/propagation" | sort -n | awk -v n="$MILTERS" -v s="$SAMPLES" '{ v[NR] = $1 }
        END { if (NR) printf "revoke under load -> cache flush, from consentctl start: %d samples (%d revokes x %d milters)," \
                             " median %d ms, max %d ms\n", NR, s, n, v[int((NR + 1) / 2)], v[NR] }'
    missing=$(awk '$3 == ""' "$T/propagation" | wc -l)
    [ "$missing" -eq 0 ] || say "$missing flushes not seen within 5 s"
fi
if grep -q '^LOST' "$T/load-all.out"; then say "LOST messages:"; grep '^LOST' "$T/load-all.out"; exit 1; fi
