/*
 * Parsing a Dockerrun file, keeping the position of every value.
 *
 * Parser choice: jansson (the project's JSON library) decodes the document
 * and is the only judge of its syntax; its json_error_t gives line:column of
 * a syntax error, but it keeps no positions for the values it returns, and
 * with JSON_REJECT_DUPLICATES it stops at the first duplicate key instead of
 * reporting it. So once jansson has accepted the text, a second linear scan
 * over the same bytes (dr_index_build) records where each value and each key
 * starts, its parent and its index, in a flat array: no grammar decisions are
 * made there (the text is known to be valid), which keeps that scan small
 * and obviously correct. A parser with positions built in (a SAX-style
 * library) would mean a second JSON library and its own notion of numbers
 * and duplicates; the two-pass design keeps jansson's values and costs one
 * extra pass over a few kilobytes.
 *
 * Hostile input: the file size is capped by the reader (DR_MAX_FILE_SIZE),
 * jansson stops nesting at depth 2048 ("maximum parsing depth reached"),
 * rejects invalid UTF-8 and integers past 2^63; the index scan is iterative
 * and linear; duplicate keys are found by sorting each object's keys, and
 * at most DR_DUP_KEYS_SHOWN of them are reported one by one.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct scan {
	const char *p, *end;
	struct dr_loc loc;
};

static void sc_adv(struct scan *s)
{
	unsigned char c = (unsigned char)*s->p++;
	if (c == '\n') {
		s->loc.line++;
		s->loc.col = 1;
	} else if ((c & 0xC0) != 0x80) {
		/* columns count characters: UTF-8 continuation bytes add none */
		s->loc.col++;
	}
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Ends a number or literal. Never true for NUL (strchr would say yes). */
static bool is_delim(char c)
{
	return is_ws(c) || c == ',' || c == ']' || c == '}' || c == ':';
}

static void sc_ws(struct scan *s)
{
	while (s->p < s->end && is_ws(*s->p))
		sc_adv(s);
}

/* At the opening quote: move past the closing one. */
static void sc_string(struct scan *s)
{
	sc_adv(s);
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' && s->p + 1 < s->end)
			sc_adv(s);
		sc_adv(s);
	}
	if (s->p < s->end)
		sc_adv(s);
}

static uint32_t new_node(struct dr_index *ix, uint32_t parent, struct dr_loc loc, char type)
{
	struct dr_node *n;
	if (ix->n == ix->cap) {
		ix->cap = ix->cap ? 2 * ix->cap : 64;
		ix->nodes = xrealloc(ix->nodes, ix->cap * sizeof(*ix->nodes));
	}
	n = &ix->nodes[ix->n];
	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->loc = loc;
	n->type = type;
	if (parent != DR_NO_NODE)
		n->index = ix->nodes[parent].nkids++;
	return (uint32_t)ix->n++;
}

static char *decode_key(const char *raw, size_t len)
{
	json_t *j = json_loadb(raw - 1, len + 2, JSON_DECODE_ANY, NULL);
	char *out = xstrdup(j && json_is_string(j) ? json_string_value(j) : "");
	json_decref(j);
	return out;
}

struct dr_index *dr_index_build(const char *text, size_t len)
{
	struct dr_index *ix = xcalloc(1, sizeof(*ix));
	struct scan s = {text, text + len, {1, 1}};
	uint32_t *stack = NULL, parent, key_off = 0, key_len = 0;
	size_t depth = 0, cap = 0, i, *fill;
	struct dr_loc key_loc = {0, 0};
	bool have_key = false;

