#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# MetricsSocket: the real consent-milter with a metrics endpoint, mail driven through it by
# miltertest, and /metrics read over HTTP: the decisions are counted by verdict and reason,
# every series is there from the start, other paths are 404, and a port already taken stops
# the start with a clear error.
. tests/lib.sh
PATH=$PATH:/usr/sbin:/sbin
CM=$BUILD/consent-milter
T=$(mktemp -d /tmp/cm-metrics.XXXXXX)
MILTER_PID=""
cleanup() {
    [ -n "$MILTER_PID" ] && kill "$MILTER_PID" 2>/dev/null
    wait
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# get PATH: prints "STATUS BODY..." (the body on the following lines).
get() {
    python3 - "$PORT" "$1" <<'PY'
import sys, urllib.request, urllib.error
try:
    r = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{sys.argv[2]}", timeout=5)
    print(r.status, r.headers.get("Content-Type")); print(r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code)
except Exception as e:
    print("error", e)
PY
}

PORT=$(free_port)
printf 'Socket local:%s/m.sock\nBackground no\nSyslog no\nMetricsSocket inet:%s@127.0.0.1\n' "$T" "$PORT" >"$T/m.conf"
"$CM" -f -c "$T/m.conf" >"$T/m.log" 2>&1 &
MILTER_PID=$!
i=0
until [ -S "$T/m.sock" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done

out=$(get /metrics)
expect_contains "served before any mail, in the text format" "$out" "200 text/plain; version=0.0.4"
expect_contains "every verdict series from the start" "$out" 'consent_milter_messages_total{verdict="reject"} 0'

for lua in accept_compliant reject_reply; do
    MILTER_SOCK="$T/m.sock" MT_DIR=tests/miltertest MSG_DIR=tests/postfix/messages \
        timeout 60 miltertest -s "tests/miltertest/$lua.lua" >"$T/$lua.out" 2>&1 ||
        fail "$lua through the milter" "$(tail -n 2 "$T/$lua.out" | tr '\n' ' ')"
done
out=$(get /metrics)
expect_contains "accepted message counted" "$out" 'consent_milter_messages_total{verdict="accept"} 1'
expect_contains "rejected message counted" "$out" 'consent_milter_messages_total{verdict="reject"} 1'
expect_contains "its reason counted" "$out" 'consent_milter_reasons_total{reason="list_unsubscribe:missing"} 1'
expect_contains "nothing left in progress" "$out" 'consent_milter_messages_in_progress 0'
expect_contains "no store, no lookups" "$out" 'consent_milter_store_lookup_seconds_count 0'
expect_eq "other paths are 404" "$(get /other)" "404"

# A second milter on the same metrics port does not start, and says why.
printf 'Socket local:%s/n.sock\nBackground no\nSyslog no\nMetricsSocket inet:%s@127.0.0.1\n' "$T" "$PORT" >"$T/n.conf"
timeout 20 "$CM" -f -c "$T/n.conf" >"$T/n.log" 2>&1
expect_eq "port taken: exit 71" "$?" 71
expect_contains "port taken: the error names MetricsSocket" "$(cat "$T/n.log")" "MetricsSocket inet:$PORT@127.0.0.1: cannot listen"

kill "$MILTER_PID"
wait "$MILTER_PID"
expect_eq "stops cleanly with the endpoint open" "$?" 0
MILTER_PID=""
finish
