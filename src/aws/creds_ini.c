/*
 * The shared config and credentials files (~/.aws/config, ~/.aws/credentials,
 * or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE), read with inih, and a
 * profile's settings in them. Values are wiped when freed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <openssl/crypto.h>

#include "creds.h"

/* ---- INI files ---- */

/*
 * inih keeps at most INI_MAX_LINE bytes of a line (200 in Debian's build,
 * as in upstream's default) and parses the rest of a longer one as a line
 * of its own, so a session token (400 to well over 1000 characters from
 * STS and IAM Identity Center) failed to parse. inih stays the parser: this
 * reader hands it one physical line per call, so its line numbers stay
 * right, and a line it could not hold with the parts that do not fit (the
 * value, and the name if need be) replaced by placeholders "\x01N\x01"
 * that index a table of those parts, cut and trimmed as inih would have
 * done; the handler puts them back. The reader follows inih's reading of
 * each line (comment, continuation, section, name = value), so the short
 * line means to inih what the long one would have. A section name longer
 * than inih keeps (MAX_SECTION in its ini.c: longer ones were cut, and two
 * long profile names that start alike were one) is replaced the same way,
 * on any line.
 */
#define INIH_MAX_SECTION 50
#define INI_LEAD_MAX     16 /* leading blanks kept of a replaced line: 1 tells a continuation */
#define INI_PH_ROOM      64 /* bytes two placeholders, '=' and a newline take at most */

enum ini_part { INI_VALUE, INI_NAME, INI_SECTION };
struct ini_long {
	char *text; /* what inih would have passed */
	enum ini_part part;
};
struct ini_reader {
	FILE *fp;
	char *line; /* the physical line, whatever its length (getline) */
	size_t cap;
	int lineno;
	bool after_name; /* inih's prev_name is set: an indented line continues it */
	struct ini_long *t;
	size_t n;
	long value_ix;           /* the value placeholder of the line last handed out, or -1 */
	struct strlist sections; /* every [section] seen */
	int dup_line;            /* the first [section] seen twice, as the aws CLI refuses */
	char *dup_name;
};

