# ebctl sign: the contract in DESIGN.md, both AWS suites through the binary,
# and a differential run against botocore.
. "$TESTS_DIR/lib.sh"
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
unset AWS_SESSION_TOKEN AWS_PROFILE

# Both suites, every stage the CLI prints, through the shared checker.
if out=$("$PYTHON" "$SHARED/tools/check-sigv4" "$EBCTL" 2>&1); then ok "check-sigv4: $out"
else not_ok "check-sigv4: $out"; fi

req=$TMP/req
printf 'GET /?b=2&a=1 HTTP/1.1\nHost:example.amazonaws.com\n' >"$req"
expect_rc 0 "sign a request from a file" "$EBCTL" sign --service service --region us-east-1 --time 20150830T123600Z "$req"
expect_out "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=" "the default output is the signed request"
expect_out "X-Amz-Date:20150830T123600Z" "X-Amz-Date is added"
expect_rc 0 "sign from stdin" sh -c "\"$EBCTL\" sign --service service --region us-east-1 --time 20150830T123600Z --print creq - <'$req'"
expect_out "a=1&b=2" "the canonical query is sorted"
expect_rc 0 "presign" "$EBCTL" sign --service s3 --region us-east-1 --time 20150830T123600Z --presign 900 "$req"
expect_out "https://example.amazonaws.com/?" "presign prints a URL by default"
expect_out "X-Amz-Expires=900" "the URL carries the expiry"
printf 'GET /a b/\303\251+%%2F?x=1 HTTP/1.1\nHost: example.amazonaws.com \n' >"$TMP/space"
run "$EBCTL" sign --service s3 --region us-east-1 --time 20150830T123600Z --presign 60 "$TMP/space"
expect_out "https://example.amazonaws.com/a%20b/%C3%A9+%2F?x=1&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" \
	"the URL's path is encoded as on the wire, the request's parameters first"
AWS_SESSION_TOKEN=secrettoken run "$EBCTL" sign --service s3 --region us-east-1 --time 20150830T123600Z "$req"
expect_out "X-Amz-Security-Token:secrettoken" "a session token is added and signed"
expect_out "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "S3 gets x-amz-content-sha256"
run "$EBCTL" sign --service s3 --region us-east-1 --time 20150830T123600Z --unsigned-payload "$req"
expect_out "x-amz-content-sha256:UNSIGNED-PAYLOAD" "--unsigned-payload"
hello=2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824
printf 'PUT /k HTTP/1.1\nHost:b.s3.amazonaws.com\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n\nhello' >"$TMP/given"
run "$EBCTL" sign --service s3 --region us-east-1 --time 20150830T123600Z --print creq "$TMP/given"
expect_eq "$(grep x-amz-content-sha256: "$TMP/out"):$(tail -n 1 "$TMP/out")" "x-amz-content-sha256:$hello:$hello" \
	"S3 replaces a given x-amz-content-sha256 with the body's hash"
run "$EBCTL" sign --service service --region us-east-1 --time 20150830T123600Z --print creq "$TMP/given"
expect_eq "$(tail -n 1 "$TMP/out")" "UNSIGNED-PAYLOAD" "another service signs what x-amz-content-sha256 says"
printf 'GET / HTTP/1.1\nHost:example.amazonaws.com\nAuthorization:AWS4-HMAC-SHA256 stale\nX-Amz-Security-Token:stale\n' >"$TMP/resigned"
AWS_SESSION_TOKEN=fresh run "$EBCTL" sign --service service --region us-east-1 --time 20150830T123600Z "$TMP/resigned"
expect_eq "$(grep -ci '^authorization:' "$TMP/out"):$(grep -i '^x-amz-security-token:' "$TMP/out")" \
	"1:X-Amz-Security-Token:fresh" "a signed request's Authorization and token are replaced"
printf 'GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20140101T000000Z\n' >"$TMP/dated"
run "$EBCTL" sign --service service --region us-east-1 --print sts "$TMP/dated"
expect_eq "$(sed -n 2p "$TMP/out")" "20140101T000000Z" "without --time the request's X-Amz-Date is the signing time"
run "$EBCTL" sign --service service --region us-east-1 --time 20150830T123600Z "$TMP/dated"
expect_eq "$(grep -i '^x-amz-date:' "$TMP/out")" "X-Amz-Date:20150830T123600Z" "--time replaces the request's X-Amz-Date"
printf 'GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:yesterday\n' >"$TMP/baddate"
expect_rc 1 "an X-Amz-Date that is not a time" "$EBCTL" sign --service service --region us-east-1 "$TMP/baddate"
expect_err "X-Amz-Date is not of the form YYYYMMDDTHHMMSSZ" "the bad X-Amz-Date is named"

