#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# consent-milter in front of a real Postfix (issue 4): a private Postfix instance under a temp
# dir (own config, queue, log), smtpd on a free 127.0.0.1 port with smtpd_milters pointing at
# the milter's unix socket, delivery relayed to smtp-sink, which dumps each message to a file.
# Mail goes in over SMTP; every case checks what the client was told AND what was delivered.
# Needs root and the Debian postfix package (packaging/install-deps.sh installs it).
. tests/lib.sh
. tests/postfix/harness.sh
FROM=news@shop.example
started=$(date +%s)

pf_init_or_finish "postfix integration"
pass "private Postfix instance starts (smtpd 127.0.0.1:$PORT, smtp-sink :$SINK_PORT)"
mkdir -p "$T/msg"

# send RCPTS FILE: "CODE REPLY" of one message.
send() { $MAILTOOL send "$PORT" "$FROM" "$1" "$2" | cut -f2-3 | tr '\t' ' '; }
# delivered ID: the dump files holding Message-ID <ID@shop.example>, after the queue drained.
delivered() { pf_wait_queue; sink_find "<$1@shop.example>"; }
# --- a broken config refuses to start -----------------------------------------------------
milter_conf "$T/broken.conf" "Mode enforc"
"$CM" -n -c "$T/broken.conf" >"$T/broken.out" 2>&1
expect_eq "broken config: -n exits 78" "$?" 78
line=$(grep -n 'enforc$' "$T/broken.conf" | cut -d: -f1)
expect_contains "broken config: -n names FILE:LINE" "$(cat "$T/broken.out")" "$T/broken.conf:$line: "
timeout 20 "$CM" -f -c "$T/broken.conf" -p "local:$T/broken.sock" >"$T/broken.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ ! -e "$T/broken.sock" ]; then
    pass "broken config: the daemon exits non-zero ($rc) without opening its socket"
else
    fail "broken config: the daemon exits non-zero" "exit $rc, socket $(ls "$T/broken.sock" 2>&1)"
fi

# --- enforce mode ---------------------------------------------------------------------------
milter_conf "$T/enforce.conf" "Mode enforce"
cp "$T/enforce.conf" "$T/running.conf"
if ! milter_start "$T/running.conf"; then
    fail "milter starts" "see above"; finish; exit 1
fi

f=$(message ok1 compliant.eml)
r=$(send reader@example.net "$f")
expect_contains "compliant: 250 at end of DATA" "$r" "250 "
d=$(delivered ok1)
expect_eq "compliant: delivered once" "$(count_lines "$d")" 1
if [ -n "$d" ]; then
    why=$($MAILTOOL same-as-sent "$(echo "$d" | head -n 1)" "$f")
    expect_eq "compliant: delivered byte for byte as sent (no header added)" "$?:$why" "0:"
fi

f=$(message bad1 no-list-unsubscribe.eml)
r=$(send reader@example.net "$f")
expect_contains "non-compliant: 550 5.7.1 at end of DATA" "$r" "550 5.7.1 "
expect_contains "non-compliant: reply names the reason code" "$r" "list_unsubscribe:missing"
expect_eq "non-compliant: nothing delivered" "$(count_lines "$(delivered bad1)")" 0

f=$(message forged1 forged-tag.eml)
r=$(send reader@example.net "$f")
expect_contains "forged tag header, compliant: 250" "$r" "250 "
d=$(delivered forged1)
expect_eq "forged tag header, compliant: delivered once" "$(count_lines "$d")" 1
[ -n "$d" ] && expect_eq "forged tag header, compliant: both forged copies removed, none added" \
    "$($MAILTOOL header "$(echo "$d" | head -n 1)" X-Consent-Check)" ""

# Two messages on one SMTP session: the second is judged on its own (state reset).
f1=$(message seq1 no-list-unsubscribe.eml); f2=$(message seq2 compliant.eml)
r=$($MAILTOOL send "$PORT" "$FROM" reader@example.net "$f1" "$f2" | cut -f2 | tr '\n' ' ')
expect_eq "one session, reject then accept" "$r" "550 250 "

