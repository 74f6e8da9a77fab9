#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# consent-milter under faults, in front of a real Postfix (issue 7, "Faults"): a consent store
# that hangs (a PostgreSQL table locked by another session) or is corrupt, clients that drop
# the connection mid-message, 200 SMTP sessions at once, and SIGTERM while mail is flowing.
# Each case checks what the configuration promises AND that no message was lost: every message
# the client sent was either delivered to smtp-sink exactly once, or answered 4xx/5xx and not
# delivered. Same private Postfix + smtp-sink + milter harness as tests/postfix_test.sh.
# Needs root, the postfix package and (for the hanging store) the PostgreSQL server binaries.
. tests/lib.sh
. tests/postfix/harness.sh
FAULTS="python3 tests/fault/smtp_faults.py"
FROM=news@shop.example
RCPT=reader@example.net
started=$(date +%s)

pf_init_or_finish "fault suite"
mkdir -p "$T/msg"

# 200 sessions at once need 200 smtpd processes, and a listen backlog to match: master sizes
# the backlog from the process limit when it opens the socket, so a reload is not enough.
pf_restart() {
    postfix -c "$T/etc" stop >/dev/null 2>&1
    i=0
    while [ -f "$T/spool/pid/master.pid" ] && kill -0 "$(cat "$T/spool/pid/master.pid" 2>/dev/null)" 2>/dev/null &&
        [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    postconf -c "$T/etc" -e "$@" && postfix -c "$T/etc" start >/dev/null 2>&1 &&
        wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1).close()"
}

# --- helpers ----------------------------------------------------------------------------------
LOCK_PID=""
fault_cleanup() {
    [ -n "$LOCK_PID" ] && kill "$LOCK_PID" 2>/dev/null
    pg_down
    pf_cleanup
}
trap fault_cleanup EXIT

# send FILE: "CODE REPLY" of one message to $RCPT, on a new SMTP session.
send() { $MAILTOOL send "$PORT" "$FROM" "$RCPT" "$1" | cut -f2-3 | tr '\t' ' '; }
# delivered ID: how many dump files hold Message-ID <ID@shop.example>, after the queue drained.
delivered() { pf_wait_queue; sink_find "Message-ID: <$1@shop.example>" | wc -l | tr -d ' '; }
# alive PID: the process runs (a zombie the shell has not reaped yet counts as gone).
alive() { case "$(ps -o stat= -p "$1" 2>/dev/null)" in '' | Z*) return 1 ;; *) return 0 ;; esac; }
expect_alive() {
    if alive "$MILTER_PID"; then pass "$1: the milter is still running"
    else fail "$1: the milter is still running" "pid $MILTER_PID is gone; $(tail -n 2 "$T/milter.log" | tr '\n' ' ')"; fi
}
# log_mark FILE / log_since FILE MARK: the lines FILE gained after MARK was taken.
log_mark() { wc -l <"$1" | tr -d ' '; }
log_since() { tail -n +"$(($2 + 1))" "$1"; }
verdict_lines() { grep -c 'verdict=' "$T/milter.log"; }
# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds or time is up.
wait_for() {
    n=$(($1 * 10)); shift
    while ! "$@"; do n=$((n - 1)); [ "$n" -le 0 ] && return 1; sleep 0.1; done
}

