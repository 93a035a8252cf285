/*
 * ebctl render --to k8s: a Deployment per container, or one per group of
 * containers joined by volumesFrom (they must share a filesystem, so they
 * share a Pod: an emptyDir per volume the source mounts). A Service per
 * container that publishes ports or is linked to (links are by name, and a
 * Service gives that name), listening on the container port as the link
 * did on the ECS bridge network, and one per link alias. Every name is a
 * DNS-1035 label of at most 63 characters; two containers that would get
 * one name are an error. A '$' where Kubernetes expands $(NAME) is '$$'.
 * --from-env properties become a ConfigMap and a
 * Secret that every container takes with envFrom.
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

#define K8S_NAME_MAX 63

char *rd_k8s_label(const char *s)
{
	struct buf b = BUF_INIT;
	const char *p;
	size_t n;
	char *out;
	uint32_t h = 2166136261u; /* FNV-1a */
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		h = (h ^ c) * 16777619u;
		if (isalnum(c))
			buf_putc(&b, (char)tolower(c));
		else if (b.len && buf_cstr(&b)[b.len - 1] != '-')
			buf_putc(&b, '-');
	}
	if (b.len == 0 || isdigit((unsigned char)buf_cstr(&b)[0])) {
		struct buf t = BUF_INIT;
		buf_printf(&t, "c%s%s", b.len ? "-" : "", buf_cstr(&b));
		buf_cleanup(&b);
		b = t;
	}
	out = buf_detach(&b, &n);
	if (n > K8S_NAME_MAX) {
		n = K8S_NAME_MAX - 9;
		while (out[n - 1] == '-')
			n--;
		snprintf(out + n, 10, "-%08x", h);
		n += 9;
	}
	while (n > 1 && out[n - 1] == '-')
		out[--n] = 0;
	return out;
}

static void labels(struct em *m, const char *app)
{
	em_key(m, "labels");
	em_map_start(m);
	em_kv(m, "app", app);
	em_map_end(m);
}

static void meta(struct em *m, const char *name, const char *app)
{
	em_key(m, "metadata");
	em_map_start(m);
	em_kv(m, "name", name);
	labels(m, app);
	em_map_end(m);
}

/* A document's start: apiVersion, kind, metadata (name, app label) and
 * the opening of spec; object_end closes both. */
static void object_start(struct em *m, const char *api, const char *kind, const char *name,
                         const char *app)
{
	em_doc_start(m);
	em_map_start(m);
	em_kv(m, "apiVersion", api);
	em_kv(m, "kind", kind);
	meta(m, name, app);
	em_key(m, "spec");
	em_map_start(m);
}

static void object_end(struct em *m)
{
	em_map_end(m);
	em_map_end(m);
	em_doc_end(m);
}

static const char *upper_proto(const char *p)
{
	return strcmp(p, "udp") == 0 ? "UDP" : "TCP";
}

/* What the renderer knows of the file, in Kubernetes terms. */
struct plan {
	const struct dr_document *d;
	const struct dr_render_opts *o;
	size_t n;
	char **apps;                     /* each container's name */
	size_t *leader;                  /* the container whose name its Pod (Deployment) has */
	size_t *members, *start, *count; /* Pod l: members[start[l]..][count[l]], file order */
	bool *linked;                    /* the target of a link */
	bool *shared; /* in a Pod with others: its mounts are emptyDirs of the Pod */
	struct dr_name *byname, *vols;
	size_t nbyname, nvols;
	char *cm, *secret; /* --from-env: ConfigMap and Secret names */
};

