/*
 * AWS Signature Version 4.
 *
 * Staged and pure: canonical request -> string to sign -> signing key ->
 * signature, with the time passed in. The rules follow the published suites
 * (aws4_testsuite, aws-c-auth) and botocore, the reference implementation:
 *   - generic services: the wire path is normalised (dot segments removed,
 *     repeated slashes collapsed) and URI-encoded again ("double encoding");
 *   - S3: the wire path is used as it is (single encoding, no normalising)
 *     and x-amz-content-sha256 carries the payload hash;
 *   - the query is split on '&' and '=', each part strictly re-encoded
 *     (RFC 3986 unreserved kept, everything else %XX), sorted by key then
 *     value; repeated keys are all kept;
 *   - headers: names lower-cased, values trimmed with inner runs of blanks
 *     folded to one space, repeated names joined with ',' in order.
 */
#include "ebctl/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ALGORITHM "AWS4-HMAC-SHA256"

/* Headers a signer must leave out: proxies and SDKs change them in flight. */
static const char *const unsigned_headers[] = {"authorization", "user-agent", "expect",
                                               "x-amzn-trace-id"};

/* ---- hashing ---- */

/* Fetched once: OpenSSL 3 looks an implicit EVP_sha256() up on every init,
 * which costs more than the hashing of a typical request. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *md_sha256(void)
{
	pthread_once(&sha256_once, fetch_sha256);
	return sha256_md ? sha256_md : EVP_sha256();
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;
	EVP_Digest(data, len, out, &n, md_sha256(), NULL);
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char d[32];
	sha256(data, len, d);
	hex_encode(d, 32, out);
}

/* HMAC-SHA256 from two digests; keys here are at most 64 bytes. */
static void hmac_sha256(const unsigned char *key, size_t keylen, const void *msg, size_t len,
                        unsigned char out[32])
{
	unsigned char k[64], pad[64], inner[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = 32;
	size_t i;

	memset(k, 0, sizeof(k));
	if (keylen > 64)
		sha256(key, keylen, k);
	else
		memcpy(k, key, keylen);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	EVP_DigestInit_ex(ctx, md_sha256(), NULL);
	EVP_DigestUpdate(ctx, pad, 64);
	EVP_DigestUpdate(ctx, msg, len);
	EVP_DigestFinal_ex(ctx, inner, &n);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	EVP_DigestInit_ex(ctx, md_sha256(), NULL);
	EVP_DigestUpdate(ctx, pad, 64);
	EVP_DigestUpdate(ctx, inner, 32);
	EVP_DigestFinal_ex(ctx, out, &n);
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(pad, sizeof(pad));
}

/* ---- signing key cache: one entry per (key id, date, region, service) ---- */

#define KEY_CACHE_SIZE 8
struct key_entry {
	char id[160]; /* access key id, date, region, service */
	unsigned char secret_hash[32];
	unsigned char key[32];
	bool used;
};
static struct key_entry key_cache[KEY_CACHE_SIZE];
static unsigned key_cache_next;
static pthread_mutex_t key_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void signing_key(const struct aws_creds *c, const char *date, const char *region,
                        const char *service, unsigned char out[32])
{
	char id[160];
	unsigned char sh[32], k[32];
	size_t slen = strlen(c->secret_access_key), i;
	char *ks;

	snprintf(id, sizeof(id), "%s/%s/%s/%s", c->access_key_id, date, region, service);
	sha256(c->secret_access_key, slen, sh);
	pthread_mutex_lock(&key_cache_lock);
	for (i = 0; i < KEY_CACHE_SIZE; i++) {
		if (key_cache[i].used && !strcmp(key_cache[i].id, id) &&
		    !CRYPTO_memcmp(key_cache[i].secret_hash, sh, 32)) {
			memcpy(out, key_cache[i].key, 32);
			pthread_mutex_unlock(&key_cache_lock);
			OPENSSL_cleanse(sh, sizeof(sh));
			return;
		}
	}
	pthread_mutex_unlock(&key_cache_lock);

	ks = xasprintf("AWS4%s", c->secret_access_key);
	hmac_sha256((unsigned char *)ks, strlen(ks), date, strlen(date), k);
	free_secret(ks);
	hmac_sha256(k, 32, region, strlen(region), k);
	hmac_sha256(k, 32, service, strlen(service), k);
	hmac_sha256(k, 32, "aws4_request", 12, k);
	memcpy(out, k, 32);

	pthread_mutex_lock(&key_cache_lock);
	i = key_cache_next++ % KEY_CACHE_SIZE;
	OPENSSL_cleanse(&key_cache[i], sizeof(key_cache[i]));
	snprintf(key_cache[i].id, sizeof(key_cache[i].id), "%s", id);
	memcpy(key_cache[i].secret_hash, sh, 32);
	memcpy(key_cache[i].key, k, 32);
	key_cache[i].used = true;
	pthread_mutex_unlock(&key_cache_lock);
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(sh, sizeof(sh));
}

/* ---- encoding ---- */

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

void sigv4_uri_encode(struct buf *out, const char *s, size_t len, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			buf_putc(out, (char)c);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_add(out, e, 3);
		}
	}
}

