# make bench: ebctl against the aws CLI, zip, jq and botocore on this machine,
# in one run; prints a table and writes docs/PERFORMANCE.md. Needs the sandbox.
BENCH_BINS := $(BUILD)/bench/sign_bench $(BUILD)/bench/upload_bench

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

bench: $(EBCTL) $(BENCH_BINS)
	EBCTL=$(abspath $(EBCTL)) BUILD=$(BUILD) SHARED=$(SHARED) bench/run
