/* Unit tests for src/operate: times, --since, event de-duplication, output,
 * environment property arguments and masking, poll interval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "ebctl/env.h"
#include "ebctl/util.h"
#include "testutil.h"

static void test_iso8601_ms(void **state)
{
	char out[40];
	(void)state;
	assert_int_equal(time_parse_iso8601_ms("2024-01-02T03:04:05Z"), 1704164645000LL);
	assert_int_equal(time_parse_iso8601_ms("2024-01-02T03:04:05.1Z"), 1704164645100LL);
	assert_int_equal(time_parse_iso8601_ms("2024-01-02T03:04:05.123456Z"), 1704164645123LL);
	assert_int_equal(time_parse_iso8601_ms("2024-01-02T03:04:05.123+00:00"), 1704164645123LL);
	assert_int_equal(time_parse_iso8601_ms("2024-01-02T03:04:05.Z"), -1);
	assert_int_equal(time_parse_iso8601_ms("2024-01-02T03:04:05+02:00"), -1);
	assert_int_equal(time_parse_iso8601_ms("2024-01-02"), -1);
	assert_int_equal(time_parse_iso8601_ms(NULL), -1);
	time_format_iso8601_ms(1704164645007LL, out, sizeof(out));
	assert_string_equal(out, "2024-01-02T03:04:05.007Z");
}

static void test_since(void **state)
{
	const int64_t now = 1704164645000LL;
	int64_t t = 42;
	(void)state;
	assert_int_equal(since_parse("10m", now, &t), 0);
	assert_int_equal(t, now - 600000);
	assert_int_equal(since_parse("1h30m", now, &t), 0);
	assert_int_equal(t, now - 5400000);
	assert_int_equal(since_parse("90", now, &t), 0);
	assert_int_equal(t, now - 90000);
	assert_int_equal(since_parse("2024-01-02T00:00:00Z", now, &t), 0);
	assert_int_equal(t, 1704153600000LL);
	assert_int_equal(since_parse("2024-01-02", now, &t), 0);
	assert_int_equal(t, 1704153600000LL);
	t = 42;
	assert_int_equal(since_parse("", now, &t), -1);
	assert_int_equal(since_parse("10x", now, &t), -1);
	assert_int_equal(since_parse("-10m", now, &t), -1);
	assert_int_equal(since_parse("2030-01-01T00:00:00Z", now, &t), -1); /* future */
	assert_int_equal(since_parse("2024-13-02", now, &t), -1);
	assert_int_equal(t, 42);
}

static void test_severity_rank(void **state)
{
	(void)state;
	assert_true(severity_rank("TRACE") < severity_rank("DEBUG"));
	assert_true(severity_rank("INFO") < severity_rank("WARN"));
	assert_true(severity_rank("WARN") < severity_rank("ERROR"));
	assert_true(severity_rank("ERROR") < severity_rank("FATAL"));
	assert_int_equal(severity_rank("warn"), severity_rank("WARN"));
	assert_int_equal(severity_rank("warning"), severity_rank("WARN"));
	assert_int_equal(severity_rank("LOUD"), -1);
	assert_int_equal(severity_rank(NULL), -1);
}

#define EV(ms, msg)                                                                                \
	{                                                                                          \
		(ms), "INFO", (msg), NULL, NULL, NULL, NULL                                        \
	}

/* Feed a batch and return the reported messages joined by '|'. */
static char *feed(struct event_dedupe *d, const struct op_event *b, size_t n)
{
	size_t order[16], k, i;
	struct buf out = BUF_INIT;
	assert_true(n <= 16);
	k = event_dedupe_feed(d, b, n, order);
	for (i = 0; i < k; i++)
		buf_printf(&out, "%s%s", i ? "|" : "", b[order[i]].message);
	return buf_detach(&out, NULL);
}

