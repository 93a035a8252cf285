# SIGTERM (a cancelled CI job, timeout, Kubernetes) is handled as SIGINT: the
# command stops, says what it left running and how to follow or stop it, and
# exits 130; during deploy and during setenv alike.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 1" sig sig-env
expect_rc 0 "a first deploy" "$EBCTL" deploy --app sig --env sig-env --bucket rel -C "$app" --label s1 \
	--wait-ready --timeout 2m

# signal_during SIGNAL TEXT CMD...: start CMD, send SIGNAL once TEXT is on its
# stderr, and leave its exit code in $rc and its output in $TMP/out, $TMP/err.
signal_during() {
	local sig=$1 text=$2 pid i; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for i in $(seq 1 600); do grep -qF -- "$text" "$TMP/err" && break; sleep 0.05; done
	kill "-$sig" "$pid"
	wait "$pid"
	rc=$?
}

slow=$TMP/slow; make_app "$slow" slow
signal_during TERM "updating to 's-term'" "$EBCTL" deploy --app sig --env sig-env --bucket rel -C "$slow" \
	--label s-term --timeout 2m
expect_eq "$rc" 130 "SIGTERM during deploy exits 130"
expect_err "interrupted (SIGTERM): 'sig-env' is still updating to 's-term'" "and says what is still running"
expect_err "ebctl events -f --env sig-env" "and how to follow it"
expect_err "abort-environment-update --environment-name sig-env" "and how to stop it"
expect_out "sig-env: interrupted" "the summary is still printed"
wait_status sig-env Ready

signal_during HUP "created version 's-hup'" "$EBCTL" deploy --app sig --env sig-env --bucket rel -C "$app" --label s-hup \
	--timeout 2m
expect_eq "$rc" 130 "SIGHUP during deploy exits 130 too"
wait_status sig-env Ready

# Under nohup the hang-up was asked to be ignored: the deploy goes on to its verdict.
signal_during HUP "created version 's-nohup'" nohup "$EBCTL" deploy --app sig --env sig-env --bucket rel \
	-C "$app" --label s-nohup --timeout 2m
expect_eq "$rc" 0 "SIGHUP under nohup is ignored: the deploy ends with its verdict"
expect_out "sig-env: success" "and its result"
wait_status sig-env Ready

signal_during TERM "updating environment 'sig-env'" env EBCTL_POLL_MS=100 "$EBCTL" setenv --app sig \
	--env sig-env --timeout 2m SLOW=1
expect_eq "$rc" 130 "SIGTERM during setenv exits 130"
expect_err "interrupted (SIGTERM): 'sig-env' is still updating" "setenv says what is still running"
expect_err "ebctl events -f --env sig-env" "and how to follow it"
finish
