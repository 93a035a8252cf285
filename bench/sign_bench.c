/*
 * Time SigV4 signing of a typical Elastic Beanstalk request (an
 * UpdateEnvironment form POST) the way the HTTP layer signs: build the
 * request, sign, free. Every signature derives its signing key, as
 * botocore does. Prints nanoseconds of CPU time per signature (the median
 * of several rounds). With "params", the form body is built from the
 * call's parameters each time too, as the Query layer does (and botocore's
 * serializer, in sign_botocore.py params). With "hash", only libcrypto's
 * work of the same signature is timed (SHA-256 of the body and of the
 * canonical request, the four HMACs of the signing key and the one of the
 * string to sign): the floor under any signer on OpenSSL's one-shot
 * interfaces, the rest being the canonical forms.
 * Usage: sign_bench [ITERATIONS] [ROUNDS] [params|hash]
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ebctl/sigv4.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double now_ns(void)
{
	struct timespec ts;
	/* the thread's CPU time: what signing costs, not what the machine's
	 * other work takes away between signatures */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The request the HTTP layer builds for the call: a form POST with a body. */
static void request_of(struct sigv4_request *req, const char *body, size_t len)
{
	sigv4_request_init(req, "POST", "/", NULL);
	sigv4_request_add_header(req, "Host", "elasticbeanstalk.us-east-1.amazonaws.com");
	sigv4_request_add_header(req, "Content-Type",
	                         "application/x-www-form-urlencoded; charset=utf-8");
	req->body = (const unsigned char *)body;
	req->body_len = len;
}

/* The HMAC chain of one signature: the signing key, then the signature. */
static void hmacs(const char *secret, const char *sts, unsigned char mac[32])
{
	static const char *const scope[] = {"20150830", "us-east-1", "elasticbeanstalk",
	                                    "aws4_request"};
	char k0[64];
	unsigned char k[32];
	size_t i;
	snprintf(k0, sizeof(k0), "AWS4%s", secret);
	HMAC(EVP_sha256(), k0, (int)strlen(k0), (const unsigned char *)scope[0], strlen(scope[0]),
	     k, NULL);
	for (i = 1; i < 4; i++)
		HMAC(EVP_sha256(), k, 32, (const unsigned char *)scope[i], strlen(scope[i]), k,
		     NULL);
	HMAC(EVP_sha256(), k, 32, (const unsigned char *)sts, strlen(sts), mac, NULL);
}

int main(int argc, char **argv)
{
	static const char body[] = "Action=UpdateEnvironment&ApplicationName=multi-docker"
	                           "&EnvironmentName=multi-docker-prod&VersionLabel=a1b2c3d"
	                           "&Version=2010-12-01";
	struct aws_creds c = {(char *)"AKIDEXAMPLE",
	                      (char *)"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	                      NULL,
	                      0,
	                      NULL,
	                      false};
	struct sigv4_params p = {"elasticbeanstalk", "us-east-1", 1440938160, 0, 0};
	static const char *const keys[] = {"Action", "Version", "ApplicationName",
	                                   "EnvironmentName", "VersionLabel"};
	static const char *const values[] = {"UpdateEnvironment", "2010-12-01", "multi-docker",
	                                     "multi-docker-prod", "a1b2c3d"};
	unsigned long iters = 200000, rounds = 5, r;
	bool params = false, hash = false;
	struct sigv4_result full;
	struct buf form = BUF_INIT;
	double *per;
	char err[128];

	if (argc > 3) {
		params = !strcmp(argv[3], "params");
		hash = !strcmp(argv[3], "hash");
	}
	if ((argc > 1 && parse_ulong(argv[1], 1, 100000000, &iters)) ||
	    (argc > 2 && parse_ulong(argv[2], 1, 1000, &rounds)) ||
	    (argc > 3 && !params && !hash) || argc > 4) {
		fprintf(stderr, "usage: sign_bench [ITERATIONS] [ROUNDS] [params|hash]\n");
		return 2;
	}
	per = xcalloc(rounds, sizeof(*per));
	if (hash) {
		/* the canonical request and string to sign of this very signature */
		struct sigv4_request req;
		request_of(&req, body, sizeof(body) - 1);
		if (sigv4_sign(&req, &c, &p, &full, err, sizeof(err))) {
			fprintf(stderr, "sign failed: %s\n", err);
			return 1;
		}
		sigv4_request_cleanup(&req);
	}

	for (r = 0; r < rounds; r++) {
		double t0 = now_ns();
		unsigned long i;
		for (i = 0; hash && i < iters; i++) {
			unsigned char md[32];
			EVP_Digest(body, sizeof(body) - 1, md, NULL, EVP_sha256(), NULL);
			EVP_Digest(full.canonical_request, strlen(full.canonical_request), md, NULL,
			           EVP_sha256(), NULL);
			hmacs(c.secret_access_key, full.string_to_sign, md);
		}
		for (i = 0; !hash && i < iters; i++) {
			struct sigv4_request req;
			struct sigv4_result res;
			if (params) {
				buf_reset(&form);
				sigv4_form_encode(&form, keys, values, 5);
				request_of(&req, form.ptr, form.len);
			} else {
				request_of(&req, body, sizeof(body) - 1);
			}
			if (sigv4_sign(&req, &c, &p, &res, err, sizeof(err))) {
				fprintf(stderr, "sign failed: %s\n", err);
				return 1;
			}
			sigv4_result_cleanup(&res);
			sigv4_request_cleanup(&req);
		}
		per[r] = (now_ns() - t0) / (double)iters;
	}
	qsort(per, rounds, sizeof(*per), cmp_double);
	printf("%.0f\n", per[rounds / 2]);
	free(per);
	buf_cleanup(&form);
	if (hash)
		sigv4_result_cleanup(&full);
	return 0;
}
