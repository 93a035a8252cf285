/*
 * AWS Signature Version 4.
 *
 * Staged and pure, as aws-c-auth and curl's lib/http_aws_sigv4.c sign: the
 * signer's headers on the request, the canonical request, the string to
 * sign, the signing key, the signature; the time is passed in and nothing
 * outlives a call. The signing key is derived for every signature: it
 * costs about a microsecond, in requests that take milliseconds.
 *
 * The rules follow the published suites (aws4_testsuite, aws-c-auth) and
 * botocore, the reference implementation:
 *   - generic services: the wire path is normalised (dot segments removed,
 *     repeated slashes collapsed) and URI-encoded again ("double encoding");
 *   - S3: the wire path is used as it is (single encoding, no normalising)
 *     and x-amz-content-sha256 carries the payload hash; for the other
 *     services an x-amz-content-sha256 in the request is the payload hash;
 *   - the query is split on '&' and at the first '=', sorted by key then
 *     value; header signing keeps each part as written (raw bytes outside
 *     ASCII excepted: %XX, as the suites want), presigning decodes and
 *     strictly re-encodes them and keeps the first of a repeated key;
 *   - headers: names lower-cased, values trimmed with inner runs of
 *     whitespace (Python's, Unicode included) folded to one space, repeated
 *     names joined with ',' in order; hop-by-hop headers, Expect,
 *     User-Agent and X-Amzn-Trace-Id left out;
 *   - header signing replaces the Authorization, X-Amz-Date (or Date) and
 *     X-Amz-Security-Token a request carries; presigning signs the headers
 *     as they are.
 * Where botocore and the suites disagree the suites win (see ebctl(1),
 * "ebctl sign").
 */
#include "ebctl/sigv4.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ALGORITHM "AWS4-HMAC-SHA256"

/* Headers a signer must leave out: proxies and HTTP clients change them in
 * flight (hop-by-hop headers, Expect, User-Agent, tracing). botocore's
 * SIGNED_HEADERS_BLACKLIST. */
static const char *const unsigned_headers[] = {
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
};

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* ---- hashing ---- */

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char d[32];
	if (!EVP_Digest(data ? data : "", len, d, NULL, EVP_sha256(), NULL))
		die("SHA-256 is not available in libcrypto");
	hex_encode(d, sizeof(d), out);
}

static void hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
                        unsigned char out[32])
{
	if (keylen > INT_MAX || !HMAC(EVP_sha256(), key, (int)keylen, msg, len, out, NULL))
		die("HMAC-SHA256 is not available in libcrypto");
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
static void signing_key(const char *secret, const char *date, const char *region,
                        const char *service, unsigned char key[32])
{
	char *k = xasprintf("AWS4%s", secret);
	unsigned char a[32], b[32];
	hmac_sha256(k, strlen(k), date, strlen(date), a);
	free_secret(k);
	hmac_sha256(a, 32, region, strlen(region), b);
	hmac_sha256(b, 32, service, strlen(service), a);
	hmac_sha256(a, 32, "aws4_request", 12, key);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
}

/* ---- encoding ---- */

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

static void put_escape(struct buf *out, unsigned char c)
{
	buf_printf(out, "%%%02X", c);
}

void sigv4_uri_encode(struct buf *out, const char *s, size_t len, bool keep_slash)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/'))
			buf_putc(out, (char)c);
		else
			put_escape(out, c);
	}
}

void sigv4_form_encode(struct buf *out, const char *const *keys, const char *const *values,
                       size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (i)
			buf_putc(out, '&');
		sigv4_uri_encode(out, keys[i], strlen(keys[i]), false);
		buf_putc(out, '=');
		sigv4_uri_encode(out, values[i], strlen(values[i]), false);
	}
}

/* A query part as botocore signs a request's own query: as it is written,
 * except raw bytes outside ASCII, which are percent-encoded (both AWS
 * suites require it: get-vanilla-utf8-query; botocore would sign them raw). */
