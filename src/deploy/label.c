/* Version labels and descriptions that make a re-run of the same job
 * idempotent. */
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
	for (i = 0; i < EB_ARRAY_LEN(vars); i++) {
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

char *deploy_default_label(const char *dir, const char *bundle_hex)
{
	static const char *const short_head[] = {"rev-parse", "--short=7", "HEAD", NULL};
	static const char *const status[] = {"status", "--porcelain", "--untracked-files=normal",
	                                     NULL};
	const char *ci = ci_commit();
	char *commit = NULL, *porcelain = NULL, *label;
	bool in_git, dirty = false;

	in_git = git_capture(dir, short_head, &commit) == 0 && commit && *commit && all_hex(commit);
	if (ci) {
		free(commit);
		commit = xstrndup(ci, 7);
	}
	if (!ci && !in_git) {
		free(commit);
		return xasprintf("sha256-%.16s", bundle_hex);
	}
	if (in_git && git_capture(dir, status, &porcelain) == 0 && porcelain && *porcelain)
		dirty = true;
	label = dirty ? xasprintf("%s-%.8s", commit, bundle_hex) : xstrdup(commit);
	free(commit);
	free(porcelain);
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

int deploy_check_label(const char *label)
{
	/* AWS counts characters (code points), not bytes. */
	long n = str_utf8_len(label, 0, NULL);
	if (n < 0) {
		char *shown = str_utf8_valid(label);
		errorf("error: version label '%s' is not valid UTF-8 [label]", shown);
		free(shown);
		return EB_EXIT_INVALID;
	}
	if (n == 0 || n > LABEL_MAX) {
		errorf("error: version label '%s' has %ld characters; it must have 1 to %d [label]",
		       label, n, LABEL_MAX);
		return EB_EXIT_INVALID;
	}
	if (has_control(label)) {
		errorf("error: version label '%s' contains a control character (CR, LF, tab...), "
		       "which Elastic Beanstalk does not keep as sent [label]",
		       label);
		return EB_EXIT_INVALID;
	}
	if (strchr(label, '/')) {
		errorf("error: version label '%s' contains '/', which Elastic Beanstalk rejects "
		       "[label]",
		       label);
		return EB_EXIT_INVALID;
	}
	return 0;
}

int deploy_check_env_name(const char *name)
{
	size_t n = strlen(name), i;
	bool ok = n >= 4 && n <= 40 && name[0] != '-' && name[n - 1] != '-';
	for (i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)name[i]) || name[i] == '-';
	if (!ok) {
		errorf("error: environment name '%s' must have 4 to 40 letters, digits and "
		       "hyphens, and not start or "
		       "end with a hyphen [label]",
		       name);
		return EB_EXIT_INVALID;
	}
	return 0;
}

char *deploy_description(const char *dir, const char *given)
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
		warnf("the description holds control characters or bytes that are not UTF-8: "
		      "sent as '%s' [label]",
		      d);
	if ((n = str_utf8_len(d, DESCRIPTION_MAX, &cut)) > DESCRIPTION_MAX) {
		d[cut] = 0;
		warnf("the description has %ld characters, more than %d: cut to '%s' [label]", n,
		      DESCRIPTION_MAX, d);
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
