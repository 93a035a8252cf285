# From an empty account: ebctl create, deploy --create, --platform resolution,
# the CNAME and IAM checks, option settings in the same update, terminate,
# list, platforms and tags, against the sandbox.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
sandbox_start --deploy-seconds 1 || { not_ok "sandbox starts"; finish; }
eb_aws s3api create-bucket --bucket rel >/dev/null || { not_ok "bucket"; finish; }
app=$TMP/app; make_app "$app" 1.0
export EBCTL_POLL_MS=200

# Nothing exists yet: the application and the environment are created, the
# bundle deployed, and the watcher waits until it is Green.
expect_rc 0 "create from nothing" "$EBCTL" create --app fresh --env fresh-web --bucket rel -C "$app" \
	--label v1 --cname fresh-shop --tag team=web --timeout 2m
expect_err "created application 'fresh'" "the application is created"
expect_err "platform: ECS running on 64bit Amazon Linux 2023 4.3.1" "a v2 Dockerrun gets the newest ECS platform"
expect_out "fresh-web: success: running 'v1', Ready, health Green" "the verdict"
expect_eq "$(env_field fresh-web VersionLabel)" "v1" "the environment runs the bundle"
expect_eq "$(env_field fresh-web CNAME)" "fresh-shop.us-east-1.elasticbeanstalk.com" "with the CNAME asked for"
expect_eq "$(env_field fresh-web PlatformArn)" \
	"arn:aws:elasticbeanstalk:us-east-1::platform/ECS running on 64bit Amazon Linux 2023/4.3.1" "on that platform"
expect_rc 1 "create refuses an environment that exists" "$EBCTL" create --app fresh --env fresh-web \
	--bucket rel -C "$app" --label v1 --timeout 1m
expect_err "environment 'fresh-web' of application 'fresh' already exists" "and says so"

# --platform: exact, friendly, ambiguous, unknown; a Dockerrun the platform cannot run.
for want in "ECS running on 64bit Amazon Linux 2023" "ecs" "ECS Amazon Linux 2023" \
	"64bit Amazon Linux 2023 v4.2.8 running ECS"; do
	expect_rc 1 "--platform '$want' resolves (then the CNAME check fails)" "$EBCTL" create --app fresh \
		--env fresh-p --bucket rel -C "$app" --label v1 --platform "$want" --cname fresh-shop
	expect_err "platform: ECS running on 64bit Amazon Linux 2023" "'$want' is ECS on Amazon Linux 2023"
done
expect_rc 2 "an ambiguous --platform" "$EBCTL" create --app fresh --env fresh-p --bucket rel -C "$app" \
	--label v1 --platform "amazon linux 2023"
expect_err "platform 'amazon linux 2023' is ambiguous: it matches 'Docker running on 64bit Amazon Linux 2023', 'ECS running on 64bit Amazon Linux 2023'" \
	"lists the candidates"
expect_rc 2 "an unknown --platform" "$EBCTL" create --app fresh --env fresh-p --bucket rel -C "$app" \
	--label v1 --platform "node.js"
expect_err "no platform matches 'node.js'; the platforms are:" "lists the platforms"
expect_rc 1 "a v2 Dockerrun on a Docker platform" "$EBCTL" create --app fresh --env fresh-p --bucket rel \
	-C "$app" --label v1 --platform docker
expect_err "a version 2 Dockerrun.aws.json does not run on 'Docker running on 64bit Amazon Linux 2023" \
	"names the mismatch"

# A taken CNAME and a missing instance profile are caught before anything is created.
expect_rc 1 "a taken CNAME" "$EBCTL" create --app fresh --env fresh-two --bucket rel -C "$app" --label v1 \
	--cname fresh-shop
expect_err "the CNAME 'fresh-shop.us-east-1.elasticbeanstalk.com' is taken" "says the CNAME is taken"
expect_rc 1 "a missing instance profile" "$EBCTL" create --app other --env other-web --bucket rel -C "$app" \
	--label v1 --instance-profile nosuch-profile
expect_err "the instance profile 'nosuch-profile' does not exist" "names the profile"
expect_err "aws iam create-instance-profile --instance-profile-name nosuch-profile" "and how to create it"
expect_eq "$(eb_aws elasticbeanstalk describe-applications --application-names other --query 'length(Applications)')" \
	"0" "nothing was created"
expect_eq "$(eb_aws elasticbeanstalk describe-environments --environment-names other-web \
	--query 'length(Environments)')" "0" "no environment either"

# deploy --create twice: creates, then deploys; option settings in the same update.
expect_rc 0 "deploy --create creates" "$EBCTL" deploy --create --app fresh --env fresh-stg --bucket rel \
	-C "$app" --label v2 --timeout 2m
