# The sandbox driven by the official aws CLI: a whole deployment, the scripted
# outcomes, events, option settings, logs, signature checks and faults.
. "$TESTS_DIR/lib.sh"

if command -v aws >/dev/null 2>&1; then AWS_CLI=(aws); else AWS_CLI=("$PYTHON" -m awscli); fi
sandbox_start --deploy-seconds 1 || { not_ok "sandbox starts"; finish; }
ok "sandbox starts with signature checking on"

awsx() { "${AWS_CLI[@]}" --endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1 --output text "$@"; }
eb() { awsx elasticbeanstalk "$@"; }
# http METHOD URL [BODY]: plain HTTP (presigned URLs, control endpoint); body on stdout.
http() {
	"$PYTHON" - "$@" <<-'EOF'
	import sys, urllib.request, urllib.error
	method, url = sys.argv[1], sys.argv[2]
	data = sys.argv[3].encode() if len(sys.argv) > 3 else None
	try:
	    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method), timeout=20) as r:
	        sys.stdout.buffer.write(r.read())
	except urllib.error.HTTPError as e:
	    sys.stdout.buffer.write(e.read()); sys.exit(1)
	EOF
}
# bundle FILE IMAGE...: a source bundle whose Dockerrun.aws.json (v2) runs these images.
bundle() {
	local out=$1; shift
	"$PYTHON" - "$out" "$@" <<-'EOF'
	import json, sys, zipfile
	out, images = sys.argv[1], sys.argv[2:]
	doc = {"AWSEBDockerrunVersion": 2, "containerDefinitions": [
	    {"name": f"c{i}", "image": im, "essential": True, "memory": 128} for i, im in enumerate(images)]}
	with zipfile.ZipFile(out, "w") as z:
	    z.writestr("Dockerrun.aws.json", json.dumps(doc))
	EOF
}
env_field() { eb describe-environments --environment-names shop-web --query "Environments[0].$1"; }
# wait_ready: poll until the environment is Ready (bounded).
wait_ready() {
	local i s
	for i in $(seq 1 150); do
		s=$(env_field Status)
		[ "$s" = Ready ] && return 0
		sleep 0.2
	done
	echo "# environment still '$s'"
	return 1
}
# wait_event TEXT: poll describe-events until a message contains TEXT (bounded).
wait_event() {
	local i
	for i in $(seq 1 150); do
		eb describe-events --environment-name shop-web --query 'Events[].Message' | grep -qF -- "$1" && return 0
		sleep 0.2
	done
	return 1
}

# --- applications, storage, environment launch
expect_rc 0 "create-application" eb create-application --application-name shop
expect_rc 0 "create-storage-location" eb create-storage-location
bucket=$(cat "$TMP/out")
expect_eq "$bucket" "elasticbeanstalk-us-east-1-123456789012" "storage bucket is EB's name"
expect_rc 0 "create-environment" eb create-environment --application-name shop --environment-name shop-web \
	--solution-stack-name "64bit Amazon Linux 2 v3.8.0 running ECS" --query Status
expect_out Launching "a new environment is launching"
wait_ready && ok "environment launches to Ready" || not_ok "environment launches to Ready"
expect_eq "$(env_field Health)" Green "a launched environment is Green"
case $(env_field CNAME) in shop-web.*.elasticbeanstalk.com) ok "environment has a CNAME" ;; *) not_ok "environment CNAME" ;; esac
expect_rc 0 "describe-applications" eb describe-applications --query 'Applications[].ApplicationName'
expect_out shop "describe-applications lists the application"

# --- versions
bundle "$TMP/good.zip" "nginx:1.25" "example/api:2.0"
bundle "$TMP/fail.zip" "nginx:1.25" "example/api:fail-deploy"
bundle "$TMP/sick.zip" "example/api:unhealthy"
bundle "$TMP/slow.zip" "registry.local:5000/example/api:slow"
for b in good fail sick slow; do awsx s3 cp "$TMP/$b.zip" "s3://$bucket/shop/$b.zip" >/dev/null || not_ok "upload $b"; done
expect_rc 0 "create-application-version with --process" eb create-application-version --application-name shop \
	--version-label v1 --source-bundle "S3Bucket=$bucket,S3Key=shop/good.zip" --process \
	--query ApplicationVersion.Status
expect_out PROCESSING "a processed version starts PROCESSING"
for b in fail sick slow; do
	eb create-application-version --application-name shop --version-label "v-$b" \
		--source-bundle "S3Bucket=$bucket,S3Key=shop/$b.zip" >/dev/null || not_ok "create version v-$b"
