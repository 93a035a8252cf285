# The fault matrix: every fault at every step of a deploy, through a
# fault-injecting proxy (faultproxy.py) in front of the sandbox. For each
# case ebctl either succeeds within its retries or exits 3 with a message
# naming the step and the cause; and whatever happened, no multipart upload
# is left open and the environment runs a version that really landed (its
# bundle is in S3). A transient fault (the first request only) must be
# survived; a persistent one (every request) must end in exit 3, unless the
# request got through (slow, truncated answers) and ebctl saw that it was
# applied; a skewed server clock is corrected. The results go to
# $BUILD/faults.tsv (the table of docs/RELIABILITY.md).
. "$TESTS_DIR/lib.sh"

sandbox_start --deploy-seconds 0.3 || { not_ok "sandbox start"; finish; }
backend=$SANDBOX_URL
awsx() { aws --endpoint-url "$backend" --region "${AWS_REGION:-us-east-1}" "$@"; }

"$PYTHON" "$TESTS_DIR/integration/faultproxy.py" --backend "$backend" --port-file "$TMP/proxy.port" \
	>"$TMP/proxy.log" 2>&1 &
proxy_pid=$!
at_exit "kill $proxy_pid 2>/dev/null; wait $proxy_pid 2>/dev/null"
for i in $(seq 1 100); do [ -s "$TMP/proxy.port" ] && break; sleep 0.05; done
proxy=http://127.0.0.1:$(cat "$TMP/proxy.port")
control() { curl -sS -X "$1" "$proxy/__fault" ${2:+-d "$2"}; }
control GET >/dev/null && ok "fault proxy at $proxy" || { not_ok "fault proxy"; sed 's/^/#   /' "$TMP/proxy.log"; finish; }

app=faultapp env=fault-env bucket=ebctl-faults
awsx s3api create-bucket --bucket "$bucket" >/dev/null 2>"$TMP/aws.err" &&
	awsx elasticbeanstalk create-application --application-name "$app" >/dev/null 2>>"$TMP/aws.err" &&
	awsx elasticbeanstalk create-environment --application-name "$app" --environment-name "$env" \
		--solution-stack-name "64bit Amazon Linux 2023 v4.3.0 running ECS" >/dev/null 2>>"$TMP/aws.err" ||
	{ not_ok "sandbox setup: $(cat "$TMP/aws.err")"; finish; }

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

export AWS_ENDPOINT_URL=$proxy AWS_MAX_ATTEMPTS=3 EBCTL_RETRY_BASE_MS=5 EBCTL_READ_TIMEOUT=1 EBCTL_CONNECT_TIMEOUT=2
deploy() { # dir label
	echo "$2" >"$1/case.txt" # new content: the bundle is uploaded again
	"$EBCTL" deploy -C "$1" --all --app "$app" --env "$env" --bucket "$bucket" --label "$2" --timeout 60s --wait-ready
}

control DELETE >/dev/null
expect_rc 0 "a deploy without faults" deploy "$small" base
expect_rc 0 "a multipart deploy without faults" deploy "$big" base-big
seen=$(control GET)
case "$seen" in *'"UploadPart": 2'*) ok "the big bundle went up in two parts" ;;
*) not_ok "no multipart upload seen: $seen" ;; esac

# invariants DESC: nothing left open, the environment on a version that landed.
invariants() {
	local desc=$1 uploads label key
	uploads=$(awsx s3api list-multipart-uploads --bucket "$bucket" --query 'length(Uploads || `[]`)' --output text 2>&1)
	expect_eq "$uploads" "0" "$desc: no multipart upload left open"
	label=$(awsx elasticbeanstalk describe-environments --application-name "$app" --environment-names "$env" \
		--query 'Environments[0].VersionLabel' --output text 2>&1)
	key=$(awsx elasticbeanstalk describe-application-versions --application-name "$app" --version-labels "$label" \
		--query 'ApplicationVersions[0].SourceBundle.S3Key' --output text 2>&1)
	if [ "$label" = None ]; then
		ok "$desc: the environment runs no version yet"
	elif [ -n "$key" ] && [ "$key" != None ] && awsx s3api head-object --bucket "$bucket" --key "$key" >/dev/null 2>&1; then
		ok "$desc: the environment runs '$label', whose bundle landed"
	else
		not_ok "$desc: the environment runs '$label' (bundle '$key') that did not land"
	fi
}