void sigv4_form_encode(struct buf *out, const char *const *keys, const char *const *values, size_t n)
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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX (a malformed escape stays literal), then encode strictly. */
static void reencode(struct buf *out, const char *s, size_t len)
{
	struct buf raw = BUF_INIT;
	size_t i;
	for (i = 0; i < len; i++) {
		int h, l;
		if (s[i] == '%' && i + 2 < len && (h = hexval(s[i + 1])) >= 0 &&
		    (l = hexval(s[i + 2])) >= 0) {
			buf_putc(&raw, (char)(h * 16 + l));
			i += 2;
		} else {
			buf_putc(&raw, s[i]);
		}
	}
	sigv4_uri_encode(out, buf_cstr(&raw), raw.len, false);
	buf_free(&raw);
}

/* ---- canonical parts ---- */

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

struct qparam {
	char *key;   /* encoded */
	char *value; /* encoded */
};

static int qparam_cmp(const void *a, const void *b)
{
	const struct qparam *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->value, y->value);
}

/* Split a raw query and append the canonical form of every parameter. */
static void split_query(const char *q, struct qparam **ps, size_t *n)
{
	const char *p = q;
	if (!q || !*q)
		return;
	for (;;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		struct buf k = BUF_INIT, v = BUF_INIT;
		reencode(&k, p, eq ? (size_t)(eq - p) : len);
		if (eq)
			reencode(&v, eq + 1, len - (size_t)(eq - p) - 1);
		*ps = xrealloc(*ps, (*n + 1) * sizeof(**ps));
		(*ps)[*n].key = buf_detach(&k, NULL);
		(*ps)[*n].value = buf_detach(&v, NULL);
		(*n)++;
		if (!amp)
			break;
		p = amp + 1;
	}
}

static void add_param(struct qparam **ps, size_t *n, const char *key, const char *value)
{
	struct buf v = BUF_INIT;
	sigv4_uri_encode(&v, value, strlen(value), false);
	*ps = xrealloc(*ps, (*n + 1) * sizeof(**ps));
	(*ps)[*n].key = xstrdup(key);
	(*ps)[*n].value = buf_detach(&v, NULL);
	(*n)++;
}

static void join_params(struct buf *out, struct qparam *ps, size_t n)
{
	size_t i;
	if (n > 1)
		qsort(ps, n, sizeof(*ps), qparam_cmp);
	for (i = 0; i < n; i++) {
		if (i)
			buf_putc(out, '&');
		buf_printf(out, "%s=%s", ps[i].key, ps[i].value);
	}
}

static void free_params(struct qparam *ps, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		free(ps[i].key);
		free(ps[i].value);
	}
	free(ps);
}

struct cheader {
	char *name;  /* lower case */
	struct buf value;
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

/* Trim and fold runs of blanks to one space. */
static void trimall(struct buf *out, const char *v)
{
	bool space = false, any = false;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n') {
			space = any;
			continue;
		}
		if (space)
			buf_putc(out, ' ');
		buf_putc(out, *v);
		space = false;
		any = true;
	}
	if (!out->ptr)
		buf_add(out, "", 0);
}

static bool header_signed(const char *lname)
{
	size_t i;
	for (i = 0; i < EB_ARRAY_LEN(unsigned_headers); i++)
		if (!strcmp(lname, unsigned_headers[i]))
			return false;
	return true;
}

