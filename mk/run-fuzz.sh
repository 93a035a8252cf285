#!/bin/sh
# mk/run-fuzz.sh BUILD SECONDS JOBS BIN...: run each libFuzzer target for
# SECONDS, JOBS at a time (one per core: the targets are CPU-bound), each
# into its own log, printed whole when it ends. Exits 1 when any target
# found a crash (libFuzzer exits non-zero).
set -u
build=$1 seconds=$2 jobs=$3
shift 3
failed=0 running=0

one() { # bin
	name=${1#"$build"/fuzz_}
	seeds=tests/fuzz/corpus/$name
	mkdir -p "$build/corpus/$name"
	dict=
	[ -f "tests/fuzz/$name.dict" ] && dict=-dict=../tests/fuzz/$name.dict
	extra=
	[ -d "$seeds" ] && extra=../$seeds
	# shellcheck disable=SC2086
	(cd "$build" && "./fuzz_$name" -max_total_time="$seconds" -max_len=65536 \
		-print_final_stats=1 -close_fd_mask=2 $dict "corpus/$name" $extra) \
		>"$build/fuzz-$name.log" 2>&1
	echo $? >"$build/fuzz-$name.rc"
}

report() { # bin
	name=${1#"$build"/fuzz_}
	echo "== fuzz $name for ${seconds}s"
	cat "$build/fuzz-$name.log"
	[ "$(cat "$build/fuzz-$name.rc")" = 0 ] || { echo "== fuzz $name FAILED"; failed=1; }
}

for bin in "$@"; do
	one "$bin" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then wait; running=0; fi
done
wait
for bin in "$@"; do report "$bin"; done
exit $failed
