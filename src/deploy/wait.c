/* One environment: wait until Ready (--wait-ready), UpdateEnvironment,
 * then follow its events and state to a verdict. Runs on its own thread
 * with its own client. */
#include "internal.h"

#include "ebctl/eb.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Reports within about a second of the environment settling; EBCTL_POLL_MS
 * sets another pace (tests and benchmarks). */
#define POLL_MS     poll_interval_ms(1000)
#define POLL_MAX_MS 16000 /* backing off after failures and throttling */

struct follow {
	struct env_run *r;
	struct aws_client *c;
	struct verdict v;
	struct strlist seen; /* events already printed: "date|severity|message" */
	int64_t interval_ms;
	int failures; /* consecutive failed polls */
	struct aws_error last_err;
};

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static void print_event(const struct env_run *r, const struct eb_event *e)
{
	char when[32];
	bool color = term_use_color(stderr);
	const char *sev = e->severity ? e->severity : "INFO";
	const char *c = "";
	if (eb_quiet)
		return;
	time_format_iso8601(e->date, when, sizeof(when));
	if (color && (!strcasecmp(sev, "ERROR") || !strcasecmp(sev, "FATAL")))
		c = COLOR_RED;
	else if (color && !strcasecmp(sev, "WARN"))
		c = COLOR_YELLOW;
	deploy_lock();
	/* "2024-01-02T03:04:05Z" -> "03:04:05" */
	fprintf(stderr, "%s%s%.8s %s%-5s%s %s\n", r->prefix ? r->name : "", r->prefix ? ": " : "",
	        strlen(when) >= 19 ? when + 11 : when, c, sev, *c ? COLOR_RESET : "",
	        e->message ? e->message : "");
	fflush(stderr);
	deploy_unlock();
}

/* A failed poll: back off (more when throttled), keep the error for the
 * summary if the deadline comes first. */
static void poll_failed(struct follow *f, const struct aws_error *e)
{
	char msg[1200];
	f->failures++;
	f->last_err = *e;
	f->interval_ms *= deploy_throttled(e) ? 4 : 2;
	if (f->interval_ms > POLL_MAX_MS)
		f->interval_ms = POLL_MAX_MS;
	debugf("%s: poll failed: %s", f->r->name, aws_error_format(e, msg, sizeof(msg)));
}

static void poll_events(struct follow *f)
{
	struct env_run *r = f->r;
	struct eb_events_filter flt;
	struct eb_events ev;
	struct aws_error err;
	size_t i;
	memset(&flt, 0, sizeof(flt));
	memset(&ev, 0, sizeof(ev));
	aws_error_clear(&err);
	flt.app = r->s->app;
	flt.env = r->name;
	flt.request_id = r->request_id;
	if (eb_describe_events(f->c, &flt, &ev, &err)) {
		poll_failed(f, &err);
		return;
	}
	f->failures = 0;
	/* Newest first from the service: replay oldest first. */
	for (i = ev.n; i-- > 0 && f->v.state == VERDICT_WAITING;) {
		const struct eb_event *e = &ev.v[i];
		char *key = xasprintf("%lld|%s|%s", (long long)e->date,
		                      e->severity ? e->severity : "", e->message ? e->message : "");
		if (!strlist_has(&f->seen, key)) {
			strlist_add(&f->seen, key);
			if (!e->request_id || !strcmp(e->request_id, r->request_id))
				print_event(r, e);
			verdict_on_event(&f->v, e->request_id, e->severity, e->message,
			                 time_mono_ms());
		}
		free(key);
	}
	eb_events_free(&ev);
}

static void poll_environment(struct follow *f)
{
	struct env_run *r = f->r;
	struct eb_environments envs;
	struct aws_error err;
	const char *names[1] = {r->name};
	memset(&envs, 0, sizeof(envs));
	aws_error_clear(&err);
	if (eb_describe_environments(f->c, r->s->app, names, 1, false, &envs, &err)) {
		poll_failed(f, &err);
		return;
	}
	f->failures = 0;
	if (envs.n == 0) {
		verdict_on_environment(&f->v, "Terminated", NULL, NULL, time_mono_ms());
	} else {
		const struct eb_environment *e = &envs.v[0];
		set_str(&r->status, e->status);
		set_str(&r->health, e->health);
		set_str(&r->running_label, e->version_label);
		set_str(&r->url, e->cname ? e->cname : e->endpoint_url);
		verdict_on_environment(&f->v, e->status, e->health, e->version_label,
		                       time_mono_ms());
	}
	eb_environments_free(&envs);
}

