# Large bundles go multipart; S3 that keeps failing exits 3 and leaves no
# multipart upload open and no version behind; a fault run still succeeds.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 0.5" big big-env
# 12 MiB that deflate cannot shrink: the bundle is above the 8 MiB threshold.
head -c $((12 * 1024 * 1024)) /dev/urandom >"$app/payload.bin"

expect_rc 0 "a large bundle deploys" "$EBCTL" deploy --app big --env big-env --bucket rel -C "$app" --all \
	--label large --wait-ready --timeout 2m
expect_err "(multipart)" "the upload is multipart"
expect_err "upload 100%" "progress reaches 100 % (plain lines off a terminal)"
key=$(eb_aws s3api list-objects-v2 --bucket rel --query 'Contents[0].Key')
eb_aws s3api get-object --bucket rel --key "$key" "$TMP/got.zip" >/dev/null
sum=$(sha256sum "$TMP/got.zip" | cut -d' ' -f1)
expect_eq "big/$sum.zip" "$key" "the stored object is the bundle, byte for byte"
"$PYTHON" -c 'import sys, zipfile; n = zipfile.ZipFile(sys.argv[1]).namelist(); assert "payload.bin" in n, n' \
	"$TMP/got.zip" && ok "the stored bundle holds the large file" || not_ok "the stored bundle holds the large file"
expect_eq "$(eb_aws s3api list-multipart-uploads --bucket rel --query 'length(Uploads || `[]`)')" "0" \
	"no multipart upload left open after success"

# Through the fault proxy (faultproxy.py): S3 fails every part after the first.
echo "# v2" >>"$app/.ebextensions/01-health.config"
fault_proxy_start "$AWS_ENDPOINT_URL" || { not_ok "fault proxy start"; finish; }
proxy_url=$FAULT_PROXY
fault() { curl -sS -X POST "$proxy_url/__fault" -d "$1" >/dev/null; }
fault '{"step": "UploadPart", "fault": "error500", "skip": 1, "count": -1}'
versions=$(count_versions big)
expect_rc 3 "S3 that keeps failing exits 3" env AWS_ENDPOINT_URL_S3="$proxy_url" \
	AWS_MAX_ATTEMPTS=2 "$EBCTL" deploy --app big --env big-env --bucket rel -C "$app" --all --label broken \
	--timeout 2m
expect_err "InternalError" "the S3 error is reported"
expect_eq "$(eb_aws s3api list-multipart-uploads --bucket rel --query 'length(Uploads || `[]`)')" "0" \
	"the failed multipart upload was aborted"
expect_eq "$(count_versions big)" "$versions" "no version was created"
expect_eq "$(env_field big-env VersionLabel)" "large" "the environment still runs the last good version"

# The answer to UpdateEnvironment is lost after the update started: the
# retry meets "invalid state", and ebctl follows the update in progress.
fault '{"step": "UpdateEnvironment", "fault": "lose", "count": 1}'
# (:slow keeps the first update running well past the retry.)
make_app "$TMP/lost" slow
expect_rc 0 "a lost UpdateEnvironment answer still reaches the verdict" \
	env AWS_ENDPOINT_URL_ELASTIC_BEANSTALK="$proxy_url" \
	"$EBCTL" deploy --app big --env big-env --bucket rel -C "$TMP/lost" --label lost --timeout 2m
expect_err "the answer to UpdateEnvironment was lost" "says it follows the update in progress"
expect_out "big-env: success" "the verdict is success"
expect_eq "$(env_field big-env VersionLabel)" "lost" "the environment runs the new label"
finish
