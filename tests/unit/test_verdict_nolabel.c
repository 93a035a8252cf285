/*
 * The verdict of a configuration update (ebctl setenv) of an environment
 * that runs no version: no label of ours to wait for. It used to fail the
 * update ("runs 'no version', not '(null)'", a NULL printed with %s) as
 * soon as the environment was Ready again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ebctl/verdict.h"

static void test_config_update_without_a_version_succeeds(void **state)
{
	struct verdict_config c;
	struct verdict v;
	(void)state;
	memset(&c, 0, sizeof(c));
	c.label = NULL;
	c.request_id = "req-1";
	c.healthy = HEALTH_GREEN;
	c.deadline_ms = 60000;
	c.grace_ms = 10000;
	c.label_was_running = true;
	verdict_init(&v, &c);
	assert_int_equal(verdict_on_environment(&v, "Updating", "Grey", NULL, 100),
	                 VERDICT_WAITING);
	assert_int_equal(verdict_on_event(&v, "req-1", "INFO",
	                                  "Environment update completed successfully.", 200),
	                 VERDICT_WAITING);
	assert_int_equal(verdict_on_environment(&v, "Ready", "Green", NULL, 300), VERDICT_SUCCESS);
}

static void test_version_update_still_needs_our_label(void **state)
{
	struct verdict_config c;
	struct verdict v;
	(void)state;
	memset(&c, 0, sizeof(c));
	c.label = "v2";
	c.request_id = "req-2";
	c.healthy = HEALTH_GREEN;
	c.deadline_ms = 60000;
	c.grace_ms = 10000;
	verdict_init(&v, &c);
	assert_int_equal(verdict_on_environment(&v, "Updating", "Grey", "v1", 100),
	                 VERDICT_WAITING);
	assert_int_equal(verdict_on_environment(&v, "Ready", "Green", NULL, 300), VERDICT_FAILED);
	assert_non_null(strstr(v.reason, "'no version', not 'v2'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config_update_without_a_version_succeeds),
	    cmocka_unit_test(test_version_update_still_needs_our_label),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
