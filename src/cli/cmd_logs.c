/* ebctl logs: instance log tails, full bundles, or CloudWatch Logs followed live. */
#include "ebctl/aws.h"
#include "ebctl/cli.h"
#include "ebctl/cwlogs.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LOGS_POLL_MS        2000   /* EB events while waiting for the instances */
#define FOLLOW_POLL_MS      2000   /* CloudWatch Logs */
#define FOLLOW_WINDOW_MS    120000 /* how far back each poll reaches for late events */
#define FOLLOW_GROUPS_EVERY 10     /* polls between looks for new log groups */
#define TAIL_MAX            (64u << 20)
#define LOGS_MAX_DOWNLOAD   (1ull << 30) /* one bundle, EBCTL_LOGS_MAX_DOWNLOAD_MB */

struct logs_opts {
	struct op_target t;
	bool all, zip, follow;
	const char *instance, *dir, *since;
	unsigned long timeout;
};

/* RequestEnvironmentInfo; its request id scopes the events to wait for. */
static int request_info(struct aws_client *c, const char *env, const char *type, char **request_id,
                        struct aws_error *err)
{
	struct aws_params p = {NULL, 0, 0};
	xmlDocPtr doc = NULL;
	int rc;
	aws_params_add(&p, "EnvironmentName", env);
	aws_params_add(&p, "InfoType", type);
	rc = aws_query(c, "elasticbeanstalk", "RequestEnvironmentInfo", &p, AWS_IDEMPOTENT, &doc,
	               err);
	if (rc == 0) {
		xmlNodePtr root = xmlDocGetRootElement(doc);
		xmlNodePtr md = root ? aws_xml_child(root, "ResponseMetadata") : NULL;
		*request_id = md ? aws_xml_text(md, "RequestId") : NULL;
	}
	xmlFreeDoc(doc);
	aws_params_cleanup(&p);
	return rc;
}

/* EB says so when the instances have uploaded what was asked for. */
static bool is_pulled_event(const char *msg)
{
	return msg && ((strcasestr(msg, "pulled") && strcasestr(msg, "log")) ||
	               strcasestr(msg, "completed successfully"));
}

/*
 * Wait (bounded) for the event of our request that says the logs were
 * pulled. Returns 0 when seen, EBCTL_ERR_TIMEOUT, or a status after a
 * message.
 */
static int wait_pulled(struct op_target *t, const char *request_id, unsigned long timeout_s)
{
	int64_t deadline = time_mono_ms() + (int64_t)timeout_s * 1000;
	struct eb_events_filter f;
	struct aws_error err;

	memset(&f, 0, sizeof(f));
	f.env = t->env;
	f.request_id = request_id;
	for (;;) {
		struct eb_events evs = {NULL, 0, NULL};
		size_t i;
		int rc = -1;
		aws_error_clear(&err);
		if (eb_describe_events(t->client, &f, &evs, &err))
			return cli_aws_fail(&err);
		for (i = 0; i < evs.n && rc < 0; i++) {
			const struct eb_event *e = &evs.v[i];
			if (severity_rank(e->severity) >= severity_rank("ERROR")) {
				errorf("the instances could not provide their logs: %s",
				       e->message ? e->message : "");
				rc = EBCTL_ERR_AWS;
			} else if (is_pulled_event(e->message)) {
				rc = 0;
			}
		}
		eb_events_cleanup(&evs);
		if (rc >= 0)
			return rc;
		if (time_mono_ms() >= deadline)
			return EBCTL_ERR_TIMEOUT;
		if (interrupt_sleep_ms(poll_interval_ms(LOGS_POLL_MS), -1) != SLEEP_DONE)
			return follow_interrupted_exit(NULL);
	}
}

/* The newest sample of each instance (RetrieveEnvironmentInfo keeps older ones). */
static size_t newest_per_instance(const struct eb_env_infos *infos, const char *only,
                                  const struct eb_env_info **out)
{
	size_t i, j, n = 0;
	for (i = 0; i < infos->n; i++) {
		const struct eb_env_info *e = &infos->v[i];
		if (!e->instance_id || !e->url || (only && strcmp(only, e->instance_id) != 0))
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(out[j]->instance_id, e->instance_id) == 0)
				break;
		if (j == n)
			out[n++] = e;
		else if (e->sample_time > out[j]->sample_time)
			out[j] = e;
	}
	return n;
}

