/*
 * The Elastic Beanstalk wrappers: the parameters they send and how they
 * read real response documents (tests/fakes/responses/), over HTTP to
 * tests/fakes/faulty_server.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aws/internal.h"
#include "ebctl/eb.h"
#include "fakes.h"

static struct fake server;
static struct aws_client *c;

static int setup(void **state)
{
	struct aws_error err;
	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEEB", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "eb-secret", 1);
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	setenv("AWS_REGION", "us-east-1", 1);
	setenv("EBCTL_RETRY_BASE_MS", "1", 1);
	if (fake_start(&server, "faulty_server.py", NULL) != 0)
		return -1;
	setenv("AWS_ENDPOINT_URL", getenv("FAULTY_URL"), 1);
	return aws_client_new(NULL, &c, &err);
}

static int teardown(void **state)
{
	(void)state;
	aws_client_free(c);
	fake_stop(&server);
	return 0;
}

static void control(const char *what, struct buf *out)
{
	assert_int_equal(faulty_control(c, what, out), 0);
}

static void script(const char *steps)
{
	assert_int_equal(faulty_script(c, steps), 0);
}

/* The form body of the last request, for substring checks. */
static char *last_body(void)
{
	struct buf b = BUF_INIT;
	const char *p;
	char *body;
	control("__last", &b);
	p = strstr(buf_cstr(&b), "\nbody=");
	assert_non_null(p);
	body = xstrdup(p + 6);
	buf_cleanup(&b);
	return body;
}

#define SENT(body, s)                                                                              \
	do {                                                                                       \
		if (!strstr((body), (s)))                                                          \
			fail_msg("'%s' not in the request: %s", (s), (body));                      \
	} while (0)

static void test_describe_events(void **state)
{
	struct aws_error err;
	struct eb_events ev;
	struct eb_events_filter f = {0};
	char *body;
	(void)state;
	f.app = "my-app";
	f.env = "my-env";
	f.request_id = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";
	f.severity = "WARN";
	f.start_time = 1714979289; /* 2024-05-06T07:08:09Z */
	f.max_records = 100;
	f.next_token = "tok/+=";
	script("file:describe-events.xml");
	assert_int_equal(eb_describe_events(c, &f, &ev, &err), 0);
	body = last_body();
	SENT(body, "Action=DescribeEvents&Version=2010-12-01&ApplicationName=my-app&"
	           "EnvironmentName=my-env");
	SENT(body, "&RequestId=a1b2c3d4-5678-90ab-cdef-EXAMPLE11111&Severity=WARN");
	SENT(body, "&StartTime=2024-05-06T07%3A08%3A09Z&MaxRecords=100&NextToken=tok%2F%2B%3D");
	free(body);
	assert_int_equal(ev.n, 2);
	assert_string_equal(ev.v[0].message, "Environment update completed successfully.");
	assert_string_equal(ev.v[0].severity, "INFO");
	assert_string_equal(ev.v[0].version_label, "v42");
	assert_int_equal(ev.v[0].date, 1714979290);
	assert_string_equal(ev.v[1].severity, "ERROR");
	assert_string_equal(ev.v[1].request_id, "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111");
	assert_null(ev.v[1].version_label);
	assert_string_equal(ev.next_token, "page-2-token");
	eb_events_cleanup(&ev);
}

static void test_describe_environments(void **state)
{
	struct aws_error err;
	struct eb_environments envs;
	const char *names[] = {"my-env", "my-worker"};
	char *body;
	(void)state;
	script("file:describe-environments.xml");
	assert_int_equal(eb_describe_environments(c, "my-app", names, 2, false, &envs, &err), 0);
	body = last_body();
	SENT(body, "ApplicationName=my-app&EnvironmentNames.member.1=my-env&EnvironmentNames."
	           "member.2=my-worker"
	           "&IncludeDeleted=false");
	free(body);
	assert_int_equal(envs.n, 2);
	assert_string_equal(envs.v[0].name, "my-env");
	assert_string_equal(envs.v[0].status, "Updating");
	assert_string_equal(envs.v[0].health, "Grey");
	assert_string_equal(envs.v[0].health_status, "Pending");
	assert_string_equal(envs.v[0].version_label, "v42");
	assert_string_equal(envs.v[0].cname, "my-env.us-east-1.elasticbeanstalk.com");
	assert_string_equal(envs.v[0].tier, "WebServer");
	assert_true(envs.v[0].abortable);
	assert_int_equal(envs.v[0].updated, 1714979289);
	assert_non_null(strstr(envs.v[0].platform_arn, "ECS running on"));
	assert_string_equal(envs.v[1].tier, "Worker");
	assert_false(envs.v[1].abortable);
	assert_null(envs.v[1].version_label);
	eb_environments_cleanup(&envs);
}

