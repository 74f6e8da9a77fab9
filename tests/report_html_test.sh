#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `consentctl report --format html` opened in a real headless Chromium: a store seeded with
# grants, complaints, a suspension (consentctl) and traffic (SQL rows as the milter writes
# them), the page written, then: no <script>, no outside reference, no console message, a
# screenshot whose charts have coloured bars. Skipped only when chromium is not installed.
# KEEP=1 keeps the temporary directory (page, screenshot, Chromium log) for a look.
. tests/lib.sh
CTL=$BUILD/consentctl
CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
    echo "report_html: chromium is not installed: suite skipped"
    finish
    exit 0
fi
T=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"' EXIT
printf 'ConsentDatabase sqlite:%s/consent.db\nConsentScope sender-domain\n' "$T" >"$T/ctl.conf"
c() { "$CTL" -c "$T/ctl.conf" "$@"; }
day() { date -u -d "$1 days ago" +%F; }
# seed_traffic DB SCOPE VERDICT DAY:MESSAGES:RECIPIENTS... - counter rows as the milter adds
# them (its add_traffic is reachable only through the API), written with sqlite3.
seed_traffic() {
    db=$1 scope=$2 verdict=$3
    shift 3
    sql=""
    for row in "$@"; do
        d=${row%%:*} rest=${row#*:}
        sql="$sql INSERT INTO traffic (scope, day, kind, key, messages, recipients)
                  VALUES ('$scope', '$d', 'verdict', '$verdict', ${rest%%:*}, ${rest#*:});"
    done
    sqlite3 "$db" "$sql" || fail "seed traffic" "sqlite3 failed"
}

# --- seed: consent, complaints, a suspension, two weeks of traffic ----------------------
c grant shop.example a@example.net --method double-opt-in --confirmed >/dev/null
c complaint shop.example a@example.net --at "$(day 3)T10:00:00Z" >/dev/null
c complaint shop.example b@example.net --at "$(day 1)T09:00:00Z" >/dev/null
c suspend spam.example --reason 'bought list <ticket 8812> & more' >/dev/null
rows=""
for n in 13 12 11 10 9 8 7 6 5 4 3 2 1 0; do
    rows="$rows $(day $n):$((100 + n * 37)):$((400 + n * 90))"
done
seed_traffic "$T/consent.db" shop.example accept $rows
seed_traffic "$T/consent.db" spam.example reject "$(day 2):50:500"

out=$(c report --since 14d --format html -o "$T/report.html" 2>&1); rc=$?
expect_eq "report --format html -o exits 0" "$rc" 0
expect_eq "report -o prints nothing" "$out" ""
html=$(cat "$T/report.html")
expect_contains "the page names a sender" "$html" "shop.example"
expect_contains "the suspension reason is escaped" "$html" "bought list &lt;ticket 8812&gt; &amp; more"
expect_contains "the page has inline SVG" "$html" "<svg "

# --- self-contained: no scripts, nothing fetched from elsewhere -------------------------
case "$html" in *"<script"* | *"<SCRIPT"*) fail "no <script>" "found one" ;; *) pass "no <script>" ;; esac
refs=$(grep -oiE '(src|href|xlink:href|action)="[^"]*"|url\([^)]*\)|@import' "$T/report.html" | grep -vE '="#' || true)
expect_eq "no reference leaves the page" "$refs" ""
urls=$(grep -oiE '(https?|ftp)://[^" <]*' "$T/report.html" || true)
expect_eq "no http(s) URL in the page" "$urls" ""

# --- rendered by Chromium ----------------------------------------------------------------
export HOME="$T"
render() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$T/profile" \
        --enable-logging=stderr --v=0 "$@" "file://$T/report.html"
}
render --screenshot="$T/shot.png" --window-size=1200,2000 >"$T/chromium.out" 2>"$T/chromium.err"; rc=$?
expect_eq "chromium exits 0" "$rc" 0
console=$(grep -E ':CONSOLE[(:]|Uncaught|Refused to|net::ERR_' "$T/chromium.err" || true)
expect_eq "no console message or failed load" "$console" ""
if [ -s "$T/shot.png" ]; then pass "screenshot written"; else fail "screenshot written" "$(tail -n 3 "$T/chromium.err")"; fi
# Bars: #4a78b5 (messages per day), #c0392b (complaint rate).
counts=$(python3 tests/png_pixels.py "$T/shot.png" 74,120,181 192,57,43 2>&1)
set -- $counts
expect_eq "screenshot is 1200x2000" "${1:-}x${2:-}" "1200x2000"
[ "${3:-0}" -gt 10000 ] 2>/dev/null && pass "screenshot is not blank" || fail "screenshot is not blank" "$counts"
[ "${4:-0}" -gt 2000 ] 2>/dev/null && pass "message bars are drawn" || fail "message bars are drawn" "$counts"
[ "${5:-0}" -gt 100 ] 2>/dev/null && pass "complaint-rate bars are drawn" || fail "complaint-rate bars are drawn" "$counts"
dom=$(render --dump-dom 2>/dev/null)
expect_contains "the DOM holds the charts" "$dom" "<rect "

finish
