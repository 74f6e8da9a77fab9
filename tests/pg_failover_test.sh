#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# PostgreSQL failover under load (issue 15): a primary and a streaming hot standby made from it
# with pg_basebackup -R, both on 127.0.0.1, and the milter behind a private Postfix with
#   ConsentDatabase "postgresql://postgres@127.0.0.1:P1,127.0.0.1:P2/consent?target_session_attrs=any"
# Mail is sent without pause by SENDERS SMTP sessions (COUNT messages each, three recipients
# each: confirmed, revoked, no record) while the primary, the server the pool is connected to,
# is stopped with pg_ctl stop -m fast. Every message must get a definite outcome - 250 and
# delivered to the consenting recipient only, or 4xx (OnError tempfail) and not delivered -
# and lookups must go on at the standby within MAX_GAP seconds. Prints the counts and the gap.
# Then: while only the standby is up, reads work and writes fail; once the primary is back,
# the pool stays on the standby until a reload (SIGUSR1) opens a new one on the primary.
# Needs root, the postfix package and the PostgreSQL server binaries.
. tests/lib.sh
. tests/postfix/harness.sh
FROM=news@shop.example
RCPTS=yes@example.net,gone@example.net,none@example.net
SENDERS=${SENDERS:-3}  # parallel SMTP sessions
COUNT=${COUNT:-300}    # messages each
TSA=${TSA:-any}        # target_session_attrs (TSA=read-write shows what this test catches)
MAX_GAP=5              # seconds without a successful lookup that still count as "a few"
started=$(date +%s)

pf_init_or_finish "pg failover"
if [ -z "$PG_BIN" ]; then
    fail "PostgreSQL server binaries" "none under /usr/lib/postgresql"; finish; exit 1
fi

# pg_start DIR PORT: the server in DIR/data, on 127.0.0.1:PORT (its socket in DIR), as nobody.
pg_start() {
    runuser -u nobody -- "$PG_BIN/pg_ctl" -w -D "$1/data" -l "$1/server.log" \
        -o "-k $1 -p $2 -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1 ||
        { tail -n 3 "$1/server.log" | sed 's/^/#   /'; return 1; }
}
pg_stop() { runuser -u nobody -- "$PG_BIN/pg_ctl" -D "$1/data" -m "$2" -w stop >/dev/null 2>&1; }
pgs_down() {
    for d in "$T/pg1" "$T/pg2"; do [ -f "$d/data/postmaster.pid" ] && pg_stop "$d" immediate; done
    return 0
}
trap 'pgs_down; pf_cleanup' EXIT
# sql PORT SQL: one value from database "consent" on 127.0.0.1:PORT.
sql() { "$PG_BIN/psql" -X -q -A -t -h 127.0.0.1 -p "$1" -U postgres -c "$2" consent 2>&1; }
milter_conns() { sql "$1" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'consent-milter'"; }
some() { case $1 in 0) echo 0 ;; [1-9]*) echo some ;; *) echo "$1" ;; esac; }
ports_taken="$PORT $SINK_PORT"
new_port() {
    p=$(free_port)
    while case " $ports_taken " in *" $p "*) true ;; *) false ;; esac; do p=$(free_port); done
    ports_taken="$ports_taken $p"; echo "$p"
}

# --- a primary and its streaming standby --------------------------------------------------------
P1=$(new_port); P2=$(new_port)
mkdir "$T/pg1" "$T/pg2" && chown nobody "$T/pg1" "$T/pg2"
runuser -u nobody -- "$PG_BIN/initdb" -D "$T/pg1/data" -U postgres -A trust --no-sync >"$T/pg1/initdb.log" 2>&1 &&
    pg_start "$T/pg1" "$P1" &&
    "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$P1" -U postgres -c "CREATE DATABASE consent" postgres &&
    runuser -u nobody -- "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$P1" -U postgres -D "$T/pg2/data" \
        -R -X stream --checkpoint=fast --no-sync >"$T/pg2/basebackup.log" 2>&1 &&
    pg_start "$T/pg2" "$P2" ||
    { fail "primary and standby start" "$(tail -n 3 "$T/pg1/initdb.log" "$T/pg2/basebackup.log" 2>&1)"; finish; exit 1; }
expect_eq "the second server is a hot standby (pg_basebackup -R)" "$(sql "$P2" "SELECT pg_is_in_recovery()")" t