# A message over MaxScanSize: the milter answers SKIP after 64 KiB; Postfix must still deliver
# the whole body, and the link in the scanned prefix counts.
milter_conf "$T/scan.conf" "MaxScanSize 64K"
reload_to "$T/scan.conf"
{ sed -n '1,/^$/p' "$MSGS/no-body-link.eml" | sed 's/@ID@/big1/'
  echo "To unsubscribe from these emails, visit https://shop.example/unsubscribe/abc123"
  i=0; while [ $i -lt 4000 ]; do echo "line $i of a long catalogue, padding the body past the scan size"; i=$((i + 1)); done
} >"$T/msg/big1.eml"
r=$(send reader@example.net "$T/msg/big1.eml")
expect_contains "over MaxScanSize: 250" "$r" "250 "
d=$(delivered big1)
expect_eq "over MaxScanSize: delivered once" "$(count_lines "$d")" 1
if [ -n "$d" ]; then
    why=$($MAILTOOL same-as-sent "$(echo "$d" | head -n 1)" "$T/msg/big1.eml")
    expect_eq "over MaxScanSize: the whole body delivered unchanged after SKIP" "$?:$why" "0:"
fi
expect_contains "over MaxScanSize: logged as accept, truncated=yes" \
    "$(grep 'truncated=yes' "$T/milter.log" | tail -n 1)" "verdict=accept"
reload_to "$T/enforce.conf"

# --- monitor mode ---------------------------------------------------------------------------
milter_conf "$T/monitor.conf" "Mode monitor"
reload_to "$T/monitor.conf"
f=$(message mon1 no-list-unsubscribe.eml)
r=$(send reader@example.net "$f")
expect_contains "monitor: non-compliant message accepted (250)" "$r" "250 "
d=$(delivered mon1)
expect_eq "monitor: delivered once" "$(count_lines "$d")" 1
[ -n "$d" ] && expect_eq "monitor: tag header added with the would-be verdict" \
    "$($MAILTOOL header "$(echo "$d" | head -n 1)" X-Consent-Check)" \
    "verdict=tag; list_unsubscribe=fail (missing); body_link=pass; consent=skipped"

sed -e '/^List-Unsubscribe/d' -e 's/@ID@/mon2/g' "$MSGS/forged-tag.eml" >"$T/msg/mon2.eml"
r=$(send reader@example.net "$T/msg/mon2.eml")
d=$(delivered mon2)
[ -n "$d" ] && h=$($MAILTOOL header "$(echo "$d" | head -n 1)" X-Consent-Check) || h=""
expect_eq "monitor: forged tag headers replaced by exactly one real one" "$h" \
    "verdict=tag; list_unsubscribe=fail (missing); body_link=pass; consent=skipped"

# --- quarantine -> hold queue ---------------------------------------------------------------
milter_conf "$T/quarantine.conf" "BodyLinkAction quarantine"
reload_to "$T/quarantine.conf"
held_before=$(hold_count)
f=$(message hold1 no-body-link.eml)
r=$(send reader@example.net "$f")
expect_contains "quarantine: client gets 250" "$r" "250 "
pf_wait_queue
expect_eq "quarantine: one more message in the hold queue" "$(hold_count)" $((held_before + 1))
expect_eq "quarantine: not delivered" "$(count_lines "$(sink_find '<hold1@shop.example>')")" 0
# Postfix logs the hold with its queue id; the milter's line for that queue id (macro i read
# at end of message) gives the reason.
qid=$(grep 'milter-hold' "$T/postfix.log" | tail -n 1 | sed -E 's/.*: ([0-9A-F]+): milter-hold.*/\1/')
[ -n "$qid" ] && [ -f "$T/spool/hold/$qid" ] && held=yes || held="no ($qid)"
expect_eq "quarantine: the held queue file is the one Postfix logged" "$held" yes
expect_contains "quarantine: the milter logs the same queue id with the reason" \
    "$(grep "$qid: " "$T/milter.log")" "$qid: verdict=quarantine reasons=body_link:missing"

# --- a custom RejectReply, with a literal % -------------------------------------------------
milter_conf "$T/reply.conf" 'RejectReply "554 5.7.0 Policy (100%% sure): %r"'
reload_to "$T/reply.conf"
f=$(message reply1 no-body-link.eml)
expect_eq "custom RejectReply reaches the client" "$(send reader@example.net "$f")" \
    "554 554 5.7.0 Policy (100% sure): body_link:missing"

