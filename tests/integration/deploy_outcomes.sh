# Each scripted ending gives its exit code: failed 4, unhealthy 5, timed out 6.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 1" out out-env
good=$app
expect_rc 0 "a first good deploy" "$EBCTL" deploy --app out --env out-env --bucket rel -C "$good" --label good \
	--wait-ready --timeout 2m

fail=$TMP/fail; make_app "$fail" fail-deploy
expect_rc 4 ":fail-deploy exits 4" "$EBCTL" deploy --app out --env out-env --bucket rel -C "$fail" \
	--label bad --timeout 2m
expect_out "out-env: failed: " "the summary says it failed"
expect_err "ERROR" "the ERROR event is printed"
wait_status out-env Ready
expect_eq "$(env_field out-env VersionLabel)" "good" "the environment went back to the previous version"

unhealthy=$TMP/unhealthy; make_app "$unhealthy" unhealthy
expect_rc 5 ":unhealthy exits 5" "$EBCTL" deploy --app out --env out-env --bucket rel -C "$unhealthy" \
	--label sick --wait-ready --timeout 8s
expect_out "out-env: unhealthy: running 'sick', but health is Red" "the summary says deployed but Red"

slow=$TMP/slow; make_app "$slow" slow
expect_rc 6 ":slow with a short --timeout exits 6" "$EBCTL" deploy --app out --env out-env --bucket rel \
	-C "$slow" --label slow --wait-ready --timeout 2s
expect_out "out-env: timeout: timed out" "the summary says it timed out"
expect_out "may still be running" "and that the update may still be running"

expect_rc 2 "an unknown --healthy colour" "$EBCTL" deploy --app out --env out-env --bucket rel -C "$good" \
	--healthy Blue
expect_rc 6 "--wait-ready bounded by --timeout" "$EBCTL" deploy --app out --env out-env --bucket rel \
	-C "$good" --label good2 --wait-ready --timeout 1s

# SIGINT during the wait: exit 130, saying what was left running.
"$EBCTL" deploy --app out --env out-env --bucket rel -C "$slow" --label slow-int --wait-ready --timeout 2m \
	>"$TMP/int.out" 2>"$TMP/int.err" &
pid=$!
for i in $(seq 1 600); do grep -q "updating to 'slow-int'" "$TMP/int.err" && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
expect_eq "$?" "130" "SIGINT exits 130"
grep -q "'out-env' is still updating to 'slow-int'" "$TMP/int.err" && ok "SIGINT says what is still running" ||
	{ not_ok "SIGINT says what is still running"; sed 's/^/#   /' "$TMP/int.err"; }
grep -q "out-env: interrupted" "$TMP/int.out" && ok "SIGINT still prints the summary" ||
	not_ok "SIGINT still prints the summary"
finish
