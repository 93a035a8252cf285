# The verdict tells the whole truth: a failed deployment is followed until the
# environment settles (rolled back, on the previous version), every ERROR event
# of the update is printed, and the JSON, the text line and the GitHub step
# summary all say what really runs.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 1" truth truth-env
expect_rc 0 "a first good deploy" "$EBCTL" deploy --app truth --env truth-env --bucket rel -C "$app" \
	--label good --wait-ready --timeout 2m

# The last event is shown. A rebuild (a second here) is followed ten times a
# second; its second DescribeEnvironments is held back past the rebuild's end
# (the proxy's "late"), so that round's state is newer than its events, which
# were read while the rebuild still ran.
fault_proxy_start "$AWS_ENDPOINT_URL" || { not_ok "fault proxy start"; finish; }
curl -sS -X POST "$FAULT_PROXY/__fault" \
	-d '{"step": "DescribeEnvironments", "fault": "late", "skip": 2, "count": 1}' >/dev/null
expect_rc 0 "a rebuild whose end is read after its events" env AWS_ENDPOINT_URL="$FAULT_PROXY" EBCTL_POLL_MS=100 \
	"$EBCTL" rebuild --app truth --env truth-env --force --timeout 1m
expect_eq "$(curl -sS "$FAULT_PROXY/__fault" | sed -n 's/.*"hits": *\([0-9]*\).*/\1/p')" 1 "the state was read late"
expect_err "INFO  rebuildEnvironment completed successfully." "the rebuild's last event is printed"
expect_eq "$(grep -c 'completed successfully' "$TMP/err")" 1 "printed once"
expect_out "truth-env: success" "then the verdict"

fail=$TMP/fail; make_app "$fail" fail-deploy
summary=$TMP/summary.md; : >"$summary"
expect_rc 4 ":fail-deploy exits 4" env GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$summary" \
	"$EBCTL" deploy --app truth --env truth-env --bucket rel -C "$fail" --label bad --timeout 2m --format json
cp "$TMP/out" "$TMP/fail.json"; cp "$TMP/err" "$TMP/fail.err"
for msg in "[Instance: i-" "Instance deployment failed. For details, see 'eb-engine.log'." \
	"Unsuccessful command execution on instance id(s)" "Failed to deploy application."; do
	expect_err "ERROR $msg" "the ERROR event '$msg' is printed"
done
expect_err "truth-env: failed: Failed to deploy application.; rolled back: running 'good' (previous), Ready" \
	"the verdict line in the log says it rolled back to the previous version"
expect_err "ebctl logs --env truth-env" "the failing instance commands point at ebctl logs"
if "$PYTHON" - "$TMP/fail.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
e = r["environments"][0]
assert r["exit_code"] == 4, r
assert e["result"] == "failed" and e["label"] == "bad", e
assert e["running_label"] == "good" and e["rolled_back"] is True, e
assert e["status"] == "Ready", e
assert e["url"].startswith("http://"), e
assert isinstance(e["causes"], list), e
assert e["seconds"] == round(e["seconds"], 1), e
PY
then ok "the JSON reports the previous label as running, rolled_back, status Ready"
else not_ok "the JSON of a failed deploy"; sed 's/^/#   /' "$TMP/fail.json"; fi
if grep -q "| truth-env | ❌ failed | Ready |" "$summary" && grep -q "| good |" "$summary" &&
	grep -q "rolled back: running 'good'" "$summary"; then ok "the step summary shows the previous version running"
else not_ok "the step summary of a failed deploy"; sed 's/^/#   /' "$summary"; fi
expect_eq "$(env_field truth-env VersionLabel)" "good" "the environment runs the previous version"

# Health outside --healthy: the wait says so, and says when it changes.
sick=$TMP/sick; make_app "$sick" unhealthy
expect_rc 5 ":unhealthy exits 5" env EBCTL_HEALTH_GRACE=3s "$EBCTL" deploy --app truth --env truth-env \
	--bucket rel -C "$sick" --label sick --wait-ready --timeout 1m
expect_err "waiting for health Green (now Red" "the wait for health is not silent"
expect_err "100.0 % of the requests" "the wait names the health causes"

# Validation fails inside GitHub Actions: annotations, and the summary is filled.
bad=$TMP/badapp; make_app "$bad" 1.0
sed -i 's/"links": \["client", "server"\]/"links": ["client", "api"]/' "$bad/Dockerrun.aws.json"
: >"$summary"
expect_rc 1 "an invalid Dockerrun exits 1" env GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$summary" \
	"$EBCTL" deploy --app truth --env truth-env --bucket rel -C "$bad" --label invalid --format json
expect_err "::error file=" "validation problems are workflow annotations"
expect_err "[link-target]" "the annotation names the rule"
if grep -q "Validation failed" "$summary" && grep -q "link-target" "$summary"; then
	ok "the step summary carries the diagnostics"
else not_ok "no diagnostics in the step summary"; sed 's/^/#   /' "$summary"; fi
if "$PYTHON" -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["exit_code"] == 1 and r["validation"]["errors"] >= 1' "$TMP/out"; then
	ok "the JSON is written for a failed validation too"
else not_ok "JSON of a failed validation"; sed 's/^/#   /' "$TMP/out"; fi

finish
