/* Option settings from the command line and from files, and the platform
 * an environment is created on. */
#include "ebctl/deploy.h"
#include "ebctl/util.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#define SETTINGS_FILE_MAX (1u << 20)

int deploy_option_parse(const char *arg, struct eb_option_settings *out, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '='), *colon = NULL, *p;
	char *ns, *name;
	for (p = arg; eq && p < eq; p++)
		if (*p == ':')
			colon = p;
	if (!eq || !colon || colon == arg || colon + 1 == eq) {
		snprintf(
		    err, errlen,
		    "--option takes NAMESPACE:NAME=VALUE (aws:autoscaling:asg:MaxSize=4), not '%s'",
		    arg);
		return -1;
	}
	ns = xstrndup(arg, (size_t)(colon - arg));
	name = xstrndup(colon + 1, (size_t)(eq - colon - 1));
	eb_option_settings_add(out, ns, name, eq + 1, NULL);
	free(ns);
	free(name);
	return 0;
}

static int from_json(const char *path, const char *text, size_t len, struct eb_option_settings *out,
                     char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, 0, &je), *v;
	size_t i;
	int rc = 0;
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -1;
	}
	if (!json_is_array(root)) {
		snprintf(err, errlen,
		         "%s: the option settings are a list of {\"Namespace\", \"OptionName\", "
		         "\"Value\"}",
		         path);
		json_decref(root);
		return -1;
	}
	json_array_foreach(root, i, v)
	{
		const char *ns = json_string_value(json_object_get(v, "Namespace"));
		const char *name = json_string_value(json_object_get(v, "OptionName"));
		json_t *value = json_object_get(v, "Value");
		if (!ns || !name || (value && !json_is_string(value))) {
			snprintf(
			    err, errlen,
			    "%s: setting %zu needs string Namespace and OptionName (and a string "
			    "Value)",
			    path, i + 1);
			rc = -1;
			break;
		}
		eb_option_settings_add(out, ns, name, value ? json_string_value(value) : "", NULL);
	}
	json_decref(root);
	return rc;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *pr;
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		const char *k = scalar(yaml_document_get_node(doc, pr->key));
		if (k && !strcmp(k, key))
			return yaml_document_get_node(doc, pr->value);
	}
	return NULL;
}

static int from_yaml(const char *path, const char *text, size_t len, struct eb_option_settings *out,
                     char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *os;
	int rc = 0;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot start the YAML parser", path);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
		         parser.problem_mark.column + 1,
		         parser.problem ? parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	os = map_get(&doc, root, "option_settings");
	if (!os) {
		snprintf(err, errlen, "%s: no option_settings", path);
		rc = -1;
	} else if (os->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *pr, *q;
		for (pr = os->data.mapping.pairs.start; rc == 0 && pr < os->data.mapping.pairs.top;
		     pr++) {
			const char *ns = scalar(yaml_document_get_node(&doc, pr->key));
			yaml_node_t *opts = yaml_document_get_node(&doc, pr->value);
			if (!ns || !opts || opts->type != YAML_MAPPING_NODE) {
				snprintf(err, errlen,
				         "%s: each namespace of option_settings maps names "
				         "to values",
				         path);
				rc = -1;
				break;
			}
			for (q = opts->data.mapping.pairs.start; q < opts->data.mapping.pairs.top;
			     q++) {
				const char *name = scalar(yaml_document_get_node(&doc, q->key));
				const char *value = scalar(yaml_document_get_node(&doc, q->value));
				if (!name || !value) {
					snprintf(err, errlen,
					         "%s: %s: names and values are plain strings", path,
					         ns);
					rc = -1;
					break;
				}
				eb_option_settings_add(out, ns, name, value, NULL);
			}
		}
	} else if (os->type == YAML_SEQUENCE_NODE) {
		yaml_node_item_t *it;
		for (it = os->data.sequence.items.start; it < os->data.sequence.items.top; it++) {
			yaml_node_t *m = yaml_document_get_node(&doc, *it);
			const char *ns = scalar(map_get(&doc, m, "namespace"));
			const char *name = scalar(map_get(&doc, m, "option_name"));
			const char *value = scalar(map_get(&doc, m, "value"));
			if (!ns || !name) {
				snprintf(err, errlen,
				         "%s: each item of option_settings has namespace "
				         "and option_name",
				         path);
				rc = -1;
				break;
			}
			eb_option_settings_add(out, ns, name, value ? value : "", NULL);
		}
	} else {
		snprintf(err, errlen, "%s: option_settings is a map or a list", path);
		rc = -1;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int deploy_option_settings_file(const char *path, struct eb_option_settings *out, char *err,
                                size_t errlen)
{
	struct buf b = BUF_INIT;
	const char *t;
	int rc;
	if (buf_read_file(&b, path, SETTINGS_FILE_MAX)) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	for (t = buf_cstr(&b); isspace((unsigned char)*t); t++)
		;
	rc = *t == '[' ? from_json(path, buf_cstr(&b), b.len, out, err, errlen)
	               : from_yaml(path, buf_cstr(&b), b.len, out, err, errlen);
	buf_cleanup(&b);
	return rc;
}

/* ---- platforms ---- */

/* Compare "4.3.10" and "4.3.9" as versions. */
static int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		char *ea, *eb;
		unsigned long x = strtoul(a, &ea, 10), y = strtoul(b, &eb, 10);
		if (x != y)
			return x < y ? -1 : 1;
		a = *ea == '.' ? ea + 1 : ea;
		b = *eb == '.' ? eb + 1 : eb;
		if (ea == a && eb == b && !isdigit((unsigned char)*a))
			return strcmp(a, b);
	}
	return 0;
}

