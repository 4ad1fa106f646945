# recon — plain Makefile, libraries found with pkg-config (libharu ships no .pc).
# C11 for the C files; one C++17 file (src/json_simd.cpp, simdjson's page
# parser behind a C header), so the program links with the C++ compiler.
CC       ?= cc
CXX      ?= g++
BUILD    ?= build
PKGS      = jansson sqlite3 xlsxwriter libcurl libcrypto minizip simdjson
CFLAGS   ?= -O2 -g
PREFIX   ?= /usr/local
DATADIR  ?= $(PREFIX)/share/recon
MANDIR   ?= $(PREFIX)/share/man
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla -Wmissing-prototypes
CXXWARN   = -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wmissing-declarations
# WERROR=1: warnings fail the build (CI-style strictness on demand).
ifeq ($(WERROR),1)
WARN     += -Werror
CXXWARN  += -Werror
endif
CPPFLAGS += -Iinclude -D_DEFAULT_SOURCE -D_GNU_SOURCE -DRECON_DATADIR='"$(DATADIR)"'
# Asked once per make, not once per object file.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -MMD -MP
# CFLAGS carries the build's optimisation and sanitizer flags to both languages.
ALL_CXXFLAGS = -std=c++17 $(CXXWARN) $(CFLAGS) $(CXXFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -MMD -MP
LDLIBS   += $(PKG_LIBS) -lhpdf -lpthread -lm

# The version and source revision every run records (DESIGN §8, Run record).
# The revision is `git describe` of the tree built, "unknown" outside git; it
# lives in $(BUILD)/revision.h, rewritten only when it changes, so only
# src/lib/version.c is rebuilt after a commit.
VERSION  ?= 0.19
REVISION := $(shell git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)

# One folder per stage of the pipeline, each using only those before it
# (scripts/check-layers.sh): lib, fetch, store, reconcile, report, cmd.
STAGES   := lib fetch store reconcile report cmd
SRC      := $(foreach d,$(STAGES),$(sort $(wildcard src/$(d)/*.c)))
SRCXX    := $(foreach d,$(STAGES),$(sort $(wildcard src/$(d)/*.cpp)))
OBJ      := $(SRC:src/%.c=$(BUILD)/%.o) $(SRCXX:src/%.cpp=$(BUILD)/%.o)
LIBOBJ   := $(filter-out $(BUILD)/cmd/main.o,$(OBJ))
UNITSRC  := $(sort $(wildcard tests/unit/test_*.c))
UNITBIN  := $(UNITSRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZSRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
REPLAYBIN := $(FUZZSRC:tests/fuzz/fuzz_%.c=$(BUILD)/tests/replay_%)
TESTOBJ  := $(UNITSRC:tests/unit/%.c=$(BUILD)/tests/%.o) $(FUZZSRC:tests/fuzz/%.c=$(BUILD)/tests/%.o) \
            $(BUILD)/tests/replay.o

.PHONY: FORCE all deps test check unit e2e demo asan tsan valgrind bench fuzz torture install uninstall clean
all: recon

# The default build is also linked as ./recon (DESIGN §2); other builds stay in $(BUILD).
recon: $(BUILD)/recon
	@ln -f $(BUILD)/recon recon

# Linked by the C++ compiler: it brings the C++ runtime (and, in the
# sanitizer builds, the sanitizers' C++ parts) that json_simd.cpp needs.
$(BUILD)/recon: $(OBJ)
	$(CXX) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

$(BUILD)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/revision.h: FORCE
	@mkdir -p $(@D)
	@printf '#define RECON_VERSION "%s"\n#define RECON_REVISION "%s"\n' '$(VERSION)' '$(or $(REVISION),unknown)' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

$(BUILD)/lib/version.o: $(BUILD)/revision.h
$(BUILD)/lib/version.o: ALL_CFLAGS += -I$(BUILD)
FORCE:

$(BUILD)/%.o: src/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(ALL_CXXFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(LIBOBJ)
	$(CXX) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBOBJ) $(LDLIBS) -lcmocka

# The fuzz targets' inputs, replayed without libFuzzer (any compiler).
$(BUILD)/tests/replay_%: $(BUILD)/tests/fuzz_%.o $(BUILD)/tests/replay.o $(LIBOBJ)
	$(CXX) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/tests/replay.o $(LIBOBJ) $(LDLIBS)

deps:
	@sh scripts/deps.sh

unit: $(UNITBIN) $(REPLAYBIN)

fuzz:
	@sh scripts/deps.sh
	@sh scripts/fuzz.sh

# The full suite, as CI runs it. JOBS=2 runs two end-to-end scripts at once.
test: deps
	@$(MAKE) --no-print-directory all unit
	@BUILD=$(BUILD) RECON=$(abspath $(BUILD)/recon) sh tests/run.sh

# The edit loop: unit tests, fuzz replay and the fast end-to-end scripts,
# two at a time (under a minute; the scripts marked "# tier: full" are left
# to `make test`).
check:
	@$(MAKE) --no-print-directory -j2 all unit
	@BUILD=$(BUILD) RECON=$(abspath $(BUILD)/recon) JOBS=2 TIER=check sh tests/run.sh

install: $(BUILD)/recon
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BUILD)/recon $(DESTDIR)$(PREFIX)/bin/recon
	install -m 644 templates/recon.ini templates/payout-accounts.ini templates/sections.ini \
	  $(DESTDIR)$(DATADIR)/templates/
	install -m 644 recon.1 $(DESTDIR)$(MANDIR)/man1/recon.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/recon $(DESTDIR)$(MANDIR)/man1/recon.1
	rm -rf $(DESTDIR)$(DATADIR)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh

asan:
	@sh scripts/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-asan CC=clang CXX=clang++ \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" build-asan/recon unit
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  BUILD=build-asan RECON=$(abspath build-asan/recon) sh tests/run.sh

# ThreadSanitizer on the scripts that load pages (the read-ahead threads),
# on the live fetches whose ERPNext side runs on a thread of its own, on
# close and report, whose control totals start on a second connection, and
# on verify (t0011), whose pages are re-hashed on a thread of their own.
tsan:
	@sh scripts/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-tsan CC=clang CXX=clang++ CFLAGS="-O1 -g -fsanitize=thread" \
	  LDFLAGS="-fsanitize=thread" build-tsan/recon
	@TSAN_OPTIONS=halt_on_error=1:exitcode=66 BUILD=build-tsan SKIP_FAKE_TESTS=1 \
	  E2E="tests/e2e/t001*.sh tests/e2e/t0210*.sh tests/e2e/t0800*.sh tests/e2e/t0511*.sh tests/e2e/t0512*.sh \
	  tests/e2e/t0215*.sh tests/e2e/t0218*.sh tests/e2e/t0300*.sh" \
	  RECON=$(abspath build-tsan/recon) sh tests/run.sh

valgrind:
	@sh scripts/deps.sh
	@$(MAKE) --no-print-directory BUILD=build-vg CFLAGS="-O0 -g" build-vg/recon unit
	@BUILD=build-vg VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
	  RECON=$(abspath build-vg/recon) sh tests/run.sh

# Timings of a whole close on generated months (bench/run.sh; BENCH_ORDERS,
# BENCH_REPEAT, BENCH_SHAPE, BENCH_SEED). Printed, never asserted.
# BENCH_PANDAS=0 skips the pandas comparison (its packages: scripts/deps.sh bench).
bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh

# Every allocation of a small close made to fail in turn (the test suite samples
# them), then 100 points per stage under valgrind for leaks and invalid accesses.
torture: deps
	@$(MAKE) --no-print-directory all
	@TORTURE_STRIDE=1 RECON=$(abspath build/recon) sh tests/e2e/t0810-alloc-fail.sh
	@LEAK_POINTS=100 RECON=$(abspath build/recon) sh tests/e2e/t0811-alloc-fail-leaks.sh

clean:
	rm -rf build build-asan build-tsan build-vg build-fuzz recon

# Test objects are kept between builds like the others.
.SECONDARY: $(TESTOBJ)

-include $(OBJ:.o=.d) $(TESTOBJ:.o=.d)