# --- consent: a non-consented recipient is removed, the others get the message ---------------
# The store lives in $T/db, owned by postfix: the milter reads it after dropping privileges.
milter_conf "$T/consent.conf" "ConsentDatabase sqlite:$T/db/consent.db" "ConsentScope sender-domain"
"$CTL" -c "$T/consent.conf" grant shop.example yes1@example.net --confirmed >/dev/null 2>&1 &&
    "$CTL" -c "$T/consent.conf" grant shop.example yes2@example.net --confirmed >/dev/null 2>&1
expect_eq "consent: consentctl grant" "$?" 0
chown -R postfix "$T/db"
reload_to "$T/consent.conf"
f=$(message cons1 compliant.eml)
r=$(send yes1@example.net,no1@example.net,yes2@example.net "$f")
expect_contains "consent: client gets 250" "$r" "250 "
d=$(delivered cons1)
expect_eq "consent: delivered once" "$(count_lines "$d")" 1
[ -n "$d" ] && expect_eq "consent: only the consented recipients receive it" \
    "$($MAILTOOL rcpts "$(echo "$d" | head -n 1)" | sort | tr '\n' ' ')" "yes1@example.net yes2@example.net "
f=$(message cons2 compliant.eml)
r=$(send no1@example.net,no2@example.net "$f")
expect_contains "consent: no consented recipient at all -> 550" "$r" "550 5.7.1 "
expect_contains "consent: reason consent:no-record" "$r" "consent:no-record"

# --- consent store down -----------------------------------------------------------------------
# (A reload that changes ConsentDatabase opens the new store: here it cannot.)
milter_conf "$T/down.conf" "ConsentDatabase sqlite:$T/missing/consent.db" "OnError tempfail"
reload_to "$T/down.conf"
f=$(message down1 compliant.eml)
r=$(send reader@example.net "$f")
expect_contains "store down, OnError tempfail: 451 4.x.x" "$r" "451 4."
expect_eq "store down, OnError tempfail: nothing delivered" "$(count_lines "$(delivered down1)")" 0
milter_conf "$T/down-accept.conf" "ConsentDatabase sqlite:$T/missing/consent.db" "OnError accept"
reload_to "$T/down-accept.conf"
f=$(message down2 compliant.eml)
r=$(send reader@example.net "$f")
expect_contains "store down, OnError accept: 250" "$r" "250 "
expect_eq "store down, OnError accept: delivered" "$(count_lines "$(delivered down2)")" 1
# The store comes back (created, consent granted); a reload with the same ConsentDatabase and
# OnError tempfail must use it, not the failure remembered from before.
mkdir "$T/missing"
"$CTL" -c "$T/down.conf" grant shop.example reader@example.net --confirmed >/dev/null 2>&1
chown -R postfix "$T/missing"
reload_to "$T/down.conf"
f=$(message down3 compliant.eml)
r=$(send reader@example.net "$f")
expect_contains "store back, reloaded: 250" "$r" "250 "
expect_eq "store back, reloaded: delivered" "$(count_lines "$(delivered down3)")" 1

# --- SIGUSR1 during a run of 1,000 messages --------------------------------------------------
# Start in monitor mode (non-compliant messages delivered with a tag); after 300 replies switch
# to enforce. Every message whose MAIL command followed the reload must be rejected; every
# accepted message must be delivered; nothing may be lost or get another reply.
reload_to "$T/monitor.conf"
sed -e '/^List-Unsubscribe/d' -e 's/@ID@/vol-@N@/' "$MSGS/compliant.eml" >"$T/volume.tpl"
t0=$(date +%s)
{ echo ". tests/postfix/harness.sh"; echo "T=$T MILTER_PID=$MILTER_PID"; echo "reload_to $T/enforce.conf"
} >"$T/reload.sh"
$MAILTOOL volume "$PORT" "$FROM" reader@example.net "$T/volume.tpl" 1000 4 300 "sh $T/reload.sh" >"$T/volume.out"
t1=$(date +%s)
n250=$(awk -F'\t' '$2==250' "$T/volume.out" | wc -l)
n550=$(awk -F'\t' '$2==550' "$T/volume.out" | wc -l)
nother=$(awk -F'\t' '$2!=250 && $2!=550' "$T/volume.out" | wc -l)
after_ok=$(awk -F'\t' '$3==1 && $2!=550' "$T/volume.out" | wc -l)
nafter=$(awk -F'\t' '$3==1' "$T/volume.out" | wc -l)
echo "# 1,000 messages in $((t1 - t0))s: $n250 accepted, $n550 rejected, $nother other; $nafter sent after the reload"
expect_eq "reload run: every message answered 250 or 550" "$((n250 + n550)):$nother" "1000:0"
if [ "$n250" -ge 300 ] && [ "$n550" -gt 0 ] && [ "$nafter" -gt 0 ]; then
    pass "reload run: verdicts changed mid-run ($n250 tagged, $n550 rejected)"
