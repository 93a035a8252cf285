/* Which files go into the source bundle. */
#include "ebctl/bundle.h"
#include "ebctl/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct walk {
	const char *root;
	const struct ignore *ig;
	bool have_excl;
	dev_t excl_dev;
	ino_t excl_ino;
	struct bundle_files *out;
	const struct msgsink *sink;
};

static void add_entry(struct bundle_files *f, const char *rel, const struct stat *st, bool deref)
{
	f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	f->v[f->n].path = xstrdup(rel);
	f->v[f->n].mode = st->st_mode;
	f->v[f->n].size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
	f->v[f->n].dev = st->st_dev;
	f->v[f->n].ino = st->st_ino;
	f->v[f->n].deref = deref;
	f->n++;
}

/* The files Elastic Beanstalk reads from the bundle root: a link there is
 * read through by the validator but would reach the instance as a link. */
static bool is_manifest_path(const char *rel)
{
	return !strcmp(rel, "Dockerrun.aws.json") || !strcmp(rel, "docker-compose.yml") ||
	       !strcmp(rel, ".ebextensions") || !strcmp(rel, ".platform");
}

/* Whether the link target t, found at rel, leaves the bundle directory
 * (absolute, or more ".." than rel is deep at some point). */
static bool link_leaves(const char *rel, const char *t)
{
	long depth = 0;
	const char *p;
	if (t[0] == '/')
		return true;
	for (p = rel; *p; p++)
		depth += *p == '/';
	for (p = t; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return true;
		} else if (len && !(len == 1 && p[0] == '.')) {
			depth++;
		}
		p += len + (p[len] == '/');
	}
	return false;
}

/* Always left out, whatever .ebignore says: version control and the eb
 * CLI's own state (which may hold credentials-adjacent settings). */
static bool always_excluded(const char *rel, bool is_dir)
{
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	if (is_dir && strcmp(base, ".git") == 0)
		return true;
	return strcmp(rel, ".elasticbeanstalk") == 0 || (!is_dir && strcmp(base, ".git") == 0);
}

static int walk_path(struct walk *w, const char *rel);

static int walk_dir(struct walk *w, const char *rel)
{
	char *full = xasprintf("%s/%s", w->root, rel);
	DIR *d = opendir(full);
	struct dirent *de;
	int rc = 0;
	if (!d) {
		sink_error(w->sink, "cannot read '%s': %s", full, strerror(errno));
		free(full);
		return EBCTL_ERR_INVALID;
	}
	while (!rc && (de = readdir(d))) {
		char *child;
		if (interrupt_requested()) {
			rc = EBCTL_ERR_INTERRUPTED;
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		rc = walk_path(w, child);
		free(child);
	}
	closedir(d);
	free(full);
	return rc;
}

static int walk_path(struct walk *w, const char *rel)
{
	char *full = xasprintf("%s/%s", w->root, rel);
	struct stat st;
	bool is_dir, deref = false;
	int rc = 0;
	if (lstat(full, &st)) {
		sink_error(w->sink, "cannot read '%s': %s", full, strerror(errno));
		free(full);
		return EBCTL_ERR_INVALID;
	}
	if (S_ISLNK(st.st_mode) && is_manifest_path(rel)) {
		/* Stored as what it points to, as the validator read it. */
		if (stat(full, &st) || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
			sink_error(
			    w->sink,
			    "'%s' is a symbolic link to %s: Elastic Beanstalk needs the file "
			    "itself [bundle-root]",
			    full, errno == ENOENT ? "nothing" : "neither a file nor a directory");
			free(full);
			return EBCTL_ERR_INVALID;
		}
		deref = true;
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(full, target, sizeof(target) - 1);
		if (n >= 0) {
			target[n] = '\0';
			if (link_leaves(rel, target))
				sink_warn(w->sink,
				          "'%s' is a link to '%s', outside the directory: it is "
				          "stored as a link and will not resolve on the instance",
				          rel, target);
		}
	}
	free(full);
	is_dir = S_ISDIR(st.st_mode);
	if (always_excluded(rel, is_dir) || ignore_match(w->ig, rel, is_dir))
		return 0;
	if (w->have_excl && st.st_dev == w->excl_dev && st.st_ino == w->excl_ino)
		return 0;
	if (!is_dir && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
		sink_warn(w->sink, "'%s' is not a regular file, directory or symlink: left out",
		          rel);
		return 0;
	}
	add_entry(w->out, rel, &st, deref);
	if (is_dir)
		rc = walk_dir(w, rel);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct bundle_entry *)a)->path,
	              ((const struct bundle_entry *)b)->path);
}

