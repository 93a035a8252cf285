/*
 * Time SigV4 signing of a typical Elastic Beanstalk request (an
 * UpdateEnvironment form POST) with a cached signing key, the way the HTTP
 * layer signs: build the request, sign (Authorization only), free. Prints nanoseconds of
 * CPU time per signature (the median of several rounds). With "derive", every signature
 * is for another day, so the signing key is derived each time (the cost of
 * a cache miss; botocore derives it for every request). With "params", the
 * form body is built from the call's parameters each time too, as the
 * Query layer does (and botocore's serializer, in sign_botocore.py params).
 * With "hash", only the SHA-256 work of the same signature is timed (the
 * body, the canonical request, the HMAC of the string to sign with the
 * key's pads hashed in advance, as the cache keeps them): the floor under
 * any signer built on OpenSSL, the rest being the canonical forms.
 * Usage: sign_bench [ITERATIONS] [ROUNDS] [derive|params|hash]
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_*: see src/aws/sigv4.c */
#include <openssl/sha.h>
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

int main(int argc, char **argv)
{
	static const char body[] = "Action=UpdateEnvironment&ApplicationName=multi-docker"
	                           "&EnvironmentName=multi-docker-prod&VersionLabel=a1b2c3d"
	                           "&Version=2010-12-01";
	struct aws_creds c = {(char *)"AKIDEXAMPLE", (char *)"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	                      NULL, 0, NULL, false};
	struct sigv4_params p = {"elasticbeanstalk", "us-east-1", 1440938160, SIGV4_AUTH_ONLY, 0};
	static const char *const keys[] = {"Action", "Version", "ApplicationName", "EnvironmentName",
	                                   "VersionLabel"};
	static const char *const values[] = {"UpdateEnvironment", "2010-12-01", "multi-docker",
	                                     "multi-docker-prod", "a1b2c3d"};
	unsigned long iters = 200000, rounds = 5, r;
	bool derive = false, params = false, hash = false;
	SHA256_CTX inner, outer;
	struct sigv4_result full;
	struct buf form = BUF_INIT;
	double *per;
	char err[128];

	if (argc > 3) {
		derive = !strcmp(argv[3], "derive");
		params = !strcmp(argv[3], "params");
		hash = !strcmp(argv[3], "hash");
	}
	if ((argc > 1 && parse_ulong(argv[1], 1, 100000000, &iters)) ||
	    (argc > 2 && parse_ulong(argv[2], 1, 1000, &rounds)) || (argc > 3 && !derive && !params && !hash) ||
	    argc > 4) {
		fprintf(stderr, "usage: sign_bench [ITERATIONS] [ROUNDS] [derive|params|hash]\n");
		return 2;
	}
	per = xcalloc(rounds, sizeof(*per));
	if (hash) {
		/* the canonical request and string to sign of this very signature */
		struct sigv4_request req;
		struct sigv4_params fp = p;
		unsigned char pad[64];
		fp.flags = 0;
		request_of(&req, body, sizeof(body) - 1);
		if (sigv4_sign(&req, &c, &fp, &full, err, sizeof(err))) {
			fprintf(stderr, "sign failed: %s\n", err);
			return 1;
		}
		sigv4_request_cleanup(&req);
		memset(pad, 0x36, sizeof(pad));
		SHA256_Init(&inner);
		SHA256_Update(&inner, pad, 64);
		memset(pad, 0x5c, sizeof(pad));
		SHA256_Init(&outer);
		SHA256_Update(&outer, pad, 64);
	}

	for (r = 0; r < rounds; r++) {
		double t0 = now_ns();
		unsigned long i;
		for (i = 0; hash && i < iters; i++) {
			unsigned char md[32];
			SHA256_CTX h;
			SHA256_Init(&h);
			SHA256_Update(&h, body, sizeof(body) - 1);
			SHA256_Final(md, &h);
			SHA256_Init(&h);
			SHA256_Update(&h, full.canonical_request, strlen(full.canonical_request));
			SHA256_Final(md, &h);
			h = inner;
			SHA256_Update(&h, full.string_to_sign, strlen(full.string_to_sign));
			SHA256_Final(md, &h);
			h = outer;
			SHA256_Update(&h, md, 32);
			SHA256_Final(md, &h);
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
			if (derive)
				p.time += 86400;
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
	buf_free(&form);
	if (hash)
		sigv4_result_cleanup(&full);
	return 0;
}
