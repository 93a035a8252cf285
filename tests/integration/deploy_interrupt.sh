# SIGINT and SIGTERM during a multipart upload: exit 130 with one message
# saying nothing was deployed, the upload aborted (no parts left), no
# version created; not a raw "Interrupted: interrupted" first.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 0.3" big big-env
head -c $((20 * 1024 * 1024)) /dev/urandom >"$app/payload.bin"
fault_proxy_start "$AWS_ENDPOINT_URL" || { not_ok "fault proxy start"; finish; }
proxy_url=$FAULT_PROXY
curl -sS -X POST "$proxy_url/__fault" -d '{"step": "UploadPart", "fault": "slow", "count": -1}' >/dev/null
for sig in INT TERM; do
	AWS_ENDPOINT_URL_S3="$proxy_url" "$EBCTL" deploy --app big --env big-env --bucket rel -C "$app" --all \
		--label "int-$sig" --timeout 2m >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for i in $(seq 1 300); do grep -q "uploading" "$TMP/err" && break; sleep 0.1; done
	sleep 0.5
	kill -"$sig" "$pid"
	wait "$pid"
	expect_eq "$?" 130 "SIG$sig during the upload exits 130"
	expect_not_err "Interrupted: interrupted" "SIG$sig: no raw transport error"
	expect_eq "$(grep -c 'interrupted' "$TMP/err")" 1 "SIG$sig: one message about it"
	expect_err "nothing was deployed" "SIG$sig: it says nothing was deployed"
	expect_eq "$(eb_aws s3api list-multipart-uploads --bucket rel --query 'length(Uploads || `[]`)')" "0" \
		"SIG$sig: the multipart upload was aborted"
	expect_eq "$(count_versions big)" "0" "SIG$sig: no version created"
	[ "$(grep -c 'interrupted' "$TMP/err")" = 1 ] || sed 's/^/#   /' "$TMP/err"
done
finish
