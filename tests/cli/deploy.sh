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
# Labels: no control characters (the XML read back turns CR into LF), valid
# UTF-8, and 1 to 100 characters counted as AWS counts them, in code points.
expect_rc 1 "a label with a line feed" "$EBCTL" deploy -C "$app" --app shop --env web-dev --label $'v1\nv2'
expect_err "contains a control character" "names the control character"
expect_rc 1 "a label with a carriage return" "$EBCTL" deploy -C "$app" --app shop --env web-dev --label $'v1\r'
expect_rc 1 "a label that is not UTF-8" "$EBCTL" deploy -C "$app" --app shop --env web-dev --label $'v1\xff'
expect_err "is not valid UTF-8 [label]" "says the label is not UTF-8"
e60=$(printf 'é%.0s' $(seq 60)) e101=$(printf 'é%.0s' $(seq 101))
expect_rc 3 "a label of 60 two-byte characters passes to the network" "$EBCTL" deploy -C "$app" --app shop --env web-dev --label "$e60"
expect_not_err "[label]" "60 characters of é are not too long"
expect_rc 1 "a label of 101 characters" "$EBCTL" deploy -C "$app" --app shop --env web-dev --label "$e101"
expect_err "has 101 characters; it must have 1 to 100" "counts code points"
# Descriptions: at most 200 code points; control characters and bytes that
# are not UTF-8 are replaced (with a warning), never sent.
expect_rc 3 "a description of 150 two-byte characters" "$EBCTL" deploy -C "$app" --app shop --env web-dev --label v1 --description "$(printf 'é%.0s' $(seq 150))"
expect_not_err "description" "150 characters are not cut"
expect_rc 3 "a description of 250 characters" "$EBCTL" deploy -C "$app" --app shop --env web-dev --label v1 --description "$(printf 'é%.0s' $(seq 250))"
expect_err "the description has 250 characters, more than 200: cut to '$(printf 'é%.0s' $(seq 200))'" "cut at 200 code points"
expect_rc 3 "a description with CR LF and a stray byte" "$EBCTL" deploy -C "$app" --app shop --env web-dev --label v1 --description $'fix\r\nthe \xffbug'
expect_err "sent as 'fix  the "$'\xef\xbf\xbd'"bug'" "control characters and the stray byte are replaced"
# Durations: at most 30 days (the milliseconds overflowed before).
expect_rc 2 "a --timeout that overflows" "$EBCTL" deploy -C "$app" --app shop --env web-dev --timeout 213503982334601d
expect_err "--timeout takes a duration of at most 30d, not '213503982334601d'" "names the limit"
expect_rc 2 "a --timeout of 31 days" "$EBCTL" deploy -C "$app" --app shop --env web-dev --timeout 31d
expect_rc 2 "logs --timeout of 31 days" "$EBCTL" logs --env web-dev --timeout 744h
expect_rc 3 "a --timeout of 30 days is accepted" "$EBCTL" deploy -C "$app" --app shop --env web-dev --label v1 --timeout 30d
# Every value sent is valid UTF-8: other bytes stop before the request.
expect_rc 3 "an environment name that is not UTF-8" "$EBCTL" status --app shop --env $'web\xff'
expect_err "is not valid UTF-8" "a value that is not UTF-8 is refused before it is signed"
expect_not_err "127.0.0.1:9" "no request was attempted for it"
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
