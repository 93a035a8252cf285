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
#include "ebctl/env.h"
#include "ebctl/util.h"
#include "testutil.h"

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

/* What a module told, for the checks of what it says. */
static struct said said;
static const struct msgsink sink = {said_keep, &said};

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
	assert_int_equal(
	    ebcli_config_read(path, "main", &app, &region, &profile, &env, &artifact, NULL), 0);
	assert_string_equal(app, "shop");
	assert_string_equal(region, "eu-west-1");
	assert_string_equal(profile, "eb-cli");
	assert_string_equal(env, "web-prod");
	assert_string_equal(artifact, "build/app.zip");
	free(app), free(region), free(profile), free(env), free(artifact);
	/* Another branch falls back to "default". */
	assert_int_equal(
	    ebcli_config_read(path, "feature", &app, &region, &profile, &env, &artifact, NULL), 0);
	assert_string_equal(env, "web-dev");
	free(app), free(region), free(profile), free(env), free(artifact);

	write_file(path, "global:\n  application_name: shop\n  profile: null\n");
	assert_int_equal(
	    ebcli_config_read(path, NULL, &app, &region, &profile, &env, &artifact, NULL), 0);
	assert_string_equal(app, "shop");
	assert_null(profile);
	assert_null(env);
	assert_null(region);
	free(app);

	write_file(path, "global: [unclosed\n");
	assert_int_equal(
	    ebcli_config_read(path, NULL, &app, &region, &profile, &env, &artifact, NULL), -1);
	write_file(path, "- a list\n");
	memset(&said, 0, sizeof(said));
	assert_int_equal(
	    ebcli_config_read(path, NULL, &app, &region, &profile, &env, &artifact, &sink), -1);
	assert_int_equal(said.n, 1);
	assert_int_equal(said.level[0], MSG_ERROR);
	assert_non_null(strstr(said.text[0], ": the top level is not a mapping"));
	unlink(path);
	assert_int_equal(
	    ebcli_config_read(path, NULL, &app, &region, &profile, &env, &artifact, NULL), 1);
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
	assert_int_equal(deploy_check_label("v1.2.3", NULL), 0);
	assert_int_equal(deploy_check_label(longest, NULL), 0);
	assert_int_equal(deploy_check_label(too_long, NULL), EBCTL_ERR_INVALID);
	assert_int_equal(deploy_check_label("", NULL), EBCTL_ERR_INVALID);
	assert_int_equal(deploy_check_label("feature/x", NULL), EBCTL_ERR_INVALID);
}

static void test_check_env_name(void **state)
{
	(void)state;
	assert_int_equal(deploy_check_env_name("shop-prod", NULL), 0);
	assert_int_equal(deploy_check_env_name("abcd", NULL), 0);
	assert_int_equal(deploy_check_env_name("abc", NULL), EBCTL_ERR_INVALID);
	assert_int_equal(deploy_check_env_name("a234567890123456789012345678901234567890", NULL),
	                 0);
	assert_int_equal(deploy_check_env_name("a2345678901234567890123456789012345678901", NULL),
	                 EBCTL_ERR_INVALID);
	assert_int_equal(deploy_check_env_name("-shop", NULL), EBCTL_ERR_INVALID);
	assert_int_equal(deploy_check_env_name("shop-", NULL), EBCTL_ERR_INVALID);
	assert_int_equal(deploy_check_env_name("shop_prod", NULL), EBCTL_ERR_INVALID);
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
	k = deploy_version_key("/ci/", "shop", "v1", "abc");
	assert_string_equal(k, "ci/shop/versions/v1/abc.zip");
	free(k);
	k = deploy_version_key(NULL, "shop", "app-1f2e a+b", "abc");
	assert_string_equal(k, "shop/versions/app-1f2e a+b/abc.zip");
	free(k);
}