void bundle_files_sort(struct bundle_files *f)
{
	if (f->n)
		qsort(f->v, f->n, sizeof(*f->v), cmp_entry);
}

/* Entries are sorted by path. */
static bool has_entry(const struct bundle_files *f, const char *path)
{
	struct bundle_entry key = {0};
	key.path = (char *)path;
	return f->n && bsearch(&key, f->v, f->n, sizeof(*f->v), cmp_entry) != NULL;
}

void bundle_files_cleanup(struct bundle_files *f)
{
	size_t i;
	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		free(f->v[i].path);
	free(f->v);
	ignore_free(f->rules);
	f->v = NULL;
	f->n = 0;
	f->rules = NULL;
}

/* Whether the walk of bundle_select would take a file at rel, were it there. */
static bool would_select(const struct bundle_files *f, const char *rel)
{
	const char *slash = strchr(rel, '/');
	size_t first = slash ? (size_t)(slash - rel) : strlen(rel);
	char *dir;
	bool taken = true;
	if (!f->all &&
	    !(strcmp(rel, "Dockerrun.aws.json") == 0 || strcmp(rel, "docker-compose.yml") == 0 ||
	      (slash && ((first == 13 && strncmp(rel, ".ebextensions", 13) == 0) ||
	                 (first == 9 && strncmp(rel, ".platform", 9) == 0)))))
		return false;
	/* the walk never enters a directory left out */
	dir = xstrdup(rel);
	for (slash = strchr(rel, '/'); taken && slash; slash = strchr(slash + 1, '/')) {
		dir[slash - rel] = '\0';
		taken = !always_excluded(dir, true) && !ignore_match(f->rules, dir, true);
		dir[slash - rel] = '/';
	}
	free(dir);
	return taken && !always_excluded(rel, false) && !ignore_match(f->rules, rel, false);
}

bool bundle_files_covers(const struct bundle_files *f, const char *path, bool gone)
{
	if (has_entry(f, path))
		return true;
	return gone && f->rules && would_select(f, path);
}

int bundle_select(const char *dir, bool all, const char *exclude, struct bundle_files *out,
                  const struct msgsink *sink)
{
	static const char *const defaults[] = {"Dockerrun.aws.json", "docker-compose.yml",
	                                       ".ebextensions", ".platform"};
	struct walk w = {dir, NULL, false, 0, 0, out, sink};
	struct ignore *ig = ignore_new();
	struct stat st;
	char *ebignore = xasprintf("%s/.ebignore", dir);
	int rc = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		int e = errno;
		sink_error(sink, "cannot use '%s' as the bundle directory: %s", dir,
		           strerror(stat(dir, &st) ? e : ENOTDIR));
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	/* Without an .ebignore, --all takes the root .gitignore, as the eb CLI does. */
	if (all && lstat(ebignore, &st) != 0 && errno == ENOENT) {
		char *gitignore = xasprintf("%s/.gitignore", dir);
		if (lstat(gitignore, &st) == 0) {
			sink_note(sink, "no .ebignore: leaving out what '%s' lists", gitignore);
			free(ebignore);
			ebignore = gitignore;
		} else {
			free(gitignore);
		}
	}
	if (ignore_load(ig, ebignore)) {
		sink_error(sink, "cannot read '%s': %s", ebignore, strerror(errno));
		rc = EBCTL_ERR_INVALID;
		goto out;
	}
	w.ig = ig;
	if (exclude && stat(exclude, &st) == 0) {
		w.have_excl = true;
		w.excl_dev = st.st_dev;
		w.excl_ino = st.st_ino;
	}
	if (all) {
		rc = walk_dir(&w, "");
	} else {
		for (i = 0; !rc && i < EBCTL_ARRAY_LEN(defaults); i++) {
			char *full = xasprintf("%s/%s", dir, defaults[i]);
			if (lstat(full, &st) == 0)
				rc = walk_path(&w, defaults[i]);
			free(full);
		}
	}
	if (rc)
		goto out;
	bundle_files_sort(out);
	if (has_entry(out, "Dockerrun.aws.json")) {
		out->v3 = false;
	} else if (has_entry(out, "docker-compose.yml")) {
		out->v3 = true;
	} else {
		sink_error(sink,
		           "%s: error: no Dockerrun.aws.json or docker-compose.yml at the bundle "
		           "root (or .ebignore leaves it out) [bundle-root]",
		           dir);
		rc = EBCTL_ERR_INVALID;
	}
out:
	out->rules = ig;
	out->all = all;
	if (rc)
		bundle_files_cleanup(out);
	free(ebignore);
	return rc;
}
