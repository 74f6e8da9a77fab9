#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# End-to-end and memory benchmark (issue 5, items 2 and 3): a private Postfix instance under a
# temp dir, smtp-source as the client, smtp-sink as the relay destination. Configurations, in
# interleaved rounds (the same Postfix, smtpd_milters switched by postconf + postfix reload):
#   i    no milter
#   ii   null_milter: accept-everything libmilter filter, same protocol flags as consent-milter
#   iii  consent-milter, Mode enforce, 1-million-record SQLite store, every recipient consented
# and, only when asked for with BENCH_CONFIGS (the TCP_NODELAY trap, issue 5):
#   iv   consent-milter, ConsentAction tag, recipients not in the store: every message gets a
#        header added before the final reply; unix socket
#   v    the same on an inet: socket (libmilter sets no TCP_NODELAY: delayed-ACK stalls)
#   vi   iii with its traffic counters off (CM_BENCH_NO_TRAFFIC=1, a second milter on the same
#        store): "iii vi" measures what the per-sender counters (DESIGN §11) cost
#   vii  iii run by another consent-milter binary, BENCH_CM_BASE (e.g. main's build): "iii vii"
#        compares two builds in the same interleaved rounds
# Both milters stay up for the whole run, so their RSS after round 1, 2, 3 shows growth.
# Then a fresh consent-milter gets 20 concurrent ~25 MB messages and its VmHWM is read.
#
# Environment: BUILD, BENCH_MESSAGES (per configuration and round), BENCH_SESSIONS,
# BENCH_ROUNDS, BENCH_DB (the cached store built by bench_consent), BENCH_BIG_MB,
# BENCH_BIG_COUNT (0 skips that part), BENCH_CONFIGS [i ii iii], BENCH_CM_BASE (for vii),
# BENCH_CM_CONF_EXTRA (more lines for consent-milter's config, e.g. "ConsentCacheTTL 0"),
# KEEP_T=1 keeps the temp dir. Needs root and the Debian postfix package.
# Prints tab-separated result lines starting with "E2E" / "MEM" for run.sh to tabulate; E2E
# lines carry the CPU cost per message of the whole machine, the milter, Postfix and
# smtp-source + smtp-sink (the last two say what share of a 2-core machine a milter can have).
set -u
PATH=$PATH:/usr/sbin:/sbin
BUILD=${BUILD:-build}
MESSAGES=${BENCH_MESSAGES:-5000}
SESSIONS=${BENCH_SESSIONS:-20}
ROUNDS=${BENCH_ROUNDS:-3}
DB=${BENCH_DB:-$BUILD/bench/consent-1m.db}
BIG_MB=${BENCH_BIG_MB:-25}
BIG_COUNT=${BENCH_BIG_COUNT:-20}
CONFIGS=${BENCH_CONFIGS:-i ii iii}
FROM=news@shop.example
CM_PID=""; NULL_PID=""; SINK_PID=""; PF_STARTED=""; TAGU_PID=""; TAGI_PID=""; CMN_PID=""; CMB_PID=""
RCPT=rcpt@example.net
VLOG=cm.log

say() { echo "# $*" >&2; }

