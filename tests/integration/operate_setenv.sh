# ebctl setenv and printenv against the sandbox: set, mask, reveal, remove.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"

sandbox_start || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
if make_env propapp propenv v1; then ok "environment created and Ready"; else not_ok "environment not created"; finish; fi

expect_rc 0 "setenv four properties and wait" "$EBCTL" setenv --env propenv --timeout 60s \
	'DB_URL=postgres://u:p@db:5432/app?ssl=true' SECRET_KEY=hunter2 PGHOST=db.internal \
	"GREETING=it's a p@ss w0rd\$&=x"
expect_not_out "hunter2" "setenv does not print a value on stdout"
expect_not_err "hunter2" "setenv does not print a value on stderr"
expect_err "SECRET_KEY" "setenv names what it sets"

expect_rc 0 "printenv" "$EBCTL" printenv --env propenv
expect_out "SECRET_KEY=********" "printenv masks a secret-looking name"
expect_out "DB_URL=********" "and a URL with a password in it"
expect_not_out "hunter2" "printenv does not reveal by default"
expect_out "PGHOST=db.internal" "a value that is no secret is shown"
expect_out "GREETING='it'\''s a p@ss w0rd\$&=x'" "shell-quoted"
expect_rc 0 "printenv --mask-all" "$EBCTL" printenv --env propenv --mask-all
expect_out "PGHOST=********" "--mask-all masks every value"
expect_rc 2 "--reveal with --mask-all" "$EBCTL" printenv --env propenv --mask-all --reveal
expect_rc 0 "printenv --reveal, sourced" "$EBCTL" printenv --env propenv --reveal
( set -e; . "$TMP/out"; [ "$SECRET_KEY" = hunter2 ] && [ "$GREETING" = "it's a p@ss w0rd\$&=x" ] &&
	[ "$DB_URL" = 'postgres://u:p@db:5432/app?ssl=true' ] ) && ok "the --reveal output sources back to the values" ||
	not_ok "sourcing: $(cat "$TMP/out")"

expect_rc 0 "printenv --reveal" "$EBCTL" printenv --env propenv --reveal
expect_out "SECRET_KEY=hunter2" "setenv then printenv round-trips"
expect_out "DB_URL='postgres://u:p@db:5432/app?ssl=true'" "a value with '=' round-trips (quoted)"

expect_rc 0 "printenv --format json --reveal" "$EBCTL" printenv --env propenv --format json --reveal
expect_eq "$(json_get SECRET_KEY <"$TMP/out")" hunter2 "printenv JSON has the value"
expect_rc 0 "printenv KEY" "$EBCTL" printenv --env propenv --reveal SECRET_KEY
expect_eq "$(cat "$TMP/out")" "SECRET_KEY=hunter2" "printenv KEY prints only that key"

expect_rc 0 "setenv KEY= removes the key" "$EBCTL" setenv --env propenv --timeout 60s SECRET_KEY=
expect_rc 0 "printenv after the removal" "$EBCTL" printenv --env propenv --reveal
expect_not_out "SECRET_KEY" "a removed key disappears"
expect_out "DB_URL='postgres" "the other key stays"
expect_rc 1 "printenv of a removed key" "$EBCTL" printenv --env propenv SECRET_KEY
expect_err "property 'SECRET_KEY' is not set" "printenv names the missing key"

expect_rc 0 "status after setenv" "$EBCTL" status --env propenv --format json
expect_eq "$(json_get version_label <"$TMP/out")" v1 "setenv keeps the running version"

expect_rc 0 "setenv --no-wait" "$EBCTL" setenv --env propenv --no-wait LEVEL=debug
wait_ready propenv || not_ok "environment did not settle after --no-wait"
"$EBCTL" printenv --env propenv --reveal | head -1 >"$TMP/head.out"
expect_eq "${PIPESTATUS[0]}" 0 "printenv | head -1 exits 0"
expect_rc 1 "setenv on an environment that does not exist" "$EBCTL" setenv --env nosuch-env A=1

# several environments at once, as deploy --env a,b
if awsx elasticbeanstalk create-environment --application-name propapp --environment-name propenv2 \
	--version-label v1 --solution-stack-name "64bit Amazon Linux 2023 v4.3.0 running ECS" >/dev/null &&
	wait_ready propenv2; then ok "a second environment"; else not_ok "no second environment"; fi
expect_rc 1 "setenv with one unknown environment among two" "$EBCTL" setenv --env propenv,nosuch-env \
	--timeout 60s TIER=both
expect_err "environment 'nosuch-env' not found" "it names the unknown one"
expect_rc 0 "printenv after the refused setenv" "$EBCTL" printenv --env propenv
expect_not_out "TIER=" "nothing was updated when one name is wrong"
expect_rc 0 "setenv --env a,b" "$EBCTL" setenv --env propenv,propenv2 --timeout 60s TIER=both
expect_out "propenv: success:" "a result line for the first environment on stdout"
expect_out "propenv2: success:" "and for the second"
expect_err "updating environment 'propenv2'" "each update is named"
expect_rc 0 "printenv --env a --env b" "$EBCTL" printenv --env propenv --env propenv2 TIER
expect_eq "$(cat "$TMP/out")" "$(printf '# propenv\nTIER=both\n\n# propenv2\nTIER=both')" \
	"each environment's lines follow a comment naming it"
expect_rc 0 "printenv --env a,b --format json" "$EBCTL" printenv --env propenv,propenv2 --format json TIER
expect_eq "$("$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(d["propenv"]["TIER"], d["propenv2"]["TIER"])' <"$TMP/out")" \
	"both both" "the JSON is keyed by environment"
expect_rc 1 "printenv --env a,b of a key set on one only" "$EBCTL" printenv --env propenv,propenv2 LEVEL
expect_err "property 'LEVEL' is not set on environment 'propenv2'" "names the environment that lacks it"
expect_rc 1 "printenv --env a,nosuch" "$EBCTL" printenv --env propenv,nosuch-env
expect_not_out "propenv" "nothing printed when one name is wrong"
finish
