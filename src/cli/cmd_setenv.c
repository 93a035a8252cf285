/* ebctl setenv: set or remove environment properties, then wait for the update. */
#include "ebctl/aws.h"
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/verdict.h"
#include "ebctl/watch.h"

#include <stdlib.h>
#include <string.h>

int cmd_setenv(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "setenv",
	    "[--env NAME[,NAME...]] [--no-wait] [--timeout DURATION] [--secret KEY=ARN] "
	    "KEY=VALUE... KEY=...",
	    "Sets environment properties (the namespace\n"
	    "aws:elasticbeanstalk:application:environment) with one UpdateEnvironment;\n"
	    "KEY= removes KEY. A value may contain '='; quote it for the shell. Keys are\n"
	    "letters, digits and _ . : / + \\ - @, at most 128; values at most 256 bytes.\n"
	    "Values are never printed. --secret KEY=ARN (repeatable) sets KEY in\n"
	    "aws:elasticbeanstalk:application:environmentsecrets instead: the instances\n"
	    "read the value from Secrets Manager or SSM Parameter Store (--secret KEY=\n"
	    "removes it). --env a,b (or --env repeated) updates several environments,\n"
	    "each checked to exist before any is changed. Then waits for the update\n"
	    "like a deploy, and prints a result line per environment on stdout: exit 0\n"
	    "when each environment is Ready and healthy again, 4 when an update failed,\n"
	    "5 when one ended unhealthy, 6 on --timeout, 130 when interrupted (the most\n"
	    "serious of the environments')."};
	struct op_target t = {0};
	bool no_wait = false;
	unsigned long timeout = 20 * 60;
	const char *healthy = "Green";
	struct strlist secrets = {NULL, 0}, envs = {NULL, 0};
	const struct opt opts[] = {
	    OP_TARGET_ENVS_OPTS(t, envs),
	    OPTION_LIST("secret", 0, &secrets, "KEY=ARN",
	                "KEY from a Secrets Manager or SSM Parameter Store ARN (KEY= removes)",
	                NULL),
	    OP_UPDATE_WAIT_OPTS(no_wait, timeout, healthy),
	    OPTION_END,
	};
	struct eb_option_settings set = {NULL, 0, 0}, remove = {NULL, 0, 0};
	struct envprop *props = NULL;
	struct buf summary = BUF_INIT;
	unsigned healthy_mask = 0;
	int rc = 0, n, i, j;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n == 0 && secrets.n == 0) {
		rc = usage_error("setenv", "give at least one KEY=VALUE or KEY=");
		goto out;
	}
	for (i = 0; i < (int)secrets.n; i++) {
		struct envprop sp = {NULL, NULL};
		char msg[256];
		if (envprop_parse(secrets.v[i], &sp, msg, sizeof(msg))) {
			rc = usage_error("setenv", "--secret: %s", msg);
			goto out;
		}
		if (sp.value && !str_starts_with(sp.value, "arn:")) {
			rc = usage_error("setenv",
			                 "--secret %s= wants an ARN (arn:aws:secretsmanager:... or "
			                 "arn:aws:ssm:...), not the secret itself",
			                 sp.key);
			envprop_cleanup(&sp);
			goto out;
		}
		if (sp.value)
			eb_option_settings_add(&set, ENVPROP_SECRETS_NAMESPACE, sp.key, sp.value,
			                       NULL);
		else
			eb_option_settings_add(&remove, ENVPROP_SECRETS_NAMESPACE, sp.key, NULL,
			                       NULL);
		buf_printf(&summary, "%s%s%s (secret)", summary.len ? ", " : "",
		           sp.value ? "" : "-", sp.key);
		envprop_cleanup(&sp);
	}
	if ((rc = opts_healthy("setenv", healthy, &healthy_mask)))
		goto out;
	props = xcalloc((size_t)n, sizeof(*props));
	for (i = 0; i < n; i++) {
		char msg[256];
		if (envprop_parse(argv[i + 1], &props[i], msg, sizeof(msg))) {
			rc = usage_error("setenv", "%s", msg);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(props[j].key, props[i].key) == 0) {
				rc = usage_error("setenv", "property '%s' is given more than once",
				                 props[i].key);
				goto out;
			}
		}
		if (props[i].value)
			eb_option_settings_add(&set, ENVPROP_NAMESPACE, props[i].key,
			                       props[i].value, NULL);
		else
			eb_option_settings_add(&remove, ENVPROP_NAMESPACE, props[i].key, NULL,
			                       NULL);
		buf_printf(&summary, "%s%s%s", summary.len ? ", " : "", props[i].value ? "" : "-",
		           props[i].key);
	}

	interrupt_install();
	t.timeout_s = timeout;
	t.env = envs.n ? envs.v[0] : NULL;
	if ((rc = cli_target_open(&t, "setenv", 0)))
		goto out;
	rc = op_update_settings(&t, &envs, &set, &remove, buf_cstr(&summary), no_wait, timeout,
	                        healthy_mask);
out:
	for (i = 0; props && i < n; i++)
		envprop_cleanup(&props[i]);
	free(props);
	strlist_cleanup(&secrets);
	strlist_cleanup(&envs);
	eb_option_settings_cleanup(&set);
	eb_option_settings_cleanup(&remove);
	buf_cleanup(&summary);
	op_target_close(&t);
	return rc;
}