else
    fail "reload run: verdicts changed mid-run" "$n250 accepted, $n550 rejected, $nafter after reload"
fi
expect_eq "reload run: every message sent after the reload was rejected" "$after_ok" 0
pf_wait_queue
vol_files=$(sink_find 'Message-ID: <vol-')
expect_eq "reload run: every accepted message delivered, no more" "$(count_lines "$vol_files")" "$n250"
untagged=$(printf '%s\n' "$vol_files" | xargs -r grep -L '^X-Consent-Check: verdict=tag' 2>/dev/null)
expect_eq "reload run: every delivered message carries the tag header" "$(count_lines "$untagged")" 0

# Up to here Postfix saw no protocol trouble: a bad reply, an action that was not negotiated or
# a timeout would show as a milter warning in its log (the readiness probe before the milter
# started is the one allowed).
w=$(grep -i 'warning:.*milter' "$T/postfix.log" | grep -v 'connect to Milter service.*No such file' | head -n 3)
expect_eq "Postfix logged no milter warning in all of the above" "$w" ""

# --- the milter killed mid-run: Postfix tempfails, nothing is lost -----------------------------
reload_to "$T/enforce.conf"
sed -e 's/@ID@/kill-@N@/' "$MSGS/compliant.eml" >"$T/kill.tpl"
$MAILTOOL volume "$PORT" "$FROM" reader@example.net "$T/kill.tpl" 300 3 100 \
    "kill -9 $MILTER_PID" >"$T/kill.out"
wait "$MILTER_PID" 2>/dev/null
MILTER_PID=""
k250=$(awk -F'\t' '$2==250' "$T/kill.out" | wc -l)
k4xx=$(awk -F'\t' '$2>=400 && $2<500' "$T/kill.out" | wc -l)
kother=$(awk -F'\t' '$2<400 && $2!=250 || $2>=500' "$T/kill.out" | wc -l)
kafter=$(awk -F'\t' '$3==1 && ($2<400 || $2>=500)' "$T/kill.out" | wc -l)
echo "# milter killed: $k250 accepted, $k4xx temporary failures, $kother other"
expect_eq "milter killed: every message accepted or tempfailed" "$((k250 + k4xx)):$kother" "300:0"
if [ "$k250" -ge 100 ] && [ "$k4xx" -gt 0 ]; then
    pass "milter killed: later messages get 4xx"
else
    fail "milter killed: later messages get 4xx" "$k250 accepted, $k4xx tempfailed"
fi
expect_eq "milter killed: nothing after the kill was accepted" "$kafter" 0
pf_wait_queue
kill_files=$(sink_find 'Message-ID: <kill-')
expect_eq "milter killed: every accepted message delivered" "$(count_lines "$kill_files")" "$k250"
expect_eq "milter killed: nothing deferred in Postfix's queue" "$(deferred_count)" 0
milter_start "$T/running.conf"
f=$(message back1 compliant.eml)
expect_contains "milter restarted: mail flows again" "$(send reader@example.net "$f")" "250 "

# --- the shared corpus: Postfix's verdict equals --test's, same envelope ----------------------
# Two configs: the defaults (reject/accept) and one with tag and quarantine actions.
corpus_both "$T/enforce.conf"

echo "# filter's own time per message under Postfix (ms=): $(ms_summary)"
pf_show_trouble
echo "# postfix_test ran $(($(date +%s) - started))s"
finish
