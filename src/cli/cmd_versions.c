/* ebctl versions: an application's versions and which environments run them;
 * `versions prune` deletes old ones. */
#include "ebctl/cli.h"
#include "ebctl/deploy.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/s3.h"
#include "ebctl/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *jstr(const char *s)
{
	return s ? out_json_string(s) : json_null();
}

/* Newest first, by creation time. */
static int newest_first(const void *a, const void *b)
{
	const struct eb_app_version *x = a, *y = b;
	return x->created < y->created ? 1 : x->created > y->created ? -1 : 0;
}

/* The listing HEADs the bundles of the newest ones only. */
#define SIZES_MAX 100

/* The bundle's size ("3.4 KiB"), "missing" when the object is gone, "?"
 * when it cannot be read; *bytes -1 unless known. */
static void bundle_size(struct aws_client *c, const struct eb_app_version *v, char *out, size_t n,
                        int64_t *bytes)
{
	struct s3_object_info info;
	struct aws_error err;
	*bytes = -1;
	memset(&info, 0, sizeof(info));
	aws_error_clear(&err);
	if (!v->bucket || !v->key || s3_head_object(c, v->bucket, v->key, &info, &err)) {
		snprintf(out, n, "?");
	} else if (!info.exists) {
		snprintf(out, n, "missing");
	} else {
		*bytes = (int64_t)info.size;
		if (info.size < 1024)
			snprintf(out, n, "%llu B", (unsigned long long)info.size);
		else if (info.size < 1024 * 1024)
			snprintf(out, n, "%.1f KiB", (double)info.size / 1024.0);
		else
			snprintf(out, n, "%.1f MiB", (double)info.size / (1024.0 * 1024.0));
	}
	s3_object_info_cleanup(&info);
}

