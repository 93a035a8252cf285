/* .ebignore rules: the gitignore syntax the eb CLI documents for it. */
#include "ebctl/bundle.h"
#include "ebctl/util.h"

#include <errno.h>
#include <ctype.h>
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
		buf_cleanup(&b);
		if (e == ENOENT)
			return 0;
		errno = e;
		return -1;
	}
	for (line = b.ptr ? strtok_r(b.ptr, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		ignore_add_line(ig, line);
	buf_cleanup(&b);
	return 0;
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

/* A named class ("alpha" in "[[:alpha:]]", len bytes) holds c: 1, 0, or -1
 * when the name is not one. */
static int named_class(const char *name, size_t len, int c)
{
	static const struct {
		const char *name;
		int (*is)(int);
	} classes[] = {{"alnum", isalnum}, {"alpha", isalpha}, {"blank", isblank},
	               {"cntrl", iscntrl}, {"digit", isdigit}, {"graph", isgraph},
	               {"lower", islower}, {"print", isprint}, {"punct", ispunct},
	               {"space", isspace}, {"upper", isupper}, {"xdigit", isxdigit}};
	size_t i;
	for (i = 0; i < EBCTL_ARRAY_LEN(classes); i++)
		if (strlen(classes[i].name) == len && !memcmp(classes[i].name, name, len))
			return classes[i].is(c) != 0;
	return -1;
}

/*
 * The bracket expression at *pp against t, exactly as git's wildmatch reads
 * it: a "]" right after "[" or "[!" is a member, "\\" quotes the next
 * character (also "]"), "a-z" is a range by byte value (so "[a-Z]" holds
 * nothing), "[:name:]" a named class. An unterminated expression, a
 * trailing "\\" or an unknown class name never match (WM_ABORT_ALL). On
 * return *pp is at the closing "]".
 */
static int match_class(const char **pp, unsigned char t)
{
	const unsigned char *p = (const unsigned char *)*pp + 1;
	unsigned char prev = 0, c = *p;
	bool negated = false, matched = false;
	if (c == '!' || c == '^') {
		negated = true;
		c = *++p;
	}
	do {
		if (!c)
			return WM_ABORT_ALL;
		if (c == '\\') {
			if (!(c = *++p))
				return WM_ABORT_ALL;
			if (t == c)
				matched = true;
		} else if (c == '-' && prev && p[1] && p[1] != ']') {
			c = *++p;
			if (c == '\\' && !(c = *++p))
				return WM_ABORT_ALL;
			if (t <= c && t >= prev)
				matched = true;
			c = 0; /* a range is not the start of another */
		} else if (c == '[' && p[1] == ':') {
			const unsigned char *name = p + 2, *e = name;
			int r;
			while (*e && *e != ']')
				e++;
			if (!*e)
				return WM_ABORT_ALL;
			if (e - name < 1 || e[-1] != ':') {
				/* no ":]": a plain "[" */
				if (t == '[')
					matched = true;
			} else {
				if ((r = named_class((const char *)name, (size_t)(e - name - 1),
				                     t)) < 0)
					return WM_ABORT_ALL;
				if (r)
					matched = true;
				p = e;
				c = 0;
			}
		} else if (t == c) {
			matched = true;
		}
		prev = c;
	} while ((c = *++p) != ']');
	*pp = (const char *)p;
	return matched != negated && t != '/' ? WM_MATCH : WM_NOMATCH;
}

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
			int r = match_class(&p, (unsigned char)*s);
			if (r != WM_MATCH)
				return r;
			break;
		}
		case '\\':
			/* A trailing "\\" quotes nothing: it never matches, as in git. */
			if (!p[1])
				return WM_NOMATCH;
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
