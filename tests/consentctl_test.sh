#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# consentctl against a real store (SQLite in a temp dir by default): every command, exit codes, exact texts.
. tests/lib.sh
CTL=$BUILD/consentctl
ARF=tests/data/arf
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# CONSENTCTL_TEST_DB runs the same cases on another (empty) store, e.g. PostgreSQL.
DB=${CONSENTCTL_TEST_DB:-"sqlite:$T/consent.db"}
printf 'ConsentDatabase %s\nConsentScope sender-domain\n' "$DB" >"$T/ctl.conf"
c() { "$CTL" -c "$T/ctl.conf" "$@"; }

# --- front matter: version, help, usage errors -------------------------------------------
out=$("$CTL" -V); rc=$?
expect_eq "-V exits 0" "$rc" 0
expect_contains "-V prints the version" "$out" "consentctl (consent-milter) "
out=$("$CTL" --help)
for cmd in grant confirm revoke suppress unsuppress show export import import-arf stats -c -d --skip-bad; do
    expect_contains "--help documents $cmd" "$out" "$cmd"
done
"$CTL" >/dev/null 2>&1; expect_eq "no command exits 64" "$?" 64
err=$(c frobnicate 2>&1); rc=$?
expect_eq "unknown command exits 64" "$rc" 64
expect_contains "unknown command is named" "$err" "consentctl: unknown command 'frobnicate'"
err=$(c grant shop.example 2>&1); rc=$?
expect_eq "grant with one operand exits 64" "$rc" 64
expect_contains "grant usage shown" "$err" "usage: consentctl grant SCOPE ADDRESS"
err=$(c grant shop.example a@example.net --bogus 2>&1); rc=$?
expect_eq "unknown option exits 64" "$rc" 64
expect_contains "unknown option is named" "$err" "grant: unknown option --bogus"
err=$(c grant shop.example not-an-address 2>&1); rc=$?
expect_eq "invalid address exits 64" "$rc" 64
expect_eq "invalid address message" "$err" 'consentctl: invalid address "not-an-address" (want local@domain)'
err=$(c grant shop.example a@example.net --method opt-in 2>&1); rc=$?
expect_eq "unknown method exits 64" "$rc" 64
err=$(c grant shop.example a@example.net --at yesterday 2>&1); rc=$?
expect_eq "bad --at exits 64" "$rc" 64
expect_contains "bad --at message" "$err" 'consentctl: --at: invalid timestamp "yesterday"'

# --- config and store errors ------------------------------------------------------------
printf 'ConsentDatabase %s\nConsentScop sender\n' "$DB" >"$T/bad.conf"
err=$("$CTL" -c "$T/bad.conf" stats 2>&1); rc=$?
expect_eq "config error exits 78" "$rc" 78
expect_contains "config error is FILE:LINE" "$err" "$T/bad.conf:2: "
printf 'Mode monitor\n' >"$T/nodb.conf"
err=$("$CTL" -c "$T/nodb.conf" stats 2>&1); rc=$?
expect_eq "no ConsentDatabase exits 78" "$rc" 78
expect_eq "no ConsentDatabase message" "$err" "$T/nodb.conf: no ConsentDatabase configured (or give -d URI)"
"$CTL" -c "$T/missing.conf" stats >/dev/null 2>&1; expect_eq "missing config exits 78" "$?" 78
"$CTL" -c "$T/nodb.conf" -d "sqlite:$T/no/such/dir/c.db" grant s.example a@example.net >/dev/null 2>&1
expect_eq "unreachable store exits 75" "$?" 75
"$CTL" -c "$T/nodb.conf" -d "sqlite:$T/absent.db" stats >/dev/null 2>&1
expect_eq "reading a store that does not exist exits 75" "$?" 75
[ ! -e "$T/absent.db" ] && pass "a read-only command creates no store" || fail "a read-only command creates no store" "file created"
"$CTL" -c "$T/nodb.conf" -d "mysql://x" stats >/dev/null 2>&1; expect_eq "bad -d URI exits 64" "$?" 64

# --- single-record commands -------------------------------------------------------------
out=$(c grant Shop.Example Alice@Example.NET --method double-opt-in --source "https://shop.example/join" \
        --ip 192.0.2.7 --at 2024-05-01T12:00:00Z); rc=$?