static void test_description(void **state)
{
	char text[260], *d;
	(void)state;
	d = deploy_description(tmpdir, "short one", NULL);
	assert_string_equal(d, "short one");
	free(d);
	memset(text, 'x', 199);
	strcpy(text + 199, "\xc3\xa9 and more past the limit"); /* "é" is the 200th character */
	memset(&said, 0, sizeof(said));
	d = deploy_description(tmpdir, text, &sink);
	assert_int_equal(said.n, 1);
	assert_int_equal(said.level[0], MSG_WARNING);
	assert_non_null(strstr(said.text[0], "more than 200: cut to"));
	assert_int_equal(strlen(d), 201);
	assert_string_equal(d + 199, "\xc3\xa9");
	free(d);
	/* Outside git and without --description: none. */
	assert_null(deploy_description(tmpdir, NULL, NULL));
}

static void test_label_outside_git(void **state)
{
	char *l;
	(void)state;
	l = deploy_default_label(tmpdir, HEX, NULL, NULL);
	assert_string_equal(l, "sha256-0123456789abcdef");
	free(l);
	setenv("TRAVIS_COMMIT", "fedcba9876543210fedcba9876543210fedcba98", 1);
	l = deploy_default_label(tmpdir, HEX, NULL, NULL);
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
	l = deploy_default_label(tmpdir, HEX, NULL, NULL);
	assert_string_equal(l, head); /* clean tree: the commit alone */
	free(l);
	subject = deploy_description(tmpdir, NULL, NULL);
	assert_string_equal(subject, "Ship the cart page");
	free(subject);
	cmd = xasprintf("%s/new-file", tmpdir);
	write_file(cmd, "dirty\n");
	free(cmd);
	l = deploy_default_label(tmpdir, HEX, NULL, NULL);
	cmd = xasprintf("%s-01234567", head);
	assert_string_equal(l, cmd); /* dirty tree: + 8 characters of the bundle hash */
	free(cmd);
	free(l);
	setenv("GITHUB_SHA", "1111111222222233333334444444555555566666", 1);
	l = deploy_default_label(tmpdir, HEX, NULL, NULL);
	assert_string_equal(l, "1111111-01234567");
	free(l);
	unsetenv("GITHUB_SHA");
	free(head);
}