# account NAME OUT PREFIX: OUT holds "N<TAB>CODE..." per message sent with Message-ID
# <PREFIX-N@shop.example>. Every message must have been answered 250 or 4xx, every 250 must be
# delivered exactly once, and nothing else delivered (a 4xx message delivered would be a duplicate).
account() {
    pf_wait_queue
    awk -F'\t' '$2 == 250 {print $1}' "$2" | sort >"$T/acc.ok"
    grep -h -r "^Message-ID: <$3-[0-9]*@" "$T/sink" 2>/dev/null | sed -E "s/.*<$3-([0-9]+)@.*/\1/" | sort >"$T/acc.all"
    sort -u "$T/acc.all" >"$T/acc.delivered"
    other=$(awk -F'\t' '$2 != 250 && ($2 < 400 || $2 >= 500) {printf "%s:%s ", $1, $2}' "$2")
    missing=$(comm -23 "$T/acc.ok" "$T/acc.delivered" | wc -l | tr -d ' ')
    extra=$(comm -13 "$T/acc.ok" "$T/acc.delivered" | wc -l | tr -d ' ')
    twice=$(uniq -d "$T/acc.all" | wc -l | tr -d ' ')
    expect_eq "$1: every message answered 250 or 4xx (no lost connection, no 5xx)" "$other" ""
    expect_eq "$1: every 250 delivered exactly once, no 4xx delivered" \
        "missing=$missing extra=$extra twice=$twice" "missing=0 extra=0 twice=0"
    expect_eq "$1: nothing left deferred in Postfix's queue" "$(deferred_count)" 0
}

if ! pf_restart default_process_limit=250; then
    fail "private Postfix restarts with default_process_limit=250" "$(tail -n 3 "$T/postfix.log")"
    finish; exit 1
fi
milter_conf "$T/base.conf" "Mode enforce"
cp "$T/base.conf" "$T/running.conf"
if ! milter_start "$T/running.conf"; then
    fail "milter starts" "see above"; finish; exit 1
fi
pass "private Postfix (smtpd :$PORT) and milter $MILTER_PID start"

# --- 1. a consent store that hangs longer than Postfix's milter timeout -------------------------
# A PostgreSQL store whose consent table another session holds under ACCESS EXCLUSIVE lock:
# the milter's lookup blocks. Postfix gives up after milter_content_timeout (3 s here) and
# applies milter_default_action = tempfail; the milter's own 5 s statement timeout then ends
# the lookups (OnError tempfail, logged), so no thread waits for the lock without end.
if pg_up; then
    milter_conf "$T/slow.conf" "ConsentDatabase \"postgresql://postgres@/consent?host=$T/pg&port=$PG_PORT\"" \
        "ConsentCacheTTL 0" "OnError tempfail"
    "$CTL" -c "$T/slow.conf" grant shop.example "$RCPT" --confirmed >/dev/null
    reload_to "$T/slow.conf"
    pf_set milter_content_timeout=3s
    r=$(send "$(message slow0 compliant.eml)")
    expect_contains "hanging store: before the lock, a consented message is accepted" "$r" "250 "

    mkfifo "$T/lock.fifo"
    $PSQL consent <"$T/lock.fifo" >"$T/lock.out" 2>&1 &
    LOCK_PID=$!
    exec 8>"$T/lock.fifo"
    echo "BEGIN; LOCK TABLE consent IN ACCESS EXCLUSIVE MODE; SELECT 'locked';" >&8
    wait_for 10 grep -q '^locked$' "$T/lock.out"
    expect_eq "hanging store: another session holds the consent table locked" "$(cat "$T/lock.out")" locked
    pf_mark=$(log_mark "$T/postfix.log")
    v_mark=$(verdict_lines)
    t0=$(date +%s%N)
    pids=""
    for i in 1 2 3; do
        f=$(message "slow$i" compliant.eml)
        send "$f" >"$T/slow$i.out" &
        pids="$pids $!"
    done
    # shellcheck disable=SC2086
    wait $pids
    took=$((($(date +%s%N) - t0) / 1000000))
    replies=$(cat "$T/slow1.out" "$T/slow2.out" "$T/slow3.out" | cut -d' ' -f2-3 | tr '\n' ' ')
    expect_eq "hanging store: 3 concurrent messages all get Postfix's tempfail" "$replies" "451 4.7.1 451 4.7.1 451 4.7.1 "
    if [ "$took" -ge 2900 ] && [ "$took" -le 15000 ]; then
        pass "hanging store: the replies came after the 3 s milter timeout (${took} ms)"
    else
        fail "hanging store: the replies came after the 3 s milter timeout" "took ${took} ms"
    fi
    expect_contains "hanging store: Postfix logged the milter timeout" \
        "$(log_since "$T/postfix.log" "$pf_mark" | grep -i 'milter' | grep -i 'time')" "milter"
    three_done() { [ "$(verdict_lines)" -ge $((v_mark + 3)) ]; }
    if wait_for 10 three_done; then
        pass "hanging store: with the lock still held, the 3 lookups end on the statement timeout"
    else
        fail "hanging store: with the lock still held, the 3 lookups end on the statement timeout" \
            "$(($(verdict_lines) - v_mark)) of 3 logged"
    fi
    expect_eq "hanging store: each logged as tempfail with the store's error" \
        "$(grep 'verdict=' "$T/milter.log" | tail -n 3 | grep 'verdict=tempfail' | grep -c 'statement timeout')" 3
    expect_alive "hanging store, locked"

    echo "COMMIT;" >&8
    exec 8>&-
    wait "$LOCK_PID"
    LOCK_PID=""
    expect_alive "hanging store, released"
    r=$(send "$(message slow4 compliant.eml)")
    expect_contains "hanging store: after the lock, the next message is accepted" "$r" "250 "
    expect_eq "hanging store: it is delivered once" "$(delivered slow4)" 1
    expect_eq "hanging store: the tempfailed messages were not delivered" \
        "$(delivered slow1)$(delivered slow2)$(delivered slow3)" "000"
    pf_set milter_content_timeout=60s
