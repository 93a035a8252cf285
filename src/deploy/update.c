/* Updating one environment to the new version: UpdateEnvironment, and the
 * recovery of an update whose answer was lost. The watcher follows it. */
#include "internal.h"

#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>

/*
 * UpdateEnvironment failed with its outcome unknown (the answer was lost and
 * the environment is no longer Ready), or after more than one attempt (a
 * repeat met "invalid state"): an earlier attempt may have started the
 * update and only its answer was lost. The environment was Ready at the
 * pre-flight check; if it is now updating, the update in progress is ours.
 */
static char *adopt_lost_update(const struct deploy_settings *s, struct aws_client *c,
                               const char *env)
{
	return op_update_in_progress(c, s->app, env);
}

int deploy_update_env(const struct deploy_settings *s, struct aws_client *c, struct watch_env *e,
                      char **request_id)
{
	struct aws_error err;
	struct eb_update u;
	char *rid = NULL;

	*request_id = NULL;
	if (interrupt_requested()) {
		snprintf(e->reason, sizeof(e->reason),
		         "interrupted before the update; nothing was changed");
		return EB_EXIT_INTERRUPTED;
	}
	memset(&u, 0, sizeof(u));
	u.app = s->app;
	u.env = e->name;
	u.version_label = e->label;
	u.settings = s->options.n ? &s->options : NULL; /* one update, one wait */
	aws_error_clear(&err);
	if (eb_update_environment(c, &u, &rid, &err) && (err.unknown_outcome || err.attempts > 1) &&
	    (rid = adopt_lost_update(s, c, e->name)) != NULL) {
		warnf("%s: the answer to UpdateEnvironment was lost; following the update in "
		      "progress (request %s)",
		      e->name, rid);
	} else if (!rid) {
		char msg[1200];
		snprintf(e->reason, sizeof(e->reason), "%s%s",
		         aws_error_format(&err, msg, sizeof(msg)),
		         err.unknown_outcome ? "; the update may have started" : "");
		return aws_error_exit_code(&err);
	}
	notef("%s: updating to '%s' (request %s)", e->name, e->label, rid);
	*request_id = rid;
	return 0;
}

void *deploy_update_thread(void *arg)
{
	struct env_update *u = arg;
	struct aws_client *c = NULL;
	struct aws_error err;
	aws_error_clear(&err);
	u->started_ms = time_mono_ms();
	if (aws_client_new(u->copts, &c, &err)) {
		aws_error_format(&err, u->e->reason, sizeof(u->e->reason));
		u->rc = aws_error_exit_code(&err);
		return NULL;
	}
	u->rc = u->create_on ? deploy_create_env(u->s, u->create_on, c, u->e, &u->request_id)
	                     : deploy_update_env(u->s, c, u->e, &u->request_id);
	aws_client_free(c); /* the signer's per-thread buffers go with the thread */
	return NULL;
}