/* --wait-ready: poll until the environment is Ready. Returns 0, or the exit code. */
static int wait_ready(struct env_run *r, struct aws_client *c)
{
	int64_t interval = POLL_MS;
	bool said = false;
	for (;;) {
		struct eb_environments envs;
		struct aws_error err;
		const char *names[1] = {r->name};
		memset(&envs, 0, sizeof(envs));
		aws_error_clear(&err);
		if (deploy_interrupted)
			return EB_EXIT_INTERRUPTED;
		if (eb_describe_environments(c, r->s->app, names, 1, false, &envs, &err) == 0) {
			bool ready =
			    envs.n && envs.v[0].status && !strcmp(envs.v[0].status, "Ready");
			if (!said && envs.n && !ready) {
				deploy_lock();
				notef("%s is %s: waiting until it is Ready", r->name,
				      envs.v[0].status ? envs.v[0].status : "busy");
				deploy_unlock();
				said = true;
			}
			eb_environments_free(&envs);
			if (ready)
				return 0;
			interval = POLL_MS;
		} else {
			interval = interval * 2 > POLL_MAX_MS ? POLL_MAX_MS : interval * 2;
		}
		if (time_mono_ms() >= r->deadline_ms) {
			snprintf(r->reason, sizeof(r->reason),
			         "timed out waiting for the environment to be Ready");
			return EB_EXIT_TIMEOUT;
		}
		deploy_sleep_ms(interval);
	}
}

static void follow(struct env_run *r, struct aws_client *c)
{
	struct follow f;
	struct verdict_config vc = {r->label,       r->request_id, r->healthy,
	                            r->deadline_ms, r->grace_ms,   r->label_was_running};
	memset(&f, 0, sizeof(f));
	f.r = r;
	f.c = c;
	f.interval_ms = POLL_MS;
	verdict_init(&f.v, &vc);
	while (f.v.state == VERDICT_WAITING) {
		int64_t now, wait;
		if (deploy_interrupted)
			break;
		poll_events(&f);
		if (f.v.state == VERDICT_WAITING)
			poll_environment(&f);
		now = time_mono_ms();
		if (verdict_on_tick(&f.v, now) != VERDICT_WAITING)
			break;
		if (!f.failures)
			f.interval_ms = POLL_MS;
		wait = r->deadline_ms - now;
		deploy_sleep_ms(wait < f.interval_ms ? wait : f.interval_ms);
	}
	r->state = f.v.state;
	if (deploy_interrupted && f.v.state == VERDICT_WAITING) {
		r->rc = EB_EXIT_INTERRUPTED;
		snprintf(r->reason, sizeof(r->reason),
		         "the update is still running on Elastic Beanstalk");
	} else if (f.v.state == VERDICT_TIMEOUT && f.failures) {
		char msg[1200];
		r->rc = aws_error_exit_code(&f.last_err);
		snprintf(r->reason, sizeof(r->reason),
		         "could not follow the environment (%s); the update may still be running",
		         aws_error_format(&f.last_err, msg, sizeof(msg)));
	} else {
		r->rc = verdict_exit_code(f.v.state);
		snprintf(r->reason, sizeof(r->reason), "%s%s", f.v.reason,
		         f.v.state == VERDICT_TIMEOUT ? "; the update may still be running" : "");
	}
	strlist_free(&f.seen);
}

/*
 * UpdateEnvironment failed with its outcome unknown (the answer was lost and
 * the environment is no longer Ready), or after more than one attempt (a
 * repeat met "invalid state"): an earlier attempt may have started the
 * update and only its answer was lost. The environment was
 * Ready at the pre-flight check; if it is now updating, the newest update
 * request in its events is ours. Returns that RequestId (caller frees),
 * or NULL.
 */
