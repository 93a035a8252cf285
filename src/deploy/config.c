/* Deploy settings from an eb CLI project's .elasticbeanstalk/config.yml,
 * and git in the application directory. */
#include "ebctl/deploy.h"
#include "ebctl/util.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml.h>

extern char **environ;

int git_capture(const char *dir, const char *const *args, char **out)
{
	const char *argv[16];
	posix_spawn_file_actions_t fa;
	struct buf b = BUF_INIT;
	int pfd[2], status = 0;
	size_t n = 0, i;
	pid_t pid;
	char chunk[4096];
	ssize_t r;

	*out = NULL;
	argv[n++] = "git";
	argv[n++] = "-C";
	argv[n++] = dir;
	for (i = 0; args[i] && n < EB_ARRAY_LEN(argv) - 1; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe(pfd))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	while ((r = read(pfd[0], chunk, sizeof(chunk))) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			buf_add(&b, chunk, (size_t)r);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	while (b.len && (b.ptr[b.len - 1] == '\n' || b.ptr[b.len - 1] == '\r'))
		b.ptr[--b.len] = 0;
	*out = buf_detach(&b, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

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

int eb_config_read(const char *path, const char *branch, char **app, char **region, char **profile,
                   char **env, char **artifact)
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
		errorf("cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		errorf("%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
		       parser.problem_mark.column + 1,
		       parser.problem ? parser.problem : "malformed YAML");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE) {
		errorf("%s: the top level is not a mapping", path);
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
static const char *own(struct deploy_settings *s, char *v)
{
	strlist_add(&s->owned, v);
	free(v);
	return s->owned.v[s->owned.n - 1];
}

int deploy_settings_load_eb_config(struct deploy_settings *s)
{
	static const char *const branch_args[] = {"symbolic-ref", "--short", "-q", "HEAD", NULL};
	char *path = xasprintf("%s/.elasticbeanstalk/config.yml", s->dir);
	char *branch = NULL, *app, *region, *profile, *env, *artifact;
	int r;

	if (access(path, F_OK) != 0) {
		free(path);
		return 0;
	}
	if (git_capture(s->dir, branch_args, &branch) != 0 || !*branch) {
		free(branch);
		branch = NULL;
	}
	r = eb_config_read(path, branch, &app, &region, &profile, &env, &artifact);
	free(branch);
	if (r < 0) {
		free(path);
		return EB_EXIT_INVALID;
	}
	if (app && !s->app) {
		s->app = own(s, app);
		app = NULL;
	}
	if (env && !s->envs.n)
		strlist_add(&s->envs, env);
	if (region && !s->region) {
		s->region = own(s, region);
		region = NULL;
	}
	if (profile && !s->profile) {
		s->profile = own(s, profile);
		profile = NULL;
	}
	if (artifact && !s->bundle) {
		/* Relative to the project directory, as the eb CLI reads it. */
		s->bundle = own(s, artifact[0] == '/' ? xstrdup(artifact)
		                                      : xasprintf("%s/%s", s->dir, artifact));
	}
	free(app);
	free(region);
	free(profile);
	free(env);
	free(artifact);
	free(path);
	return 0;
}

void deploy_settings_cleanup(struct deploy_settings *s)
{
	strlist_free(&s->envs);
	strlist_free(&s->owned);
}
