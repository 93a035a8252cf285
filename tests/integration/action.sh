# The GitHub Action's script against the sandbox: INPUT_* variables in, a
# real deployment to two environments, the outputs in $GITHUB_OUTPUT.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
ROOT=$PWD

sandbox_start --deploy-seconds 0.5 || { not_ok "sandbox starts"; finish; }
create_envs shop shop-blue shop-green || { not_ok "create the application and environments"; finish; }
eb_aws s3api create-bucket --bucket rel >/dev/null || { not_ok "create the bucket"; finish; }
expect_rc 0 "ebctl init writes the app" "$EBCTL" init -C "$TMP/app"

# output NAME: the value of an output in $GITHUB_OUTPUT.
output() { "$PYTHON" "$TESTS_DIR/github-output.py" "$GITHUB_OUTPUT" "$1"; }
export EBCTL GITHUB_OUTPUT=$TMP/gh-output GITHUB_STEP_SUMMARY=$TMP/gh-summary GITHUB_ACTIONS=true
: >"$GITHUB_OUTPUT"

expect_rc 0 "the action deploys to two environments" env \
	INPUT_APPLICATION_NAME=shop INPUT_ENVIRONMENT_NAME=$'shop-blue\nshop-green' \
	INPUT_AWS_REGION="$AWS_REGION" INPUT_VERSION_LABEL=v1 INPUT_BUCKET=rel INPUT_BUCKET_PATH=ci \
	INPUT_ROLE_ARN= INPUT_WAIT=true INPUT_TIMEOUT=2m INPUT_HEALTHY=Green \
	INPUT_WORKING_DIRECTORY="$TMP/app" "$ROOT/scripts/action.sh"
for e in shop-blue shop-green; do
	expect_eq "$(env_field "$e" VersionLabel)" "v1" "$e runs the new label"
done
expect_eq "$(output version-label)" "v1" "version-label output"
expect_eq "$(output environment-status)" "Ready,Ready" "environment-status output, one per environment"
expect_eq "$(output environment-health)" "Green,Green" "environment-health output"
urls=$(output environment-url)
cname=$(env_field shop-blue CNAME)
case "$urls" in *"$cname"*,*) ok "environment-url starts with shop-blue's address" ;;
*) not_ok "environment-url '$urls' does not start with shop-blue's CNAME '$cname'" ;; esac
keys=$(eb_aws s3api list-objects-v2 --bucket rel --query 'Contents[].Key')
case "$keys" in ci/shop/*.zip) ok "the bundle is stored under bucket-path/app/" ;;
*) not_ok "the bucket holds '$keys', not one ci/shop/SHA256.zip" ;; esac
[ -s "$GITHUB_STEP_SUMMARY" ] && ok "a step summary is written" || not_ok "no step summary"

# A failed deployment: the step fails with 4, and the outputs are still set.
sed -i 's/multi-nginx:1.0/multi-nginx:fail-deploy/' "$TMP/app/Dockerrun.aws.json"
: >"$GITHUB_OUTPUT"
expect_rc 4 "a failed deployment fails the step with exit 4" env \
	INPUT_APPLICATION_NAME=shop INPUT_ENVIRONMENT_NAME=shop-blue INPUT_AWS_REGION="$AWS_REGION" \
	INPUT_VERSION_LABEL=v2 INPUT_BUCKET=rel INPUT_TIMEOUT=2m INPUT_WORKING_DIRECTORY="$TMP/app" \
	"$ROOT/scripts/action.sh"
expect_eq "$(output version-label)" "v2" "version-label is set after a failure"
[ "$(output environment-status)" != "<unset>" ] && ok "environment-status is set after a failure" ||
	not_ok "environment-status missing after a failure"

# No environment: upload and create the version only.
sed -i 's/multi-nginx:fail-deploy/multi-nginx:1.1/' "$TMP/app/Dockerrun.aws.json"
: >"$GITHUB_OUTPUT"
expect_rc 0 "no environment-name creates the version only" env \
	INPUT_APPLICATION_NAME=shop INPUT_AWS_REGION="$AWS_REGION" INPUT_VERSION_LABEL=v3 INPUT_BUCKET=rel \
	INPUT_WORKING_DIRECTORY="$TMP/app" "$ROOT/scripts/action.sh"
expect_eq "$(eb_aws elasticbeanstalk describe-application-versions --application-name shop \
	--version-labels v3 --query 'length(ApplicationVersions)')" "1" "version v3 exists"
expect_eq "$(env_field shop-blue VersionLabel)" "v1" "no environment was updated"
expect_eq "$(output version-label)" "v3" "version-label output without environments"

# create-environment: true makes what is missing, with the creation inputs.
: >"$GITHUB_OUTPUT"
expect_rc 0 "create-environment creates the application and the environment" env \
	INPUT_APPLICATION_NAME=preview INPUT_ENVIRONMENT_NAME=preview-pr42 INPUT_AWS_REGION="$AWS_REGION" \
	INPUT_VERSION_LABEL=pr42 INPUT_BUCKET=rel INPUT_CREATE_ENVIRONMENT=true INPUT_PLATFORM=ecs \
	INPUT_CNAME_PREFIX=preview-pr42 INPUT_TAGS="pr=42, team=web" INPUT_TIMEOUT=2m \
	INPUT_OPTION_SETTINGS='[{"Namespace": "aws:elasticbeanstalk:application:environment", "OptionName": "PR", "Value": "42"}]' \
	INPUT_WORKING_DIRECTORY="$TMP/app" "$ROOT/scripts/action.sh"
expect_eq "$(env_field preview-pr42 VersionLabel)" "pr42" "the new environment runs the version"
expect_eq "$(env_field preview-pr42 CNAME)" "preview-pr42.us-east-1.elasticbeanstalk.com" "with the CNAME prefix"
expect_eq "$(output environment-status)" "Ready" "its status is an output"
expect_rc 0 "its tags" "$EBCTL" tags --app preview --env preview-pr42
expect_out "pr=42" "the tags input is applied"
expect_out "team=web" "every tag"
expect_rc 0 "a second run deploys to it" env \
	INPUT_APPLICATION_NAME=preview INPUT_ENVIRONMENT_NAME=preview-pr42 INPUT_AWS_REGION="$AWS_REGION" \
	INPUT_VERSION_LABEL=pr42 INPUT_BUCKET=rel INPUT_CREATE_ENVIRONMENT=true INPUT_TIMEOUT=2m \
	INPUT_WORKING_DIRECTORY="$TMP/app" "$ROOT/scripts/action.sh"
expect_rc 2 "a bad create-environment" env INPUT_APPLICATION_NAME=preview INPUT_CREATE_ENVIRONMENT=yes \
	"$ROOT/scripts/action.sh"
finish
