/* The deploy pipeline: validate and bundle, upload, create the version,
 * update every environment in parallel, and report one verdict each. */
#include "internal.h"

#include "ebctl/bundle.h"
#include "ebctl/env.h"
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

/* Validate and bundle (or check the prebuilt zip). *tmpdir is the
 * directory to remove afterwards, when one was made; *files what went into
 * the bundle (bundle_files_cleanup). */
static int make_bundle(const struct deploy_settings *s, char **path, char **tmpdir,
                       struct bundle_files *files, struct deploy_outcome *o)
{
	char human[32];
	*tmpdir = NULL;
	memset(files, 0, sizeof(*files));
	if (s->bundle) {
		int rc = bundle_check_zip(s->bundle, &o->diags, s->sink);
		o->validated = true;
		if (rc)
			return rc;
		file_digest_cleanup(&o->bundle);
		if (file_digest_path(s->bundle, DEPLOY_PART_SIZE, &o->bundle)) {
			sink_error(s->sink, "cannot read '%s': %s", s->bundle, strerror(errno));
			return EBCTL_ERR_INVALID;
		}
		if ((rc = bundle_zip_list(s->bundle, files, s->sink)))
			return rc;
		*path = xstrdup(s->bundle);
	} else {
		const char *t = getenv("TMPDIR");
		char *dir = xasprintf("%s/ebctl-bundle.XXXXXX", t && *t ? t : "/tmp");
		int rc;
		if (!mkdtemp(dir)) {
			sink_error(s->sink, "cannot create a directory in '%s': %s",
			           t && *t ? t : "/tmp", strerror(errno));
			free(dir);
			return EBCTL_ERR_INVALID;
		}
		*tmpdir = dir;
		*path = xasprintf("%s/bundle.zip", dir);
		file_digest_cleanup(&o->bundle);
		file_digest_init(&o->bundle, DEPLOY_PART_SIZE);
		rc = bundle_build(s->dir, s->all, *path, &o->bundle, &o->diags, files, s->sink);
		o->validated = true;
		if (rc)
			return rc;
	}
	deploy_format_size(o->bundle.size, human, sizeof(human));
	sink_note(s->sink, "bundle %s: %s, sha256 %s", s->bundle ? s->bundle : s->dir, human,
	          o->bundle.sha256_hex);
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
                                struct deploy_outcome *o, bool *exists)
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
		deploy_error_report(&err, s->sink);
		return aws_error_status(&err);
	}
	snprintf(ours, sizeof(ours), "%s.zip", o->bundle.sha256_hex);
	if (vs.n > 0) {
		const struct eb_app_version *v = &vs.v[0];
		*exists = true;
		if (strcmp(key_hash(v->key), ours) == 0) {
			sink_note(s->sink,
			          "version '%s' already exists with this bundle: no upload, no new "
			          "version",
			          o->label);
			o->version_reused = true;
			free(o->bucket);
			free(o->key);
			o->bucket = xstrdup(v->bucket ? v->bucket : "");
			o->key = xstrdup(v->key ? v->key : "");
		} else {
			sink_error(
			    s->sink,
			    "version '%s' of '%s' already exists with another bundle "
			    "(s3://%s/%s); this bundle is "
			    "sha256 %s: give another --label, or commit your changes to get a "
			    "new one [label]",
			    o->label, s->app, v->bucket ? v->bucket : "?", v->key ? v->key : "?",
			    o->bundle.sha256_hex);
			rc = EBCTL_ERR_INVALID;
		}
	}
	eb_app_versions_cleanup(&vs);
	return rc;
}

