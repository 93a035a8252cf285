/* ebctl swap: blue/green, swapping two environments' CNAMEs once the one
 * that will take the traffic is Ready and healthy. */
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/verdict.h"

#include <stdlib.h>
#include <string.h>

/* The two environments' records, in the order asked. */
static int describe_two(struct op_target *t, const char *a, const char *b,
                        struct eb_environments *envs, const struct eb_environment **ra,
                        const struct eb_environment **rb)
{
	const char *names[2] = {a, b};
	struct aws_error err;
	*ra = *rb = NULL;
	aws_error_clear(&err);
	if (eb_describe_environments(t->client, t->app, names, 2, false, envs, &err))
		return cli_aws_fail(&err);
	*ra = eb_environments_find(envs, a);
	*rb = eb_environments_find(envs, b);
	if (!*ra)
		return op_env_not_found(t->client, t->app, a, cli_sink());
	if (!*rb)
		return op_env_not_found(t->client, t->app, b, cli_sink());
	return 0;
}

int cmd_swap(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "swap", "--env BLUE --with GREEN [--force] [--timeout DURATION]",
	    "Checks that GREEN (the environment that takes BLUE's URL) is Ready and its\n"
	    "health is in --healthy, refusing otherwise unless --force; then\n"
	    "SwapEnvironmentCNAMEs, and waits until both report the swapped CNAMEs. Prints\n"
	    "which URL now serves which version."};
	struct op_target t = {0};
	const char *with = NULL, *healthy = "Green";
	bool force = false;
	unsigned long timeout = 10 * 60;
	unsigned mask = 0;
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_STRING("with", 'w', &with, "GREEN", "the environment to swap with", NULL),
	    OPTION_BOOL("force", 'f', &force, "swap even when GREEN is not Ready and healthy",
	                NULL),
	    OPTION_STRING("healthy", 0, &healthy, "COLOURS",
	                  "GREEN's health that allows the swap (default Green)", "EBCTL_HEALTHY"),
	    OPTION_DURATION("timeout", 't', &timeout, "DURATION", "bound the wait (default 10m)",
	                    "EBCTL_TIMEOUT"),
	    OPTION_END,
	};
	struct eb_environments envs = {NULL, 0};
	const struct eb_environment *blue, *green;
	struct aws_error err;
	char *blue_cname = NULL, *green_cname = NULL, *rid = NULL;
	int64_t deadline;
	int rc, n;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("swap", "unexpected argument '%s'", argv[1]);
	if (!with)
		return usage_error("swap", "give the environment to swap with: --with GREEN");
	if ((rc = opts_healthy("swap", healthy, &mask)))
		return rc;
	interrupt_install();
	t.timeout_s = timeout;
	if ((rc = cli_target_open(&t, "swap", OP_NEED_APP)))
		goto out;
	if (!strcmp(t.env, with)) {
		rc = usage_error("swap", "an environment cannot swap with itself");
		goto out;
	}
	if ((rc = describe_two(&t, t.env, with, &envs, &blue, &green)))
		goto out;
	if (!force && (!green->status || strcmp(green->status, "Ready") != 0 ||
	               !(verdict_health_bit(green->health) & mask))) {
		errorf("refusing to swap: '%s' is %s with health %s, and would take the traffic of "
		       "'%s'; wait until it is Ready and healthy, or give --force",
		       with, green->status ? green->status : "in an unknown state",
		       green->health ? green->health : "unknown", t.env);
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	blue_cname = blue->cname ? xstrdup(blue->cname) : NULL;
	green_cname = green->cname ? xstrdup(green->cname) : NULL;
	aws_error_clear(&err);
	if (eb_swap_cnames(t.client, t.env, with, &rid, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	notef("swapping the CNAMEs of '%s' and '%s' (request %s)", t.env, with, rid ? rid : "-");
	/* until both report the other's CNAME and are Ready */
	deadline = time_mono_ms() + (int64_t)timeout * 1000;
	for (;;) {
		eb_environments_cleanup(&envs);
		if ((rc = describe_two(&t, t.env, with, &envs, &blue, &green)))
			goto out;
		if (blue->cname && green->cname && green_cname && blue_cname &&
		    !strcmp(blue->cname, green_cname) && !strcmp(green->cname, blue_cname) &&
		    blue->status && !strcmp(blue->status, "Ready") && green->status &&
		    !strcmp(green->status, "Ready"))
			break;
		if (time_mono_ms() >= deadline) {
			errorf("timed out waiting for the CNAMEs of '%s' and '%s' to swap; the "
			       "swap may "
			       "still be running",
			       t.env, with);
			rc = EBCTL_ERR_TIMEOUT;
			goto out;
		}
		if (interrupt_sleep_ms(poll_interval_ms(1000), -1) != SLEEP_DONE) {
			rc = follow_interrupted_exit("the swap may still be running");
			goto out;
		}
	}
	out_line("http://%s now serves '%s' (%s)\n", green->cname,
	         green->version_label ? green->version_label : "no version", with);
	out_line("http://%s now serves '%s' (%s)\n", blue->cname,
	         blue->version_label ? blue->version_label : "no version", t.env);
out:
	free(rid);
	free(blue_cname);
	free(green_cname);
	eb_environments_cleanup(&envs);
	op_target_close(&t);
	return rc;
}
