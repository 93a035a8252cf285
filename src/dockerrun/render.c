/*
 * ebctl render: a version 2 Dockerrun file as docker-compose or Kubernetes
 * YAML, written with libyaml's emitter (so quoting is always right: "80:80"
 * would be a base-60 number to a YAML 1.1 reader if it were left plain).
 *
 * Compose: one service per container (image, ports, links with aliases,
 * environment, volumes with /var/app/current made relative, awseb-logs-X
 * as ./logs/X, volumes_from, memory limits, cpu shares, essential as the
 * restart policy, command, entrypoint, hostname, working_dir, user,
 * privileged, dns). Kubernetes: a Deployment per container (containers of
 * an ECS task share a host, but links are by name, and Services give that
 * name), a Service per container with ports or links to it, one per link
 * alias, memory as limits/requests. Anything else is named in a warning.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "internal.h"

struct em {
	yaml_emitter_t e;
	int err;
};

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

static void map_start(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev,
	     yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void map_end(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void seq_start(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev,
	     yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

static void seq_end(struct em *m)
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

/* Keys we choose are plain; every value from the file is quoted. */
static void key(struct em *m, const char *s)
{
	scalar(m, s, YAML_PLAIN_SCALAR_STYLE);
}

static void str(struct em *m, const char *s)
{
	scalar(m, s ? s : "", YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static void num(struct em *m, long n)
{
	char b[32];
	snprintf(b, sizeof(b), "%ld", n);
	scalar(m, b, YAML_PLAIN_SCALAR_STYLE);
}

static void kv(struct em *m, const char *k, const char *v)
{
	key(m, k);
	str(m, v);
}

static void doc_start(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0));
}

static void doc_end(struct em *m)
{
	yaml_event_t ev;
	emit(m, &ev, yaml_document_end_event_initialize(&ev, 1));
}

static void string_array(struct em *m, const char *k, const json_t *a)
{
	size_t i;
	if (!a || !json_is_array(a))
		return;
	key(m, k);
	seq_start(m);
	for (i = 0; i < json_array_size(a); i++)
		str(m, json_string_value(json_array_get(a, i)));
	seq_end(m);
}

static const char *jstr(const struct dr_container *c, const char *k)
{
	json_t *v = json_object_get(c->json, k);
	return v && json_is_string(v) ? json_string_value(v) : NULL;
}

/* Warn about every non-null key of the container not in `carried`. */
static void warn_dropped(const struct dr_container *c, const char *const *carried, const char *to)
{
	json_t *obj = (json_t *)(uintptr_t)c->json;
	void *it;
	for (it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		const char *k = json_object_iter_key(it), *const * p;
		bool found = false;
		if (json_is_null(json_object_iter_value(it)))
			continue;
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
			v[*count].idx = i;
			(*count)++;
		}
	}
	dr_names_sort(v, *count);
	return v;
}

/* The index of the first item called name, or -1. */
static long name_find(const struct dr_name *v, size_t n, const char *name)
{
	long k = dr_names_find(v, n, name);
	return k < 0 ? -1 : (long)v[k].idx;
}

static const char *volume_name(const void *items, size_t i)
{
	return ((const struct dr_volume *)items)[i].name;
}

static const char *container_name(const void *items, size_t i)
{
	return ((const struct dr_container *)items)[i].name;
}

static const char *string_at(const void *items, size_t i)
{
	return ((char *const *)items)[i];
}

/* ---- compose ---- */