static size_t group_of(size_t *up, size_t i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

/* Names, groups and collisions; DR_RENDER_EINVAL after an error to o->sink. */
static int plan_make(struct plan *p, const struct dr_document *d, const struct dr_render_opts *o)
{
	size_t i, j, n = d->ncontainers, *up;
	struct dr_name *byapp;
	int rc = 0;
	memset(p, 0, sizeof(*p));
	p->d = d;
	p->o = o;
	p->n = n;
	p->apps = xcalloc(n ? n : 1, sizeof(*p->apps));
	p->leader = xcalloc(n ? n : 1, sizeof(*p->leader));
	p->linked = xcalloc(n ? n : 1, 1);
	p->shared = xcalloc(n ? n : 1, 1);
	p->byname = rd_containers_sorted(d, &p->nbyname);
	p->vols = rd_volumes_sorted(d, &p->nvols);
	byapp = xmalloc((n ? n : 1) * sizeof(*byapp));
	for (i = 0; i < n; i++) {
		p->apps[i] = rd_k8s_label(d->containers[i].name);
		byapp[i].name = p->apps[i];
		byapp[i].idx = i;
		if (strcmp(p->apps[i], d->containers[i].name) != 0)
			sink_warn(
			    o->sink,
			    "render: container '%s' is called '%s' in Kubernetes (names are "
			    "lower case, digits and '-', a letter first, at most 63 characters)",
			    d->containers[i].name, p->apps[i]);
	}
	dr_names_sort(byapp, n);
	for (i = 1; i < n; i++)
		if (strcmp(byapp[i].name, byapp[i - 1].name) == 0) {
			sink_error(o->sink,
			           "render: containers '%s' and '%s' would both be called '%s' in "
			           "Kubernetes; rename one",
			           d->containers[byapp[i - 1].idx].name,
			           d->containers[byapp[i].idx].name, byapp[i].name);
			rc = DR_RENDER_EINVAL;
		}
	free(byapp);
	/* volumesFrom joins containers into one Pod */
	up = xmalloc((n ? n : 1) * sizeof(*up));
	for (i = 0; i < n; i++)
		up[i] = i;
	for (i = 0; i < n; i++) {
		const struct dr_container *c = &d->containers[i];
		for (j = 0; j < c->nlinks; j++) {
			long t = rd_find(p->byname, p->nbyname, c->links[j].target);
			if (t >= 0)
				p->linked[t] = true;
		}
		for (j = 0; j < c->nvolumes_from; j++) {
			long s =
			    rd_find(p->byname, p->nbyname, c->volumes_from[j].source_container);
			if (s < 0)
				continue;
			up[group_of(up, (size_t)s)] = group_of(up, i);
		}
	}
	/* a group is called after its first container that takes volumes */
	for (i = 0; i < n; i++)
		p->leader[i] = SIZE_MAX;
	for (i = 0; i < n; i++) {
		size_t g = group_of(up, i);
		if (p->leader[g] == SIZE_MAX && (d->containers[i].nvolumes_from || g == i))
			p->leader[g] = i;
		if (d->containers[i].nvolumes_from && !d->containers[p->leader[g]].nvolumes_from)
			p->leader[g] = i;
	}
	for (i = 0; i < n; i++)
		p->leader[i] = p->leader[group_of(up, i)];
	for (i = 0; i < n; i++)
		if (p->leader[i] != i)
			p->shared[i] = p->shared[p->leader[i]] = true;
	free(up);
	p->members = xmalloc((n ? n : 1) * sizeof(*p->members));
	p->start = xcalloc(n ? n : 1, sizeof(*p->start));
	p->count = xcalloc(n ? n : 1, sizeof(*p->count));
	for (i = 0; i < n; i++)
		p->count[p->leader[i]]++;
	for (i = 0, j = 0; i < n; i++) {
		p->start[i] = j;
		j += p->count[i];
	}
	for (i = 0; i < n; i++)
		p->members[p->start[p->leader[i]]++] = i;
	for (i = 0; i < n; i++)
		p->start[i] -= p->count[i];
	if (o->nprops) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s-env", o->props_name ? o->props_name : "app");
		p->cm = rd_k8s_label(buf_cstr(&b));
		buf_reset(&b);
		buf_printf(&b, "%s-secrets", o->props_name ? o->props_name : "app");
		p->secret = rd_k8s_label(buf_cstr(&b));
		buf_cleanup(&b);
	}
	return rc;
}

static void plan_cleanup(struct plan *p)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		free(p->apps[i]);
	free(p->apps);
	free(p->leader);
	free(p->members);
	free(p->start);
	free(p->count);
	free(p->linked);
	free(p->shared);
	free(p->byname);
	free(p->vols);
	free(p->cm);
	free(p->secret);
}

