/*
 * The credential chain of the AWS SDKs, in their order:
 *   1. environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
 *      skipped when --profile is given;
 *   2. the profile (--profile, AWS_PROFILE, AWS_DEFAULT_PROFILE, "default") in
 *      the shared credentials and config files: role_arn with source_profile,
 *      credential_source or web_identity_token_file (STS); IAM Identity
 *      Center (creds_sso.c); static keys; credential_process. A profile
 *      that exists but holds none of these (a region-only [default]) is
 *      passed over, as botocore does; one named explicitly that does not
 *      exist is an error;
 *   3. web identity (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE);
 *   4. ECS container credentials;
 *   5. EC2 instance metadata (IMDSv2).
 * With --role-arn (EBCTL_ROLE_ARN): in GitHub Actions the job's OIDC token is
 * exchanged with AssumeRoleWithWebIdentity; elsewhere the chain's
 * credentials assume the role.
 * INI files are read with inih. Secrets are wiped when freed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include <arpa/inet.h>

#include <ini.h>
#include <openssl/crypto.h>

#include "internal.h"
#include "ebctl/sts.h"

/* ---- INI files ---- */

struct ini_kv {
	char *key;
	char *value;
};
struct ini_section {
	char *name; /* profile name; other section kinds get a prefix that never matches */
	struct ini_kv *kv;
	size_t n;
};
struct ini_file {
	char *path;
	char *shown; /* for messages: "~/.aws/config" or the path given */
	bool exists;
	int error_line;
	bool is_config;
	struct ini_section *s;
	size_t n;
	struct ini_reader *rd; /* while parsing */
};

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
	strlist_free(&r->sections);
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

static void ini_file_free(struct ini_file *f)
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
static int ini_load(struct ini_file *f, bool config, struct aws_error *err)
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

static const struct ini_section *ini_find(const struct ini_file *f, const char *profile)
{
	size_t i;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->s[i].name, profile) == 0)
			return &f->s[i];
	return NULL;
}

static const char *sec_get(const struct ini_section *s, const char *key)
{
	size_t i;
	if (!s)
		return NULL;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return *s->kv[i].value ? s->kv[i].value : NULL;
	return NULL;
}

struct profiles {
	struct ini_file cred, conf;
};

/* A profile's setting: the credentials file wins over the config file. */
static const char *prof_get(const struct profiles *p, const char *profile, const char *key)
{
	const char *v = sec_get(ini_find(&p->cred, profile), key);
	return v ? v : sec_get(ini_find(&p->conf, profile), key);
}

static bool prof_exists(const struct profiles *p, const char *profile)
{
	return ini_find(&p->cred, profile) || ini_find(&p->conf, profile);
}

static void profiles_free(struct profiles *p)
{
	ini_file_free(&p->cred);
	ini_file_free(&p->conf);
}

int aws_profile_region(const char *profile, char *out, size_t n, struct aws_error *err)
{
	struct ini_file f;
	const char *v;
	int rc = ini_load(&f, true, err);
	out[0] = '\0';
	if (rc == 0) {
		v = sec_get(ini_find(&f, profile ? profile : "default"), "region");
		if (v)
			snprintf(out, n, "%s", v);
	}
	ini_file_free(&f);
	return rc;
}

/* ---- helpers ---- */

void aws_creds_set(struct aws_creds *out, const char *akid, const char *secret, const char *token,
                   int64_t expires, const char *source)
{
	memset(out, 0, sizeof(*out));
	out->access_key_id = xstrdup(akid);
	out->secret_access_key = xstrdup(secret);
	out->session_token = token && *token ? xstrdup(token) : NULL;
	out->expires = expires;
	out->source = xstrdup(source);
}

void aws_json_wipe(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j))
		OPENSSL_cleanse((void *)json_string_value(j), json_string_length(j));
	else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
		{
			aws_json_wipe(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
		{
			aws_json_wipe(v);
		}
	}
}

