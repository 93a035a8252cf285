# Text from a server never starts a line of output nor reaches the terminal
# raw: an event message, a log line and an error message carrying a newline
# and a GitHub Actions workflow command ("::add-mask::", "::error ..."), a
# forged verdict line, or terminal escape codes (tests/fakes/hostile_server.py).
. "$TESTS_DIR/lib.sh"

cd "$TMP" || exit 1
cfg=$TMP/hostile.json
fake_start hostile_server.py --config "$cfg" || { not_ok "hostile_server.py starts"; finish; }
export AWS_ENDPOINT_URL=$HOSTILE_URL AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
	AWS_SECRET_ACCESS_KEY=secret AWS_MAX_ATTEMPTS=1 EBCTL_POLL_MS=50 EBCTL_RETRY_BASE_MS=10
export AWS_CONFIG_FILE=$TMP/none AWS_SHARED_CREDENTIALS_FILE=$TMP/none
unset AWS_PROFILE AWS_SESSION_TOKEN EBCTL_APP EBCTL_ENV
# no line of stdout or stderr may start with a workflow command or a forged verdict
clean_lines() {
	if grep -qE '^(::|env1: success)' "$TMP/out" "$TMP/err" ||
		grep -q "$(printf '\033')" "$TMP/out" "$TMP/err"; then
		not_ok "$1"; sed 's/^/#   /' "$TMP/out" "$TMP/err"
	else
		ok "$1"
	fi
}
# XML cannot carry ESC or BEL (not even as character references); JSON can
evil_xml=$(printf 'ok\n::add-mask::hidden\n::error file=x::forged\nenv1: success: running v9\r\n::notice::x')
evil=$(printf 'ok\n::add-mask::hidden\n::error file=x::forged\nenv1: success: running v9\033[2J\033]0;title\007')
"$PYTHON" - "$cfg" "$evil_xml" "$evil" <<'P'
import json, sys
json.dump({"instances": [], "event_message": sys.argv[2], "log_message": sys.argv[3],
           "log_stream": "i-0abc\n::warning::stream"}, open(sys.argv[1], "w"))
P
expect_rc 0 "events with a hostile message" "$EBCTL" events --env env1 --app app1
clean_lines "events: no line starts with the server's text"
expect_out '\n::add-mask::hidden' "events: the newline is shown escaped"
expect_out 'v9\n::notice::x' "events: a CRLF (which XML reads as LF) is escaped too"
expect_rc 0 "events --format json with a hostile message" "$EBCTL" events --env env1 --app app1 --format json
clean_lines "events --format json: no line starts with the server's text"

timeout 3 "$EBCTL" logs -f --env env1 --app app1 --since 1h >"$TMP/out" 2>"$TMP/err"
grep -q "add-mask" "$TMP/out" && ok "logs -f prints the hostile line" || { not_ok "logs -f prints the hostile line"; cat "$TMP/err"; }
clean_lines "logs: no line starts with the server's text"
expect_out '\x1b[2J\x1b]0;title\x07' "logs: terminal codes are shown, not sent"
expect_out "] ::add-mask::hidden" "logs: each line of a message keeps the prefix"
expect_out '[i-0abc\n::warning::stream' "logs: the stream name is escaped"

"$PYTHON" - "$cfg" "$evil_xml" <<'P'
import json, sys
json.dump({"instances": [], "fail": {"action": "DescribeEnvironments", "message": sys.argv[2]}},
          open(sys.argv[1], "w"))
P
expect_rc 3 "status against an error with a hostile message" "$EBCTL" status --env env1 --app app1
clean_lines "errors: no line starts with the server's text"
expect_err "InvalidParameterValue: ok\n::add-mask::hidden" "the error is one line, its newline escaped"
finish
