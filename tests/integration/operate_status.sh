# ebctl status and health against the sandbox: text, JSON with the running
# label, the target's precedence (flags, EBCTL_*, config.yml), errors.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"

sandbox_start || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
if make_env opapp openv v1; then ok "environment created and Ready"; else not_ok "environment not created"; finish; fi

expect_rc 0 "status" "$EBCTL" status --env openv
expect_out "Environment:  openv" "status names the environment"
expect_out "Status:       Ready" "status shows Ready"
expect_out "Version:      v1" "status shows the running label"
expect_out "Application:  opapp" "status shows the application"

expect_rc 0 "status --format json" "$EBCTL" status --env openv --format json
expect_eq "$(json_get version_label <"$TMP/out")" v1 "status JSON carries the running label"
expect_eq "$(json_get status <"$TMP/out")" Ready "status JSON carries the status"
expect_eq "$(json_get environment <"$TMP/out")" openv "status JSON names the environment"
expect_eq "$(json_get application <"$TMP/out")" opapp "status JSON names the application"
expect_eq "$("$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(type(d["causes"]).__name__)' <"$TMP/out")" list \
	"status JSON has a causes array"

expect_rc 0 "health" "$EBCTL" health --env openv
expect_out "Health:" "health shows the health"
expect_rc 0 "health --format json" "$EBCTL" health --env openv --format json
if "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); assert d["environment"] == "openv" and "health" in d' <"$TMP/out"; then
	ok "health JSON parses"
else
	not_ok "health JSON: $(cat "$TMP/out")"
fi

expect_rc 1 "status of an environment that does not exist" "$EBCTL" status --env nosuch-env
expect_err "environment 'nosuch-env' not found" "status names the missing environment"

# Precedence: the flag over EBCTL_ENV over .elasticbeanstalk/config.yml.
EBCTL_ENV=openv expect_rc 0 "EBCTL_ENV chooses the environment" "$EBCTL" status
EBCTL_ENV=nosuch-env expect_rc 0 "--env overrides EBCTL_ENV" "$EBCTL" status --env openv
mkdir -p "$TMP/proj/.elasticbeanstalk"
printf 'branch-defaults:\n  default:\n    environment: openv\nglobal:\n  application_name: opapp\n' \
	>"$TMP/proj/.elasticbeanstalk/config.yml"
(cd "$TMP/proj" && "$EBCTL" status --format json >"$TMP/out" 2>"$TMP/err")
expect_eq "$(json_get environment <"$TMP/out")" openv ".elasticbeanstalk/config.yml chooses the environment"
(cd "$TMP/proj" && EBCTL_ENV=nosuch-env "$EBCTL" status >"$TMP/out" 2>"$TMP/err")
expect_eq "$?" 1 "EBCTL_ENV overrides config.yml"

"$EBCTL" status --env openv | head -1 >"$TMP/head.out"
expect_eq "${PIPESTATUS[0]}" 0 "status | head -1 exits 0"
finish