/* The label of the emptyDir for a volume of the file; caller frees. */
static char *shared_volume(const char *source_volume)
{
	return rd_k8s_label(source_volume);
}

static void probe(struct em *m, const json_t *h)
{
	const json_t *cmd = json_object_get(h, "command");
	const char *kind = json_string_value(json_array_get(cmd, 0));
	size_t i, from = 1;
	long v;
	if (!json_is_object(h) || !kind || strcmp(kind, "NONE") == 0)
		return;
	if (strcmp(kind, "CMD") != 0 && strcmp(kind, "CMD-SHELL") != 0)
		from = 0; /* a bare command, as Docker runs it */
	em_key(m, "livenessProbe");
	em_map_start(m);
	em_key(m, "exec");
	em_map_start(m);
	em_key(m, "command");
	em_seq_start(m);
	if (strcmp(kind, "CMD-SHELL") == 0) {
		em_str(m, "/bin/sh");
		em_str(m, "-c");
	}
	for (i = from; i < json_array_size(cmd); i++)
		em_str(m, json_string_value(json_array_get(cmd, i)));
	em_seq_end(m);
	em_map_end(m);
	/* ECS's defaults, where Kubernetes' differ */
	em_key(m, "periodSeconds");
	em_num(m, rd_obj_int(h, "interval", &v) ? v : 30);
	em_key(m, "timeoutSeconds");
	em_num(m, rd_obj_int(h, "timeout", &v) ? v : 5);
	em_key(m, "failureThreshold");
	em_num(m, rd_obj_int(h, "retries", &v) ? v : 3);
	if (rd_obj_int(h, "startPeriod", &v) && v > 0) {
		em_key(m, "initialDelaySeconds");
		em_num(m, v);
	}
	em_map_end(m);
}

static void security_context(struct em *m, const struct dr_container *c)
{
	const json_t *cap =
	    json_object_get(json_object_get(c->json, "linuxParameters"), "capabilities");
	bool priv = rd_true(c, "privileged"), ro = rd_true(c, "readonlyRootFilesystem");
	bool caps = json_array_size(json_object_get(cap, "add")) ||
	            json_array_size(json_object_get(cap, "drop"));
	if (!priv && !ro && !caps)
		return;
	em_key(m, "securityContext");
	em_map_start(m);
	em_flag(m, "privileged", priv);
	em_flag(m, "readOnlyRootFilesystem", ro);
	if (caps) {
		em_key(m, "capabilities");
		em_map_start(m);
		if (json_array_size(json_object_get(cap, "add")))
			em_string_array(m, "add", json_object_get(cap, "add"));
		if (json_array_size(json_object_get(cap, "drop")))
			em_string_array(m, "drop", json_object_get(cap, "drop"));
		em_map_end(m);
	}
	em_map_end(m);
}

/* The volumeMounts of container i: its own mounts, and those of the
 * containers it takes volumes from, once per path (the first counts). */
static void volume_mounts(struct em *m, const struct plan *p, size_t i)
{
	const struct dr_container *c = &p->d->containers[i];
	struct mnt {
		const struct dr_mount *mp;
		bool ro;
	} * v;
	struct dr_name *paths;
	size_t k, pass, n = 0, cap = 0;
	if (!p->shared[i])
		return;
	for (pass = 0; pass <= c->nvolumes_from; pass++) {
		long t = pass ? rd_find(p->byname, p->nbyname,
		                        c->volumes_from[pass - 1].source_container)
		              : (long)i;
		if (t >= 0)
			cap += p->d->containers[t].nmounts;
	}
	if (!cap)
		return;
	v = xmalloc(cap * sizeof(*v));
	paths = xmalloc(cap * sizeof(*paths));
	/* pass 0: its own mounts; pass j + 1: those of volumesFrom[j] */
	for (pass = 0; pass <= c->nvolumes_from; pass++) {
		long t = pass ? rd_find(p->byname, p->nbyname,
		                        c->volumes_from[pass - 1].source_container)
		              : (long)i;
		const struct dr_container *s;
		if (t < 0)
			continue;
		s = &p->d->containers[t];
		for (k = 0; k < s->nmounts; k++) {
			v[n].mp = &s->mounts[k];
			v[n].ro =
			    s->mounts[k].read_only || (pass && c->volumes_from[pass - 1].read_only);
			paths[n].name = s->mounts[k].container_path;
			paths[n].idx = n;
			n++;
		}
	}
	dr_names_sort(paths, n);
	em_key(m, "volumeMounts");
	em_seq_start(m);
	for (k = 0; k < n; k++) {
		const struct mnt *x = &v[paths[k].idx];
		char *name;
		if (k && strcmp(paths[k].name, paths[k - 1].name) == 0)
			continue;
		name = shared_volume(x->mp->source_volume);
		em_map_start(m);
		em_kv(m, "name", name);
		em_kv(m, "mountPath", x->mp->container_path);
		em_flag(m, "readOnly", x->ro);
		em_map_end(m);
		free(name);
	}
	em_seq_end(m);
	free(v);
	free(paths);
}

