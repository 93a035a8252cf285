/* Waiting for a configuration update (setenv) with the deploy's verdict. */
#include "ebctl/aws.h"
#include "ebctl/eb.h"
#include "ebctl/operate.h"
#include "ebctl/util.h"
#include "ebctl/verdict.h"

#include <stdlib.h>
#include <string.h>

#define WAIT_POLL_MS 5000
/* How long a Ready environment may stay outside the healthy set. */
#define WAIT_GRACE_MS (5 * 60 * 1000)

/* Feed the update's new events to the verdict, oldest first, and show them. */
static int feed_events(struct op_target *t, const char *request_id, struct event_dedupe *d,
                       struct verdict *v)
{
	struct eb_events_filter f;
	struct eb_events evs = {NULL, 0, NULL};
	struct aws_error err;
	struct op_event *batch;
	size_t *order, k, i;

	memset(&f, 0, sizeof(f));
	f.env = t->env;
	f.request_id = request_id;
	aws_error_clear(&err);
	if (eb_describe_events(t->client, &f, &evs, &err))
		return op_aws_fail(&err);
	batch = xcalloc(evs.n + 1, sizeof(*batch));
	order = xcalloc(evs.n + 1, sizeof(*order));
	for (i = 0; i < evs.n; i++) {
		batch[i].ms = evs.v[i].date * 1000;
		batch[i].severity = evs.v[i].severity;
		batch[i].message = evs.v[i].message;
		batch[i].request_id = evs.v[i].request_id;
	}
	k = event_dedupe_feed(d, batch, evs.n, order);
	for (i = 0; i < k; i++) {
		const struct op_event *e = &batch[order[i]];
		char *line = event_format(e, OP_FORMAT_TEXT, term_use_color(stderr));
		notef("%s", line);
		free(line);
		verdict_on_event(v, e->request_id ? e->request_id : request_id, e->severity,
		                 e->message, time_mono_ms());
	}
	free(order);
	free(batch);
	eb_events_free(&evs);
	return 0;
}

int op_wait_update(struct op_target *t, const char *request_id, const char *label,
                   unsigned long timeout_s, unsigned healthy)
{
	struct verdict_config c;
	struct verdict v;
	struct event_dedupe d;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.label = label;
	c.request_id = request_id;
	c.healthy = healthy;
	c.deadline_ms = time_mono_ms() + (int64_t)timeout_s * 1000;
	c.grace_ms = WAIT_GRACE_MS;
	c.label_was_running = true;
	verdict_init(&v, &c);
	event_dedupe_init(&d, INT64_MIN, 0);
	for (;;) {
		struct eb_environments envs = {NULL, 0};
		if ((rc = feed_events(t, request_id, &d, &v)))
			break;
		if (v.state == VERDICT_WAITING) {
			if ((rc = op_describe_env(t, &envs)))
				break;
			verdict_on_environment(&v, envs.v[0].status, envs.v[0].health,
			                       envs.v[0].version_label, time_mono_ms());
			eb_environments_free(&envs);
		}
		if (v.state != VERDICT_WAITING)
			break;
		debugf("waiting: %s", v.reason);
		if (follow_sleep_ms(poll_interval_ms(WAIT_POLL_MS))) {
			char what[400];
			snprintf(what, sizeof(what),
			         "the update of '%s' may still be running (see 'ebctl events -f')",
			         t->env);
			rc = follow_interrupted_exit(what);
			break;
		}
		verdict_on_tick(&v, time_mono_ms());
		if (v.state != VERDICT_WAITING)
			break;
	}
	event_dedupe_cleanup(&d);
	if (rc)
		return rc;
	switch (v.state) {
	case VERDICT_SUCCESS: notef("environment '%s' updated: %s", t->env, v.reason); break;
	case VERDICT_TIMEOUT:
		errorf("environment '%s': %s; the update may still be running", t->env, v.reason);
		break;
	default:
		errorf("environment '%s' update %s: %s", t->env, verdict_state_name(v.state),
		       v.reason);
		break;
	}
	return verdict_exit_code(v.state);
}
