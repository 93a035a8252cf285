/* ebctl restart and ebctl rebuild: RestartAppServer and RebuildEnvironment,
 * each followed by the watcher until the environment is Ready again. */
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/verdict.h"

#include <stdlib.h>
#include <string.h>

/* restart (rebuild false) and rebuild share everything but the call and the question. */
static int env_operation(int argc, char **argv, const struct cmd_help *help, bool rebuild)
{
	struct op_target t = {0};
	bool force = false, no_wait = false;
	unsigned long timeout = 30 * 60;
	const char *healthy = "Green";
	unsigned mask = 0;
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_BOOL("force", 'f', &force, "rebuild: do not ask", NULL),
	    OPTION_BOOL("no-wait", 0, &no_wait, "return once it has started", "EBCTL_NO_WAIT"),
	    OPTION_DURATION("timeout", 't', &timeout, "DURATION", "bound the wait (default 30m)",
	                    "EBCTL_TIMEOUT"),
	    OPTION_STRING("healthy", 0, &healthy, "COLOURS",
	                  "health colours that count as success (default Green)", "EBCTL_HEALTHY"),
	    OPTION_END,
	};
	struct eb_environments envs = {NULL, 0};
	struct aws_error err;
	char *rid = NULL;
	int rc, n;

	/* only rebuild asks, so only rebuild takes --force */
	struct opt rows[EBCTL_ARRAY_LEN(opts)];
	size_t i, k = 0;
	for (i = 0; i < EBCTL_ARRAY_LEN(opts); i++)
		if (rebuild || !opts[i].name || strcmp(opts[i].name, "force") != 0)
			rows[k++] = opts[i];
	OPTS_PARSE_OR_RETURN(help, rows, argc, argv, &n);
	if (n > 0)
		return usage_error(help->name, "unexpected argument '%s'", argv[1]);
	if ((rc = opts_healthy(help->name, healthy, &mask)))
		return rc;
	interrupt_install();
	t.timeout_s = timeout;
	if ((rc = cli_target_open(&t, help->name, 0)) || (rc = op_describe_env(&t, &envs)))
		goto out;
	if (rebuild && !force &&
	    (rc =
	         confirm_by_name(t.env, "its instances and load balancer are replaced", "rebuilt")))
		goto out;
	aws_error_clear(&err);
	if ((rebuild ? eb_rebuild_environment : eb_restart_app_server)(t.client, t.env, &rid,
	                                                               &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	notef("%s '%s' (request %s)", rebuild ? "rebuilding" : "restarting the app servers of",
	      t.env, rid ? rid : "-");
	if (!no_wait) {
		rc = watch_out_same_version(t.client, t.app, t.env, envs.v[0].version_label, rid,
		                            timeout, mask);
		rid = NULL;
	}
out:
	free(rid);
	eb_environments_cleanup(&envs);
	op_target_close(&t);
	return rc;
}

int cmd_restart(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "restart", "--env NAME [--no-wait] [--timeout DURATION]",
	    "RestartAppServer restarts the containers on every instance, and the watcher\n"
	    "follows it until the environment is Ready and healthy again on the version it\n"
	    "runs (deploy's exit codes)."};
	return env_operation(argc, argv, &help, false);
}

int cmd_rebuild(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "rebuild", "--env NAME [--force] [--no-wait] [--timeout DURATION]",
	    "RebuildEnvironment replaces the environment's instances and load balancer. On a\n"
	    "terminal it asks for the environment's name; without one it refuses unless\n"
	    "--force. Then the watcher follows it until Ready and healthy again."};
	return env_operation(argc, argv, &help, true);
}
