/* Version labels and descriptions that make a re-run of the same job
 * idempotent. */
#include "ebctl/bundle.h"
#include "ebctl/deploy.h"
#include "ebctl/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX       100
#define DESCRIPTION_MAX 200

/* The commit named by the CI system, if any. */
static const char *ci_commit(void)
{
	static const char *const vars[] = {"GITHUB_SHA", "TRAVIS_COMMIT", "CI_COMMIT_SHA"};
	size_t i;
	for (i = 0; i < EBCTL_ARRAY_LEN(vars); i++) {
		const char *v = getenv(vars[i]);
		if (v && strlen(v) >= 7)
			return v;
	}
	return NULL;
}

static bool all_hex(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

#define DIRTY_SHOWN 3 /* changed files the note names */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The uncommitted changes of the work tree at dir that reach the bundle
 * (files, or NULL for any), from `git status --porcelain -z` limited to
 * dir: paths relative to the repository's top, so dir's prefix is taken
 * off. Untracked files count one by one (--untracked-files=all), ignored
 * ones not at all; a deleted or renamed-away path counts when the bundle
 * would have held it. The paths go to `changed`, sorted, each once.
 */
static void bundled_changes(const char *dir, const struct bundle_files *files,
                            struct strlist *changed)
{
	static const char *const prefix_args[] = {"rev-parse", "--show-prefix", NULL};
	static const char *const status[] = {
	    "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".", NULL};
	char *prefix = NULL, *out = NULL, *p, *end;
	size_t len = 0, plen;
	if (git_capture(dir, prefix_args, &prefix) != 0 ||
	    git_capture_raw(dir, status, &out, &len) != 0)
		goto done;
	plen = strlen(prefix);
	for (p = out, end = out + len; p + 3 < end; p += strlen(p) + 1) {
		/* "XY PATH\0", and for a rename or copy "XY PATH\0FROM\0" */
		char x = p[0], y = p[1];
		const char *path = p + 3, *from = NULL;
		if ((x == 'R' || x == 'C' || y == 'R' || y == 'C') && p + strlen(p) + 1 < end)
			from = p + strlen(p) + 1;
		if (strncmp(path, prefix, plen) == 0 &&
		    (!files || bundle_files_covers(files, path + plen, x == 'D' || y == 'D')))
			strlist_add(changed, path + plen);
		if (from) {
			/* a rename takes the old path out of the bundle; a copy leaves it */
			if (x == 'R' && strncmp(from, prefix, plen) == 0 &&
			    (!files || bundle_files_covers(files, from + plen, true)))
				strlist_add(changed, from + plen);
			p += strlen(p) + 1;
		}
	}
	/* sorted, each path once (a path can be both a rename's source and an entry) */
	if (changed->n) {
		size_t i, n = 1;
		qsort(changed->v, changed->n, sizeof(*changed->v), cmp_str);
		for (i = 1; i < changed->n; i++) {
			if (strcmp(changed->v[i], changed->v[n - 1]) == 0)
				free(changed->v[i]);
			else
				changed->v[n++] = changed->v[i];
		}
		changed->n = n;
	}
done:
	free(prefix);
	free(out);
}

char *deploy_default_label(const char *dir, const char *bundle_hex,
                           const struct bundle_files *files, const struct msgsink *sink)
{
	static const char *const short_head[] = {"rev-parse", "--short=7", "HEAD", NULL};
	const char *ci = ci_commit();
	char *commit = NULL, *label;
	struct strlist changed = {NULL, 0};
	bool in_git;

	in_git = git_capture(dir, short_head, &commit) == 0 && commit && *commit && all_hex(commit);
	if (ci) {
		free(commit);
		commit = xstrndup(ci, 7);
	}
	if (!ci && !in_git) {
		free(commit);
		return xasprintf("sha256-%.16s", bundle_hex);
	}
	if (in_git)
		bundled_changes(dir, files, &changed);
	if (!changed.n)
		return commit;
	label = xasprintf("%s-%.8s", commit, bundle_hex);
	{
		/* named as they are, but a control character in a name cannot end the line */
		struct buf names = BUF_INIT;
		size_t i;
		for (i = 0; i < changed.n && i < DIRTY_SHOWN; i++) {
			if (i)
				buf_puts(&names, ", ");
			buf_put_escaped(&names, changed.v[i], strlen(changed.v[i]));
		}
		if (changed.n > DIRTY_SHOWN)
			buf_puts(&names, ", ...");
		sink_note(sink, "label %s: the tree has uncommitted changes in %zu %sfile%s (%s)",
		          label, changed.n, files ? "bundled " : "", changed.n == 1 ? "" : "s",
		          buf_cstr(&names));
		buf_cleanup(&names);
	}
	free(commit);
	strlist_cleanup(&changed);
	return label;
}

/* A C0 control character or DEL: the XML that carries the value back normalises CR and LF. */
static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int deploy_check_label(const char *label, const struct msgsink *sink)
{
	/* AWS counts characters (code points), not bytes. */
	long n = str_utf8_len(label, 0, NULL);
	if (n < 0) {
		char *shown = str_utf8_valid(label);
		sink_error(sink, "error: version label '%s' is not valid UTF-8 [label]", shown);
		free(shown);
		return EBCTL_ERR_INVALID;
	}
	if (n == 0 || n > LABEL_MAX) {
		sink_error(
		    sink,
		    "error: version label '%s' has %ld characters; it must have 1 to %d [label]",
		    label, n, LABEL_MAX);
		return EBCTL_ERR_INVALID;
	}
	if (has_control(label)) {
		sink_error(
		    sink,
		    "error: version label '%s' contains a control character (CR, LF, tab...), "
		    "which Elastic Beanstalk does not keep as sent [label]",
		    label);
		return EBCTL_ERR_INVALID;
	}
	if (strchr(label, '/')) {
		sink_error(
		    sink,
		    "error: version label '%s' contains '/', which Elastic Beanstalk rejects "
		    "[label]",
		    label);
		return EBCTL_ERR_INVALID;
	}
	return 0;
}

int deploy_check_env_name(const char *name, const struct msgsink *sink)
{
	size_t n = strlen(name), i;
	bool ok = n >= 4 && n <= 40 && name[0] != '-' && name[n - 1] != '-';
	for (i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)name[i]) || name[i] == '-';
	if (!ok) {
		sink_error(sink,
		           "error: environment name '%s' must have 4 to 40 letters, digits and "
		           "hyphens, and not start or "
		           "end with a hyphen [label]",
		           name);
		return EBCTL_ERR_INVALID;
	}
	return 0;
}

char *deploy_description(const char *dir, const char *given, const struct msgsink *sink)
{
	static const char *const subject[] = {"log", "-1", "--format=%s", NULL};
	char *d = NULL, *p;
	bool changed = false;
	size_t cut;
	long n;
	if (given) {
		d = xstrdup(given);
	} else if (git_capture(dir, subject, &d) != 0 || !d || !*d) {
		free(d);
		return NULL;
	}
	/* Bytes that are not UTF-8 would fail the signature check on the server, and
	 * control characters come back changed: neither goes out as it is. */
	if (str_utf8_len(d, 0, NULL) < 0) {
		p = str_utf8_valid(d);
		free(d);
		d = p;
		changed = true;
	}
	for (p = d; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*p = ' ';
			changed = true;
		}
	if (changed)
		sink_warn(sink,
		          "the description holds control characters or bytes that are not UTF-8: "
		          "sent as '%s' [label]",
		          d);
	if ((n = str_utf8_len(d, DESCRIPTION_MAX, &cut)) > DESCRIPTION_MAX) {
		d[cut] = 0;
		sink_warn(sink,
		          "the description has %ld characters, more than %d: cut to '%s' [label]",
		          n, DESCRIPTION_MAX, d);
	}
	return d;
}

/* "[bucket_path/]app/" with the slashes of bucket_path trimmed. */
static char *key_prefix(const char *bucket_path, const char *app)
{
	size_t a = 0, n = bucket_path ? strlen(bucket_path) : 0;
	while (a < n && bucket_path[a] == '/')
		a++;
	while (n > a && bucket_path[n - 1] == '/')
		n--;
	if (n == a)
		return xasprintf("%s/", app);
	return xasprintf("%.*s/%s/", (int)(n - a), bucket_path + a, app);
}

char *deploy_s3_key(const char *bucket_path, const char *app, const char *hex)
{
	char *p = key_prefix(bucket_path, app), *k = xasprintf("%s%s.zip", p, hex);
	free(p);
	return k;
}

char *deploy_version_key(const char *bucket_path, const char *app, const char *label,
                         const char *hex)
{
	char *p = key_prefix(bucket_path, app);
	char *k = xasprintf("%sversions/%s/%s.zip", p, label, hex);
	free(p);
	return k;
}
