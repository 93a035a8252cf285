/* Strict number, duration and string helpers. */
#include "ebctl/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;
	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_duration(const char *s, unsigned long *seconds)
{
	unsigned long total = 0;
	const char *p = s;
	if (!s || !*s)
		return -1;
	while (*p) {
		unsigned long v = 0, mul;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			if (v > (ULONG_MAX - 9) / 10)
				return -1;
			v = v * 10 + (unsigned long)(*p++ - '0');
		}
		switch (*p) {
		case '\0':
			if (p != s + strspn(s, "0123456789"))
				return -1; /* "1h30" is ambiguous */
			mul = 1;
			break;
		case 's':
			mul = 1;
			p++;
			break;
		case 'm':
			mul = 60;
			p++;
			break;
		case 'h':
			mul = 3600;
			p++;
			break;
		case 'd':
			mul = 86400;
			p++;
			break;
		default: return -1;
		}
		if (v > (ULONG_MAX - total) / mul)
			return -1;
		total += v * mul;
	}
	*seconds = total;
	return 0;
}

bool page_follow(const char *prev, const char *next, int *pages, int max)
{
	if (!next || !*next)
		return false;
	if (prev && strcmp(prev, next) == 0) {
		debugf("the next page token is the one just sent: stopped");
		return false;
	}
	if (++*pages >= max) {
		debugf("stopped after %d pages", *pages);
		return false;
	}
	return true;
}

bool str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

size_t str_edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *row, result;
	if (la > 256 || lb > 256)
		return cap + 1;
	row = xmalloc((lb + 1) * sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0], best;
		row[0] = i;
		best = row[0];
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost =
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1])
			        ? 0
			        : 1;
			size_t v = diag + cost;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			if (up + 1 < v)
				v = up + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap) {
			free(row);
			return cap + 1;
		}
	}
	result = row[lb];
	free(row);
	return result > cap ? cap + 1 : result;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629), or 0. */
static size_t utf8_seq(const unsigned char *p)
{
	unsigned long cp;
	size_t n, i;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) /* a NUL ends the string here too */
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

char *str_utf8_valid(const char *s)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	buf_puts(&b, "");
	while (*p) {
		size_t n = utf8_seq(p);
		if (n) {
			buf_add(&b, p, n);
			p += n;
		} else {
			buf_puts(&b, "\xEF\xBF\xBD");
			p++;
		}
	}
	return buf_detach(&b, NULL);
}

long str_utf8_len(const char *s, size_t max_chars, size_t *prefix_bytes)
{
	const unsigned char *p = (const unsigned char *)s;
	long chars = 0;
	if (prefix_bytes)
		*prefix_bytes = 0;
	while (*p) {
		size_t n = utf8_seq(p);
		if (!n)
			return -1;
		p += n;
		if ((size_t)++chars == max_chars && prefix_bytes)
			*prefix_bytes = (size_t)(p - (const unsigned char *)s);
	}
	if (prefix_bytes && (size_t)chars < max_chars)
		*prefix_bytes = (size_t)(p - (const unsigned char *)s);
	return chars;
}

const char *str_field_value(const char *v, size_t *len)
{
	size_t n;
	v += strspn(v, " \t");
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	*len = n;
	return v;
}

/* Two bytes as a little-endian number. */
static inline uint16_t load16(const char *p)
{
	return (uint16_t)((unsigned char)p[0] | (unsigned)(unsigned char)p[1] << 8);
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	/* two digits per byte from one table: every signature hex-encodes three digests */
	static const char pairs[513] =
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
	size_t i;
	i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* four bytes to one 8-byte store */
	for (; i + 4 <= n; i += 4) {
		uint64_t w = (uint64_t)load16(pairs + 2 * (size_t)in[i]) |
		             (uint64_t)load16(pairs + 2 * (size_t)in[i + 1]) << 16 |
		             (uint64_t)load16(pairs + 2 * (size_t)in[i + 2]) << 32 |
		             (uint64_t)load16(pairs + 2 * (size_t)in[i + 3]) << 48;
		memcpy(out + 2 * i, &w, 8);
	}
#endif
	for (; i < n; i++)
		memcpy(out + 2 * i, pairs + 2 * (size_t)in[i], 2);
	out[2 * n] = '\0';
}

int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
