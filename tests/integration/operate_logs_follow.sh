# ebctl logs -f against CloudWatch Logs in the sandbox: lines appended after
# the start, new streams, SIGINT ends with 130, a closed pipe with 0.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/operate_env.bash"

sandbox_start || { not_ok "sandbox"; finish; }
cd "$TMP" || exit 1
ENV=follow-env
G=/aws/elasticbeanstalk/$ENV/var/log/eb-engine.log
now_ms() { "$PYTHON" -c 'import time; print(int(time.time() * 1000))'; }
put() { awsx logs put-log-events --log-group-name "$G" --log-stream-name "$1" \
	--log-events "timestamp=$(now_ms),message=$2" >/dev/null; }

make_env followapp "$ENV" v1 || { not_ok "environment created"; finish; }
expect_rc 1 "logs -f without log groups" "$EBCTL" logs -f --env "$ENV"
expect_err "log streaming is not enabled for environment '$ENV'" "logs -f says streaming is off"

awsx logs create-log-group --log-group-name "$G"
awsx logs create-log-stream --log-group-name "$G" --log-stream-name i-0aaa
put i-0aaa "written before the start" # its time is taken before the follower starts

"$EBCTL" logs -f --env "$ENV" --since 0s >"$TMP/follow.out" 2>"$TMP/follow.err" &
pid=$!
if wait_for "$TMP/follow.err" "following 1 log group"; then ok "logs -f started"; else not_ok "logs -f did not start"; cat "$TMP/follow.err"; fi
put i-0aaa "first line after the start"
awsx logs create-log-stream --log-group-name "$G" --log-stream-name i-0bbb
put i-0bbb "a line from a new stream"
put i-0aaa "second line after the start"
if wait_for "$TMP/follow.out" "second line after the start" && wait_for "$TMP/follow.out" "a line from a new stream"; then
	ok "logs -f printed the new lines"
else
	not_ok "logs -f printed: $(cat "$TMP/follow.out")"
fi
kill -INT "$pid"
wait "$pid"
expect_eq "$?" 130 "SIGINT ends logs -f with 130"
expect_eq "$(grep -c 'written before the start' "$TMP/follow.out")" 0 "--since 0s: a line from before the start is not printed"
# Without --since, ten minutes back, as aws logs tail.
"$EBCTL" logs -f --env "$ENV" >"$TMP/back.out" 2>/dev/null &
bpid=$!
wait_for "$TMP/back.out" "written before the start" && ok "without --since, lines of the last ten minutes are shown" ||
	not_ok "without --since: $(cat "$TMP/back.out")"
kill -INT "$bpid"; wait "$bpid"
expect_eq "$(grep -cF '[i-0aaa var/log/eb-engine.log] first line after the start' "$TMP/follow.out")" 1 \
	"each line once, with its stream and group"
expect_eq "$(grep -cF '[i-0bbb var/log/eb-engine.log] a line from a new stream' "$TMP/follow.out")" 1 \
	"a stream created while following is picked up"
expect_eq "$(sort "$TMP/follow.out" | uniq -d | wc -l)" 0 "no line printed twice"
expect_eq "$(grep -o '[a-z]* line[a-z ]*' "$TMP/follow.out" | tr '\n' '|')" \
	"first line after the start|a line from a new stream|second line after the start|" "lines in the order they were written"

# --instance keeps one stream.
"$EBCTL" logs -f --env "$ENV" --instance i-0bbb --since 1h >"$TMP/one.out" 2>/dev/null &
pid=$!
wait_for "$TMP/one.out" "a line from a new stream" && ok "--instance with --since shows that stream's past lines" ||
	not_ok "--instance: $(cat "$TMP/one.out")"
kill -INT "$pid"
wait "$pid"
expect_eq "$(grep -c i-0aaa "$TMP/one.out")" 0 "--instance leaves other streams out"

# | head -1: the follower ends quietly with status 0 at its next line.
( "$EBCTL" logs -f --env "$ENV" --since 1h | head -1 >"$TMP/head.out"; echo "${PIPESTATUS[0]}" >"$TMP/head.rc" ) &
for i in $(seq 1 100); do
	[ -s "$TMP/head.rc" ] && break
	put i-0aaa "more $i"
	sleep 0.1
done
expect_eq "$(cat "$TMP/head.rc" 2>/dev/null)" 0 "logs -f | head -1 exits 0"
expect_eq "$(wc -l <"$TMP/head.out")" 1 "head got its line"
finish
