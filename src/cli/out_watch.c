/* Rendering what the watcher hands over: events, health waits, results. */
#include "ebctl/aws.h"
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "ebctl/verdict.h"
#include "ebctl/watch.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void healthy_names(unsigned mask, char *out, size_t n)
{
	static const char *names[] = {"Green", "Yellow", "Red", "Grey"};
	size_t i, len = 0;
	out[0] = '\0';
	for (i = 0; i < EBCTL_ARRAY_LEN(names); i++)
		if (verdict_health_bit(names[i]) & mask)
			len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%s",
			                        len ? " or " : "", names[i]);
}

static void put_prefix(const struct watch_out *o, const struct watch_env *e, FILE *f)
{
	if (o->prefix)
		fprintf(f, "%s: ", e->name);
}

static void on_event(void *ctx, const struct watch_env *e, const struct eb_event *ev)
{
	const struct watch_out *o = ctx;
	char when[32], *msg;
	const char *sev = ev->severity ? ev->severity : "INFO";
	const char *c = "";
	bool color = term_use_color(stderr);
	if (ebctl_quiet)
		return;
	time_format_iso8601(ev->date, when, sizeof(when));
	if (color && (!strcasecmp(sev, "ERROR") || !strcasecmp(sev, "FATAL")))
		c = COLOR_RED;
	else if (color && !strcasecmp(sev, "WARN"))
		c = COLOR_YELLOW;
	msg = text_escape(ev->message);
	fflush(stdout);
	put_prefix(o, e, stderr);
	/* "2024-01-02T03:04:05Z" -> "03:04:05" */
	fprintf(stderr, "%.8s %s%-5s%s %s\n", strlen(when) >= 19 ? when + 11 : when, c, sev,
	        *c ? COLOR_RESET : "", msg);
	fflush(stderr);
	free(msg);
}

static void on_health(void *ctx, const struct watch_env *e)
{
	const struct watch_out *o = ctx;
	struct buf line = BUF_INIT;
	char want[48];
	char *text;
	size_t i;
	if (ebctl_quiet)
		return;
	healthy_names(o->healthy, want, sizeof(want));
	buf_printf(&line, "waiting for health %s (now %s", want,
	           e->health && *e->health ? e->health : "unknown");
	for (i = 0; i < e->ncauses; i++)
		buf_printf(&line, "%s%s", i ? "; " : ": ", e->causes[i]);
	buf_puts(&line, ")");
	text = text_escape(buf_cstr(&line));
	fflush(stdout);
	fputs("ebctl: ", stderr);
	put_prefix(o, e, stderr);
	fprintf(stderr, "%s\n", text);
	free(text);
	buf_cleanup(&line);
}

static void on_pending(void *ctx, const struct watch_env *e)
{
	(void)ctx;
	notef("%s is %s: waiting until it is Ready", e->name, e->status ? e->status : "busy");
}

void watch_out_ops(struct watch_ops *ops, struct watch_out *o)
{
	memset(ops, 0, sizeof(*ops));
	ops->ctx = o;
	ops->on_event = on_event;
	ops->on_health = on_health;
	ops->on_pending = on_pending;
}

long long watch_out_seconds(const struct watch_env *e)
{
	int64_t end = e->ended_ms ? e->ended_ms : time_mono_ms();
	return (long long)((end - e->started_ms + 500) / 1000);
}

void watch_out_line(FILE *f, const struct watch_env *e, bool color)
{
	const char *c = !color                         ? ""
	                : e->rc == 0                   ? COLOR_GREEN
	                : e->rc == EBCTL_ERR_UNHEALTHY ? COLOR_YELLOW
	                                               : COLOR_RED;
	char *reason = text_escape(e->reason);
	fprintf(f, "%s%s%s: %s: %s (%llds)\n", c, e->name, *c ? COLOR_RESET : "",
	        watch_result_name(e), reason, watch_out_seconds(e));
	free(reason);
}

void watch_out_hints(const struct watch_env *envs, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		const struct watch_env *e = &envs[i];
		if (e->instance_failed && e->rc == EBCTL_ERR_FAILED)
			notef("hint: the instances' logs say why '%s' failed: ebctl logs --env %s",
			      e->name, e->name);
		if (e->rc == EBCTL_ERR_INTERRUPTED && e->request_id && !e->aborted)
			errorf("interrupted (%s): '%s' is still updating%s%s%s; follow it with "
			       "'ebctl events -f --env %s', or stop it with 'aws elasticbeanstalk "
			       "abort-environment-update --environment-name %s'",
			       interrupt_signal_name(), e->name, e->label ? " to '" : "",
			       e->label ? e->label : "", e->label ? "'" : "", e->name, e->name);
	}
}

static json_t *jstr(const char *s)
{
	return s ? out_json_string(s) : json_null();
}

json_t *watch_out_json(const struct watch_env *e)
{
	json_t *o = json_object(), *causes = json_array();
	int64_t end = e->ended_ms ? e->ended_ms : time_mono_ms();
	size_t i;
	for (i = 0; i < e->ncauses; i++)
		json_array_append_new(causes, jstr(e->causes[i]));
	json_object_set_new(o, "environment", jstr(e->name));
	json_object_set_new(o, "result", json_string(watch_result_name(e)));
	json_object_set_new(o, "label", jstr(e->label));
	json_object_set_new(o, "running_label", jstr(e->running_label));
	json_object_set_new(o, "rolled_back", json_boolean(e->rolled_back));
	json_object_set_new(o, "status", jstr(e->status));
	json_object_set_new(o, "health", jstr(e->health));
	json_object_set_new(o, "causes", causes);
	json_object_set_new(o, "url", jstr(e->url));
	json_object_set_new(o, "seconds",
	                    json_real((double)((end - e->started_ms + 50) / 100) / 10.0));
	json_object_set_new(o, "request_id", jstr(e->request_id));
	json_object_set_new(o, "reason", jstr(e->reason));
	json_object_set_new(o, "exit_code", json_integer(cli_exit_code(e->rc)));
	return o;
}