/* --process: EB checks the bundle; wait until it is Processed. */
static int wait_processed(struct aws_client *c, const struct deploy_settings *s,
                          const struct deploy_outcome *o, int64_t deadline_ms)
{
	const char *labels[1] = {o->label};
	for (;;) {
		struct eb_app_versions vs;
		struct aws_error err;
		memset(&vs, 0, sizeof(vs));
		aws_error_clear(&err);
		if (eb_describe_application_versions(c, s->app, labels, 1, &vs, &err)) {
			deploy_error_report(&err, s->sink);
			return aws_error_status(&err);
		}
		if (vs.n && vs.v[0].status && !strcasecmp(vs.v[0].status, "Failed")) {
			sink_error(
			    s->sink,
			    "Elastic Beanstalk could not process version '%s': check its events "
			    "(ebctl events)",
			    o->label);
			eb_app_versions_cleanup(&vs);
			return EBCTL_ERR_INVALID;
		}
		if (vs.n && vs.v[0].status && !strcasecmp(vs.v[0].status, "Processed")) {
			eb_app_versions_cleanup(&vs);
			return 0;
		}
		eb_app_versions_cleanup(&vs);
		if (interrupt_requested())
			return EBCTL_ERR_INTERRUPTED;
		if (time_mono_ms() >= deadline_ms) {
			sink_error(
			    s->sink,
			    "timed out waiting for version '%s' to be processed; it may still "
			    "be processing",
			    o->label);
			return EBCTL_ERR_TIMEOUT;
		}
		interrupt_sleep_ms(1000, -1);
	}
}

/* The object a version names must still be there: a version whose bundle
 * was deleted (with another version's, by a lifecycle rule, by hand)
 * fails on every instance it is deployed to. Returns 1 when it is gone. */
static int version_object_gone(struct aws_client *c, const struct deploy_settings *s,
                               const char *bucket, const char *key, int *rc)
{
	struct s3_object_info info;
	struct aws_error err;
	bool exists;
	*rc = 0;
	aws_error_clear(&err);
	if (s3_head_object(c, bucket, key, &info, &err)) {
		deploy_error_report(&err, s->sink);
		*rc = aws_error_status(&err);
		return 0;
	}
	exists = info.exists;
	s3_object_info_cleanup(&info);
	return !exists;
}

/* --version LABEL: the version must exist; nothing is uploaded. */
static int find_version(struct aws_client *c, const struct deploy_settings *s,
                        struct deploy_outcome *o)
{
	struct eb_app_versions vs;
	struct aws_error err;
	const char *labels[1] = {o->label};
	int rc = 0;
	memset(&vs, 0, sizeof(vs));
	aws_error_clear(&err);
	if (eb_describe_application_versions(c, s->app, labels, 1, &vs, &err)) {
		deploy_error_report(&err, s->sink);
		return aws_error_status(&err);
	}
	if (!vs.n) {
		sink_error(
		    s->sink,
		    "version '%s' of application '%s' not found: 'ebctl versions --app %s' lists "
		    "them",
		    o->label, s->app, s->app);
		return EBCTL_ERR_INVALID;
	}
	o->version_reused = true;
	o->bucket = vs.v[0].bucket ? xstrdup(vs.v[0].bucket) : NULL;
	o->key = vs.v[0].key ? xstrdup(vs.v[0].key) : NULL;
	eb_app_versions_cleanup(&vs);
	if (o->bucket && o->key && version_object_gone(c, s, o->bucket, o->key, &rc)) {
		sink_error(
		    s->sink,
		    "version '%s' names s3://%s/%s, which no longer exists: Elastic Beanstalk "
		    "could not deploy it; deploy its source again with a new label",
		    o->label, o->bucket, o->key);
		return EBCTL_ERR_INVALID;
	}
	if (rc)
		return rc;
	sink_note(s->sink, "deploying the existing version '%s' (s3://%s/%s): nothing to upload",
	          o->label, o->bucket ? o->bucket : "?", o->key ? o->key : "?");
	return 0;
}

/* Upload the bytes once, to the content-addressed key (skipped when it
 * holds them), then give the version its own object with a server-side
 * copy: nothing is uploaded twice, and no two versions share an object. */
static int store_bundle(struct aws_client *c, const struct deploy_settings *s, const char *path,
                        struct deploy_outcome *o, const char *bucket, const char *key)
{
	struct aws_error err;
	char *shared = deploy_s3_key(s->bucket_path, s->app, o->bundle.sha256_hex);
	int rc = deploy_upload(c, s, bucket, shared, path, &o->bundle, &o->uploaded);
	if (rc == 0 && strcmp(shared, key) != 0) {
		aws_error_clear(&err);
		if (s3_copy_object(c, bucket, shared, key, &err)) {
			deploy_error_report(&err, s->sink);
			rc = aws_error_status(&err);
		}
	}
	free(shared);
	return rc;
}

/* An existing version with this bundle: its object must be there; when it
 * is gone, this bundle (the same bytes: the key names their hash) puts it
 * back. */
