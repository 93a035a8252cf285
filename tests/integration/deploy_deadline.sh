# Every request has a total deadline: an answer that trickles in a byte at
# a time (faultproxy.py's "drip") ends at EBCTL_REQUEST_TIMEOUT, and no
# request runs past the command's --timeout (exit 6, not a hang).
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 0.3" shop shop-prod
fault_proxy_start "$AWS_ENDPOINT_URL" || { not_ok "fault proxy start"; finish; }
proxy_url=$FAULT_PROXY
fault() { curl -sS -X POST "$proxy_url/__fault" -d "$1" >/dev/null; }

# One attempt, bounded by EBCTL_REQUEST_TIMEOUT, then retried: the retry is answered.
fault '{"step": "DescribeEnvironments", "fault": "drip", "count": 1}'
start=$(date +%s)
expect_rc 0 "a dripping answer is cut and retried" env AWS_ENDPOINT_URL="$proxy_url" EBCTL_REQUEST_TIMEOUT=2 \
	"$EBCTL" --debug status --env shop-prod
expect_err "no complete answer in 2 s (EBCTL_REQUEST_TIMEOUT)" "the cut attempt says why"
took=$(( $(date +%s) - start ))
[ "$took" -lt 10 ] && ok "status ended in ${took}s" || not_ok "status took ${took}s"

# Every answer drips: deploy --timeout 5s ends near 5 s with exit 6.
fault '{"step": "DescribeEvents", "fault": "drip", "count": -1}'
start=$(date +%s)
expect_rc 6 "deploy --timeout 5s with answers that never finish" env AWS_ENDPOINT_URL="$proxy_url" \
	"$EBCTL" deploy --app shop --env shop-prod --bucket rel -C "$app" --label d1 --timeout 5s
took=$(( $(date +%s) - start ))
[ "$took" -le 12 ] && ok "deploy --timeout 5s ended in ${took}s" || not_ok "deploy --timeout 5s ran ${took}s"
expect_out "shop-prod: timeout: timed out" "the verdict is a plain timeout"

# Before the wait: a dripping answer before the upload is bounded by --timeout too.
fault '{"step": "DescribeApplicationVersions", "fault": "drip", "count": -1}'
echo "# v2" >>"$app/.ebextensions/01-health.config"
start=$(date +%s)
expect_rc 6 "a dripping DescribeApplicationVersions under --timeout 3s" env AWS_ENDPOINT_URL="$proxy_url" \
	"$EBCTL" deploy --app shop --env shop-prod --bucket rel -C "$app" --label d2 --timeout 3s
took=$(( $(date +%s) - start ))
[ "$took" -le 9 ] && ok "ended in ${took}s" || not_ok "ran ${took}s"
expect_err "--timeout" "says the command's time was up"
curl -sS -X DELETE "$proxy_url/__fault" >/dev/null
expect_eq "$(count_versions shop)" "1" "no version for the deploy that ran out of time before its upload"
finish