static void put_query_part(struct buf *out, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x80)
			buf_putc(out, s[i]);
		else
			put_escape(out, (unsigned char)s[i]);
	}
}

/* Append s as well-formed UTF-8: every ill-formed sequence (its maximal
 * subpart, as Python's decoder with errors='replace' takes it) becomes
 * U+FFFD. */
static void put_utf8(struct buf *out, const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i], lo = 0x80, hi = 0xbf;
		size_t need, k;
		if (c < 0x80) {
			buf_putc(out, (char)c);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3;
		else
			need = 0;
		/* the second byte's range excludes overlong forms, surrogates
		 * and code points past U+10FFFF */
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		for (k = 1; k <= need && i + k < len; k++) {
			unsigned char b = s[i + k];
			if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf))
				break;
		}
		if (need && k > need) {
			buf_add(out, s + i, need + 1);
			i += need + 1;
		} else {
			buf_add(out, "\xef\xbf\xbd", 3);
			i += need ? k : 1;
		}
	}
}

/* A query part as botocore reads a presigned request's query (parse_qs):
 * '+' is a space, %XX a byte (a malformed escape stays as written), the
 * bytes UTF-8 (ill-formed sequences replaced); then strictly encoded. */
static void put_form_part(struct buf *out, const char *s, size_t len)
{
	struct buf raw = BUF_INIT, text = BUF_INIT;
	size_t i;
	for (i = 0; i < len; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < len && (h = hex_digit(s[i + 1])) >= 0 &&
		    (l = hex_digit(s[i + 2])) >= 0) {
			buf_putc(&raw, (char)(h * 16 + l));
			i += 2;
		} else {
			buf_putc(&raw, s[i] == '+' ? ' ' : s[i]);
		}
	}
	put_utf8(&text, (const unsigned char *)buf_cstr(&raw), raw.len);
	sigv4_uri_encode(out, buf_cstr(&text), text.len, false);
	buf_free_secret(&raw);
	buf_free_secret(&text);
}

/* ---- the request ---- */

void sigv4_request_init(struct sigv4_request *r, const char *method, const char *path,
                        const char *query)
{
	memset(r, 0, sizeof(*r));
	r->method = xstrdup(method);
	r->path = xstrdup(path && *path ? path : "/");
	r->query = xstrdup(query ? query : "");
}

/* Whether header h is called name (any case). */
static bool header_is(const struct sigv4_header *h, const char *name)
{
	return !strcasecmp(h->name, name);
}

static bool header_secret(const struct sigv4_header *h)
{
	return header_is(h, "authorization") || header_is(h, "x-amz-security-token");
}

/* A header's name and value, in one allocation. */
static void header_init(struct sigv4_header *h, const char *name, const char *value)
{
	size_t nlen = strlen(name), vlen = strlen(value);
	char *s = xmalloc(nlen + vlen + 2);
	memcpy(s, name, nlen + 1);
	memcpy(s + nlen + 1, value, vlen + 1);
	h->name = s;
	h->value = s + nlen + 1;
	h->name_len = nlen;
	h->value_len = vlen;
}

/* Free a header's strings, its value wiped when it holds a secret
 * (explicit_bzero: a request that is never signed need not load libcrypto
 * to be freed). */
static void header_cleanup(struct sigv4_header *h)
{
	if (header_secret(h))
		explicit_bzero(h->value, h->value_len);
	free(h->name);
}

void sigv4_request_add_header(struct sigv4_request *r, const char *name, const char *value)
{
	r->headers = xrealloc(r->headers, (r->nheaders + 1) * sizeof(*r->headers));
	header_init(&r->headers[r->nheaders++], name, value);
}

const char *sigv4_request_header(const struct sigv4_request *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->nheaders; i++)
		if (header_is(&r->headers[i], name))
			return r->headers[i].value;
	return NULL;
}

/* Drop the headers of that name from index `from` on. */
static void drop_headers(struct sigv4_request *r, const char *name, size_t from)
{
	size_t i, j = from;
	for (i = from; i < r->nheaders; i++) {
		if (header_is(&r->headers[i], name))
			header_cleanup(&r->headers[i]);
		else
			r->headers[j++] = r->headers[i];
	}
	r->nheaders = j;
}

