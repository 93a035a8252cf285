# The fault matrix, sourced by faults_s3.sh and faults_eb.sh (which split
# the steps between them so that both test slots share the work): every
# fault at every step of a deploy, through a fault-injecting proxy
# (faultproxy.py) in front of the sandbox. For each case ebctl either
# succeeds within its retries or exits 3 with a message naming the step and
# the cause; and whatever happened, no multipart upload is left open and the
# environment runs a version that really landed (its bundle is in S3). A
# transient fault (the first request only) must be survived; a persistent
# one (every request) must end in exit 3, unless the request got through
# (slow, truncated answers) and ebctl saw that it was applied.
# matrix_results NAME STEP... runs the cases and writes $BUILD/faults-NAME.tsv
# (the table of docs/RELIABILITY.md: tests/integration/faults_table.py).
. "$TESTS_DIR/lib.sh"

sandbox_start --deploy-seconds 0.3 || { not_ok "sandbox start"; finish; }
backend=$SANDBOX_URL
awsx() { aws --endpoint-url "$backend" --region "${AWS_REGION:-us-east-1}" "$@"; }

fault_proxy_start "$backend" || { not_ok "fault proxy start"; finish; }
proxy=$FAULT_PROXY
control() { curl -sS -X "$1" "$proxy/__fault" ${2:+-d "$2"}; }
control GET >/dev/null && ok "fault proxy at $proxy" || { not_ok "fault proxy"; sed 's/^/#   /' "$TMP/proxy.log"; finish; }

app=faultapp env=fault-env bucket=ebctl-faults
awsx s3api create-bucket --bucket "$bucket" >/dev/null 2>"$TMP/aws.err" &&
	awsx elasticbeanstalk create-application --application-name "$app" >/dev/null 2>>"$TMP/aws.err" &&
	awsx elasticbeanstalk create-environment --application-name "$app" --environment-name "$env" \
		--solution-stack-name "64bit Amazon Linux 2023 v4.3.0 running ECS" >/dev/null 2>>"$TMP/aws.err" ||
	{ not_ok "sandbox setup: $(cat "$TMP/aws.err")"; finish; }

# Temporary credentials that really expire: the proxy serves them as a
# container credentials endpoint, assuming this role in the sandbox.
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
allow='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
awsx iam create-role --role-name ebctl-faults --assume-role-policy-document "$trust" >/dev/null 2>"$TMP/aws.err" &&
	awsx iam put-role-policy --role-name ebctl-faults --policy-name all --policy-document "$allow" 2>>"$TMP/aws.err" ||
	{ not_ok "the role for temporary credentials: $(cat "$TMP/aws.err")"; finish; }
# creds_lifetime SECONDS: how long the proxy's credentials live from now on.
creds_lifetime() {
	curl -sS -X POST "$proxy/__creds" \
		-d "{\"role_arn\": \"arn:aws:iam::123456789012:role/ebctl-faults\", \"lifetime\": $1}" >/dev/null
}
creds_lifetime 3600
# temporary CMD...: CMD with the proxy's temporary credentials instead of
# the IAM user's keys.
temporary() {
	(
		unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
		export AWS_CONTAINER_CREDENTIALS_FULL_URI=$proxy/__creds
		"$@"
	)
}

# Two applications: a small bundle (one PUT) and one above the 8 MiB
# multipart threshold (two parts).
small=$TMP/small big=$TMP/big
for d in "$small" "$big"; do
	mkdir -p "$d"
	cat >"$d/Dockerrun.aws.json" <<'JSON'
{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.25", "essential": true,
 "memory": 128, "portMappings": [{"hostPort": 80, "containerPort": 80}]}]}
JSON
done
head -c $((9 * 1024 * 1024)) /dev/urandom >"$big/blob.bin"

export AWS_ENDPOINT_URL=$proxy AWS_MAX_ATTEMPTS=3 EBCTL_RETRY_BASE_MS=5 EBCTL_READ_TIMEOUT=1 EBCTL_CONNECT_TIMEOUT=2 \
	EBCTL_POLL_MS=100
deploy() { # dir label
	echo "$2" >"$1/case.txt" # new content: the bundle is uploaded again
	"$EBCTL" deploy -C "$1" --all --app "$app" --env "$env" --bucket "$bucket" --label "$2" --timeout 60s --wait-ready
}

