/* Unit tests for src/util: buffers, strict parsing, durations, time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ebctl/util.h"
#include "testutil.h"

static void test_buf_grows_and_terminates(void **state)
{
	struct buf b = BUF_INIT;
	int i;
	(void)state;
	assert_string_equal(buf_cstr(&b), "");
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%d,", i), 0);
	assert_int_equal(b.ptr[b.len], '\0');
	assert_true(str_starts_with(b.ptr, "0,1,2,"));
	assert_true(str_ends_with(b.ptr, "998,999,"));
	buf_cleanup(&b);
}

static void test_buf_max_frees_on_overflow(void **state)
{
	struct buf b;
	(void)state;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_int_equal(buf_puts(&b, "9"), -1);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
}

static void test_buf_detach(void **state)
{
	struct buf b = BUF_INIT;
	size_t n;
	char *s;
	(void)state;
	s = buf_detach(&b, &n);
	assert_string_equal(s, "");
	assert_int_equal(n, 0);
	free(s);
	buf_puts(&b, "abc");
	s = buf_detach(&b, &n);
	assert_string_equal(s, "abc");
	assert_int_equal(n, 3);
	assert_null(b.ptr);
	free(s);
}

static void test_parse_ulong_strict(void **state)
{
	unsigned long v = 42;
	(void)state;
	assert_int_equal(parse_ulong("65535", 1, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(parse_ulong("65536", 1, 65535, &v), -1);
	assert_int_equal(parse_ulong("0", 1, 65535, &v), -1);
	assert_int_equal(parse_ulong("12x", 0, 100, &v), -1);
	assert_int_equal(parse_ulong("", 0, 100, &v), -1);
	assert_int_equal(parse_ulong("-1", 0, 100, &v), -1);
	assert_int_equal(parse_ulong(" 1", 0, 100, &v), -1);
	assert_int_equal(parse_ulong("99999999999999999999999", 0, (unsigned long)-1, &v), -1);
	assert_int_equal(v, 65535);
}

static void test_parse_duration(void **state)
{
	unsigned long s = 0;
	(void)state;
	assert_int_equal(parse_duration("90s", &s), 0);
	assert_int_equal(s, 90);
	assert_int_equal(parse_duration("20m", &s), 0);
	assert_int_equal(s, 1200);
	assert_int_equal(parse_duration("1h", &s), 0);
	assert_int_equal(s, 3600);
	assert_int_equal(parse_duration("1h30m", &s), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(parse_duration("45", &s), 0);
	assert_int_equal(s, 45);
	assert_int_equal(parse_duration("1h30", &s), -1);
	assert_int_equal(parse_duration("m", &s), -1);
	assert_int_equal(parse_duration("10x", &s), -1);
	assert_int_equal(parse_duration("", &s), -1);
	assert_int_equal(parse_duration("99999999999999999999h", &s), -1);
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(str_edit_distance("portMapping", "portMappings", 3), 1);
	assert_int_equal(str_edit_distance("containerDefintions", "containerDefinitions", 3), 1);
	assert_int_equal(str_edit_distance("abc", "xyzxyz", 2), 3);
	assert_int_equal(str_edit_distance("Memory", "memory", 2), 0);
}

static void test_utf8_valid(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain", "plain"},
	    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3",
	     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"},
	    {"a\xff"
	     "b",
	     "a\xef\xbf\xbd"
	     "b"},
	    {"\xc3", "\xef\xbf\xbd"},                                 /* cut short */
	    {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},                 /* overlong */
	    {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* a surrogate */
	    {"\xf4\x90\x80\x80x", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx"},
	    {"", ""},
	};
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = str_utf8_valid(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static void test_str_utf8_len(void **state)
{
	size_t cut;
	(void)state;
	assert_int_equal(str_utf8_len("", 0, NULL), 0);
	assert_int_equal(str_utf8_len("abc", 0, NULL), 3);
	assert_int_equal(str_utf8_len("\xc3\xa9t\xc3\xa9", 0, NULL), 3);
	assert_int_equal(str_utf8_len("a\xff", 0, NULL), -1);
	assert_int_equal(str_utf8_len("\xed\xa0\x80", 0, NULL), -1); /* a surrogate */
	assert_int_equal(str_utf8_len("\xc3\xa9\xc3\xa9\xc3\xa9", 2, &cut), 3);
	assert_int_equal(cut, 4);
	assert_int_equal(str_utf8_len("ab", 5, &cut), 2);
	assert_int_equal(cut, 2);
}

static void test_page_follow(void **state)
{
	int pages = 0;
	(void)state;
	assert_true(page_follow(NULL, "t1", &pages, 3));
	assert_false(page_follow("t1", "t1", &pages, 3)); /* repeated: would loop */
	assert_false(page_follow("t1", NULL, &pages, 3));
	assert_false(page_follow("t1", "", &pages, 3));
	assert_true(page_follow("t1", "t2", &pages, 3));
	assert_false(page_follow("t2", "t3", &pages, 3)); /* the third page is the last */
}

static void test_time_formats(void **state)
{
	char out[32];
	(void)state;
	assert_int_equal(time_parse_amz("20150830T123600Z"), 1440938160);
	assert_int_equal(time_parse_amz("20150830T123600"), -1);
	assert_int_equal(time_parse_amz("2015083XT123600Z"), -1);
	assert_int_equal(time_parse_iso8601("2015-08-30T12:36:00Z"), 1440938160);
	assert_int_equal(time_parse_iso8601("2015-08-30T12:36:00.123Z"), 1440938160);
	assert_int_equal(time_parse_iso8601("2015-13-30T12:36:00Z"), -1);
	time_format_iso8601(1440938160, out, sizeof(out));
	assert_string_equal(out, "2015-08-30T12:36:00Z");
	time_format_rfc2822(1440938160, out);
	assert_string_equal(out, "Sun, 30 Aug 2015 12:36:00 -0000");
	time_format_rfc2822(0, out);
	assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 -0000");
}

/* time_format_amz agrees with gmtime_r + strftime: the epoch, leap days
 * (2000 is a leap year, 2100 is not), month and year ends, the last
 * second of 9999, and a stride through the whole range. */
static void test_time_format_amz(void **state)
{
	static const int64_t fixed[] = {0,          59,         86399,       86400,
	                                951782400,  951868799,  1440938160,  4107456000,
	                                4107542399, 4102444799, 253402300799};
	char got[17], want[40], http[32];
	int64_t t;
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		time_t tt = (time_t)fixed[i];
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y%m%dT%H%M%SZ", &tm);
		time_format_amz(fixed[i], got);
		assert_string_equal(got, want);
	}
	for (t = 0; t < 253402300799; t += 7777777) {
		time_t tt = (time_t)t;
		struct tm tm;
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y%m%dT%H%M%SZ", &tm);
		time_format_amz(t, got);
		assert_string_equal(got, want);
		assert_int_equal(time_parse_amz(got), t);
		strftime(want, sizeof(want), "%a, %d %b %Y %H:%M:%S -0000", &tm);
		time_format_rfc2822(t, http);
		assert_string_equal(http, want);
	}
}

/* The digest of bytes given in any cut is the digest of the whole: the
 * SHA-256 that openssl and sha256sum give, and each piece's CRC32 that of
 * the piece alone; read back from a file, the same. */
static void test_file_digest(void **state)
{
	enum { N = 100000, PIECE = 8192 };
	unsigned char *data = malloc(N);
	struct file_digest whole, cut, none, back;
	char path[] = "/tmp/ebctl-digest.XXXXXX";
	size_t i, off, step;
	FILE *f;
	int fd;
	(void)state;
	assert_non_null(data);
	for (i = 0; i < N; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	file_digest_init(&whole, PIECE);
	file_digest_update(&whole, data, N);
	file_digest_final(&whole);
	file_digest_init(&cut, PIECE);
	for (off = 0, step = 1; off < N; off += step, step = step * 3 % 20011 + 1)
		file_digest_update(&cut, data + off, off + step > N ? N - off : step);
	file_digest_final(&cut);
	file_digest_init(&none, 0);
	file_digest_update(&none, data, 5);
	file_digest_update(&none, data + 5, N - 5);
	file_digest_final(&none);

	assert_int_equal(whole.size, N);
	assert_int_equal(cut.size, N);
	assert_int_equal(none.size, N);
	assert_string_equal(whole.sha256_hex, cut.sha256_hex);
	assert_string_equal(whole.sha256_hex, none.sha256_hex);
	assert_int_equal(whole.npieces, (N + PIECE - 1) / PIECE);
	assert_int_equal(cut.npieces, whole.npieces);
	assert_int_equal(none.npieces, 0);
	for (i = 0; i < whole.npieces; i++) {
		size_t len = N - i * PIECE < PIECE ? N - i * PIECE : PIECE;
		assert_int_equal(whole.crc32[i], libdeflate_crc32(0, data + i * PIECE, len));
		assert_int_equal(cut.crc32[i], whole.crc32[i]);
	}

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_int_equal(fwrite(data, 1, N, f), N);
	fclose(f);
	assert_int_equal(file_digest_path(path, PIECE, &back), 0);
	assert_string_equal(back.sha256_hex, whole.sha256_hex);
	assert_int_equal(back.size, N);
	assert_int_equal(back.npieces, whole.npieces);
	assert_memory_equal(back.crc32, whole.crc32, whole.npieces * sizeof(uint32_t));
	file_digest_cleanup(&back);
	unlink(path);
	/* gone: -1 with errno, and nothing to free */
	assert_int_equal(file_digest_path(path, PIECE, &back), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(back.sha256_hex, "");
	file_digest_cleanup(&back);

	/* the SHA-256 of "abc", FIPS 180-2's example */
	file_digest_init(&back, 0);
	file_digest_update(&back, "abc", 3);
	file_digest_final(&back);
	assert_string_equal(back.sha256_hex,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	file_digest_cleanup(&back);
	file_digest_cleanup(&whole);
	file_digest_cleanup(&cut);
	file_digest_cleanup(&none);
	free(data);
}

static void test_sink(void **state)
{
	struct said c = {0};
	struct msgsink s = {said_keep, &c};
	(void)state;
	sink_warn(&s, "'%s' is %d", "x", 3);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.level[0], MSG_WARNING);
	assert_string_equal(c.text[0], "'x' is 3");
	sink_error(&s, "e");
	assert_int_equal(c.level[1], MSG_ERROR);
	sink_note(&s, "n");
	assert_int_equal(c.level[2], MSG_NOTE);
	assert_int_equal(c.n, 3);
	/* no sink, or one without emit: dropped */
	sink_note(NULL, "x");
	s.emit = NULL;
	sink_error(&s, "x");
	assert_int_equal(c.n, 3);
}

static void test_hex(void **state)
{
	unsigned char in[256];
	char out[513];
	size_t i;
	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)i;
	hex_encode(in, 3, out);
	assert_string_equal(out, "000102");
	hex_encode(in + 0xab, 1, out);
	assert_string_equal(out, "ab");
	/* four bytes at a time, then the rest */
	hex_encode(in + 0xf9, 7, out);
	assert_string_equal(out, "f9fafbfcfdfeff");
	hex_encode(in, sizeof(in), out);
	for (i = 0; i < sizeof(in); i++) {
		char two[3];
		snprintf(two, sizeof(two), "%02x", (unsigned)i);
		assert_memory_equal(out + 2 * i, two, 2);
	}
	assert_int_equal(out[512], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_grows_and_terminates),
	    cmocka_unit_test(test_buf_max_frees_on_overflow),
	    cmocka_unit_test(test_buf_detach),
	    cmocka_unit_test(test_parse_ulong_strict),
	    cmocka_unit_test(test_parse_duration),
	    cmocka_unit_test(test_str_utf8_len),
	    cmocka_unit_test(test_page_follow),
	    cmocka_unit_test(test_edit_distance),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_time_formats),
	    cmocka_unit_test(test_time_format_amz),
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_sink),
	    cmocka_unit_test(test_file_digest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
