/* The environment an operate command works on, and its AWS client. */
#include "ebctl/aws.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>

int op_aws_fail(const struct aws_error *err, const struct msgsink *sink)
{
	if (err->interrupted) {
		sink_error(sink, "interrupted (%s)", interrupt_signal_name());
		return EBCTL_ERR_INTERRUPTED;
	}
	aws_error_report(err, sink);
	return aws_error_status(err);
}

static const char *keep(struct op_target *t, size_t slot, const char *s)
{
	free(t->owned[slot]);
	t->owned[slot] = xstrdup(s);
	return t->owned[slot];
}

int op_env_not_found(struct aws_client *c, const char *app, const char *env,
                     const struct msgsink *sink)
{
	struct eb_environments all = {NULL, 0};
	struct aws_error err;
	struct buf names = BUF_INIT;
	const char *region = aws_client_region(c);
	bool exists = true;
	size_t i;

	aws_error_clear(&err);
	if (!app || !*app) {
		sink_error(sink, "environment '%s' not found in region '%s'", env, region);
		return EBCTL_ERR_INVALID;
	}
	if (eb_application_exists(c, app, &exists, &err) == 0 && !exists) {
		sink_error(sink, "application '%s' not found in region '%s'", app, region);
		return EBCTL_ERR_INVALID;
	}
	if (eb_describe_environments(c, app, NULL, 0, false, &all, &err) == 0) {
		for (i = 0; i < all.n; i++)
			buf_printf(&names, "%s%s", i ? ", " : "",
			           all.v[i].name ? all.v[i].name : "?");
	}
	if (names.len)
		sink_error(sink,
		           "environment '%s' not found in application '%s' (region '%s'); its "
		           "environments are: %s",
		           env, app, region, buf_cstr(&names));
	else
		sink_error(sink,
		           "environment '%s' not found in application '%s' (region '%s'); it has "
		           "no environments",
		           env, app, region);
	buf_cleanup(&names);
	eb_environments_cleanup(&all);
	return EBCTL_ERR_INVALID;
}

/* The environment's record; not found is an error (EBCTL_ERR_INVALID). */
int op_describe_env(struct op_target *t, struct eb_environments *envs)
{
	struct aws_error err;
	const char *names[1];

	if (t->opened && t->opened->n && t->opened->v[0].name && t->env &&
	    strcmp(t->opened->v[0].name, t->env) == 0) {
		/* read a moment ago by op_target_open: no second DescribeEnvironments */
		*envs = *t->opened;
		free(t->opened);
		t->opened = NULL;
		return 0;
	}
	names[0] = t->env;
	aws_error_clear(&err);
	if (eb_describe_environments(t->client, t->app, names, 1, false, envs, &err))
		return op_aws_fail(&err, t->sink);
	if (envs->n == 0)
		return op_env_not_found(t->client, t->app, t->env, t->sink);
	return 0;
}

int op_running_label(struct op_target *t, char **label)
{
	struct eb_environments envs = {NULL, 0};
	int rc = op_describe_env(t, &envs);
	*label = NULL;
	if (rc == 0 && envs.v[0].version_label)
		*label = xstrdup(envs.v[0].version_label);
	eb_environments_cleanup(&envs);
	return rc;
}

int op_describe_envs(struct op_target *t, const char *const *names, size_t n,
                     struct eb_environments *envs)
{
	struct aws_error err;
	size_t i;

	if (n == 1) { /* op_target_open's record, when it is this one */
		const char *env = t->env;
		int rc;
		t->env = names[0];
		rc = op_describe_env(t, envs);
		t->env = env;
		return rc;
	}
	aws_error_clear(&err);
	if (eb_describe_environments(t->client, t->app, names, n, false, envs, &err))
		return op_aws_fail(&err, t->sink);
	for (i = 0; i < n; i++) {
		if (!eb_environments_find(envs, names[i])) {
			eb_environments_cleanup(envs);
			return op_env_not_found(t->client, t->app, names[i], t->sink);
		}
	}
	return 0;
}

