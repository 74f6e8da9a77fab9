#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Postfix paths tests/postfix_test.sh does not take (issue 13, item 2), on the same private
# Postfix + smtp-sink + milter harness: mail submitted with sendmail(1) through pickup
# (non_smtpd_milters), ExemptClients / ExemptSenders / ExemptHeader, the PostgreSQL store, a
# chrooted smtpd with the socket inside the chroot (the README's recipe), and what
# milter_default_action does while the filter is down. A revoke or suppression applies within
# 2 s whatever ConsentCacheTTL says (DESIGN §11), with SQLite and with two milters on one
# PostgreSQL (where a suspension also reaches both milters within 2 s); the time from
# consentctl's return to each milter's cache flush is printed.
# Needs root, the postfix package and the PostgreSQL server binaries.
. tests/lib.sh
. tests/postfix/harness.sh
FROM=news@shop.example
started=$(date +%s)

pf_init_or_finish "postfix paths"
MILTER2_PID=""
trap '[ -n "$MILTER2_PID" ] && kill "$MILTER2_PID" && wait "$MILTER2_PID"; pg_down; pf_cleanup' EXIT
mkdir -p "$T/msg"

send() { $MAILTOOL send "${SEND_PORT:-$PORT}" "${FROM_OVERRIDE:-$FROM}" "$1" "$2" | cut -f2-3 | tr '\t' ' '; }
delivered() { pf_wait_queue; sink_find "<$1@shop.example>" | wc -l | tr -d ' '; }
last_verdict() { grep 'verdict=' "$T/milter.log" | tail -n 1; }
# rcpts_of ID: the envelope recipients message ID was delivered to, sorted, or "not delivered".
rcpts_of() {
    d=$(pf_wait_queue; sink_find "<$1@shop.example>" | head -n 1)
    if [ -n "$d" ]; then $MAILTOOL rcpts "$d" | sort | tr '\n' ' '; else echo "not delivered"; fi
}

