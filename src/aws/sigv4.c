/*
 * AWS Signature Version 4.
 *
 * Staged and pure: canonical request -> string to sign -> signing key ->
 * signature, with the time passed in. The rules follow the published suites
 * (aws4_testsuite, aws-c-auth) and botocore, the reference implementation:
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
/* The one-shot SHA-256 interface, which OpenSSL 3 marks deprecated in favour
 * of EVP. Signing hashes three short strings per request; an EVP init
 * allocates and frees a provider context every time, which costs more than
 * the hashing itself, and a SHA256_CTX is a plain struct that can be copied,
 * which HMAC with a cached key needs (libgit2 keeps the same interface for
 * the same reason). Streams (bundle and upload hashing) stay on EVP. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "ebctl/sigv4.h"

#include <openssl/sha.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ALGORITHM    "AWS4-HMAC-SHA256"

/* Headers a signer must leave out: proxies and HTTP clients change them in
 * flight (hop-by-hop headers, Expect, User-Agent, tracing). botocore's
 * SIGNED_HEADERS_BLACKLIST. */
#define UNSIGNED_HEADERS(X)                                                                        \
	X("connection")                                                                            \
	X("expect")                                                                                \
	X("keep-alive")                                                                            \
	X("proxy-authenticate")                                                                    \
	X("proxy-authorization")                                                                   \
	X("te")                                                                                    \
	X("trailer")                                                                               \
	X("transfer-encoding")                                                                     \
	X("upgrade")                                                                               \
	X("user-agent")                                                                            \
	X("x-amzn-trace-id")
#define NAME(s)       {s, sizeof(s) - 1},
#define LENGTH_BIT(s) | 1ul << (sizeof(s) - 1)
#define SHORT(s)      _Static_assert(sizeof(s) <= 32, "a name too long for the length mask");
static const struct {
	const char *name;
	size_t len;
} unsigned_headers[] = {UNSIGNED_HEADERS(NAME)};
/* bit n set when one of the names is n bytes long: most headers are not */
static const unsigned long unsigned_lengths = 0 UNSIGNED_HEADERS(LENGTH_BIT);
UNSIGNED_HEADERS(SHORT)
#undef NAME
#undef LENGTH_BIT
#undef SHORT

/* Wipe key material on the hot path. explicit_bzero cannot be optimised
 * away either, and needs no call into libcrypto (src/util/dynload.c). */
#define wipe explicit_bzero

/* ---- hashing ---- */

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	SHA256_CTX c;
	SHA256_Init(&c);
	SHA256_Update(&c, data, len);
	SHA256_Final(out, &c);
}

void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char d[32];
	sha256(data, len, d);
	hex_encode(d, 32, out);
}

/* An HMAC-SHA256 key as the two hash states after its inner and outer pads:
 * a MAC with a cached key then costs the message's blocks and one more. */
struct hmac_key {
	SHA256_CTX inner, outer;
};

static void hmac_key_init(struct hmac_key *h, const unsigned char *key, size_t keylen)
{
	unsigned char k[64], pad[64];
	size_t i;

	memset(k, 0, sizeof(k));
	if (keylen > 64)
		sha256(key, keylen, k);
	else
		memcpy(k, key, keylen);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	SHA256_Init(&h->inner);
	SHA256_Update(&h->inner, pad, 64);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	SHA256_Init(&h->outer);
	SHA256_Update(&h->outer, pad, 64);
	wipe(k, sizeof(k));
	wipe(pad, sizeof(pad));
}

static void hmac_final(const struct hmac_key *h, const void *msg, size_t len, unsigned char out[32])
{
	SHA256_CTX c = h->inner;
	unsigned char inner[32];
	SHA256_Update(&c, msg, len);
	SHA256_Final(inner, &c);
	c = h->outer;
	SHA256_Update(&c, inner, 32);
	SHA256_Final(out, &c);
	wipe(&c, sizeof(c));
	wipe(inner, sizeof(inner));
}

static void hmac_sha256(const unsigned char *key, size_t keylen, const void *msg, size_t len,
                        unsigned char out[32])
{
	struct hmac_key h;
	hmac_key_init(&h, key, keylen);
	hmac_final(&h, msg, len, out);
	wipe(&h, sizeof(h));
}

/* Appends for the hot path: the scratch buffers are kept between
 * signatures, so there is nearly always room and the call into buf_add()
 * (which grows the buffer) can be skipped. */
static inline void put(struct buf *b, const void *data, size_t len)
{
	if (b->ptr && !b->max && len < b->cap - b->len) {
		if (len)
			memcpy(b->ptr + b->len, data, len);
		b->len += len;
		b->ptr[b->len] = '\0';
	} else {
		buf_add(b, data, len);
	}
}

static inline void put_c(struct buf *b, char c)
{
	put(b, &c, 1);
}

