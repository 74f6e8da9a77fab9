#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# stores.sh - consent lookups/s on 10,000,000-record stores, SQLite and PostgreSQL (issue 15),
# each beside a 1,000,000-record store measured in the same rounds. Not part of `make check`.
#
#   make build/consentctl build/bench/bench_consent && BUILD=build sh tests/bench/stores.sh
#
# Builds each store once and caches it under $BUILD/bench: SQLite files consent-N.db through
# import_records (bench_consent), and a private PostgreSQL cluster in $BUILD/bench/pg (initdb as
# nobody when run as root; Unix socket only, no TCP), databases consent_N, filled by one
# server-side INSERT ... SELECT of the same rows and "import" history events that
# import_records writes (import_records through libpq is several times slower), then VACUUM
# (ANALYZE). The server is started here and stopped on exit. PostgreSQL "cold" = a restart
# (pg_ctl restart -m fast), then every file of the databases (data/base) dropped from the OS
# page cache; SQLite "cold" = the store's file dropped. Modes: tests/bench/bench_consent.cpp.
# Variables: BENCH_RECORDS [10000000], BENCH_BASELINE_RECORDS [1000000], BENCH_ROUNDS [2],
# BENCH_LOOKUPS [20000], BENCH_THREADS [1,4], BENCH_SHARED_BUFFERS [128MB, PostgreSQL's
# default], BENCH_STORES [sqlite pg].
set -u
BUILD=${BUILD:-build}
RECORDS=${BENCH_RECORDS:-10000000}
BASE=${BENCH_BASELINE_RECORDS:-1000000}
ROUNDS=${BENCH_ROUNDS:-2}
LOOKUPS=${BENCH_LOOKUPS:-20000}
THREADS=${BENCH_THREADS:-1,4}
SHARED_BUFFERS=${BENCH_SHARED_BUFFERS:-128MB}
STORES=${BENCH_STORES:-sqlite pg}
DIR=$(cd "$BUILD" && pwd)/bench
BENCH=$DIR/bench_consent
[ -x "$BENCH" ] || { echo "stores.sh: $BENCH missing (make $BUILD/bench/bench_consent)" >&2; exit 1; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

echo "consent store sizing: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
    "$(awk '/MemTotal/ {printf "%.1f GB RAM", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
status=0

# Runs bench_consent on the RECORDS store $1 beside the BASE store $2, interleaved; more options follow.
bench() {
    db=$1 base=$2
    shift 2
    "$BENCH" --db "$db" --records "$RECORDS" --baseline-db "$base" --baseline-records "$BASE" \
        --threads "$THREADS" --lookups "$LOOKUPS" --rounds "$ROUNDS" "$@" || status=1
}

for store in $STORES; do
    case $store in
    sqlite)
        echo
        echo "## SQLite"
        bench "sqlite:$DIR/consent-$RECORDS.db" "sqlite:$DIR/consent-$BASE.db"
        for n in "$BASE" "$RECORDS"; do
            echo "# size on disk, $n records: $(du -b "$DIR/consent-$n.db" | awk '{printf "%.1f MB", $1 / 1e6}')"
        done
        ;;
    pg)
        echo
        echo "## PostgreSQL (shared_buffers $SHARED_BUFFERS)"
        [ -n "$PG_BIN" ] || { echo "stores.sh: no /usr/lib/postgresql/*/bin" >&2; status=1; continue; }
        P=$DIR/pg
        PORT=$((56000 + $$ % 1000))
        mkdir -p "$P"
        as_server() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
        [ "$(id -u)" = 0 ] && chown nobody "$P"
        if [ ! -f "$P/data/PG_VERSION" ]; then
            rm -rf "$P/data"
            as_server "$PG_BIN/initdb" -D "$P/data" -U postgres -A trust >"$P/initdb.log" 2>&1 ||
                { echo "stores.sh: initdb failed: $(tail -n 3 "$P/initdb.log")" >&2; status=1; continue; }
        fi
        # A bulk import in one transaction: room for its WAL between checkpoints.
        as_server "$PG_BIN/pg_ctl" -w -D "$P/data" -l "$P/server.log" \
            -o "-k $P -p $PORT -c listen_addresses='' -c shared_buffers=$SHARED_BUFFERS -c max_wal_size=8GB" start >/dev/null ||
            { echo "stores.sh: pg_ctl start failed: $(tail -n 3 "$P/server.log")" >&2; status=1; continue; }
        trap 'as_server "$PG_BIN/pg_ctl" -D "$P/data" -m fast -w stop >/dev/null 2>&1' EXIT
        sql() { "$PG_BIN/psql" -X -q -A -t -h "$P" -p "$PORT" -U postgres -c "$1" postgres; }
        uri() { echo "postgresql://postgres@/consent_$1?host=$P&port=$PORT"; }
        # Built as consent_N_building, renamed when complete.
        for n in "$BASE" "$RECORDS"; do
            [ "$(sql "SELECT 1 FROM pg_database WHERE datname = 'consent_$n'")" = 1 ] && continue
            b=consent_${n}_building
            start=$(date +%s.%N)
            sql "DROP DATABASE IF EXISTS $b" && sql "CREATE DATABASE $b" &&
                "$BUILD/consentctl" -d "$(uri "${n}_building")" init >/dev/null &&
                "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$P" -p "$PORT" -U postgres "$b" -c "BEGIN;
INSERT INTO consent (scope, address, status, method, source, ip, granted_at, confirmed_at)
  SELECT 'shop.example', i || 'rcpt@example.net', 'confirmed', 'double-opt-in', 'https://shop.example/signup',
         '192.0.2.1', 1713081600, 1713082200 FROM generate_series(0, $n - 1) i;
INSERT INTO history (at, scope, address, event, detail)
  SELECT 1715673600, 'shop.example', i || 'rcpt@example.net', 'import', 'status=confirmed method=double-opt-in'
         || ' source=https://shop.example/signup ip=192.0.2.1 granted_at=1713081600 confirmed_at=1713082200'
  FROM generate_series(0, $n - 1) i;
COMMIT;" -c "VACUUM (ANALYZE)" && sql "ALTER DATABASE $b RENAME TO consent_$n" ||
                { echo "stores.sh: building consent_$n failed" >&2; status=1; continue 2; }
            echo "# store consent_$n: built, $n records in $(echo "$start $(date +%s.%N)" |
                awk '{printf "%.1f", $2 - $1}') s (INSERT ... SELECT, VACUUM ANALYZE), load $(cut -d' ' -f1-3 /proc/loadavg)"
        done
        bench "$(uri "$RECORDS")" "$(uri "$BASE")" --evict "$P/data/base" --cold-command \
            "$( [ "$(id -u)" = 0 ] && echo "runuser -u nobody -- ")$PG_BIN/pg_ctl -w -D $P/data -m fast restart >/dev/null"
        for n in "$BASE" "$RECORDS"; do
            echo "# size on disk, $n records: $(sql "SELECT round(pg_database_size('consent_$n') / 1e6, 1)") MB" \
                "(pg_database_size)"
        done
        as_server "$PG_BIN/pg_ctl" -D "$P/data" -m fast -w stop >/dev/null
        trap - EXIT
        ;;
    esac
done
echo
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