static void compose_service(struct em *m, const struct dockerrun *d, const struct dr_container *c,
                            const struct dr_name *vols, size_t nvols, bool *named_volumes)
{
	static const char *const carried[] = {"name",
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
	                                      "hostname",
	                                      "workingDirectory",
	                                      "user",
	                                      "privileged",
	                                      "dnsServers",
	                                      NULL};
	struct buf b = BUF_INIT;
	size_t i;
	json_t *v;

	key(m, c->name);
	map_start(m);
	kv(m, "image", c->image);
	if (c->nports) {
		key(m, "ports");
		seq_start(m);
		for (i = 0; i < c->nports; i++) {
			const struct dr_port *p = &c->ports[i];
			buf_reset(&b);
			if (p->host_port)
				buf_printf(&b, "%ld:", p->host_port);
			buf_printf(&b, "%ld/%s", p->container_port, p->protocol);
			str(m, buf_cstr(&b));
		}
		seq_end(m);
	}
	if (c->nlinks) {
		key(m, "links");
		seq_start(m);
		for (i = 0; i < c->nlinks; i++) {
			buf_reset(&b);
			buf_puts(&b, c->links[i].target);
			if (c->links[i].alias)
				buf_printf(&b, ":%s", c->links[i].alias);
			str(m, buf_cstr(&b));
		}
		seq_end(m);
	}
	if (c->nenv) {
		key(m, "environment");
		map_start(m);
		for (i = 0; i < c->nenv; i++)
			kv(m, c->env[i].name, c->env[i].value ? c->env[i].value : "");
		map_end(m);
	}
	if (c->nmounts) {
		key(m, "volumes");
		seq_start(m);
		for (i = 0; i < c->nmounts; i++) {
			const struct dr_mount *mp = &c->mounts[i];
			long vk = name_find(vols, nvols, mp->source_volume);
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
			str(m, buf_cstr(&b));
		}
		seq_end(m);
	}
	if (c->nvolumes_from) {
		key(m, "volumes_from");
		seq_start(m);
		for (i = 0; i < c->nvolumes_from; i++) {
			buf_reset(&b);
			buf_printf(&b, "%s%s", c->volumes_from[i].source_container,
			           c->volumes_from[i].read_only ? ":ro" : "");
			str(m, buf_cstr(&b));
		}
		seq_end(m);
	}
	if (c->has_memory) {
		buf_reset(&b);
		buf_printf(&b, "%ldm", c->memory);
		kv(m, "mem_limit", buf_cstr(&b));
	}
	if (c->has_memory_reservation) {
		buf_reset(&b);
		buf_printf(&b, "%ldm", c->memory_reservation);
		kv(m, "mem_reservation", buf_cstr(&b));
	}
	if (c->cpu > 0) {
		key(m, "cpu_shares");
		num(m, c->cpu);
	}
	string_array(m, "command", c->command);
	string_array(m, "entrypoint", c->entry_point);
	if (jstr(c, "hostname"))
		kv(m, "hostname", jstr(c, "hostname"));
	if (jstr(c, "workingDirectory"))
		kv(m, "working_dir", jstr(c, "workingDirectory"));
	if (jstr(c, "user"))
		kv(m, "user", jstr(c, "user"));
	v = json_object_get(c->json, "privileged");
	if (v && json_is_true(v)) {
		key(m, "privileged");
		scalar(m, "true", YAML_PLAIN_SCALAR_STYLE);
	}
	v = json_object_get(c->json, "dnsServers");
	string_array(m, "dns", v);
	/* an essential container keeps the task up: locally, restart it */
	kv(m, "restart", c->essential ? "always" : "no");
	map_end(m);
	warn_dropped(c, carried, "compose");
	buf_free(&b);
}

static void render_compose(struct em *m, const struct dockerrun *d)
{
	size_t i, nvols;
	bool named = false;
	struct dr_name *vols = names_sorted(d->nvolumes, volume_name, d->volumes, &nvols);
	doc_start(m);
	map_start(m);
	key(m, "services");
	map_start(m);
	for (i = 0; i < d->ncontainers; i++)
		compose_service(m, d, &d->containers[i], vols, nvols, &named);
	map_end(m);
	free(vols);
	if (named) {
		key(m, "volumes");
		map_start(m);
		for (i = 0; i < d->nvolumes; i++)
			if (d->volumes[i].name && !d->volumes[i].source_path) {
				key(m, d->volumes[i].name);
				map_start(m);
				map_end(m);
			}
		map_end(m);
	}
	map_end(m);
	doc_end(m);
}

/* ---- kubernetes ---- */

/* A DNS-1123 label: lower case, digits, '-'; caller frees. */
static char *k8s_name(const char *s)
{
	char *out = xstrdup(s), *p;
	for (p = out; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (!isalnum((unsigned char)*p))
			*p = '-';
	}
	return out;
}

static void labels(struct em *m, const char *app)
{
	key(m, "labels");
	map_start(m);
	kv(m, "app", app);
	map_end(m);
}

static void meta(struct em *m, const char *name, const char *app)
{
	key(m, "metadata");
	map_start(m);
	kv(m, "name", name);
	labels(m, app);
	map_end(m);
}

static const char *upper_proto(const char *p)
{
	return strcmp(p, "udp") == 0 ? "UDP" : "TCP";
}

