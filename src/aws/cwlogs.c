/* CloudWatch Logs over the JSON 1.1 protocol: groups, streams, events. */
#include <stdlib.h>
#include <string.h>

#include "ebctl/cwlogs.h"
#include "internal.h"

#define TARGET "Logs_20140328."

static char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? xstrdup(s) : NULL;
}

static int64_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static void set_str(json_t *o, const char *key, const char *value)
{
	if (value)
		json_object_set_new(o, key, json_string(value));
}

/* Call and return the array under `list` (borrowed from *out). */
static json_t *call(struct aws_client *c, const char *op, json_t *body, const char *list,
                    json_t **out, struct aws_error *err)
{
	char target[96];
	json_t *arr;
	snprintf(target, sizeof(target), TARGET "%s", op);
	*out = NULL;
	if (aws_json(c, "logs", target, body, out, err) != 0) {
		json_decref(body);
		return NULL;
	}
	json_decref(body);
	arr = json_object_get(*out, list);
	if (!arr) {
		/* an empty page may leave the list out */
		arr = json_array();
		json_object_set_new(*out, list, arr);
	}
	if (!json_is_array(arr)) {
		aws_error_set(err, "logs", "InvalidResponse", "%s: '%s' is not a list", op, list);
		json_decref(*out);
		*out = NULL;
		return NULL;
	}
	return arr;
}

void cwl_log_groups_cleanup(struct cwl_log_groups *g)
{
	size_t i;
	if (!g)
		return;
	for (i = 0; i < g->n; i++)
		free(g->v[i].name);
	free(g->v);
	free(g->next_token);
	memset(g, 0, sizeof(*g));
}

int cwl_describe_log_groups(struct aws_client *c, const char *prefix, const char *next_token,
                            struct cwl_log_groups *out, struct aws_error *err)
{
	json_t *body = json_object(), *resp, *arr, *v;
	size_t i;

	memset(out, 0, sizeof(*out));
	set_str(body, "logGroupNamePrefix", prefix);
	set_str(body, "nextToken", next_token);
	if (!(arr = call(c, "DescribeLogGroups", body, "logGroups", &resp, err)))
		return -1;
	out->v = xcalloc(json_array_size(arr) + 1, sizeof(*out->v));
	json_array_foreach(arr, i, v)
	{
		struct cwl_log_group *g = &out->v[out->n];
		g->name = jstr(v, "logGroupName");
		if (!g->name)
			continue;
		g->created_ms = jint(v, "creationTime");
		g->stored_bytes = (uint64_t)jint(v, "storedBytes");
		g->retention_days = (int)jint(v, "retentionInDays");
		out->n++;
	}
	out->next_token = jstr(resp, "nextToken");
	json_decref(resp);
	return 0;
}

void cwl_log_streams_cleanup(struct cwl_log_streams *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	free(s->next_token);
	memset(s, 0, sizeof(*s));
}

int cwl_describe_log_streams(struct aws_client *c, const char *group, const char *prefix,
                             bool by_last_event, const char *next_token,
                             struct cwl_log_streams *out, struct aws_error *err)
{
	json_t *body = json_object(), *resp, *arr, *v;
	size_t i;

	memset(out, 0, sizeof(*out));
	set_str(body, "logGroupName", group);
	set_str(body, "logStreamNamePrefix", prefix);
	set_str(body, "nextToken", next_token);
	if (by_last_event) {
		set_str(body, "orderBy", "LastEventTime");
		json_object_set_new(body, "descending", json_true());
	}
	if (!(arr = call(c, "DescribeLogStreams", body, "logStreams", &resp, err)))
		return -1;
	out->v = xcalloc(json_array_size(arr) + 1, sizeof(*out->v));
	json_array_foreach(arr, i, v)
	{
		struct cwl_log_stream *s = &out->v[out->n];
		s->name = jstr(v, "logStreamName");
		if (!s->name)
			continue;
		s->created_ms = jint(v, "creationTime");
		s->first_event_ms = jint(v, "firstEventTimestamp");
		s->last_event_ms = jint(v, "lastEventTimestamp");
		out->n++;
	}
	out->next_token = jstr(resp, "nextToken");
	json_decref(resp);
	return 0;
}

void cwl_events_cleanup(struct cwl_events *e)
{
	size_t i;
	if (!e)
		return;
	for (i = 0; i < e->n; i++) {
		free(e->v[i].message);
		free(e->v[i].stream);
		free(e->v[i].event_id);
	}
	free(e->v);
	free(e->next_token);
	free(e->prev_token);
	memset(e, 0, sizeof(*e));
}

static void parse_events(json_t *arr, struct cwl_events *out)
{
	json_t *v;
	size_t i;
	out->v = xcalloc(json_array_size(arr) + 1, sizeof(*out->v));
	json_array_foreach(arr, i, v)
	{
		struct cwl_event *e = &out->v[out->n++];
		e->timestamp_ms = jint(v, "timestamp");
		e->ingestion_ms = jint(v, "ingestionTime");
		e->message = jstr(v, "message");
		if (!e->message)
			e->message = xstrdup("");
		e->stream = jstr(v, "logStreamName");
		e->event_id = jstr(v, "eventId");
	}
}

int cwl_get_log_events(struct aws_client *c, const char *group, const char *stream,
                       int64_t start_ms, bool start_from_head, const char *next_token,
                       struct cwl_events *out, struct aws_error *err)
{
	json_t *body = json_object(), *resp, *arr;

	memset(out, 0, sizeof(*out));
	set_str(body, "logGroupName", group);
	set_str(body, "logStreamName", stream);
	if (start_ms > 0)
		json_object_set_new(body, "startTime", json_integer(start_ms));
	if (start_from_head)
		json_object_set_new(body, "startFromHead", json_true());
	set_str(body, "nextToken", next_token);
	if (!(arr = call(c, "GetLogEvents", body, "events", &resp, err)))
		return -1;
	parse_events(arr, out);
	out->next_token = jstr(resp, "nextForwardToken");
	out->prev_token = jstr(resp, "nextBackwardToken");
	json_decref(resp);
	return 0;
}

int cwl_filter_log_events(struct aws_client *c, const struct cwl_filter *f, struct cwl_events *out,
                          struct aws_error *err)
{
	json_t *body = json_object(), *resp, *arr;
	size_t i;

	memset(out, 0, sizeof(*out));
	set_str(body, "logGroupName", f->group);
	if (f->nstreams) {
		json_t *names = json_array();
		for (i = 0; i < f->nstreams; i++)
			json_array_append_new(names, json_string(f->streams[i]));
		json_object_set_new(body, "logStreamNames", names);
	}
	set_str(body, "logStreamNamePrefix", f->stream_prefix);
	set_str(body, "filterPattern", f->pattern);
	if (f->start_ms > 0)
		json_object_set_new(body, "startTime", json_integer(f->start_ms));
	if (f->end_ms > 0)
		json_object_set_new(body, "endTime", json_integer(f->end_ms));
	if (f->limit > 0)
		json_object_set_new(body, "limit", json_integer(f->limit));
	set_str(body, "nextToken", f->next_token);
	if (!(arr = call(c, "FilterLogEvents", body, "events", &resp, err)))
		return -1;
	parse_events(arr, out);
	out->next_token = jstr(resp, "nextToken");
	json_decref(resp);
	return 0;
}