URI="postgresql://postgres@127.0.0.1:$P1,127.0.0.1:$P2/consent?target_session_attrs=$TSA"
echo "# ConsentDatabase \"$URI\""
milter_conf "$T/fleet.conf" "ConsentDatabase \"$URI\"" "ConsentCacheTTL 0" "OnError tempfail"
"$CTL" -c "$T/fleet.conf" grant shop.example yes@example.net --confirmed >/dev/null &&
    "$CTL" -c "$T/fleet.conf" grant shop.example gone@example.net --confirmed >/dev/null &&
    "$CTL" -c "$T/fleet.conf" revoke shop.example gone@example.net >/dev/null
expect_eq "consentctl seeds the records through the multi-host URI (on the primary)" "$?" 0
# The standby has replayed everything the primary wrote.
lsn=$(sql "$P1" "SELECT pg_current_wal_lsn()")
i=0
until [ "$(sql "$P2" "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "the standby has the records" "$(sql "$P2" "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" t

cp "$T/fleet.conf" "$T/running.conf"
milter_start "$T/running.conf" || { fail "milter starts" "see above"; finish; exit 1; }
f=$(message warm compliant.eml)
expect_contains "before the stop: 250" "$($MAILTOOL send "$PORT" "$FROM" "$RCPTS" "$f" | cut -f2-3)" "250 "
expect_contains "before the stop: the verdicts of the three recipients" \
    "$(grep 'verdict=' "$T/milter.log" | tail -n 1)" "reasons=consent:revoked,consent:no-record rcpts=3 removed=2"
expect_eq "before the stop: the pool is connected to the primary only" \
    "$(some "$(milter_conns "$P1")"):$(milter_conns "$P2")" "some:0"

# --- mail without pause; the primary stops under it -------------------------------------------
# Each sender is one SMTP session sending COUNT messages back to back (one long-lived client:
# starting Python per message would measure the client, not the failover). Its replies are
# stamped as they arrive: lines "TIME ID CODE". The primary stops once a third of all replies
# are in, so there is mail before and after the stop whatever the machine's speed.
mkdir -p "$T/msg"
for s in $(seq "$SENDERS"); do
    awk -v n="$COUNT" -v id="s$s" -v dir="$T/msg" '{ line[NR] = $0 }
        END { for (i = 1; i <= n; i++) { f = dir "/" id "-" i ".eml"
                  for (j = 1; j <= NR; j++) { l = line[j]; gsub(/@ID@/, id "-" i, l); print l >f }
                  close(f) } }' "$MSGS/compliant.eml"
done
sender() {
    i=0; files=""
    while [ $i -lt "$COUNT" ]; do i=$((i + 1)); files="$files $T/msg/s$1-$i.eml"; done
    # perl stamps each reply line as it arrives (a shell loop forking date(1) would lag behind).
    # shellcheck disable=SC2086
    $MAILTOOL send "$PORT" "$FROM" "$RCPTS" $files |
        perl -MTime::HiRes=time -ne '$| = 1; my ($f, $code) = split /\t/; $f =~ s{.*/|\.eml$}{}g; printf "%.6f %s %s\n", time, $f, $code' \
        >"$T/sent.$1"
}
pids=""
for s in $(seq "$SENDERS"); do sender "$s" & pids="$pids $!"; done
replies() { cat "$T"/sent.* 2>/dev/null | wc -l; }
i=0
while [ "$(replies)" -lt $((SENDERS * COUNT / 3)) ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
conns_before=$(milter_conns "$P1")
t_stop=$(date +%s.%N)
pg_stop "$T/pg1" fast
t_stopped=$(date +%s.%N)
conns_after=""
while [ "$(replies)" -lt $((SENDERS * COUNT)) ] && [ $i -lt 3000 ]; do
    sleep 0.1; i=$((i + 1))
    [ -z "$conns_after" ] && [ "$(replies)" -ge $((SENDERS * COUNT * 2 / 3)) ] && conns_after=$(milter_conns "$P2")
done
# shellcheck disable=SC2086
wait $pids
pf_wait_queue
echo "# pg_ctl stop -m fast took $(echo "$t_stop $t_stopped" | awk '{printf "%.2f", $2 - $1}') s"

# --- every message: a definite outcome --------------------------------------------------------
sort -n "$T"/sent.* >"$T/sent"
# One line per delivered dump: "ID RCPT..." (Message-ID without <@shop.example>).
find "$T/sink" -type f -exec awk '
    FNR == 1 && id != "" { print id, r; id = ""; r = "" }
    /^X-Rcpt-Args:/ { r = r " " $2 }
    /^Message-I[Dd]:/ && id == "" { id = $2; gsub(/^<|@shop\.example>$/, "", id) }
    END { if (id != "") print id, r }' {} + >"$T/delivered"
awk -v ts="$t_stop" '
    NR == FNR { seen[$1]++; if ($2 != "<yes@example.net>" || NF != 2) wrong[$1] = 1; next }
    { total++; id = $2; code = $3; last = $1 }
    code == 250 { ok++; if (seen[id] != 1 || wrong[id]) bad = bad " " id "(250,delivered=" seen[id]+0 (wrong[id] ? ",wrong-rcpt" : "") ")"
                  if (prev != "" && $1 - prev > gap) { gap = $1 - prev; gap_from = prev }
                  if ($1 < ts && prev != "" && $1 - prev > before) before = $1 - prev
                  prev = $1; next }
    code ~ /^4/ { tf++; if (seen[id]) bad = bad " " id "(" code ",delivered)"; next }
    { other++; bad = bad " " id "(" code ")" }
    END { if (prev != "" && last - prev > gap) { gap = last - prev; gap_from = prev }  # no success since
          printf "%d %d %d %d %.2f %.2f %.2f %s\n", total, ok, tf, other, gap, gap_from - ts, before, (bad == "" ? "-" : bad) }
' "$T/delivered" "$T/sent" >"$T/result"
read -r total ok tempfailed other gap gap_at before bad <"$T/result"
echo "# $total messages from $SENDERS clients: $ok accepted (250), $tempfailed tempfailed (4xx), $other other"
echo "# milter connections under load: $conns_before on the primary before the stop, $conns_after on the standby at the end"
echo "# gap without a successful lookup: $gap s, starting $gap_at s from the stop (largest before the stop: $before s)"
expect_eq "every message: 250 and delivered once to the consenting recipient only, or 4xx and not delivered" "$bad" "-"
expect_eq "every message got a reply" "$total" $((SENDERS * COUNT))
expect_eq "no message lost or rejected (reply other than 250 or 4xx)" "$other" 0
after=$(awk -v te="$t_stopped" '$3 == 250 && $1 > te + 1' "$T/sent" | wc -l)
if [ "$after" -gt 0 ]; then pass "lookups go on after the primary stopped"
else fail "lookups go on after the primary stopped" "no 250 later than 1 s after the stop"; fi
if awk -v g="$gap" -v m="$MAX_GAP" 'BEGIN { exit !(g < m) }'; then pass "the gap is under $MAX_GAP s"
else fail "the gap is under $MAX_GAP s" "$gap s without a successful lookup"; fi
expect_eq "the milter logged one tempfail per 4xx reply" \
    "$(grep -c 'verdict=tempfail' "$T/milter.log")" "$tempfailed"
expect_eq "after the stop: the pool is connected to the standby" "$(some "$conns_after")" some

# --- what target_session_attrs=any means for writes -------------------------------------------
out=$("$CTL" -c "$T/fleet.conf" show yes@example.net 2>&1)
expect_contains "primary down: consentctl show reads from the standby" "$out" "confirmed"
out=$("$CTL" -c "$T/fleet.conf" grant shop.example late@example.net --confirmed 2>&1)
expect_eq "primary down: a consentctl write fails (exit 75, standby read-only)" "$?" 75
expect_contains "primary down: the write's error names the read-only transaction" "$out" "read-only"

# --- failback: the primary is back ------------------------------------------------------------
pg_start "$T/pg1" "$P1" || fail "the primary restarts" "see above"
f=$(message back1 compliant.eml)
expect_contains "primary back: 250" "$($MAILTOOL send "$PORT" "$FROM" "$RCPTS" "$f" | cut -f2-3)" "250 "
expect_eq "primary back, before a reload: the pool's connections stay on the standby" \
    "$(some "$(milter_conns "$P2")")" some
reload_to "$T/fleet.conf"
f=$(message back2 compliant.eml)
expect_contains "primary back, after SIGUSR1: 250" "$($MAILTOOL send "$PORT" "$FROM" "$RCPTS" "$f" | cut -f2-3)" "250 "
expect_eq "primary back, after SIGUSR1: the new pool is on the primary" "$(some "$(milter_conns "$P1")")" some
"$CTL" -c "$T/fleet.conf" grant shop.example late@example.net --confirmed >/dev/null 2>&1
expect_eq "primary back: consentctl writes again" "$?" 0

pf_show_trouble
echo "# pg_failover_test ran $(($(date +%s) - started))s"
finish
