/*
 * A raw HTTP/1.1 request, as in the AWS SigV4 test suites: request line,
 * "Name:value" headers (obsolete line folding allowed), a blank line, the
 * body. LF or CRLF line ends.
 */
#include "ebctl/sigv4.h"

#include <stdlib.h>
#include <string.h>

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/* RFC 9110 token characters: methods and header names. */
static bool tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!tchar((unsigned char)s[i]))
			return false;
	return n > 0;
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Next line [*p, end): returns its length without the line end, advances *p. */
static size_t next_line(const char **p, const char *end, bool *had_newline)
{
	const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
	size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
	*had_newline = nl != NULL;
	*p = nl ? nl + 1 : end;
	if (len && s[len - 1] == '\r')
		len--;
	return len;
}

int sigv4_parse_raw(const char *data, size_t len, struct sigv4_request *out, char *err,
                    size_t errlen)
{
	const char *p = data, *end = data + len, *line, *sp1, *sp2, *q;
	size_t n;
	bool nl;
	char *method = NULL, *uri = NULL, *frag;
	struct buf name = BUF_INIT, value = BUF_INIT;
	bool pending = false;

	memset(out, 0, sizeof(*out));
	if (len == 0) {
		set_err(err, errlen, "empty request");
		return -1;
	}
	if (memchr(data, '\0', len)) {
		set_err(err, errlen, "the request contains a NUL byte");
		return -1;
	}
	line = p;
	n = next_line(&p, end, &nl);
	/* The path may hold spaces (the suite's get-space case): the method is
	 * the first token, the protocol the last. */
	sp1 = memchr(line, ' ', n);
	if (!sp1 || sp1 == line) {
		set_err(err, errlen, "the first line is not 'METHOD PATH HTTP/1.1'");
		return -1;
	}
	sp2 = line + n;
	while (sp2 > sp1 && sp2[-1] != ' ')
		sp2--;
	if (sp2 - 1 > sp1 && (size_t)(line + n - sp2) >= 5 && !strncmp(sp2, "HTTP/", 5))
		sp2--;
	else
		sp2 = line + n; /* no protocol given */
	if (!is_token(line, (size_t)(sp1 - line))) {
		set_err(err, errlen, "the method is not an HTTP token");
		return -1;
	}
	method = xstrndup(line, (size_t)(sp1 - line));
	uri = xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
	if (uri[0] != '/' || has_ctl(uri)) {
		set_err(err, errlen,
		        uri[0] != '/' ? "the request path must start with '/'"
		                      : "the request path holds a control character");
		free(method);
		free(uri);
		return -1;
	}
	/* A fragment is not part of the request: clients do not send it, and
	 * botocore's URL parsing leaves it out of the path and query. */
	if ((frag = strchr(uri, '#')))
		*frag = '\0';
	q = strchr(uri, '?');
	if (q) {
		char *path = xstrndup(uri, (size_t)(q - uri));
		sigv4_request_init(out, method, path, q + 1);
		free(path);
	} else {
		sigv4_request_init(out, method, uri, NULL);
	}
	free(method);
	free(uri);

	/* A header goes in when its last continuation line has been read: each
	 * line is joined once, however many there are. */
	while (p < end) {
		const char *colon;
		line = p;
		n = next_line(&p, end, &nl);
		if (n == 0) {
			if (nl || p < end) {
				out->body = (const unsigned char *)p;
				out->body_len = (size_t)(end - p);
			}
			break;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			if (!pending) {
				set_err(err, errlen, "a continuation line before any header");
				goto fail;
			}
			buf_putc(&value, '\n');
			buf_add(&value, line, n);
			continue;
		}
		colon = memchr(line, ':', n);
		if (!colon || !is_token(line, (size_t)(colon - line))) {
			char msg[160];
			snprintf(msg, sizeof(msg), "not a 'Name:value' header line: '%.*s'",
			         (int)(n > 60 ? 60 : n), line);
			set_err(err, errlen, msg);
			goto fail;
		}
		if (pending)
			sigv4_request_add_header(out, buf_cstr(&name), buf_cstr(&value));
		buf_reset(&name);
		buf_reset(&value);
		buf_add(&name, line, (size_t)(colon - line));
		buf_add(&value, colon + 1, n - (size_t)(colon - line) - 1);
		pending = true;
	}
	if (pending)
		sigv4_request_add_header(out, buf_cstr(&name), buf_cstr(&value));
	buf_cleanup(&name);
	buf_free_secret(&value);
	return 0;
fail:
	buf_cleanup(&name);
	buf_free_secret(&value);
	sigv4_request_cleanup(out);
	return -1;
}