done
expect_rc 255 "a duplicate label is rejected" eb create-application-version --application-name shop \
	--version-label v1 --source-bundle "S3Bucket=$bucket,S3Key=shop/good.zip"
expect_err "InvalidParameterValue" "duplicate label: InvalidParameterValue"
expect_err "Application Version v1 already exists." "duplicate label: EB's text"
expect_rc 255 "a version of a missing S3 object is rejected" eb create-application-version --application-name shop \
	--version-label v9 --source-bundle "S3Bucket=$bucket,S3Key=shop/none.zip"
expect_err "Unable to download from S3 location (Bucket: $bucket Key: shop/none.zip). Reason: Not Found" \
	"missing object: EB's text"
for i in $(seq 1 50); do
	st=$(eb describe-application-versions --application-name shop --version-labels v1 --query 'ApplicationVersions[0].Status')
	[ "$st" = PROCESSED ] && break; sleep 0.1
done
expect_eq "$st" PROCESSED "a processed version reaches PROCESSED"
expect_rc 0 "describe-application-versions" eb describe-application-versions --application-name shop \
	--query 'ApplicationVersions[].VersionLabel'
expect_eq "$(tr '\t' ' ' <"$TMP/out")" "v-slow v-sick v-fail v1" "versions are listed newest first"

# --- a good deployment
"${AWS_CLI[@]}" --endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1 --debug elasticbeanstalk update-environment \
	--environment-name shop-web --version-label v1 >"$TMP/update.json" 2>"$TMP/update.debug"
rid=$(grep -o '<ResponseMetadata><RequestId>[^<]*' "$TMP/update.debug" | head -1 | sed 's/.*>//')
expect_eq "$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["Status"], d["VersionLabel"])' "$TMP/update.json")" \
	"Updating v1" "update-environment returns the updating environment"
wait_ready && ok "deployment reaches Ready" || not_ok "deployment reaches Ready"
expect_eq "$(env_field VersionLabel)" v1 "describe-environments shows the new label"
expect_eq "$(env_field Health)" Green "a good deployment is Green"
expect_rc 0 "events of the update by RequestId" eb describe-events --request-id "$rid" --query 'Events[].Message' --output json
for m in "Environment update is starting." "Deploying new version to instance(s)." \
	"New application version was deployed to running EC2 instances." "Environment update completed successfully."; do
	expect_out "$m" "update event: $m"
done
expect_eq "$(eb describe-events --request-id "$rid" --query 'Events[0].Message')" \
	"Environment update completed successfully." "events come newest first"

# --- :fail-deploy
expect_rc 0 "deploy a failing version" eb update-environment --environment-name shop-web --version-label v-fail
wait_event "Failed to deploy application." && ok "ERROR event: Failed to deploy application." || not_ok "fail-deploy event"
wait_ready || not_ok "fail-deploy returns to Ready"
expect_eq "$(env_field VersionLabel)" v1 "a failed deployment returns to the previous label"
expect_rc 0 "errors by severity" eb describe-events --environment-name shop-web --severity ERROR --query 'Events[].Severity' --output json
expect_not_out INFO "--severity ERROR leaves out INFO"
expect_out ERROR "--severity ERROR keeps errors"
wait_event "Environment health has transitioned from Info to Severe." && ok "health went Red" || not_ok "health went Red"
for i in $(seq 1 100); do [ "$(env_field Health)" = Green ] && break; sleep 0.1; done
expect_eq "$(env_field Health)" Green "health comes back Green after a failed deployment"

# --- :unhealthy
expect_rc 0 "deploy an unhealthy version" eb update-environment --environment-name shop-web --version-label v-sick
wait_ready || not_ok "unhealthy deployment reaches Ready"
expect_eq "$(env_field VersionLabel)" v-sick "an unhealthy version runs"
expect_eq "$(env_field Health)" Red "an unhealthy version is Red"
expect_rc 0 "describe-environment-health" eb describe-environment-health --environment-name shop-web \
	--attribute-names All --output json
expect_out '"Color": "Red"' "health colour Red"
expect_out '"HealthStatus": "Severe"' "health status Severe"
expect_out '"Severe": 2' "both instances Severe"
expect_out "ELB health is failing" "causes are given"

