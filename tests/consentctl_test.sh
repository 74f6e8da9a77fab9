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
for cmd in grant confirm revoke suppress unsuppress show export import import-arf stats complaint complaints \
           suspend unsuspend suspended report init -c -d --skip-bad --since --until --format --json; do
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
expect_contains "yahoo report recorded" "$out" "$ARF/yahoo_abuse.eml: recorded complaint about alice.jones@example.net for mail.shop.example (suppressed)"
expect_contains "jmrp report recorded (recipient from To)" "$out" "$ARF/jmrp_headers.eml: recorded complaint about bob@mail.example.com for letters.bakery.example (suppressed)"
expect_contains "redacted report listed" "$out" "$ARF/redacted.eml: unattributable: recipient redacted by the reporter"
expect_contains "not-spam report listed" "$out" "$ARF/not_spam.eml: skipped: Feedback-Type not-spam is not a complaint"
expect_contains "non-ARF mail listed" "$out" "$ARF/not_arf.eml: skipped: not a complaint: not an ARF report (Content-Type is text/plain, not multipart/report) and no attached message"
expect_contains "mbox report 1" "$out" "$ARF/three_reports.mbox:2: recorded complaint about dave@example.net for news.garden.example"
expect_contains "mbox report 2" "$out" "recorded complaint about eve@example.org for news.garden.example"
expect_contains "mbox report 3 unattributable" "$out" "unattributable: recipient unknown: no Original-Rcpt-To and the original To lists 2 addresses"
expect_contains "import-arf summary" "$out" "4 recorded, 0 already recorded, 2 unattributable, 2 skipped"
out=$(c import-arf $ARF/yahoo_abuse.eml $ARF/jmrp_headers.eml $ARF/three_reports.mbox)
expect_contains "second import says already recorded" "$out" "$ARF/yahoo_abuse.eml: complaint about alice.jones@example.net for mail.shop.example already recorded"
expect_contains "second import changes nothing" "$out" "0 recorded, 4 already recorded, 1 unattributable, 0 skipped"
out=$(c show alice.jones@example.net)
expect_contains "complaint suppression shown" "$out" "mail.shop.example  complaint"
expect_contains "history keeps the report id" "$out" "<fbl.1714572189.7731@fbl.example-provider.net>"
hist=$(echo "$out" | grep -c "<fbl.1714572189.7731@fbl.example-provider.net>")
expect_eq "re-import adds no history" "$hist" 1
out=$(c import-arf $ARF/yahoo_abuse.eml "$T/nonexistent.eml" 2>&1); rc=$?
expect_eq "unreadable report exits 66" "$rc" 66
expect_contains "unreadable report named" "$out" "consentctl: cannot read $T/nonexistent.eml"
printf 'ConsentDatabase %s\nConsentScope auth\n' "$DB" >"$T/auth.conf"
out=$("$CTL" -c "$T/auth.conf" import-arf $ARF/yahoo_abuse.eml)
expect_contains "scope auth is unattributable" "$out" "unattributable: scope auth not derivable from a report"
printf 'ConsentDatabase %s\nConsentScope header:X-Customer\n' "$DB" >"$T/hdr.conf"
# Another report (its own Message-ID): a report already recorded changes nothing, whatever the scope.
sed 's/fbl\.1714572189\.7731@/fbl.header-scope@/' $ARF/yahoo_abuse.eml >"$T/yahoo_hdr.eml"
out=$("$CTL" -c "$T/hdr.conf" import-arf "$T/yahoo_hdr.eml")
expect_contains "scope header: from the original headers" "$out" "recorded complaint about alice.jones@example.net for acme-42"

# --- stats ------------------------------------------------------------------------------
out=$(c stats); rc=$?
expect_eq "stats exits 0" "$rc" 0
expect_contains "stats header" "$out" "SCOPE"
expect_contains "stats per scope" "$(echo "$out" | grep '^shop.example ' | tr -s ' ')" "shop.example 1 1 1 0"
expect_contains "stats suppressions" "$(echo "$out" | grep '^news.garden.example ' | tr -s ' ')" "news.garden.example 0 0 0 2"

# --- complaints by hand and forwarded spam -----------------------------------------------
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
c grant shop.example fay@example.net --method double-opt-in --confirmed --at 2024-05-01T12:00:00Z \
    --ip 192.0.2.7 --source https://shop.example/join >/dev/null