cleanup() {
    [ -n "$PF_STARTED" ] && postfix -c "$T/etc" stop >/dev/null 2>&1
    for p in $CM_PID $NULL_PID $SINK_PID $TAGU_PID $TAGI_PID $CMN_PID $CMB_PID; do kill "$p" 2>/dev/null; done
    i=0
    while [ -n "$PF_STARTED" ] && [ -f "$T/spool/pid/master.pid" ] &&
        kill -0 "$(cat "$T/spool/pid/master.pid" 2>/dev/null)" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1; i=$((i + 1))
    done
    if [ -n "${KEEP_T:-}" ]; then say "kept $T"; else rm -rf "$T"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

now() { date +%s.%N; }
elapsed() { echo "$2 $1" | awk '{ printf "%.3f", $1 - $2 }'; }

if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null 2>&1 || ! command -v smtp-source >/dev/null 2>&1; then
    say "end to end: skipped (needs root and the postfix package: packaging/install-deps.sh)"
    exit 2
fi
for f in "$BUILD/consent-milter" "$BUILD/bench/null_milter" "$BUILD/bench/bench_evaluate" "$DB"; do
    [ -e "$f" ] || { say "end to end: missing $f"; exit 1; }
done

T=$(mktemp -d /tmp/cm-bench.XXXXXX)
chmod 755 "$T"
trap cleanup EXIT
trap 'exit 1' INT TERM
PORT=$(free_port)
SINK_PORT=$(free_port)
while [ "$SINK_PORT" = "$PORT" ]; do SINK_PORT=$(free_port); done
mkdir -p "$T/etc" "$T/spool" "$T/data" "$T/db" "$T/msg"
chown postfix "$T/data"

cat >"$T/etc/main.cf" <<CF
# Private Postfix instance for tests/bench/e2e.sh; nothing shared with a system instance.
compatibility_level = 3.6
config_directory = $T/etc
queue_directory = $T/spool
data_directory = $T/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.consent-bench.invalid
mydestination =
local_recipient_maps =
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$SINK_PORT
smtp_dns_support_level = disabled
smtp_host_lookup = native
maillog_file = $T/postfix.log
maillog_file_prefixes = $T
smtpd_milters =
non_smtpd_milters =
milter_protocol = 6
milter_default_action = tempfail
milter_content_timeout = 120s
message_size_limit = 60000000
in_flow_delay = 0
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
default_process_limit = 100
smtp_destination_concurrency_limit = 20
biff = no
CF
cat >"$T/etc/master.cf" <<CF
127.0.0.1:$PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF

# The messages: the 59 KB newsletter and the big one (attachment sized to reach BIG_MB).
"$BUILD/bench/bench_evaluate" --write-newsletter "$T/msg/newsletter.eml" "$FROM" "reader@example.net" || exit 1
big_attachment=$((BIG_MB * 1000000 * 57 / 78 - 80000))
"$BUILD/bench/bench_evaluate" --write-attachment "$big_attachment" "$T/msg/big.eml" || exit 1

# The store, readable and (for WAL's -shm) writable by the milter's user.
cp "$DB" "$T/db/consent.db" || exit 1
chown -R postfix "$T/db"

smtp-sink -u postfix "127.0.0.1:$SINK_PORT" 256 >"$T/sink.log" 2>&1 &
SINK_PID=$!
postfix -c "$T/etc" check >"$T/check.log" 2>&1 || { say "postfix check failed"; cat "$T/check.log" >&2; exit 1; }
postfix -c "$T/etc" start >"$T/start.log" 2>&1 || { say "postfix start failed"; cat "$T/start.log" >&2; exit 1; }
PF_STARTED=1
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1',$PORT),1).close()" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && { say "smtpd did not come up"; exit 1; }
    sleep 0.1
done

wait_socket() {  # wait_socket PATH PID
    i=0
    until [ -S "$1" ]; do
        i=$((i + 1))
        if [ $i -gt 100 ] || ! kill -0 "$2" 2>/dev/null; then return 1; fi
        sleep 0.1
    done
}

start_cm() {
    cat >"$T/cm.conf" <<CF
Socket local:$T/cm.sock
Background no
Syslog no
UserID postfix
Mode enforce
ConsentDatabase sqlite:$T/db/consent.db
${BENCH_CM_CONF_EXTRA:-}
CF
    rm -f "$T/cm.sock"
    "$BUILD/consent-milter" -f -c "$T/cm.conf" >>"$T/cm.log" 2>&1 &
    CM_PID=$!
    wait_socket "$T/cm.sock" "$CM_PID" || { say "consent-milter did not start"; tail -5 "$T/cm.log" >&2; exit 1; }
}

# start_cm_no_traffic: start_cm's milter with the traffic counters off, on its own socket (vi).
start_cm_no_traffic() {
    sed "s|$T/cm.sock|$T/cmn.sock|" "$T/cm.conf" >"$T/cmn.conf"
    rm -f "$T/cmn.sock"
    CM_BENCH_NO_TRAFFIC=1 "$BUILD/consent-milter" -f -c "$T/cmn.conf" >>"$T/cmn.log" 2>&1 &
    CMN_PID=$!
    wait_socket "$T/cmn.sock" "$CMN_PID" || { say "consent-milter (no traffic) did not start"; exit 1; }
}

# start_cm_base: start_cm's config run by the BENCH_CM_BASE binary, on its own socket (vii).
start_cm_base() {
    [ -x "${BENCH_CM_BASE:-}" ] || { say "vii needs BENCH_CM_BASE, a consent-milter binary"; exit 1; }
    sed "s|$T/cm.sock|$T/cmb.sock|" "$T/cm.conf" >"$T/cmb.conf"
    rm -f "$T/cmb.sock"
    "$BENCH_CM_BASE" -f -c "$T/cmb.conf" >>"$T/cmb.log" 2>&1 &
    CMB_PID=$!
    wait_socket "$T/cmb.sock" "$CMB_PID" || { say "consent-milter ($BENCH_CM_BASE) did not start"; exit 1; }
}

# start_tagger NAME SOCKET: a consent-milter that tags (header added) instead of removing.
start_tagger() {
    cat >"$T/$1.conf" <<CF
Socket $2
Background no
Syslog no
UserID postfix
Mode enforce
ConsentDatabase sqlite:$T/db/consent.db
ConsentAction tag
CF
    "$BUILD/consent-milter" -f -c "$T/$1.conf" >>"$T/$1.log" 2>&1 &
    TAG_PID=$!
    case $2 in
    local:*) wait_socket "${2#local:}" "$TAG_PID" || { say "$1 did not start"; exit 1; } ;;
    *) port=${2#inet:}; port=${port%@*}; i=0
       until python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1).close()" 2>/dev/null; do
           i=$((i + 1)); [ $i -gt 100 ] && { say "$1 did not start"; exit 1; }; sleep 0.1
       done ;;
    esac
}

