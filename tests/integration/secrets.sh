# Secrets never leak: every command runs with --debug against the sandbox,
# with temporary credentials from the sandbox's STS (so every request still
# passes the signature checks), and neither the secret key nor the session
# token may appear in stdout, stderr or any file ebctl writes (the working
# directory, the output directories, HOME). Partial and URL-encoded forms
# count as leaks too.
. "$TESTS_DIR/lib.sh"

sandbox_start --deploy-seconds 0.3 || { not_ok "sandbox start"; finish; }
endpoint=$SANDBOX_URL
awsx() { aws --endpoint-url "$endpoint" --region "${AWS_REGION:-us-east-1}" "$@"; }

# ---- temporary credentials: a role the IAM user may assume
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}'
allow='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
awsx iam create-role --role-name ebctl-secrets --assume-role-policy-document "$trust" >/dev/null 2>"$TMP/aws.err" &&
	awsx iam put-role-policy --role-name ebctl-secrets --policy-name all --policy-document "$allow" 2>>"$TMP/aws.err" &&
	awsx sts assume-role --role-arn "arn:aws:iam::123456789012:role/ebctl-secrets" --role-session-name secrets \
		--query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text >"$TMP/creds" 2>>"$TMP/aws.err"
read -r akid secret token <"$TMP/creds" 2>/dev/null
if [ -n "${token:-}" ] && [ ${#secret} -ge 20 ]; then ok "temporary credentials from the sandbox's STS"
else not_ok "temporary credentials"; sed 's/^/#   /' "$TMP/aws.err"; finish; fi

# ---- an application and an environment to talk to
app=secretsapp env=secrets-env
awsx elasticbeanstalk create-application --application-name "$app" >/dev/null 2>>"$TMP/aws.err"
awsx elasticbeanstalk create-environment --application-name "$app" --environment-name "$env" \
	--solution-stack-name "64bit Amazon Linux 2023 v4.3.0 running ECS" >/dev/null 2>>"$TMP/aws.err" ||
	not_ok "create the environment: $(cat "$TMP/aws.err")"

# From here on ebctl sees only the temporary credentials.
export AWS_ACCESS_KEY_ID=$akid AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token
export HOME=$TMP/home EBCTL_RETRY_BASE_MS=10
work=$TMP/work outdir=$TMP/outdir
mkdir -p "$HOME" "$work" "$outdir"
cd "$work" || exit 1
cat >Dockerrun.aws.json <<'JSON'
{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.25", "essential": true,
 "memory": 128, "portMappings": [{"hostPort": 80, "containerPort": 80}]}]}
JSON
printf 'GET /?list-type=2 HTTP/1.1\nHost:%s\n\n' "${endpoint#http://}" >"$work/request.txt"

# The needles: the whole values, pieces of them, and their URL-encoded forms.
needles=$TMP/needles
{
	echo "$secret"; echo "$token"
	echo "${secret:8:16}"; echo "${token:0:24}"; echo "${token: -24}"
	"$PYTHON" -c 'import sys, urllib.parse as u; [print(u.quote(s, safe="")) for s in sys.argv[1:]]' "$secret" "$token"
} | sort -u >"$needles"

# leak_check DESC FILE...: none of the needles in the files.
leak_check() {
	local desc=$1 hits f; shift
	for f in "$@"; do [ -e "$f" ] || { not_ok "$desc: '$f' is missing"; return; }; done
	hits=$(grep -lrF -f "$needles" "$@" 2>/dev/null)
	if [ -z "$hits" ]; then ok "$desc: no secret"
	else not_ok "$desc: a secret in $(echo "$hits" | tr '\n' ' ')"; fi
}

# sec RC DESC ARGS...: ebctl --debug ARGS, exit RC, and nothing leaks on
# stdout or stderr.
sec() {
	local want=$1 desc=$2; shift 2
	expect_rc "$want" "$desc" "$EBCTL" --debug "$@"
	leak_check "$desc" "$TMP/out" "$TMP/err"
}

sec 0 "validate" validate Dockerrun.aws.json
sec 0 "bundle" bundle -o "$outdir/bundle.zip"
sec 0 "deploy" deploy --app "$app" --env "$env" --label v1 --timeout 120s --wait-ready
expect_err "debug" "--debug really printed something"
sec 0 "deploy of the same label again" deploy --app "$app" --env "$env" --label v1 --timeout 120s
sec 0 "events" events --app "$app" --env "$env"
sec 0 "status" status --app "$app" --env "$env"
sec 0 "status --format json" status --app "$app" --env "$env" --format json
sec 0 "health" health --app "$app" --env "$env"
sec 0 "setenv" setenv --app "$app" --env "$env" GREETING=hello --timeout 120s
sec 0 "printenv" printenv --app "$app" --env "$env"
sec 0 "printenv --reveal" printenv --app "$app" --env "$env" --reveal
sec 0 "logs (tail)" logs --app "$app" --env "$env"
sec 0 "logs --all" logs --app "$app" --env "$env" --all -o "$outdir/logs-all"
sec 0 "render --to compose" render --to compose Dockerrun.aws.json
sec 0 "render --to k8s" render --to k8s Dockerrun.aws.json
(mkdir -p "$work/init" && cd "$work/init" && "$EBCTL" --debug init) >"$TMP/out" 2>"$TMP/err"
leak_check "init" "$TMP/out" "$TMP/err"
sec 0 "sign --print authz" sign --service s3 --region us-east-1 --print authz request.txt
sec 0 "sign --print sts" sign --service s3 --region us-east-1 --print sts request.txt
# The signed request carries X-Amz-Security-Token by design: only stderr counts.
expect_rc 0 "sign (the whole request)" "$EBCTL" --debug sign --service s3 --region us-east-1 request.txt
leak_check "sign: stderr" "$TMP/err"
expect_out "X-Amz-Security-Token" "the signed request carries the token, as it must"

# Failures print AWS errors and responses: they must not leak either.
run "$EBCTL" --debug status --app "$app" --env no-such-env
[ "$rc" -ne 0 ] && ok "status of an unknown environment fails (exit $rc)" || not_ok "status of an unknown environment: exit 0"
leak_check "status of an unknown environment" "$TMP/out" "$TMP/err"
# A wrong secret (ours plus one character) gets SignatureDoesNotMatch, whose
# body echoes the string to sign: neither the secret nor the token may show.
expect_rc 3 "a request signed with a wrong secret" env AWS_SECRET_ACCESS_KEY="${secret}x" \
	"$EBCTL" --debug status --app "$app" --env "$env"
leak_check "a request signed with a wrong secret" "$TMP/out" "$TMP/err"

leak_check "files ebctl wrote (work, output, HOME)" "$work" "$outdir" "$HOME"
finish