results=$TESTS_DIR/../${BUILD:-build}/faults.tsv
printf 'step\tfault\tcount\texit\tmessage\n' >"$results"
step_name() {
	case $1 in
	PutObject | UploadPart) echo "s3 $1" ;;
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


n=0
for step in PutObject UploadPart CreateApplicationVersion UpdateEnvironment DescribeEvents; do
	dir=$small; [ "$step" = UploadPart ] && dir=$big
	for fault in throttle error500 slowdown drop slow truncate expired; do
		for count in 1 -1; do
			case "$fault/$count" in expired/1) continue ;; esac
			n=$((n + 1)); label=c$n-$fault; desc="$fault ($([ "$count" = 1 ] && echo once || echo always)) at $step"
			control POST "{\"step\": \"$step\", \"fault\": \"$fault\", \"count\": $count}" >/dev/null
			run deploy "$dir" "$label"
			hits=$(control GET | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["hits"])')
			control DELETE >/dev/null
			# the error: the line naming the step (stderr, or an environment's
			# verdict line on stdout), else the last line on stderr
			msg=$(cat "$TMP/err" "$TMP/out" | grep -F "$(step_name "$step")" | tail -1)
			[ -n "$msg" ] || msg=$(tail -1 "$TMP/err")
			[ "$rc" -eq 0 ] && msg=deployed
			printf '%s\t%s\t%s\t%s\t%s\n' "$step" "$fault" "$count" "$rc" "$msg" >>"$results"
			[ "$hits" -gt 0 ] || not_ok "$desc: the fault never hit (step not reached?)"
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

# A skewed clock belongs to the whole server, not to one step (and the
# sandbox checks every request's time against its own clock): a second
# sandbox is set 20 minutes ahead for each deploy; ebctl corrects from the
# first answer's Date and deploys, by one PUT and by multipart.
sandbox_start --deploy-seconds 0.3 || { not_ok "second sandbox start"; finish; }
backend=$SANDBOX_URL
awsx s3api create-bucket --bucket "$bucket" >/dev/null 2>"$TMP/aws.err" &&
	awsx elasticbeanstalk create-application --application-name "$app" >/dev/null 2>>"$TMP/aws.err" &&
	awsx elasticbeanstalk create-environment --application-name "$app" --environment-name "$env" \
		--solution-stack-name "64bit Amazon Linux 2023 v4.3.0 running ECS" >/dev/null 2>>"$TMP/aws.err" ||
	not_ok "second sandbox setup: $(cat "$TMP/aws.err")"
export AWS_ENDPOINT_URL=$SANDBOX_URL
skew() { curl -sS -X POST "$SANDBOX_URL/_sandbox/faults" -d "skew=$1" >/dev/null; }
for dir in "$small" "$big"; do
	desc="a server clock 20 minutes ahead ($(basename "$dir") bundle)"
	skew 1200
	run deploy "$dir" "skew-$(basename "$dir")"
	skew 0 # the aws CLI checking the invariants does not correct its clock
	[ "$rc" -eq 0 ] && msg=deployed || msg=$(tail -1 "$TMP/err")
	printf '%s\t%s\t%s\t%s\t%s\n' "every step ($(basename "$dir") bundle)" skew -1 "$rc" "$msg" >>"$results"
	if [ "$rc" -eq 0 ]; then ok "$desc: exit 0"
	else not_ok "$desc: exit $rc"; sed 's/^/#   err: /' "$TMP/err" | tail -4; fi
	invariants "$desc"
done
finish
