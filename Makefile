# SPDX-License-Identifier: Apache-2.0
# consent-milter - GNU Makefile (no autotools).
#
#   make             build build/consent-milter and build/consentctl
#   make check       install missing Debian packages, build, run every test, CHECK_JOBS (2) suites
#                    at a time (tests/run_checks.sh); ends "N passed, N failed"
#   make check-unit  the edit-compile-test loop: the unit tests (without the PostgreSQL ones) and
#                    the offline tests of the programs and the docs; no root, no services
#   make check-sanitized  the unit tests and offline program tests under ASan+UBSan (clang)
#   make fuzz        the libFuzzer targets, FUZZ_SECONDS each, on the same sanitized objects
#   make run         install the missing packages the programs need, build in parallel, run the
#                    milter in the foreground on the example config with an embedded store
#   make install     copy what packaging/install-files lists; DESTDIR/PREFIX honoured; never
#                    touches live services
#   make dist        build/consent-milter-VERSION.tar.gz (see packaging/dist.sh)
#   make deb         the Debian package in build/deb, from a git checkout or an unpacked dist
#   make check-layering   lib/'s include rules (tests/check_layering.sh; also run by every build)
#   make clean
#
# Variables: BUILD (output directory), SANITIZE (e.g. address,undefined), CXX, CXXFLAGS, LDFLAGS.
# BUILD/flags records the flags the objects in BUILD were built with; other flags rebuild them
# all (use another BUILD, e.g. BUILD=build-asan, to keep both).
# LIB_SRCS / UNIT_TEST_SRCS may be narrowed to build a subset while a module is in progress.

BUILD    ?= build
PREFIX   ?= /usr/local
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DOCDIR   ?= $(PREFIX)/share/doc/consent-milter
# The systemd unit runs /usr/sbin/consent-milter as the package's user: a plain `make install`
# puts it beside the example config, debian/rules sets UNITDIR=/lib/systemd/system.
UNITDIR  ?= $(DOCDIR)/examples
CORPUS_DIR ?= $(abspath ../shared/corpus/public)

CXX      ?= g++
PKGS     := gmime-3.0 libpcre2-8 libxml-2.0 sqlite3 libpq
MILTER_PKGS := libmicrohttpd
PKGS_MISSING := $(shell for p in $(PKGS) $(MILTER_PKGS); do pkg-config --exists $$p 2>/dev/null || echo $$p; done)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

OPTFLAGS ?= -O2 -g
CXXFLAGS ?=
override CXXFLAGS += -std=c++20 $(OPTFLAGS) -Wall -Wextra -MMD -MP -Ilib $(PKG_CFLAGS)
LDFLAGS  ?=
ifdef SANITIZE
override CXXFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
override LDFLAGS  += -fsanitize=$(SANITIZE)
endif
LDLIBS   := $(PKG_LIBS) -pthread
# What the objects in BUILD depend on besides their sources (ccache does not change them).
BUILD_FLAGS := $(filter-out ccache,$(CXX)) $(CXXFLAGS) $(LDFLAGS) $(LDLIBS)

