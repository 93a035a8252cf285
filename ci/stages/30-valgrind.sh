#!/usr/bin/env bash
# The CLI tests with every ebctl run under valgrind: memcheck errors and
# definite leaks fail the stage. EBCTL points at a wrapper, so the tests run
# unchanged; each ebctl run writes a log, and a log with errors fails the
# stage even where a test ignores the exit code.
#
# Every CLI test but the bulk ones (sign.sh: hundreds of botocore
# comparisons; validate_corpus.sh, validate_real.sh: every corpus file;
# *_large.sh: inputs of megabytes, which test growth, not memory),
# which exercise the same paths as the others and would take far longer
# than the stage's budget under valgrind: here the signer runs on a sample
# of the AWS suite instead, and the validator on the CLI tests' files; the
# .ebignore differential (ebignore_git.sh) runs 30 of its 300 cases.
# Nor the checks that the documents agree with the option tables
# (docs.sh, options_agree.sh, completion.sh: every command's --help and
# --completion-helper, the printing main.sh runs under valgrind too),
# nor release.sh and deb.sh, which build and run binaries of their own.
# VALGRIND_TESTS="a b" picks test names (tests/cli/NAME.sh); "all" runs all.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command -v valgrind >/dev/null || { echo "30-valgrind: valgrind is not installed (ci/install-deps)" >&2; exit 1; }
make -j2 ./ebctl >/dev/null || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/ebctl-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs" build/valgrind
cat >"$work/ebctl" <<WRAP
#!/bin/sh
exec valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \\
	--error-exitcode=99 --log-file="$work/logs/vg.%p" "$root/ebctl" "\$@"
WRAP
chmod +x "$work/ebctl"

all=$(cd tests/cli && ls -- *.sh | sed 's/\.sh$//')
# the longest first, so that none is left running alone at the end
first="credentials render bundle_parallel deploy validate ebignore_git render_cases"
# loading.sh reads the dynamic loader's log, which valgrind's own start-up
# changes; release.sh and deb.sh test binaries they build, not this one
tests=${VALGRIND_TESTS:-$(echo "$all" | grep -v -x -e sign -e validate_corpus -e validate_real -e loading -e '.*_large' \
	-e release -e deb -e docs -e options_agree -e completion)}
[ "$tests" = all ] && tests=$all
tests="$(for t in $first; do echo "$tests" | grep -x -e "$t"; done) $(echo "$tests" | grep -v -x $(printf -- '-e %s ' $first))"
failed=0
# TESTS_JOBS scripts at a time, twice the cores unless set, as tests/run
# does; each has its own temporary files
running=0 jobs=${TESTS_JOBS:-$(($(nproc 2>/dev/null || echo 1) * 2))}
for t in $tests; do
	[ -f "tests/cli/$t.sh" ] || continue
	(
		t0=$SECONDS
		EBIGNORE_DIFF_CASES=30 EBCTL=$work/ebctl TESTS_DIR=$root/tests SHARED=${SHARED:-$root/../shared} BUILD=build/valgrind \
			timeout 600 bash "tests/cli/$t.sh" >"build/valgrind/cli-$t.log" 2>&1 </dev/null
		echo $? >"build/valgrind/cli-$t.rc"
		echo $((SECONDS - t0)) >"build/valgrind/cli-$t.secs"
	) &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
for t in $tests; do
	[ -f "tests/cli/$t.sh" ] || continue
	log=build/valgrind/cli-$t.log
	rc=$(cat "build/valgrind/cli-$t.rc")
	n=$(grep -c '^not ok' "$log")
	if [ "$rc" -ne 0 ] || [ "$n" -gt 0 ]; then
		failed=$((failed + 1)); echo "FAIL cli/$t under valgrind (exit $rc; log $log)"; grep '^not ok' "$log" | head -10 | sed 's/^/    /'
	else
		echo "PASS cli/$t under valgrind ($(grep -c '^ok' "$log"), $(cat "build/valgrind/cli-$t.secs")s)"
	fi
done

# The signer on a sample of the AWS suite, both kinds of signing.
suite=${SHARED:-$root/../shared}/testdata/sigv4/aws4_testsuite
for d in get-vanilla-query-order-key-case get-vanilla-with-session-token post-x-www-form-urlencoded normalize-path/get-slash-dot-slash; do
	[ -f "$suite/$d/request.txt" ] || continue
	for p in "" "--presign 3600 --print url"; do
		# shellcheck disable=SC2086
		if ! AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
			AWS_SESSION_TOKEN=token AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
			"$work/ebctl" sign --service service --region us-east-1 --time 20150830T123600Z $p \
			"$suite/$d/request.txt" >/dev/null 2>"$work/sign.err"; then
			failed=$((failed + 1)); echo "FAIL sign $d $p under valgrind"; sed 's/^/    /' "$work/sign.err" | head
		fi
	done
done

# With --quiet valgrind writes nothing but what it finds: any log with
# content is a finding (a leak, an invalid read or free, an uninitialised
# value), whether or not the test looked at the exit code.
runs=$(find "$work/logs" -name 'vg.*' | wc -l)
bad=$(find "$work/logs" -name 'vg.*' -size +0c)
if [ -n "$bad" ]; then
	echo "30-valgrind: memcheck found problems in $(echo "$bad" | wc -l) of $runs runs:"
	for f in $(echo "$bad" | head -5); do sed 's/^/    /' "$f" | head -40; done
	failed=$((failed + 1))
fi
echo "30-valgrind: $runs ebctl runs under valgrind, $([ "$failed" -eq 0 ] && echo clean || echo "$failed failures")"
[ "$failed" -eq 0 ]
