/* The environment an operate command works on, and its AWS client. */
#include "ebctl/aws.h"
#include "ebctl/eb.h"
#include "ebctl/operate.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>

int op_aws_fail(const struct aws_error *err)
{
	if (err->interrupted)
		return follow_interrupted_exit(NULL);
	aws_error_print(err);
	return aws_error_exit_code(err);
}

/* The application of an environment, from DescribeEnvironments. */
static int lookup_app(struct op_target *t)
{
	struct eb_environments envs = {NULL, 0};
	struct aws_error err;
	const char *names[1];
	int rc = 0;

	names[0] = t->env;
	aws_error_clear(&err);
	if (eb_describe_environments(t->client, NULL, names, 1, false, &envs, &err))
		return op_aws_fail(&err);
	if (envs.n == 0 || !envs.v[0].app) {
		errorf("environment '%s' not found in region '%s'", t->env, aws_client_region(t->client));
		rc = EB_EXIT_INVALID;
	} else {
		t->owned_app = xstrdup(envs.v[0].app);
		t->app = t->owned_app;
	}
	eb_environments_free(&envs);
	return rc;
}

int op_target_open(struct op_target *t, const char *cmd, unsigned flags)
{
	struct aws_client_options o;
	struct aws_error err;

	if (!t->env || !*t->env) {
		errorf("no environment given: use --env NAME or EBCTL_ENV");
		fprintf(stderr, "See 'ebctl %s --help'.\n", cmd);
		return EB_EXIT_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.region = t->region;
	o.profile = t->profile;
	o.interrupted = follow_interrupt_flag();
	aws_error_clear(&err);
	if (aws_client_new(&o, &t->client, &err))
		return op_aws_fail(&err);
	if ((flags & OP_NEED_APP) && (!t->app || !*t->app))
		return lookup_app(t);
	return 0;
}

void op_target_close(struct op_target *t)
{
	aws_client_free(t->client);
	t->client = NULL;
	free(t->owned_app);
	t->owned_app = NULL;
}
