# ebctl deploy without AWS: usage errors, and input errors that stop before
# any request (the endpoint is a closed port, so a request would exit 3).
. "$TESTS_DIR/lib.sh"

export AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
	AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_MAX_ATTEMPTS=1
export AWS_CONFIG_FILE=$TMP/none AWS_SHARED_CREDENTIALS_FILE=$TMP/none
unset EBCTL_APP EBCTL_ENV AWS_PROFILE
cd "$TMP"
app=$TMP/app; mkdir -p "$app"
echo '{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.25", "essential": true, "memory": 128, "portMappings": [{"hostPort": 80, "containerPort": 80}]}]}' \
	>"$app/Dockerrun.aws.json"

expect_rc 0 "deploy --help" "$EBCTL" deploy --help
for f in --app --env --region --profile --role-arn --bucket --bucket-path --label --description --bundle \
	--version-only --no-wait --timeout --healthy --process --wait-ready --all --format; do
	expect_out "$f" "help lists $f"
done
expect_out "[EBCTL_BUCKET_PATH]" "help names the variables"

expect_rc 2 "no application" "$EBCTL" deploy -C "$app" --env web
expect_err "give --app or set EBCTL_APP" "names the flag and the variable for the app"
expect_rc 2 "no environment" "$EBCTL" deploy -C "$app" --app shop
expect_err "give --env or set EBCTL_ENV" "names the flag and the variable for the environment"
expect_rc 2 "an unknown --healthy colour" "$EBCTL" deploy -C "$app" --app shop --env web-dev --healthy Blue
expect_err "--healthy takes colours" "names --healthy"
expect_rc 2 "a bad --timeout" "$EBCTL" deploy -C "$app" --app shop --env web-dev --timeout soon
expect_rc 2 "a zero --timeout" "$EBCTL" deploy -C "$app" --app shop --env web-dev --timeout 0
expect_rc 2 "a bad --format" "$EBCTL" deploy -C "$app" --app shop --env web-dev --format yaml
expect_rc 2 "an operand" "$EBCTL" deploy -C "$app" --app shop --env web-dev extra

bad=$TMP/bad; mkdir -p "$bad"; echo '{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web"}]}' \
	>"$bad/Dockerrun.aws.json"
expect_rc 1 "an invalid Dockerrun exits 1 before any request" "$EBCTL" deploy -C "$bad" --app shop --env web-dev
expect_err "error:" "the validator's diagnostics are shown"
expect_not_err "127.0.0.1:9" "no request was attempted"
expect_rc 1 "an environment name that is too short" "$EBCTL" deploy -C "$app" --app shop --env web
expect_err "environment name 'web'" "names the environment"
expect_rc 1 "a label with a slash" "$EBCTL" deploy -C "$app" --app shop --env web-dev --label feature/x
expect_err "[label]" "names the label rule"
expect_rc 1 "a missing --bundle" "$EBCTL" deploy --bundle "$TMP/nosuch.zip" --app shop --env web-dev
expect_rc 1 "a --bundle that is not a zip" sh -c "echo x >'$TMP/x.zip' && '$EBCTL' deploy --bundle '$TMP/x.zip' --app shop --env web-dev"
expect_err "as a zip" "says it is not a zip"
truncate -s 600M "$TMP/huge.zip"
expect_rc 1 "a prebuilt zip over 512 MB" "$EBCTL" deploy --bundle "$TMP/huge.zip" --app shop --env web-dev
expect_err "[bundle-size]" "names the bundle-size rule"
rm -f "$TMP/huge.zip"
expect_rc 2 "app from EBCTL_APP, env missing" env EBCTL_APP=shop "$EBCTL" deploy -C "$app"
expect_err "no environment" "EBCTL_APP was read"

# config.yml of an eb CLI project supplies app and environment: the next
# failure is the unreachable endpoint (exit 3), not a usage error.
mkdir -p "$app/.elasticbeanstalk"
printf 'branch-defaults:\n  default:\n    environment: web-dev\nglobal:\n  application_name: shop\n' \
	>"$app/.elasticbeanstalk/config.yml"
expect_rc 3 "app and env from config.yml, then the network error" "$EBCTL" deploy -C "$app" --timeout 5s
printf 'global: [broken\n' >"$app/.elasticbeanstalk/config.yml"
expect_rc 1 "a malformed config.yml" "$EBCTL" deploy -C "$app"
expect_err "config.yml:" "names config.yml"
finish
