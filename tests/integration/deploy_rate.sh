# One watcher per application: a deploy to ten environments makes no more
# DescribeEvents + DescribeEnvironments calls per second than a deploy to one,
# and each verdict still comes within about a second of its environment
# settling. The sandbox counts the calls (GET /_sandbox/calls).
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
envs=(); for i in $(seq 1 10); do envs+=("rate-e$i"); done
deploy_setup "--deploy-seconds 3" rate solo "${envs[@]}"
eb_aws elasticbeanstalk describe-environments >/dev/null
for e in solo "${envs[@]}"; do wait_status "$e" Ready || not_ok "$e is Ready"; done

# deploy LABEL ENV...: one deploy, its window [start, end] in epoch seconds in $TMP/LABEL.window
deploy() {
	local label=$1 start end args=(); shift
	for e in "$@"; do args+=(--env "$e"); done
	start=$("$PYTHON" -c 'import time; print(time.time())')
	expect_rc 0 "deploy '$label' to $# environment(s)" "$EBCTL" deploy --app rate "${args[@]}" --bucket rel \
		-C "$app" --label "$label" --timeout 2m --format json
	end=$("$PYTHON" -c 'import time; print(time.time())')
	echo "$start $end" >"$TMP/$label.window"
	cp "$TMP/out" "$TMP/$label.json"
}
deploy one solo
echo "# r2" >>"$app/.ebextensions/01-health.config"
deploy ten "${envs[@]}"

curl -sf "$SANDBOX_URL/_sandbox/calls" >"$TMP/calls.json" || not_ok "the sandbox lists its calls"
curl -sf "$SANDBOX_URL/_sandbox/state" >"$TMP/state.json" || not_ok "the sandbox state"
if "$PYTHON" - "$TMP" <<'PY'
import json, sys
tmp = sys.argv[1]
calls = json.load(open(f"{tmp}/calls.json"))["calls"]
def rate(label):
    start, end = map(float, open(f"{tmp}/{label}.window").read().split())
    n = sum(1 for t, svc, action in calls
            if start <= t <= end and action in ("DescribeEvents", "DescribeEnvironments"))
    return n, end - start
n1, d1 = rate("one")
n10, d10 = rate("ten")
r1, r10 = n1 / d1, n10 / d10
print(f"# one environment: {n1} calls in {d1:.1f}s ({r1:.2f}/s); ten: {n10} calls in {d10:.1f}s ({r10:.2f}/s)")
# The same pace: a round is one call of each, whatever the number of environments
# (a tenth of a call per second of slack for the edges of the windows).
assert r10 <= r1 * 1.1 + 0.1, (r1, r10)
state = json.load(open(f"{tmp}/state.json"))
start, end = map(float, open(f"{tmp}/ten.window").read().split())
ready = [e["ready_at"] for e in state["environments"] if e["name"].startswith("rate-e")]
assert all(ready), ready
# The last environment settled; the verdict came within about a second of it.
latency = end - max(ready)
print(f"# the verdict came {latency:.2f}s after the last environment was Ready")
assert latency < 2.0, latency
r = json.load(open(f"{tmp}/ten.json"))
assert [e["result"] for e in r["environments"]] == ["success"] * 10, r
PY
then ok "ten environments poll at the pace of one, with verdicts within a second"
else not_ok "the call rate of a deploy to ten environments"; fi
finish
