# A bundle that takes a while: its progress on stderr after the first second
# (nothing for a fast one, nothing with --quiet), and SIGINT, SIGTERM or
# SIGHUP while it is written, by `ebctl bundle` and by `ebctl deploy`: a
# prompt exit 130, one message, no partial zip in the tree or in TMPDIR.
# The trees are gigabytes of sparse files: seconds of deflate, no disk.
. "$TESTS_DIR/lib.sh"

export AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
	AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_MAX_ATTEMPTS=1
export AWS_CONFIG_FILE=$TMP/none AWS_SHARED_CREDENTIALS_FILE=$TMP/none
unset EBCTL_APP EBCTL_ENV AWS_PROFILE EBCTL_JOBS
dockerrun='{"AWSEBDockerrunVersion": 2, "containerDefinitions": [{"name": "web", "image": "nginx:1.25", "essential": true, "memory": 128, "portMappings": [{"hostPort": 80, "containerPort": 80}]}]}'

# many files: the threads that compress are busy when the signal comes
many=$TMP/many; mkdir -p "$many"; echo "$dockerrun" >"$many/Dockerrun.aws.json"
for i in $(seq -w 1 400); do truncate -s 8M "$many/part$i.bin"; done
# one file of 3 GiB: streamed by the writer, MiB by MiB
one=$TMP/one; mkdir -p "$one"; echo "$dockerrun" >"$one/Dockerrun.aws.json"
truncate -s 3G "$one/data.bin"
small=$TMP/small; mkdir -p "$small"; echo "$dockerrun" >"$small/Dockerrun.aws.json"
mkdir -p "$TMP/tmpdir"

# started GLOB ERR: wait (up to 30 s) until the temporary zip GLOB exists,
# then (up to 3 s) for the progress line in ERR; fails without the line.
started() {
	local i
	for i in $(seq 1 300); do compgen -G "$1" >/dev/null && break; sleep 0.1; done
	for i in $(seq 1 30); do grep -q "bundling: " "$2" && return 0; sleep 0.1; done
	return 1
}
# stop PID SIG: send SIG, wait; sets rc and took (seconds, to a tenth).
stop() {
	local t0 t1
	t0=$(date +%s%N)
	kill -"$2" "$1"
	wait "$1"; rc=$?
	t1=$(date +%s%N)
	took=$(((t1 - t0) / 100000000)) # tenths
}

# interrupt WHAT SIG GLOB MESSAGE CMD...: run CMD in the background, send SIG
# once the temporary zip GLOB exists and the progress shows; it must exit
# 130 within 2 s, with MESSAGE as the one message about the interruption.
interrupt() {
	local what=$1 sig=$2 glob=$3 message=$4 pid; shift 4
	"$@" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	if started "$glob" "$TMP/err"; then ok "$what: a progress line after the first second ($(grep -m1 'bundling: ' "$TMP/err"))"
	else not_ok "$what: no progress line while the zip is written"; fi
	stop "$pid" "$sig"
	expect_eq "$rc" 130 "$what: SIG$sig exits 130"
	[ "$took" -le 20 ] && ok "$what: SIG$sig stopped it in $took tenths of a second" || not_ok "$what: SIG$sig took $took tenths of a second to stop it"
	expect_err "$message" "$what: SIG$sig: says what was left"
	expect_eq "$(grep -c interrupted "$TMP/err")" 1 "$what: SIG$sig: one message about it"
}

expect_rc 0 "a small bundle" "$EBCTL" bundle -C "$small" -o "$TMP/small.zip"
expect_not_err "bundling:" "a bundle written within a second shows no progress"

# ebctl bundle, signalled once its progress shows
for sig in TERM INT HUP; do
	rm -f "$many"/bundle.zip*
	interrupt bundle "$sig" "$many/bundle.zip.*" "ebctl: interrupted (SIG$sig): no bundle written" \
		"$EBCTL" bundle -C "$many" --all -j 2 -o "$many/bundle.zip"
	expect_eq "$(cd "$many" && ls -A | grep -c '^bundle\.zip')" 0 "bundle: SIG$sig: no zip, partial or temporary, in the tree"
	expect_eq "$(cat "$TMP/out")" "" "bundle: SIG$sig: no result on stdout"
