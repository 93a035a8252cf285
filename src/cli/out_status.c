/* `ebctl status` and `ebctl health`: one description of an environment. */
#include "ebctl/aws.h"
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/verdict.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *health_color(const char *health)
{
	if (!health)
		return NULL;
	if (!strcmp(health, "Green") || !strcmp(health, "Ok"))
		return COLOR_GREEN;
	if (!strcmp(health, "Yellow") || !strcmp(health, "Warning"))
		return COLOR_YELLOW;
	if (!strcmp(health, "Red") || !strcmp(health, "Degraded") || !strcmp(health, "Severe"))
		return COLOR_RED;
	return NULL;
}

static json_t *json_time(int64_t t)
{
	char s[32];
	if (t <= 0)
		return json_null();
	time_format_iso8601(t, s, sizeof(s));
	return json_string(s);
}

static void print_json(const struct eb_environment *e, const struct eb_env_health *h, bool health)
{
	json_t *o = json_object(), *causes = json_array();
	char *url = eb_environment_url(e);
	size_t i;

	json_object_set_new(o, "environment", out_json_string(e->name));
	json_object_set_new(o, "environment_id", out_json_string(e->id));
	json_object_set_new(o, "application", out_json_string(e->app));
	json_object_set_new(o, "status", out_json_string(e->status));
	json_object_set_new(o, "health", out_json_string(h && h->color ? h->color : e->health));
	json_object_set_new(
	    o, "health_status",
	    out_json_string(h && h->health_status ? h->health_status : e->health_status));
	for (i = 0; h && i < h->ncauses; i++)
		json_array_append_new(causes, out_json_string(h->causes[i]));
	json_object_set_new(o, "causes", causes);
	json_object_set_new(o, "version_label", out_json_string(e->version_label));
	json_object_set_new(o, "platform",
	                    out_json_string(e->platform_arn ? e->platform_arn : e->solution_stack));
	json_object_set_new(o, "tier", out_json_string(e->tier));
	json_object_set_new(o, "cname", out_json_string(e->cname));
	json_object_set_new(o, "url", out_json_string(url));
	json_object_set_new(o, "endpoint_url", out_json_string(e->endpoint_url));
	json_object_set_new(o, "created", json_time(e->created));
	json_object_set_new(o, "updated", json_time(e->updated));
	json_object_set_new(o, "enhanced_health", json_boolean(h != NULL));
	if (health && h) {
		json_t *inst = json_object(), *m = json_object();
		json_object_set_new(inst, "ok", json_integer(h->ok));
		json_object_set_new(inst, "info", json_integer(h->info));
		json_object_set_new(inst, "warning", json_integer(h->warning));
		json_object_set_new(inst, "degraded", json_integer(h->degraded));
		json_object_set_new(inst, "severe", json_integer(h->severe));
		json_object_set_new(inst, "pending", json_integer(h->pending));
		json_object_set_new(inst, "unknown", json_integer(h->unknown));
		json_object_set_new(inst, "no_data", json_integer(h->no_data));
		json_object_set_new(o, "instances", inst);
		json_object_set_new(m, "request_count", json_integer(h->request_count));
		json_object_set_new(m, "duration_s", json_integer(h->duration_s));
		json_object_set_new(m, "status_2xx", json_integer(h->status_2xx));
		json_object_set_new(m, "status_3xx", json_integer(h->status_3xx));
		json_object_set_new(m, "status_4xx", json_integer(h->status_4xx));
		json_object_set_new(m, "status_5xx", json_integer(h->status_5xx));
		json_object_set_new(m, "p50", h->p50 >= 0 ? json_real(h->p50) : json_null());
		json_object_set_new(m, "p90", h->p90 >= 0 ? json_real(h->p90) : json_null());
		json_object_set_new(m, "p99", h->p99 >= 0 ? json_real(h->p99) : json_null());
		json_object_set_new(o, "application_metrics", m);
		json_object_set_new(o, "refreshed_at", json_time(h->refreshed_at));
	}
	out_json(o);
	free(url);
}

/* "Label:  value" with the value absent shown as "-". */
static void row(const char *label, const char *value)
{
	out_line("%-13s %s\n", label, value && *value ? value : "-");
}