# Cache flushes on a change, logged at debug level with the time: "lookup cache flushed at T".
flushes() { grep -c 'lookup cache flushed at' "$1"; }
now() { date +%s.%N; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
# flushed_ms LOG BEFORE T0: waits up to 2 s after T0 for LOG's flush number BEFORE+1 and prints
# the milliseconds from T0 to it ("none" when it did not come).
flushed_ms() {
    while [ "$(flushes "$1")" -le "$2" ] && [ "$(ms_between "$3" "$(now)")" -lt 2000 ]; do sleep 0.02; done
    at=$(grep -o 'lookup cache flushed at [0-9.]*' "$1" | sed -n "$(($2 + 1))p" | awk '{print $NF}')
    if [ -n "$at" ]; then ms_between "$3" "$at"; else echo none; fi
}
# change_applies NAME CONF LOGS ID RCPTS WANT PORTS CTL-ARGS...: consentctl CTL-ARGS; then each
# milter (log in LOGS, smtpd port in PORTS, in the same order) must log its cache flush, and a
# message ID-PORT to RCPTS sent through each at once (within 2 s of consentctl's return) must
# reach exactly WANT. The flush times are appended to $T/latency: NAME, ms from consentctl's
# return (negative: it flushed while consentctl was still exiting), ms from its start.
change_applies() {
    name=$1 conf=$2 logs=$3 id=$4 rcpts=$5 want=$6 ports=$7
    shift 7
    counts=""
    for log in $logs; do counts="$counts $(flushes "$log")"; done
    t_start=$(now)
    "$CTL" -c "$conf" "$@" >/dev/null 2>&1
    t0=$(now)
    set -- $counts
    for log in $logs; do
        ms=$(flushed_ms "$log" "$1" "$t0")
        echo "$name $ms $([ "$ms" = none ] || ms_between "$t_start" "$t0" | awk -v m="$ms" '{print $1 + m}')" >>"$T/latency"
        shift
    done
    senders=""
    for p in $ports; do
        f=$(message "$id-$p" compliant.eml)
        echo "$p $(ms_between "$t0" "$(now)")" >"$T/sent-$id-$p"
        SEND_PORT=$p send "$rcpts" "$f" >/dev/null &
        senders="$senders $!"
    done
    wait $senders
    for p in $ports; do
        read -r _ sent <"$T/sent-$id-$p"
        expect_eq "$name: the next message through the milter on port $p, sent $sent ms after consentctl returned, reaches only $want" \
            "$(rcpts_of "$id-$p")$([ "$sent" -le 2000 ] && echo "(in time)")" "$want(in time)"
    done
}

milter_conf "$T/enforce.conf" "Mode enforce"
cp "$T/enforce.conf" "$T/running.conf"
milter_start "$T/running.conf" || { fail "milter starts" "see above"; finish; exit 1; }

# --- non_smtpd_milters: sendmail(1) -> postdrop -> pickup -> cleanup -> the filter ------------
pf_set "non_smtpd_milters=unix:$T/milter.sock"
f=$(message pick1 compliant.eml)
sendmail -C "$T/etc" -f "$FROM" reader@example.net <"$f"
expect_eq "sendmail(1), compliant: submitted, delivered once" "$?:$(delivered pick1)" "0:1"
expect_contains "sendmail(1), compliant: judged by the filter" "$(last_verdict)" "verdict=accept"
f=$(message pick2 no-list-unsubscribe.eml)
sendmail -C "$T/etc" -f "$FROM" reader@example.net <"$f"
expect_eq "sendmail(1), non-compliant: not delivered to the recipient" \
    "$(delivered pick2 >/dev/null; sink_find "<pick2@shop.example>" | xargs -r grep -l -F 'X-Rcpt-Args: <reader@example.net>' | wc -l | tr -d ' ')" 0
expect_contains "sendmail(1), non-compliant: rejected by the filter" "$(last_verdict)" "verdict=reject reasons=list_unsubscribe:missing"
expect_contains "sendmail(1), non-compliant: Postfix bounces it to the sender" \
    "$(grep 'milter-reject' "$T/postfix.log" | tail -n 1)" "list_unsubscribe:missing"
pf_set "non_smtpd_milters="

# --- exemptions -------------------------------------------------------------------------------
milter_conf "$T/exempt.conf" "ExemptSenders txn@shop.example" "ExemptHeader \"X-Mail-Class: ^transactional$\""
reload_to "$T/exempt.conf"
f=$(message ex1 no-list-unsubscribe.eml)
FROM_OVERRIDE=txn@shop.example
expect_contains "ExemptSenders: a non-compliant message from the sender is accepted" "$(send reader@example.net "$f")" "250 "
FROM_OVERRIDE=""
expect_eq "ExemptSenders: delivered" "$(delivered ex1)" 1
expect_contains "ExemptSenders: logged as exempt" "$(last_verdict)" 'exempt="'
sed -e 's/@ID@/ex2/g' -e '1i X-Mail-Class: transactional' "$MSGS/no-list-unsubscribe.eml" >"$T/msg/ex2.eml"
expect_contains "ExemptHeader: a non-compliant message with the header is accepted" "$(send reader@example.net "$T/msg/ex2.eml")" "250 "
expect_eq "ExemptHeader: delivered" "$(delivered ex2)" 1
expect_contains "ExemptHeader: logged as exempt" "$(last_verdict)" 'exempt="'
f=$(message ex3 no-list-unsubscribe.eml)
expect_contains "no exemption applies: rejected" "$(send reader@example.net "$f")" "550 5.7.1 "
milter_conf "$T/exempt-client.conf" "ExemptClients 10.0.0.0/8, 127.0.0.1"
reload_to "$T/exempt-client.conf"
f=$(message ex4 no-list-unsubscribe.eml)
expect_contains "ExemptClients: a non-compliant message from 127.0.0.1 is accepted" "$(send reader@example.net "$f")" "250 "
expect_eq "ExemptClients: delivered" "$(delivered ex4)" 1

# --- a change applies at once, whatever ConsentCacheTTL (DESIGN §11): SQLite --------------------
# The milter's change watch checks PRAGMA data_version once a second; its own pool's commits
# that record no change are not counted. The flush is logged at debug level.
ALL3="gone@example.net keep@example.net supp@example.net"
milter_conf "$T/lite.conf" "ConsentDatabase sqlite:$T/db/lite.db" "ConsentCacheTTL 3600" "LogLevel debug"
for a in $ALL3; do "$CTL" -c "$T/lite.conf" grant shop.example "$a" --confirmed >/dev/null 2>&1; done
chown -R postfix "$T/db"
# A reload applies a changed LogLevel: from info (no per-check lines) to debug, which explains
# each decision (" list_unsubscribe: pass") and logs the flushes timed below.
debug_lines() { grep -c ': list_unsubscribe: ' "$T/milter.log"; }
expect_eq "LogLevel info: no debug lines yet" "$(debug_lines)" 0
reload_to "$T/lite.conf"
f=$(message lite1 compliant.eml)
send "$(echo $ALL3 | tr ' ' ',')" "$f" >/dev/null
expect_eq "reload to LogLevel debug: the next decision is explained at debug level" "$(debug_lines)" 1
expect_eq "SQLite, ConsentCacheTTL 3600: every consenting recipient receives it (now cached)" "$(rcpts_of lite1)" "$ALL3 "
change_applies "SQLite revoke" "$T/lite.conf" "$T/milter.log" lite2 "$(echo $ALL3 | tr ' ' ',')" \
    "keep@example.net supp@example.net " "$PORT" revoke shop.example gone@example.net
change_applies "SQLite suppress" "$T/lite.conf" "$T/milter.log" lite3 "$(echo $ALL3 | tr ' ' ',')" \
    "keep@example.net " "$PORT" suppress shop.example supp@example.net --reason complaint
# samples: pairs of grant (its flush awaited) and revoke (its flush timed)
for i in 1 2 3 4 5; do
    for step in grant revoke; do
        n=$(flushes "$T/milter.log")
        t_start=$(now)
        "$CTL" -c "$T/lite.conf" $step shop.example "m$i@example.net" >/dev/null 2>&1
        t0=$(now)
        ms=$(flushed_ms "$T/milter.log" "$n" "$t0")
    done
    echo "SQLite-sample $ms $([ "$ms" = none ] || ms_between "$t_start" "$t0" | awk -v m="$ms" '{print $1 + m}')" >>"$T/latency"
done

# --- the PostgreSQL store, shared by two milters -------------------------------------------------
# The second milter has its own smtpd (port PORT2), so that each message passes one milter.
if pg_up; then
    PG_URI="postgresql://postgres@/consent?host=$T/pg&port=$PG_PORT"
    milter_conf "$T/pg.conf" "ConsentDatabase \"$PG_URI\"" "ConsentCacheTTL 3600" "LogLevel debug"
    "$CTL" -c "$T/pg.conf" grant shop.example yes1@example.net --confirmed >/dev/null 2>&1
    expect_eq "PostgreSQL: consentctl grant" "$?" 0
    for a in $ALL3; do "$CTL" -c "$T/pg.conf" grant shop.example "$a" --confirmed >/dev/null 2>&1; done
    reload_to "$T/pg.conf"
    f=$(message pg1 compliant.eml)
    expect_contains "PostgreSQL: 250" "$(send yes1@example.net,no1@example.net "$f")" "250 "
    expect_eq "PostgreSQL: only the consenting recipient receives it" "$(rcpts_of pg1)" "yes1@example.net "

    sed "s|^Socket .*|Socket local:$T/milter2.sock|" "$T/pg.conf" >"$T/pg2.conf"
    "$CM" -f -c "$T/pg2.conf" >>"$T/milter2.log" 2>&1 &
    MILTER2_PID=$!
    PORT2=$(free_port)
    postconf -c "$T/etc" -M "127.0.0.1:$PORT2/inet=127.0.0.1:$PORT2 inet n - n - - smtpd -o smtpd_milters=unix:$T/milter2.sock"
    postfix -c "$T/etc" reload >/dev/null 2>&1
    i=0
    until [ -S "$T/milter2.sock" ] && python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT2),1).close()" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && break; sleep 0.1
    done
    for p in $PORT $PORT2; do
        f=$(message "pgc-$p" compliant.eml)
        SEND_PORT=$p send "$(echo $ALL3 | tr ' ' ',')" "$f" >/dev/null
        expect_eq "PostgreSQL, ConsentCacheTTL 3600, milter on port $p: every consenting recipient receives it (now cached)" \
            "$(rcpts_of "pgc-$p")" "$ALL3 "
    done
    LOGS="$T/milter.log $T/milter2.log"
    change_applies "PostgreSQL revoke" "$T/pg.conf" "$LOGS" pgr "$(echo $ALL3 | tr ' ' ',')" \
        "keep@example.net supp@example.net " "$PORT $PORT2" revoke shop.example gone@example.net
    change_applies "PostgreSQL suppress" "$T/pg.conf" "$LOGS" pgs "$(echo $ALL3 | tr ' ' ',')" \
        "keep@example.net " "$PORT $PORT2" suppress '*' supp@example.net --reason spamtrap
    for i in 1 2 3 4 5; do
        for step in grant revoke; do
            n1=$(flushes "$T/milter.log") n2=$(flushes "$T/milter2.log")
            t_start=$(now)
            "$CTL" -c "$T/pg.conf" $step shop.example "m$i@example.net" >/dev/null 2>&1
            t0=$(now)
            ms1=$(flushed_ms "$T/milter.log" "$n1" "$t0") ms2=$(flushed_ms "$T/milter2.log" "$n2" "$t0")
        done
        run=$(ms_between "$t_start" "$t0")
        for ms in $ms1 $ms2; do
            echo "PostgreSQL-sample $ms $([ "$ms" = none ] || echo $((run + ms)))" >>"$T/latency"
        done
    done
    # A suspension reaches both milters at once: their next messages (the sender's state is
    # cached for ConsentCacheTTL 3600) are refused within 2 s of consentctl's return.
    n1=$(flushes "$T/milter.log") n2=$(flushes "$T/milter2.log")
    "$CTL" -c "$T/pg.conf" suspend shop.example --reason "spam run" >/dev/null 2>&1
    t0=$(now)
    ms1=$(flushed_ms "$T/milter.log" "$n1" "$t0") ms2=$(flushed_ms "$T/milter2.log" "$n2" "$t0")
    replies=""
    for p in $PORT $PORT2; do
        f=$(message "pgsusp-$p" compliant.eml)
        replies="$replies$(SEND_PORT=$p send keep@example.net "$f");"
    done
    took=$(ms_between "$t0" "$(now)")
    expect_eq "PostgreSQL suspend: both milters refuse the next message with sender:suspended (flushes after $ms1 / $ms2 ms)" \
        "$(echo "$replies" | grep -o '550 5.7.1 [^;]*sender:suspended' | wc -l | tr -d ' ')" 2
    expect_eq "PostgreSQL suspend: both replies within 2 s of consentctl (${took} ms)" "$([ "$took" -lt 2000 ] && echo yes)" yes
    "$CTL" -c "$T/pg.conf" unsuspend shop.example >/dev/null 2>&1
    kill "$MILTER2_PID" && wait "$MILTER2_PID"
    MILTER2_PID=""
    postconf -c "$T/etc" -MX "127.0.0.1:$PORT2/inet" && postfix -c "$T/etc" reload >/dev/null 2>&1

    "$CTL" -c "$T/pg.conf" revoke shop.example yes1@example.net >/dev/null 2>&1
    f=$(message pg2 compliant.eml)
    expect_contains "PostgreSQL: after a revoke, consent:revoked" "$(send yes1@example.net "$f")" "consent:revoked"
    n=$(grep -c 'change watch: ' "$T/milter.log")
    pg_down
    i=0  # the watch notices at once and stops caching: the store's outage shows
    while [ "$(grep -c 'change watch: ' "$T/milter.log")" -le "$n" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    f=$(message pg3 compliant.eml)
    expect_contains "PostgreSQL down, OnError tempfail: 451 4. (nothing answered from the cache)" \
        "$(send yes1@example.net "$f")" "451 4."
    reload_to "$T/enforce.conf"
else
    fail "PostgreSQL store through Postfix" "no PostgreSQL server (see above)"
fi
if [ -f "$T/latency" ]; then
    # ms to the milter's flush from consentctl's return and from its start: min / median / max
    for kind in SQLite PostgreSQL; do
        for from in returned started; do
            grep "^$kind" "$T/latency" | grep -v none | awk -v f=$from '{print (f == "returned" ? $(NF - 1) : $NF)}' | sort -n |
                awk -v k="$kind" -v f=$from '{v[NR] = $1} END {if (NR) printf "# %s: consentctl %s -> cache flush: %d samples, min %d ms, median %d ms, max %d ms\n", k, f, NR, v[1], v[int((NR + 1) / 2)], v[NR]}'
        done
    done
    grep -q none "$T/latency" && echo "# no flush within 2 s: $(grep none "$T/latency" | tr '\n' ';')"
fi

# --- milter_default_action while the filter is down ---------------------------------------------
milter_stop
# (reject: Postfix refuses the whole session with 554 as it starts.)
for action in tempfail:451 accept:250 reject:554; do
    pf_set "milter_default_action=${action%%:*}"
    f=$(message "down-${action%%:*}" no-list-unsubscribe.eml)
    expect_contains "filter down, milter_default_action=${action%%:*}: ${action#*:}" \
        "$(send reader@example.net "$f")" "${action#*:} "
done
expect_eq "filter down, accept: the unchecked message was delivered" "$(delivered down-accept)" 1
expect_eq "filter down, tempfail and reject: not delivered" "$(delivered down-tempfail)$(delivered down-reject)" 00
pf_set "milter_default_action=tempfail"

# --- a chrooted smtpd, the socket inside the chroot (the README's recipe) ----------------------
# Socket local:QUEUE/consent-milter/consent-milter.sock, SocketGroup postfix, and
# smtpd_milters = unix:consent-milter/consent-milter.sock, relative to the chroot ($T/spool).
mkdir -p "$T/spool/consent-milter" && chown postfix:postfix "$T/spool/consent-milter" && chmod 2750 "$T/spool/consent-milter"
mkdir -p "$T/spool/etc" && cp /etc/services /etc/hosts /etc/resolv.conf /etc/nsswitch.conf "$T/spool/etc/" 2>/dev/null
sed -i 's|^127.0.0.1:\([0-9]*\) inet n - n - - smtpd|127.0.0.1:\1 inet n - y - - smtpd|' "$T/etc/master.cf"
milter_conf "$T/chroot.conf" "SocketGroup postfix"
MILTER_SOCKET="local:$T/spool/consent-milter/consent-milter.sock" milter_start "$T/chroot.conf"
expect_eq "chroot: the socket belongs to group postfix, mode 0660" \
    "$(stat -c '%G %a' "$T/spool/consent-milter/consent-milter.sock" 2>&1)" "postfix 660"
pf_set "smtpd_milters=unix:consent-milter/consent-milter.sock"
f=$(message chr1 no-list-unsubscribe.eml)
expect_contains "chroot: the filter's reject reaches the client" "$(send reader@example.net "$f")" "550 5.7.1 "
chrooted=""
for p in $(pgrep -x smtpd); do [ "$(readlink "/proc/$p/root")" = "$T/spool" ] && chrooted=yes; done
expect_eq "chroot: an smtpd runs chrooted in the queue directory" "$chrooted" yes
f=$(message chr2 compliant.eml)
expect_contains "chroot: compliant 250" "$(send reader@example.net "$f")" "250 "
expect_eq "chroot: delivered" "$(delivered chr2)" 1

pf_show_trouble
echo "# postfix_paths_test ran $(($(date +%s) - started))s"
finish
