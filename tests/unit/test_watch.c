/* Unit tests of the watcher: recorded sequences of DescribeEvents and
 * DescribeEnvironments answers replayed with the time passed in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ebctl/util.h"
#include "ebctl/watch.h"

#define RID "req-ours"

/* What the callbacks saw. */
struct seen {
	int events;
	int health_lines;
	int pending;
	char last_event[200];
	char events_of[2][8]; /* per environment index: count as a digit string */
};

static void on_event(void *ctx, const struct watch_env *e, const struct eb_event *ev)
{
	struct seen *s = ctx;
	(void)e;
	s->events++;
	snprintf(s->last_event, sizeof(s->last_event), "%s", ev->message ? ev->message : "");
}

static void on_health(void *ctx, const struct watch_env *e)
{
	struct seen *s = ctx;
	(void)e;
	s->health_lines++;
}

static void on_pending(void *ctx, const struct watch_env *e)
{
	struct seen *s = ctx;
	(void)e;
	s->pending++;
}

/* One recorded event of environment env (date in seconds). */
struct rec_event {
	int64_t date;
	const char *env, *rid, *sev, *msg;
};

/* Feed events given oldest first (the API answers newest first). */
static void feed_events(struct watch *w, const struct rec_event *v, size_t n, int64_t now)
{
	struct eb_events evs;
	size_t i;
	memset(&evs, 0, sizeof(evs));
	evs.v = calloc(n ? n : 1, sizeof(*evs.v));
	evs.n = n;
	for (i = 0; i < n; i++) {
		const struct rec_event *r = &v[n - 1 - i];
		evs.v[i].date = r->date;
		evs.v[i].env = (char *)r->env;
		evs.v[i].request_id = (char *)r->rid;
		evs.v[i].severity = (char *)r->sev;
		evs.v[i].message = (char *)r->msg;
	}
	watch_feed_events(w, &evs, now);
	free(evs.v);
}

/* Feed one DescribeEnvironments answer of one environment (NULL status: gone). */
static void feed_env(struct watch *w, const char *name, const char *status, const char *health,
                     const char *label, int64_t now)
{
	struct eb_environment e;
	struct eb_environments envs = {&e, status ? 1 : 0};
	memset(&e, 0, sizeof(e));
	e.name = (char *)name;
	e.status = (char *)status;
	e.health = (char *)health;
	e.version_label = (char *)label;
	e.cname = (char *)"shop.example.elasticbeanstalk.com";
	watch_feed_environments(w, &envs, now);
}

static void setup_one(struct watch *w, struct watch_env *e, struct seen *s, const char *label,
                      const char *previous, int64_t deadline)
{
	unsetenv("EBCTL_SETTLE");
	unsetenv("EBCTL_HEALTH_GRACE");
	unsetenv("EBCTL_POLL_MS");
	memset(e, 0, sizeof(*e));
	memset(s, 0, sizeof(*s));
	e->name = "shop-prod";
	e->label = label;
	watch_init(w, "shop", e, 1, HEALTH_GREEN, deadline, 0);
	w->ops.ctx = s;
	w->ops.on_event = on_event;
	w->ops.on_health = on_health;
	w->ops.on_pending = on_pending;
	e->previous_label = previous ? strdup(previous) : NULL;
	watch_env_follow(w, e, strdup(RID), 0);
}

static void test_success(void **state)
{
	static const struct rec_event ev[] = {
	    {10, "shop-prod", RID, "INFO", "Environment update is starting."},
	    {11, "shop-prod", "req-other", "ERROR", "another update failed"},
	    {12, "other-env", RID, "ERROR", "another environment's event"},
	    {13, "shop-prod", RID, "INFO", "Environment update completed successfully."},
	};
	struct watch w;
	struct watch_env e;
	struct seen s;
	(void)state;
	setup_one(&w, &e, &s, "v2", "v1", 60000);
	feed_env(&w, "shop-prod", "Updating", "Grey", "v2", 1000);
	feed_events(&w, ev, 4, 2000);
	assert_int_equal(s.events, 2); /* ours only: not another request's, not another env's */
	assert_int_equal(e.phase, WATCH_FOLLOWING);
	feed_env(&w, "shop-prod", "Ready", "Green", "v2", 3000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_OK);
	assert_string_equal(watch_result_name(&e), "success");
	assert_string_equal(e.url, "http://shop.example.elasticbeanstalk.com");
	assert_non_null(strstr(e.reason, "running 'v2', Ready, health Green"));
	assert_false(e.rolled_back);
	watch_cleanup(&w);
}