static void k8s_container(struct em *m, const struct plan *p, size_t i)
{
	const struct dr_container *c = &p->d->containers[i];
	struct buf b = BUF_INIT;
	size_t j;
	em_map_start(m);
	em_kv(m, "name", p->apps[i]);
	em_kv(m, "image", c->image);
	/* Kubernetes expands $(NAME) in command, args and env values; $$ is $ */
	m->dollar = true;
	em_string_array(m, "command", c->entry_point);
	em_string_array(m, "args", c->command);
	m->dollar = false;
	if (rd_str(c, "workingDirectory"))
		em_kv(m, "workingDir", rd_str(c, "workingDirectory"));
	if (c->nports) {
		em_key(m, "ports");
		em_seq_start(m);
		for (j = 0; j < c->nports; j++) {
			em_map_start(m);
			em_key(m, "containerPort");
			em_num(m, c->ports[j].container_port);
			em_kv(m, "protocol", upper_proto(c->ports[j].protocol));
			em_map_end(m);
		}
		em_seq_end(m);
	}
	if (p->cm) {
		em_key(m, "envFrom");
		em_seq_start(m);
		em_map_start(m);
		em_key(m, "configMapRef");
		em_map_start(m);
		em_kv(m, "name", p->cm);
		em_map_end(m);
		em_map_end(m);
		em_map_start(m);
		em_key(m, "secretRef");
		em_map_start(m);
		em_kv(m, "name", p->secret);
		em_map_end(m);
		em_map_end(m);
		em_seq_end(m);
	}
	if (c->nenv) {
		em_key(m, "env");
		em_seq_start(m);
		for (j = 0; j < c->nenv; j++) {
			em_map_start(m);
			em_kv(m, "name", c->env[j].name);
			m->dollar = true;
			em_kv(m, "value", c->env[j].value);
			m->dollar = false;
			em_map_end(m);
		}
		em_seq_end(m);
	}
	if (c->has_memory || c->has_memory_reservation || c->cpu > 0) {
		em_key(m, "resources");
		em_map_start(m);
		if (c->has_memory) {
			em_key(m, "limits");
			em_map_start(m);
			buf_reset(&b);
			buf_printf(&b, "%ldMi", c->memory);
			em_kv(m, "memory", buf_cstr(&b));
			em_map_end(m);
		}
		if (c->has_memory_reservation || c->cpu > 0) {
			em_key(m, "requests");
			em_map_start(m);
			if (c->cpu > 0) {
				/* 1024 ECS cpu units are one vCPU */
				buf_reset(&b);
				buf_printf(&b, "%ldm",
				           c->cpu * 1000 / 1024 ? c->cpu * 1000 / 1024 : 1);
				em_kv(m, "cpu", buf_cstr(&b));
			}
			if (c->has_memory_reservation) {
				buf_reset(&b);
				buf_printf(&b, "%ldMi", c->memory_reservation);
				em_kv(m, "memory", buf_cstr(&b));
			}
			em_map_end(m);
		}
		em_map_end(m);
	}
	volume_mounts(m, p, i);
	probe(m, json_object_get(c->json, "healthCheck"));
	em_flag(m, "stdin", rd_true(c, "interactive"));
	em_flag(m, "tty", rd_true(c, "pseudoTerminal"));
	security_context(m, c);
	em_map_end(m);
	buf_cleanup(&b);
}

