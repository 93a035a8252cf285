/* ebctl events: an environment's events, oldest first; -f follows. */
#include "ebctl/aws.h"
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>

/* How far back each poll reaches behind the newest event seen. */
#define EVENTS_WINDOW_MS 60000
#define EVENTS_POLL_MS   5000

/* Print what the dedupe has not reported yet, at or above min_rank. */
static void print_new(struct event_dedupe *d, const struct eb_events *evs, int min_rank,
                      enum op_format fmt, bool color)
{
	struct op_event *batch;
	size_t *order, k, i;
	if (evs->n == 0)
		return;
	batch = xcalloc(evs->n, sizeof(*batch));
	order = xcalloc(evs->n, sizeof(*order));
	for (i = 0; i < evs->n; i++) {
		const struct eb_event *e = &evs->v[i];
		batch[i].ms = e->date * 1000;
		batch[i].severity = e->severity;
		batch[i].message = e->message;
		batch[i].application = e->app;
		batch[i].environment = e->env;
		batch[i].version = e->version_label;
		batch[i].request_id = e->request_id;
	}
	k = event_dedupe_feed(d, batch, evs->n, order);
	for (i = 0; i < k; i++) {
		const struct op_event *e = &batch[order[i]];
		char *line;
		if (min_rank > 0 && severity_rank(e->severity) < min_rank)
			continue;
		line = event_format(e, fmt, color);
		out_line("%s\n", line);
		free(line);
	}
	free(order);
	free(batch);
}

int cmd_events(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "events", "[-f] [--since WHEN] [--severity LEVEL] [--format text|json]",
	    "Without --since, the most recent page of events (up to 1000) is shown.\n"
	    "--since takes a duration back from now (90s, 10m, 1h30m) or an ISO 8601\n"
	    "time (2024-05-01T12:00:00Z, or a date). -f keeps polling (every 5 s, or\n"
	    "EBCTL_POLL_MS milliseconds) and prints each new event exactly once until\n"
	    "interrupted (exit 130). With --format json each event is one JSON object\n"
	    "per line. Severities are coloured on a terminal."};
	struct op_target t = {0};
	bool follow = false;
	const char *since = NULL, *severity = NULL, *format = "text";
	const struct opt opts[] = {
	    OP_TARGET_OPTS(t),
	    OPTION_BOOL("follow", 'f', &follow, "keep printing new events until interrupted", NULL),
	    OPTION_STRING("since", 0, &since, "WHEN",
	                  "only events since a duration ago (10m) or an ISO 8601 time", NULL),
	    OPTION_STRING(
	        "severity", 0, &severity, "LEVEL",
	        "only events at least this severe: TRACE, DEBUG, INFO, WARN, ERROR, FATAL", NULL),
	    OPTION_CHOICE("format", 0, &format, "FORMAT", "text or json (one object per line)",
	                  "EBCTL_FORMAT", "text,json"),
	    OPTION_END,
	};
	struct eb_events_filter f;
	struct event_dedupe d;
	struct aws_error err;
	int64_t start_ms = INT64_MIN;
	int min_rank = -1, rc, n;
	enum op_format fmt;
	bool color;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("events", "unexpected argument '%s'", argv[1]);
	if (since && since_parse(since, time_now() * 1000, &start_ms))
		return usage_error("events",
		                   "--since takes a duration (10m) or an ISO 8601 time, not '%s'",
		                   since);
	if (severity && (min_rank = severity_rank(severity)) < 0)
		return usage_error(
		    "events",
		    "--severity must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL, not '%s'",
		    severity);
	fmt = strcmp(format, "json") == 0 ? OP_FORMAT_JSON : OP_FORMAT_TEXT;
	color = fmt == OP_FORMAT_TEXT && term_use_color(stdout);

	interrupt_install();
	if ((rc = cli_target_open(&t, "events", 0)))
		goto out;

	memset(&f, 0, sizeof(f));
	f.app = t.app;
	f.env = t.env;
	if (min_rank >= 0) {
		static const char *names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
		f.severity = names[min_rank];
	}
	event_dedupe_init(&d, start_ms, EVENTS_WINDOW_MS);
	aws_error_clear(&err);
	for (;;) {
		struct eb_events evs = {NULL, 0, NULL};
		int64_t from = event_dedupe_since(&d);
		/* StartTime is in seconds: round down, the dedupe drops what is older. */
		f.start_time = from == INT64_MIN ? 0 : (from >= 0 ? from / 1000 : 0);
		/* Without --since, the newest page only. */
		if (eb_describe_events_pages(t.client, &f, from == INT64_MIN ? 1 : 100, &evs,
		                             &err)) {
			eb_events_cleanup(&evs);
			rc = cli_aws_fail(&err);
			break;
		}
		print_new(&d, &evs, min_rank, fmt, color);
		eb_events_cleanup(&evs);
		if (!follow)
			break;
		if ((rc = follow_pause(poll_interval_ms(EVENTS_POLL_MS))) >= 0)
			break;
	}
	event_dedupe_cleanup(&d);
out:
	op_target_close(&t);
	return rc;
}