static int list_versions(struct aws_client *c, const char *app, bool json)
{
	struct eb_app_versions vs = {NULL, 0};
	struct eb_environments envs = {NULL, 0};
	struct aws_error err;
	json_t *a = json ? json_array() : NULL;
	size_t i, j;
	int rc = 0;

	aws_error_clear(&err);
	if (eb_describe_application_versions(c, app, NULL, 0, &vs, &err) ||
	    eb_describe_environments(c, app, NULL, 0, false, &envs, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	qsort(vs.v, vs.n, sizeof(*vs.v), newest_first);
	if (!json && vs.n)
		out_line("%-24s %-20s %-11s %-24s %s\n", "VERSION", "CREATED", "STATUS",
		         "RUNNING IN", "BUNDLE / DESCRIPTION");
	for (i = 0; i < vs.n; i++) {
		const struct eb_app_version *v = &vs.v[i];
		struct buf running = BUF_INIT;
		json_t *in = json_array();
		char when[32], size[32] = "-";
		int64_t bytes = -1;
		if (i < SIZES_MAX)
			bundle_size(c, v, size, sizeof(size), &bytes);
		for (j = 0; j < envs.n; j++)
			if (envs.v[j].version_label && v->label &&
			    !strcmp(envs.v[j].version_label, v->label)) {
				buf_printf(&running, "%s%s", running.len ? "," : "",
				           envs.v[j].name);
				json_array_append_new(in, jstr(envs.v[j].name));
			}
		time_format_iso8601(v->created, when, sizeof(when));
		if (json) {
			json_t *o = json_object();
			json_object_set_new(o, "label", jstr(v->label));
			json_object_set_new(o, "created", json_string(when));
			json_object_set_new(o, "description", jstr(v->description));
			json_object_set_new(o, "status", jstr(v->status));
			json_object_set_new(o, "bucket", jstr(v->bucket));
			json_object_set_new(o, "key", jstr(v->key));
			json_object_set_new(o, "size",
			                    bytes >= 0 ? json_integer(bytes) : json_null());
			json_object_set_new(o, "bundle_missing",
			                    json_boolean(!strcmp(size, "missing")));
			json_object_set_new(o, "environments", in);
			json_array_append_new(a, o);
		} else {
			json_decref(in);
			out_line("%-24s %-20s %-11s %-24s s3://%s/%s%s%s\n",
			         v->label ? v->label : "-", when, v->status ? v->status : "-",
			         running.len ? buf_cstr(&running) : "-",
			         v->bucket ? v->bucket : "?", v->key ? v->key : "?",
			         v->description ? "  " : "", v->description ? v->description : "");
		}
		buf_cleanup(&running);
	}
	if (a)
		out_json(a);
	else if (!vs.n)
		notef("application '%s' has no versions", app);
out:
	eb_app_versions_cleanup(&vs);
	eb_environments_cleanup(&envs);
	return rc;
}

static int prune(struct aws_client *c, const char *app, unsigned long keep,
                 unsigned long older_than, bool delete_bundles, bool dry_run)
{
	struct deploy_prune_opts po = {app, keep, older_than, delete_bundles, dry_run};
	struct deploy_prune_result r;
	struct aws_error err;
	int rc = 0;
	aws_error_clear(&err);
	if (deploy_prune(c, &po, &r, &err))
		rc = cli_aws_fail(&err);
	out_pruned(&r, dry_run);
	deploy_prune_result_cleanup(&r);
	return rc;
}

int cmd_versions(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "versions",
	    "[--app NAME] [--format text|json] | prune --keep N [--older-than DURATION] "
	    "[--delete-bundles] [--dry-run] | lifecycle --max-count N | --max-age DURATION",
	    "Lists the application's versions newest first: label, creation time, status, the\n"
	    "environments running each, the source bundle and the description.\n"
	    "'versions prune --keep N' deletes all but the newest N, never one that an\n"
	    "environment runs or ran just before (its rollback target); with --older-than, only\n"
	    "those older than that; with --delete-bundles, their S3 objects too, unless a\n"
	    "version that stays points at the same object; --dry-run says what would go.\n"
	    "'versions lifecycle --max-count N | --max-age 90d' sets the application's version\n"
	    "lifecycle policy, which Elastic Beanstalk applies itself (it does not spare a "
	    "running\n"
	    "version's rollback target as prune does)."};
	struct op_target t = {0};
	const char *format = "text";
	unsigned long keep = 0, older_than = 0;
	bool delete_bundles = false, dry_run = false;
	unsigned long max_count = 0, max_age = 0;
	const char *service_role = NULL;
	const struct opt opts[] = {
	    OPTION_STRING("app", 'a', &t.app, "NAME", "application name", "EBCTL_APP"),
	    OP_ACCOUNT_OPTS(t),
	    OPTION_CHOICE("format", 0, &format, "FORMAT", "text or json", "EBCTL_FORMAT",
	                  "text,json"),
	    OPTION_UINT("keep", 0, &keep, "N", "prune: the newest N versions stay", NULL, 1, 1000),
	    OPTION_DURATION("older-than", 0, &older_than, "DURATION",
	                    "prune: only versions older than this (30d)", NULL),
	    OPTION_BOOL("delete-bundles", 0, &delete_bundles,
	                "prune: delete the versions' S3 objects too", NULL),
	    OPTION_BOOL("dry-run", 'n', &dry_run, "prune: say what would be deleted", NULL),
	    OPTION_UINT("max-count", 0, &max_count, "N", "lifecycle: keep at most N versions", NULL,
	                1, 1000),
	    OPTION_DURATION("max-age", 0, &max_age, "DURATION",
	                    "lifecycle: delete versions older than this (90d)", NULL),
	    OPTION_STRING("service-role", 0, &service_role, "ARN",
	                  "lifecycle: the role that deletes them (default: the application's)",
	                  NULL),
	    OPTION_END,
	};
	bool pruning, lifecycle;
	int rc, n;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	pruning = n >= 1 && !strcmp(argv[1], "prune");
	lifecycle = n >= 1 && !strcmp(argv[1], "lifecycle");
	if (n > (pruning || lifecycle ? 1 : 0))
		return usage_error("versions", "unexpected argument '%s'",
		                   argv[pruning || lifecycle ? 2 : 1]);
	if (pruning && !keep)
		return usage_error("versions", "prune needs --keep N (the newest N stay)");
	if (lifecycle && !max_count == !max_age)
		return usage_error("versions",
		                   "lifecycle takes one of --max-count N and --max-age DURATION");
	if (!pruning && (keep || older_than || dry_run))
		return usage_error("versions",
		                   "--keep, --older-than and --dry-run go with 'versions prune'");
	if (!lifecycle && (max_count || max_age || service_role))
		return usage_error(
		    "versions",
		    "--max-count, --max-age and --service-role go with 'versions lifecycle'");
	if (!pruning && !lifecycle && delete_bundles)
		return usage_error("versions", "--delete-bundles goes with prune or lifecycle");
	interrupt_install();
	if ((rc = cli_target_open(&t, "versions", OP_NO_ENV)))
		goto out;
	if (!t.app || !*t.app) {
		rc = usage_error("versions", "no application: give --app or set EBCTL_APP");
		goto out;
	}
	if (lifecycle) {
		struct eb_lifecycle l = {t.app, max_count, (max_age + 86399) / 86400,
		                         delete_bundles, service_role};
		struct aws_error err;
		aws_error_clear(&err);
		if (eb_update_lifecycle(t.client, &l, &err))
			rc = cli_aws_fail(&err);
		else if (max_count)
			notef("application '%s' keeps at most %lu versions; Elastic Beanstalk "
			      "deletes older "
			      "ones%s",
			      t.app, max_count, delete_bundles ? " with their bundles" : "");
		else
			notef("application '%s' keeps versions for %lu days%s", t.app,
			      l.max_age_days, delete_bundles ? "; their bundles go with them" : "");
	} else {
		rc = pruning ? prune(t.client, t.app, keep, older_than, delete_bundles, dry_run)
		             : list_versions(t.client, t.app, !strcmp(format, "json"));
	}
out:
	op_target_close(&t);
	return rc;
}
