/* The watcher: one poll loop per application (see include/ebctl/watch.h). */
#include "ebctl/watch.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define POLL_MAX_MS      16000 /* backing off after failures and throttling */
#define EVENTS_WINDOW_MS 60000 /* each poll reaches back this far behind the newest event */
#define EVENTS_MAX_PAGES 10    /* per round; a busier application waits for the next */
#define HEALTH_EVERY_MS  5000  /* one environment's causes are read at most this often */

static void set_str(char **dst, const char *v)
{
	if (*dst && v && !strcmp(*dst, v))
		return;
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static int64_t env_ms(const char *name, int64_t dflt)
{
	const char *v = getenv(name);
	unsigned long s;
	if (v && *v && parse_duration(v, &s) == 0 && s <= 30ul * 24 * 3600)
		return (int64_t)s * 1000;
	return dflt;
}

void watch_init(struct watch *w, const char *app, struct watch_env *envs, size_t n,
                unsigned healthy, int64_t deadline_ms, int64_t now_ms)
{
	size_t i;
	memset(w, 0, sizeof(*w));
	w->app = app;
	w->envs = envs;
	w->n = n;
	w->healthy = healthy;
	w->deadline_ms = deadline_ms;
	w->grace_ms = env_ms("EBCTL_HEALTH_GRACE", WATCH_GRACE_MS);
	w->settle_ms = env_ms("EBCTL_SETTLE", WATCH_SETTLE_MS);
	/* Reports within about a second of an environment settling. */
	w->poll_ms = poll_interval_ms(1000);
	w->interval_ms = w->poll_ms;
	w->events_since_ms = INT64_MIN;
	w->newest_event_ms = INT64_MIN;
	w->events_read_ms = INT64_MIN;
	w->envs_read_ms = INT64_MIN;
	aws_error_clear(&w->last_err);
	for (i = 0; i < n; i++) {
		struct watch_env *e = &envs[i];
		struct verdict_config vc;
		e->phase = WATCH_FOLLOWING;
		e->first_event_ms = -1;
		e->health_wanted = true;
		e->started_ms = now_ms;
		event_dedupe_init(&e->seen, INT64_MIN, EVENTS_WINDOW_MS);
		memset(&vc, 0, sizeof(vc));
		vc.label = e->label;
		vc.request_id = e->request_id;
		vc.healthy = healthy;
		vc.deadline_ms = deadline_ms;
		vc.grace_ms = w->grace_ms;
		vc.label_was_running = e->label_was_running;
		verdict_init(&e->v, &vc);
	}
}

void watch_env_pending(struct watch_env *e)
{
	e->phase = WATCH_PENDING;
	snprintf(e->v.reason, sizeof(e->v.reason), "waiting for the environment to be Ready");
}

void watch_env_follow(struct watch *w, struct watch_env *e, char *request_id, int64_t now_ms)
{
	struct verdict_config vc = e->v.c;
	if (e->request_id != request_id)
		free(e->request_id);
	e->request_id = request_id;
	vc.request_id = request_id;
	vc.label_was_running = e->label_was_running;
	vc.deadline_ms = w->deadline_ms;
	verdict_init(&e->v, &vc);
	e->phase = WATCH_FOLLOWING;
	e->started_ms = now_ms;
	if (w->no_follow) {
		e->started_only = true;
		watch_env_end(e, EBCTL_OK, "update started; not waiting (--no-wait)", now_ms);
	}
}

void watch_env_end(struct watch_env *e, int rc, const char *reason, int64_t now_ms)
{
	e->phase = WATCH_DONE;
	e->rc = rc;
	e->ended_ms = now_ms;
	if (reason)
		snprintf(e->reason, sizeof(e->reason), "%s", reason);
}

static void free_causes(struct watch_env *e)
{
	size_t i;
	for (i = 0; i < e->ncauses; i++)
		free(e->causes[i]);
	free(e->causes);
	e->causes = NULL;
	e->ncauses = 0;
}

void watch_cleanup(struct watch *w)
{
	size_t i;
	for (i = 0; i < w->n; i++) {
		struct watch_env *e = &w->envs[i];
		event_dedupe_cleanup(&e->seen);
		free(e->request_id);
		free(e->status);
		free(e->health);
		free(e->running_label);
		free(e->previous_label);
		free(e->url);
		free_causes(e);
		e->request_id = e->status = e->health = e->running_label = e->previous_label =
		    e->url = NULL;
	}
}

bool watch_env_reads_events(const struct watch_env *e)
{
	if (e->phase == WATCH_DONE)
		return e->events_owed;
	return (e->phase == WATCH_FOLLOWING || e->phase == WATCH_SETTLING) && e->request_id;
}

/* A read made every round, but only every ROUNDS rounds while updates are
 * still being sent and none has failed; last_ms: that read's last time. */
static bool busy_due(const struct watch *w, int64_t last_ms, int rounds, int64_t now_ms)
{
	bool sending = false;
	size_t i;
	for (i = 0; i < w->n; i++) {
		const struct watch_env *e = &w->envs[i];
		if (e->phase == WATCH_SETTLING)
			return true;
		sending = sending || (e->phase == WATCH_PENDING && e->starting);
	}
	return !sending || last_ms == INT64_MIN || now_ms - last_ms >= rounds * w->poll_ms;
}

bool watch_events_due(const struct watch *w, int64_t now_ms)
{
	size_t i;
	for (i = 0; i < w->n; i++)
		if (watch_env_reads_events(&w->envs[i]))
			return busy_due(w, w->events_read_ms, WATCH_EVENTS_BUSY_ROUNDS, now_ms);
	return false;
}

bool watch_environments_due(const struct watch *w, int64_t now_ms)
{
	return busy_due(w, w->envs_read_ms, WATCH_ENVIRONMENTS_BUSY_ROUNDS, now_ms);
}

static bool healthy_now(const struct watch *w, const struct watch_env *e)
{
	return (verdict_health_bit(e->health) & w->healthy) != 0;
}

/* "Red → Green": each new colour seen while settling. */
static void trail_add(struct watch_env *e, const char *health)
{
	const char *last = strrchr(e->health_trail, ' ');
	size_t len = strlen(e->health_trail);
	if (!health || !*health)
		return;
	last = last ? last + 1 : e->health_trail;
	if (!strcmp(last, health))
		return;
	snprintf(e->health_trail + len, sizeof(e->health_trail) - len, "%s%s",
	         len ? " \u2192 " : "", health);
}

/* The end of one environment: the verdict and what really runs. */
static void finish(struct watch *w, struct watch_env *e, int64_t now_ms)
{
	enum verdict_state s = e->v.state;
	e->phase = WATCH_DONE;
	e->ended_ms = now_ms;
	e->rc = verdict_status(s);
	/* The round read its events before the state that ended it: the event
	 * that says the update completed can be newer than that read. */
	e->events_owed = e->request_id && !e->v.saw_completed && now_ms < w->deadline_ms;
	/* a poll that only the deadline cut is the time-out itself */
	if (s == VERDICT_TIMEOUT && w->failures && !w->last_err.deadline) {
		char msg[1200];
		e->rc = aws_error_status(&w->last_err);
		snprintf(e->reason, sizeof(e->reason),
		         "could not follow the environment (%s); the update may still be running",
		         aws_error_format(&w->last_err, msg, sizeof(msg)));
		return;
	}
	if (s == VERDICT_TIMEOUT) {
		snprintf(e->reason, sizeof(e->reason), "%s; the update may still be running",
		         e->v.reason);
		return;
	}
	if (s != VERDICT_FAILED) {
		snprintf(e->reason, sizeof(e->reason), "%s", e->v.reason);
		return;
	}
	{
		const char *why = e->failure[0] ? e->failure : e->v.reason;
		const char *status = e->status ? e->status : "gone";
		const char *health = e->health_trail[0]        ? e->health_trail
		                     : e->health && *e->health ? e->health
		                                               : "unknown";
		bool ready = e->status && !strcmp(e->status, "Ready");
		e->rolled_back = ready && e->running_label && e->previous_label &&
		                 !strcmp(e->running_label, e->previous_label) &&
		                 (!e->label || strcmp(e->running_label, e->label) != 0);
		if (e->rolled_back)
			snprintf(e->reason, sizeof(e->reason),
			         "%s; rolled back: running '%s' (previous), %s, health %s", why,
			         e->running_label, status, health);
		else if (!e->status || strcasecmp(e->status, "Terminated") == 0 ||
		         strcasecmp(e->status, "Terminating") == 0)
			snprintf(e->reason, sizeof(e->reason), "%s; the environment is %s", why,
			         e->status ? e->status : "gone");
		else if (ready)
			snprintf(e->reason, sizeof(e->reason),
			         "%s; now running %s%s%s, %s, health %s", why,
			         e->running_label ? "'" : "",
			         e->running_label ? e->running_label : "no version",
			         e->running_label ? "'" : "", status, health);
		else
			snprintf(e->reason, sizeof(e->reason),
			         "%s; the environment is still %s (running %s%s%s, health %s)", why,
			         status, e->running_label ? "'" : "",
			         e->running_label ? e->running_label : "no version",
			         e->running_label ? "'" : "", health);
	}
}

static void to_settling(struct watch *w, struct watch_env *e, int64_t now_ms)
{
	e->phase = WATCH_SETTLING;
	e->settle_ms = now_ms + w->settle_ms;
	e->health_trail[0] = '\0';
}

/* Say the health while waiting for it, when it (or its causes) changed. */
static void say_health(struct watch *w, struct watch_env *e)
{
	struct buf key = BUF_INIT;
	size_t i;
	if (e->phase != WATCH_FOLLOWING || !e->v.deployed || healthy_now(w, e))
		return;
	buf_puts(&key, e->health ? e->health : "");
	for (i = 0; i < e->ncauses; i++)
		buf_printf(&key, "|%s", e->causes[i]);
	if (strcmp(buf_cstr(&key), e->said_health) != 0) {
		snprintf(e->said_health, sizeof(e->said_health), "%s", buf_cstr(&key));
		e->waiting_health = true;
		if (w->ops.on_health)
			w->ops.on_health(w->ops.ctx, e);
	}
	buf_cleanup(&key);
}

/* An event line that says an instance command failed: its logs tell why. */
static bool instance_failure(const char *msg)
{
	return msg && (strcasestr(msg, "[Instance:") || strcasestr(msg, "on instance") ||
	               strcasestr(msg, "Instance deployment failed"));
}

static bool is_error(const char *sev)
{
	return sev && (!strcasecmp(sev, "ERROR") || !strcasecmp(sev, "FATAL"));
}

static void env_events(struct watch *w, struct watch_env *e, const struct eb_events *evs,
                       int64_t now_ms)
{
	struct op_event *batch;
	size_t *idx, *order, n = 0, k, i;
	if (!evs->n)
		return;
	batch = xcalloc(evs->n, sizeof(*batch));
	idx = xcalloc(evs->n, sizeof(*idx));
	order = xcalloc(evs->n, sizeof(*order));
	for (i = 0; i < evs->n; i++) {
		const struct eb_event *ev = &evs->v[i];
		if (!ev->env || strcmp(ev->env, e->name) != 0)
			continue;
		batch[n].ms = ev->date * 1000;
		batch[n].severity = ev->severity;
		batch[n].message = ev->message;
		batch[n].request_id = ev->request_id;
		idx[n++] = i;
	}
	k = event_dedupe_feed(&e->seen, batch, n, order);
	for (i = 0; i < k; i++) {
		const struct eb_event *ev = &evs->v[idx[order[i]]];
		bool ours =
		    ev->request_id && e->request_id && !strcmp(ev->request_id, e->request_id);
		bool after = (!ev->request_id || !*ev->request_id) && e->first_event_ms >= 0 &&
		             ev->date * 1000 >= e->first_event_ms;
		if (!ours && !after)
			continue;
		if (ours && e->first_event_ms < 0)
			e->first_event_ms = ev->date * 1000;
		if (w->ops.on_event)
			w->ops.on_event(w->ops.ctx, e, ev);
		if (!ours || e->phase == WATCH_DONE)
			continue; /* a verdict already given stands */
		if (is_error(ev->severity) && ev->message)
			snprintf(e->failure, sizeof(e->failure), "%s", ev->message);
		if (is_error(ev->severity) && instance_failure(ev->message))
			e->instance_failed = true;
		if (e->phase == WATCH_FOLLOWING && e->goal == WATCH_GOAL_VERDICT &&
		    verdict_on_event(&e->v, ev->request_id, ev->severity, ev->message, now_ms) ==
		        VERDICT_FAILED)
			to_settling(w, e, now_ms);
	}
	free(order);
	free(idx);
	free(batch);
}

void watch_feed_events(struct watch *w, const struct eb_events *evs, int64_t now_ms)
{
	size_t i;
	for (i = 0; i < evs->n; i++)
		if (evs->v[i].date * 1000 > w->newest_event_ms)
			w->newest_event_ms = evs->v[i].date * 1000;
	if (w->newest_event_ms != INT64_MIN)
		w->events_since_ms = w->newest_event_ms - EVENTS_WINDOW_MS;
	for (i = 0; i < w->n; i++)
		if (watch_env_reads_events(&w->envs[i])) {
			env_events(w, &w->envs[i], evs, now_ms);
			if (w->envs[i].phase == WATCH_DONE)
				w->envs[i].events_owed = false;
		}
}

static bool settled(const struct watch *w, const struct watch_env *e)
{
	if (!e->status || !strcasecmp(e->status, "Terminated"))
		return true;
	return !strcasecmp(e->status, "Ready") && healthy_now(w, e);
}

void watch_feed_environments(struct watch *w, const struct eb_environments *envs, int64_t now_ms)
{
	size_t i, j;
	for (i = 0; i < w->n; i++) {
		struct watch_env *e = &w->envs[i];
		const struct eb_environment *r = NULL;
		char *url;
		if (e->phase == WATCH_DONE)
			continue;
		for (j = 0; j < envs->n && !r; j++)
			if (envs->v[j].name && !strcmp(envs->v[j].name, e->name))
				r = &envs->v[j];
		if (r) {
			set_str(&e->status, r->status);
			if (e->health && r->health && strcmp(e->health, r->health) != 0)
				free_causes(e); /* they were the old colour's */
			set_str(&e->health, r->health);
			set_str(&e->running_label, r->version_label);
			url = eb_environment_url(r);
			set_str(&e->url, url);
			free(url);
		} else {
			/* Gone from DescribeEnvironments: terminated. */
			set_str(&e->status, "Terminated");
		}
		switch (e->phase) {
		case WATCH_PENDING:
			if (e->starting)
				break; /* its update is on its way */
			if (e->status && !strcmp(e->status, "Ready")) {
				e->ready_to_start = true;
			} else if (!strcmp(e->status, "Terminated")) {
				e->v.state = VERDICT_FAILED;
				watch_env_end(e, EBCTL_ERR_INVALID, "the environment is terminated",
				              now_ms);
			} else if (!e->said_pending) {
				e->said_pending = true;
				if (w->ops.on_pending)
					w->ops.on_pending(w->ops.ctx, e);
			}
			break;
		case WATCH_FOLLOWING:
			if (e->goal == WATCH_GOAL_GONE || e->goal == WATCH_GOAL_READY) {
				bool there = e->goal == WATCH_GOAL_GONE
				                 ? !strcmp(e->status, "Terminated")
				                 : !strcmp(e->status, "Ready");
				if (there) {
					e->v.state = VERDICT_SUCCESS;
					if (e->goal == WATCH_GOAL_GONE)
						snprintf(e->v.reason, sizeof(e->v.reason),
						         "terminated");
					else
						snprintf(e->v.reason, sizeof(e->v.reason),
						         "Ready, running %s%s%s, health %s",
						         e->running_label ? "'" : "",
						         e->running_label ? e->running_label
						                          : "no version",
						         e->running_label ? "'" : "", e->health);
					finish(w, e, now_ms);
				} else {
					snprintf(e->v.reason, sizeof(e->v.reason),
					         "the environment is %s", e->status);
				}
				break;
			}
			switch (verdict_on_environment(&e->v, r ? e->status : "Terminated",
			                               e->health, e->running_label, now_ms)) {
			case VERDICT_WAITING: say_health(w, e); break;
			case VERDICT_FAILED: to_settling(w, e, now_ms); break;
			default: finish(w, e, now_ms); break;
			}
			break;
		case WATCH_SETTLING:
		case WATCH_DONE: break;
		}
		if (e->phase == WATCH_SETTLING) {
			trail_add(e, e->health);
			if (settled(w, e))
				finish(w, e, now_ms);
		}
	}
}

void watch_feed_health(struct watch *w, struct watch_env *e, const struct eb_env_health *h,
                       int64_t now_ms)
{
	size_t i;
	e->health_read_ms = now_ms;
	free_causes(e);
	if (h->ncauses) {
		e->causes = xcalloc(h->ncauses, sizeof(*e->causes));
		for (i = 0; i < h->ncauses; i++)
			e->causes[i] = xstrdup(h->causes[i] ? h->causes[i] : "");
		e->ncauses = h->ncauses;
	}
	say_health(w, e);
}

struct watch_env *watch_health_due(struct watch *w, int64_t now_ms)
{
	struct watch_env *best = NULL;
	size_t i;
	for (i = 0; i < w->n; i++) {
		struct watch_env *e = &w->envs[i];
		bool wanted =
		    (e->phase == WATCH_FOLLOWING && e->v.deployed) || e->phase == WATCH_SETTLING;
		if (!wanted || e->health_wanted == false || healthy_now(w, e))
			continue;
		if (e->health_read_ms && now_ms - e->health_read_ms < HEALTH_EVERY_MS)
			continue;
		if (!best || e->health_read_ms < best->health_read_ms)
			best = e;
	}
	return best;
}

void watch_poll_failed(struct watch *w, const struct aws_error *err)
{
	bool throttled = aws_error_throttled(err);
	/* a poll cut by the deadline says less than the failure before it */
	if (!err->deadline || w->failures == 0)
		w->last_err = *err;
	w->failures++;
	w->interval_ms *= throttled ? 4 : 2;
	if (w->interval_ms > POLL_MAX_MS)
		w->interval_ms = POLL_MAX_MS;
}

void watch_poll_ok(struct watch *w)
{
	w->failures = 0;
	w->interval_ms = w->poll_ms;
}

void watch_tick(struct watch *w, int64_t now_ms)
{
	size_t i;
	for (i = 0; i < w->n; i++) {
		struct watch_env *e = &w->envs[i];
		switch (e->phase) {
		case WATCH_PENDING:
			if (now_ms >= w->deadline_ms) {
				e->v.state = VERDICT_TIMEOUT;
				watch_env_end(
				    e, EBCTL_ERR_TIMEOUT,
				    e->starting
				        ? "timed out before its update could be sent"
				        : "timed out waiting for the environment to be Ready",
				    now_ms);
			}
			break;
		case WATCH_FOLLOWING:
			if (verdict_on_tick(&e->v, now_ms) != VERDICT_WAITING)
				finish(w, e, now_ms);
			break;
		case WATCH_SETTLING:
			if (now_ms >= e->settle_ms || now_ms >= w->deadline_ms)
				finish(w, e, now_ms);
			break;
		case WATCH_DONE: break;
		}
	}
}

bool watch_done(const struct watch *w)
{
	size_t i;
	for (i = 0; i < w->n; i++)
		if (w->envs[i].phase != WATCH_DONE)
			return false;
	return true;
}

int watch_combine(int a, int b)
{
	static const int order[] = {EBCTL_ERR_INTERRUPTED, EBCTL_ERR_FAILED,  EBCTL_ERR_AWS,
	                            EBCTL_ERR_INVALID,     EBCTL_ERR_TIMEOUT, EBCTL_ERR_UNHEALTHY};
	size_t i;
	for (i = 0; i < EBCTL_ARRAY_LEN(order); i++)
		if (a == order[i] || b == order[i])
			return order[i];
	return a ? a : b;
}

const char *watch_result_name(const struct watch_env *e)
{
	if (e->rc == EBCTL_ERR_INTERRUPTED)
		return "interrupted";
	if (e->rc == EBCTL_ERR_AWS || e->rc == EBCTL_ERR_INVALID)
		return "error";
	if (e->started_only && e->rc == EBCTL_OK)
		return "started";
	return verdict_state_name(e->v.state);
}

/* ---- the loop ---- */

/* The round's DescribeEvents (bounded), newest first. */
static int read_events(struct watch *w, struct aws_client *c, struct eb_events *all,
                       struct aws_error *err)
{
	struct eb_events_filter f;
	memset(&f, 0, sizeof(f));
	f.app = w->app;
	if (!w->app || w->n == 1)
		f.env = w->envs[0].name;
	if (w->events_since_ms != INT64_MIN && w->events_since_ms > 0)
		f.start_time = w->events_since_ms / 1000;
	/* The first round asks for the newest page only. */
	return eb_describe_events_pages(c, &f, f.start_time ? EVENTS_MAX_PAGES : 1, all, err);
}

/* A round's DescribeEvents (at now_ms), fed to the watcher: 0, or -1 with
 * err set and nothing fed. */
static int poll_events(struct watch *w, struct aws_client *c, int64_t now_ms, struct aws_error *err)
{
	struct eb_events evs = {NULL, 0, NULL};
	int rc;
	w->events_read_ms = now_ms;
	rc = read_events(w, c, &evs, err);
	if (!rc)
		watch_feed_events(w, &evs, time_mono_ms());
	eb_events_cleanup(&evs);
	return rc;
}

static int read_environments(struct watch *w, struct aws_client *c, struct eb_environments *out,
                             struct aws_error *err)
{
	const char **names = xcalloc(w->n, sizeof(*names));
	size_t i, k = 0;
	int rc;
	for (i = 0; i < w->n; i++)
		if (w->envs[i].phase != WATCH_DONE)
			names[k++] = w->envs[i].name;
	rc = eb_describe_environments(c, w->app, names, k, false, out, err);
	free(names);
	return rc;
}

static void start_pending(struct watch *w, struct aws_client *c)
{
	size_t i;
	for (i = 0; i < w->n; i++) {
		struct watch_env *e = &w->envs[i];
		char *rid = NULL;
		int rc;
		if (e->phase != WATCH_PENDING || !e->ready_to_start || e->starting)
			continue;
		e->ready_to_start = false;
		set_str(&e->previous_label, e->running_label);
		e->label_was_running =
		    e->label && e->running_label && !strcmp(e->label, e->running_label);
		if (!w->ops.start) {
			watch_env_follow(w, e, NULL, time_mono_ms());
			continue;
		}
		rc = w->ops.start(w->ops.ctx, c, e, &rid);
		if (rc)
			watch_env_end(e, rc, NULL, time_mono_ms());
		else
			watch_env_follow(w, e, rid, time_mono_ms());
	}
}

static void read_health(struct watch *w, struct aws_client *c, int64_t now_ms)
{
	struct watch_env *e = watch_health_due(w, now_ms);
	struct eb_env_health h;
	struct aws_error err;
	if (!e)
		return;
	memset(&h, 0, sizeof(h));
	aws_error_clear(&err);
	if (eb_describe_environment_health(c, e->name, &h, &err) == 0) {
		watch_feed_health(w, e, &h, now_ms);
	} else if (err.http_status == 400) {
		/* Basic health: the service refuses the call; the colour is all there is. */
		e->health_wanted = false;
	} else {
		e->health_read_ms = now_ms; /* try again later; the colour still comes */
	}
	eb_env_health_cleanup(&h);
}

int watch_run(struct watch *w, struct aws_client *c)
{
	size_t i;
	int rc = 0;
	/* no poll runs past the deadline, however slowly its answer comes */
	aws_client_set_deadline(c, w->deadline_ms);
	while (!watch_done(w) && !interrupt_requested()) {
		struct aws_error err;
		bool ok = true;
		int64_t now, wait;
		aws_error_clear(&err);
		if (w->ops.collect)
			w->ops.collect(w->ops.ctx, w);
		now = time_mono_ms();
		if (watch_events_due(w, now) && poll_events(w, c, now, &err)) {
			watch_poll_failed(w, &err);
			ok = false;
		}
		/* The environments even when the events could not be read: their
		 * state alone can end an update (Ready on the new version, or on
		 * the old one after a rollback), so a DescribeEvents that keeps
		 * failing (throttled, refused) does not hold the verdict until
		 * --timeout. The round still counts as failed, and backs off. */
		if (!watch_done(w) && watch_environments_due(w, now)) {
			struct eb_environments envs = {NULL, 0};
			w->envs_read_ms = now;
			aws_error_clear(&err);
			if (read_environments(w, c, &envs, &err)) {
				if (ok)
					watch_poll_failed(w, &err);
				ok = false;
			} else {
				watch_feed_environments(w, &envs, time_mono_ms());
			}
			eb_environments_cleanup(&envs);
		}
		if (ok) {
			watch_poll_ok(w);
			start_pending(w, c);
			read_health(w, c, time_mono_ms());
		}
		now = time_mono_ms();
		watch_tick(w, now);
		if (watch_done(w))
			break;
		wait = w->deadline_ms - now;
		for (i = 0; i < w->n; i++)
			if (w->envs[i].phase == WATCH_SETTLING && w->envs[i].settle_ms - now < wait)
				wait = w->envs[i].settle_ms - now;
		if (wait > w->interval_ms)
			wait = w->interval_ms;
		if (wait > 0 && interrupt_sleep_ms(wait, -1) == SLEEP_INTERRUPTED)
			break;
	}
	/* The last events of those that ended since the round's DescribeEvents.
	 * The verdicts are given: a read that fails loses only those lines. */
	if (watch_done(w) && !interrupt_requested() && watch_events_due(w, time_mono_ms())) {
		struct aws_error err;
		aws_error_clear(&err);
		(void)poll_events(w, c, time_mono_ms(), &err);
	}
	for (i = 0; i < w->n; i++) {
		struct watch_env *e = &w->envs[i];
		if (e->phase != WATCH_DONE)
			watch_env_end(e, EBCTL_ERR_INTERRUPTED,
			              e->request_id
			                  ? "the update is still running on Elastic Beanstalk"
			                  : "interrupted before the update; nothing was changed",
			              time_mono_ms());
		rc = watch_combine(rc, e->rc);
	}
	/* what follows the wait (an abort, a summary) is not cut short */
	aws_client_set_deadline(c, 0);
	return rc;
}
