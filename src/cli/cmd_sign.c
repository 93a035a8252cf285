/* ebctl sign: sign a raw HTTP request and print a chosen stage. */
#include "ebctl/aws.h"
#include "ebctl/cli.h"
#include "ebctl/sigv4.h"
#include "ebctl/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct cmd_help help = {
    "sign",
    "--service NAME --region NAME [--time YYYYMMDDTHHMMSSZ] [--print creq|sts|authz|sreq|url]\n"
    "                  [--presign SECONDS] [--unsigned-payload] [--content-sha256] "
    "[--no-normalize] [FILE|-]",
    "Signs a raw HTTP/1.1 request (request line, Name:value headers, blank line, body;\n"
    "LF or CRLF) with AWS Signature Version 4 and prints the result. Credentials come\n"
    "from the usual chain (environment, profiles...). Use it to debug\n"
    "SignatureDoesNotMatch: compare its canonical request with the one AWS returns.\n\n"
    "S3 rules (no path normalisation, single encoding, an x-amz-content-sha256 header)\n"
    "apply to --service s3; the generic rules to every other service. X-Amz-Date is\n"
    "set to --time (by default the request's own X-Amz-Date, else now),\n"
    "X-Amz-Security-Token when there is a session token.\n"
    "--print: creq (canonical request), sts (string to sign), authz (the\n"
    "Authorization value), sreq (the signed request; the default), url (with\n"
    "--presign: the presigned URL; the default then)."};

/* Credentials from the usual chain (environment, profiles, SSO-free
 * sources...), through the same client the other commands use. */
static int load_creds(const char *profile, const char *region, struct aws_creds *c)
{
	struct aws_client_options o;
	struct aws_client *client = NULL;
	struct aws_error err;
	int rc = 0;

	memset(&o, 0, sizeof(o));
	memset(c, 0, sizeof(*c));
	aws_error_clear(&err);
	o.profile = profile;
	o.region = region;
	o.no_region_ok = true;
	o.sink = cli_sink();
	if (aws_client_new(&o, &client, &err) || aws_client_credentials(client, c, &err)) {
		aws_error_report(&err, cli_sink());
		rc = aws_error_status(&err);
	}
	aws_client_free(client);
	return rc;
}

/* Characters a URL path carries as they are (RFC 3986 pchar and '/', and '%'
 * for the escapes already written); the rest is percent-encoded, as an HTTP
 * client does before sending (botocore's urllib3 among them). */
static bool path_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-._~!$&'()*+,;=:@/%", c));
}

/* The presigned URL: https://, the Host header, the path as it goes on the
 * wire (a space as %20, UTF-8 as %XX), the signed query. */
static void print_url(const struct sigv4_request *r, const struct sigv4_result *res)
{
	size_t hlen;
	const char *host = str_field_value(sigv4_request_header(r, "host"), &hlen), *p;
	printf("https://%.*s", (int)hlen, host);
	for (p = r->path; *p; p++) {
		if (path_char((unsigned char)*p))
			putchar(*p);
		else
			printf("%%%02X", (unsigned char)*p);
	}
	printf("?%s\n", res->query);
}

/* Without --time, the time the request says it was made (its X-Amz-Date,
 * as the suites' requests carry it), else now. Returns 0, or
 * EBCTL_ERR_INVALID for an X-Amz-Date that is not a time. */
static int request_time(const struct sigv4_request *r, int64_t *t)
{
	const char *d = sigv4_request_header(r, "x-amz-date");
	char v[32];
	size_t len;
	if (!d) {
		*t = time_now();
		return 0;
	}
	d = str_field_value(d, &len);
	if (len >= sizeof(v))
		return EBCTL_ERR_INVALID;
	memcpy(v, d, len);
	v[len] = '\0';
	*t = time_parse_amz(v);
	return *t < 0 ? EBCTL_ERR_INVALID : 0;
}

static void print_sreq(const struct sigv4_request *r, const struct sigv4_result *res, bool presign)
{
	size_t i;
	printf("%s %s", r->method, r->path);
	if (presign)
		printf("?%s", res->query);
	else if (r->query && *r->query)
		printf("?%s", r->query);
	printf(" HTTP/1.1\n");
	for (i = 0; i < r->nheaders; i++) {
		if (!strcmp(r->headers[i].name, "Authorization"))
			printf("Authorization: %s\n", r->headers[i].value);
		else
			printf("%s:%s\n", r->headers[i].name, r->headers[i].value);
	}
	if (r->body_len) {
		putchar('\n');
		fwrite(r->body, 1, r->body_len, stdout);
	}
	putchar('\n');
}