/* The containers of the Pod of leader l, in file order (*n of them). */
static const size_t *pod(const struct plan *p, size_t l, size_t *n)
{
	*n = p->count[l];
	return p->members + p->start[l];
}

static void pod_extras(struct em *m, const struct plan *p, size_t l)
{
	size_t nm, q;
	const size_t *mem = pod(p, l, &nm);
	size_t i, j, nvol = 0;
	long grace = -1, v;
	bool hosts = false;
	struct dr_name *seen;
	for (q = 0; q < nm; q++)
		if (rd_int(&p->d->containers[mem[q]], "stopTimeout", &v) && v > grace)
			grace = v;
	if (grace >= 0) {
		em_key(m, "terminationGracePeriodSeconds");
		em_num(m, grace);
	}
	for (q = 0; q < nm; q++) {
		const json_t *eh = json_object_get(p->d->containers[mem[q]].json, "extraHosts");
		for (j = 0; j < json_array_size(eh); j++) {
			const json_t *h = json_array_get(eh, j);
			if (!hosts) {
				em_key(m, "hostAliases");
				em_seq_start(m);
				hosts = true;
			}
			em_map_start(m);
			em_kv(m, "ip", json_string_value(json_object_get(h, "ipAddress")));
			em_key(m, "hostnames");
			em_seq_start(m);
			em_str(m, json_string_value(json_object_get(h, "hostname")));
			em_seq_end(m);
			em_map_end(m);
		}
	}
	if (hosts)
		em_seq_end(m);
	/* an emptyDir per volume a source of the Pod mounts, once */
	for (q = 0; q < nm; q++)
		if (p->shared[mem[q]])
			nvol += p->d->containers[mem[q]].nmounts;
	if (!nvol)
		return;
	seen = xmalloc(nvol * sizeof(*seen));
	nvol = 0;
	for (q = 0; q < nm; q++)
		if (p->shared[mem[q]])
			for (j = 0; j < p->d->containers[mem[q]].nmounts; j++) {
				seen[nvol].name = p->d->containers[mem[q]].mounts[j].source_volume;
				seen[nvol++].idx = mem[q];
			}
	dr_names_sort(seen, nvol);
	em_key(m, "volumes");
	em_seq_start(m);
	for (i = 0; i < nvol; i++) {
		char *name;
		if (i && strcmp(seen[i].name, seen[i - 1].name) == 0)
			continue;
		name = shared_volume(seen[i].name);
		em_map_start(m);
		em_kv(m, "name", name);
		em_key(m, "emptyDir");
		em_map_start(m);
		em_map_end(m);
		em_map_end(m);
		free(name);
	}
	em_seq_end(m);
	free(seen);
}

/* An annotation key: an optional DNS subdomain prefix and '/', then at
 * most 63 letters, digits, '-', '_', '.', with a letter or digit at both
 * ends. */
static bool annotation_key_valid(const char *k)
{
	const char *name = strrchr(k, '/'), *q;
	size_t n;
	if (name) {
		if (name == k || name - k > 253)
			return false;
		for (q = k; q < name; q++)
			if (!islower((unsigned char)*q) && !isdigit((unsigned char)*q) &&
			    !strchr("-.", *q))
				return false;
		name++;
	} else {
		name = k;
	}
	n = strlen(name);
	if (n == 0 || n > 63 || !isalnum((unsigned char)name[0]) ||
	    !isalnum((unsigned char)name[n - 1]))
		return false;
	for (q = name; *q; q++)
		if (!isalnum((unsigned char)*q) && !strchr("-_.", *q))
			return false;
	return true;
}

