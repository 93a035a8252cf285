/*
 * --debug traces of requests and answers, with every secret replaced:
 * headers (signatures, tokens, cookies), presigned query parameters, and
 * the bodies of requests (Query parameters, JSON, XML). A file body (a
 * bundle, a part) is named by its size, never shown.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* what of a request body is shown: enough for a Query or an XML document */
#define TRACE_BODY_MAX 4096

/* Headers whose whole value is a secret: tokens, cookies, and the
 * credentials a proxy URL carries (libcurl sends them as Proxy-Authorization). */
static bool secret_header(const char *name, size_t len)
{
	static const char *const names[] = {"X-Amz-Security-Token",
	                                    "X-aws-ec2-metadata-token",
	                                    "x-amz-sso_bearer_token",
	                                    "Proxy-Authorization",
	                                    "Set-Cookie",
	                                    "Cookie"};
	size_t i;
	for (i = 0; i < EBCTL_ARRAY_LEN(names); i++)
		if (strlen(names[i]) == len && strncasecmp(name, names[i], len) == 0)
			return true;
	return false;
}

/* Write one header or request line with secrets replaced. */
static void debug_line(const char *dir, const char *line, size_t len)
{
	struct buf b = BUF_INIT;
	const char *colon = memchr(line, ':', len);
	size_t nlen = colon ? (size_t)(colon - line) : 0;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if (len == 0)
		return;
	if (colon && (nlen == 13 && strncasecmp(line, "Authorization", 13) == 0)) {
		const char *sig = memmem(line, len, "Signature=", 10);
		if (sig && memmem(line, len, "AWS4-HMAC-SHA256", 16))
			buf_printf(&b, "%.*sSignature=<redacted>", (int)(sig - line), line);
		else
			buf_printf(&b, "%.*s: <redacted>", (int)nlen, line);
	} else if (colon && secret_header(line, nlen)) {
		buf_printf(&b, "%.*s: <redacted>", (int)nlen, line);
	} else {
		/* request lines and Location headers may carry presigned query
		 * parameters: hide their values */
		size_t i = 0;
		static const char *const secret_params[] = {
		    "X-Amz-Signature=", "X-Amz-Security-Token=", "Signature=",
		    "x-amz-security-token="};
		while (i < len) {
			size_t k, matched = 0;
			for (k = 0; k < EBCTL_ARRAY_LEN(secret_params); k++) {
				size_t pl = strlen(secret_params[k]);
				if (i > 0 && (line[i - 1] == '?' || line[i - 1] == '&') &&
				    len - i >= pl &&
				    strncasecmp(line + i, secret_params[k], pl) == 0) {
					matched = pl;
					break;
				}
			}
			if (matched) {
				buf_add(&b, line + i, matched);
				buf_puts(&b, "<redacted>");
				i += matched;
				while (i < len && line[i] != '&' && line[i] != ' ')
					i++;
			} else {
				buf_putc(&b, line[i++]);
			}
		}
	}
	debugf("%s %s", dir, buf_cstr(&b));
	buf_cleanup(&b);
}

int aws_trace_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	const char *p = data, *end = data + size;
	(void)h;
	(void)arg;
	if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN)
		return 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
		debug_line(type == CURLINFO_HEADER_OUT ? ">" : "<", p, n);
		p += n;
	}
	return 0;
}

/* Whether a parameter or key names a secret: a password, a secret, a
 * token (not a pagination token), credentials, a SAML assertion. */
static bool secret_name(const char *name, size_t len)
{
	static const char *const words[] = {"password",   "secret",    "token",
	                                    "credential", "assertion", "privatekey"};
	size_t i, j;
	if ((len == 9 && strncasecmp(name, "NextToken", 9) == 0) ||
	    (len >= 10 && strncasecmp(name + len - 10, ".NextToken", 10) == 0))
		return false;
	for (i = 0; i < EBCTL_ARRAY_LEN(words); i++) {
		size_t wl = strlen(words[i]);
		for (j = 0; j + wl <= len; j++)
			if (strncasecmp(name + j, words[i], wl) == 0)
				return true;
	}
	return false;
}

/* Whether the form-encoded value v (vlen bytes) decodes to want. */
static bool form_value_is(const char *v, size_t vlen, const char *want)
{
	size_t i = 0;
	for (; *want; want++) {
		int c;
		if (i >= vlen)
			return false;
		if (v[i] == '%' && i + 2 < vlen && hex_digit(v[i + 1]) >= 0 &&
		    hex_digit(v[i + 2]) >= 0) {
			c = hex_digit(v[i + 1]) * 16 + hex_digit(v[i + 2]);
			i += 3;
		} else {
			c = v[i] == '+' ? ' ' : (unsigned char)v[i];
			i++;
		}
		if (c != (unsigned char)*want)
			return false;
	}
	return i == vlen;
}

struct form_pair {
	const char *k, *v;
	size_t klen, vlen;
};

