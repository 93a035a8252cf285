/*
 * The watcher: the one poll loop that follows updates of an application's
 * environments to a settled verdict. deploy, setenv and every command that
 * waits for Elastic Beanstalk use it.
 *
 * Each round makes one DescribeEvents for the application and one
 * DescribeEnvironments naming every environment still followed, whatever
 * their number, so following twenty environments costs the API no more
 * calls per second than following one (Elastic Beanstalk throttles per
 * account). At most one DescribeEnvironmentHealth a round is added, for an
 * environment whose health is outside the healthy set (its causes).
 *
 * An environment is followed from its update's RequestId to a *settled*
 * state: the verdict (verdict.h) decides success or failure as soon as it
 * is certain; after a failure the watcher keeps reading, bounded by
 * `settle_ms` and the deadline, until the environment is Ready (or gone)
 * and its health has come back, so the result says what really runs: the
 * previous version after a rollback, with its health.
 *
 * The watcher prints nothing. It hands every event of an update, each
 * change of health while it waits for health, and the notes of pending
 * environments to the caller's callbacks, which render them.
 *
 * The state is fed by pure functions that take the time as a parameter
 * (watch_feed_*, watch_tick), so a recorded sequence replays exactly
 * (tests/unit/test_watch.c); watch_run() is the loop that calls the API
 * and feeds them.
 */
#ifndef EBCTL_WATCH_H
#define EBCTL_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebctl/aws.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/verdict.h"

enum watch_phase {
	WATCH_PENDING,   /* waiting until Ready to start its update (--wait-ready) */
	WATCH_FOLLOWING, /* its update runs; no verdict yet */
	WATCH_SETTLING,  /* failed; reading on until the environment settles */
	WATCH_DONE
};

/* One environment followed. */
struct watch_env {
	/* inputs (borrowed) */
	const char *name;
	const char *label; /* the version the update deploys; NULL: a configuration update */
	bool label_was_running;
	/* what success is: the update's verdict (default); Terminated
	 * (terminate); Ready again, whatever it runs (abort, restart) */
	enum watch_goal { WATCH_GOAL_VERDICT = 0, WATCH_GOAL_GONE, WATCH_GOAL_READY } goal;

	/* state and result (owned; watch_cleanup frees) */
	enum watch_phase phase;
	char *request_id;     /* of its update; NULL while pending */
	struct verdict v;     /* the verdict, decided or not */
	int rc;               /* status once done (EBCTL_OK, EBCTL_ERR_*) */
	char reason[480];     /* the final report line, once done */
	char *status;         /* as last described */
	char *health;         /* colour */
	char *running_label;  /* the version it runs */
	char *previous_label; /* what it ran when the watch started */
	char *url;            /* with its scheme */
	char **causes;        /* health causes (enhanced health), newest read */
	size_t ncauses;
	bool rolled_back;      /* failed, and runs the previous version again */
	bool started_only;     /* its update was started and not followed (--no-wait) */
	bool aborted;          /* the update it left running was aborted */
	bool instance_failed;  /* an instance command failed: its logs say why */
	char failure[320];     /* the most telling failure event of the update */
	char health_trail[96]; /* "Red → Green": health since the failure */
	int64_t started_ms;    /* the update started (monotonic) */
	int64_t ended_ms;      /* done */
	int64_t settle_ms;     /* settling ends here */

	/* bookkeeping of the loop */
	struct event_dedupe seen;
	int64_t first_event_ms; /* date of the first event of its request, -1 before */
	bool ready_to_start;    /* pending and seen Ready */
	bool starting;          /* pending: its update is being sent outside the loop */
	bool said_pending;
	bool waiting_health;    /* deployed, health outside the set: said so */
	char said_health[400];  /* what the last health line said */
	int64_t health_read_ms; /* last DescribeEnvironmentHealth, 0 never */
	bool health_wanted;     /* false once the service refused DescribeEnvironmentHealth */
	bool events_owed;       /* done after the round's DescribeEvents: its last events
	                         * (the one that says it completed) are read once more */
};

struct watch;

/* What the watcher hands to its caller. Every callback may be NULL. */
struct watch_ops {
	void *ctx;
	/* An event of the environment's update (oldest first). */
	void (*on_event)(void *ctx, const struct watch_env *e, const struct eb_event *ev);
	/* Deployed, but health is outside the healthy set: called when the wait
	 * starts and whenever the health or its causes change. */
	void (*on_health)(void *ctx, const struct watch_env *e);
	/* A pending environment is not Ready yet (once), with its status. */
	void (*on_pending)(void *ctx, const struct watch_env *e);
	/* A pending environment is Ready: start its update, set *request_id
	 * (heap) and return 0; or return a status with e->reason filled. */
	int (*start)(void *ctx, struct aws_client *c, struct watch_env *e, char **request_id);
	/* Updates sent outside the loop (e->starting: deploy's workers, which
	 * send them a few at a time while the loop follows those already
	 * sent): called before each round, it calls watch_env_follow or
	 * watch_env_end for each whose update has been sent since. */
	void (*collect)(void *ctx, struct watch *w);
};

