/*
 * Diagnostics: collecting them, and printing them as text (the compiler
 * form editors jump to), GitHub workflow commands, or JSON. A report
 * holds findings and their positions only, never the document.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ebctl/dockerrun.h"
#include "ebctl/util.h"
#include "internal.h"

void dr_report_init(struct dr_report *r)
{
	memset(r, 0, sizeof(*r));
}

void dr_report_cleanup(struct dr_report *r)
{
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->ndiags; i++) {
		free(r->diags[i].pointer);
		free(r->diags[i].message);
	}
	free(r->diags);
	free(r->file);
	dr_report_init(r);
}

/* Messages quote the file's keys and values: control characters in them
 * must not reach a terminal or a CI log as such. */
static void escape_controls(struct buf *msg)
{
	struct buf out = BUF_INIT;
	size_t i;
	const unsigned char *p = (const unsigned char *)buf_cstr(msg);
	for (i = 0; i < msg->len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			buf_printf(&out, "\\x%02x", p[i]);
		else
			buf_putc(&out, (char)p[i]);
	}
	buf_cleanup(msg);
	*msg = out;
}

static void report_vadd(struct dr_report *r, const char *rule, enum dr_severity sev,
                        struct dr_loc loc, const char *pointer, const char *fmt, va_list ap)
{
	struct buf msg = BUF_INIT;
	struct dr_diag *d;
	if (r->ndiags == r->cap_) {
		r->cap_ = r->cap_ ? 2 * r->cap_ : 16;
		r->diags = xrealloc(r->diags, r->cap_ * sizeof(*r->diags));
	}
	buf_vprintf(&msg, fmt, ap);
	d = &r->diags[r->ndiags];
	escape_controls(&msg);
	d->rule = rule;
	d->severity = sev;
	d->loc = loc;
	d->pointer = xstrdup(pointer ? pointer : "");
	d->message = buf_detach(&msg, NULL);
	d->seq_ = r->ndiags++;
	if (sev == DR_ERROR)
		r->errors++;
	else
		r->warnings++;
}

void dr_report_add(struct dr_report *r, const char *rule, enum dr_severity sev, struct dr_loc loc,
                   const char *pointer, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_vadd(r, rule, sev, loc, pointer, fmt, ap);
	va_end(ap);
}

static int diag_cmp(const void *a, const void *b)
{
	const struct dr_diag *x = a, *y = b;
	if (x->loc.line != y->loc.line)
		return x->loc.line < y->loc.line ? -1 : 1;
	if (x->loc.col != y->loc.col)
		return x->loc.col < y->loc.col ? -1 : 1;
	return x->seq_ < y->seq_ ? -1 : x->seq_ > y->seq_;
}

void dr_report_sort(struct dr_report *r)
{
	if (r->ndiags > 1)
		qsort(r->diags, r->ndiags, sizeof(*r->diags), diag_cmp);
}

int dr_format_parse(const char *s)
{
	if (strcmp(s, "text") == 0)
		return DR_FORMAT_TEXT;
	if (strcmp(s, "json") == 0)
		return DR_FORMAT_JSON;
	if (strcmp(s, "github") == 0)
		return DR_FORMAT_GITHUB;
	return -1;
}

/* GitHub workflow commands: data escapes %, CR, LF; properties also : and ,. */
static void gh_escape(FILE *f, const char *s, bool property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%': fputs("%25", f); break;
		case '\r': fputs("%0D", f); break;
		case '\n': fputs("%0A", f); break;
		case ':': fputs(property ? "%3A" : ":", f); break;
		case ',': fputs(property ? "%2C" : ",", f); break;
		default: fputc(*s, f);
		}
	}
}

int dr_report_print(FILE *f, const struct dr_report *r, enum dr_format fmt, bool color)
{
	size_t i;
	const char *file = r->file ? r->file : "<input>";
	if (fmt == DR_FORMAT_JSON) {
		json_t *j = dr_report_json(r);
		int rc = json_dumpf(j, f, JSON_INDENT(2));
		json_decref(j);
		fputc('\n', f);
		return rc || ferror(f) ? -1 : 0;
	}
	for (i = 0; i < r->ndiags; i++) {
		const struct dr_diag *d = &r->diags[i];
		unsigned line = d->loc.line ? d->loc.line : 1, col = d->loc.col ? d->loc.col : 1;
		if (fmt == DR_FORMAT_GITHUB) {
			fprintf(f, "::%s file=", dr_severity_name(d->severity));
			gh_escape(f, file, true);
			/* the rule id is the annotation's title */
			fprintf(f, ",line=%u,col=%u,title=", line, col);
			gh_escape(f, d->rule, true);
			fputs("::", f);
			gh_escape(f, d->message, false);
			fprintf(f, " [%s]\n", d->rule);
		} else if (color) {
			fprintf(
			    f, COLOR_BOLD "%s:%u:%u: " COLOR_RESET "%s%s:" COLOR_RESET " %s [%s]\n",
			    file, line, col, d->severity == DR_ERROR ? COLOR_RED : COLOR_YELLOW,
			    dr_severity_name(d->severity), d->message, d->rule);
		} else {
			fprintf(f, "%s:%u:%u: %s: %s [%s]\n", file, line, col,
			        dr_severity_name(d->severity), d->message, d->rule);
		}
	}
	return ferror(f) ? -1 : 0;
}

/* A JSON string of s, which need not be UTF-8 (a file name, a message
 * quoting one): invalid bytes become U+FFFD, so that the field is there. */
static json_t *json_text(const char *s)
{
	char *v = str_utf8_valid(s);
	json_t *j = json_string(v);
	free(v);
	return j;
}

json_t *dr_report_json(const struct dr_report *r)
{
	json_t *o = json_object(), *a = json_array();
	size_t i;
	json_object_set_new(o, "file", json_text(r->file ? r->file : "<input>"));
	json_object_set_new(o, "version", r->version ? json_integer(r->version) : json_null());
	json_object_set_new(o, "valid", json_boolean(r->errors == 0));
	json_object_set_new(o, "errors", json_integer((json_int_t)r->errors));
	json_object_set_new(o, "warnings", json_integer((json_int_t)r->warnings));
	for (i = 0; i < r->ndiags; i++) {
		const struct dr_diag *d = &r->diags[i];
		json_t *e = json_object();
		json_object_set_new(e, "rule", json_string(d->rule));
		json_object_set_new(e, "severity", json_string(dr_severity_name(d->severity)));
		json_object_set_new(e, "line", json_integer(d->loc.line));
		json_object_set_new(e, "column", json_integer(d->loc.col));
		json_object_set_new(e, "pointer", json_string(d->pointer));
		/* messages may quote the file's name, which may not be UTF-8 */
		json_object_set_new(e, "message", json_text(d->message));
		json_array_append_new(a, e);
	}
	json_object_set_new(o, "diagnostics", a);
	return o;
}