static void test_update_environment(void **state)
{
	struct aws_error err;
	struct eb_option_settings set = {0}, rm = {0};
	struct eb_update u = {0};
	char *rid = NULL, *body;
	(void)state;
	eb_option_settings_add(&set, "aws:elasticbeanstalk:application:environment", "DB_URL",
	                       "postgres://h/db?a=b&c", NULL);
	eb_option_settings_add(&set, "aws:autoscaling:asg", "MinSize", "2",
	                       "AWSEBAutoScalingGroup");
	eb_option_settings_add(&rm, "aws:elasticbeanstalk:application:environment", "OLD", NULL,
	                       NULL);
	u.app = "my-app";
	u.env = "my-env";
	u.version_label = "v 1+(x)'";
	u.settings = &set;
	u.remove = &rm;
	script("file:update-environment.xml");
	assert_int_equal(eb_update_environment(c, &u, &rid, &err), 0);
	assert_string_equal(rid, "7d63e3ae-0c5c-4f0b-b2ad-EXAMPLEUPDATE");
	body = last_body();
	SENT(body, "EnvironmentName=my-env&VersionLabel=v+1%2B%28x%29%27");
	SENT(body,
	     "&OptionSettings.member.1.Namespace=aws%3Aelasticbeanstalk%3Aapplication%3Aenvironment"
	     "&OptionSettings.member.1.OptionName=DB_URL"
	     "&OptionSettings.member.1.Value=postgres%3A%2F%2Fh%2Fdb%3Fa%3Db%26c");
	SENT(body, "&OptionSettings.member.2.ResourceName=AWSEBAutoScalingGroup");
	SENT(
	    body,
	    "&OptionsToRemove.member.1.Namespace=aws%3Aelasticbeanstalk%3Aapplication%3Aenvironment"
	    "&OptionsToRemove.member.1.OptionName=OLD");
	assert_null(strstr(body, "OptionsToRemove.member.1.Value"));
	free(body);
	assert_non_null(eb_option_settings_find(&set, "aws:autoscaling:asg", "MinSize"));
	assert_null(eb_option_settings_find(&set, "aws:autoscaling:asg", "MaxSize"));
	free(rid);
	eb_option_settings_cleanup(&set);
	eb_option_settings_cleanup(&rm);
}

static void test_create_application_version(void **state)
{
	struct aws_error err;
	struct eb_create_version cv = {"my-app",
	                               "v 1+(x)",
	                               "fix: it's \"quoted\" & done",
	                               "elasticbeanstalk-us-east-1-123456789012",
	                               "my-app/abc.zip",
	                               true,
	                               true};
	struct eb_app_version v;
	char *bucket = NULL, *body;
	(void)state;
	script("file:create-application-version.xml");
	assert_int_equal(eb_create_application_version(c, &cv, &v, &err), 0);
	body = last_body();
	SENT(body, "VersionLabel=v+1%2B%28x%29&Description=fix%3A+it%27s+%22quoted%22+%26+done");
	SENT(body, "&SourceBundle.S3Bucket=elasticbeanstalk-us-east-1-123456789012&SourceBundle."
	           "S3Key=my-app%2Fabc.zip"
	           "&Process=true&AutoCreateApplication=true");
	free(body);
	assert_string_equal(v.label, "v 1+(x)");
	assert_string_equal(v.description, "fix: it's \"quoted\" & done");
	assert_string_equal(v.key, "my-app/abc.zip");
	assert_string_equal(v.status, "Processing");
	eb_app_version_cleanup(&v);
	script("file:create-storage-location.xml");
	assert_int_equal(eb_create_storage_location(c, &bucket, &err), 0);
	assert_string_equal(bucket, "elasticbeanstalk-us-east-1-123456789012");
	free(bucket);
}

static void test_environment_health(void **state)
{
	struct aws_error err;
	struct eb_env_health h;
	char *body;
	(void)state;
	script("file:describe-environment-health.xml");
	assert_int_equal(eb_describe_environment_health(c, "my-env", &h, &err), 0);
	body = last_body();
	SENT(body, "EnvironmentName=my-env&AttributeNames.member.1=All");
	free(body);
	assert_string_equal(h.color, "Red");
	assert_string_equal(h.health_status, "Severe");
	assert_int_equal(h.ncauses, 2);
	assert_string_equal(h.causes[0], "100.0 % of the requests are failing with HTTP 5xx.");
	assert_int_equal(h.ok, 1);
	assert_int_equal(h.severe, 2);
	assert_int_equal(h.status_5xx, 45);
	assert_int_equal(h.request_count, 45);
	assert_true(h.p99 > 0.0039 && h.p99 < 0.0041);
	eb_env_health_cleanup(&h);
}

