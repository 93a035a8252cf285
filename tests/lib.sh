# Shared helpers for the shell tests in tests/cli and tests/integration.
# Each assertion prints a TAP line ("ok - ..." / "not ok - ..."); tests/run counts them.
# Source it with:  . "$TESTS_DIR/lib.sh"
set -u
: "${EBCTL:?EBCTL must name the binary under test}"
: "${SHARED:=$TESTS_DIR/../../shared}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ebctl-test.XXXXXX")
_cleanups=()
_cleanup_all() { local c; for c in "${_cleanups[@]}"; do eval "$c"; done; rm -rf "$TMP"; }
trap _cleanup_all EXIT
at_exit() { _cleanups+=("$1"); }
_failures=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; _failures=$((_failures + 1)); }

# run CMD...: runs it, keeping exit code in $rc, stdout in $TMP/out, stderr in $TMP/err.
run() { "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }

# expect_rc CODE DESC CMD...: run CMD and require exit CODE.
expect_rc() {
	local want=$1 desc=$2; shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok "$desc (exit $rc)"
	else not_ok "$desc: exit $rc, wanted $want"; sed 's/^/#   out: /' "$TMP/out" | head -15; sed 's/^/#   err: /' "$TMP/err" | head -15; fi
}

# expect_out|expect_err FIXED-STRING DESC: the last run's stdout/stderr contains it.
_expect_in() {
	local file=$1 want=$2 desc=$3
	if grep -qF -- "$want" "$file"; then ok "$desc"
	else not_ok "$desc: '$want' not in $(basename "$file")"; sed 's/^/#   /' "$file" | head -15; fi
}
expect_out() { _expect_in "$TMP/out" "$1" "$2"; }
expect_err() { _expect_in "$TMP/err" "$1" "$2"; }
expect_not_out() { if grep -qF -- "$1" "$TMP/out"; then not_ok "$2: '$1' found in stdout"; else ok "$2"; fi; }
expect_not_err() { if grep -qF -- "$1" "$TMP/err"; then not_ok "$2: '$1' found in stderr"; else ok "$2"; fi; }

# expect_eq GOT WANT DESC
expect_eq() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3: got '$1', wanted '$2'"; fi; }

# The python3 with moto, boto3 and the aws CLI (pyenv on these machines;
# tests/run names the interpreter itself, past pyenv's shim).
PYTHON=${PYTHON:-python3}

# aws_cli_start: from here on, `aws` is the aws CLI imported once for this
# script and forked per call (tests/awsd.py): the same CLI, without the
# 0.6 s of imports each call pays. Until the server is up, and where
# tests/awsd.py cannot serve, `aws` is the aws CLI itself.
_aws_cli=
aws_cli_start() {
	[ -z "$_aws_cli" ] || return 0
	local real
	real=$(command -v aws) || return 0
	_aws_cli=$TMP/aws-cli
	mkdir -p "$_aws_cli"
	"$PYTHON" "$TESTS_DIR/awsd.py" serve "$_aws_cli/socket" >"$_aws_cli/log" 2>&1 &
	at_exit "kill $! 2>/dev/null"
	printf '#!/bin/sh\nexec "%s" -SE "%s" call "$@"\n' "$PYTHON" "$TESTS_DIR/awsd.py" >"$_aws_cli/aws"
	chmod +x "$_aws_cli/aws"
	export AWSD_SOCKET=$_aws_cli/socket AWSD_AWS=$real PATH=$_aws_cli:$PATH
}

# sandbox_start [ARGS...]: start tests/sandbox/sandbox on a free loopback port,
# wait for "ready", and export the AWS_* variables of the IAM user it created.
# Stopped automatically when the test exits.
# Each start has its own log and env file (a test may run two sandboxes);
# a loaded machine may take a while to import moto, hence the long wait.
_sandboxes=0
sandbox_start() {
	local envf log port i
	_sandboxes=$((_sandboxes + 1))
	aws_cli_start
	envf=$TMP/sandbox$_sandboxes.env log=$TMP/sandbox$_sandboxes.log
	port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"$PYTHON" "$TESTS_DIR/sandbox/sandbox" --port "$port" --env-file "$envf" "$@" >"$log" 2>&1 &
	SANDBOX_PID=$!
	at_exit "kill $SANDBOX_PID 2>/dev/null; wait $SANDBOX_PID 2>/dev/null"
	for i in $(seq 1 1200); do
		if grep -q '^ready ' "$log" 2>/dev/null && [ -s "$envf" ]; then break; fi
		if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then echo "# sandbox died:"; sed 's/^/#   /' "$log"; return 1; fi
		sleep 0.1
	done
	grep -q '^ready ' "$log" || { echo "# sandbox did not start"; sed 's/^/#   /' "$log"; return 1; }
	# shellcheck disable=SC1090
	. "$envf"
	SANDBOX_URL=$AWS_ENDPOINT_URL
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
	export AWS_CONFIG_FILE=$TMP/no-aws-config AWS_SHARED_CREDENTIALS_FILE=$TMP/no-aws-credentials
}

# sandbox_role_creds ROLE: create ROLE in the sandbox (anyone may assume
# it, it may do anything), assume it once and print its AccessKeyId,
# SecretAccessKey and SessionToken on one line: temporary credentials that
# pass the sandbox's signature checks. Needs sandbox_start first.
sandbox_role_creds() {
	local trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
	local allow='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
	local awsx=(aws --endpoint-url "$SANDBOX_URL" --region "${AWS_REGION:-us-east-1}")
	"${awsx[@]}" iam create-role --role-name "$1" --assume-role-policy-document "$trust" >/dev/null &&
		"${awsx[@]}" iam put-role-policy --role-name "$1" --policy-name all --policy-document "$allow" &&
		"${awsx[@]}" sts assume-role --role-arn "arn:aws:iam::123456789012:role/$1" --role-session-name "$1" \
			--query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text
}

# fake_start SCRIPT [ARGS...]: start tests/fakes/SCRIPT (metadata_server.py,
# faulty_server.py) on a free loopback port, wait until it is ready and
# export the variables it writes (METADATA_URL, FAULTY_URL). Stopped
# automatically when the test exits.
fake_start() {
	local script=$1 envf log pid i; shift
	envf="$TMP/fake-${script%.py}.env"; log="$TMP/fake-${script%.py}.log"
	"$PYTHON" "$TESTS_DIR/fakes/$script" --env-file "$envf" "$@" >"$log" 2>&1 &
	pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	for i in $(seq 1 300); do
		[ -s "$envf" ] && break
		if ! kill -0 "$pid" 2>/dev/null; then echo "# $script died:"; sed 's/^/#   /' "$log"; return 1; fi
		sleep 0.1
	done
	[ -s "$envf" ] || { echo "# $script did not start"; sed 's/^/#   /' "$log"; return 1; }
	set -a
	# shellcheck disable=SC1090
	. "$envf"
	set +a
}

# fault_proxy_start BACKEND: tests/integration/faultproxy.py in front of
# BACKEND on a free loopback port; its URL in FAULT_PROXY. Stopped when the
# test exits.
fault_proxy_start() {
	local pid i
	"$PYTHON" "$TESTS_DIR/integration/faultproxy.py" --backend "$1" --port-file "$TMP/proxy.port" \
		>"$TMP/proxy.log" 2>&1 &
	pid=$!
	at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	for i in $(seq 1 200); do [ -s "$TMP/proxy.port" ] && break; sleep 0.05; done
	[ -s "$TMP/proxy.port" ] || { sed 's/^/#   /' "$TMP/proxy.log"; return 1; }
	FAULT_PROXY=http://127.0.0.1:$(cat "$TMP/proxy.port")
}

# finish: the script's exit status (non-zero when any assertion failed).
# ebctl takes these to mean it runs in CI (no redrawn progress, no colour);
# a test of terminal behaviour runs its command without them
OFF_CI=(env -u CI -u GITHUB_ACTIONS -u TRAVIS -u GITLAB_CI -u BUILDKITE)

finish() { exit $(( _failures > 0 ? 1 : 0 )); }
