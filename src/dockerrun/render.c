/*
 * ebctl render: a version 2 Dockerrun file as docker-compose or Kubernetes
 * YAML, written with libyaml's emitter (so quoting is always right: "80:80"
 * would be a base-60 number to a YAML 1.1 reader if it were left plain), or
 * as an ECS task definition (render_ecs.c). This file holds the YAML writer,
 * what the targets share, and compose; Kubernetes is in render_k8s.c.
 *
 * Compose: one service per container (image, ports, links with aliases,
 * environment, volumes with /var/app/current made relative, awseb-logs-X
 * as ./logs/X, volumes_from, memory limits, cpu shares, essential as the
 * restart policy, command, entrypoint, hostname, working_dir, user,
 * privileged, dns, extra_hosts, healthcheck, ulimits, logging, stdin_open,
 * tty, labels, stop_grace_period, read_only, cap_add/cap_drop). A '$' in a
 * value is written '$$': docker-compose substitutes host variables into
 * '$NAME', ECS never did. Anything else is named in a warning.
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	return fwrite(buffer, 1, size, data) == size;
}

/* Emit an initialised event (ok = its initialisation succeeded). After a
 * failure (a closed pipe), later events are freed unemitted: the emitter
 * owns only the events it was given. */
static void emit(struct em *m, yaml_event_t *ev, int ok)
{
	if (!ok) {
		m->err = 1;
	} else if (m->err) {
		yaml_event_delete(ev);
	} else if (!yaml_emitter_emit(&m->e, ev)) {
		m->err = 1;
	}
}

void em_map_start(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev,
	     yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

void em_map_end(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev, yaml_mapping_end_event_initialize(&ev));
}

void em_seq_start(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev,
	     yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

void em_seq_end(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void scalar(struct em *m, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	emit(m, &ev,
	     yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)(uintptr_t)s,
	                                  (int)strlen(s), 1, 1, style));
}

void em_begin(struct em *m)
{
	yaml_event_t ev;
	fprintf(m->f, "# %s rendered by ebctl from %s\n", m->title, m->source);
	emit(m, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
}

void em_end(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev, yaml_stream_end_event_initialize(&ev));
	yaml_emitter_flush(&m->e);
}

void em_key(struct em *m, const char *s)
{
	scalar(m, s, YAML_PLAIN_SCALAR_STYLE);
}

void em_str(struct em *m, const char *s)
{
	struct buf b = BUF_INIT;
	if (!s)
		s = "";
	if (m->dollar && strchr(s, '$')) {
		for (; *s; s++)
			if (buf_putc(&b, *s) == 0 && *s == '$')
				buf_putc(&b, '$');
		s = buf_cstr(&b);
	}
	scalar(m, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	buf_free(&b);
}

void em_num(struct em *m, long n)
{
	char b[32];
	snprintf(b, sizeof(b), "%ld", n);
	scalar(m, b, YAML_PLAIN_SCALAR_STYLE);
}

void em_bool(struct em *m, bool b)
{
	scalar(m, b ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
}

void em_flag(struct em *m, const char *k, bool on)
{
	if (on) {
		em_key(m, k);
		em_bool(m, true);
	}
}

void em_kv(struct em *m, const char *k, const char *v)
{
	em_key(m, k);
	em_str(m, v);
}

void em_doc_start(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0));
}

void em_doc_end(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev, yaml_document_end_event_initialize(&ev, 1));
}

void em_string_array(struct em *m, const char *k, const json_t *a)
{
	size_t i;
	if (!a || !json_is_array(a))
		return;
	em_key(m, k);
	em_seq_start(m);
	for (i = 0; i < json_array_size(a); i++)
		em_str(m, json_string_value(json_array_get(a, i)));
	em_seq_end(m);
}

void em_string_map(struct em *m, const char *k, const json_t *o)
{
	void *it;
	json_t *obj = (json_t *)(uintptr_t)o;
	if (!o || !json_is_object(o) || json_object_size(o) == 0)
		return;
	em_key(m, k);
	em_map_start(m);
	for (it = json_object_iter(obj); it; it = json_object_iter_next(obj, it))
		if (json_is_string(json_object_iter_value(it)))
			em_kv(m, json_object_iter_key(it),
			      json_string_value(json_object_iter_value(it)));
	em_map_end(m);
}