	ix->text = text;
	ix->len = len;
	for (;;) {
		sc_ws(&s);
		if (s.p >= s.end)
			break;
		parent = depth ? stack[depth - 1] : DR_NO_NODE;
		if (*s.p == ',') {
			sc_adv(&s);
			continue;
		}
		if (*s.p == '}' || *s.p == ']') {
			sc_adv(&s);
			if (depth)
				depth--;
			if (!depth)
				break;
			continue;
		}
		if (parent != DR_NO_NODE && ix->nodes[parent].type == '{' && !have_key) {
			/* a key, then ':' */
			key_loc = s.loc;
			key_off = (uint32_t)(s.p + 1 - text);
			sc_string(&s);
			key_len = (uint32_t)(s.p - 1 - text) - key_off;
			sc_ws(&s);
			if (s.p < s.end && *s.p == ':')
				sc_adv(&s);
			have_key = true;
			continue;
		}
		{
			char c = *s.p, type = c == '{' || c == '[' || c == '"' ? c : 'v';
			uint32_t n = new_node(ix, parent, s.loc, type);
			if (have_key) {
				struct dr_node *nd = &ix->nodes[n];
				nd->key_off = key_off;
				nd->key_len = key_len;
				nd->key_loc = key_loc;
				if (memchr(text + key_off, '\\', key_len))
					nd->key_dec = decode_key(text + key_off, key_len);
				have_key = false;
			}
			if (type == '{' || type == '[') {
				if (depth == cap) {
					cap = cap ? 2 * cap : 32;
					stack = xrealloc(stack, cap * sizeof(*stack));
				}
				stack[depth++] = n;
				sc_adv(&s);
			} else if (type == '"') {
				sc_string(&s);
			} else {
				/* at least one byte, so that no input can stall the scan */
				do
					sc_adv(&s);
				while (s.p < s.end && !is_delim(*s.p));
			}
			if (!depth)
				break; /* a scalar document */
		}
	}
	free(stack);

	/* children lists, contiguous per parent */
	ix->kids = xmalloc((ix->n ? ix->n : 1) * sizeof(*ix->kids));
	fill = xcalloc(ix->n ? ix->n : 1, sizeof(*fill));
	{
		uint32_t off = 0;
		for (i = 0; i < ix->n; i++) {
			ix->nodes[i].kids = off;
			off += ix->nodes[i].nkids;
		}
	}
	for (i = 1; i < ix->n; i++) {
		struct dr_node *p = &ix->nodes[ix->nodes[i].parent];
		ix->kids[p->kids + fill[ix->nodes[i].parent]++] = (uint32_t)i;
	}
	free(fill);
	return ix;
}

void dr_index_free(void *p)
{
	struct dr_index *ix = p;
	size_t i;
	if (!ix)
		return;
	for (i = 0; i < ix->n; i++)
		free(ix->nodes[i].key_dec);
	free(ix->nodes);
	free(ix->kids);
	free(ix);
}

static bool key_is(const struct dr_index *ix, const struct dr_node *n, const char *key, size_t klen)
{
	if (n->key_dec)
		return strcmp(n->key_dec, key) == 0;
	return n->key_len == klen && memcmp(ix->text + n->key_off, key, klen) == 0;
}

uint32_t dr_index_member(const struct dr_index *ix, uint32_t obj, const char *key)
{
	const struct dr_node *o;
	size_t klen = strlen(key), i;
	if (!ix || obj == DR_NO_NODE || obj >= ix->n)
		return DR_NO_NODE;
	o = &ix->nodes[obj];
	if (o->type != '{')
		return DR_NO_NODE;
	for (i = o->nkids; i-- > 0;) {
		uint32_t k = ix->kids[o->kids + i];
		if (key_is(ix, &ix->nodes[k], key, klen))
			return k;
	}
	return DR_NO_NODE;
}

uint32_t dr_index_child(const struct dr_index *ix, uint32_t node, size_t i)
{
	if (!ix || node == DR_NO_NODE || node >= ix->n || i >= ix->nodes[node].nkids)
		return DR_NO_NODE;
	return ix->kids[ix->nodes[node].kids + i];
}

const char *dr_index_key(const struct dr_index *ix, uint32_t node, struct buf *tmp)
{
	const struct dr_node *n = &ix->nodes[node];
	if (n->key_dec)
		return n->key_dec;
	buf_reset(tmp);
	buf_add(tmp, ix->text + n->key_off, n->key_len);
	return buf_cstr(tmp);
}

void dr_index_pointer(const struct dr_index *ix, uint32_t node, struct buf *b)
{
	uint32_t *path = NULL;
	size_t n = 0, cap = 0;
	struct buf key = BUF_INIT;
	while (node != DR_NO_NODE && ix->nodes[node].parent != DR_NO_NODE) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			path = xrealloc(path, cap * sizeof(*path));
		}
		path[n++] = node;
		node = ix->nodes[node].parent;
	}
	while (n-- > 0) {
		const struct dr_node *nd = &ix->nodes[path[n]];
		buf_putc(b, '/');
		if (ix->nodes[nd->parent].type == '[') {
			buf_printf(b, "%u", nd->index);
		} else {
			const char *k = dr_index_key(ix, path[n], &key);
			for (; *k; k++) {
				if (*k == '~')
					buf_puts(b, "~0");
				else if (*k == '/')
					buf_puts(b, "~1");
				else
					buf_putc(b, *k);
			}
		}
	}
	buf_cleanup(&key);
	free(path);
}

