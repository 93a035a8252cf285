/*
 * Which AWS errors mean a skewed clock. The Query services (Elastic
 * Beanstalk, STS) answer one with SignatureDoesNotMatch "Signature expired:
 * ..."; it was not recognised, so a deploy with a skewed clock failed on
 * its first call instead of correcting the clock (found by the fault matrix).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "aws/internal.h"

static void test_skew_codes(void **state)
{
	(void)state;
	assert_true(aws_skew_code("RequestTimeTooSkewed",
	                          "The difference between the request time and the current "
	                          "time is too large."));
	assert_true(aws_skew_code(
	    "SignatureDoesNotMatch",
	    "Signature expired: 20261125T105153Z is now earlier than 20261125T105653Z "
	    "(20261125T111153Z - 15 min.)"));
	assert_true(aws_skew_code("SignatureDoesNotMatch",
	                          "Signature not yet current: 20261125T113000Z is still later "
	                          "than 20261125T111500Z"));
	assert_true(
	    aws_skew_code("InvalidSignatureException", "Signature expired: 20261125T105153Z"));
	/* a wrong key is not a clock problem */
	assert_false(aws_skew_code("SignatureDoesNotMatch",
	                           "The request signature we calculated does not match the "
	                           "signature you provided."));
	assert_false(aws_skew_code("AccessDenied", "expired"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_skew_codes)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
