/* Wall and monotonic clocks, AWS time formats. */
#include "ebctl/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t time_now(void)
{
	return (int64_t)time(NULL);
}

int64_t time_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long poll_interval_ms(long dflt)
{
	const char *v = getenv("EBCTL_POLL_MS");
	unsigned long ms;
	if (v && *v && parse_ulong(v, 1, 3600000, &ms) == 0)
		return (long)ms;
	return dflt;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int64_t from_tm(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

int64_t time_parse_amz(const char *s)
{
	int y, mo, d, h, mi, sec;
	if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return -1;
	if (digits(s, 4, &y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) ||
	    digits(s + 9, 2, &h) || digits(s + 11, 2, &mi) || digits(s + 13, 2, &sec))
		return -1;
	return from_tm(y, mo, d, h, mi, sec);
}

int64_t time_parse_iso8601(const char *s)
{
	int y, mo, d, h, mi, sec;
	const char *p;
	if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	p = s + 19;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	/* "UTC": the expiresAt older `aws sso login` versions wrote */
	if (*p != '\0' && strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0 && strcmp(p, "UTC") != 0)
		return -1;
	return from_tm(y, mo, d, h, mi, sec);
}

/* The civil date of a day count since 1970-01-01 (Hinnant's algorithm:
 * eras of 400 years, March-based years so that leap days fall last). */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void put_digits(char *out, int v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* The day of t (days since 1970-01-01) into *day, and its second of the
 * day (0-86399), also before 1970. */
static int64_t split_day(int64_t t, int64_t *day)
{
	int64_t secs = t % 86400;
	*day = t / 86400;
	if (secs < 0) {
		secs += 86400;
		(*day)--;
	}
	return secs;
}

void time_format_amz(int64_t t, char out[17])
{
	/* the date of the last day asked for, per thread: signing asks for
	 * the same day over and over */
	static _Thread_local int64_t last_day = INT64_MIN;
	static _Thread_local char last_date[8];
	int64_t days, secs = split_day(t, &days);
	if (days != last_day) {
		int y, m, d;
		civil_from_days(days, &y, &m, &d);
		put_digits(last_date, y, 4);
		put_digits(last_date + 4, m, 2);
		put_digits(last_date + 6, d, 2);
		last_day = days;
	}
	memcpy(out, last_date, 8);
	out[8] = 'T';
	put_digits(out + 9, (int)(secs / 3600), 2);
	put_digits(out + 11, (int)(secs / 60 % 60), 2);
	put_digits(out + 13, (int)(secs % 60), 2);
	out[15] = 'Z';
	out[16] = '\0';
}

void time_format_rfc2822(int64_t t, char out[32])
{
	static const char days[] = "ThuFriSatSunMonTueWed"; /* 1970-01-01 was a Thursday */
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int64_t day, secs = split_day(t, &day);
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	memcpy(out, days + 3 * (((day % 7) + 7) % 7), 3);
	memcpy(out + 3, ", ", 2);
	put_digits(out + 5, d, 2);
	out[7] = ' ';
	memcpy(out + 8, months + 3 * (m - 1), 3);
	out[11] = ' ';
	put_digits(out + 12, y, 4);
	out[16] = ' ';
	put_digits(out + 17, (int)(secs / 3600), 2);
	out[19] = ':';
	put_digits(out + 20, (int)(secs / 60 % 60), 2);
	out[22] = ':';
	put_digits(out + 23, (int)(secs % 60), 2);
	memcpy(out + 25, " -0000", 7);
}

void time_format_iso8601(int64_t t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