const char *rd_str(const struct dr_container *c, const char *k)
{
	json_t *v = json_object_get(c->json, k);
	return v && json_is_string(v) ? json_string_value(v) : NULL;
}

bool rd_obj_int(const json_t *o, const char *k, long *out)
{
	json_t *v = json_object_get(o, k);
	if (!v || !json_is_integer(v))
		return false;
	*out = (long)json_integer_value(v);
	return true;
}

bool rd_int(const struct dr_container *c, const char *k, long *out)
{
	return rd_obj_int(c->json, k, out);
}

bool rd_true(const struct dr_container *c, const char *k)
{
	return json_is_true(json_object_get(c->json, k));
}

/* Whether a value says nothing: null, false, [], {}, or a cpu of 0 (which
 * ECS reads as "no reservation"). */
static bool says_nothing(const char *k, const json_t *v)
{
	return json_is_null(v) || json_is_false(v) ||
	       (json_is_array(v) && json_array_size(v) == 0) ||
	       (json_is_object(v) && json_object_size(v) == 0) ||
	       (strcmp(k, "cpu") == 0 && json_is_integer(v) && json_integer_value(v) == 0);
}

/* What both YAML targets carry over. */
static const char *const carried_both[] = {"name",
                                           "image",
                                           "memory",
                                           "memoryReservation",
                                           "cpu",
                                           "essential",
                                           "links",
                                           "portMappings",
                                           "environment",
                                           "mountPoints",
                                           "volumesFrom",
                                           "command",
                                           "entryPoint",
                                           "workingDirectory",
                                           "privileged",
                                           "extraHosts",
                                           "healthCheck",
                                           "interactive",
                                           "pseudoTerminal",
                                           "dockerLabels",
                                           "stopTimeout",
                                           "readonlyRootFilesystem",
                                           "linuxParameters",
                                           NULL};

void rd_warn_dropped(const struct dr_container *c, const char *const *carried, const char *to)
{
	json_t *obj = (json_t *)(uintptr_t)c->json;
	void *it;
	for (it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		const char *k = json_object_iter_key(it), *const * p;
		bool found = false;
		if (says_nothing(k, json_object_iter_value(it)))
			continue;
		for (p = carried_both; *p && !found; p++)
			found = strcmp(*p, k) == 0;
		for (p = carried; *p && !found; p++)
			found = strcmp(*p, k) == 0;
		if (!found)
			warnf("render: '%s' of container '%s' is not carried over to %s", k,
			      c->name, to);
	}
}

/* The sorted names of n items (those without a name left out); caller frees. */
static struct dr_name *names_sorted(size_t n, const char *(*name_of)(const void *, size_t),
                                    const void *items, size_t *count)
{
	struct dr_name *v = xmalloc((n ? n : 1) * sizeof(*v));
	size_t i;
	*count = 0;
	for (i = 0; i < n; i++) {
		const char *s = name_of(items, i);
		if (s) {
			v[*count].name = s;
			v[(*count)++].idx = i;
		}
	}
	dr_names_sort(v, *count);
	return v;
}

static const char *volume_name(const void *items, size_t i)
{
	return ((const struct dr_volume *)items)[i].name;
}

static const char *container_name(const void *items, size_t i)
{
	return ((const struct dr_container *)items)[i].name;
}

struct dr_name *rd_volumes_sorted(const struct dockerrun *d, size_t *count)
{
	return names_sorted(d->nvolumes, volume_name, d->volumes, count);
}

struct dr_name *rd_containers_sorted(const struct dockerrun *d, size_t *count)
{
	return names_sorted(d->ncontainers, container_name, d->containers, count);
}

long rd_find(const struct dr_name *v, size_t n, const char *name)
{
	long k = dr_names_find(v, n, name);
	return k < 0 ? -1 : (long)v[k].idx;
}

long rd_replicas_of(const struct dr_render_opts *o, const struct dr_container *c)
{
	size_t i;
	long n = 0;
	for (i = 0; i < o->nreplicas; i++)
		if (c->name && strcmp(o->replicas[i].name, c->name) == 0)
			n = o->replicas[i].n; /* the last one given counts */
	return n;
}