/* Give a header the signer sets its value, as botocore replaces what the
 * request carried: the first of that name takes the signer's name and the
 * value and keeps its place, any later ones are dropped; appended when
 * there is none. */
static void set_header(struct sigv4_request *r, const char *name, const char *value)
{
	size_t i;
	for (i = 0; i < r->nheaders; i++)
		if (header_is(&r->headers[i], name))
			break;
	if (i == r->nheaders) {
		sigv4_request_add_header(r, name, value);
		return;
	}
	header_cleanup(&r->headers[i]);
	header_init(&r->headers[i], name, value);
	drop_headers(r, name, i + 1);
}

void sigv4_request_cleanup(struct sigv4_request *r)
{
	size_t i;
	for (i = 0; i < r->nheaders; i++)
		header_cleanup(&r->headers[i]);
	free(r->headers);
	free(r->method);
	free(r->path);
	free(r->query);
	memset(r, 0, sizeof(*r));
}

void sigv4_result_cleanup(struct sigv4_result *r)
{
	free_secret(r->canonical_request); /* it holds a session token that is signed */
	free(r->string_to_sign);
	free_secret(r->query);
	memset(r, 0, sizeof(*r));
}

void aws_creds_cleanup(struct aws_creds *c)
{
	free(c->access_key_id);
	free_secret(c->secret_access_key);
	free_secret(c->session_token);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

void aws_creds_copy(struct aws_creds *dst, const struct aws_creds *src)
{
	dst->access_key_id = src->access_key_id ? xstrdup(src->access_key_id) : NULL;
	dst->secret_access_key = src->secret_access_key ? xstrdup(src->secret_access_key) : NULL;
	dst->session_token = src->session_token ? xstrdup(src->session_token) : NULL;
	dst->expires = src->expires;
	dst->source = src->source ? xstrdup(src->source) : NULL;
	dst->fixed = src->fixed;
}

/* ---- the canonical path ---- */

/* botocore's remove_dot_segments: RFC 3986 5.2.4 plus collapsing "//". */
static char *normalize_path(const char *path)
{
	struct buf out = BUF_INIT;
	const char **segs;
	size_t *lens, n = 0, i, plen = strlen(path);
	const char *p = path;

	if (!*path)
		return xstrdup("/");
	segs = xmalloc((plen + 1) * sizeof(*segs));
	lens = xmalloc((plen + 1) * sizeof(*lens));
	while (p <= path + plen) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len && !(len == 1 && p[0] == '.')) {
			if (len == 2 && p[0] == '.' && p[1] == '.') {
				if (n)
					n--;
			} else {
				segs[n] = p;
				lens[n++] = len;
			}
		}
		if (!e)
			break;
		p = e + 1;
	}
	if (path[0] == '/')
		buf_putc(&out, '/');
	for (i = 0; i < n; i++) {
		if (i)
			buf_putc(&out, '/');
		buf_add(&out, segs[i], lens[i]);
	}
	if (path[plen - 1] == '/' && n)
		buf_putc(&out, '/');
	free(segs);
	free(lens);
	return buf_detach(&out, NULL);
}

static void canonical_uri(struct buf *out, const char *path, unsigned flags)
{
	if (!path || !*path) {
		buf_putc(out, '/');
	} else if (flags & SIGV4_S3) {
		buf_puts(out, path);
	} else if (flags & SIGV4_NO_NORMALIZE) {
		sigv4_uri_encode(out, path, strlen(path), true);
	} else {
		char *n = normalize_path(path);
		sigv4_uri_encode(out, n, strlen(n), true);
		free(n);
	}
}

/* ---- the canonical query ---- */

/* A query parameter in canonical form (encoded key and value). */
struct qparam {
	char *key, *value;
};

struct qlist {
	struct qparam *p;
	size_t n;
};

