# ebctl deploy to one environment: success, the JSON result, an idempotent
# redeploy, an invalid Dockerrun that uploads nothing, --version-only,
# a label that clashes, and the storage location bucket.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 0.5" shop shop-prod

expect_rc 0 "deploy succeeds" "$EBCTL" deploy --app shop --env shop-prod --bucket rel -C "$app" \
	--label v1 --wait-ready --timeout 2m
expect_out "shop-prod: success" "one summary line for the environment"
expect_err "updating to 'v1'" "says what it updates"
expect_err "INFO" "prints the events of the update"
expect_eq "$(env_field shop-prod VersionLabel)" "v1" "the environment runs the new label"
sum=$(cd "$app" && "$EBCTL" bundle -o "$TMP/check.zip" | cut -f3)
expect_eq "$(eb_aws s3api list-objects-v2 --bucket rel --query 'Contents[0].Key')" "shop/$sum.zip" \
	"the S3 key is content-addressed"
objects=$(count_objects rel)

# The same content again: no upload, no new version.
expect_rc 0 "redeploy of the same content" "$EBCTL" deploy --app shop --env shop-prod --bucket rel \
	-C "$app" --label v1 --timeout 2m --format json
expect_err "already exists with this bundle: no upload, no new version" "redeploy says nothing is uploaded"
expect_not_err "uploading" "redeploy uploads nothing"
expect_eq "$(count_objects rel)" "$objects" "no new object"
expect_eq "$(count_versions shop)" "1" "no new version"
"$PYTHON" - "$TMP/out" <<'P' && ok "--format json result" || not_ok "--format json result"
import json, sys
r = json.load(open(sys.argv[1]))
e = r["environments"][0]
assert r["label"] == "v1" and r["uploaded"] is False, r
assert e["environment"] == "shop-prod" and e["label"] == "v1" and e["status"] == "Ready", e
assert e["health"] == "Green" and e["result"] == "success" and isinstance(e["seconds"], float), e
assert "url" in e
P

# Another label, same content: the object is found by HEAD and not uploaded again.
expect_rc 0 "a new label with the same bundle" "$EBCTL" deploy --app shop --env shop-prod --bucket rel \
	-C "$app" --label v1-again --timeout 2m
expect_err "already holds this bundle" "the object is reused"
expect_eq "$(count_objects rel)" "$((objects + 1))" "one new object: the version's own copy, made in S3"
expect_eq "$(count_versions shop)" "2" "a new version for the new label"

# The same label with other content is an error naming both.
echo '# changed' >>"$app/.ebextensions/01-health.config"
expect_rc 1 "the same label with other content" "$EBCTL" deploy --app shop --env shop-prod --bucket rel \
	-C "$app" --label v1 --timeout 2m
expect_err "version 'v1' of 'shop' already exists with another bundle" "the clash names the label"
expect_err "s3://rel/shop/versions/v1/$sum.zip" "the clash names the existing bundle"

# An invalid Dockerrun stops before anything is uploaded.
bad=$TMP/bad; make_app "$bad" 2.0
sed -i 's/"links": \["client", "server"\]/"links": ["client", "api"]/' "$bad/Dockerrun.aws.json"
objects=$(count_objects rel); versions=$(count_versions shop)
expect_rc 1 "an invalid Dockerrun exits 1" "$EBCTL" deploy --app shop --env shop-prod --bucket rel \
	-C "$bad" --label v2
expect_err "[link-target]" "the validator's diagnostic is shown"
expect_eq "$(count_objects rel)" "$objects" "nothing uploaded for an invalid Dockerrun"
expect_eq "$(count_versions shop)" "$versions" "no version for an invalid Dockerrun"

# --version-only with the storage location bucket (CreateStorageLocation).
v3=$TMP/v3; make_app "$v3" 3.0
expect_rc 0 "--version-only" "$EBCTL" deploy --app shop --version-only -C "$v3" --label v3
expect_out "v3	created	s3://" "prints the version and where its bundle is"
expect_eq "$(env_field shop-prod VersionLabel)" "v1-again" "--version-only updates no environment"

# A prebuilt zip with its Dockerrun in a folder is refused.
mkdir -p "$TMP/nested/app" && cp "$app/Dockerrun.aws.json" "$TMP/nested/app/"
(cd "$TMP/nested" && "$PYTHON" -c 'import zipfile; z = zipfile.ZipFile("n.zip", "w"); z.write("app/Dockerrun.aws.json"); z.close()')
expect_rc 1 "a zip with the Dockerrun in a folder" "$EBCTL" deploy --app shop --env shop-prod \
	--bucket rel --bundle "$TMP/nested/n.zip" --label v4
expect_err "[bundle-root]" "names the bundle-root rule"

# --process: Elastic Beanstalk checks the bundle first; ebctl waits for it.
echo "# processed" >>"$v3/.ebextensions/01-health.config"
expect_rc 0 "--process" "$EBCTL" deploy --app shop --env shop-prod --bucket rel -C "$v3" --label v3p \
	--process --timeout 2m
expect_eq "$(eb_aws elasticbeanstalk describe-application-versions --application-name shop --version-labels v3p \
	--query 'ApplicationVersions[0].Status' | tr a-z A-Z)" "PROCESSED" "the version was processed before the update"

# A prebuilt zip that is right deploys.
expect_rc 0 "deploy a prebuilt zip" "$EBCTL" deploy --app shop --env shop-prod --bucket rel \
	--bundle "$TMP/check.zip" --label v5 --timeout 2m
expect_eq "$(env_field shop-prod VersionLabel)" "v5" "the prebuilt zip's version runs"

# --bucket-path prefixes the content-addressed key; --no-wait starts the
# update and leaves without a verdict.
expect_rc 0 "--bucket-path and --no-wait" "$EBCTL" deploy --app shop --env shop-prod --bucket rel \
	--bucket-path /ci/builds/ --bundle "$TMP/check.zip" --label v6 --no-wait
expect_out "shop-prod: started" "--no-wait says the update started"
expect_eq "$(eb_aws s3api head-object --bucket rel --key "ci/builds/shop/$sum.zip" --query ContentLength)" \
	"$(stat -c %s "$TMP/check.zip")" "the object is under the bucket path"
wait_status shop-prod Ready
expect_eq "$(env_field shop-prod VersionLabel)" "v6" "the update started by --no-wait completes"

# The characters that break hand-written signers ('+', '(', "'", '&', '=',
# '%', spaces, non-ASCII) in the label and the description: signed right,
# and stored exactly as given.
label="v7+fix(1)'s&x=%20 é"
desc="Merge pull request #7 from a/b: fix (the) 'quotes' & a+b=c, 100% · ✓"
expect_rc 0 "a label and a description with reserved characters" "$EBCTL" deploy --app shop \
	--env shop-prod --bucket rel --bundle "$TMP/check.zip" --label "$label" --description "$desc" --timeout 2m
expect_eq "$(env_field shop-prod VersionLabel)" "$label" "the environment runs the label as given"
expect_eq "$(eb_aws elasticbeanstalk describe-application-versions --application-name shop \
	--version-labels "$label" --query 'ApplicationVersions[0].Description')" "$desc" \
	"the description is stored as given"
finish