static int cmp_info(const void *a, const void *b)
{
	const struct eb_env_info *const *x = a, *const *y = b;
	return strcmp((*x)->instance_id, (*y)->instance_id);
}

static void print_section(const char *instance, const struct buf *text, bool first)
{
	const char *p = buf_cstr(text);
	out_line("%s==> %s <==\n", first ? "" : "\n", instance);
	while (*p) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p);
		out_line("%.*s\n", len, p);
		p += len + (e ? 1 : 0);
	}
}

static char *default_dir(void)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm);
	return xasprintf(".elasticbeanstalk/logs/%s", stamp);
}

/*
 * The instance id as one path component: an EC2 id (i-0123abcd) as it is;
 * anything else, coming from the server, with every byte but letters,
 * digits, '-' and '_' as %XX, so it can neither climb out of the directory
 * ("../x") nor collide with another id. Caller frees.
 */
static char *instance_component(const char *id)
{
	struct buf b = BUF_INIT;
	const char *p;
	if (str_starts_with(id, "i-") && id[2] &&
	    strspn(id + 2, "0123456789abcdef") == strlen(id + 2))
		return xstrdup(id);
	buf_puts(&b, "");
	for (p = id; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')
			buf_add(&b, p, 1);
		else
			buf_printf(&b, "%%%02X", ch);
	}
	if (b.len == 0)
		buf_puts(&b, "%");
	return buf_detach(&b, NULL);
}

/* One limit from the environment, in MiB or a plain number; dflt otherwise. */
static uint64_t env_limit(const char *name, uint64_t dflt, uint64_t unit)
{
	const char *v = getenv(name);
	unsigned long n;
	if (!v || !*v)
		return dflt;
	if (parse_ulong(v, 1, (unsigned long)(UINT64_MAX / unit), &n)) {
		warnf("%s takes a whole number greater than 0, not '%s': ignored", name, v);
		return dflt;
	}
	return (uint64_t)n * unit;
}

/* Save (and unless --zip, unpack) one instance's bundle under dir. A bundle
 * that cannot be saved (too large, a disk error) exits 1, not as an AWS error. */
static int save_bundle(struct op_target *t, const struct eb_env_info *e, const char *dir,
                       bool keep_zip)
{
	char *name = instance_component(e->instance_id), *zip = NULL, *sub = NULL;
	uint64_t max_download =
	    env_limit("EBCTL_LOGS_MAX_DOWNLOAD_MB", LOGS_MAX_DOWNLOAD, 1u << 20);
	struct op_unzip_limits lim;
	struct aws_error err;
	int rc = 0;

	if (strcmp(name, e->instance_id) != 0)
		warnf("the instance id the server gave is not an EC2 instance id: saved as '%s'",
		      name);
	zip = xasprintf("%s/%s.zip", dir, name);
	aws_error_clear(&err);
	if (aws_fetch_url_to_file_max(t->client, e->url, zip, max_download, &err)) {
		rc = cli_aws_fail(&err); /* a disk error is EBCTL_ERR_INVALID already */
		if (!strcmp(err.code, "ResponseTooLarge")) {
			fprintf(stderr,
			        "Set EBCTL_LOGS_MAX_DOWNLOAD_MB to allow more "
			        "(default %llu).\n",
			        (unsigned long long)(LOGS_MAX_DOWNLOAD >> 20));
			rc = EBCTL_ERR_INVALID;
		}
		goto out;
	}
	if (keep_zip) {
		out_line("%s\n", zip);
		goto out;
	}
	op_unzip_limits_default(&lim);
	lim.max_total = env_limit("EBCTL_LOGS_MAX_UNPACKED_MB", lim.max_total, 1u << 20);
	lim.max_ratio = (unsigned long)env_limit("EBCTL_LOGS_MAX_RATIO", lim.max_ratio, 1);
	sub = xasprintf("%s/%s", dir, name);
	rc = op_unzip_limited(zip, sub, &lim, cli_sink());
	if (rc) {
		unlink(zip);
		goto out;
	}
	unlink(zip);
	out_line("%s/\n", sub);
out:
	free(name);
	free(zip);
	free(sub);
	return rc;
}

