# One fault, one answer: the faulty server (tests/fakes/faulty_server.py)
# and the fault proxy (tests/integration/faultproxy.py, here in front of the
# faulty server) take their faults from tests/fakes/faultkinds.py, so the
# same fault gets the same status and body from both, in each protocol; and
# both refuse a fault they do not know, naming the ones they do.
. "$TESTS_DIR/lib.sh"

fake_start faulty_server.py || { not_ok "faulty_server.py starts"; finish; }
fault_proxy_start "$FAULTY_URL" || { not_ok "faultproxy.py starts"; finish; }
ok "the faulty server at $FAULTY_URL, the proxy at $FAULT_PROXY in front of it"

# wire URL PROTOCOL: status and body of one request of that protocol, the
# request id left out (each server names its own).
wire() {
	case $2 in
	query) curl -sS -o "$TMP/body" -w '%{http_code}' -X POST "$1/" -d 'Action=DescribeEnvironments&Version=2010-12-01' ;;
	json) curl -sS -o "$TMP/body" -w '%{http_code}' -X POST "$1/" -H 'X-Amz-Target: Logs_20140328.GetLogEvents' \
		-H 'Content-Type: application/x-amz-json-1.1' -d '{}' ;;
	s3) curl -sS -o "$TMP/body" -w '%{http_code}' -X PUT "$1/bucket/key?partNumber=1&uploadId=u" --data-binary 'part' ;;
	esac
	echo
	sed -e 's|<RequestId>[^<]*</RequestId>||; s|<HostId>[^<]*</HostId>||' "$TMP/body"
}
script() { curl -sS -o /dev/null -w '%{http_code}' "$FAULTY_URL/__script?steps=$1"; }
rule() { curl -sS -o "$TMP/rule" -w '%{http_code}' -X POST "$FAULT_PROXY/__fault" -d "$1"; }

for fault in throttle slowdown error500 expired denied 503; do
	for protocol in query json s3; do
		script "$fault" >/dev/null
		from_server=$(wire "$FAULTY_URL" "$protocol")
		script ok >/dev/null
		rule "{\"step\": \"*\", \"fault\": \"$fault\", \"count\": 1}" >/dev/null
		from_proxy=$(wire "$FAULT_PROXY" "$protocol")
		expect_eq "$from_proxy" "$from_server" "$fault ($protocol): the same answer from the proxy and the server"
	done
done

script throttle >/dev/null
expect_eq "$(wire "$FAULTY_URL" query | head -1)" 400 "throttle on a Query call: HTTP 400"
expect_eq "$(wire "$FAULTY_URL" s3 | head -1)" 200 "a step is spent by one request"
script throttle >/dev/null
case $(wire "$FAULTY_URL" s3) in *SlowDown*) ok "throttle on S3: SlowDown, as S3 throttles" ;;
*) not_ok "throttle on S3 is not SlowDown" ;; esac

expect_eq "$(script ok,bogus)" 400 "the faulty server refuses a script with an unknown step"
curl -sS "$FAULTY_URL/__script?steps=bogus" >"$TMP/out"
expect_out "unknown fault 'bogus' (known: ok, etag, hang, drop, reset, skew, throttle" "and names the steps it knows"
curl -sS -X DELETE "$FAULT_PROXY/__fault" >/dev/null
expect_eq "$(rule '{"step": "*", "fault": "bogus"}')" 400 "the proxy refuses a rule with an unknown fault"
cp "$TMP/rule" "$TMP/out"
expect_out "unknown fault 'bogus' (known: throttle, slowdown, error500, expired" "and names the faults it knows"
expect_eq "$(curl -sS -X GET "$FAULT_PROXY/__fault" | sed -n 's/.*"rule": *\([a-z]*\).*/\1/p')" null \
	"the refused rule is not set"

finish