/* Append a parameter (the list takes the strings). */
static void qlist_add(struct qlist *l, char *key, char *value)
{
	l->p = xrealloc(l->p, (l->n + 1) * sizeof(*l->p));
	l->p[l->n].key = key;
	l->p[l->n].value = value;
	l->n++;
}

/* The parameters hold the session token when presigning. */
static void qlist_cleanup(struct qlist *l)
{
	size_t i;
	for (i = 0; i < l->n; i++) {
		free_secret(l->p[i].key);
		free_secret(l->p[i].value);
	}
	free(l->p);
	memset(l, 0, sizeof(*l));
}

/* len bytes of s through one of the part encoders, as a new string. */
static char *encode_part(void (*put)(struct buf *, const char *, size_t), const char *s, size_t len)
{
	struct buf b = BUF_INIT;
	put(&b, s, len);
	return buf_detach(&b, NULL);
}

/*
 * Split a raw query on '&' and at the first '=' of each part, and append
 * every parameter in canonical form, in the order given.
 * Header signing (botocore's _canonical_query_string_url): every part as
 * written (put_query_part), empty parts and repeated keys kept.
 * Presigning (botocore's SigV4QueryAuth, which reads the query with
 * parse_qs and writes it again): each part decoded and strictly encoded
 * (put_form_part), empty parts skipped, and of a repeated key only the
 * first value kept, in the first one's place.
 */
static void split_query(struct qlist *l, const char *q, bool presign)
{
	void (*put)(struct buf *, const char *, size_t) = presign ? put_form_part : put_query_part;
	const char *p = q;
	if (!q || !*q)
		return;
	for (;;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len, vlen = eq ? len - klen - 1 : 0, i;
		if (!presign || len) {
			char *key = encode_part(put, p, klen);
			for (i = 0; presign && i < l->n; i++)
				if (!strcmp(l->p[i].key, key))
					break;
			if (presign && i < l->n)
				free(key); /* a repeated key: the first value stays */
			else
				qlist_add(l, key, encode_part(put, p + klen + 1, vlen));
		}
		if (!amp)
			break;
		p = amp + 1;
	}
}

/* Append a parameter of the signer's own: the key as it is, the value
 * strictly encoded. */
static void add_param(struct qlist *l, const char *key, const char *value)
{
	struct buf v = BUF_INIT;
	sigv4_uri_encode(&v, value, strlen(value), false);
	qlist_add(l, xstrdup(key), buf_detach(&v, NULL));
}

static int qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->value, y->value);
}

/* Append "k=v&k=v" in the order given. */
static void join_params(struct buf *out, const struct qparam *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		buf_printf(out, "%s%s=%s", i ? "&" : "", p[i].key, p[i].value);
}

/* ---- the canonical headers ---- */

struct cheader {
	char *name;  /* lower case */
	char *value; /* trimmed */
	size_t order;
};