static void test_environment_info_and_configuration(void **state)
{
	struct aws_error err;
	struct eb_env_infos infos;
	struct eb_option_settings cfg;
	const struct eb_option_setting *s;
	char *body;
	(void)state;
	script("ok");
	assert_int_equal(eb_request_environment_info(c, "my-env", "tail", &err), 0);
	body = last_body();
	SENT(body, "Action=RequestEnvironmentInfo&Version=2010-12-01&EnvironmentName=my-env&"
	           "InfoType=tail");
	free(body);
	script("file:retrieve-environment-info.xml");
	assert_int_equal(eb_retrieve_environment_info(c, "my-env", "tail", &infos, &err), 0);
	assert_int_equal(infos.n, 1);
	assert_string_equal(infos.v[0].instance_id, "i-0abc");
	assert_true(
	    str_starts_with(infos.v[0].url, "https://elasticbeanstalk-us-east-1-123456789012.s3"));
	assert_non_null(strstr(infos.v[0].url, "&X-Amz-Signature=abc"));
	eb_env_infos_cleanup(&infos);
	script("file:describe-configuration-settings.xml");
	assert_int_equal(eb_describe_configuration_settings(c, "my-app", "my-env", &cfg, &err), 0);
	assert_int_equal(cfg.n, 3);
	s = eb_option_settings_find(&cfg, "aws:elasticbeanstalk:application:environment",
	                            "DB_PASSWORD");
	assert_non_null(s);
	assert_string_equal(s->value, "s3cr3t=&");
	s = eb_option_settings_find(&cfg, "aws:elasticbeanstalk:application:environment", "EMPTY");
	assert_non_null(s);
	assert_null(s->value);
	eb_option_settings_cleanup(&cfg);
	script("ok");
	assert_int_equal(eb_abort_environment_update(c, "my-env", &err), 0);
	body = last_body();
	SENT(body, "Action=AbortEnvironmentUpdate&Version=2010-12-01&EnvironmentName=my-env");
	free(body);
}

static long served(void)
{
	struct buf b = BUF_INIT;
	long n = -1;
	control("__count", &b);
	assert_int_equal(parse_long(buf_cstr(&b), 0, 1000, &n), 0);
	buf_cleanup(&b);
	return n;
}

static void test_update_lost_answer_resent_only_when_ready(void **state)
{
	struct aws_error err;
	struct eb_update u = {0};
	char *rid = NULL;
	(void)state;
	u.env = "my-env";
	u.version_label = "v42";
	/* update (dropped), describe: still Ready, update again */
	script("drop,file:describe-environments-ready.xml,file:update-environment.xml");
	assert_int_equal(eb_update_environment(c, &u, &rid, &err), 0);
	assert_string_equal(rid, "7d63e3ae-0c5c-4f0b-b2ad-EXAMPLEUPDATE");
	assert_int_equal(served(), 3);
	free(rid);
	/* update (dropped), describe: Updating, so it may have started */
	script("drop,file:describe-environments.xml,file:update-environment.xml");
	assert_int_equal(eb_update_environment(c, &u, &rid, &err), -1);
	assert_true(err.unknown_outcome);
	assert_non_null(strstr(err.message, "may have started"));
	assert_null(rid);
	assert_int_equal(served(), 2);
}

static void test_create_application_lost_answer(void **state)
{
	struct aws_error err;
	(void)state;
	/* create (dropped), describe (no such application), create again */
	script("drop,ok,ok");
	assert_int_equal(eb_create_application(c, "my-app", NULL, &err), 0);
	assert_int_equal(served(), 3);
}

static void test_eb_error_reaches_caller(void **state)
{
	struct aws_error err;
	struct eb_environments envs;
	(void)state;
	script("denied");
	assert_int_equal(eb_describe_environments(c, "my-app", NULL, 0, false, &envs, &err), -1);
	assert_string_equal(err.code, "AccessDenied");
	assert_string_equal(err.step, "elasticbeanstalk DescribeEnvironments");
	assert_int_equal(envs.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_describe_events),
	    cmocka_unit_test(test_describe_environments),
	    cmocka_unit_test(test_update_environment),
	    cmocka_unit_test(test_create_application_version),
	    cmocka_unit_test(test_environment_health),
	    cmocka_unit_test(test_environment_info_and_configuration),
	    cmocka_unit_test(test_update_lost_answer_resent_only_when_ready),
	    cmocka_unit_test(test_create_application_lost_answer),
	    cmocka_unit_test(test_eb_error_reaches_caller),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