static void annotations(struct em *m, const struct plan *p, size_t l)
{
	size_t nm, q;
	const size_t *mem = pod(p, l, &nm);
	bool any = false;
	for (q = 0; q < nm; q++) {
		json_t *dl = json_object_get(p->d->containers[mem[q]].json, "dockerLabels");
		void *it;
		if (!json_is_object(dl))
			continue;
		for (it = json_object_iter(dl); it; it = json_object_iter_next(dl, it)) {
			if (!json_is_string(json_object_iter_value(it)))
				continue;
			if (!annotation_key_valid(json_object_iter_key(it))) {
				sink_warn(
				    p->o->sink,
				    "render: docker label '%s' of container '%s' is not carried "
				    "over to Kubernetes (not an annotation key)",
				    json_object_iter_key(it), p->d->containers[mem[q]].name);
				continue;
			}
			if (!any) {
				em_key(m, "annotations");
				em_map_start(m);
				any = true;
			}
			em_kv(m, json_object_iter_key(it),
			      json_string_value(json_object_iter_value(it)));
		}
	}
	if (any)
		em_map_end(m);
}

/* The replicas of the Pod of leader l; -1 after an error to the sink when
 * its containers ask for different numbers. */
static long pod_replicas(const struct plan *p, size_t l)
{
	size_t nm, q;
	const size_t *mem = pod(p, l, &nm);
	size_t asker = SIZE_MAX;
	long n = 0;
	for (q = 0; q < nm; q++) {
		long r = rd_replicas_of(p->o, &p->d->containers[mem[q]]);
		if (r && n && r != n) {
			sink_error(
			    p->o->sink,
			    "render: containers '%s' and '%s' share one Pod (volumesFrom) but "
			    "--replicas asks %ld and %ld",
			    p->d->containers[asker].name, p->d->containers[mem[q]].name, n, r);
			return -1;
		}
		if (r) {
			n = r;
			asker = mem[q];
		}
	}
	return n ? n : 1;
}

static void k8s_deployment(struct em *m, const struct plan *p, size_t l, long replicas)
{
	size_t nm, q;
	const size_t *mem = pod(p, l, &nm);
	const char *app = p->apps[l];
	object_start(m, "apps/v1", "Deployment", app, app);
	em_key(m, "replicas");
	em_num(m, replicas);
	em_key(m, "selector");
	em_map_start(m);
	em_key(m, "matchLabels");
	em_map_start(m);
	em_kv(m, "app", app);
	em_map_end(m);
	em_map_end(m);
	em_key(m, "template");
	em_map_start(m);
	em_key(m, "metadata");
	em_map_start(m);
	labels(m, app);
	annotations(m, p, l);
	em_map_end(m);
	em_key(m, "spec");
	em_map_start(m);
	em_key(m, "containers");
	em_seq_start(m);
	k8s_container(m, p, l);
	for (q = 0; q < nm; q++)
		if (mem[q] != l)
			k8s_container(m, p, mem[q]);
	em_seq_end(m);
	pod_extras(m, p, l);
	em_map_end(m);
	em_map_end(m);
	object_end(m);
}

static void service_port(struct em *m, const char *proto, const char *tag, long port, long target)
{
	char pname[32];
	em_map_start(m);
	snprintf(pname, sizeof(pname), "%s-%s%ld", proto, tag, port);
	em_kv(m, "name", pname);
	em_key(m, "port");
	em_num(m, port);
	em_key(m, "targetPort");
	em_num(m, target);
	em_kv(m, "protocol", upper_proto(proto));
	em_map_end(m);
}

/* A Service called `name` for the Pods of `app`, on c's container ports
 * (what a link reached), and also on a fixed host port that differs (what
 * the load balancer reached); headless when it has no ports: the name
 * still resolves. */
