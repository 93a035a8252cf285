/*
 * Retries, clock skew, dropped connections and --debug redaction, against
 * tests/fakes/faulty_server.py (a real HTTP server that misbehaves on cue);
 * every case asserts how many requests reached the server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aws/internal.h"
#include "ebctl/eb.h"
#include "ebctl/s3.h"
#include "fakes.h"

static struct fake faulty;
static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLERETRY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "retry-secret-must-never-be-printed", 1);
	setenv("AWS_SESSION_TOKEN", "retry-session-token-must-never-be-printed", 1);
	setenv("AWS_REGION", "us-east-1", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	setenv("EBCTL_RETRY_BASE_MS", "1", 1);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_MAX_ATTEMPTS");
	if (fake_start(&faulty, "faulty_server.py", NULL) != 0)
		return -1;
	setenv("AWS_ENDPOINT_URL", getenv("FAULTY_URL"), 1);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ebctl-retry.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	fake_stop(&faulty);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct aws_client *client(int max_attempts)
{
	struct aws_client_options o = {0};
	struct aws_client *c = NULL;
	struct aws_error err;
	o.max_attempts = max_attempts;
	assert_int_equal(aws_client_new(&o, &c, &err), 0);
	return c;
}

static void control(struct aws_client *c, const char *what, struct buf *out)
{
	assert_int_equal(faulty_control(c, what, out), 0);
}

static void script(struct aws_client *c, const char *steps)
{
	assert_int_equal(faulty_script(c, steps), 0);
}

static long served(struct aws_client *c)
{
	struct buf b = BUF_INIT;
	long n = -1;
	control(c, "__count", &b);
	assert_int_equal(parse_long(buf_cstr(&b), 0, 1000, &n), 0);
	buf_cleanup(&b);
	return n;
}

static int describe(struct aws_client *c, struct aws_error *err)
{
	struct eb_environments envs;
	int rc = eb_describe_environments(c, "app", NULL, 0, false, &envs, err);
	eb_environments_cleanup(&envs);
	return rc;
}

/* A call that must not run twice (CreateEnvironment). */
static int create_env(struct aws_client *c, struct aws_error *err)
{
	xmlDocPtr doc = NULL;
	int rc = aws_query(c, "elasticbeanstalk", "CreateEnvironment", NULL, AWS_NOT_IDEMPOTENT,
	                   &doc, err);
	xmlFreeDoc(doc);
	return rc;
}

static void test_throttling_is_retried(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	(void)state;
	script(c, "throttle,throttle,ok");
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(served(c), 3);
	aws_client_free(c);
}

static void test_5xx_gives_up_after_max_attempts(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	(void)state;
	script(c, "500,503,502,ok");
	assert_int_equal(describe(c, &err), -1);
	assert_int_equal(err.http_status, 502);
	assert_string_equal(err.code, "InternalError");
	assert_int_equal(err.attempts, 3);
	assert_false(err.network);
	assert_int_equal(served(c), 3);
	aws_client_free(c);
}

static void test_max_attempts_from_environment(void **state)
{
	struct aws_client *c;
	struct aws_error err;
	(void)state;
	setenv("AWS_MAX_ATTEMPTS", "5", 1);
	c = client(0);
	unsetenv("AWS_MAX_ATTEMPTS");
	script(c, "504,500,throttle,slowdown,ok");
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(served(c), 5);
	aws_client_free(c);
}

/* The standard mode's default: three attempts in all. */
static void test_three_attempts_by_default(void **state)
{
	struct aws_client *c;
	struct aws_error err;
	(void)state;
	unsetenv("AWS_MAX_ATTEMPTS");
	c = client(0);
	script(c, "500,503,504,ok");
	assert_int_equal(describe(c, &err), -1);
	assert_int_equal(err.http_status, 504);
	assert_int_equal(err.attempts, 3);
	assert_int_equal(served(c), 3);
	aws_client_free(c);
}