static void print_text(const struct eb_environment *e, const struct eb_env_health *h, bool health)
{
	bool color = term_use_color(stdout);
	const char *colour_name = h && h->color ? h->color : e->health;
	const char *status_name = h && h->health_status ? h->health_status : e->health_status;
	const char *c = color ? health_color(colour_name) : NULL;
	char when[32], *url = eb_environment_url(e), *line;
	size_t i;

	line = xasprintf("%s%s%s%s%s%s", c ? c : "", colour_name ? colour_name : "-",
	                 c ? COLOR_RESET : "", status_name ? " (" : "",
	                 status_name ? status_name : "", status_name ? ")" : "");
	if (e->id && *e->id)
		out_line("%-13s %s (%s)\n", "Environment:", e->name ? e->name : "-", e->id);
	else
		row("Environment:", e->name);
	row("Application:", e->app);
	row("Status:", e->status);
	row("Health:", line);
	free(line);
	if (h && h->ncauses) {
		out_line("Causes:\n");
		for (i = 0; i < h->ncauses; i++)
			out_line("  - %s\n", h->causes[i]);
	}
	if (health && h) {
		out_line("%-13s %d ok, %d info, %d warning, %d degraded, %d severe, %d pending, %d "
		         "unknown, "
		         "%d no data\n",
		         "Instances:", h->ok, h->info, h->warning, h->degraded, h->severe,
		         h->pending, h->unknown, h->no_data);
		if (h->request_count > 0)
			out_line("%-13s %d in %ds: %d 2xx, %d 3xx, %d 4xx, %d 5xx\n",
			         "Requests:", h->request_count, h->duration_s, h->status_2xx,
			         h->status_3xx, h->status_4xx, h->status_5xx);
		if (h->p50 >= 0)
			out_line("%-13s p50 %.3fs, p90 %.3fs, p99 %.3fs\n", "Latency:", h->p50,
			         h->p90, h->p99);
		if (h->refreshed_at > 0) {
			time_format_iso8601(h->refreshed_at, when, sizeof(when));
			row("Refreshed:", when);
		}
	} else if (health) {
		out_line("%-13s %s\n",
		         "Note:", "enhanced health is not enabled: no causes or instance counts");
	}
	row("Version:", e->version_label);
	if (!health) {
		row("Platform:", e->platform_arn ? e->platform_arn : e->solution_stack);
		row("Tier:", e->tier);
		row("CNAME:", e->cname);
		row("URL:", url);
	}
	if (e->updated > 0) {
		time_format_iso8601(e->updated, when, sizeof(when));
		row("Updated:", when);
	}
	free(url);
}

/* A platform branch that is deprecated or retired: say so, and how to move
 * off it. Costs one ListPlatformVersions of the branch; says nothing when
 * that cannot be read. */
static void warn_lifecycle(struct op_target *t, const struct eb_environment *e)
{
	const char *p = e->platform_arn ? strstr(e->platform_arn, ":platform/") : NULL;
	const char *slash = p ? strrchr(p + 10, '/') : NULL;
	struct eb_platforms ps = {NULL, 0};
	struct aws_error err;
	char *branch;
	size_t i;
	if (!slash)
		return;
	branch = xstrndup(p + 10, (size_t)(slash - (p + 10)));
	aws_error_clear(&err);
	if (eb_list_platforms(t->client, branch, &ps, &err) == 0)
		for (i = 0; i < ps.n; i++)
			if (ps.v[i].branch && !strcmp(ps.v[i].branch, branch) &&
			    ps.v[i].branch_state &&
			    (!strcmp(ps.v[i].branch_state, "Deprecated") ||
			     !strcmp(ps.v[i].branch_state, "Retired"))) {
				sink_warn(
				    t->sink,
				    "the platform branch '%s' of '%s' is %s: Elastic Beanstalk "
				    "retires "
				    "such branches; move with 'ebctl upgrade --env %s --platform "
				    "%s'",
				    branch, e->name ? e->name : t->env, ps.v[i].branch_state,
				    e->name ? e->name : t->env,
				    !strncmp(branch, "ECS", 3) ? "ecs" : "docker");
				break;
			}
	eb_platforms_cleanup(&ps);
	free(branch);
}

int out_status(struct op_target *t, enum op_format fmt, bool health, unsigned healthy)
{
	struct eb_environments envs = {NULL, 0};
	struct eb_env_health h;
	struct aws_error err;
	bool have_health = false;
	int rc = 0;

	memset(&h, 0, sizeof(h));
	if ((rc = op_describe_env(t, &envs)))
		goto out;
	aws_error_clear(&err);
	/* Enhanced health gives the causes; basic health environments refuse the call. */
	if (eb_describe_environment_health(t->client, t->env, &h, &err) == 0) {
		have_health = true;
	} else if (err.interrupted ||
	           (health && (err.network || err.http_status == 0 || err.http_status >= 500 ||
	                       !strcmp(err.code, "AccessDenied") ||
	                       !strcmp(err.code, "AccessDeniedException")))) {
		rc = op_aws_fail(&err, t->sink);
		goto out;
	} else if (err.http_status == 400 && strcmp(err.code, "AccessDenied") != 0) {
		/* Basic health: the service refuses the call, there is nothing more to say. */
		char msg[1024];
		debugf("no enhanced health: %s", aws_error_format(&err, msg, sizeof(msg)));
	} else {
		/* status can do without the causes; say why they are missing. */
		char msg[1024];
		sink_warn(t->sink, "no health details: %s",
		          aws_error_format(&err, msg, sizeof(msg)));
	}
	if (fmt == OP_FORMAT_JSON)
		print_json(&envs.v[0], have_health ? &h : NULL, health);
	else
		print_text(&envs.v[0], have_health ? &h : NULL, health);
	if (!health)
		warn_lifecycle(t, &envs.v[0]);
	if (healthy && !(verdict_health_bit(envs.v[0].health) & healthy))
		rc = EBCTL_ERR_UNHEALTHY;
out:
	eb_env_health_cleanup(&h);
	eb_environments_cleanup(&envs);
	return rc;
}

void out_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (!s)
		die("out of memory");
	out_line("%s\n", s);
	free(s);
}
