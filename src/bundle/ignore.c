/* .ebignore rules: the gitignore syntax the eb CLI documents for it. */
#include "ebctl/bundle.h"
#include "ebctl/util.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

struct rule {
	char *pattern; /* without "!", leading "/" or trailing "/" */
	bool negate;
	bool dir_only;
	bool anchored; /* matched against the whole path, else the basename */
};

struct ignore {
	struct rule *v;
	size_t n;
};

struct ignore *ignore_new(void)
{
	return xcalloc(1, sizeof(struct ignore));
}

void ignore_free(struct ignore *ig)
{
	size_t i;
	if (!ig)
		return;
	for (i = 0; i < ig->n; i++)
		free(ig->v[i].pattern);
	free(ig->v);
	free(ig);
}

void ignore_add_line(struct ignore *ig, const char *line)
{
	struct rule r = {NULL, false, false, false};
	size_t len = strlen(line);
	char *p;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	/* Trailing spaces are dropped unless quoted with a backslash. */
	while (len && line[len - 1] == ' ' && !(len >= 2 && line[len - 2] == '\\'))
		len--;
	if (!len || line[0] == '#')
		return;
	if (line[0] == '!') {
		r.negate = true;
		line++;
		len--;
	}
	if (len && line[len - 1] == '/') {
		r.dir_only = true;
		len--;
	}
	if (len && line[0] == '/') {
		r.anchored = true;
		line++;
		len--;
	}
	if (!len)
		return;
	p = xstrndup(line, len);
	/* A slash left in the middle anchors, as in gitignore; a leading
	 * "**" followed by "/" matches at any depth anyway. */
	if (strchr(p, '/'))
		r.anchored = true;
	r.pattern = p;
	ig->v = xrealloc(ig->v, (ig->n + 1) * sizeof(*ig->v));
	ig->v[ig->n++] = r;
}

int ignore_load(struct ignore *ig, const char *path)
{
	struct buf b = BUF_INIT;
	char *line, *save = NULL;
	if (buf_read_file(&b, path, 1 << 20)) {
		int e = errno;
		buf_free(&b);
		if (e == ENOENT)
			return 0;
		errno = e;
		return -1;
	}
	for (line = b.ptr ? strtok_r(b.ptr, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		ignore_add_line(ig, line);
	buf_free(&b);
	return 0;
}

/* Length of the bracket expression at p ("[...]"), or 0 when unterminated
 * (then "[" is a literal, as in git). */
static size_t class_len(const char *p)
{
	size_t i = 1;
	if (p[i] == '!' || p[i] == '^')
		i++;
	if (p[i] == ']')
		i++;
	for (; p[i]; i++) {
		if (p[i] == '[' && p[i + 1] == ':') {
			const char *e = strstr(p + i + 2, ":]");
			if (e)
				i = (size_t)(e - p) + 1;
			continue;
		}
		if (p[i] == ']')
			return i + 1;
	}
	return 0;
}

static bool class_match(const char *cls, size_t len, char c)
{
	char pat[256], s[2] = {c, 0};
	if (len >= sizeof(pat) || c == '/')
		return false;
	memcpy(pat, cls, len);
	pat[len] = 0;
	if (pat[1] == '^')
		pat[1] = '!';
	return fnmatch(pat, s, 0) == 0;
}

/* Results of wildmatch(): besides match and no match, two verdicts that
 * stop the callers' backtracking (git's wildmatch does the same). Without
 * them a pattern such as "*?*?*?*?..." takes exponential time. */
enum {
	WM_ABORT_TO_STARSTAR = -2, /* a "*" met "/": only an outer "**" may go on */
	WM_ABORT_ALL = -1,         /* the text ran out: no later start can match */
	WM_NOMATCH = 0,
	WM_MATCH = 1,
};

static int wildmatch(const char *start, const char *p, const char *s)
{
	for (; *p; p++, s++) {
		if (!*s && *p != '*')
			return WM_ABORT_ALL;
		switch (*p) {
		case '*':
			if (p[1] == '*') {
				/* "**": at the start or after "/", and followed by "/" or
				 * the end, it spans directories; otherwise it is "*". */
				bool at_seg = p == start || p[-1] == '/';
				const char *q = p + 2;
				while (*q == '*')
					q++;
				if (*q == '/' && at_seg) {
					/* "**" + "/": zero or more whole directories. */
					const char *t = s;
					for (;;) {
						int r = wildmatch(start, q + 1, t);
						if (r == WM_MATCH || r == WM_ABORT_ALL)
							return r;
						t = strchr(t, '/');
						if (!t)
							return WM_ABORT_ALL;
						t++;
					}
				}
				if (!*q)
					return WM_MATCH;
				p = q - 1;
			}
			/* "*": any run without "/". */
			{
				const char *t = s;
				for (;;) {
					int r = wildmatch(start, p + 1, t);
					if (r != WM_NOMATCH)
						return r;
					if (!*t)
						return WM_ABORT_ALL;
					if (*t == '/')
						return WM_ABORT_TO_STARSTAR;
					t++;
				}
			}
		case '?':
			if (*s == '/')
				return WM_NOMATCH;
			break;
		case '[': {
			size_t n = class_len(p);
			if (!n) {
				if (*s != '[')
					return WM_NOMATCH;
				break;
			}
			if (!class_match(p, n, *s))
				return WM_NOMATCH;
			p += n - 1;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*s != *p)
				return WM_NOMATCH;
		}
	}
	return *s == '\0' ? WM_MATCH : WM_NOMATCH;
}

bool ignore_wildmatch(const char *pattern, const char *path)
{
	return wildmatch(pattern, pattern, path) == WM_MATCH;
}

bool ignore_match(const struct ignore *ig, const char *path, bool is_dir)
{
	const char *base = strrchr(path, '/');
	size_t i = ig ? ig->n : 0;
	base = base ? base + 1 : path;
	/* The last matching rule decides: search from the end. */
	while (i-- > 0) {
		const struct rule *r = &ig->v[i];
		if (r->dir_only && !is_dir)
			continue;
		if (ignore_wildmatch(r->pattern, r->anchored ? path : base))
			return !r->negate;
	}
	return false;
}