/* The failure is certain at the first ERROR; the watcher reads on until the
 * environment is Ready on the previous version and healthy again. */
static void test_failure_rollback(void **state)
{
	static const struct rec_event ev[] = {
	    {10, "shop-prod", RID, "INFO", "Environment update is starting."},
	    {20, "shop-prod", RID, "ERROR",
	     "[Instance: i-1] Command failed on instance. Return code: 1"},
	    {20, "shop-prod", RID, "ERROR", "Instance deployment failed."},
	};
	static const struct rec_event later[] = {
	    {21, "shop-prod", RID, "ERROR", "Failed to deploy application."},
	    {22, "shop-prod", NULL, "WARN", "Environment health has transitioned to Severe."},
	};
	struct watch w;
	struct watch_env e;
	struct seen s;
	(void)state;
	setup_one(&w, &e, &s, "v2", "v1", 600000);
	feed_env(&w, "shop-prod", "Updating", "Green", "v2", 1000);
	feed_events(&w, ev, 3, 20000);
	assert_int_equal(e.v.state, VERDICT_FAILED);
	assert_int_equal(e.phase, WATCH_SETTLING); /* decided, not yet settled */
	assert_true(e.instance_failed);
	feed_env(&w, "shop-prod", "Updating", "Red", "v2", 20500);
	assert_int_equal(e.phase, WATCH_SETTLING);
	/* every later event of the update is still handed over */
	feed_events(&w, later, 2, 21000);
	assert_int_equal(s.events, 5);
	assert_string_equal(s.last_event, "Environment health has transitioned to Severe.");
	feed_env(&w, "shop-prod", "Ready", "Red", "v1", 22000);
	assert_int_equal(e.phase, WATCH_SETTLING); /* back, but not healthy yet */
	feed_env(&w, "shop-prod", "Ready", "Green", "v1", 25000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_ERR_FAILED);
	assert_true(e.rolled_back);
	assert_string_equal(e.running_label, "v1");
	assert_string_equal(e.status, "Ready");
	assert_string_equal(e.reason, "Failed to deploy application.; rolled back: running 'v1' "
	                              "(previous), Ready, health Red \u2192 Green");
	watch_cleanup(&w);
}

/* A failed environment that stays Red is reported when the settle time ends. */
static void test_failure_settle_bounded(void **state)
{
	static const struct rec_event ev[] = {
	    {10, "shop-prod", RID, "ERROR", "Failed to deploy application."},
	};
	struct watch w;
	struct watch_env e;
	struct seen s;
	(void)state;
	setup_one(&w, &e, &s, "v2", "v1", 600000);
	feed_events(&w, ev, 1, 1000);
	feed_env(&w, "shop-prod", "Ready", "Red", "v1", 2000);
	watch_tick(&w, 1000 + WATCH_SETTLE_MS - 1);
	assert_false(watch_done(&w));
	watch_tick(&w, 1000 + WATCH_SETTLE_MS);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_ERR_FAILED);
	assert_non_null(
	    strstr(e.reason, "rolled back: running 'v1' (previous), Ready, health Red"));
	watch_cleanup(&w);
}

/* Deployed but Red: the wait is announced, again when the causes change, and
 * ends unhealthy after the grace period. */
static void test_unhealthy(void **state)
{
	struct watch w;
	struct watch_env e;
	struct seen s;
	struct eb_env_health h;
	char *causes[2] = {(char *)"100.0 % of the requests are failing with HTTP 5xx.",
	                   (char *)"ELB processes are not healthy on all instances."};
	(void)state;
	setup_one(&w, &e, &s, "v2", "v1", 3600000);
	feed_env(&w, "shop-prod", "Updating", "Grey", "v2", 1000);
	feed_env(&w, "shop-prod", "Ready", "Red", "v2", 2000);
	assert_int_equal(s.health_lines, 1);
	assert_ptr_equal(watch_health_due(&w, 2000), &e);
	memset(&h, 0, sizeof(h));
	h.causes = causes;
	h.ncauses = 1;
	watch_feed_health(&w, &e, &h, 2000);
	assert_int_equal(s.health_lines, 2);
	assert_null(watch_health_due(&w, 3000)); /* at most every few seconds */
	feed_env(&w, "shop-prod", "Ready", "Red", "v2", 3000);
	assert_int_equal(s.health_lines, 2); /* nothing changed: nothing said */
	h.ncauses = 2;
	watch_feed_health(&w, &e, &h, 8000);
	assert_int_equal(s.health_lines, 3);
	assert_int_equal(e.ncauses, 2);
	watch_tick(&w, 2000 + WATCH_GRACE_MS);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_ERR_UNHEALTHY);
	assert_string_equal(watch_result_name(&e), "unhealthy");
	watch_cleanup(&w);
}

