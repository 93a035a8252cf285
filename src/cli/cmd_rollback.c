/* ebctl rollback: redeploy the version an environment ran before (or --to LABEL). */
#include "ebctl/cli.h"
#include "ebctl/deploy.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>

int cmd_rollback(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "rollback", "--env NAME [--to LABEL] [--timeout DURATION] [--format text|json]",
	    "Finds the version the environment ran before the current one (the newest\n"
	    "deployment of another version in its events, else the newest version created\n"
	    "before it), says which and why, and deploys it as 'ebctl deploy --version' does:\n"
	    "no bundle, no upload, the same watcher, verdict and exit codes."};
	struct op_target t = {0};
	const char *to = NULL, *healthy = "Green", *format = "text";
	unsigned long timeout = 20 * 60;
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_STRING("to", 0, &to, "LABEL", "the version to go back to", NULL),
	    OPTION_DURATION("timeout", 't', &timeout, "DURATION", "bound the wait (default 20m)",
	                    "EBCTL_TIMEOUT"),
	    OPTION_STRING("healthy", 0, &healthy, "COLOURS",
	                  "health colours that count as success (default Green)", "EBCTL_HEALTHY"),
	    OPTION_CHOICE("format", 0, &format, "FORMAT", "text or json", "EBCTL_FORMAT",
	                  "text,json"),
	    OPTION_END,
	};
	struct eb_environments envs = {NULL, 0};
	struct deploy_settings s;
	struct aws_error err;
	char *target = NULL, why[256] = "given with --to";
	const char *running;
	int rc, n;

	memset(&s, 0, sizeof(s));
	s.sink = cli_sink();
	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("rollback", "unexpected argument '%s'", argv[1]);
	if ((rc = opts_healthy("rollback", healthy, &s.healthy)))
		return rc;
	interrupt_install();
	t.timeout_s = timeout;
	if ((rc = cli_target_open(&t, "rollback", OP_NEED_APP)) ||
	    (rc = op_describe_env(&t, &envs)))
		goto out;
	running = envs.v[0].version_label;
	aws_error_clear(&err);
	if (to) {
		target = xstrdup(to);
	} else if (op_previous_label(t.client, t.app, t.env, running, &target, why, sizeof(why),
	                             &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	if (!target) {
		errorf("environment '%s' has no earlier version to roll back to; give --to LABEL",
		       t.env);
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	if (running && !strcmp(running, target)) {
		errorf("environment '%s' already runs '%s'", t.env, target);
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	notef("rolling back '%s' from '%s' to '%s': %s", t.env, running ? running : "no version",
	      target, why);
	s.app = t.app;
	s.region = t.region;
	s.profile = t.profile;
	s.dir = ".";
	s.existing = target;
	s.timeout = timeout;
	s.format = format;
	strlist_add(&s.envs, t.env);
	rc = deploy_cli_run(&s);
	deploy_settings_cleanup(&s);
out:
	free(target);
	eb_environments_cleanup(&envs);
	op_target_close(&t);
	return rc;
}
