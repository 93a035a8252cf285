/* ebctl deploy: bundle, upload, create the version, update, verdict. */
#include "ebctl/cli.h"
#include "ebctl/deploy.h"
#include "ebctl/util.h"

#include <string.h>

int cmd_deploy(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "deploy", "[--app APP] [--env ENV]... [-C DIR | --bundle FILE.zip] [OPTIONS]",
	    "bundle, upload, create the version, update environments, wait for the verdict",
	    "Settings come from flags, then EBCTL_* variables, then .elasticbeanstalk/config.yml\n"
	    "(application_name, default_region, profile, branch-defaults ENV), then AWS profiles.\n"
	    "The verdict: success only when every environment runs the new label, is Ready and "
	    "its\n"
	    "health is in --healthy; failure as soon as an event of this update is an ERROR or "
	    "says\n"
	    "the deployment failed or rolled back.\n\n"
	    "Exit codes: 0 success, 1 invalid input, 2 usage, 3 AWS or network error, 4 "
	    "deployment\n"
	    "failed, 5 deployed but unhealthy, 6 timed out (it may still be running), 130 "
	    "interrupted."};
	struct deploy_settings s;
	const char *bucket_name = NULL, *zip_file = NULL;
	bool only_create = false;
	int n, rc;

	memset(&s, 0, sizeof(s));
	s.dir = ".";
	s.timeout = 20 * 60;
	s.healthy = "Green";
	s.format = "text";
	{
		const struct opt opts[] = {
		    {"app", 'a', OPT_STRING, &s.app, "APP", "the Elastic Beanstalk application",
		     "EBCTL_APP", 0, 0, NULL},
		    {"env", 'e', OPT_LIST, &s.envs, "ENV",
		     "an environment to update (repeat, or a comma list)", "EBCTL_ENV", 0, 0, NULL},
		    {"region", 0, OPT_STRING, &s.region, "REGION", "AWS region", "EBCTL_REGION", 0,
		     0, NULL},
		    {"profile", 0, OPT_STRING, &s.profile, "NAME", "AWS profile", "EBCTL_PROFILE",
		     0, 0, NULL},
		    {"role-arn", 0, OPT_STRING, &s.role_arn, "ARN",
		     "assume this role (GitHub Actions OIDC)", "EBCTL_ROLE_ARN", 0, 0, NULL},
		    {"bucket-name", 0, OPT_STRING, &bucket_name, "BUCKET",
		     "Travis name of --bucket", "EBCTL_BUCKET_NAME", 0, 0, NULL},
		    {"bucket", 0, OPT_STRING, &s.bucket, "BUCKET",
		     "S3 bucket (default: CreateStorageLocation)", "EBCTL_BUCKET", 0, 0, NULL},
		    {"bucket-path", 0, OPT_STRING, &s.bucket_path, "PATH",
		     "key prefix: PATH/APP/SHA256.zip", "EBCTL_BUCKET_PATH", 0, 0, NULL},
		    {"label", 'l', OPT_STRING, &s.label, "LABEL",
		     "version label (default: the commit, see docs/deploy.md)", "EBCTL_LABEL", 0, 0,
		     NULL},
		    {"description", 'm', OPT_STRING, &s.description, "TEXT",
		     "version description (default: commit subject)", "EBCTL_DESCRIPTION", 0, 0,
		     NULL},
		    {"directory", 'C', OPT_STRING, &s.dir, "DIR",
		     "the application directory (default .)", "EBCTL_DIRECTORY", 0, 0, NULL},
		    {"zip-file", 0, OPT_STRING, &zip_file, "FILE.zip", "Travis name of --bundle",
		     "EBCTL_ZIP_FILE", 0, 0, NULL},
		    {"bundle", 0, OPT_STRING, &s.bundle, "FILE.zip",
		     "deploy this prebuilt zip instead of bundling DIR", "EBCTL_BUNDLE", 0, 0,
		     NULL},
		    {"all", 0, OPT_BOOL, &s.all, NULL,
		     "bundle every file of DIR (honouring .ebignore)", "EBCTL_ALL", 0, 0, NULL},
		    {"only-create-app-version", 0, OPT_BOOL, &only_create, NULL,
		     "Travis name of --version-only", "EBCTL_ONLY_CREATE_APP_VERSION", 0, 0, NULL},
		    {"version-only", 0, OPT_BOOL, &s.version_only, NULL,
		     "upload and create the version; update nothing", "EBCTL_VERSION_ONLY", 0, 0,
		     NULL},
		    {"no-wait", 0, OPT_BOOL, &s.no_wait, NULL,
		     "start the update and exit without a verdict", "EBCTL_NO_WAIT", 0, 0, NULL},
		    {"timeout", 't', OPT_DURATION, &s.timeout, "DURATION",
		     "bound the whole wait (default 20m)", "EBCTL_TIMEOUT", 0, 0, NULL},
		    {"healthy", 0, OPT_STRING, &s.healthy, "COLOURS",
		     "health that counts as success (default Green)", "EBCTL_HEALTHY", 0, 0, NULL},
		    {"process", 0, OPT_BOOL, &s.process, NULL,
		     "have Elastic Beanstalk pre-process the version", "EBCTL_PROCESS", 0, 0, NULL},
		    {"wait-ready", 0, OPT_BOOL, &s.wait_ready, NULL,
		     "wait for each environment to be Ready first", "EBCTL_WAIT_READY", 0, 0, NULL},
		    {"format", 0, OPT_CHOICE, &s.format, "FORMAT", "text or json", "EBCTL_FORMAT",
		     0, 0, "text,json"},
		    {NULL, 0, OPT_END, NULL, NULL, NULL, NULL, 0, 0, NULL},
		};
		rc = opts_parse(&help, opts, argc, argv, &n);
	}
	if (rc) {
		strlist_free(&s.envs);
		return rc == -1 ? 0 : rc;
	}
	if (n > 0) {
		strlist_free(&s.envs);
		return usage_error("deploy", "unexpected argument '%s'", argv[1]);
	}
	if (!s.bucket)
		s.bucket = bucket_name;
	if (!s.bundle)
		s.bundle = zip_file;
	s.version_only = s.version_only || only_create;
	if (s.timeout == 0) {
		strlist_free(&s.envs);
		return usage_error("deploy", "--timeout must be more than 0");
	}
	rc = deploy_settings_load_eb_config(&s);
	if (!rc && !s.app)
		rc = usage_error("deploy",
		                 "no application: give --app or set EBCTL_APP "
		                 "(or global.application_name in .elasticbeanstalk/config.yml)");
	if (!rc && !s.envs.n && !s.version_only)
		rc = usage_error(
		    "deploy",
		    "no environment: give --env or set EBCTL_ENV "
		    "(or branch-defaults in .elasticbeanstalk/config.yml), or --version-only");
	if (!rc)
		rc = deploy_run(&s);
	deploy_settings_cleanup(&s);
	return rc;
}
