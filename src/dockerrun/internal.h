/*
 * Private to src/dockerrun: the position index and the value helpers of
 * the document (parse.c, document.c), which the checks (checks.c) read,
 * and what the diagnostics (report.c) share with the rule table.
 */
#ifndef EBCTL_DOCKERRUN_INTERNAL_H
#define EBCTL_DOCKERRUN_INTERNAL_H

#include <stdint.h>

#include "ebctl/dockerrun.h"
#include "ebctl/util.h"

#define DR_NO_NODE UINT32_MAX

/* A name and the index of what it names (a container, a volume). Sorted
 * with dr_names_sort (by name, then index), found with dr_names_find: the
 * position of the first entry of that name, or -1 (also for a NULL name). */
struct dr_name {
	const char *name;
	size_t idx;
};
void dr_names_sort(struct dr_name *v, size_t n);
long dr_names_find(const struct dr_name *v, size_t n, const char *name);

/* Duplicate keys reported one by one; one more diagnostic counts the rest. */
#define DR_DUP_KEYS_SHOWN 20

/* One JSON value of the text, in document order (pre-order). */
struct dr_node {
	uint32_t parent; /* DR_NO_NODE for the top-level value */
	uint32_t index;  /* position among the parent's children */
	uint32_t kids;   /* first child in dr_index.kids */
	uint32_t nkids;
	uint32_t key_off; /* member of an object: the raw key (between the quotes) */
	uint32_t key_len;
	char *key_dec;     /* the decoded key when the raw one has escapes, else NULL */
	struct dr_loc loc; /* first character of the value */
	struct dr_loc key_loc;
	char type;     /* '{', '[', '"', or 'v' for numbers and literals */
	bool shadowed; /* a later member of the same object has the same key */
};

struct dr_index {
	const char *text;
	size_t len;
	struct dr_node *nodes;
	size_t n, cap;
	uint32_t *kids; /* children of each node, contiguous, in order */
};

/*
 * Build the index of text that jansson has accepted (so the scan can trust
 * the grammar). Linear in the length, iterative (no recursion). Caller
 * frees with dr_index_free.
 */
struct dr_index *dr_index_build(const char *text, size_t len);
void dr_index_free(void *ix);
/* The last member called `key` of object node `obj` (jansson keeps the
 * last of duplicate keys), or DR_NO_NODE. */
uint32_t dr_index_member(const struct dr_index *ix, uint32_t obj, const char *key);
/* Child i of an array or object node, or DR_NO_NODE. */
uint32_t dr_index_child(const struct dr_index *ix, uint32_t node, size_t i);
/* A member's key as a C string: borrowed when decoded, else copied into tmp. */
const char *dr_index_key(const struct dr_index *ix, uint32_t node, struct buf *tmp);
/* Append the RFC 6901 pointer of node to b. */
void dr_index_pointer(const struct dr_index *ix, uint32_t node, struct buf *b);

/* Parse the text into d->root and d->index_ (no model); adds json-syntax
 * and duplicate-key diagnostics to r. Returns 0 when there is an object. */
int dr_parse(struct dr_document *d, const char *data, size_t len, struct dr_report *r);

/* ---- values of the tree with their nodes (document.c) ---- */

/* A value of the jansson tree and its node in the index; {NULL,
 * DR_NO_NODE} when absent. */
struct dr_val {
	json_t *v;
	uint32_t n;
};
/* Member `key` of object o / item i of array a; absent when o is not an
 * object (a not an array) or has no such member. */
struct dr_val dr_val_member(const struct dr_index *ix, struct dr_val o, const char *key);
struct dr_val dr_val_item(const struct dr_index *ix, struct dr_val a, size_t i);
/* There and not null: JSON null counts as absent everywhere. */
bool dr_val_present(struct dr_val v);
/* The string, or NULL when v is absent or no string. */
const char *dr_val_str(struct dr_val v);
/* The position of node n; 1:1 for DR_NO_NODE. */
struct dr_loc dr_index_loc(const struct dr_index *ix, uint32_t n);

/* The version an AWSEBDockerrunVersion value names (the integer 1, 2 or 3,
 * or the same as a string), else 0. */
int dr_version_of(struct dr_val v);
/* A version 1 port: an integer or a numeric string from 1 to 65535, else -1. */
long dr_v1_port_value(struct dr_val v);
/* Split link s ("name" or "name:alias") into out->target (allocated; the
 * alias points into it) and out->alias; false, with nothing allocated,
 * when s has neither form. */
bool dr_link_split(const char *s, struct dr_link *out);
/* An array whose items all pass `is` (an empty one too); false for a
 * non-array or NULL. */
bool dr_json_array_all(const json_t *a, bool (*is)(const json_t *));
/* An array whose items are all strings (an empty one too). */
bool dr_json_is_string_array(const json_t *a);

/* Sort the diagnostics by position, then by insertion order. */
void dr_report_sort(struct dr_report *r);
/* "error" or "warning" (rules.c). */
const char *dr_severity_name(enum dr_severity s);

#endif