/* inih's own notion of blanks and inline comments (ini.c, same defaults) */
static const char *ini_lskip(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

static const char *ini_find_chars_or_comment(const char *s, const char *chars)
{
	bool was_space = false;
	while (
	    *s && (!chars || !strchr(chars, *s)) &&
	    !(INI_ALLOW_INLINE_COMMENTS && was_space && strchr(INI_INLINE_COMMENT_PREFIXES, *s))) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

/* s up to an inline comment (found before the blanks are skipped: in
 * "k =  ;x" the value is empty), without outer blanks: a copy. */
static char *ini_trim(const char *s, const char *end)
{
	if (!end)
		end = ini_find_chars_or_comment(s, NULL);
	s = ini_lskip(s); /* stops at the comment's ';' at the latest */
	if (s > end)
		s = end;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return xstrndup(s, (size_t)(end - s));
}

static long ini_long_add(struct ini_reader *r, char *text, enum ini_part part)
{
	r->t = xrealloc(r->t, (r->n + 1) * sizeof(*r->t));
	r->t[r->n].text = text;
	r->t[r->n].part = part;
	return (long)r->n++;
}

/* The fgets-style reader ini_parse_stream calls: one physical line per call. */
static char *ini_read_line(char *str, int num, void *stream)
{
	struct ini_reader *r = stream;
	const char *line, *p, *end;
	size_t len, lead;
	bool fits;
	long ix;

	r->value_ix = -1;
	if (getline(&r->line, &r->cap, r->fp) < 0)
		return NULL;
	r->lineno++;
	line = r->line;
	len = strlen(line); /* inih stops at a NUL too */
	fits = len < (size_t)num || num < INI_PH_ROOM + INI_LEAD_MAX + 2;
	p = line;
	if (r->lineno == 1 && str_starts_with(p, "\xEF\xBB\xBF"))
		p += 3; /* inih skips the BOM of the first line itself */
	p = ini_lskip(p);
	lead = (size_t)(p - line);
	if (lead > INI_LEAD_MAX)
		lead = INI_LEAD_MAX;

	if (!*p || strchr(INI_START_COMMENT_PREFIXES, *p)) {
		/* blank, or a comment: its text does not matter */
		if (fits)
			goto as_is;
		snprintf(str, (size_t)num, "%.*s%.1s\n", (int)lead, line, p);
		return str;
	}
	if (r->after_name && p > line) {
		/* a continuation: inih 55 passes the whole text as a value (later
		 * ones cut an inline comment; the handler keeps a key's first
		 * value, so this text is never used) */
		if (fits)
			goto as_is;
		r->value_ix = ini_long_add(r, ini_trim(p, p + strlen(p)), INI_VALUE);
		snprintf(str, (size_t)num, "%.*s\x01%ld\x01\n", (int)lead, line, r->value_ix);
		return str;
	}
	if (*p == '[') {
		end = ini_find_chars_or_comment(p + 1, "]");
		if (*end != ']') {
			/* an error at this line either way */
			if (fits)
				goto as_is;
			snprintf(str, (size_t)num, "%.*s[\n", (int)lead, line);
			return str;
		}
		r->after_name = false;
		{
			char *sec = xstrndup(p + 1, (size_t)(end - (p + 1)));
			if (strlist_has(&r->sections, sec) && !r->dup_line) {
				r->dup_line = r->lineno;
				r->dup_name = sec;
			} else {
				strlist_add(&r->sections, sec);
				free(sec);
			}
		}
		if ((size_t)(end - (p + 1)) >= INIH_MAX_SECTION) {
			ix = ini_long_add(r, xstrndup(p + 1, (size_t)(end - (p + 1))), INI_SECTION);
			snprintf(str, (size_t)num, "%.*s[\x01%ld\x01]\n", (int)lead, line, ix);
			return str;
		}
		if (fits)
			goto as_is;
		/* what follows the ']' is ignored */
		snprintf(str, (size_t)num, "%.*s%.*s\n", (int)lead, line, (int)(end + 1 - p), p);
		return str;
	}
	end = ini_find_chars_or_comment(p, "=:");
	if (*end != '=' && *end != ':') {
		/* no separator: an error; p[0] is none either */
		if (fits)
			goto as_is;
		snprintf(str, (size_t)num, "%.*s%.1s\n", (int)lead, line, p);
		return str;
	}
	r->after_name = end > p;
	if (fits)
		goto as_is;
	r->value_ix = ini_long_add(r, ini_trim(end + 1, NULL), INI_VALUE);
	if (lead + (size_t)(end + 1 - p) + INI_PH_ROOM <= (size_t)num) {
		snprintf(str, (size_t)num, "%.*s%.*s\x01%ld\x01\n", (int)lead, line,
		         (int)(end + 1 - p), p, r->value_ix);
	} else {
		/* the name does not fit either (inih keeps it whole) */
		ix = ini_long_add(r, ini_trim(p, end), INI_NAME);
		snprintf(str, (size_t)num, "%.*s\x01%ld\x01=\x01%ld\x01\n", (int)lead, line, ix,
		         r->value_ix);
	}
	return str;
as_is:
	snprintf(str, (size_t)num, "%s", line);
	return str;
}

static void ini_reader_cleanup(struct ini_reader *r)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		free_secret(r->t[i].text);
	free(r->t);
	if (r->line) {
		OPENSSL_cleanse(r->line, r->cap);
		free(r->line);
	}
	strlist_cleanup(&r->sections);
	free(r->dup_name);
	memset(r, 0, sizeof(*r));
}

/* The entry of placeholder s of that part, or -1 when s is not one. */
static long ini_placeholder(const struct ini_reader *r, const char *s, enum ini_part part)
{
	unsigned long i;
	char *end;
	if (!r || !s || s[0] != '\x01' || !isdigit((unsigned char)s[1]))
		return -1;
	errno = 0;
	i = strtoul(s + 1, &end, 10);
	if (errno || end[0] != '\x01' || end[1] || i >= r->n || r->t[i].part != part)
		return -1;
	return (long)i;
}

/* The section name or name the reader replaced, or s itself. inih hands
 * the name of a continuation on (its prev_name), so names stay mapped. */
static const char *ini_real(const struct ini_reader *r, const char *s, enum ini_part part)
{
	long i = ini_placeholder(r, s, part);
	return i < 0 ? s : r->t[i].text;
}

/* The value of the line just read, or value itself. The placeholder is
 * all of the value inih hands over: nothing follows it on the line. */
static const char *ini_real_value(const struct ini_reader *r, const char *value)
{
	long i = ini_placeholder(r, value, INI_VALUE);
	return i < 0 || i != r->value_ix ? value : r->t[i].text;
}

static int profile_ini_handler(void *user, const char *section, const char *name, const char *value)
{
	struct ini_file *f = user;
	struct ini_section *sec = NULL;
	char *secname, *lower;
	size_t i;

	section = ini_real(f->rd, section, INI_SECTION);
	name = ini_real(f->rd, name, INI_NAME);
	value = ini_real_value(f->rd, value);
	if (f->is_config) {
		if (strcmp(section, "default") == 0)
			secname = xstrdup("default");
		else if (str_starts_with(section, "profile "))
			secname = xstrdup(section + 8 + strspn(section + 8, " "));
		else if (str_starts_with(section, "sso-session "))
			secname = xasprintf("\x01sso-session %s",
			                    section + 12 + strspn(section + 12, " "));
		else
			secname =
			    xasprintf("\x01%s", section); /* sso-session, services: not profiles */
	} else {
		secname = xstrdup(section);
	}
	for (i = 0; i < f->n; i++)
		if (strcmp(f->s[i].name, secname) == 0)
			sec = &f->s[i];
	if (!sec) {
		f->s = xrealloc(f->s, (f->n + 1) * sizeof(*f->s));
		sec = &f->s[f->n++];
		memset(sec, 0, sizeof(*sec));
		sec->name = secname;
	} else {
		free(secname);
	}
	if (!name)
		return 1;
	/* names are read in lower case, as the aws CLI's configparser does
	 * (AWS_ACCESS_KEY_ID = ... works) */
	lower = xstrdup(name);
	for (i = 0; lower[i]; i++)
		lower[i] = (char)tolower((unsigned char)lower[i]);
	/* continuation lines of nested settings (s3 =\n  x = y) reuse the name:
	 * the first value wins, as a key is only meaningful once */
	for (i = 0; i < sec->n; i++)
		if (strcmp(sec->kv[i].key, lower) == 0) {
			free(lower);
			return 1;
		}
	sec->kv = xrealloc(sec->kv, (sec->n + 1) * sizeof(*sec->kv));
	sec->kv[sec->n].key = lower;
	lower = NULL;
	sec->kv[sec->n].value = xstrdup(value ? value : "");
	sec->n++;
	return 1;
}

void creds_ini_cleanup(struct ini_file *f)
{
	size_t i, j;
	for (i = 0; i < f->n; i++) {
		for (j = 0; j < f->s[i].n; j++) {
			free(f->s[i].kv[j].key);
			free_secret(f->s[i].kv[j].value);
		}
		free(f->s[i].kv);
		free(f->s[i].name);
	}
	free(f->s);
	free(f->path);
	free(f->shown);
	memset(f, 0, sizeof(*f));
}

/* Load AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE or the default under ~/.aws. */
int creds_ini_load(struct ini_file *f, bool config, struct aws_error *err)
{
	const char *env = getenv(config ? "AWS_CONFIG_FILE" : "AWS_SHARED_CREDENTIALS_FILE");
	const char *base = config ? "config" : "credentials";
	const char *home = getenv("HOME");
	struct ini_reader rd;
	FILE *fp;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	memset(&rd, 0, sizeof(rd));
	f->is_config = config;
	if (env && *env) {
		if (env[0] == '~' && env[1] == '/' && home)
			f->path = xasprintf("%s%s", home, env + 1);
		else
			f->path = xstrdup(env);
		f->shown = xstrdup(env);
	} else {
		f->path = xasprintf("%s/.aws/%s", home ? home : "", base);
		f->shown = xasprintf("~/.aws/%s", base);
	}
	fp = fopen(f->path, "r");
	if (!fp) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		aws_error_set(err, "credentials", "ConfigError", "cannot open '%s': %s", f->shown,
		              strerror(errno));
		return -1;
	}
	f->exists = true;
	rd.fp = fp;
	f->rd = &rd;
	f->error_line = ini_parse_stream(ini_read_line, &rd, profile_ini_handler, f);
	f->rd = NULL;
	if (ferror(fp)) {
		aws_error_set(err, "credentials", "ConfigError", "cannot read '%s': %s", f->shown,
		              strerror(errno));
		rc = -1;
	} else if (f->error_line != 0) {
		aws_error_set(err, "credentials", "ConfigError", "cannot parse '%s' at line %d",
		              f->shown, f->error_line);
		rc = -1;
	} else if (rd.dup_line) {
		/* which of the two holds the keys meant? The aws CLI refuses it too. */
		aws_error_set(err, "credentials", "ConfigError",
		              "'%s' line %d: section [%s] is already there above; merge the two",
		              f->shown, rd.dup_line, rd.dup_name);
		rc = -1;
	}
	fclose(fp);
	ini_reader_cleanup(&rd);
	return rc;
}