struct keyref {
	const char *key;
	size_t len;
	uint32_t node;
};

static int keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* A later copy of a key in one object: `node` repeats the key of `first`. */
struct dupref {
	const char *key;
	size_t len;
	uint32_t node, first;
};

static int dupref_cmp(const void *a, const void *b)
{
	const struct dupref *x = a, *y = b;
	return x->node < y->node ? -1 : x->node > y->node;
}

/*
 * Sort each object's keys (n log n in all) and collect every later copy of
 * a key; report them in document order, each naming the first copy. The
 * first DR_DUP_KEYS_SHOWN are listed one by one and one more diagnostic
 * counts the rest: a million copies of one key would otherwise make a
 * million warnings, and a duplicate deep under long keys has a long pointer.
 * Every copy but the last is marked `shadowed` (jansson keeps the last), so
 * that the rules look at the value that counts only.
 */
static void report_duplicate_keys(struct dr_report *r, struct dr_index *ix)
{
	struct keyref *refs = NULL;
	struct dupref *dups = NULL;
	size_t cap = 0, ndups = 0, capdups = 0, i, j, run;
	struct buf ptr = BUF_INIT;
	for (i = 0; i < ix->n; i++) {
		const struct dr_node *o = &ix->nodes[i];
		if (o->type != '{' || o->nkids < 2)
			continue;
		if (cap < o->nkids) {
			cap = o->nkids;
			refs = xrealloc(refs, cap * sizeof(*refs));
		}
		for (j = 0; j < o->nkids; j++) {
			const struct dr_node *k = &ix->nodes[ix->kids[o->kids + j]];
			refs[j].key = k->key_dec ? k->key_dec : ix->text + k->key_off;
			refs[j].len = k->key_dec ? strlen(k->key_dec) : k->key_len;
			refs[j].node = ix->kids[o->kids + j];
		}
		qsort(refs, o->nkids, sizeof(*refs), keyref_cmp);
		/* runs of one key, in document order within the run */
		for (run = 0, j = 1; j <= o->nkids; j++) {
			if (j < o->nkids && refs[j].len == refs[run].len &&
			    memcmp(refs[j].key, refs[run].key, refs[j].len) == 0) {
				if (ndups == capdups) {
					capdups = capdups ? 2 * capdups : 16;
					dups = xrealloc(dups, capdups * sizeof(*dups));
				}
				dups[ndups].key = refs[j].key;
				dups[ndups].len = refs[j].len;
				dups[ndups].node = refs[j].node;
				dups[ndups].first = refs[run].node;
				ndups++;
				ix->nodes[refs[j - 1].node].shadowed = true;
				continue;
			}
			run = j;
		}
	}
	free(refs);
	if (ndups > 1)
		qsort(dups, ndups, sizeof(*dups), dupref_cmp);
	for (i = 0; i < ndups && i <= DR_DUP_KEYS_SHOWN; i++) {
		const struct dr_node *k = &ix->nodes[dups[i].node], *f = &ix->nodes[dups[i].first];
		buf_reset(&ptr);
		dr_index_pointer(ix, dups[i].node, &ptr);
		if (i < DR_DUP_KEYS_SHOWN || ndups == DR_DUP_KEYS_SHOWN + 1)
			dr_report_add(r, "duplicate-key", DR_WARNING, k->key_loc, buf_cstr(&ptr),
			              "duplicate key '%.*s' (first at line %u, column %u): only "
			              "the last value counts",
			              (int)dups[i].len, dups[i].key, f->key_loc.line,
			              f->key_loc.col);
		else
			dr_report_add(r, "duplicate-key", DR_WARNING, k->key_loc, buf_cstr(&ptr),
			              "duplicate key '%.*s' (first at line %u, column %u): only "
			              "the last value counts; %zu more duplicate keys follow, not "
			              "listed one by one",
			              (int)dups[i].len, dups[i].key, f->key_loc.line,
			              f->key_loc.col, ndups - i - 1);
	}
	buf_cleanup(&ptr);
	free(dups);
}

/* The line:column of byte `off` of data, counted as the index counts. */
static struct dr_loc loc_at(const char *data, size_t off)
{
	struct scan s = {data, data + off, {1, 1}};
	while (s.p < s.end)
		sc_adv(&s);
	return s.loc;
}