/* Calls on one client share one connection (keep-alive), retries included. */
static void test_connection_reused(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	struct buf last = BUF_INIT;
	(void)state;
	script(c, "ok,500,ok,ok");
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(served(c), 4);
	control(c, "__last", &last);
	assert_non_null(strstr(buf_cstr(&last), "connections=1"));
	buf_cleanup(&last);
	aws_client_free(c);
}

static void test_access_denied_is_not_retried(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	char msg[1200];
	(void)state;
	script(c, "denied");
	assert_int_equal(describe(c, &err), -1);
	assert_int_equal(err.http_status, 403);
	assert_string_equal(err.code, "AccessDenied");
	assert_string_equal(err.request_id, "err-1");
	assert_string_equal(err.step, "elasticbeanstalk DescribeEnvironments");
	aws_error_format(&err, msg, sizeof(msg));
	assert_string_equal(
	    msg, "elasticbeanstalk DescribeEnvironments: AccessDenied: User is not authorized "
	         "(HTTP 403, request id err-1)");
	assert_int_equal(served(c), 1);
	aws_client_free(c);
}

static void test_dropped_connection_retried_when_idempotent(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	(void)state;
	script(c, "drop,ok");
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(served(c), 2);
	aws_client_free(c);
}

static void test_dropped_connection_not_resent_when_not_idempotent(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	(void)state;
	script(c, "drop,ok");
	assert_int_equal(create_env(c, &err), -1);
	assert_true(err.network);
	assert_true(err.unknown_outcome);
	assert_int_equal(served(c), 1);
	aws_client_free(c);
}

static void test_create_version_checks_before_resending(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	struct eb_create_version cv = {"app", "v1", "desc", "bucket", "app/abc.zip", false, false};
	(void)state;
	/* create (dropped), describe (finds nothing), create again (ok) */
	script(c, "drop,ok,ok");
	assert_int_equal(eb_create_application_version(c, &cv, NULL, &err), 0);
	assert_int_equal(served(c), 3);
	aws_client_free(c);
}

/* A gateway's 504 or a service's 500 may come after the call took effect:
 * a call that must not run twice is not resent blindly. */
static void test_server_error_not_resent_when_not_idempotent(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	(void)state;
	script(c, "504,ok");
	assert_int_equal(create_env(c, &err), -1);
	assert_false(err.network);
	assert_int_equal(err.http_status, 504);
	assert_true(err.unknown_outcome);
	assert_int_equal(served(c), 1);
	aws_client_free(c);
}

/* Throttling and 503 refuse the call: resending it is safe. */
static void test_refusals_resent_when_not_idempotent(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	(void)state;
	script(c, "throttle,503,ok");
	assert_int_equal(create_env(c, &err), 0);
	assert_int_equal(served(c), 3);
	aws_client_free(c);
}

/* UpdateEnvironment after a 500: the environment is still Ready, so the
 * update did not start and goes out again; after a 504 with the
 * environment Updating, it may have started: no second update. */
static void test_update_checks_after_server_error(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	struct eb_update u = {"app", "env", "v1", NULL, NULL, NULL};
	char *rid = NULL;
	(void)state;
	script(c, "500,file:describe-environments-ready.xml,file:update-environment.xml");
	assert_int_equal(eb_update_environment(c, &u, &rid, &err), 0);
	assert_int_equal(served(c), 3);
	free(rid);
	rid = NULL;

	script(c, "504,file:describe-environments.xml,ok");
	assert_int_equal(eb_update_environment(c, &u, &rid, &err), -1);
	assert_true(err.unknown_outcome);
	assert_non_null(strstr(err.message, "is no longer Ready: the update may have started"));
	assert_int_equal(served(c), 2);
	assert_null(rid);
	aws_client_free(c);
}