expect_err "fresh-stg: creating with 'v2'" "the environment is created"
echo "# v3" >>"$app/.ebextensions/01-health.config"
printf '[{"Namespace": "aws:elasticbeanstalk:application:environment", "OptionName": "FROM_FILE", "Value": "1"}]\n' \
	>"$TMP/settings.json"
before=$(curl -sf "$SANDBOX_URL/_sandbox/calls" | "$PYTHON" -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if c[2] == "UpdateEnvironment"))')
expect_rc 0 "deploy --create to an environment that exists deploys" "$EBCTL" deploy --create --app fresh \
	--env fresh-stg --bucket rel -C "$app" --label v3 --option aws:autoscaling:asg:MaxSize=3 \
	--option-settings "$TMP/settings.json" --timeout 2m
after=$(curl -sf "$SANDBOX_URL/_sandbox/calls" | "$PYTHON" -c 'import json,sys; print(sum(1 for c in json.load(sys.stdin)["calls"] if c[2] == "UpdateEnvironment"))')
expect_eq "$((after - before))" 1 "one UpdateEnvironment carried the version and the settings"
expect_eq "$(env_field fresh-stg VersionLabel)" "v3" "the new version runs"
settings=$(eb_aws elasticbeanstalk describe-configuration-settings --application-name fresh \
	--environment-name fresh-stg --output json)
for want in '"OptionName": "MaxSize", "Value": "3"' '"OptionName": "FROM_FILE", "Value": "1"'; do
	if echo "$settings" | "$PYTHON" -c 'import json,sys; s=json.load(sys.stdin)["ConfigurationSettings"][0]["OptionSettings"]; print("\n".join(json.dumps({"OptionName": o["OptionName"], "Value": o.get("Value")})[1:-1] for o in s))' |
		grep -qF "$want"; then ok "the setting $want is applied"; else not_ok "the setting $want is missing"; fi
done
printf 'option_settings:\n  aws:elasticbeanstalk:application:environment:\n    FROM_YAML: "yes"\n' >"$TMP/settings.yml"
echo "# v4" >>"$app/.ebextensions/01-health.config"
expect_rc 0 "--option-settings in .ebextensions YAML" "$EBCTL" deploy --app fresh --env fresh-stg --bucket rel \
	-C "$app" --label v4 --option-settings "$TMP/settings.yml" --timeout 2m
expect_rc 2 "a malformed --option" "$EBCTL" deploy --app fresh --env fresh-stg --bucket rel -C "$app" \
	--option MaxSize=3

# list, status --app, platforms, tags
expect_rc 0 "list" "$EBCTL" list
expect_out "fresh" "list shows the application"
expect_rc 0 "list --app" "$EBCTL" list --app fresh
expect_out "fresh-web" "the application's environments"
expect_out "fresh-stg" "all of them"
expect_rc 0 "list --app --format json" "$EBCTL" list --app fresh --format json
if "$PYTHON" -c 'import json,sys; a=json.load(sys.stdin); e={x["environment"]: x for x in a}; assert e["fresh-web"]["status"] == "Ready" and e["fresh-web"]["version_label"] == "v1" and e["fresh-web"]["tier"] == "WebServer", a' <"$TMP/out"; then
	ok "list JSON has status, label and tier"; else not_ok "list JSON"; sed 's/^/#   /' "$TMP/out"; fi
expect_rc 0 "status --app without --env lists" "$EBCTL" status --app fresh
expect_out "fresh-stg" "status lists the environments"
expect_rc 1 "list of an application that does not exist" "$EBCTL" list --app nosuchapp
expect_rc 0 "platforms" "$EBCTL" platforms
expect_out "ECS running on 64bit Amazon Linux 2      " "platforms lists the branches"
expect_out "Deprecated" "with their lifecycle"
expect_rc 0 "platforms docker --format json" "$EBCTL" platforms Docker --format json
if "$PYTHON" -c 'import json,sys; a=json.load(sys.stdin); assert a and all(p["branch"].startswith("Docker") for p in a), a' <"$TMP/out"; then
	ok "a filter keeps the matching branches"; else not_ok "platforms filter"; fi
expect_rc 0 "tags" "$EBCTL" tags --app fresh --env fresh-web
expect_out "team=web" "create's --tag is there"
expect_rc 0 "tags add and remove" "$EBCTL" tags --app fresh --env fresh-web owner=ops team=
expect_out "owner=ops" "the tag is added"
expect_not_out "team=" "and the other removed"
expect_rc 0 "tags again" "$EBCTL" tags --env fresh-web --format json
expect_eq "$("$PYTHON" -c 'import json,sys; print(json.load(sys.stdin))' <"$TMP/out")" "{'owner': 'ops'}" "round trip"

