#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The Debian package end to end: write the release tarball of HEAD (packaging/dist.sh), build
# the package in it unpacked, outside git (its packaging/build-deb.sh, lintian included),
# install it with dpkg -i, check what the postinst set up (user, directories, conffile,
# consent store, unit), run the installed programs (-n, --test,
# consentctl, the filter itself as the unit runs it), then purge it and check it is gone.
# Needs root and a machine where consent-milter is not installed for real; a lock keeps two
# concurrent `make check` runs from installing at the same time.
. tests/lib.sh

# CONSENT_MILTER_SKIP_DEB=1 skips this test (it builds the package, minutes on a busy
# machine, and installs it system-wide); it then counts neither as passed nor as failed.
if [ "${CONSENT_MILTER_SKIP_DEB:-}" = 1 ]; then
    echo "# deb test skipped (CONSENT_MILTER_SKIP_DEB=1)"; finish; exit 0
fi

if [ "$(id -u)" != 0 ]; then
    fail "deb test" "needs root (dpkg -i)"; finish; exit 1
fi
for tool in dpkg-buildpackage dh; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        fail "deb test" "$tool is missing (packaging/install-deps.sh installs dpkg-dev and debhelper)"; finish; exit 1
    fi
done

exec 9>"${TMPDIR:-/tmp}/consent-milter-deb-test.lock"
flock -w 900 9 || { fail "deb test" "another deb test holds the lock"; finish; exit 1; }

if dpkg-query -W -f='${Status}' consent-milter 2>/dev/null | grep -q 'installed'; then
    fail "deb test" "consent-milter is already installed here; refusing to replace it (dpkg --purge consent-milter first)"
    finish; exit 1
fi

T=$(mktemp -d)
MILTER_PID=""
cleanup() {
    [ -n "$MILTER_PID" ] && kill "$MILTER_PID" 2>/dev/null
    dpkg-query -W consent-milter >/dev/null 2>&1 && dpkg --purge consent-milter >/dev/null 2>&1
    rm -rf "$T"
}
trap cleanup EXIT

# ---- build ----
started=$(date +%s)
tarball=$(DIST_REF=HEAD sh packaging/dist.sh "$T" 2>&1); rc=$?
expect_eq "make dist writes the release tarball" "$rc" 0
mkdir "$T/src" && tar -x -C "$T/src" -f "$tarball" 2>&1
src=$(echo "$T"/src/consent-milter-*)
if [ -d "$src/.git" ] || [ ! -f "$src/MANIFEST" ]; then fail "release tarball" "no MANIFEST, or a .git"; fi
# Built without optimisation (Debian's noopt, which debian/rules honours): this test proves the
# package installs, runs and purges; the optimised build is what every other suite tests.
# Through ccache when installed: the tree lies in a new temporary directory each time, which
# -ffile-prefix-map and CCACHE_BASEDIR take out of the cache key, so a second run reuses it.
ccache_path=$PATH
[ -d /usr/lib/ccache ] && ccache_path=/usr/lib/ccache:$PATH
out=$(cd "$src" && PATH=$ccache_path CCACHE_BASEDIR=${TMPDIR:-/tmp} DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-noopt} \
    sh packaging/build-deb.sh "$T/out" 2>&1); rc=$?
expect_eq "build-deb.sh (make deb) in the unpacked tarball builds the package (lintian: no errors)" "$rc" 0
[ "$rc" -eq 0 ] || echo "$out" | tail -n 30
echo "deb build took $(($(date +%s) - started))s"
deb=$(ls "$T"/out/consent-milter_*.deb 2>/dev/null | head -n 1)
if [ -z "$deb" ]; then
    fail "package file" "no consent-milter_*.deb in $T/out"; finish; exit 1
fi
[ -r "$T/out/lintian.txt" ] && echo "lintian: $(grep -c '^E:' "$T/out/lintian.txt") errors, $(grep -c '^W:' "$T/out/lintian.txt") warnings"

# ---- install ----
out=$(dpkg -i "$deb" 2>&1); rc=$?
expect_eq "dpkg -i installs it" "$rc" 0
[ "$rc" -eq 0 ] || echo "$out"
expect_contains "package is installed" "$(dpkg-query -W -f='${Status}' consent-milter 2>&1)" "install ok installed"

version=$(dpkg-query -W -f='${Version}' consent-milter)
expect_eq "consent-milter -V matches the package version" "$(/usr/sbin/consent-milter -V)" "consent-milter $version"
expect_contains "consentctl -V runs" "$(/usr/sbin/consentctl -V)" "$version"

# mode_of PATH -> "USER:GROUP MODE"
mode_of() { stat -c '%U:%G %a' "$1" 2>&1; }

for f in /usr/sbin/consent-milter /usr/sbin/consentctl; do
    expect_eq "$f installed 0755 root" "$(mode_of "$f")" "root:root 755"
done
for f in /usr/share/man/man8/consent-milter.8.gz /usr/share/man/man8/consentctl.8.gz \
         /usr/share/man/man5/consent-milter.conf.5.gz /lib/systemd/system/consent-milter.service; do
    if [ -f "$f" ]; then pass "$f installed"; else fail "$f installed" "missing"; fi
done
if ls /usr/share/doc/consent-milter/examples/consent-milter.conf.example* >/dev/null 2>&1; then
    pass "example config under /usr/share/doc"
else
    fail "example config under /usr/share/doc" "missing"
fi

