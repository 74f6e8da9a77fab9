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
#   sink_start         smtp-sink on $SINK_PORT, one dump file per delivered message in $T/sink
#   sink_find TEXT     the dump files (smtp-sink -d) whose content has TEXT, one per line
#   hold_count         messages in the hold queue
#   pg_up / pg_down    a throwaway PostgreSQL server on a unix socket in $T/pg; $PSQL, $PG_PORT
#   corpus_both CONF   every $CORPUS_DIR file through the MTA: its outcome = the --test verdict
#   ms_summary         the filter's own time per message (ms= in $T/milter.log)
#   message ID TEMPLATE  a copy of $MSGS/TEMPLATE with @ID@ replaced, in $T/msg; path on stdout
#   count_lines TEXT   lines in TEXT (0 when empty)
#   pf_set PARAM=VALUE...  change the private main.cf and reload Postfix
#   pf_show_trouble    print (as # comments) the first panic/fatal lines of Postfix's log, if any
# Needs root (Postfix's master runs as root, mail_owner=postfix) and the Debian postfix package.
PF_DIR=tests/postfix
MSGS=$PF_DIR/messages
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
    sink_start
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

# smtp-sink: one dump file per delivered message, in $T/sink (the next hop of both MTAs).
sink_start() {
    smtp-sink -u postfix -d "$T/sink/%H%M%S." "127.0.0.1:$SINK_PORT" 64 >"$T/sink.log" 2>&1 &
    SINK_PID=$!
}

# milter_start CONF: foreground milter, stderr to $T/milter.log, listening on $MILTER_SOCKET
# [local:$T/milter.sock]; waits until it listens (the socket exists, or it logged its start).
milter_start() {
    sock=${MILTER_SOCKET:-local:$T/milter.sock}
    path=${sock#local:}
    rm -f "$path"
    started_before=$(grep -c 'starting on' "$T/milter.log" 2>/dev/null)
    "$CM" -f -c "$1" -p "$sock" >>"$T/milter.log" 2>&1 &
    MILTER_PID=$!
    i=0
    until case $sock in local:*) [ -S "$path" ] ;;
          *) [ "$(grep -c 'starting on' "$T/milter.log")" -gt "${started_before:-0}" ] ;; esac; do
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

message() { mkdir -p "$T/msg"; sed "s/@ID@/$1/g" "$MSGS/$2" >"$T/msg/$1.eml"; echo "$T/msg/$1.eml"; }
count_lines() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l | tr -d ' '; fi; }

# pf_set PARAM=VALUE...: new smtpd/cleanup processes pick the values up; idle old ones exit.
pf_set() {
    postconf -c "$T/etc" -e "$@" && postfix -c "$T/etc" reload >/dev/null 2>&1
    sleep 1
}

# The MTA-specific parts of corpus_agrees; tests/sendmail/harness.sh redefines them.
mta_wait_queue() { pf_wait_queue; }
mta_held() { grep -q -r -F "$1" "$T/spool/hold" 2>/dev/null; }

