# One version to three environments at once; settings from EBCTL_* and config.yml.
. "$TESTS_DIR/lib.sh"
. "$TESTS_DIR/integration/deploy.lib"
deploy_setup "--deploy-seconds 0.5" multi multi-a multi-b multi-c

expect_rc 0 "deploy to three environments" "$EBCTL" deploy --app multi --env multi-a,multi-b --env multi-c \
	--bucket rel -C "$app" --label m1 --wait-ready --timeout 2m
for e in multi-a multi-b multi-c; do
	expect_out "$e: success" "summary line for $e"
	expect_eq "$(env_field $e VersionLabel)" "m1" "$e runs the new label"
	expect_err "$e: " "events of $e are prefixed with its name"
done
expect_eq "$(count_versions multi)" "1" "one version for all three"

# Settings from the environment and from an eb CLI project's config.yml;
# --env on the command line replaces EBCTL_ENV.
mkdir -p "$app/.elasticbeanstalk"
printf 'branch-defaults:\n  default:\n    environment: multi-b\nglobal:\n  application_name: multi\n' \
	>"$app/.elasticbeanstalk/config.yml"
echo "# m2" >>"$app/.ebextensions/01-health.config"
expect_rc 0 "app and env from config.yml" env EBCTL_BUCKET_NAME=rel EBCTL_LABEL=m2 EBCTL_TIMEOUT=2m \
	"$EBCTL" deploy -C "$app"
expect_eq "$(env_field multi-b VersionLabel)" "m2" "config.yml's environment was updated"
expect_eq "$(env_field multi-a VersionLabel)" "m1" "the others were not"
expect_rc 0 "--env replaces EBCTL_ENV" env EBCTL_ENV=multi-a EBCTL_BUCKET=rel "$EBCTL" deploy -C "$app" \
	--env multi-c --label m2 --timeout 2m
expect_eq "$(env_field multi-c VersionLabel)" "m2" "the flag's environment was updated"
expect_eq "$(env_field multi-a VersionLabel)" "m1" "EBCTL_ENV's environment was not"

# A missing environment stops before anything changes.
expect_rc 1 "an unknown environment" "$EBCTL" deploy --app multi --env multi-a --env nosuch --bucket rel \
	-C "$app" --label m3 --timeout 2m
expect_err "environment 'nosuch' not found in application 'multi'" "names the missing environment"
expect_eq "$(env_field multi-a VersionLabel)" "m1" "no environment was updated"
finish