static void test_dedupe_overlapping_polls(void **state)
{
	struct event_dedupe d;
	/* As DescribeEvents answers: newest first. */
	const struct op_event p1[] = {EV(3000, "c"), EV(2000, "b"), EV(1000, "a")};
	const struct op_event p2[] = {EV(5000, "e"), EV(4000, "d"), EV(3000, "c"), EV(2000, "b")};
	const struct op_event p3[] = {EV(5000, "e")};
	char *s;
	(void)state;
	event_dedupe_init(&d, INT64_MIN, 60000);
	assert_true(event_dedupe_since(&d) == INT64_MIN);
	s = feed(&d, p1, 3);
	assert_string_equal(s, "a|b|c");
	free(s);
	s = feed(&d, p2, 4);
	assert_string_equal(s, "d|e");
	free(s);
	s = feed(&d, p3, 1);
	assert_string_equal(s, "");
	free(s);
	s = feed(&d, NULL, 0);
	assert_string_equal(s, "");
	free(s);
	event_dedupe_cleanup(&d);
}

static void test_dedupe_same_millisecond(void **state)
{
	struct event_dedupe d;
	/* Two events share the newest millisecond; the second arrives a poll later. */
	const struct op_event p1[] = {EV(1000, "first at 1000"), EV(500, "x")};
	const struct op_event p2[] = {EV(1000, "second at 1000"), EV(1000, "first at 1000")};
	const struct op_event ties[] = {EV(2000, "later"), EV(2000, "earlier")};
	char *s;
	(void)state;
	event_dedupe_init(&d, INT64_MIN, 0);
	s = feed(&d, p1, 2);
	assert_string_equal(s, "x|first at 1000");
	free(s);
	/* With no window the next poll starts at the newest millisecond, inclusive. */
	assert_int_equal(event_dedupe_since(&d), 1000);
	s = feed(&d, p2, 2);
	assert_string_equal(s, "second at 1000");
	free(s);
	/* Ties keep the API's order reversed: the one listed last happened first. */
	s = feed(&d, ties, 2);
	assert_string_equal(s, "earlier|later");
	free(s);
	event_dedupe_cleanup(&d);
}

static void test_dedupe_late_event_inside_window(void **state)
{
	struct event_dedupe d;
	const struct op_event p1[] = {EV(10000, "b"), EV(1000, "a")};
	/* "late" was written after the first poll with an older time, inside the window. */
	const struct op_event p2[] = {EV(10000, "b"), EV(8000, "late")};
	/* Older than the window behind the newest: dropped, never repeated. */
	const struct op_event p3[] = {EV(20000, "c"), EV(10000, "b"), EV(1000, "a")};
	char *s;
	(void)state;
	event_dedupe_init(&d, INT64_MIN, 5000);
	s = feed(&d, p1, 2);
	assert_string_equal(s, "a|b");
	free(s);
	assert_int_equal(event_dedupe_since(&d), 5000);
	s = feed(&d, p2, 2);
	assert_string_equal(s, "late");
	free(s);
	s = feed(&d, p3, 3);
	assert_string_equal(s, "c");
	free(s);
	assert_int_equal(event_dedupe_since(&d), 15000);
	/* Only what is inside the window is remembered. */
	assert_int_equal(d.n, 1);
	event_dedupe_cleanup(&d);
}

static void test_dedupe_start_and_repeats_in_batch(void **state)
{
	struct event_dedupe d;
	const struct op_event p1[] = {EV(3000, "c"), EV(3000, "c"), EV(2000, "b"), EV(1000, "old")};
	char *s;
	(void)state;
	event_dedupe_init(&d, 2000, 1000);
	assert_int_equal(event_dedupe_since(&d), 2000);
	s = feed(&d, p1, 4);
	assert_string_equal(s, "b|c");
	free(s);
	event_dedupe_cleanup(&d);
}

