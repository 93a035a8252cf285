/*
 * AWS Elastic Beanstalk over the Query protocol: request parameters in,
 * plain C structs out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebctl/eb.h"
#include "internal.h"

#define EB "elasticbeanstalk"

/* ---- small helpers ---- */

static int64_t xml_time(xmlNodePtr parent, const char *name)
{
	char *t = aws_xml_text(parent, name);
	int64_t v = t && *t ? time_parse_iso8601(t) : 0;
	free(t);
	return v < 0 ? 0 : v;
}

static bool xml_bool(xmlNodePtr parent, const char *name)
{
	char *t = aws_xml_text(parent, name);
	bool v = t && strcmp(t, "true") == 0;
	free(t);
	return v;
}

static long xml_long(xmlNodePtr parent, const char *name, long def)
{
	char *t = aws_xml_text(parent, name);
	long v;
	if (!t || parse_long(t, -2147483647L, 2147483647L, &v) != 0)
		v = def;
	free(t);
	return v;
}

static double xml_double(xmlNodePtr parent, const char *name)
{
	char *t = aws_xml_text(parent, name), *end = NULL;
	double v = -1;
	if (t && *t) {
		v = strtod(t, &end);
		if (*end)
			v = -1;
	}
	free(t);
	return v;
}

static void add_time(struct aws_params *p, const char *key, int64_t t)
{
	char iso[32];
	time_format_iso8601(t, iso, sizeof(iso));
	aws_params_add(p, key, iso);
}

static void add_list(struct aws_params *p, const char *prefix, const char *const *v, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		aws_params_addf(p, v[i], "%s.member.%zu", prefix, i + 1);
}

/* Call action and hand back its Result element (and the doc to free). */
static int call(struct aws_client *c, const char *action, struct aws_params *p,
                enum aws_idempotency idem, xmlDocPtr *doc, xmlNodePtr *result,
                struct aws_error *err)
{
	int rc = aws_query(c, EB, action, p, idem, doc, err);
	aws_params_cleanup(p);
	if (rc == 0 && result)
		*result = aws_xml_result(*doc, action);
	return rc;
}

static void invalid(struct aws_error *err, const char *action, const char *what)
{
	aws_error_set(err, "", "InvalidResponse", "the response has no %s", what);
	snprintf(err->step, sizeof(err->step), EB " %s", action);
}

/* ---- option settings ---- */

void eb_option_settings_add(struct eb_option_settings *s, const char *ns, const char *name,
                            const char *value, const char *resource)
{
	struct eb_option_setting *o;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	o = &s->v[s->n++];
	o->ns = xstrdup(ns);
	o->name = xstrdup(name);
	o->value = value ? xstrdup(value) : NULL;
	o->resource = resource ? xstrdup(resource) : NULL;
}

