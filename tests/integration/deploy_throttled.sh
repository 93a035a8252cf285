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
# While the updates still go out (from the first UpdateEnvironment to the
# last), the rounds read DescribeEnvironments only every second round and
# DescribeEvents every fourth (src/env/watch.c, watch_environments_due and
# watch_events_due): rounds are a second apart.
curl -sf "$SANDBOX_URL/_sandbox/calls" >"$TMP/calls.json" || not_ok "the sandbox lists its calls"
if "$PYTHON" - "$TMP/calls.json" >"$TMP/rounds" 2>&1 <<'PY'
import json, sys
calls = json.load(open(sys.argv[1]))["calls"]
updates = [t for t, svc, action in calls if action == "UpdateEnvironment"]
first, last = min(updates), max(updates)
count = lambda a: sum(1 for t, svc, action in calls if action == a and first < t < last)
envs, events = count("DescribeEnvironments"), count("DescribeEvents")
print(f"{envs} DescribeEnvironments and {events} DescribeEvents in the {last - first:.1f} s of updates")
secs = last - first
assert secs >= 5, "the updates went out in %.1f s: the test tests nothing" % secs
assert 2 <= envs <= secs / 2 + 1.5, (envs, secs)
assert 1 <= events <= secs / 4 + 1.5, (events, secs)
PY
then ok "while the updates go out, the state and the events are read every few rounds: $(cat "$TMP/rounds")"
else not_ok "the rounds while the updates go out: $(cat "$TMP/rounds")"; fi
"$PYTHON" -c 'import json,sys; r = json.load(open(sys.argv[1])); n = int(sys.argv[2])
res = [e["result"] for e in r["environments"]]
assert res == ["success"] * n, res' "$TMP/out" "$n" && ok "every environment succeeded" ||
	not_ok "every environment succeeded: $(head -c 600 "$TMP/out")"
finish
