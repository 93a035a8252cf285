/* ebctl scale: the environment's instance count, in one configuration update. */
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/verdict.h"

#include <stdlib.h>
#include <string.h>

int cmd_scale(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "scale", "--env NAME N | MIN..MAX [--no-wait] [--timeout DURATION]",
	    "N sets both MinSize and MaxSize, MIN..MAX a range for the auto scaling group,\n"
	    "in one UpdateEnvironment; then the watcher until Ready and healthy again."};
	struct op_target t = {0};
	bool no_wait = false;
	unsigned long timeout = 30 * 60, lo, hi;
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_BOOL("no-wait", 0, &no_wait, "return once the update is accepted",
	                "EBCTL_NO_WAIT"),
	    OPTION_DURATION("timeout", 't', &timeout, "DURATION", "bound the wait (default 30m)",
	                    "EBCTL_TIMEOUT"),
	    OPTION_END,
	};
	struct eb_option_settings set = {NULL, 0, 0};
	struct eb_environments envs = {NULL, 0};
	struct eb_update u;
	struct aws_error err;
	const char *dots;
	char *rid = NULL, num[32];
	int rc, n;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n != 1)
		return usage_error("scale", "give the instance count: N or MIN..MAX");
	dots = strstr(argv[1], "..");
	if (dots) {
		char *min = xstrndup(argv[1], (size_t)(dots - argv[1]));
		rc = parse_ulong(min, 1, 10000, &lo) || parse_ulong(dots + 2, 1, 10000, &hi) ||
		     lo > hi;
		free(min);
	} else {
		rc = parse_ulong(argv[1], 1, 10000, &lo);
		hi = lo;
	}
	if (rc)
		return usage_error("scale", "the count is N or MIN..MAX (1 to 10000), not '%s'",
		                   argv[1]);
	interrupt_install();
	t.timeout_s = timeout;
	if ((rc = cli_target_open(&t, "scale", 0)) || (rc = op_describe_env(&t, &envs)))
		goto out;
	snprintf(num, sizeof(num), "%lu", lo);
	eb_option_settings_add(&set, "aws:autoscaling:asg", "MinSize", num, NULL);
	snprintf(num, sizeof(num), "%lu", hi);
	eb_option_settings_add(&set, "aws:autoscaling:asg", "MaxSize", num, NULL);
	memset(&u, 0, sizeof(u));
	u.app = t.app;
	u.env = t.env;
	u.settings = &set;
	aws_error_clear(&err);
	if (eb_update_environment(t.client, &u, &rid, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	notef("scaling '%s' to %lu..%lu instances (request %s)", t.env, lo, hi, rid ? rid : "-");
	if (!no_wait) {
		rc = watch_out_same_version(t.client, t.app, t.env, envs.v[0].version_label, rid,
		                            timeout, HEALTH_GREEN);
		rid = NULL;
	}
out:
	free(rid);
	eb_option_settings_cleanup(&set);
	eb_environments_cleanup(&envs);
	op_target_close(&t);
	return rc;
}