start_null() {
    "$BUILD/bench/null_milter" -p "local:$T/null.sock" >>"$T/null.log" 2>&1 &
    NULL_PID=$!
    wait_socket "$T/null.sock" "$NULL_PID" || { say "null_milter did not start"; exit 1; }
}

mem() {  # mem PID FIELD -> kB
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

use_milter() {  # use_milter SOCKET|inet:HOST:PORT|"" - switch smtpd_milters and wait for the reload
    case $1 in inet:*) spec=$1 ;; *) spec=${1:+unix:$1} ;; esac
    postconf -c "$T/etc" -e "smtpd_milters = $spec"
    postfix -c "$T/etc" reload >/dev/null 2>&1
    sleep 1
}

queue_empty() {
    [ -z "$(find "$T/spool/incoming" "$T/spool/active" "$T/spool/deferred" "$T/spool/maildrop" -type f 2>/dev/null | head -n 1)" ]
}

wait_queue() {
    i=0
    while ! queue_empty && [ $i -lt 1200 ]; do sleep 0.25; i=$((i + 1)); done
}

sent_count() { grep -c ' status=sent ' "$T/postfix.log" 2>/dev/null || true; }

# CPU time in clock ticks: busy_ticks = the whole machine (all but idle and iowait, from
# /proc/stat); proc_ticks PID = one process (utime + stime, all its threads).
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
proc_ticks() { [ -n "$1" ] && awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# pf_ticks FILE: Postfix's CPU so far into FILE, one "PID TICKS" line per live child of master
# and "master TICKS" for master itself plus every child it has reaped (cutime + cstime).
pf_ticks() {
    m=$(tr -d ' ' <"$T/spool/pid/master.pid" 2>/dev/null)
    cat /proc/[0-9]*/stat 2>/dev/null | awk -v m="$m" '
        { pid = $1; sub(/.*\) /, "") }
        pid == m { print "master", $12 + $13 + $14 + $15 }
        $2 == m { print pid, $12 + $13 }' >"$1"
}
# pf_ticks_between BEFORE AFTER: Postfix's CPU ticks between two pf_ticks files. A child alive
# at BEFORE that has exited by AFTER is in master's reaped time with all its life: its BEFORE
# part is taken off.
pf_ticks_between() {
    awk 'FNR == NR { t0[$1] = $2; next }
         { t1[$1] = $2 }
         END { for (p in t1) d += t1[p] - (p in t0 ? t0[p] : 0)
               for (p in t0) if (!(p in t1)) d -= t0[p]
               print d + 0 }' "$1" "$2"
}
# children_ticks FILE: CPU ticks of this shell's waited-for children, from `times >FILE` (run
# in this shell, not in a $(...) subshell, which has children of its own).
children_ticks() {
    awk -v hz="$(getconf CLK_TCK)" 'NR == 2 { gsub(/[ms]/, " "); printf "%.0f", ($1 * 60 + $2 + $3 * 60 + $4) * hz }' "$1"
}
ticks_to_ms_per_msg() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", n ? t * 1000 / hz / n : 0 }'; }