static int cheader_cmp(const void *a, const void *b)
{
	const struct cheader *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The length of the Unicode whitespace character at v (UTF-8), or 0: NEL,
 * NBSP, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. */
static size_t unicode_space_len(const unsigned char *v)
{
	switch (v[0]) {
	case 0xc2: return v[1] == 0x85 || v[1] == 0xa0 ? 2 : 0;
	case 0xe1: return v[1] == 0x9a && v[2] == 0x80 ? 3 : 0;
	case 0xe2:
		if (v[1] == 0x80)
			return (v[2] >= 0x80 && v[2] <= 0x8a) || v[2] == 0xa8 || v[2] == 0xa9 ||
			               v[2] == 0xaf
			           ? 3
			           : 0;
		return v[1] == 0x81 && v[2] == 0x9f ? 3 : 0;
	case 0xe3: return v[1] == 0x80 && v[2] == 0x80 ? 3 : 0;
	default: return 0;
	}
}

/* The length of the whitespace character at v, or 0: what botocore folds
 * in header values (Python's str.split()): HT LF VT FF CR, the separators
 * 0x1C-0x1F, space, and Unicode whitespace. */
static size_t space_len(const unsigned char *v)
{
	unsigned char c = *v;
	if (c < 0x80)
		return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
	return unicode_space_len(v);
}

/* value trimmed, with inner runs of blanks folded to one space. */
static char *trimall(const char *value)
{
	const unsigned char *v = (const unsigned char *)value;
	struct buf out = BUF_INIT;
	bool blanks = false;
	while (*v) {
		const unsigned char *w = v;
		size_t n = space_len(v);
		if (n) {
			v += n;
			blanks = true;
			continue;
		}
		while (*v && !space_len(v))
			v++;
		if (blanks && out.len)
			buf_putc(&out, ' ');
		buf_add(&out, w, (size_t)(v - w));
		blanks = false;
	}
	return buf_detach(&out, NULL);
}

static bool header_signed(const char *lname)
{
	size_t i;
	for (i = 0; i < EBCTL_ARRAY_LEN(unsigned_headers); i++)
		if (!strcmp(lname, unsigned_headers[i]))
			return false;
	return true;
}

/* The canonical headers ("name:value\n" each) and the signed-header list,
 * from the request's headers. */
static void canonical_headers(const struct sigv4_request *r, struct buf *canon,
                              struct buf *signed_list)
{
	struct cheader *hs = xcalloc(r->nheaders ? r->nheaders : 1, sizeof(*hs));
	size_t n = 0, i, j;

	for (i = 0; i < r->nheaders; i++) {
		char *name = xstrdup(r->headers[i].name);
		for (j = 0; name[j]; j++)
			if (name[j] >= 'A' && name[j] <= 'Z')
				name[j] = (char)(name[j] + 32);
		if (!header_signed(name)) {
			free(name);
			continue;
		}
		hs[n].name = name;
		hs[n].value = trimall(r->headers[i].value);
		hs[n].order = i;
		n++;
	}
	qsort(hs, n, sizeof(*hs), cheader_cmp);
	for (i = 0; i < n; i = j) {
		buf_printf(canon, "%s:%s", hs[i].name, hs[i].value);
		for (j = i + 1; j < n && !strcmp(hs[j].name, hs[i].name); j++)
			buf_printf(canon, ",%s", hs[j].value);
		buf_putc(canon, '\n');
		buf_printf(signed_list, "%s%s", i ? ";" : "", hs[i].name);
	}
	for (i = 0; i < n; i++) {
		free(hs[i].name);
		free_secret(hs[i].value);
	}
	free(hs);
}

/* ---- the stages ---- */

/* One signature's inputs and the parts that pass from stage to stage. */
struct signing {
	const struct aws_creds *creds;
	const struct sigv4_params *p;
	bool presign, has_token, token_signed;
	char amzdate[17], date[9];
	char *scope;        /* date/region/service/aws4_request */
	char *payload_hash; /* the body's hash, the caller's or UNSIGNED-PAYLOAD */
	char *payload_line; /* the canonical request's last line */
	struct buf signed_headers;
	struct qlist params; /* the request's parameters, then the presigner's */
	struct buf url;      /* presigning: the URL's query, in botocore's order */
};

static void signing_cleanup(struct signing *s)
{
	free(s->scope);
	free(s->payload_hash);
	free(s->payload_line);
	buf_cleanup(&s->signed_headers);
	qlist_cleanup(&s->params);
	buf_free_secret(&s->url);
}

static bool field_is(const char *v, const char *want)
{
	size_t n;
	v = str_field_value(v, &n);
	return n == strlen(want) && !memcmp(v, want, n);
}

/* The payload hash: the caller's, UNSIGNED-PAYLOAD or the body's. */
static char *payload_hash(const struct sigv4_request *req, const struct signing *s)
{
	char hex[65];
	if (req->payload_hash)
		return xstrdup(req->payload_hash);
	if ((s->p->flags & SIGV4_UNSIGNED_PAYLOAD) || (s->presign && (s->p->flags & SIGV4_S3)))
		return xstrdup("UNSIGNED-PAYLOAD");
	sha256_hex(req->body, req->body_len, hex);
	return xstrdup(hex);
}

/*
 * Stage 0: the headers the signer sets, and the payload line.
 * Header signing replaces what a retried or copied request may carry, as
 * botocore does: the old Authorization goes, the signing time replaces the
 * request's (in its Date header when it has one, which then stands for
 * X-Amz-Date), the credentials' token replaces the request's (a token sent
 * unsigned goes in after). A presigned request's headers are left alone and
 * signed as they are.
 */
static void set_signer_headers(struct sigv4_request *req, struct signing *s)
{
	unsigned flags = s->p->flags;
	const char *given;

	if (!s->presign) {
		drop_headers(req, "authorization", 0);
		if (sigv4_request_header(req, "date")) {
			char http_date[32];
			time_format_rfc2822(s->p->time, http_date);
			set_header(req, "Date", http_date);
			drop_headers(req, "x-amz-date", 0);
		} else {
			set_header(req, "X-Amz-Date", s->amzdate);
		}
		if (s->token_signed)
			set_header(req, "X-Amz-Security-Token", s->creds->session_token);
		else if (s->has_token)
			drop_headers(req, "x-amz-security-token", 0);
	}
	/* The Content-Type botocore's serializer gives a Query request, which
	 * its presigner drops, as no body is sent. A body is signed (the
	 * aws-c-auth suite's presigned form POSTs), and so is its type. */
	given = sigv4_request_header(req, "content-type");
	if (s->presign && given && !req->body_len &&
	    field_is(given, "application/x-www-form-urlencoded; charset=utf-8"))
		drop_headers(req, "content-type", 0);

	/* A request that carries x-amz-content-sha256 signs what the header
	 * says (botocore takes its value as it is; without the blanks around
	 * it, which are not part of an HTTP field value), except where the
	 * signer sets the header itself: S3 and UNSIGNED-PAYLOAD replace it,
	 * as botocore does. */
	given = sigv4_request_header(req, "x-amz-content-sha256");
	if (!s->presign && (flags & (SIGV4_S3 | SIGV4_UNSIGNED_PAYLOAD))) {
		set_header(req, "x-amz-content-sha256", s->payload_hash);
	} else if (given) {
		size_t n;
		const char *v = str_field_value(given, &n);
		s->payload_line = xstrndup(v, n);
	} else if (!s->presign && (flags & SIGV4_CONTENT_SHA256)) {
		sigv4_request_add_header(req, "x-amz-content-sha256", s->payload_hash);
	}
	if (!s->payload_line)
		s->payload_line = xstrdup(s->payload_hash);
}

/* Stage 1: the canonical request; the method upper case, as botocore
 * writes it. Presigning adds its parameters to the query here, since one
 * of them is the list of signed headers, and writes them in the URL's
 * order before they are sorted. */
static char *canonical_request(const struct sigv4_request *req, struct signing *s)
{
	struct buf creq = BUF_INIT, headers = BUF_INIT;
	const char *m;

	canonical_headers(req, &headers, &s->signed_headers);
	split_query(&s->params, req->query, s->presign);
	if (s->presign) {
		char *cred = xasprintf("%s/%s", s->creds->access_key_id, s->scope);
		char expires[32];
		snprintf(expires, sizeof(expires), "%ld", s->p->presign_expires);
		/* botocore's order in the URL: the request's parameters, then
		 * the signer's */
		add_param(&s->params, "X-Amz-Algorithm", ALGORITHM);
		add_param(&s->params, "X-Amz-Credential", cred);
		add_param(&s->params, "X-Amz-Date", s->amzdate);
		add_param(&s->params, "X-Amz-Expires", expires);
		add_param(&s->params, "X-Amz-SignedHeaders", buf_cstr(&s->signed_headers));
		if (s->token_signed)
			add_param(&s->params, "X-Amz-Security-Token", s->creds->session_token);
		free(cred);
		join_params(&s->url, s->params.p, s->params.n);
	}

	for (m = req->method; *m; m++)
		buf_putc(&creq, *m >= 'a' && *m <= 'z' ? (char)(*m - 32) : *m);
	buf_putc(&creq, '\n');
	canonical_uri(&creq, req->path, s->p->flags);
	buf_putc(&creq, '\n');
	if (s->params.n > 1)
		qsort(s->params.p, s->params.n, sizeof(*s->params.p), qparam_cmp);
	join_params(&creq, s->params.p, s->params.n);
	buf_printf(&creq, "\n%s\n%s\n%s", buf_cstr(&headers), buf_cstr(&s->signed_headers),
	           s->payload_line);
	buf_free_secret(&headers);
	return buf_detach(&creq, NULL);
}

/* Stage 2: the string to sign. */
static char *string_to_sign(const struct signing *s, const char *creq)
{
	char hash[65];
	sha256_hex(creq, strlen(creq), hash);
	return xasprintf(ALGORITHM "\n%s\n%s\n%s", s->amzdate, s->scope, hash);
}

/* Stages 3 and 4: the signing key, and with it the signature. */
static void signature(const struct signing *s, const char *sts, char out[65])
{
	unsigned char key[32], mac[32];
	signing_key(s->creds->secret_access_key, s->date, s->p->region, s->p->service, key);
	hmac_sha256(key, sizeof(key), sts, strlen(sts), mac);
	OPENSSL_cleanse(key, sizeof(key));
	hex_encode(mac, sizeof(mac), out);
}

/* Stage 5: the signature on the request (Authorization), or the presigned
 * URL's query. */
static void finish(struct sigv4_request *req, struct signing *s, struct sigv4_result *out)
{
	const char *token = s->creds->session_token;
	char *authz;

	if (s->presign) {
		buf_printf(&s->url, "&X-Amz-Signature=%s", out->signature);
		if (s->has_token && !s->token_signed) {
			buf_puts(&s->url, "&X-Amz-Security-Token=");
			sigv4_uri_encode(&s->url, token, strlen(token), false);
		}
		out->query = buf_detach(&s->url, NULL);
		return;
	}
	authz = xasprintf(ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
	                  s->creds->access_key_id, s->scope, buf_cstr(&s->signed_headers),
	                  out->signature);
	if (s->has_token && !s->token_signed)
		sigv4_request_add_header(req, "X-Amz-Security-Token", token);
	sigv4_request_add_header(req, "Authorization", authz);
	out->authorization = req->headers[req->nheaders - 1].value;
	free(authz);
}

int sigv4_sign(struct sigv4_request *req, const struct aws_creds *creds,
               const struct sigv4_params *p, struct sigv4_result *out, char *err, size_t errlen)
{
	struct signing s;

	memset(out, 0, sizeof(*out));
	if (!creds->access_key_id || !creds->secret_access_key) {
		set_err(err, errlen, "no credentials to sign with");
		return -1;
	}
	if (!p->service || !*p->service || !p->region || !*p->region) {
		set_err(err, errlen, "signing needs a service and a region");
		return -1;
	}
	if (!sigv4_request_header(req, "host")) {
		set_err(err, errlen, "the request has no Host header");
		return -1;
	}

	memset(&s, 0, sizeof(s));
	s.creds = creds;
	s.p = p;
	s.presign = p->presign_expires > 0;
	s.has_token = creds->session_token && *creds->session_token;
	s.token_signed = s.has_token && !(p->flags & SIGV4_TOKEN_AFTER);
	time_format_amz(p->time, s.amzdate);
	memcpy(s.date, s.amzdate, 8);
	s.date[8] = '\0';
	s.scope = xasprintf("%s/%s/%s/aws4_request", s.date, p->region, p->service);
	s.payload_hash = payload_hash(req, &s);

	set_signer_headers(req, &s);
	out->canonical_request = canonical_request(req, &s);
	out->string_to_sign = string_to_sign(&s, out->canonical_request);
	signature(&s, out->string_to_sign, out->signature);
	finish(req, &s, out);
	signing_cleanup(&s);
	return 0;
}