# --- :slow and abort
expect_rc 0 "deploy a slow version" eb update-environment --environment-name shop-web --version-label v-slow
# A slow update stays Updating for ten times --deploy-seconds: long enough to be refused.
expect_rc 255 "an update while updating is rejected" eb update-environment --environment-name shop-web --version-label v1
expect_err "Environment named shop-web is in an invalid state for this operation. Must be Ready." "invalid state: EB's text"
expect_rc 0 "abort-environment-update" eb abort-environment-update --environment-name shop-web
wait_ready || not_ok "aborted update reaches Ready"
expect_eq "$(env_field VersionLabel)" v-sick "an aborted update returns to the previous label"
expect_rc 255 "abort without an update is rejected" eb abort-environment-update --environment-name shop-web
expect_err "InvalidParameterValue" "abort when Ready: InvalidParameterValue"

# --- event filters and paging
all=$(eb describe-events --environment-name shop-web --query 'length(Events)')
expect_rc 0 "max-records 3" eb describe-events --environment-name shop-web --max-records 3 --output json
expect_eq "$("$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["Events"]))' "$TMP/out")" 3 "a page holds MaxRecords events"
expect_out '"NextToken"' "a short page has a NextToken"
paged=0 token=""
for i in $(seq 1 200); do
	if [ -n "$token" ]; then set -- --next-token "$token"; else set --; fi
	eb describe-events --environment-name shop-web --max-records 4 "$@" --output json >"$TMP/page.json" || break
	n=$("$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["Events"]), d.get("NextToken",""))' "$TMP/page.json")
	paged=$((paged + ${n%% *})); token=${n#* }
	[ -n "$token" ] || break
done
expect_eq "$paged" "$all" "paging with NextToken visits every event once"
expect_rc 0 "filter by version label" eb describe-events --version-label v-fail --query 'Events[].VersionLabel' --output json
expect_not_out '"v1"' "--version-label keeps only that version's events"
expect_out '"v-fail"' "--version-label finds the version's events"
first=$(eb describe-events --request-id "$rid" --query 'Events[-1].EventDate')
expect_rc 0 "filter by end time" eb describe-events --environment-name shop-web --end-time "$first" --query 'Events[].Message' --output json
expect_not_out "Environment update" "--end-time leaves out later events"
expect_out "createEnvironment is starting." "--end-time keeps earlier events"
expect_rc 0 "filter by start time" eb describe-events --environment-name shop-web --start-time "$first" --query 'Events[].Message' --output json
expect_not_out "createEnvironment is starting." "--start-time leaves out earlier events"
expect_rc 255 "max-records 0 is rejected" eb describe-events --max-records 0

# --- setenv-style option settings
NS=aws:elasticbeanstalk:application:environment
expect_rc 0 "set environment properties" eb update-environment --environment-name shop-web --option-settings \
	"Namespace=$NS,OptionName=GREETING,Value=hello world" "Namespace=$NS,OptionName=MODE,Value=prod"
wait_ready || not_ok "configuration update reaches Ready"
expect_rc 0 "describe-configuration-settings" eb describe-configuration-settings --application-name shop \
	--environment-name shop-web --query "ConfigurationSettings[0].OptionSettings[?Namespace=='$NS'].[OptionName,Value]"
expect_out "GREETING	hello world" "a property round-trips"
expect_out "MODE	prod" "a second property round-trips"
expect_rc 0 "remove a property" eb update-environment --environment-name shop-web --options-to-remove "Namespace=$NS,OptionName=MODE"
wait_ready || not_ok "removal reaches Ready"
eb describe-configuration-settings --application-name shop --environment-name shop-web \
	--query "ConfigurationSettings[0].OptionSettings[?Namespace=='$NS'].OptionName" >"$TMP/out"
expect_out GREETING "the other property stays"
expect_not_out MODE "options-to-remove removes the property"

# --- logs
for kind in tail bundle; do
	expect_rc 0 "request-environment-info $kind" eb request-environment-info --environment-name shop-web --info-type $kind
	for i in $(seq 1 100); do
		n=$(eb describe-events --environment-name shop-web --query "length(Events[?Message=='requestEnvironmentInfo completed successfully.'])")
		[ "$n" -ge 1 ] && [ "$kind" = tail ] && break
		[ "$n" -ge 2 ] && break
		sleep 0.1
	done
	expect_rc 0 "retrieve-environment-info $kind" eb retrieve-environment-info --environment-name shop-web --info-type $kind \
		--query 'EnvironmentInfo[].Message' --output json
	urls=$("$PYTHON" -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))))' "$TMP/out")
	expect_eq "$(echo "$urls" | grep -c X-Amz-Signature)" 2 "$kind: a presigned URL per instance"
	url=$(echo "$urls" | head -1)
	if [ "$kind" = tail ]; then
		expect_rc 0 "download a tail log" http GET "$url"
		expect_out "/var/log/eb-engine.log" "the tail log has the engine log"
		expect_out "Environment update completed successfully." "the tail log tells the deployments"
	else
		http GET "$url" >"$TMP/logs.zip"
		expect_rc 0 "the bundle is a zip" "$PYTHON" -c 'import zipfile,sys; print(zipfile.ZipFile(sys.argv[1]).namelist())' "$TMP/logs.zip"
		expect_out "var/log/eb-engine.log" "the bundle has the engine log"
	fi
