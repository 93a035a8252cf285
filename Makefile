# ebctl: deploy multi-container apps to AWS Elastic Beanstalk.
#
#   make                      build ./ebctl
#   make check                build and run every test (unit, CLI, sandbox integration)
#   make SANITIZE=address,undefined check
#                             the same under ASan+UBSan (objects in build-san/)
#   make install PREFIX=/usr/local DESTDIR=
#   make release / make deb / make dist
#   make format / make lint / make fuzz / make bench / make demo

VERSION   := 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
BASH_COMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSH_COMPDIR  ?= $(PREFIX)/share/zsh/site-functions
SHARED    ?= $(abspath ../shared)
PKGS      := jansson libzip openssl libcurl libxml-2.0 inih yaml-0.1 libdeflate zlib
# libcurl, libxml2, libcrypto, libzip, libdeflate and zlib are loaded on first use
# (src/util/dynload.c), not linked: only the commands that sign, hash or
# zip pay for their start-up.
LINK_PKGS := jansson inih yaml-0.1
CC        ?= cc

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wwrite-strings -Wformat=2 -Wvla -Wno-format-nonliteral
# CFLAGS=... on the command line sets the optimisation and debug flags;
# what the build needs (standard, warnings, libraries) is added to it.
CFLAGS   ?= -O2 -g
override CPPFLAGS += -Iinclude -D_GNU_SOURCE -DEBCTL_VERSION='"$(VERSION)"'
override CFLAGS   += -std=c11 $(WARN) $(shell pkg-config --cflags $(PKGS))
override LDLIBS   += $(shell pkg-config --libs $(LINK_PKGS)) -ldl -lpthread -lm

ifneq ($(SANITIZE),)
BUILD    ?= build-san
override CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS  += -fsanitize=$(SANITIZE)
EBCTL    := $(BUILD)/ebctl
# A sanitizer report must fail the test that provoked it, even where the
# test expects ebctl to fail: ASan and LSan exit 86 (not ebctl's 1) and log
# to $(BUILD)/san-logs, which tests/run reads; UBSan exits 87.
SAN_LOGS := $(abspath $(BUILD))/san-logs
export SAN_LOGS
export ASAN_OPTIONS  := exitcode=86:log_path=$(SAN_LOGS)/asan:$(ASAN_OPTIONS)
export UBSAN_OPTIONS := exitcode=87:print_stacktrace=1:$(UBSAN_OPTIONS)
else
BUILD    ?= build
EBCTL    := ./ebctl
endif

# ci/install-deps puts moto and the aws CLI in .venv when the system's
# python3 cannot take them (PEP 668): the tests find them there.
ifneq ($(wildcard .venv/bin/python3),)
export PATH := $(CURDIR)/.venv/bin:$(PATH)
endif

SRCS      := $(sort $(wildcard src/*/*.c))
MAIN_SRC  := src/cli/main.c
LIB_OBJS  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(filter-out $(MAIN_SRC),$(SRCS)))
MAIN_OBJ  := $(BUILD)/obj/cli/main.o
LIB       := $(BUILD)/libebctl.a
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
# cmocka tests that talk to a local server (tests/fakes/, moto): the
# integration tier, which has Python; the unit tier needs none
SERVER_SRCS := $(sort $(wildcard tests/integration/c/test_*.c))
SERVER_BINS := $(patsubst tests/integration/c/%.c,$(BUILD)/tests/server/%,$(SERVER_SRCS))

.PHONY: all check unit cli integration install uninstall clean format lint fuzz fuzz-build bench demo sandbox

all: $(EBCTL)

$(EBCTL): $(MAIN_OBJ) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(LIB) $(LDLIBS)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(CFLAGS) $(shell pkg-config --cflags cmocka) $(LDFLAGS) \
		-o $@ $< $(LIB) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD)/tests/server/%: tests/integration/c/%.c tests/integration/c/fakes.h tests/unit/testutil.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc -Itests/integration/c -Itests/unit $(CFLAGS) $(shell pkg-config --cflags cmocka) $(LDFLAGS) \
		-o $@ $< $(LIB) $(LDLIBS) $(shell pkg-config --libs cmocka)

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d)

# Every test: unit (cmocka), CLI (the binary, no network) and integration
# (the binary against the local sandbox). tests/run prints the closing
# "N passed, N failed" line and fails when anything failed.
check: $(EBCTL) $(UNIT_BINS) $(SERVER_BINS)
	@EBCTL=$(abspath $(EBCTL)) SHARED=$(SHARED) BUILD=$(BUILD) tests/run all $(UNIT_BINS) $(SERVER_BINS)

unit: $(UNIT_BINS)
	@EBCTL=$(abspath $(EBCTL)) SHARED=$(SHARED) BUILD=$(BUILD) tests/run unit $(UNIT_BINS)

cli: $(EBCTL)
	@EBCTL=$(abspath $(EBCTL)) SHARED=$(SHARED) BUILD=$(BUILD) tests/run cli

integration: $(EBCTL) $(SERVER_BINS)
	@EBCTL=$(abspath $(EBCTL)) SHARED=$(SHARED) BUILD=$(BUILD) tests/run integration $(SERVER_BINS)

install: $(EBCTL)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(EBCTL) $(DESTDIR)$(BINDIR)/ebctl
	if [ -f docs/ebctl.1 ]; then install -m 644 docs/ebctl.1 $(DESTDIR)$(MANDIR)/man1/ebctl.1; fi
	if [ -f completions/ebctl.bash ]; then install -d $(DESTDIR)$(BASH_COMPDIR) && \
		install -m 644 completions/ebctl.bash $(DESTDIR)$(BASH_COMPDIR)/ebctl; fi
	if [ -f completions/_ebctl ]; then install -d $(DESTDIR)$(ZSH_COMPDIR) && \
		install -m 644 completions/_ebctl $(DESTDIR)$(ZSH_COMPDIR)/_ebctl; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ebctl $(DESTDIR)$(MANDIR)/man1/ebctl.1 \
		$(DESTDIR)$(BASH_COMPDIR)/ebctl $(DESTDIR)$(ZSH_COMPDIR)/_ebctl

clean:
	rm -rf build build-san build-fuzz ebctl

FORMAT_FILES = $(wildcard src/*/*.c src/*/*.h include/ebctl/*.h tests/unit/*.c tests/integration/c/*.c tests/fuzz/*.c)
format:
	clang-format -i $(FORMAT_FILES)

lint:
	python3 mk/check-layers.py .
	clang-format --dry-run -Werror $(FORMAT_FILES)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		--suppress=missingIncludeSystem -Iinclude $(SRCS)

-include mk/*.mk
