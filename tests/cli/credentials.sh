# The credential chain through the binary: `ebctl sign` prints what it
# signed with, so each case shows which source won and with what.
# tests/fakes/metadata_server.py stands in for EC2 instance metadata and
# ECS container credentials on a loopback port.
. "$TESTS_DIR/lib.sh"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN \
	AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
	AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE EBCTL_ROLE_ARN EBCTL_PROFILE \
	AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI \
	AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \
	AWS_EC2_METADATA_SERVICE_ENDPOINT ACTIONS_ID_TOKEN_REQUEST_URL ACTIONS_ID_TOKEN_REQUEST_TOKEN
export HOME=$TMP/home EBCTL_RETRY_BASE_MS=1
mkdir -p "$HOME/.aws"

fake_start metadata_server.py --akid AKIAIMDSEXAMPLE --secret imds-secret-key --token imds-session-token || {
	not_ok "metadata_server.py starts"; finish; }

req=$TMP/req
printf 'GET /?a=1 HTTP/1.1\nHost:example.amazonaws.com\n' >"$req"
sign() { run "$EBCTL" sign --service service --region us-east-1 --time 20150830T123600Z "$@" "$req"; }

# What the metadata server's keys give when taken from the environment.
(export AWS_ACCESS_KEY_ID=AKIAIMDSEXAMPLE AWS_SECRET_ACCESS_KEY=imds-secret-key AWS_SESSION_TOKEN=imds-session-token
 sign --print authz; cp "$TMP/out" "$TMP/want-imds")

# ---- a profile that holds no credentials is passed over ----
# `aws configure set region` on EC2, ECS or CodeBuild writes just this.
printf '[default]\nregion = us-east-1\n' >"$HOME/.aws/config"
(export AWS_EC2_METADATA_SERVICE_ENDPOINT=$METADATA_URL
 sign
 expect_eq "$rc" 0 "a region-only default profile: the chain goes on to instance metadata"
 expect_out "Credential=AKIAIMDSEXAMPLE/20150830/us-east-1/service/aws4_request" "signed with the instance role's key"
 expect_out "X-Amz-Security-Token:imds-session-token" "and its session token"
 sign --print authz
 expect_eq "$(cat "$TMP/out")" "$(cat "$TMP/want-imds")" "the same signature as those keys from the environment")

printf '[default]\nregion = us-east-1\n\n[profile ci]\nregion = eu-west-1\noutput = json\n' >"$HOME/.aws/config"
printf '[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = other-secret\n' >"$HOME/.aws/credentials"
(export AWS_EC2_METADATA_SERVICE_ENDPOINT=$METADATA_URL
 sign --profile ci
 expect_eq "$rc" 0 "--profile naming a profile without credentials goes on too"
 expect_out "Credential=AKIAIMDSEXAMPLE/" "--profile ci: instance metadata"
 AWS_PROFILE=ci sign
 expect_out "Credential=AKIAIMDSEXAMPLE/" "AWS_PROFILE=ci: instance metadata")

(export AWS_EC2_METADATA_DISABLED=true AWS_CONTAINER_CREDENTIALS_FULL_URI=$METADATA_URL/ecs/creds \
	AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs-secret-token
 sign
 expect_eq "$rc" 0 "a region-only default profile: the chain goes on to container credentials"
 expect_out "Credential=AKIAIMDSEXAMPLE/" "signed with the container's key"
 expect_out "X-Amz-Security-Token:imds-session-token" "and its session token"
 sign --profile ci
 expect_out "Credential=AKIAIMDSEXAMPLE/" "--profile ci: container credentials")

# A profile named explicitly that does not exist is still an error.
(export AWS_EC2_METADATA_SERVICE_ENDPOINT=$METADATA_URL
 expect_rc 3 "--profile naming a missing profile" "$EBCTL" sign --profile nosuch --service s3 --region us-east-1 "$req"
 expect_err "ebctl: credentials: ProfileNotFound: profile 'nosuch' not found in ~/.aws/config or ~/.aws/credentials" "the files are named"
 rm "$HOME/.aws/credentials"
 expect_rc 3 "AWS_PROFILE naming a missing profile" env AWS_PROFILE=nosuch "$EBCTL" sign --service s3 --region us-east-1 "$req"
 expect_err "profile 'nosuch' not found in ~/.aws/config" "the config file is named"
 expect_not_out "AKIAIMDSEXAMPLE" "nothing is signed")

