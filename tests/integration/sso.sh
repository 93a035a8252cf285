# IAM Identity Center (SSO) profiles through the binary: token caches
# written as `aws sso login` writes them, tests/fakes/sso_server.py as the
# portal and SSO OIDC, the sandbox behind them. The fake hands out
# temporary credentials of a role assumed in the sandbox, so every request
# ebctl signs with them passes the sandbox's signature checks. File names
# and fields are compared with what botocore computes for the same profile.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 0.3" ssoapp sso-env

sandbox_role_creds ebctl-sso-role >"$TMP/creds" 2>"$TMP/aws.err"
read -r rakid rsecret rtoken <"$TMP/creds" 2>/dev/null
[ -n "${rtoken:-}" ] || { not_ok "role credentials from the sandbox: $(cat "$TMP/aws.err")"; finish; }
# the role a source_profile chain assumes with the SSO credentials
sandbox_role_creds ebctl-sso-target >/dev/null 2>>"$TMP/aws.err" || { not_ok "the target role"; finish; }

fake_start sso_server.py --akid "$rakid" --secret "$rsecret" --token "$rtoken" \
	--access-token session-access-token-valid --access-token legacy-access-token-valid \
	--refresh-token good-refresh-token || { not_ok "sso_server.py starts"; finish; }
ok "the fake portal starts"

# From here on ebctl has only the profiles: no keys in the environment.
# The aws CLI checks on the sandbox keep the sandbox's key.
skey=$AWS_ACCESS_KEY_ID ssecret=$AWS_SECRET_ACCESS_KEY
eb_aws() { env AWS_ACCESS_KEY_ID="$skey" AWS_SECRET_ACCESS_KEY="$ssecret" AWS_CONFIG_FILE=/dev/null \
	aws --endpoint-url "$SANDBOX_URL" --region us-east-1 --output text "$@"; }
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
export HOME=$TMP/home AWS_CONFIG_FILE=$TMP/home/.aws/config AWS_SHARED_CREDENTIALS_FILE=$TMP/home/.aws/credentials
export AWS_ENDPOINT_URL_SSO=$SSO_URL AWS_ENDPOINT_URL_SSO_OIDC=$SSO_URL AWS_EC2_METADATA_DISABLED=true
export EBCTL_RETRY_BASE_MS=1 EBCTL_POLL_MS=100
mkdir -p "$HOME/.aws/sso/cache"
cat >"$AWS_CONFIG_FILE" <<'INI'
[profile dev]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Deployer
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = LegacyRole
region = us-east-1

[profile stale]
sso_session = stale
sso_account_id = 123456789012
sso_role_name = Deployer
region = us-east-1

[sso-session stale]
sso_start_url = https://stale.awsapps.com/start
sso_region = eu-west-1

[profile assumed]
role_arn = arn:aws:iam::123456789012:role/ebctl-sso-target
source_profile = dev
region = us-east-1
INI