static int logs_instances(struct logs_opts *o)
{
	const char *type = o->all ? "bundle" : "tail";
	struct eb_env_infos infos = {NULL, 0};
	const struct eb_env_info **pick = NULL;
	struct aws_error err;
	char *request_id = NULL, *dir = NULL;
	size_t n = 0, i;
	int rc, waited;

	aws_error_clear(&err);
	if (request_info(o->t.client, o->t.env, type, &request_id, &err))
		return cli_aws_fail(&err);
	notef("requested the %s logs of environment '%s'; waiting for the instances",
	      o->all ? "full" : "tail", o->t.env);
	waited = wait_pulled(&o->t, request_id, o->timeout);
	if (waited && waited != EBCTL_ERR_TIMEOUT) {
		rc = waited;
		goto out;
	}
	if (eb_retrieve_environment_info(o->t.client, o->t.env, type, &infos, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	pick = xcalloc(infos.n + 1, sizeof(*pick));
	n = newest_per_instance(&infos, o->instance, pick);
	if (n == 0) {
		if (waited == EBCTL_ERR_TIMEOUT)
			errorf("timed out after %lus waiting for the logs of environment '%s'; "
			       "they may still come: "
			       "run the command again",
			       o->timeout, o->t.env);
		else if (o->instance)
			errorf("no logs from instance '%s' in environment '%s'", o->instance,
			       o->t.env);
		else
			errorf("environment '%s' returned no instance logs", o->t.env);
		rc = waited == EBCTL_ERR_TIMEOUT ? EBCTL_ERR_TIMEOUT : EBCTL_ERR_INVALID;
		goto out;
	}
	if (waited == EBCTL_ERR_TIMEOUT)
		warnf("timed out waiting for the instances: the logs shown may be older ones");
	qsort(pick, n, sizeof(*pick), cmp_info);
	rc = 0;
	if (o->all) {
		dir = o->dir ? xstrdup(o->dir) : default_dir();
		if (op_mkdirs(dir)) {
			errorf("cannot create '%s': %s", dir, strerror(errno));
			rc = EBCTL_ERR_INVALID;
			goto out;
		}
		for (i = 0; i < n && rc == 0; i++)
			rc = save_bundle(&o->t, pick[i], dir, o->zip);
		if (rc == 0)
			notef("saved the logs of %zu instance%s in '%s'", n, n == 1 ? "" : "s",
			      dir);
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		struct buf text = BUF_INIT;
		if (aws_fetch_url(o->t.client, pick[i]->url, &text, TAIL_MAX, &err)) {
			rc = cli_aws_fail(&err);
		} else {
			print_section(pick[i]->instance_id, &text, i == 0);
		}
		buf_cleanup(&text);
	}
out:
	free(pick);
	free(dir);
	free(request_id);
	eb_env_infos_cleanup(&infos);
	return rc;
}

/* ---- -f: CloudWatch Logs ---- */

struct followed_group {
	char *name;
	struct event_dedupe seen;
};

struct follower {
	struct followed_group *v;
	size_t n;
	char *prefix;
	int64_t start_ms;
};

static bool following(const struct follower *fl, const char *name)
{
	size_t i;
	for (i = 0; i < fl->n; i++)
		if (strcmp(fl->v[i].name, name) == 0)
			return true;
	return false;
}

/* Pick up the environment's log groups (every page); new ones start now. */
static int scan_groups(struct aws_client *c, struct follower *fl, struct aws_error *err)
{
	char *token = NULL, *next;
	int pages = 0;
	do {
		struct cwl_log_groups g = {NULL, 0, NULL};
		size_t i;
		if (cwl_describe_log_groups(c, fl->prefix, token, &g, err)) {
			free(token);
			return -1;
		}
		for (i = 0; i < g.n; i++) {
			if (!g.v[i].name || following(fl, g.v[i].name))
				continue;
			fl->v = xrealloc(fl->v, (fl->n + 1) * sizeof(*fl->v));
			fl->v[fl->n].name = xstrdup(g.v[i].name);
			event_dedupe_init(&fl->v[fl->n].seen, fl->start_ms, FOLLOW_WINDOW_MS);
			debugf("following log group '%s'", g.v[i].name);
			fl->n++;
		}
		next = page_follow(token, g.next_token, &pages, PAGES_MAX) ? xstrdup(g.next_token)
		                                                           : NULL;
		free(token);
		token = next;
		cwl_log_groups_cleanup(&g);
	} while (token);
	return 0;
}

/* One poll of one group: every page since the group's window, new lines printed in order. */
static int poll_group(struct aws_client *c, struct followed_group *g, const char *prefix,
                      const char *instance, struct aws_error *err)
{
	struct cwl_events all = {NULL, 0, NULL, NULL};
	struct op_event *batch = NULL;
	char **keys = NULL;
	size_t *order = NULL, k, i;
	char *token = NULL, *next;
	const char *label = g->name + strlen(prefix);
	int64_t since = event_dedupe_since(&g->seen);
	int rc = 0, pages = 0;

	do {
		struct cwl_filter f;
		struct cwl_events page = {NULL, 0, NULL, NULL};
		memset(&f, 0, sizeof(f));
		f.group = g->name;
		f.stream_prefix = instance;
		f.start_ms = since > 0 ? since : 0;
		f.next_token = token;
		if (cwl_filter_log_events(c, &f, &page, err)) {
			rc = -1;
			break;
		}
		/* Keep the page's events (their strings move to all); the prefix is checked
		 * here too, for services that ignore logStreamNamePrefix. */
		all.v = xrealloc(all.v, (all.n + page.n + 1) * sizeof(*all.v));
		for (i = 0; i < page.n; i++) {
			struct cwl_event *e = &page.v[i];
			if (instance && (!e->stream || !str_starts_with(e->stream, instance))) {
				free(e->message);
				free(e->stream);
				free(e->event_id);
				continue;
			}
			all.v[all.n++] = *e;
		}
		free(page.v);
		page.v = NULL;
		page.n = 0;
		next = page_follow(token, page.next_token, &pages, PAGES_MAX)
		           ? xstrdup(page.next_token)
		           : NULL;
		free(token);
		token = next;
		cwl_events_cleanup(&page);
	} while (token);
	free(token);
	if (rc || all.n == 0)
		goto out;

	/* The dedupe reads its batch newest first: hand it the events reversed. */
	batch = xcalloc(all.n, sizeof(*batch));
	keys = xcalloc(all.n, sizeof(*keys));
	order = xcalloc(all.n, sizeof(*order));
	for (i = 0; i < all.n; i++) {
		const struct cwl_event *e = &all.v[all.n - 1 - i];
		/* Event ids are unique in a group on AWS; the stream makes them so elsewhere too.
		 */
		keys[i] = xasprintf("%s\n%s", e->stream ? e->stream : "",
		                    e->event_id  ? e->event_id
		                    : e->message ? e->message
		                                 : "");
		batch[i].ms = e->timestamp_ms;
		batch[i].message = keys[i];
	}
	k = event_dedupe_feed(&g->seen, batch, all.n, order);
	for (i = 0; i < k; i++) {
		const struct cwl_event *e = &all.v[all.n - 1 - order[i]];
		const char *m = e->message ? e->message : "";
		size_t len = strlen(m);
		char *stream = text_escape(e->stream ? e->stream : "-");
		while (len > 0 && (m[len - 1] == '\n' || m[len - 1] == '\r'))
			len--;
		/* every line of a message (a stack trace) gets the prefix, so no
		 * line starts with the application's text ("::add-mask::") */
		do {
			const char *nl = memchr(m, '\n', len);
			size_t n = nl ? (size_t)(nl - m) : len;
			struct buf safe = BUF_INIT;
			buf_put_escaped(&safe, m, n && m[n - 1] == '\r' ? n - 1 : n);
			out_line("[%s %s] %s\n", stream, label, buf_cstr(&safe));
			buf_cleanup(&safe);
			m += nl ? n + 1 : n;
			len -= nl ? n + 1 : n;
		} while (len > 0);
		free(stream);
	}
out:
	for (i = 0; keys && i < all.n; i++)
		free(keys[i]);
	free(keys);
	free(batch);
	free(order);
	cwl_events_cleanup(&all);
	return rc;
}

/* Wall clock in milliseconds: lines written a moment before the start stay out. */
static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int logs_follow(struct logs_opts *o)
{
	struct follower fl = {NULL, 0, NULL, 0};
	struct aws_error err;
	unsigned polls = 0;
	size_t i;
	int rc = 0;

	fl.prefix = xasprintf("/aws/elasticbeanstalk/%s/", o->t.env);
	fl.start_ms = wall_ms();
	/* as aws logs tail: ten minutes back unless told */
	if (since_parse(o->since ? o->since : "10m", fl.start_ms, &fl.start_ms)) {
		rc = usage_error("logs",
		                 "--since takes a duration (10m) or an ISO 8601 time, not '%s'",
		                 o->since);
		goto out;
	}
	aws_error_clear(&err);
	if (scan_groups(o->t.client, &fl, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	if (fl.n == 0) {
		errorf(
		    "log streaming is not enabled for environment '%s': no log groups under '%s'",
		    o->t.env, fl.prefix);
		fprintf(stderr,
		        "Turn it on with the option aws:elasticbeanstalk:cloudwatch:logs "
		        "StreamLogs=true,\n"
		        "or use 'ebctl logs' (tail) or 'ebctl logs --all' (bundles) instead.\n");
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	notef("following %zu log group%s under '%s'; Ctrl-C stops", fl.n, fl.n == 1 ? "" : "s",
	      fl.prefix);
	for (;;) {
		for (i = 0; i < fl.n; i++) {
			if (poll_group(o->t.client, &fl.v[i], fl.prefix, o->instance, &err)) {
				rc = cli_aws_fail(&err);
				goto out;
			}
		}
		if ((rc = follow_pause(poll_interval_ms(FOLLOW_POLL_MS))) >= 0)
			goto out;
		if (++polls % FOLLOW_GROUPS_EVERY == 0 && scan_groups(o->t.client, &fl, &err)) {
			rc = cli_aws_fail(&err);
			goto out;
		}
	}
out:
	for (i = 0; i < fl.n; i++) {
		free(fl.v[i].name);
		event_dedupe_cleanup(&fl.v[i].seen);
	}
	free(fl.v);
	free(fl.prefix);
	return rc;
}

int cmd_logs(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "logs", "[--all|--zip] [-o DIR] [--instance ID] [-f [--since WHEN]]",
	    "Without options, asks every instance for the last lines of its logs\n"
	    "(RequestEnvironmentInfo tail), waits for Elastic Beanstalk to collect them\n"
	    "(at most --timeout, default 2m) and prints each instance's under a header\n"
	    "'==> i-0123456789abcdef0 <=='.\n"
	    "--all downloads each instance's full log bundle into DIR (default\n"
	    ".elasticbeanstalk/logs/YYYYMMDD_HHMMSS, UTC) and unpacks it in DIR/INSTANCE/;\n"
	    "--zip keeps DIR/INSTANCE.zip as downloaded. The paths are printed.\n"
	    "-f follows the environment's CloudWatch Logs (log groups under\n"
	    "/aws/elasticbeanstalk/ENV/, which exist when instance log streaming is on),\n"
	    "printing '[STREAM GROUP] line' as lines arrive, new streams and groups\n"
	    "included, until interrupted (exit 130). It polls every 2 s, or every\n"
	    "EBCTL_POLL_MS milliseconds."};
	struct logs_opts o;
	int rc, n;
	memset(&o, 0, sizeof(o));
	o.timeout = 120;
	{
		const struct opt opts[] = {
		    OP_TARGET_OPTS(o.t),
		    OPTION_BOOL("all", 0, &o.all, "download full log bundles instead of the tails",
		                NULL),
		    OPTION_BOOL("zip", 0, &o.zip,
		                "with --all: keep the bundles zipped (implies --all)", NULL),
		    OPTION_STRING("output", 'o', &o.dir, "DIR", "where --all saves the bundles",
		                  NULL),
		    OPTION_STRING("instance", 'i', &o.instance, "ID",
		                  "only this instance (or, with -f, log stream prefix)", NULL),
		    OPTION_BOOL("follow", 'f', &o.follow,
		                "follow the CloudWatch Logs streams until interrupted", NULL),
		    OPTION_STRING("since", 0, &o.since, "WHEN",
		                  "with -f: start this long ago (default 10m; 0s: now) or at an "
		                  "ISO 8601 time",
		                  NULL),
		    OPTION_DURATION("timeout", 't', &o.timeout, "DURATION",
		                    "how long to wait for the instances' logs (default 2m)", NULL),
		    OPTION_END,
		};
		OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	}
	if (n > 0)
		return usage_error("logs", "unexpected argument '%s'", argv[1]);
	if (o.zip)
		o.all = true;
	if (o.follow && o.all)
		return usage_error(
		    "logs", "-f follows CloudWatch Logs; it does not go with --all or --zip");
	if (o.dir && !o.all)
		return usage_error("logs",
		                   "-o DIR is where --all saves bundles; add --all or --zip");
	if (o.since && !o.follow)
		return usage_error("logs", "--since goes with -f");
	interrupt_install();
	if (!(rc = cli_target_open(&o.t, "logs", 0)))
		rc = o.follow ? logs_follow(&o) : logs_instances(&o);
	op_target_close(&o.t);
	return rc;
}
