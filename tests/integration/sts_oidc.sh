# The OIDC paths end to end against the sandbox's STS, which takes an
# unsigned AssumeRoleWithWebIdentity as real STS does: a token file
# (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE) and GitHub Actions' token
# endpoint (EBCTL_ROLE_ARN, ACTIONS_ID_TOKEN_REQUEST_*; the endpoint is
# tests/fakes/metadata_server.py).
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"
sandbox_start || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
fake_start metadata_server.py --akid AKIAUNUSED --secret unused || { not_ok "metadata_server.py starts"; finish; }
awsx elasticbeanstalk create-application --application-name oidc-app >/dev/null
arn=$(awsx iam create-role --role-name deployer --assume-role-policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}' \
	--query Role.Arn --output text)
awsx iam put-role-policy --role-name deployer --policy-name all --policy-document \
	'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
echo "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOngifQ.c2ln" >"$TMP/token"
# no keys of the sandbox's user from here on: only the role's
nokeys() { env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN AWS_EC2_METADATA_DISABLED=true "$@"; }

expect_rc 22 "unsigned requests other than the STS ones are refused (curl -f: HTTP 403)" nokeys curl -sf -o /dev/null \
	"$AWS_ENDPOINT_URL/?Action=DescribeApplications&Version=2010-12-01"
expect_rc 0 "a web identity token file assumes the role" nokeys env AWS_ROLE_ARN="$arn" \
	AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/token" "$EBCTL" list --format json
expect_out "oidc-app" "and the role's credentials list the applications"
expect_rc 0 "GitHub Actions' OIDC token assumes the role" nokeys env EBCTL_ROLE_ARN="$arn" \
	ACTIONS_ID_TOKEN_REQUEST_URL="$METADATA_URL/oidc/token?api-version=2.0" \
	ACTIONS_ID_TOKEN_REQUEST_TOKEN=gh-request-token "$EBCTL" list --format json
expect_out "oidc-app" "through the sandbox's STS, not a fake"
expect_rc 3 "a role that does not trust web identities" nokeys env AWS_ROLE_ARN="${arn%/*}/nosuch" \
	AWS_WEB_IDENTITY_TOKEN_FILE="$TMP/token" "$EBCTL" list
finish
