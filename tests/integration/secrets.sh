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
sandbox_role_creds ebctl-secrets >"$TMP/creds" 2>"$TMP/aws.err"
read -r akid secret token <"$TMP/creds" 2>/dev/null
if [ -n "${token:-}" ] && [ ${#secret} -ge 20 ]; then ok "temporary credentials from the sandbox's STS"
else not_ok "temporary credentials"; sed 's/^/#   /' "$TMP/aws.err"; finish; fi

# ---- an application and an environment to talk to
app=secretsapp env=secrets-env
awsx elasticbeanstalk create-application --application-name "$app" >/dev/null 2>>"$TMP/aws.err"
awsx elasticbeanstalk create-environment --application-name "$app" --environment-name "$env" \
	--solution-stack-name "64bit Amazon Linux 2023 v4.3.0 running ECS" >/dev/null 2>>"$TMP/aws.err" ||
	not_ok "create the environment: $(cat "$TMP/aws.err")"

# A log group for logs -f, created while the IAM user's keys still apply.
loggroup=/aws/elasticbeanstalk/$env/var/log/eb-engine.log
awsx logs create-log-group --log-group-name "$loggroup" 2>>"$TMP/aws.err" &&
	awsx logs create-log-stream --log-group-name "$loggroup" --log-stream-name i-0aaa 2>>"$TMP/aws.err" ||
	not_ok "create the log group: $(cat "$TMP/aws.err")"

# From here on ebctl sees only the temporary credentials. Everything it may
# write goes under $TMP: HOME, TMPDIR, the GitHub Actions job summary.
export AWS_ACCESS_KEY_ID=$akid AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token
export HOME=$TMP/home TMPDIR=$TMP/tmpdir EBCTL_RETRY_BASE_MS=10 EBCTL_POLL_MS=100
work=$TMP/work outdir=$TMP/outdir
mkdir -p "$HOME" "$TMPDIR" "$work" "$outdir"
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
sec 0 "deploy --bundle --version-only" deploy --app "$app" --bundle "$outdir/bundle.zip" --label v2 --version-only
# In GitHub Actions the deploy writes a job summary and step outputs.
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$outdir/summary.md GITHUB_OUTPUT=$outdir/github-output \
	sec 0 "deploy in GitHub Actions" deploy --app "$app" --env "$env" --label v3 --timeout 120s
[ -s "$outdir/summary.md" ] && ok "the job summary was written (and is checked below)" ||
	not_ok "no job summary in $outdir/summary.md"
sec 0 "events" events --app "$app" --env "$env"
sec 0 "status" status --app "$app" --env "$env"
sec 0 "status --format json" status --app "$app" --env "$env" --format json
sec 0 "health" health --app "$app" --env "$env"
sec 0 "setenv" setenv --app "$app" --env "$env" GREETING=hello --timeout 120s
# --debug shows request bodies, with the values of environment properties
# (setenv never prints one) and of secret-named parameters replaced.
sec 0 "setenv of a property, with --debug" setenv --app "$app" --env "$env" \
	'APP_SETTING=pr0pvalue-9f2e' --timeout 120s
expect_err "> body: Action=UpdateEnvironment" "--debug shows the request body"
expect_err "OptionSettings.member.1.Value=<redacted>" "the property's value is redacted in it"
expect_not_err "pr0pvalue-9f2e" "the value itself is nowhere in the trace"
expect_not_out "pr0pvalue-9f2e" "nor on stdout"
sec 0 "printenv" printenv --app "$app" --env "$env"
sec 0 "printenv --reveal" printenv --app "$app" --env "$env" --reveal
sec 0 "logs (tail)" logs --app "$app" --env "$env"
sec 0 "logs --all" logs --app "$app" --env "$env" --all -o "$outdir/logs-all"
sec 0 "logs --zip" logs --app "$app" --env "$env" --zip -o "$outdir/logs-zip"
# Followers run until interrupted: SIGINT after their first polls, exit 130.
follow() { # desc args...
	local desc=$1; shift
	"$EBCTL" --debug "$@" >"$TMP/out" 2>"$TMP/err" &
	local pid=$!
	for _ in $(seq 1 100); do grep -q '^ebctl: debug: <' "$TMP/err" 2>/dev/null && break; sleep 0.1; done
	sleep 0.5
	kill -INT "$pid"; wait "$pid"
	expect_eq "$?" 130 "$desc: SIGINT ends it"
	leak_check "$desc" "$TMP/out" "$TMP/err"
}
follow "events -f" events -f --app "$app" --env "$env"
follow "logs -f" logs -f --app "$app" --env "$env"
sec 0 "render --to compose" render --to compose Dockerrun.aws.json
sec 0 "render --to k8s" render --to k8s Dockerrun.aws.json
(mkdir -p "$work/init" && cd "$work/init" && "$EBCTL" --debug init) >"$TMP/out" 2>"$TMP/err"
expect_eq "$?" 0 "init"
leak_check "init" "$TMP/out" "$TMP/err"
sec 0 "sign --print authz" sign --service s3 --region us-east-1 --print authz request.txt
sec 0 "sign --print sts" sign --service s3 --region us-east-1 --print sts request.txt
# The signed request carries X-Amz-Security-Token by design: stdout may
# hold the token, never the secret key.
expect_rc 0 "sign (the whole request)" "$EBCTL" --debug sign --service s3 --region us-east-1 request.txt
leak_check "sign: stderr" "$TMP/err"
if grep -qF -e "$secret" -e "${secret:8:16}" -e "$("$PYTHON" -c 'import sys, urllib.parse as u; print(u.quote(sys.argv[1], safe=""))' "$secret")" \
	"$TMP/out"; then not_ok "sign: the secret key in stdout"
else ok "sign: no secret key in stdout"; fi
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

# Proxy credentials (http_proxy=http://user:password@host) reach the proxy as
# Proxy-Authorization: --debug must not show them either.
"$PYTHON" "$TESTS_DIR/fakes/faulty_server.py" --env-file "$TMP/proxy.env" >/dev/null 2>&1 &
proxy_pid=$!
at_exit "kill $proxy_pid 2>/dev/null"
for _ in $(seq 1 100); do [ -s "$TMP/proxy.env" ] && break; sleep 0.05; done
proxy_url=$(sed -n 's/^FAULTY_URL=//p' "$TMP/proxy.env")
proxy_b64=$(printf 'proxyuser:proxypassw0rd' | base64)
http_proxy=http://proxyuser:proxypassw0rd@${proxy_url#http://} AWS_ENDPOINT_URL=http://eb.example.test \
	run "$EBCTL" --debug status --app "$app" --env "$env"
if grep -qF -e proxypassw0rd -e "$proxy_b64" "$TMP/out" "$TMP/err"; then not_ok "--debug shows the proxy's credentials"
elif grep -q 'Proxy-Authorization: <redacted>' "$TMP/err"; then ok "--debug redacts Proxy-Authorization"
else not_ok "no Proxy-Authorization line to check"; sed 's/^/#   /' "$TMP/err" | head -20; fi

leak_check "files ebctl wrote (work, output, HOME, TMPDIR)" "$work" "$outdir" "$HOME" "$TMPDIR"
finish
