# A deploy to many environments against an account that Elastic Beanstalk
# throttles (the sandbox's token buckets at EB's rates, ebrate=1): the
# updates wait their turn, paced together, and no throttling error reaches
# the user; every environment gets its verdict.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
n=25
envs=(); for i in $(seq 1 $n); do envs+=("thr-e$i"); done
deploy_setup "--deploy-seconds 1" thr "${envs[@]}"
for e in "${envs[@]}"; do wait_status "$e" Ready || not_ok "$e is Ready"; done
curl -sS -X POST "$SANDBOX_URL/_sandbox/faults" -d "ebrate=1" >/dev/null

list=$(IFS=,; echo "${envs[*]}")
expect_rc 0 "a deploy to $n environments, throttled at EB's rate" "$EBCTL" deploy --app thr --env "$list" \
	--bucket rel -C "$app" --label throttled --timeout 3m --format json
expect_not_err "Throttling" "no throttling error is shown"
expect_not_err "Rate exceeded" "no rate error is shown"
throttled=$(curl -sS "$SANDBOX_URL/_sandbox/faults" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["rate_throttled"])')
[ "${throttled:-0}" -gt 0 ] && ok "the sandbox did throttle ($throttled calls)" ||
	not_ok "the sandbox throttled nothing: the test tests nothing"
# After the first throttling the workers share one paced rate instead of each
# resending into the throttle (more than one refusal per environment before)
[ "${throttled:-0}" -lt "$n" ] && ok "fewer throttled calls than environments ($throttled for $n)" ||
	not_ok "$throttled throttled calls for $n environments: the workers do not pace together"
"$PYTHON" -c 'import json,sys; r = json.load(open(sys.argv[1])); n = int(sys.argv[2])
res = [e["result"] for e in r["environments"]]
assert res == ["success"] * n, res' "$TMP/out" "$n" && ok "every environment succeeded" ||
	not_ok "every environment succeeded: $(head -c 600 "$TMP/out")"
finish