/* ---- compose ---- */

static const char *str_or_empty(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

/* A number of seconds as a compose duration ("30s"). */
static void seconds(struct em *m, const char *k, long s)
{
	char b[32];
	snprintf(b, sizeof(b), "%lds", s);
	em_kv(m, k, b);
}

static void compose_health(struct em *m, const json_t *h)
{
	long n;
	const json_t *cmd = json_object_get(h, "command");
	if (!json_is_object(h) || !json_is_array(cmd) || json_array_size(cmd) == 0)
		return;
	em_key(m, "healthcheck");
	em_map_start(m);
	em_string_array(m, "test", cmd); /* CMD / CMD-SHELL / NONE, as Docker takes them */
	if (rd_obj_int(h, "interval", &n))
		seconds(m, "interval", n);
	if (rd_obj_int(h, "timeout", &n))
		seconds(m, "timeout", n);
	if (rd_obj_int(h, "retries", &n)) {
		em_key(m, "retries");
		em_num(m, n);
	}
	if (rd_obj_int(h, "startPeriod", &n))
		seconds(m, "start_period", n);
	em_map_end(m);
}

static void compose_extras(struct em *m, const struct dr_container *c)
{
	const json_t *v;
	size_t i;
	long n;
	struct buf b = BUF_INIT;

	v = json_object_get(c->json, "extraHosts");
	if (json_is_array(v) && json_array_size(v)) {
		em_key(m, "extra_hosts");
		em_seq_start(m);
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *h = json_array_get(v, i);
			buf_reset(&b);
			buf_printf(&b, "%s:%s", str_or_empty(json_object_get(h, "hostname")),
			           str_or_empty(json_object_get(h, "ipAddress")));
			em_str(m, buf_cstr(&b));
		}
		em_seq_end(m);
	}
	compose_health(m, json_object_get(c->json, "healthCheck"));
	v = json_object_get(c->json, "ulimits");
	if (json_is_array(v) && json_array_size(v)) {
		em_key(m, "ulimits");
		em_map_start(m);
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *u = json_array_get(v, i);
			const char *name = json_string_value(json_object_get(u, "name"));
			if (!name)
				continue;
			em_key(m, name);
			em_map_start(m);
			if (rd_obj_int(u, "softLimit", &n)) {
				em_key(m, "soft");
				em_num(m, n);
			}
			if (rd_obj_int(u, "hardLimit", &n)) {
				em_key(m, "hard");
				em_num(m, n);
			}
			em_map_end(m);
		}
		em_map_end(m);
	}
	v = json_object_get(c->json, "logConfiguration");
	if (json_is_object(v) && json_string_value(json_object_get(v, "logDriver"))) {
		em_key(m, "logging");
		em_map_start(m);
		em_kv(m, "driver", json_string_value(json_object_get(v, "logDriver")));
		em_string_map(m, "options", json_object_get(v, "options"));
		em_map_end(m);
	}
	em_flag(m, "stdin_open", rd_true(c, "interactive"));
	em_flag(m, "tty", rd_true(c, "pseudoTerminal"));
	em_string_map(m, "labels", json_object_get(c->json, "dockerLabels"));
	if (rd_int(c, "stopTimeout", &n))
		seconds(m, "stop_grace_period", n);
	em_flag(m, "read_only", rd_true(c, "readonlyRootFilesystem"));
	v = json_object_get(json_object_get(c->json, "linuxParameters"), "capabilities");
	if (json_is_object(v)) {
		const json_t *add = json_object_get(v, "add"), *drop = json_object_get(v, "drop");
		if (json_array_size(add))
			em_string_array(m, "cap_add", add);
		if (json_array_size(drop))
			em_string_array(m, "cap_drop", drop);
	}
	buf_free(&b);
}

/* linuxParameters beyond capabilities have no place in either YAML target. */
void rd_warn_linux_parameters(const struct dr_container *c, const char *to)
{
	json_t *lp = json_object_get(c->json, "linuxParameters");
	void *it;
	if (!json_is_object(lp))
		return;
	for (it = json_object_iter(lp); it; it = json_object_iter_next(lp, it)) {
		const char *k = json_object_iter_key(it);
		if (strcmp(k, "capabilities") != 0 && !says_nothing(k, json_object_iter_value(it)))
			warnf("render: 'linuxParameters.%s' of container '%s' is not carried over "
			      "to %s",
			      k, c->name, to);
	}
}