/* Whether the word w (n bytes) is a word of name (case-insensitive). */
static bool has_word(const char *name, const char *w, size_t n)
{
	const char *p = name;
	while (*p) {
		size_t m;
		while (*p == ' ')
			p++;
		m = strcspn(p, " ");
		if (m == n && !strncasecmp(p, w, n))
			return true;
		p += m;
	}
	return false;
}

/* Whether every word of want is a word of name. */
static bool words_in(const char *want, const char *name)
{
	const char *w = want;
	for (;;) {
		size_t n;
		while (*w == ' ')
			w++;
		if (!*w)
			return true;
		n = strcspn(w, " ");
		if (!has_word(name, w, n))
			return false;
		w += n;
	}
}

static bool deprecated(const struct eb_platform *p)
{
	return p->branch_state && (!strcasecmp(p->branch_state, "Deprecated") ||
	                           !strcasecmp(p->branch_state, "Retired"));
}

/* "64bit Amazon Linux 2023 v4.3.1 running ECS" of a branch and version. */
static bool is_stack_name(const struct eb_platform *p, const char *want)
{
	const char *on = p->branch ? strstr(p->branch, " running on ") : NULL;
	char *stack;
	bool same;
	if (!on || !p->version)
		return false;
	stack =
	    xasprintf("%s v%s running %.*s", on + 12, p->version, (int)(on - p->branch), p->branch);
	same = !strcasecmp(stack, want);
	free(stack);
	return same;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

const struct eb_platform *deploy_platform_resolve(const struct eb_platforms *ps, const char *want,
                                                  char *err, size_t errlen)
{
	const struct eb_platform *best = NULL;
	struct strlist branches = {NULL, 0}, matched = {NULL, 0}, supported = {NULL, 0};
	const struct strlist *pick;
	size_t i;

	for (i = 0; i < ps->n; i++) {
		const struct eb_platform *p = &ps->v[i];
		if (!p->branch)
			continue;
		if ((p->arn && !strcmp(p->arn, want)) || is_stack_name(p, want)) {
			strlist_cleanup(&branches);
			return p;
		}
		if (!strlist_has(&branches, p->branch))
			strlist_add(&branches, p->branch);
	}
	qsort(branches.v, branches.n, sizeof(*branches.v), cmp_str); /* stable messages */
	/* an exact branch name, else every branch that has all the words */
	for (i = 0; i < branches.n; i++)
		if (!strcasecmp(branches.v[i], want)) {
			strlist_add(&matched, branches.v[i]);
			break;
		}
	if (!matched.n)
		for (i = 0; i < branches.n; i++)
			if (words_in(want, branches.v[i]))
				strlist_add(&matched, branches.v[i]);
	for (i = 0; i < matched.n; i++) {
		size_t j;
		for (j = 0; j < ps->n; j++)
			if (ps->v[j].branch && !strcmp(ps->v[j].branch, matched.v[i]) &&
			    !deprecated(&ps->v[j]))
				break;
		if (j < ps->n)
			strlist_add(&supported, matched.v[i]);
	}
	pick = supported.n ? &supported : &matched;
	if (pick->n == 1) {
		for (i = 0; i < ps->n; i++) {
			const struct eb_platform *p = &ps->v[i];
			if (p->branch && !strcmp(p->branch, pick->v[0]) && p->version &&
			    (!best || version_cmp(p->version, best->version) > 0))
				best = p;
		}
	} else {
		struct buf b = BUF_INIT;
		const struct strlist *list = pick->n ? pick : &branches;
		for (i = 0; i < list->n; i++)
			buf_printf(&b, "%s'%s'", i ? ", " : "", list->v[i]);
		if (pick->n)
			snprintf(err, errlen, "platform '%s' is ambiguous: it matches %s", want,
			         buf_cstr(&b));
		else
			snprintf(err, errlen, "no platform matches '%s'; the platforms are: %s",
			         want, b.len ? buf_cstr(&b) : "none");
		buf_cleanup(&b);
	}
	strlist_cleanup(&branches);
	strlist_cleanup(&matched);
	strlist_cleanup(&supported);
	return best;
}

const char *deploy_platform_default(int dockerrun_version)
{
	return dockerrun_version == 2 ? "ecs" : "docker";
}

bool deploy_platform_runs(const struct eb_platform *p, int dockerrun_version)
{
	bool ecs = p->branch && !strncasecmp(p->branch, "ECS ", 4);
	bool docker = p->branch && !strncasecmp(p->branch, "Docker ", 7);
	if (dockerrun_version == 2)
		return ecs;
	return docker;
}
