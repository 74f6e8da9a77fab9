#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# consent-milter in front of a real Sendmail 8.17 (issue 13): Debian's Sendmail unpacked under
# $BUILD (not installed: it conflicts with postfix), a private .cf built with m4 from
# sendmail-cf (tests/sendmail/sendmail.mc.in: INPUT_MAIL_FILTER with F=T), SMTP on a free
# 127.0.0.1 port, every message relayed to smtp-sink. Each case checks what the client was
# told AND what was delivered or queued. Needs root, unshare, m4 and the postfix package's
# smtp-sink (packaging/install-deps.sh), and apt-get download once.
. tests/lib.sh
. tests/postfix/harness.sh
. tests/sendmail/harness.sh
FROM=news@shop.example
started=$(date +%s)

sm_init_or_finish "sendmail integration"
pass "private Sendmail starts (127.0.0.1:$PORT, smtp-sink :$SINK_PORT, $(sm -d0.1 -bt </dev/null 2>/dev/null | sed -n 's/^Version \(.*\)/\1/p'))"

# send RCPTS FILE: "CODE REPLY" of one message.
send() { $MAILTOOL send "$PORT" "$FROM" "$1" "$2" | cut -f2-3 | tr '\t' ' '; }
delivered() { sm_wait_queue; sink_find "<$1@shop.example>"; }
# qid "CODE REPLY": Sendmail's queue id, from "250 250 2.0.0 QUEUEID Message accepted for delivery".
qid() { echo "$1" | awk '{print $4}'; }

# --- the filter down: F=T tempfails -----------------------------------------------------------
f=$(message down0 compliant.eml)
expect_contains "filter not running, F=T: 4xx" "$(send reader@example.net "$f")" "451 4."

milter_conf "$T/enforce.conf" "Mode enforce"
cp "$T/enforce.conf" "$T/running.conf"
if ! milter_start "$T/running.conf"; then
    fail "milter starts" "see above"; finish; exit 1
fi

# --- accept, and Sendmail's queue id in our log line -----------------------------------------
f=$(message ok1 compliant.eml)
r=$(send reader@example.net "$f")
expect_contains "compliant: 250" "$r" "250 2.0.0 "
expect_eq "compliant: delivered once" "$(count_lines "$(delivered ok1)")" 1
q=$(qid "$r")
expect_contains "the log line starts with Sendmail's queue id ($q)" \
    "$(grep "verdict=" "$T/milter.log" | tail -n 1)" "$q: verdict=accept"

# --- reject: the reason in the 5xx --------------------------------------------------------------
f=$(message bad1 no-list-unsubscribe.eml)
r=$(send reader@example.net "$f")
expect_contains "non-compliant: 550 5.7.1 with the reason" "$r" "550 5.7.1 Message violates sending policy: list_unsubscribe:missing"
expect_eq "non-compliant: nothing delivered" "$(count_lines "$(delivered bad1)")" 0

# --- tag: the header in the delivered copy -------------------------------------------------------
milter_conf "$T/tag.conf" "ListUnsubscribeAction tag"
reload_to "$T/tag.conf"
f=$(message tag1 no-list-unsubscribe.eml)
expect_contains "tag: 250" "$(send reader@example.net "$f")" "250 "
d=$(delivered tag1)
expect_eq "tag: delivered once" "$(count_lines "$d")" 1
[ -n "$d" ] && expect_eq "tag: the tag header in the delivered copy" \
    "$($MAILTOOL header "$(echo "$d" | head -n 1)" X-Consent-Check)" \
    "verdict=tag; list_unsubscribe=fail (missing); body_link=pass; consent=skipped"

# --- quarantine: held in Sendmail's queue, released with -qQ ---------------------------------
milter_conf "$T/quarantine.conf" "BodyLinkAction quarantine"
reload_to "$T/quarantine.conf"
f=$(message hold1 no-body-link.eml)
r=$(send reader@example.net "$f")
expect_contains "quarantine: client gets 250" "$r" "250 "
q=$(qid "$r")
sm_wait_queue
expect_eq "quarantine: held in Sendmail's queue as hf$q" "$(ls "$T/mqueue" | grep -c "^hf$q\$")" 1
expect_contains "quarantine: with our reason" "$(grep '^q' "$T/mqueue/hf$q" 2>/dev/null)" "consent-milter: body_link:missing"
expect_eq "quarantine: not delivered" "$(count_lines "$(sink_find '<hold1@shop.example>')")" 0
sm -qQ -Q -qI"$q" >"$T/release.out" 2>&1 && sm -q >>"$T/release.out" 2>&1
expect_eq "quarantine: released with -qQ -Q -qIQUEUEID, then delivered" "$(count_lines "$(delivered hold1)")" 1

# --- remove-recipient: one consenting, one not ------------------------------------------------
milter_conf "$T/consent.conf" "ConsentDatabase sqlite:$T/db/consent.db" "ConsentScope sender-domain"
"$CTL" -c "$T/consent.conf" grant shop.example yes1@example.net --confirmed >/dev/null 2>&1
expect_eq "consent: consentctl grant" "$?" 0
chown -R postfix "$T/db"
reload_to "$T/consent.conf"
f=$(message cons1 compliant.eml)
expect_contains "consent: client gets 250" "$(send yes1@example.net,no1@example.net "$f")" "250 "
d=$(delivered cons1)
expect_eq "consent: delivered once" "$(count_lines "$d")" 1
[ -n "$d" ] && expect_eq "consent: only the consenting recipient receives it" \
    "$($MAILTOOL rcpts "$(echo "$d" | head -n 1)" | tr '\n' ' ')" "yes1@example.net "

