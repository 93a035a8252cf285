/*
 * Time SigV4 signing of a typical Elastic Beanstalk request (an
 * UpdateEnvironment form POST) with a cached signing key, the way the HTTP
 * layer signs: build the request, sign (Authorization only), free. Prints nanoseconds of
 * CPU time per signature (the median of several rounds). With "derive", every signature
 * is for another day, so the signing key is derived each time (the cost of
 * a cache miss; botocore derives it for every request). With "params", the
 * form body is built from the call's parameters each time too, as the
 * Query layer does (and botocore's serializer, in sign_botocore.py params).
 * Usage: sign_bench [ITERATIONS] [ROUNDS] [derive|params]
 */
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
	bool derive = false, params = false;
	struct buf form = BUF_INIT;
	double *per;
	char err[128];

	if (argc > 3) {
		derive = !strcmp(argv[3], "derive");
		params = !strcmp(argv[3], "params");
	}
	if ((argc > 1 && parse_ulong(argv[1], 1, 100000000, &iters)) ||
	    (argc > 2 && parse_ulong(argv[2], 1, 1000, &rounds)) || (argc > 3 && !derive && !params) ||
	    argc > 4) {
		fprintf(stderr, "usage: sign_bench [ITERATIONS] [ROUNDS] [derive|params]\n");
		return 2;
	}
	per = xcalloc(rounds, sizeof(*per));

	for (r = 0; r < rounds; r++) {
		double t0 = now_ns();
		unsigned long i;
		for (i = 0; i < iters; i++) {
			struct sigv4_request req;
			struct sigv4_result res;
			sigv4_request_init(&req, "POST", "/", NULL);
			sigv4_request_add_header(&req, "Host", "elasticbeanstalk.us-east-1.amazonaws.com");
			sigv4_request_add_header(&req, "Content-Type",
			                         "application/x-www-form-urlencoded; charset=utf-8");
			if (params) {
				buf_reset(&form);
				sigv4_form_encode(&form, keys, values, 5);
				req.body = (const unsigned char *)form.ptr;
				req.body_len = form.len;
			} else {
				req.body = (const unsigned char *)body;
				req.body_len = sizeof(body) - 1;
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
	return 0;
}