int aws_creds_from_json(const char *json, size_t len, const char *source, struct aws_creds *out,
                        struct aws_error *err)
{
	json_t *j = json_loadb(json, len, 0, NULL);
	json_t *ver;
	const char *akid, *secret, *token, *exp;
	int64_t expires = 0;
	int rc = -1;

	if (!json_is_object(j)) {
		aws_error_set(err, "credentials", "InvalidCredentials",
		              "%s: the output is not a JSON object", source);
		goto out;
	}
	ver = json_object_get(j, "Version");
	if (ver && json_integer_value(ver) != 1) {
		aws_error_set(err, "credentials", "InvalidCredentials",
		              "%s: unsupported Version (only 1 is known)", source);
		goto out;
	}
	akid = json_string_value(json_object_get(j, "AccessKeyId"));
	secret = json_string_value(json_object_get(j, "SecretAccessKey"));
	token = json_string_value(json_object_get(j, "SessionToken"));
	if (!token)
		token = json_string_value(json_object_get(j, "Token"));
	exp = json_string_value(json_object_get(j, "Expiration"));
	if (!akid || !*akid || !secret || !*secret) {
		aws_error_set(err, "credentials", "InvalidCredentials",
		              "%s: AccessKeyId or SecretAccessKey missing", source);
		goto out;
	}
	if (exp && *exp) {
		expires = time_parse_iso8601(exp);
		if (expires < 0) {
			aws_error_set(err, "credentials", "InvalidCredentials",
			              "%s: invalid Expiration '%s'", source, exp);
			goto out;
		}
	}
	aws_creds_set(out, akid, secret, token, expires, source);
	rc = 0;
out:
	aws_json_wipe(j);
	json_decref(j);
	return rc;
}

/* ---- environment ---- */