const struct ini_section *creds_ini_find(const struct ini_file *f, const char *profile)
{
	size_t i;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->s[i].name, profile) == 0)
			return &f->s[i];
	return NULL;
}

const char *creds_ini_get(const struct ini_section *s, const char *key)
{
	size_t i;
	if (!s)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return *s->kv[i].value ? s->kv[i].value : NULL;
	return NULL;
}

/* A profile's setting: the credentials file wins over the config file. */
const char *creds_profile_get(const struct profiles *p, const char *profile, const char *key)
{
	const char *v = creds_ini_get(creds_ini_find(&p->cred, profile), key);
	return v ? v : creds_ini_get(creds_ini_find(&p->conf, profile), key);
}

bool creds_profile_exists(const struct profiles *p, const char *profile)
{
	return creds_ini_find(&p->cred, profile) || creds_ini_find(&p->conf, profile);
}

void creds_profiles_cleanup(struct profiles *p)
{
	creds_ini_cleanup(&p->cred);
	creds_ini_cleanup(&p->conf);
}

int aws_profile_region(const char *profile, char *out, size_t n, struct aws_error *err)
{
	struct ini_file f;
	const char *v;
	int rc = creds_ini_load(&f, true, err);
	out[0] = '\0';
	if (rc == 0) {
		v = creds_ini_get(creds_ini_find(&f, profile ? profile : "default"), "region");
		if (v)
			snprintf(out, n, "%s", v);
	}
	creds_ini_cleanup(&f);
	return rc;
}