const struct eb_option_setting *eb_option_settings_find(const struct eb_option_settings *s,
                                                        const char *ns, const char *name)
{
	size_t i;
	for (i = 0; s && i < s->n; i++)
		if (strcmp(s->v[i].ns, ns) == 0 && strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

void eb_option_settings_cleanup(struct eb_option_settings *s)
{
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].ns);
		free(s->v[i].name);
		/* environment properties hold database passwords */
		free_secret(s->v[i].value);
		free(s->v[i].resource);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void add_settings(struct aws_params *p, const char *prefix,
                         const struct eb_option_settings *s, bool values)
{
	size_t i;
	for (i = 0; s && i < s->n; i++) {
		aws_params_addf(p, s->v[i].ns, "%s.member.%zu.Namespace", prefix, i + 1);
		aws_params_addf(p, s->v[i].name, "%s.member.%zu.OptionName", prefix, i + 1);
		if (values && s->v[i].value)
			aws_params_addf(p, s->v[i].value, "%s.member.%zu.Value", prefix, i + 1);
		if (s->v[i].resource)
			aws_params_addf(p, s->v[i].resource, "%s.member.%zu.ResourceName", prefix,
			                i + 1);
	}
}

/* ---- storage and applications ---- */

int eb_create_storage_location(struct aws_client *c, char **bucket, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r;
	*bucket = NULL;
	if (call(c, "CreateStorageLocation", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	*bucket = aws_xml_text(r, "S3Bucket");
	xmlFreeDoc(doc);
	if (!*bucket || !**bucket) {
		free(*bucket);
		*bucket = NULL;
		invalid(err, "CreateStorageLocation", "S3Bucket");
		return -1;
	}
	return 0;
}

int eb_create_application(struct aws_client *c, const char *app, const char *description,
                          struct aws_error *err)
{
	int attempt, sent = 0; /* requests in all, for the message */
	for (attempt = 1;; attempt++) {
		struct aws_params p = {0};
		struct aws_error e2;
		xmlDocPtr doc = NULL;
		bool exists = false;
		int rc;
		aws_params_add(&p, "ApplicationName", app);
		if (description)
			aws_params_add(&p, "Description", description);
		rc = call(c, "CreateApplication", &p, AWS_NOT_IDEMPOTENT, &doc, NULL, err);
		xmlFreeDoc(doc);
		if (rc != 0)
			aws_error_add_attempts(err, &sent);
		if (rc == 0 || !err->unknown_outcome || attempt >= c->max_attempts)
			return rc;
		/* the answer was lost: a second create would fail with "already
		 * exists" even though the first one worked */
		if (aws_backoff_sleep(c, attempt) != 0 ||
		    eb_application_exists(c, app, &exists, &e2) != 0)
			return -1;
		if (exists) {
			aws_error_clear(err);
			return 0;
		}
	}
}

int eb_application_exists(struct aws_client *c, const char *app, bool *exists,
                          struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r, m;
	*exists = false;
	aws_params_add(&p, "ApplicationNames.member.1", app);
	if (call(c, "DescribeApplications", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	for (m = aws_xml_child(aws_xml_child(r, "Applications"), "member"); m;
	     m = aws_xml_next(m)) {
		char *name = aws_xml_text(m, "ApplicationName");
		if (name && strcmp(name, app) == 0)
			*exists = true;
		free(name);
	}
	xmlFreeDoc(doc);
	return 0;
}

/* ---- application versions ---- */

void eb_app_version_cleanup(struct eb_app_version *v)
{
	if (!v)
		return;
	free(v->app);
	free(v->label);
	free(v->description);
	free(v->bucket);
	free(v->key);
	free(v->status);
	memset(v, 0, sizeof(*v));
}

void eb_app_versions_cleanup(struct eb_app_versions *v)
{
	size_t i;
	if (!v)
		return;
	for (i = 0; i < v->n; i++)
		eb_app_version_cleanup(&v->v[i]);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static void parse_version(xmlNodePtr n, struct eb_app_version *v)
{
	xmlNodePtr sb = aws_xml_child(n, "SourceBundle");
	memset(v, 0, sizeof(*v));
	v->app = aws_xml_text(n, "ApplicationName");
	v->label = aws_xml_text(n, "VersionLabel");
	v->description = aws_xml_text(n, "Description");
	v->bucket = aws_xml_text(sb, "S3Bucket");
	v->key = aws_xml_text(sb, "S3Key");
	v->status = aws_xml_text(n, "Status");
	v->created = xml_time(n, "DateCreated");
	v->updated = xml_time(n, "DateUpdated");
}

static int create_version_once(struct aws_client *c, const struct eb_create_version *cv,
                               struct eb_app_version *out, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r, v;
	aws_params_add(&p, "ApplicationName", cv->app);
	aws_params_add(&p, "VersionLabel", cv->label);
	if (cv->description)
		aws_params_add(&p, "Description", cv->description);
	aws_params_add(&p, "SourceBundle.S3Bucket", cv->bucket);
	aws_params_add(&p, "SourceBundle.S3Key", cv->key);
	if (cv->process)
		aws_params_add(&p, "Process", "true");
	if (cv->auto_create_app)
		aws_params_add(&p, "AutoCreateApplication", "true");
	if (call(c, "CreateApplicationVersion", &p, AWS_NOT_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	v = aws_xml_child(r, "ApplicationVersion");
	if (out)
		parse_version(v, out);
	xmlFreeDoc(doc);
	return 0;
}

int eb_create_application_version(struct aws_client *c, const struct eb_create_version *cv,
                                  struct eb_app_version *out, struct aws_error *err)
{
	int attempt, sent = 0; /* requests in all, for the message */
	if (out)
		memset(out, 0, sizeof(*out));
	for (attempt = 1;; attempt++) {
		struct eb_app_versions found = {0};
		struct aws_error e2;
		const char *labels[1] = {cv->label};
		bool same;

		if (create_version_once(c, cv, out, err) == 0)
			return 0;
		aws_error_add_attempts(err, &sent);
		if (!err->unknown_outcome || attempt >= c->max_attempts)
			return -1;
		/* The request went out and the answer was lost: it may have
		 * created the version. Look before sending it again. */
		debugf("CreateApplicationVersion: no answer, checking whether '%s' exists",
		       cv->label);
		if (aws_backoff_sleep(c, attempt) != 0 ||
		    eb_describe_application_versions(c, cv->app, labels, 1, &found, &e2) != 0)
			return -1;
		if (found.n == 0) {
			eb_app_versions_cleanup(&found);
			continue;
		}
		same = found.v[0].bucket && found.v[0].key &&
		       strcmp(found.v[0].bucket, cv->bucket) == 0 &&
		       strcmp(found.v[0].key, cv->key) == 0;
		if (same && out) {
			*out = found.v[0];
			memset(&found.v[0], 0, sizeof(found.v[0]));
		}
		eb_app_versions_cleanup(&found);
		if (same) {
			aws_error_clear(err);
			return 0;
		}
		aws_error_set(err, EB " CreateApplicationVersion", "InvalidParameterValue",
		              "version '%s' exists with another source bundle", cv->label);
		return -1;
	}
}

int eb_describe_application_versions(struct aws_client *c, const char *app,
                                     const char *const *labels, size_t nlabels,
                                     struct eb_app_versions *out, struct aws_error *err)
{
	char *token = NULL, *next;
	int pages = 0;
	memset(out, 0, sizeof(*out));
	do {
		struct aws_params p = {0};
		xmlDocPtr doc = NULL;
		xmlNodePtr r, m;
		aws_params_add(&p, "ApplicationName", app);
		add_list(&p, "VersionLabels", labels, nlabels);
		if (token)
			aws_params_add(&p, "NextToken", token);
		if (call(c, "DescribeApplicationVersions", &p, AWS_IDEMPOTENT, &doc, &r, err) !=
		    0) {
			free(token);
			eb_app_versions_cleanup(out);
			return -1;
		}
		for (m = aws_xml_child(aws_xml_child(r, "ApplicationVersions"), "member"); m;
		     m = aws_xml_next(m)) {
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			parse_version(m, &out->v[out->n++]);
		}
		next = aws_xml_text(r, "NextToken");
		if (!page_follow(token, next, &pages, PAGES_MAX)) {
			free(next);
			next = NULL;
		}
		free(token);
		token = next;
		xmlFreeDoc(doc);
	} while (token);
	free(token);
	return 0;
}

int eb_delete_application_version(struct aws_client *c, const char *app, const char *label,
                                  bool delete_source, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	int rc;
	aws_params_add(&p, "ApplicationName", app);
	aws_params_add(&p, "VersionLabel", label);
	if (delete_source)
		aws_params_add(&p, "DeleteSourceBundle", "true");
	rc = call(c, "DeleteApplicationVersion", &p, AWS_IDEMPOTENT, &doc, NULL, err);
	xmlFreeDoc(doc);
	return rc;
}

/* ---- environments ---- */

/*
 * Send UpdateEnvironment without ever starting two updates. When the answer
 * is lost, the environment says what happened: still Ready means the update
 * did not start, so it is sent again; anything else means it may have
 * started, and the caller hears so (err->unknown_outcome) rather than
 * getting a second update refused or a request id it cannot know.
 */
static int update_once(struct aws_client *c, const char *env, struct aws_params *p, xmlDocPtr *doc,
                       struct aws_error *err)
{
	int attempt, sent = 0; /* requests in all, for the message */
	for (attempt = 1;; attempt++) {
		struct aws_params copy = {0};
		struct eb_environments envs;
		struct aws_error e2;
		const char *names[1] = {env};
		bool ready;
		size_t i;

		for (i = 0; i < p->n; i++)
			aws_params_add(&copy, p->v[i].key, p->v[i].value);
		if (call(c, "UpdateEnvironment", &copy, AWS_NOT_IDEMPOTENT, doc, NULL, err) == 0) {
			aws_params_cleanup(p);
			return 0;
		}
		aws_error_add_attempts(err, &sent);
		if (!err->unknown_outcome || attempt >= c->max_attempts)
			break;
		if (aws_backoff_sleep(c, attempt) != 0 ||
		    eb_describe_environments(c, NULL, names, 1, false, &envs, &e2) != 0)
			break;
		ready = envs.n == 1 && envs.v[0].status && strcmp(envs.v[0].status, "Ready") == 0;
		eb_environments_cleanup(&envs);
		if (!ready) {
			struct buf m = BUF_INIT;
			buf_printf(&m,
			           "%s, and '%s' is no longer Ready: the update may have started",
			           err->network ? "no answer" : err->message, env);
			snprintf(err->message, sizeof(err->message), "%s", buf_cstr(&m));
			buf_cleanup(&m);
			break;
		}
	}
	aws_params_cleanup(p);
	return -1;
}

int eb_update_environment(struct aws_client *c, const struct eb_update *u, char **request_id,
                          struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr root;

	if (request_id)
		*request_id = NULL;
	if (u->app)
		aws_params_add(&p, "ApplicationName", u->app);
	aws_params_add(&p, "EnvironmentName", u->env);
	if (u->version_label)
		aws_params_add(&p, "VersionLabel", u->version_label);
	if (u->platform_arn)
		aws_params_add(&p, "PlatformArn", u->platform_arn);
	add_settings(&p, "OptionSettings", u->settings, true);
	add_settings(&p, "OptionsToRemove", u->remove, false);
	if (update_once(c, u->env, &p, &doc, err) != 0)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (request_id) {
		*request_id = aws_xml_text(aws_xml_child(root, "ResponseMetadata"), "RequestId");
		if (!*request_id || !**request_id) {
			free(*request_id);
			*request_id = NULL;
			xmlFreeDoc(doc);
			invalid(err, "UpdateEnvironment", "RequestId");
			return -1;
		}
	}
	xmlFreeDoc(doc);
	return 0;
}

void eb_environment_cleanup(struct eb_environment *e)
{
	if (!e)
		return;
	free(e->name);
	free(e->id);
	free(e->app);
	free(e->arn);
	free(e->status);
	free(e->health);
	free(e->health_status);
	free(e->version_label);
	free(e->cname);
	free(e->endpoint_url);
	free(e->platform_arn);
	free(e->solution_stack);
	free(e->tier);
	memset(e, 0, sizeof(*e));
}

void eb_environments_cleanup(struct eb_environments *e)
{
	size_t i;
	if (!e)
		return;
	for (i = 0; i < e->n; i++)
		eb_environment_cleanup(&e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

const struct eb_environment *eb_environments_find(const struct eb_environments *e, const char *name)
{
	size_t i;
	for (i = 0; i < e->n; i++)
		if (e->v[i].name && strcmp(e->v[i].name, name) == 0)
			return &e->v[i];
	return NULL;
}

int eb_describe_environments(struct aws_client *c, const char *app, const char *const *names,
                             size_t nnames, bool include_deleted, struct eb_environments *out,
                             struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r, m;

	memset(out, 0, sizeof(*out));
	if (app)
		aws_params_add(&p, "ApplicationName", app);
	add_list(&p, "EnvironmentNames", names, nnames);
	aws_params_add(&p, "IncludeDeleted", include_deleted ? "true" : "false");
	if (call(c, "DescribeEnvironments", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	for (m = aws_xml_child(aws_xml_child(r, "Environments"), "member"); m;
	     m = aws_xml_next(m)) {
		struct eb_environment *e;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		e = &out->v[out->n++];
		memset(e, 0, sizeof(*e));
		e->name = aws_xml_text(m, "EnvironmentName");
		e->id = aws_xml_text(m, "EnvironmentId");
		e->app = aws_xml_text(m, "ApplicationName");
		e->status = aws_xml_text(m, "Status");
		e->health = aws_xml_text(m, "Health");
		e->health_status = aws_xml_text(m, "HealthStatus");
		e->version_label = aws_xml_text(m, "VersionLabel");
		e->cname = aws_xml_text(m, "CNAME");
		e->endpoint_url = aws_xml_text(m, "EndpointURL");
		e->platform_arn = aws_xml_text(m, "PlatformArn");
		e->solution_stack = aws_xml_text(m, "SolutionStackName");
		e->tier = aws_xml_text(aws_xml_child(m, "Tier"), "Name");
		e->arn = aws_xml_text(m, "EnvironmentArn");
		e->created = xml_time(m, "DateCreated");
		e->updated = xml_time(m, "DateUpdated");
		e->abortable = xml_bool(m, "AbortableOperationInProgress");
	}
	xmlFreeDoc(doc);
	return 0;
}

static int env_action(struct aws_client *c, const char *action, const char *env,
                      const char *info_type, enum aws_idempotency idem, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	int rc;
	aws_params_add(&p, "EnvironmentName", env);
	if (info_type)
		aws_params_add(&p, "InfoType", info_type);
	rc = call(c, action, &p, idem, &doc, NULL, err);
	xmlFreeDoc(doc);
	return rc;
}

int eb_abort_environment_update(struct aws_client *c, const char *env, struct aws_error *err)
{
	return env_action(c, "AbortEnvironmentUpdate", env, NULL, AWS_IDEMPOTENT, err);
}

/* ---- events ---- */

void eb_events_cleanup(struct eb_events *e)
{
	size_t i;
	if (!e)
		return;
	for (i = 0; i < e->n; i++) {
		free(e->v[i].severity);
		free(e->v[i].message);
		free(e->v[i].app);
		free(e->v[i].env);
		free(e->v[i].version_label);
		free(e->v[i].request_id);
		free(e->v[i].platform_arn);
	}
	free(e->v);
	free(e->next_token);
	memset(e, 0, sizeof(*e));
}

int eb_describe_events(struct aws_client *c, const struct eb_events_filter *f,
                       struct eb_events *out, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r, m;
	char num[16];

	memset(out, 0, sizeof(*out));
	if (f->app)
		aws_params_add(&p, "ApplicationName", f->app);
	if (f->env)
		aws_params_add(&p, "EnvironmentName", f->env);
	if (f->version_label)
		aws_params_add(&p, "VersionLabel", f->version_label);
	if (f->request_id)
		aws_params_add(&p, "RequestId", f->request_id);
	if (f->severity)
		aws_params_add(&p, "Severity", f->severity);
	if (f->start_time > 0)
		add_time(&p, "StartTime", f->start_time);
	if (f->end_time > 0)
		add_time(&p, "EndTime", f->end_time);
	if (f->max_records > 0) {
		snprintf(num, sizeof(num), "%d", f->max_records);
		aws_params_add(&p, "MaxRecords", num);
	}
	if (f->next_token)
		aws_params_add(&p, "NextToken", f->next_token);
	if (call(c, "DescribeEvents", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	for (m = aws_xml_child(aws_xml_child(r, "Events"), "member"); m; m = aws_xml_next(m)) {
		struct eb_event *e;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		e = &out->v[out->n++];
		e->date = xml_time(m, "EventDate");
		e->severity = aws_xml_text(m, "Severity");
		e->message = aws_xml_text(m, "Message");
		e->app = aws_xml_text(m, "ApplicationName");
		e->env = aws_xml_text(m, "EnvironmentName");
		e->version_label = aws_xml_text(m, "VersionLabel");
		e->request_id = aws_xml_text(m, "RequestId");
		e->platform_arn = aws_xml_text(m, "PlatformArn");
	}
	out->next_token = aws_xml_text(r, "NextToken");
	if (out->next_token && !*out->next_token) {
		free(out->next_token);
		out->next_token = NULL;
	}
	xmlFreeDoc(doc);
	return 0;
}

/* ---- health ---- */

void eb_env_health_cleanup(struct eb_env_health *h)
{
	size_t i;
	if (!h)
		return;
	free(h->env);
	free(h->status);
	free(h->color);
	free(h->health_status);
	for (i = 0; i < h->ncauses; i++)
		free(h->causes[i]);
	free(h->causes);
	memset(h, 0, sizeof(*h));
}

int eb_describe_environment_health(struct aws_client *c, const char *env, struct eb_env_health *out,
                                   struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r, m, ih, am, sc, lat;

	memset(out, 0, sizeof(*out));
	aws_params_add(&p, "EnvironmentName", env);
	aws_params_add(&p, "AttributeNames.member.1", "All");
	if (call(c, "DescribeEnvironmentHealth", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	out->env = aws_xml_text(r, "EnvironmentName");
	out->status = aws_xml_text(r, "Status");
	out->color = aws_xml_text(r, "Color");
	out->health_status = aws_xml_text(r, "HealthStatus");
	out->refreshed_at = xml_time(r, "RefreshedAt");
	for (m = aws_xml_child(aws_xml_child(r, "Causes"), "member"); m; m = aws_xml_next(m)) {
		out->causes = xrealloc(out->causes, (out->ncauses + 1) * sizeof(*out->causes));
		out->causes[out->ncauses++] = aws_xml_node_text(m);
	}
	ih = aws_xml_child(r, "InstancesHealth");
	out->ok = (int)xml_long(ih, "Ok", 0);
	out->info = (int)xml_long(ih, "Info", 0);
	out->warning = (int)xml_long(ih, "Warning", 0);
	out->degraded = (int)xml_long(ih, "Degraded", 0);
	out->severe = (int)xml_long(ih, "Severe", 0);
	out->pending = (int)xml_long(ih, "Pending", 0);
	out->unknown = (int)xml_long(ih, "Unknown", 0);
	out->no_data = (int)xml_long(ih, "NoData", 0);
	am = aws_xml_child(r, "ApplicationMetrics");
	out->request_count = (int)xml_long(am, "RequestCount", 0);
	out->duration_s = (int)xml_long(am, "Duration", 0);
	sc = aws_xml_child(am, "StatusCodes");
	out->status_2xx = (int)xml_long(sc, "Status2xx", 0);
	out->status_3xx = (int)xml_long(sc, "Status3xx", 0);
	out->status_4xx = (int)xml_long(sc, "Status4xx", 0);
	out->status_5xx = (int)xml_long(sc, "Status5xx", 0);
	lat = aws_xml_child(am, "Latency");
	out->p99 = xml_double(lat, "P99");
	out->p90 = xml_double(lat, "P90");
	out->p50 = xml_double(lat, "P50");
	xmlFreeDoc(doc);
	if (!out->env && !out->status && !out->color) {
		eb_env_health_cleanup(out);
		invalid(err, "DescribeEnvironmentHealth", "environment health");
		return -1;
	}
	return 0;
}

/* ---- instance logs ---- */

int eb_request_environment_info(struct aws_client *c, const char *env, const char *info_type,
                                struct aws_error *err)
{
	return env_action(c, "RequestEnvironmentInfo", env, info_type, AWS_IDEMPOTENT, err);
}

void eb_env_infos_cleanup(struct eb_env_infos *i)
{
	size_t k;
	if (!i)
		return;
	for (k = 0; k < i->n; k++) {
		free(i->v[k].instance_id);
		free(i->v[k].info_type);
		/* presigned URLs are credentials for a while */
		free_secret(i->v[k].url);
	}
	free(i->v);
	memset(i, 0, sizeof(*i));
}

int eb_retrieve_environment_info(struct aws_client *c, const char *env, const char *info_type,
                                 struct eb_env_infos *out, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r, m;

	memset(out, 0, sizeof(*out));
	aws_params_add(&p, "EnvironmentName", env);
	aws_params_add(&p, "InfoType", info_type);
	if (call(c, "RetrieveEnvironmentInfo", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	for (m = aws_xml_child(aws_xml_child(r, "EnvironmentInfo"), "member"); m;
	     m = aws_xml_next(m)) {
		struct eb_env_info *i;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		i = &out->v[out->n++];
		i->instance_id = aws_xml_text(m, "Ec2InstanceId");
		i->info_type = aws_xml_text(m, "InfoType");
		i->url = aws_xml_text(m, "Message");
		i->sample_time = xml_time(m, "SampleTimestamp");
	}
	xmlFreeDoc(doc);
	return 0;
}

/* ---- configuration ---- */

int eb_describe_configuration_settings(struct aws_client *c, const char *app, const char *env,
                                       struct eb_option_settings *out, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r, cs, m;

	memset(out, 0, sizeof(*out));
	aws_params_add(&p, "ApplicationName", app);
	aws_params_add(&p, "EnvironmentName", env);
	if (call(c, "DescribeConfigurationSettings", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	for (cs = aws_xml_child(aws_xml_child(r, "ConfigurationSettings"), "member"); cs;
	     cs = aws_xml_next(cs))
		for (m = aws_xml_child(aws_xml_child(cs, "OptionSettings"), "member"); m;
		     m = aws_xml_next(m)) {
			char *ns = aws_xml_text(m, "Namespace"),
			     *name = aws_xml_text(m, "OptionName");
			char *value = aws_xml_text(m, "Value"),
			     *res = aws_xml_text(m, "ResourceName");
			if (ns && name)
				eb_option_settings_add(out, ns, name, value, res);
			free(ns);
			free(name);
			free_secret(value);
			free(res);
		}
	xmlFreeDoc(doc);
	return 0;
}

int eb_describe_events_pages(struct aws_client *c, const struct eb_events_filter *f, int max_pages,
                             struct eb_events *all, struct aws_error *err)
{
	struct eb_events_filter g = *f;
	char *token = NULL;
	int pages = 0, rc = 0;
	do {
		struct eb_events page = {NULL, 0, NULL};
		g.next_token = token;
		if (eb_describe_events(c, &g, &page, err)) {
			rc = -1;
			break;
		}
		if (page.n) {
			/* Move the events over; their strings now belong to all. */
			all->v = xrealloc(all->v, (all->n + page.n) * sizeof(*all->v));
			memcpy(all->v + all->n, page.v, page.n * sizeof(*page.v));
			all->n += page.n;
		}
		free(page.v);
		if (!page_follow(token, page.next_token, &pages, max_pages)) {
			free(page.next_token);
			page.next_token = NULL;
		}
		free(token);
		token = page.next_token;
	} while (token);
	free(token);
	return rc;
}

char *eb_environment_url(const struct eb_environment *e)
{
	if (e->cname && *e->cname)
		return xasprintf("http://%s", e->cname);
	if (e->endpoint_url && *e->endpoint_url)
		return str_starts_with(e->endpoint_url, "http")
		           ? xstrdup(e->endpoint_url)
		           : xasprintf("http://%s", e->endpoint_url);
	return NULL;
}

/* ---- environments: create, terminate ---- */

int eb_create_environment(struct aws_client *c, const struct eb_create_env *ce, char **request_id,
                          struct aws_error *err)
{
	int attempt, sent = 0;
	*request_id = NULL;
	for (attempt = 1;; attempt++) {
		struct aws_params p = {0};
		struct eb_environments envs = {NULL, 0};
		struct aws_error e2;
		const char *names[1] = {ce->env};
		xmlDocPtr doc = NULL;
		size_t i;
		int rc;
		aws_params_add(&p, "ApplicationName", ce->app);
		aws_params_add(&p, "EnvironmentName", ce->env);
		if (ce->description)
			aws_params_add(&p, "Description", ce->description);
		if (ce->cname_prefix)
			aws_params_add(&p, "CNAMEPrefix", ce->cname_prefix);
		if (ce->worker) {
			aws_params_add(&p, "Tier.Name", "Worker");
			aws_params_add(&p, "Tier.Type", "SQS/HTTP");
		} else {
			aws_params_add(&p, "Tier.Name", "WebServer");
			aws_params_add(&p, "Tier.Type", "Standard");
		}
		if (ce->version_label)
			aws_params_add(&p, "VersionLabel", ce->version_label);
		if (ce->platform_arn)
			aws_params_add(&p, "PlatformArn", ce->platform_arn);
		else if (ce->solution_stack)
			aws_params_add(&p, "SolutionStackName", ce->solution_stack);
		add_settings(&p, "OptionSettings", ce->settings, true);
		for (i = 0; ce->tags && i < ce->tags->n; i++) {
			aws_params_addf(&p, ce->tags->v[i].key, "Tags.member.%zu.Key", i + 1);
			aws_params_addf(&p, ce->tags->v[i].value ? ce->tags->v[i].value : "",
			                "Tags.member.%zu.Value", i + 1);
		}
		rc = call(c, "CreateEnvironment", &p, AWS_NOT_IDEMPOTENT, &doc, NULL, err);
		if (rc == 0) {
			xmlNodePtr root = xmlDocGetRootElement(doc);
			*request_id =
			    aws_xml_text(aws_xml_child(root, "ResponseMetadata"), "RequestId");
			xmlFreeDoc(doc);
			if (!*request_id || !**request_id) {
				free(*request_id);
				*request_id = NULL;
				invalid(err, "CreateEnvironment", "RequestId");
				return -1;
			}
			return 0;
		}
		xmlFreeDoc(doc);
		aws_error_add_attempts(err, &sent);
		if (!err->unknown_outcome || attempt >= c->max_attempts)
			return -1;
		/* the answer was lost: a second create would meet "already exists";
		 * if the environment is there now, the first one worked but its
		 * RequestId is gone (the caller follows the environment by name) */
		if (aws_backoff_sleep(c, attempt) != 0 ||
		    eb_describe_environments(c, ce->app, names, 1, false, &envs, &e2) != 0)
			return -1;
		if (envs.n) {
			eb_environments_cleanup(&envs);
			aws_error_clear(err);
			*request_id = xstrdup("");
			return 0;
		}
	}
}

int eb_terminate_environment(struct aws_client *c, const char *env, char **request_id,
                             struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	*request_id = NULL;
	aws_params_add(&p, "EnvironmentName", env);
	/* a repeat of a terminate that went through meets "invalid state", which
	 * the caller reads as terminating: safe to send again */
	if (call(c, "TerminateEnvironment", &p, AWS_IDEMPOTENT, &doc, NULL, err) != 0)
		return -1;
	*request_id =
	    aws_xml_text(aws_xml_child(xmlDocGetRootElement(doc), "ResponseMetadata"), "RequestId");
	xmlFreeDoc(doc);
	return 0;
}

int eb_check_dns(struct aws_client *c, const char *prefix, bool *available, char **fqdn,
                 struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r;
	aws_params_add(&p, "CNAMEPrefix", prefix);
	if (call(c, "CheckDNSAvailability", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	*available = xml_bool(r, "Available");
	*fqdn = aws_xml_text(r, "FullyQualifiedCNAME");
	xmlFreeDoc(doc);
	return 0;
}

/* ---- applications ---- */

int eb_list_applications(struct aws_client *c, struct strlist *names, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r, m;
	if (call(c, "DescribeApplications", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	for (m = aws_xml_child(aws_xml_child(r, "Applications"), "member"); m;
	     m = aws_xml_next(m)) {
		char *name = aws_xml_text(m, "ApplicationName");
		if (name)
			strlist_add(names, name);
		free(name);
	}
	xmlFreeDoc(doc);
	return 0;
}

/* ---- platforms ---- */

void eb_platforms_cleanup(struct eb_platforms *ps)
{
	size_t i;
	for (i = 0; i < ps->n; i++) {
		free(ps->v[i].arn);
		free(ps->v[i].branch);
		free(ps->v[i].version);
		free(ps->v[i].branch_state);
		free(ps->v[i].state);
		free(ps->v[i].category);
	}
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

int eb_list_platforms(struct aws_client *c, const char *branch_contains, struct eb_platforms *out,
                      struct aws_error *err)
{
	char *token = NULL;
	int pages = 0;
	memset(out, 0, sizeof(*out));
	do {
		struct aws_params p = {0};
		xmlDocPtr doc = NULL;
		xmlNodePtr r, m;
		char *next;
		aws_params_add(&p, "Filters.member.1.Type", "PlatformOwner");
		aws_params_add(&p, "Filters.member.1.Operator", "=");
		aws_params_add(&p, "Filters.member.1.Values.member.1", "AWSElasticBeanstalk");
		if (branch_contains) {
			aws_params_add(&p, "Filters.member.2.Type", "PlatformBranchName");
			aws_params_add(&p, "Filters.member.2.Operator", "contains");
			aws_params_add(&p, "Filters.member.2.Values.member.1", branch_contains);
		}
		if (token)
			aws_params_add(&p, "NextToken", token);
		if (call(c, "ListPlatformVersions", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0) {
			free(token);
			eb_platforms_cleanup(out);
			return -1;
		}
		for (m = aws_xml_child(aws_xml_child(r, "PlatformSummaryList"), "member"); m;
		     m = aws_xml_next(m)) {
			struct eb_platform *e;
			out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			e = &out->v[out->n++];
			e->arn = aws_xml_text(m, "PlatformArn");
			e->branch = aws_xml_text(m, "PlatformBranchName");
			e->version = aws_xml_text(m, "PlatformVersion");
			e->branch_state = aws_xml_text(m, "PlatformBranchLifecycleState");
			e->state = aws_xml_text(m, "PlatformLifecycleState");
			e->category = aws_xml_text(m, "PlatformCategory");
		}
		next = aws_xml_text(r, "NextToken");
		xmlFreeDoc(doc);
		if (!page_follow(token, next, &pages, PAGES_MAX)) {
			free(next);
			next = NULL;
		}
		free(token);
		token = next;
	} while (token);
	free(token);
	return 0;
}

/* ---- tags ---- */

int eb_list_tags(struct aws_client *c, const char *arn, struct eb_tags *out, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r, m;
	memset(out, 0, sizeof(*out));
	aws_params_add(&p, "ResourceArn", arn);
	if (call(c, "ListTagsForResource", &p, AWS_IDEMPOTENT, &doc, &r, err) != 0)
		return -1;
	for (m = aws_xml_child(aws_xml_child(r, "ResourceTags"), "member"); m;
	     m = aws_xml_next(m)) {
		char *k = aws_xml_text(m, "Key"), *v = aws_xml_text(m, "Value");
		if (k)
			eb_tags_add(out, k, v ? v : "");
		free(k);
		free(v);
	}
	xmlFreeDoc(doc);
	return 0;
}

int eb_update_tags(struct aws_client *c, const char *arn, const struct eb_tags *add,
                   const struct eb_tags *remove, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	size_t i;
	int rc;
	aws_params_add(&p, "ResourceArn", arn);
	for (i = 0; add && i < add->n; i++) {
		aws_params_addf(&p, add->v[i].key, "TagsToAdd.member.%zu.Key", i + 1);
		aws_params_addf(&p, add->v[i].value ? add->v[i].value : "",
		                "TagsToAdd.member.%zu.Value", i + 1);
	}
	for (i = 0; remove && i < remove->n; i++)
		aws_params_addf(&p, remove->v[i].key, "TagsToRemove.member.%zu", i + 1);
	rc = call(c, "UpdateTagsForResource", &p, AWS_IDEMPOTENT, &doc, NULL, err);
	xmlFreeDoc(doc);
	return rc;
}

void eb_tags_add(struct eb_tags *t, const char *key, const char *value)
{
	t->v = xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	t->v[t->n].key = xstrdup(key);
	t->v[t->n].value = value ? xstrdup(value) : NULL;
	t->n++;
}

void eb_tags_cleanup(struct eb_tags *t)
{
	size_t i;
	for (i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].value);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* ---- operations on running environments ---- */

/* An action whose RequestId scopes its events; *request_id may be NULL. */
static int request_action(struct aws_client *c, const char *action, struct aws_params *p,
                          enum aws_idempotency idem, char **request_id, struct aws_error *err)
{
	xmlDocPtr doc = NULL;
	if (request_id)
		*request_id = NULL;
	if (call(c, action, p, idem, &doc, NULL, err) != 0)
		return -1;
	if (request_id)
		*request_id = aws_xml_text(
		    aws_xml_child(xmlDocGetRootElement(doc), "ResponseMetadata"), "RequestId");
	xmlFreeDoc(doc);
	return 0;
}

int eb_restart_app_server(struct aws_client *c, const char *env, char **request_id,
                          struct aws_error *err)
{
	struct aws_params p = {0};
	aws_params_add(&p, "EnvironmentName", env);
	/* a second restart only restarts again */
	return request_action(c, "RestartAppServer", &p, AWS_IDEMPOTENT, request_id, err);
}

int eb_rebuild_environment(struct aws_client *c, const char *env, char **request_id,
                           struct aws_error *err)
{
	struct aws_params p = {0};
	aws_params_add(&p, "EnvironmentName", env);
	return request_action(c, "RebuildEnvironment", &p, AWS_IDEMPOTENT, request_id, err);
}

int eb_swap_cnames(struct aws_client *c, const char *a, const char *b, char **request_id,
                   struct aws_error *err)
{
	struct aws_params p = {0};
	aws_params_add(&p, "SourceEnvironmentName", a);
	aws_params_add(&p, "DestinationEnvironmentName", b);
	/* a swap sent twice swaps back: never blindly again */
	return request_action(c, "SwapEnvironmentCNAMEs", &p, AWS_NOT_IDEMPOTENT, request_id, err);
}

int eb_update_lifecycle(struct aws_client *c, const struct eb_lifecycle *l, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	char num[32];
	int rc;
	const char *v = "ResourceLifecycleConfig.VersionLifecycleConfig.";
	char key[160];
	aws_params_add(&p, "ApplicationName", l->app);
	if (l->service_role)
		aws_params_add(&p, "ResourceLifecycleConfig.ServiceRole", l->service_role);
	snprintf(key, sizeof(key), "%sMaxCountRule.Enabled", v);
	aws_params_add(&p, key, l->max_count ? "true" : "false");
	if (l->max_count) {
		snprintf(num, sizeof(num), "%lu", l->max_count);
		snprintf(key, sizeof(key), "%sMaxCountRule.MaxCount", v);
		aws_params_add(&p, key, num);
		snprintf(key, sizeof(key), "%sMaxCountRule.DeleteSourceFromS3", v);
		aws_params_add(&p, key, l->delete_source ? "true" : "false");
	}
	snprintf(key, sizeof(key), "%sMaxAgeRule.Enabled", v);
	aws_params_add(&p, key, l->max_age_days ? "true" : "false");
	if (l->max_age_days) {
		snprintf(num, sizeof(num), "%lu", l->max_age_days);
		snprintf(key, sizeof(key), "%sMaxAgeRule.MaxAgeInDays", v);
		aws_params_add(&p, key, num);
		snprintf(key, sizeof(key), "%sMaxAgeRule.DeleteSourceFromS3", v);
		aws_params_add(&p, key, l->delete_source ? "true" : "false");
	}
	rc = call(c, "UpdateApplicationResourceLifecycle", &p, AWS_IDEMPOTENT, &doc, NULL, err);
	xmlFreeDoc(doc);
	return rc;
}

int eb_describe_environment_resources(struct aws_client *c, const char *env,
                                      struct strlist *instances, struct aws_error *err)
{
	struct aws_params p = {0};
	xmlDocPtr doc = NULL;
	xmlNodePtr r, m;
	aws_params_add(&p, "EnvironmentName", env);
	if (call(c, "DescribeEnvironmentResources", &p, AWS_IDEMPOTENT, &doc, &r, err))
		return -1;
	for (m = aws_xml_child(aws_xml_path(r, "EnvironmentResources/Instances"), "member"); m;
	     m = aws_xml_next(m)) {
		char *id = aws_xml_text(m, "Id");
		if (id && *id)
			strlist_add(instances, id);
		free(id);
	}
	xmlFreeDoc(doc);
	return 0;
}
