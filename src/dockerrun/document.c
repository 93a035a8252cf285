/*
 * The document: its life (init, parse, cleanup) and its model, what
 * Elastic Beanstalk reads from the file (containers, ports, links,
 * volumes...), built from the jansson tree with positions from the index
 * (parse.c), for the version the file declares. Nothing here judges the
 * file: a value of the wrong type is left out of the model (NULL / 0 /
 * has_* false) and the checks (checks.c) say why.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct dr_val dr_val_member(const struct dr_index *ix, struct dr_val o, const char *key)
{
	struct dr_val out = {NULL, DR_NO_NODE};
	if (!o.v || !json_is_object(o.v))
		return out;
	out.v = json_object_get(o.v, key);
	if (out.v)
		out.n = dr_index_member(ix, o.n, key);
	return out;
}

struct dr_val dr_val_item(const struct dr_index *ix, struct dr_val a, size_t i)
{
	struct dr_val out = {NULL, DR_NO_NODE};
	if (!a.v || !json_is_array(a.v))
		return out;
	out.v = json_array_get(a.v, i);
	out.n = dr_index_child(ix, a.n, i);
	return out;
}

bool dr_val_present(struct dr_val v)
{
	return v.v && !json_is_null(v.v);
}

const char *dr_val_str(struct dr_val v)
{
	return v.v && json_is_string(v.v) ? json_string_value(v.v) : NULL;
}

struct dr_loc dr_index_loc(const struct dr_index *ix, uint32_t n)
{
	struct dr_loc none = {1, 1};
	return n == DR_NO_NODE || n >= ix->n ? none : ix->nodes[n].loc;
}

int dr_version_of(struct dr_val v)
{
	const char *s = dr_val_str(v);
	if (v.v && json_is_integer(v.v)) {
		json_int_t n = json_integer_value(v.v);
		return n >= 1 && n <= 3 ? (int)n : 0;
	}
	if (s && (strcmp(s, "1") == 0 || strcmp(s, "2") == 0 || strcmp(s, "3") == 0))
		return s[0] - '0';
	return 0;
}

long dr_v1_port_value(struct dr_val v)
{
	long n;
	if (v.v && json_is_integer(v.v))
		return json_integer_value(v.v) >= 1 && json_integer_value(v.v) <= 65535
		           ? (long)json_integer_value(v.v)
		           : -1;
	if (v.v && json_is_string(v.v) && parse_long(json_string_value(v.v), 1, 65535, &n) == 0)
		return n;
	return -1;
}

bool dr_link_split(const char *s, struct dr_link *out)
{
	const char *colon = strchr(s, ':');
	char *target;
	if (!*s || colon == s || (colon && (!colon[1] || strchr(colon + 1, ':'))))
		return false;
	target = xstrdup(s);
	out->target = target;
	out->alias = NULL;
	if (colon) {
		target[colon - s] = 0;
		out->alias = target + (colon - s) + 1;
	}
	return true;
}

bool dr_json_array_all(const json_t *a, bool (*is)(const json_t *))
{
	size_t i;
	if (!json_is_array(a))
		return false;
	for (i = 0; i < json_array_size(a); i++)
		if (!is(json_array_get(a, i)))
			return false;
	return true;
}

static bool is_string(const json_t *v)
{
	return json_is_string(v);
}

bool dr_json_is_string_array(const json_t *a)
{
	return dr_json_array_all(a, is_string);
}

static bool looks_secret_name(const char *name)
{
	char up[256];
	size_t i;
	for (i = 0; i < sizeof(up) - 1 && name[i]; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[i] = 0;
	return str_ends_with(up, "PASSWORD") || str_ends_with(up, "PASSWD") ||
	       strstr(up, "SECRET") || str_ends_with(up, "_TOKEN") ||
	       str_ends_with(up, "PRIVATE_KEY") || str_ends_with(up, "API_KEY");
}

static bool looks_secret_value(const char *v)
{
	size_t i, n = strlen(v);
	/* an AWS access key id: AKIA/ASIA + 16 upper-case letters or digits */
	if (n == 20 && (strncmp(v, "AKIA", 4) == 0 || strncmp(v, "ASIA", 4) == 0)) {
		for (i = 4; i < n; i++)
			if (!isupper((unsigned char)v[i]) && !isdigit((unsigned char)v[i]))
				return false;
		return true;
	}
	return false;
}

bool dr_env_looks_secret(const char *name, const char *value)
{
	return (name && looks_secret_name(name)) || (value && looks_secret_value(value));
}

/* Member k of object o when it is an integer in [lo, hi]. */
static bool int_in(const struct dr_index *ix, struct dr_val o, const char *k, long lo, long hi,
                   long *out)
{
	struct dr_val v = dr_val_member(ix, o, k);
	if (!v.v || !json_is_integer(v.v) || json_integer_value(v.v) < lo ||
	    json_integer_value(v.v) > hi)
		return false;
	*out = (long)json_integer_value(v.v);
	return true;
}