int watch_out_one(struct aws_client *c, const char *app, struct watch_env *e, char *request_id,
                  unsigned long timeout_s, unsigned healthy)
{
	struct watch w;
	struct watch_out wo = {false, healthy};
	int rc;
	watch_init(&w, app, e, 1, healthy, time_mono_ms() + (int64_t)timeout_s * 1000,
	           time_mono_ms());
	watch_out_ops(&w.ops, &wo);
	watch_env_follow(&w, e, request_id, time_mono_ms());
	rc = watch_run(&w, c);
	watch_out_line(stdout, e, term_use_color(stdout));
	watch_out_hints(e, 1);
	watch_cleanup(&w);
	return rc;
}

int watch_out_same_version(struct aws_client *c, const char *app, const char *env,
                           const char *running, char *request_id, unsigned long timeout_s,
                           unsigned healthy)
{
	struct watch_env e;
	memset(&e, 0, sizeof(e));
	e.name = env;
	e.label = running;
	e.label_was_running = true; /* its label alone does not show the operation ran */
	e.previous_label = running ? xstrdup(running) : NULL;
	return watch_out_one(c, app, &e, request_id, timeout_s, healthy);
}

int confirm_by_name(const char *env, const char *what, const char *done)
{
	char line[256];
	if (!isatty(STDIN_FILENO)) {
		errorf("refusing: '%s' is not %s without a terminal to confirm it on; give --force",
		       env, done);
		return EBCTL_ERR_USAGE;
	}
	fprintf(stderr, "'%s': %s.\nType its name to confirm: ", env, what);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strcmp(line, env))
			return 0;
	}
	errorf("not confirmed: '%s' was not %s", env, done);
	return EBCTL_ERR_INVALID;
}

int op_update_settings(struct op_target *t, const struct strlist *envs,
                       struct eb_option_settings *set, struct eb_option_settings *remove,
                       const char *summary, bool no_wait, unsigned long timeout_s, unsigned healthy)
{
	const char *const *names = envs && envs->n ? (const char *const *)envs->v : &t->env;
	size_t n = envs && envs->n ? envs->n : 1, i;
	struct watch_env *es = xcalloc(n, sizeof(*es));
	struct watch_out wo = {n > 1, healthy};
	struct eb_environments records = {NULL, 0};
	struct watch w;
	int rc;

	/* Every environment is read before any is changed: a misspelt name
	 * stops the command with nothing updated. The verdict wants each back
	 * on the version it runs now. */
	rc = op_describe_envs(t, names, n, &records);
	for (i = 0; i < n; i++) {
		const struct eb_environment *r =
		    rc ? NULL : eb_environments_find(&records, names[i]);
		es[i].name = names[i];
		es[i].label_was_running = true; /* its label alone does not show the update ran */
		if (r && r->version_label)
			es[i].previous_label = xstrdup(r->version_label);
		es[i].label = es[i].previous_label;
	}
	eb_environments_cleanup(&records);
	watch_init(&w, t->app, es, n, healthy, time_mono_ms() + (int64_t)timeout_s * 1000,
	           time_mono_ms());
	watch_out_ops(&w.ops, &wo);
	for (i = 0; rc == 0 && i < n; i++) {
		struct eb_update u;
		struct aws_error err;
		char *request_id = NULL, msg[400];
		if (interrupt_requested()) {
			watch_env_end(&es[i], EBCTL_ERR_INTERRUPTED, "interrupted: not updated",
			              time_mono_ms());
			continue;
		}
		memset(&u, 0, sizeof(u));
		u.app = t->app;
		u.env = es[i].name;
		u.settings = set && set->n ? set : NULL;
		u.remove = remove && remove->n ? remove : NULL;
		aws_error_clear(&err);
		if (eb_update_environment(t->client, &u, &request_id, &err)) {
			int code = cli_aws_fail(&err);
			watch_env_end(&es[i], code, aws_error_format(&err, msg, sizeof(msg)),
			              time_mono_ms());
			continue;
		}
		notef("updating environment '%s': %s (request %s)", es[i].name, summary,
		      request_id ? request_id : "-");
		if (no_wait) {
			free(request_id);
			watch_env_end(&es[i], EBCTL_OK, "update started; not waiting (--no-wait)",
			              time_mono_ms());
		} else { /* the watcher takes request_id */
			watch_env_follow(&w, &es[i], request_id, time_mono_ms());
		}
	}
	if (rc == 0 && !no_wait) {
		rc = watch_run(&w, t->client);
		for (i = 0; i < n; i++)
			watch_out_line(stdout, &es[i], term_use_color(stdout));
		watch_out_hints(es, n);
	} else if (rc == 0) {
		for (i = 0; i < n; i++)
			rc = watch_combine(rc, es[i].rc);
	}
	watch_cleanup(&w);
	free(es);
	return rc;
}