static inline void put_s(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* ---- signing key cache: one entry per (key id, date, region, service) ---- */

#define KEY_CACHE_SIZE 8
struct key_entry {
	char id[160]; /* access key id, date, region, service */
	char *secret; /* the secret the key was derived from; wiped on eviction */
	struct hmac_key key;
};
static struct key_entry key_cache[KEY_CACHE_SIZE];
static unsigned key_cache_next;
static pthread_mutex_t key_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
static void derive_key(const struct aws_creds *c, const char *date, const char *region,
                       const char *service, struct hmac_key *out)
{
	char *ks = xasprintf("AWS4%s", c->secret_access_key);
	unsigned char k[32];
	hmac_sha256((unsigned char *)ks, strlen(ks), date, strlen(date), k);
	free_secret(ks);
	hmac_sha256(k, 32, region, strlen(region), k);
	hmac_sha256(k, 32, service, strlen(service), k);
	hmac_sha256(k, 32, "aws4_request", 12, k);
	hmac_key_init(out, k, 32);
	wipe(k, sizeof(k));
}

/* Equal strings, in time that depends on their lengths only (secrets):
 * eight bytes at a time. */
static bool secret_eq(const char *a, const char *b)
{
	size_t n = strlen(a), i;
	uint64_t diff = 0, x, y;
	if (n != strlen(b))
		return false;
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		diff |= x ^ y;
	}
	for (; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* True when id is the parts joined with '/' (no part of a cache key holds
 * one). */
static bool id_is(const char *id, const char *const parts[4])
{
	size_t k;
	for (k = 0; k < 4; k++) {
		size_t n = strlen(parts[k]);
		if (strncmp(id, parts[k], n) || id[n] != (k < 3 ? '/' : '\0'))
			return false;
		id += n + 1;
	}
	return true;
}

/* Empty an entry, its secret and key wiped. */
static void forget_key(struct key_entry *e)
{
	free_secret(e->secret);
	wipe(e, sizeof(*e));
}

/* Fill an entry of the shared cache or a thread's own (its last key: no
 * lock to take when the next request is for the same). */
static void keep_key(struct key_entry *e, const char *id, const char *secret,
                     const struct hmac_key *key)
{
	size_t n;
	forget_key(e);
	n = strlen(id);
	if (n >= sizeof(e->id))
		n = sizeof(e->id) - 1; /* ids that long are not cached: see signing_key */
	memcpy(e->id, id, n);
	e->id[n] = '\0';
	e->secret = xstrdup(secret);
	e->key = *key;
}

/* The signing key: the thread's last one when it fits, else the shared
 * cache's, else derived (and cached); it becomes the thread's last. The
 * key is used where it is kept, not copied: the result points at the
 * thread's entry, or at spare for a scope too long to cache (which the
 * caller wipes). */
static const struct hmac_key *signing_key(struct key_entry *last, const struct aws_creds *c,
                                          const char *date, const char *region, const char *service,
                                          struct hmac_key *spare)
{
	const char *const want[4] = {c->access_key_id, date, region, service};
	char id[160];
	size_t i;

	if (last->secret && id_is(last->id, want) && secret_eq(last->secret, c->secret_access_key))
		return &last->key;
	pthread_mutex_lock(&key_cache_lock);
	for (i = 0; i < KEY_CACHE_SIZE; i++) {
		if (key_cache[i].secret && id_is(key_cache[i].id, want) &&
		    secret_eq(key_cache[i].secret, c->secret_access_key)) {
			keep_key(last, key_cache[i].id, key_cache[i].secret, &key_cache[i].key);
			pthread_mutex_unlock(&key_cache_lock);
			return &last->key;
		}
	}
	pthread_mutex_unlock(&key_cache_lock);

	{
		/* the cache key of a new entry */
		const char *parts[] = {c->access_key_id, date, region, service};
		size_t lens[4], total = 0, pos = 0, part;
		for (part = 0; part < 4; part++)
			total += (lens[part] = strlen(parts[part])) + 1;
		if (total > sizeof(id)) {
			derive_key(c, date, region, service, spare); /* too long to cache */
			return spare;
		}
		for (part = 0; part < 4; part++) {
			memcpy(id + pos, parts[part], lens[part]);
			pos += lens[part];
			id[pos++] = '/';
		}
		id[pos - 1] = '\0';
	}
	derive_key(c, date, region, service, spare);

	pthread_mutex_lock(&key_cache_lock);
	i = key_cache_next++ % KEY_CACHE_SIZE;
	keep_key(&key_cache[i], id, c->secret_access_key, spare);
	pthread_mutex_unlock(&key_cache_lock);
	keep_key(last, id, c->secret_access_key, spare);
	wipe(spare, sizeof(*spare));
	return &last->key;
}

/* Append strings up to a NULL: the canonical forms are built on the hot
 * path, where printf-style formatting costs more than the hashing. Called
 * through cat(), which adds the typed NULL that ends the list. */
static void cat_strings(struct buf *b, ...)
{
	va_list ap;
	const char *s;
	va_start(ap, b);
	while ((s = va_arg(ap, const char *)))
		put(b, s, strlen(s));
	va_end(ap);
}
#define cat(...) cat_strings(__VA_ARGS__, (const char *)NULL)

static void add_buf(struct buf *dst, const struct buf *src)
{
	put(dst, buf_cstr(src), src->len);
}

/* ---- encoding ---- */

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

static void put_escape(struct buf *out, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char e[3] = {'%', hex[c >> 4], hex[c & 15]};
	put(out, e, 3);
}

void sigv4_uri_encode(struct buf *out, const char *s, size_t len, bool keep_slash)
{
	size_t i = 0;
	while (i < len) {
		size_t run = i;
		unsigned char c;
		/* copy runs of safe characters in one append */
		while (run < len &&
		       (unreserved((unsigned char)s[run]) || (keep_slash && s[run] == '/')))
			run++;
		if (run > i)
			put(out, s + i, run - i);
		if (run >= len)
			break;
		c = (unsigned char)s[run];
		put_escape(out, c);
		i = run + 1;
	}
}

void sigv4_form_encode(struct buf *out, const char *const *keys, const char *const *values,
                       size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		if (i)
			put_c(out, '&');
		sigv4_uri_encode(out, keys[i], strlen(keys[i]), false);
		put_c(out, '=');
		sigv4_uri_encode(out, values[i], strlen(values[i]), false);
	}
}

/* A query part as botocore signs a request's own query: as it is written,
 * except raw bytes outside ASCII, which are percent-encoded (both AWS
 * suites require it: get-vanilla-utf8-query; botocore would sign them raw). */
static void put_query_part(struct buf *out, const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		size_t run = i;
		while (run < len && (unsigned char)s[run] < 0x80)
			run++;
		if (run > i)
			put(out, s + i, run - i);
		if (run >= len)
			break;
		put_escape(out, (unsigned char)s[run]);
		i = run + 1;
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
			put_c(out, (char)c);
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
			put(out, s + i, need + 1);
			i += need + 1;
		} else {
			put(out, "\xef\xbf\xbd", 3);
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
			put_c(&raw, (char)(h * 16 + l));
			i += 2;
		} else {
			put_c(&raw, s[i] == '+' ? ' ' : s[i]);
		}
	}
	put_utf8(&text, (const unsigned char *)buf_cstr(&raw), raw.len);
	sigv4_uri_encode(out, buf_cstr(&text), text.len, false);
	buf_free_secret(&raw);
	buf_free_secret(&text);
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
		put_c(&out, '/');
	for (i = 0; i < n; i++) {
		if (i)
			put_c(&out, '/');
		put(&out, segs[i], lens[i]);
	}
	if (path[plen - 1] == '/' && n)
		put_c(&out, '/');
	free(segs);
	free(lens);
	return buf_detach(&out, NULL);
}