else
    fail "hanging store: private PostgreSQL server starts" "see above"
fi

# --- 2. a corrupt consent store ---------------------------------------------------------------
# (a) a file of text, not a database at all: the store cannot be opened.
yes 'these bytes are not an SQLite database' | head -c 65536 >"$T/db/garbage.db"
chown postfix "$T/db/garbage.db"
milter_conf "$T/garbage.conf" "ConsentDatabase sqlite:$T/db/garbage.db" "OnError tempfail"
m_mark=$(log_mark "$T/milter.log")
reload_to "$T/garbage.conf"
expect_contains "garbage store: the reload logs that it cannot be opened" \
    "$(log_since "$T/milter.log" "$m_mark" | grep 'reload: ConsentDatabase')" "not a database"
r=$(send "$(message garb1 compliant.eml)")
expect_contains "garbage store, OnError tempfail: 451 4.3.0 from the milter" "$r" "451 4.3.0 "
expect_eq "garbage store, OnError tempfail: not delivered" "$(delivered garb1)" 0
line=$(grep 'verdict=' "$T/milter.log" | tail -n 1)
expect_contains "garbage store, OnError tempfail: logged as tempfail" "$line" "verdict=tempfail"
expect_contains "garbage store, OnError tempfail: the log line gives the store error" "$line" "not a database"

milter_conf "$T/garbage-accept.conf" "ConsentDatabase sqlite:$T/db/garbage.db" "OnError accept"
reload_to "$T/garbage-accept.conf"
r=$(send "$(message garb2 compliant.eml)")
expect_contains "garbage store, OnError accept: 250" "$r" "250 "
expect_eq "garbage store, OnError accept: delivered once" "$(delivered garb2)" 1
line=$(grep 'verdict=' "$T/milter.log" | tail -n 1)
expect_contains "garbage store, OnError accept: logged as accept" "$line" "verdict=accept"
expect_contains "garbage store, OnError accept: the log line gives the store error" "$line" "not a database"

# (b) a real store, opened fine, whose pages after the first are then overwritten with 0xAB:
# the lookup itself meets the corruption. (No lookup before the damage: pages an open
# connection has cached stay valid for SQLite while the WAL is unchanged.)
milter_conf "$T/pages.conf" "ConsentDatabase sqlite:$T/db/pages.db" "ConsentCacheTTL 0" "OnError tempfail"
"$CTL" -c "$T/pages.conf" grant shop.example "$RCPT" --confirmed >/dev/null
chown postfix "$T/db/pages.db"
m_mark=$(log_mark "$T/milter.log")
reload_to "$T/pages.conf"
expect_eq "damaged store: it opens without error" "$(log_since "$T/milter.log" "$m_mark" | grep -c 'reload: ConsentDatabase')" 0
size=$(stat -c %s "$T/db/pages.db")
head -c $((size - 4096)) /dev/zero | tr '\000' '\253' |
    dd of="$T/db/pages.db" bs=4096 seek=1 conv=notrunc 2>/dev/null