control DELETE >/dev/null
expect_rc 0 "a deploy without faults" deploy "$small" base
expect_rc 0 "a multipart deploy without faults" deploy "$big" base-big
# Two parts at least: under load a part's answer can take longer than the
# one-second read timeout, and the part is sent again.
seen=$(control GET)
parts=$(echo "$seen" | "$PYTHON" -c 'import json, sys; s = json.load(sys.stdin)["seen"]
print(s.get("UploadPart", 0) if s.get("CompleteMultipartUpload") else 0)')
if [ "${parts:-0}" -ge 2 ]; then ok "the big bundle went up in parts ($parts sent)"
else not_ok "no multipart upload seen: $seen"; fi

# The invariants are asked of the sandbox itself ($backend), by one process
# for the whole run (tests/integration/invariants.py).
# Another sandbox (another IAM user) gets a process of its own, once.
coproc INVARIANTS { "$PYTHON" "$TESTS_DIR/integration/invariants.py" "$bucket" "$app" "$env" 2>&1; }
at_exit "kill $INVARIANTS_PID 2>/dev/null"
invariants_backend=$backend

# invariants DESC: nothing left open, the environment on a version that landed.
invariants() {
	local desc=$1 uploads label key landed
	if [ "$backend" = "$invariants_backend" ]; then
		echo "$backend" >&"${INVARIANTS[1]}"
		read -r uploads label key landed <&"${INVARIANTS[0]}"
	else
		read -r uploads label key landed < <(echo "$backend" |
			"$PYTHON" "$TESTS_DIR/integration/invariants.py" "$bucket" "$app" "$env" 2>&1)
	fi
	if [ "$uploads" = error ] || [ -z "$uploads" ]; then
		not_ok "$desc: cannot check the invariants: $label $key $landed"
		return
	fi
	expect_eq "$uploads" "0" "$desc: no multipart upload left open"
	case $landed in
	none) ok "$desc: the environment runs no version yet" ;;
	yes) ok "$desc: the environment runs '$label', whose bundle landed" ;;
	*) not_ok "$desc: the environment runs '$label' (bundle '$key') that did not land" ;;
	esac
}

step_name() {
	case $1 in
	PutObject | *Multipart* | UploadPart) echo "s3 $1" ;;
	*) echo "elasticbeanstalk $1" ;;
	esac
}
cause_of() { # fault: what the message must say (an extended regexp)
	case $1 in
	throttle) echo 'Throttling|SlowDown' ;;
	error500) echo 'InternalError|InternalFailure' ;;
	slowdown) echo 'SlowDown' ;;
	drop) echo 'Empty reply|connection|Connection|reset|no answer' ;;
	slow) echo 'timed out|timeout|Timeout|no data for|no answer' ;;
	truncate) echo 'transfer closed|partial|Partial|truncated|connection|no answer' ;;
	expired) echo 'ExpiredToken|expired' ;;
	esac
}

# matrix NAME STEP...: every fault, once and always, at each step; the
# results to $BUILD/faults-NAME.tsv.
matrix() {
	local name=$1 n=0 step dir fault count label desc hits msg want; shift
	results=$TESTS_DIR/../${BUILD:-build}/faults-$name.tsv
	printf 'step\tfault\tcount\texit\tmessage\n' >"$results"
	for step in "$@"; do
		case $step in *Multipart* | UploadPart) dir=$big ;; *) dir=$small ;; esac
		for fault in throttle error500 slowdown drop slow truncate expired; do
			for count in 1 -1; do
				n=$((n + 1)); label=c$n-$fault; desc="$fault ($([ "$count" = 1 ] && echo once || echo always)) at $step"
				control POST "{\"step\": \"$step\", \"fault\": \"$fault\", \"count\": $count}" >/dev/null
				# an expired token is news only to credentials that can be renewed
				if [ "$fault" = expired ]; then run temporary deploy "$dir" "$label"
				else run deploy "$dir" "$label"; fi
				hits=$(control GET | sed -n 's/.*"hits": *\([0-9]*\).*/\1/p')
				control DELETE >/dev/null
				# the error: the line naming the step (stderr, or an environment's
				# verdict line on stdout), else the last line on stderr
				msg=$(cat "$TMP/err" "$TMP/out" | grep -F "$(step_name "$step")" | tail -1)
				[ -n "$msg" ] || msg=$(tail -1 "$TMP/err")
				[ "$rc" -eq 0 ] && msg=deployed
				printf '%s\t%s\t%s\t%s\t%s\n' "$step" "$fault" "$count" "$rc" "$msg" >>"$results"
				[ "${hits:-0}" -gt 0 ] || not_ok "$desc: the fault never hit (step not reached?)"
				# once: survived. Always: exit 3, unless the fault lets the
				# request through (slow, truncate) and ebctl finds out it was
				# applied, or the step is DescribeEvents, which the verdict can
				# do without (it follows DescribeEnvironments too).
				want=3
				[ "$count" = 1 ] && want=0
				case "$fault/$count/$rc" in slow/-1/0 | truncate/-1/0) want=0 ;; esac
				[ "$step/$count/$rc" = DescribeEvents/-1/0 ] && want=0
				if [ "$rc" -eq "$want" ]; then
					ok "$desc: exit $rc"
				else
					not_ok "$desc: exit $rc, wanted $want"; sed 's/^/#   err: /' "$TMP/err" | tail -6
				fi
				if [ "$rc" -eq 3 ]; then
					if echo "$msg" | grep -qF "$(step_name "$step")" && echo "$msg" | grep -qE "$(cause_of "$fault")"; then
						ok "$desc: the message names the step and the cause"
					else
						not_ok "$desc: the message does not name '$(step_name "$step")' and the cause: $msg"
					fi
				fi
				invariants "$desc"
			done
		done
	done
}
