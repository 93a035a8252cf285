# Release management against the sandbox: rollback, deploy --version, versions
# and prune, the version quota, abort and --abort-on-timeout.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 1 --max-versions 7" rel relenv
export EBCTL_POLL_MS=200
calls() { curl -sf "$SANDBOX_URL/_sandbox/calls" | "$PYTHON" -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if c[2] in ("PutObject", "UploadPart", "CreateMultipartUpload")))'; }
bump() { echo "# $1" >>"$app/.ebextensions/01-health.config"; }

expect_rc 0 "deploy v1" "$EBCTL" deploy --app rel --env relenv --bucket rel -C "$app" --label v1 --wait-ready --timeout 1m
bump v2
expect_rc 0 "deploy v2" "$EBCTL" deploy --app rel --env relenv --bucket rel -C "$app" --label v2 --timeout 1m
expect_rc 0 "rollback" "$EBCTL" rollback --app rel --env relenv --timeout 1m
expect_err "rolling back 'relenv' from 'v2' to 'v1': the version it ran before" "says which version and why"
expect_out "relenv: success: running 'v1'" "and follows it to the verdict"
expect_eq "$(env_field relenv VersionLabel)" "v1" "the environment runs v1 again"

before=$(calls)
expect_rc 0 "deploy --version v2" "$EBCTL" deploy --app rel --env relenv --version v2 --timeout 1m
expect_eq "$(calls)" "$before" "deploy --version uploads nothing"
expect_eq "$(env_field relenv VersionLabel)" "v2" "the existing version runs"
expect_rc 1 "deploy --version of a version that does not exist" "$EBCTL" deploy --app rel --env relenv \
	--version nosuch
expect_err "version 'nosuch' of application 'rel' not found" "says so"
expect_rc 2 "--version with --bundle" "$EBCTL" deploy --app rel --env relenv --version v2 --bundle x.zip

for v in v3 v4 v5 v6; do
	bump "$v"
	expect_rc 0 "create version $v" "$EBCTL" deploy --app rel --bucket rel -C "$app" --label "$v" --version-only
done
expect_eq "$(count_versions rel)" "6" "six versions"
expect_rc 0 "versions" "$EBCTL" versions --app rel
expect_out "v2 " "versions lists v2"
if grep "^v2 " "$TMP/out" | grep -q relenv; then ok "and the environment that runs it"; else not_ok "v2 runs in relenv"; fi
expect_rc 0 "versions --format json" "$EBCTL" versions --app rel --format json
expect_eq "$("$PYTHON" -c 'import json,sys; print(",".join(v["label"] for v in json.load(sys.stdin)))' <"$TMP/out")" \
	"v6,v5,v4,v3,v2,v1" "newest first"
if "$PYTHON" -c 'import json,sys; a=json.load(sys.stdin); assert all(v["size"] > 0 and not v["bundle_missing"] and v["environments"] == (["relenv"] if v["label"] == "v2" else []) for v in a), a' <"$TMP/out"; then
	ok "each with its bundle's size and the environments running it"; else not_ok "versions JSON"; sed 's/^/#   /' "$TMP/out"; fi
expect_rc 0 "prune --keep 2 --dry-run" "$EBCTL" versions prune --app rel --keep 2 --dry-run
expect_err "would delete version 'v3'" "a dry run says what would go"
expect_eq "$(count_versions rel)" "6" "and deletes nothing"
expect_rc 0 "prune --keep 2" "$EBCTL" versions prune --app rel --keep 2 --delete-bundles
expect_eq "$(eb_aws elasticbeanstalk describe-application-versions --application-name rel \
	--query 'sort(ApplicationVersions[].VersionLabel)' --output text | tr '\t' ' ')" "v1 v2 v5 v6" \
	"the newest two, the running one and its rollback target stay"
expect_err "kept version 'v2': an environment runs it" "says why v2 stays"

# The quota (7 here): a deploy that hits it says how to prune; --prune-keep avoids it.
for v in v7 v8 v9; do bump "$v"; "$EBCTL" deploy --app rel --bucket rel -C "$app" --label "$v" --version-only >/dev/null 2>&1; done
bump v10
expect_rc 3 "a deploy past the quota" "$EBCTL" deploy --app rel --env relenv --bucket rel -C "$app" --label v10 --timeout 1m
expect_err "TooManyApplicationVersionsException" "the service's error"
expect_err "ebctl versions prune --app rel --keep 20" "names versions prune"
expect_rc 0 "versions prune makes room" "$EBCTL" versions prune --app rel --keep 3
for v in v10 v11 v12 v13 v14 v15; do
	bump "$v"
	expect_rc 0 "deploy $v --prune-keep 3" "$EBCTL" deploy --app rel --env relenv --bucket rel -C "$app" \
		--label "$v" --prune-keep 3 --timeout 1m
done
if [ "$(count_versions rel)" -le 5 ]; then ok "--prune-keep keeps the count bounded"; else not_ok "$(count_versions rel) versions"; fi

# abort: a slow deploy aborted from another command returns to the previous version.
slow=$TMP/slow; make_app "$slow" slow
"$EBCTL" deploy --app rel --env relenv --bucket rel -C "$slow" --label slow1 --timeout 2m >"$TMP/d.out" 2>"$TMP/d.err" &
pid=$!
for i in $(seq 1 300); do grep -q "updating to 'slow1'" "$TMP/d.err" && break; sleep 0.1; done
expect_rc 0 "abort" "$EBCTL" abort --app rel --env relenv --timeout 1m
expect_out "relenv: success: Ready, running 'v15'" "abort waits until Ready on the previous version"
wait "$pid"
expect_eq "$?" 4 "the deploy it interrupted exits 4"
grep -q "rolled back: running 'v15' (previous)" "$TMP/d.out" && ok "and reports the previous version running" ||
	{ not_ok "the aborted deploy's report"; sed 's/^/#   /' "$TMP/d.out"; }
expect_rc 1 "abort with nothing to abort" "$EBCTL" abort --app rel --env relenv
expect_err "with no update to abort" "says so"

expect_rc 6 "--abort-on-timeout" "$EBCTL" deploy --app rel --env relenv --bucket rel -C "$slow" --label slow1 \
	--timeout 2s --abort-on-timeout
expect_out "aborted: it returns to 'v15'" "says what was aborted"
wait_status relenv Ready
"$EBCTL" deploy --app rel --env relenv --bucket rel -C "$slow" --label slow1 --timeout 2m --abort-on-interrupt \
	>"$TMP/i.out" 2>"$TMP/i.err" &
pid=$!
for i in $(seq 1 300); do grep -q "updating to 'slow1'" "$TMP/i.err" && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
expect_eq "$?" 130 "--abort-on-interrupt still exits 130"
grep -q "aborted: it returns to 'v15'" "$TMP/i.out" && ok "and says it aborted the update" ||
	{ not_ok "--abort-on-interrupt's report"; sed 's/^/#   /' "$TMP/i.out" "$TMP/i.err"; }
wait_status relenv Ready
expect_eq "$(env_field relenv VersionLabel)" "v15" "the environment is back on the previous version"
finish
