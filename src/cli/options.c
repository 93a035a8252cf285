/* One option parser for every command, driven by its table. */
#include "ebctl/cli.h"
#include "ebctl/util.h"
#include "ebctl/verdict.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "ebctl%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee 'ebctl %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return EBCTL_ERR_USAGE;
}

/* --endpoint-url: every service at one URL, as AWS_ENDPOINT_URL says it */
static const char *endpoint_url;

/* Apply --endpoint-url when it was given (url NULL: the one parsed). */
int opts_endpoint_url(const char *url)
{
	if (!url)
		url = endpoint_url;
	if (!url)
		return 0;
	endpoint_url = NULL; /* applied: a later parse does not apply it again */
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
		fprintf(stderr,
		        "ebctl: --endpoint-url takes an http:// or https:// URL, not '%s'\n", url);
		return EBCTL_ERR_USAGE;
	}
	setenv("AWS_ENDPOINT_URL", url, 1);
	return 0;
}

static const struct opt global_opts[] = {
    OPTION_STRING("endpoint-url", 0, &endpoint_url, "URL",
                  "send every request to URL (as the aws CLI's; also AWS_ENDPOINT_URL)", NULL),
    OPTION_BOOL("debug", 0, &ebctl_debug, "print each request and response (secrets redacted)",
                "EBCTL_DEBUG"),
    OPTION_BOOL("quiet", 'q', &ebctl_quiet, "print only results and errors", NULL),
    OPTION_BOOL("no-color", 0, &ebctl_no_color, "no colour, even on a terminal (also NO_COLOR)",
                NULL),
    OPTION_END,
};

static bool choice_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* Store one value; `origin` names where it came from for messages. */
static int set_value(const char *cmd, const struct opt *o, const char *v, const char *origin)
{
	unsigned long secs;
	switch (o->type) {
	case OPT_BOOL: {
		bool b;
		if (!v || !strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
			b = true;
		else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !*v)
			b = false;
		else
			return usage_error(cmd, "%s takes true or false, not '%s'", origin, v);
		*(bool *)o->target = b;
		return 0;
	}
	case OPT_STRING: *(const char **)o->target = v; return 0;
	case OPT_CHOICE:
		if (!choice_ok(o->choices, v))
			return usage_error(cmd, "%s must be one of %s, not '%s'", origin,
			                   o->choices, v);
		*(const char **)o->target = v;
		return 0;
	case OPT_LIST: {
		struct strlist *l = o->target;
		const char *p = v;
		while (*p) {
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (len) {
				char *item = xstrndup(p, len);
				if (!strlist_has(l, item))
					strlist_add(l, item);
				free(item);
			}
			if (!e)
				break;
			p = e + 1;
		}
		return 0;
	}
	case OPT_DURATION:
		if (parse_duration(v, &secs))
			return usage_error(
			    cmd, "%s takes a duration such as 90s, 20m or 1h, not '%s'", origin, v);
		/* Longer waits are mistakes, and the milliseconds would overflow. */
		if (secs > DURATION_MAX)
			return usage_error(cmd, "%s takes a duration of at most 30d, not '%s'",
			                   origin, v);
		*(unsigned long *)o->target = secs;
		return 0;
	case OPT_UINT:
		if (parse_ulong(v, o->min, o->max, o->target))
			return usage_error(cmd, "%s takes a whole number from %lu to %lu, not '%s'",
			                   origin, o->min, o->max, v);
		return 0;
	case OPT_END: break;
	}
	return 0;
}

static const struct opt *find_long(const struct opt *opts, const char *name, size_t len,
                                   bool *negated)
{
	const struct opt *tables[2] = {opts, global_opts};
	size_t t;
	*negated = false;
	for (t = 0; t < 2; t++) {
		const struct opt *o;
		for (o = tables[t]; o && o->name; o++) {
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
				return o;
			if (o->type == OPT_BOOL && len > 3 && strncmp(name, "no-", 3) == 0 &&
			    strlen(o->name) == len - 3 &&
			    strncmp(o->name, name + 3, len - 3) == 0) {
				*negated = true;
				return o;
			}
		}
	}
	return NULL;
}

static const struct opt *find_short(const struct opt *opts, char c)
{
	const struct opt *tables[2] = {opts, global_opts};
	size_t t;
	for (t = 0; t < 2; t++) {
		const struct opt *o;
		for (o = tables[t]; o && o->name; o++)
			if (o->short_name == c)
				return o;
	}
	return NULL;
}

