# The bytes of an upload are checked end to end: the parts of a multipart
# upload go as UNSIGNED-PAYLOAD with a CRC32 that S3 checks (the single PUT
# signs the bundle's SHA-256), so a byte flipped on the way is refused and
# sent again, and the object that lands is the bundle. The sandbox refuses
# what S3 refuses (tests/sandbox/checksums.py), with S3's errors.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
sandbox_start --deploy-seconds 0.3 || { not_ok "sandbox start"; finish; }
eb_aws s3api create-bucket --bucket sums >/dev/null && create_envs sums sums-env ||
	{ not_ok "sandbox setup"; finish; }

# The sandbox itself, by raw requests.
run "$PYTHON" "$TESTS_DIR/integration/s3_checksum_probe.py" sums probe.bin
[ "$rc" -eq 0 ] || { not_ok "the probe ran: $(tail -3 "$TMP/err")"; }
probe() { grep "^$1 " "$TMP/out" | cut -d' ' -f2-; }
expect_eq "$(probe put-good)" "200 - -" "an UNSIGNED-PAYLOAD PUT with the right CRC32 is stored"
expect_eq "$(probe put-bad)" "400 BadDigest The CRC32 you specified did not match the calculated checksum." \
	"a CRC32 that is not the body's: BadDigest"
expect_eq "$(probe put-invalid)" "400 InvalidRequest Value for x-amz-checksum-crc32 header is invalid." \
	"a CRC32 that is no CRC32: InvalidRequest"
case $(probe put-sdk-alone) in "400 InvalidRequest x-amz-sdk-checksum-algorithm specified"*)
	ok "an algorithm without its checksum: InvalidRequest" ;;
*) not_ok "an algorithm without its checksum: $(probe put-sdk-alone)" ;; esac
expect_eq "$(probe put-sha-mismatch)" \
	"400 XAmzContentSHA256Mismatch The provided 'x-amz-content-sha256' header does not match what was computed." \
	"a signed payload hash that is not the body's: XAmzContentSHA256Mismatch"
case $(probe put-header-changed) in "403 SignatureDoesNotMatch "*)
	ok "UNSIGNED-PAYLOAD still signs the headers: one changed after signing is refused" ;;
*) not_ok "a header changed after signing: $(probe put-header-changed)" ;; esac
expect_eq "$(probe part-bad)" "400 BadDigest The CRC32 you specified did not match the calculated checksum." \
	"a part whose CRC32 is not its bytes': BadDigest"
expect_eq "$(probe part-none)" \
	"400 InvalidRequest Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: null" \
	"a part without the checksum its upload named: InvalidRequest"
expect_eq "$(probe part-good)" "200 - -" "a part with its CRC32 is stored"
case $(probe complete-missing) in "400 InvalidRequest The upload was created using a crc32 checksum."*)
	ok "a Complete without the parts' checksums: InvalidRequest" ;;
*) not_ok "a Complete without the parts' checksums: $(probe complete-missing)" ;; esac
case $(probe complete-wrong) in "400 InvalidPart "*) ok "a Complete with a wrong part checksum: InvalidPart" ;;
*) not_ok "a Complete with a wrong part checksum: $(probe complete-wrong)" ;; esac
expect_eq "$(probe complete-good)" "200 composite ok" "Complete answers the composite CRC32 of the parts"

# ebctl through a proxy that flips one byte of a request body.
fault_proxy_start "$AWS_ENDPOINT_URL" || { not_ok "fault proxy start"; finish; }
proxy=$FAULT_PROXY
fault() { curl -sS -X "${2:-POST}" "$proxy/__fault" ${1:+-d "$1"}; }
make_app "$TMP/app" ok
head -c $((12 * 1024 * 1024)) /dev/urandom >"$TMP/app/payload.bin" # two parts
deploy() { # label, then more options
	local label=$1; shift
	echo "$label" >"$TMP/app/case.txt"
	run env AWS_ENDPOINT_URL_S3="$proxy" AWS_MAX_ATTEMPTS=3 EBCTL_RETRY_BASE_MS=5 \
		"$EBCTL" deploy --app sums --env sums-env --bucket sums -C "$TMP/app" --all --label "$label" \
		--timeout 2m "$@"
}
stored_is_bundle() { # desc
	local keys key sum
	keys=$(eb_aws s3api list-objects-v2 --bucket sums --prefix sums/ --query 'Contents[?ends_with(Key, `.zip`)].Key')
	[ "$keys" != None ] || { not_ok "$1: no bundle stored"; return; }
	key=$(echo "$keys" | tr '\t' '\n' | grep -v '/versions/' | while read -r k; do
			eb_aws s3api get-object --bucket sums --key "$k" "$TMP/got.zip" >/dev/null
			sum=$(sha256sum "$TMP/got.zip" | cut -d' ' -f1)
			[ "sums/$sum.zip" = "$k" ] || echo "$k"
		done)
	expect_eq "$key" "" "$1: every stored bundle is its name's bytes"
}