static void k8s_deployment(struct em *m, const struct dr_container *c, const char *app)
{
	static const char *const carried[] = {
	    "name",      "image",      "memory",           "memoryReservation",
	    "essential", "links",      "portMappings",     "environment",
	    "command",   "entryPoint", "workingDirectory", NULL};
	struct buf b = BUF_INIT;
	size_t i;
	doc_start(m);
	map_start(m);
	kv(m, "apiVersion", "apps/v1");
	kv(m, "kind", "Deployment");
	meta(m, app, app);
	key(m, "spec");
	map_start(m);
	key(m, "replicas");
	num(m, 1);
	key(m, "selector");
	map_start(m);
	key(m, "matchLabels");
	map_start(m);
	kv(m, "app", app);
	map_end(m);
	map_end(m);
	key(m, "template");
	map_start(m);
	key(m, "metadata");
	map_start(m);
	labels(m, app);
	map_end(m);
	key(m, "spec");
	map_start(m);
	key(m, "containers");
	seq_start(m);
	map_start(m);
	kv(m, "name", app);
	kv(m, "image", c->image);
	string_array(m, "command", c->entry_point);
	string_array(m, "args", c->command);
	if (jstr(c, "workingDirectory"))
		kv(m, "workingDir", jstr(c, "workingDirectory"));
	if (c->nports) {
		key(m, "ports");
		seq_start(m);
		for (i = 0; i < c->nports; i++) {
			map_start(m);
			key(m, "containerPort");
			num(m, c->ports[i].container_port);
			kv(m, "protocol", upper_proto(c->ports[i].protocol));
			map_end(m);
		}
		seq_end(m);
	}
	if (c->nenv) {
		key(m, "env");
		seq_start(m);
		for (i = 0; i < c->nenv; i++) {
			map_start(m);
			kv(m, "name", c->env[i].name);
			kv(m, "value", c->env[i].value ? c->env[i].value : "");
			map_end(m);
		}
		seq_end(m);
	}
	if (c->has_memory || c->has_memory_reservation) {
		key(m, "resources");
		map_start(m);
		if (c->has_memory) {
			key(m, "limits");
			map_start(m);
			buf_reset(&b);
			buf_printf(&b, "%ldMi", c->memory);
			kv(m, "memory", buf_cstr(&b));
			map_end(m);
		}
		if (c->has_memory_reservation) {
			key(m, "requests");
			map_start(m);
			buf_reset(&b);
			buf_printf(&b, "%ldMi", c->memory_reservation);
			kv(m, "memory", buf_cstr(&b));
			map_end(m);
		}
		map_end(m);
	}
	map_end(m);
	seq_end(m);
	map_end(m);
	map_end(m);
	map_end(m);
	map_end(m);
	doc_end(m);
	warn_dropped(c, carried, "Kubernetes");
	buf_free(&b);
}

/* A Service called `name` for the pods of `app`, with c's ports (headless
 * when it has none: the name still resolves). */
static void k8s_service(struct em *m, const char *name, const char *app,
                        const struct dr_container *c)
{
	size_t i;
	bool public = false;
	doc_start(m);
	map_start(m);
	kv(m, "apiVersion", "v1");
	kv(m, "kind", "Service");
	meta(m, name, app);
	key(m, "spec");
	map_start(m);
	key(m, "selector");
	map_start(m);
	kv(m, "app", app);
	map_end(m);
	for (i = 0; i < c->nports; i++)
	public = public || c->ports[i].host_port == 80;
	if (c->nports) {
		char pname[32];
		key(m, "ports");
		seq_start(m);
		for (i = 0; i < c->nports; i++) {
			const struct dr_port *p = &c->ports[i];
			map_start(m);
			snprintf(pname, sizeof(pname), "%s-%ld", p->protocol, p->container_port);
			kv(m, "name", pname);
			key(m, "port");
			num(m, p->host_port ? p->host_port : p->container_port);
			key(m, "targetPort");
			num(m, p->container_port);
			kv(m, "protocol", upper_proto(p->protocol));
			map_end(m);
		}
		seq_end(m);
		/* host port 80 is what the load balancer reached */
		kv(m, "type", public ? "LoadBalancer" : "ClusterIP");
	} else {
		kv(m, "clusterIP", "None");
	}
	map_end(m);
	map_end(m);
	doc_end(m);
}

/* What becomes of a link alias in Kubernetes. */
enum alias_use {
	ALIAS_NONE = 0, /* no alias, no target, or the target's own name */
	ALIAS_CLASH,    /* also a container's name: not carried over */
	ALIAS_SERVICE,  /* a Service of its own */
	ALIAS_AGAIN     /* the Service exists already */
};