/* Whether p's key ends with suffix (".Namespace"); *stem: the length of
 * the key's start, its dot included ("OptionSettings.member.1."). */
static bool ends_with(const struct form_pair *p, const char *suffix, size_t *stem)
{
	size_t sl = strlen(suffix);
	if (p->klen < sl || memcmp(p->k + p->klen - sl, suffix, sl) != 0)
		return false;
	*stem = p->klen - sl + 1;
	return true;
}

/*
 * A Query body with its secrets replaced: a parameter named like a secret,
 * and the Value of an option setting that is an environment property (its
 * Namespace aws:elasticbeanstalk:application:environment: setenv never
 * shows one) or whose OptionName looks secret (aws:rds:dbinstance
 * DBPassword).
 */
static void trace_form(struct buf *out, const char *body, size_t len)
{
	struct form_pair *pairs = NULL;
	size_t n = 0, cap = 0, i, j, stem;
	bool *hide;
	const char *p = body, *end = body + len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			pairs = xrealloc(pairs, cap * sizeof(*pairs));
		}
		pairs[n].k = p;
		pairs[n].klen = (size_t)((eq ? eq : stop) - p);
		pairs[n].v = eq ? eq + 1 : stop;
		pairs[n].vlen = (size_t)(stop - pairs[n].v);
		n++;
		p = amp ? amp + 1 : end;
	}
	hide = xcalloc(n ? n : 1, sizeof(*hide));
	for (i = 0; i < n; i++) {
		bool member_secret = false;
		if (secret_name(pairs[i].k, pairs[i].klen))
			hide[i] = true;
		if (ends_with(&pairs[i], ".Namespace", &stem))
			member_secret =
			    form_value_is(pairs[i].v, pairs[i].vlen,
			                  "aws:elasticbeanstalk:application:environment");
		else if (ends_with(&pairs[i], ".OptionName", &stem))
			member_secret = secret_name(pairs[i].v, pairs[i].vlen);
		if (!member_secret)
			continue;
		/* the Value of the same member: "OptionSettings.member.N." + "Value" */
		for (j = 0; j < n; j++)
			if (pairs[j].klen == stem + 5 &&
			    memcmp(pairs[j].k, pairs[i].k, stem) == 0 &&
			    memcmp(pairs[j].k + stem, "Value", 5) == 0)
				hide[j] = true;
	}
	for (i = 0; i < n; i++) {
		if (i)
			buf_putc(out, '&');
		buf_add(out, pairs[i].k, pairs[i].klen);
		if (pairs[i].v == pairs[i].k + pairs[i].klen)
			continue; /* a key without '=' */
		buf_putc(out, '=');
		if (hide[i])
			buf_puts(out, "<redacted>");
		else
			buf_add(out, pairs[i].v, pairs[i].vlen);
	}
	free(hide);
	free(pairs);
}

static void redact_json(json_t *v)
{
	const char *key;
	json_t *item;
	void *it;
	size_t i;
	if (json_is_object(v)) {
		for (it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
			key = json_object_iter_key(it);
			item = json_object_iter_value(it);
			if (!json_is_object(item) && !json_is_array(item) &&
			    secret_name(key, strlen(key)))
				json_object_iter_set_new(v, it, json_string("<redacted>"));
			else
				redact_json(item);
		}
	} else if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			redact_json(json_array_get(v, i));
	}
}

static void trace_json(struct buf *out, const char *body, size_t len)
{
	json_t *doc = json_loadb(body, len, JSON_DISABLE_EOF_CHECK, NULL);
	char *s;
	if (!doc) {
		buf_printf(out, "(%zu bytes that are not JSON, not shown)", len);
		return;
	}
	redact_json(doc);
	s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	buf_puts(out, s ? s : "(not shown)");
	free(s);
	json_decref(doc);
}

void aws_trace_body(const struct aws_request *r)
{
	struct buf b = BUF_INIT;
	const char *type = aws_header_find(r->headers, r->nheaders, "Content-Type");

	if (r->body_kind == AWS_BODY_NONE || (r->body_kind == AWS_BODY_MEM && r->body_len == 0))
		return;
	if (r->body_kind == AWS_BODY_FILE) {
		debugf("> (body: %llu bytes of the file, not shown)",
		       (unsigned long long)r->length);
		return;
	}
	/* redacted whole, then cut: a secret's name may follow its value */
	if (type && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0)
		trace_form(&b, r->body, r->body_len);
	else if (type && strstr(type, "json"))
		trace_json(&b, r->body, r->body_len);
	else if (type && strstr(type, "xml"))
		buf_add(&b, r->body, r->body_len);
	else
		buf_printf(&b, "(%zu bytes of %s, not shown)", r->body_len, type ? type : "data");
	if (b.len > TRACE_BODY_MAX)
		debugf("> body: %.*s ... (%zu more bytes)", TRACE_BODY_MAX, buf_cstr(&b),
		       b.len - TRACE_BODY_MAX);
	else
		debugf("> body: %s", buf_cstr(&b));
	buf_cleanup(&b);
}
