# Helpers for the operate_*.sh integration tests (sourced after lib.sh and
# sandbox_start): the aws CLI against the sandbox, bounded waits, and an
# application with a running environment.

export EBCTL_POLL_MS=${EBCTL_POLL_MS:-100} AWS_MAX_ATTEMPTS=${AWS_MAX_ATTEMPTS:-2}

awsx() { aws --endpoint-url "$AWS_ENDPOINT_URL" --region "$AWS_REGION" --output json "$@"; }

# wait_for FILE TEXT: until FILE contains TEXT, at most 30 s.
wait_for() {
	local i
	for i in $(seq 1 300); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

# json_get FIELD: a top-level field of the JSON object on stdin.
json_get() { "$PYTHON" -c 'import json, sys; v = json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else v)' "$1"; }

# wait_ready ENV: until the environment is Ready, at most 60 s.
wait_ready() {
	local i st
	for i in $(seq 1 600); do
		st=$(awsx elasticbeanstalk describe-environments --environment-names "$1" \
			--query 'Environments[0].Status' --output text 2>/dev/null)
		[ "$st" = Ready ] && return 0
		sleep 0.1
	done
	echo "# environment $1 is still '$st'"
	return 1
}

# make_env APP ENV LABEL: an application, a version LABEL from an uploaded
# bundle, and an environment running it, Ready.
make_env() {
	local app=$1 env=$2 label=$3 bucket=operate-bundles
	mkdir -p "$TMP/bundle"
	printf '{"AWSEBDockerrunVersion": 2, "containerDefinitions": []}\n' >"$TMP/bundle/Dockerrun.aws.json"
	(cd "$TMP/bundle" && zip -q -X "$TMP/bundle.zip" Dockerrun.aws.json)
	awsx s3 mb "s3://$bucket" >/dev/null 2>&1
	awsx s3 cp "$TMP/bundle.zip" "s3://$bucket/$app/$label.zip" >/dev/null &&
		awsx elasticbeanstalk create-application --application-name "$app" >/dev/null &&
		awsx elasticbeanstalk create-application-version --application-name "$app" --version-label "$label" \
			--source-bundle "S3Bucket=$bucket,S3Key=$app/$label.zip" >/dev/null &&
		awsx elasticbeanstalk create-environment --application-name "$app" --environment-name "$env" \
			--version-label "$label" --solution-stack-name "64bit Amazon Linux 2023 v4.3.0 running ECS" >/dev/null &&
		wait_ready "$env"
}
