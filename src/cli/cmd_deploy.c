/* ebctl deploy: bundle, upload, create the version, update, verdict. */
#include "ebctl/cli.h"
#include "ebctl/deploy.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static bool in_github_actions(void)
{
	const char *gha = getenv("GITHUB_ACTIONS");
	return gha && !strcmp(gha, "true");
}

static json_t *jstr(const char *s)
{
	return s ? json_string_lossy(s) : json_null();
}

static void print_json(const struct deploy_outcome *o, const char *app, int rc)
{
	json_t *root = json_object(), *envs = json_array();
	size_t i;
	json_object_set_new(root, "application", jstr(app));
	json_object_set_new(root, "label", jstr(o->label));
	json_object_set_new(root, "sha256", jstr(o->hex[0] ? o->hex : NULL));
	json_object_set_new(root, "bucket", jstr(o->bucket));
	json_object_set_new(root, "key", jstr(o->key));
	json_object_set_new(root, "uploaded", json_boolean(o->uploaded));
	json_object_set_new(root, "version_created", json_boolean(o->version_created));
	json_object_set_new(root, "exit_code", json_integer(rc));
	if (o->validated)
		json_object_set_new(root, "validation", dr_report_json(&o->diags));
	for (i = 0; i < o->w.n; i++)
		json_array_append_new(envs, watch_out_json(&o->w.envs[i]));
	json_object_set_new(root, "environments", envs);
	out_json(root);
}

/* Text for a workflow command (% and line breaks escaped as the runner
 * expects) or a Markdown table cell (| escaped, line breaks as spaces). */
static void put_escaped(FILE *f, const char *s, bool markdown)
{
	for (; s && *s; s++) {
		if (!markdown && *s == '%')
			fputs("%25", f);
		else if (!markdown && *s == '\r')
			fputs("%0D", f);
		else if (!markdown && *s == '\n')
			fputs("%0A", f);
		else if (markdown && *s == '|')
			fputs("\\|", f);
		else if (markdown && (*s == '\n' || *s == '\r'))
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

/* GitHub Actions: an ::error annotation per failed environment, and the job
 * summary (the diagnostics when validation failed, a table of the
 * environments' results otherwise), whatever the outcome. */
static void github_report(const struct deploy_outcome *o, const char *app, bool json, int rc)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	FILE *f, *log = json ? stderr : stdout;
	size_t i;
	if (!in_github_actions())
		return;
	for (i = 0; i < o->w.n; i++) {
		const struct watch_env *e = &o->w.envs[i];
		if (e->rc == 0 || e->phase != WATCH_DONE)
			continue;
		fprintf(log, "::error title=ebctl deploy %s::%s: ", e->name, watch_result_name(e));
		put_escaped(log, e->reason, false);
		fputc('\n', log);
	}
	fflush(log);
	if (!summary || !*summary)
		return;
	f = fopen(summary, "a");
	if (!f) {
		warnf("cannot write '%s': %s", summary, strerror(errno));
		return;
	}
	fprintf(f, "### ebctl deploy: `%s` version `%s`\n\n", app ? app : "",
	        o->label ? o->label : "");
	if (o->validated && (o->diags.errors || o->diags.warnings)) {
		fprintf(f, "%s: %zu error%s, %zu warning%s\n\n```\n",
		        o->diags.errors ? "Validation failed" : "Validation", o->diags.errors,
		        o->diags.errors == 1 ? "" : "s", o->diags.warnings,
		        o->diags.warnings == 1 ? "" : "s");
		dr_report_print(f, &o->diags, DR_FORMAT_TEXT, false);
		fputs("```\n\n", f);
	}
	if (o->updating && o->w.n) {
		fprintf(f, "| environment | result | status | health | running | seconds | detail "
		           "|\n|---|---|---|---|---|---|---|\n");
		for (i = 0; i < o->w.n; i++) {
			const struct watch_env *e = &o->w.envs[i];
			fprintf(f, "| %s | %s %s | %s | %s | %s | %lld | ", e->name,
			        e->rc == 0 ? "\u2705" : "\u274c", watch_result_name(e),
			        e->status ? e->status : "", e->health ? e->health : "",
			        e->running_label ? e->running_label : "", watch_out_seconds(e));
			put_escaped(f, e->reason, true);
			fputs(" |\n", f);
		}
	} else if (rc == 0) {
		fprintf(f, "version created; no environment updated (--version-only)\n");
	} else {
		fprintf(f, "\u274c nothing was deployed (exit %d)\n", rc);
	}
	fputc('\n', f);
	fclose(f);
}

/* The validation's diagnostics: workflow annotations inside GitHub Actions,
 * compiler-style lines otherwise. */
static void print_diags(const struct deploy_outcome *o)
{
	if (!o->validated)
		return;
	fflush(stdout);
	dr_report_print(stderr, &o->diags, in_github_actions() ? DR_FORMAT_GITHUB : DR_FORMAT_TEXT,
	                term_use_color(stderr));
}

/* The outcome, as text lines or JSON (then the lines go to the log). */
static void report(const struct deploy_outcome *o, const struct deploy_settings *s, int rc)
{
	bool json = !strcmp(s->format, "json");
	size_t i;
	if (json)
		print_json(o, s->app, rc);
	if (o->updating) {
		FILE *f = json ? stderr : stdout;
		for (i = 0; i < o->w.n; i++)
			watch_out_line(f, &o->w.envs[i], term_use_color(f));
		fflush(f);
		watch_out_hints(o->w.envs, o->w.n);
	} else if (s->version_only && rc == 0 && !json) {
		out_line("%s\t%s\ts3://%s/%s\n", o->label,
		         o->version_created ? "created" : "exists", o->bucket, o->key);
	}
	github_report(o, s->app, json, rc);
}

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
	const char *bucket_name = NULL, *zip_file = NULL, *healthy = NULL;
	struct deploy_outcome o;
	struct watch_out wo;
	struct watch_ops ops;
	bool only_create = false;
	int n, rc;

	memset(&s, 0, sizeof(s));
	s.dir = ".";
	s.timeout = 20 * 60;
	healthy = "Green";
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
		    {"healthy", 0, OPT_STRING, &healthy, "COLOURS",
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
	if (verdict_parse_healthy(healthy, &s.healthy)) {
		strlist_free(&s.envs);
		return usage_error(
		    "deploy", "--healthy takes colours from Green, Yellow, Red, Grey, not '%s'",
		    healthy);
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
	if (!rc) {
		wo.prefix = s.envs.n > 1;
		wo.healthy = s.healthy;
		watch_out_ops(&ops, &wo);
		rc = deploy_run(&s, &ops, &o);
		print_diags(&o);
		report(&o, &s, rc);
		deploy_outcome_cleanup(&o);
	}
	deploy_settings_cleanup(&s);
	return rc;
}