static void k8s_service(struct em *m, const char *name, const char *app,
                        const struct dr_container *c)
{
	size_t i, j;
	bool public = false;
	object_start(m, "v1", "Service", name, app);
	em_key(m, "selector");
	em_map_start(m);
	em_kv(m, "app", app);
	em_map_end(m);
	for (i = 0; i < c->nports; i++)
	public = public || c->ports[i].host_port == 80;
	if (c->nports) {
		em_key(m, "ports");
		em_seq_start(m);
		for (i = 0; i < c->nports; i++)
			service_port(m, c->ports[i].protocol, "", c->ports[i].container_port,
			             c->ports[i].container_port);
		for (i = 0; i < c->nports; i++) {
			const struct dr_port *pt = &c->ports[i];
			bool taken = !pt->host_port || pt->host_port == pt->container_port;
			for (j = 0; j < c->nports && !taken; j++)
				taken = c->ports[j].container_port == pt->host_port &&
				        strcmp(c->ports[j].protocol, pt->protocol) == 0;
			if (!taken)
				service_port(m, pt->protocol, "h", pt->host_port,
				             pt->container_port);
		}
		em_seq_end(m);
		/* host port 80 is what the load balancer reached */
		em_kv(m, "type", public ? "LoadBalancer" : "ClusterIP");
	} else {
		em_kv(m, "clusterIP", "None");
	}
	object_end(m);
}

/* Keys of a ConfigMap or Secret: letters, digits, '-', '_', '.'. */
static bool data_key_valid(const char *k)
{
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && !strchr("-_.", *k))
			return false;
	return true;
}

static void k8s_props(struct em *m, const struct plan *p, bool secret)
{
	size_t i;
	em_doc_start(m);
	em_map_start(m);
	em_kv(m, "apiVersion", "v1");
	em_kv(m, "kind", secret ? "Secret" : "ConfigMap");
	em_key(m, "metadata");
	em_map_start(m);
	em_kv(m, "name", secret ? p->secret : p->cm);
	em_map_end(m);
	if (secret)
		em_kv(m, "type", "Opaque");
	em_key(m, "data");
	em_map_start(m);
	for (i = 0; i < p->o->nprops; i++) {
		const struct dr_prop *pr = &p->o->props[i];
		const char *v = pr->value ? pr->value : "";
		if (!data_key_valid(pr->name) || dr_env_looks_secret(pr->name, v) != secret)
			continue;
		em_key(m, pr->name);
		if (secret) {
			size_t n = strlen(v);
			unsigned char *b64 = xmalloc(4 * ((n + 2) / 3) + 1);
			EVP_EncodeBlock(b64, (const unsigned char *)v, (int)n);
			em_str(m, (const char *)b64);
			free(b64);
		} else {
			em_str(m, v);
		}
	}
	em_map_end(m);
	em_map_end(m);
	em_doc_end(m);
}

/* What becomes of a link alias in Kubernetes. */
enum alias_use {
	ALIAS_NONE = 0, /* no alias, no target, or the target's own name */
	ALIAS_CLASH,    /* also a container's name: not carried over */
	ALIAS_SERVICE,  /* a Service of its own */
	ALIAS_AGAIN,    /* the Service exists already, for the same target */
	ALIAS_OTHER     /* the Service exists already, for another target */
};