r=$(send "$(message page2 compliant.eml)")
expect_contains "damaged store, OnError tempfail: 451 4.3.0 from the milter" "$r" "451 4.3.0 "
expect_eq "damaged store: not delivered" "$(delivered page2)" 0
expect_contains "damaged store: the log line gives the store error" \
    "$(grep 'verdict=' "$T/milter.log" | tail -n 1)" "malformed"
expect_alive "corrupt stores"

# --- 3. clients that give up mid-message ------------------------------------------------------
reload_to "$T/base.conf"
m_mark=$(log_mark "$T/milter.log")
for how in cut-body reset no-dot rset; do
    f=$(message "abort-$how" compliant.eml)
    code=$($FAULTS abort "$PORT" "$FROM" "$RCPT" "$f" "$how" 2>&1)
    [ "$how" = rset ] && want=221 || want=354
    expect_eq "client aborts ($how): the server had answered $want" "$code" "$want"
    expect_alive "client aborts ($how)"
done
r=$(send "$(message after-abort compliant.eml)")
expect_contains "after the aborts: a compliant message on a new session gets 250" "$r" "250 "
expect_eq "after the aborts: it is delivered once" "$(delivered after-abort)" 1
r=$(send "$(message after-abort-bad no-list-unsubscribe.eml)")
expect_contains "after the aborts: a non-compliant one gets 550" "$r" "550 5.7.1 "
n=0
for how in cut-body reset no-dot rset; do n=$((n + $(delivered "abort-$how"))); done
expect_eq "after the aborts: none of the aborted messages was delivered" "$n" 0
expect_eq "after the aborts: no queue file left behind" "$(queue_files)" 0
expect_eq "after the aborts: the milter logged no internal error" \
    "$(log_since "$T/milter.log" "$m_mark" | grep -c 'internal error')" 0

# --- 4. 200 SMTP sessions at once -------------------------------------------------------------
# Each of 200 sessions is open (EHLO done, so smtpd has opened its milter connection) before
# any sends; then each sends 2 compliant messages to a consented recipient, the consent looked
# up in SQLite every time (no cache).
milter_conf "$T/crowd.conf" "ConsentDatabase sqlite:$T/db/consent.db" "ConsentCacheTTL 0"
"$CTL" -c "$T/crowd.conf" grant shop.example "$RCPT" --confirmed >/dev/null
chown postfix "$T/db/consent.db"
reload_to "$T/crowd.conf"
sed 's/@ID@/crowd-@N@/' "$MSGS/compliant.eml" >"$T/crowd.tpl"
pf_mark=$(log_mark "$T/postfix.log")
t0=$(date +%s)
$FAULTS burst "$PORT" "$FROM" "$RCPT" "$T/crowd.tpl" 200 2 >"$T/crowd.out"
took=$(($(date +%s) - t0))
expect_eq "200 sessions: all open at once before sending" "$(head -n 1 "$T/crowd.out")" "open 200"
tail -n +2 "$T/crowd.out" >"$T/crowd.codes"
n250=$(awk -F'\t' '$2 == 250' "$T/crowd.codes" | wc -l | tr -d ' ')
echo "# 200 sessions, 400 messages in ${took}s"
expect_eq "200 sessions: all 400 messages accepted" "$n250" 400
account "200 sessions" "$T/crowd.codes" crowd
expect_eq "200 sessions: Postfix logged no milter warning" \
    "$(log_since "$T/postfix.log" "$pf_mark" | grep -i 'warning:.*milter' | head -n 3)" ""
expect_alive "200 sessions"

