# ebctl status and health against the sandbox: text, JSON with the running
# label, the target's precedence (flags, EBCTL_*, config.yml), errors.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"

sandbox_start || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
if make_env opapp openv v1; then ok "environment created and Ready"; else not_ok "environment not created"; finish; fi

expect_rc 0 "status" "$EBCTL" status --env openv
expect_out "Environment:  openv" "status names the environment"
expect_out "Status:       Ready" "status shows Ready"
expect_out "Version:      v1" "status shows the running label"
expect_out "Application:  opapp" "status shows the application"

expect_rc 0 "status --format json" "$EBCTL" status --env openv --format json
expect_eq "$(json_get version_label <"$TMP/out")" v1 "status JSON carries the running label"
expect_eq "$(json_get status <"$TMP/out")" Ready "status JSON carries the status"
expect_eq "$(json_get environment <"$TMP/out")" openv "status JSON names the environment"
expect_eq "$(json_get application <"$TMP/out")" opapp "status JSON names the application"
expect_eq "$("$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(type(d["causes"]).__name__)' <"$TMP/out")" list \
	"status JSON has a causes array"

expect_rc 0 "health" "$EBCTL" health --env openv
expect_out "Health:" "health shows the health"
expect_rc 0 "health --format json" "$EBCTL" health --env openv --format json
if "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); assert d["environment"] == "openv" and "health" in d' <"$TMP/out"; then
	ok "health JSON parses"
else
	not_ok "health JSON: $(cat "$TMP/out")"
fi

expect_rc 1 "status of an environment that does not exist" "$EBCTL" status --env nosuch-env
expect_err "environment 'nosuch-env' not found" "status names the missing environment"

# Precedence: the flag over EBCTL_ENV over .elasticbeanstalk/config.yml.
EBCTL_ENV=openv expect_rc 0 "EBCTL_ENV chooses the environment" "$EBCTL" status
EBCTL_ENV=nosuch-env expect_rc 0 "--env overrides EBCTL_ENV" "$EBCTL" status --env openv
mkdir -p "$TMP/proj/.elasticbeanstalk"
printf 'branch-defaults:\n  default:\n    environment: openv\nglobal:\n  application_name: opapp\n' \
	>"$TMP/proj/.elasticbeanstalk/config.yml"
(cd "$TMP/proj" && "$EBCTL" status --format json >"$TMP/out" 2>"$TMP/err")
expect_eq "$(json_get environment <"$TMP/out")" openv ".elasticbeanstalk/config.yml chooses the environment"
(cd "$TMP/proj" && EBCTL_ENV=nosuch-env "$EBCTL" status >"$TMP/out" 2>"$TMP/err")
expect_eq "$?" 1 "EBCTL_ENV overrides config.yml"

# config.yml's profile: keys in the environment come first, as in the SDKs;
# when they are not there, a missing profile's error names config.yml.
printf 'branch-defaults:\n  default:\n    environment: openv\nglobal:\n  application_name: opapp\n  profile: eb-cli\n' \
	>"$TMP/proj/.elasticbeanstalk/config.yml"
(cd "$TMP/proj" && "$EBCTL" status >"$TMP/out" 2>"$TMP/err")
expect_eq "$?" 0 "AWS_ACCESS_KEY_ID in the environment beats config.yml's profile"
(cd "$TMP/proj" && env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$EBCTL" status >"$TMP/out" 2>"$TMP/err")
expect_eq "$?" 3 "without them, config.yml's profile is used"
expect_err "profile 'eb-cli' not found" "and its absence is reported"
expect_err "(the profile .elasticbeanstalk/config.yml names; --profile or AWS_PROFILE overrides it)" \
	"naming the file that asked for it"
(cd "$TMP/proj" && "$EBCTL" status --profile eb-cli >"$TMP/out" 2>"$TMP/err")
expect_eq "$?" 3 "--profile is explicit: the environment's keys are not used"
expect_not_err "config.yml names" "and the error does not blame config.yml"

"$EBCTL" status --env openv | head -1 >"$TMP/head.out"
expect_eq "${PIPESTATUS[0]}" 0 "status | head -1 exits 0"
# health exits 5 when the colour is outside --healthy (the report is printed anyway).
expect_rc 0 "health of a Green environment" "$EBCTL" health --env openv
expect_rc 2 "health --healthy with a colour that is none" "$EBCTL" health --env openv --healthy Blue
expect_rc 2 "status takes no --healthy" "$EBCTL" status --env openv --healthy Green
mkdir -p "$TMP/sick" && printf '%s\n' '{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "example/web:unhealthy", "essential": true, "memory": 128}]}' \
	>"$TMP/sick/Dockerrun.aws.json"
(cd "$TMP/sick" && zip -q -X "$TMP/sick.zip" Dockerrun.aws.json)
awsx s3 cp "$TMP/sick.zip" s3://operate-bundles/opapp/sick.zip >/dev/null &&
	awsx elasticbeanstalk create-application-version --application-name opapp --version-label sick \
		--source-bundle "S3Bucket=operate-bundles,S3Key=opapp/sick.zip" >/dev/null &&
	awsx elasticbeanstalk update-environment --environment-name openv --version-label sick >/dev/null &&
	sleep 1 && wait_ready openv && ok "the environment runs a version that turns it Red" ||
	not_ok "deploy the unhealthy version"
expect_rc 5 "health of a Red environment exits 5" "$EBCTL" health --env openv
expect_out "Red" "and still shows the report"
expect_rc 0 "--healthy Green,Yellow,Red accepts it" "$EBCTL" health --env openv --healthy Green,Yellow,Red
expect_rc 5 "health --format json exits 5 too" "$EBCTL" health --env openv --format json
expect_rc 0 "status of a Red environment exits 0" "$EBCTL" status --env openv
finish