static int reuse_version(struct aws_client *c, const struct deploy_settings *s, const char *path,
                         struct deploy_outcome *o)
{
	int rc;
	if (!version_object_gone(c, s, o->bucket, o->key, &rc))
		return rc;
	sink_warn(s->sink,
	          "version '%s' exists but its bundle s3://%s/%s is gone (deleted with another "
	          "version, or by a lifecycle rule): restoring it from this bundle",
	          o->label, o->bucket, o->key);
	return store_bundle(c, s, path, o, o->bucket, o->key);
}

/* Upload and create the version (unless an identical one exists). */
static int make_version(struct aws_client *c, const struct deploy_settings *s, const char *path,
                        struct deploy_outcome *o, int64_t deadline_ms)
{
	struct eb_create_version cv;
	struct aws_error err;
	bool exists = false;
	int rc;

	rc = deploy_bucket(c, s, &o->bucket);
	if (rc)
		return rc;
	o->key = deploy_version_key(s->bucket_path, s->app, o->label, o->bundle.sha256_hex);
	rc = check_existing_label(c, s, o, &exists);
	if (rc)
		return rc;
	if (exists)
		return reuse_version(c, s, path, o);
	rc = store_bundle(c, s, path, o, o->bucket, o->key);
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
		if (strstr(err.message, "already exists")) {
			/* Another job created the label since we looked (one commit
			 * deployed to staging and production at once): the same
			 * bundle is the same version; another is the clash. */
			rc = check_existing_label(c, s, o, &exists);
			if (rc || exists)
				return rc;
		}
		deploy_error_report(&err, s->sink);
		if (strstr(err.code, "TooManyApplicationVersions"))
			sink_error(
			    s->sink,
			    "the account holds as many versions as Elastic Beanstalk allows: "
			    "delete old "
			    "ones with 'ebctl versions prune --app %s --keep 20', or keep the "
			    "count "
			    "bounded with 'deploy --prune-keep N'",
			    s->app);
		return aws_error_status(&err);
	}
	o->version_created = true;
	sink_note(s->sink, "created version '%s' of '%s'", o->label, s->app);
	if (s->process)
		return wait_processed(c, s, o, deadline_ms);
	return 0;
}

/* Every environment exists; note which are Ready, what each runs, and
 * whether it runs our label already. Without --wait-ready, one that is not
 * Ready stops the deploy before any update. */
static int preflight(struct aws_client *c, const struct deploy_settings *s,
                     struct deploy_outcome *o, bool *ready, size_t *ncreate)
{
	struct eb_environments envs;
	struct aws_error err;
	size_t i;
	int rc = 0;
	memset(&envs, 0, sizeof(envs));
	aws_error_clear(&err);
	if (eb_describe_environments(c, s->app, (const char *const *)s->envs.v, s->envs.n, false,
	                             &envs, &err)) {
		deploy_error_report(&err, s->sink);
		return aws_error_status(&err);
	}
	for (i = 0; i < o->w.n; i++) {
		struct watch_env *e = &o->w.envs[i];
		const struct eb_environment *r = eb_environments_find(&envs, e->name);
		if (!r && s->create) {
			/* created below, once every check has passed */
			o->created[i] = ready[i] = true;
			(*ncreate)++;
			continue;
		}
		if (!r) {
			if (!rc)
				rc = op_env_not_found(c, s->app, e->name, s->sink);
			continue;
		}
		if (s->create_only) {
			sink_error(
			    s->sink,
			    "environment '%s' of application '%s' already exists: deploy to it "
			    "with 'ebctl deploy --env %s'",
			    e->name, s->app, e->name);
			if (!rc)
				rc = EBCTL_ERR_INVALID;
			continue;
		}
		ready[i] = r->status && !strcmp(r->status, "Ready");
		e->label_was_running = r->version_label && !strcmp(r->version_label, o->label);
		e->previous_label = r->version_label ? xstrdup(r->version_label) : NULL;
		if (!ready[i] && !s->wait_ready) {
			sink_error(
			    s->sink,
			    "environment '%s' is %s, not Ready: try again when it is, or give "
			    "--wait-ready",
			    e->name, r->status ? r->status : "in an unknown state");
			if (!rc)
				rc = EBCTL_ERR_AWS;
		}
	}
	eb_environments_cleanup(&envs);
	return rc;
}