/* Fill what flags and EBCTL_* left unset from .elasticbeanstalk/config.yml. */
static int load_eb_config(struct op_target *t)
{
	struct ebcli_project p;
	int rc = ebcli_project_load(".", &p, t->sink);
	if (rc == 0) {
		if (p.app && !t->app)
			t->app = keep(t, 0, p.app);
		if (p.env && (!t->env || !*t->env))
			t->env = keep(t, 1, p.env);
		if (p.region && !t->region)
			t->region = keep(t, 2, p.region);
		if (p.profile && !t->profile) {
			t->profile = keep(t, 3, p.profile);
			t->profile_from = ".elasticbeanstalk/config.yml";
		}
	}
	ebcli_project_cleanup(&p);
	return rc;
}

int op_target_open(struct op_target *t, const struct msgsink *sink, unsigned flags)
{
	struct aws_client_options o;
	struct aws_error err;
	int rc;

	t->sink = sink;
	if ((rc = load_eb_config(t)))
		return rc;
	if (!(flags & OP_NO_ENV) && (!t->env || !*t->env)) {
		sink_error(sink, "no environment given: use --env NAME, EBCTL_ENV or "
		                 ".elasticbeanstalk/config.yml");
		return EBCTL_ERR_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.region = t->region;
	o.profile = t->profile;
	o.profile_from = t->profile_from;
	o.interrupted = interrupt_flag();
	o.sink = sink;
	if (t->timeout_s)
		o.deadline_ms = time_mono_ms() + (int64_t)t->timeout_s * 1000;
	aws_error_clear(&err);
	if (aws_client_new(&o, &t->client, &err))
		return op_aws_fail(&err, sink);
	if (!t->env || !*t->env)
		return 0;
	{
		/* Every command says the same thing when its target does not exist. */
		struct eb_environments envs = {NULL, 0};
		if ((rc = op_describe_env(t, &envs)) == 0 && (!t->app || !*t->app)) {
			if (envs.v[0].app)
				t->app = keep(t, 0, envs.v[0].app);
			else if (flags & OP_NEED_APP)
				rc = EBCTL_ERR_AWS;
		}
		if (rc == 0) {
			t->opened = xmalloc(sizeof(*t->opened));
			*t->opened = envs;
		} else {
			eb_environments_cleanup(&envs);
		}
	}
	return rc;
}

void op_target_close(struct op_target *t)
{
	size_t i;
	aws_client_free(t->client);
	t->client = NULL;
	if (t->opened) {
		eb_environments_cleanup(t->opened);
		free(t->opened);
		t->opened = NULL;
	}
	for (i = 0; i < EBCTL_ARRAY_LEN(t->owned); i++) {
		free(t->owned[i]);
		t->owned[i] = NULL;
	}
}

char *op_update_in_progress(struct aws_client *c, const char *app, const char *env)
{
	struct eb_environments envs;
	struct eb_events ev;
	struct eb_events_filter flt;
	struct aws_error err;
	const char *names[1] = {env};
	char *rid = NULL;
	bool updating;
	size_t i;

	memset(&envs, 0, sizeof(envs));
	memset(&ev, 0, sizeof(ev));
	memset(&flt, 0, sizeof(flt));
	aws_error_clear(&err);
	if (eb_describe_environments(c, app, names, 1, false, &envs, &err))
		return NULL;
	updating = envs.n && envs.v[0].status && strcmp(envs.v[0].status, "Ready") != 0;
	eb_environments_cleanup(&envs);
	if (!updating)
		return NULL;
	flt.app = app;
	flt.env = env;
	flt.max_records = 20;
	if (eb_describe_events(c, &flt, &ev, &err))
		return NULL;
	/* newest first: the newest request is the one in progress */
	for (i = 0; i < ev.n && !rid; i++)
		if (ev.v[i].request_id && *ev.v[i].request_id)
			rid = xstrdup(ev.v[i].request_id);
	eb_events_cleanup(&ev);
	return rid;
}