expect_eq "grant exits 0" "$rc" 0
expect_eq "grant double opt-in is pending" "$out" "granted alice@example.net for shop.example (pending)"
out=$(c confirm shop.example alice@example.net)
expect_eq "confirm" "$out" "confirmed alice@example.net for shop.example"
out=$(c confirm shop.example alice@example.net)
expect_eq "confirm twice changes nothing" "$out" "alice@example.net for shop.example: already confirmed, nothing changed"
err=$(c confirm shop.example nobody@example.net 2>&1); rc=$?
expect_eq "confirm without record exits 65" "$rc" 65
expect_contains "confirm without record says so" "$err" "consentctl: confirm nobody@example.net for shop.example: not found"
out=$(c grant shop.example bob@example.net --at 2024-05-02)
expect_eq "grant single opt-in is confirmed" "$out" "granted bob@example.net for shop.example (confirmed)"
out=$(c grant shop.example dan@example.net --pending)
expect_eq "grant --pending" "$out" "granted dan@example.net for shop.example (pending)"
out=$(c revoke shop.example bob@example.net --source "unsubscribe link")
expect_eq "revoke" "$out" "revoked bob@example.net for shop.example"
err=$(c suppress '*' carol@example.net 2>&1); rc=$?
expect_eq "suppress without --reason exits 64" "$rc" 64
err=$(c suppress '*' carol@example.net --reason annoyed 2>&1); rc=$?
expect_eq "suppress with unknown reason exits 64" "$rc" 64
expect_contains "unknown reason lists the valid ones" "$err" "(want complaint, bounce, unsubscribe, manual or spamtrap)"
out=$(c suppress '*' carol@example.net --reason bounce)
expect_eq "global suppress" "$out" "suppressed carol@example.net for * (bounce)"
out=$(c suppress '*' Carol@Example.net --reason bounce)
expect_eq "suppress twice changes nothing" "$out" "already suppressed carol@example.net for *, nothing changed"
out=$(c unsuppress '*' carol@example.net)
expect_eq "unsuppress" "$out" "unsuppressed carol@example.net for *"
out=$(c unsuppress '*' carol@example.net)
expect_eq "unsuppress twice" "$out" "carol@example.net was not suppressed for *, nothing changed"

out=$(c show alice@example.net); rc=$?
expect_eq "show exits 0" "$rc" 0
expect_contains "show: record line" "$out" "shop.example  confirmed  double-opt-in  2024-05-01T12:00:00Z"
expect_contains "show: source and ip" "$out" "192.0.2.7  https://shop.example/join"
expect_contains "show: history grant" "$out" "shop.example  grant"
expect_contains "show: history confirm" "$out" "shop.example  confirm"
out=$(c show nobody@example.net)
expect_contains "show of an unknown address" "$out" "no consent records, suppressions or history"

# --- export / import --------------------------------------------------------------------
out=$(c export | tr -d '\r'); rc=$?
expect_eq "export exits 0" "$rc" 0
expect_eq "export header" "$(echo "$out" | head -n 1)" "scope,address,status,method,source,ip,granted_at,confirmed_at,revoked_at"
expect_contains "export row" "$out" "shop.example,alice@example.net,confirmed,double-opt-in,https://shop.example/join,192.0.2.7,2024-05-01T12:00:00Z,"
expect_eq "export row count" "$(echo "$out" | wc -l | tr -d ' ')" 4
c export >"$T/exported.csv"
case "$(head -n 1 "$T/exported.csv")" in *"$(printf '\r')") pass "export lines end in CRLF" ;; *) fail "export lines end in CRLF" "no CR" ;; esac
out=$(c export other.example | tr -d '\r')
expect_eq "export of an empty scope is the header alone" "$out" "scope,address,status,method,source,ip,granted_at,confirmed_at,revoked_at"

"$CTL" -d "sqlite:$T/copy.db" import "$T/exported.csv" >/dev/null
"$CTL" -d "sqlite:$T/copy.db" export >"$T/reexported.csv"
cmp -s "$T/exported.csv" "$T/reexported.csv" && pass "export -> import -> export round-trips" \
    || fail "export -> import -> export round-trips" "$(diff "$T/exported.csv" "$T/reexported.csv")"

cat >"$T/good.csv" <<'CSV'
address,scope,status,source,granted_at
erin@example.org,news.example,confirmed,"list ""spring"", 2024",2024-03-01
frank@example.org,news.example,pending,,2024-03-02T08:00:00+01:00
"gina@example.org",news.example,revoked,"multi
line source",
CSV
out=$(c import "$T/good.csv"); rc=$?
expect_eq "import exits 0" "$rc" 0
expect_eq "import summary" "$out" "imported 3 rows (3 changed), 0 skipped"
out=$(c import "$T/good.csv")
expect_eq "import is idempotent" "$out" "imported 3 rows (0 changed), 0 skipped"
out=$(c export news.example | tr -d '\r')
expect_contains "imported quoted source" "$out" 'news.example,erin@example.org,confirmed,import,"list ""spring"", 2024",,2024-03-01T00:00:00Z'
expect_contains "imported offset timestamp" "$out" "news.example,frank@example.org,pending,import,,,2024-03-02T07:00:00Z"
out=$(cat "$T/good.csv" | c import -)
expect_eq "import from standard input" "$out" "imported 3 rows (0 changed), 0 skipped"