static void test_skew_corrected_once(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	struct buf last = BUF_INIT;
	int64_t t;
	(void)state;
	script(c, "skew,ok");
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(served(c), 2);
	/* the retry was signed with the server's clock: two hours ahead */
	control(c, "__last", &last);
	assert_true(str_starts_with(buf_cstr(&last), "x-amz-date="));
	assert_true(last.len >= 11 + 16);
	last.ptr[11 + 16] = '\0';
	t = time_parse_amz(last.ptr + 11);
	assert_true(t - time_now() > 7000 && t - time_now() < 7400);
	buf_cleanup(&last);
	aws_client_free(c);
}

static void test_skew_not_corrected_twice(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	(void)state;
	script(c, "skew,skew,ok");
	assert_int_equal(describe(c, &err), -1);
	assert_string_equal(err.code, "RequestTimeTooSkewed");
	assert_int_equal(served(c), 2);
	aws_client_free(c);
}

static void test_json_throttling_is_retried(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	json_t *out = NULL;
	(void)state;
	script(c, "throttle,ok");
	assert_int_equal(aws_json(c, "logs", "Logs_20140328.DescribeLogGroups", NULL, &out, &err),
	                 0);
	assert_true(json_is_object(out));
	json_decref(out);
	assert_int_equal(served(c), 2);
	script(c, "throttle,throttle,throttle");
	assert_int_equal(aws_json(c, "logs", "Logs_20140328.DescribeLogGroups", NULL, &out, &err),
	                 -1);
	assert_string_equal(err.code, "ThrottlingException");
	assert_int_equal(served(c), 3);
	aws_client_free(c);
}

static void test_debug_output_is_redacted(void **state)
{
	struct aws_client *c = client(1);
	struct aws_error err;
	struct buf log = BUF_INIT;
	struct capture cap;
	(void)state;
	script(c, "ok");
	capture_start(&cap);
	ebctl_debug = true;
	assert_int_equal(describe(c, &err), 0);
	ebctl_debug = false;
	capture_stop(&cap, &log);
	assert_non_null(strstr(buf_cstr(&log), "> POST / HTTP/1.1"));
	assert_non_null(strstr(buf_cstr(&log), "< HTTP/1.1 200"));
	assert_non_null(strstr(buf_cstr(&log), "Signature=<redacted>"));
	assert_non_null(strstr(buf_cstr(&log), "X-Amz-Security-Token: <redacted>"));
	assert_non_null(strstr(buf_cstr(&log), "User-Agent: ebctl/"));
	assert_null(strstr(buf_cstr(&log), "retry-session-token-must-never-be-printed"));
	assert_null(strstr(buf_cstr(&log), "retry-secret-must-never-be-printed"));
	buf_cleanup(&log);
	aws_client_free(c);
}

static void test_dup_shares_settings_and_credentials(void **state)
{
	struct aws_client *c = client(2), *d;
	struct aws_creds cr = {0};
	struct aws_error err;
	(void)state;
	assert_int_equal(aws_client_credentials(c, NULL, &err), 0);
	d = aws_client_dup(c);
	aws_client_free(c);
	assert_string_equal(aws_client_region(d), "us-east-1");
	assert_int_equal(aws_client_credentials(d, &cr, &err), 0);
	assert_string_equal(cr.access_key_id, "AKIDEXAMPLERETRY");
	aws_creds_cleanup(&cr);
	script(d, "500,500,ok");
	assert_int_equal(describe(d, &err), -1);
	assert_int_equal(err.attempts, 2);
	aws_client_free(d);
}

static void test_retry_quota(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	(void)state;
	/* nearly empty: one retry left in the bucket */
	script(c, "500,500,ok");
	c->retry_tokens = 7;
	assert_int_equal(describe(c, &err), -1);
	assert_int_equal(err.attempts, 2);
	assert_int_equal(c->retry_tokens, 2);
	/* a success after retries gives their cost back, one without adds 1 */
	script(c, "500,ok");
	c->retry_tokens = 10;
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(c->retry_tokens, 10);
	script(c, "ok");
	c->retry_tokens = 10;
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(c->retry_tokens, 11);
	assert_int_equal(served(c), 1);
	aws_client_free(c);
}

