# Throttling, 500s and dropped connections on every service: the deploy
# retries its way through and still reaches the right verdict.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
# The aws CLI sets up through the same faults as ebctl: both get retries.
export AWS_MAX_ATTEMPTS=10 AWS_RETRY_MODE=standard
deploy_setup "--deploy-seconds 0.5 --faults throttle=0.3,error500=0.1,reset=0.05,seed=11" flaky flaky-env

expect_rc 0 "deploy through faults succeeds" "$EBCTL" deploy --app flaky --env flaky-env --bucket rel -C "$app" \
	--label f1 --wait-ready --timeout 3m
expect_out "flaky-env: success" "the verdict is success"
expect_eq "$(env_field flaky-env VersionLabel)" "f1" "the environment runs the new label"
fail=$TMP/fail; make_app "$fail" fail-deploy
expect_rc 4 "a failed deploy through faults still exits 4" "$EBCTL" deploy --app flaky --env flaky-env \
	--bucket rel -C "$fail" --label f2 --wait-ready --timeout 3m
finish
