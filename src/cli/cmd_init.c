/*
 * ebctl init: write a starter app (templates/<name>/) and a CI workflow
 * into a directory, from the copies embedded in the binary.
 *
 * Nothing is overwritten without --force: every destination is checked
 * first, and when any exists (or a parent is not a directory) nothing at all
 * is written. Each file is written to a temporary name and renamed into
 * place, so an interrupted run never leaves a half-written file.
 */
#include "ebctl/cli.h"
#include "ebctl/templates.h"
#include "ebctl/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_TEMPLATE "multi-docker"

/* CI workflows: the files under templates/<name>/ go to <dest><rest>;
 * next names every placeholder of the file that the user must fill in. */
static const struct ci_target {
	const char *name;
	const char *dest;
	const char *next;
} ci_targets[] = {
    {"github", ".github/workflows/",
     "replace <owner> in 'uses:' with the owner of the ebctl repository, put the ARN of "
     "an IAM role that GitHub's OIDC provider may assume in role-arn, and set "
     "application-name, environment-name and aws-region"},
    {"travis", "",
     "replace <owner> in EBCTL_REPOSITORY with the owner of the ebctl repository, set "
     "EBCTL_APP, EBCTL_ENV, "
     "EBCTL_REGION and EBCTL_BUCKET (the S3 bucket for the bundles), and add "
     "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the repository's settings on "
     "travis-ci.com"},
};

/* In a template, this stands for the version of the ebctl that writes it:
 * a workflow pins the release it was written by, which exists. */
#define VERSION_MARK "@EBCTL_VERSION@"

/* One file to write. */
struct planned {
	const struct template_file *tf;
	char *rel;  /* destination relative to the directory */
	char *path; /* destination as the user names it (dir/rel) */
	bool exists;
};

static bool is_ci_dir(const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < EBCTL_ARRAY_LEN(ci_targets); i++)
		if (strlen(ci_targets[i].name) == len && !strncmp(ci_targets[i].name, name, len))
			return true;
	return false;
}

/* The app templates: every top-level directory of templates/ but the CI ones. */
static void list_templates(struct strlist *out)
{
	size_t i;
	for (i = 0; i < ntemplate_files; i++) {
		const char *p = template_files[i].path, *slash = strchr(p, '/');
		char *name;
		if (!slash || is_ci_dir(p, (size_t)(slash - p)))
			continue;
		name = xstrndup(p, (size_t)(slash - p));
		if (!strlist_has(out, name))
			strlist_add(out, name);
		free(name);
	}
}

static char *join_path(const char *dir, const char *rel)
{
	size_t n = strlen(dir);
	if (!strcmp(dir, "."))
		return xstrdup(rel);
	return xasprintf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", rel);
}

/* Add every file under templates/<src>/ as <dest_prefix><rest>; a
 * README.md at the top of an app template documents it and stays behind. */
static size_t plan_dir(struct planned **plan, size_t *n, const char *dir, const char *src,
                       const char *dest_prefix, bool is_app)
{
	size_t i, added = 0, srclen = strlen(src);
	for (i = 0; i < ntemplate_files; i++) {
		const struct template_file *tf = &template_files[i];
		const char *rest;
		struct planned *p;
		if (strncmp(tf->path, src, srclen) || tf->path[srclen] != '/')
			continue;
		rest = tf->path + srclen + 1;
		if (is_app && !strcmp(rest, "README.md"))
			continue;
		*plan = xrealloc(*plan, (*n + 1) * sizeof(**plan));
		p = &(*plan)[(*n)++];
		p->tf = tf;
		p->rel = xasprintf("%s%s", dest_prefix, rest);
		p->path = join_path(dir, p->rel);
		p->exists = false;
		added++;
	}
	return added;
}

/* Check that every existing prefix of path (below nothing) is a directory;
 * names the first that is not. */
static int check_parents(const char *path)
{
	char *copy = xstrdup(path), *s;
	int rc = 0;
	for (s = copy + 1; (s = strchr(s, '/')); s++) {
		struct stat st;
		*s = '\0';
		if (stat(copy, &st) == 0 && !S_ISDIR(st.st_mode)) {
			errorf("cannot write '%s': '%s' is not a directory", path, copy);
			rc = -1;
		}
		*s = '/';
		if (rc)
			break;
	}
	free(copy);
	return rc;
}

static int mkdirs_for(const char *path)
{
	char *copy = xstrdup(path), *s;
	int rc = 0;
	for (s = copy + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
			errorf("cannot create directory '%s': %s", copy, strerror(errno));
			rc = -1;
		}
		*s = '/';
		if (rc)
			break;
	}
	free(copy);
	return rc;
}

/* The template's bytes with every VERSION_MARK replaced by this version. */
static void expand_template(struct buf *out, const struct template_file *tf)
{
	const char *s = (const char *)tf->data, *end = s + tf->len, *m;
	size_t marklen = strlen(VERSION_MARK);
	while ((m = memmem(s, (size_t)(end - s), VERSION_MARK, marklen))) {
		buf_add(out, s, (size_t)(m - s));
		buf_puts(out, EBCTL_VERSION);
		s = m + marklen;
	}
	buf_add(out, s, (size_t)(end - s));
}

