/* The deploy pipeline: validate and bundle, upload, create the version,
 * update every environment in parallel, and report one verdict each. */
#include "internal.h"

#include "ebctl/bundle.h"
#include "ebctl/eb.h"
#include "ebctl/s3.h"
#include "ebctl/util.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_GRACE_S 300

volatile sig_atomic_t deploy_interrupted;
static pthread_mutex_t out_mutex = PTHREAD_MUTEX_INITIALIZER;

void deploy_lock(void)
{
	pthread_mutex_lock(&out_mutex);
}

void deploy_unlock(void)
{
	pthread_mutex_unlock(&out_mutex);
}

void deploy_sleep_ms(int64_t ms)
{
	while (ms > 0 && !deploy_interrupted) {
		int64_t step = ms < 100 ? ms : 100;
		struct timespec ts = {0, (long)step * 1000000L};
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

bool deploy_throttled(const struct aws_error *e)
{
	return e->http_status == 429 || aws_throttling_code(e->code);
}

static void on_sigint(int sig)
{
	(void)sig;
	if (deploy_interrupted)
		_exit(EB_EXIT_INTERRUPTED); /* a second ^C: leave at once */
	deploy_interrupted = 1;
}

/* What the run did, for the summary and --format json. */
struct outcome {
	char hex[65];
	uint64_t size;
	char *label;
	char *description;
	char *bucket;
	char *key;
	bool uploaded;
	bool version_created;
	bool version_reused;
	struct env_run *envs;
	size_t nenvs;
};

/* Validate and bundle (or check the prebuilt zip). *tmpdir is the
 * directory to remove afterwards, when one was made. */
static int make_bundle(const struct deploy_settings *s, char **path, char **tmpdir,
                       struct outcome *o)
{
	char human[32];
	*tmpdir = NULL;
	if (s->bundle) {
		int rc = bundle_check_zip(s->bundle);
		if (rc)
			return rc;
		if (bundle_sha256(s->bundle, o->hex, &o->size)) {
			errorf("cannot read '%s': %s", s->bundle, strerror(errno));
			return EB_EXIT_INVALID;
		}
		*path = xstrdup(s->bundle);
	} else {
		const char *t = getenv("TMPDIR");
		char *dir = xasprintf("%s/ebctl-bundle.XXXXXX", t && *t ? t : "/tmp");
		int rc;
		if (!mkdtemp(dir)) {
			errorf("cannot create a directory in '%s': %s", t && *t ? t : "/tmp",
			       strerror(errno));
			free(dir);
			return EB_EXIT_INVALID;
		}
		*tmpdir = dir;
		*path = xasprintf("%s/bundle.zip", dir);
		rc = bundle_build(s->dir, s->all, *path, o->hex, &o->size);
		if (rc)
			return rc;
	}
	deploy_format_size(o->size, human, sizeof(human));
	notef("bundle %s: %s, sha256 %s", s->bundle ? s->bundle : s->dir, human, o->hex);
	return 0;
}

/* The hash part of a content-addressed key ("path/app/HEX.zip"), or "". */
static const char *key_hash(const char *key)
{
	const char *b = key ? strrchr(key, '/') : NULL;
	b = b ? b + 1 : key ? key : "";
	return b;
}

/* An existing version with our label: reuse it when it holds this bundle,
 * refuse when it holds another. Sets *exists. */
static int check_existing_label(struct aws_client *c, const struct deploy_settings *s,
                                struct outcome *o, bool *exists)
{
	struct eb_app_versions vs;
	struct aws_error err;
	const char *labels[1] = {o->label};
	char ours[80];
	int rc = 0;
	*exists = false;
	memset(&vs, 0, sizeof(vs));
	aws_error_clear(&err);
	if (eb_describe_application_versions(c, s->app, labels, 1, &vs, &err)) {
		aws_error_print(&err);
		return aws_error_exit_code(&err);
	}
	snprintf(ours, sizeof(ours), "%s.zip", o->hex);
	if (vs.n > 0) {
		const struct eb_app_version *v = &vs.v[0];
		*exists = true;
		if (strcmp(key_hash(v->key), ours) == 0) {
			notef("version '%s' already exists with this bundle: no upload, no new "
			      "version",
			      o->label);
			o->version_reused = true;
			free(o->bucket);
			free(o->key);
			o->bucket = xstrdup(v->bucket ? v->bucket : "");
			o->key = xstrdup(v->key ? v->key : "");
		} else {
			errorf("version '%s' of '%s' already exists with another bundle "
			       "(s3://%s/%s); this bundle is "
			       "sha256 %s: give another --label, or commit your changes to get a "
			       "new one [label]",
			       o->label, s->app, v->bucket ? v->bucket : "?", v->key ? v->key : "?",
			       o->hex);
			rc = EB_EXIT_INVALID;
		}
	}
	eb_app_versions_free(&vs);
	return rc;
}

/* --process: EB checks the bundle; wait until it is Processed. */
static int wait_processed(struct aws_client *c, const struct deploy_settings *s,
                          const struct outcome *o, int64_t deadline_ms)
{
	const char *labels[1] = {o->label};
	for (;;) {
		struct eb_app_versions vs;
		struct aws_error err;
		memset(&vs, 0, sizeof(vs));
		aws_error_clear(&err);
		if (eb_describe_application_versions(c, s->app, labels, 1, &vs, &err)) {
			aws_error_print(&err);
			return aws_error_exit_code(&err);
		}
		if (vs.n && vs.v[0].status && !strcasecmp(vs.v[0].status, "Failed")) {
			errorf("Elastic Beanstalk could not process version '%s': check its events "
			       "(ebctl events)",
			       o->label);
			eb_app_versions_free(&vs);
			return EB_EXIT_INVALID;
		}
		if (vs.n && vs.v[0].status && !strcasecmp(vs.v[0].status, "Processed")) {
			eb_app_versions_free(&vs);
			return 0;
		}
		eb_app_versions_free(&vs);
		if (deploy_interrupted)
			return EB_EXIT_INTERRUPTED;
		if (time_mono_ms() >= deadline_ms) {
			errorf("timed out waiting for version '%s' to be processed; it may still "
			       "be processing",
			       o->label);
			return EB_EXIT_TIMEOUT;
		}
		deploy_sleep_ms(1000);
	}
}

/* Upload and create the version (unless an identical one exists). */
static int make_version(struct aws_client *c, const struct deploy_settings *s, const char *path,
                        struct outcome *o, int64_t deadline_ms)
{
	struct eb_create_version cv;
	struct aws_error err;
	bool exists = false;
	int rc;

	rc = deploy_bucket(c, s, &o->bucket);
	if (rc)
		return rc;
	o->key = deploy_s3_key(s->bucket_path, s->app, o->hex);
	rc = check_existing_label(c, s, o, &exists);
	if (rc || exists)
		return rc;
	rc = deploy_upload(c, o->bucket, o->key, path, o->hex, o->size, &o->uploaded);
	if (rc)
		return rc;
	memset(&cv, 0, sizeof(cv));
	cv.app = s->app;
	cv.label = o->label;
	cv.description = o->description;
	cv.bucket = o->bucket;
	cv.key = o->key;
	cv.process = s->process;
	aws_error_clear(&err);
	if (eb_create_application_version(c, &cv, NULL, &err)) {
		aws_error_print(&err);
		return aws_error_exit_code(&err);
	}
	o->version_created = true;
	notef("created version '%s' of '%s'", o->label, s->app);
	if (s->process)
		return wait_processed(c, s, o, deadline_ms);
	return 0;
}

/* Every environment exists; note which are Ready and which run our label.
 * Without --wait-ready, one that is not Ready stops the deploy before any
 * update. */
static int preflight(struct aws_client *c, const struct deploy_settings *s, struct outcome *o)
{
	struct eb_environments envs;
	struct aws_error err;
	size_t i, j;
	int rc = 0;
	memset(&envs, 0, sizeof(envs));
	aws_error_clear(&err);
	if (eb_describe_environments(c, s->app, (const char *const *)s->envs.v, s->envs.n, false,
	                             &envs, &err)) {
		aws_error_print(&err);
		return aws_error_exit_code(&err);
	}
	for (i = 0; i < o->nenvs; i++) {
		struct env_run *r = &o->envs[i];
		const struct eb_environment *e = NULL;
		for (j = 0; j < envs.n; j++)
			if (envs.v[j].name && !strcmp(envs.v[j].name, r->name))
				e = &envs.v[j];
		if (!e) {
			errorf("environment '%s' not found in application '%s' (region %s)",
			       r->name, s->app, aws_client_region(c));
			rc = EB_EXIT_INVALID;
			continue;
		}
		r->ready = e->status && !strcmp(e->status, "Ready");
		r->label_was_running = e->version_label && !strcmp(e->version_label, o->label);
		if (!r->ready && !s->wait_ready) {
			errorf("environment '%s' is %s, not Ready: try again when it is, or give "
			       "--wait-ready",
			       r->name, e->status ? e->status : "in an unknown state");
			if (!rc)
				rc = EB_EXIT_AWS;
		}
	}
	eb_environments_free(&envs);
	return rc;
}

/* The exit code of several environments: the most serious outcome. */
static int combine(int a, int b)
{
	static const int order[] = {EB_EXIT_INTERRUPTED, EB_EXIT_DEPLOY_FAILED, EB_EXIT_AWS,
	                            EB_EXIT_INVALID,     EB_EXIT_TIMEOUT,       EB_EXIT_UNHEALTHY};
	size_t i;
	for (i = 0; i < EB_ARRAY_LEN(order); i++)
		if (a == order[i] || b == order[i])
			return order[i];
	return a ? a : b;
}

static const char *result_name(const struct env_run *r)
{
	if (r->rc == EB_EXIT_INTERRUPTED)
		return "interrupted";
	if (r->rc == EB_EXIT_AWS || r->rc == EB_EXIT_INVALID)
		return "error";
	if (r->s->no_wait && r->rc == 0)
		return "started";
	return verdict_state_name(r->state);
}

static void print_summary(const struct outcome *o)
{
	size_t i;
	bool color = term_use_color(stdout);
	for (i = 0; i < o->nenvs; i++) {
		const struct env_run *r = &o->envs[i];
		const char *c = !color                       ? ""
		                : r->rc == 0                 ? COLOR_GREEN
		                : r->rc == EB_EXIT_UNHEALTHY ? COLOR_YELLOW
		                                             : COLOR_RED;
		out_line("%s%s%s: %s: %s (%llds)\n", c, r->name, *c ? COLOR_RESET : "",
		         result_name(r), r->reason,
		         (long long)((r->ended_ms - r->started_ms + 500) / 1000));
	}
}

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static void print_json(const struct outcome *o, const char *app, int rc)
{
	json_t *root = json_object(), *envs = json_array();
	char *text;
	size_t i;
	json_object_set_new(root, "application", jstr(app));
	json_object_set_new(root, "label", jstr(o->label));
	json_object_set_new(root, "sha256", jstr(o->hex[0] ? o->hex : NULL));
	json_object_set_new(root, "bucket", jstr(o->bucket));
	json_object_set_new(root, "key", jstr(o->key));
	json_object_set_new(root, "uploaded", json_boolean(o->uploaded));
	json_object_set_new(root, "version_created", json_boolean(o->version_created));
	json_object_set_new(root, "exit_code", json_integer(rc));
	for (i = 0; i < o->nenvs; i++) {
		const struct env_run *r = &o->envs[i];
		json_t *e = json_object();
		json_object_set_new(e, "environment", jstr(r->name));
		json_object_set_new(e, "result", json_string(result_name(r)));
		json_object_set_new(e, "label", jstr(r->running_label));
		json_object_set_new(e, "status", jstr(r->status));
		json_object_set_new(e, "health", jstr(r->health));
		json_object_set_new(e, "url", jstr(r->url));
		json_object_set_new(
		    e, "seconds", json_real((double)((r->ended_ms - r->started_ms) / 100) / 10.0));
		json_object_set_new(e, "request_id", jstr(r->request_id));
		json_object_set_new(e, "reason", jstr(r->reason));
		json_object_set_new(e, "exit_code", json_integer(r->rc));
		json_array_append_new(envs, e);
	}
	json_object_set_new(root, "environments", envs);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	out_line("%s\n", text);
	free(text);
	json_decref(root);
}

/* Text for a workflow command (% and line breaks escaped as the runner
 * expects) or a Markdown table cell (| escaped, line breaks as spaces). */
static void put_escaped(FILE *f, const char *s, bool markdown)
{
	for (; s && *s; s++) {
		if (!markdown && *s == '%')
			fputs("%25", f);
		else if (!markdown && *s == '\r')
			fputs("%0D", f);
		else if (!markdown && *s == '\n')
			fputs("%0A", f);
		else if (markdown && *s == '|')
			fputs("\\|", f);
		else if (markdown && (*s == '\n' || *s == '\r'))
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

/* GitHub Actions: an ::error annotation per failed environment, and a
 * Markdown table in the job summary. */
static void github_report(const struct outcome *o, const char *app, bool json)
{
	const char *gha = getenv("GITHUB_ACTIONS"), *summary = getenv("GITHUB_STEP_SUMMARY");
	FILE *f;
	size_t i;
	if (!gha || strcmp(gha, "true") != 0)
		return;
	for (i = 0; i < o->nenvs; i++) {
		const struct env_run *r = &o->envs[i];
		if (r->rc == 0)
			continue;
		fprintf(json ? stderr : stdout, "::error title=ebctl deploy %s::%s: ", r->name,
		        result_name(r));
		put_escaped(json ? stderr : stdout, r->reason, false);
		fputc('\n', json ? stderr : stdout);
	}
	fflush(json ? stderr : stdout);
	if (!summary || !*summary)
		return;
	f = fopen(summary, "a");
	if (!f) {
		warnf("cannot write '%s': %s", summary, strerror(errno));
		return;
	}
	fprintf(f, "### ebctl deploy: `%s` version `%s`\n\n", app, o->label ? o->label : "");
	fprintf(f, "| environment | result | status | health | running | seconds | detail "
	           "|\n|---|---|---|---|---|---|---|\n");
	for (i = 0; i < o->nenvs; i++) {
		const struct env_run *r = &o->envs[i];
		fprintf(f, "| %s | %s %s | %s | %s | %s | %lld | ", r->name, r->rc == 0 ? "✅" : "❌",
		        result_name(r), r->status ? r->status : "", r->health ? r->health : "",
		        r->running_label ? r->running_label : "",
		        (long long)((r->ended_ms - r->started_ms + 500) / 1000));
		put_escaped(f, r->reason, true);
		fputs(" |\n", f);
	}
	if (!o->nenvs)
		fprintf(f, "version created; no environment updated (--version-only)\n");
	fputc('\n', f);
	fclose(f);
}

static unsigned long grace_seconds(void)
{
	const char *g = getenv("EBCTL_HEALTH_GRACE");
	unsigned long v;
	if (g && *g && parse_duration(g, &v) == 0)
		return v;
	if (g && *g)
		warnf("EBCTL_HEALTH_GRACE takes a duration such as 90s or 5m, not '%s': using 5m",
		      g);
	return DEFAULT_GRACE_S;
}

int deploy_run(struct deploy_settings *s)
{
	struct outcome o;
	struct aws_client_options copts;
	struct aws_client *c = NULL;
	struct aws_error err;
	struct sigaction sa, old_sa;
	pthread_t *threads = NULL;
	char *path = NULL, *tmpdir = NULL;
	unsigned healthy = 0;
	int64_t deadline_ms, grace_ms;
	bool json = s->format && !strcmp(s->format, "json");
	int rc;
	size_t i;

	memset(&o, 0, sizeof(o));
	if (verdict_parse_healthy(s->healthy ? s->healthy : "Green", &healthy))
		return usage_error(
		    "deploy", "--healthy takes colours from Green, Yellow, Red, Grey, not '%s'",
		    s->healthy);

	for (i = 0; i < s->envs.n; i++)
		if ((rc = deploy_check_env_name(s->envs.v[i])))
			return rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);

	/* 1. Validate and bundle: nothing leaves the machine before this passes. */
	rc = make_bundle(s, &path, &tmpdir, &o);
	if (rc || deploy_interrupted)
		goto out;
	o.label = s->label ? xstrdup(s->label) : deploy_default_label(s->dir, o.hex);
	rc = deploy_check_label(o.label);
	if (rc)
		goto out;
	o.description = deploy_description(s->dir, s->description);

	memset(&copts, 0, sizeof(copts));
	copts.region = s->region;
	copts.profile = s->profile;
	copts.role_arn = s->role_arn;
	copts.interrupted = &deploy_interrupted;
	aws_error_clear(&err);
	if (aws_client_new(&copts, &c, &err) || aws_client_credentials(c, NULL, &err)) {
		aws_error_print(&err);
		rc = aws_error_exit_code(&err);
		goto out;
	}
	deadline_ms = time_mono_ms() + (int64_t)s->timeout * 1000;

	o.nenvs = s->version_only ? 0 : s->envs.n;
	o.envs = xcalloc(o.nenvs ? o.nenvs : 1, sizeof(*o.envs));
	grace_ms = (int64_t)grace_seconds() * 1000;
	for (i = 0; i < o.nenvs; i++) {
		struct env_run *r = &o.envs[i];
		r->s = s;
		r->copts = &copts;
		r->name = s->envs.v[i];
		r->label = o.label;
		r->healthy = healthy;
		r->grace_ms = grace_ms;
		r->prefix = o.nenvs > 1;
	}
	/* 2. Check the environments before anything is stored or changed. */
	if (o.nenvs && !deploy_interrupted) {
		rc = preflight(c, s, &o);
		if (rc)
			goto out;
	}
	/* 3. Upload and create the version; never update to one that did not land. */
	if (!deploy_interrupted)
		rc = make_version(c, s, path, &o, deadline_ms);
	if (rc)
		goto out;
	if (deploy_interrupted) {
		rc = EB_EXIT_INTERRUPTED;
		goto out;
	}
	if (s->version_only) {
		if (json)
			print_json(&o, s->app, 0);
		else
			out_line("%s\t%s\ts3://%s/%s\n", o.label,
			         o.version_created ? "created" : "exists", o.bucket, o.key);
		goto out;
	}
	/* 4. Update every environment at once and follow each to its verdict. */
	deadline_ms = time_mono_ms() + (int64_t)s->timeout * 1000;
	threads = xcalloc(o.nenvs, sizeof(*threads));
	for (i = 0; i < o.nenvs; i++) {
		o.envs[i].deadline_ms = deadline_ms;
		if (pthread_create(&threads[i], NULL, deploy_env_thread, &o.envs[i]))
			die("cannot start a thread: %s", strerror(errno));
	}
	for (i = 0; i < o.nenvs; i++)
		pthread_join(threads[i], NULL);
	rc = 0;
	for (i = 0; i < o.nenvs; i++)
		rc = combine(rc, o.envs[i].rc);
	if (json)
		print_json(&o, s->app, rc);
	else
		print_summary(&o);
	github_report(&o, s->app, json);
	if (rc == EB_EXIT_INTERRUPTED) {
		for (i = 0; i < o.nenvs; i++)
			if (o.envs[i].update_sent && o.envs[i].rc == EB_EXIT_INTERRUPTED)
				errorf("interrupted: '%s' is still updating to '%s'; follow it "
				       "with 'ebctl events -f --env %s'",
				       o.envs[i].name, o.label, o.envs[i].name);
	}
out:
	if (deploy_interrupted && !threads) {
		/* Stopped before any environment was touched. */
		errorf("interrupted: %s",
		       o.version_created ? "the version was created; no environment was updated"
		                         : "nothing was deployed");
		rc = EB_EXIT_INTERRUPTED;
	}
	if (o.envs)
		for (i = 0; i < o.nenvs; i++)
			env_run_cleanup(&o.envs[i]);
	free(o.envs);
	free(threads);
	aws_client_free(c);
	if (tmpdir) {
		if (path)
			unlink(path);
		rmdir(tmpdir);
	}
	free(tmpdir);
	free(path);
	free(o.label);
	free(o.description);
	free(o.bucket);
	free(o.key);
	sigaction(SIGINT, &old_sa, NULL);
	return rc;
}