/* The watcher's callbacks: the command's rendering, and deploy's own start. */
struct deploy_ctx {
	const struct watch_ops *ui;
	const struct deploy_settings *s;
	const struct aws_client_options *copts;
	struct update_pool *pool;
};

static void relay_event(void *ctx, const struct watch_env *e, const struct eb_event *ev)
{
	const struct deploy_ctx *d = ctx;
	if (d->ui && d->ui->on_event)
		d->ui->on_event(d->ui->ctx, e, ev);
}

static void relay_health(void *ctx, const struct watch_env *e)
{
	const struct deploy_ctx *d = ctx;
	if (d->ui && d->ui->on_health)
		d->ui->on_health(d->ui->ctx, e);
}

static void relay_pending(void *ctx, const struct watch_env *e)
{
	const struct deploy_ctx *d = ctx;
	if (d->ui && d->ui->on_pending)
		d->ui->on_pending(d->ui->ctx, e);
}

/* A --wait-ready environment turned Ready: update it now. */
static int start_pending(void *ctx, struct aws_client *c, struct watch_env *e, char **rid)
{
	const struct deploy_ctx *d = ctx;
	return deploy_update_env(d->s, c, e, rid);
}

/* The updates of the environments that are Ready, sent by the pool's
 * workers while the watcher follows those already sent: every
 * environment starts pending, and collect_updates hands each to the
 * watcher as its update goes out. */
static void update_ready(struct deploy_outcome *o, struct update_pool *p,
                         const struct deploy_ctx *d, const bool *ready)
{
	size_t i, want = 0;
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->u = xcalloc(o->w.n ? o->w.n : 1, sizeof(*p->u));
	p->n = o->w.n;
	p->copts = d->copts;
	for (i = 0; i < o->w.n; i++) {
		struct env_update *u = &p->u[i];
		struct watch_env *e = &o->w.envs[i];
		watch_env_pending(e);
		if (!ready[i])
			continue;
		u->s = d->s;
		u->e = e;
		u->work.name = e->name;
		u->work.label = e->label;
		u->create_on = o->created[i] ? o->platform_arn : NULL;
		u->wanted = true;
		e->starting = true;
		want++;
	}
	for (i = 0; i < UPDATE_WORKERS && i < want; i++) {
		if (pthread_create(&p->threads[i], NULL, deploy_update_worker, p))
			die("cannot start a thread: %s", strerror(errno));
		p->nthreads++;
	}
}

/* The watcher's collect: the updates sent since the last round. */
static void collect_updates(void *ctx, struct watch *w)
{
	const struct deploy_ctx *d = ctx;
	struct update_pool *p = d->pool;
	size_t i;
	(void)w;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < p->n; i++) {
		struct env_update *u = &p->u[i];
		if (!u->wanted || !u->done || u->collected)
			continue;
		u->collected = true;
		u->e->starting = false;
		if (u->e->phase != WATCH_PENDING) {
			/* the wait ended (interrupted, timed out) while it was sent */
			if (!u->rc && u->request_id && !u->e->request_id) {
				u->e->request_id = u->request_id;
				u->request_id = NULL;
				snprintf(u->e->reason, sizeof(u->e->reason),
				         "the update is still running on Elastic Beanstalk");
			}
			free(u->request_id);
		} else if (u->rc) {
			snprintf(u->e->reason, sizeof(u->e->reason), "%s", u->work.reason);
			watch_env_end(u->e, u->rc, NULL, time_mono_ms());
		} else {
			watch_env_follow(w, u->e, u->request_id, u->started_ms);
		}
		u->request_id = NULL;
	}
	pthread_mutex_unlock(&p->lock);
}

/* After the wait: the workers end (they stop at an interruption or the
 * deadline), and what they sent since the last round is handed over. */
static void update_pool_end(struct update_pool *p, struct deploy_ctx *d, struct watch *w)
{
	size_t i;
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	if (p->u)
		collect_updates(d, w);
	pthread_mutex_destroy(&p->lock);
	free(p->u);
}

/* --abort-on-timeout, --abort-on-interrupt: stop the updates this deploy
 * started and left running, with a client the interruption does not stop.
 * The status stays what it is; the reason says what was aborted. */