# run CONFIG ROUND COUNT SESSIONS FILE [MILTER_PID]: send, wait for the queue, print one E2E
# line: ... CPU ms per message, up to the drained queue, of the whole machine, the milter,
# Postfix (master and all its children) and smtp-source + smtp-sink.
run() {
    config=$1; round=$2; count=$3; sessions=$4; file=$5; mpid=${6:-}
    before=$(sent_count)
    pf_ticks "$T/pf0"; sink0=$(proc_ticks "$SINK_PID")
    busy0=$(busy_ticks); proc0=$(proc_ticks "$mpid")
    verdicts_before=$(grep -c 'verdict=' "$T/$VLOG" 2>/dev/null || true)
    # Recipients "<n><round>rcpt@example.net" (smtp-source -N prepends n): new in every
    # round, all in the store as long as n*10+round < the store's record count.
    t0=$(now)
    times >"$T/times0"
    smtp-source -N -s "$sessions" -m "$count" -f "$FROM" -t "${round}$RCPT" -F "$file" \
        "127.0.0.1:$PORT" >"$T/source.log" 2>&1
    rc=$?
    times >"$T/times1"
    t1=$(now)
    wait_queue
    t2=$(now)
    busy1=$(busy_ticks); proc1=$(proc_ticks "$mpid")
    pf_ticks "$T/pf1"; sink1=$(proc_ticks "$SINK_PID")
    delivered=$(( $(sent_count) - before ))
    verdicts=$(( $(grep -c 'verdict=' "$T/$VLOG" 2>/dev/null || true) - verdicts_before ))
    [ "$rc" -eq 0 ] || say "$config round $round: smtp-source exit $rc: $(tail -n 2 "$T/source.log" | tr '\n' ' ')"
    printf 'E2E\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$config" "$round" "$count" "$(elapsed "$t0" "$t1")" \
        "$(elapsed "$t0" "$t2")" "$delivered" "$verdicts" "$(ticks_to_ms_per_msg $((busy1 - busy0)) "$count")" \
        "$(ticks_to_ms_per_msg $((proc1 - proc0)) "$count")" \
        "$(ticks_to_ms_per_msg "$(pf_ticks_between "$T/pf0" "$T/pf1")" "$count")" \
        "$(ticks_to_ms_per_msg $(($(children_ticks "$T/times1") - $(children_ticks "$T/times0") + sink1 - sink0)) "$count")"
}

start_null
start_cm
case " $CONFIGS " in *" iv "*|*" v "*)
    start_tagger tagu "local:$T/tagu.sock"; TAGU_PID=$TAG_PID
    TAG_PORT=$(free_port)
    start_tagger tagi "inet:$TAG_PORT@127.0.0.1"; TAGI_PID=$TAG_PID ;;