int cmd_sign(int argc, char **argv)
{
	const char *service = NULL, *region = NULL, *when = NULL, *what = NULL, *profile = NULL;
	unsigned long presign = 0;
	bool unsigned_payload = false, content_sha = false, no_normalize = false;
	const struct opt opts[] = {
	    OPTION_STRING("service", 0, &service, "NAME",
	                  "the signing name: s3, elasticbeanstalk, sts...", NULL),
	    OPTION_STRING("region", 0, &region, "NAME", "the signing region", "AWS_REGION"),
	    OPTION_STRING("time", 0, &when, "YYYYMMDDTHHMMSSZ", "sign at this time instead of now",
	                  NULL),
	    OPTION_CHOICE("print", 0, &what, "WHAT", "what to print", NULL,
	                  "creq,sts,authz,sreq,url"),
	    OPTION_UINT("presign", 0, &presign, "SECONDS",
	                "query signing: a presigned URL valid this long", NULL, 1, 604800),
	    OPTION_BOOL("unsigned-payload", 0, &unsigned_payload,
	                "sign UNSIGNED-PAYLOAD instead of the body hash", NULL),
	    OPTION_BOOL("content-sha256", 0, &content_sha,
	                "add x-amz-content-sha256 for a non-S3 service too", NULL),
	    OPTION_BOOL("no-normalize", 0, &no_normalize,
	                "do not normalise the path (generic services)", NULL),
	    OPTION_STRING("profile", 0, &profile, "NAME",
	                  "credentials from this profile, not the usual chain", NULL),
	    OPTION_END,
	};
	struct sigv4_request req;
	struct sigv4_result res;
	struct sigv4_params params;
	struct aws_creds creds;
	struct buf in = BUF_INIT;
	char err[256];
	const char *file;
	int n, rc = 0;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (!service || !*service)
		return usage_error("sign", "--service is required");
	if (!region || !*region) {
		region = getenv("AWS_DEFAULT_REGION");
		if (!region || !*region)
			return usage_error("sign", "--region is required (or AWS_REGION)");
	}
	if (n > 1)
		return usage_error("sign", "one request at a time");
	if (!what)
		what = presign ? "url" : "sreq";
	if (!strcmp(what, "url") && !presign)
		return usage_error("sign", "--print url needs --presign SECONDS");
	if (!strcmp(what, "authz") && presign)
		return usage_error(
		    "sign", "a presigned request has no Authorization header; use --print url");

	memset(&params, 0, sizeof(params));
	params.service = service;
	params.region = region;
	params.presign_expires = (long)presign;
	if (when) {
		params.time = time_parse_amz(when);
		if (params.time < 0)
			return usage_error("sign", "--time takes YYYYMMDDTHHMMSSZ, not '%s'", when);
	}
	if (!strcmp(service, "s3"))
		params.flags |= SIGV4_S3;
	if (no_normalize)
		params.flags |= SIGV4_NO_NORMALIZE;
	if (content_sha)
		params.flags |= SIGV4_CONTENT_SHA256;
	if (unsigned_payload)
		params.flags |= SIGV4_UNSIGNED_PAYLOAD;

	file = n ? argv[1] : "-";
	if (buf_read_file(&in, file, 64u << 20)) {
		errorf("cannot read '%s': %s", file,
		       errno == EFBIG ? "larger than 64 MiB" : strerror(errno));
		return EBCTL_ERR_INVALID;
	}
	if (sigv4_parse_raw(in.ptr, in.len, &req, err, sizeof(err))) {
		errorf("'%s': %s", file, err);
		buf_cleanup(&in);
		return EBCTL_ERR_INVALID;
	}
	if (!when && (rc = request_time(&req, &params.time))) {
		errorf("'%s': X-Amz-Date is not of the form YYYYMMDDTHHMMSSZ", file);
		goto out_req;
	}
	if ((rc = load_creds(profile, region, &creds)))
		goto out_req;
	if (sigv4_sign(&req, &creds, &params, &res, err, sizeof(err))) {
		errorf("cannot sign '%s': %s", file, err);
		rc = EBCTL_ERR_INVALID;
		goto out_creds;
	}
	if (!strcmp(what, "creq"))
		printf("%s\n", res.canonical_request);
	else if (!strcmp(what, "sts"))
		printf("%s\n", res.string_to_sign);
	else if (!strcmp(what, "authz"))
		printf("%s\n", res.authorization);
	else if (!strcmp(what, "url"))
		print_url(&req, &res);
	else
		print_sreq(&req, &res, presign > 0);
	sigv4_result_cleanup(&res);
out_creds:
	aws_creds_cleanup(&creds);
out_req:
	sigv4_request_cleanup(&req);
	buf_cleanup(&in);
	return rc;
}