static const char *closest_option(const struct opt *opts, const char *name)
{
	const struct opt *tables[2] = {opts, global_opts};
	const char *best = NULL;
	size_t best_d = 3, t;
	for (t = 0; t < 2; t++) {
		const struct opt *o;
		for (o = tables[t]; o && o->name; o++) {
			size_t d = str_edit_distance(name, o->name, 2);
			if (d < best_d) {
				best_d = d;
				best = o->name;
			}
		}
	}
	return best;
}

static int apply_env(const char *cmd, const struct opt *opts)
{
	const struct opt *tables[2] = {opts, global_opts};
	size_t t;
	for (t = 0; t < 2; t++) {
		const struct opt *o;
		for (o = tables[t]; o && o->name; o++) {
			const char *v = o->env ? getenv(o->env) : NULL;
			int rc;
			if (!v || !*v)
				continue;
			if ((rc = set_value(cmd, o, v, o->env)))
				return rc;
		}
	}
	return 0;
}

/* Whether o was already given as a flag; records it when not. */
static bool list_from_flags(const struct opt **seen, size_t *n, const struct opt *o)
{
	size_t i;
	for (i = 0; i < *n; i++)
		if (seen[i] == o)
			return true;
	if (*n < 16)
		seen[(*n)++] = o;
	return false;
}

/* What one parse remembers across options: the lists given as flags. */
struct parse_state {
	const struct opt *flagged_lists[16];
	size_t nflagged;
};

/*
 * The option at argv[*i] (a[0] == '-', not "--" nor "-"), by opts and the
 * global table; *i moves past a separate value. cmd names the command in
 * messages (NULL before the command). Returns 0 or EBCTL_ERR_USAGE.
 */
static int take_option(const char *cmd, const struct opt *opts, int argc, char **argv, int *i,
                       struct parse_state *st)
{
	const char *a = argv[*i], *value = NULL;
	const struct opt *o;
	bool negated = false;
	char origin[128];
	int rc;

	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		o = find_long(opts, name, len, &negated);
		if (!o) {
			char want[64];
			const char *near;
			snprintf(want, sizeof(want), "%.*s", (int)len, name);
			near = closest_option(opts, want);
			if (near)
				return usage_error(cmd,
				                   "unknown option '--%.*s'; did you mean '--%s'?",
				                   (int)len, name, near);
			return usage_error(cmd, "unknown option '--%.*s'", (int)len, name);
		}
		snprintf(origin, sizeof(origin), "--%s", o->name);
		if (eq)
			value = eq + 1;
		if (o->type == OPT_BOOL) {
			if (value && negated)
				return usage_error(cmd, "--no-%s takes no value", o->name);
			*(bool *)o->target = !negated;
			return value ? set_value(cmd, o, value, origin) : 0;
		}
	} else {
		o = find_short(opts, a[1]);
		if (!o)
			return usage_error(cmd, "unknown option '-%c'", a[1]);
		snprintf(origin, sizeof(origin), "-%c", a[1]);
		if (o->type == OPT_BOOL) {
			if (a[2])
				return usage_error(cmd, "-%c takes no value", a[1]);
			*(bool *)o->target = true;
			return 0;
		}
		if (a[2])
			value = a + 2;
	}
	if (!value) {
		if (*i + 1 >= argc)
			return usage_error(cmd, "%s needs a value", origin);
		value = argv[++*i];
	}
	/* A list given on the command line replaces the one from the
	 * environment variable instead of adding to it. */
	if (o->type == OPT_LIST && o->env && !list_from_flags(st->flagged_lists, &st->nflagged, o))
		strlist_cleanup(o->target);
	if ((rc = set_value(cmd, o, value, origin)))
		return rc;
	return 0;
}

/* The lists a table filled, emptied: the command returns at once after a
 * usage error or --help, without its own cleanup. */
static void free_lists(const struct opt *opts)
{
	const struct opt *o;
	for (o = opts; o && o->name; o++)
		if (o->type == OPT_LIST)
			strlist_cleanup(o->target);
}

