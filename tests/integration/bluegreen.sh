# Blue/green and the operations on a running environment, against the sandbox:
# clone, swap (refused while the target is unhealthy), restart, rebuild, scale,
# and the versions' lifecycle policy.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 1" bg bg-blue
export EBCTL_POLL_MS=200 EBCTL_HEALTH_GRACE=2s
expect_rc 0 "deploy v1 to blue" "$EBCTL" deploy --app bg --env bg-blue --bucket rel -C "$app" --label v1 \
	--wait-ready --option aws:autoscaling:asg:MaxSize=3 --timeout 1m

expect_rc 0 "clone blue as green" "$EBCTL" clone --app bg --env bg-blue --to bg-green --timeout 1m
expect_out "bg-green: success: running 'v1'" "the clone runs blue's version"
settings() { eb_aws elasticbeanstalk describe-configuration-settings --application-name bg --environment-name "$1" \
	--query "ConfigurationSettings[0].OptionSettings[?Namespace=='aws:autoscaling:asg' && OptionName=='MaxSize'].Value"; }
expect_eq "$(settings bg-green)" "$(settings bg-blue)" "with blue's option settings"
expect_eq "$(settings bg-green)" "3" "the one set on blue included"

# green turns unhealthy: the swap is refused, blue keeps its URL
sick=$TMP/sick; make_app "$sick" unhealthy
expect_rc 5 "an unhealthy deploy to green" "$EBCTL" deploy --app bg --env bg-green --bucket rel -C "$sick" \
	--label sick --timeout 1m
blue_cname=$(env_field bg-blue CNAME); green_cname=$(env_field bg-green CNAME)
expect_rc 1 "swap refuses an unhealthy target" "$EBCTL" swap --app bg --env bg-blue --with bg-green
expect_err "refusing to swap: 'bg-green' is Ready with health Red" "says why"
expect_eq "$(env_field bg-blue CNAME)" "$blue_cname" "nothing was swapped"

echo "# v2" >>"$app/.ebextensions/01-health.config"
expect_rc 0 "a good deploy to green" "$EBCTL" deploy --app bg --env bg-green --bucket rel -C "$app" --label v2 \
	--timeout 1m
expect_rc 0 "swap" "$EBCTL" swap --app bg --env bg-blue --with bg-green --timeout 1m
expect_eq "$(env_field bg-green CNAME)" "$blue_cname" "green has blue's CNAME"
expect_eq "$(env_field bg-blue CNAME)" "$green_cname" "and blue green's"
expect_out "http://$blue_cname now serves 'v2' (bg-green)" "says which URL serves which version"

expect_rc 0 "restart" "$EBCTL" restart --app bg --env bg-green --timeout 1m
expect_err "restartAppServer is starting." "the restart's events"
expect_out "bg-green: success: running 'v2', Ready, health Green" "and its verdict"
expect_rc 2 "rebuild without a terminal and without --force" "$EBCTL" rebuild --app bg --env bg-green </dev/null
expect_rc 0 "rebuild --force" "$EBCTL" rebuild --app bg --env bg-green --force --timeout 1m
expect_err "rebuildEnvironment completed successfully." "the rebuild's events"
expect_rc 0 "scale 2..5" "$EBCTL" scale --app bg --env bg-green 2..5 --timeout 1m
expect_eq "$(eb_aws elasticbeanstalk describe-configuration-settings --application-name bg --environment-name bg-green \
	--query "ConfigurationSettings[0].OptionSettings[?OptionName=='MinSize' || OptionName=='MaxSize'].Value" | tr '\t' ' ')" \
	"5 2" "MinSize and MaxSize are set"
expect_rc 2 "scale with a bad count" "$EBCTL" scale --app bg --env bg-green 5..2

expect_rc 0 "versions lifecycle --max-count" "$EBCTL" versions lifecycle --app bg --max-count 50 --delete-bundles
expect_eq "$(eb_aws elasticbeanstalk describe-applications --application-names bg \
	--query 'Applications[0].ResourceLifecycleConfig.VersionLifecycleConfig.MaxCountRule.MaxCount')" "50" \
	"the policy is set"
expect_rc 2 "lifecycle needs a rule" "$EBCTL" versions lifecycle --app bg
finish