# Nothing in the chain: the message says what each source had.
printf '[default]\nregion = us-east-1\n' >"$HOME/.aws/config"
(export AWS_EC2_METADATA_DISABLED=true
 expect_rc 3 "no source has credentials" "$EBCTL" sign --service s3 --region us-east-1 "$req"
 expect_err "no credentials found (environment: not set; profile 'default': no aws_access_key_id, role_arn or credential_process; web identity: not set; container: not set; instance metadata: AWS_EC2_METADATA_DISABLED)" "what was tried, the profile included")
printf '[profile ci]\nregion = eu-west-1\n' >>"$HOME/.aws/config"
(export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9
 expect_rc 3 "instance metadata does not answer" "$EBCTL" sign --profile ci --service s3 --region us-east-1 "$req"
 expect_err "(profile 'ci': no aws_access_key_id, role_arn or credential_process; web identity: not set; container: not set; instance metadata: no answer)" "--profile: the environment was not tried")

# ---- session tokens longer than inih's 200-byte lines ----
rm -f "$HOME/.aws/config" "$HOME/.aws/credentials"
for n in 180 1000 5000; do
	tok=$("$PYTHON" -c 'import base64, sys; n = int(sys.argv[1]); print(base64.b64encode(bytes(range(256)) * (n // 256 + 1)).decode()[:n])' "$n")
	(export AWS_ACCESS_KEY_ID=AKIALONGEXAMPLE AWS_SECRET_ACCESS_KEY=long-secret AWS_SESSION_TOKEN=$tok
	 sign --print authz; cp "$TMP/out" "$TMP/want-long")
	printf '[default]\naws_access_key_id = AKIALONGEXAMPLE\naws_secret_access_key = long-secret\naws_session_token = %s\n' "$tok" >"$HOME/.aws/credentials"
	printf '[default]\nregion = us-east-1\n\n[profile x]\naws_access_key_id = AKIALONGEXAMPLE\naws_secret_access_key = long-secret\naws_session_token = %s\n' "$tok" >"$HOME/.aws/config"
	sign
	expect_eq "$rc" 0 "a $n-character token in ~/.aws/credentials"
	expect_out "X-Amz-Security-Token:$tok" "the $n-character token is sent whole"
	sign --print authz
	expect_eq "$(cat "$TMP/out")" "$(cat "$TMP/want-long")" "it signs as the same token from the environment does ($n)"
	sign --profile x
	expect_eq "$rc" 0 "a $n-character token in [profile x] of ~/.aws/config"
	expect_out "X-Amz-Security-Token:$tok" "the $n-character token from the config file is sent whole"
done
# parse errors still name the line, before and after a long one
printf '[default]\naws_access_key_id = AKIALONGEXAMPLE\naws_secret_access_key = long-secret\naws_session_token = %s\noops\n' "$tok" >"$HOME/.aws/credentials"
expect_rc 3 "a broken line after a long token" "$EBCTL" sign --service s3 --region us-east-1 "$req"
expect_err "cannot parse '~/.aws/credentials' at line 5" "the broken line's number"
rm "$HOME/.aws/credentials"
printf '[default]\nregion = us-east-1\n[profile x\naws_session_token = %s\n' "$tok" >"$HOME/.aws/config"
expect_rc 3 "a broken line before a long token" "$EBCTL" sign --service s3 --region us-east-1 "$req"
expect_err "cannot parse '~/.aws/config' at line 3" "the broken line's number (config)"
rm -f "$HOME/.aws/config" "$HOME/.aws/credentials"