esac
case " $CONFIGS " in *" vi "*) start_cm_no_traffic ;; esac
case " $CONFIGS " in *" vii "*) start_cm_base ;; esac
mkdir -p "$T/x"
say "end to end: $ROUNDS rounds x 3 configurations x $MESSAGES messages, $SESSIONS sessions (port $PORT)"
# Warm-up (not counted): each path once, so round 1 is not paying for cold starts.
for cfg in none null cm ${CMN_PID:+cmn} ${CMB_PID:+cmb}; do
    case $cfg in none) use_milter "" ;; null) use_milter "$T/null.sock" ;; cm) use_milter "$T/cm.sock" ;;
    cmn) use_milter "$T/cmn.sock" ;; cmb) use_milter "$T/cmb.sock" ;; esac
    run "warmup-$cfg" 0 200 "$SESSIONS" "$T/msg/newsletter.eml" >/dev/null
done
total=0
for round in $(seq 1 "$ROUNDS"); do
    for cfg in $CONFIGS; do
        case $cfg in
        i) use_milter ""; run "i:no-milter" "$round" "$MESSAGES" "$SESSIONS" "$T/msg/newsletter.eml" ;;
        ii) use_milter "$T/null.sock"; run "ii:null-milter" "$round" "$MESSAGES" "$SESSIONS" "$T/msg/newsletter.eml" "$NULL_PID" ;;
        iii) use_milter "$T/cm.sock"; run "iii:consent-milter" "$round" "$MESSAGES" "$SESSIONS" "$T/msg/newsletter.eml" "$CM_PID" ;;
        iv) use_milter "$T/tagu.sock"; RCPT=norecord@example.net; VLOG=tagu.log
            run "iv:tag-unix" "$round" "$MESSAGES" "$SESSIONS" "$T/msg/newsletter.eml"; RCPT=rcpt@example.net; VLOG=cm.log ;;
        v) use_milter "inet:127.0.0.1:$TAG_PORT"; RCPT=norecord@example.net; VLOG=tagi.log
           run "v:tag-inet" "$round" "$MESSAGES" "$SESSIONS" "$T/msg/newsletter.eml"; RCPT=rcpt@example.net; VLOG=cm.log ;;
        vi) use_milter "$T/cmn.sock"; VLOG=cmn.log
            run "vi:no-traffic-counters" "$round" "$MESSAGES" "$SESSIONS" "$T/msg/newsletter.eml" "$CMN_PID"; VLOG=cm.log ;;
        vii) use_milter "$T/cmb.sock"; VLOG=cmb.log
             run "vii:consent-milter-base" "$round" "$MESSAGES" "$SESSIONS" "$T/msg/newsletter.eml" "$CMB_PID"; VLOG=cm.log ;;
        esac
    done
    total=$((total + MESSAGES))
    printf 'MEM\tconsent-milter after %s messages\t%s\t%s\n' "$total" "$(mem "$CM_PID" VmRSS)" "$(mem "$CM_PID" VmHWM)"
    printf 'MEM\tnull_milter after %s messages\t%s\t%s\n' "$total" "$(mem "$NULL_PID" VmRSS)" "$(mem "$NULL_PID" VmHWM)"
done

[ "$BIG_COUNT" -gt 0 ] || exit 0
# 20 concurrent big messages to a fresh consent-milter.
kill "$CM_PID"; wait "$CM_PID" 2>/dev/null; CM_PID=""
start_cm
use_milter "$T/cm.sock"
printf 'MEM\tconsent-milter idle (fresh)\t%s\t%s\n' "$(mem "$CM_PID" VmRSS)" "$(mem "$CM_PID" VmHWM)"
big_bytes=$(wc -c <"$T/msg/big.eml")
say "memory: $BIG_COUNT concurrent messages of $big_bytes bytes"
run "big:consent-milter" 1 "$BIG_COUNT" "$BIG_COUNT" "$T/msg/big.eml" >"$T/big.line"
cat "$T/big.line"
printf 'MEM\tconsent-milter after %s concurrent %s-byte messages\t%s\t%s\n' "$BIG_COUNT" "$big_bytes" \
    "$(mem "$CM_PID" VmRSS)" "$(mem "$CM_PID" VmHWM)"
exit 0