/* True when normalising would leave the path as it is: absolute, with no
 * empty, "." or ".." segment. */
static bool path_is_normal(const char *path)
{
	const char *p = path;
	if (*p != '/')
		return false;
	while (*p) {
		/* p is at a '/'; look at the segment after it */
		const char *seg = p + 1, *e = seg;
		while (*e && *e != '/')
			e++;
		if (e == seg ? *e != '\0'
		             : (e - seg == 1 && seg[0] == '.') ||
		                   (e - seg == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		p = e;
	}
	return true;
}

static void canonical_uri(struct buf *out, const char *path, unsigned flags)
{
	if (!path || !*path) {
		put_c(out, '/');
	} else if (flags & SIGV4_S3) {
		put_s(out, path);
	} else if ((flags & SIGV4_NO_NORMALIZE) || path_is_normal(path)) {
		sigv4_uri_encode(out, path, strlen(path), true);
	} else {
		char *n = normalize_path(path);
		sigv4_uri_encode(out, n, strlen(n), true);
		free(n);
	}
}

/* A query parameter in canonical form: key and value are offsets of
 * NUL-terminated strings in the list's text buffer. */
struct qparam {
	size_t key, value;
};

struct qlist {
	struct buf *text;
	struct qparam *p;
	size_t n, cap;
};

static struct qparam *qlist_push(struct qlist *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->p = xrealloc(l->p, l->cap * sizeof(*l->p));
	}
	return &l->p[l->n++];
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
	const char *p = q;
	if (!q || !*q)
		return;
	for (;;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len, vlen = eq ? len - klen - 1 : 0;
		if (!presign) {
			struct qparam *qp = qlist_push(l);
			qp->key = l->text->len;
			put_query_part(l->text, p, klen);
			put_c(l->text, '\0');
			qp->value = l->text->len;
			put_query_part(l->text, p + klen + 1, vlen);
			put_c(l->text, '\0');
		} else if (len) {
			size_t key = l->text->len, i;
			put_form_part(l->text, p, klen);
			put_c(l->text, '\0');
			for (i = 0; i < l->n; i++)
				if (!strcmp(l->text->ptr + l->p[i].key, l->text->ptr + key))
					break;
			if (i < l->n) {
				l->text->len = key; /* a repeated key: the first value stays */
				l->text->ptr[key] = '\0';
			} else {
				struct qparam *qp = qlist_push(l);
				qp->key = key;
				qp->value = l->text->len;
				put_form_part(l->text, p + klen + 1, vlen);
				put_c(l->text, '\0');
			}
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
	struct qparam *qp = qlist_push(l);
	qp->key = l->text->len;
	put(l->text, key, strlen(key) + 1);
	qp->value = l->text->len;
	sigv4_uri_encode(l->text, value, strlen(value), false);
	put_c(l->text, '\0');
}

static int qparam_cmp(const void *a, const void *b, void *base)
{
	const struct qparam *x = a, *y = b;
	const char *t = base;
	int c = strcmp(t + x->key, t + y->key);
	return c ? c : strcmp(t + x->value, t + y->value);
}

/* Append "k=v&k=v" in the list's order, or sorted by key then value (the
 * canonical query string; the list is left sorted). */
static void join_params(struct buf *out, struct qlist *l, bool sorted)
{
	const char *t;
	size_t i;
	if (sorted && l->n > 1)
		qsort_r(l->p, l->n, sizeof(*l->p), qparam_cmp, l->text->ptr);
	t = buf_cstr(l->text);
	for (i = 0; i < l->n; i++) {
		if (i)
			put_c(out, '&');
		cat(out, t + l->p[i].key, "=", t + l->p[i].value);
	}
}

struct cheader {
	size_t name, name_len;   /* offsets into the scratch buffer: lower-cased name, */
	size_t value, value_len; /* trimmed value */
	size_t order;
};

static int cheader_cmp(const void *a, const void *b, void *base)
{
	const struct cheader *x = a, *y = b;
	int c = strcmp((char *)base + x->name, (char *)base + y->name);
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
static inline size_t space_len(const unsigned char *v)
{
	unsigned char c = *v;
	if (c < 0x80)
		return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
	return unicode_space_len(v);
}

/* Whether the byte may start whitespace or end the string: at or below a
 * space, or not ASCII. Read as signed, that is one comparison; printable
 * ASCII, most of any header value, goes by with it. */
static inline bool may_space(unsigned char c)
{
	return (signed char)c <= ' ';
}

/* The end of the run of non-blank characters at v, the string ending at
 * end. Eight bytes at a time while none of them is at or below a space or
 * outside ASCII (b - 0x21 sets the top bit of a byte at or below a space,
 * b itself that of one above 0x7f; a borrow only adds false alarms), then
 * byte by byte. */
static const unsigned char *run_end(const unsigned char *v, const unsigned char *end)
{
	for (; end - v >= 8; v += 8) {
		uint64_t w;
		memcpy(&w, v, 8);
		if (((w - 0x2121212121212121u) | w) & 0x8080808080808080u)
			break;
	}
	for (;; v++)
		if (may_space(*v) && (!*v || space_len(v)))
			return v;
}

/* Append value (len bytes) trimmed, with inner runs of blanks folded to
 * one space. */
static void trimall(struct buf *out, const char *value, size_t len)
{
	const unsigned char *v = (const unsigned char *)value, *w, *end = v + len;
	bool first = true;
	for (;;) {
		size_t n;
		bool blanks = false;
		while (may_space(*v) && (n = space_len(v))) {
			v += n;
			blanks = true;
		}
		if (!*v)
			break;
		if (blanks && !first)
			put_c(out, ' ');
		w = v;
		v = run_end(v, end);
		put(out, w, (size_t)(v - w));
		first = false;
	}
}

static bool header_signed(const char *lname, size_t len)
{
	size_t i;
	if (len >= 32 || !(unsigned_lengths >> len & 1))
		return true;
	for (i = 0; i < EB_ARRAY_LEN(unsigned_headers); i++)
		if (len == unsigned_headers[i].len && lname[0] == unsigned_headers[i].name[0] &&
		    !memcmp(lname, unsigned_headers[i].name, len))
			return false;
	return true;
}

/* Canonical headers and the signed-header list, from the request's headers.
 * tmp is scratch space for the lower-cased names and trimmed values. */
static void canonical_headers(const struct sigv4_request *r, struct buf *tmp, struct buf *canon,
                              struct buf *signed_list)
{
	struct cheader stack[32],
	    *hs = r->nheaders <= 32 ? stack : xmalloc(r->nheaders * sizeof(*hs));
	size_t n = 0, i, j;

	buf_reset(tmp);
	for (i = 0; i < r->nheaders; i++) {
		size_t name = tmp->len;
		put(tmp, r->headers[i].name, r->headers[i].name_len);
		for (j = name; j < tmp->len; j++)
			if (tmp->ptr[j] >= 'A' && tmp->ptr[j] <= 'Z')
				tmp->ptr[j] = (char)(tmp->ptr[j] + 32);
		hs[n].name_len = tmp->len - name;
		put_c(tmp, '\0');
		if (!header_signed(tmp->ptr + name, hs[n].name_len)) {
			tmp->len = name;
			continue;
		}
		hs[n].name = name;
		hs[n].value = tmp->len;
		trimall(tmp, r->headers[i].value, r->headers[i].value_len);
		hs[n].value_len = tmp->len - hs[n].value;
		put_c(tmp, '\0');
		hs[n].order = i;
		n++;
	}
	/* a request has a handful of headers: an insertion sort beats qsort */
	if (n > 16) {
		qsort_r(hs, n, sizeof(*hs), cheader_cmp, tmp->ptr);
	} else {
		for (i = 1; i < n; i++) {
			struct cheader h = hs[i];
			for (j = i; j > 0 && cheader_cmp(&hs[j - 1], &h, tmp->ptr) > 0; j--)
				hs[j] = hs[j - 1];
			hs[j] = h;
		}
	}
	for (i = 0; i < n; i = j) {
		const char *name = tmp->ptr + hs[i].name;
		size_t nlen = hs[i].name_len;
		put(canon, name, nlen);
		put_c(canon, ':');
		put(canon, tmp->ptr + hs[i].value, hs[i].value_len);
		for (j = i + 1;
		     j < n && hs[j].name_len == nlen && !memcmp(tmp->ptr + hs[j].name, name, nlen);
		     j++) {
			put_c(canon, ',');
			put(canon, tmp->ptr + hs[j].value, hs[j].value_len);
		}
		put_c(canon, '\n');
		if (i)
			put_c(signed_list, ';');
		put(signed_list, name, nlen);
	}
	if (hs != stack)
		free(hs);
}

/* ---- requests and results ---- */

struct sigv4_block {
	struct sigv4_block *next;
	size_t used, cap;
	char data[];
};

/* n bytes of the request's storage. Blocks are 1 KiB (a signed request's
 * strings fit in one) or as big as one string that does not fit. */
static char *request_alloc(struct sigv4_request *r, size_t n)
{
	struct sigv4_block *b = r->blocks;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 1024 - sizeof(*b) ? n : 1024 - sizeof(*b);
		b = xmalloc(sizeof(*b) + cap);
		b->next = r->blocks;
		b->used = 0;
		b->cap = cap;
		r->blocks = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

void sigv4_request_init(struct sigv4_request *r, const char *method, const char *path,
                        const char *query)
{
	size_t n = strlen(method);
	char *m;
	memset(r, 0, sizeof(*r));
	m = request_alloc(r, n + 1);
	memcpy(m, method, n + 1);
	r->method = m;
	r->path = xstrdup(path && *path ? path : "/");
	r->query = xstrdup(query ? query : "");
}

/* A header's name and value, one after the other in the request's storage. */
static void header_init_n(struct sigv4_request *r, struct sigv4_header *h, const char *name,
                          size_t nlen, const char *value, size_t vlen)
{
	char *block = request_alloc(r, nlen + vlen + 2);
	memcpy(block, name, nlen);
	block[nlen] = '\0';
	memcpy(block + nlen + 1, value, vlen);
	block[nlen + 1 + vlen] = '\0';
	h->name = block;
	h->value = block + nlen + 1;
	h->name_len = nlen;
	h->value_len = vlen;
}

/* Whether header h is called name (nlen bytes, any case). */
static inline bool header_is(const struct sigv4_header *h, const char *name, size_t nlen)
{
	return h->name_len == nlen && !strncasecmp(h->name, name, nlen);
}

void sigv4_request_add_header(struct sigv4_request *r, const char *name, const char *value)
{
	/* room for 8 more at a time: requests carry a handful of headers */
	if (r->nheaders % 8 == 0)
		r->headers = xrealloc(r->headers, (r->nheaders + 8) * sizeof(*r->headers));
	header_init_n(r, &r->headers[r->nheaders], name, strlen(name), value, strlen(value));
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

static bool header_secret(const struct sigv4_header *h)
{
	return header_is(h, "authorization", 13) || header_is(h, "x-amz-security-token", 20);
}

/* Let a header go: its value wiped when it holds a secret, its storage
 * given back when it was the last taken (the Authorization a signature
 * adds last, which signing the request again replaces). */
static void header_free(struct sigv4_request *r, struct sigv4_header *h)
{
	struct sigv4_block *b = r->blocks;
	size_t size = h->name_len + h->value_len + 2;
	if (header_secret(h))
		wipe(h->value, h->value_len);
	if (b && b->used >= size && h->name == b->data + b->used - size)
		b->used -= size;
}

/* Header i takes the name (the same but for case) and value: in place
 * when the value is no longer than the old one (X-Amz-Date, a token
 * signed again), else in new storage. */
static void header_replace(struct sigv4_request *r, size_t i, const char *name, const char *value)
{
	struct sigv4_header *h = &r->headers[i], old = *h;
	size_t vlen = strlen(value);
	if (vlen <= h->value_len) {
		memmove(h->name, name, h->name_len);
		memmove(h->value, value, vlen);
		if (header_secret(h))
			wipe(h->value + vlen, h->value_len - vlen);
		h->value[vlen] = '\0';
		h->value_len = vlen;
		return;
	}
	header_init_n(r, h, name, old.name_len, value, vlen);
	header_free(r, &old);
}

void sigv4_request_set_value(struct sigv4_request *r, size_t i, const char *value)
{
	header_replace(r, i, r->headers[i].name, value);
}

/* Drop the headers of that name from index `from` on. */
static void drop_headers(struct sigv4_request *r, const char *name, size_t from)
{
	size_t i, j = from, nlen = strlen(name);
	for (i = from; i < r->nheaders; i++) {
		if (header_is(&r->headers[i], name, nlen))
			header_free(r, &r->headers[i]);
		else
			r->headers[j++] = r->headers[i];
	}
	r->nheaders = j;
}

/* Give a header the signer sets its value, as botocore replaces what the
 * request carried: the first of that name takes the value and keeps its
 * place, any later ones are dropped; appended when there is none. */
static void set_header(struct sigv4_request *r, const char *name, const char *value)
{
	size_t i, nlen = strlen(name);
	for (i = 0; i < r->nheaders; i++)
		if (header_is(&r->headers[i], name, nlen))
			break;
	if (i == r->nheaders) {
		sigv4_request_add_header(r, name, value);
		return;
	}
	header_replace(r, i, name, value);
	drop_headers(r, name, i + 1);
}

void sigv4_request_cleanup(struct sigv4_request *r)
{
	struct sigv4_block *b, *next;
	size_t i;
	for (i = 0; i < r->nheaders; i++)
		if (header_secret(&r->headers[i]))
			wipe(r->headers[i].value, r->headers[i].value_len);
	for (b = r->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	free(r->headers);
	free(r->path);
	free(r->query);
	memset(r, 0, sizeof(*r));
}

void sigv4_result_cleanup(struct sigv4_result *r)
{
	free(r->canonical_request);
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

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* Working buffers, one set per thread, kept between signatures: signing
 * is called for every request, and growing fresh buffers each time costs
 * more than the hashing. */
struct scratch {
	struct buf creq, sts, hdrs, signed_list, scope, query, tmp, authz, qtext, url;
	struct qparam *qp;
	size_t qcap;
};

static void scratch_reset(struct scratch *s)
{
	buf_reset(&s->creq);
	buf_reset(&s->sts);
	buf_reset(&s->hdrs);
	buf_reset(&s->signed_list);
	buf_reset(&s->scope);
	buf_reset(&s->query);
	buf_reset(&s->authz);
	buf_reset(&s->qtext);
	buf_reset(&s->url);
}

static void scratch_free(struct scratch *s)
{
	buf_free_secret(&s->creq);
	buf_free_secret(&s->sts);
	buf_free_secret(&s->hdrs);
	buf_free_secret(&s->signed_list);
	buf_free(&s->scope);
	buf_free_secret(&s->query);
	buf_free_secret(&s->tmp);
	buf_free_secret(&s->authz);
	buf_free_secret(&s->qtext);
	buf_free_secret(&s->url);
	free(s->qp);
}

/* Per-thread state: the scratch buffers. Freed, wiped, when the thread
 * exits (the key's destructor) or, for the calling thread, by
 * sigv4_forget_keys(). */
struct thread_state {
	struct scratch s;
	struct key_entry last_key; /* the signing key this thread used last */
};
static pthread_key_t state_key;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;

static void state_free(void *p)
{
	struct thread_state *t = p;
	if (!t)
		return;
	scratch_free(&t->s);
	forget_key(&t->last_key);
	free(t);
}

static void state_key_init(void)
{
	if (pthread_key_create(&state_key, state_free))
		die("cannot create the signer's thread key");
}

static struct thread_state *thread_state(void)
{
	struct thread_state *t;
	pthread_once(&state_once, state_key_init);
	if ((t = pthread_getspecific(state_key)))
		return t;
	t = xcalloc(1, sizeof(*t));
	pthread_setspecific(state_key, t);
	return t;
}

/* The headers the signer looks for, found in one pass (the first value of
 * each name, NULL when absent). */
struct known_headers {
	const char *host, *content_sha256, *content_type;
	bool date, amz_date, token, authorization;
};

static void scan_headers(const struct sigv4_request *r, struct known_headers *k)
{
	size_t i;
	memset(k, 0, sizeof(*k));
	for (i = 0; i < r->nheaders; i++) {
		const char *name = r->headers[i].name;
		switch (r->headers[i].name_len) {
		case 4:
			if (!k->host && !strcasecmp(name, "host"))
				k->host = r->headers[i].value;
			else if (!strcasecmp(name, "date"))
				k->date = true;
			break;
		case 10:
			if (!strcasecmp(name, "x-amz-date"))
				k->amz_date = true;
			break;
		case 12:
			if (!k->content_type && !strcasecmp(name, "content-type"))
				k->content_type = r->headers[i].value;
			break;
		case 13:
			if (!strcasecmp(name, "authorization"))
				k->authorization = true;
			break;
		case 20:
			if (!strcasecmp(name, "x-amz-security-token"))
				k->token = true;
			else if (!k->content_sha256 && !strcasecmp(name, "x-amz-content-sha256"))
				k->content_sha256 = r->headers[i].value;
			break;
		}
	}
}

static bool field_is(const char *v, const char *want)
{
	size_t n;
	v = str_field_value(v, &n);
	return n == strlen(want) && !memcmp(v, want, n);
}

static char *dup_buf(const struct buf *b)
{
	return xstrndup(buf_cstr(b), b->len);
}

int sigv4_sign(struct sigv4_request *req, const struct aws_creds *creds,
               const struct sigv4_params *p, struct sigv4_result *out, char *err, size_t errlen)
{
	struct thread_state *ts = thread_state();
	struct scratch *sc = &ts->s;
	struct buf *creq = &sc->creq, *sts = &sc->sts, *hdrs = &sc->hdrs,
	           *signed_list = &sc->signed_list;
	struct buf *scope = &sc->scope, *query = &sc->query;
	struct qlist params;
	char amzdate[17], date[9], payload[65], creq_hash[65];
	struct hmac_key key;
	struct known_headers known;
	unsigned char mac[32];
	const char *payload_hash, *payload_line;
	size_t payload_len;
	bool presign = p->presign_expires > 0;
	bool has_token = creds->session_token && *creds->session_token;
	bool token_signed = has_token && !(p->flags & SIGV4_TOKEN_AFTER);

	memset(out, 0, sizeof(*out));
	scratch_reset(sc);
	if (!creds->access_key_id || !creds->secret_access_key) {
		set_err(err, errlen, "no credentials to sign with");
		return -1;
	}
	if (!p->service || !*p->service || !p->region || !*p->region) {
		set_err(err, errlen, "signing needs a service and a region");
		return -1;
	}
	scan_headers(req, &known);
	if (!known.host) {
		set_err(err, errlen, "the request has no Host header");
		return -1;
	}

	time_format_amz(p->time, amzdate);
	memcpy(date, amzdate, 8);
	date[8] = '\0';
	put(scope, date, 8);
	put_c(scope, '/');
	put_s(scope, p->region);
	put_c(scope, '/');
	put_s(scope, p->service);
	put(scope, "/aws4_request", 13);

	/* The payload hash the signer computes: the caller's, UNSIGNED-PAYLOAD
	 * or the body's. */
	if (req->payload_hash)
		payload_hash = req->payload_hash;
	else if ((p->flags & SIGV4_UNSIGNED_PAYLOAD) || (presign && (p->flags & SIGV4_S3)))
		payload_hash = "UNSIGNED-PAYLOAD";
	else {
		sha256_hex(req->body ? (const void *)req->body : "", req->body_len, payload);
		payload_hash = payload;
	}

	/* Header signing replaces what a retried or copied request may carry,
	 * as botocore does: the old Authorization goes, the signing time
	 * replaces the request's (in its Date header when it has one, which
	 * then stands for X-Amz-Date), the credentials' token replaces the
	 * request's (a token sent unsigned goes in after). A presigned
	 * request's headers are left alone and signed as they are. */
	if (!presign) {
		if (known.authorization)
			drop_headers(req, "authorization", 0);
		if (known.date) {
			char http_date[32];
			time_format_rfc2822(p->time, http_date);
			set_header(req, "Date", http_date);
			if (known.amz_date)
				drop_headers(req, "x-amz-date", 0);
		} else if (known.amz_date) {
			set_header(req, "X-Amz-Date", amzdate);
		} else {
			sigv4_request_add_header(req, "X-Amz-Date", amzdate);
		}
		if (has_token && known.token) {
			if (token_signed)
				set_header(req, "X-Amz-Security-Token", creds->session_token);
			else
				drop_headers(req, "x-amz-security-token", 0);
		} else if (token_signed) {
			sigv4_request_add_header(req, "X-Amz-Security-Token", creds->session_token);
		}
	}
	/* The Content-Type botocore's serializer gives a Query request, which
	 * its presigner drops, as no body is sent. A body is signed (the
	 * aws-c-auth suite's presigned form POSTs), and so is its type. */
	if (presign && known.content_type && !req->body_len &&
	    field_is(known.content_type, "application/x-www-form-urlencoded; charset=utf-8"))
		drop_headers(req, "content-type", 0);

	/* The payload line of the canonical request. A request that carries
	 * x-amz-content-sha256 signs what the header says (botocore takes its
	 * value as it is; without the blanks around it, which are not part of
	 * an HTTP field value), except where the signer sets the header
	 * itself: S3 and UNSIGNED-PAYLOAD replace it, as botocore does. */
	payload_line = payload_hash;
	payload_len = strlen(payload_hash);
	if (!presign && (p->flags & (SIGV4_S3 | SIGV4_UNSIGNED_PAYLOAD))) {
		if (known.content_sha256)
			set_header(req, "x-amz-content-sha256", payload_hash);
		else
			sigv4_request_add_header(req, "x-amz-content-sha256", payload_hash);
	} else if (known.content_sha256) {
		payload_line = str_field_value(known.content_sha256, &payload_len);
	} else if (!presign && (p->flags & SIGV4_CONTENT_SHA256)) {
		sigv4_request_add_header(req, "x-amz-content-sha256", payload_hash);
	}

	canonical_headers(req, &sc->tmp, hdrs, signed_list);

	params.text = &sc->qtext;
	params.p = sc->qp;
	params.cap = sc->qcap;
	params.n = 0;
	split_query(&params, req->query, presign);
	if (presign) {
		char expires[32];
		struct buf cred = BUF_INIT;
		cat(&cred, creds->access_key_id, "/", buf_cstr(scope));
		snprintf(expires, sizeof(expires), "%ld", p->presign_expires);
		/* botocore's order in the URL: the request's parameters, then
		 * the signer's */
		add_param(&params, "X-Amz-Algorithm", ALGORITHM);
		add_param(&params, "X-Amz-Credential", buf_cstr(&cred));
		add_param(&params, "X-Amz-Date", amzdate);
		add_param(&params, "X-Amz-Expires", expires);
		add_param(&params, "X-Amz-SignedHeaders", buf_cstr(signed_list));
		if (token_signed)
			add_param(&params, "X-Amz-Security-Token", creds->session_token);
		buf_free(&cred);
		join_params(&sc->url, &params, false);
	}
	join_params(query, &params, true);
	sc->qp = params.p;
	sc->qcap = params.cap;

	/* Task 1: the canonical request; the method upper case, as botocore
	 * writes it. */
	{
		size_t m = creq->len;
		put_s(creq, req->method);
		put_c(creq, '\n');
		for (; m < creq->len; m++)
			if ((unsigned char)(creq->ptr[m] - 'a') < 26)
				creq->ptr[m] = (char)(creq->ptr[m] - 32);
	}
	canonical_uri(creq, req->path, p->flags);
	put_c(creq, '\n');
	add_buf(creq, query);
	put_c(creq, '\n');
	add_buf(creq, hdrs);
	put_c(creq, '\n');
	add_buf(creq, signed_list);
	put_c(creq, '\n');
	put(creq, payload_line, payload_len);

	/* Task 2: the string to sign. */
	sha256_hex(creq->ptr, creq->len, creq_hash);
	put(sts, ALGORITHM "\n", sizeof(ALGORITHM));
	put(sts, amzdate, 16);
	put_c(sts, '\n');
	add_buf(sts, scope);
	put_c(sts, '\n');
	put(sts, creq_hash, 64);

	/* Tasks 3 and 4: key and signature. */
	{
		const struct hmac_key *k =
		    signing_key(&ts->last_key, creds, date, p->region, p->service, &key);
		hmac_final(k, sts->ptr, sts->len, mac);
		if (k == &key)
			wipe(&key, sizeof(key));
	}
	hex_encode(mac, 32, out->signature);

	if (!(p->flags & SIGV4_AUTH_ONLY)) {
		out->canonical_request = dup_buf(creq);
		out->string_to_sign = dup_buf(sts);
	}
	if (presign) {
		cat(&sc->url, "&X-Amz-Signature=", out->signature);
		if (has_token && !token_signed) {
			put_s(&sc->url, "&X-Amz-Security-Token=");
			sigv4_uri_encode(&sc->url, creds->session_token,
			                 strlen(creds->session_token), false);
		}
		out->query = dup_buf(&sc->url);
	} else {
		put(&sc->authz, ALGORITHM " Credential=", sizeof(ALGORITHM " Credential=") - 1);
		put_s(&sc->authz, creds->access_key_id);
		put_c(&sc->authz, '/');
		add_buf(&sc->authz, scope);
		put(&sc->authz, ", SignedHeaders=", 16);
		add_buf(&sc->authz, signed_list);
		put(&sc->authz, ", Signature=", 12);
		put(&sc->authz, out->signature, 64);
		if (has_token && !token_signed)
			sigv4_request_add_header(req, "X-Amz-Security-Token", creds->session_token);
		sigv4_request_add_header(req, "Authorization", buf_cstr(&sc->authz));
		out->authorization = req->headers[req->nheaders - 1].value;
	}
	return 0;
}

/* Runs at exit for every command (main.c): wipe() needs no libcrypto, so
 * commands that never signed do not load it here. */
void sigv4_forget_keys(void)
{
	size_t i;
	pthread_once(&state_once, state_key_init);
	state_free(pthread_getspecific(state_key));
	pthread_setspecific(state_key, NULL);
	pthread_mutex_lock(&key_cache_lock);
	for (i = 0; i < KEY_CACHE_SIZE; i++) {
		forget_key(&key_cache[i]);
	}
	pthread_mutex_unlock(&key_cache_lock);
}