out=$(c complaint Shop.Example Fay@Example.NET --at 2026-11-30T14:05:00Z --source "phone, ticket 7"); rc=$?
expect_eq "complaint exits 0" "$rc" 0
expect_eq "complaint" "$out" "recorded complaint about fay@example.net for shop.example (suppressed)"
out=$(c complaint shop.example harvested@example.net --at 2026-11-30T15:06:00+01:00)
expect_eq "complaint with a zone offset" "$out" "recorded complaint about harvested@example.net for shop.example (suppressed)"
err=$(c complaint shop.example x@example.net --at 30.11.2026 2>&1); rc=$?
expect_eq "complaint with a bad --at exits 64" "$rc" 64
expect_eq "bad --at is named" "$err" 'consentctl: --at: invalid timestamp "30.11.2026" (want ISO 8601 like 2024-05-01T12:00:00Z)'
c complaint shop.example x@example.net --at 2026-02-30T10:00:00Z >/dev/null 2>&1; expect_eq "an impossible --at exits 64" "$?" 64
c complaint shop.example >/dev/null 2>&1; expect_eq "complaint without an address exits 64" "$?" 64
out=$(c show fay@example.net shop.example)
expect_contains "the complaint suppresses" "$out" "shop.example  complaint"
out=$(c complaints shop.example); rc=$?
expect_eq "complaints exits 0" "$rc" 0
expect_eq "complaints: consent evidence" "$(echo "$out" | grep fay@example.net | tr -s ' ')" \
    "2026-11-30T14:05:00Z shop.example fay@example.net manual:phone, ticket 7 - confirmed double-opt-in 2024-05-01T12:00:00Z 192.0.2.7 https://shop.example/join"
expect_eq "complaints: a harvested address is marked" "$(echo "$out" | grep harvested@ | tr -s ' ')" \
    "2026-11-30T14:06:00Z shop.example harvested@example.net manual:consentctl - no consent record (bought or harvested list?)"
json=$(c complaints shop.example --json)
expect_eq "complaints --json: two" "$(echo "$json" | json_get 'len(d["complaints"])')" 2
expect_eq "complaints --json: first" "$(echo "$json" | json_get '[d["complaints"][0][k] for k in ("scope","address","received_at","report_ref")]')" \
    "['shop.example', 'fay@example.net', '2026-11-30T14:05:00Z', '']"
expect_eq "complaints --json: consent" "$(echo "$json" | json_get 'd["complaints"][0]["consent"]')" \
    "{'status': 'confirmed', 'method': 'double-opt-in', 'source': 'https://shop.example/join', 'ip': '192.0.2.7', 'confirmed_at': '2024-05-01T12:00:00Z'}"
expect_eq "complaints --json: no record is null" "$(echo "$json" | json_get 'd["complaints"][1]["consent"]')" "None"
out=$(c complaints shop.example --since 2026-12-01)
expect_eq "complaints --since" "$out" "no complaints"
c complaints --since soon >/dev/null 2>&1; expect_eq "complaints with a bad --since exits 64" "$?" 64

out=$(c import-arf $ARF/forwarded_thunderbird.eml $ARF/forwarded_outlook.eml $ARF/forwarded_inline.eml $ARF/bounce_dsn.eml); rc=$?
expect_eq "import-arf of forwarded spam exits 0" "$rc" 0
expect_contains "thunderbird forward recorded" "$out" "$ARF/forwarded_thunderbird.eml: recorded complaint about carla@example.net for mail.furniture.example (suppressed)"
expect_contains "outlook forward recorded" "$out" "$ARF/forwarded_outlook.eml: recorded complaint about dieter@contoso-mail.example for news.travel.example (suppressed)"
expect_contains "an inline forward is skipped" "$out" "$ARF/forwarded_inline.eml: skipped: not a complaint"
expect_contains "a bounce is skipped" "$out" "$ARF/bounce_dsn.eml: skipped: not a complaint"
out=$(c import-arf $ARF/forwarded_thunderbird.eml)
expect_contains "re-importing a forward changes nothing" "$out" "0 recorded, 1 already recorded"
json=$(c complaints mail.furniture.example --json)
expect_eq "forwarded complaint: source, ref, time" \
    "$(echo "$json" | json_get '[d["complaints"][0][k] for k in ("source","report_ref","received_at")]')" \
    "['forwarded:$ARF/forwarded_thunderbird.eml', '<deal-20261130-0042@mail.furniture.example>', '2026-11-30T13:05:00Z']"

# --- suspensions ------------------------------------------------------------------------
err=$(c suspend shop.example 2>&1); rc=$?
expect_eq "suspend without --reason exits 64" "$rc" 64
expect_eq "suspend without --reason says so" "$err" "consentctl: suspend needs --reason TEXT (why the sender is excluded)"
out=$(c suspend Shop.Example --reason "bought list, ticket 8812")
expect_eq "suspend" "$out" "suspended shop.example"
out=$(c suspend shop.example --reason again)
expect_eq "suspend twice changes nothing" "$out" "shop.example is already suspended, nothing changed"
out=$(c suspended)
expect_contains "suspended lists it" "$out" "shop.example"
expect_contains "suspended gives the reason" "$out" "consentctl  bought list, ticket 8812"
expect_eq "suspended --json" "$(c suspended --json | json_get '[(s["scope"], s["reason"], s["source"], len(s["created_at"])) for s in d["suspensions"]]')" \
    "[('shop.example', 'bought list, ticket 8812', 'consentctl', 20)]"
