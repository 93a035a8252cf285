/*
 * The two protocols the services speak over aws_send(): Query (a form of
 * parameters, an XML answer: Elastic Beanstalk, STS, IAM, EC2, RDS,
 * ElastiCache) and JSON 1.1 (CloudWatch Logs, SSO OIDC); and plain GETs of
 * URLs (presigned log bundles), to memory or to a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* ---- Query parameters ---- */

void aws_params_add(struct aws_params *p, const char *key, const char *value)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n].key = xstrdup(key);
	p->v[p->n].value = xstrdup(value ? value : "");
	p->n++;
}

void aws_params_addf(struct aws_params *p, const char *value, const char *keyfmt, ...)
{
	struct buf k = BUF_INIT;
	va_list ap;
	va_start(ap, keyfmt);
	buf_vprintf(&k, keyfmt, ap);
	va_end(ap);
	aws_params_add(p, buf_cstr(&k), value);
	buf_cleanup(&k);
}

const char *aws_params_get(const struct aws_params *p, const char *key)
{
	size_t i;
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].key, key) == 0)
			return p->v[i].value;
	return NULL;
}

void aws_params_cleanup(struct aws_params *p)
{
	size_t i;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].key);
		/* values may carry tokens (AssumeRoleWithWebIdentity) */
		free_secret(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* ---- protocols ---- */

static const char *query_version(const char *service)
{
	if (strcmp(service, "elasticbeanstalk") == 0)
		return "2010-12-01";
	if (strcmp(service, "sts") == 0)
		return "2011-06-15";
	if (strcmp(service, "iam") == 0)
		return "2010-05-08";
	if (strcmp(service, "ec2") == 0)
		return "2016-11-15";
	if (strcmp(service, "rds") == 0)
		return "2014-10-31";
	if (strcmp(service, "elasticache") == 0)
		return "2015-02-02";
	return NULL;
}

/*
 * application/x-www-form-urlencoded writes a space as '+'. botocore sends
 * bodies that way and servers that re-encode the parsed form to check the
 * signature (moto) only agree with that form; AWS hashes the bytes as sent,
 * so both are right there. Every other byte stays strictly RFC 3986
 * encoded, and a literal '+' was encoded as %2B, so the swap is exact.
 */
static void form_spaces_as_plus(struct buf *b)
{
	size_t r, w = 0;
	for (r = 0; r < b->len; r++) {
		if (b->ptr[r] == '%' && r + 2 < b->len && b->ptr[r + 1] == '2' &&
		    b->ptr[r + 2] == '0') {
			b->ptr[w++] = '+';
			r += 2;
		} else {
			b->ptr[w++] = b->ptr[r];
		}
	}
	b->len = w;
	if (b->ptr)
		b->ptr[w] = '\0';
}

int aws_query_ex(struct aws_client *c, const char *service, const char *action,
                 const struct aws_params *params, enum aws_idempotency idem,
                 const struct aws_creds *creds, bool unsigned_request, xmlDocPtr *doc,
                 struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	struct buf body = BUF_INIT;
	const char **keys = NULL, **vals = NULL;
	const char *version = query_version(service);
	char step[96];
	size_t i, n = (params ? params->n : 0) + 2;
	int rc = -1;

	*doc = NULL;
	memset(&resp, 0, sizeof(resp));
	snprintf(step, sizeof(step), "%s %s", service, action);
	aws_request_init(&req, "POST", service, step);
	if (!version) {
		aws_error_set(err, step, "UnknownService", "no Query API version for '%s'",
		              service);
		goto out;
	}
	if (aws_endpoint_resolve(service, c->region, &req.ep, err) != 0)
		goto out;
	keys = xcalloc(n, sizeof(*keys));
	vals = xcalloc(n, sizeof(*vals));
	keys[0] = "Action";
	vals[0] = action;
	keys[1] = "Version";
	vals[1] = version;
	for (i = 2; i < n; i++) {
		keys[i] = params->v[i - 2].key;
		vals[i] = params->v[i - 2].value;
		/* AWS decodes the form as UTF-8: other bytes fail as a bad signature. */
		if (str_utf8_len(vals[i], 0, NULL) < 0) {
			aws_error_set(err, step, "InvalidParameterValue",
			              "the value of '%s' is not valid UTF-8", keys[i]);
			goto out;
		}
	}
	sigv4_form_encode(&body, keys, vals, n);
	form_spaces_as_plus(&body);
	req.path = xstrdup("/");
	req.body_kind = AWS_BODY_MEM;
	req.body = body.ptr;
	req.body_len = body.len;
	req.idem = idem;
	req.creds = creds;
	req.unsigned_request = unsigned_request;
	aws_request_header(&req, "Content-Type",
	                   "application/x-www-form-urlencoded; charset=utf-8");
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	*doc = aws_xml_parse(resp.body.ptr, resp.body.len);
	if (!*doc) {
		aws_error_set(err, step, "InvalidResponse", "the response is not valid XML");
		goto out;
	}
	rc = 0;
out:
	free(keys);
	free(vals);
	buf_free_secret(&body);
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

int aws_query(struct aws_client *c, const char *service, const char *action,
              const struct aws_params *params, enum aws_idempotency idem, xmlDocPtr *doc,
              struct aws_error *err)
{
	aws_error_clear(err);
	return aws_query_ex(c, service, action, params, idem, NULL, false, doc, err);
}

int aws_json(struct aws_client *c, const char *service, const char *target, json_t *body,
             json_t **out, struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	char *text = NULL;
	char step[96];
	const char *dot = strchr(target, '.');
	json_error_t jerr;
	int rc = -1;

	aws_error_clear(err);
	*out = NULL;
	memset(&resp, 0, sizeof(resp));
	snprintf(step, sizeof(step), "%s %s", service, dot ? dot + 1 : target);
	aws_request_init(&req, "POST", service, step);
	if (aws_endpoint_resolve(service, c->region, &req.ep, err) != 0)
		goto out;
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (body && !text)
		die("out of memory");
	if (!text)
		text = xstrdup("{}");
	req.path = xstrdup("/");
	req.body_kind = AWS_BODY_MEM;
	req.body = text;
	req.body_len = strlen(text);
	aws_request_header(&req, "Content-Type", "application/x-amz-json-1.1");
	aws_request_header(&req, "X-Amz-Target", target);
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	*out = json_loadb(resp.body.ptr ? resp.body.ptr : "{}", resp.body.ptr ? resp.body.len : 2,
	                  0, &jerr);
	if (!*out) {
		aws_error_set(err, step, "InvalidResponse", "the response is not valid JSON: %s",
		              jerr.text);
		goto out;
	}
	rc = 0;
out:
	free(text);
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

static int fetch(struct aws_client *c, const char *url, FILE *sink, struct buf *out, size_t max,
                 struct aws_error *err)
{
	struct aws_request req;
	struct aws_response resp;
	int rc = -1;

	aws_error_clear(err);
	memset(&resp, 0, sizeof(resp));
	aws_request_init(&req, "GET", "s3", "download");
	if (!str_starts_with(url, "https://") && !str_starts_with(url, "http://")) {
		aws_error_set(err, "download", "InvalidURL", "not an http(s) URL");
		goto out;
	}
	req.raw_url = xstrdup(url);
	req.unsigned_request = true;
	req.sink = sink;
	req.max_body = max;
	if (aws_send(c, &req, &resp, err) != 0)
		goto out;
	if (out) {
		buf_add(out, resp.body.ptr ? resp.body.ptr : "", resp.body.len);
	}
	rc = 0;
out:
	aws_request_cleanup(&req);
	aws_response_cleanup(&resp);
	return rc;
}

int aws_fetch_url(struct aws_client *c, const char *url, struct buf *out, size_t max,
                  struct aws_error *err)
{
	return fetch(c, url, NULL, out, max, err);
}

int aws_fetch_url_to_file(struct aws_client *c, const char *url, const char *path,
                          struct aws_error *err)
{
	return aws_fetch_url_to_file_max(c, url, path, 0, err);
}

int aws_fetch_url_to_file_max(struct aws_client *c, const char *url, const char *path, uint64_t max,
                              struct aws_error *err)
{
	/* Never through a link planted where the file goes (a shared directory). */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int rc;
	if (!f) {
		aws_error_set(err, "download", "IOError", "cannot create '%s': %s", path,
		              strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rc = fetch(c, url, f, NULL, (size_t)(max < SIZE_MAX ? max : SIZE_MAX), err);
	if (fclose(f) != 0 && rc == 0) {
		aws_error_set(err, "download", "IOError", "cannot write '%s': %s", path,
		              strerror(errno));
		rc = -1;
	}
	/* No partial file is left behind. */
	if (rc != 0)
		unlink(path);
	return rc;
}
