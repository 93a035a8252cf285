/*
 * Private to the renderers (render.c, render_compose.c, render_k8s.c,
 * render_ecs.c): the YAML event writer over libyaml's emitter, and what the
 * three targets share (render_emit.c).
 */
#ifndef EBCTL_DOCKERRUN_RENDER_H
#define EBCTL_DOCKERRUN_RENDER_H

#include <yaml.h>

#include "internal.h"

struct em {
	yaml_emitter_t e;
	int err;
	bool dollar; /* compose: '$' in a value is written '$$' (no substitution) */
	FILE *f;
	const char *title, *source; /* for the comment at the top */
};

/* An emitter writing to f, its header naming source and title; em_close
 * frees it. Returns 0, or -1 when libyaml cannot start. */
int em_open(struct em *m, FILE *f, const char *source, const char *title);
void em_close(struct em *m);
/* The comment naming the source, and the stream's start; the stream's end
 * and a flush. A renderer calls em_begin once its checks have passed. */
void em_begin(struct em *m);
void em_end(struct em *m);

void em_map_start(struct em *m);
void em_map_end(struct em *m);
void em_seq_start(struct em *m);
void em_seq_end(struct em *m);
void em_doc_start(struct em *m);
void em_doc_end(struct em *m);
/* A key we choose (plain). */
void em_key(struct em *m, const char *s);
/* A value (double-quoted, so it stays a string; NULL is ""). */
void em_str(struct em *m, const char *s);
void em_num(struct em *m, long n);
void em_bool(struct em *m, bool b);
/* k: true, when on (nothing otherwise). */
void em_flag(struct em *m, const char *k, bool on);
void em_kv(struct em *m, const char *k, const char *v);
/* k: the strings of array a (nothing when a is not an array). */
void em_string_array(struct em *m, const char *k, const json_t *a);
/* k: the string members of object o as a map (nothing when empty). */
void em_string_map(struct em *m, const char *k, const json_t *o);

/* Member k of the container when it is a string / an integer / true. */
const char *rd_str(const struct dr_container *c, const char *k);
bool rd_int(const struct dr_container *c, const char *k, long *out);
bool rd_true(const struct dr_container *c, const char *k);
/* Member k of object o when it is an integer. */
bool rd_obj_int(const json_t *o, const char *k, long *out);

/*
 * Warn, to sink, about every key of the container that neither both YAML targets nor
 * this one (`carried`, NULL-terminated) carry over and that carries something (null, [], {}, false
 * and a cpu of 0 say nothing).
 */
void rd_warn_dropped(const struct msgsink *sink, const struct dr_container *c,
                     const char *const *carried, const char *to);

/* Warn, to sink, about the members of linuxParameters other than capabilities. */
void rd_warn_linux_parameters(const struct msgsink *sink, const struct dr_container *c,
                              const char *to);

/* The sorted names of the file's volumes / containers; caller frees. */
struct dr_name *rd_volumes_sorted(const struct dr_document *d, size_t *count);
struct dr_name *rd_containers_sorted(const struct dr_document *d, size_t *count);
/* The index of the first item called name in v, or -1. */
long rd_find(const struct dr_name *v, size_t n, const char *name);

/* The replicas asked for container i (0 = not asked). */
long rd_replicas_of(const struct dr_render_opts *o, const struct dr_container *c);

/* A DNS-1035 label for s (lower case letters, digits and '-', a letter
 * first, no '-' last, at most 63 characters): a run of other characters is
 * one '-', a leading digit gets "c-"; a longer name keeps its start and
 * gets a hash of the whole, so that two long names stay apart. Caller
 * frees. */
char *rd_k8s_label(const char *s);

int rd_render_compose(struct em *m, const struct dr_document *d, const struct dr_render_opts *o);
int rd_render_k8s(struct em *m, const struct dr_document *d, const struct dr_render_opts *o);
/* ECS is JSON, not YAML: written straight to f. */
int rd_render_ecs(FILE *f, const struct dr_document *d, const struct dr_render_opts *o);

#endif
