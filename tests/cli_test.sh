#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# consent-milter's command line: -V, -n (exact config errors), --test and its exit codes.
. tests/lib.sh
CM=$BUILD/consent-milter
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
MSG=tests/data/messages

out=$($CM -V); rc=$?
expect_eq "-V exits 0" "$rc" 0
expect_contains "-V prints the version" "$out" "consent-milter "

$CM --bogus >/dev/null 2>&1; expect_eq "unknown option is a usage error" "$?" 64
$CM --json >/dev/null 2>&1; expect_eq "--json without --test is a usage error" "$?" 64

printf 'Mode monitor\nRequireOneClick no\n' >"$T/good.conf"
out=$($CM -n -c "$T/good.conf" 2>&1); rc=$?
expect_eq "-n on a good config exits 0" "$rc" 0
expect_eq "-n on a good config prints OK" "$out" "OK"

printf '# comment\nMode monitor\nRequireOneClik yes\n' >"$T/bad.conf"
out=$($CM -n -c "$T/bad.conf" 2>&1); rc=$?
expect_eq "-n on a bad config exits 78" "$rc" 78
expect_eq "-n prints FILE:LINE and did-you-mean" "$out" \
    "$T/bad.conf:3: unknown directive 'RequireOneClik' (did you mean 'RequireOneClick'?)"

$CM -n -c "$T/missing.conf" >/dev/null 2>&1; expect_eq "-n on a missing config exits 78" "$?" 78

printf 'ConsentDatabase sqlite:%s/nonexistent/consent.db\n' "$T" >"$T/nostore.conf"
$CM -n -c "$T/nostore.conf" >/dev/null 2>&1; expect_eq "-n with an unreachable store exits 75" "$?" 75

$CM -c "$T/good.conf" --test "$T/nonexistent.eml" >/dev/null 2>&1
expect_eq "--test on an unreadable file exits 66" "$?" 66

printf 'RequireOneClick yes\n' >"$T/default.conf"
out=$($CM -c "$T/default.conf" --test $MSG/compliant.eml); rc=$?
expect_eq "--test exits 0" "$rc" 0
expect_contains "--test human report" "$out" "verdict: accept"

# A limit breach is shown, and a CSS limit fails closed: the link might be hidden by a dropped rule.
python3 - "$T/css-limit.eml" <<'PY'
import sys
rules = "".join(".c%d{color:red}" % i for i in range(5001))
open(sys.argv[1], "w").write(
    "From: news@shop.example\nTo: reader@example.net\nSubject: limits\n"
    "List-Unsubscribe: <https://shop.example/u>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
    "MIME-Version: 1.0\nContent-Type: text/html\n\n<style>" + rules + "</style>"
    "<p><a href=\"https://shop.example/u\">Unsubscribe</a></p>\n")
PY
out=$($CM -c "$T/default.conf" --test "$T/css-limit.eml")
expect_contains "--test shows a limit note" "$out" "note: limit:css-rules"
expect_contains "past a CSS limit the link counts as hidden" "$out" "hidden (limit:css-rules)"

json=$($CM -c "$T/default.conf" --test $MSG/hidden-link.eml --json)
v=$(printf '%s' "$json" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["verdict"], r["reasons"][0] if r["reasons"] else "")')
expect_eq "--test --json reports a hidden link" "$v" "reject body_link:hidden"

# CSS in two viewports (man page, body_link hidden): shown only on phones is visible; hidden in both is not.
for case in "mobile-only-unsubscribe accept " "hidden-both-viewports reject body_link:hidden"; do
    set -- $case
    v=$($CM -c "$T/default.conf" --test "$MSG/$1.eml" --json |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["verdict"], " ".join(r["reasons"]))')
    expect_eq "--test $1.eml" "$v" "$2 ${3:-}"
done