static void test_interrupted_call_stops(void **state)
{
	static volatile sig_atomic_t stop;
	struct aws_client_options o = {0};
	struct aws_client *c = NULL;
	struct aws_error err;
	(void)state;
	o.interrupted = &stop;
	assert_int_equal(aws_client_new(&o, &c, &err), 0);
	script(c, "500,500,500");
	stop = 1;
	assert_int_equal(describe(c, &err), -1);
	assert_true(err.interrupted);
	assert_int_equal(aws_error_status(&err), EBCTL_ERR_INTERRUPTED);
	stop = 0;
	assert_int_equal(served(c), 0);
	aws_client_free(c);
}

static void test_read_timeout(void **state)
{
	struct aws_client *c;
	struct aws_error err;
	(void)state;
	setenv("EBCTL_READ_TIMEOUT", "1", 1);
	c = client(1);
	unsetenv("EBCTL_READ_TIMEOUT");
	script(c, "hang");
	assert_int_equal(describe(c, &err), -1);
	assert_true(err.network);
	assert_non_null(strstr(err.message, "no data for 1 s"));
	assert_string_equal(err.code, "NetworkError");
	assert_int_equal(err.attempts, 1);
	aws_client_free(c);
}

static void test_proxy_and_no_proxy_from_environment(void **state)
{
	struct aws_client *c = client(1);
	struct aws_error err;
	(void)state;
	script(c, "ok,ok");
	/* a proxy that refuses everything: NO_PROXY exempts the server */
	setenv("http_proxy", "http://127.0.0.1:9", 1);
	setenv("NO_PROXY", "127.0.0.1", 1);
	assert_int_equal(describe(c, &err), 0);
	unsetenv("NO_PROXY");
	assert_int_equal(describe(c, &err), -1);
	assert_true(err.network);
	unsetenv("http_proxy");
	assert_int_equal(served(c), 1);
	aws_client_free(c);
}

/* ---- an expired session token ---- */

/* The keys of the environment: tests that take theirs elsewhere put them back. */
static void env_keys_back(void)
{
	setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLERETRY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "retry-secret-must-never-be-printed", 1);
	setenv("AWS_SESSION_TOKEN", "retry-session-token-must-never-be-printed", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
	unsetenv("AWS_PROFILE");
}

/* Credentials from profile 'proc': a credential_process that counts its
 * runs and signs as AKIAPROC<run>, or fails while tmpdir/fail exists.
 * They expire in 2099: only an ExpiredToken answer renews them. */
static struct aws_client *process_client(int max_attempts)
{
	char *text, *conf;
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	text =
	    xasprintf("[profile proc]\ncredential_process = sh -c 'n=$(($(cat %s/runs 2>/dev/null "
	              "|| echo 0) + 1)); echo $n > %s/runs; test -e %s/fail && exit 4; printf "
	              "\"{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"AKIAPROC%%s\\\", "
	              "\\\"SecretAccessKey\\\": \\\"s\\\", \\\"SessionToken\\\": \\\"t\\\", "
	              "\\\"Expiration\\\": \\\"2099-01-01T00:00:00Z\\\"}\" $n'\n\n"
	              "[profile static]\naws_access_key_id = AKIASTATIC\naws_secret_access_key = "
	              "s\naws_session_token = t\n",
	              tmpdir, tmpdir, tmpdir);
	conf = write_text_in(tmpdir, "config", text);
	setenv("AWS_CONFIG_FILE", conf, 1);
	setenv("AWS_PROFILE", "proc", 1);
	free(text);
	free(conf);
	free(write_text_in(tmpdir, "runs", "0\n"));
	return client(max_attempts);
}

static long process_runs(void)
{
	struct buf b = BUF_INIT;
	char *path = xasprintf("%s/runs", tmpdir);
	long n = -1;
	assert_int_equal(buf_read_file(&b, path, 0), 0);
	assert_int_equal(parse_long(buf_cstr(&b) ? strtok(b.ptr, "\n") : "", 0, 1000, &n), 0);
	buf_cleanup(&b);
	free(path);
	return n;
}