/* Slow: still Updating at the deadline. */
static void test_slow_timeout(void **state)
{
	struct watch w;
	struct watch_env e;
	struct seen s;
	(void)state;
	setup_one(&w, &e, &s, "v2", "v1", 10000);
	feed_env(&w, "shop-prod", "Updating", "Grey", "v2", 5000);
	watch_tick(&w, 9999);
	assert_false(watch_done(&w));
	watch_tick(&w, 10000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_ERR_TIMEOUT);
	assert_non_null(strstr(e.reason, "the update may still be running"));
	watch_cleanup(&w);
}

/* Throttled polls back off, four times as much as other failures, capped;
 * a poll that goes through restores the pace; failing until the deadline
 * reports the AWS error, not a plain time-out. */
static void test_throttled_polls(void **state)
{
	struct watch w;
	struct watch_env e;
	struct seen s;
	struct aws_error err;
	int i;
	(void)state;
	setup_one(&w, &e, &s, "v2", "v1", 60000);
	assert_int_equal(w.interval_ms, 1000);
	aws_error_clear(&err);
	err.http_status = 400;
	snprintf(err.code, sizeof(err.code), "Throttling");
	snprintf(err.message, sizeof(err.message), "Rate exceeded");
	watch_poll_failed(&w, &err);
	assert_int_equal(w.interval_ms, 4000);
	err.http_status = 503;
	snprintf(err.code, sizeof(err.code), "ServiceUnavailable");
	watch_poll_failed(&w, &err);
	assert_int_equal(w.interval_ms, 8000);
	for (i = 0; i < 5; i++)
		watch_poll_failed(&w, &err);
	assert_int_equal(w.interval_ms, 16000);
	watch_poll_ok(&w);
	assert_int_equal(w.interval_ms, 1000);
	assert_int_equal(w.failures, 0);
	watch_poll_failed(&w, &err);
	watch_tick(&w, 60000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_ERR_AWS);
	assert_non_null(strstr(e.reason, "could not follow the environment"));
	assert_non_null(strstr(e.reason, "ServiceUnavailable"));
	watch_cleanup(&w);
}

/* Two environments of one application: one answer each round serves both;
 * an event is routed to its environment; the same message at the same second
 * in both is handed over for each. */