int rd_render_k8s(struct em *m, const struct dr_document *d, const struct dr_render_opts *o)
{
	static const char *const carried[] = {NULL}; /* what compose has too, no more */
	struct plan p;
	size_t i, j, n = d->ncontainers, nlinks = 0, nrefs = 0, at;
	struct dr_name *byapp, *refs = NULL;
	char **alias = NULL;
	long *target = NULL, *replicas;
	unsigned char *use = NULL;
	int rc = plan_make(&p, d, o);

	replicas = xcalloc(n ? n : 1, sizeof(*replicas));
	for (i = 0; i < n && !rc; i++)
		if (p.leader[i] == i && (replicas[i] = pod_replicas(&p, i)) < 0)
			rc = DR_RENDER_EINVAL;
	if (rc)
		goto out;
	byapp = xmalloc((n ? n : 1) * sizeof(*byapp));
	for (i = 0; i < n; i++) {
		byapp[i].name = p.apps[i];
		byapp[i].idx = i;
		nlinks += d->containers[i].nlinks;
	}
	dr_names_sort(byapp, n);
	/* each link: its target, and what its alias becomes, in link order */
	alias = xcalloc(nlinks ? nlinks : 1, sizeof(*alias));
	target = xmalloc((nlinks ? nlinks : 1) * sizeof(*target));
	use = xcalloc(nlinks ? nlinks : 1, 1);
	refs = xmalloc((nlinks ? nlinks : 1) * sizeof(*refs));
	for (at = 0, i = 0; i < n; i++)
		for (j = 0; j < d->containers[i].nlinks; j++, at++) {
			const struct dr_link *l = &d->containers[i].links[j];
			target[at] = rd_find(p.byname, p.nbyname, l->target);
			if (!l->alias || target[at] < 0)
				continue;
			alias[at] = rd_k8s_label(l->alias);
			if (strcmp(alias[at], p.apps[target[at]]) == 0)
				continue;
			if (rd_find(byapp, n, alias[at]) >= 0) {
				use[at] = ALIAS_CLASH;
			} else {
				use[at] = ALIAS_SERVICE;
				refs[nrefs].name = alias[at];
				refs[nrefs].idx = at;
				nrefs++;
			}
		}
	free(byapp);
	/* one Service per alias: the first link that names it */
	dr_names_sort(refs, nrefs);
	for (i = 1, j = 0; i < nrefs; i++) {
		if (strcmp(refs[i].name, refs[j].name) != 0)
			j = i; /* the first link of the run has the Service */
		else
			use[refs[i].idx] =
			    target[refs[i].idx] == target[refs[j].idx] ? ALIAS_AGAIN : ALIAS_OTHER;
	}

	em_begin(m);
	for (i = 0; i < n; i++) {
		const struct dr_container *c = &d->containers[i];
		if (p.leader[i] == i) {
			size_t k;
			k8s_deployment(m, &p, i, replicas[i]);
			size_t nm;
			const size_t *mem = pod(&p, i, &nm);
			for (k = 0; k < nm; k++)
				if (mem[k] != i)
					sink_note(
					    o->sink,
					    "render: container '%s' shares the Pod of "
					    "Deployment '%s' (volumesFrom needs one "
					    "filesystem; the shared paths are emptyDir volumes)",
					    d->containers[mem[k]].name, p.apps[i]);
		}
		if (c->nports || p.linked[i])
			k8s_service(m, p.apps[i], p.apps[p.leader[i]], c);
		for (j = 0; j < c->nmounts; j++)
			if (p.shared[i])
				sink_warn(
				    o->sink,
				    "render: mount '%s' of container '%s' is an emptyDir shared "
				    "in its Pod; what the host had there is not carried over to "
				    "Kubernetes",
				    c->mounts[j].source_volume, c->name);
			else
				sink_warn(
				    o->sink,
				    "render: mount '%s' of container '%s' is not carried over to "
				    "Kubernetes (use a volume of your cluster)",
				    c->mounts[j].source_volume, c->name);
		rd_warn_dropped(o->sink, c, carried, "Kubernetes");
		rd_warn_linux_parameters(o->sink, c, "Kubernetes");
	}
	/* a link alias is a second name for the target: a Service of its own */
	for (at = 0, i = 0; i < n; i++)
		for (j = 0; j < d->containers[i].nlinks; j++, at++) {
			if (use[at] == ALIAS_CLASH)
				sink_warn(o->sink,
				          "render: link alias '%s' of container '%s' is also a "
				          "container name; not carried over",
				          d->containers[i].links[j].alias, d->containers[i].name);
			else if (use[at] == ALIAS_OTHER)
				sink_warn(o->sink,
				          "render: link alias '%s' of container '%s' names another "
				          "container for another link; not carried over",
				          d->containers[i].links[j].alias, d->containers[i].name);
			else if (use[at] == ALIAS_SERVICE)
				k8s_service(m, alias[at], p.apps[p.leader[target[at]]],
				            &d->containers[target[at]]);
		}
	if (o->nprops) {
		k8s_props(m, &p, false);
		k8s_props(m, &p, true);
		for (i = 0; i < o->nprops; i++)
			if (!data_key_valid(o->props[i].name))
				sink_warn(
				    o->sink,
				    "render: property '%s' is not carried over to Kubernetes (a "
				    "ConfigMap key is letters, digits, '-', '_' and '.')",
				    o->props[i].name);
	}
	em_end(m);
out:
	for (i = 0; i < nlinks; i++)
		free(alias[i]);
	free(alias);
	free(target);
	free(use);
	free(refs);
	free(replicas);
	plan_cleanup(&p);
	return rc;
}