/* 1 found, 0 not set, -1 broken */
static int from_env(struct aws_creds *out, struct aws_error *err)
{
	const char *akid = getenv("AWS_ACCESS_KEY_ID");
	const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
	const char *token = getenv("AWS_SESSION_TOKEN");
	bool has_akid = akid && *akid, has_secret = secret && *secret;

	if (!has_akid && !has_secret)
		return 0;
	if (!has_akid || !has_secret) {
		aws_error_set(err, "credentials", "IncompleteCredentials",
		              "environment: %s is set but %s is not",
		              has_akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		              has_akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -1;
	}
	if (!token || !*token)
		token = getenv("AWS_SECURITY_TOKEN");
	aws_creds_set(out, akid, secret, token, 0, "environment");
	out->fixed = true;
	return 1;
}

/* ---- credential_process ---- */

static int from_process(const char *cmd, const char *profile, struct aws_creds *out,
                        struct aws_error *err)
{
	struct buf b;
	char chunk[4096], source[160];
	FILE *p;
	size_t n;
	int status, rc = -1;

	snprintf(source, sizeof(source), "credential_process of profile '%s'", profile);
	buf_init(&b, 1 << 16);
	fflush(NULL);
	p = popen(cmd, "r");
	if (!p) {
		aws_error_set(err, "credentials", "ProcessError", "%s: cannot run it: %s", source,
		              strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		if (buf_add(&b, chunk, n) != 0)
			break;
	OPENSSL_cleanse(chunk, sizeof(chunk));
	status = pclose(p);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		aws_error_set(err, "credentials", "ProcessError",
		              "%s: the command failed (status %d)", source,
		              status == -1        ? -1
		              : WIFEXITED(status) ? WEXITSTATUS(status)
		                                  : 128 + WTERMSIG(status));
		goto out;
	}
	if (!b.ptr) {
		aws_error_set(err, "credentials", "ProcessError",
		              "%s: no output, or more than 64 KiB", source);
		goto out;
	}
	rc = aws_creds_from_json(b.ptr, b.len, source, out, err);
out:
	buf_free_secret(&b);
	return rc;
}

/* ---- STS ---- */

static int assume_role(struct aws_client *c, const struct aws_creds *base, const char *role_arn,
                       const char *session, const char *external_id, const char *duration,
                       const char *source, struct aws_creds *out, struct aws_error *err)
{
	struct sts_assume_options o = {session, 0, external_id};
	unsigned long d;
	if (duration) {
		if (parse_ulong(duration, 900, 43200, &d) != 0) {
			aws_error_set(err, "credentials", "ConfigError",
			              "%s: duration_seconds '%s' is not 900 to 43200", source,
			              duration);
			return -1;
		}
		o.duration_seconds = (int)d;
	}
	return sts_assume(c, "AssumeRole", role_arn, NULL, &o, base, source, out, err);
}

static int web_identity(struct aws_client *c, const char *role_arn, const char *token,
                        const char *session, const char *source, struct aws_creds *out,
                        struct aws_error *err)
{
	struct sts_assume_options o = {session, 0, NULL};
	return sts_assume(c, "AssumeRoleWithWebIdentity", role_arn, token, &o, NULL, source, out,
	                  err);
}

static int web_identity_file(struct aws_client *c, const char *role_arn, const char *path,
                             const char *session, const char *source, struct aws_creds *out,
                             struct aws_error *err)
{
	struct buf tok = BUF_INIT;
	int rc;
	if (buf_read_file(&tok, path, 1 << 16) != 0) {
		aws_error_set(err, "credentials", "InvalidIdentityToken",
		              "%s: cannot read the token file '%s': %s", source, path,
		              strerror(errno));
		buf_free_secret(&tok);
		return -1;
	}
	while (tok.len > 0 && strchr(" \r\n\t", tok.ptr[tok.len - 1]))
		tok.ptr[--tok.len] = '\0';
	rc = web_identity(c, role_arn, buf_cstr(&tok), session, source, out, err);
	buf_free_secret(&tok);
	return rc;
}

/* ---- container and instance metadata ---- */

/* GET or PUT a metadata URL (unsigned, short timeouts). */
static int metadata_call(struct aws_client *c, const char *method, const char *url,
                         const char *hname, const char *hvalue, const char *step, long timeout_ms,
                         int attempts, struct buf *out, struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	int rc;

	memset(&resp, 0, sizeof(resp));
	aws_request_init(&req, method, "sts", step);
	req.raw_url = xstrdup(url);
	req.unsigned_request = true;
	req.connect_timeout_ms = timeout_ms;
	req.total_timeout_ms = timeout_ms * 3;
	req.max_attempts = attempts;
	req.max_body = 1 << 16;
	if (hname)
		aws_request_header(&req, hname, hvalue);
	rc = aws_send(c, &req, &resp, err);
	if (rc == 0)
		buf_add(out, resp.body.ptr ? resp.body.ptr : "", resp.body.len);
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

bool aws_container_url_ok(const char *url, char *why, size_t n)
{
	static const char *const link_local[] = {"169.254.170.2", "169.254.170.23"};
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	struct in6_addr a6, ecs6, loop6 = IN6ADDR_LOOPBACK_INIT;
	unsigned char a4[4];
	bool ok = false;
	size_t i, hl;

	if (!u)
		die("out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(why, n, "it is not a URL");
		goto out;
	}
	if (strcmp(scheme, "https") == 0) {
		ok = true;
		goto out;
	}
	if (strcmp(scheme, "http") != 0) {
		snprintf(why, n, "the scheme is '%s', not https or http", scheme);
		goto out;
	}
	/* curl's reading of the host, so the one it would connect to: IPv4
	 * forms normalised (127.1, 0x7f.1 are 127.0.0.1), IPv6 in brackets */
	hl = strlen(host);
	if (strcasecmp(host, "localhost") == 0)
		ok = true;
	else if (inet_pton(AF_INET, host, a4) == 1)
		ok = a4[0] == 127;
	else if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		ok = inet_pton(AF_INET6, host + 1, &a6) == 1 &&
		     (memcmp(&a6, &loop6, sizeof(a6)) == 0 ||
		      (inet_pton(AF_INET6, "fd00:ec2::23", &ecs6) == 1 &&
		       memcmp(&a6, &ecs6, sizeof(a6)) == 0));
		host[hl - 1] = ']';
	}
	for (i = 0; !ok && i < EB_ARRAY_LEN(link_local); i++)
		ok = strcmp(host, link_local[i]) == 0;
	if (!ok)
		snprintf(why, n,
		         "plain http to '%s': only https, or http to a loopback address, "
		         "169.254.170.2, 169.254.170.23 or [fd00:ec2::23]",
		         host);
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* 1 found, 0 not configured, -1 broken */
static int from_container(struct aws_client *c, struct aws_creds *out, struct aws_error *err)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tokfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tokenv = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct buf url = BUF_INIT, tok = BUF_INIT, body = BUF_INIT;
	char why[200];
	int rc = -1;

	if (rel && *rel)
		buf_printf(&url, "http://169.254.170.2%s", rel);
	else if (full && *full)
		buf_puts(&url, full);
	else
		return 0;
	/* the token goes with the request: to the agent and nowhere else */
	if (!aws_container_url_ok(buf_cstr(&url), why, sizeof(why))) {
		aws_error_set(err, "credentials", "InvalidEndpoint", "container: %s: %s",
		              rel && *rel ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
		                          : "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		              why);
		goto out;
	}
	if (tokfile && *tokfile) {
		if (buf_read_file(&tok, tokfile, 1 << 14) != 0) {
			aws_error_set(err, "credentials", "InvalidToken",
			              "container: cannot read '%s': %s", tokfile, strerror(errno));
			goto out;
		}
		while (tok.len > 0 && strchr(" \r\n\t", tok.ptr[tok.len - 1]))
			tok.ptr[--tok.len] = '\0';
	} else if (tokenv && *tokenv) {
		buf_puts(&tok, tokenv);
	}
	if (metadata_call(c, "GET", buf_cstr(&url), tok.len ? "Authorization" : NULL,
	                  buf_cstr(&tok), "credentials (container)", 2000, 3, &body, err) != 0)
		goto out;
	rc = aws_creds_from_json(body.ptr ? body.ptr : "", body.len, "container", out, err) == 0
	         ? 1
	         : -1;
out:
	if (rc < 0 && !strstr(err->message, "container"))
		snprintf(err->step, sizeof(err->step), "credentials (container)");
	buf_free(&url);
	buf_free_secret(&tok);
	buf_free_secret(&body);
	return rc;
}

/* 1 found, 0 unavailable (no metadata service), -1 broken */
static int from_imds(struct aws_client *c, struct aws_creds *out, struct aws_error *err)
{
	const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
	const char *ep = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	struct buf token = BUF_INIT, role = BUF_INIT, body = BUF_INIT;
	struct aws_error e2;
	char *url = NULL;
	size_t rl;
	int rc = -1;

	if (dis && strcasecmp(dis, "true") == 0)
		return 0;
	if (!ep || !*ep)
		ep = "http://169.254.169.254";
	url = xasprintf("%.*s/latest/api/token",
	                (int)(strlen(ep) - (str_ends_with(ep, "/") ? 1 : 0)), ep);
	/* short timeout, one attempt: a laptop without IMDS fails fast */
	if (metadata_call(c, "PUT", url, "X-aws-ec2-metadata-token-ttl-seconds", "21600",
	                  "credentials (IMDS)", 1000, 1, &token, &e2) != 0) {
		if (e2.network) {
			debugf("instance metadata: %s", e2.message);
			rc = 0;
		} else {
			*err = e2;
		}
		goto out;
	}
	free(url);
	url = xasprintf("%.*s/latest/meta-data/iam/security-credentials/",
	                (int)(strlen(ep) - (str_ends_with(ep, "/") ? 1 : 0)), ep);
	if (metadata_call(c, "GET", url, "X-aws-ec2-metadata-token", buf_cstr(&token),
	                  "credentials (IMDS)", 1000, 2, &role, err) != 0)
		goto out;
	rl = strcspn(buf_cstr(&role), "\r\n");
	if (rl == 0 || strchr(buf_cstr(&role), '/')) {
		aws_error_set(err, "credentials (IMDS)", "NoRole",
		              "instance metadata: the instance has no IAM role");
		goto out;
	}
	free(url);
	url =
	    xasprintf("%.*s/latest/meta-data/iam/security-credentials/%.*s",
	              (int)(strlen(ep) - (str_ends_with(ep, "/") ? 1 : 0)), ep, (int)rl, role.ptr);
	if (metadata_call(c, "GET", url, "X-aws-ec2-metadata-token", buf_cstr(&token),
	                  "credentials (IMDS)", 1000, 2, &body, err) != 0)
		goto out;
	rc = aws_creds_from_json(body.ptr ? body.ptr : "", body.len, "instance metadata", out,
	                         err) == 0
	         ? 1
	         : -1;
out:
	free(url);
	buf_free_secret(&token);
	buf_free(&role);
	buf_free_secret(&body);
	return rc;
}

/* ---- profiles ---- */

static int profile_creds(struct aws_client *c, struct profiles *p, const char *name, int depth,
                         struct aws_creds *out, struct aws_error *err);

static int credential_source(struct aws_client *c, const char *profile, const char *src,
                             struct aws_creds *out, struct aws_error *err)
{
	int r;
	if (strcmp(src, "Environment") == 0)
		r = from_env(out, err);
	else if (strcmp(src, "EcsContainer") == 0)
		r = from_container(c, out, err);
	else if (strcmp(src, "Ec2InstanceMetadata") == 0)
		r = from_imds(c, out, err);
	else {
		aws_error_set(err, "credentials", "ConfigError",
		              "profile '%s': unknown credential_source '%s'", profile, src);
		return -1;
	}
	if (r == 0)
		aws_error_set(err, "credentials", "NoCredentials",
		              "profile '%s': credential_source %s has no credentials", profile,
		              src);
	return r == 1 ? 0 : -1;
}

static int profile_role(struct aws_client *c, struct profiles *p, const char *name, int depth,
                        const char *role_arn, struct aws_creds *out, struct aws_error *err)
{
	const char *src_prof = prof_get(p, name, "source_profile");
	const char *cred_src = prof_get(p, name, "credential_source");
	const char *wit = prof_get(p, name, "web_identity_token_file");
	const char *session = prof_get(p, name, "role_session_name");
	char source[300];
	struct aws_creds base;
	int rc;

	memset(&base, 0, sizeof(base));
	snprintf(source, sizeof(source), "role '%s' (profile '%s')", role_arn, name);
	if (wit)
		return web_identity_file(c, role_arn, wit, session, source, out, err);
	if (src_prof && cred_src) {
		aws_error_set(err, "credentials", "ConfigError",
		              "profile '%s' has both source_profile and credential_source", name);
		return -1;
	}
	if (src_prof) {
		if (strcmp(src_prof, name) == 0) {
			/* a profile that is its own source uses its static keys */
			const char *akid = prof_get(p, name, "aws_access_key_id");
			const char *sec = prof_get(p, name, "aws_secret_access_key");
			if (!akid || !sec) {
				aws_error_set(
				    err, "credentials", "ConfigError",
				    "profile '%s' is its own source_profile but has no keys", name);
				return -1;
			}
			aws_creds_set(&base, akid, sec, prof_get(p, name, "aws_session_token"), 0,
			              name);
		} else if (!prof_exists(p, src_prof)) {
			aws_error_set(err, "credentials", "ProfileNotFound",
			              "source_profile '%s' of profile '%s' not found in %s",
			              src_prof, name, p->conf.shown);
			return -1;
		} else if (profile_creds(c, p, src_prof, depth + 1, &base, err) != 0) {
			return -1;
		}
	} else if (cred_src) {
		if (credential_source(c, name, cred_src, &base, err) != 0)
			return -1;
	} else {
		aws_error_set(
		    err, "credentials", "ConfigError",
		    "profile '%s' has role_arn but no source_profile, credential_source or "
		    "web_identity_token_file",
		    name);
		return -1;
	}
	rc = assume_role(c, &base, role_arn, session, prof_get(p, name, "external_id"),
	                 prof_get(p, name, "duration_seconds"), source, out, err);
	aws_creds_cleanup(&base);
	return rc;
}

/*
 * A profile's IAM Identity Center settings, as botocore's SSOProvider reads
 * them: it is one when it has sso_account_id or sso_role_name; with
 * sso_session, sso_start_url and sso_region come from [sso-session NAME]
 * (the profile may repeat them, but not differ); without, from the profile
 * (the legacy form). 0 filled, 1 not an SSO profile, -1 broken.
 */
static int sso_config(const struct profiles *p, const char *name, struct aws_sso_config *sc,
                      struct aws_error *err)
{
	static const char *const shared[] = {"sso_start_url", "sso_region"};
	const struct ini_section *ss = NULL;
	const char *v[EB_ARRAY_LEN(shared)];
	struct buf missing = BUF_INIT;
	char *secname;
	size_t i;

	memset(sc, 0, sizeof(*sc));
	sc->profile = name;
	sc->session = prof_get(p, name, "sso_session");
	sc->account_id = prof_get(p, name, "sso_account_id");
	sc->role_name = prof_get(p, name, "sso_role_name");
	if (!sc->account_id && !sc->role_name) {
		if (!sc->session && !prof_get(p, name, "sso_start_url"))
			return 1;
		/* falling through to instance metadata would deploy as another
		 * identity than the one the profile names */
		aws_error_set(err, "credentials", "ConfigError",
		              "profile '%s' uses IAM Identity Center (%s) but has no "
		              "sso_account_id and sso_role_name",
		              name, sc->session ? "sso_session" : "sso_start_url");
		return -1;
	}
	if (sc->session) {
		secname = xasprintf("\x01sso-session %s", sc->session);
		ss = ini_find(&p->conf, secname);
		free(secname);
		if (!ss) {
			aws_error_set(
			    err, "credentials", "ConfigError",
			    "profile '%s': sso_session '%s' has no [sso-session %s] in %s", name,
			    sc->session, sc->session, p->conf.shown);
			return -1;
		}
	}
	for (i = 0; i < EB_ARRAY_LEN(shared); i++) {
		const char *mine = prof_get(p, name, shared[i]);
		v[i] = ss ? sec_get(ss, shared[i]) : mine;
		if (ss && mine && v[i] && strcmp(mine, v[i]) != 0) {
			aws_error_set(err, "credentials", "ConfigError",
			              "profile '%s': %s is '%s', but '%s' in [sso-session %s]",
			              name, shared[i], mine, v[i], sc->session);
			return -1;
		}
		if (!v[i])
			buf_printf(&missing, "%s%s", missing.len ? ", " : "", shared[i]);
	}
	sc->start_url = v[0];
	sc->region = v[1];
	if (!sc->account_id)
		buf_printf(&missing, "%s%s", missing.len ? ", " : "", "sso_account_id");
	if (!sc->role_name)
		buf_printf(&missing, "%s%s", missing.len ? ", " : "", "sso_role_name");
	if (missing.len) {
		aws_error_set(err, "credentials", "ConfigError",
		              "profile '%s' uses IAM Identity Center but has no %s%s", name,
		              buf_cstr(&missing), ss ? " (with its sso-session)" : "");
		buf_free(&missing);
		return -1;
	}
	return 0;
}

/* 0 found, -1 broken, 1 the profile holds no credentials (err says so) */
static int profile_creds(struct aws_client *c, struct profiles *p, const char *name, int depth,
                         struct aws_creds *out, struct aws_error *err)
{
	const char *role_arn, *akid, *sec, *proc;
	struct aws_sso_config sc;
	char source[160];
	int r;

	if (depth > 5) {
		aws_error_set(err, "credentials", "ConfigError",
		              "profile '%s': source_profile chain too long (a loop?)", name);
		return -1;
	}
	snprintf(source, sizeof(source), "profile '%s'", name);
	role_arn = prof_get(p, name, "role_arn");
	/* the profile we start from assumes its role; a source profile uses
	 * its own keys when it has them (the SDKs' rule) */
	akid = prof_get(p, name, "aws_access_key_id");
	sec = prof_get(p, name, "aws_secret_access_key");
	if (role_arn && !(depth > 0 && akid && sec))
		return profile_role(c, p, name, depth, role_arn, out, err);
	/* IAM Identity Center before keys, as botocore's provider order has it */
	r = sso_config(p, name, &sc, err);
	if (r <= 0)
		return r < 0 ? -1 : aws_sso_credentials(c, &sc, out, err);
	if (akid || sec) {
		if (!akid || !sec) {
			aws_error_set(err, "credentials", "IncompleteCredentials",
			              "profile '%s' has %s but not %s", name,
			              akid ? "aws_access_key_id" : "aws_secret_access_key",
			              akid ? "aws_secret_access_key" : "aws_access_key_id");
			return -1;
		}
		aws_creds_set(out, akid, sec, prof_get(p, name, "aws_session_token"), 0, source);
		out->fixed = true;
		return 0;
	}
	proc = prof_get(p, name, "credential_process");
	if (proc)
		return from_process(proc, name, out, err);
	aws_error_set(
	    err, "credentials", "NoCredentials",
	    "profile '%s' has no credentials (aws_access_key_id, role_arn or credential_process)",
	    name);
	return 1;
}

/*
 * 1 found; 0 nothing there (an implicit default profile that does not
 * exist, or any profile that exists but holds no credentials, as the
 * region-only [default] that `aws configure set region` writes on EC2,
 * ECS and CodeBuild): the chain goes on, as botocore's does, and *why says
 * what was found; -1 broken, including an explicitly named profile that
 * does not exist.
 */
static int from_profile(struct aws_client *c, struct aws_creds *out, struct buf *why,
                        struct aws_error *err)
{
	struct profiles p;
	const char *name = c->profile ? c->profile : "default";
	int rc = -1, r;

	memset(&p, 0, sizeof(p));
	if (ini_load(&p.cred, false, err) != 0 || ini_load(&p.conf, true, err) != 0)
		goto out;
	if (!prof_exists(&p, name)) {
		if (!c->profile) {
			buf_printf(why, "profile '%s': not in %s or %s", name, p.cred.shown,
			           p.conf.shown);
			rc = 0;
			goto out;
		}
		aws_error_set(err, "credentials", "ProfileNotFound", "profile '%s' not found in %s",
		              name, p.conf.shown);
		if (p.cred.exists || !p.conf.exists) {
			size_t l = strlen(err->message);
			snprintf(err->message + l, sizeof(err->message) - l, " or %s",
			         p.cred.shown);
		}
		if (c->profile_from) {
			size_t l = strlen(err->message);
			snprintf(err->message + l, sizeof(err->message) - l,
			         " (the profile %s names; --profile or AWS_PROFILE overrides it)",
			         c->profile_from);
		}
		goto out;
	}
	r = profile_creds(c, &p, name, 0, out, err);
	if (r == 1) {
		buf_printf(why,
		           "profile '%s': no aws_access_key_id, role_arn or credential_process",
		           name);
		aws_error_clear(err);
		rc = 0;
		goto out;
	}
	rc = r == 0 ? 1 : -1;
out:
	profiles_free(&p);
	return rc;
}

/* ---- GitHub Actions OIDC ---- */

static int from_github_oidc(struct aws_client *c, const char *url, const char *bearer,
                            struct aws_creds *out, struct aws_error *err)
{
	struct buf body = BUF_INIT, auth = BUF_INIT;
	char *full = xasprintf("%s%caudience=sts.amazonaws.com", url, strchr(url, '?') ? '&' : '?');
	char session[64];
	const char *run = getenv("GITHUB_RUN_ID");
	json_t *j = NULL;
	const char *token;
	int rc = -1;

	buf_printf(&auth, "bearer %s", bearer);
	if (metadata_call(c, "GET", full, "Authorization", buf_cstr(&auth),
	                  "credentials (GitHub OIDC)", 5000, 3, &body, err) != 0)
		goto out;
	j = json_loadb(body.ptr ? body.ptr : "", body.len, 0, NULL);
	token = json_string_value(json_object_get(j, "value"));
	if (!token || !*token) {
		aws_error_set(err, "credentials (GitHub OIDC)", "InvalidResponse",
		              "the GitHub OIDC token response has no value");
		goto out;
	}
	snprintf(session, sizeof(session), "ebctl-github-%.40s", run && *run ? run : "run");
	for (char *s = session; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@-_",
		            *s))
			*s = '-';
	rc = web_identity(c, c->role_arn, token, session, "GitHub Actions OIDC", out, err);
out:
	if (json_is_object(j) && json_is_string(json_object_get(j, "value")))
		OPENSSL_cleanse((void *)json_string_value(json_object_get(j, "value")),
		                json_string_length(json_object_get(j, "value")));
	json_decref(j);
	free(full);
	buf_free_secret(&body);
	buf_free_secret(&auth);
	return rc;
}

/* ---- the chain ---- */

/* Adds "; " before each note but the first: what each source said. */
static void tried(struct buf *why, const char *note)
{
	buf_printf(why, "%s%s", why->len ? "; " : "", note);
}

static int chain(struct aws_client *c, struct aws_creds *out, struct aws_error *err)
{
	const char *role = getenv("AWS_ROLE_ARN");
	const char *wit = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
	struct buf why = BUF_INIT, prof = BUF_INIT;
	int r, rc = -1;

	if (!c->profile_explicit) {
		r = from_env(out, err);
		if (r != 0)
			goto done;
		tried(&why, "environment: not set");
	}
	r = from_profile(c, out, &prof, err);
	if (r != 0)
		goto done;
	tried(&why, buf_cstr(&prof));
	if (role && *role && wit && *wit) {
		rc = web_identity_file(c, role, wit, getenv("AWS_ROLE_SESSION_NAME"),
		                       "web identity", out, err);
		goto out;
	}
	tried(&why, "web identity: not set");
	r = from_container(c, out, err);
	if (r != 0)
		goto done;
	tried(&why, "container: not set");
	r = from_imds(c, out, err);
	if (r != 0)
		goto done;
	tried(&why, dis && strcasecmp(dis, "true") == 0
	                ? "instance metadata: AWS_EC2_METADATA_DISABLED"
	                : "instance metadata: no answer");
	aws_error_set(err, "credentials", "NoCredentials",
	              "no credentials found (%s): set AWS_ACCESS_KEY_ID and "
	              "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or --role-arn in GitHub Actions",
	              buf_cstr(&why));
	goto out;
done:
	rc = r > 0 ? 0 : -1;
out:
	buf_free(&why);
	buf_free(&prof);
	return rc;
}

int aws_creds_resolve(struct aws_client *c, struct aws_creds *out, struct aws_error *err)
{
	const char *url = getenv("ACTIONS_ID_TOKEN_REQUEST_URL");
	const char *bearer = getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	struct aws_creds base;
	char source[300];
	int rc;

	aws_error_clear(err);
	memset(out, 0, sizeof(*out));
	if (!c->role_arn)
		return chain(c, out, err);
	if (url && *url) {
		if (!bearer || !*bearer) {
			aws_error_set(err, "credentials (GitHub OIDC)", "NoToken",
			              "ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set: give the job "
			              "'permissions: id-token: write'");
			return -1;
		}
		return from_github_oidc(c, url, bearer, out, err);
	}
	memset(&base, 0, sizeof(base));
	if (chain(c, &base, err) != 0)
		return -1;
	snprintf(source, sizeof(source), "role '%s'", c->role_arn);
	rc = assume_role(c, &base, c->role_arn, NULL, NULL, NULL, source, out, err);
	aws_creds_cleanup(&base);
	return rc;
}
