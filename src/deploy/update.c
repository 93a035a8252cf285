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

/* How many times a throttled update is sent again, on top of the client's
 * own attempts: with the client's doubling backoff, about a minute at
 * Elastic Beanstalk's rate before a throttling that does not let up is
 * reported (exit 3) instead of waited out until --timeout. */
#define UPDATE_THROTTLE_ROUNDS 6

int deploy_update_env(const struct deploy_settings *s, struct aws_client *c, struct watch_env *e,
                      char **request_id)
{
	struct aws_error err;
	struct eb_update u;
	char *rid = NULL;
	bool maybe_started = false; /* an earlier call's answer was lost */
	int attempt;

	*request_id = NULL;
	if (interrupt_requested()) {
		snprintf(e->reason, sizeof(e->reason),
		         "interrupted before the update; nothing was changed");
		return EBCTL_ERR_INTERRUPTED;
	}
	memset(&u, 0, sizeof(u));
	u.app = s->app;
	u.env = e->name;
	u.version_label = e->label;
	u.settings = s->options.n ? &s->options : NULL; /* one update, one wait */
	for (attempt = 1;; attempt++) {
		aws_error_clear(&err);
		if (!eb_update_environment(c, &u, &rid, &err))
			break;
		maybe_started = maybe_started || err.unknown_outcome || err.attempts > 1;
		/* Throttled: refused, not run. Elastic Beanstalk's rate is the
		 * account's; a deploy to many environments waits its turn (within
		 * its deadline, where the client stops sending) rather than fail. */
		if (!aws_error_throttled(&err) || attempt > UPDATE_THROTTLE_ROUNDS ||
		    interrupt_sleep_ms((int64_t)aws_client_backoff_ms(c, attempt + 1), -1) !=
		        SLEEP_DONE)
			break;
		debugf("%s: UpdateEnvironment throttled; again (attempt %d)", e->name, attempt + 1);
	}
	if (!rid && (err.unknown_outcome || err.attempts > 1 || maybe_started) &&
	    (rid = adopt_lost_update(s, c, e->name)) != NULL) {
		sink_warn(s->sink,
		          "%s: the answer to UpdateEnvironment was lost; following the update in "
		          "progress (request %s)",
		          e->name, rid);
	} else if (!rid) {
		char msg[1200];
		snprintf(e->reason, sizeof(e->reason), "%s%s",
		         aws_error_format(&err, msg, sizeof(msg)),
		         err.unknown_outcome ? "; the update may have started" : "");
		return aws_error_status(&err);
	}
	sink_note(s->sink, "%s: updating to '%s' (request %s)", e->name, e->label, rid);
	*request_id = rid;
	return 0;
}

void *deploy_update_worker(void *arg)
{
	struct update_pool *p = arg;
	struct aws_client *c = NULL;
	struct aws_error err;
	int crc;
	aws_error_clear(&err);
	crc = aws_client_new(p->copts, &c, &err);
	for (;;) {
		struct env_update *u = NULL;
		pthread_mutex_lock(&p->lock);
		while (p->next < p->n && !p->u[p->next].wanted)
			p->next++;
		if (p->next < p->n)
			u = &p->u[p->next++];
		pthread_mutex_unlock(&p->lock);
		if (!u)
			break;
		u->started_ms = time_mono_ms();
		if (crc) {
			aws_error_format(&err, u->work.reason, sizeof(u->work.reason));
			u->rc = aws_error_status(&err);
		} else {
			u->rc = u->create_on ? deploy_create_env(u->s, u->create_on, c, &u->work,
			                                         &u->request_id)
			                     : deploy_update_env(u->s, c, &u->work, &u->request_id);
		}
		pthread_mutex_lock(&p->lock);
		u->done = true;
		pthread_mutex_unlock(&p->lock);
	}
	aws_client_free(c); /* the signer's per-thread buffers go with the thread */
	return NULL;
}