fault '{"step": "UploadPart", "fault": "corrupt", "count": 1}' >/dev/null
deploy corrupt-part
expect_eq "$rc" 0 "a part damaged on the way: the deploy succeeds"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$TMP/err"
seen=$(fault "" GET)
case $seen in *'"hits": 1'*'"UploadPart": 3'*) ok "the damaged part was refused and sent again" ;;
*) not_ok "the damaged part was refused and sent again: $seen" ;; esac
stored_is_bundle "after a damaged part"
expect_eq "$(eb_aws s3api list-multipart-uploads --bucket sums --query 'length(Uploads || `[]`)')" "0" \
	"no multipart upload left open"

fault '{"step": "UploadPart", "fault": "corrupt", "count": -1}' >/dev/null
deploy corrupt-every-part
expect_eq "$rc" 3 "every part damaged: exit 3"
expect_err "BadDigest" "the message names S3's refusal"
expect_eq "$(eb_aws s3api list-multipart-uploads --bucket sums --query 'length(Uploads || `[]`)')" "0" \
	"the refused upload was aborted"

# A bundle that shrinks while it is sent: the parts read from the file as
# they go out, and the ones still to send are not there. The first four
# parts' answers are held back (every slot busy), the zip is cut meanwhile:
# a local error (exit 1) that says so, not a network one, no upload left.
head -c $((48 * 1024 * 1024)) /dev/urandom >"$TMP/app/payload.bin" # six parts
echo shrink >"$TMP/app/case.txt"
expect_rc 0 "a six-part bundle" "$EBCTL" bundle -C "$TMP/app" --all -o "$TMP/shrink.zip"
fault '{"step": "UploadPart", "fault": "slow", "count": 4}' >/dev/null
env AWS_ENDPOINT_URL_S3="$proxy" "$EBCTL" deploy --app sums --env sums-env --bucket sums \
	--bundle "$TMP/shrink.zip" --label shrink --timeout 2m >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 400); do case $(fault "" GET) in *'"hits": 4'*) break ;; esac; sleep 0.05; done
truncate -s $((10 * 1024 * 1024)) "$TMP/shrink.zip"
wait "$pid"; rc=$?
expect_eq "$rc" 1 "a bundle cut while it is sent: exit 1"
expect_err "IOError: cannot read the body: the file shrank while it was sent" "the message says what happened"
expect_eq "$(eb_aws s3api list-multipart-uploads --bucket sums --query 'length(Uploads || `[]`)')" "0" \
	"the upload was aborted"
# parts 5 and 6 may both have started when the file was found short; a
# retry of either would make 7 or more
parts=$(fault "" GET | sed -n 's/.*"UploadPart": \([0-9]*\).*/\1/p')
[ -n "$parts" ] && [ "$parts" -le 6 ] && ok "no part was sent again: no retry can help ($parts requests)" ||
	not_ok "no part was sent again: $(fault "" GET)"
rm "$TMP/app/payload.bin"

# The single PUT of a small bundle: its signed SHA-256 is the check.
fault '{"step": "PutObject", "fault": "corrupt", "count": 1}' >/dev/null
deploy corrupt-put
expect_eq "$rc" 0 "a single PUT damaged on the way: the deploy succeeds"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$TMP/err"
# (the proxy counts the CopyObject to the version's key as a PutObject too)
case $(fault "" GET) in *'"hits": 1'*'"PutObject": 3'*) ok "the damaged PUT was refused and sent again" ;;
*) not_ok "the damaged PUT was refused and sent again: $(fault "" GET)" ;; esac
stored_is_bundle "after a damaged PUT"
finish
