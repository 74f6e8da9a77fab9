#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Hostile input through the milter (issue 7): every message of the generated corpus
# (tests/hostile/gen_hostile.py) goes over SMTP into a private Postfix (tests/postfix/harness.sh)
# whose smtpd_milters is build/consent-milter, and must be judged with a defined verdict:
#   - a proper SMTP reply (2xx/4xx/5xx) to the end of DATA, within HOSTILE_SECONDS [2] of the
#     client handing over the final "." (loopback socket buffers may still hold some data then);
#   - the milter still running afterwards, and exactly one milter log line for the message,
#     whose verdict matches the reply (2xx accept/tag, 5xx reject, 4xx tempfail) and whose
#     queue id is Postfix's; a reply Postfix gives on its own (no milter line) must be named
#     by a Postfix reject in its log, and is reported as such;
#   - when 2xx, the message delivered to smtp-sink (a dump with its Message-ID);
#   - the milter's peak RSS (VmHWM) after the whole corpus at most HOSTILE_MB [64] MB above its
#     VmHWM after one small compliant message.
# message_size_limit is raised so that Postfix accepts the 50 MB cases. The client sends each
# file's bytes as they are (NUL bytes, bare CR and long lines included), only turning a bare LF
# into CRLF and dot-stuffing, as SMTP requires. Needs root and the postfix package.
. tests/lib.sh
. tests/postfix/harness.sh
LIMIT_S=${HOSTILE_SECONDS:-2}
LIMIT_MB=${HOSTILE_MB:-64}
SIZE_LIMIT=${HOSTILE_SIZE_LIMIT:-80000000}
FROM=news@example.com
RCPT=reader@example.org
started=$(date +%s)

pf_init_or_finish "hostile corpus through Postfix"
postconf -c "$T/etc" -e "message_size_limit = $SIZE_LIMIT" && postfix -c "$T/etc" reload >/dev/null 2>&1
milter_conf "$T/milter.conf" "Mode enforce"
if ! milter_start "$T/milter.conf"; then
    fail "milter starts" "see above"; finish; exit 1
fi
if ! python3 tests/hostile/gen_hostile.py --unique-ids "$T/corpus"; then
    fail "hostile corpus" "gen_hostile.py failed"; finish; exit 1
fi

CLIENT="python3 tests/hostile/smtp_timed.py"
if ! why=$($CLIENT wait-size "$PORT" "$SIZE_LIMIT" 2>&1); then
    fail "message_size_limit raised to $SIZE_LIMIT" "$why"; finish; exit 1
fi

hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$MILTER_PID/status" 2>/dev/null; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$MILTER_PID/status" 2>/dev/null; }
# CPU time of the milter, all threads, in clock ticks (utime + stime of /proc/PID/stat).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$MILTER_PID/stat" 2>/dev/null; }
HZ=$(getconf CLK_TCK)
verdict_lines() { grep -c ': verdict=' "$T/milter.log"; }
# dump_of MESSAGE-ID: the smtp-sink dump whose header part (first 8 KiB) has that Message-ID.
dump_of() {
    for d in "$T"/sink/*; do
        [ -f "$d" ] && head -c 8192 "$d" | grep -q -F "Message-ID: <$1>" && { echo "$d"; return; }
    done
}
# Under AddressSanitizer time and memory are several times larger by design: reported only.
sanitized=no
grep -q __asan_init "$CM" 2>/dev/null && sanitized=yes && echo "# sanitizer build: time and memory reported, not asserted"

# --- baseline: one small compliant message ------------------------------------------------------
sed 's/@ID@/baseline/g' tests/postfix/messages/compliant.eml >"$T/baseline.eml"
r=$($CLIENT send "$PORT" "$FROM" "$RCPT" "$T/baseline.eml")
base_kb=$(hwm_kb)
case "$r" in
250*) pass "baseline: compliant message 250 (milter VmHWM ${base_kb} KB)" ;;
*) fail "baseline: compliant message 250" "$r"; finish; exit 1 ;;
esac
echo "# limits: ${LIMIT_S}s from end of DATA to reply, ${LIMIT_MB} MB VmHWM above baseline; message_size_limit $SIZE_LIMIT"

# --- the corpus ------------------------------------------------------------------------------------
: >"$T/table"
: >"$T/delivered"
: >"$T/postfix-only"
for f in "$T"/corpus/*.eml; do
    name=$(basename "$f" .eml)
    lines_before=$(verdict_lines)
    pf_before=$(wc -l <"$T/postfix.log")
    cpu_before=$(cpu_ticks)
    out=$($CLIENT send "$PORT" "$FROM" "$RCPT" "$f")
    cpu=$(awk -v a="${cpu_before:-0}" -v b="$(cpu_ticks)" -v hz="$HZ" 'BEGIN { if (b == "") print "?"; else printf "%.2f", (b - a) / hz }')
    code=$(printf '%s' "$out" | cut -f1)
    secs=$(printf '%s' "$out" | cut -f2)
    reply=$(printf '%s' "$out" | cut -f3-)
    hwm=$(hwm_kb)
    rss=$(rss_kb)
    # the milter's line(s) for this message: everything logged with a verdict since the send began
    mline=$(grep ': verdict=' "$T/milter.log" | tail -n +$((lines_before + 1)))
    nlines=$(verdict_lines)
    nlines=$((nlines - lines_before))
    verdict=$(printf '%s' "$mline" | sed -n 's/.*: verdict=\([a-z]*\).*/\1/p' | head -n 1)
    reasons=$(printf '%s' "$mline" | sed -n 's/.* reasons=\([^ ]*\).*/\1/p' | head -n 1)
    mms=$(printf '%s' "$mline" | sed -n 's/.* ms=\([0-9.]*\).*/\1/p' | head -n 1)
    mqid=$(printf '%s' "$mline" | sed -n 's/^consent-milter: \([^:]*\): verdict=.*/\1/p' | head -n 1)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$code" "$secs" "${verdict:--}" "${mms:--}" \
        "$cpu" "$(( (hwm - base_kb) / 1024 ))" "$((rss / 1024))" "$reply" >>"$T/table"

    case "$code" in
    [245][0-9][0-9]) pass "$name: proper SMTP reply: $reply" ;;
    *) fail "$name: proper SMTP reply" "got '$out'" ;;
    esac
    if [ "$sanitized" = yes ] || awk -v s="$secs" -v l="$LIMIT_S" 'BEGIN { exit !(s <= l) }'; then
        pass "$name: reply ${secs}s after end of DATA"
    else
        fail "$name: reply within ${LIMIT_S}s of end of DATA" \
            "took ${secs}s (milter's own end-of-message ms=${mms:-?}, ${cpu}s of milter CPU; load $(cut -d' ' -f1-3 /proc/loadavg))"
    fi
    if kill -0 "$MILTER_PID" 2>/dev/null; then
        pass "$name: milter still running"
    else
        fail "$name: milter still running" "pid $MILTER_PID gone; last log: $(tail -n 1 "$T/milter.log")"
        left=$(ls "$T"/corpus/*.eml | awk -v f="$f" 'seen { n++ } $0 == f { seen = 1 } END { print n + 0 }')
        [ "$left" -gt 0 ] && fail "the $left cases after $name" "not sent: the milter is gone"
        break
    fi

    # one milter line whose verdict matches the reply; or a reply Postfix gave on its own (a
    # Postfix reject or warning that does not name the milter, e.g. message_size_limit)
    if [ "$nlines" -eq 0 ]; then
        pfwhy=$(tail -n +$((pf_before + 1)) "$T/postfix.log" | grep -v -i milter | grep -m 1 -E 'reject:|warning:')
        case "$code:$pfwhy" in
        [45]*:?*) echo "$name" >>"$T/postfix-only"
            pass "$name: no milter line: Postfix answered on its own ($(echo "$pfwhy" | sed 's/^.*\(reject\|warning\): //' | cut -c1-120))" ;;
        *) fail "$name: milter logs one line for the message" "none (reply '$reply')" ;;
        esac
        continue
    fi
    expect_eq "$name: milter logs one line for the message" "$nlines" 1
    case "$code:$verdict" in
    2*:accept|2*:tag|2*:quarantine|5*:reject|4*:tempfail)
        pass "$name: reply $code matches milter verdict $verdict (reasons $reasons)" ;;
    *) fail "$name: reply matches milter verdict" "reply $code, milter verdict '$verdict': $mline" ;;
    esac
    case "$code" in
    2*)
        pqid=$(echo "$reply" | sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p')
        expect_eq "$name: milter line has Postfix's queue id" "$mqid" "$pqid"
        [ "$verdict" = quarantine ] || echo "$name" >>"$T/delivered" ;;
    *)
        if tail -n +$((pf_before + 1)) "$T/postfix.log" | grep -q -F "$mqid: milter-"; then
            pass "$name: Postfix logged the milter's decision for queue id $mqid"
        else
            fail "$name: Postfix logged the milter's decision" "no '$mqid: milter-' line in postfix.log"
        fi ;;
    esac
done

# --- afterwards: delivery, memory, and the milter still serving ------------------------------------
pf_wait_queue
while read -r name; do
    if [ -n "$(dump_of "$name@hostile.example.com")" ]; then
        pass "$name: 2xx, delivered to smtp-sink"
    else
        fail "$name: 2xx, delivered to smtp-sink" "no dump with Message-ID <$name@hostile.example.com>"
    fi
done <"$T/delivered"

end_kb=$(hwm_kb)
extra_mb=$(( (${end_kb:-0} - base_kb) / 1024 ))
if [ -z "$end_kb" ]; then
    fail "milter VmHWM within ${LIMIT_MB} MB of baseline" "no milter process to measure"
elif [ "$sanitized" = yes ]; then
    pass "milter VmHWM +${extra_mb} MB above baseline after the corpus (sanitizer build: not asserted)"
elif [ -n "$end_kb" ] && [ "$extra_mb" -le "$LIMIT_MB" ]; then
    pass "milter VmHWM +${extra_mb} MB above baseline after the corpus (limit ${LIMIT_MB} MB)"
else
    fail "milter VmHWM within ${LIMIT_MB} MB of baseline" "${end_kb:-?} KB vs ${base_kb} KB: +${extra_mb} MB"
fi

sed 's/@ID@/after/g' tests/postfix/messages/compliant.eml >"$T/after.eml"
r=$($CLIENT send "$PORT" "$FROM" "$RCPT" "$T/after.eml")
expect_eq "after the corpus: a compliant message still gets 250" "$(echo "$r" | cut -f1)" 250
w=$(grep -i 'warning:.*milter' "$T/postfix.log" | grep -v 'connect to Milter service.*No such file' | head -n 3)
expect_eq "Postfix logged no milter warning" "$w" ""

echo "# case | reply | s from end of DATA to reply | milter verdict | milter ms (own end-of-message time) | milter CPU s | VmHWM over baseline | VmRSS | reply text"
awk -F'\t' '{ printf "#   %-27s %s %6ss %-7s %7s ms %5ss %3s MB %3s MB  %s\n", $1, $2, $3, $4, $5, $6, $7, $8, substr($9, 1, 80) }' "$T/table"
[ -s "$T/postfix-only" ] && echo "# answered by Postfix without the milter's verdict: $(tr '\n' ' ' <"$T/postfix-only")"
echo "# baseline VmHWM ${base_kb} KB, final ${end_kb:-?} KB; hostile_milter_test ran $(($(date +%s) - started))s"
finish
