#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Senders (DESIGN §11) through a real Postfix, on the private Postfix + smtp-sink + milter
# harness with an SQLite store made by `consentctl init`: the milter's traffic counters reach
# the store's traffic table within ~12 s (written every 10 s) and at stop, and a suspended scope
# gets 550 with sender:suspended even when ExemptClients matches the client; an imported ARF
# report that puts the complaint rate above ComplaintRateLimit suspends the scope.
# Needs root and the postfix package.
. tests/lib.sh
. tests/postfix/harness.sh
FROM=news@shop.example
started=$(date +%s)

pf_init_or_finish "postfix senders"
mkdir -p "$T/msg"

send() { $MAILTOOL send "$PORT" "$FROM" "$1" "$2" | cut -f2-3 | tr '\t' ' '; }
delivered() { pf_wait_queue; sink_find "<$1@shop.example>" | wc -l | tr -d ' '; }
last_verdict() { grep 'verdict=' "$T/milter.log" | tail -n 1; }
# A suspension reaches a running milter within 2 s, whatever its cache (DESIGN §11).
ctl_change() { "$CTL" -c "$T/store.conf" "$@" >/dev/null 2>&1; sleep 2.1; }
traffic() {  # traffic KIND KEY: "messages recipients" of shop.example today, or ""
    sqlite3 "$T/db/consent.db" "SELECT messages || ' ' || recipients FROM traffic WHERE scope = 'shop.example'
        AND day = strftime('%Y-%m-%d', 'now') AND kind = '$1' AND key = '$2'"
}
wait_traffic() {  # wait_traffic KIND KEY WANT: up to 15 s for the row to read WANT; prints it
    i=0
    while [ "$(traffic "$1" "$2")" != "$3" ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    traffic "$1" "$2"
}

milter_conf "$T/store.conf" "ConsentDatabase sqlite:$T/db/consent.db" "ConsentScope sender-domain"
"$CTL" -c "$T/store.conf" init >/dev/null 2>&1 &&
    "$CTL" -c "$T/store.conf" grant shop.example reader@example.net --confirmed >/dev/null 2>&1 &&
    "$CTL" -c "$T/store.conf" grant shop.example other@example.net --confirmed >/dev/null 2>&1
expect_eq "consentctl init and grant" "$?" 0
cp "$T/store.conf" "$T/running.conf"
milter_start "$T/running.conf" || { fail "milter starts" "see above"; finish; exit 1; }

# --- traffic counters: written every 10 s ---------------------------------------------------
f=$(message t1 compliant.eml)
expect_contains "compliant message: 250" "$(send reader@example.net,other@example.net "$f")" "250 "
f=$(message t2 no-list-unsubscribe.eml)
expect_contains "non-compliant message: 550" "$(send reader@example.net "$f")" "550 5.7.1 "
sent_at=$(date +%s)
expect_eq "counters in the store: verdict accept, 1 message to 2 recipients" "$(wait_traffic verdict accept "1 2")" "1 2"
expect_eq "counters in the store: verdict reject" "$(wait_traffic verdict reject "1 1")" "1 1"
expect_eq "counters in the store: reason list_unsubscribe:missing" \
    "$(wait_traffic reason list_unsubscribe:missing "1 1")" "1 1"
waited=$(($(date +%s) - sent_at))
expect_eq "counters arrived within 12 s (took ${waited}s)" "$([ "$waited" -le 12 ] && echo yes)" yes

# --- a suspended scope: 550 sender:suspended, ExemptClients notwithstanding --------------------
milter_conf "$T/exempt.conf" "ConsentDatabase sqlite:$T/db/consent.db" "ConsentScope sender-domain" \
    "ExemptClients 127.0.0.1"
reload_to "$T/exempt.conf"
f=$(message s1 no-list-unsubscribe.eml)
expect_contains "ExemptClients: a non-compliant message is accepted" "$(send reader@example.net "$f")" "250 "
expect_contains "ExemptClients: logged as exempt" "$(last_verdict)" 'exempt="client 127.0.0.1"'
ctl_change suspend shop.example --reason "spam run, ticket 4711"
f=$(message s2 compliant.eml)
expect_contains "suspended scope, exempt client: 550 with sender:suspended" "$(send reader@example.net "$f")" \
    "550 5.7.1 Message violates sending policy: sender:suspended"
expect_eq "suspended scope: not delivered" "$(delivered s2)" 0
expect_contains "suspended scope: logged" "$(last_verdict)" "verdict=reject reasons=sender:suspended "
expect_contains "suspended scope: Postfix logs the milter's reject" \
    "$(grep 'milter-reject' "$T/postfix.log" | tail -n 1)" "sender:suspended"
f=$(message s3 no-list-unsubscribe.eml)
expect_contains "suspended scope, exempt client, non-compliant: judged in full" "$(send reader@example.net "$f")" \
    "sender:suspended,list_unsubscribe:missing"
ctl_change unsuspend shop.example
f=$(message s4 no-list-unsubscribe.eml)
expect_contains "after unsuspend: exempt again" "$(send reader@example.net "$f")" "250 "
expect_eq "after unsuspend: delivered" "$(delivered s4)" 1

# --- the last counts are written at stop --------------------------------------------------------
before=$(wait_traffic verdict reject "3 3")
f=$(message x1 no-list-unsubscribe.eml)
ctl_change suspend shop.example --reason "again"
send reader@example.net "$f" >/dev/null
milter_stop
expect_eq "at stop: the last rejected message is in the store" "$before -> $(traffic verdict reject)" "3 3 -> 4 4"
expect_eq "exempt messages count as accepted: 1 + 2 exempt" "$(traffic verdict accept)" "3 4"

# --- the complaint rate from imported ARF reports: an automatic suspension ---------------------
# arf ID RCPT: an abuse report (RFC 5965) received today about a message of shop.example to RCPT.
arf() {
    cat <<ARF
From: Feedback Loop <fbl@isp.example>
To: abuse@esp.example
Subject: abuse report $1
Date: $(date -R)
Message-ID: <report-$1@isp.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b-$1"

--b-$1
Content-Type: text/plain

An abuse report.

--b-$1
Content-Type: message/feedback-report

Feedback-Type: abuse
Version: 1
Original-Mail-From: <news@shop.example>
Original-Rcpt-To: <$2>
Arrival-Date: $(date -R)

--b-$1
Content-Type: message/rfc822

Return-Path: <news@shop.example>
From: News <news@shop.example>
To: $2
Subject: Offers
Message-ID: <$1@shop.example>

Offers.
--b-$1--
ARF
}
"$CTL" -c "$T/store.conf" unsuspend shop.example >/dev/null 2>&1
milter_conf "$T/rate.conf" "ConsentDatabase sqlite:$T/db/consent.db" "ConsentScope sender-domain" \
    "ComplaintRateLimit 10" "ComplaintRateMinVolume 4" "ComplaintRateAction suspend"
cp "$T/rate.conf" "$T/running.conf"
milter_start "$T/running.conf" || { fail "milter starts with ComplaintRate*" "see above"; finish; exit 1; }
f=$(message r1 compliant.eml)
expect_contains "no complaint yet (4 accepted recipients today): 250" "$(send reader@example.net "$f")" "250 "
arf r1 other@example.net >"$T/msg/arf1.eml"
ctl_change import-arf "$T/msg/arf1.eml"
expect_contains "import-arf recorded the complaint" "$("$CTL" -c "$T/store.conf" complaints shop.example 2>&1)" \
    "other@example.net"
f=$(message r2 compliant.eml)
expect_contains "1 complaint / 4 or 5 accepted recipients > 10 %: 550 sender:suspended" \
    "$(send reader@example.net "$f")" "550 5.7.1 Message violates sending policy: sender:suspended"
expect_contains "the automatic suspension states the figures" \
    "$("$CTL" -c "$T/store.conf" suspended 2>&1)" "above ComplaintRateLimit 10%"
f=$(message r3 compliant.eml)
expect_contains "and holds for the next message" "$(send reader@example.net "$f")" "sender:suspended"
milter_stop

pf_show_trouble
echo "# postfix_senders_test ran $(($(date +%s) - started))s"
finish
