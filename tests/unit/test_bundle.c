/* Unit tests for src/bundle: .ebignore matching (gitignore semantics). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ebctl/bundle.h"

struct wm_case {
	const char *pattern;
	const char *path;
	bool match;
};

static void test_wildmatch_table(void **state)
{
	static const struct wm_case cases[] = {
	    {"foo", "foo", true},
	    {"foo", "foobar", false},
	    {"*.log", "a.log", true},
	    {"*.log", "dir/a.log", false}, /* "*" stops at "/" */
	    {"a?c", "abc", true},
	    {"a?c", "a/c", false},
	    {"[abc].txt", "b.txt", true},
	    {"[abc].txt", "d.txt", false},
	    {"[!abc].txt", "d.txt", true},
	    {"[^abc].txt", "a.txt", false},
	    {"[a-c]x", "bx", true},
	    {"[[:digit:]]x", "7x", true},
	    {"[[:digit:]]x", "ax", false},
	    {"[]]x", "]x", true},
	    {"[abc", "[abc", false}, /* an unterminated class never matches, as in git */
	    {"[\\]]", "]", true},    /* "\\" quotes "]" inside a class */
	    {"[a\\]]", "a", true},
	    {"[!\\]]", "]", false},
	    {"[!\\]]", "a", true},
	    {"x\\", "x\\", false}, /* a trailing backslash never matches */
	    {"[a-Z]", "Z", false}, /* a range by byte value: empty */
	    {"[a-Z]", "b", false},
	    {"[[:bogus:]]", "b", false},
	    {"\\*x", "*x", true},
	    {"\\*x", "ax", false},
	    {"**/foo", "foo", true},
	    {"**/foo", "a/b/foo", true},
	    {"**/foo", "a/b/foox", false},
	    {"a/**/b", "a/b", true},
	    {"a/**/b", "a/x/y/b", true},
	    {"a/**/b", "ax/b", false},
	    {"a/**", "a/x/y", true},
	    {"a/**", "b/x", false},
	    {"a**b", "axxb", true}, /* not at a segment: plain "*" */
	    {"a**b", "ax/b", false},
	    {"*", "", true},
	    {"", "", true},
	    {"doc/*.txt", "doc/a.txt", true},
	    {"doc/*.txt", "doc/x/a.txt", false},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = ignore_wildmatch(cases[i].pattern, cases[i].path);
		if (got != cases[i].match)
			fail_msg("pattern '%s' against '%s': got %d", cases[i].pattern,
			         cases[i].path, got);
	}
}

struct ig_case {
	const char *path;
	bool is_dir;
	bool ignored;
};

static void check_rules(const char *const *lines, size_t nlines, const struct ig_case *cases,
                        size_t ncases)
{
	struct ignore *ig = ignore_new();
	size_t i;
	for (i = 0; i < nlines; i++)
		ignore_add_line(ig, lines[i]);
	for (i = 0; i < ncases; i++) {
		bool got = ignore_match(ig, cases[i].path, cases[i].is_dir);
		if (got != cases[i].ignored)
			fail_msg("'%s'%s: ignored=%d, wanted %d", cases[i].path,
			         cases[i].is_dir ? " (dir)" : "", got, cases[i].ignored);
	}
	ignore_free(ig);
}

static void test_rules_basename_and_anchor(void **state)
{
	static const char *const lines[] = {"# comment",    "",      "*.log",   "/build",
	                                    "docs/private", "tmp/ ", "\\#hash", "trailing\\ "};
	static const struct ig_case cases[] = {
	    {"a.log", false, true},
	    {"x/y/a.log", false, true}, /* no slash: any depth */
	    {"build", true, true},
	    {"src/build", true, false}, /* leading slash anchors */
	    {"docs/private", false, true},
	    {"x/docs/private", false, false}, /* middle slash anchors */
	    {"tmp", true, true},
	    {"tmp", false, false}, /* trailing slash: directories only */
	    {"a/tmp", true, true},
	    {"#hash", false, true},
	    {"# comment", false, false},
	    {"trailing ", false, true}, /* escaped trailing space kept */
	    {"keep.txt", false, false},
	};
	(void)state;
	check_rules(lines, sizeof(lines) / sizeof(lines[0]), cases,
	            sizeof(cases) / sizeof(cases[0]));
}

static void test_rules_negation_last_wins(void **state)
{
	static const char *const lines[] = {"*.json",     "!Dockerrun.aws.json",
	                                    "secrets/**", "!secrets/public.txt",
	                                    "\\!bang",    "!*.json"};
	static const struct ig_case cases[] = {
	    {"package.json", false, false}, /* the final "!*.json" wins */
	    {"Dockerrun.aws.json", false, false}, {"secrets/key", false, true},
	    {"secrets/public.txt", false, false}, {"!bang", false, true},
	};
	(void)state;
	check_rules(lines, sizeof(lines) / sizeof(lines[0]), cases,
	            sizeof(cases) / sizeof(cases[0]));
}

static void test_rules_double_star(void **state)
{
	static const char *const lines[] = {"**/node_modules/", "logs/**/*.gz", "**/cache"};
	static const struct ig_case cases[] = {
	    {"node_modules", true, true},   {"a/b/node_modules", true, true},
	    {"node_modules", false, false}, {"logs/a.gz", false, true},
	    {"logs/x/y/a.gz", false, true}, {"other/logs/a.gz", false, false},
	    {"cache", false, true},         {"deep/er/cache", true, true},
	};
	(void)state;
	check_rules(lines, sizeof(lines) / sizeof(lines[0]), cases,
	            sizeof(cases) / sizeof(cases[0]));
}

static void test_empty_rules_ignore_nothing(void **state)
{
	struct ignore *ig = ignore_new();
	(void)state;
	assert_false(ignore_match(ig, "anything", false));
	assert_false(ignore_match(NULL, "anything", true));
	ignore_free(ig);
	ignore_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wildmatch_table),
	    cmocka_unit_test(test_rules_basename_and_anchor),
	    cmocka_unit_test(test_rules_negation_last_wins),
	    cmocka_unit_test(test_rules_double_star),
	    cmocka_unit_test(test_empty_rules_ignore_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
