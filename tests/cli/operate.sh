# The operate commands without AWS: help, usage errors, argument checks.
. "$TESTS_DIR/lib.sh"

cd "$TMP" || exit 1
unset EBCTL_ENV EBCTL_APP AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_CONFIG_FILE=$TMP/none AWS_SHARED_CREDENTIALS_FILE=$TMP/none

for c in events logs status health setenv printenv; do
	expect_rc 0 "$c --help" "$EBCTL" "$c" --help
	expect_out "usage: ebctl $c" "$c --help prints its usage"
	expect_out "--env" "$c --help lists --env"
	expect_out "--profile" "$c --help lists --profile"
done
for c in events logs status health printenv; do
	expect_rc 2 "$c without an environment is a usage error" "$EBCTL" "$c"
	expect_err "no environment given" "$c names what is missing"
done

expect_rc 2 "events --since garbage" "$EBCTL" events --env e --since yesterday
expect_err "--since takes a duration (10m) or an ISO 8601 time, not 'yesterday'" "events --since error"
expect_rc 2 "events --since in the future" "$EBCTL" events --env e --since 2999-01-01T00:00:00Z
expect_rc 2 "events --severity unknown" "$EBCTL" events --env e --severity LOUD
expect_err "--severity must be one of" "events --severity error"
expect_rc 2 "events --format xml" "$EBCTL" events --env e --format xml
expect_rc 2 "events takes no operands" "$EBCTL" events --env e extra

expect_rc 2 "logs -f with --all" "$EBCTL" logs --env e -f --all
expect_err "does not go with --all" "logs -f --all error"
expect_rc 2 "logs -o without --all" "$EBCTL" logs --env e -o out
expect_rc 2 "logs --since without -f" "$EBCTL" logs --env e --since 10m

expect_rc 2 "setenv with nothing to set" "$EBCTL" setenv --env e
expect_err "give at least one KEY=VALUE" "setenv without arguments"
expect_rc 2 "setenv with a bad key" "$EBCTL" setenv --env e 'BAD KEY=1'
expect_err "invalid property name 'BAD KEY'" "setenv names the bad key"
expect_rc 2 "setenv twice the same key" "$EBCTL" setenv --env e A=1 A=
expect_err "property 'A' is given more than once" "setenv duplicate"
expect_rc 2 "setenv a bare word" "$EBCTL" setenv --env e 'hunter2!'
expect_not_err "hunter2" "setenv never echoes a stray value"
expect_rc 2 "setenv --healthy unknown" "$EBCTL" setenv --env e --healthy Blue A=1
expect_rc 2 "setenv --timeout garbage" "$EBCTL" setenv --env e --timeout soon A=1
expect_rc 2 "setenv without an environment" "$EBCTL" setenv A=1
expect_rc 2 "printenv with a bad key" "$EBCTL" printenv --env e 'no spaces'
finish
