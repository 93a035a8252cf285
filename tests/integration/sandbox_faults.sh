# The sandbox's command line and its faults as a client meets them on the wire:
# startup errors, SIGTERM, dropped and truncated responses, slow responses,
# faults aimed at one S3 operation, the skewed Date header, the state endpoint.
. "$TESTS_DIR/lib.sh"

SB=$TESTS_DIR/sandbox/sandbox
if command -v aws >/dev/null 2>&1; then AWS_CLI=(aws); else AWS_CLI=("$PYTHON" -m awscli); fi

# --- command line
mkdir -p "$TMP/nomoto/moto"
echo 'raise ImportError("moto is missing")' >"$TMP/nomoto/moto/__init__.py"
expect_rc 1 "without moto the sandbox exits 1" env PYTHONPATH="$TMP/nomoto" "$SB" --port 1
expect_err 'pip install "moto[server]"' "without moto: how to install it"
expect_eq "$(wc -l <"$TMP/err")" 1 "without moto: one line"
expect_rc 2 "a bad fault spec is refused" "$SB" --port 1 --faults throttle=lots
expect_err "throttle" "bad fault spec: the key is named"

sandbox_start --deploy-seconds 0.2 --faults seed=3 || { not_ok "sandbox starts"; finish; }
ctl=$SANDBOX_URL/_sandbox
awsx() { "${AWS_CLI[@]}" --endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1 --output text "$@"; }
# wire SPEC WHAT: set the faults, make one raw HTTP request, print what the client saw.
wire() {
	"$PYTHON" - "$SANDBOX_URL" "$@" <<-'EOF'
	import http.client, json, sys, urllib.parse, urllib.request
	url, spec, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
	req = urllib.request.Request(url + "/_sandbox/faults", data=json.dumps({"spec": spec}).encode(), method="POST")
	urllib.request.urlopen(req).read()
	u = urllib.parse.urlparse(url)
	c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
	try:
	    c.request("GET", "/")
	    r = c.getresponse()
	    body = r.read()
	    print("response", r.status, r.getheader("Date"), len(body))
	except http.client.IncompleteRead:
	    print("truncated")
	except (ConnectionError, http.client.RemoteDisconnected):
	    print("dropped")
	except TimeoutError:
	    print("timeout")
	EOF
}

expect_rc 0 "reset=1" wire "reset=1" 5
expect_out dropped "reset: the connection is dropped without a response"
expect_rc 0 "truncate=1" wire "truncate=1" 5
expect_out truncated "truncate: the body is cut short"
expect_rc 0 "slow=1" wire "slow=1,delay=3" 0.5
expect_out timeout "slow: the response comes after the client's timeout"
expect_rc 0 "skew=-3600" wire "skew=-3600" 5
date_hdr=$(sed -n 's/^response [0-9]* \(.*GMT\) [0-9]*$/\1/p' "$TMP/out")
off=$("$PYTHON" -c 'import sys, time, email.utils; print(round((email.utils.parsedate_to_datetime(sys.argv[1]).timestamp() - time.time()) / 60))' "$date_hdr")
expect_eq "$off" "-60" "skew: the Date header runs an hour behind"
wire "" 5 >/dev/null

# --- a fault aimed at one S3 operation
echo hello >"$TMP/hello.txt"
awsx s3 mb s3://faulty >/dev/null || not_ok "make a bucket"
"$PYTHON" -c 'import json,sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=json.dumps({"spec": "throttle=1,only=PutObject"}).encode(), method="POST")).read()' "$ctl/faults"
expect_rc 1 "PutObject meets the fault" env AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard "${AWS_CLI[@]}" \
	--endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1 s3 cp "$TMP/hello.txt" s3://faulty/hello.txt
expect_err "SlowDown" "S3 throttling is SlowDown"
expect_rc 0 "other S3 operations do not" awsx s3api head-bucket --bucket faulty
expect_rc 0 "neither do Elastic Beanstalk calls" awsx elasticbeanstalk describe-applications

# --- open multipart uploads in the state endpoint
"$PYTHON" -c 'import json,sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"{\"spec\": \"\"}", method="POST")).read()' "$ctl/faults"
expect_rc 0 "create-multipart-upload" awsx s3api create-multipart-upload --bucket faulty --key big.bin --query UploadId
upload=$(cat "$TMP/out")
expect_rc 0 "state endpoint" "$PYTHON" -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' "$ctl/state"
expect_out "$upload" "state lists the open multipart upload"

# --- SIGTERM stops it cleanly
kill -TERM "$SANDBOX_PID"
wait "$SANDBOX_PID"
expect_eq "$?" 0 "SIGTERM: exit 0"

finish