/* --option NS:NAME=VALUE: the namespace keeps its colons, the value its '=' and ':'. */
static void test_option_parse(void **state)
{
	struct eb_option_settings o = {NULL, 0, 0};
	char err[256];
	(void)state;
	assert_int_equal(deploy_option_parse("aws:autoscaling:asg:MaxSize=4", &o, err, sizeof(err)),
	                 0);
	assert_int_equal(
	    deploy_option_parse("aws:elasticbeanstalk:application:environment:DB=a=b:c", &o, err,
	                        sizeof(err)),
	    0);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.v[0].ns, "aws:autoscaling:asg");
	assert_string_equal(o.v[0].name, "MaxSize");
	assert_string_equal(o.v[0].value, "4");
	assert_string_equal(o.v[1].ns, "aws:elasticbeanstalk:application:environment");
	assert_string_equal(o.v[1].name, "DB");
	assert_string_equal(o.v[1].value, "a=b:c");
	assert_int_equal(deploy_option_parse("MaxSize=4", &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NAMESPACE:NAME=VALUE"));
	assert_int_equal(deploy_option_parse("aws:asg:=4", &o, err, sizeof(err)), -1);
	assert_int_equal(deploy_option_parse("aws:asg:MaxSize", &o, err, sizeof(err)), -1);
	eb_option_settings_cleanup(&o);
}

/* Option settings files: the aws CLI's JSON and both .ebextensions YAML forms. */
static void test_option_settings_file(void **state)
{
	struct eb_option_settings o = {NULL, 0, 0};
	const char *dir = tmpdir;
	char path[512], err[512];
	(void)state;
	snprintf(path, sizeof(path), "%s/s.json", dir);
	write_file(path, "[{\"Namespace\": \"aws:autoscaling:asg\", \"OptionName\": \"MinSize\", "
	                 "\"Value\": \"2\"}]");
	assert_int_equal(deploy_option_settings_file(path, &o, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/map.config", dir);
	write_file(path, "option_settings:\n  aws:elasticbeanstalk:application:environment:\n"
	                 "    A: '1'\n    B: two\n");
	assert_int_equal(deploy_option_settings_file(path, &o, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/list.config", dir);
	write_file(path, "option_settings:\n  - namespace: aws:autoscaling:asg\n"
	                 "    option_name: MaxSize\n    value: 6\n");
	assert_int_equal(deploy_option_settings_file(path, &o, err, sizeof(err)), 0);
	assert_int_equal(o.n, 4);
	assert_string_equal(o.v[0].name, "MinSize");
	assert_string_equal(o.v[1].ns, "aws:elasticbeanstalk:application:environment");
	assert_string_equal(o.v[2].value, "two");
	assert_string_equal(o.v[3].value, "6");
	write_file(path, "[{\"Namespace\": 1}]");
	assert_int_equal(deploy_option_settings_file(path, &o, err, sizeof(err)), -1);
	write_file(path, "nothing: here\n");
	assert_int_equal(deploy_option_settings_file(path, &o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no option_settings"));
	eb_option_settings_cleanup(&o);
}

/* --platform: exact names, friendly words, ambiguity, the newest version. */
static void test_platform_resolve(void **state)
{
	struct eb_platform v[] = {
	    {(char *)"arn:ecs23-4.2.8", (char *)"ECS running on 64bit Amazon Linux 2023",
	     (char *)"4.2.8", (char *)"Supported", NULL, (char *)"ECS"},
	    {(char *)"arn:ecs23-4.10.0", (char *)"ECS running on 64bit Amazon Linux 2023",
	     (char *)"4.10.0", (char *)"Supported", (char *)"Recommended", (char *)"ECS"},
	    {(char *)"arn:docker23", (char *)"Docker running on 64bit Amazon Linux 2023",
	     (char *)"4.4.2", (char *)"Supported", NULL, (char *)"Docker"},
	    {(char *)"arn:ecs2", (char *)"ECS running on 64bit Amazon Linux 2", (char *)"3.8.0",
	     (char *)"Deprecated", NULL, (char *)"ECS"},
	};
	struct eb_platforms ps = {v, EBCTL_ARRAY_LEN(v)};
	const struct eb_platform *p;
	char err[512];
	(void)state;
	/* the newest version, numerically (4.10.0 after 4.2.8) */
	assert_string_equal(deploy_platform_resolve(&ps, "ecs", err, sizeof(err))->arn,
	                    "arn:ecs23-4.10.0");
	assert_string_equal(deploy_platform_resolve(&ps, "Docker", err, sizeof(err))->arn,
	                    "arn:docker23");
	assert_string_equal(
	    deploy_platform_resolve(&ps, "ECS running on 64bit Amazon Linux 2", err, sizeof(err))
	        ->arn,
	    "arn:ecs2"); /* an exact branch, deprecated or not */
	assert_string_equal(
	    deploy_platform_resolve(&ps, "amazon linux 2 ecs", err, sizeof(err))->arn,
	    "arn:ecs2"); /* "2" is a word: not 2023 */
	assert_string_equal(deploy_platform_resolve(
	                        &ps, "64bit Amazon Linux 2023 v4.2.8 running ECS", err, sizeof(err))
	                        ->arn,
	                    "arn:ecs23-4.2.8");
	assert_string_equal(deploy_platform_resolve(&ps, "arn:docker23", err, sizeof(err))->arn,
	                    "arn:docker23");
	assert_null(deploy_platform_resolve(&ps, "amazon linux 2023", err, sizeof(err)));
	assert_string_equal(err,
	                    "platform 'amazon linux 2023' is ambiguous: it matches 'Docker "
	                    "running on 64bit Amazon Linux 2023', 'ECS running on 64bit Amazon "
	                    "Linux 2023'");
	assert_null(deploy_platform_resolve(&ps, "node.js", err, sizeof(err)));
	assert_non_null(strstr(err, "no platform matches 'node.js'"));
	p = deploy_platform_resolve(&ps, deploy_platform_default(2), err, sizeof(err));
	assert_true(deploy_platform_runs(p, 2));
	assert_false(deploy_platform_runs(p, 1));
	p = deploy_platform_resolve(&ps, deploy_platform_default(3), err, sizeof(err));
	assert_true(deploy_platform_runs(p, 3) && deploy_platform_runs(p, 0));
	assert_false(deploy_platform_runs(p, 2));
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
	    cmocka_unit_test(test_option_parse),
	    cmocka_unit_test_setup_teardown(test_option_settings_file, setup, teardown),
	    cmocka_unit_test(test_platform_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