static void expect_signed_by(struct aws_client *c, const char *akid)
{
	struct buf b = BUF_INIT;
	char *want = xasprintf("akid=%s\n", akid);
	control(c, "__last", &b);
	if (!strstr(buf_cstr(&b), want))
		fail_msg("the last request: %s; wanted %s", buf_cstr(&b), want);
	free(want);
	buf_cleanup(&b);
}

/* Static keys cannot be refreshed: say so, where they came from, exit 3. */
static void test_expired_token_with_static_keys(void **state)
{
	struct aws_client *c = client(3);
	struct aws_error err;
	(void)state;
	script(c, "expired,ok");
	assert_int_equal(describe(c, &err), -1);
	assert_string_equal(err.code, "ExpiredToken");
	assert_int_equal(err.http_status, 400);
	assert_non_null(strstr(
	    err.message, "the session token has expired (credentials from the environment "
	                 "(AWS_SESSION_TOKEN), which ebctl cannot refresh: get new ones): The "
	                 "security token included in the request is expired"));
	assert_int_equal(aws_error_status(&err), EBCTL_ERR_AWS);
	assert_int_equal(served(c), 1);
	aws_client_free(c);
	aws_client_free(process_client(3)); /* writes the profiles */
	setenv("AWS_PROFILE", "static", 1);
	c = client(3);
	script(c, "expired,ok");
	assert_int_equal(describe(c, &err), -1);
	assert_non_null(strstr(err.message, "(credentials from profile 'static', which ebctl "
	                                    "cannot refresh: get new ones)"));
	assert_int_equal(served(c), 1);
	aws_client_free(c);
	env_keys_back();
}

/* Refreshable credentials: new ones from the chain, then the same request again. */
static void test_expired_token_renews_credentials_once(void **state)
{
	struct aws_client *c = process_client(3);
	struct aws_error err;
	json_t *out = NULL;
	char *fail = xasprintf("%s/fail", tmpdir);
	(void)state;
	script(c, "expired,ok");
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(served(c), 2);
	assert_int_equal(process_runs(), 2);
	expect_signed_by(c, "AKIAPROC2");
	/* the renewed attempt is not counted: a throttle after it is still retried */
	script(c, "expired,throttle,throttle,ok");
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(process_runs(), 3);
	expect_signed_by(c, "AKIAPROC3");
	/* once per request: the same answer again is the error */
	script(c, "expired,expired,ok");
	assert_int_equal(describe(c, &err), -1);
	assert_string_equal(err.code, "ExpiredToken");
	assert_non_null(strstr(err.message, "(even with new credentials from credential_process "
	                                    "of profile 'proc')"));
	assert_int_equal(served(c), 2);
	assert_int_equal(process_runs(), 4);
	/* JSON services answer ExpiredTokenException */
	script(c, "expired,ok");
	assert_int_equal(aws_json(c, "logs", "Logs_20140328.DescribeLogGroups", NULL, &out, &err),
	                 0);
	json_decref(out);
	assert_int_equal(process_runs(), 5);
	expect_signed_by(c, "AKIAPROC5");
	/* RequestExpired is a skewed clock, not a token: nothing renewed */
	script(c, "ok");
	assert_int_equal(describe(c, &err), 0);
	assert_int_equal(process_runs(), 5);
	assert_false(aws_expired_token_code("RequestExpired"));
	/* the chain fails: both reasons are given */
	free(write_text_in(tmpdir, "fail", ""));
	script(c, "expired,ok");
	assert_int_equal(describe(c, &err), -1);
	assert_non_null(strstr(err.message,
	                       "the session token has expired (credentials from credential_process "
	                       "of profile 'proc') and new ones could not be had: "));
	assert_non_null(strstr(err.message, "status 4"));
	assert_int_equal(served(c), 1);
	unlink(fail);
	free(fail);
	aws_client_free(c);
	env_keys_back();
}