LIB_SRCS       ?= $(shell find lib -name '*.cpp' | sort)
UNIT_TEST_SRCS ?= $(wildcard tests/*_test.cpp)
# Shared test helpers (tests/*_suite.cpp, e.g. the consent backend suite; tests/pg_server.cpp,
# the throwaway PostgreSQL server), archived so that a
# narrowed build links only the helpers its tests use.
TEST_SUPPORT_SRCS ?= $(wildcard tests/*_suite.cpp) tests/pg_server.cpp
MILTER_SRCS    := $(filter-out milter/consentctl%,$(wildcard milter/*.cpp))
CTL_SRCS       := $(wildcard milter/consentctl*.cpp)

LIB_OBJS  := $(LIB_SRCS:%.cpp=$(BUILD)/%.o) $(BUILD)/gen/phrases_data.o
LIB_A     := $(BUILD)/libconsent.a
PROGRAMS  := $(BUILD)/consent-milter $(BUILD)/consentctl

.PHONY: all check check-run check-unit check-docs check-layering deps run install clean bench dist deb accuracy FORCE
all: $(PROGRAMS)

# Every object depends on BUILD/flags, rewritten only when BUILD_FLAGS change, so objects
# built with other flags (SANITIZE, OPTFLAGS, CXX, ...) are rebuilt, never linked in. A missing
# pkg-config package stops the build here, by name; not at parse time, since `make deps`,
# `make check` and `make run` install it first.
$(BUILD)/flags: FORCE
	$(if $(PKGS_MISSING),$(error pkg-config finds no $(PKGS_MISSING); `make deps` (packaging/install-deps.sh) installs the Debian packages))
	@mkdir -p $(dir $@)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(BUILD_FLAGS)' ]; then \
	    [ ! -e $@ ] || echo "make: other flags than last time: rebuilding $(BUILD)/"; \
	    echo '$(BUILD_FLAGS)' >$@; \
	fi

# lib/'s include rules (no libmilter, no syslog, each folder only the ones below it) are
# checked before the library is archived.
$(BUILD)/layering.ok: tests/check_layering.sh $(shell find lib -name '*.h' -o -name '*.cpp')
	@mkdir -p $(dir $@)
	sh tests/check_layering.sh
	@touch $@

check-layering: $(BUILD)/layering.ok

$(LIB_A): $(LIB_OBJS) $(BUILD)/layering.ok
	@rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(BUILD)/consent-milter: $(MILTER_SRCS:%.cpp=$(BUILD)/%.o) $(LIB_A)
	$(CXX) $(LDFLAGS) -o $@ $^ -lmilter $(shell pkg-config --libs $(MILTER_PKGS) 2>/dev/null) $(LDLIBS)

$(BUILD)/consentctl: $(CTL_SRCS:%.cpp=$(BUILD)/%.o) $(LIB_A)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.cpp $(BUILD)/flags
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

# The built-in phrase set (lib/checks/phrases.txt) is compiled into the library.
$(BUILD)/gen/phrases_data.cpp: lib/checks/phrases.txt
	@mkdir -p $(dir $@)
	{ printf 'namespace cm { extern const char kBuiltinPhrases[]; const char kBuiltinPhrases[] = R"PHRASES('; \
	  cat $<; printf ')PHRASES"; }\n'; } > $@

$(BUILD)/gen/phrases_data.o: $(BUILD)/gen/phrases_data.cpp $(BUILD)/flags
	$(CXX) $(CXXFLAGS) -c -o $@ $<

# Catch2's main is compiled once; every tests/*_test.cpp links into one binary.
$(BUILD)/unit_tests: $(BUILD)/tests/catch_main.o $(UNIT_TEST_SRCS:%.cpp=$(BUILD)/%.o) $(BUILD)/libtestsupport.a $(LIB_A)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libtestsupport.a: $(TEST_SUPPORT_SRCS:%.cpp=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	@rm -f $@
	ar rcs $@ $^

deps:
	@sh packaging/install-deps.sh

check: deps
	@$(MAKE) --no-print-directory check-run

check-run: $(PROGRAMS) $(BUILD)/unit_tests $(BUILD)/dump_directives
	@BUILD=$(BUILD) CORPUS_DIR=$(CORPUS_DIR) sh tests/run_checks.sh

# The edit-compile-test loop (under a minute): no root, no services, no network.
check-unit: $(PROGRAMS) $(BUILD)/unit_tests $(BUILD)/dump_directives
	@BUILD=$(BUILD) CORPUS_DIR=$(CORPUS_DIR) UNIT_TEST_ARGS='~[pg]' sh tests/run_checks.sh --only unit,cli,docs

# Only the packages the programs need; builds with JOBS (default: all cores) unless -j was given.
JOBS ?= $(shell nproc)
run:
	@sh packaging/install-deps.sh --run
	@$(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(JOBS)) all
	sh packaging/run-example.sh $(BUILD)

# Documentation checks (tests/docs_test.sh, also run by `make check` through run_checks.sh):
# the directive table against consent-milter.conf(5), the command-line options against the
# section 8 pages, and `mandoc -T lint` on every page.
$(BUILD)/dump_directives: $(BUILD)/tests/dump_directives.o $(LIB_A)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

check-docs: $(BUILD)/dump_directives
	@BUILD=$(BUILD) sh tests/docs_test.sh

# Benchmarks (issue 5; tests/bench/, not part of `make check`): library throughput, consent
# lookups, end to end through a private Postfix, milter memory. Variables: BENCH_MESSAGES,
# BENCH_SESSIONS, BENCH_ROUNDS, BENCH_RECORDS (see tests/bench/run.sh).
BENCH_PROGRAMS := $(BUILD)/bench/bench_evaluate $(BUILD)/bench/bench_consent $(BUILD)/bench/null_milter
BENCH_PROGRAMS += $(BUILD)/bench/milter_load

$(BUILD)/bench/bench_evaluate: $(BUILD)/tests/bench/bench_evaluate.o $(BUILD)/tests/bench/bench_messages.o \
    $(BUILD)/tests/bench/bench_components.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/bench_consent: $(BUILD)/tests/bench/bench_consent.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/null_milter: $(BUILD)/tests/bench/null_milter.o
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ -lmilter -pthread

$(BUILD)/bench/milter_load: $(BUILD)/tests/bench/milter_load.o
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ -pthread

bench: $(PROGRAMS) $(BENCH_PROGRAMS)
	@BUILD=$(BUILD) CORPUS_DIR=$(CORPUS_DIR) sh tests/bench/run.sh

# Accuracy (issue 12; tests/accuracy/run.py, not part of `make check`): per body_link reason,
# expected against found over the shared corpus under the default config, templates wrapped
# as HTML + text alternative; and the legitimate newsletters body_link rejects.
accuracy: $(PROGRAMS)
	@BUILD=$(BUILD) CORPUS_DIR=$(CORPUS_DIR) python3 tests/accuracy/run.py

# The files packaging/install-files lists, under $(DESTDIR): no users, services or live
# configuration touched.
install: $(PROGRAMS)
	@export BUILD='$(BUILD)' SBINDIR='$(SBINDIR)' MANDIR='$(MANDIR)' DOCDIR='$(DOCDIR)' UNITDIR='$(UNITDIR)'; \
	grep -v -e '^#' -e '^ *$$' packaging/install-files | while read -r file dir mode; do \
	    eval "file=$$file dir=$$dir"; \
	    echo "install -m $$mode $$file $(DESTDIR)$$dir/"; \
	    install -d "$(DESTDIR)$$dir" && install -m "$$mode" "$$file" "$(DESTDIR)$$dir/" || exit 1; \
	done

# The release tarball: the tracked files (or, in an unpacked release, those of its MANIFEST).
dist:
	sh packaging/dist.sh $(BUILD)

# The Debian package, built by dpkg-buildpackage from the release tarball of HEAD (see the script).
deb:
	sh packaging/build-deb.sh $(BUILD)/deb

# The sanitized build, $(BUILD)-fuzz/: clang++ -O1 with ASan, UBSan and libFuzzer's coverage
# instrumentation, one set of objects for both of its uses (clang compiles the Catch2 tests under
# ASan ~4x faster than g++).
#   make check-sanitized  the unit tests and the programs' offline tests (cli, consentctl) on it;
#                         fails on a test failure, a leak or a sanitizer report
#   make fuzz             the libFuzzer targets tests/fuzz/fuzz_*.cpp linked from it, run
#                         FUZZ_JOBS (default 2) at a time for FUZZ_SECONDS each on seeds made from
#                         tests/data and the shared corpus; fails on a crash, a hang (>10 s per
#                         input), a leak or a sanitizer report
SANITIZED := BUILD=$(BUILD)-fuzz CXX=clang++ OPTFLAGS="-O1 -g" SANITIZE=fuzzer-no-link,address,undefined
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.cpp,%,$(wildcard tests/fuzz/fuzz_*.cpp))
.PHONY: check-sanitized fuzz fuzz-build
check-sanitized:
	@$(MAKE) --no-print-directory $(SANITIZED) all $(BUILD)-fuzz/unit_tests
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    BUILD=$(BUILD)-fuzz CORPUS_DIR=$(CORPUS_DIR) sh tests/run_checks.sh --only unit,cli,consentctl

fuzz-build:
	@$(MAKE) --no-print-directory $(SANITIZED) $(FUZZ_TARGETS:%=$(BUILD)-fuzz/%)

fuzz: fuzz-build
	@BUILD=$(BUILD) CORPUS_DIR=$(CORPUS_DIR) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run_fuzz.sh $(FUZZ_TARGETS)

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIB_A)
	$(CXX) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