static void test_dedupe_many_polls_no_gaps(void **state)
{
	/* A stream of events polled with overlaps reports each exactly once, in order. */
	struct event_dedupe d;
	struct op_event batch[8];
	char msgs[40][16];
	int next = 0, poll, i;
	size_t order[8], k, j;
	(void)state;
	for (i = 0; i < 40; i++)
		snprintf(msgs[i], sizeof(msgs[i]), "event %d", i);
	event_dedupe_init(&d, INT64_MIN, 3000);
	for (poll = 0; poll < 20; poll++) {
		/* Each poll returns up to the 8 newest events since the start time: two new ones
		 * (each 1 s apart, events 2n and 2n+1 sharing a second) plus what overlaps. */
		int newest = poll * 2 + 1, n = 0;
		int64_t since = event_dedupe_since(&d);
		for (i = newest; i >= 0 && n < 8; i--) {
			int64_t ms = (int64_t)(i / 2) * 1000 + 1000;
			if (ms < since)
				break;
			batch[n].ms = ms;
			batch[n].severity = "INFO";
			batch[n].message = msgs[i];
			batch[n].application = batch[n].environment = batch[n].version = NULL;
			batch[n].request_id = NULL;
			n++;
		}
		k = event_dedupe_feed(&d, batch, (size_t)n, order);
		for (j = 0; j < k; j++) {
			char want[32];
			snprintf(want, sizeof(want), "event %d", next++);
			assert_string_equal(batch[order[j]].message, want);
		}
	}
	assert_int_equal(next, 40);
	event_dedupe_cleanup(&d);
}

static void test_event_format(void **state)
{
	struct op_event e = {1704164645123LL, "WARN", "disk \"full\"", "app", "env", "v1", "req-1"};
	char *s;
	json_t *j;
	json_error_t err;
	(void)state;
	s = event_format(&e, OP_FORMAT_TEXT, false);
	assert_string_equal(s, "2024-01-02T03:04:05Z WARN  disk \"full\"");
	free(s);
	s = event_format(&e, OP_FORMAT_TEXT, true);
	assert_string_equal(s, "2024-01-02T03:04:05Z " COLOR_YELLOW "WARN " COLOR_RESET
	                       " disk \"full\"");
	free(s);
	e.severity = "ERROR";
	s = event_format(&e, OP_FORMAT_TEXT, true);
	assert_non_null(strstr(s, COLOR_RED "ERROR"));
	free(s);
	e.severity = "INFO";
	s = event_format(&e, OP_FORMAT_TEXT, true);
	assert_null(strchr(s, '\033'));
	free(s);
	s = event_format(&e, OP_FORMAT_JSON, true);
	assert_null(strchr(s, '\n'));
	j = json_loads(s, 0, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "time")),
	                    "2024-01-02T03:04:05.123Z");
	assert_string_equal(json_string_value(json_object_get(j, "message")), "disk \"full\"");
	assert_string_equal(json_string_value(json_object_get(j, "request_id")), "req-1");
	assert_string_equal(json_string_value(json_object_get(j, "version")), "v1");
	json_decref(j);
	free(s);
	/* Bytes that are not UTF-8 still give valid JSON. */
	e.message = "bad \xff byte";
	s = event_format(&e, OP_FORMAT_JSON, false);
	j = json_loads(s, 0, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "message")), "bad ? byte");
	json_decref(j);
	free(s);
}

