#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# `make run`: the milter in the foreground on the example config, logging to stderr, with an
# embedded SQLite store under BUILD/run/ that holds one consented sample recipient. Ctrl-C stops.
set -eu
BUILD=${1:-build}
RUN=$BUILD/run
mkdir -p "$RUN"
RUN=$(cd "$RUN" && pwd)
SOCKET=${CONSENT_MILTER_SOCKET:-inet:8891@127.0.0.1}

sed -e "s|^ConsentDatabase .*|ConsentDatabase         sqlite:$RUN/consent.db|" \
    -e "s|^Socket .*|Socket                  $SOCKET|" \
    -e "s|^UserID .*|#UserID|" \
    -e "s|^PidFile .*|PidFile                 $RUN/consent-milter.pid|" \
    -e "s|^Background .*|Background              no|" \
    -e "s|^Syslog .*|Syslog                  no|" \
    packaging/consent-milter.conf.example >"$RUN/consent-milter.conf"

"$BUILD/consentctl" -c "$RUN/consent-milter.conf" grant shop.example reader@example.net \
    --method double-opt-in --source "make run sample" --confirmed >/dev/null
"$BUILD/consent-milter" -n -c "$RUN/consent-milter.conf"

echo "== offline check of a sample message:"
"$BUILD/consent-milter" -c "$RUN/consent-milter.conf" --test tests/data/messages/compliant.eml
echo
echo "== consent-milter is starting on $SOCKET (config $RUN/consent-milter.conf)."
echo "   Add to Postfix's main.cf:"
case "$SOCKET" in
inet:*) port=${SOCKET#inet:}; echo "     smtpd_milters = inet:${port#*@}:${port%@*}" ;;
*)      echo "     smtpd_milters = unix:${SOCKET#*:}" ;;
esac
echo "     milter_default_action = tempfail"
echo "   Stop with Ctrl-C."
exec "$BUILD/consent-milter" -f -c "$RUN/consent-milter.conf"