json=$($CM -c "$T/nostore.conf" --test $MSG/compliant.eml --json); rc=$?
v=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')
expect_eq "unreachable store: --test still exits 0" "$rc" 0
expect_eq "unreachable store: OnError tempfail" "$v" "tempfail"
printf 'ConsentDatabase sqlite:%s/nonexistent/consent.db\nOnError accept\n' "$T" >"$T/nostore-accept.conf"
v=$($CM -c "$T/nostore-accept.conf" --test $MSG/compliant.eml --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')
expect_eq "unreachable store: OnError accept" "$v" "accept"

v=$(printf 'garbage\0\377\376 no headers at all' | $CM -c "$T/default.conf" --test - --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')
expect_eq "garbage on stdin gets a verdict" "$v" "reject"

# --test follows the store: no record, grant, revoke, re-grant, then an imported complaint
# (tests/data/arf/yahoo_abuse.eml: Alice, sent with Return-Path bounce-7f3a@mail.shop.example).
CTL=$BUILD/consentctl
printf 'ConsentDatabase sqlite:%s/consent.db\nConsentScope sender-domain\n' "$T" >"$T/store.conf"
verdict_for() {
    $CM -c "$T/store.conf" --test $MSG/compliant.eml --from bounce-7f3a@mail.shop.example --rcpt alice.jones@example.net --json |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["verdict"], ",".join(r["reasons"]))'
}
$CTL -c "$T/store.conf" grant mail.shop.example other@example.net --confirmed >/dev/null
expect_eq "--test: no record" "$(verdict_for)" "reject consent:no-record"
$CTL -c "$T/store.conf" grant mail.shop.example Alice.Jones@Example.NET --confirmed >/dev/null
expect_eq "--test: after grant" "$(verdict_for)" "accept "
$CTL -c "$T/store.conf" revoke mail.shop.example alice.jones@example.net >/dev/null
expect_eq "--test: after revoke" "$(verdict_for)" "reject consent:revoked"
$CTL -c "$T/store.conf" grant mail.shop.example alice.jones@example.net --confirmed >/dev/null
expect_eq "--test: after a new grant" "$(verdict_for)" "accept "
$CTL -c "$T/store.conf" import-arf tests/data/arf/yahoo_abuse.eml >/dev/null
expect_eq "--test: after an imported complaint" "$(verdict_for)" "reject consent:suppressed"

# --test and a suspended scope (DESIGN §11): sender:suspended with SuspendedAction, whatever
# exemption matches; lifting it restores the verdict. other@example.net has a confirmed consent.
judge() {
    conf=$1; shift
    $CM -c "$conf" --test $MSG/compliant.eml --from bounce-7f3a@mail.shop.example --rcpt other@example.net --json "$@" |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["verdict"], ",".join(r["reasons"]), r["exempt"])'
}
{ cat "$T/store.conf"; echo "ExemptClients 192.0.2.0/24"; echo "ExemptSenders mail.shop.example"; } >"$T/exempt.conf"
{ cat "$T/store.conf"; echo "SuspendedAction tag"; } >"$T/suspended-tag.conf"
expect_eq "--test: not suspended" "$(judge "$T/store.conf")" "accept  False"
$CTL -c "$T/store.conf" suspend mail.shop.example --reason "spam run, ticket 4711" >/dev/null
expect_eq "--test: suspended scope, SuspendedAction reject" "$(judge "$T/store.conf")" "reject sender:suspended False"
expect_eq "--test: suspended scope, SuspendedAction tag" "$(judge "$T/suspended-tag.conf")" "tag sender:suspended False"
expect_eq "--test: suspended scope, ExemptClients and ExemptSenders match: still refused" \
    "$(judge "$T/exempt.conf" --client-ip 192.0.2.7)" "reject sender:suspended False"
out=$($CM -c "$T/store.conf" --test $MSG/compliant.eml --from bounce-7f3a@mail.shop.example --rcpt other@example.net)
expect_contains "--test: the human report names the check" "$out" "sender: fail (suspended)"
expect_contains "--test: the human report gives the suspension's reason" "$out" "spam run, ticket 4711"
$CTL -c "$T/store.conf" unsuspend mail.shop.example >/dev/null
expect_eq "--test: after unsuspend" "$(judge "$T/store.conf")" "accept  False"
expect_eq "--test: after unsuspend, exempt again" "$(judge "$T/exempt.conf" --client-ip 192.0.2.7)" "accept  True"

# Complaint rate: 100 accepted recipients today (the milter's counters, seeded by SQL here) and
# one complaint = 1 % over the window.
sqlite3 "$T/consent.db" "INSERT INTO traffic VALUES ('mail.shop.example', strftime('%Y-%m-%d', 'now'), 'verdict', 'accept', 10, 100)"
$CTL -c "$T/store.conf" complaint mail.shop.example reader@example.net >/dev/null
rate_conf() { { cat "$T/store.conf"; echo "ComplaintRateLimit $1"; echo "ComplaintRateMinVolume $2"; echo "ComplaintRateAction $3"; } >"$T/rate.conf"; echo "$T/rate.conf"; }
expect_eq "--test: complaint rate 1 % under a 2 % limit" "$(judge "$(rate_conf 2 100 reject)")" "accept  False"
expect_eq "--test: complaint rate above the limit, below the minimum volume" "$(judge "$(rate_conf 0.5 101 reject)")" "accept  False"
expect_eq "--test: complaint rate above the limit, ComplaintRateAction tag" "$(judge "$(rate_conf 0.5 100 tag)")" "tag sender:complaint-rate False"
expect_eq "--test: complaint rate above the limit, ComplaintRateAction reject" "$(judge "$(rate_conf 0.5 100 reject)")" "reject sender:complaint-rate False"
expect_eq "--test: complaint rate above the limit, ComplaintRateAction suspend" "$(judge "$(rate_conf 0.5 100 suspend)")" "reject sender:suspended False"
out=$($CM -c "$T/rate.conf" --test $MSG/compliant.eml --from bounce-7f3a@mail.shop.example --rcpt other@example.net)
expect_contains "--test: the figures" "$out" "complaint rate 1% (1 complaint / 100 accepted recipients in 7 days) above ComplaintRateLimit 0.5%"
expect_eq "--test records no suspension" "$($CTL -c "$T/store.conf" suspended --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["suspensions"]))' 2>&1)" 0

# Every shared corpus file: valid JSON, exit 0.
if [ -d "${CORPUS_DIR:-}" ]; then
    bad=""
    for f in "$CORPUS_DIR"/*.eml "$CORPUS_DIR"/*.html; do
        $CM -c "$T/default.conf" --test "$f" --json >"$T/out.json" 2>"$T/err" &&
            python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out.json" 2>/dev/null || bad="$bad $(basename "$f")"
    done
    expect_eq "--test --json on every corpus file" "$bad" ""
else
    fail "--test --json on every corpus file" "CORPUS_DIR '${CORPUS_DIR:-}' not found"
fi

finish