static void test_envprop_parse(void **state)
{
	struct envprop p = {NULL, NULL};
	char err[256];
	(void)state;
	assert_int_equal(envprop_parse("DB_URL=postgres://u:p@h/db?a=b", &p, err, sizeof(err)), 0);
	assert_string_equal(p.key, "DB_URL");
	assert_string_equal(p.value, "postgres://u:p@h/db?a=b");
	envprop_cleanup(&p);
	assert_int_equal(envprop_parse("A==", &p, err, sizeof(err)), 0);
	assert_string_equal(p.value, "=");
	envprop_cleanup(&p);
	assert_int_equal(envprop_parse("OLD_KEY=", &p, err, sizeof(err)), 0);
	assert_string_equal(p.key, "OLD_KEY");
	assert_null(p.value);
	envprop_cleanup(&p);
	assert_int_equal(envprop_parse("aws.region:x/y+z\\w-v@u=1", &p, err, sizeof(err)), 0);
	envprop_cleanup(&p);

	assert_int_equal(envprop_parse("=value", &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty key"));
	assert_int_equal(envprop_parse("BAD KEY=v", &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid property name 'BAD KEY'"));
	assert_int_equal(envprop_parse("KEY", &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'KEY' needs a value"));
	/* An argument without '=' may be a value typed alone: never echo it. */
	assert_int_equal(envprop_parse("s3cr3t!pass", &p, err, sizeof(err)), -1);
	assert_null(strstr(err, "s3cr3t"));
	assert_null(p.key);
}

static void test_envprop_limits(void **state)
{
	struct envprop p = {NULL, NULL};
	char err[256], arg[400];
	(void)state;
	memset(arg, 'K', 128);
	strcpy(arg + 128, "=v");
	assert_int_equal(envprop_parse(arg, &p, err, sizeof(err)), 0);
	envprop_cleanup(&p);
	memset(arg, 'K', 129);
	strcpy(arg + 129, "=v");
	assert_int_equal(envprop_parse(arg, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 128"));
	strcpy(arg, "K=");
	memset(arg + 2, 'v', 256);
	arg[258] = '\0';
	assert_int_equal(envprop_parse(arg, &p, err, sizeof(err)), 0);
	envprop_cleanup(&p);
	strcpy(arg, "K=");
	memset(arg + 2, 'v', 257);
	arg[259] = '\0';
	assert_int_equal(envprop_parse(arg, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "value of 'K' is longer than 256"));
	assert_null(strstr(err, "vvv"));
}

static void test_envprop_display(void **state)
{
	(void)state;
	assert_string_equal(envprop_display("hunter2", true), "hunter2");
	assert_string_equal(envprop_display("hunter2", false), "********");
	assert_string_equal(envprop_display("a much longer secret value", false), "********");
	assert_string_equal(envprop_display("", false), "");
	assert_string_equal(envprop_display(NULL, true), "");
}

static void test_dedupe_many_at_one_time(void **state)
{
	/* Hundreds of events sharing a millisecond, fed shuffled twice: each reported once. */
	struct event_dedupe d;
	struct op_event batch[300];
	char msgs[300][16];
	size_t order[300];
	size_t i;
	(void)state;
	for (i = 0; i < 300; i++) {
		size_t k = (i * 7919) % 300; /* a permutation of 0..299 */
		snprintf(msgs[k], sizeof(msgs[k]), "m%zu", k);
		batch[i] = (struct op_event){5000, "INFO", msgs[k], NULL, NULL, NULL, NULL};
	}
	event_dedupe_init(&d, INT64_MIN, 1000);
	assert_int_equal(event_dedupe_feed(&d, batch, 300, order), 300);
	assert_int_equal(event_dedupe_feed(&d, batch, 300, order), 0);
	assert_int_equal(event_dedupe_feed(&d, batch, 150, order), 0);
	for (i = 1; i < d.n; i++)
		assert_true(strcmp(d.seen[i - 1].message, d.seen[i].message) < 0);
	event_dedupe_cleanup(&d);
}

/* Write a zip with the given names (a trailing '/' makes a directory). */
static void make_zip(const char *path, const char *const *names, size_t n)
{
	zip_t *za;
	size_t i;
	int zerr;
	unlink(path);
	za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	assert_non_null(za);
	for (i = 0; i < n; i++) {
		if (str_ends_with(names[i], "/")) {
			assert_true(zip_dir_add(za, names[i], ZIP_FL_ENC_UTF_8) >= 0);
		} else {
			zip_source_t *src = zip_source_buffer(za, names[i], strlen(names[i]), 0);
			assert_true(zip_file_add(za, names[i], src, ZIP_FL_ENC_UTF_8) >= 0);
		}
	}
	assert_int_equal(zip_close(za), 0);
}

static void test_unzip(void **state)
{
	char dir[] = "/tmp/ebctl-unzip.XXXXXX", zip[128], out[160], path[256];
	struct said said = {0};
	struct msgsink sink = {said_keep, &said};
	const char *good[] = {"var/", "var/log/eb-engine.log", "docker.log"};
	const char *evil[] = {"ok.txt", "../escaped.txt"};
	const char *abs[] = {"/tmp/absolute.txt"};
	struct buf b = BUF_INIT;
	struct stat st;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(zip, sizeof(zip), "%s/logs.zip", dir);
	snprintf(out, sizeof(out), "%s/a/b/i-1", dir);
	make_zip(zip, good, 3);
	assert_int_equal(op_unzip_limited(zip, out, NULL, &sink), 0);
	assert_int_equal(said.n, 0);
	snprintf(path, sizeof(path), "%s/var/log/eb-engine.log", out);
	assert_int_equal(buf_read_file(&b, path, 0), 0);
	assert_string_equal(buf_cstr(&b), "var/log/eb-engine.log");
	buf_cleanup(&b);

	make_zip(zip, evil, 2);
	snprintf(out, sizeof(out), "%s/evil/x", dir);
	assert_int_equal(op_unzip_limited(zip, out, NULL, &sink), EBCTL_ERR_INVALID);
	assert_int_equal(said.n, 1);
	assert_int_equal(said.level[0], MSG_ERROR);
	assert_non_null(strstr(said.text[0], "'../escaped.txt'"));
	snprintf(path, sizeof(path), "%s/evil/escaped.txt", dir);
	assert_int_not_equal(stat(path, &st), 0);

	make_zip(zip, abs, 1);
	assert_int_equal(op_unzip_limited(zip, out, NULL, &sink), EBCTL_ERR_INVALID);
	assert_non_null(strstr(said.text[1], "outside"));

	snprintf(path, sizeof(path), "%s/missing.zip", dir);
	assert_int_equal(op_unzip_limited(path, out, NULL, &sink), EBCTL_ERR_INVALID);
	assert_non_null(strstr(said.text[2], "cannot open"));
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

static void test_poll_interval(void **state)
{
	(void)state;
	unsetenv("EBCTL_POLL_MS");
	assert_int_equal(poll_interval_ms(5000), 5000);
	setenv("EBCTL_POLL_MS", "50", 1);
	assert_int_equal(poll_interval_ms(5000), 50);
	setenv("EBCTL_POLL_MS", "0", 1);
	assert_int_equal(poll_interval_ms(5000), 5000);
	setenv("EBCTL_POLL_MS", "fast", 1);
	assert_int_equal(poll_interval_ms(5000), 5000);
	unsetenv("EBCTL_POLL_MS");
	assert_int_equal(interrupt_sleep_ms(1, -1), SLEEP_DONE);
	assert_false(interrupt_requested());
}

/* A follower notices that its reader has gone without writing: the sleep
 * ends at once, not at the next poll. */
static void test_sleep_sees_closed_output(void **state)
{
	int fds[2];
	int64_t t0;
	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_false(output_closed(fds[1]));
	t0 = time_mono_ms();
	assert_int_equal(interrupt_sleep_ms(150, fds[1]), SLEEP_DONE);
	assert_true(time_mono_ms() - t0 >= 140);
	close(fds[0]);
	assert_true(output_closed(fds[1]));
	t0 = time_mono_ms();
	assert_int_equal(interrupt_sleep_ms(5000, fds[1]), SLEEP_OUTPUT_CLOSED);
	assert_true(time_mono_ms() - t0 < 1000);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_iso8601_ms),
	    cmocka_unit_test(test_since),
	    cmocka_unit_test(test_severity_rank),
	    cmocka_unit_test(test_dedupe_overlapping_polls),
	    cmocka_unit_test(test_dedupe_same_millisecond),
	    cmocka_unit_test(test_dedupe_late_event_inside_window),
	    cmocka_unit_test(test_dedupe_start_and_repeats_in_batch),
	    cmocka_unit_test(test_dedupe_many_polls_no_gaps),
	    cmocka_unit_test(test_event_format),
	    cmocka_unit_test(test_envprop_parse),
	    cmocka_unit_test(test_envprop_limits),
	    cmocka_unit_test(test_envprop_display),
	    cmocka_unit_test(test_dedupe_many_at_one_time),
	    cmocka_unit_test(test_unzip),
	    cmocka_unit_test(test_poll_interval),
	    cmocka_unit_test(test_sleep_sees_closed_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
