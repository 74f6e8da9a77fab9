#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Postfix paths tests/postfix_test.sh does not take (issue 13, item 2), on the same private
# Postfix + smtp-sink + milter harness: mail submitted with sendmail(1) through pickup
# (non_smtpd_milters), ExemptClients / ExemptSenders / ExemptHeader, the PostgreSQL store, a
# chrooted smtpd with the socket inside the chroot (the README's recipe), and what
# milter_default_action does while the filter is down.
# Needs root, the postfix package and the PostgreSQL server binaries.
. tests/lib.sh
. tests/postfix/harness.sh
FROM=news@shop.example
started=$(date +%s)

pf_init_or_finish "postfix paths"
trap 'pg_down; pf_cleanup' EXIT
mkdir -p "$T/msg"

send() { $MAILTOOL send "$PORT" "${FROM_OVERRIDE:-$FROM}" "$1" "$2" | cut -f2-3 | tr '\t' ' '; }
delivered() { pf_wait_queue; sink_find "<$1@shop.example>" | wc -l | tr -d ' '; }
last_verdict() { grep 'verdict=' "$T/milter.log" | tail -n 1; }

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

# --- the PostgreSQL store -----------------------------------------------------------------------
if pg_up; then
    milter_conf "$T/pg.conf" "ConsentDatabase \"postgresql://postgres@/consent?host=$T/pg&port=$PG_PORT\"" \
        "ConsentCacheTTL 0"
    "$CTL" -c "$T/pg.conf" grant shop.example yes1@example.net --confirmed >/dev/null 2>&1
    expect_eq "PostgreSQL: consentctl grant" "$?" 0
    reload_to "$T/pg.conf"
    f=$(message pg1 compliant.eml)
    expect_contains "PostgreSQL: 250" "$(send yes1@example.net,no1@example.net "$f")" "250 "
    d=$(pf_wait_queue; sink_find "<pg1@shop.example>" | head -n 1)
    [ -n "$d" ] && got=$($MAILTOOL rcpts "$d" | tr '\n' ' ') || got="not delivered"
    expect_eq "PostgreSQL: only the consenting recipient receives it" "$got" "yes1@example.net "
    "$CTL" -c "$T/pg.conf" revoke shop.example yes1@example.net >/dev/null 2>&1
    f=$(message pg2 compliant.eml)
    expect_contains "PostgreSQL: after a revoke, consent:revoked" "$(send yes1@example.net "$f")" "consent:revoked"
    pg_down
    f=$(message pg3 compliant.eml)
    expect_contains "PostgreSQL down, OnError tempfail: 451 4." "$(send yes1@example.net "$f")" "451 4."
    reload_to "$T/enforce.conf"
else
    fail "PostgreSQL store through Postfix" "no PostgreSQL server (see above)"
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