# Usage and input errors.
expect_rc 2 "--service is required" "$EBCTL" sign --region us-east-1 "$req"
expect_err "--service is required" "missing --service is named"
expect_rc 2 "a bad --time" "$EBCTL" sign --service s3 --region us-east-1 --time yesterday "$req"
expect_rc 2 "a bad --print" "$EBCTL" sign --service s3 --region us-east-1 --print everything "$req"
expect_err "must be one of creq,sts,authz,sreq,url" "the choices are listed"
expect_rc 2 "--print url needs --presign" "$EBCTL" sign --service s3 --region us-east-1 --print url "$req"
expect_rc 1 "a missing file" "$EBCTL" sign --service s3 --region us-east-1 "$TMP/nope"
expect_err "cannot read '$TMP/nope': No such file or directory" "the missing file is named"
printf 'GET / HTTP/1.1\nnot a header\n' >"$TMP/bad"
expect_rc 1 "a malformed request" "$EBCTL" sign --service s3 --region us-east-1 "$TMP/bad"
expect_err "not a 'Name:value' header line" "the malformed line is described"
printf 'GET / HTTP/1.1\nX-A:b\n' >"$TMP/nohost"
expect_rc 1 "no Host header" "$EBCTL" sign --service s3 --region us-east-1 "$TMP/nohost"
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; export AWS_CONFIG_FILE=$TMP/none AWS_SHARED_CREDENTIALS_FILE=$TMP/none AWS_EC2_METADATA_DISABLED=true
 expect_rc 3 "no credentials" "$EBCTL" sign --service s3 --region us-east-1 "$req")

# Credentials from a profile, through the same chain as every command.
printf '[ci]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n' >"$TMP/credentials"
run "$EBCTL" sign --service service --region us-east-1 --time 20150830T123600Z --print authz "$req"
want=$(cat "$TMP/out")
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
 export AWS_SHARED_CREDENTIALS_FILE=$TMP/credentials AWS_CONFIG_FILE=$TMP/none
 expect_rc 0 "sign with --profile" "$EBCTL" sign --profile ci --service service --region us-east-1 --time 20150830T123600Z --print authz "$req"
 expect_eq "$(cat "$TMP/out")" "$want" "a profile signs exactly as the environment does"
 expect_rc 3 "a missing profile" "$EBCTL" sign --profile nosuch --service service --region us-east-1 "$req"
 expect_err "nosuch" "the missing profile is named"
 AWS_PROFILE=ci run "$EBCTL" sign --service service --region us-east-1 --time 20150830T123600Z --print authz "$req"
 expect_eq "$(cat "$TMP/out")" "$want" "AWS_PROFILE names the chain's profile")
# The environment's keys come before AWS_PROFILE, as in every command and
# botocore; only --profile skips them.
(export AWS_SHARED_CREDENTIALS_FILE=$TMP/credentials AWS_CONFIG_FILE=$TMP/none AWS_PROFILE=ci AWS_ACCESS_KEY_ID=AKIDENVIRONMENT
 run "$EBCTL" sign --service service --region us-east-1 --time 20150830T123600Z --print authz "$req"
 expect_out "Credential=AKIDENVIRONMENT/" "environment keys win over AWS_PROFILE"
 run "$EBCTL" sign --profile ci --service service --region us-east-1 --time 20150830T123600Z --print authz "$req"
 expect_eq "$(cat "$TMP/out")" "$want" "--profile skips the environment's keys")

# The secret never appears in any output.
run "$EBCTL" --debug sign --service s3 --region us-east-1 "$req"
expect_not_out "wJalrXUtnFEMI" "the secret is not printed"
expect_not_err "wJalrXUtnFEMI" "the secret is not logged"

# botocore, the reference, on a few hundred generated requests. The
# comparator prints one TAP line per case; a missing botocore, a crash or a
# run that stops early is a failure, not a silent pass.
cases=300
"$PYTHON" "$TESTS_DIR/cli/sign_botocore.py" "$EBCTL" "$cases" 20151 >"$TMP/botocore.tap" 2>"$TMP/botocore.err"
brc=$?
cat "$TMP/botocore.tap"
done=$(grep -cE '^(ok|not ok|# skip) - botocore case ' "$TMP/botocore.tap")
skipped=$(grep -c '^# skip - botocore case ' "$TMP/botocore.tap")
if [ "$brc" -eq 0 ] && [ "$done" -eq "$cases" ]; then
	ok "botocore agrees on all $((cases - skipped)) generated requests it is the reference for ($skipped where the AWS suites rule)"
else
	not_ok "the botocore comparison exited $brc after $done of $cases cases"
	sed 's/^/#   /' "$TMP/botocore.err" | tail -15
fi
finish
