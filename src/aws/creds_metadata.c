/* Credentials from ECS container metadata and EC2 instance metadata (IMDSv2). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>

#include "creds.h"

/* ---- container and instance metadata ---- */

/* GET or PUT a metadata URL (unsigned, short timeouts). */
int creds_metadata_call(struct aws_client *c, const char *method, const char *url,
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
	for (i = 0; !ok && i < EBCTL_ARRAY_LEN(link_local); i++)
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
int creds_from_container(struct aws_client *c, struct aws_creds *out, struct aws_error *err)
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
	if (creds_metadata_call(c, "GET", buf_cstr(&url), tok.len ? "Authorization" : NULL,
	                        buf_cstr(&tok), "credentials (container)", 2000, 3, &body,
	                        err) != 0)
		goto out;
	rc = aws_creds_from_json(body.ptr ? body.ptr : "", body.len, "container", out, err) == 0
	         ? 1
	         : -1;
out:
	if (rc < 0 && !strstr(err->message, "container"))
		snprintf(err->step, sizeof(err->step), "credentials (container)");
	buf_cleanup(&url);
	buf_free_secret(&tok);
	buf_free_secret(&body);
	return rc;
}

/* 1 found, 0 unavailable (no metadata service), -1 broken */
int creds_from_imds(struct aws_client *c, struct aws_creds *out, struct aws_error *err)
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
	if (creds_metadata_call(c, "PUT", url, "X-aws-ec2-metadata-token-ttl-seconds", "21600",
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
	if (creds_metadata_call(c, "GET", url, "X-aws-ec2-metadata-token", buf_cstr(&token),
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
	if (creds_metadata_call(c, "GET", url, "X-aws-ec2-metadata-token", buf_cstr(&token),
	                        "credentials (IMDS)", 1000, 2, &body, err) != 0)
		goto out;
	rc = aws_creds_from_json(body.ptr ? body.ptr : "", body.len, "instance metadata", out,
	                         err) == 0
	         ? 1
	         : -1;
out:
	free(url);
	buf_free_secret(&token);
	buf_cleanup(&role);
	buf_free_secret(&body);
	return rc;
}
