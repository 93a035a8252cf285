/* The deployment verdict state machine (see include/ebctl/verdict.h). */
#include "ebctl/verdict.h"
#include "ebctl/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	unsigned bit;
} colors[] = {
    {"Green", HEALTH_GREEN},
    {"Yellow", HEALTH_YELLOW},
    {"Red", HEALTH_RED},
    {"Grey", HEALTH_GREY},
};

unsigned verdict_health_bit(const char *color)
{
	size_t i;
	for (i = 0; color && i < EBCTL_ARRAY_LEN(colors); i++)
		if (strcasecmp(color, colors[i].name) == 0)
			return colors[i].bit;
	return 0;
}

int verdict_parse_healthy(const char *list, unsigned *mask)
{
	unsigned m = 0;
	const char *p = list;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char word[16];
		unsigned bit;
		while (len && *p == ' ') {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len) {
			if (len >= sizeof(word))
				return -1;
			memcpy(word, p, len);
			word[len] = 0;
			bit = verdict_health_bit(word);
			if (!bit)
				return -1;
			m |= bit;
		}
		p = e ? e + 1 : NULL;
	}
	if (!m)
		return -1;
	*mask = m;
	return 0;
}

void verdict_init(struct verdict *v, const struct verdict_config *c)
{
	memset(v, 0, sizeof(*v));
	v->c = *c;
	v->state = VERDICT_WAITING;
	snprintf(v->reason, sizeof(v->reason), "waiting for the update to start");
}

static enum verdict_state decide(struct verdict *v, enum verdict_state s, const char *fmt, ...)
    EBCTL_PRINTF(3, 4);

static enum verdict_state decide(struct verdict *v, enum verdict_state s, const char *fmt, ...)
{
	va_list ap;
	v->state = s;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
	return s;
}

/* Case-insensitive substring. */
static bool has(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

enum verdict_state verdict_on_event(struct verdict *v, const char *request_id, const char *severity,
                                    const char *message, int64_t now_ms)
{
	if (v->state != VERDICT_WAITING)
		return v->state;
	/* Only events of our UpdateEnvironment count: another deployment's
	 * error must not fail ours, nor its success pass ours. */
	if (!request_id || !v->c.request_id || strcmp(request_id, v->c.request_id) != 0)
		return verdict_on_tick(v, now_ms);
	if (severity && (!strcasecmp(severity, "ERROR") || !strcasecmp(severity, "FATAL")))
		return decide(v, VERDICT_FAILED, "%s",
		              message ? message : "an ERROR event without a message");
	if (has(message, "failed to deploy") || has(message, "deployment failed") ||
	    has(message, "roll back") || has(message, "rolled back") ||
	    has(message, "rolling back") || has(message, "rollback") ||
	    has(message, "update aborted") || has(message, "was aborted"))
		return decide(v, VERDICT_FAILED, "%s", message);
	if (has(message, "completed successfully"))
		v->saw_completed = true;
	return verdict_on_tick(v, now_ms);
}

enum verdict_state verdict_on_environment(struct verdict *v, const char *status, const char *health,
                                          const char *label, int64_t now_ms)
{
	bool ours, ready;
	if (v->state != VERDICT_WAITING)
		return v->state;
	snprintf(v->last_health, sizeof(v->last_health), "%s", health ? health : "");
	if (status && (!strcasecmp(status, "Terminating") || !strcasecmp(status, "Terminated")))
		return decide(v, VERDICT_FAILED, "the environment is %s", status);
	ready = status && !strcasecmp(status, "Ready");
	/* no label of ours (a configuration update of an environment that runs
	 * no version): whatever it runs is ours */
	ours = !v->c.label || (label && !strcmp(label, v->c.label));
	if (!ready) {
		v->saw_not_ready = true;
		snprintf(v->reason, sizeof(v->reason), "the environment is %s",
		         status ? status : "in an unknown state");
		return verdict_on_tick(v, now_ms);
	}
	/* Ready. Is this the end of our update, or a read from before it? */
	if (!ours) {
		if (v->saw_not_ready || v->saw_completed)
			return decide(v, VERDICT_FAILED,
			              "the environment is Ready again but runs '%s', not '%s'",
			              label ? label : "no version", v->c.label);
		snprintf(v->reason, sizeof(v->reason), "waiting for the update to start");
		return verdict_on_tick(v, now_ms);
	}
	if (v->c.label_was_running && !v->saw_not_ready && !v->saw_completed) {
		snprintf(v->reason, sizeof(v->reason), "waiting for the update to start");
		return verdict_on_tick(v, now_ms);
	}
	if (!v->deployed) {
		v->deployed = true;
		v->deployed_ms = now_ms;
	}
	if (verdict_health_bit(health) & v->c.healthy)
		return decide(v, VERDICT_SUCCESS, "running '%s', Ready, health %s", v->c.label,
		              health);
	snprintf(v->reason, sizeof(v->reason), "running '%s', Ready, health %s", v->c.label,
	         health && *health ? health : "unknown");
	return verdict_on_tick(v, now_ms);
}

enum verdict_state verdict_on_tick(struct verdict *v, int64_t now_ms)
{
	if (v->state != VERDICT_WAITING)
		return v->state;
	if (v->deployed && (now_ms >= v->deployed_ms + v->c.grace_ms || now_ms >= v->c.deadline_ms))
		return decide(v, VERDICT_UNHEALTHY,
		              "running '%s', but health is %s, outside the healthy set", v->c.label,
		              v->last_health[0] ? v->last_health : "unknown");
	if (now_ms >= v->c.deadline_ms) {
		char last[sizeof(v->reason)];
		memcpy(last, v->reason, sizeof(last));
		return decide(v, VERDICT_TIMEOUT, "timed out (%s)", last);
	}
	return VERDICT_WAITING;
}

const char *verdict_state_name(enum verdict_state s)
{
	switch (s) {
	case VERDICT_SUCCESS: return "success";
	case VERDICT_FAILED: return "failed";
	case VERDICT_UNHEALTHY: return "unhealthy";
	case VERDICT_TIMEOUT: return "timeout";
	case VERDICT_WAITING: break;
	}
	return "waiting";
}

int verdict_status(enum verdict_state s)
{
	switch (s) {
	case VERDICT_SUCCESS: return EBCTL_OK;
	case VERDICT_FAILED: return EBCTL_ERR_FAILED;
	case VERDICT_UNHEALTHY: return EBCTL_ERR_UNHEALTHY;
	case VERDICT_TIMEOUT: return EBCTL_ERR_TIMEOUT;
	case VERDICT_WAITING: break;
	}
	return EBCTL_OK;
}
