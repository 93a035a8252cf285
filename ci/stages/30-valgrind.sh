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
# VALGRIND_TESTS="a b" runs only the CLI tests whose names start so (as
# TESTS_FILTER=cli/a does, one run each); "all" runs every one.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command -v valgrind >/dev/null || { echo "30-valgrind: valgrind is not installed (ci/install-deps)" >&2; exit 1; }
make -j2 ./ebctl >/dev/null || exit 1

work=$(mktemp -d "${TMPDIR:-/tmp}/ebctl-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs"
cat >"$work/ebctl" <<WRAP
#!/bin/sh
exec valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \\
	--error-exitcode=99 --log-file="$work/logs/vg.%p" "$root/ebctl" "\$@"
WRAP
chmod +x "$work/ebctl"

# Through tests/run, as make cli: TESTS_JOBS at a time, the longest first.
# Left out: the bulk tests and the document checks above; loading.sh, which
# reads the dynamic loader's log, which valgrind's own start-up changes;
# release.sh and deb.sh, which test binaries they build, not this one.
skip="cli/sign cli/validate_corpus cli/validate_real _large cli/docs cli/options_agree cli/completion
	cli/loading cli/release cli/deb"
failed=0
cli_tests() { EBCTL=$work/ebctl BUILD=build/valgrind EBIGNORE_DIFF_CASES=30 tests/run cli || failed=$((failed + 1)); }
case ${VALGRIND_TESTS:-} in
"") TESTS_SKIP=$skip cli_tests ;;
all) TESTS_SKIP= cli_tests ;;
*) for t in $VALGRIND_TESTS; do TESTS_FILTER=cli/$t TESTS_SKIP= cli_tests; done ;;
esac

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
