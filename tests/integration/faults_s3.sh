# The fault matrix at the S3 steps of a deploy: the PUT of a small bundle,
# and the start, the parts and the completion of a multipart upload
# (tests/integration/faults.bash); then a server whose clock runs ahead.
. "$TESTS_DIR/integration/faults.bash"

matrix s3 PutObject CreateMultipartUpload UploadPart CompleteMultipartUpload

# A skewed clock belongs to the whole server, not to one step (and the
# sandbox checks every request's time against its own clock): a second
# sandbox is set 20 minutes ahead for each deploy; ebctl corrects from the
# first answer's Date and deploys, by one PUT and by multipart.
sandbox_start --deploy-seconds 0.3 || { not_ok "second sandbox start"; finish; }
backend=$SANDBOX_URL
awsx s3api create-bucket --bucket "$bucket" >/dev/null 2>"$TMP/aws.err" &&
	awsx elasticbeanstalk create-application --application-name "$app" >/dev/null 2>>"$TMP/aws.err" &&
	awsx elasticbeanstalk create-environment --application-name "$app" --environment-name "$env" \
		--solution-stack-name "64bit Amazon Linux 2023 v4.3.0 running ECS" >/dev/null 2>>"$TMP/aws.err" ||
	not_ok "second sandbox setup: $(cat "$TMP/aws.err")"
export AWS_ENDPOINT_URL=$SANDBOX_URL
skew() { curl -sS -X POST "$SANDBOX_URL/_sandbox/faults" -d "skew=$1" >/dev/null; }
for dir in "$small" "$big"; do
	desc="a server clock 20 minutes ahead ($(basename "$dir") bundle)"
	skew 1200
	run deploy "$dir" "skew-$(basename "$dir")"
	skew 0 # the invariants' client does not correct its clock
	[ "$rc" -eq 0 ] && msg=deployed || msg=$(tail -1 "$TMP/err")
	printf '%s\t%s\t%s\t%s\t%s\n' "every step ($(basename "$dir") bundle)" skew -1 "$rc" "$msg" >>"$results"
	if [ "$rc" -eq 0 ]; then ok "$desc: exit 0"
	else not_ok "$desc: exit $rc"; sed 's/^/#   err: /' "$TMP/err" | tail -4; fi
	invariants "$desc"
done
finish
