/*
 * A send rate shared by the clients of one command, per operation, that a
 * throttling sets and successes raise again (additive increase,
 * multiplicative decrease, as botocore's adaptive retry mode and TCP do).
 *
 * Without it, each of a deploy's workers backs off on its own: four
 * workers sending fifty UpdateEnvironment calls into a rate of two a
 * second got more than one throttling answer per call. With it, the first
 * throttling pauses every client that shares the pacer, and the operation
 * then goes out at a rate just under the one the service keeps.
 *
 * An operation is free (no wait) until the service first throttles it;
 * its entry then holds a token bucket of one token, and a rate that starts
 * at one a second (or half the rate measured, when lower), grows by a tenth
 * at each success and loses 30 % at each further throttling (once for the
 * sends paced at the same rate).
 * A wait reserves the next token and returns how long to sleep before
 * sending, so waiters queue in the order they asked.
 *
 * Rates are per unit of time: a second, or the base of the retry waits
 * when EBCTL_RETRY_BASE_MS changes it (as the tests do, to run fast).
 */
#include "internal.h"

#include "ebctl/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PACE_KEYS    16
#define PACE_HISTORY 8     /* sends remembered to measure the rate */
#define PACE_MIN     0.2   /* per second: the slowest it gets */
#define PACE_MAX     100.0 /* per second */
#define PACE_START   1.0   /* per second, after the first throttling */
#define PACE_STEP    0.1   /* per second, added at each success */
#define PACE_CUT     0.7   /* the rate kept at each further throttling */

struct pace {
	char key[96];
	bool on; /* throttled at least once */
	double rate;
	double tokens;
	int64_t refill_ms;
	int64_t cut_ms; /* the last decrease: sends reserved before it do not cut again */
	int64_t sent[PACE_HISTORY];
	int nsent;
};

struct aws_pacer {
	pthread_mutex_t lock;
	struct pace p[PACE_KEYS];
	int n;
};

struct aws_pacer *aws_pacer_new(void)
{
	struct aws_pacer *p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

void aws_pacer_free(struct aws_pacer *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static struct pace *find(struct aws_pacer *p, const char *key, bool add)
{
	int i;
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->p[i].key, key))
			return &p->p[i];
	if (!add || p->n == PACE_KEYS)
		return NULL;
	snprintf(p->p[p->n].key, sizeof(p->p[0].key), "%s", key);
	return &p->p[p->n++];
}

/* The unit of the rates in milliseconds (a retry base of 0 counts as 1). */
static double unit_of(unsigned long unit_ms)
{
	return unit_ms ? (double)unit_ms : 1.0;
}

/* The rate of the sends remembered, per unit; 0 when too few. */
static double measured(const struct pace *e, double unit)
{
	int n = e->nsent < PACE_HISTORY ? e->nsent : PACE_HISTORY;
	int64_t first, last;
	if (n < 2)
		return 0;
	last = e->sent[(e->nsent - 1) % PACE_HISTORY];
	first = e->sent[(e->nsent - n) % PACE_HISTORY];
	return last > first ? (double)(n - 1) * unit / (double)(last - first) : PACE_MAX;
}

int64_t aws_pacer_reserve(struct aws_pacer *p, const char *key, int64_t now_ms,
                          unsigned long unit_ms)
{
	double unit = unit_of(unit_ms);
	struct pace *e;
	int64_t wait = 0;
	if (!p)
		return 0;
	pthread_mutex_lock(&p->lock);
	e = find(p, key, true);
	if (e && e->on) {
		e->tokens += e->rate * (double)(now_ms - e->refill_ms) / unit;
		if (e->tokens > 1.0)
			e->tokens = 1.0;
		e->refill_ms = now_ms;
		e->tokens -= 1.0;
		if (e->tokens < 0)
			wait = (int64_t)(-e->tokens / e->rate * unit + 0.5);
	}
	if (e)
		e->sent[e->nsent++ % PACE_HISTORY] = now_ms + wait;
	pthread_mutex_unlock(&p->lock);
	return wait;
}

void aws_pacer_answer(struct aws_pacer *p, const char *key, int64_t reserved_ms, bool throttled,
                      int64_t now_ms, unsigned long unit_ms)
{
	double unit = unit_of(unit_ms);
	struct pace *e;
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	e = find(p, key, false);
	if (e && throttled) {
		if (!e->on) {
			double r = measured(e, unit);
			e->on = true;
			/* start low, whatever the burst before: the service's
			 * bucket is empty now, and the rate climbs back */
			e->rate = r > 0 && r / 2 < PACE_START ? r / 2 : PACE_START;
			e->refill_ms = now_ms;
			e->cut_ms = now_ms;
		} else if (reserved_ms >= e->cut_ms) {
			/* one cut per round: the sends reserved before the last cut
			 * went at the old rate, and their refusal says nothing new */
			e->rate *= PACE_CUT;
			e->cut_ms = now_ms;
		}
		if (e->rate < PACE_MIN)
			e->rate = PACE_MIN;
		/* every client waits from now on, not only the one refused */
		if (e->tokens > 0)
			e->tokens = 0;
		debugf("%s: throttled: sending at most %.2f a second", key, e->rate);
	} else if (e && e->on && e->rate < PACE_MAX) {
		e->rate += PACE_STEP;
	}
	pthread_mutex_unlock(&p->lock);
}