static void compose_service(struct em *m, const struct dockerrun *d, const struct dr_container *c,
                            const struct dr_name *vols, size_t nvols, bool *named_volumes,
                            const struct dr_render_opts *o)
{
	static const char *const carried[] = {"hostname",         "user", "dnsServers", "ulimits",
	                                      "logConfiguration", NULL};
	struct buf b = BUF_INIT;
	size_t i;
	long replicas = rd_replicas_of(o, c);
	bool dropped_port = false;

	em_key(m, c->name);
	em_map_start(m);
	em_kv(m, "image", c->image);
	if (c->nports) {
		em_key(m, "ports");
		em_seq_start(m);
		for (i = 0; i < c->nports; i++) {
			const struct dr_port *p = &c->ports[i];
			buf_reset(&b);
			/* one host port cannot take several replicas: let Docker pick */
			if (p->host_port && replicas > 1)
				dropped_port = true;
			else if (p->host_port)
				buf_printf(&b, "%ld:", p->host_port);
			buf_printf(&b, "%ld/%s", p->container_port, p->protocol);
			em_str(m, buf_cstr(&b));
		}
		em_seq_end(m);
	}
	if (dropped_port)
		warnf("render: the fixed host ports of container '%s' are left to Docker to pick: "
		      "one host port cannot take %ld replicas",
		      c->name, replicas);
	if (c->nlinks) {
		em_key(m, "links");
		em_seq_start(m);
		for (i = 0; i < c->nlinks; i++) {
			buf_reset(&b);
			buf_puts(&b, c->links[i].target);
			if (c->links[i].alias)
				buf_printf(&b, ":%s", c->links[i].alias);
			em_str(m, buf_cstr(&b));
		}
		em_seq_end(m);
	}
	if (o->env_file) {
		em_key(m, "env_file");
		em_seq_start(m);
		em_str(m, o->env_file);
		em_seq_end(m);
	}
	if (c->nenv) {
		em_key(m, "environment");
		em_map_start(m);
		for (i = 0; i < c->nenv; i++)
			em_kv(m, c->env[i].name, c->env[i].value);
		em_map_end(m);
	}
	if (c->nmounts) {
		em_key(m, "volumes");
		em_seq_start(m);
		for (i = 0; i < c->nmounts; i++) {
			const struct dr_mount *mp = &c->mounts[i];
			long vk = rd_find(vols, nvols, mp->source_volume);
			const struct dr_volume *vol = vk >= 0 ? &d->volumes[vk] : NULL;
			buf_reset(&b);
			if (str_starts_with(mp->source_volume, "awseb-logs-")) {
				buf_printf(&b, "./logs/%s", mp->source_volume + 11);
			} else if (vol && vol->source_path) {
				const char *sp = vol->source_path;
				if (str_starts_with(sp, "/var/app/current") &&
				    (sp[16] == 0 || sp[16] == '/'))
					buf_printf(&b, ".%s", sp + 16);
				else
					buf_puts(&b, sp);
			} else {
				buf_puts(&b, mp->source_volume);
				*named_volumes = true;
			}
			buf_printf(&b, ":%s%s", mp->container_path, mp->read_only ? ":ro" : "");
			em_str(m, buf_cstr(&b));
		}
		em_seq_end(m);
	}
	if (c->nvolumes_from) {
		em_key(m, "volumes_from");
		em_seq_start(m);
		for (i = 0; i < c->nvolumes_from; i++) {
			buf_reset(&b);
			buf_printf(&b, "%s%s", c->volumes_from[i].source_container,
			           c->volumes_from[i].read_only ? ":ro" : "");
			em_str(m, buf_cstr(&b));
		}
		em_seq_end(m);
	}
	if (c->has_memory) {
		buf_reset(&b);
		buf_printf(&b, "%ldm", c->memory);
		em_kv(m, "mem_limit", buf_cstr(&b));
	}
	if (c->has_memory_reservation) {
		buf_reset(&b);
		buf_printf(&b, "%ldm", c->memory_reservation);
		em_kv(m, "mem_reservation", buf_cstr(&b));
	}
	if (c->cpu > 0) {
		em_key(m, "cpu_shares");
		em_num(m, c->cpu);
	}
	em_string_array(m, "command", c->command);
	em_string_array(m, "entrypoint", c->entry_point);
	if (rd_str(c, "hostname"))
		em_kv(m, "hostname", rd_str(c, "hostname"));
	if (rd_str(c, "workingDirectory"))
		em_kv(m, "working_dir", rd_str(c, "workingDirectory"));
	if (rd_str(c, "user"))
		em_kv(m, "user", rd_str(c, "user"));
	em_flag(m, "privileged", rd_true(c, "privileged"));
	em_string_array(m, "dns", json_object_get(c->json, "dnsServers"));
	compose_extras(m, c);
	if (replicas > 0) {
		em_key(m, "deploy");
		em_map_start(m);
		em_key(m, "replicas");
		em_num(m, replicas);
		em_map_end(m);
	}
	/* an essential container keeps the task up: locally, restart it */
	em_kv(m, "restart", c->essential ? "always" : "no");
	em_map_end(m);
	rd_warn_dropped(c, carried, "compose");
	rd_warn_linux_parameters(c, "compose");
	buf_free(&b);
}