out=$(c unsuspend shop.example)
expect_eq "unsuspend" "$out" "unsuspended shop.example"
out=$(c unsuspend shop.example)
expect_eq "unsuspend twice" "$out" "shop.example was not suspended, nothing changed"
expect_eq "nothing suspended" "$(c suspended)" "no sender is suspended"
expect_eq "nothing suspended (json)" "$(c suspended --json)" '{"suspensions":[]}'
c suspend '*' --reason x >/dev/null 2>&1; expect_eq "suspend '*' exits 64" "$?" 64

# --- report -----------------------------------------------------------------------------
json=$(c report --since 2026-11-25 --until 2026-12-01 --format json); rc=$?
expect_eq "report --format json exits 0" "$rc" 0
expect_eq "report window" "$(echo "$json" | json_get 'd["since"], d["until"]')" "2026-11-25 2026-12-01"
expect_eq "report: complaints of shop.example" \
    "$(echo "$json" | json_get '[(s["complaints"], s["suspended"], len(s["daily"])) for s in d["scopes"] if s["scope"] == "shop.example"]')" \
    "[(2, False, 7)]"
expect_eq "report: complaints on their day" \
    "$(echo "$json" | json_get '[x["complaints"] for s in d["scopes"] if s["scope"] == "shop.example" for x in s["daily"] if x["day"] == "2026-11-30"]')" "[2]"
out=$(c report)
expect_contains "report as text, the last 30 days" "$out" "Sender report $(date -u -d '29 days ago' +%F) .. $(date -u +%F)"
c report --format xml >/dev/null 2>&1; expect_eq "report --format xml exits 64" "$?" 64
err=$(c report --since 2026-12-05 --until 2026-12-01 2>&1); rc=$?
expect_eq "a reversed window exits 64" "$rc" 64
expect_eq "a reversed window is named" "$err" "consentctl: report: the window ends (2026-12-01) before it starts (2026-12-05)"
c report --since 0d >/dev/null 2>&1; expect_eq "report --since 0d exits 64" "$?" 64
out=$(c report --format html -o "$T/report.html"); rc=$?
expect_eq "report -o exits 0" "$rc" 0
expect_contains "report -o writes the file" "$(head -n 1 "$T/report.html")" "<!DOCTYPE html>"
c report -o "$T/no/such/dir/r.txt" >/dev/null 2>&1; expect_eq "an unwritable -o exits 73" "$?" 73

# --- init -------------------------------------------------------------------------------
if [ -z "${CONSENTCTL_TEST_DB:-}" ]; then
    chmod 0755 "$T"
    printf 'ConsentDatabase sqlite:%s/store/consent.db\nUserID nobody\n' "$T" >"$T/init.conf"
    chmod 0644 "$T/init.conf"
    out=$("$CTL" -c "$T/init.conf" init); rc=$?
    expect_eq "init exits 0" "$rc" 0
    expect_eq "init creates the directory and the store" "$out" "created $T/store (owner nobody:nogroup, mode 0770)
consent store $T/store/consent.db ready (owner nobody:nogroup, mode 0660)"
    expect_eq "init: the file belongs to UserID" "$(stat -c '%U:%G %a' "$T/store/consent.db")" "nobody:nogroup 660"
    expect_eq "init: the directory too" "$(stat -c '%U:%G %a' "$T/store")" "nobody:nogroup 770"
    out=$("$CTL" -c "$T/init.conf" init); rc=$?
    expect_eq "init again exits 0" "$rc" 0
    expect_eq "init again changes nothing" "$out" "consent store $T/store/consent.db ready (owner nobody:nogroup, mode 0660)"
    out=$(runuser -u nobody -- "$CTL" -c "$T/init.conf" grant shop.example z@example.net 2>&1); rc=$?
    expect_eq "the milter's user can write the store" "$rc:$out" "0:granted z@example.net for shop.example (confirmed)"
    expect_eq "no file left that UserID cannot write" "$(find "$T/store" ! -user nobody | wc -l | tr -d ' ')" 0

    mkdir "$T/shared"; : >"$T/shared/other"
    printf 'ConsentDatabase sqlite:%s/shared/c.db\nUserID nobody\n' "$T" >"$T/shared.conf"
    err=$("$CTL" -c "$T/shared.conf" init 2>&1); rc=$?
    expect_eq "init refuses a shared directory" "$rc" 73
    expect_contains "init says why" "$err" "$T/shared is not writable by nobody and holds other files"
    [ ! -e "$T/shared/c.db" ] && pass "nothing created in a refused directory" || fail "nothing created in a refused directory" "c.db exists"
    printf 'ConsentDatabase sqlite:%s/x/c.db\nUserID no-such-user-here\n' "$T" >"$T/nouser.conf"
    err=$("$CTL" -c "$T/nouser.conf" init 2>&1); rc=$?
    expect_eq "init with an unknown UserID exits 78" "$rc:$err" "78:consentctl: UserID: unknown user 'no-such-user-here'"
else
    out=$(c init); rc=$?
    expect_eq "init on PostgreSQL" "$rc:$out" "0:consent store ready: PostgreSQL schema in place"
fi

finish
