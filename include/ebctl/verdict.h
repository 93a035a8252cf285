/*
 * The deployment verdict: a pure state machine, fed with what the poller
 * observes of one environment after our UpdateEnvironment, that decides
 * when the deployment succeeded, failed, ended unhealthy or timed out.
 * It never reads a clock or the network: every observation carries the
 * time, so a scripted sequence replays exactly (tests/unit/test_verdict.c).
 *
 *   success    the environment is Ready, runs our label, and its health is
 *              in the healthy set;
 *   failed     an event of our request (same RequestId) is ERROR/FATAL, or
 *              says the deployment failed, was rolled back or aborted; or
 *              the environment is Ready again after our update while
 *              running another label; or it is terminating;
 *   unhealthy  deployed (Ready, our label) but the health stayed outside the
 *              healthy set for the grace period, or until the deadline;
 *   timeout    none of the above by the deadline.
 * Once decided, a verdict never changes.
 */
#ifndef EBCTL_VERDICT_H
#define EBCTL_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

enum verdict_state {
	VERDICT_WAITING = 0,
	VERDICT_SUCCESS,
	VERDICT_FAILED,
	VERDICT_UNHEALTHY,
	VERDICT_TIMEOUT
};

/* Health colours as bits of a set. */
enum {
	HEALTH_GREEN = 1u << 0,
	HEALTH_YELLOW = 1u << 1,
	HEALTH_RED = 1u << 2,
	HEALTH_GREY = 1u << 3
};

/* "Green,Yellow" -> HEALTH_GREEN|HEALTH_YELLOW (case-insensitive).
 * Returns 0, or -1 naming nothing (the caller names the flag) on an
 * unknown colour or an empty list. */
int verdict_parse_healthy(const char *list, unsigned *mask);
/* The bit of one colour name, 0 when unknown or NULL. */
unsigned verdict_health_bit(const char *color);

struct verdict_config {
	const char *label;      /* our version label (borrowed) */
	const char *request_id; /* RequestId of our UpdateEnvironment (borrowed) */
	unsigned healthy;       /* HEALTH_* set that counts as success */
	int64_t deadline_ms;    /* --timeout: the whole wait ends here */
	int64_t grace_ms;       /* how long a deployed environment may take to turn healthy */
	/* The environment already ran our label when we updated it: its label
	 * alone does not show that our update finished. */
	bool label_was_running;
};

struct verdict {
	struct verdict_config c;
	enum verdict_state state;
	char reason[320];    /* why it was decided (or the latest state while waiting) */
	bool saw_not_ready;  /* the environment left Ready after our update */
	bool saw_completed;  /* an event of ours said the update completed */
	bool deployed;       /* seen Ready with our label */
	int64_t deployed_ms; /* when first seen deployed */
	char last_health[16];
};

void verdict_init(struct verdict *v, const struct verdict_config *c);

/* One event as DescribeEvents returns it. Events of other requests are
 * ignored; returns the state after it. */
enum verdict_state verdict_on_event(struct verdict *v, const char *request_id, const char *severity,
                                    const char *message, int64_t now_ms);

/* One DescribeEnvironments observation (status, health colour, running
 * label; any may be NULL when absent). */
enum verdict_state verdict_on_environment(struct verdict *v, const char *status, const char *health,
                                          const char *label, int64_t now_ms);

/* The passing of time alone: decides the deadline and the grace period. */
enum verdict_state verdict_on_tick(struct verdict *v, int64_t now_ms);

/* "success", "failed", "unhealthy", "timeout", "waiting". */
const char *verdict_state_name(enum verdict_state s);
/* The status of a decided verdict (EBCTL_OK, EBCTL_ERR_*); 0 while waiting. */
int verdict_status(enum verdict_state s);

#endif
