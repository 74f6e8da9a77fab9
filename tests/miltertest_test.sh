#!/bin/sh
# Protocol-level tests: the real consent-milter on a unix socket, driven by Debian's miltertest
# (Lua). Each tests/miltertest/NAME.lua is one case; its "-- config: LINE" comments are the
# milter's config and its "-- grant: SCOPE ADDRESS OPTS" comments are consentctl grants made
# first (@T@ is the temp dir). The script asserts exact replies and header/recipient edits.
. tests/lib.sh
PATH=$PATH:/usr/sbin:/sbin
CM=$BUILD/consent-milter
CTL=$BUILD/consentctl
T=$(mktemp -d /tmp/cm-miltertest.XXXXXX)
MILTER_PID=""
cleanup() {
    [ -n "$MILTER_PID" ] && kill "$MILTER_PID" 2>/dev/null && wait "$MILTER_PID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if ! command -v miltertest >/dev/null 2>&1; then
    fail "miltertest" "not installed (packaging/install-deps.sh installs it)"
    finish; exit 1
fi

run_case() { # LUA
    name=$(basename "$1" .lua)
    conf="$T/$name.conf"
    rm -f "$T/consent.db" "$T/milter.sock"
    { echo "Socket local:$T/milter.sock"; echo "Background no"; echo "Syslog no"
      sed -n 's/^-- config: //p' "$1" | sed "s|@T@|$T|g"; } >"$conf"
    sed -n 's/^-- grant: //p' "$1" | while read -r scope address opts; do
        # shellcheck disable=SC2086
        "$CTL" -c "$conf" grant "$scope" "$address" $opts >>"$T/$name.ctl" 2>&1 ||
            echo "grant $scope $address failed" >>"$T/$name.ctl"
    done
    if grep -q failed "$T/$name.ctl" 2>/dev/null; then
        fail "$name" "setup: $(tr '\n' ' ' <"$T/$name.ctl")"; return
    fi
    "$CM" -f -c "$conf" >"$T/$name.log" 2>&1 &
    MILTER_PID=$!
    i=0
    until [ -S "$T/milter.sock" ] || [ $i -gt 100 ] || ! kill -0 "$MILTER_PID" 2>/dev/null; do
        sleep 0.1; i=$((i + 1))
    done
    out=$(MILTER_SOCK="$T/milter.sock" MT_DIR=tests/miltertest MSG_DIR=tests/postfix/messages \
        timeout 60 miltertest -s "$1" 2>&1)
    rc=$?
    if kill -0 "$MILTER_PID" 2>/dev/null; then
        kill "$MILTER_PID"; wait "$MILTER_PID"; mrc=$?
    else
        wait "$MILTER_PID"; mrc="died:$?"
    fi
    MILTER_PID=""
    if [ "$rc" -eq 0 ] && [ "$mrc" = 0 ]; then
        pass "$name"
    else
        fail "$name" "miltertest exit $rc, milter exit $mrc: $(echo "$out" | tail -n 3 | tr '\n' ' ') [milter: $(tail -n 2 "$T/$name.log" | tr '\n' ' ')]"
    fi
}

for lua in tests/miltertest/*.lua; do
    [ "$(basename "$lua")" = common.lua ] && continue
    run_case "$lua"
done

# A broken config: -n and the daemon itself refuse it (t-conf-check).
printf 'Socket local:%s/broken.sock\nBackground no\nMode enforc\n' "$T" >"$T/broken.conf"
"$CM" -n -c "$T/broken.conf" >/dev/null 2>&1
expect_eq "broken config: -n exits 78" "$?" 78
timeout 20 "$CM" -f -c "$T/broken.conf" >/dev/null 2>&1
expect_eq "broken config: the daemon exits 78" "$?" 78
expect_eq "broken config: no socket left behind" "$(ls "$T/broken.sock" 2>/dev/null)" ""
finish
