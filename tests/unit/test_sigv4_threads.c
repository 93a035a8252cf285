/*
 * Signing from worker threads (deploy signs on one thread per environment,
 * the upload on one per part): the signer keeps nothing between calls, so
 * threads that sign at once share nothing. Under ASan (make
 * SANITIZE=address,undefined) LeakSanitizer fails this test when a call
 * leaves memory behind, under helgrind or TSan when threads race; in every
 * build the threads' signatures must agree.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ebctl/sigv4.h"

static void *sign_once(void *arg)
{
	static char akid[] = "AKIDEXAMPLE", secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	            src[] = "test";
	struct aws_creds creds = {akid, secret, NULL, 0, src, false};
	struct sigv4_params p = {"service", "us-east-1", 1440938160, 0, 0};
	struct sigv4_request req;
	struct sigv4_result res;
	char err[128];
	char *sig = arg;
	int round;

	/* many rounds, so that the threads' signatures overlap */
	for (round = 0; round < 200; round++) {
		sigv4_request_init(&req, "GET", "/", "Param1=value1");
		sigv4_request_add_header(&req, "Host", "example.amazonaws.com");
		memset(&res, 0, sizeof(res));
		if (sigv4_sign(&req, &creds, &p, &res, err, sizeof(err)) == 0 &&
		    (round == 0 || !strcmp(sig, res.signature)))
			memcpy(sig, res.signature, 65);
		else
			sig[0] = '\0';
		sigv4_result_cleanup(&res);
		sigv4_request_cleanup(&req);
	}
	return NULL;
}

static void test_threads_sign_alike_and_leave_nothing(void **state)
{
	char sig[4][65], mine[65] = "";
	pthread_t t[4];
	int i;
	(void)state;
	memset(sig, 0, sizeof(sig));
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, sign_once, sig[i]), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	sign_once(mine);
	assert_int_equal(strlen(mine), 64);
	for (i = 0; i < 4; i++)
		assert_string_equal(sig[i], mine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_threads_sign_alike_and_leave_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