# corpus_agrees NAME CONF: every shared-corpus file sent through the MTA under CONF (reloaded
# into the running milter), one recipient per file; the outcome (5xx reject, 4xx tempfail,
# delivered with or without the tag header, held) must equal the --test verdict, same envelope.
corpus_agrees() {
    name=$1; conf=$2
    reload_to "$conf"
    files=0
    : >"$T/corpus-$name.list"
    for eml in "$CORPUS_DIR"/*.eml; do
        files=$((files + 1))
        printf '%s\t%s\n' "$name-$files@example.net" "$eml" >>"$T/corpus-$name.list"
    done
    $MAILTOOL send-list "$PORT" "$FROM" "$T/corpus-$name.list" >"$T/corpus-$name.sent"
    mta_wait_queue
    paste "$T/corpus-$name.list" "$T/corpus-$name.sent" | while IFS="$(printf '\t')" read -r rcpt eml _ code _; do
        want=$("$CM" -c "$conf" --test "$eml" --json --from "$FROM" --rcpt "$rcpt" |
            grep -o '"verdict": *"[a-z]*"' | head -n 1 | sed 's/.*"\([a-z]*\)"$/\1/')
        case "$code" in
        5*) got=reject ;;
        4*) got=tempfail ;;
        250)
            d=$(grep -l -r -F "X-Rcpt-Args: <$rcpt>" "$T/sink" 2>/dev/null | head -n 1)
            if [ -n "$d" ]; then
                # the tag header, looked for in the header section only
                if awk 'NR > 1 && /^$/ {exit} /^X-Consent-Check:/ {f = 1} END {exit !f}' "$d"; then
                    got=tag; else got=accept; fi
            elif mta_held "$rcpt"; then
                got=quarantine
            else
                got=lost
            fi ;;
        *) got="reply-$code" ;;
        esac
        [ "$got" = "$want" ] || echo "$(basename "$eml")(mta=$got,test=$want)" >>"$T/corpus-$name.bad"
        echo "$want" >>"$T/corpus-$name.verdicts"
    done
    mismatches=$(tr '\n' ' ' 2>/dev/null <"$T/corpus-$name.bad")
    kinds=$(sort -u "$T/corpus-$name.verdicts" | tr '\n' ' ')
    expect_eq "corpus ($name: $files files; verdicts $kinds): the MTA agrees with --test" "$mismatches" ""
}

# corpus_both CONF_DEFAULTS: corpus_agrees under the defaults (reject/accept) and under tag and
# quarantine actions; a failure when $CORPUS_DIR has no .eml files.
corpus_both() {
    if [ -d "${CORPUS_DIR:-}" ] && ls "$CORPUS_DIR"/*.eml >/dev/null 2>&1; then
        corpus_agrees defaults "$1"
        milter_conf "$T/actions.conf" "ListUnsubscribeAction tag" "BodyLinkAction quarantine"
        corpus_agrees actions "$T/actions.conf"
    else
        fail "corpus through the MTA" "CORPUS_DIR '${CORPUS_DIR:-}' has no .eml files"
    fi
}

# ms_summary: "N messages, mean X ms, median Y ms" of the ms= fields in $T/milter.log (the
# filter's own end-of-message time per message, DESIGN §8).
ms_summary() {
    grep -o ' ms=[0-9.]*' "$T/milter.log" | cut -d= -f2 | sort -n |
        awk '{v[NR] = $1; s += $1} END {if (NR) printf "%d messages, mean %.2f ms, median %.2f ms, max %.2f ms", NR, s / NR, v[int((NR + 1) / 2)], v[NR]}'
}

# A throwaway PostgreSQL server (run as nobody) on a unix socket in $T/pg, database "consent";
# ConsentDatabase "postgresql://postgres@/consent?host=$T/pg&port=$PG_PORT". pg_down stops it.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
PG_STARTED=""
pg_up() {
    [ -n "$PG_BIN" ] || { echo "# no PostgreSQL server binaries under /usr/lib/postgresql"; return 1; }
    mkdir "$T/pg" && chown nobody "$T/pg" && chmod 755 "$T/pg"
    PG_PORT=$(free_port)
    runuser -u nobody -- "$PG_BIN/initdb" -D "$T/pg/data" -U postgres -A trust --no-sync >"$T/pg/initdb.log" 2>&1 ||
        { tail -n 3 "$T/pg/initdb.log" | sed 's/^/#   /'; return 1; }
    runuser -u nobody -- "$PG_BIN/pg_ctl" -w -D "$T/pg/data" -l "$T/pg/server.log" \
        -o "-k $T/pg -p $PG_PORT -c listen_addresses='' -c fsync=off" start >/dev/null 2>&1 ||
        { tail -n 3 "$T/pg/server.log" | sed 's/^/#   /'; return 1; }
    PG_STARTED=1
    PSQL="$PG_BIN/psql -X -q -A -t -h $T/pg -p $PG_PORT -U postgres"
    $PSQL -c "CREATE DATABASE consent" postgres >/dev/null
}
pg_down() {
    [ -n "$PG_STARTED" ] && runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$T/pg/data" -m immediate stop >/dev/null 2>&1
    PG_STARTED=""
    return 0
}