/* Transfers signed with the same credentials (parallel parts) renew them
 * once: a later one finds them renewed and is only sent again. */
static void test_expired_token_renewed_once_for_all(void **state)
{
	struct aws_client *c = process_client(3);
	struct aws_request req;
	struct aws_xfer x;
	struct aws_error err;
	unsigned gen;
	(void)state;
	assert_int_equal(aws_client_credentials(c, NULL, &err), 0);
	assert_int_equal(process_runs(), 1);
	aws_request_init(&req, "GET", "s3", "s3 UploadPart");
	memset(&x, 0, sizeof(x));
	x.req = &req;
	x.signed_request = true;
	x.creds_gen = gen = c->creds_gen;
	assert_int_equal(aws_client_renew_expired(c, &x, &err), 0);
	assert_int_equal(process_runs(), 2);
	assert_int_equal(c->creds_gen, gen + 1);
	/* the second part signed with the old ones */
	assert_int_equal(aws_client_renew_expired(c, &x, &err), 0);
	assert_int_equal(process_runs(), 2);
	assert_int_equal(c->creds_gen, gen + 1);
	aws_request_cleanup(&req);
	aws_client_free(c);
	env_keys_back();
}

/* A multipart upload's part answered ExpiredToken is sent again, signed anew. */
static void test_expired_token_in_a_multipart_upload(void **state)
{
	struct aws_client *c = process_client(3);
	struct s3_put_result res;
	struct aws_error err;
	char msg[1200], *path = write_text_in(tmpdir, "part", "one part of a multipart upload\n");
	(void)state;
	script(
	    c,
	    "file:initiate-multipart-upload.xml,expired,etag,file:complete-multipart-upload.xml");
	if (s3_multipart_upload_file(c, "bucket", "key", path, NULL, &res, &err) != 0)
		fail_msg("%s", aws_error_format(&err, msg, sizeof(msg)));
	assert_true(res.multipart);
	assert_int_equal(served(c), 4);
	assert_int_equal(process_runs(), 2);
	free(path);
	aws_client_free(c);
	env_keys_back();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_throttling_is_retried),
	    cmocka_unit_test(test_5xx_gives_up_after_max_attempts),
	    cmocka_unit_test(test_max_attempts_from_environment),
	    cmocka_unit_test(test_three_attempts_by_default),
	    cmocka_unit_test(test_connection_reused),
	    cmocka_unit_test(test_access_denied_is_not_retried),
	    cmocka_unit_test(test_dropped_connection_retried_when_idempotent),
	    cmocka_unit_test(test_dropped_connection_not_resent_when_not_idempotent),
	    cmocka_unit_test(test_create_version_checks_before_resending),
	    cmocka_unit_test(test_server_error_not_resent_when_not_idempotent),
	    cmocka_unit_test(test_refusals_resent_when_not_idempotent),
	    cmocka_unit_test(test_update_checks_after_server_error),
	    cmocka_unit_test(test_skew_corrected_once),
	    cmocka_unit_test(test_skew_not_corrected_twice),
	    cmocka_unit_test(test_json_throttling_is_retried),
	    cmocka_unit_test(test_debug_output_is_redacted),
	    cmocka_unit_test(test_dup_shares_settings_and_credentials),
	    cmocka_unit_test(test_retry_quota),
	    cmocka_unit_test(test_interrupted_call_stops),
	    cmocka_unit_test(test_read_timeout),
	    cmocka_unit_test(test_proxy_and_no_proxy_from_environment),
	    cmocka_unit_test(test_expired_token_with_static_keys),
	    cmocka_unit_test(test_expired_token_renews_credentials_once),
	    cmocka_unit_test(test_expired_token_renewed_once_for_all),
	    cmocka_unit_test(test_expired_token_in_a_multipart_upload),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
