/* ebctl abort: stop the update in progress and wait until the environment
 * is Ready again on what it ran before. */
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/watch.h"

#include <stdlib.h>
#include <string.h>

int cmd_abort(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "abort", "--env NAME [--no-wait] [--timeout DURATION]",
	    "AbortEnvironmentUpdate of the update (or launch) in progress, then the watcher\n"
	    "until the environment is Ready again, running what it ran before the update.\n"
	    "Exit 0 when it is; 1 when there is nothing to abort; 3 when Elastic Beanstalk\n"
	    "refuses (an update past the point of no return); 6 on --timeout."};
	struct op_target t = {0};
	bool no_wait = false;
	unsigned long timeout = 20 * 60;
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_BOOL("no-wait", 0, &no_wait, "return once the abort is accepted",
	                "EBCTL_NO_WAIT"),
	    OPTION_DURATION("timeout", 't', &timeout, "DURATION", "bound the wait (default 20m)",
	                    "EBCTL_TIMEOUT"),
	    OPTION_END,
	};
	struct eb_environments envs = {NULL, 0};
	struct aws_error err;
	char *rid = NULL;
	int rc, n;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("abort", "unexpected argument '%s'", argv[1]);
	interrupt_install();
	t.timeout_s = timeout;
	if ((rc = cli_target_open(&t, "abort", 0)) || (rc = op_describe_env(&t, &envs)))
		goto out;
	if (!envs.v[0].abortable) {
		errorf("environment '%s' is %s with no update to abort", t.env,
		       envs.v[0].status ? envs.v[0].status : "in an unknown state");
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	/* the update's own request: its events (the abort's among them) are what we show */
	rid = op_update_in_progress(t.client, t.app, t.env);
	aws_error_clear(&err);
	if (eb_abort_environment_update(t.client, t.env, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	notef("aborting the update of '%s' (request %s)", t.env, rid ? rid : "-");
	if (no_wait)
		goto out;
	{
		struct watch_env e;
		memset(&e, 0, sizeof(e));
		e.name = t.env;
		e.goal = WATCH_GOAL_READY;
		rc = watch_out_one(t.client, t.app, &e, rid ? rid : xstrdup(""), timeout,
		                   HEALTH_GREEN);
		rid = NULL;
	}
out:
	free(rid);
	eb_environments_cleanup(&envs);
	op_target_close(&t);
	return rc;
}