# bc PY ARGS...: botocore's own answers (cache keys, its refreshed token).
bc() { "$PYTHON" -c "$@"; }
token_key() { # START_URL [SESSION]: botocore's SSOTokenLoader file name
	bc 'import sys; from botocore.utils import SSOTokenLoader
print(SSOTokenLoader()._generate_cache_key(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))' "$@"
}
role_key() { # START_URL REGION ROLE ACCOUNT [SESSION]: SSOCredentialFetcher's cache key
	bc 'import sys; from botocore.credentials import SSOCredentialFetcher
a = sys.argv[1:]
print(SSOCredentialFetcher(a[0], a[1], a[2], a[3], None, sso_session_name=a[4] if len(a) > 4 else None)._cache_key)' "$@"
}
# write_token FILE START-URL REGION EXPIRES-IN-SECONDS ACCESS-TOKEN [REFRESH-TOKEN]:
# a token cache file with the fields `aws sso login` writes (with a refresh
# token, a session's client registration too).
write_token() {
	bc 'import json, sys, time
path, start, region, secs, access = sys.argv[1:6]
fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
tok = {"startUrl": start, "region": region, "accessToken": access, "expiresAt": fmt(time.time() + int(secs))}
if len(sys.argv) > 6:
    tok.update(refreshToken=sys.argv[6], clientId="ebctl-test-client-id",
               clientSecret="ebctl-test-client-secret-value", registrationExpiresAt=fmt(time.time() + 86400 * 90))
json.dump(tok, open(path, "w"))' "$@"
}
count() { "$PYTHON" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/__count?path=" + sys.argv[2]).read().decode())' "$SSO_URL" "$1"; }
mode() { stat -c %a "$1"; }
status() { run "$EBCTL" status --app ssoapp --env sso-env "$@"; }

corp=$HOME/.aws/sso/cache/$(token_key https://corp.awsapps.com/start corp).json
legacy=$HOME/.aws/sso/cache/$(token_key https://legacy.awsapps.com/start).json
stale=$HOME/.aws/sso/cache/$(token_key https://stale.awsapps.com/start stale).json
corp_role=$HOME/.aws/cli/cache/$(role_key https://corp.awsapps.com/start eu-west-1 Deployer 123456789012 corp).json
legacy_role=$HOME/.aws/cli/cache/$(role_key https://legacy.awsapps.com/start us-east-1 LegacyRole 123456789012).json
expect_eq "$(basename "$corp")" "$(printf corp | sha1sum | cut -c1-40).json" "the session's token file is the SHA-1 of its name"

# ---- a valid session profile deploys with the role credentials it gets ----
write_token "$corp" https://corp.awsapps.com/start eu-west-1 3600 session-access-token-valid good-refresh-token
expect_rc 0 "deploy with --profile dev (sso-session)" "$EBCTL" deploy --profile dev --app ssoapp --env sso-env \
	--bucket rel -C "$app" --label sso-v1 --wait-ready --timeout 2m
expect_out "sso-env: success" "deployed"
expect_eq "$(env_field sso-env VersionLabel)" "sso-v1" "the environment runs the version"
expect_eq "$(count /federation/credentials)" 1 "one GetRoleCredentials"
expect_eq "$(count /token)" 0 "a valid token is not refreshed"
expect_eq "$("$PYTHON" -c 'import sys, json, urllib.request; print(json.loads(urllib.request.urlopen(sys.argv[1] + "/__last").read()))' "$SSO_URL")" \
	"account_id=123456789012&role_name=Deployer" "the account and role of the profile are asked for"
[ -f "$corp_role" ] && ok "the role credentials are cached under botocore's key" ||
	{ not_ok "no $corp_role"; ls -la "$HOME/.aws/cli/cache" | sed 's/^/#   /'; }
expect_eq "$(mode "$corp_role")" 600 "the role cache file is 0600"
expect_eq "$(mode "$HOME/.aws/cli/cache")" 700 "its directory is private"
# botocore reads our file as its own: with no client to call, only a cache hit works
bc 'import sys
from botocore.credentials import SSOCredentialFetcher
from botocore.utils import JSONFileCache
f = SSOCredentialFetcher("https://corp.awsapps.com/start", "eu-west-1", "Deployer", "123456789012", None,
                         cache=JSONFileCache(sys.argv[1]), sso_session_name="corp")
c = f.fetch_credentials()
assert (c["access_key"], c["secret_key"], c["token"]) == tuple(sys.argv[2:5]), c
assert c["account_id"] == "123456789012"' "$HOME/.aws/cli/cache" "$rakid" "$rsecret" "$rtoken" 2>"$TMP/bc.err" &&
	ok "botocore takes our cached role credentials" || { not_ok "botocore and our role cache"; sed 's/^/#   /' "$TMP/bc.err"; }
status --profile dev
expect_eq "$rc" 0 "status with the cached role credentials"
expect_eq "$(count /federation/credentials)" 1 "the cache spares a second GetRoleCredentials"
AWS_PROFILE=dev status
expect_eq "$rc" 0 "AWS_PROFILE=dev works as --profile dev"

# ---- --debug shows neither the token nor the keys ----
rm -rf "$HOME/.aws/cli/cache"
run "$EBCTL" --debug status --profile dev --app ssoapp --env sso-env
expect_eq "$rc" 0 "status --debug"
expect_err "GET /federation/credentials?account_id=123456789012&role_name=Deployer" "--debug shows the portal call"
expect_err "x-amz-sso_bearer_token: <redacted>" "the bearer token header is redacted"
for s in session-access-token-valid good-refresh-token ebctl-test-client-secret-value "$rsecret" "$rtoken" "${rtoken:0:24}"; do
	expect_not_err "$s" "--debug does not show '${s:0:12}...'"
	expect_not_out "$s" "nor does stdout ('${s:0:12}...')"
done

# ---- the legacy form: sso_start_url and sso_region in the profile ----
expect_eq "$(basename "$legacy")" "$(printf https://legacy.awsapps.com/start | sha1sum | cut -c1-40).json" \
	"the legacy token file is the SHA-1 of the start URL"
write_token "$legacy" https://legacy.awsapps.com/start us-east-1 3600 legacy-access-token-valid
expect_rc 0 "deploy with --profile legacy" "$EBCTL" deploy --profile legacy --app ssoapp --env sso-env \
	--bucket rel -C "$app" --label sso-v2 --timeout 2m
expect_eq "$(env_field sso-env VersionLabel)" "sso-v2" "the legacy profile deployed"
[ -f "$legacy_role" ] && ok "the legacy role credentials are cached under botocore's key (startUrl)" ||
	not_ok "no $legacy_role"

# ---- an expired token with a valid refresh token is refreshed ----
rm -rf "$HOME/.aws/cli/cache"
write_token "$corp" https://corp.awsapps.com/start eu-west-1 -60 session-access-token-expired good-refresh-token
chmod 644 "$corp"
cp "$corp" "$TMP/corp-expired.json"
run "$EBCTL" --debug status --profile dev --app ssoapp --env sso-env
expect_eq "$rc" 0 "status with an expired token and a valid refresh token"
expect_eq "$(count /token)" 1 "one CreateToken"
# CreateToken's JSON body carries the client secret and the refresh token
expect_err '"clientSecret":"<redacted>"' "--debug shows CreateToken's body, the client secret redacted"
expect_err '"refreshToken":"<redacted>"' "and the refresh token"
expect_err '"grantType":"refresh_token"' "the rest of the body is shown"
for s in good-refresh-token ebctl-test-client-secret-value refreshed-access-token-1 rotated-refresh-token-1; do
	expect_not_err "$s" "the refresh's --debug does not show '${s:0:12}...'"
done
expect_eq "$(mode "$corp")" 600 "the rewritten token file is 0600"
bc 'import json, sys, time, dateutil.parser
t = json.load(open(sys.argv[1]))
assert t["accessToken"] == "refreshed-access-token-1", t["accessToken"]
assert t["refreshToken"] == "rotated-refresh-token-1", t["refreshToken"]
assert t["startUrl"] == "https://corp.awsapps.com/start" and t["region"] == "eu-west-1"
left = dateutil.parser.parse(t["expiresAt"]).timestamp() - time.time()
assert 28000 < left <= 28800, left' "$corp" 2>"$TMP/bc.err" &&
	ok "the new access token, the rotated refresh token and their expiry are written back" ||
	{ not_ok "the refreshed token file"; sed 's/^/#   /' "$TMP/bc.err" "$corp"; }
# botocore refreshes the same expired file against the same fake: the same fields
mkdir -p "$TMP/bchome/.aws/sso/cache"
cp "$TMP/corp-expired.json" "$TMP/bchome/.aws/sso/cache/$(basename "$corp")"
sed -i 's/good-refresh-token/rotated-refresh-token-1/' "$TMP/bchome/.aws/sso/cache/$(basename "$corp")"
HOME=$TMP/bchome bc 'import botocore.session, sys
s = botocore.session.Session(profile="dev")
s.get_component("token_provider").load_token().get_frozen_token()' 2>"$TMP/bc.err"
bc 'import json, sys
ours, theirs = (json.load(open(p)) for p in sys.argv[1:3])
assert sorted(ours) == sorted(theirs), (sorted(ours), sorted(theirs))
for k in ("startUrl", "region", "clientId", "clientSecret", "registrationExpiresAt"):
    assert ours[k] == theirs[k], k' "$corp" "$TMP/bchome/.aws/sso/cache/$(basename "$corp")" 2>>"$TMP/bc.err" &&
	ok "our rewritten token file has the fields botocore writes" ||
	{ not_ok "our token file and botocore's"; sed 's/^/#   /' "$TMP/bc.err"; }
expect_eq "$(count /token)" 2 "botocore refreshed through the same fake"

# ---- nothing valid left: say what to run, exit 3 ----
write_token "$stale" https://stale.awsapps.com/start eu-west-1 -60 stale-access-token
before=$(count /federation/credentials)
expect_rc 3 "an expired token without a refresh token" "$EBCTL" status --profile stale --app ssoapp --env sso-env
expect_err "aws sso login --profile stale" "the fix is named"
expect_not_err "stale-access-token" "the token is not shown"
write_token "$stale" https://stale.awsapps.com/start eu-west-1 -60 stale-access-token bad-refresh-token
expect_rc 3 "an expired token whose refresh is refused" "$EBCTL" status --profile stale --app ssoapp --env sso-env
expect_err "aws sso login --profile stale" "the fix is named (refused refresh)"
expect_not_err "bad-refresh-token" "the refresh token is not shown"
write_token "$legacy" https://legacy.awsapps.com/start us-east-1 -60 legacy-access-token-valid
rm -rf "$HOME/.aws/cli/cache"
expect_rc 3 "an expired legacy token" "$EBCTL" status --profile legacy --app ssoapp --env sso-env
expect_err "ebctl: credentials: SSOLoginRequired: profile 'legacy': the IAM Identity Center token expired at" "the legacy profile's message"
expect_err "aws sso login --profile legacy" "the fix for the legacy profile"
expect_eq "$(count /federation/credentials)" "$before" "an expired token is not sent to the portal"
write_token "$legacy" https://legacy.awsapps.com/start us-east-1 3600 revoked-access-token
expect_rc 3 "a token the portal refuses" "$EBCTL" status --profile legacy --app ssoapp --env sso-env
expect_err "aws sso login --profile legacy" "the fix when the portal refuses the token"
rm -f "$legacy"
expect_rc 3 "no token at all" "$EBCTL" status --profile legacy --app ssoapp --env sso-env
expect_err "no IAM Identity Center token for start URL 'https://legacy.awsapps.com/start'" "says there is no token"
expect_err "aws sso login --profile legacy" "the fix when never signed in"

# ---- a role assumed from an SSO source profile ----
rm -rf "$HOME/.aws/cli/cache"
before=$(count /federation/credentials)
run "$EBCTL" --debug status --profile assumed --app ssoapp --env sso-env
expect_eq "$rc" 0 "status with a role assumed from the SSO profile"
expect_eq "$(count /federation/credentials)" "$((before + 1))" "the source's credentials came from the portal"
expect_err "credentials from role 'arn:aws:iam::123456789012:role/ebctl-sso-target' (profile 'assumed')" "signed with the assumed role"
expect_not_err "$rsecret" "--debug does not show the source's secret"

# ---- configuration errors ----
printf '[profile half]\nsso_session = nosuch\nsso_account_id = 1\nsso_role_name = r\n' >>"$AWS_CONFIG_FILE"
expect_rc 3 "a missing sso-session section" "$EBCTL" status --profile half --app ssoapp --env sso-env
expect_err "sso_session 'nosuch' has no [sso-session nosuch]" "the section is named"
printf '[profile partial]\nsso_start_url = https://x.awsapps.com/start\nsso_account_id = 1\n' >>"$AWS_CONFIG_FILE"
expect_rc 3 "a legacy profile missing settings" "$EBCTL" status --profile partial --app ssoapp --env sso-env
expect_err "profile 'partial' uses IAM Identity Center but has no sso_region, sso_role_name" "the missing settings are named"

finish