static int parse_args(const struct cmd_help *h, const struct opt *opts, int argc, char **argv,
                      int *nargs)
{
	struct parse_state st;
	int i, out = 1, rc;
	bool only_operands = false;

	st.nflagged = 0;
	if ((rc = apply_env(h->name, opts)))
		return rc;
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (only_operands || a[0] != '-' || !strcmp(a, "-")) {
			argv[out++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = true;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			opts_usage(stdout, h, opts);
			return -1;
		}
		if (!strcmp(a, "--completion-helper")) {
			opts_completion_table(stdout, h, opts);
			return -1;
		}
		if ((rc = take_option(h->name, opts, argc, argv, &i, &st)))
			return rc;
	}
	argv[out] = NULL;
	*nargs = out - 1;
	return opts_endpoint_url(NULL);
}

int opts_parse(const struct cmd_help *h, const struct opt *opts, int argc, char **argv, int *nargs)
{
	int rc = parse_args(h, opts, argc, argv, nargs);
	if (rc)
		free_lists(opts);
	return rc;
}

int opts_global(int argc, char **argv, int *i)
{
	struct parse_state st;
	int rc;
	st.nflagged = 0;
	if ((rc = take_option(NULL, NULL, argc, argv, i, &st)))
		return rc;
	return opts_endpoint_url(NULL);
}

static void print_opts(FILE *f, const struct opt *opts)
{
	const struct opt *o;
	for (o = opts; o && o->name; o++) {
		char left[64];
		if (!o->help) /* an alias: accepted, not listed */
			continue;
		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
			         o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
			         o->arg ? o->arg : "");
		fprintf(f, "  %-24s %s", left, o->help);
		if (o->type == OPT_CHOICE && o->choices)
			fprintf(f, " (%s)", o->choices);
		if (o->env)
			fprintf(f, " [%s]", o->env);
		fputc('\n', f);
	}
}

/* How a row's value completes: flag (none), words:a,b,c, dir, file or value. */
static void completion_kind(FILE *f, const struct opt *o)
{
	if (o->complete)
		fputs(o->complete, f);
	else if (o->type == OPT_BOOL)
		fputs("flag", f);
	else if (o->type == OPT_CHOICE && o->choices)
		fprintf(f, "words:%s", o->choices);
	else if (o->arg && !strncmp(o->arg, "DIR", 3))
		fputs("dir", f);
	else if (o->arg && !strncmp(o->arg, "FILE", 4))
		fputs("file", f);
	else
		fputs("value", f);
}

static void completion_rows(FILE *f, const char *section, const struct opt *opts)
{
	const struct opt *o;
	for (o = opts; o && o->name; o++) {
		/* an alias is named for the checks that it is documented, and
		 * completed nowhere */
		fprintf(f, "%s\t%s\t", o->help ? section : "alias", o->name);
		if (o->short_name)
			fputc(o->short_name, f);
		fprintf(f, "\t%s\t", o->arg ? o->arg : "");
		completion_kind(f, o);
		fprintf(f, "\t%s\n", o->help ? o->help : "");
	}
}

void opts_completion_table(FILE *f, const struct cmd_help *h, const struct opt *opts)
{
	const char *p;
	fputs("synopsis\t", f);
	for (p = h->synopsis; *p; p++) /* sign's wraps */
		if (*p != '\n')
			fputc(*p, f);
	fputc('\n', f);
	completion_rows(f, "option", opts);
	completion_rows(f, "global", global_opts);
	fputs("global\thelp\th\t\tflag\tshow this help\n", f);
}

void opts_usage(FILE *f, const struct cmd_help *h, const struct opt *opts)
{
	const char *summary = "";
	size_t i;
	for (i = 0; i < ncommands; i++)
		if (strcmp(commands[i].name, h->name) == 0)
			summary = commands[i].summary;
	fprintf(f, "usage: ebctl %s %s\n\n%s\n", h->name, h->synopsis, summary);
	if (opts && opts->name) {
		fputs("\nOptions:\n", f);
		print_opts(f, opts);
	}
	fputs("\nGlobal options:\n", f);
	print_opts(f, global_opts);
	fputs("  -h, --help               show this help\n", f);
	if (h->details)
		fprintf(f, "\n%s\n", h->details);
}

int opts_healthy(const char *cmd, const char *value, unsigned *mask)
{
	if (verdict_parse_healthy(value, mask) == 0)
		return 0;
	return usage_error(cmd, "--healthy takes colours among Green, Yellow, Red, Grey, not '%s'",
	                   value);
}