static void render_k8s(struct em *m, const struct dockerrun *d)
{
	size_t i, j, n = d->ncontainers, nlinks = 0, nbyname, napps, nrefs = 0, at;
	char **apps = xcalloc(n ? n : 1, sizeof(*apps));
	bool *linked = xcalloc(n ? n : 1, 1);
	struct dr_name *byname, *byapp, *refs;
	char **alias;
	long *target;
	unsigned char *use;

	for (i = 0; i < n; i++) {
		apps[i] = k8s_name(d->containers[i].name);
		if (strcmp(apps[i], d->containers[i].name) != 0)
			warnf("render: container '%s' is called '%s' in Kubernetes (names are "
			      "lower case, digits and '-')",
			      d->containers[i].name, apps[i]);
		nlinks += d->containers[i].nlinks;
	}
	byname = names_sorted(n, container_name, d->containers, &nbyname);
	byapp = names_sorted(n, string_at, apps, &napps);
	/* each link: its target, and what its alias becomes, in link order */
	alias = xcalloc(nlinks ? nlinks : 1, sizeof(*alias));
	target = xmalloc((nlinks ? nlinks : 1) * sizeof(*target));
	use = xcalloc(nlinks ? nlinks : 1, 1);
	refs = xmalloc((nlinks ? nlinks : 1) * sizeof(*refs));
	for (at = 0, i = 0; i < n; i++)
		for (j = 0; j < d->containers[i].nlinks; j++, at++) {
			const struct dr_link *l = &d->containers[i].links[j];
			target[at] = name_find(byname, nbyname, l->target);
			if (target[at] >= 0)
				linked[target[at]] = true;
			if (!l->alias || target[at] < 0)
				continue;
			alias[at] = k8s_name(l->alias);
			if (strcmp(alias[at], apps[target[at]]) == 0)
				continue;
			if (name_find(byapp, napps, alias[at]) >= 0) {
				use[at] = ALIAS_CLASH;
			} else {
				use[at] = ALIAS_SERVICE;
				refs[nrefs].name = alias[at];
				refs[nrefs].idx = at;
				nrefs++;
			}
		}
	/* one Service per alias: the first link that names it */
	dr_names_sort(refs, nrefs);
	for (i = 1; i < nrefs; i++)
		if (strcmp(refs[i].name, refs[i - 1].name) == 0)
			use[refs[i].idx] = ALIAS_AGAIN;
	for (i = 0; i < n; i++) {
		const struct dr_container *c = &d->containers[i];
		k8s_deployment(m, c, apps[i]);
		if (c->nports || linked[i])
			k8s_service(m, apps[i], apps[i], c);
		for (j = 0; j < c->nmounts; j++)
			warnf("render: mount '%s' of container '%s' is not carried over to "
			      "Kubernetes (use a volume of your cluster)",
			      c->mounts[j].source_volume, c->name);
	}
	/* a link alias is a second name for the target: a Service of its own */
	for (at = 0, i = 0; i < n; i++)
		for (j = 0; j < d->containers[i].nlinks; j++, at++) {
			if (use[at] == ALIAS_CLASH)
				warnf("render: link alias '%s' of container '%s' is also a "
				      "container name; not carried over",
				      d->containers[i].links[j].alias, d->containers[i].name);
			else if (use[at] == ALIAS_SERVICE)
				k8s_service(m, alias[at], apps[target[at]],
				            &d->containers[target[at]]);
		}
	for (i = 0; i < nlinks; i++)
		free(alias[i]);
	for (i = 0; i < n; i++)
		free(apps[i]);
	free(alias);
	free(target);
	free(use);
	free(refs);
	free(byname);
	free(byapp);
	free(apps);
	free(linked);
}

int dr_render(FILE *f, const struct dr_report *r, enum dr_render_target to, const char *source)
{
	struct em m;
	yaml_event_t ev;
	if (r->model.version != 2 || r->errors)
		return -1;
	memset(&m, 0, sizeof(m));
	fprintf(f, "# %s rendered by ebctl from %s\n",
	        to == DR_RENDER_COMPOSE ? "docker-compose" : "Kubernetes manifests", source);
	if (!yaml_emitter_initialize(&m.e))
		return -1;
	yaml_emitter_set_output(&m.e, write_handler, f);
	yaml_emitter_set_unicode(&m.e, 1);
	yaml_emitter_set_width(&m.e, -1);
	emit(&m, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	if (to == DR_RENDER_COMPOSE)
		render_compose(&m, &r->model);
	else
		render_k8s(&m, &r->model);
	emit(&m, &ev, yaml_stream_end_event_initialize(&ev));
	yaml_emitter_flush(&m.e);
	yaml_emitter_delete(&m.e);
	return m.err || ferror(f) ? -1 : 0;
}
