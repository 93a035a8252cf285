/* ebctl terminate: terminate an environment, asking first, and wait until it is gone. */
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/watch.h"

#include <stdlib.h>
#include <string.h>

int cmd_terminate(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "terminate", "--env NAME [--force] [--no-wait] [--timeout DURATION]",
	    "Asks for the environment's name on a terminal; without a terminal it refuses\n"
	    "unless --force. Then TerminateEnvironment, and waits until the environment is\n"
	    "Terminated: exit 0, 4 when the termination failed, 6 on --timeout, 130 when\n"
	    "interrupted (it goes on)."};
	struct op_target t = {0};
	bool force = false, no_wait = false;
	unsigned long timeout = 20 * 60;
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_BOOL("force", 'f', &force, "do not ask", NULL),
	    OPTION_BOOL("no-wait", 0, &no_wait, "return once the termination has started",
	                "EBCTL_NO_WAIT"),
	    OPTION_DURATION("timeout", 't', &timeout, "DURATION", "bound the wait (default 20m)",
	                    "EBCTL_TIMEOUT"),
	    OPTION_END,
	};
	struct aws_error err;
	char *rid = NULL;
	int rc, n;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("terminate", "unexpected argument '%s'", argv[1]);
	interrupt_install();
	t.timeout_s = timeout;
	if ((rc = cli_target_open(&t, "terminate", 0)))
		goto out;
	if (!force && (rc = confirm_by_name(
	                   t.env, "everything in it goes (instances, load balancer, its CNAME)",
	                   "terminated")))
		goto out;
	aws_error_clear(&err);
	if (eb_terminate_environment(t.client, t.env, &rid, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	notef("terminating environment '%s' (request %s)", t.env, rid && *rid ? rid : "-");
	if (no_wait)
		goto out;
	{
		struct watch_env e;
		memset(&e, 0, sizeof(e));
		e.name = t.env;
		e.goal = WATCH_GOAL_GONE;
		rc = watch_out_one(t.client, t.app, &e, rid, timeout, HEALTH_GREEN);
		rid = NULL; /* the watcher's now */
	}
out:
	free(rid);
	op_target_close(&t);
	return rc;
}