static void abort_left_running(const struct deploy_settings *s,
                               const struct aws_client_options *copts, struct deploy_outcome *o)
{
	struct aws_client_options ao = *copts;
	struct aws_client *c = NULL;
	struct aws_error err;
	size_t i;
	ao.interrupted = NULL;
	ao.deadline_ms = 0; /* the abort goes out after the time is up */
	for (i = 0; i < o->w.n; i++) {
		struct watch_env *e = &o->w.envs[i];
		size_t len = strlen(e->reason);
		if (!e->request_id || e->started_only ||
		    !((e->rc == EBCTL_ERR_TIMEOUT && s->abort_on_timeout) ||
		      (e->rc == EBCTL_ERR_INTERRUPTED && s->abort_on_interrupt)))
			continue;
		aws_error_clear(&err);
		if (!c && aws_client_new(&ao, &c, &err)) {
			deploy_error_report(&err, s->sink);
			return;
		}
		if (eb_abort_environment_update(c, e->name, &err)) {
			char msg[1200];
			snprintf(e->reason + len, sizeof(e->reason) - len, "; the abort failed: %s",
			         aws_error_format(&err, msg, sizeof(msg)));
			continue;
		}
		o->aborted++;
		e->aborted = true;
		snprintf(e->reason + len, sizeof(e->reason) - len,
		         "; aborted: it returns to %s%s%s (ebctl events -f --env %s)",
		         e->previous_label ? "'" : "",
		         e->previous_label ? e->previous_label : "what it ran before",
		         e->previous_label ? "'" : "", e->name);
	}
	aws_client_free(c);
}

void deploy_outcome_cleanup(struct deploy_outcome *o)
{
	deploy_prune_result_cleanup(&o->pruned);
	watch_cleanup(&o->w);
	free(o->w.envs);
	free(o->created);
	free(o->platform_arn);
	dr_report_cleanup(&o->diags);
	file_digest_cleanup(&o->bundle);
	free(o->label);
	free(o->description);
	free(o->bucket);
	free(o->key);
	memset(o, 0, sizeof(*o));
}

