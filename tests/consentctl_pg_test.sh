#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# consentctl's whole test (tests/consentctl_test.sh) on PostgreSQL: a private server started
# here (initdb as nobody, Unix socket in a temp dir, no TCP), stopped and removed afterwards.
. tests/lib.sh
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$BIN" ]; then
    fail "PostgreSQL server binaries" "none under /usr/lib/postgresql (install postgresql)"
    finish
    exit 1
fi
P=$(mktemp -d)
chown nobody "$P"
PORT=$((55000 + $$ % 1000))
pg() { runuser -u nobody -- "$@"; }
cleanup() {
    pg "$BIN/pg_ctl" -D "$P/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$P"
}
trap cleanup EXIT
pg "$BIN/initdb" -D "$P/data" -U postgres -A trust --no-sync >"$P/initdb.log" 2>&1 ||
    { fail "initdb" "$(tail -n 3 "$P/initdb.log")"; finish; exit 1; }
pg "$BIN/pg_ctl" -w -D "$P/data" -l "$P/server.log" \
    -o "-k $P -p $PORT -c listen_addresses='' -c fsync=off" start >/dev/null 2>&1 ||
    { fail "pg_ctl start" "$(tail -n 3 "$P/server.log")"; finish; exit 1; }
pg "$BIN/psql" -q -h "$P" -p "$PORT" -U postgres -c "CREATE DATABASE consentctl_test" postgres >/dev/null ||
    { fail "create database" "psql failed"; finish; exit 1; }

CONSENTCTL_TEST_DB="postgresql://postgres@/consentctl_test?host=$P&port=$PORT" sh tests/consentctl_test.sh