# A worker environment gets the platform's queue, or the one given.
expect_rc 0 "create --tier worker" "$EBCTL" create --app fresh --env fresh-worker --bucket rel -C "$app" \
	--label v4 --tier worker --timeout 2m
expect_eq "$(env_field fresh-worker Tier.Name)" "Worker" "a worker environment"
expect_eq "$(eb_aws elasticbeanstalk describe-configuration-settings --application-name fresh \
	--environment-name fresh-worker --query "ConfigurationSettings[0].OptionSettings[?OptionName=='WorkerQueueURL'].Value" |
	grep -c 'https://sqs.us-east-1.amazonaws.com/')" "1" "with a queue"

# What the up-front check saves a user from: the sandbox, like EB, launches an
# environment whose instance profile is missing, and then it goes Red.
eb_aws elasticbeanstalk create-environment --application-name fresh --environment-name fresh-noprof \
	--solution-stack-name "64bit Amazon Linux 2023 v4.3.1 running ECS" \
	--option-settings Namespace=aws:autoscaling:launchconfiguration,OptionName=IamInstanceProfile,Value=nosuch >/dev/null
wait_status fresh-noprof Ready
expect_eq "$(env_field fresh-noprof Health)" "Red" "EB's own way: Ready, then Red"
expect_rc 0 "its events" "$EBCTL" events --app fresh --env fresh-noprof
expect_out "The instance profile nosuch associated with the environment does not exist." "EB's ERROR event"
expect_eq "$(eb_aws elasticbeanstalk describe-platform-version --platform-arn \
	"arn:aws:elasticbeanstalk:us-east-1::platform/ECS running on 64bit Amazon Linux 2/3.8.0" \
	--query PlatformDescription.PlatformBranchLifecycleState)" "Deprecated" "DescribePlatformVersion gives the lifecycle"

# upgrade: to the newest version of the branch, or to another branch; status
# warns about a deprecated branch.
expect_rc 0 "create on an older version of a branch" "$EBCTL" create --app fresh --env fresh-old --bucket rel \
	-C "$app" --label v4 --platform "64bit Amazon Linux 2023 v4.2.8 running ECS" --cname fresh-old --timeout 2m
expect_rc 0 "upgrade to the newest of its branch" "$EBCTL" upgrade --env fresh-old --timeout 2m
expect_err "to ECS running on 64bit Amazon Linux 2023 4.3.1" "says where it moves"
expect_out "fresh-old: success: running 'v4', Ready, health Green" "and waits for it"
expect_eq "$(env_field fresh-old PlatformArn)" \
	"arn:aws:elasticbeanstalk:us-east-1::platform/ECS running on 64bit Amazon Linux 2023/4.3.1" "the new platform"
expect_rc 0 "upgrade again" "$EBCTL" upgrade --env fresh-old
expect_out "already on ECS running on 64bit Amazon Linux 2023 4.3.1" "leaves it alone"
expect_rc 0 "create on a deprecated branch" "$EBCTL" create --app fresh --env fresh-al2 --bucket rel -C "$app" \
	--label v4 --platform "ECS running on 64bit Amazon Linux 2" --timeout 2m
expect_rc 0 "status" "$EBCTL" status --env fresh-al2
expect_err "the platform branch 'ECS running on 64bit Amazon Linux 2' of 'fresh-al2' is Deprecated" \
	"status warns about a deprecated branch"
expect_err "ebctl upgrade --env fresh-al2 --platform ecs" "and says how to move off it"
expect_rc 0 "upgrade to another branch" "$EBCTL" upgrade --env fresh-al2 --platform ecs --timeout 2m
expect_rc 0 "status after" "$EBCTL" status --env fresh-al2
expect_not_err "Deprecated" "no warning on a supported branch"

# terminate: refused without a terminal unless --force, then followed to Terminated.
expect_rc 2 "terminate without a terminal and without --force" "$EBCTL" terminate --env fresh-stg </dev/null
expect_err "give --force" "says how"
expect_eq "$(env_field fresh-stg Status)" "Ready" "nothing was terminated"
expect_rc 0 "terminate --force" "$EBCTL" terminate --env fresh-stg --force --timeout 1m
expect_out "fresh-stg: success: terminated" "waits until it is Terminated"
expect_eq "$(eb_aws elasticbeanstalk describe-environments --environment-names fresh-stg --include-deleted \
	--query 'Environments[0].Status')" "Terminated" "the environment is Terminated"
expect_rc 1 "terminate an environment that is gone" "$EBCTL" terminate --env fresh-stg --force
finish
