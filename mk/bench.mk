# make bench: ebctl against the aws CLI, zip, jq and botocore on this machine,
# in one run; prints a table and writes docs/PERFORMANCE.md. Needs the sandbox.
BENCH_BINS := $(BUILD)/bench/sign_bench $(BUILD)/bench/upload_bench

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench: $(EBCTL) $(BENCH_BINS)
	EBCTL=$(abspath $(EBCTL)) BUILD=$(BUILD) SHARED=$(SHARED) bench/run

# Built by make check too (not run): a change of the library's interfaces
# cannot leave them behind unnoticed until the next make bench.
check: $(BENCH_BINS)