static char *adopt_lost_update(struct env_run *r, struct aws_client *c)
{
	struct eb_environments envs;
	struct eb_events ev;
	struct eb_events_filter flt;
	struct aws_error err;
	const char *names[1] = {r->name};
	char *rid = NULL;
	bool updating;
	size_t i;

	memset(&envs, 0, sizeof(envs));
	memset(&ev, 0, sizeof(ev));
	memset(&flt, 0, sizeof(flt));
	aws_error_clear(&err);
	if (eb_describe_environments(c, r->s->app, names, 1, false, &envs, &err))
		return NULL;
	updating = envs.n && envs.v[0].status && strcmp(envs.v[0].status, "Ready") != 0;
	eb_environments_free(&envs);
	if (!updating)
		return NULL;
	flt.app = r->s->app;
	flt.env = r->name;
	flt.max_records = 20;
	if (eb_describe_events(c, &flt, &ev, &err))
		return NULL;
	for (i = 0; i < ev.n && !rid; i++)
		if (ev.v[i].request_id && *ev.v[i].request_id)
			rid = xstrdup(ev.v[i].request_id);
	eb_events_free(&ev);
	return rid;
}

void *deploy_env_thread(void *arg)
{
	struct env_run *r = arg;
	struct aws_client *c = NULL;
	struct aws_error err;
	struct eb_update u;
	aws_error_clear(&err);
	r->started_ms = time_mono_ms();
	if (aws_client_new(r->copts, &c, &err)) {
		aws_error_format(&err, r->reason, sizeof(r->reason));
		r->rc = aws_error_exit_code(&err);
		goto out;
	}
	if (!r->ready) {
		r->rc = wait_ready(r, c);
		if (r->rc) {
			if (r->rc == EB_EXIT_INTERRUPTED)
				snprintf(r->reason, sizeof(r->reason),
				         "interrupted before the update; nothing was changed");
			r->state = r->rc == EB_EXIT_TIMEOUT ? VERDICT_TIMEOUT : VERDICT_WAITING;
			goto out;
		}
	}
	if (deploy_interrupted) {
		r->rc = EB_EXIT_INTERRUPTED;
		snprintf(r->reason, sizeof(r->reason),
		         "interrupted before the update; nothing was changed");
		goto out;
	}
	memset(&u, 0, sizeof(u));
	u.app = r->s->app;
	u.env = r->name;
	u.version_label = r->label;
	r->started_ms = time_mono_ms();
	if (eb_update_environment(c, &u, &r->request_id, &err) &&
	    (err.unknown_outcome || err.attempts > 1) &&
	    (r->request_id = adopt_lost_update(r, c)) != NULL) {
		deploy_lock();
		warnf("%s: the answer to UpdateEnvironment was lost; following the update in "
		      "progress (request %s)",
		      r->name, r->request_id);
		deploy_unlock();
	} else if (!r->request_id) {
		char msg[1200];
		snprintf(r->reason, sizeof(r->reason), "%s",
		         aws_error_format(&err, msg, sizeof(msg)));
		r->rc = aws_error_exit_code(&err);
		if (err.unknown_outcome)
			snprintf(r->reason + strlen(r->reason),
			         sizeof(r->reason) - strlen(r->reason),
			         "; the update may have started");
		goto out;
	}
	r->update_sent = true;
	deploy_lock();
	notef("%s: updating to '%s' (request %s)", r->name, r->label,
	      r->request_id ? r->request_id : "?");
	deploy_unlock();
	if (r->s->no_wait) {
		r->rc = 0;
		snprintf(r->reason, sizeof(r->reason), "update started; not waiting (--no-wait)");
		goto out;
	}
	follow(r, c);
out:
	r->ended_ms = time_mono_ms();
	aws_client_free(c); /* the signer's per-thread buffers go with the thread */
	return NULL;
}

void env_run_cleanup(struct env_run *r)
{
	free(r->request_id);
	free(r->status);
	free(r->health);
	free(r->url);
	free(r->running_label);
}