/* Canonical headers and the signed-header list, from the request's headers. */
static void canonical_headers(const struct sigv4_request *r, struct buf *canon, struct buf *signed_list)
{
	struct cheader *hs = xcalloc(r->nheaders + 1, sizeof(*hs));
	size_t n = 0, i, j;

	for (i = 0; i < r->nheaders; i++) {
		char *lname = xstrdup(r->headers[i].name);
		for (j = 0; lname[j]; j++)
			if (lname[j] >= 'A' && lname[j] <= 'Z')
				lname[j] = (char)(lname[j] + 32);
		if (!header_signed(lname)) {
			free(lname);
			continue;
		}
		hs[n].name = lname;
		buf_init(&hs[n].value, 0);
		trimall(&hs[n].value, r->headers[i].value);
		hs[n].order = i;
		n++;
	}
	qsort(hs, n, sizeof(*hs), cheader_cmp);
	for (i = 0; i < n; i = j) {
		buf_printf(canon, "%s:%s", hs[i].name, buf_cstr(&hs[i].value));
		for (j = i + 1; j < n && !strcmp(hs[j].name, hs[i].name); j++)
			buf_printf(canon, ",%s", buf_cstr(&hs[j].value));
		buf_putc(canon, '\n');
		if (i)
			buf_putc(signed_list, ';');
		buf_puts(signed_list, hs[i].name);
	}
	for (i = 0; i < n; i++) {
		free(hs[i].name);
		buf_free(&hs[i].value);
	}
	free(hs);
}

/* ---- requests and results ---- */

void sigv4_request_init(struct sigv4_request *r, const char *method, const char *path, const char *query)
{
	memset(r, 0, sizeof(*r));
	r->method = xstrdup(method);
	r->path = xstrdup(path && *path ? path : "/");
	r->query = xstrdup(query ? query : "");
}

void sigv4_request_add_header(struct sigv4_request *r, const char *name, const char *value)
{
	r->headers = xrealloc(r->headers, (r->nheaders + 1) * sizeof(*r->headers));
	r->headers[r->nheaders].name = xstrdup(name);
	r->headers[r->nheaders].value = xstrdup(value);
	r->nheaders++;
}

