#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages consent-milter needs to build and test, when missing
# (with --run: only those it needs to build and run, for `make run`).
# Checks libraries with pkg-config and tools with command -v; runs apt-get only if needed.
set -eu

missing=""
need_pc() { pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"; }
need_file() { [ -e "$1" ] || missing="$missing $2"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_lib() { /sbin/ldconfig -p 2>/dev/null | grep -q "$1" || missing="$missing $2"; }

need_cmd pkg-config pkg-config
need_cmd g++ g++
need_cmd make make
need_pc gmime-3.0 libgmime-3.0-dev
need_pc libpcre2-8 libpcre2-dev
need_pc libxml-2.0 libxml2-dev
need_pc sqlite3 libsqlite3-dev
need_pc libpq libpq-dev
need_file /usr/include/libmilter/mfapi.h libmilter-dev
need_pc libmicrohttpd libmicrohttpd-dev
need_file /usr/include/nlohmann/json.hpp nlohmann-json3-dev
# The packages above build and run the programs; those below are for the tests, the Debian
# package and the fuzzer, and `install-deps.sh --run` (make run) skips them.
[ "${1:-}" = --run ] && { need_pc() { :; }; need_file() { :; }; need_cmd() { :; }; }
need_file /usr/include/catch2/catch.hpp catch2
need_cmd python3 python3
need_file /usr/lib/postgresql postgresql
# Integration tests: a private Postfix instance with smtp-sink, and miltertest (Lua).
need_file /usr/sbin/postfix postfix
need_file /usr/sbin/smtp-sink postfix
need_cmd miltertest miltertest
need_cmd timeout coreutils
# The Sendmail suite (tests/sendmail_test.sh) unpacks Debian's Sendmail under build/ instead of
# installing it (it conflicts with postfix): it needs Sendmail's runtime library and m4 for its .cf.
need_lib libwrap.so.0 libwrap0
need_cmd m4 m4
need_cmd unshare util-linux
# Documentation checks and the Debian package (make check-docs, make deb, tests/deb_test.sh).
need_cmd mandoc mandoc
need_cmd dpkg-buildpackage dpkg-dev
need_cmd dh debhelper
need_cmd lintian lintian
# Robustness tests (tests/hostile_test.sh measures time and memory) and make fuzz (libFuzzer).
need_file /usr/bin/time time
need_cmd clang++ clang
need_file /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev

[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: not root; run: apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The postfix package asks for a mail setup; "No configuration" installs it without one
# (the tests start their own instance with their own config).
case "$missing" in *" postfix"*)
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections ;;
esac
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
