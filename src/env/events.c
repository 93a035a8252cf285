/* Events: times with milliseconds, --since, de-duplication across polls, output. */
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int64_t time_parse_iso8601_ms(const char *s)
{
	char whole[20];
	const char *p;
	int64_t sec, ms = 0;
	int digits = 0;

	if (!s || strlen(s) < 19)
		return -1;
	memcpy(whole, s, 19);
	whole[19] = '\0';
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
		if (digits == 0)
			return -1;
		for (; digits < 3; digits++)
			ms *= 10;
	}
	if (*p != '\0' && strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	if ((sec = time_parse_iso8601(whole)) < 0)
		return -1;
	return sec * 1000 + ms;
}

void time_format_iso8601_ms(int64_t ms, char *out, size_t n)
{
	char whole[32];
	int64_t sec = ms / 1000, frac = ms % 1000;
	if (frac < 0) {
		frac += 1000;
		sec--;
	}
	time_format_iso8601(sec, whole, sizeof(whole));
	whole[strlen(whole) - 1] = '\0'; /* the 'Z' goes after the fraction */
	snprintf(out, n, "%s.%03dZ", whole, (int)frac);
}

int since_parse(const char *s, int64_t now_ms, int64_t *out_ms)
{
	unsigned long secs;
	int64_t t;

	if (!s || !*s)
		return -1;
	if (parse_duration(s, &secs) == 0) {
		if (secs > (unsigned long)(now_ms / 1000))
			return -1;
		*out_ms = now_ms - (int64_t)secs * 1000;
		return 0;
	}
	if (strlen(s) == 10) {
		/* A bare date: its midnight UTC. */
		char full[32];
		snprintf(full, sizeof(full), "%sT00:00:00Z", s);
		t = time_parse_iso8601_ms(full);
	} else {
		t = time_parse_iso8601_ms(s);
	}
	if (t < 0 || t > now_ms)
		return -1;
	*out_ms = t;
	return 0;
}

int severity_rank(const char *severity)
{
	static const char *names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
	size_t i;
	if (!severity)
		return -1;
	if (!strcasecmp(severity, "WARNING"))
		return 3;
	for (i = 0; i < EBCTL_ARRAY_LEN(names); i++)
		if (!strcasecmp(severity, names[i]))
			return (int)i;
	return -1;
}

void event_dedupe_init(struct event_dedupe *d, int64_t start_ms, int64_t window_ms)
{
	memset(d, 0, sizeof(*d));
	d->floor_ms = start_ms;
	d->newest_ms = INT64_MIN;
	d->window_ms = window_ms < 0 ? 0 : window_ms;
}

void event_dedupe_cleanup(struct event_dedupe *d)
{
	size_t i;
	for (i = 0; i < d->n; i++)
		free(d->seen[i].message);
	free(d->seen);
	memset(d, 0, sizeof(*d));
}

static int cmp_seen(int64_t ms, const char *msg, const struct seen_event *e)
{
	if (ms != e->ms)
		return ms < e->ms ? -1 : 1;
	return strcmp(msg, e->message);
}

/* The seen list stays sorted by time and message: lookups are binary
 * searches, so a busy log stream does not make each poll quadratic.
 * Returns true when already there, otherwise inserts it. */
static bool seen_insert(struct event_dedupe *d, int64_t ms, const char *msg)
{
	size_t lo = 0, hi = d->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_seen(ms, msg, &d->seen[mid]);
		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->seen = xrealloc(d->seen, d->cap * sizeof(*d->seen));
	}
	memmove(d->seen + lo + 1, d->seen + lo, (d->n - lo) * sizeof(*d->seen));
	d->seen[lo].ms = ms;
	d->seen[lo].message = xstrdup(msg);
	d->n++;
	return false;
}

struct ordered {
	int64_t ms;
	size_t idx;
};

static int cmp_ordered(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;
	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	/* Same millisecond: the API lists newest first, so the later index happened first. */
	return x->idx > y->idx ? -1 : x->idx < y->idx ? 1 : 0;
}

size_t event_dedupe_feed(struct event_dedupe *d, const struct op_event *batch, size_t n,
                         size_t *order)
{
	struct ordered *fresh;
	size_t i, k = 0, kept = 0;

	if (n == 0)
		return 0;
	fresh = xmalloc(n * sizeof(*fresh));
	/* Walk oldest first so that a repeat inside one batch keeps its first occurrence. */
	for (i = n; i-- > 0;) {
		const struct op_event *e = &batch[i];
		const char *msg = e->message ? e->message : "";
		if (e->ms < d->floor_ms || seen_insert(d, e->ms, msg))
			continue;
		fresh[k].ms = e->ms;
		fresh[k].idx = i;
		k++;
		if (e->ms > d->newest_ms)
			d->newest_ms = e->ms;
	}
	qsort(fresh, k, sizeof(*fresh), cmp_ordered);
	for (i = 0; i < k; i++)
		order[i] = fresh[i].idx;
	free(fresh);

	/* Slide the window and forget what fell out of it. */
	if (d->newest_ms != INT64_MIN && d->newest_ms - d->window_ms > d->floor_ms)
		d->floor_ms = d->newest_ms - d->window_ms;
	for (i = 0; i < d->n; i++) {
		if (d->seen[i].ms < d->floor_ms)
			free(d->seen[i].message);
		else
			d->seen[kept++] = d->seen[i];
	}
	d->n = kept;
	return k;
}

int64_t event_dedupe_since(const struct event_dedupe *d)
{
	return d->floor_ms;
}

static const char *severity_color(const char *severity)
{
	int r = severity_rank(severity);
	if (r >= 4)
		return COLOR_RED;
	if (r == 3)
		return COLOR_YELLOW;
	if (r >= 0 && r < 2)
		return COLOR_DIM;
	return NULL;
}

/* A JSON string even from bytes that are not UTF-8 (replaced by '?'). */
json_t *out_json_string(const char *v)
{
	json_t *j;
	char *copy, *p;
	if (!v)
		return json_null();
	if ((j = json_string(v)))
		return j;
	copy = xstrdup(v);
	for (p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80 || (unsigned char)*p < 0x20)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

static void json_set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, out_json_string(v));
}

char *event_format(const struct op_event *e, enum op_format fmt, bool color)
{
	char when[40];
	const char *sev = e->severity ? e->severity : "INFO";
	const char *msg = e->message ? e->message : "";

	if (fmt == OP_FORMAT_JSON) {
		json_t *o = json_object();
		char *s;
		time_format_iso8601_ms(e->ms, when, sizeof(when));
		json_set_str(o, "time", when);
		json_set_str(o, "severity", sev);
		json_set_str(o, "message", msg);
		json_set_str(o, "application", e->application);
		json_set_str(o, "environment", e->environment);
		json_set_str(o, "version", e->version);
		json_set_str(o, "request_id", e->request_id);
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (!s)
			die("out of memory");
		return s;
	}
	time_format_iso8601(e->ms >= 0 ? e->ms / 1000 : (e->ms - 999) / 1000, when, sizeof(when));
	{
		const char *c = color ? severity_color(sev) : NULL;
		char *safe = text_escape(msg), *line;
		line =
		    xasprintf("%s %s%-5s%s %s", when, c ? c : "", sev, c ? COLOR_RESET : "", safe);
		free(safe);
		return line;
	}
}
