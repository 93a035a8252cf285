/* Unit tests for src/deploy: config.yml, labels, descriptions, S3 keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ebctl/deploy.h"
#include "ebctl/util.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/ebctl-unit.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	unsetenv("GITHUB_SHA");
	unsetenv("TRAVIS_COMMIT");
	unsetenv("CI_COMMIT_SHA");
	return 0;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	(void)state;
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_config_yml(void **state)
{
	char *path = xasprintf("%s/config.yml", tmpdir);
	char *app, *region, *profile, *env, *artifact;
	(void)state;
	write_file(path, "branch-defaults:\n"
	                 "  main:\n"
	                 "    environment: web-prod\n"
	                 "    group_suffix: null\n"
	                 "  default:\n"
	                 "    environment: web-dev\n"
	                 "deploy:\n"
	                 "  artifact: build/app.zip\n"
	                 "global:\n"
	                 "  application_name: shop\n"
	                 "  default_platform: Docker\n"
	                 "  default_region: eu-west-1\n"
	                 "  profile: eb-cli\n"
	                 "  sc: git\n");
	assert_int_equal(eb_config_read(path, "main", &app, &region, &profile, &env, &artifact), 0);
	assert_string_equal(app, "shop");
	assert_string_equal(region, "eu-west-1");
	assert_string_equal(profile, "eb-cli");
	assert_string_equal(env, "web-prod");
	assert_string_equal(artifact, "build/app.zip");
	free(app), free(region), free(profile), free(env), free(artifact);
	/* Another branch falls back to "default". */
	assert_int_equal(eb_config_read(path, "feature", &app, &region, &profile, &env, &artifact),
	                 0);
	assert_string_equal(env, "web-dev");
	free(app), free(region), free(profile), free(env), free(artifact);

	write_file(path, "global:\n  application_name: shop\n  profile: null\n");
	assert_int_equal(eb_config_read(path, NULL, &app, &region, &profile, &env, &artifact), 0);
	assert_string_equal(app, "shop");
	assert_null(profile);
	assert_null(env);
	assert_null(region);
	free(app);

	write_file(path, "global: [unclosed\n");
	assert_int_equal(eb_config_read(path, NULL, &app, &region, &profile, &env, &artifact), -1);
	write_file(path, "- a list\n");
	assert_int_equal(eb_config_read(path, NULL, &app, &region, &profile, &env, &artifact), -1);
	unlink(path);
	assert_int_equal(eb_config_read(path, NULL, &app, &region, &profile, &env, &artifact), 1);
	free(path);
}

static void test_check_label(void **state)
{
	char longest[101], too_long[102];
	(void)state;
	memset(longest, 'a', 100);
	longest[100] = 0;
	memset(too_long, 'a', 101);
	too_long[101] = 0;
	assert_int_equal(deploy_check_label("v1.2.3"), 0);
	assert_int_equal(deploy_check_label(longest), 0);
	assert_int_equal(deploy_check_label(too_long), EB_EXIT_INVALID);
	assert_int_equal(deploy_check_label(""), EB_EXIT_INVALID);
	assert_int_equal(deploy_check_label("feature/x"), EB_EXIT_INVALID);
}

static void test_check_env_name(void **state)
{
	(void)state;
	assert_int_equal(deploy_check_env_name("shop-prod"), 0);
	assert_int_equal(deploy_check_env_name("abcd"), 0);
	assert_int_equal(deploy_check_env_name("abc"), EB_EXIT_INVALID);
	assert_int_equal(deploy_check_env_name("a234567890123456789012345678901234567890"), 0);
	assert_int_equal(deploy_check_env_name("a2345678901234567890123456789012345678901"),
	                 EB_EXIT_INVALID);
	assert_int_equal(deploy_check_env_name("-shop"), EB_EXIT_INVALID);
	assert_int_equal(deploy_check_env_name("shop-"), EB_EXIT_INVALID);
	assert_int_equal(deploy_check_env_name("shop_prod"), EB_EXIT_INVALID);
}

static void test_s3_key(void **state)
{
	char *k;
	(void)state;
	k = deploy_s3_key(NULL, "shop", "abc");
	assert_string_equal(k, "shop/abc.zip");
	free(k);
	k = deploy_s3_key("/releases/", "shop", "abc");
	assert_string_equal(k, "releases/shop/abc.zip");
	free(k);
	k = deploy_s3_key("a/b", "shop", "abc");
	assert_string_equal(k, "a/b/shop/abc.zip");
	free(k);
	k = deploy_s3_key("//", "shop", "abc");
	assert_string_equal(k, "shop/abc.zip");
	free(k);
}

static void test_description(void **state)
{
	char text[260], *d;
	(void)state;
	d = deploy_description(tmpdir, "short one");
	assert_string_equal(d, "short one");
	free(d);
	memset(text, 'x', 199);
	strcpy(text + 199, "\xc3\xa9 and more past the limit"); /* "é" is the 200th character */
	d = deploy_description(tmpdir, text);
	assert_int_equal(strlen(d), 201);
	assert_string_equal(d + 199, "\xc3\xa9");
	free(d);
	/* Outside git and without --description: none. */
	assert_null(deploy_description(tmpdir, NULL));
}

static void test_label_outside_git(void **state)
{
	char *l;
	(void)state;
	l = deploy_default_label(tmpdir, HEX);
	assert_string_equal(l, "sha256-0123456789abcdef");
	free(l);
	setenv("TRAVIS_COMMIT", "fedcba9876543210fedcba9876543210fedcba98", 1);
	l = deploy_default_label(tmpdir, HEX);
	assert_string_equal(l, "fedcba9");
	free(l);
	unsetenv("TRAVIS_COMMIT");
}

static void test_label_in_git(void **state)
{
	char *cmd, *l, *head = NULL, *subject;
	static const char *const rev[] = {"rev-parse", "--short=7", "HEAD", NULL};
	(void)state;
	cmd = xasprintf(
	    "cd '%s' && git init -q . && git -c user.name=t -c user.email=t@example.com commit -q "
	    "--allow-empty -m 'Ship the cart page' && rm -f config.yml",
	    tmpdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(git_capture(tmpdir, rev, &head), 0);
	assert_int_equal(strlen(head), 7);
	l = deploy_default_label(tmpdir, HEX);
	assert_string_equal(l, head); /* clean tree: the commit alone */
	free(l);
	subject = deploy_description(tmpdir, NULL);
	assert_string_equal(subject, "Ship the cart page");
	free(subject);
	cmd = xasprintf("%s/new-file", tmpdir);
	write_file(cmd, "dirty\n");
	free(cmd);
	l = deploy_default_label(tmpdir, HEX);
	cmd = xasprintf("%s-01234567", head);
	assert_string_equal(l, cmd); /* dirty tree: + 8 characters of the bundle hash */
	free(cmd);
	free(l);
	setenv("GITHUB_SHA", "1111111222222233333334444444555555566666", 1);
	l = deploy_default_label(tmpdir, HEX);
	assert_string_equal(l, "1111111-01234567");
	free(l);
	unsetenv("GITHUB_SHA");
	free(head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_config_yml, setup, teardown),
	    cmocka_unit_test(test_check_label),
	    cmocka_unit_test(test_check_env_name),
	    cmocka_unit_test(test_s3_key),
	    cmocka_unit_test_setup_teardown(test_description, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_label_outside_git, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_label_in_git, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
