#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Protocol-level tests: the real consent-milter on a unix socket, driven by Debian's miltertest
# (Lua). Each tests/miltertest/NAME.lua is one case; its "-- config: LINE" comments are the
# milter's config and its "-- grant: SCOPE ADDRESS OPTS" comments are consentctl grants made
# first (@T@ is the temp dir); each "-- log: ERE" comment must match a line of the milter's log.
# The script asserts exact replies and header/recipient edits.
. tests/lib.sh
PATH=$PATH:/usr/sbin:/sbin
CM=$BUILD/consent-milter
CTL=$BUILD/consentctl
T=$(mktemp -d /tmp/cm-miltertest.XXXXXX)
chmod 755 "$T"  # the daemon case runs as postfix and must reach $T/run
MILTER_PID=""
STOPPING=""     # "pid:name" of milters sent SIGTERM; their exit status is checked at the end
cleanup() {
    [ -n "$MILTER_PID" ] && kill "$MILTER_PID" 2>/dev/null
    for entry in $STOPPING; do kill "${entry%%:*}" 2>/dev/null; done
    wait
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
    sock="$T/$name.sock"
    rm -f "$T/consent.db"
    { echo "Socket local:$sock"; echo "Background no"; echo "Syslog no"
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
    until [ -S "$sock" ] || [ $i -gt 100 ] || ! kill -0 "$MILTER_PID" 2>/dev/null; do
        sleep 0.1; i=$((i + 1))
    done
    out=$(MILTER_SOCK="$sock" MT_DIR=tests/miltertest MSG_DIR=tests/postfix/messages \
        timeout 60 miltertest -s "$1" 2>&1)
    rc=$?
    # libmilter notices SIGTERM at its next poll (seconds): stop now, check the exit later.
    if kill -0 "$MILTER_PID" 2>/dev/null; then
        kill "$MILTER_PID"
        STOPPING="$STOPPING $MILTER_PID:$name"
    fi
    MILTER_PID=""
    missing_log=$(sed -n 's/^-- log: //p' "$1" | while read -r ere; do
        grep -q -E -- "$ere" "$T/$name.log" || printf '%s ' "no log line matches /$ere/"; done)
    [ "$rc" -eq 0 ] && [ -n "$missing_log" ] && { out=$missing_log; rc=1; }
    if [ "$rc" -eq 0 ]; then
        pass "$name"
    else
        fail "$name" "miltertest exit $rc: $(echo "$out" | tail -n 3 | tr '\n' ' ') [milter: $(tail -n 2 "$T/$name.log" | tr '\n' ' ')]"
    fi
}

for lua in tests/miltertest/*.lua; do
    [ "$(basename "$lua")" = common.lua ] && continue
    run_case "$lua"
done

# SMFIF_SETSYMLIST, as an independent protocol client sees it (tests/miltertest/optneg.py):
# requested with the macro lists when the MTA offers it; neither when it does not (the MTA's
# own lists then apply, e.g. Sendmail's confMILTER_MACROS_*).
printf 'Socket local:%s/optneg.sock\nBackground no\nSyslog no\n' "$T" >"$T/optneg.conf"
"$CM" -f -c "$T/optneg.conf" >"$T/optneg.log" 2>&1 &
pid=$!
i=0
until [ -S "$T/optneg.sock" ] || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "optneg, SETSYMLIST offered: requested, with the macro lists" \
    "$(python3 tests/miltertest/optneg.py "$T/optneg.sock" 0x1ff 2>&1)" \
    "actions=0x139 steps=0x4d782 macros=0:{client_addr} {daemon_name};2:i {auth_authen};5:i"
expect_eq "optneg, SETSYMLIST not offered: not requested, no macro lists" \
    "$(python3 tests/miltertest/optneg.py "$T/optneg.sock" 0x3f 2>&1)" "actions=0x39 steps=0x4d782 macros="
kill "$pid"
STOPPING="$STOPPING $pid:optneg"

# Every milter above stops cleanly on SIGTERM (exit 0: libmilter's orderly stop, not death
# by the signal).
bad=""
for entry in $STOPPING; do
    wait "${entry%%:*}"; mrc=$?
    [ "$mrc" -eq 0 ] || bad="$bad ${entry#*:}:exit-$mrc"
done
STOPPING=""
expect_eq "every milter exits 0 on SIGTERM" "$bad" ""

# Daemon mode: Background yes, PidFile, UserID. The socket is chowned to the user before the
# privileges are dropped; SIGTERM stops it cleanly, removing socket and pid file (their
# directory belongs to the user, as /run/consent-milter would).
if getent passwd postfix >/dev/null; then
    mkdir "$T/run" && chown postfix "$T/run"
    printf 'Socket local:%s/run/milter.sock\nPidFile %s/run/milter.pid\nUserID postfix\nSyslog no\n' "$T" "$T" >"$T/daemon.conf"
    "$CM" -c "$T/daemon.conf"
    expect_eq "Background: the parent exits 0" "$?" 0
    i=0
    while [ ! -s "$T/run/milter.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    pid=$(cat "$T/run/milter.pid" 2>/dev/null)
    expect_eq "PidFile: names a running daemon owned by UserID" \
        "$(ps -o user= -p "${pid:-0}" 2>/dev/null | tr -d ' ')" postfix
    expect_eq "socket: owned by UserID, mode 0660" "$(stat -c '%U %a' "$T/run/milter.sock" 2>&1)" "postfix 660"
    if [ -n "$pid" ]; then
        kill "$pid"
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
        expect_eq "SIGTERM: the daemon stops" "$(kill -0 "$pid" 2>/dev/null && echo running)" ""
        expect_eq "SIGTERM: socket and pid file removed" "$(ls "$T/run")" ""
    fi
else
    fail "daemon mode" "no postfix user to run as"
fi

# A broken config: -n and the daemon itself refuse it (t-conf-check).
printf 'Socket local:%s/broken.sock\nBackground no\nMode enforc\n' "$T" >"$T/broken.conf"
"$CM" -n -c "$T/broken.conf" >/dev/null 2>&1
expect_eq "broken config: -n exits 78" "$?" 78
timeout 20 "$CM" -f -c "$T/broken.conf" >/dev/null 2>&1
expect_eq "broken config: the daemon exits 78" "$?" 78
expect_eq "broken config: no socket left behind" "$(ls "$T/broken.sock" 2>/dev/null)" ""
finish