/*
 * Where a syntax error is, and whether it is a NUL byte. jansson's line and
 * column are those of the last byte it read, and its position the offset
 * after it. A NUL byte ends jansson's input ("end of file expected near end
 * of file"): found at or just before that offset, it is named as such. When
 * the error quotes a whole token ("invalid token near 'tru'", "'}' expected
 * near '\"b\"'"), the token's first character is more useful than its last;
 * a string cut short by a bad character keeps jansson's place, at that
 * character. Any doubt (a message cut at jansson's length limit, a token
 * that is not where the position says) keeps jansson's place too.
 */
static struct dr_loc syntax_error_at(const char *data, size_t len, const json_error_t *err,
                                     bool *nul, char *comma_before)
{
	struct dr_loc at = {err->line > 0 ? (unsigned)err->line : 1,
	                    err->column > 0 ? (unsigned)err->column : 1};
	size_t pos = err->position > 0 ? (size_t)err->position : 0, tlen, c;
	const char *near = NULL, *p, *tok;
	*nul = false;
	*comma_before = 0;
	if (pos > len)
		return at;
	if (pos > 0 && data[pos - 1] == '\0') {
		*nul = true;
		return loc_at(data, pos - 1);
	}
	if (pos < len && data[pos] == '\0') {
		*nul = true;
		return loc_at(data, pos);
	}
	for (p = err->text; (p = strstr(p, " near '")) != NULL; p++)
		near = p;
	if (!near)
		return at;
	tok = near + 7;
	tlen = strlen(tok);
	if (tlen < 2 || tok[tlen - 1] != '\'' || strlen(err->text) + 1 >= JSON_ERROR_TEXT_LENGTH)
		return at;
	tlen--;
	if (tok[0] == '"' && (tlen < 2 || tok[tlen - 1] != '"'))
		return at;
	if (tlen > pos || memcmp(data + pos - tlen, tok, tlen) != 0)
		return at;
	/* A '}' or ']' after a comma (and only space): a trailing comma, which
	 * jansson notices at the bracket; the comma is the mistake. */
	if (tlen == 1 && (tok[0] == '}' || tok[0] == ']')) {
		for (c = pos - 1; c > 0 && is_ws(data[c - 1]); c--)
			;
		if (c > 0 && data[c - 1] == ',') {
			*comma_before = tok[0];
			return loc_at(data, c - 1);
		}
	}
	return loc_at(data, pos - tlen);
}

static bool only_space(const char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (!is_ws(p[i]))
			return false;
	return true;
}

int dr_parse(struct dr_document *d, const char *data, size_t len, struct dr_report *r)
{
	json_error_t err;
	json_t *root;
	struct dr_loc top = {1, 1};

	/* a UTF-8 byte order mark is allowed and not counted as a column */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	if (only_space(data, len)) {
		dr_report_add(r, "json-syntax", DR_ERROR, top, "",
		              "file is empty: a Dockerrun.aws.json is a JSON object such as "
		              "{\"AWSEBDockerrunVersion\": 2, ...}");
		return -1;
	}
	root = json_loadb(data, len, JSON_DECODE_ANY, &err);
	if (!root) {
		bool nul;
		char comma_before;
		struct dr_loc at = syntax_error_at(data, len, &err, &nul, &comma_before);
		if (nul)
			dr_report_add(
			    r, "json-syntax", DR_ERROR, at, "",
			    "invalid JSON: a NUL byte at line %u, column %u (binary data, "
			    "or a file saved as UTF-16?)",
			    at.line, at.col);
		else if (comma_before)
			dr_report_add(r, "json-syntax", DR_ERROR, at, "",
			              "invalid JSON: trailing comma before '%c': JSON allows no "
			              "comma after the last %s",
			              comma_before, comma_before == '}' ? "member" : "item");
		else
			dr_report_add(r, "json-syntax", DR_ERROR, at, "", "invalid JSON: %s",
			              err.text);
		return -1;
	}
	d->index_ = dr_index_build(data, len);
	if (!json_is_object(root)) {
		const struct dr_index *ix = d->index_;
		dr_report_add(r, "json-syntax", DR_ERROR, ix->n ? ix->nodes[0].loc : top, "",
		              "the top level must be an object, not %s",
		              json_is_array(root)    ? "an array"
		              : json_is_string(root) ? "a string"
		              : json_is_number(root) ? "a number"
		                                     : "a literal");
		json_decref(root);
		return -1;
	}
	d->root = root;
	d->parsed = true;
	report_duplicate_keys(r, d->index_);
	return 0;
}