const char *sigv4_request_header(const struct sigv4_request *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->nheaders; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

void sigv4_request_cleanup(struct sigv4_request *r)
{
	size_t i;
	for (i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free_secret(r->headers[i].value); /* may hold a token or a signature */
	}
	free(r->headers);
	free(r->method);
	free(r->path);
	free(r->query);
	memset(r, 0, sizeof(*r));
}

void sigv4_result_cleanup(struct sigv4_result *r)
{
	free(r->canonical_request);
	free(r->string_to_sign);
	free(r->signature);
	free_secret(r->authorization);
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
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

int sigv4_sign(struct sigv4_request *req, const struct aws_creds *creds, const struct sigv4_params *p,
               struct sigv4_result *out, char *err, size_t errlen)
{
	struct buf creq = BUF_INIT, sts = BUF_INIT, hdrs = BUF_INIT, signed_list = BUF_INIT;
	struct buf scope = BUF_INIT, query = BUF_INIT;
	struct qparam *params = NULL;
	size_t nparams = 0;
	char amzdate[17], date[9], payload[65], creq_hash[65], sig[65];
	unsigned char key[32], mac[32];
	const char *given_date, *payload_hash;
	bool presign = p->presign_expires > 0;
	bool token_signed = creds->session_token && *creds->session_token && !(p->flags & SIGV4_TOKEN_AFTER);
	time_t t = (time_t)p->time;
	struct tm tm;

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

	/* The time: an X-Amz-Date already in the request wins (it is what the
	 * server will check); otherwise the caller's clock. */
	given_date = sigv4_request_header(req, "x-amz-date");
	if (given_date) {
		if (time_parse_amz(given_date) < 0) {
			set_err(err, errlen, "X-Amz-Date is not of the form YYYYMMDDTHHMMSSZ");
			return -1;
		}
		snprintf(amzdate, sizeof(amzdate), "%s", given_date);
	} else {
		gmtime_r(&t, &tm);
		strftime(amzdate, sizeof(amzdate), "%Y%m%dT%H%M%SZ", &tm);
	}
	memcpy(date, amzdate, 8);
	date[8] = '\0';
	buf_printf(&scope, "%s/%s/%s/aws4_request", date, p->region, p->service);

	/* Payload hash. */
	if (req->payload_hash)
		payload_hash = req->payload_hash;
	else if ((p->flags & SIGV4_UNSIGNED_PAYLOAD) || (presign && (p->flags & SIGV4_S3)))
		payload_hash = "UNSIGNED-PAYLOAD";
	else {
		sha256_hex(req->body ? (const void *)req->body : "", req->body_len, payload);
		payload_hash = payload;
	}

	if (!presign) {
		if (!given_date)
			sigv4_request_add_header(req, "X-Amz-Date", amzdate);
		if (token_signed && !sigv4_request_header(req, "x-amz-security-token"))
			sigv4_request_add_header(req, "X-Amz-Security-Token", creds->session_token);
		if ((p->flags & (SIGV4_S3 | SIGV4_CONTENT_SHA256)) &&
		    !sigv4_request_header(req, "x-amz-content-sha256"))
			sigv4_request_add_header(req, "x-amz-content-sha256", payload_hash);
	}
	canonical_headers(req, &hdrs, &signed_list);

	split_query(req->query, &params, &nparams);
	if (presign) {
		char expires[32];
		struct buf cred = BUF_INIT;
		buf_printf(&cred, "%s/%s", creds->access_key_id, buf_cstr(&scope));
		snprintf(expires, sizeof(expires), "%ld", p->presign_expires);
		add_param(&params, &nparams, "X-Amz-Algorithm", ALGORITHM);
		add_param(&params, &nparams, "X-Amz-Credential", buf_cstr(&cred));
		add_param(&params, &nparams, "X-Amz-Date", amzdate);
		add_param(&params, &nparams, "X-Amz-Expires", expires);
		if (token_signed)
			add_param(&params, &nparams, "X-Amz-Security-Token", creds->session_token);
		add_param(&params, &nparams, "X-Amz-SignedHeaders", buf_cstr(&signed_list));
		buf_free(&cred);
	}
	join_params(&query, params, nparams);

	/* Task 1: the canonical request. */
	buf_printf(&creq, "%s\n", req->method);
	canonical_uri(&creq, req->path, p->flags);
	buf_printf(&creq, "\n%s\n%s\n%s\n%s", buf_cstr(&query), buf_cstr(&hdrs), buf_cstr(&signed_list),
	           payload_hash);

	/* Task 2: the string to sign. */
	sha256_hex(creq.ptr, creq.len, creq_hash);
	buf_printf(&sts, "%s\n%s\n%s\n%s", ALGORITHM, amzdate, buf_cstr(&scope), creq_hash);

	/* Tasks 3 and 4: key and signature. */
	signing_key(creds, date, p->region, p->service, key);
	hmac_sha256(key, 32, sts.ptr, sts.len, mac);
	OPENSSL_cleanse(key, sizeof(key));
	hex_encode(mac, 32, sig);

	out->canonical_request = buf_detach(&creq, NULL);
	out->string_to_sign = buf_detach(&sts, NULL);
	out->signature = xstrdup(sig);
	if (presign) {
		buf_printf(&query, "&X-Amz-Signature=%s", sig);
		if (creds->session_token && *creds->session_token && !token_signed) {
			buf_puts(&query, "&X-Amz-Security-Token=");
			sigv4_uri_encode(&query, creds->session_token, strlen(creds->session_token), false);
		}
		out->query = buf_detach(&query, NULL);
	} else {
		out->authorization = xasprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", ALGORITHM,
		                               creds->access_key_id, buf_cstr(&scope), buf_cstr(&signed_list), sig);
		if (creds->session_token && *creds->session_token && !token_signed &&
		    !sigv4_request_header(req, "x-amz-security-token"))
			sigv4_request_add_header(req, "X-Amz-Security-Token", creds->session_token);
		sigv4_request_add_header(req, "Authorization", out->authorization);
		buf_free(&query);
	}
	free_params(params, nparams);
	buf_free(&hdrs);
	buf_free(&signed_list);
	buf_free(&scope);
	return 0;
}
