/* ebctl platforms: the region's platforms, newest version of each branch first. */
#include "ebctl/cli.h"
#include "ebctl/eb.h"
#include "ebctl/env.h"
#include "ebctl/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static json_t *jstr(const char *s)
{
	return s ? out_json_string(s) : json_null();
}

/* Branches by name, versions newest first (numerically). */
static int by_branch_then_newest(const void *a, const void *b)
{
	const struct eb_platform *x = a, *y = b;
	const char *p, *q;
	int c = strcmp(x->branch ? x->branch : "", y->branch ? y->branch : "");
	if (c)
		return c;
	for (p = x->version ? x->version : "", q = y->version ? y->version : "";;) {
		char *ep, *eq;
		unsigned long m = strtoul(p, &ep, 10), n = strtoul(q, &eq, 10);
		if (m != n)
			return m > n ? -1 : 1;
		if (*ep != '.' || *eq != '.')
			return (*eq == '.') - (*ep == '.');
		p = ep + 1;
		q = eq + 1;
	}
}

int cmd_platforms(int argc, char **argv)
{
	static const struct cmd_help help = {
	    "platforms", "[FILTER] [--all] [--format text|json]",
	    "One line a branch: its newest version and its lifecycle state (Supported,\n"
	    "Deprecated, Retired); --all lists every version. FILTER keeps the branches whose\n"
	    "name contains it (ECS, Docker, \"Amazon Linux 2023\"). These names are what\n"
	    "'ebctl create --platform' takes."};
	struct op_target t = {0};
	const char *format = "text";
	bool all = false;
	const struct opt opts[] = {
	    OP_ACCOUNT_OPTS(t),
	    OPTION_BOOL("all", 0, &all, "every version, not only the newest of each branch", NULL),
	    OPTION_CHOICE("format", 0, &format, "FORMAT", "text or json", "EBCTL_FORMAT",
	                  "text,json"),
	    OPTION_END,
	};
	struct eb_platforms ps = {NULL, 0};
	struct aws_error err;
	json_t *a = NULL;
	size_t i;
	int rc, n;

	OPTS_PARSE_OR_RETURN(&help, opts, argc, argv, &n);
	if (n > 1)
		return usage_error("platforms", "unexpected argument '%s'", argv[2]);
	interrupt_install();
	if ((rc = cli_target_open(&t, "platforms", OP_NO_ENV)))
		goto out;
	aws_error_clear(&err);
	if (eb_list_platforms(t.client, n ? argv[1] : NULL, &ps, &err)) {
		rc = cli_aws_fail(&err);
		goto out;
	}
	qsort(ps.v, ps.n, sizeof(*ps.v), by_branch_then_newest);
	if (!strcmp(format, "json"))
		a = json_array();
	else if (ps.n)
		out_line("%-46s %-9s %s\n", "BRANCH", "VERSION", "STATE");
	for (i = 0; i < ps.n; i++) {
		const struct eb_platform *p = &ps.v[i];
		if (!all && i > 0 && p->branch && ps.v[i - 1].branch &&
		    !strcmp(p->branch, ps.v[i - 1].branch))
			continue;
		if (a) {
			json_t *o = json_object();
			json_object_set_new(o, "branch", jstr(p->branch));
			json_object_set_new(o, "version", jstr(p->version));
			json_object_set_new(o, "lifecycle", jstr(p->branch_state));
			json_object_set_new(
			    o, "recommended",
			    json_boolean(p->state && !strcasecmp(p->state, "Recommended")));
			json_object_set_new(o, "arn", jstr(p->arn));
			json_array_append_new(a, o);
		} else {
			out_line("%-46s %-9s %s\n", p->branch ? p->branch : "-",
			         p->version ? p->version : "-",
			         p->branch_state ? p->branch_state : "-");
		}
	}
	if (a)
		out_json(a);
	else if (!ps.n)
		notef("no platform%s%s%s", n ? " matches '" : "", n ? argv[1] : "", n ? "'" : "");
out:
	eb_platforms_cleanup(&ps);
	op_target_close(&t);
	return rc;
}
