/* ebctl list: the applications, or an application's environments. */
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *jstr(const char *s)
{
	return s ? out_json_string(s) : json_null();
}

/* The platform's short form: "ECS running on 64bit Amazon Linux 2023/4.3.1" of an ARN. */
static const char *platform_of(const struct eb_environment *e)
{
	const char *p = e->platform_arn ? strstr(e->platform_arn, ":platform/") : NULL;
	return p ? p + 10 : e->solution_stack ? e->solution_stack : "-";
}

int list_environments(struct aws_client *c, const char *app, bool json)
{
	struct eb_environments envs = {NULL, 0};
	struct aws_error err;
	bool exists = true;
	size_t i;

	aws_error_clear(&err);
	if (eb_describe_environments(c, app, NULL, 0, false, &envs, &err))
		return cli_aws_fail(&err);
	if (!envs.n && eb_application_exists(c, app, &exists, &err) == 0 && !exists) {
		errorf("application '%s' not found in region '%s'", app, aws_client_region(c));
		eb_environments_cleanup(&envs);
		return EBCTL_ERR_INVALID;
	}
	if (json) {
		json_t *a = json_array();
		for (i = 0; i < envs.n; i++) {
			const struct eb_environment *e = &envs.v[i];
			json_t *o = json_object();
			char *url = eb_environment_url(e);
			json_object_set_new(o, "environment", jstr(e->name));
			json_object_set_new(o, "status", jstr(e->status));
			json_object_set_new(o, "health", jstr(e->health));
			json_object_set_new(o, "version_label", jstr(e->version_label));
			json_object_set_new(o, "tier", jstr(e->tier));
			json_object_set_new(
			    o, "platform",
			    jstr(e->platform_arn ? e->platform_arn : e->solution_stack));
			json_object_set_new(o, "cname", jstr(e->cname));
			json_object_set_new(o, "url", jstr(url));
			json_array_append_new(a, o);
			free(url);
		}
		out_json(a);
	} else {
		if (envs.n)
			out_line("%-24s %-11s %-7s %-20s %-9s %s\n", "ENVIRONMENT", "STATUS",
			         "HEALTH", "VERSION", "TIER", "PLATFORM / CNAME");
		for (i = 0; i < envs.n; i++) {
			const struct eb_environment *e = &envs.v[i];
			out_line("%-24s %-11s %-7s %-20s %-9s %s %s\n", e->name ? e->name : "-",
			         e->status ? e->status : "-", e->health ? e->health : "-",
			         e->version_label ? e->version_label : "-", e->tier ? e->tier : "-",
			         platform_of(e), e->cname ? e->cname : "-");
		}
		if (!envs.n)
			notef("application '%s' has no environments", app);
	}
	eb_environments_cleanup(&envs);
	return 0;
}

int cmd_list(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "list", "[--app NAME] [--format text|json]",
	    "Without --app (or EBCTL_APP, or application_name in .elasticbeanstalk/config.yml),\n"
	    "the region's applications, one a line. With it, the application's environments\n"
	    "with their status, health, running version, tier, platform and CNAME."};
	struct op_target t = {0};
	const char *format = "text";
	const struct opt opts[] = {
	    OPTION_STRING("app", 'a', &t.app, "NAME", "application name", "EBCTL_APP"),
	    OP_ACCOUNT_OPTS(t),
	    OPTION_CHOICE("format", 0, &format, "FORMAT", "text or json", "EBCTL_FORMAT",
	                  "text,json"),
	    OPTION_END,
	};
	bool json;
	int rc, n;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("list", "unexpected argument '%s'", argv[1]);
	json = !strcmp(format, "json");
	interrupt_install();
	if ((rc = cli_target_open(&t, "list", OP_NO_ENV)))
		goto out;
	if (t.app && *t.app) {
		rc = list_environments(t.client, t.app, json);
	} else {
		struct strlist apps = {NULL, 0};
		struct aws_error err;
		size_t i;
		aws_error_clear(&err);
		if (eb_list_applications(t.client, &apps, &err)) {
			rc = cli_aws_fail(&err);
			goto out;
		}
		if (json) {
			json_t *a = json_array();
			for (i = 0; i < apps.n; i++)
				json_array_append_new(a, out_json_string(apps.v[i]));
			out_json(a);
		} else {
			for (i = 0; i < apps.n; i++)
				out_line("%s\n", apps.v[i]);
		}
		strlist_cleanup(&apps);
	}
out:
	op_target_close(&t);
	return rc;
}
