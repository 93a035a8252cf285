# ebctl logs against a hostile server (tests/fakes/hostile_server.py): an
# instance id that climbs out of -o DIR, a link planted in a shared -o DIR,
# a zip bomb, an endless download, a disk that fills (a file size limit),
# and next tokens that repeat for ever.
. "$TESTS_DIR/lib.sh"

cd "$TMP" || exit 1
cfg=$TMP/hostile.json
echo '{"instances": []}' >"$cfg"
fake_start hostile_server.py --config "$cfg" || { not_ok "hostile_server.py starts"; finish; }
export AWS_ENDPOINT_URL=$HOSTILE_URL AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDEXAMPLE \
	AWS_SECRET_ACCESS_KEY=secret AWS_MAX_ATTEMPTS=1 EBCTL_POLL_MS=50 EBCTL_RETRY_BASE_MS=10
export AWS_CONFIG_FILE=$TMP/none AWS_SHARED_CREDENTIALS_FILE=$TMP/none
unset AWS_PROFILE AWS_SESSION_TOKEN EBCTL_APP EBCTL_ENV
count() { "$PYTHON" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/__count?action=" + sys.argv[2]).read().decode())' "$HOSTILE_URL" "$1"; }
# bundle ZIP NAME=SIZE...: a zip of files of zeros.
bundle() {
	"$PYTHON" - "$@" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for spec in sys.argv[2:]:
        name, size = spec.split("=")
        z.writestr(name, b"\0" * int(size))
PY
}
instances() { echo "{\"instances\": [$1]}" >"$cfg"; }

# ---- 1. the instance id is one safe path component
bundle "$TMP/small.zip" important.txt=10
mkdir -p "$TMP/a/b/out"
instances "{\"id\": \"../../victim\", \"bundle\": \"$TMP/small.zip\"}"
expect_rc 0 "logs --all with an instance id that climbs out" "$EBCTL" logs --env env1 --all -o "$TMP/a/b/out"
if [ -e "$TMP/a/victim" ] || [ -e "$TMP/victim" ]; then not_ok "the bundle was written outside -o DIR"; else ok "nothing written outside -o DIR"; fi
expect_out "$TMP/a/b/out/%2E%2E%2F%2E%2E%2Fvictim/" "the id is escaped into one component"
expect_err "not an EC2 instance id" "the odd id is pointed out"
if [ -f "$TMP/a/b/out/%2E%2E%2F%2E%2E%2Fvictim/important.txt" ]; then ok "the bundle is unpacked inside -o DIR"; else not_ok "the escaped directory holds the bundle"; fi
instances "{\"id\": \"..\", \"bundle\": \"$TMP/small.zip\"}"
expect_rc 0 "logs --zip with the instance id '..'" "$EBCTL" logs --env env1 --zip -o "$TMP/a/b/out2"
if [ -e "$TMP/a/b/...zip" ]; then not_ok "'..' wrote next to -o DIR"; else ok "'..' stays inside -o DIR"; fi

# A link planted in a shared -o DIR is not followed, for the zip or the unpacked files.
mkdir -p "$TMP/shared" "$TMP/elsewhere"
echo precious >"$TMP/elsewhere/target"
ln -s "$TMP/elsewhere/target" "$TMP/shared/i-0abc.zip"
instances "{\"id\": \"i-0abc\", \"bundle\": \"$TMP/small.zip\"}"
expect_rc 1 "logs --zip into a directory with a planted link" "$EBCTL" logs --env env1 --zip -o "$TMP/shared"
expect_eq "$(cat "$TMP/elsewhere/target")" precious "the link's target is untouched"
expect_err "cannot create '$TMP/shared/i-0abc.zip'" "the refusal names the file"
rm "$TMP/shared/i-0abc.zip"
ln -s "$TMP/elsewhere" "$TMP/shared/i-0abc"
expect_rc 1 "logs --all into a directory with a planted directory link" "$EBCTL" logs --env env1 --all -o "$TMP/shared"
if [ -e "$TMP/elsewhere/important.txt" ]; then not_ok "unpacked through the planted link"; else ok "nothing unpacked through the planted link"; fi
if [ -e "$TMP/shared/i-0abc.zip" ]; then not_ok "the zip stays after a failure"; else ok "the zip is removed after a failure"; fi

# ---- 3. size limits
bundle "$TMP/bomb.zip" a.log=3000000 b.log=3000000
instances "{\"id\": \"i-0b0b\", \"bundle\": \"$TMP/bomb.zip\"}"
expect_rc 1 "a zip bomb stops at the ratio" "$EBCTL" logs --env env1 --all -o "$TMP/bomb"
expect_err "the compression ratio limit" "says which limit"
if [ -z "$(find "$TMP/bomb" -mindepth 1 -not -name '.' 2>/dev/null)" ]; then ok "no partial files are left"; else not_ok "partial files left: $(find "$TMP/bomb" | head)"; fi
expect_rc 0 "EBCTL_LOGS_MAX_RATIO raises the ratio" env EBCTL_LOGS_MAX_RATIO=100000 "$EBCTL" logs --env env1 --all -o "$TMP/bomb2"
expect_rc 1 "EBCTL_LOGS_MAX_UNPACKED_MB caps the total" env EBCTL_LOGS_MAX_RATIO=100000 EBCTL_LOGS_MAX_UNPACKED_MB=4 "$EBCTL" logs --env env1 --all -o "$TMP/bomb3"
expect_err "more than 4194304 bytes (the unpacked size limit)" "says the unpacked size limit"

instances '{"id": "i-0e0e", "endless": true}'
expect_rc 1 "an endless download stops at the cap" timeout 60 env EBCTL_LOGS_MAX_DOWNLOAD_MB=2 "$EBCTL" logs --env env1 --zip -o "$TMP/endless"
expect_err "larger than 2097152 bytes" "says the download was too large"
expect_err "EBCTL_LOGS_MAX_DOWNLOAD_MB" "names the setting"
if [ -e "$TMP/endless/i-0e0e.zip" ]; then not_ok "the partial download stays"; else ok "the partial download is removed"; fi

# A short write reports its own errno (a file size limit stands in for a full disk).
bundle "$TMP/big.zip" big.log=400000
instances "{\"id\": \"i-0f0f\", \"bundle\": \"$TMP/big.zip\"}"
expect_rc 1 "a write that fails" bash -c "trap '' XFSZ; ulimit -f 200; exec \"\$0\" logs --env env1 --all -o '$TMP/full'" "$EBCTL"
expect_err "File too large" "the real errno is reported"
expect_not_err "File exists" "not a stale errno"

# ---- 8. next tokens that repeat
instances "{\"id\": \"i-0abc\", \"bundle\": \"$TMP/small.zip\"}"
echo "{\"instances\": [], \"repeat_token\": true}" >"$cfg"
run timeout --preserve-status -s INT 4 "$EBCTL" logs --env env1 -f
if [ "$rc" -eq 130 ]; then ok "logs -f with repeating tokens runs until interrupted (exit 130)"; else not_ok "logs -f with repeating tokens: exit $rc"; sed 's/^/#   /' "$TMP/err" | head; fi
expect_out "a line" "the page is shown"
g=$(count DescribeLogGroups) f=$(count FilterLogEvents)
if [ "$g" -le 10 ]; then ok "DescribeLogGroups: the repeated token is not followed ($g requests)"; else not_ok "DescribeLogGroups: $g requests"; fi
if [ "$f" -le 200 ]; then ok "FilterLogEvents: the repeated token is not followed ($f requests)"; else not_ok "FilterLogEvents: $f requests"; fi
expect_rc 0 "events with a repeating token" timeout 20 "$EBCTL" events --env env1 --since 1h
finish