struct watch {
	const char *app; /* may be NULL: the environments' names alone */
	struct watch_env *envs;
	size_t n;
	unsigned healthy;    /* HEALTH_* set that counts as success */
	int64_t deadline_ms; /* the whole wait ends here (monotonic) */
	int64_t grace_ms;    /* a deployed environment's time to turn healthy */
	int64_t settle_ms;   /* after a failure, how long to read on */
	struct watch_ops ops;
	bool no_follow; /* an environment is done once its update has started (--no-wait) */

	/* the loop's pace */
	int64_t poll_ms;     /* between rounds when all is well */
	int64_t interval_ms; /* the current pace (backs off on failures) */
	int failures;        /* consecutive failed rounds */
	struct aws_error last_err;
	int64_t events_since_ms; /* StartTime of the next DescribeEvents, INT64_MIN: none */
	int64_t newest_event_ms;
	int64_t events_read_ms; /* the last DescribeEvents, INT64_MIN: none yet */
	int64_t envs_read_ms;   /* the last DescribeEnvironments, INT64_MIN: none yet */
};

/* Defaults: EBCTL_HEALTH_GRACE (5m) and EBCTL_SETTLE (1m) when set. */
#define WATCH_GRACE_MS  (5 * 60 * 1000)
#define WATCH_SETTLE_MS (60 * 1000)

/*
 * Set up a watch of n environments (envs zeroed by the caller, names and
 * labels filled). Every environment starts FOLLOWING with its request id
 * (set it before or after, heap, freed by watch_cleanup) unless marked
 * pending with watch_env_pending(). The deadline and healthy set apply to
 * all. Reads EBCTL_POLL_MS, EBCTL_HEALTH_GRACE and EBCTL_SETTLE.
 */
void watch_init(struct watch *w, const char *app, struct watch_env *envs, size_t n,
                unsigned healthy, int64_t deadline_ms, int64_t now_ms);
void watch_env_pending(struct watch_env *e);
/* Begin following an environment whose update started at now_ms (with
 * no_follow, it is done there). */
void watch_env_follow(struct watch *w, struct watch_env *e, char *request_id, int64_t now_ms);
/* End an environment with a status and reason (it failed to start). */
void watch_env_end(struct watch_env *e, int rc, const char *reason, int64_t now_ms);
void watch_cleanup(struct watch *w);

/* ---- the pure part: observations in, state out ---- */
/* One DescribeEvents answer for the application (newest first, as the API
 * returns it). */
void watch_feed_events(struct watch *w, const struct eb_events *evs, int64_t now_ms);
/* One DescribeEnvironments answer; an environment missing from it is gone. */
void watch_feed_environments(struct watch *w, const struct eb_environments *envs, int64_t now_ms);
/* One DescribeEnvironmentHealth answer for e. */
void watch_feed_health(struct watch *w, struct watch_env *e, const struct eb_env_health *h,
                       int64_t now_ms);
/* A failed round: back off, more when throttled. */
void watch_poll_failed(struct watch *w, const struct aws_error *err);
/* A round that went through. */
void watch_poll_ok(struct watch *w);
/* The passing of time: deadlines, grace and settle periods. */
void watch_tick(struct watch *w, int64_t now_ms);
/* Whether every environment is done. */
bool watch_done(const struct watch *w);
/* The environment that should have its health read this round, or NULL. */
struct watch_env *watch_health_due(struct watch *w, int64_t now_ms);
/* Whether an environment's events are still read (its update runs). */
bool watch_env_reads_events(const struct watch_env *e);
/*
 * Whether this round reads the events (DescribeEvents), and the
 * environments (DescribeEnvironments). Every round does, except while
 * updates are still going out (an environment's update is being sent
 * outside the loop, e->starting): each of those is a call of its own, so
 * the round then reads the events only every WATCH_EVENTS_BUSY_ROUNDS
 * rounds and the environments every WATCH_ENVIRONMENTS_BUSY_ROUNDS, and a
 * deploy to many environments makes fewer calls per second than a deploy
 * to one. The verdicts of the environments already updated come from
 * DescribeEnvironments; an environment that failed has both read every
 * round while it settles, for the message that says why.
 */
bool watch_events_due(const struct watch *w, int64_t now_ms);
bool watch_environments_due(const struct watch *w, int64_t now_ms);
#define WATCH_EVENTS_BUSY_ROUNDS       4
#define WATCH_ENVIRONMENTS_BUSY_ROUNDS 2

/* ---- the loop ---- */
/*
 * Poll until every environment is done, the deadline passes, or the
 * process is interrupted (interrupt_requested()). Environments still
 * followed when interrupted are left with rc EBCTL_ERR_INTERRUPTED. Returns
 * the combined status (the most serious of the environments').
 */
int watch_run(struct watch *w, struct aws_client *c);

/* The most serious of two statuses (interrupted, failed, AWS, invalid,
 * timed out, unhealthy, success). */
int watch_combine(int a, int b);
/* "success", "failed", "unhealthy", "timeout", "interrupted", "error",
 * "waiting": the result of one environment. */
const char *watch_result_name(const struct watch_env *e);

#endif