static void read_auth(struct dr_document *d, const struct dr_index *ix, struct dr_val a,
                      const char *bucket, const char *key)
{
	if (!dr_val_present(a) || !json_is_object(a.v))
		return;
	d->auth_bucket = dr_val_str(dr_val_member(ix, a, bucket));
	d->auth_key = dr_val_str(dr_val_member(ix, a, key));
}

static void read_v1(struct dr_document *d, const struct dr_index *ix, struct dr_val root)
{
	struct dr_val ports = dr_val_member(ix, root, "Ports");
	size_t i;
	d->image_name = dr_val_str(dr_val_member(ix, dr_val_member(ix, root, "Image"), "Name"));
	if (dr_val_present(ports) && json_is_array(ports.v)) {
		d->nv1_ports = json_array_size(ports.v);
		d->v1_ports = xcalloc(d->nv1_ports ? d->nv1_ports : 1, sizeof(*d->v1_ports));
		for (i = 0; i < d->nv1_ports; i++) {
			struct dr_val p = dr_val_item(ix, ports, i);
			struct dr_port *mp = &d->v1_ports[i];
			long n;
			mp->loc = dr_index_loc(ix, p.n);
			mp->protocol = "tcp";
			if (!json_is_object(p.v))
				continue;
			if ((n = dr_v1_port_value(dr_val_member(ix, p, "ContainerPort"))) > 0)
				mp->container_port = n;
			if ((n = dr_v1_port_value(dr_val_member(ix, p, "HostPort"))) > 0)
				mp->host_port = n;
		}
	}
	read_auth(d, ix, dr_val_member(ix, root, "Authentication"), "Bucket", "Key");
}

static void read_volumes(struct dr_document *d, const struct dr_index *ix, struct dr_val root)
{
	struct dr_val vols = dr_val_member(ix, root, "volumes");
	size_t i, n;
	if (!dr_val_present(vols) || !json_is_array(vols.v))
		return;
	n = json_array_size(vols.v);
	d->volumes = xcalloc(n ? n : 1, sizeof(*d->volumes));
	for (i = 0; i < n; i++) {
		struct dr_val v = dr_val_item(ix, vols, i);
		struct dr_volume *mv;
		if (!json_is_object(v.v))
			continue;
		mv = &d->volumes[d->nvolumes++];
		mv->loc = dr_index_loc(ix, v.n);
		mv->name = dr_val_str(dr_val_member(ix, v, "name"));
		mv->source_path =
		    dr_val_str(dr_val_member(ix, dr_val_member(ix, v, "host"), "sourcePath"));
	}
}

/* The size of array member `key` of the container (0 when it is no array). */
static size_t array_of(const struct dr_index *ix, struct dr_val ct, const char *key,
                       struct dr_val *arr)
{
	*arr = dr_val_member(ix, ct, key);
	if (!dr_val_present(*arr) || !json_is_array(arr->v))
		return 0;
	return json_array_size(arr->v);
}