# ---- where container credentials may come from ----
# The token goes with the request: plain http only to loopback and the
# ECS/EKS agents' addresses, whatever the URL starts with.
port=${METADATA_URL##*:}
ecs_count() { "$PYTHON" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/__count?path=/ecs").read().decode())' "$METADATA_URL"; }
(export AWS_EC2_METADATA_DISABLED=true AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs-secret-token
 before=$(ecs_count)
 for url in "http://127.attacker.invalid:$port/ecs/creds" "http://127.0.0.1@attacker.invalid:$port/ecs/creds" \
	"http://localhost.attacker.invalid:$port/ecs/creds" "http://169.254.170.2.attacker.invalid/ecs/creds" \
	"ftp://127.0.0.1:$port/ecs/creds"; do
	AWS_CONTAINER_CREDENTIALS_FULL_URI=$url run "$EBCTL" sign --service s3 --region us-east-1 "$req"
	expect_eq "$rc" 3 "refused: $url"
	expect_err "ebctl: credentials: InvalidEndpoint: container: AWS_CONTAINER_CREDENTIALS_FULL_URI: " "the variable is named ($url)"
 done
 expect_err "the scheme is 'ftp', not https or http" "a scheme other than http(s) is named"
 AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.attacker.invalid:$port/ecs/creds" run "$EBCTL" sign --service s3 --region us-east-1 "$req"
 expect_err "plain http to '127.attacker.invalid': only https, or http to a loopback address, 169.254.170.2, 169.254.170.23 or [fd00:ec2::23]" "the host is named, and what is allowed"
 expect_eq "$(ecs_count)" "$before" "no refused URL was asked"
 AWS_CONTAINER_CREDENTIALS_RELATIVE_URI="@attacker.invalid/ecs/creds" run "$EBCTL" sign --service s3 --region us-east-1 "$req"
 expect_err "InvalidEndpoint: container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: plain http to 'attacker.invalid'" "a relative URI cannot leave 169.254.170.2"
 for url in "http://127.0.0.1:$port/ecs/creds" "http://localhost:$port/ecs/creds" "http://127.1:$port/ecs/creds"; do
	AWS_CONTAINER_CREDENTIALS_FULL_URI=$url sign
	expect_eq "$rc" 0 "accepted: $url"
	expect_out "Credential=AKIAIMDSEXAMPLE/" "signed with the container's key ($url)"
 done
 expect_eq "$(ecs_count)" "$((before + 3))" "each accepted URL was asked once"
 AWS_CONTAINER_CREDENTIALS_FULL_URI="http://[::1]:9/ecs/creds" run "$EBCTL" sign --service s3 --region us-east-1 "$req"
 expect_not_err "InvalidEndpoint" "[::1] is allowed (nothing listens there: a network error)")

# ---- upper-case names, and a section twice (as the aws CLI reads them) ----
printf '[upper]\nAWS_ACCESS_KEY_ID = AKIAUPPER\nAws_Secret_Access_Key = upper-secret\n' >"$TMP/upper-creds"
AWS_SHARED_CREDENTIALS_FILE=$TMP/upper-creds AWS_CONFIG_FILE=$TMP/none sign --profile upper
expect_eq "$rc" 0 "upper-case names in a credentials file are read"
expect_out "Credential=AKIAUPPER/" "signed with those keys"
printf '[default]\naws_access_key_id = AKIAONE\naws_secret_access_key = one\n\n[default]\naws_access_key_id = AKIATWO\naws_secret_access_key = two\n' \
	>"$TMP/dup-creds"
AWS_SHARED_CREDENTIALS_FILE=$TMP/dup-creds AWS_CONFIG_FILE=$TMP/none sign
expect_eq "$rc" 3 "a section twice is an error"
expect_err "line 5: section [default] is already there above" "naming the line and the section"
expect_not_err "AKIAONE" "no key is printed"

# ---- an expired session token ----
fake_start faulty_server.py || { not_ok "faulty_server.py starts"; finish; }
faulty() { "$PYTHON" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/" + sys.argv[2]).read().decode())' "$FAULTY_URL" "$1"; }
(export AWS_ENDPOINT_URL=$FAULTY_URL AWS_ACCESS_KEY_ID=AKIDEXPIRED AWS_SECRET_ACCESS_KEY=s AWS_SESSION_TOKEN=old-token
 faulty "__script?steps=expired,ok" >/dev/null
 expect_rc 3 "static keys whose token expired" "$EBCTL" status --app a --env e --region us-east-1
 expect_err "ebctl: elasticbeanstalk DescribeEnvironments: ExpiredToken: the session token has expired (credentials from the environment (AWS_SESSION_TOKEN), which ebctl cannot refresh: get new ones)" "the message says the token expired and where the keys came from"
 expect_eq "$(faulty __count)" 1 "not sent again with the same keys"
 unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
 printf '[old]\naws_access_key_id = AKIDEXPIRED\naws_secret_access_key = s\naws_session_token = old-token\n' >"$HOME/.aws/credentials"
 faulty "__script?steps=expired,ok" >/dev/null
 expect_rc 3 "a profile's keys whose token expired" "$EBCTL" status --profile old --app a --env e --region us-east-1
 expect_err "(credentials from profile 'old', which ebctl cannot refresh: get new ones)" "the profile is named"
 rm "$HOME/.aws/credentials")

finish
