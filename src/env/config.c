/* An eb CLI project's .elasticbeanstalk/config.yml. */
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

/* The value of key in a mapping node, or NULL. */
static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && strlen(key) == k->data.scalar.length &&
		    memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* A copy of the scalar at map.a.b, or NULL (also for YAML null). */
static char *scalar_at(yaml_document_t *doc, yaml_node_t *root, const char *a, const char *b)
{
	yaml_node_t *n = map_get(doc, map_get(doc, root, a), b);
	const char *v;
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	v = (const char *)n->data.scalar.value;
	if (!*v || !strcmp(v, "null") || !strcmp(v, "~"))
		return NULL;
	return xstrndup(v, n->data.scalar.length);
}

int ebcli_config_read(const char *path, const char *branch, char **app, char **region,
                      char **profile, char **env, char **artifact, const struct msgsink *sink)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *bd;
	FILE *f;
	int rc = 0;

	*app = *region = *profile = *env = *artifact = NULL;
	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		sink_error(sink, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		sink_error(sink, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
		           parser.problem_mark.column + 1,
		           parser.problem ? parser.problem : "malformed YAML");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE) {
		sink_error(sink, "%s: the top level is not a mapping", path);
		rc = -1;
		goto out;
	}
	*app = scalar_at(&doc, root, "global", "application_name");
	*region = scalar_at(&doc, root, "global", "default_region");
	*profile = scalar_at(&doc, root, "global", "profile");
	*artifact = scalar_at(&doc, root, "deploy", "artifact");
	bd = map_get(&doc, root, "branch-defaults");
	if (branch)
		*env = scalar_at(&doc, bd, branch, "environment");
	if (!*env)
		*env = scalar_at(&doc, bd, "default", "environment");
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

/* Keep a string alive as long as the settings. */

void ebcli_project_cleanup(struct ebcli_project *p)
{
	free(p->app);
	free(p->region);
	free(p->profile);
	free(p->env);
	free(p->artifact);
	memset(p, 0, sizeof(*p));
}

int ebcli_project_load(const char *dir, struct ebcli_project *p, const struct msgsink *sink)
{
	static const char *const branch_args[] = {"symbolic-ref", "--short", "-q", "HEAD", NULL};
	char *path = xasprintf("%s/.elasticbeanstalk/config.yml", dir);
	char *branch = NULL;
	int r;

	memset(p, 0, sizeof(*p));
	if (access(path, F_OK) != 0) {
		free(path);
		return 0;
	}
	if (git_capture(dir, branch_args, &branch) != 0 || !*branch) {
		free(branch);
		branch = NULL;
	}
	r = ebcli_config_read(path, branch, &p->app, &p->region, &p->profile, &p->env, &p->artifact,
	                      sink);
	free(branch);
	free(path);
	return r < 0 ? EBCTL_ERR_INVALID : 0;
}
