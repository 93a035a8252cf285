# ebctl events against the sandbox: oldest first, -f shows each event exactly
# once across polls while an update runs, filters, JSON, | head.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"

sandbox_start || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
if make_env evapp evenv v1; then ok "environment created and Ready"; else not_ok "environment not created"; finish; fi

expect_rc 0 "events" "$EBCTL" events --env evenv
if [ "$(wc -l <"$TMP/out")" -ge 2 ]; then ok "events lists the environment's events"; else not_ok "events: $(cat "$TMP/out")"; fi
expect_eq "$(cut -d' ' -f1 "$TMP/out" | sort -c 2>&1 && echo sorted)" sorted "events are oldest first"
expect_not_out $'\033' "no colour in a pipe"

# Follow while an update runs; the follower must end up with exactly the
# events a one-shot listing shows: nothing repeated, nothing missing.
"$EBCTL" events -f --env evenv --format json >"$TMP/follow.out" 2>"$TMP/follow.err" &
pid=$!
for i in $(seq 1 300); do [ -s "$TMP/follow.out" ] && break; sleep 0.1; done
expect_rc 0 "setenv --no-wait starts an update" "$EBCTL" setenv --env evenv --no-wait FOLLOWED=1
rid=$(sed -n "s/.*(request \(.*\))$/\1/p" "$TMP/err")
wait_ready evenv || not_ok "environment did not settle"
"$EBCTL" events --env evenv --format json >"$TMP/all.out" 2>/dev/null
for i in $(seq 1 300); do
	"$EBCTL" events --env evenv --format json >"$TMP/all.out" 2>/dev/null
	[ "$(wc -l <"$TMP/follow.out")" -ge "$(wc -l <"$TMP/all.out")" ] && break
	sleep 0.1
done
kill -INT "$pid"
wait "$pid"
expect_eq "$?" 130 "SIGINT ends events -f with 130"
expect_eq "$(sort "$TMP/follow.out" | uniq -d | wc -l)" 0 "events -f repeats no event"
if cmp -s "$TMP/follow.out" "$TMP/all.out"; then ok "events -f shows every event once, in order"
else not_ok "events -f differs from the listing"; diff "$TMP/follow.out" "$TMP/all.out" | sed 's/^/#   /' | head -20; fi
if [ -n "$rid" ] && grep -qF "\"request_id\":\"$rid\"" "$TMP/follow.out"; then ok "events -f saw the update's events"
else not_ok "no event of request '$rid' followed"; fi
if "$PYTHON" -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <"$TMP/follow.out"; then ok "every line is JSON"
else not_ok "events --format json is not JSON Lines"; fi

expect_rc 0 "events --severity WARN" "$EBCTL" events --env evenv --severity WARN --format json
if "$PYTHON" -c 'import json,sys; assert all(json.loads(l)["severity"] in ("WARN","ERROR","FATAL") for l in sys.stdin)' <"$TMP/out"; then
	ok "--severity WARN keeps WARN and above"
else not_ok "--severity WARN let lower events through"; fi
expect_rc 0 "events --since 1h" "$EBCTL" events --env evenv --since 1h
if [ "$(wc -l <"$TMP/out")" -ge 2 ]; then ok "--since 1h includes recent events"; else not_ok "--since 1h: $(cat "$TMP/out")"; fi
expect_rc 0 "events --since an ISO 8601 time" "$EBCTL" events --env evenv --since 2000-01-01T00:00:00Z
"$EBCTL" events --env evenv | head -1 >"$TMP/head.out"
expect_eq "${PIPESTATUS[0]}" 0 "events | head -1 exits 0"
expect_eq "$(wc -l <"$TMP/head.out")" 1 "head got one line"

# A follower whose reader has gone ends at once, even with nothing new to write
# (the default 5 s pace, an environment with no new events).
for reader in "head -1" "grep -m1 INFO"; do
	start=$(date +%s%N)
	timeout 20 bash -c "EBCTL_POLL_MS= \"\$0\" events -f --env evenv | $reader >/dev/null" "$EBCTL"
	code=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_eq "$code" 0 "events -f | $reader ends with status 0"
	if [ "$ms" -lt 3000 ]; then ok "events -f | $reader ends within a few seconds (${ms} ms)"
	else not_ok "events -f | $reader took ${ms} ms"; fi
done

# One answer for a missing target, in every command.
expect_rc 1 "events on an environment that does not exist" "$EBCTL" events --env nope
expect_err "environment 'nope' not found" "events says the environment is missing"
expect_rc 1 "events -f on one that does not exist does not wait" timeout 20 "$EBCTL" events -f --env nope
expect_rc 1 "an environment missing from an application" "$EBCTL" events --app evapp --env nope
expect_err "environment 'nope' not found in application 'evapp' (region 'us-east-1'); its environments are: evenv" \
	"and lists the application's environments"
expect_rc 1 "an application that does not exist" "$EBCTL" status --app noapp --env evenv
expect_err "application 'noapp' not found in region 'us-east-1'" "says the application is missing"
for cmd in status health printenv "logs" "setenv A=1"; do
	# shellcheck disable=SC2086
	expect_rc 1 "$cmd on a missing environment" "$EBCTL" $cmd --app evapp --env nope
	expect_err "environment 'nope' not found in application 'evapp'" "$cmd gives the same answer"
done
finish
