/* ebctl upgrade: move an environment to the newest version of its platform
 * branch (or to the platform given), and wait for it. */
#include "ebctl/cli.h"
#include "ebctl/deploy.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/watch.h"

#include <stdlib.h>
#include <string.h>

int cmd_upgrade(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "upgrade", "--env NAME [--platform NAME|ARN] [--timeout DURATION]",
	    "Without --platform, the newest version of the branch the environment runs on;\n"
	    "with it, that platform (resolved as 'ebctl create' does: a branch, words of one,\n"
	    "a solution stack or an ARN), for a move to another branch (off a deprecated\n"
	    "one). One UpdateEnvironment with the PlatformArn, then deploy's watcher and exit\n"
	    "codes; an environment already there is left alone (exit 0)."};
	struct op_target t = {0};
	const char *platform = NULL, *healthy = "Green";
	unsigned long timeout = 30 * 60;
	unsigned healthy_mask = 0;
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_STRING("platform", 0, &platform, "NAME|ARN", "the platform to move to",
	                  "EBCTL_PLATFORM"),
	    OPTION_DURATION("timeout", 't', &timeout, "DURATION", "bound the wait (default 30m)",
	                    "EBCTL_TIMEOUT"),
	    OPTION_STRING("healthy", 0, &healthy, "COLOURS",
	                  "health colours that count as success (default Green)", "EBCTL_HEALTHY"),
	    OPTION_END,
	};
	struct eb_environments envs = {NULL, 0};
	struct eb_platforms ps = {NULL, 0};
	const struct eb_platform *to;
	struct aws_error err;
	char *branch = NULL, *rid = NULL, why[1024];
	const char *from, *p;
	int rc, n;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("upgrade", "unexpected argument '%s'", argv[1]);
	if ((rc = opts_healthy("upgrade", healthy, &healthy_mask)))
		return rc;
	interrupt_install();
	t.timeout_s = timeout;
	if ((rc = cli_target_open(&t, "upgrade", 0)) || (rc = op_describe_env(&t, &envs)))
		goto out;
	from = envs.v[0].platform_arn;
	/* ".../platform/ECS running on 64bit Amazon Linux 2023/4.3.1": the branch */
	p = from ? strstr(from, ":platform/") : NULL;
	if (p && strrchr(p + 10, '/'))
		branch = xstrndup(p + 10, (size_t)(strrchr(p + 10, '/') - (p + 10)));
	if (!platform && !branch) {
		errorf("environment '%s' reports no platform ARN: give --platform", t.env);
		rc = EBCTL_ERR_USAGE;
		goto out;
	}
	aws_error_clear(&err);
	if (eb_list_platforms(t.client, NULL, &ps, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	to = deploy_platform_resolve(&ps, platform ? platform : branch, why, sizeof(why));
	if (!to) {
		errorf("%s", why);
		rc = platform ? EBCTL_ERR_USAGE : EBCTL_ERR_AWS;
		goto out;
	}
	if (from && !strcmp(from, to->arn)) {
		notef("environment '%s' already runs %s %s, the newest of its branch", t.env,
		      to->branch, to->version);
		out_line("%s: success: already on %s %s (0s)\n", t.env, to->branch, to->version);
		goto out;
	}
	{
		struct eb_update u;
		memset(&u, 0, sizeof(u));
		u.app = t.app;
		u.env = t.env;
		u.platform_arn = to->arn;
		if (eb_update_environment(t.client, &u, &rid, &err)) {
			rc = cli_aws_fail(&err);
			goto out;
		}
	}
	notef("upgrading environment '%s' from %s to %s %s (request %s)", t.env,
	      p ? p + 10 : "its platform", to->branch, to->version, rid ? rid : "-");
	rc = watch_out_same_version(t.client, t.app, t.env, envs.v[0].version_label, rid, timeout,
	                            healthy_mask);
	rid = NULL;
out:
	free(rid);
	free(branch);
	eb_platforms_cleanup(&ps);
	eb_environments_cleanup(&envs);
	op_target_close(&t);
	return rc;
}
