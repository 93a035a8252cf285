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
if grep -Eq '^ebctl: upload 100% \(12\.0 of 12\.0 MiB, [0-9]+\.[0-9] MiB/s\)$' "$TMP/err" &&
	[ "$(grep -Ec '^ebctl: upload [0-9]+% \([0-9.]+ of 12\.0 MiB, [0-9]+\.[0-9] MiB/s\)$' "$TMP/err")" -ge 5 ]; then
	ok "the plain progress lines carry the speed"
else
	not_ok "the plain progress lines carry the speed: $(grep 'upload [0-9]' "$TMP/err" | tr '\n' '|')"
fi
key=$(eb_aws s3api list-objects-v2 --bucket rel --query 'Contents[0].Key')
eb_aws s3api get-object --bucket rel --key "$key" "$TMP/got.zip" >/dev/null
sum=$(sha256sum "$TMP/got.zip" | cut -d' ' -f1)
expect_eq "big/$sum.zip" "$key" "the stored object is the bundle, byte for byte"
"$PYTHON" -c 'import sys, zipfile; n = zipfile.ZipFile(sys.argv[1]).namelist(); assert "payload.bin" in n, n' \
	"$TMP/got.zip" && ok "the stored bundle holds the large file" || not_ok "the stored bundle holds the large file"
expect_eq "$(eb_aws s3api list-multipart-uploads --bucket rel --query 'length(Uploads || `[]`)')" "0" \
	"no multipart upload left open after success"

# On a terminal (script(1) gives it one), outside CI: a bar with the speed
# and the time left, redrawn in place.
if command -v script >/dev/null; then
	echo "# tty" >>"$app/.ebextensions/01-health.config"
	cmd=$(printf '%q ' "${OFF_CI[@]}" \
		"$EBCTL" deploy --app big --env big-env --bucket rel -C "$app" --all \
		--label large-tty --version-only)
	script -qefc "$cmd" /dev/null >"$TMP/tty.out" 2>&1
	bar=$(tr '\r' '\n' <"$TMP/tty.out" | grep -a '^upload \[' | tail -1)
	if printf '%s' "$bar" | grep -Eq '^upload \[#{30}\] 100% 12\.0/12\.0 MiB  [0-9]+\.[0-9] MiB/s  done'; then
		ok "the bar ends at 100 % with the speed"
	else
		not_ok "the bar ends at 100 % with the speed: '$bar'"
	fi
	if tr '\r' '\n' <"$TMP/tty.out" | grep -aEq '^upload \[#* *\] +[0-9]+% [0-9.]+/12\.0 MiB  ([0-9]+\.[0-9]|---) MiB/s  ([0-9]+:[0-9]{2}|-:--) left'; then
		ok "the bar shows the time left on the way"
	else
		not_ok "the bar shows the time left on the way: $(tr '\r' '\n' <"$TMP/tty.out" | grep -a '^upload' | head -3 | tr '\n' '|')"
	fi
else
	ok "# SKIP script(1) is not installed: no terminal to test the bar on"
fi

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