# --- 5. SIGTERM while mail is flowing ---------------------------------------------------------
# 400 messages over 4 sessions; after 100 replies the milter gets SIGTERM (the hook returns
# once the process is gone, or after 30 s). The milter judges the messages in progress, answers
# messages begun after the signal with a temporary failure, then stops libmilter; what the MTA
# is still handing over then gets Postfix's milter_default_action (tempfail). Asserted: the
# messages in progress were finished, a bounded clean exit, nothing lost or doubled.
reload_to "$T/base.conf"
sed 's/@ID@/term-@N@/' "$MSGS/compliant.eml" >"$T/term.tpl"
cat >"$T/term.sh" <<EOF
alive() { case "\$(ps -o stat= -p "\$1" 2>/dev/null)" in '' | Z*) return 1 ;; *) return 0 ;; esac; }
t0=\$(date +%s%N)
kill -TERM $MILTER_PID
i=0
while alive $MILTER_PID && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done
alive $MILTER_PID && echo running >"$T/term.took" || echo \$(( (\$(date +%s%N) - t0) / 1000000 )) >"$T/term.took"
EOF
pf_mark=$(log_mark "$T/postfix.log")
$MAILTOOL volume "$PORT" "$FROM" "$RCPT" "$T/term.tpl" 400 4 100 "sh $T/term.sh" >"$T/term.out"
wait "$MILTER_PID"
rc=$?
MILTER_PID=""
took=$(cat "$T/term.took" 2>/dev/null)
t250=$(awk -F'\t' '$2 == 250' "$T/term.out" | wc -l | tr -d ' ')
t4xx=$(awk -F'\t' '$2 >= 400 && $2 < 500' "$T/term.out" | wc -l | tr -d ' ')
cut=$(log_since "$T/postfix.log" "$pf_mark" | grep -c "milter.*can't read SMFIC_[A-Z]* reply")
echo "# SIGTERM: exit after ${took} ms, status $rc; $t250 accepted, $t4xx tempfailed;" \
    "Postfix logged $cut 'can't read SMFIC_* reply' warnings (messages begun after the signal, cut when libmilter stopped)"
case "$took" in
'' | *[!0-9]*) fail "SIGTERM: the milter exits within 15 s" "still running after 30 s ($took)" ;;
*) if [ "$took" -le 15000 ]; then pass "SIGTERM: the milter exits within 15 s (${took} ms)"
   else fail "SIGTERM: the milter exits within 15 s" "took ${took} ms"; fi ;;
esac
expect_eq "SIGTERM: exit status 0" "$rc" 0
expect_contains "SIGTERM: the milter logged its stop" "$(tail -n 3 "$T/milter.log")" "consent-milter stopped"
expect_contains "SIGTERM: the milter waited for the messages in progress" "$(tail -n 200 "$T/milter.log")" "stopping on TERM: "
expect_eq "SIGTERM: and all of them ended before it stopped" \
    "$(tail -n 200 "$T/milter.log" | grep -c 'still in progress after')" 0
expect_eq "SIGTERM: all 400 messages answered" "$(wc -l <"$T/term.out" | tr -d ' ')" 400
if [ "$t250" -ge 100 ] && [ "$t4xx" -gt 0 ]; then
    pass "SIGTERM: accepted before, tempfailed after ($t250 / $t4xx)"
else
    fail "SIGTERM: accepted before, tempfailed after" "$t250 accepted, $t4xx tempfailed"
fi
account "SIGTERM" "$T/term.out" term
r=$(send "$(message term-gone compliant.eml)")
expect_contains "SIGTERM: with the milter gone, Postfix tempfails" "$r" "451 4.7.1 "
expect_eq "SIGTERM: and does not deliver" "$(delivered term-gone)" 0
if milter_start "$T/running.conf"; then
    r=$(send "$(message term-back compliant.eml)")
    expect_contains "SIGTERM: a restarted milter accepts again" "$r" "250 "
    expect_eq "SIGTERM: and the message is delivered once" "$(delivered term-back)" 1
else
    fail "SIGTERM: the milter restarts" "see above"
fi

pf_show_trouble
echo "# fault_test ran $(($(date +%s) - started))s"
finish