static int write_file(const struct planned *p, mode_t mode)
{
	struct buf b = BUF_INIT;
	int rc = 0;
	if (mkdirs_for(p->path))
		return -1;
	expand_template(&b, p->tf);
	if (fs_write_atomic(p->path, buf_cstr(&b), b.len, mode) != 0) {
		errorf("cannot write '%s': %s", p->path, strerror(errno));
		rc = -1;
	}
	buf_cleanup(&b);
	return rc;
}

int cmd_init(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "init", "[--template NAME] [--ci github|travis] [--force] [-C DIR]",
	    "The files come from the templates built into ebctl (see --list). The app\n"
	    "template " DEFAULT_TEMPLATE
	    " writes Dockerrun.aws.json and .ebextensions/; --ci github\n"
	    "adds .github/workflows/deploy.yml, --ci travis adds .travis.yml. An existing\n"
	    "file is never overwritten without --force: ebctl init names it and writes\n"
	    "nothing (exit 1)."};
	const char *tmpl = DEFAULT_TEMPLATE, *ci = NULL, *dir = ".";
	bool force = false, list = false;
	const struct opt opts[] = {
	    OPTION_STRING("template", 't', &tmpl, "NAME",
	                  "app template to write (default " DEFAULT_TEMPLATE ")", NULL),
	    OPTION_CHOICE("ci", 0, &ci, "NAME", "also write a CI workflow", NULL, "github,travis"),
	    OPTION_BOOL("force", 'f', &force, "overwrite files that exist", NULL),
	    OPTION_STRING("directory", 'C', &dir, "DIR",
	                  "write into DIR, created if missing (default .)", NULL),
	    OPTION_BOOL("list", 0, &list, "list the templates and exit", NULL),
	    OPTION_END,
	};
	struct strlist names = {NULL, 0};
	struct planned *plan = NULL;
	size_t nplan = 0, i, nexist = 0;
	mode_t mask;
	int n, rc = 0;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 0)
		return usage_error("init", "unexpected argument '%s'", argv[1]);
	if (!*dir)
		return usage_error("init", "-C needs a directory");

	list_templates(&names);
	if (list) {
		for (i = 0; i < names.n; i++)
			out_line("%s%s\n", names.v[i],
			         strcmp(names.v[i], DEFAULT_TEMPLATE) ? "" : " (default)");
		goto out;
	}
	if (!strlist_has(&names, tmpl)) {
		struct buf b = BUF_INIT;
		for (i = 0; i < names.n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", names.v[i]);
		rc = usage_error("init", "no template named '%s'; templates are: %s", tmpl,
		                 buf_cstr(&b));
		buf_cleanup(&b);
		goto out;
	}

	plan_dir(&plan, &nplan, dir, tmpl, "", true);
	for (i = 0; ci && i < EBCTL_ARRAY_LEN(ci_targets); i++)
		if (!strcmp(ci, ci_targets[i].name))
			plan_dir(&plan, &nplan, dir, ci_targets[i].name, ci_targets[i].dest, false);

	/* Check everything before writing anything. */
	for (i = 0; i < nplan; i++) {
		struct stat st;
		if (check_parents(plan[i].path)) {
			rc = EBCTL_ERR_INVALID;
			continue;
		}
		if (lstat(plan[i].path, &st) == 0) {
			plan[i].exists = true;
			if (S_ISDIR(st.st_mode)) {
				errorf("cannot write '%s': it is a directory", plan[i].path);
				rc = EBCTL_ERR_INVALID;
			} else if (!force) {
				errorf("'%s' exists", plan[i].path);
				nexist++;
			}
		}
	}
	if (nexist) {
		errorf("%zu file%s exist%s; nothing written (use --force to overwrite)", nexist,
		       nexist == 1 ? "" : "s", nexist == 1 ? "s" : "");
		rc = EBCTL_ERR_INVALID;
	}
	if (rc)
		goto out;

	mask = umask(0);
	umask(mask);
	for (i = 0; i < nplan; i++) {
		if (write_file(&plan[i], 0666 & ~mask)) {
			rc = EBCTL_ERR_INVALID;
			goto out;
		}
		out_line("%s %s\n", plan[i].exists ? "overwrote" : "wrote", plan[i].path);
	}
	for (i = 0; i < nplan; i++)
		if (!strcmp(plan[i].rel, "Dockerrun.aws.json"))
			notef("next: put your images in '%s', then 'ebctl validate %s' and "
			      "'ebctl deploy --app NAME --env NAME'",
			      plan[i].path, plan[i].path);
	for (i = 0; ci && i < nplan; i++) {
		size_t t;
		for (t = 0; t < EBCTL_ARRAY_LEN(ci_targets); t++)
			if (!strcmp(ci, ci_targets[t].name) &&
			    !strncmp(plan[i].tf->path, ci, strlen(ci)) &&
			    plan[i].tf->path[strlen(ci)] == '/')
				notef("next: in '%s', %s", plan[i].path, ci_targets[t].next);
	}
out:
	for (i = 0; i < nplan; i++) {
		free(plan[i].rel);
		free(plan[i].path);
	}
	free(plan);
	strlist_cleanup(&names);
	return rc;
}
