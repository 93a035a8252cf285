# make sandbox: a sandbox in the foreground that says how to point ebctl and
# the aws CLI at it; its env file works for both.
. "$TESTS_DIR/lib.sh"
port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# a make of its own, not a child of the make that runs the tests
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TESTS_DIR/.." sandbox SANDBOX_PORT="$port" \
	BUILD="$TMP/b" >"$TMP/sb.out" 2>&1 &
pid=$!
at_exit "kill $pid 2>/dev/null; pkill -f 'sandbox --port $port' 2>/dev/null; wait $pid 2>/dev/null"
for i in $(seq 1 300); do grep -q "Ctrl-C stops it" "$TMP/sb.out" && break; sleep 0.1; done
grep -qx "ready http://127.0.0.1:$port" "$TMP/sb.out" && ok "make sandbox says where it listens" ||
	not_ok "make sandbox says where it listens: $(cat "$TMP/sb.out")"
grep -qF ". $TMP/b/sandbox.env" "$TMP/sb.out" && ok "and which file to source" || not_ok "the hint: $(cat "$TMP/sb.out")"
unset AWS_PROFILE AWS_SESSION_TOKEN
export AWS_CONFIG_FILE=$TMP/none AWS_SHARED_CREDENTIALS_FILE=$TMP/none
# shellcheck disable=SC1091
. "$TMP/b/sandbox.env"
expect_rc 0 "the aws CLI reaches it through the env file" aws --endpoint-url "$AWS_ENDPOINT_URL" \
	elasticbeanstalk create-application --application-name from-cli
expect_rc 0 "ebctl reaches it through the env file" "$EBCTL" list --format json
expect_out "from-cli" "and sees what the aws CLI made"

# --endpoint-url, before or after the command, as the aws CLI's.
url=$AWS_ENDPOINT_URL
unset AWS_ENDPOINT_URL
expect_rc 0 "ebctl --endpoint-url URL list" "$EBCTL" --endpoint-url "$url" list --format json
expect_out "from-cli" "the global flag before the command reaches the sandbox"
expect_rc 0 "ebctl list --endpoint-url=URL" "$EBCTL" list --format json --endpoint-url="$url"
expect_out "from-cli" "and after it"
expect_rc 2 "--endpoint-url that is no URL" "$EBCTL" --endpoint-url localhost:1 list
expect_err "--endpoint-url takes an http:// or https:// URL" "says what it takes"
finish