done
# the lines: "ebctl: bundling: N of M files, X of Y MiB", at most one a second
expect_eq "$(grep -c 'bundling: ' "$TMP/err" | awk '{print ($1 >= 1)}')" 1 "progress lines are plain lines off a terminal"
if grep -vE '^ebctl: (bundling: [0-9]+ of 401 files, [0-9.]+ of 3200\.0 MiB|interrupted .*)$' "$TMP/err" | grep -q .; then
	not_ok "progress lines have the documented form"; sed 's/^/#   /' "$TMP/err"
else ok "progress lines name files and MiB done of the total"; fi

# five seconds: at most five lines (one a second, none in the first)
"$EBCTL" bundle -C "$one" --all -o "$TMP/one.zip" >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 5
stop "$pid" TERM
n=$(grep -c 'bundling: ' "$TMP/err")
[ "$n" -ge 2 ] && [ "$n" -le 5 ] && ok "one line a second at most ($n in 5 s)" || not_ok "$n progress lines in 5 s"
expect_eq "$rc" 130 "a streamed file: SIGTERM exits 130"
[ "$took" -le 20 ] && ok "a streamed file: stopped in $took tenths of a second" || not_ok "a streamed file: took $took tenths of a second to stop"
expect_eq "$(ls -A "$TMP" | grep -c '^one\.zip')" 0 "a streamed file: no zip, partial or temporary, beside -o"

# --quiet: no progress, the interruption still said
"$EBCTL" -q bundle -C "$many" --all -j 2 -o "$TMP/q.zip" >"$TMP/out" 2>"$TMP/err" &
pid=$!
for i in $(seq 1 300); do compgen -G "$TMP/q.zip.*" >/dev/null && break; sleep 0.1; done
sleep 1.5 # past the first second, when a progress line would show
stop "$pid" INT
expect_eq "$rc" 130 "--quiet: SIGINT exits 130"
expect_not_err "bundling:" "--quiet: no progress line"
expect_err "interrupted (SIGINT)" "--quiet: the interruption is still an error message"

# on a terminal: one line redrawn with \r, ended by a line feed
if command -v script >/dev/null 2>&1; then
	"${OFF_CI[@]}" script -qec "sh -c '\"$EBCTL\" bundle -C \"$one\" --all -o \"$TMP/tty.zip\" & p=\$!; sleep 3.5; kill -TERM \$p; wait \$p'" /dev/null >"$TMP/tty" 2>&1
	if grep -q $'\rbundling: ' "$TMP/tty"; then ok "terminal: the line is redrawn with a carriage return"
	else not_ok "terminal: no redrawn line"; od -c "$TMP/tty" | head -5 | sed 's/^/#   /'; fi
	expect_eq "$(grep -c 'ebctl: bundling' "$TMP/tty")" 0 "terminal: no plain progress lines"
	if tr '\r' '\n' <"$TMP/tty" | grep -q '^ebctl: interrupted (SIGTERM)'; then ok "terminal: the message after the progress starts a line of its own"
	else not_ok "terminal: the message does not start a line"; od -c "$TMP/tty" | tail -5 | sed 's/^/#   /'; fi
else
	ok "# SKIP script(1) is not installed: progress on a terminal"
fi

# ebctl deploy while it bundles: nothing reaches the network, and nothing
# is left in TMPDIR (the bundle is written in a directory of its own there)
for sig in TERM HUP; do
	interrupt deploy "$sig" "$TMP/tmpdir/ebctl-bundle.*/bundle.zip.*" "interrupted (SIG$sig): nothing was deployed" \
		env TMPDIR="$TMP/tmpdir" "$EBCTL" deploy -C "$one" --all --app shop --env shop-dev
	expect_not_err "127.0.0.1:9" "deploy: SIG$sig: no request was attempted"
	expect_eq "$(ls -A "$TMP/tmpdir")" "" "deploy: SIG$sig: nothing left in TMPDIR"
	expect_eq "$(ls -A "$one")" "$(printf 'Dockerrun.aws.json\ndata.bin')" "deploy: SIG$sig: nothing left in the tree"
done
finish
