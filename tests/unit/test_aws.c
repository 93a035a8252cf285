/*
 * Unit tests of the AWS layer's pure parts: XML error parsing and safety,
 * endpoint resolution, retry classification and backoff bounds, profile
 * and environment credential resolution (no network).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/internal.h"
#include "testutil.h"

/* ---- XML ---- */

static void test_query_error_parsed(void **state)
{
	static const char body[] =
	    "<ErrorResponse xmlns=\"http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/\">"
	    "<Error><Type>Sender</Type><Code>InvalidParameterValue</Code>"
	    "<Message>Application Version v1 already exists.</Message></Error>"
	    "<RequestId>6c5c3b4a-0000-4000-8000-000000000001</RequestId></ErrorResponse>";
	struct aws_error e;
	(void)state;
	aws_error_clear(&e);
	assert_int_equal(aws_xml_parse_error(body, sizeof(body) - 1, &e), 0);
	assert_string_equal(e.code, "InvalidParameterValue");
	assert_string_equal(e.message, "Application Version v1 already exists.");
	assert_string_equal(e.request_id, "6c5c3b4a-0000-4000-8000-000000000001");
}

static void test_s3_error_parsed(void **state)
{
	static const char body[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>"
	    "<BucketName>b</BucketName><RequestId>4442587FB7D0A2F9</RequestId></Error>";
	struct aws_error e;
	(void)state;
	aws_error_clear(&e);
	assert_int_equal(aws_xml_parse_error(body, sizeof(body) - 1, &e), 0);
	assert_string_equal(e.code, "NoSuchBucket");
	assert_string_equal(e.request_id, "4442587FB7D0A2F9");
}

static void test_json_error_parsed(void **state)
{
	static const char body[] = "{\"__type\":\"com.amazonaws.logs#ResourceNotFoundException\","
	                           "\"message\":\"The specified log group does not exist.\"}";
	struct aws_error e;
	(void)state;
	aws_error_clear(&e);
	assert_int_equal(aws_json_parse_error(body, sizeof(body) - 1, NULL, &e), 0);
	assert_string_equal(e.code, "ResourceNotFoundException");
	assert_string_equal(e.message, "The specified log group does not exist.");
	aws_error_clear(&e);
	assert_int_equal(
	    aws_json_parse_error("{}", 2, "ThrottlingException:http://internal.amazon.com/", &e),
	    0);
	assert_string_equal(e.code, "ThrottlingException");
}

static void test_bad_xml_is_no_error(void **state)
{
	struct aws_error e;
	(void)state;
	aws_error_clear(&e);
	assert_int_equal(aws_xml_parse_error("<html>proxy says no", 19, &e), -1);
	assert_int_equal(aws_xml_parse_error("", 0, &e), -1);
	assert_int_equal(aws_xml_parse_error("<Other><Code>X</Code></Other>", 29, &e), -1);
	assert_string_equal(e.code, "");
}

static void test_xml_refuses_dtd_and_entities(void **state)
{
	/* a billion laughs and an external entity: no DTD is accepted at all */
	static const char laughs[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><Error><Code>&b;</Code></Error>";
	static const char xxe[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
	    "<Error><Code>&e;</Code></Error>";
	struct aws_error e;
	(void)state;
	assert_null(aws_xml_parse(laughs, sizeof(laughs) - 1));
	assert_null(aws_xml_parse(xxe, sizeof(xxe) - 1));
	aws_error_clear(&e);
	assert_int_equal(aws_xml_parse_error(xxe, sizeof(xxe) - 1, &e), -1);
}

static void test_xml_helpers(void **state)
{
	static const char body[] =
	    "<DescribeEventsResponse xmlns=\"x\"><DescribeEventsResult><Events>"
	    "<member><Message>one &amp; "
	    "two</Message></member><member><Message><![CDATA[<b>]]></Message></member>"
	    "<other/><member><Message/></member></Events><NextToken>tok</NextToken></"
	    "DescribeEventsResult>"
	    "</DescribeEventsResponse>";
	xmlDocPtr doc = aws_xml_parse(body, sizeof(body) - 1);
	xmlNodePtr r, m;
	const char *want[] = {"one & two", "<b>", ""};
	char *t;
	int i = 0;
	(void)state;
	assert_non_null(doc);
	r = aws_xml_result(doc, "DescribeEvents");
	assert_non_null(r);
	for (m = aws_xml_child(aws_xml_child(r, "Events"), "member"); m; m = aws_xml_next(m)) {
		t = aws_xml_text(m, "Message");
		assert_string_equal(t, want[i++]);
		free(t);
	}
	assert_int_equal(i, 3);
	t = aws_xml_text(aws_xml_path(xmlDocGetRootElement(doc), "DescribeEventsResult"),
	                 "NextToken");
	assert_string_equal(t, "tok");
	free(t);
	assert_null(aws_xml_text(r, "Missing"));
	assert_null(aws_xml_path(xmlDocGetRootElement(doc), "DescribeEventsResult/Nope/Deeper"));
	xmlFreeDoc(doc);
}

/* ---- endpoints ---- */

static void resolve(const char *service, const char *region, const char *url,
                    const char *signing_region)
{
	struct aws_endpoint ep;
	struct aws_error e;
	assert_int_equal(aws_endpoint_resolve(service, region, &ep, &e), 0);
	assert_string_equal(ep.url, url);
	assert_string_equal(ep.signing_region, signing_region);
}

static void test_endpoints_per_partition(void **state)
{
	(void)state;
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_S3");
	unsetenv("AWS_ENDPOINT_URL_ELASTIC_BEANSTALK");
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
	resolve("elasticbeanstalk", "eu-west-1", "https://elasticbeanstalk.eu-west-1.amazonaws.com",
	        "eu-west-1");
	resolve("s3", "us-east-1", "https://s3.us-east-1.amazonaws.com", "us-east-1");
	resolve("logs", "ap-southeast-2", "https://logs.ap-southeast-2.amazonaws.com",
	        "ap-southeast-2");
	resolve("sts", "us-west-2", "https://sts.us-west-2.amazonaws.com", "us-west-2");
	resolve("sts", "", "https://sts.amazonaws.com", "us-east-1");
	resolve("elasticbeanstalk", "cn-north-1",
	        "https://elasticbeanstalk.cn-north-1.amazonaws.com.cn", "cn-north-1");
	resolve("s3", "cn-northwest-1", "https://s3.cn-northwest-1.amazonaws.com.cn",
	        "cn-northwest-1");
	resolve("elasticbeanstalk", "us-gov-west-1",
	        "https://elasticbeanstalk.us-gov-west-1.amazonaws.com", "us-gov-west-1");
}

static void test_endpoint_overrides(void **state)
{
	struct aws_endpoint ep;
	struct aws_error e;
	(void)state;
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/", 1);
	setenv("AWS_ENDPOINT_URL_S3", "https://s3.local.test:9000/base/", 1);
	assert_int_equal(aws_endpoint_resolve("elasticbeanstalk", "eu-west-1", &ep, &e), 0);
	assert_string_equal(ep.url, "http://127.0.0.1:4566");
	assert_string_equal(ep.host, "127.0.0.1:4566");
	assert_true(ep.custom);
	assert_int_equal(aws_endpoint_resolve("s3", "eu-west-1", &ep, &e), 0);
	assert_string_equal(ep.url, "https://s3.local.test:9000/base");
	assert_string_equal(ep.host, "s3.local.test:9000");
	assert_string_equal(ep.base_path, "/base");
	setenv("AWS_ENDPOINT_URL_STS", "ftp://nope", 1);
	assert_int_equal(aws_endpoint_resolve("sts", "eu-west-1", &ep, &e), -1);
	assert_non_null(strstr(e.message, "AWS_ENDPOINT_URL_STS"));
	setenv("AWS_ENDPOINT_URL_STS", "http://bad host/", 1);
	assert_int_equal(aws_endpoint_resolve("sts", "eu-west-1", &ep, &e), -1);
	unsetenv("AWS_ENDPOINT_URL_STS");
	unsetenv("AWS_ENDPOINT_URL_S3");
	unsetenv("AWS_ENDPOINT_URL");
}

static void test_endpoint_rejects_bad_region(void **state)
{
	struct aws_endpoint ep;
	struct aws_error e;
	(void)state;
	assert_int_equal(aws_endpoint_resolve("s3", "evil.com/x", &ep, &e), -1);
	assert_int_equal(aws_endpoint_resolve("s3", "", &ep, &e), -1);
	assert_non_null(strstr(e.message, "no region"));
	assert_int_equal(aws_endpoint_resolve("lambda", "us-east-1", &ep, &e), -1);
	/* the data services doctor and link read, each with its own override */
	assert_int_equal(aws_endpoint_resolve("ec2", "us-east-1", &ep, &e), 0);
	assert_string_equal(ep.host, "ec2.us-east-1.amazonaws.com");
	assert_int_equal(aws_endpoint_resolve("rds", "eu-west-1", &ep, &e), 0);
	assert_string_equal(ep.host, "rds.eu-west-1.amazonaws.com");
	assert_int_equal(aws_endpoint_resolve("elasticache", "cn-north-1", &ep, &e), 0);
	assert_string_equal(ep.host, "elasticache.cn-north-1.amazonaws.com.cn");
	setenv("AWS_ENDPOINT_URL_RDS", "http://127.0.0.1:9", 1);
	assert_int_equal(aws_endpoint_resolve("rds", "eu-west-1", &ep, &e), 0);
	assert_string_equal(ep.host, "127.0.0.1:9");
	unsetenv("AWS_ENDPOINT_URL_RDS");
	assert_false(aws_region_valid("US-EAST-1"));
	assert_true(aws_region_valid("us-gov-east-1"));
}

static void test_s3_virtual_host_rules(void **state)
{
	(void)state;
	assert_true(aws_s3_virtual_host_ok("elasticbeanstalk-us-east-1-123456789012"));
	assert_false(aws_s3_virtual_host_ok("my.dotted.bucket"));
	assert_false(aws_s3_virtual_host_ok("UpperCase"));
	assert_false(aws_s3_virtual_host_ok("ab"));
	assert_false(aws_s3_virtual_host_ok("-leading"));
}

/* ---- retries ---- */

static void test_retry_classification(void **state)
{
	static const char *const retried[] = {"Throttling",
	                                      "ThrottlingException",
	                                      "ThrottledException",
	                                      "RequestThrottledException",
	                                      "TooManyRequestsException",
	                                      "ProvisionedThroughputExceededException",
	                                      "TransactionInProgressException",
	                                      "RequestLimitExceeded",
	                                      "BandwidthLimitExceeded",
	                                      "LimitExceededException",
	                                      "RequestThrottled",
	                                      "SlowDown",
	                                      "PriorRequestNotComplete",
	                                      "EC2ThrottledException"};
	size_t i;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(retried); i++)
		assert_true(aws_retryable_code(retried[i]));
	assert_false(aws_retryable_code("AccessDenied"));
	assert_false(aws_retryable_code("SignatureDoesNotMatch"));
	assert_false(aws_retryable_code("InvalidParameterValue"));
	assert_false(aws_retryable_code(""));
	assert_true(aws_retryable_status(500));
	assert_true(aws_retryable_status(502));
	assert_true(aws_retryable_status(503));
	assert_true(aws_retryable_status(504));
	assert_false(aws_retryable_status(501));
	assert_false(aws_retryable_status(400));
	assert_false(aws_retryable_status(403));
	assert_true(aws_skew_code("RequestTimeTooSkewed", ""));
	assert_true(aws_skew_code("SignatureExpired", ""));
	assert_true(aws_skew_code("InvalidSignatureException",
	                          "Signature expired: 20240101T000000Z is now earlier"));
	assert_false(aws_skew_code("InvalidSignatureException",
	                           "The request signature we calculated does not match"));
	assert_false(aws_skew_code("SignatureDoesNotMatch", "anything"));
}

static void test_pacer_free_until_throttled(void **state)
{
	struct aws_pacer *p = aws_pacer_new();
	int64_t t;
	(void)state;
	assert_int_equal(aws_pacer_reserve(NULL, "eb UpdateEnvironment", 0, 1000), 0);
	for (t = 0; t < 1000; t += 10) {
		assert_int_equal(aws_pacer_reserve(p, "eb UpdateEnvironment", t, 1000), 0);
		aws_pacer_answer(p, "eb UpdateEnvironment", t, false, t + 5, 1000);
	}
	/* the first throttling: one a second, whatever the burst before it */
	aws_pacer_answer(p, "eb UpdateEnvironment", 990, true, 1000, 1000);
	assert_int_equal(aws_pacer_reserve(p, "eb UpdateEnvironment", 1000, 1000), 1000);
	/* the next waits behind it, and another operation not at all */
	assert_int_equal(aws_pacer_reserve(p, "eb UpdateEnvironment", 1000, 1000), 2000);
	assert_int_equal(aws_pacer_reserve(p, "eb DescribeEvents", 1000, 1000), 0);
	/* a send reserved before that throttling, refused too: no second cut */
	aws_pacer_answer(p, "eb UpdateEnvironment", 995, true, 1010, 1000);
	assert_int_equal(aws_pacer_reserve(p, "eb UpdateEnvironment", 3000, 1000), 1000);
	/* one reserved after it: 30 % less (1.3 tokens owed at 0.7 a second) */
	aws_pacer_answer(p, "eb UpdateEnvironment", 3000, true, 3100, 1000);
	assert_int_equal(aws_pacer_reserve(p, "eb UpdateEnvironment", 4000, 1000), 1857);
	/* successes raise it by a tenth each: 1.7 a second after ten */
	for (t = 0; t < 10; t++)
		aws_pacer_answer(p, "eb UpdateEnvironment", 4000, false, 5000, 1000);
	assert_int_equal(aws_pacer_reserve(p, "eb UpdateEnvironment", 10000, 1000), 0);
	assert_int_equal(aws_pacer_reserve(p, "eb UpdateEnvironment", 10000, 1000), 588);
	/* with a retry base of 10 ms (EBCTL_RETRY_BASE_MS), the same rate a tenth
	 * of as long apart: 1.7 per 10 ms */
	assert_int_equal(aws_pacer_reserve(p, "eb UpdateEnvironment", 20000, 10), 0);
	assert_int_equal(aws_pacer_reserve(p, "eb UpdateEnvironment", 20000, 10), 6);
	aws_pacer_free(p);
}

/* Four clients send fifty calls through one pacer into a service that
 * keeps a token bucket of two a second, ten of burst: few are refused,
 * and the rate settles near the service's. Simulated time, 20 ms a call. */
static void test_pacer_converges(void **state)
{
	struct aws_pacer *p = aws_pacer_new();
	int64_t next[4] = {0, 0, 0, 0}, last = 0;
	double bucket = 10, bucket_t = 0;
	int done = 0, refused = 0, started = 0;
	(void)state;
	while (done < 50) {
		int i, c = 0;
		int64_t sent;
		bool throttled;
		for (i = 1; i < 4; i++)
			if (next[i] < next[c])
				c = i;
		if (started >= 50 + refused) {
			next[c] = INT64_MAX;
			continue;
		}
		started++;
		sent = next[c] + aws_pacer_reserve(p, "eb UpdateEnvironment", next[c], 1000);
		bucket += 2.0 * (double)(sent - bucket_t) / 1000.0;
		if (bucket > 10)
			bucket = 10;
		bucket_t = (double)sent;
		throttled = bucket < 1;
		if (!throttled)
			bucket -= 1;
		aws_pacer_answer(p, "eb UpdateEnvironment", next[c], throttled, sent + 20, 1000);
		next[c] = sent + 20;
		if (throttled)
			refused++;
		else
			done++;
		last = sent + 20;
	}
	print_message("# 50 calls, %d refused, in %.1f s\n", refused, (double)last / 1000.0);
	assert_true(refused <= 15);
	/* ten at once, then two a second: about twenty seconds, not much more */
	assert_true(last < 30000);
	aws_pacer_free(p);
}

/* Which AWS errors mean a skewed clock. The Query services answer one with
 * SignatureDoesNotMatch "Signature expired: ..."; it was not recognised, so
 * a deploy with a skewed clock failed on its first call (the fault matrix
 * found it). */
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

static void test_backoff_bounds(void **state)
{
	int attempt;
	(void)state;
	/* full jitter: anywhere in [0, min(20 s, base * 2^(attempt-1))] */
	assert_int_equal(aws_backoff_ms(1000, 1, 1.0), 1000);
	assert_int_equal(aws_backoff_ms(1000, 2, 1.0), 2000);
	assert_int_equal(aws_backoff_ms(1000, 3, 1.0), 4000);
	assert_int_equal(aws_backoff_ms(1000, 5, 1.0), 16000);
	assert_int_equal(aws_backoff_ms(1000, 6, 1.0), 20000);
	assert_int_equal(aws_backoff_ms(1000, 60, 1.0), 20000);
	assert_int_equal(aws_backoff_ms(1000, 4, 0.0), 0);
	assert_int_equal(aws_backoff_ms(1000, 2, 0.5), 1000);
	assert_int_equal(aws_backoff_ms(1000, 2, 7.0), 2000);
	for (attempt = 1; attempt < 30; attempt++) {
		unsigned long ms = aws_backoff_ms(1000, attempt, aws_jitter());
		assert_true(ms <= 20000);
	}
}

static void test_skew_from_date(void **state)
{
	(void)state;
	/* Sun, 06 Nov 1994 08:49:37 GMT = 784111777 */
	assert_int_equal(aws_skew_from_date("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 3600),
	                 3600);
	assert_int_equal(aws_skew_from_date("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 60), -60);
	assert_int_equal(aws_skew_from_date("garbage", 1000), 0);
	assert_int_equal(aws_skew_from_date(NULL, 1000), 0);
}

static void test_error_format(void **state)
{
	struct aws_error e;
	char out[1200];
	(void)state;
	aws_error_set(&e, "s3 PutObject", "SlowDown", "Please reduce your request rate.");
	e.http_status = 503;
	e.attempts = 3;
	snprintf(e.request_id, sizeof(e.request_id), "R1");
	assert_string_equal(aws_error_format(&e, out, sizeof(out)),
	                    "s3 PutObject: SlowDown: Please reduce your request rate. (HTTP 503, "
	                    "request id R1, 3 attempts)");
	aws_error_set(&e, "credentials", NULL, "profile '%s' not found", "ci");
	assert_string_equal(aws_error_format(&e, out, sizeof(out)),
	                    "credentials: profile 'ci' not found");
	assert_int_equal(aws_error_status(&e), EBCTL_ERR_AWS);
	e.interrupted = true;
	assert_int_equal(aws_error_status(&e), EBCTL_ERR_INTERRUPTED);
}

/* ---- credentials without the network ---- */

static char dir[64];

static char *put(const char *name, const char *text)
{
	return write_text_in(dir, name, text);
}

static int creds_setup(void **state)
{
	char *p;
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ebctl-creds.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	unset_aws_env();
	/* and no region, retries, timeouts or CA bundle of the caller's */
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	unsetenv("AWS_MAX_ATTEMPTS");
	unsetenv("EBCTL_CONNECT_TIMEOUT");
	unsetenv("EBCTL_READ_TIMEOUT");
	unsetenv("AWS_CA_BUNDLE");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	p = put("credentials",
	        "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s-default\n\n"
	        "[ci]\naws_access_key_id = AKIACI\naws_secret_access_key = s-ci\n"
	        "aws_session_token = t-ci\n\n[half]\naws_access_key_id = AKIAHALF\n");
	setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
	free(p);
	p = put("config",
	        "[default]\nregion = eu-central-1\n\n[profile ci]\nregion = eu-west-3\n\n"
	        "[profile proc]\nregion = us-east-2\ncredential_process = printf '{\"Version\": 1, "
	        "\"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"s-proc\", \"SessionToken\": "
	        "\"t-proc\", \"Expiration\": \"2099-01-02T03:04:05Z\"}'\n\n"
	        "[profile badver]\ncredential_process = printf '{\"Version\": 2}'\n\n"
	        "[profile norole]\nrole_arn = arn:aws:iam::1:role/x\n\n"
	        "[profile loop]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = loop2\n\n"
	        "[profile loop2]\nrole_arn = arn:aws:iam::1:role/y\nsource_profile = loop\n\n"
	        "[profile empty]\nregion = us-west-1\n\n[sso-session x]\nsso_region = us-east-1\n\n"
	        "[profile sso]\nsso_session = x\nsso_account_id = 1\n\n"
	        "[profile ssoonly]\nsso_session = x\n");
	setenv("AWS_CONFIG_FILE", p, 1);
	free(p);
	return 0;
}

/* The cache file names botocore computes (SSOTokenLoader, SSOCredentialFetcher
 * on the same settings), so ebctl and the aws CLI read the same files. */
static void test_sso_cache_keys(void **state)
{
	struct aws_sso_config sc = {"p",         "my-sso",       "https://x/start",
	                            "us-east-1", "123456789012", "Deployer"};
	char key[41];
	(void)state;
	aws_sso_token_cache_key(&sc, key);
	assert_string_equal(key, "0ad374308c5a4e22f723adf10145eafad7c4031c");
	aws_sso_role_cache_key(&sc, key);
	assert_string_equal(key, "d2c04b8a262119ff533c25cfd7f6daf8498608e3");
	sc.session = NULL; /* the legacy form: the start URL stands for the session */
	aws_sso_token_cache_key(&sc, key);
	assert_string_equal(key, "f9bd89c67fef27fcb5df8d2e4b64eabe5bae45a4");
	aws_sso_role_cache_key(&sc, key);
	assert_string_equal(key, "23a10f64e449d7b2d62e4573dd8490a10e2ea86c");
	/* json.dumps escapes non-ASCII as \u00e9, lower case */
	sc.session = "\xc3\xa9";
	sc.role_name = "D\xc3\xa9ployeur";
	aws_sso_role_cache_key(&sc, key);
	assert_string_equal(key, "62d25c3e3873e887ff0c510d8f45d613afa05b69");
}

static int creds_teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Resolve with profile (NULL: none given); returns the rc, creds in out. */
static int resolve_creds(const char *profile, struct aws_creds *out, struct aws_error *err,
                         char *region, size_t n)
{
	struct aws_client_options o = {0};
	struct aws_client *c = NULL;
	int rc;
	o.profile = profile;
	o.no_region_ok = true;
	memset(out, 0, sizeof(*out));
	if (aws_client_new(&o, &c, err) != 0)
		return -2;
	if (region)
		snprintf(region, n, "%s", aws_client_region(c));
	rc = aws_client_credentials(c, out, err);
	aws_client_free(c);
	return rc;
}

static void test_environment_first(void **state)
{
	struct aws_creds cr;
	struct aws_error e;
	char region[64];
	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "s-env", 1);
	setenv("AWS_SESSION_TOKEN", "t-env", 1);
	setenv("AWS_REGION", "ap-south-1", 1);
	assert_int_equal(resolve_creds(NULL, &cr, &e, region, sizeof(region)), 0);
	assert_string_equal(cr.access_key_id, "AKIAENV");
	assert_string_equal(cr.session_token, "t-env");
	assert_string_equal(cr.source, "environment");
	assert_string_equal(region, "ap-south-1");
	aws_creds_cleanup(&cr);
	/* an explicit --profile skips the environment keys */
	assert_int_equal(resolve_creds("ci", &cr, &e, NULL, 0), 0);
	assert_string_equal(cr.access_key_id, "AKIACI");
	aws_creds_cleanup(&cr);
	unsetenv("AWS_SECRET_ACCESS_KEY");
	assert_int_equal(resolve_creds(NULL, &cr, &e, NULL, 0), -1);
	assert_non_null(strstr(e.message, "AWS_SECRET_ACCESS_KEY is not"));
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_REGION");
}

static void test_profiles(void **state)
{
	struct aws_creds cr;
	struct aws_error e;
	char region[64];
	(void)state;
	assert_int_equal(resolve_creds(NULL, &cr, &e, region, sizeof(region)), 0);
	assert_string_equal(cr.access_key_id, "AKIADEFAULT");
	assert_string_equal(cr.source, "profile 'default'");
	assert_string_equal(region, "eu-central-1");
	aws_creds_cleanup(&cr);
	setenv("AWS_PROFILE", "ci", 1);
	assert_int_equal(resolve_creds(NULL, &cr, &e, region, sizeof(region)), 0);
	assert_string_equal(cr.access_key_id, "AKIACI");
	assert_string_equal(cr.secret_access_key, "s-ci");
	assert_string_equal(cr.session_token, "t-ci");
	assert_string_equal(region, "eu-west-3");
	aws_creds_cleanup(&cr);
	unsetenv("AWS_PROFILE");
	/* --region and AWS_REGION win over the profile */
	setenv("AWS_DEFAULT_REGION", "sa-east-1", 1);
	assert_int_equal(resolve_creds("ci", &cr, &e, region, sizeof(region)), 0);
	assert_string_equal(region, "sa-east-1");
	aws_creds_cleanup(&cr);
	unsetenv("AWS_DEFAULT_REGION");
}

static void test_credential_process_json(void **state)
{
	struct aws_creds cr;
	struct aws_error e;
	(void)state;
	assert_int_equal(resolve_creds("proc", &cr, &e, NULL, 0), 0);
	assert_string_equal(cr.access_key_id, "AKIAPROC");
	assert_string_equal(cr.session_token, "t-proc");
	assert_int_equal(cr.expires, time_parse_iso8601("2099-01-02T03:04:05Z"));
	aws_creds_cleanup(&cr);
	assert_int_equal(resolve_creds("badver", &cr, &e, NULL, 0), -1);
	assert_non_null(strstr(e.message, "Version"));
	assert_int_equal(aws_creds_from_json("[]", 2, "x", &cr, &e), -1);
	assert_int_equal(aws_creds_from_json("{\"AccessKeyId\":\"A\"}", 19, "x", &cr, &e), -1);
	assert_non_null(strstr(e.message, "SecretAccessKey"));
}

static void test_broken_profiles_say_why(void **state)
{
	struct aws_creds cr;
	struct aws_error e;
	char *p;
	(void)state;
	assert_int_equal(resolve_creds("nope", &cr, &e, NULL, 0), -1);
	assert_non_null(strstr(e.message, "profile 'nope' not found in "));
	assert_int_equal(resolve_creds("half", &cr, &e, NULL, 0), -1);
	assert_non_null(strstr(
	    e.message, "profile 'half' has aws_access_key_id but not aws_secret_access_key"));
	assert_int_equal(resolve_creds("norole", &cr, &e, NULL, 0), -1);
	assert_non_null(strstr(e.message, "no source_profile"));
	assert_int_equal(resolve_creds("loop", &cr, &e, NULL, 0), -1);
	assert_non_null(strstr(e.message, "too long"));
	/* a profile that holds no credentials is passed over, as botocore does;
	 * with nothing after it, the message says what it found there */
	assert_int_equal(resolve_creds("empty", &cr, &e, NULL, 0), -1);
	assert_string_equal(e.code, "NoCredentials");
	assert_non_null(strstr(
	    e.message, "profile 'empty': no aws_access_key_id, role_arn or credential_process"));
	assert_non_null(strstr(e.message, "instance metadata: AWS_EC2_METADATA_DISABLED"));
	assert_null(strstr(e.message, "environment"));
	/* an IAM Identity Center profile is not passed over: it names an
	 * identity; what it lacks is named */
	assert_int_equal(resolve_creds("sso", &cr, &e, NULL, 0), -1);
	assert_non_null(strstr(e.message, "profile 'sso' uses IAM Identity Center but has no "
	                                  "sso_start_url, sso_role_name (with its sso-session)"));
	assert_int_equal(resolve_creds("ssoonly", &cr, &e, NULL, 0), -1);
	assert_non_null(strstr(e.message,
	                       "profile 'ssoonly' uses IAM Identity Center "
	                       "(sso_session) but has no sso_account_id and sso_role_name"));
	/* AWS_PROFILE names it too: no silent fallback */
	setenv("AWS_PROFILE", "nope", 1);
	assert_int_equal(resolve_creds(NULL, &cr, &e, NULL, 0), -1);
	assert_non_null(strstr(e.message, "profile 'nope' not found"));
	unsetenv("AWS_PROFILE");
	/* a config file inih cannot parse */
	p = put("bad-config", "[default\nregion = x\n");
	setenv("AWS_CONFIG_FILE", p, 1);
	assert_int_equal(resolve_creds("ci", &cr, &e, NULL, 0), -2);
	assert_non_null(strstr(e.message, "cannot parse"));
	assert_non_null(strstr(e.message, "line 1"));
	free(p);
}

/* A token like STS's: base64, so '+', '/' and '=' inside. */
static char *token_of(size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	char *t = xmalloc(n + 1);
	size_t i;
	for (i = 0; i < n; i++)
		t[i] = b64[(i * 7 + i / 3) % 65];
	t[n] = '\0';
	return t;
}

/* Debian's inih holds 200 bytes of a line: longer session tokens failed
 * to parse ("cannot parse ... at line 4"), in both files. */
static void test_long_lines(void **state)
{
	static const size_t sizes[] = {180, 1000, 5000};
	struct aws_creds cr;
	struct aws_error e;
	char *text, *p, *tok, *junk = token_of(300);
	size_t i;
	(void)state;
	memset(junk, 'c', 300);
	for (i = 0; i < EBCTL_ARRAY_LEN(sizes); i++) {
		tok = token_of(sizes[i]);
		/* around it: a long comment, a long continuation, inline comments */
		text =
		    xasprintf("# %s\n[default]\naws_access_key_id = AKIALONG\n"
		              "aws_secret_access_key = s-long\naws_session_token =   %s   ; note\n"
		              "s3 =\n  %s = 1\nregion = eu-north-1\n",
		              junk, tok, junk);
		p = put("long-credentials", text);
		setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
		free(text);
		free(p);
		text = xasprintf("[profile x]\naws_access_key_id = AKIAX\naws_secret_access_key: "
		                 "s-x\n ; %s\naws_session_token=%s\nregion = us-west-2\n",
		                 junk, tok);
		p = put("long-config", text);
		setenv("AWS_CONFIG_FILE", p, 1);
		free(text);
		free(p);
		assert_int_equal(resolve_creds(NULL, &cr, &e, NULL, 0), 0);
		assert_string_equal(cr.access_key_id, "AKIALONG");
		assert_string_equal(cr.secret_access_key, "s-long");
		assert_string_equal(cr.session_token, tok);
		aws_creds_cleanup(&cr);
		assert_int_equal(resolve_creds("x", &cr, &e, NULL, 0), 0);
		assert_string_equal(cr.access_key_id, "AKIAX");
		assert_string_equal(cr.secret_access_key, "s-x");
		assert_string_equal(cr.session_token, tok);
		aws_creds_cleanup(&cr);
		free(tok);
	}
	free(junk);
}

/* Parse errors still name the physical line, after long lines and on them. */
static void test_long_lines_keep_line_numbers(void **state)
{
	static const struct {
		const char *fmt; /* %s: a 1000-character token, then as many 'c' */
		int line;
	} cases[] = {
	    {"[default]\naws_session_token = %s\n\nno separator here\n", 4},
	    {"[default]\n%.0s%s\n", 2}, /* a long line without '=' (the second text has none) */
	    {"[default]\nk = v\n[profile %s\n", 3},          /* a long section without ']' */
	    {"[default]\n# %s\n[oops\n", 3},                 /* after a long comment */
	    {"\xEF\xBB\xBF[default]\nk = %s\n  %s\nx\n", 4}, /* BOM, continuation */
	};
	struct aws_creds cr;
	struct aws_error e;
	char want[32], *text, *p, *tok = token_of(1000), *plain = xstrdup(tok);
	size_t i;
	(void)state;
	memset(plain, 'c', 1000);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	for (i = 0; i < EBCTL_ARRAY_LEN(cases); i++) {
		text = xasprintf(cases[i].fmt, tok, plain);
		p = put("numbered", text);
		setenv("AWS_SHARED_CREDENTIALS_FILE", p, 1);
		assert_int_equal(resolve_creds("default", &cr, &e, NULL, 0), -1);
		snprintf(want, sizeof(want), "at line %d", cases[i].line);
		if (!strstr(e.message, want))
			fail_msg("case %zu: '%s', wanted '%s'", i, e.message, want);
		free(text);
		free(p);
	}
	free(tok);
	free(plain);
}

/* inih keeps 49 characters of a section name: longer profile names were
 * cut, and two that start alike were one profile. */
static void test_long_profile_names(void **state)
{
	struct aws_creds cr;
	struct aws_error e;
	char *p, *a = xasprintf("%0120d-a", 0), *b = xasprintf("%0120d-b", 0);
	char *text = xasprintf("[profile %s]\naws_access_key_id = AKIAA\naws_secret_access_key = "
	                       "s-a\n\n[profile %s]\naws_access_key_id = AKIAB\n"
	                       "aws_secret_access_key = s-b\n",
	                       a, b);
	(void)state;
	p = put("long-names", text);
	setenv("AWS_CONFIG_FILE", p, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	assert_int_equal(resolve_creds(a, &cr, &e, NULL, 0), 0);
	assert_string_equal(cr.access_key_id, "AKIAA");
	aws_creds_cleanup(&cr);
	assert_int_equal(resolve_creds(b, &cr, &e, NULL, 0), 0);
	assert_string_equal(cr.access_key_id, "AKIAB");
	aws_creds_cleanup(&cr);
	a[60] = '\0';
	assert_int_equal(resolve_creds(a, &cr, &e, NULL, 0), -1);
	assert_string_equal(e.code, "ProfileNotFound");
	free(text);
	free(p);
	free(a);
	free(b);
}

static void test_no_credentials_anywhere(void **state)
{
	struct aws_creds cr;
	struct aws_error e;
	(void)state;
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	assert_int_equal(resolve_creds(NULL, &cr, &e, NULL, 0), -1);
	assert_string_equal(e.code, "NoCredentials");
	assert_non_null(strstr(e.message,
	                       "no credentials found (environment: not set; "
	                       "profile 'default': not in /nonexistent/credentials or "
	                       "/nonexistent/config; web identity: not set; container: "
	                       "not set; instance metadata: AWS_EC2_METADATA_DISABLED)"));
}

/* Write credential_process JSON expiring `in` seconds from now (or remove
 * the file: the process fails). */
static void process_output(const char *path, const char *akid, long in)
{
	char exp[32];
	time_t t = time(NULL) + in;
	FILE *f;
	if (!akid) {
		unlink(path);
		return;
	}
	strftime(exp, sizeof(exp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
	        "{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"s\", "
	        "\"SessionToken\": \"t\", \"Expiration\": \"%s\"}",
	        akid, exp);
	assert_int_equal(fclose(f), 0);
}

static long process_runs(const char *count)
{
	struct buf b = BUF_INIT;
	long n = 0;
	size_t i;
	if (buf_read_file(&b, count, 0) == 0)
		for (i = 0; i < b.len; i++)
			n += b.ptr[i] == '\n';
	buf_cleanup(&b);
	return n;
}

/* A refresh that fails while the credentials are still valid used to fail
 * the call (and the deploy): they are kept until they expire, as the SDKs
 * do, with one warning, and the source is not asked again for 30 s. */
/* The client's messages, kept as the CLI would print them. */
static void keep_message(void *arg, enum msg_level level, const char *text)
{
	buf_printf(arg, "ebctl: %s%s\n", level == MSG_WARNING ? "warning: " : "", text);
}

static void test_failed_refresh_keeps_valid_credentials(void **state)
{
	struct aws_client_options o = {0};
	struct aws_client *c = NULL;
	struct aws_creds cr;
	struct aws_error e;
	struct buf err = BUF_INIT;
	struct msgsink sink = {keep_message, &err};
	char *json = xasprintf("%s/process.json", dir), *count = xasprintf("%s/runs", dir);
	char *text = xasprintf("[profile refresh]\ncredential_process = sh -c 'echo run >> %s; "
	                       "cat %s'\n",
	                       count, json);
	char *p = put("refresh-config", text);
	(void)state;
	setenv("AWS_CONFIG_FILE", p, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	o.profile = "refresh";
	o.region = "us-east-1";
	o.sink = &sink;
	assert_int_equal(aws_client_new(&o, &c, &e), 0);
	/* inside the 5-minute margin: each use refreshes */
	process_output(json, "AKIAFIRST", 120);
	assert_int_equal(aws_client_credentials(c, NULL, &e), 0);
	assert_int_equal(process_runs(count), 1);
	assert_int_equal(aws_client_credentials(c, NULL, &e), 0);
	assert_int_equal(process_runs(count), 2);
	/* the source fails: the current ones are kept, with a warning */
	process_output(json, NULL, 0);
	assert_int_equal(aws_client_credentials(c, &cr, &e), 0);
	assert_int_equal(aws_client_credentials(c, NULL, &e), 0);
	assert_string_equal(cr.access_key_id, "AKIAFIRST");
	aws_creds_cleanup(&cr);
	assert_int_equal(process_runs(count), 3); /* not again within 30 s */
	assert_non_null(strstr(buf_cstr(&err), "ebctl: warning: cannot refresh the credentials "
	                                       "from credential_process of profile 'refresh' ("));
	assert_non_null(strstr(buf_cstr(&err), "): using them until they expire in "));
	assert_null(strstr(strstr(buf_cstr(&err), "warning") + 1, "warning")); /* once */
	buf_cleanup(&err);
	/* 30 s later it is asked again */
	c->refresh_after = time_now();
	assert_int_equal(aws_client_credentials(c, NULL, &e), 0);
	assert_int_equal(process_runs(count), 4);
	/* expired: now the failure is the answer, hold-off or not */
	c->refresh_after = time_now() + 30;
	c->creds.expires = time_now() - 1;
	assert_int_equal(aws_client_credentials(c, &cr, &e), -1);
	assert_non_null(strstr(e.message, "credential_process of profile 'refresh'"));
	assert_int_equal(process_runs(count), 5);
	/* and once the source works again, new ones */
	process_output(json, "AKIASECOND", 3600);
	assert_int_equal(aws_client_credentials(c, &cr, &e), 0);
	assert_string_equal(cr.access_key_id, "AKIASECOND");
	aws_creds_cleanup(&cr);
	aws_client_free(c);
	free(json);
	free(count);
	free(text);
	free(p);
}

static void test_client_settings_checked(void **state)
{
	struct aws_client_options o = {0};
	struct aws_client *c = NULL;
	struct aws_error e;
	(void)state;
	assert_int_equal(aws_client_new(&o, &c, &e), -1);
	assert_string_equal(e.code, "NoRegion");
	o.region = "Not A Region";
	assert_int_equal(aws_client_new(&o, &c, &e), -1);
	assert_string_equal(e.code, "InvalidRegion");
	o.region = "eu-west-1";
	setenv("AWS_MAX_ATTEMPTS", "zero", 1);
	assert_int_equal(aws_client_new(&o, &c, &e), -1);
	assert_non_null(strstr(e.message, "AWS_MAX_ATTEMPTS"));
	unsetenv("AWS_MAX_ATTEMPTS");
	setenv("EBCTL_CONNECT_TIMEOUT", "5s", 1);
	assert_int_equal(aws_client_new(&o, &c, &e), -1);
	assert_non_null(strstr(e.message, "EBCTL_CONNECT_TIMEOUT"));
	unsetenv("EBCTL_CONNECT_TIMEOUT");
	setenv("AWS_CA_BUNDLE", "/nonexistent/ca.pem", 1);
	assert_int_equal(aws_client_new(&o, &c, &e), -1);
	assert_non_null(strstr(e.message, "AWS_CA_BUNDLE"));
	unsetenv("AWS_CA_BUNDLE");
	assert_int_equal(aws_client_new(&o, &c, &e), 0);
	assert_string_equal(aws_client_region(c), "eu-west-1");
	aws_client_free(c);
}

/* AWS_CONTAINER_CREDENTIALS_FULL_URI was checked by prefix: "http://127."
 * let http://127.attacker.invalid/ have the container's token. */
static void test_container_url_hosts(void **state)
{
	static const char *const ok[] = {
	    "https://creds.example.com/v1",
	    "HTTPS://anywhere.invalid:8443/x",
	    "http://127.0.0.1/creds",
	    "http://127.0.0.1:51679/creds",
	    "http://127.254.1.9/",
	    "http://127.1/",      /* curl reads it as 127.0.0.1 */
	    "http://2130706433/", /* and this */
	    "http://localhost/",
	    "http://LocalHost:8080/v2",
	    "http://[::1]:8080/",
	    "http://[0:0:0:0:0:0:0:1]/",
	    "http://169.254.170.2/v2/credentials/x",
	    "http://169.254.170.2:80/",
	    "http://169.254.170.23/v1/credentials",
	    "http://[fd00:ec2::23]/v1/credentials",
	    "http://[fd00:0ec2:0::23]:80/",
	    "http://user@127.0.0.1/",
	};
	static const struct {
		const char *url, *why;
	} refused[] = {
	    {"http://127.attacker.invalid/", "'127.attacker.invalid'"},
	    {"http://127.0.0.1.nip.io/", "'127.0.0.1.nip.io'"},
	    {"http://127.0.0.1@attacker.invalid/", "'attacker.invalid'"},
	    {"http://127.0.0.1%2f@attacker.invalid/", "'attacker.invalid'"},
	    {"http://localhost.attacker.invalid/", "'localhost.attacker.invalid'"},
	    {"http://localhost./", "'localhost.'"},
	    {"http://169.254.170.2.attacker.invalid/", "'169.254.170.2.attacker.invalid'"},
	    {"http://169.254.170.3/", "'169.254.170.3'"},
	    {"http://169.254.169.254/", "'169.254.169.254'"},
	    {"http://128.0.0.1/", "'128.0.0.1'"},
	    {"http://[::2]/", "'[::2]'"},
	    {"http://[::ffff:127.0.0.1]/", "'[::ffff:127.0.0.1]'"},
	    {"http://[fd00:ec2::24]/", "'[fd00:ec2::24]'"},
	    {"http://example.com/", "'example.com'"},
	    {"ftp://127.0.0.1/", "the scheme is 'ftp'"},
	    {"127.0.0.1/creds", "not a URL"},
	    {"", "not a URL"},
	};
	char why[200];
	size_t i;
	(void)state;
	for (i = 0; i < EBCTL_ARRAY_LEN(ok); i++) {
		why[0] = '\0';
		if (!aws_container_url_ok(ok[i], why, sizeof(why)))
			fail_msg("'%s' refused: %s", ok[i], why);
	}
	for (i = 0; i < EBCTL_ARRAY_LEN(refused); i++) {
		why[0] = '\0';
		if (aws_container_url_ok(refused[i].url, why, sizeof(why)))
			fail_msg("'%s' accepted", refused[i].url);
		if (!strstr(why, refused[i].why))
			fail_msg("'%s': '%s', wanted '%s'", refused[i].url, why, refused[i].why);
	}
	/* the user info is never in the message */
	assert_false(aws_container_url_ok("http://me:s3cret@attacker.invalid/", why, sizeof(why)));
	assert_null(strstr(why, "s3cret"));
}

static void test_params(void **state)
{
	struct aws_params p = {0};
	(void)state;
	aws_params_add(&p, "A", "1");
	aws_params_addf(&p, "v", "OptionSettings.member.%zu.Value", (size_t)12);
	assert_string_equal(aws_params_get(&p, "OptionSettings.member.12.Value"), "v");
	assert_null(aws_params_get(&p, "B"));
	aws_params_cleanup(&p);
	assert_int_equal(p.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_query_error_parsed),
	    cmocka_unit_test(test_s3_error_parsed),
	    cmocka_unit_test(test_json_error_parsed),
	    cmocka_unit_test(test_bad_xml_is_no_error),
	    cmocka_unit_test(test_xml_refuses_dtd_and_entities),
	    cmocka_unit_test(test_xml_helpers),
	    cmocka_unit_test(test_endpoints_per_partition),
	    cmocka_unit_test(test_endpoint_overrides),
	    cmocka_unit_test(test_endpoint_rejects_bad_region),
	    cmocka_unit_test(test_s3_virtual_host_rules),
	    cmocka_unit_test(test_retry_classification),
	    cmocka_unit_test(test_backoff_bounds),
	    cmocka_unit_test(test_skew_codes),
	    cmocka_unit_test(test_pacer_free_until_throttled),
	    cmocka_unit_test(test_pacer_converges),
	    cmocka_unit_test(test_skew_from_date),
	    cmocka_unit_test(test_error_format),
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_container_url_hosts),
	    cmocka_unit_test(test_sso_cache_keys),
	};
	const struct CMUnitTest creds[] = {
	    cmocka_unit_test(test_environment_first),
	    cmocka_unit_test(test_profiles),
	    cmocka_unit_test(test_credential_process_json),
	    cmocka_unit_test(test_broken_profiles_say_why),
	    cmocka_unit_test(test_long_lines),
	    cmocka_unit_test(test_long_lines_keep_line_numbers),
	    cmocka_unit_test(test_long_profile_names),
	    cmocka_unit_test(test_no_credentials_anywhere),
	    cmocka_unit_test(test_failed_refresh_keeps_valid_credentials),
	    cmocka_unit_test(test_client_settings_checked),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	return rc + cmocka_run_group_tests(creds, creds_setup, creds_teardown);
}
