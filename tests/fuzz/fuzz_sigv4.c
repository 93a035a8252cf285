/*
 * libFuzzer target: any bytes as the raw HTTP request of `ebctl sign`
 * (sigv4_parse_raw), then signed (sigv4_sign) with the S3 and the generic
 * rules, with and without a session token, by header and as a presigned
 * URL. The first byte picks the variant so every path gets explored.
 * Built and run by `make fuzz` (mk/fuzz.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ebctl/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_hex64(const char *s)
{
	size_t i;
	if (!s || strlen(s) != 64)
		return false;
	for (i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char akid[] = "AKIDEXAMPLE", secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	            token[] = "FQoGZXIvYXdzEXAMPLETOKEN", src[] = "fuzz";
	struct aws_creds creds = {akid, secret, NULL, 0, src, false};
	struct sigv4_request req;
	struct sigv4_result res;
	struct sigv4_params p;
	char err[256];
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	if (sigv4_parse_raw((const char *)data + 1, size - 1, &req, err, sizeof(err)) != 0) {
		if (!memchr(err, '\0', sizeof(err)) || !err[0])
			abort();
		sigv4_request_cleanup(&req);
		return 0;
	}
	if (mode & 1)
		creds.session_token = token;
	memset(&p, 0, sizeof(p));
	p.service = (mode & 2) ? "s3" : "service";
	p.region = "us-east-1";
	p.time = 1440938160; /* 20150830T123600Z, the suites' clock */
	p.flags = ((mode & 2) ? SIGV4_S3 : 0) | ((mode & 4) ? SIGV4_NO_NORMALIZE : 0) |
	          ((mode & 8) ? SIGV4_CONTENT_SHA256 : 0) |
	          ((mode & 16) ? SIGV4_UNSIGNED_PAYLOAD : 0) |
	          ((mode & 32) ? SIGV4_TOKEN_AFTER : 0);
	p.presign_expires = (mode & 64) ? 86400 : 0;
	if (sigv4_sign(&req, &creds, &p, &res, err, sizeof(err)) == 0) {
		if (!is_hex64(res.signature))
			abort();
		if (p.presign_expires ? !res.query : !res.authorization)
			abort();
		/* the secret never reaches what is signed, unless the input had it */
		if (res.canonical_request && strstr(res.canonical_request, secret) &&
		    !memmem(data, size, secret, strlen(secret)))
			abort();
	} else if (!err[0]) {
		abort();
	}
	sigv4_result_cleanup(&res);
	sigv4_request_cleanup(&req);
	return 0;
}
