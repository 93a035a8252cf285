/* ebctl deploy: bundle, upload, create the version, update, verdict. */
#include "ebctl/bundle.h"
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
	return s ? out_json_string(s) : json_null();
}

static void print_json(const struct deploy_outcome *o, const char *app, int rc)
{
	json_t *root = json_object(), *envs = json_array();
	size_t i;
	json_object_set_new(root, "application", jstr(app));
	json_object_set_new(root, "label", jstr(o->label));
	json_object_set_new(root, "sha256",
	                    jstr(o->bundle.sha256_hex[0] ? o->bundle.sha256_hex : NULL));
	json_object_set_new(root, "bucket", jstr(o->bucket));
	json_object_set_new(root, "key", jstr(o->key));
	json_object_set_new(root, "uploaded", json_boolean(o->uploaded));
	json_object_set_new(root, "version_created", json_boolean(o->version_created));
	json_object_set_new(root, "exit_code", json_integer(cli_exit_code(rc)));
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
		fprintf(f, "\u274c nothing was deployed (exit %d)\n", cli_exit_code(rc));
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

void out_pruned(const struct deploy_prune_result *r, bool dry_run)
{
	size_t i;
	for (i = 0; i < r->deleted_with_bundle.n; i++)
		notef("%s version '%s' and its bundle", dry_run ? "would delete" : "deleted",
		      r->deleted_with_bundle.v[i]);
	for (i = 0; i < r->deleted.n; i++)
		notef("%s version '%s'", dry_run ? "would delete" : "deleted", r->deleted.v[i]);
	for (i = 0; i < r->protected.n; i++)
		notef("kept version '%s': an environment runs it or would roll back to it",
		      r->protected.v[i]);
	notef("%zu version%s %s", r->remaining, r->remaining == 1 ? "" : "s",
	      dry_run ? "would remain" : "remain");
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
	if (o->pruned_ok)
		out_pruned(&o->pruned, false);
	github_report(o, s->app, json, rc);
}

/* --option, --option-settings and the creation shorthands as option settings. */
static int collect_options(struct deploy_settings *s, const struct strlist *options,
                           const char *settings_file, const char *instance_type, bool single,
                           const char *scale, const char *queue, const char *cmd)
{
	char err[512];
	size_t i;
	if (settings_file &&
	    deploy_option_settings_file(settings_file, &s->options, err, sizeof(err))) {
		errorf("%s", err);
		return EBCTL_ERR_INVALID;
	}
	for (i = 0; i < options->n; i++)
		if (deploy_option_parse(options->v[i], &s->options, err, sizeof(err)))
			return usage_error(cmd, "%s", err);
	if (instance_type)
		eb_option_settings_add(&s->options, "aws:autoscaling:launchconfiguration",
		                       "InstanceType", instance_type, NULL);
	if (single && scale)
		return usage_error(cmd, "--single and --scale do not go together");
	if (single)
		eb_option_settings_add(&s->options, "aws:elasticbeanstalk:environment",
		                       "EnvironmentType", "SingleInstance", NULL);
	if (scale) {
		unsigned long lo, hi;
		const char *dots = strstr(scale, "..");
		char *min = dots ? xstrndup(scale, (size_t)(dots - scale)) : NULL;
		bool ok = dots && parse_ulong(min, 1, 10000, &lo) == 0 &&
		          parse_ulong(dots + 2, 1, 10000, &hi) == 0 && lo <= hi;
		free(min);
		if (!ok)
			return usage_error(cmd, "--scale takes MIN..MAX instances (2..6), not '%s'",
			                   scale);
		eb_option_settings_add(&s->options, "aws:elasticbeanstalk:environment",
		                       "EnvironmentType", "LoadBalanced", NULL);
		eb_option_settings_add(&s->options, "aws:autoscaling:asg", "MinSize",
		                       min = xasprintf("%lu", lo), NULL);
		free(min);
		eb_option_settings_add(&s->options, "aws:autoscaling:asg", "MaxSize",
		                       min = xasprintf("%lu", hi), NULL);
		free(min);
	}
	if (queue)
		eb_option_settings_add(&s->options, "aws:elasticbeanstalk:sqsd", "WorkerQueueURL",
		                       queue, NULL);
	return 0;
}

/* --tag K=V as tags. */
static int collect_tags(struct deploy_settings *s, const struct strlist *tags, const char *cmd)
{
	size_t i;
	for (i = 0; i < tags->n; i++) {
		const char *eq = strchr(tags->v[i], '=');
		char *key;
		if (!eq || eq == tags->v[i])
			return usage_error(cmd, "--tag takes KEY=VALUE, not '%s'", tags->v[i]);
		key = xstrndup(tags->v[i], (size_t)(eq - tags->v[i]));
		eb_tags_add(&s->tags, key, eq + 1);
		free(key);
	}
	return 0;
}

int deploy_cli_run(struct deploy_settings *s)
{
	struct deploy_outcome o;
	struct watch_out wo;
	struct watch_ops ops;
	int rc;
	wo.prefix = s->envs.n > 1;
	wo.healthy = s->healthy;
	watch_out_ops(&ops, &wo);
	deploy_out_upload_progress(s);
	rc = deploy_run(s, &ops, &o);
	print_diags(&o);
	report(&o, s, rc);
	deploy_outcome_cleanup(&o);
	return rc;
}

/* deploy and create share one table: create is deploy that creates what is
 * missing and refuses what exists. */
static int deploy_main(int argc, char **argv, const struct cmd_help *help, bool create_cmd)
{
	struct deploy_settings s;
	const char *bucket_name = NULL, *zip_file = NULL, *healthy = NULL, *settings_file = NULL;
	const char *tier = "web", *instance_type = NULL, *scale = NULL, *queue = NULL;
	struct strlist options = {NULL, 0}, tags = {NULL, 0};
	bool only_create = false, single = false;
	unsigned long jobs = 0;
	int n, rc;

	memset(&s, 0, sizeof(s));
	s.sink = cli_sink();
	s.dir = ".";
	s.timeout = 20 * 60;
	healthy = "Green";
	s.format = "text";
	{
		const struct opt opts[] = {
		    OPTION_STRING("app", 'a', &s.app, "APP", "the Elastic Beanstalk application",
		                  "EBCTL_APP"),
		    OPTION_LIST("env", 'e', &s.envs, "ENV",
		                "an environment to update (repeat, or a comma list)", "EBCTL_ENV"),
		    OPTION_STRING("region", 0, &s.region, "REGION", "AWS region", "EBCTL_REGION"),
		    OPTION_STRING("profile", 0, &s.profile, "NAME", "AWS profile", "EBCTL_PROFILE"),
		    OPTION_STRING("role-arn", 0, &s.role_arn, "ARN",
		                  "assume this role (GitHub Actions OIDC)", "EBCTL_ROLE_ARN"),
		    OPTION_STRING("bucket-name", 0, &bucket_name, "BUCKET",
		                  NULL /* Travis name of --bucket */, "EBCTL_BUCKET_NAME"),
		    OPTION_STRING("bucket", 0, &s.bucket, "BUCKET",
		                  "S3 bucket (default: CreateStorageLocation)", "EBCTL_BUCKET"),
		    OPTION_STRING("bucket-path", 0, &s.bucket_path, "PATH",
		                  "key prefix: PATH/APP/SHA256.zip", "EBCTL_BUCKET_PATH"),
		    OPTION_STRING("label", 'l', &s.label, "LABEL",
		                  "version label (default: the commit, see docs/deploy.md)",
		                  "EBCTL_LABEL"),
		    OPTION_STRING("description", 'm', &s.description, "TEXT",
		                  "version description (default: commit subject)",
		                  "EBCTL_DESCRIPTION"),
		    OPTION_STRING("directory", 'C', &s.dir, "DIR",
		                  "the application directory (default .)", "EBCTL_DIRECTORY"),
		    OPTION_STRING("zip-file", 0, &zip_file, "FILE.zip",
		                  NULL /* Travis name of --bundle */, "EBCTL_ZIP_FILE"),
		    OPTION_STRING("bundle", 0, &s.bundle, "FILE.zip",
		                  "deploy this prebuilt zip instead of bundling DIR",
		                  "EBCTL_BUNDLE"),
		    OPTION_BOOL("all", 0, &s.all, "bundle every file of DIR (honouring .ebignore)",
		                "EBCTL_ALL"),
		    OPTION_BOOL("only-create-app-version", 0, &only_create,
		                NULL /* Travis name of --version-only */,
		                "EBCTL_ONLY_CREATE_APP_VERSION"),
		    OPTION_BOOL("version-only", 0, &s.version_only,
		                "upload and create the version; update nothing",
		                "EBCTL_VERSION_ONLY"),
		    OPTION_BOOL("no-wait", 0, &s.no_wait,
		                "start the update and exit without a verdict", "EBCTL_NO_WAIT"),
		    OPTION_DURATION("timeout", 't', &s.timeout, "DURATION",
		                    "bound the whole wait (default 20m)", "EBCTL_TIMEOUT"),
		    OPTION_STRING("healthy", 0, &healthy, "COLOURS",
		                  "health that counts as success (default Green)", "EBCTL_HEALTHY"),
		    OPTION_BOOL("process", 0, &s.process,
		                "have Elastic Beanstalk pre-process the version", "EBCTL_PROCESS"),
		    OPTION_BOOL("wait-ready", 0, &s.wait_ready,
		                "wait for each environment to be Ready first", "EBCTL_WAIT_READY"),
		    OPTION_CHOICE("format", 0, &s.format, "FORMAT", "text or json", "EBCTL_FORMAT",
		                  "text,json"),
		    OPTION_STRING("version", 0, &s.existing, "LABEL",
		                  "deploy this existing version: no bundle, no upload",
		                  "EBCTL_VERSION"),
		    OPTION_UINT("jobs", 0, &jobs, "N",
		                "threads that compress the bundle (default: the CPU count)",
		                "EBCTL_JOBS", 1, 16),
		    OPTION_UINT("prune-keep", 0, &s.prune_keep, "N",
		                "after a success, prune all but the newest N versions (ebctl "
		                "versions prune)",
		                "EBCTL_PRUNE_KEEP", 1, 1000),
		    OPTION_BOOL("abort-on-timeout", 0, &s.abort_on_timeout,
		                "abort an update still running at --timeout",
		                "EBCTL_ABORT_ON_TIMEOUT"),
		    OPTION_BOOL("abort-on-interrupt", 0, &s.abort_on_interrupt,
		                "abort an update still running when interrupted",
		                "EBCTL_ABORT_ON_INTERRUPT"),
		    OPTION_BOOL("create", 0, &s.create,
		                "create the application and environments that are missing",
		                "EBCTL_CREATE"),
		    OPTION_LIST("option", 0, &options, "NS:NAME=VALUE",
		                "an option setting, sent with the update (repeat)", NULL),
		    OPTION_STRING("option-settings", 0, &settings_file, "FILE",
		                  "option settings: the aws CLI's JSON or .ebextensions YAML",
		                  "EBCTL_OPTION_SETTINGS"),
		    OPTION_STRING(
		        "platform", 0, &s.platform, "NAME|ARN",
		        "platform of a new environment (default: ECS for v2, else Docker)",
		        "EBCTL_PLATFORM"),
		    OPTION_CHOICE("tier", 0, &tier, "TIER", "web or worker (a new environment)",
		                  "EBCTL_TIER", "web,worker"),
		    OPTION_STRING("cname", 0, &s.cname, "PREFIX",
		                  "CNAME prefix of a new environment", "EBCTL_CNAME"),
		    OPTION_LIST("tag", 0, &tags, "KEY=VALUE", "a tag of a new environment (repeat)",
		                NULL),
		    OPTION_STRING("instance-type", 0, &instance_type, "TYPE",
		                  "EC2 instance type (t3.small)", NULL),
		    OPTION_BOOL("single", 0, &single, "one instance, no load balancer", NULL),
		    OPTION_STRING("scale", 0, &scale, "MIN..MAX", "instances, load balanced", NULL),
		    OPTION_STRING("instance-profile", 0, &s.instance_profile, "NAME",
		                  "IAM instance profile (default aws-elasticbeanstalk-ec2-role)",
		                  NULL),
		    OPTION_STRING("service-role", 0, &s.service_role, "NAME",
		                  "service role (default aws-elasticbeanstalk-service-role)", NULL),
		    OPTION_STRING("queue", 0, &queue, "URL", "SQS queue of a worker environment",
		                  NULL),
		    OPTION_END,
		};
		/* what makes no sense for create: it always creates, and always an environment */
		static const char *const not_create[] = {"create", "version-only",
		                                         "only-create-app-version"};
		struct opt rows[EBCTL_ARRAY_LEN(opts)];
		size_t i, j, k = 0;
		for (i = 0; i < EBCTL_ARRAY_LEN(opts); i++) {
			bool skip = false;
			for (j = 0; create_cmd && opts[i].name && j < EBCTL_ARRAY_LEN(not_create);
			     j++)
				skip = skip || !strcmp(opts[i].name, not_create[j]);
			if (!skip)
				rows[k++] = opts[i];
		}
		rc = opts_parse(help, rows, argc, argv, &n);
	}
	bundle_set_jobs((unsigned)jobs);
	bundle_out_progress();
	if (rc == 0 && n > 0) {
		rc = usage_error(help->name, "unexpected argument '%s'", argv[1]);
		if (!create_cmd && n == 1 && strlen(argv[1]) >= 4)
			fprintf(stderr, "Did you mean '--env %s'?\n", argv[1]);
	}
	if (!s.bucket)
		s.bucket = bucket_name;
	if (!s.bundle)
		s.bundle = zip_file;
	s.version_only = s.version_only || only_create;
	s.worker = !strcmp(tier, "worker");
	if (create_cmd)
		s.create = s.create_only = true;
	if (rc == 0 && s.timeout == 0)
		rc = usage_error(help->name, "--timeout must be more than 0");
	if (rc == 0)
		rc = opts_healthy(help->name, healthy, &s.healthy);
	if (rc == 0)
		rc = collect_options(&s, &options, settings_file, instance_type, single, scale,
		                     queue, help->name);
	if (rc == 0)
		rc = collect_tags(&s, &tags, help->name);
	if (rc == 0)
		rc = deploy_settings_load_eb_config(&s);
	if (!rc && !s.app)
		rc = usage_error(help->name,
		                 "no application: give --app or set EBCTL_APP "
		                 "(or global.application_name in .elasticbeanstalk/config.yml)");
	if (!rc && !s.envs.n && !s.version_only)
		rc = usage_error(help->name,
		                 "no environment: give --env or set EBCTL_ENV "
		                 "(or branch-defaults in .elasticbeanstalk/config.yml)%s",
		                 create_cmd ? "" : ", or --version-only");
	if (!rc && s.existing && (s.bundle || s.label)) {
		rc = usage_error(help->name, "--version deploys an existing version: no --%s",
		                 s.bundle ? "bundle" : "label");
	}
	if (!rc)
		rc = deploy_cli_run(&s);
	strlist_cleanup(&options);
	strlist_cleanup(&tags);
	eb_tags_cleanup(&s.tags);
	eb_option_settings_cleanup(&s.options);
	deploy_settings_cleanup(&s);
	return rc == -1 ? 0 : rc;
}

int cmd_deploy(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "deploy", "[--app APP] [--env ENV]... [-C DIR | --bundle FILE.zip] [OPTIONS]",
	    "Settings come from flags, then EBCTL_* variables, then .elasticbeanstalk/config.yml\n"
	    "(application_name, default_region, profile, branch-defaults ENV), then AWS profiles.\n"
	    "--option and --option-settings go in the same UpdateEnvironment as the version.\n"
	    "With --create, a missing application or environment is created as 'ebctl create'\n"
	    "does (the creation flags apply to it); one that exists is deployed to.\n"
	    "The verdict: success only when every environment runs the new label, is Ready and "
	    "its\n"
	    "health is in --healthy; a failure is followed until the environment settles, so the\n"
	    "result says what runs (the previous version after a rollback).\n\n"
	    "Exit codes: 0 success, 1 invalid input, 2 usage, 3 AWS or network error, 4 "
	    "deployment\n"
	    "failed, 5 deployed but unhealthy, 6 timed out (it may still be running), 130\n"
	    "interrupted (SIGINT, SIGTERM, SIGHUP)."};
	return deploy_main(argc, argv, &help, false);
}

int cmd_create(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "create",
	    "--app APP --env ENV [--platform NAME|ARN] [--tier web|worker] [--cname PREFIX] "
	    "[-C DIR | --bundle FILE.zip] [OPTIONS]",
	    "Validates and bundles as deploy does, then checks what makes a creation fail ten\n"
	    "minutes in: the platform (a friendly name: docker, ecs, a branch, a solution stack\n"
	    "or an ARN; default the newest ECS platform for a version 2 Dockerrun, Docker\n"
	    "otherwise) runs this Dockerrun version, the CNAME is free, the instance profile\n"
	    "(--instance-profile, default aws-elasticbeanstalk-ec2-role) exists with a role, the\n"
	    "service role exists. Then it creates the application when missing, uploads the\n"
	    "bundle, creates the version and the environment, and waits with deploy's watcher\n"
	    "and exit codes. An environment that already exists is an error (exit 1).\n"
	    "--tier worker creates a worker environment (the platform's SQS queue, or --queue);\n"
	    "--single is one instance; --scale MIN..MAX a load-balanced group."};
	return deploy_main(argc, argv, &help, true);
}
