# SPDX-License-Identifier: Apache-2.0
# A private Sendmail 8 instance in front of the milter (sourced after tests/postfix/harness.sh,
# whose milter_*, reload_to, sink_*, free_port and corpus_both it uses; POSIX sh).
#   sm_init_or_finish SUITE  fetch Sendmail, make $T, start smtp-sink and Sendmail, or fail SUITE
#   sm_configure SOCKET      (re)build $T/sendmail.cf with INPUT_MAIL_FILTER S=SOCKET
#   sm_start / sm_stop       Sendmail's SMTP daemon (-bD) on 127.0.0.1:$PORT
#   sm ARGS...               run Sendmail with the private .cf (e.g. sm -qQ -Q to release)
#   sm_wait_queue            wait until Sendmail's queue holds no active (qf) file
#   sm_held TEXT             a quarantined (hf) queue file contains TEXT
# Sendmail conflicts with the postfix package, so it is not installed: Debian's sendmail-bin,
# -base and -cf are fetched with `apt-get download` once and unpacked (dpkg -x) under
# $BUILD/sendmail-root; packaging/install-deps.sh installs their runtime needs (libwrap0, m4).
# What Sendmail insists on, and how it is met here:
#   - a fully qualified host name, else it sleeps 60 s at start: Sendmail runs in a private
#     mount namespace (unshare -m) with $T/hosts bound over /etc/hosts, and confDOMAIN_NAME;
#   - no world-writable directory above its queue or the milter's unix socket (such as /tmp):
#     $T is under $BUILD;
#   - CRLF line ends on its SMTP server (mailtool.py speaks smtplib).
SM_DIR=tests/sendmail
case $BUILD in /*) SM_ROOT=$BUILD/sendmail-root ;; *) SM_ROOT=$(pwd)/$BUILD/sendmail-root ;; esac
SM_BIN=$SM_ROOT/usr/libexec/sendmail/sendmail
SM_CF=$SM_ROOT/usr/share/sendmail/cf
SM_PID=""

sm_fetch() {
    [ -x "$SM_BIN" ] && [ -f "$SM_CF/m4/cf.m4" ] && return 0
    command -v m4 >/dev/null 2>&1 || { echo "# m4 is missing (packaging/install-deps.sh)"; return 1; }
    dl=$(mktemp -d)
    chmod 755 "$dl"  # apt-get download runs as _apt when it can
    if ! (cd "$dl" && apt-get download sendmail-bin sendmail-base sendmail-cf >"$dl/apt.log" 2>&1); then
        echo "# apt-get download sendmail-bin sendmail-base sendmail-cf failed:"
        tail -n 3 "$dl/apt.log" | sed 's/^/#   /'
        rm -rf "$dl"; return 1
    fi
    for deb in "$dl"/*.deb; do dpkg -x "$deb" "$dl/root" || { rm -rf "$dl"; return 1; }; done
    # Only the binary and the m4 files are kept: the packages' /etc holds directories named
    # *.d, which the Makefile would take for dependency files of $BUILD.
    rm -rf "$SM_ROOT"
    mkdir -p "$SM_ROOT/usr/libexec" "$SM_ROOT/usr/share/sendmail"
    mv "$dl/root/usr/libexec/sendmail" "$SM_ROOT/usr/libexec/" &&
        mv "$dl/root/usr/share/sendmail/cf" "$SM_ROOT/usr/share/sendmail/"
    rm -rf "$dl"
    [ -x "$SM_BIN" ]
}

# sm ARGS...: Sendmail with the private .cf, seeing $T/hosts as /etc/hosts.
sm() {
    unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh "$T/hosts" \
        "$SM_BIN" -C "$T/sendmail.cf" "$@"
}

sm_configure() {
    sed -e "s|@T@|$T|g" -e "s|@PORT@|$PORT|g" -e "s|@SINKPORT@|$SINK_PORT|g" -e "s|@SOCKET@|$1|g" \
        "$SM_DIR/sendmail.mc.in" >"$T/sendmail.mc"
    m4 -D_CF_DIR_="$SM_CF/" "$SM_CF/m4/cf.m4" "$T/sendmail.mc" >"$T/sendmail.cf" 2>"$T/m4.log"
}

sm_start() {
    sm -bD -q10s >>"$T/sendmail.out" 2>&1 &
    SM_PID=$!
    i=0
    until python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1).close()" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$SM_PID" 2>/dev/null; then
            echo "# sendmail did not start:"; tail -n 5 "$T/sendmail.out" | sed 's/^/#   /'
            SM_PID=""; return 1
        fi
        sleep 0.1
    done
}

# The daemon's pid is the first line of its pid file ($SM_PID is the shell around unshare).
sm_stop() {
    [ -n "$SM_PID" ] || return 0
    pid=$(head -n 1 "$T/sendmail.pid" 2>/dev/null)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    wait "$SM_PID" 2>/dev/null
    SM_PID=""
    rm -f "$T/sendmail.pid"
}

sm_cleanup() {
    sm_stop
    pf_cleanup
}

sm_init_or_finish() {
    if [ "$(id -u)" != 0 ] || ! command -v smtp-sink >/dev/null 2>&1 || ! command -v unshare >/dev/null 2>&1; then
        fail "$1" "needs root, unshare and the postfix package's smtp-sink (packaging/install-deps.sh)"
        finish; exit 1
    fi
    if ! sm_fetch; then
        fail "$1" "no Sendmail under $SM_ROOT (see above)"
        finish; exit 1
    fi
    T=$(mktemp -d "$(dirname "$SM_ROOT")/cm-sendmail.XXXXXX")
    chmod 755 "$T"
    trap sm_cleanup EXIT
    trap 'exit 1' INT TERM
    PORT=$(free_port)
    SINK_PORT=$(free_port)
    while [ "$SINK_PORT" = "$PORT" ]; do SINK_PORT=$(free_port); done
    mkdir -p "$T/mqueue" "$T/sink" "$T/db" "$T/msg"
    chmod 700 "$T/mqueue"
    chown postfix "$T/sink" "$T/db"
    : >"$T/aliases"; : >"$T/statistics"; : >"$T/helpfile"
    printf 'hosts files\naliases files\n' >"$T/service.switch"
    # the host's own name first, so that its canonical (first) name is the qualified one
    printf '127.0.0.1 %s.consent-test.invalid %s\n127.0.0.1 localhost\n' "$(hostname)" "$(hostname)" >"$T/hosts"
    sink_start
    if ! sm_configure "unix:$T/milter.sock" || ! sm_start; then
        fail "$1" "private Sendmail does not start"; cat "$T/m4.log"
        finish; exit 1
    fi
}

queue_active() { find "$T/mqueue" -name 'qf*' -type f 2>/dev/null | wc -l; }
sm_wait_queue() {
    i=0
    while [ "$(queue_active)" -ne 0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}
sm_held() { grep -q -F "$1" "$T"/mqueue/hf* 2>/dev/null; }

# corpus_both (tests/postfix/harness.sh) asks these of the MTA.
mta_wait_queue() { sm_wait_queue; }
mta_held() { sm_held "$1"; }
