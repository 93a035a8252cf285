/* Unit tests for src/bundle: .ebignore matching (gitignore semantics), and
 * the messages the selection gives its caller's sink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ebctl/bundle.h"
#include "ebctl/util.h"
#include "testutil.h"

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

/* ---- messages: collected from the sink, none printed ---- */

/* A fresh directory under /tmp, in dir; removed by remove_dir. */
static void make_dir(char dir[64])
{
	strcpy(dir, "/tmp/ebctl-unit.XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static void put(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* --all: the note that the .gitignore stands in for the .ebignore, and the
 * warnings for a link out of the directory and a file of another type. */
static void test_select_notes_and_warnings(void **state)
{
	struct said c = {0};
	struct msgsink sink = {said_keep, &c};
	struct bundle_files files;
	char dir[64], *path, *text;
	(void)state;
	make_dir(dir);
	put(dir, "Dockerrun.aws.json", "{}");
	put(dir, ".gitignore", "*.log\n");
	path = xasprintf("%s/out", dir);
	assert_int_equal(symlink("../elsewhere", path), 0);
	free(path);
	path = xasprintf("%s/pipe", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	free(path);
	assert_int_equal(bundle_select(dir, true, NULL, &files, &sink), 0);
	bundle_files_cleanup(&files);
	assert_int_equal(c.n, 3);
	text = xasprintf("no .ebignore: leaving out what '%s/.gitignore' lists", dir);
	assert_true(said_has(&c, MSG_NOTE, text));
	free(text);
	assert_true(said_has(&c, MSG_WARNING,
	                     "'out' is a link to '../elsewhere', outside the directory: it "
	                     "is stored as a link and will not resolve on the instance"));
	assert_true(said_has(&c, MSG_WARNING,
	                     "'pipe' is not a regular file, directory or symlink: left out"));
	remove_dir(dir);
}

/* No manifest at the root: the error, with its rule, goes to the sink; with
 * no sink the answer is the same and the message goes nowhere. */
static void test_select_error(void **state)
{
	struct said c = {0};
	struct msgsink sink = {said_keep, &c};
	struct bundle_files files;
	char dir[64], *text;
	(void)state;
	make_dir(dir);
	put(dir, "Dockerfile", "FROM scratch\n");
	assert_int_equal(bundle_select(dir, false, NULL, &files, &sink), EBCTL_ERR_INVALID);
	assert_int_equal(c.n, 1);
	text = xasprintf("%s: error: no Dockerrun.aws.json or docker-compose.yml at the bundle "
	                 "root (or .ebignore leaves it out) [bundle-root]",
	                 dir);
	assert_true(said_has(&c, MSG_ERROR, text));
	free(text);
	assert_int_equal(bundle_select(dir, false, NULL, &files, NULL), EBCTL_ERR_INVALID);
	assert_int_equal(c.n, 1);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wildmatch_table),
	    cmocka_unit_test(test_rules_basename_and_anchor),
	    cmocka_unit_test(test_rules_negation_last_wins),
	    cmocka_unit_test(test_rules_double_star),
	    cmocka_unit_test(test_empty_rules_ignore_nothing),
	    cmocka_unit_test(test_select_notes_and_warnings),
	    cmocka_unit_test(test_select_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