# ---- what the postinst set up ----
pw=$(getent passwd consent-milter)
expect_contains "system user consent-milter exists" "$pw" "consent-milter:x:"
uid=$(echo "$pw" | cut -d: -f3)
if [ -n "$uid" ] && [ "$uid" -lt 1000 ]; then pass "consent-milter is a system uid"; else fail "consent-milter is a system uid" "uid '$uid'"; fi
expect_contains "group consent-milter exists" "$(getent group consent-milter)" "consent-milter:x:"
expect_eq "/var/lib/consent-milter owner and mode" "$(mode_of /var/lib/consent-milter)" "consent-milter:consent-milter 750"
expect_eq "empty consent store created as consent-milter" "$(stat -c %U /var/lib/consent-milter/consent.db 2>&1)" "consent-milter"
if getent group postfix >/dev/null; then
    expect_eq "socket directory in Postfix's chroot" "$(mode_of /var/spool/postfix/consent-milter)" "consent-milter:postfix 2750"
else
    expect_eq "socket directory (no postfix group)" "$(mode_of /var/spool/postfix/consent-milter)" "consent-milter:consent-milter 750"
fi

expect_eq "/etc/consent-milter.conf is root:consent-milter 0640 (it may hold a password)" \
    "$(mode_of /etc/consent-milter.conf)" "root:consent-milter 640"
expect_contains "/etc/consent-milter.conf is a conffile" "$(dpkg-query -W -f='${Conffiles}' consent-milter)" "/etc/consent-milter.conf"
conf=$(cat /etc/consent-milter.conf)
expect_contains "conffile listens inside the chroot" "$conf" "Socket                  local:/var/spool/postfix/consent-milter/consent-milter.sock"
expect_contains "conffile sets SocketGroup postfix" "$conf" "SocketGroup             postfix"

unit=$(cat /lib/systemd/system/consent-milter.service 2>&1)
for want in "Documentation=man:consent-milter(8) man:consent-milter.conf(5)" \
            "ExecStartPre=/usr/sbin/consent-milter -n" "ExecStart=/usr/sbin/consent-milter -f" \
            'ExecReload=/bin/kill -USR1 $MAINPID' "User=consent-milter" "ProtectSystem=strict" \
            "ReadWritePaths=/var/lib/consent-milter /var/spool/postfix/consent-milter" \
            "NoNewPrivileges=yes" "PrivateTmp=yes" "ProtectHome=yes"; do
    expect_contains "unit has $want" "$unit" "$want"
done
if command -v systemd-analyze >/dev/null 2>&1; then
    out=$(systemd-analyze verify /lib/systemd/system/consent-milter.service 2>&1); rc=$?
    expect_eq "systemd-analyze verify accepts the unit" "$rc" 0
    [ "$rc" -eq 0 ] || echo "$out"
fi

# ---- the installed programs ----
out=$(runuser -u consent-milter -- /usr/sbin/consent-milter -n 2>&1); rc=$?
expect_eq "consent-milter -n as consent-milter exits 0" "$rc" 0
expect_eq "consent-milter -n prints OK" "$out" "OK"

MSG=$(pwd)/tests/data/messages/compliant.eml
cp "$MSG" "$T/msg.eml" && chmod 0644 "$T/msg.eml" && chmod 0755 "$T"
out=$(/usr/sbin/consent-milter --test "$T/msg.eml" --from news@shop.example --rcpt reader@example.net 2>&1); rc=$?
expect_eq "--test exits 0" "$rc" 0
expect_contains "--test without consent: no-record rejects" "$out" "reasons: consent:no-record"

out=$(runuser -u consent-milter -- /usr/sbin/consentctl grant shop.example reader@example.net --method double-opt-in --confirmed 2>&1); rc=$?
expect_eq "installed consentctl grant exits 0" "$rc" 0
out=$(/usr/sbin/consent-milter --test "$T/msg.eml" --from news@shop.example --rcpt reader@example.net --json 2>&1)
expect_contains "--test after grant accepts" "$out" '"verdict":"accept"'

# The filter as the unit runs it: as consent-milter, in the foreground; the socket must
# appear with group postfix and mode 0660 without any privilege.
if getent group postfix >/dev/null; then
    install -d -o consent-milter -g consent-milter "$T/run"
    # Syslog off, so that -f writes the log to stderr (no terminal here).
    sed 's/^Syslog .*/Syslog no/' /etc/consent-milter.conf >"$T/run/consent-milter.conf"
    chmod 0644 "$T/run/consent-milter.conf"
    runuser -u consent-milter -- /usr/sbin/consent-milter -c "$T/run/consent-milter.conf" -f -P "$T/run/pid" \
        >"$T/milter.log" 2>&1 &
    MILTER_PID=$!
    sock=/var/spool/postfix/consent-milter/consent-milter.sock
    i=0
    while [ ! -S "$sock" ] && [ "$i" -lt 50 ] && kill -0 "$MILTER_PID" 2>/dev/null; do sleep 0.2; i=$((i + 1)); done
    expect_eq "filter socket is consent-milter:postfix 0660" "$(mode_of "$sock")" "consent-milter:postfix 660"
    kill "$MILTER_PID" 2>/dev/null; wait "$MILTER_PID" 2>/dev/null
    MILTER_PID=""
    expect_contains "filter logged its start" "$(cat "$T/milter.log")" "starting on local:/var/spool/postfix/consent-milter/consent-milter.sock"
fi

# ---- purge ----
out=$(dpkg --purge consent-milter 2>&1); rc=$?
expect_eq "dpkg --purge exits 0" "$rc" 0
[ "$rc" -eq 0 ] || echo "$out"
for gone in /usr/sbin/consent-milter /etc/consent-milter.conf /var/lib/consent-milter \
            /var/spool/postfix/consent-milter /lib/systemd/system/consent-milter.service; do
    if [ -e "$gone" ]; then fail "purge removes $gone" "still there"; else pass "purge removes $gone"; fi
done

finish