cat >"$T/bad.csv" <<'CSV'
scope,address,status
bad.example,henry@example.org,confirmed
bad.example,not-an-address,confirmed
bad.example,ida@example.org,maybe
bad.example,"jack@example.org
CSV
err=$(c import "$T/bad.csv" 2>&1 >/dev/null); rc=$?
expect_eq "import with bad rows exits 65" "$rc" 65
expect_contains "bad row 3 reported" "$err" "$T/bad.csv:3: address: invalid address \"not-an-address\" (want local@domain)"
expect_contains "bad row 4 reported" "$err" "$T/bad.csv:4: status: unknown value \"maybe\" (want confirmed, pending or revoked)"
expect_contains "bad row 5 reported" "$err" "$T/bad.csv:5: unterminated quoted field"
expect_contains "nothing imported is said" "$err" "3 bad rows, nothing imported"
out=$(c export bad.example | tr -d '\r' | wc -l | tr -d ' ')
expect_eq "a file with bad rows imports nothing" "$out" 1
out=$(c import "$T/bad.csv" --skip-bad 2>/dev/null); rc=$?
expect_eq "import --skip-bad exits 0" "$rc" 0
expect_eq "import --skip-bad summary" "$out" "imported 1 row (1 changed), 3 skipped"
printf 'scope,email,status\n' >"$T/badhead.csv"
err=$(c import "$T/badhead.csv" 2>&1); rc=$?
expect_eq "bad header exits 65" "$rc" 65
expect_contains "bad header is FILE:1" "$err" "$T/badhead.csv:1: unknown column \"email\""
: >"$T/empty.csv"
err=$(c import "$T/empty.csv" 2>&1); rc=$?
expect_eq "empty file exits 65" "$rc" 65
expect_eq "empty file message" "$err" "$T/empty.csv:1: empty file: no header row"
c import "$T/nonexistent.csv" >/dev/null 2>&1; expect_eq "unreadable CSV exits 66" "$?" 66

# --- ARF --------------------------------------------------------------------------------
out=$(c import-arf $ARF/yahoo_abuse.eml $ARF/jmrp_headers.eml $ARF/redacted.eml $ARF/not_spam.eml \
        $ARF/not_arf.eml $ARF/three_reports.mbox); rc=$?
expect_eq "import-arf exits 0" "$rc" 0
expect_contains "yahoo report suppressed" "$out" "$ARF/yahoo_abuse.eml: suppressed alice.jones@example.net for mail.shop.example"
expect_contains "jmrp report suppressed (recipient from To)" "$out" "$ARF/jmrp_headers.eml: suppressed bob@mail.example.com for letters.bakery.example"
expect_contains "redacted report listed" "$out" "$ARF/redacted.eml: unattributable: recipient redacted by the reporter"
expect_contains "not-spam report listed" "$out" "$ARF/not_spam.eml: skipped: Feedback-Type not-spam is not a complaint"
expect_contains "non-ARF mail listed" "$out" "$ARF/not_arf.eml: skipped: not an ARF report"
expect_contains "mbox report 1" "$out" "$ARF/three_reports.mbox:2: suppressed dave@example.net for news.garden.example"
expect_contains "mbox report 2" "$out" "suppressed eve@example.org for news.garden.example"
expect_contains "mbox report 3 unattributable" "$out" "unattributable: recipient unknown: no Original-Rcpt-To and the original To lists 2 addresses"
expect_contains "import-arf summary" "$out" "4 suppressed, 0 already suppressed, 2 unattributable, 2 skipped"
out=$(c import-arf $ARF/yahoo_abuse.eml $ARF/jmrp_headers.eml $ARF/three_reports.mbox)
expect_contains "second import says already suppressed" "$out" "$ARF/yahoo_abuse.eml: already suppressed alice.jones@example.net for mail.shop.example"
expect_contains "second import changes nothing" "$out" "0 suppressed, 4 already suppressed, 1 unattributable, 0 skipped"
out=$(c show alice.jones@example.net)
expect_contains "complaint suppression shown" "$out" "mail.shop.example  complaint"
expect_contains "history keeps the report id" "$out" "<fbl.1714572189.7731@fbl.example-provider.net>"
hist=$(echo "$out" | grep -c " suppress ")
expect_eq "re-import adds no history" "$hist" 1
out=$(c import-arf $ARF/yahoo_abuse.eml "$T/nonexistent.eml" 2>&1); rc=$?
expect_eq "unreadable report exits 66" "$rc" 66
expect_contains "unreadable report named" "$out" "consentctl: cannot read $T/nonexistent.eml"
printf 'ConsentDatabase %s\nConsentScope auth\n' "$DB" >"$T/auth.conf"
out=$("$CTL" -c "$T/auth.conf" import-arf $ARF/yahoo_abuse.eml)
expect_contains "scope auth is unattributable" "$out" "unattributable: scope auth not derivable from a report"
printf 'ConsentDatabase %s\nConsentScope header:X-Customer\n' "$DB" >"$T/hdr.conf"
out=$("$CTL" -c "$T/hdr.conf" import-arf $ARF/yahoo_abuse.eml)
expect_contains "scope header: from the original headers" "$out" "suppressed alice.jones@example.net for acme-42"

# --- stats ------------------------------------------------------------------------------
out=$(c stats); rc=$?
expect_eq "stats exits 0" "$rc" 0
expect_contains "stats header" "$out" "SCOPE"
expect_contains "stats per scope" "$(echo "$out" | grep '^shop.example ' | tr -s ' ')" "shop.example 1 1 1 0"
expect_contains "stats suppressions" "$(echo "$out" | grep '^news.garden.example ' | tr -s ' ')" "news.garden.example 0 0 0 2"

finish
