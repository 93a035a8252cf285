/*
 * CloudWatch Logs (JSON protocol): the calls `ebctl logs -f` needs when an
 * environment streams its logs. One page per call; pass next_token back.
 */
#ifndef EBCTL_CWLOGS_H
#define EBCTL_CWLOGS_H

#include <stdbool.h>
#include <stdint.h>

#include "ebctl/aws.h"

struct cwl_log_group {
	char *name;
	int64_t created_ms;
	uint64_t stored_bytes;
	int retention_days; /* 0: never expires */
};
struct cwl_log_groups {
	struct cwl_log_group *v;
	size_t n;
	char *next_token; /* NULL on the last page */
};
void cwl_log_groups_cleanup(struct cwl_log_groups *g);
/* prefix: logGroupNamePrefix ("/aws/elasticbeanstalk/my-env/"), NULL for all. */
int cwl_describe_log_groups(struct aws_client *c, const char *prefix, const char *next_token,
                            struct cwl_log_groups *out, struct aws_error *err);

struct cwl_log_stream {
	char *name;
	int64_t created_ms;
	int64_t first_event_ms;
	int64_t last_event_ms; /* 0 when the stream is empty */
};
struct cwl_log_streams {
	struct cwl_log_stream *v;
	size_t n;
	char *next_token;
};
void cwl_log_streams_cleanup(struct cwl_log_streams *s);
/* by_last_event: order by LastEventTime, newest first (prefix must be NULL then). */
int cwl_describe_log_streams(struct aws_client *c, const char *group, const char *prefix,
                             bool by_last_event, const char *next_token,
                             struct cwl_log_streams *out, struct aws_error *err);

struct cwl_event {
	int64_t timestamp_ms;
	int64_t ingestion_ms;
	char *message;
	char *stream;   /* FilterLogEvents only; NULL otherwise */
	char *event_id; /* FilterLogEvents only */
};
struct cwl_events {
	struct cwl_event *v;
	size_t n;
	char *next_token; /* Filter: nextToken (NULL at the end); Get: nextForwardToken */
	char *prev_token; /* Get: nextBackwardToken */
};
void cwl_events_cleanup(struct cwl_events *e);

/* GetLogEvents of one stream. start_ms 0: no start time. A next_token
 * equal to the one passed means no new events yet. */
int cwl_get_log_events(struct aws_client *c, const char *group, const char *stream,
                       int64_t start_ms, bool start_from_head, const char *next_token,
                       struct cwl_events *out, struct aws_error *err);

struct cwl_filter {
	const char *group;
	const char *const *streams; /* NULL: every stream */
	size_t nstreams;
	const char *stream_prefix; /* NULL: none (exclusive with streams) */
	const char *pattern;       /* filterPattern, NULL: none */
	int64_t start_ms, end_ms;  /* 0: unbounded */
	int limit;                 /* 0: service default */
	const char *next_token;
};
int cwl_filter_log_events(struct aws_client *c, const struct cwl_filter *f, struct cwl_events *out,
                          struct aws_error *err);

#endif