int deploy_run(struct deploy_settings *s, const struct watch_ops *ui, struct deploy_outcome *o)
{
	struct aws_client_options copts = {0};
	struct aws_client *c = NULL;
	struct aws_error err;
	struct deploy_ctx ctx;
	struct update_pool pool;
	char *path = NULL, *tmpdir = NULL;
	bool *ready = NULL;
	int64_t deadline_ms;
	int rc;
	size_t i;

	memset(o, 0, sizeof(*o));
	dr_report_init(&o->diags);
	for (i = 0; i < s->envs.n; i++)
		if ((rc = deploy_check_env_name(s->envs.v[i], s->sink)))
			return rc;
	interrupt_install();

	/* 1. Validate and bundle: nothing leaves the machine before this passes
	 * (an existing version was checked when it was made). */
	if (s->existing) {
		o->label = xstrdup(s->existing);
	} else {
		struct bundle_files files;
		rc = make_bundle(s, &path, &tmpdir, &files, o);
		if (!rc && !interrupt_requested())
			o->label = s->label ? xstrdup(s->label)
			                    : deploy_default_label(s->dir, o->bundle.sha256_hex,
			                                           &files, s->sink);
		bundle_files_cleanup(&files);
		if (rc || interrupt_requested())
			goto out;
		rc = deploy_check_label(o->label, s->sink);
		if (rc)
			goto out;
		o->description = deploy_description(s->dir, s->description, s->sink);
	}

	copts.region = s->region;
	copts.profile = s->profile;
	copts.profile_from = s->profile_from;
	copts.role_arn = s->role_arn;
	copts.interrupted = interrupt_flag();
	/* --timeout bounds every request too, an upload or an answer that
	 * trickles in included */
	deadline_ms = time_mono_ms() + (int64_t)s->timeout * 1000;
	copts.deadline_ms = deadline_ms;
	/* the workers updating environments and the watcher share one send
	 * rate per operation once Elastic Beanstalk throttles one */
	copts.pacer = aws_pacer_new();
	copts.sink = s->sink;
	aws_error_clear(&err);
	if (aws_client_new(&copts, &c, &err) || aws_client_credentials(c, NULL, &err)) {
		deploy_error_report(&err, s->sink);
		rc = aws_error_status(&err);
		goto out;
	}

	/* The environments, each followed by the one watcher below. */
	{
		size_t n = s->version_only ? 0 : s->envs.n;
		struct watch_env *envs = xcalloc(n ? n : 1, sizeof(*envs));
		for (i = 0; i < n; i++) {
			envs[i].name = s->envs.v[i];
			envs[i].label = o->label;
		}
		watch_init(&o->w, s->app, envs, n, s->healthy, deadline_ms, time_mono_ms());
		ready = xcalloc(n ? n : 1, sizeof(*ready));
		o->created = xcalloc(n ? n : 1, sizeof(*o->created));
	}
	/* 2. Check the environments before anything is stored or changed: those
	 * to update exist and are Ready; for those to create, the application,
	 * the platform, the CNAME and the IAM roles they need. */
	if (o->w.n && !interrupt_requested()) {
		size_t ncreate = 0;
		bool app_exists = true;
		rc = preflight(c, s, o, ready, &ncreate);
		if (!rc && ncreate)
			rc = deploy_create_checks(c, s, o, ncreate);
		if (!rc && s->create) {
			aws_error_clear(&err);
			if (eb_application_exists(c, s->app, &app_exists, &err)) {
				deploy_error_report(&err, s->sink);
				rc = aws_error_status(&err);
			}
		}
		if (!rc && !app_exists)
			rc = deploy_create_app(c, s, o);
		if (rc)
			goto out;
	} else if (s->create && s->version_only && !interrupt_requested()) {
		bool app_exists = true;
		aws_error_clear(&err);
		if (eb_application_exists(c, s->app, &app_exists, &err)) {
			deploy_error_report(&err, s->sink);
			rc = aws_error_status(&err);
			goto out;
		}
		if (!app_exists && (rc = deploy_create_app(c, s, o)))
			goto out;
	}
	/* 3. Upload and create the version; never update to one that did not land. */
	if (!interrupt_requested())
		rc = s->existing ? find_version(c, s, o) : make_version(c, s, path, o, deadline_ms);
	if (rc)
		goto out;
	if (interrupt_requested() || s->version_only)
		goto out;

	/* 4. Update every Ready environment at once; follow all with one watcher,
	 * which starts the others as they turn Ready (--wait-ready). */
	ctx.ui = ui;
	ctx.s = s;
	ctx.copts = &copts;
	o->w.ops.ctx = &ctx;
	o->w.ops.on_event = relay_event;
	o->w.ops.on_health = relay_health;
	o->w.ops.on_pending = relay_pending;
	o->w.ops.start = start_pending;
	o->w.ops.collect = collect_updates;
	ctx.pool = &pool;
	o->w.no_follow = s->no_wait;
	o->w.deadline_ms = time_mono_ms() + (int64_t)s->timeout * 1000;
	/* the wait has its own --timeout from here (watch_run bounds its
	 * requests with it), and so have the updates it starts */
	copts.deadline_ms = o->w.deadline_ms;
	o->updating = true;
	update_ready(o, &pool, &ctx, ready);
	rc = watch_run(&o->w, c);
	update_pool_end(&pool, &ctx, &o->w);
	abort_left_running(s, &copts, o);
	if (rc == 0 && s->prune_keep) {
		struct deploy_prune_opts po = {s->app, s->prune_keep, 0, false, false};
		aws_error_clear(&err);
		if (deploy_prune(c, &po, &o->pruned, &err)) {
			/* the deploy succeeded: say so, and that pruning did not */
			char msg[1200];
			sink_warn(s->sink, "deployed, but pruning the versions failed: %s",
			          aws_error_format(&err, msg, sizeof(msg)));
		} else {
			o->pruned_ok = true;
		}
	}
out:
	if (interrupt_requested() && !o->updating) {
		/* Stopped before any environment was touched. */
		sink_error(s->sink, "interrupted (%s): %s", interrupt_signal_name(),
		           o->version_created
		               ? "the version was created; no environment was updated"
		               : "nothing was deployed");
		rc = EBCTL_ERR_INTERRUPTED;
	}
	free(ready);
	aws_client_free(c);
	aws_pacer_free(copts.pacer);
	if (tmpdir) {
		if (path)
			unlink(path);
		rmdir(tmpdir);
	}
	free(tmpdir);
	free(path);
	return rc;
}
