/*
 * What the renderers share: the YAML writer on libyaml's emitter (so
 * quoting is always right: "80:80" would be a base-60 number to a YAML 1.1
 * reader if it were left plain), the container field readers, the sorted
 * name tables, and the warnings for what a target cannot carry.
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
	buf_cleanup(&b);
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

void rd_warn_dropped(const struct msgsink *sink, const struct dr_container *c,
                     const char *const *carried, const char *to)
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
			sink_warn(sink, "render: '%s' of container '%s' is not carried over to %s",
			          k, c->name, to);
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

struct dr_name *rd_volumes_sorted(const struct dr_document *d, size_t *count)
{
	return names_sorted(d->nvolumes, volume_name, d->volumes, count);
}

struct dr_name *rd_containers_sorted(const struct dr_document *d, size_t *count)
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

/* linuxParameters beyond capabilities have no place in either YAML target. */
void rd_warn_linux_parameters(const struct msgsink *sink, const struct dr_container *c,
                              const char *to)
{
	json_t *lp = json_object_get(c->json, "linuxParameters");
	void *it;
	if (!json_is_object(lp))
		return;
	for (it = json_object_iter(lp); it; it = json_object_iter_next(lp, it)) {
		const char *k = json_object_iter_key(it);
		if (strcmp(k, "capabilities") != 0 && !says_nothing(k, json_object_iter_value(it)))
			sink_warn(sink,
			          "render: 'linuxParameters.%s' of container '%s' is not carried "
			          "over to %s",
			          k, c->name, to);
	}
}

int em_open(struct em *m, FILE *f, const char *source, const char *title)
{
	memset(m, 0, sizeof(*m));
	m->f = f;
	m->source = source;
	m->title = title;
	if (!yaml_emitter_initialize(&m->e))
		return -1;
	yaml_emitter_set_output(&m->e, write_handler, f);
	yaml_emitter_set_unicode(&m->e, 1);
	yaml_emitter_set_width(&m->e, -1);
	return 0;
}

void em_close(struct em *m)
{
	yaml_emitter_delete(&m->e);
}