done
expect_rc 0 "log pull events" eb describe-events --environment-name shop-web --query 'Events[].Message' --output json
expect_out "Completed RequestEnvironmentInfo activity." "a per-instance log pull event"

# --- signature checking
expect_rc 255 "a wrong secret on S3" env AWS_SECRET_ACCESS_KEY=wrong-secret "${AWS_CLI[@]}" --endpoint-url "$AWS_ENDPOINT_URL" \
	--region us-east-1 s3api get-object --bucket "$bucket" --key shop/good.zip "$TMP/again.zip"
expect_err SignatureDoesNotMatch "S3: SignatureDoesNotMatch"
expect_rc 255 "a wrong secret on Elastic Beanstalk" env AWS_SECRET_ACCESS_KEY=wrong-secret "${AWS_CLI[@]}" \
	--endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1 elasticbeanstalk describe-environments
expect_err SignatureDoesNotMatch "EB: SignatureDoesNotMatch"
expect_rc 255 "a wrong secret on UpdateEnvironment" env AWS_SECRET_ACCESS_KEY=wrong-secret "${AWS_CLI[@]}" \
	--endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1 elasticbeanstalk update-environment --environment-name shop-web --version-label v1
expect_err SignatureDoesNotMatch "EB update: SignatureDoesNotMatch"
expect_eq "$(env_field VersionLabel)" v-sick "a refused update changes nothing"

# --- faults: the same seed gives the same faults
ctl=$SANDBOX_URL/_sandbox
run_faulty() { # one pass of 12 calls, each once (no retries): prints the exit codes
	local i codes=""
	http POST "$ctl/faults" '{"spec": "throttle=0.3,error500=0.2,reset=0.1,seed=7,only=eb"}' >/dev/null
	for i in $(seq 1 12); do
		AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard eb describe-applications >/dev/null 2>>"$TMP/faults.err"
		codes="$codes$?"
	done
	echo "$codes"
}
one=$(run_faulty); http GET "$ctl/faults" >"$TMP/f1.json"
two=$(run_faulty); http GET "$ctl/faults" >"$TMP/f2.json"
expect_eq "$one" "$two" "the same seed gives the same outcomes ($one)"
case $one in *0*) ok "some calls succeed" ;; *) not_ok "no call succeeded: $one" ;; esac
case $one in *[1-9]*) ok "some calls meet a fault" ;; *) not_ok "no fault met: $one" ;; esac
expect_eq "$(jq -c .injected "$TMP/f1.json")" "$(jq -c .injected "$TMP/f2.json")" "the control endpoint logs the same faults"
grep -q Throttling "$TMP/faults.err" && ok "throttling reaches the client" || not_ok "no Throttling error seen"
expect_rc 0 "faults limited to eb leave S3 alone" awsx s3 cp "s3://$bucket/shop/good.zip" "$TMP/again.zip"
http POST "$ctl/faults" '{"spec": "skew=1800"}' >/dev/null
expect_rc 255 "a signature 30 minutes off the skewed clock is refused" eb describe-applications
expect_err "Signature expired" "skew: Signature expired"
expect_rc 255 "S3 refuses it too" awsx s3api get-object --bucket "$bucket" --key shop/good.zip "$TMP/again.zip"
expect_err "RequestTimeTooSkewed" "skew on S3: RequestTimeTooSkewed"
http POST "$ctl/faults" '{"spec": ""}' >/dev/null
expect_rc 0 "faults off again" eb describe-applications
# S3 signs the path as sent: keys with reserved and non-ASCII characters.
for k in "a+b=c" "it's (1)" "caf\303\251 100%"; do
	k=$(printf '%b' "$k")
	expect_rc 0 "put-object with the key '$k'" awsx s3api put-object --bucket "$bucket" --key "odd/$k" \
		--body "$TMP/again.zip"
	expect_rc 0 "head-object of '$k'" awsx s3api head-object --bucket "$bucket" --key "odd/$k"
done
expect_rc 0 "state endpoint" http GET "$ctl/state"
expect_out '"version_label": "v-sick"' "state shows the running label"
expect_rc 1 "a bad fault spec is refused" http POST "$ctl/faults" '{"spec": "throttle=2"}'
expect_out "probability" "bad spec: the reason"

finish