# --- tempfail: OnError and a broken store -----------------------------------------------------
mkdir -p "$T/broken"
echo "this is not an SQLite database, just text long enough to be read as a header...." >"$T/broken/consent.db"
chown -R postfix "$T/broken"
milter_conf "$T/broken.conf" "ConsentDatabase sqlite:$T/broken/consent.db" "OnError tempfail"
reload_to "$T/broken.conf"
f=$(message broken1 compliant.eml)
expect_contains "broken store, OnError tempfail: 451 4.x.x" "$(send reader@example.net "$f")" "451 4."
expect_eq "broken store: nothing delivered" "$(count_lines "$(delivered broken1)")" 0

# --- SIGUSR1 reload under load ------------------------------------------------------------------
# Monitor mode first (delivered with a tag); after 100 replies reload to enforce: every message
# whose MAIL followed the reload is rejected; every accepted one delivered; nothing lost.
milter_conf "$T/monitor.conf" "Mode monitor"
reload_to "$T/monitor.conf"
sed -e '/^List-Unsubscribe/d' -e 's/@ID@/vol-@N@/' "$MSGS/compliant.eml" >"$T/volume.tpl"
{ echo ". tests/postfix/harness.sh"; echo "T=$T MILTER_PID=$MILTER_PID"; echo "reload_to $T/enforce.conf"
} >"$T/reload.sh"
t0=$(date +%s)
$MAILTOOL volume "$PORT" "$FROM" reader@example.net "$T/volume.tpl" 300 4 100 "sh $T/reload.sh" >"$T/volume.out"
n250=$(awk -F'\t' '$2==250' "$T/volume.out" | wc -l)
n550=$(awk -F'\t' '$2==550' "$T/volume.out" | wc -l)
nother=$(awk -F'\t' '$2!=250 && $2!=550' "$T/volume.out" | wc -l)
after_ok=$(awk -F'\t' '$3==1 && $2!=550' "$T/volume.out" | wc -l)
echo "# 300 messages in $(($(date +%s) - t0))s: $n250 accepted, $n550 rejected, $nother other"
expect_eq "reload run: every message answered 250 or 550" "$((n250 + n550)):$nother" "300:0"
if [ "$n250" -ge 100 ] && [ "$n550" -gt 0 ]; then pass "reload run: verdicts changed mid-run"
else fail "reload run: verdicts changed mid-run" "$n250 accepted, $n550 rejected"; fi
expect_eq "reload run: every message sent after the reload was rejected" "$after_ok" 0
sm_wait_queue
vol_files=$(sink_find 'Message-ID: <vol-')
expect_eq "reload run: every accepted message delivered, no more" "$(count_lines "$vol_files")" "$n250"

# --- kill -9 of the filter: 4xx (F=T), nothing lost ---------------------------------------------
sed -e 's/@ID@/kill-@N@/' "$MSGS/compliant.eml" >"$T/kill.tpl"
$MAILTOOL volume "$PORT" "$FROM" reader@example.net "$T/kill.tpl" 200 3 60 "kill -9 $MILTER_PID" >"$T/kill.out"
wait "$MILTER_PID" 2>/dev/null
MILTER_PID=""
k250=$(awk -F'\t' '$2==250' "$T/kill.out" | wc -l)
k4xx=$(awk -F'\t' '$2>=400 && $2<500' "$T/kill.out" | wc -l)
kother=$(awk -F'\t' '$2<400 && $2!=250 || $2>=500' "$T/kill.out" | wc -l)
kafter=$(awk -F'\t' '$3==1 && ($2<400 || $2>=500)' "$T/kill.out" | wc -l)
echo "# filter killed: $k250 accepted, $k4xx temporary failures, $kother other"
expect_eq "filter killed: every message accepted or tempfailed" "$((k250 + k4xx)):$kother" "200:0"
if [ "$k250" -ge 60 ] && [ "$k4xx" -gt 0 ]; then pass "filter killed: later messages get 4xx"
else fail "filter killed: later messages get 4xx" "$k250 accepted, $k4xx tempfailed"; fi
expect_eq "filter killed: nothing after the kill was accepted" "$kafter" 0
sm_wait_queue
expect_eq "filter killed: every accepted message delivered" "$(count_lines "$(sink_find 'Message-ID: <kill-')")" "$k250"

# --- the inet socket: Sendmail rebuilt with S=inet:PORT@127.0.0.1 -------------------------------
MPORT=$(free_port)
sm_stop
sm_configure "inet:$MPORT@127.0.0.1" && sm_start
MILTER_SOCKET="inet:$MPORT@127.0.0.1" milter_start "$T/running.conf"
f=$(message inet1 no-list-unsubscribe.eml)
expect_contains "inet socket: reject with the reason" "$(send reader@example.net "$f")" "550 5.7.1 "
f=$(message inet2 compliant.eml)
r=$(send reader@example.net "$f")
expect_contains "inet socket: compliant 250" "$r" "250 "
expect_eq "inet socket: delivered" "$(count_lines "$(delivered inet2)")" 1
expect_contains "inet socket: Sendmail's queue id in the log" "$(grep "$(qid "$r"): " "$T/milter.log")" "verdict=accept"

# --- the shared corpus: Sendmail's outcome equals --test's, same envelope ------------------------
corpus_both "$T/enforce.conf"

echo "# filter's own time per message under Sendmail (ms=): $(ms_summary)"
echo "# sendmail_test ran $(($(date +%s) - started))s"
finish
