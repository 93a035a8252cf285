/*
 * Regression tests for what the fuzzers (tests/fuzz) found.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ebctl/bundle.h"

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "wildmatch did not finish: exponential backtracking\n";
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(2);
}

/* fuzz_ebignore: "*?*?*?..." against a long name that does not match
 * backtracked exponentially (a 150-byte .ebignore line took minutes; the
 * one below would take years). Now each "*" gives up once the text ran out
 * or it met a "/". The alarm only turns a hang into a failure. */
static void test_wildmatch_stars_do_not_backtrack_exponentially(void **state)
{
	char pat[200] = "", text[200];
	int i;
	(void)state;
	for (i = 0; i < 40; i++)
		strcat(pat, "*?");
	strcat(pat, "x");
	memset(text, 'a', 150);
	text[150] = '\0';
	signal(SIGALRM, on_alarm);
	alarm(60);
	assert_false(ignore_wildmatch(pat, text));
	text[149] = 'x';
	assert_true(ignore_wildmatch(pat, text));
	assert_false(ignore_wildmatch(
	    "**/*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?b",
	    "d/d/d/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/c"));
	alarm(0);
}

/* The pruning keeps the meaning: "*" stops at "/", "**" + "/" does not. */
static void test_wildmatch_meaning_kept(void **state)
{
	(void)state;
	assert_true(ignore_wildmatch("a*?c", "abbc"));
	assert_false(ignore_wildmatch("a*?c", "ab/c"));
	assert_true(ignore_wildmatch("a/**/*?c", "a/x/y/bc"));
	assert_false(ignore_wildmatch("a/**/*?c", "a/x/y/c"));
	assert_true(ignore_wildmatch("**/x*y", "p/q/xzy"));
	assert_false(ignore_wildmatch("*x", "a/x"));
	assert_true(ignore_wildmatch("*", ""));
	assert_false(ignore_wildmatch("*?", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wildmatch_stars_do_not_backtrack_exponentially),
	    cmocka_unit_test(test_wildmatch_meaning_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