static void test_two_environments(void **state)
{
	static const struct rec_event ev[] = {
	    {10, "env-a", "rid-a", "INFO", "Environment update is starting."},
	    {10, "env-b", "rid-b", "INFO", "Environment update is starting."},
	    {11, "env-b", "rid-b", "ERROR", "Failed to deploy application."},
	};
	struct watch w;
	struct watch_env e[2];
	struct eb_environment r[2];
	struct eb_environments envs = {r, 2};
	struct seen s;
	(void)state;
	memset(e, 0, sizeof(e));
	memset(r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	e[0].name = "env-a";
	e[1].name = "env-b";
	e[0].label = e[1].label = "v2";
	watch_init(&w, "shop", e, 2, HEALTH_GREEN, 60000, 0);
	w.ops.ctx = &s;
	w.ops.on_event = on_event;
	watch_env_follow(&w, &e[0], strdup("rid-a"), 0);
	watch_env_follow(&w, &e[1], strdup("rid-b"), 0);
	e[1].previous_label = strdup("v1");
	feed_events(&w, ev, 3, 1000);
	assert_int_equal(s.events, 3);
	assert_int_equal(e[0].phase, WATCH_FOLLOWING);
	assert_int_equal(e[1].phase, WATCH_SETTLING);
	r[0].name = (char *)"env-a";
	r[0].status = (char *)"Ready";
	r[0].health = (char *)"Green";
	r[0].version_label = (char *)"v2";
	r[1].name = (char *)"env-b";
	r[1].status = (char *)"Ready";
	r[1].health = (char *)"Green";
	r[1].version_label = (char *)"v1";
	watch_feed_environments(&w, &envs, 2000);
	assert_true(watch_done(&w));
	assert_int_equal(e[0].rc, EBCTL_OK);
	assert_int_equal(e[1].rc, EBCTL_ERR_FAILED);
	assert_true(e[1].rolled_back);
	assert_int_equal(watch_combine(e[0].rc, e[1].rc), EBCTL_ERR_FAILED);
	/* the same answers again change nothing and hand over nothing twice */
	feed_events(&w, ev, 3, 3000);
	assert_int_equal(s.events, 3);
	watch_cleanup(&w);
}

/* --wait-ready: a pending environment is announced once, then marked for its
 * update as soon as it is Ready; it times out when it never is. */
static void test_pending(void **state)
{
	struct watch w;
	struct watch_env e;
	struct seen s;
	(void)state;
	memset(&e, 0, sizeof(e));
	memset(&s, 0, sizeof(s));
	e.name = "shop-prod";
	e.label = "v2";
	watch_init(&w, "shop", &e, 1, HEALTH_GREEN, 10000, 0);
	w.ops.ctx = &s;
	w.ops.on_pending = on_pending;
	watch_env_pending(&e);
	feed_env(&w, "shop-prod", "Updating", "Grey", "v1", 1000);
	feed_env(&w, "shop-prod", "Updating", "Grey", "v1", 2000);
	assert_int_equal(s.pending, 1);
	assert_false(e.ready_to_start);
	assert_false(watch_env_reads_events(&e));
	feed_env(&w, "shop-prod", "Ready", "Green", "v1", 3000);
	assert_true(e.ready_to_start);
	e.ready_to_start = false;
	watch_tick(&w, 10000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_ERR_TIMEOUT);
	assert_string_equal(watch_result_name(&e), "timeout");
	watch_cleanup(&w);
}

/* Ready (and the verdict given) before the event that says the update
 * completed was read: the events are owed once more, shown, and change
 * nothing; once read, they are owed no more. */
static void test_events_owed(void **state)
{
	static const struct rec_event first[] = {
	    {10, "shop-prod", RID, "INFO", "Environment update is starting."},
	};
	static const struct rec_event last[] = {
	    {10, "shop-prod", RID, "INFO", "Environment update is starting."},
	    {13, "shop-prod", RID, "INFO", "Environment update completed successfully."},
	    {14, "shop-prod", RID, "ERROR", "a later error"},
	};
	struct watch w;
	struct watch_env e;
	struct seen s;
	(void)state;
	setup_one(&w, &e, &s, "v2", "v1", 60000);
	feed_events(&w, first, 1, 1000);
	feed_env(&w, "shop-prod", "Updating", "Grey", "v2", 1000);
	feed_env(&w, "shop-prod", "Ready", "Green", "v2", 2000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_OK);
	assert_int_equal(s.events, 1);
	assert_true(e.events_owed);
	assert_true(watch_env_reads_events(&e));
	assert_true(watch_events_due(&w, 2000));
	feed_events(&w, last, 3, 2100);
	assert_int_equal(s.events, 3);
	assert_string_equal(s.last_event, "a later error");
	assert_int_equal(e.rc, EBCTL_OK);
	assert_string_equal(e.failure, "");
	assert_false(e.events_owed);
	assert_false(watch_events_due(&w, 2200));
	watch_cleanup(&w);

	/* the completion already read: nothing is owed */
	setup_one(&w, &e, &s, "v2", "v1", 60000);
	feed_events(&w, last, 2, 1000);
	feed_env(&w, "shop-prod", "Ready", "Green", "v2", 1000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_OK);
	assert_false(e.events_owed);
	assert_false(watch_events_due(&w, 1000));
	watch_cleanup(&w);

	/* ended by the deadline: nothing is owed, no read can come in time */
	setup_one(&w, &e, &s, "v2", "v1", 5000);
	feed_env(&w, "shop-prod", "Updating", "Grey", "v2", 1000);
	watch_tick(&w, 5000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_ERR_TIMEOUT);
	assert_false(e.events_owed);
	assert_false(watch_events_due(&w, 5000));
	watch_cleanup(&w);
}

/* While updates still go out, the events and the environments are read
 * every few rounds; at every round again once they are all sent, or when
 * one failed. */
static void test_events_while_sending(void **state)
{
	struct watch w;
	struct watch_env e[2];
	char *rid = strdup(RID);
	(void)state;
	memset(e, 0, sizeof(e));
	e[0].name = "shop-a";
	e[0].label = e[1].label = "v2";
	e[1].name = "shop-b";
	watch_init(&w, "shop", e, 2, HEALTH_GREEN, 600000, 0);
	watch_env_pending(&e[0]);
	watch_env_pending(&e[1]);
	assert_false(watch_events_due(&w, 0)); /* no update has started */
	assert_true(watch_environments_due(&w, 0));
	w.envs_read_ms = 0;
	assert_true(watch_environments_due(&w, w.poll_ms)); /* nothing is being sent */
	e[0].starting = e[1].starting = true;
	assert_false(watch_events_due(&w, 0));
	assert_false(watch_environments_due(&w, w.poll_ms));
	e[0].starting = false;
	watch_env_follow(&w, &e[0], rid, 0);
	assert_true(watch_events_due(&w, 0)); /* the first read */
	w.events_read_ms = 0;
	assert_false(watch_events_due(&w, w.poll_ms));
	assert_false(watch_events_due(&w, (WATCH_EVENTS_BUSY_ROUNDS - 1) * w.poll_ms));
	assert_true(watch_events_due(&w, WATCH_EVENTS_BUSY_ROUNDS * w.poll_ms));
	assert_false(watch_environments_due(&w, (WATCH_ENVIRONMENTS_BUSY_ROUNDS - 1) * w.poll_ms));
	assert_true(watch_environments_due(&w, WATCH_ENVIRONMENTS_BUSY_ROUNDS * w.poll_ms));
	/* a failure settling reads every round */
	e[0].phase = WATCH_SETTLING;
	assert_true(watch_events_due(&w, w.poll_ms));
	assert_true(watch_environments_due(&w, w.poll_ms));
	e[0].phase = WATCH_FOLLOWING;
	/* every update sent: every round */
	e[1].starting = false;
	watch_env_end(&e[1], EBCTL_OK, NULL, 0);
	assert_true(watch_events_due(&w, w.poll_ms));
	assert_true(watch_environments_due(&w, w.poll_ms));
	watch_cleanup(&w);
}

/* A terminated environment (gone from DescribeEnvironments) fails the update. */
static void test_environment_gone(void **state)
{
	struct watch w;
	struct watch_env e;
	struct seen s;
	(void)state;
	setup_one(&w, &e, &s, "v2", "v1", 60000);
	feed_env(&w, "shop-prod", NULL, NULL, NULL, 1000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_ERR_FAILED);
	assert_non_null(strstr(e.reason, "Terminated"));
	watch_cleanup(&w);
}

/* Goals other than a verdict: gone (terminate) and Ready again (abort);
 * the abort's "was aborted" event is shown but fails nothing. */
static void test_goals(void **state)
{
	static const struct rec_event ev[] = {
	    {10, "shop-prod", RID, "INFO", "Abort of environment update is starting."},
	    {11, "shop-prod", RID, "WARN",
	     "Environment update was aborted; the previous version is running."},
	};
	struct watch w;
	struct watch_env e;
	struct seen s;
	(void)state;
	setup_one(&w, &e, &s, NULL, NULL, 60000);
	e.goal = WATCH_GOAL_READY;
	feed_env(&w, "shop-prod", "Updating", "Grey", "v2", 1000);
	feed_events(&w, ev, 2, 2000);
	assert_int_equal(s.events, 2);
	assert_int_equal(e.phase, WATCH_FOLLOWING);
	feed_env(&w, "shop-prod", "Ready", "Red", "v1", 3000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_OK);
	assert_string_equal(e.reason, "Ready, running 'v1', health Red");
	watch_cleanup(&w);

	setup_one(&w, &e, &s, NULL, NULL, 60000);
	e.goal = WATCH_GOAL_GONE;
	feed_env(&w, "shop-prod", "Terminating", "Grey", "v1", 1000);
	assert_false(watch_done(&w));
	feed_env(&w, "shop-prod", NULL, NULL, NULL, 2000);
	assert_true(watch_done(&w));
	assert_int_equal(e.rc, EBCTL_OK);
	assert_string_equal(watch_result_name(&e), "success");
	assert_string_equal(e.reason, "terminated");
	watch_cleanup(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_success),
	    cmocka_unit_test(test_failure_rollback),
	    cmocka_unit_test(test_failure_settle_bounded),
	    cmocka_unit_test(test_unhealthy),
	    cmocka_unit_test(test_slow_timeout),
	    cmocka_unit_test(test_throttled_polls),
	    cmocka_unit_test(test_two_environments),
	    cmocka_unit_test(test_pending),
	    cmocka_unit_test(test_events_while_sending),
	    cmocka_unit_test(test_events_owed),
	    cmocka_unit_test(test_environment_gone),
	    cmocka_unit_test(test_goals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
