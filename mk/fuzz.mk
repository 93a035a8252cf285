# make fuzz: build every libFuzzer target tests/fuzz/fuzz_NAME.c into
# build-fuzz/ (clang, -fsanitize=fuzzer,address,undefined) and run each for
# FUZZ_SECONDS (FUZZ_JOBS at a time), starting from the checked-in seeds in tests/fuzz/corpus/NAME
# (new inputs go to build-fuzz/corpus/NAME; crashes to build-fuzz/). The
# targets' own stderr is closed (-close_fd_mask=2); libFuzzer and sanitizer
# reports still print.
FUZZ_SECONDS ?= 30
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -g -O1 -std=c11 $(WARN) $(shell pkg-config --cflags $(PKGS)) $(FUZZ_SAN)
FUZZ_OBJS    := $(patsubst src/%.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out $(MAIN_SRC),$(SRCS)))
FUZZ_LIB     := $(FUZZ_BUILD)/libebctl.a
FUZZ_SRCS    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))

$(FUZZ_BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

# the generated forwarders (mk/dynload.mk)
$(FUZZ_BUILD)/obj/util/dynload.o: $(FUZZ_BUILD)/gen/dynload_gen.c
$(FUZZ_BUILD)/obj/util/dynload.o: override CPPFLAGS += -I$(FUZZ_BUILD)/gen

# An archive: a target pulls in only the objects it needs (the commands'
# files, with their generated data, stay out).
$(FUZZ_LIB): $(FUZZ_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/unit/testutil.h $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -Isrc -Itests/unit $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

# two targets at a time: one per core of a CI machine
FUZZ_JOBS ?= 2
fuzz: $(FUZZ_BINS)
	@sh mk/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_BINS)

.SECONDARY: $(FUZZ_OBJS)
-include $(FUZZ_OBJS:.o=.d)