int rd_render_compose(struct em *m, const struct dockerrun *d, const struct dr_render_opts *o)
{
	size_t i, nvols;
	bool named = false;
	struct dr_name *vols = rd_volumes_sorted(d, &nvols);
	m->dollar = true;
	em_begin(m);
	em_doc_start(m);
	em_map_start(m);
	em_key(m, "services");
	em_map_start(m);
	for (i = 0; i < d->ncontainers; i++)
		compose_service(m, d, &d->containers[i], vols, nvols, &named, o);
	em_map_end(m);
	free(vols);
	if (named) {
		em_key(m, "volumes");
		em_map_start(m);
		for (i = 0; i < d->nvolumes; i++)
			if (d->volumes[i].name && !d->volumes[i].source_path) {
				em_key(m, d->volumes[i].name);
				em_map_start(m);
				em_map_end(m);
			}
		em_map_end(m);
	}
	em_map_end(m);
	em_doc_end(m);
	em_end(m);
	return 0;
}

/* Every --replicas name must be a container's. */
static int check_replicas(const struct dockerrun *d, const struct dr_render_opts *o)
{
	size_t i, n;
	struct dr_name *byname = rd_containers_sorted(d, &n);
	int rc = 0;
	for (i = 0; i < o->nreplicas; i++)
		if (rd_find(byname, n, o->replicas[i].name) < 0) {
			errorf("render: --replicas names '%s', which is no container of the file",
			       o->replicas[i].name);
			rc = DR_RENDER_EINVAL;
		}
	free(byname);
	return rc;
}

int dr_render(FILE *f, const struct dr_report *r, const struct dr_render_opts *o)
{
	struct em m;
	int rc;
	if (r->model.version != 2 || r->errors)
		return DR_RENDER_EINVAL;
	if ((rc = check_replicas(&r->model, o)))
		return rc;
	if (o->to == DR_RENDER_ECS)
		return rd_render_ecs(f, &r->model, o);
	memset(&m, 0, sizeof(m));
	m.f = f;
	m.source = o->source;
	m.title = o->to == DR_RENDER_K8S ? "Kubernetes manifests" : "docker-compose";
	if (!yaml_emitter_initialize(&m.e))
		return DR_RENDER_EWRITE;
	yaml_emitter_set_output(&m.e, write_handler, f);
	yaml_emitter_set_unicode(&m.e, 1);
	yaml_emitter_set_width(&m.e, -1);
	/* Kubernetes names are checked before anything is written */
	if (o->to == DR_RENDER_K8S)
		rc = rd_render_k8s(&m, &r->model, o);
	else
		rc = rd_render_compose(&m, &r->model, o);
	yaml_emitter_delete(&m.e);
	if (rc)
		return rc;
	return m.err || ferror(f) ? DR_RENDER_EWRITE : 0;
}
