/* ebctl clone: a new environment with another's configuration, platform and version. */
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/verdict.h"
#include "ebctl/watch.h"

#include <stdlib.h>
#include <string.h>

/* Options that describe the source's own resources, not its configuration. */
static bool carried_over(const struct eb_option_setting *o)
{
	return o->value && !o->resource &&
	       strcmp(o->ns, "aws:cloudformation:template:parameter") != 0;
}

int cmd_clone(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "clone", "--env NAME --to NEW [--label L] [--cname PREFIX] [--timeout DURATION]",
	    "Creates NEW with NAME's option settings (DescribeConfigurationSettings), platform,\n"
	    "tier and running version (or --label L), and waits with deploy's watcher and exit\n"
	    "codes. A blue/green pair starts here: clone, deploy to the clone, swap."};
	struct op_target t = {0};
	const char *to = NULL, *label = NULL, *cname = NULL, *healthy = "Green";
	unsigned long timeout = 30 * 60;
	unsigned mask = 0;
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_STRING("to", 0, &to, "NEW", "the new environment's name", NULL),
	    OPTION_STRING("label", 'l', &label, "LABEL", "the version it runs (default: NAME's)",
	                  NULL),
	    OPTION_STRING("cname", 0, &cname, "PREFIX", "its CNAME prefix", NULL),
	    OPTION_DURATION("timeout", 't', &timeout, "DURATION", "bound the wait (default 30m)",
	                    "EBCTL_TIMEOUT"),
	    OPTION_STRING("healthy", 0, &healthy, "COLOURS",
	                  "health colours that count as success (default Green)", "EBCTL_HEALTHY"),
	    OPTION_END,
	};
	struct eb_environments envs = {NULL, 0};
	struct eb_option_settings from = {NULL, 0, 0}, opts_to = {NULL, 0, 0};
	struct eb_create_env ce;
	struct aws_error err;
	char *rid = NULL;
	size_t i;
	int rc, n;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("clone", "unexpected argument '%s'", argv[1]);
	if (!to)
		return usage_error("clone", "give the new environment's name: --to NEW");
	if ((rc = opts_healthy("clone", healthy, &mask)))
		return rc;
	interrupt_install();
	t.timeout_s = timeout;
	if ((rc = cli_target_open(&t, "clone", OP_NEED_APP)) || (rc = op_describe_env(&t, &envs)))
		goto out;
	aws_error_clear(&err);
	if (eb_describe_configuration_settings(t.client, t.app, t.env, &from, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	for (i = 0; i < from.n; i++)
		if (carried_over(&from.v[i]))
			eb_option_settings_add(&opts_to, from.v[i].ns, from.v[i].name,
			                       from.v[i].value, NULL);
	memset(&ce, 0, sizeof(ce));
	ce.app = t.app;
	ce.env = to;
	ce.cname_prefix = cname;
	ce.worker = envs.v[0].tier && !strcmp(envs.v[0].tier, "Worker");
	ce.version_label = label ? label : envs.v[0].version_label;
	ce.platform_arn = envs.v[0].platform_arn;
	ce.solution_stack = envs.v[0].platform_arn ? NULL : envs.v[0].solution_stack;
	ce.settings = opts_to.n ? &opts_to : NULL;
	if (eb_create_environment(t.client, &ce, &rid, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	notef("cloning '%s' as '%s' with %zu option settings, running '%s' (request %s)", t.env, to,
	      opts_to.n, ce.version_label ? ce.version_label : "the sample application",
	      rid && *rid ? rid : "-");
	{
		struct watch_env e;
		memset(&e, 0, sizeof(e));
		e.name = to;
		e.label = ce.version_label;
		rc = watch_out_one(t.client, t.app, &e, rid, timeout, mask);
		rid = NULL;
	}
out:
	free(rid);
	eb_option_settings_cleanup(&from);
	eb_option_settings_cleanup(&opts_to);
	eb_environments_cleanup(&envs);
	op_target_close(&t);
	return rc;
}
