# SPDX-License-Identifier: Apache-2.0
# A private Postfix instance, an smtp-sink and the milter, all under one temp dir (sourced, POSIX sh).
#   pf_init            make $T, pick free ports, write main.cf/master.cf, start smtp-sink and Postfix
#   pf_init_or_finish SUITE  pf_init for a test suite (tests/lib.sh): without root or the postfix
#                      package, or when Postfix does not start, a failure named SUITE, the
#                      suite's summary line, and exit
#   milter_start CONF  start $BUILD/consent-milter -f on $T/milter.sock with CONF; MILTER_PID
#   milter_stop        SIGTERM the milter and wait for it
#   pf_cleanup         stop everything started here and remove $T (installed as the EXIT trap)
#   pf_wait_queue      wait until Postfix's incoming/active queues are empty
#   sink_find TEXT     the dump files (smtp-sink -d) whose content has TEXT, one per line
#   hold_count         messages in the hold queue
#   pf_show_trouble    print (as # comments) the first panic/fatal lines of Postfix's log, if any
# Needs root (Postfix's master runs as root, mail_owner=postfix) and the Debian postfix package.
PF_DIR=tests/postfix
PATH=$PATH:/usr/sbin:/sbin
MAILTOOL="python3 $PF_DIR/mailtool.py"
CM=$BUILD/consent-milter
CTL=$BUILD/consentctl
MILTER_PID=""
SINK_PID=""
PF_STARTED=""

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pf_cleanup() {
    [ -n "$PF_STARTED" ] && postfix -c "$T/etc" stop >/dev/null 2>&1
    [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null
    # libmilter stops at its next poll; a milter still there after 10 s is killed outright.
    if [ -n "$MILTER_PID" ] && kill "$MILTER_PID" 2>/dev/null; then
        i=0
        while kill -0 "$MILTER_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        kill -0 "$MILTER_PID" 2>/dev/null && echo "# milter $MILTER_PID ignored SIGTERM for 10 s" &&
            kill -9 "$MILTER_PID"
    fi
    # master exits a moment after "postfix stop"; wait so that rm -rf races nothing.
    i=0
    while [ -n "$PF_STARTED" ] && [ -f "$T/spool/pid/master.pid" ] &&
        kill -0 "$(cat "$T/spool/pid/master.pid" 2>/dev/null)" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1; i=$((i + 1))
    done
    [ -n "${KEEP_T:-}" ] && { echo "# kept $T"; return; }
    rm -rf "$T"
}

pf_show_trouble() {
    grep -q 'panic\|fatal' "$T/postfix.log" &&
        echo "# postfix.log:" && grep 'panic\|fatal' "$T/postfix.log" | head -5 | sed 's/^/#   /'
    return 0
}

pf_init_or_finish() {
    if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null 2>&1 || ! command -v smtp-sink >/dev/null 2>&1; then
        fail "$1" "needs root and the postfix package (packaging/install-deps.sh)"
        finish; exit 1
    fi
    if ! pf_init; then
        fail "private Postfix instance starts" "see above"
        finish; exit 1
    fi
}

pf_init() {
    T=$(mktemp -d /tmp/cm-postfix.XXXXXX)
    chmod 755 "$T"
    trap pf_cleanup EXIT
    trap 'exit 1' INT TERM
    PORT=$(free_port)
    SINK_PORT=$(free_port)
    while [ "$SINK_PORT" = "$PORT" ]; do SINK_PORT=$(free_port); done
    mkdir -p "$T/etc" "$T/spool" "$T/data" "$T/sink" "$T/db"
    chown postfix "$T/data" "$T/sink" "$T/db"
    for f in main.cf master.cf; do
        sed -e "s|@T@|$T|g" -e "s|@PORT@|$PORT|g" -e "s|@SINKPORT@|$SINK_PORT|g" \
            "$PF_DIR/$f.in" >"$T/etc/$f"
    done
    # smtp-sink: one dump file per delivered message, in $T/sink.
    smtp-sink -u postfix -d "$T/sink/%H%M%S." "127.0.0.1:$SINK_PORT" 64 >"$T/sink.log" 2>&1 &
    SINK_PID=$!
    if ! postfix -c "$T/etc" check >"$T/check.log" 2>&1; then
        echo "# postfix check failed:"; sed 's/^/#   /' "$T/check.log"
        return 1
    fi
    postfix -c "$T/etc" start >"$T/start.log" 2>&1 || {
        echo "# postfix start failed:"; sed 's/^/#   /' "$T/start.log"; return 1
    }
    PF_STARTED=1
    # smtpd is ready when the port accepts connections.
    i=0
    until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$PORT),1).close()" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && { echo "# smtpd did not come up"; return 1; }
        sleep 0.1
    done
}

# milter_start CONF [extra args]: foreground milter, stderr to $T/milter.log; waits for the socket.
milter_start() {
    rm -f "$T/milter.sock"
    "$CM" -f -c "$1" -p "local:$T/milter.sock" >>"$T/milter.log" 2>&1 &
    MILTER_PID=$!
    i=0
    until [ -S "$T/milter.sock" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$MILTER_PID" 2>/dev/null; then
            echo "# milter did not start:"; tail -5 "$T/milter.log" | sed 's/^/#   /'
            MILTER_PID=""
            return 1
        fi
        sleep 0.1
    done
}

# reload_to CONF: make CONF the running milter's config ($T/running.conf), send SIGUSR1 and
# wait until the milter logs the reload.
reload_to() {
    before=$(grep -c 'reloaded' "$T/milter.log")
    cp "$1" "$T/running.conf"
    kill -USR1 "$MILTER_PID"
    i=0
    while [ "$(grep -c 'reloaded' "$T/milter.log")" -le "$before" ] && [ $i -lt 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
}

milter_stop() {
    [ -n "$MILTER_PID" ] || return 0
    kill "$MILTER_PID" 2>/dev/null
    wait "$MILTER_PID" 2>/dev/null
    MILTER_PID=""
}

# Writes a milter config: milter_conf FILE LINE... The milter drops to the postfix user, as in
# production, so that Postfix's smtpd (running as postfix) may connect to the 0660 socket.
milter_conf() {
    f=$1; shift
    { echo "Socket local:$T/milter.sock"; echo "Background no"; echo "Syslog no"; echo "UserID postfix"
      for line in "$@"; do echo "$line"; done; } >"$f"
}

queue_files() {
    find "$T/spool/incoming" "$T/spool/active" "$T/spool/maildrop" -type f 2>/dev/null | wc -l
}

pf_wait_queue() {
    i=0
    while [ "$(queue_files)" -ne 0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}

hold_count() { find "$T/spool/hold" -type f 2>/dev/null | wc -l; }
deferred_count() { find "$T/spool/deferred" -type f 2>/dev/null | wc -l; }

sink_find() { grep -l -F -r -- "$1" "$T/sink" 2>/dev/null; }
