#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Hostile input (issue 7): every message of the generated corpus (tests/hostile/gen_hostile.py)
# must get a defined verdict from `consent-milter --test FILE --json` (valid JSON with a
# known verdict, exit 0) within HOSTILE_SECONDS [2] of wall time and HOSTILE_MB [64] MB of
# peak RSS above the baseline (the same command on a small message), measured with
# /usr/bin/time. The corpus is written to a temporary directory and removed afterwards.
. tests/lib.sh
CM=$BUILD/consent-milter
LIMIT_S=${HOSTILE_SECONDS:-2}
LIMIT_MB=${HOSTILE_MB:-64}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [ ! -x /usr/bin/time ]; then
    fail "hostile corpus" "/usr/bin/time missing (Debian package time)"; finish; exit
fi
if ! python3 tests/hostile/gen_hostile.py "$T/corpus"; then
    fail "hostile corpus" "gen_hostile.py failed"; finish; exit
fi
: >"$T/empty.conf"

# run FILE -> sets secs, kb, rc; the JSON report is in $T/out.json. /usr/bin/time writes
# "%e %M" as its last line (after "Command exited with non-zero status N" when rc != 0).
run() {
    /usr/bin/time -f "%e %M" -o "$T/time" "$CM" -c "$T/empty.conf" --test "$1" --json >"$T/out.json" 2>"$T/err"
    rc=$?
    set -- $(tail -n 1 "$T/time")
    secs=${1:-0} kb=${2:-0}
}

# The JSON report has a verdict out of the contract's set; prints it, or why not.
verdict_of() {
    python3 -c '
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print("invalid JSON: %s" % e); sys.exit(1)
v = r.get("verdict")
if v not in ("accept", "tag", "reject", "quarantine", "tempfail"):
    print("no valid verdict: %r" % (v,)); sys.exit(1)
print(v)' "$1"
}

run tests/data/messages/compliant.eml
base_kb=$kb
if [ "$rc" -ne 0 ] || [ "${base_kb:-0}" -le 0 ]; then
    fail "baseline run" "exit $rc, rss '$base_kb' KB: $(head -c 300 "$T/err")"; finish; exit
fi
echo "# baseline: ${base_kb} KB, ${secs}s; limits ${LIMIT_S}s and ${LIMIT_MB} MB above baseline"
# Under AddressSanitizer (make check SANITIZE=...) time and memory are several times larger
# by design: there only the verdict and a clean exit (no sanitizer report) are asserted.
sanitized=no
if grep -q __asan_init "$CM" 2>/dev/null; then
    sanitized=yes
    echo "# sanitizer build: time and memory are reported, not asserted"
fi

for f in "$T"/corpus/*.eml; do
    name=$(basename "$f" .eml)
    run "$f"
    if [ "$rc" -ne 0 ]; then
        fail "$name" "exit $rc: $(head -c 300 "$T/err")"; continue
    fi
    if ! v=$(verdict_of "$T/out.json"); then
        fail "$name" "$v"; continue
    fi
    extra_mb=$(( (kb - base_kb) / 1024 ))
    if [ "$sanitized" = yes ]; then
        pass "$name: verdict $v in ${secs}s, +${extra_mb} MB (sanitizer build)"
    elif awk -v s="$secs" -v l="$LIMIT_S" 'BEGIN { exit !(s > l) }'; then
        fail "$name" "took ${secs}s (limit ${LIMIT_S}s), verdict $v"
    elif [ "$extra_mb" -gt "$LIMIT_MB" ]; then
        fail "$name" "used ${extra_mb} MB above baseline (limit ${LIMIT_MB}), verdict $v"
    else
        pass "$name: verdict $v in ${secs}s, +${extra_mb} MB"
    fi
done
finish