static void read_container(struct dr_container *mc, const struct dr_index *ix, struct dr_val ct)
{
	struct dr_val a, e, v;
	const char *s;
	size_t i, n;
	long num;

	mc->json = ct.v;
	mc->loc = dr_index_loc(ix, ct.n);
	mc->essential = true;
	if (!json_is_object(ct.v))
		return;
	s = dr_val_str(dr_val_member(ix, ct, "name"));
	mc->name = s && *s ? s : NULL;
	mc->image = dr_val_str(dr_val_member(ix, ct, "image"));
	v = dr_val_member(ix, ct, "essential");
	if (v.v && json_is_false(v.v))
		mc->essential = false;
	v = dr_val_member(ix, ct, "cpu");
	if (v.v && json_is_integer(v.v))
		mc->cpu = (long)json_integer_value(v.v);
	v = dr_val_member(ix, ct, "command");
	mc->command = v.v && dr_json_is_string_array(v.v) ? v.v : NULL;
	v = dr_val_member(ix, ct, "entryPoint");
	mc->entry_point = v.v && dr_json_is_string_array(v.v) ? v.v : NULL;
	mc->has_memory = int_in(ix, ct, "memory", 1, LONG_MAX, &mc->memory);
	mc->has_memory_reservation =
	    int_in(ix, ct, "memoryReservation", 1, LONG_MAX, &mc->memory_reservation);

	if ((n = array_of(ix, ct, "environment", &a)) > 0) {
		mc->env = xcalloc(n, sizeof(*mc->env));
		for (i = 0; i < n; i++) {
			e = dr_val_item(ix, a, i);
			if (!json_is_object(e.v) || !(s = dr_val_str(dr_val_member(ix, e, "name"))))
				continue;
			mc->env[mc->nenv].name = s;
			mc->env[mc->nenv].value = dr_val_str(dr_val_member(ix, e, "value"));
			mc->env[mc->nenv].loc = dr_index_loc(ix, e.n);
			mc->nenv++;
		}
	}
	if ((n = array_of(ix, ct, "portMappings", &a)) > 0) {
		mc->ports = xcalloc(n, sizeof(*mc->ports));
		for (i = 0; i < n; i++) {
			struct dr_port *mp;
			e = dr_val_item(ix, a, i);
			if (!json_is_object(e.v))
				continue;
			mp = &mc->ports[mc->nports++];
			mp->loc = dr_index_loc(ix, e.n);
			mp->protocol = "tcp";
			if (int_in(ix, e, "containerPort", 1, 65535, &num))
				mp->container_port = num;
			if (int_in(ix, e, "hostPort", 0, 65535, &num))
				mp->host_port = num;
			s = dr_val_str(dr_val_member(ix, e, "protocol"));
			if (s && (strcmp(s, "tcp") == 0 || strcmp(s, "udp") == 0))
				mp->protocol = s;
		}
	}
	if ((n = array_of(ix, ct, "links", &a)) > 0) {
		mc->links = xcalloc(n, sizeof(*mc->links));
		for (i = 0; i < n; i++) {
			e = dr_val_item(ix, a, i);
			if ((s = dr_val_str(e)) && dr_link_split(s, &mc->links[mc->nlinks]))
				mc->links[mc->nlinks++].loc = dr_index_loc(ix, e.n);
		}
	}
	if ((n = array_of(ix, ct, "mountPoints", &a)) > 0) {
		mc->mounts = xcalloc(n, sizeof(*mc->mounts));
		for (i = 0; i < n; i++) {
			struct dr_mount *mm;
			e = dr_val_item(ix, a, i);
			if (!json_is_object(e.v))
				continue;
			mm = &mc->mounts[mc->nmounts++];
			mm->loc = dr_index_loc(ix, e.n);
			mm->source_volume = dr_val_str(dr_val_member(ix, e, "sourceVolume"));
			mm->container_path = dr_val_str(dr_val_member(ix, e, "containerPath"));
			v = dr_val_member(ix, e, "readOnly");
			mm->read_only = v.v && json_is_true(v.v);
		}
	}
	if ((n = array_of(ix, ct, "volumesFrom", &a)) > 0) {
		mc->volumes_from = xcalloc(n, sizeof(*mc->volumes_from));
		for (i = 0; i < n; i++) {
			struct dr_volume_from *mv;
			e = dr_val_item(ix, a, i);
			if (!json_is_object(e.v))
				continue;
			mv = &mc->volumes_from[mc->nvolumes_from++];
			mv->source_container = dr_val_str(dr_val_member(ix, e, "sourceContainer"));
			v = dr_val_member(ix, e, "readOnly");
			mv->read_only = v.v && json_is_true(v.v);
			mv->loc = dr_index_loc(ix, e.n);
		}
	}
}

static void read_v2(struct dr_document *d, const struct dr_index *ix, struct dr_val root)
{
	struct dr_val cds = dr_val_member(ix, root, "containerDefinitions");
	size_t i;
	read_auth(d, ix, dr_val_member(ix, root, "authentication"), "bucket", "key");
	read_volumes(d, ix, root);
	/* a misspelt key is checked, but Elastic Beanstalk sees no containers */
	if (!dr_val_present(cds) || !json_is_array(cds.v) || json_array_size(cds.v) == 0)
		return;
	d->ncontainers = json_array_size(cds.v);
	d->containers = xcalloc(d->ncontainers, sizeof(*d->containers));
	for (i = 0; i < d->ncontainers; i++)
		read_container(&d->containers[i], ix, dr_val_item(ix, cds, i));
}

void dr_document_init(struct dr_document *d)
{
	memset(d, 0, sizeof(*d));
}

int dr_document_parse(struct dr_document *d, const char *data, size_t len, struct dr_report *diags)
{
	const struct dr_index *ix;
	struct dr_val root;
	if (dr_parse(d, data, len, diags) != 0)
		return -1;
	ix = d->index_;
	root.v = d->root;
	root.n = 0;
	d->version = dr_version_of(dr_val_member(ix, root, "AWSEBDockerrunVersion"));
	if (d->version == 1)
		read_v1(d, ix, root);
	else if (d->version == 2)
		read_v2(d, ix, root);
	else if (d->version == 3)
		read_auth(d, ix, dr_val_member(ix, root, "Authentication"), "Bucket", "Key");
	return 0;
}

void dr_document_cleanup(struct dr_document *d)
{
	size_t i, j;
	if (!d)
		return;
	for (i = 0; i < d->ncontainers; i++) {
		struct dr_container *c = &d->containers[i];
		for (j = 0; j < c->nlinks; j++)
			free((char *)c->links[j].target);
		free(c->links);
		free(c->ports);
		free(c->env);
		free(c->mounts);
		free(c->volumes_from);
	}
	free(d->containers);
	free(d->volumes);
	free(d->v1_ports);
	json_decref(d->root);
	dr_index_free(d->index_);
	dr_document_init(d);
}
